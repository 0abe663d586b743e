#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
pub mod mock;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod sim;
#[cfg(feature = "pcsc")]
pub mod testbed;
pub mod trace;
mod transport;
pub mod vpcd;

pub use error::{ErrorKind, TransportError};
pub use trace::Redaction;
pub use transport::{ChannelOpening, MAX_COMMAND_LEN, MAX_RESPONSE_LEN, ResetKind, Transport};
