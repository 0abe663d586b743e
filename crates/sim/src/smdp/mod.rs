//! A test SM-DP+ (GSMA SGP.22 §3.1.3 profile download and §5.6 ES9+, server side), so downloads
//! run end to end on any machine without an operator.
//!
//! - [`TestSmdp`]: the five ES9+ functions without I/O — InitiateAuthentication (§5.6.1),
//!   AuthenticateClient (§5.6.3), GetBoundProfilePackage (§5.6.2), HandleNotification (§5.6.4),
//!   CancelSession (§5.6.5) — with the SGP.22 status codes on failure, and
//!   [`TestSmdp::handle_request`] for the JSON binding (§6.5). The checks, signatures and the BPP
//!   are the SM-DP+ role of `oxicard_euicc::roles::smdp`; the server keeps the sessions, the
//!   profiles, the random values and the HTTP binding.
//! - [`ProfilePackage`]: a profile served by MatchingID: an UnprotectedProfilePackage (SAIP DER) and
//!   its metadata ([`ProfileMetadata`]), optionally with a confirmation code;
//!   [`ProfileBuilder`] makes a test UPP shaped like the GSMA TS.48 packages (`crate::saip`).
//! - [`TestSmds`]: a test SM-DS (§3.6.1 event retrieval, ES11 §5.8): events per EID, the same
//!   mutual authentication with CERT.DSauth.
//! - [`SmdpServer`]: the HTTP or HTTPS (CERT.DP.TLS) server on 127.0.0.1 that the euicc crate's
//!   `HttpEs9Client` talks to, for either ([`RspServer`]; [`SmdsServer`] for the SM-DS);
//!   [`InProcessClient`]: the euicc crate's `HttpClient` to either without a socket.
//!
//! The BPP carries `BF23` InitialiseSecureChannel signed with SK.DPpb, ConfigureISDP (`A0`),
//! StoreMetadata (`A1`), a ReplaceSessionKeys to a random PPK set (`A2`, optional) and the profile
//! elements (`A3`), each protected with BSP (`oxicard_euicc::roles::smdp::bound_profile_package`).

mod auth;
mod dp;
mod ds;
mod error;
mod profile;
mod server;

pub use dp::{HttpAnswer, ReceivedNotification, TestSmdp};
pub use ds::TestSmds;
pub use error::{ProfileError, ServerError};
pub use profile::{
    BUILT_IMSI, BUILT_USIM_AID, ProfileBuilder, ProfileMetadata, ProfilePackage, header_iccid,
};
pub use server::{InProcessClient, RspServer, SmdpServer, SmdsServer};
