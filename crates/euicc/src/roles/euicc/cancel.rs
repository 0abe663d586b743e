//! CancelSession (SGP.22 §5.7.14).

use der::Tag;

use super::{EuiccDownload, EuiccPlatform, EuiccSigner, RequestError};
use crate::asn1::{Encoder, ctx};
use crate::es10::{
    CancelSessionError, CancelSessionRequest, CancelSessionResponse, CancelSessionResponseOk, Message,
};
use crate::pki::SignedData;

impl<S: EuiccSigner> EuiccDownload<S> {
    /// CancelSession: the transactionId must be the open session's (else
    /// `invalidTransactionId(5)`); answers `A0 { 30 { 80 transactionId, 81 smdpOid,
    /// 82 reason }, 5F37 signature }` (smdpOid from CERT.DPauth, the `[1]` OID contents, SGP.22
    /// ASN.1 automatic tags) and ends the session. A malformed request is
    /// [`RequestError::Malformed`].
    pub fn cancel_session(
        &mut self,
        request: &[u8],
        euicc: &mut dyn EuiccPlatform,
    ) -> Result<Vec<u8>, RequestError> {
        let parsed = CancelSessionRequest::from_der(request).map_err(|_| RequestError::Malformed)?;
        let answer = |result| Ok(CancelSessionResponse { result }.to_der());
        let Some(session) = self.session.as_ref().filter(|s| s.transaction_id == parsed.transaction_id)
        else {
            return answer(Err(CancelSessionError::InvalidTransactionId));
        };
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &session.transaction_id);
            e.tlv(ctx(1), session.dp_auth_oid.as_ref().map(|oid| oid.as_der_contents()).unwrap_or_default());
            e.int(ctx(2), parsed.reason.code());
        });
        let signed = e.finish();
        let Ok(signature) = self.sign_tlv(&SignedData::EuiccCancelSessionSigned { signed: &signed }) else {
            return answer(Err(CancelSessionError::UndefinedError));
        };
        self.end(euicc);
        answer(Ok(CancelSessionResponseOk {
            euicc_cancel_session_signed: signed,
            euicc_cancel_session_signature: signature,
        }))
    }
}
