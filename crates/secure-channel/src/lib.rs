#![doc = include_str!("../README.md")]
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

mod aid;
pub mod bsp;
/// The host session over the card layer, shared by SCP03 and SCP02.
#[cfg(feature = "std")]
mod channel;
mod crypto;
mod error;
pub mod scp02;
pub mod scp03;
// The test card is documented always (`cfg(doc)`), compiled with `test-util` only.
#[cfg(all(feature = "std", any(doc, feature = "test-util")))]
pub mod testcard;

/// The vector-file reader of the integration tests, shared with the unit tests.
#[cfg(test)]
#[path = "../tests/common/vectors.rs"]
mod test_vectors;

pub use error::{Error, ErrorKind, Result};
