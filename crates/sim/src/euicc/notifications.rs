//! Notifications of the software eUICC (SGP.22 §3.5, §5.7.9–§5.7.11): generated for enable,
//! disable and delete per the profile's notification configuration, signed by a pluggable
//! [`NotificationSigner`].

use oxicard_euicc::der_util::{Encoder, app};
use oxicard_euicc::es10::{
    BitFlags, NotificationMetadata, OtherSignedNotification, PendingNotification, ProfileInfo,
};
use sha2::{Digest, Sha256};

/// Signing failed (an HSM error, a missing key, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

/// Signs what the eUICC signs with its private key (SK.EUICC.ECDSA) and hands out the
/// certificates that go with the signatures (SGP.22 §5.7.10 OtherSignedNotification,
/// §5.7.6 ProfileInstallationResult).
///
/// The test PKI of `crate::pki` provides the real ECDSA signer; [`TestSigner`] stands in
/// until then.
pub trait NotificationSigner: Send {
    /// The signature over `message` (the whole TLV signed, e.g. `BF2F …`), as the content of
    /// the `5F37` TLV: for ECDSA the 64-byte `r ‖ s` of BSI TR-03111 (SGP.22 §2.6.2).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;

    /// CERT.EUICC.ECDSA, one DER `30 …` TLV, byte-exact (never re-encoded).
    fn euicc_certificate(&self) -> &[u8];

    /// CERT.EUM.ECDSA, one DER `30 …` TLV, byte-exact.
    fn eum_certificate(&self) -> &[u8];
}

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

impl NotificationSigner for TestSigner {
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

/// The `5F37` TLV of a signature (SGP.22 §5.7.10 `euiccNotificationSignature [APPLICATION 55]`).
pub(crate) fn signature_tlv(signer: &dyn NotificationSigner, message: &[u8]) -> Result<Vec<u8>, SignError> {
    let signature = signer.sign(message)?;
    let mut e = Encoder::new();
    e.tlv(app(55), &signature);
    Ok(e.finish())
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
    signer: &dyn NotificationSigner,
    profile: &ProfileInfo,
    bit: usize,
    seq_number: u64,
    address: String,
) -> Result<PendingNotification, SignError> {
    let metadata = NotificationMetadata {
        seq_number,
        operation: BitFlags::from_bits([bit]),
        address,
        iccid: profile.iccid,
    };
    let signature = signature_tlv(signer, &oxicard_euicc::es10::Message::to_der(&metadata))?;
    Ok(PendingNotification::OtherSignedNotification(OtherSignedNotification::new(
        metadata,
        &signature,
        signer.euicc_certificate(),
        signer.eum_certificate(),
    )))
}
