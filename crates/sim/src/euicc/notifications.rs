//! Notifications of the software eUICC (SGP.22 §3.5, §5.7.9–§5.7.11): generated for enable,
//! disable and delete per the profile's notification configuration, signed by a pluggable
//! [`EuiccSigner`] (`oxicard_euicc::roles::euicc::signed_notification`).

use oxicard_euicc::es10::{BitFlags, NotificationMetadata, PendingNotification, ProfileInfo};
use oxicard_euicc::roles::euicc::{EuiccSigner, SignError, signed_notification};
use sha2::{Digest, Sha256};

/// A stand-in signer for tests: **not a signature**. The "signature" is
/// `SHA-256("oxicard-test-signer/r" ‖ message) ‖ SHA-256("oxicard-test-signer/s" ‖ message)`
/// (64 bytes, the size of an ECDSA P-256 signature), and the certificates are empty
/// `30 00` SEQUENCEs. Deterministic, so tests can assert exact bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestSigner;

/// The placeholder certificate of [`TestSigner`]: an empty SEQUENCE.
const EMPTY_SEQUENCE: [u8; 2] = [0x30, 0x00];

impl TestSigner {
    /// The 64 bytes [`TestSigner`] returns for `message`.
    pub fn signature(message: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        for label in [&b"oxicard-test-signer/r"[..], b"oxicard-test-signer/s"] {
            let mut hash = Sha256::new();
            hash.update(label);
            hash.update(message);
            out.extend_from_slice(&hash.finalize());
        }
        out
    }
}

impl EuiccSigner for TestSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(Self::signature(message))
    }

    fn euicc_certificate(&self) -> &[u8] {
        &EMPTY_SEQUENCE
    }

    fn eum_certificate(&self) -> &[u8] {
        &EMPTY_SEQUENCE
    }
}

/// The address `profile`'s notification configuration (`B6`, SGP.22 §5.7.15) gives for the
/// operation `bit` ([`notification_event`](oxicard_euicc::es10::notification_event)), if any.
pub(crate) fn configured_address(profile: &ProfileInfo, bit: usize) -> Option<String> {
    profile
        .notification_configuration
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|entry| entry.operation.contains(bit))
        .map(|entry| entry.address.clone())
}

/// Builds the signed OtherSignedNotification (SGP.22 §5.7.10) of operation `bit` on `profile`,
/// with sequence number `seq_number`, sent to `address`: `30 { BF2F tbs, 5F37 sig(BF2F),
/// CERT.EUICC, CERT.EUM }`.
pub(crate) fn other_notification(
    signer: &dyn EuiccSigner,
    profile: &ProfileInfo,
    bit: usize,
    seq_number: u64,
    address: String,
) -> Result<PendingNotification, SignError> {
    let metadata = {
        let mut notification_metadata =
            NotificationMetadata::new(seq_number, BitFlags::from_bits([bit]), address);
        notification_metadata.iccid = profile.iccid;
        notification_metadata
    };
    signed_notification(signer, metadata)
}
