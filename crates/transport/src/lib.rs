#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod error_chain;
// The test doubles are documented always (`cfg(doc)`), compiled with `test-util` only.
#[cfg(any(doc, feature = "test-util"))]
pub mod mock;
#[cfg(all(unix, feature = "modem"))]
pub mod modem;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod sim;
#[cfg(all(feature = "pcsc", any(doc, feature = "test-util")))]
pub mod testbed;
pub mod trace;
mod transport;
pub mod vpcd;

pub use error::{ErrorKind, TransportError};
pub use error_chain::ErrorChain;
pub use transport::{ChannelOpening, MAX_COMMAND_LEN, MAX_RESPONSE_LEN, ResetKind, Transport};
