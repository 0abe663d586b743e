#![doc = include_str!("../README.md")]
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bsp;
mod crypto;
mod error;
pub mod scp03;
// The test card is documented always (`cfg(doc)`), compiled with `test-util` only.
#[cfg(all(feature = "std", any(doc, feature = "test-util")))]
pub mod testcard;

/// The vector-file reader of the integration tests, shared with the unit tests.
#[cfg(test)]
#[path = "../tests/common/vectors.rs"]
mod test_vectors;

pub use error::{Error, ErrorKind, Result};
