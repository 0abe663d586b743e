#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod aid;
pub mod atr;
pub mod chain;
mod cla;
mod command;
mod error;
pub mod pending;
mod response;
mod status;
pub mod tlv;

#[cfg(feature = "std")]
pub mod card;
// The test card is documented always (`cfg(doc)`), compiled with `test-util` only.
#[cfg(all(feature = "std", any(doc, feature = "test-util")))]
pub mod testcard;

pub use aid::Aid;
pub use cla::Cla;
pub use command::{Case, Command, CommandView};
pub use error::{Error, ErrorKind, Result};
pub use response::{Response, ResponseView};
pub use status::StatusWord;
