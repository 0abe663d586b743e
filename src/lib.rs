//! oxicard: smart cards and eSIMs from Rust.
//!
//! This facade re-exports the workspace crates:
//!
//! - [`transport`]: raw APDU exchange (PC/SC, scripted mock, simulators, vpcd bridge).
//! - [`apdu`]: ISO/IEC 7816-4 codec, status words, BER-TLV and the card layer.
//! - [`secure_channel`]: GlobalPlatform SCP03 (host and card side, over the card layer) and the
//!   SGP.22 BSP (Bound Profile Package protection).
//! - [`gp`]: GlobalPlatform card management (GET STATUS, CAP load files, INSTALL, DELETE, PUT KEY).
//! - `sim` (feature `sim`, on by default): the software eUICC, the test SM-DP+ and the test PKI.
//! - [`euicc`]: the GSMA SGP.22 LPA (ISD-R access, ES10a/b/c, ES9+/ES11, download, notifications).
#![forbid(unsafe_code)]

pub use oxicard_apdu as apdu;
pub use oxicard_euicc as euicc;
pub use oxicard_gp as gp;
pub use oxicard_secure_channel as secure_channel;
#[cfg(feature = "sim")]
pub use oxicard_sim as sim;
pub use oxicard_transport as transport;
