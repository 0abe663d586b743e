#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod atr;
pub mod chain;
pub mod cla;
mod command;
pub mod error;
pub mod pending;
mod response;
mod status;
pub mod tlv;

#[cfg(feature = "std")]
pub mod card;
#[cfg(feature = "std")]
pub mod testcard;

pub use cla::Cla;
pub use command::{Case, Command, CommandView};
pub use error::{Error, ErrorKind};
pub use response::{Response, ResponseView};
pub use status::StatusWord;
