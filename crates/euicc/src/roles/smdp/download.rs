//! The SM-DP+'s part of the profile download after the common mutual authentication (SGP.22
//! §3.1.3): smdpSigned2 in AuthenticateClient (§5.6.3), and in GetBoundProfilePackage (§5.6.2)
//! the checks of the eUICC's PrepareDownloadResponse and of the confirmation code.

use der::Tag;
use subtle::ConstantTimeEq;

use super::{ClientRefused, SmdpError};
use crate::activation::hash_confirmation_code;
use crate::asn1::{Encoder, app, ctx, single};
use crate::es9::RspFunction;
use crate::es10::{Message, PrepareDownloadResponse};
use crate::pki::{PkiError, RspCertificate, SignedData, SmdpIdentity};

/// `smdpSigned2` and its `smdpSignature2` (SGP.22 §5.6.3 AuthenticateClient, verified by the
/// eUICC in PrepareDownload §5.7.5).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmdpSigned2 {
    /// `smdpSigned2 = 30 { 80 transactionId, 01 ccRequiredFlag }`.
    pub smdp_signed2: Vec<u8>,
    /// `smdpSignature2` (`5F37 40 ‖ r ‖ s`) by SK.DPpb over `smdpSigned2 ‖ euiccSignature1`.
    pub smdp_signature2: Vec<u8>,
}

/// Signs `smdpSigned2 = 30 { 80 transactionId, 01 ccRequiredFlag }` ‖ `5F37 euiccSignature1`
/// with SK.DPpb of `identity` (SGP.22 §5.6.3; `euicc_signature1` the TLV of the session's
/// AuthenticateServerResponse).
pub fn sign_smdp_signed2(
    identity: &SmdpIdentity,
    transaction_id: &[u8],
    cc_required: bool,
    euicc_signature1: &[u8],
) -> Result<SmdpSigned2, PkiError> {
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.tlv(ctx(0), transaction_id);
        e.boolean(Tag::Boolean, cc_required);
    });
    let smdp_signed2 = e.finish();
    let smdp_signature2 =
        identity.sign(&SignedData::SmdpSigned2 { smdp_signed2: &smdp_signed2, euicc_signature1 })?.to_tlv();
    Ok(SmdpSigned2 { smdp_signed2, smdp_signature2 })
}

/// What the eUICC's `euiccSigned2` gives the SM-DP+ (SGP.22 §5.7.5).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EuiccSigned2 {
    /// otPK.EUICC, the `5F49` value (the eUICC's one-time key for the BSP key agreement).
    pub euicc_otpk: Vec<u8>,
    /// `hashCc`, when the end user entered a confirmation code.
    pub hash_cc: Option<Vec<u8>>,
}

/// GetBoundProfilePackage's checks (SGP.22 §5.6.2) of the `prepare_download_response` of the
/// session `transaction_id`, whose smdpSignature2 was `smdp_signature2` and whose eUICC is
/// `euicc_certificate`: a PrepareDownload error ends the session (8.1 / 6.1); euiccSignature2
/// over `euiccSigned2 ‖ smdpSignature2` (8.1 / 6.1) and the signed transactionId (8.10.1 / 3.9).
pub fn verify_prepare_download_response(
    f: RspFunction,
    transaction_id: &[u8],
    smdp_signature2: &[u8],
    euicc_certificate: &RspCertificate,
    prepare_download_response: &[u8],
) -> Result<EuiccSigned2, ClientRefused> {
    let response = PrepareDownloadResponse::from_der(prepare_download_response)
        .map_err(|e| SmdpError::euicc_signature(f, format!("unreadable PrepareDownloadResponse: {e}")))?;
    let ok = match response.result {
        Ok(ok) => ok,
        Err(error) => {
            let error = SmdpError::euicc_signature(f, format!("PrepareDownload failed: {}", error.code));
            return Err(ClientRefused { error, end_session: true });
        }
    };
    SignedData::EuiccSigned2 { euicc_signed2: &ok.euicc_signed2, smdp_signature2 }
        .verify_tlv(euicc_certificate.public_key(), &ok.euicc_signature2)
        .map_err(|e| SmdpError::euicc_signature(f, format!("euiccSignature2: {e}")))?;
    let malformed = |e: &dyn std::fmt::Display| SmdpError::euicc_signature(f, format!("euiccSigned2: {e}"));
    let signed = single(&ok.euicc_signed2, Tag::Sequence, "EUICCSigned2").map_err(|e| malformed(&e))?;
    let fields = signed.fields("EUICCSigned2").map_err(|e| malformed(&e))?;
    if fields.req(ctx(0), "transactionId").map_err(|e| malformed(&e))?.value() != transaction_id {
        return Err(SmdpError::new(f, "8.10.1", "3.9", "euiccSigned2 carries another transactionId").into());
    }
    let euicc_otpk = fields.req(app(73), "euiccOtpk").map_err(|e| malformed(&e))?.value().to_vec();
    let hash_cc = fields.opt(Tag::OctetString, "hashCc").map(|h| h.value().to_vec());
    Ok(EuiccSigned2 { euicc_otpk, hash_cc })
}

/// How the eUICC's `hashCc` compares with the confirmation code of the profile (SGP.22
/// §3.1.3.2, §5.6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmationCheck {
    /// `hashCc` is SHA-256(SHA-256(code) ‖ transactionId).
    Matches,
    /// No `hashCc` (8.2.7 / 2.2).
    Missing,
    /// Another hash: a wrong code (8.2.7 / 3.8, or 6.4 once the retries are exhausted).
    Wrong,
}

/// Compares `hash_cc` with the hash of `code` for `transaction_id` (the binary TransactionID),
/// in constant time ([`hash_confirmation_code`]).
pub fn check_confirmation_code(
    code: &str,
    transaction_id: &[u8],
    hash_cc: Option<&[u8]>,
) -> ConfirmationCheck {
    let Some(hash_cc) = hash_cc else { return ConfirmationCheck::Missing };
    let expected = hash_confirmation_code(code, transaction_id);
    if bool::from(expected.as_slice().ct_eq(hash_cc)) {
        ConfirmationCheck::Matches
    } else {
        ConfirmationCheck::Wrong
    }
}
