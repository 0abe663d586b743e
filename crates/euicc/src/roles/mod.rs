//! The protocol logic of the SGP.22 roles besides the LPA: what the eUICC and an SM-DP+ (or an
//! SM-DS) compute, check and sign in a profile download (SGP.22 §3.1.3) and in the common mutual
//! authentication (§3.0.1), over the ES8+ BSP of `oxicard-secure-channel`. Pure: each function
//! takes the request bytes and the role's state, and returns the answer bytes; no APDU, no HTTP,
//! no file. Card simulators, servers and persistence are the caller's (`oxicard-sim`).
//!
//! | module | feature | what |
//! |---|---|---|
//! | `euicc` | `euicc-role` | the eUICC (ISD-R): ES10b AuthenticateServer, PrepareDownload, LoadBoundProfilePackage (the ES8+ functions of the BPP with BSP), CancelSession; the signed notifications |
//! | `smdp` | `smdp-role` | the SM-DP+: ES9+ InitiateAuthentication and AuthenticateClient (the server side of the common mutual authentication, which an SM-DS runs too for ES11), smdpSigned2, GetBoundProfilePackage (euiccSigned2, confirmation code, the BPP with BSP), HandleNotification, CancelSession |

#[cfg(feature = "euicc-role")]
pub mod euicc;
#[cfg(feature = "smdp-role")]
pub mod smdp;
