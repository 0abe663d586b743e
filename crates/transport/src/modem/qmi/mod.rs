//! QMI: the eUICC behind a Qualcomm-based modem's UIM service, over QMUX on `/dev/cdc-wdm*`.
//!
//! The codec is pure (no I/O) and follows libqmi: [`QmiMessage`] is one QMUX frame (the checks of
//! libqmi `src/libqmi-glib/qmi-message.c` `message_check`), [`QmuxReader`] cuts frames out of a
//! byte stream, [`ctl`] and [`uim`] build and read the messages an LPA needs (libqmi
//! `data/qmi-service-ctl.json`, `data/qmi-service-uim.json`), [`QmiProtocolError`] names the
//! error codes (`qmi-errors.h`). [`QmiModem`] is the [`Transport`](crate::Transport) over a
//! [`ModemLink`](super::ModemLink): client ID, slot, logical channels, Send APDU.
//!
//! QRTR (on-SoC modems: `AF_QIPCRTR` datagram sockets carrying bare service messages, no QMUX
//! header and no CTL) is not implemented: rustix has no `sockaddr_qrtr` (node, port) address,
//! and adding one means implementing its `unsafe` trait `SocketAddrArg`, which this crate
//! forbids. The service-message part of [`QmiMessage`] would carry over unchanged.

mod cursor;
mod error;
mod frame;
mod message;
mod options;
mod transport;

pub mod ctl;
pub mod uim;

pub use error::{QmiError, QmiProtocolError};
pub use frame::QmuxReader;
pub use message::{
    MAX_FRAME_LEN, QMUX_FLAGS_SERVICE, QMUX_MARKER, QmiMessage, QmiMessageKind, QmiTlv, SERVICE_CTL,
    SERVICE_UIM,
};
pub use options::QmiOptions;
pub use transport::QmiModem;
