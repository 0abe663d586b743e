//! PrepareDownload (SGP.22 §5.7.5).

use der::Tag;

use super::{EuiccDownload, EuiccPlatform, EuiccSigner, Prepared, RequestError};
use crate::asn1::{Encoder, app, ctx};
use crate::es10::{
    DownloadErrorCode, Message, PrepareDownloadRequest, PrepareDownloadResponse, PrepareDownloadResponseOk,
    SessionError,
};
use crate::pki::oid::RspRole;
use crate::pki::{OneTimeKeyPair, RspCertificate, SignedData};

impl<S: EuiccSigner> EuiccDownload<S> {
    /// PrepareDownload: session and transactionId, CERT.DPpb chain and role, smdpSignature2
    /// over `smdpSigned2 ‖ euiccSignature1`, hashCc present when `ccRequiredFlag` is set
    /// (else `undefinedError`, the code chosen here); then a one-time key pair on the
    /// curve of CERT.DPpb and the signed `euiccSigned2 = 30 { 80 transactionId,
    /// 5F49 otPK.EUICC, [04 hashCc] }`. A malformed request is [`RequestError::Malformed`].
    pub fn prepare_download(
        &mut self,
        request: &[u8],
        euicc: &mut dyn EuiccPlatform,
    ) -> Result<Vec<u8>, RequestError> {
        let parsed = PrepareDownloadRequest::from_der(request).map_err(|_| RequestError::Malformed)?;
        parsed.validate().map_err(|_| RequestError::Malformed)?;
        let transaction_id = parsed.transaction_id().unwrap_or_default();
        let answer = match self.prepare(&parsed, &transaction_id, &*euicc) {
            Ok(ok) => Ok(ok),
            Err(code) => Err(SessionError { transaction_id, code }),
        };
        Ok(PrepareDownloadResponse { result: answer }.to_der())
    }

    fn prepare(
        &mut self,
        request: &PrepareDownloadRequest,
        transaction_id: &[u8],
        euicc: &dyn EuiccPlatform,
    ) -> Result<PrepareDownloadResponseOk, DownloadErrorCode> {
        let session = self.session.as_ref().ok_or(DownloadErrorCode::NoSessionContext)?;
        if session.prepared.is_some() || self.loading.is_some() {
            return Err(DownloadErrorCode::NoSessionContext);
        }
        if session.transaction_id != transaction_id {
            return Err(DownloadErrorCode::InvalidTransactionId);
        }
        let certificate = RspCertificate::from_der(&request.smdp_certificate)
            .map_err(|_| DownloadErrorCode::InvalidCertificate)?;
        let chain = self
            .trusted_cis
            .verify(&certificate, &[], RspRole::DpPb, euicc.now())
            .map_err(|_| DownloadErrorCode::InvalidCertificate)?;
        SignedData::SmdpSigned2 {
            smdp_signed2: &request.smdp_signed2,
            euicc_signature1: &session.euicc_signature1,
        }
        .verify_tlv(&chain.public_key, &request.smdp_signature2)
        .map_err(|_| DownloadErrorCode::InvalidSignature)?;
        let cc_required = request.cc_required().map_err(|_| DownloadErrorCode::UndefinedError)?;
        if cc_required && request.hash_cc.is_none() {
            return Err(DownloadErrorCode::UndefinedError);
        }
        // A re-offered BPP (`bppEuiccOtpk` in smdpSigned2) could reuse an earlier key pair; this
        // eUICC keeps none across sessions, so it always generates a fresh one (the SM-DP+ then
        // binds a new BPP; SGP.22 §5.7.5 `bppEuiccOtpk`).
        let one_time_key = OneTimeKeyPair::generate(chain.public_key.curve())
            .map_err(|_| DownloadErrorCode::UndefinedError)?;

        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), transaction_id);
            e.tlv(app(73), one_time_key.public_uncompressed());
            e.opt(request.hash_cc.as_ref(), |e, hash| e.tlv(Tag::OctetString, hash));
        });
        let euicc_signed2 = e.finish();
        let euicc_signature2 = self
            .sign_tlv(&SignedData::EuiccSigned2 {
                euicc_signed2: &euicc_signed2,
                smdp_signature2: &request.smdp_signature2,
            })
            .map_err(|_| DownloadErrorCode::UndefinedError)?;
        if let Some(session) = self.session.as_mut() {
            session.prepared = Some(Prepared {
                dp_pb_key: chain.public_key,
                dp_pb_oid: certificate.registered_id(),
                one_time_key,
            });
        }
        Ok(PrepareDownloadResponseOk { euicc_signed2, euicc_signature2 })
    }
}
