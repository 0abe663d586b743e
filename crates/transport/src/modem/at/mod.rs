//! AT commands on a serial port: the eUICC of a cellular modem through 3GPP TS 27.007
//! `+CSIM` (§8.17), `+CGLA` (§8.43), `+CCHO` (§8.45) and `+CCHC` (§8.46).
//!
//! [`AtModem`] runs over any [`ModemLink`](super::ModemLink): a
//! [`DeviceLink`](super::DeviceLink) on the modem's AT port (`/dev/ttyUSB2`, `/dev/ttyACM0`…), or
//! one end of a socket pair in tests.
//!
//! ```no_run
//! use oxicard_transport::modem::DeviceLink;
//! use oxicard_transport::modem::at::{AtOptions, AtModem};
//!
//! let link = DeviceLink::open("/dev/ttyUSB2")?;
//! let transport = AtModem::open(link, AtOptions::default())?;
//! // `oxicard_apdu::card::Card::new(transport)`, then the ISD-R as on any card.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces, each usable alone: [`line`](mod@line) (CR LF framing of what the modem sends),
//! [`command`] (the command lines), [`reply`] (final result codes, responses, echo and
//! unsolicited result codes), [`AtError`] / [`CmeError`] (what the modem refused, by name),
//! [`ManageChannel`] (what a MANAGE CHANNEL in `AT+CSIM` did).

pub mod command;
mod error;
pub mod line;
mod manage_channel;
mod options;
pub mod reply;
mod session;
mod transport;

pub use error::{AtError, CmeError, name as cme_error_name};
pub use manage_channel::ManageChannel;
pub use options::{AtOptions, ChannelAccess};
pub use transport::{AtModem, REFUSED_SW};
