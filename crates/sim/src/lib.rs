#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod euicc;
pub mod gp;
#[cfg(unix)]
pub mod modem;
pub mod pki;
pub mod saip;
pub mod smdp;
pub mod storage;
