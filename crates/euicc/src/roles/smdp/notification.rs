//! The SM-DP+'s checks of ES9+.HandleNotification (SGP.22 §5.6.4): a ProfileInstallationResult
//! (euiccSignPIR over `BF27`, verified with the CERT.EUICC of its RSP session) or an
//! OtherSignedNotification (its CERT.EUICC chain, then euiccNotificationSignature over `BF2F`).

use std::time::SystemTime;

use der::Tag;

use super::{SmdpError, chain_error};
use crate::asn1::{app, ctx_c, single};
use crate::es9::RspFunction;
use crate::es10::PendingNotification;
use crate::pki::{RspCertificate, SignedData, TrustStore};

/// A pending notification as received (SGP.22 §5.6.4 `pendingNotification`), split into the
/// signed data, the signature and the certificates that come with it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedNotification<'a> {
    /// The notification, decoded.
    pub notification: PendingNotification,
    /// The signed `BF27` (ProfileInstallationResultData) or `BF2F` (NotificationMetadata) TLV.
    data: &'a [u8],
    /// The `5F37` signature TLV.
    signature: &'a [u8],
    /// The `30` TLVs after the signature (CERT.EUICC, CERT.EUM of an OtherSignedNotification).
    certificates: Vec<&'a [u8]>,
}

impl<'a> SignedNotification<'a> {
    /// Decodes `raw`, the `BF37` ProfileInstallationResult or `30` OtherSignedNotification TLV
    /// (a malformed one is 8.1 / 6.1).
    pub fn parse(f: RspFunction, raw: &'a [u8]) -> Result<SignedNotification<'a>, SmdpError> {
        let malformed =
            |e: &dyn std::fmt::Display| SmdpError::euicc_signature(f, format!("notification: {e}"));
        let notification = PendingNotification::from_der(raw).map_err(|e| malformed(&e))?;
        let (outer_tag, data_tag) = match notification {
            PendingNotification::ProfileInstallationResult(_) => (ctx_c(55), ctx_c(39)),
            PendingNotification::OtherSignedNotification(_) => (Tag::Sequence, ctx_c(47)),
        };
        let outer = single(raw, outer_tag, "PendingNotification").map_err(|e| malformed(&e))?;
        let fields = outer.fields("PendingNotification").map_err(|e| malformed(&e))?;
        let data = fields.req(data_tag, "signed data").map_err(|e| malformed(&e))?.raw();
        let signature = fields.req(app(55), "signature").map_err(|e| malformed(&e))?.raw();
        let certificates = fields.iter().filter(|x| x.tag() == Tag::Sequence).map(|x| x.raw()).collect();
        Ok(SignedNotification { notification, data, signature, certificates })
    }

    /// Verifies euiccSignPIR over the `BF27` data with `euicc_certificate`, the CERT.EUICC of the
    /// RSP session the ProfileInstallationResult names (8.1 / 6.1).
    pub fn verify_installation_result(
        &self,
        f: RspFunction,
        euicc_certificate: &RspCertificate,
    ) -> Result<(), SmdpError> {
        SignedData::ProfileInstallationResultData { data: self.data }
            .verify_tlv(euicc_certificate.public_key(), self.signature)
            .map_err(|e| SmdpError::euicc_signature(f, format!("euiccSignPIR: {e}")))
    }

    /// Verifies the CERT.EUICC and CERT.EUM that come with an OtherSignedNotification up to one
    /// of `trusted_cis`, valid `at` (8.1.3 / 8.1.2), then euiccNotificationSignature over the
    /// `BF2F` data (8.1 / 6.1).
    pub fn verify_other(
        &self,
        f: RspFunction,
        trusted_cis: &TrustStore,
        at: Option<SystemTime>,
    ) -> Result<(), SmdpError> {
        let [euicc, eum, ..] = self.certificates.as_slice() else {
            return Err(SmdpError::euicc_signature(f, "notification: certificates missing"));
        };
        let euicc = RspCertificate::from_der(euicc)
            .map_err(|e| SmdpError::new(f, "8.1.3", "6.1", format!("CERT.EUICC: {e}")))?;
        let eum = RspCertificate::from_der(eum)
            .map_err(|e| SmdpError::new(f, "8.1.2", "6.1", format!("CERT.EUM: {e}")))?;
        trusted_cis.verify_euicc_chain(&euicc, &eum, at).map_err(|e| chain_error(f, &e))?;
        SignedData::OtherNotification { tbs_other_notification: self.data }
            .verify_tlv(euicc.public_key(), self.signature)
            .map_err(|e| SmdpError::euicc_signature(f, format!("euiccNotificationSignature: {e}")))
    }
}
