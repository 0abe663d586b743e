#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod activation;
pub mod asn1;
mod authentication;
pub mod discovery;
pub mod download;
pub mod es10;
pub mod es11;
pub mod es9;
pub mod iccid;
pub mod isdr;
pub mod notify;
#[cfg(feature = "pki")]
pub mod pki;
#[cfg(any(feature = "euicc-role", feature = "smdp-role"))]
pub mod roles;
pub mod sans_io;
