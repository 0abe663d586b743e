//! SAIP profile packages: the UnprotectedProfilePackage of the SIMalliance/TCA "eUICC Profile
//! Package: Interoperable Format Technical Specification" v3.3.1 (SAIP), a DER sequence of
//! `ProfileElement`s of its ASN.1 module `PE_Definitions-3.3.1` (Annex A), as SGP.22 §2.5.4
//! carries it in the `A3` part of a Bound Profile Package.
//!
//! [`Package::decode`] validates every PE against the whole module — a declarative schema of
//! `static` type tables (`module`, built from the blocks of `schema`) walked by one generic DER
//! validator (`validate`) — and checks the PE sequence (ProfileHeader first, PE-End last). It
//! gives typed access to what the eUICC and the tools need: the [`ProfileHeader`], each PE's
//! kind and identification, EF.ICCID of the MF PE and EF.IMSI of the USIM PE. Errors
//! ([`SaipError`]) name the PE (index, kind), the byte offset, the field path and the
//! [`Problem`]. Nothing here panics on any input.
//!
//! The ICCID has two codings in a real package ([`iccid_from_reading_order`],
//! [`iccid_to_reading_order`]): the ProfileHeader `iccid` holds the digits in reading order
//! (`89 49 44 …`), EF.ICCID and the SGP.22 metadata the nibble-swapped coding of
//! [`Iccid`](oxicard_euicc::iccid::Iccid) (`98 94 44 …`).
//!
//! ```
//! use oxicard_sim::saip::{Package, PeKind};
//!
//! let upp = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/saip/TS48v1_A.der"))?;
//! let package = Package::decode(&upp)?;
//! assert_eq!(package.iccid().digits(), "89000123456789012341");
//! assert_eq!(package.ef_iccid(), Some(package.iccid()));
//! assert_eq!(package.imsi().unwrap().digits(), "001010123456063");
//! assert_eq!(package.elements().last().unwrap().kind, PeKind::End);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codings;
mod error;
mod files;
mod header;
mod kind;
mod module;
mod package;
mod schema;
mod tlv;
mod validate;

pub use codings::{Imsi, ImsiError, iccid_from_reading_order, iccid_to_reading_order};
pub use error::{Problem, SaipError};
pub use header::ProfileHeader;
pub use kind::PeKind;
pub use package::{Element, Package};
