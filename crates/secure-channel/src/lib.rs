#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod crypto;
pub mod error;
pub mod scp03;

pub use error::{Error, ErrorKind, Result};
