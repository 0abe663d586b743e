//! The BPP protection protocol BSP of GSMA SGP.22 §2.6.4 ("SCP03t" in SGP.22 v2.x): the
//! secure channel that protects a Bound Profile Package between the SM-DP+ and the eUICC.
//!
//! - Key agreement: the ECKA shared secret (the x-coordinate of `otSK · otPK`) goes
//!   through the X9.63 KDF with SHA-256 ([`x963_kdf_sha256`], SGP.22 §2.6.4.2) over the
//!   [`SharedInfo`] `keyType ‖ keyLen ‖ len(hostId) ‖ hostId ‖ len(EID) ‖ EID`, giving
//!   the initial MAC chaining value, S-ENC and S-MAC ([`BspKeys::derive`]).
//! - Segments: one BER-TLV each, `T L C MAC(8)` (SGP.22 §2.6.4.3–§2.6.4.5). Tag `87`
//!   (ConfigureISDP, ReplaceSessionKeys) and `86` (LoadProfileElements) are encrypted
//!   with AES-CBC and MACed, `88` (StoreMetadata) is MACed only ([`SegmentTag`]).
//! - The SM-DP+ side protects plaintexts ([`BspProtector`]), the eUICC side verifies and
//!   decrypts segments ([`BspVerifier`]); both chain the MAC across segments and count
//!   segments for the ICV of AES-CBC, also the MAC-only ones.
//! - ReplaceSessionKeys (SGP.22 §2.5.5, `BF26`) switches both sides to the profile
//!   protection keys PPK-ENC / PPK-MAC with a new initial MAC chaining value and the block
//!   counter back to 1 ([`BspProtector::replace_session_keys`],
//!   [`BspVerifier::verify_replace_session_keys`]).
//!
//! Fail closed: every verification failure except [`ErrorKind::BufferTooSmall`] (a
//! MAC, length, tag, padding or counter failure) terminates the verifier: its keys and
//! chaining value are wiped and every later call returns [`ErrorKind::Terminated`]
//! (SGP.22 §2.6.4: the eUICC aborts the BPP and answers `bspSecurityError` /
//! `bspStructureError`).
//!
//! Segment sizes: SGP.22 v3.0 §2.5.3 limits a segment to 1020 bytes including tag, length
//! and MAC. The protector never produces more ([`MAX_SEGMENT_LEN`]); the verifier accepts
//! up to [`MAX_ACCEPTED_SEGMENT_LEN`] = 1036 bytes, the size that pySim's encoder produces
//! (1008 plaintext bytes per encrypted segment).
//!
//! [`ErrorKind::BufferTooSmall`]: crate::ErrorKind::BufferTooSmall
//! [`ErrorKind::Terminated`]: crate::ErrorKind::Terminated

mod engine;
mod kdf;
mod keys;
mod protector;
mod segment;
mod verifier;

pub use self::kdf::{KEY_LEN_AES128, KEY_TYPE_AES, MAX_HOST_ID_LEN, SharedInfo, x963_kdf_sha256};
pub use self::keys::{BspKeys, REPLACE_SESSION_KEYS_LEN, TAG_REPLACE_SESSION_KEYS};
pub use self::protector::BspProtector;
pub use self::segment::{
    MAC_LEN, MAX_ACCEPTED_SEGMENT_LEN, MAX_ENCRYPTED_PLAINTEXT, MAX_MAC_ONLY_PLAINTEXT, MAX_SEGMENT_LEN,
    SegmentTag, Segments, protected_len, segmented_len, split_segments,
};
pub use self::verifier::{BspVerifier, Verified};
