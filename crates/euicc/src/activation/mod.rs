//! Activation codes, confirmation codes and device information (GSMA SGP.22 §4.1, §3.1.3, §5.7.13).
//!
//! - [`ActivationCode`] parses and formats `LPA:1$<SM-DP+ address>$<MatchingID>[$<OID>[$<CC flag>…]]`,
//!   the string a QR code carries (SGP.22 §4.1).
//! - [`hash_confirmation_code`] computes the `hashCc` the eUICC expects in PrepareDownload
//!   (SGP.22 §3.1.3, §5.7.5).
//! - [`DeviceInfo`], [`Imei`] and [`Tac`] describe the device for AuthenticateServer's `ctxParams1`
//!   (SGP.22 §5.7.13, `DeviceInfo`).

mod code;
mod confirmation;
mod device;

pub use code::{AcField, ActivationCode, ActivationCodeError, ActivationCodeWarning, MAX_MATCHING_ID_LEN};
pub use confirmation::{ConfirmationCode, hash_confirmation_code};
pub use device::{DeviceInfo, DeviceInfoError, Imei, Tac};

/// Validates an RSP server address (FQDN with optional `:port`), as in activation code field 2.
pub(crate) use code::validate_address as validate_server_address;
