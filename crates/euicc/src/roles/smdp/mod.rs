//! The SM-DP+ role (feature `smdp-role`): the server side of ES9+ (SGP.22 §5.6) and of the ES8+
//! Bound Profile Package (§2.5.5, BSP §2.6.4), as pure functions over the requests of
//! `crate::es9` and the role's [`SmdpIdentity`](crate::pki::SmdpIdentity). An SM-DS runs the same
//! common mutual authentication for ES11 (§3.6.1, §5.8.1, §5.8.2), with CERT.DSauth.
//!
//! The server keeps what is its own — the RSP sessions by TransactionID, the profiles by
//! MatchingID, the random TransactionIDs, challenges, one-time keys and PPKs, the HTTP binding —
//! and calls, per function:
//!
//! | function | here |
//! |---|---|
//! | InitiateAuthentication (§5.6.1 / §5.8.1) | [`initiate_authentication`] |
//! | AuthenticateClient (§5.6.3 / §5.8.2) | [`authenticate_client`], then [`sign_smdp_signed2`] |
//! | GetBoundProfilePackage (§5.6.2) | [`verify_prepare_download_response`], [`check_confirmation_code`], [`bound_profile_package`] |
//! | HandleNotification (§5.6.4) | [`SignedNotification`] |
//! | CancelSession (§5.6.5) | [`verify_cancel_session`] |
//!
//! Failures are [`SmdpError`]s: the SGP.22 subject and reason codes the server answers.

mod authentication;
mod bpp;
mod cancel;
mod download;
mod error;
mod notification;

pub use authentication::{
    ClientRefused, ClientVerified, authenticate_client, chain_error, initiate_authentication,
};
pub use bpp::{BppError, BppInput, bound_profile_package};
pub use cancel::verify_cancel_session;
pub use download::{
    ConfirmationCheck, EuiccSigned2, SmdpSigned2, check_confirmation_code, sign_smdp_signed2,
    verify_prepare_download_response,
};
pub use error::SmdpError;
pub use notification::SignedNotification;
