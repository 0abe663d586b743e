//! MBIM: the eUICC of a modem through the Microsoft UICC Low Level Access service
//! (Microsoft, "MB low level UICC access") on `/dev/cdc-wdm*`.
//!
//! - [`MbimModem`]: the [`Transport`](crate::Transport), with its settings in [`MbimOptions`].
//! - The codec, pure and usable on its own (the simulated modem of `oxicard-sim` is built on
//!   it): [`Message`] (the control messages of USB MBIM 1.0 §9), [`fragment`] (splitting to
//!   `MaxControlTransfer` and reassembly), [`FrameBuffer`] (messages out of a byte stream),
//!   [`uicc`] (the information buffers of ATR, OPEN_CHANNEL, CLOSE_CHANNEL, APDU),
//!   [`basic_connect`] (slot mapping and SIM readiness), [`Status`] and [`ProtocolError`] (the
//!   codes, by name), [`MbimError`].
//!
//! # Sequence
//!
//! ```text
//! OPEN(MaxControlTransfer)                         → OPEN_DONE status 0
//! MS Basic Connect Ext. DEVICE_SLOT_MAPPINGS query → slot of executor 0 (set + SUBSCRIBER_READY_STATUS polls if another)
//! MS UICC ATR query                                → the ATR
//! MS UICC OPEN_CHANNEL(AID, P2, group 1)           → channel, SW1 SW2 and response of the SELECT
//! MS UICC APDU(channel, SM, Type, C-APDU)          → SW1 SW2, response data (61xx chained by the modem)
//! MS UICC CLOSE_CHANNEL(channel, group)            → SW1 SW2 of MANAGE CHANNEL
//! CLOSE                                            → CLOSE_DONE
//! ```
//!
//! Sources: Microsoft, "MB low level UICC access" (MicrosoftDocs/windows-driver-docs,
//! `windows-driver-docs-pr/network/mb-low-level-uicc-access.md`); libmbim
//! (`src/libmbim-glib/mbim-message.c`, `mbim-message-private.h`, `mbim-errors.h`, `mbim-uuid.c`,
//! `data/mbim-service-*.json`); lpac `driver/apdu/mbim.c`; damonto/wwan-go `mbim/`.

mod apdu;
pub mod basic_connect;
mod config;
mod error;
pub mod fragment;
mod message;
mod modem;
pub mod proxy_control;
mod session;
mod status;
mod stream;
pub mod uicc;
mod uuid;
mod wire;

pub use config::{ClassBytePolicy, MbimOptions};
pub use error::{MbimError, ServiceName};

pub use message::{
    Command, CommandDone, CommandType, FRAGMENT_PAYLOAD_AT, HEADER_LEN, Header, Indication, Message,
    MessageType,
};
pub use modem::MbimModem;
pub use status::{ProtocolError, Status};
pub use stream::FrameBuffer;
pub use uuid::Uuid;
