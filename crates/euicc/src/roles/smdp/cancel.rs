//! The SM-DP+'s checks of ES9+.CancelSession (SGP.22 §5.6.5).

use der::Tag;

use super::SmdpError;
use crate::asn1::{ctx, single};
use crate::es9::RspFunction;
use crate::es10::{CancelSessionReason, CancelSessionResponse, Message, Oid};
use crate::pki::{RspCertificate, SignedData};

/// Verifies the eUICC's `cancel_session_response` for the session `transaction_id` whose eUICC
/// is `euicc_certificate`: a CancelSession error on the eUICC (8.1 / 6.1),
/// euiccCancelSessionSignature over euiccCancelSessionSigned (8.1 / 6.1), the signed
/// transactionId (8.10.1 / 3.9) and, when the SM-DP+ has one, its `smdp_oid` (8.8 / 3.1).
/// Returns the reason the eUICC signed.
pub fn verify_cancel_session(
    f: RspFunction,
    transaction_id: &[u8],
    euicc_certificate: &RspCertificate,
    smdp_oid: Option<&Oid>,
    cancel_session_response: &[u8],
) -> Result<CancelSessionReason, SmdpError> {
    let response = CancelSessionResponse::from_der(cancel_session_response)
        .map_err(|e| SmdpError::euicc_signature(f, format!("unreadable CancelSessionResponse: {e}")))?;
    let ok = response.result.map_err(|code| {
        SmdpError::euicc_signature(f, format!("CancelSession failed on the eUICC: {code}"))
    })?;
    SignedData::EuiccCancelSessionSigned { signed: &ok.euicc_cancel_session_signed }
        .verify_tlv(euicc_certificate.public_key(), &ok.euicc_cancel_session_signature)
        .map_err(|e| SmdpError::euicc_signature(f, format!("euiccCancelSessionSignature: {e}")))?;
    let malformed =
        |e: &dyn std::fmt::Display| SmdpError::euicc_signature(f, format!("euiccCancelSessionSigned: {e}"));
    let signed = single(&ok.euicc_cancel_session_signed, Tag::Sequence, "EuiccCancelSessionSigned")
        .map_err(|e| malformed(&e))?;
    let fields = signed.fields("EuiccCancelSessionSigned").map_err(|e| malformed(&e))?;
    if fields.req(ctx(0), "transactionId").map_err(|e| malformed(&e))?.value() != transaction_id {
        return Err(SmdpError::new(f, "8.10.1", "3.9", "the signed transactionId differs"));
    }
    let oid = fields.req(ctx(1), "smdpOid").map_err(|e| malformed(&e))?.value();
    if smdp_oid.is_some_and(|ours| ours.as_der_contents() != oid) {
        return Err(SmdpError::new(f, "8.8", "3.1", "smdpOid is not this SM-DP+'s"));
    }
    let reason = fields.req(ctx(2), "reason").and_then(|r| r.int()).map_err(|e| malformed(&e))?;
    Ok(CancelSessionReason::from_code(reason))
}
