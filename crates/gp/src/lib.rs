#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod cap;
pub mod command;
pub mod connect;
pub mod dap;
pub mod data;
mod error;
mod fields;
mod isd;
pub mod keys;
pub mod ops;
pub mod receipt;
pub mod status;
pub mod status_word;

pub use error::{DecodeError, DecodeErrorKind, GpError};
pub use isd::{KNOWN_ISD_AIDS, SW_CARD_LOCKED, select_isd};

/// The GlobalPlatform class byte for proprietary commands: `80` (GPC v2.3.1 §11.1.4).
pub const CLA_GP: u8 = 0x80;
