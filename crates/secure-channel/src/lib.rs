#![doc = include_str!("../README.md")]
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![forbid(unsafe_code)]

pub mod bsp;
mod crypto;
pub mod error;
pub mod scp03;
#[cfg(feature = "std")]
pub mod testcard;

/// The vector-file reader of the integration tests, shared with the unit tests.
#[cfg(test)]
#[path = "../tests/common/vectors.rs"]
mod test_vectors;

pub use error::{Error, ErrorKind, Result};
