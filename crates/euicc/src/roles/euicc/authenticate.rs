//! AuthenticateServer (SGP.22 §5.7.13).

use der::Tag;

use super::{EuiccDownload, EuiccPlatform, EuiccSigner, RequestError, Session};
use crate::asn1::{Encoder, Fields, ctx, ctx_c, single};
use crate::es10::{
    AuthenticateErrorCode, AuthenticateResponseOk, AuthenticateServerRequest, AuthenticateServerResponse,
    Message, SessionError,
};
use crate::pki::oid::RspRole;
use crate::pki::{ChainError, PkiError, RspCertificate, SignedData};

/// The members of `serverSigned1` (`30 { 80 transactionId, 81 euiccChallenge, 83 serverAddress,
/// 84 serverChallenge }`, SGP.22 §5.7.13), with the raw TLVs copied into euiccSigned1.
struct ServerSigned1<'a> {
    transaction_id: Vec<u8>,
    euicc_challenge: Vec<u8>,
    server_address: String,
    raw_transaction_id: &'a [u8],
    raw_server_address: &'a [u8],
    raw_server_challenge: &'a [u8],
}

impl<'a> ServerSigned1<'a> {
    fn parse(tlv: &'a [u8]) -> Option<ServerSigned1<'a>> {
        let signed = single(tlv, Tag::Sequence, "ServerSigned1").ok()?;
        let f = signed.fields("ServerSigned1").ok()?;
        let transaction_id = f.opt(ctx(0), "transactionId")?;
        let challenge = f.opt(ctx(1), "euiccChallenge")?;
        let address = f.opt(ctx(3), "serverAddress")?;
        let server_challenge = f.opt(ctx(4), "serverChallenge")?;
        Some(ServerSigned1 {
            transaction_id: transaction_id.octets().ok()?,
            euicc_challenge: challenge.octets().ok()?,
            server_address: address.utf8().ok()?,
            raw_transaction_id: transaction_id.raw(),
            raw_server_address: address.raw(),
            raw_server_challenge: server_challenge.raw(),
        })
    }
}

/// The `ctxParams1` TLV (`A0 …`) of the request, byte-exact.
fn raw_ctx_params1(request: &[u8]) -> Option<&[u8]> {
    let outer = single(request, ctx_c(56), "AuthenticateServerRequest").ok()?;
    let fields = Fields::parse(outer.value(), "AuthenticateServerRequest").ok()?;
    Some(fields.opt(ctx_c(0), "ctxParams1")?.raw())
}

impl<S: EuiccSigner> EuiccDownload<S> {
    /// AuthenticateServer (SGP.22 §5.7.13): checks, in this order (session, CI PKID,
    /// CERT.DPauth chain and role — or CERT.DSauth when ctxParams1 has no MatchingID —, curve,
    /// serverSignature1, euiccChallenge), then signs
    /// `euiccSigned1 = 30 { 80 transactionId, 83 serverAddress, 84 serverChallenge,
    /// BF22 euiccInfo2, A0 ctxParams1 }` and opens the session; the challenge is used up. A
    /// malformed request is [`RequestError::Malformed`].
    pub fn authenticate_server(
        &mut self,
        request: &[u8],
        euicc: &mut dyn EuiccPlatform,
    ) -> Result<Vec<u8>, RequestError> {
        let parsed = AuthenticateServerRequest::from_der(request).map_err(|_| RequestError::Malformed)?;
        parsed.validate().map_err(|_| RequestError::Malformed)?;
        let ctx_params1 = raw_ctx_params1(request).ok_or(RequestError::Malformed)?;
        let signed = ServerSigned1::parse(&parsed.server_signed1);
        let transaction_id = signed.as_ref().map(|s| s.transaction_id.clone()).unwrap_or_default();
        let error = |code| {
            Ok(AuthenticateServerResponse {
                result: Err(SessionError { transaction_id: transaction_id.clone(), code }),
            }
            .to_der())
        };
        match self.check_server(&parsed, signed.as_ref(), euicc) {
            Ok(()) => {}
            Err(code) => return error(code),
        }
        let Some(signed) = signed else { return error(AuthenticateErrorCode::UndefinedError) };

        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.raw(signed.raw_transaction_id);
            e.raw(signed.raw_server_address);
            e.raw(signed.raw_server_challenge);
            e.raw(&euicc.euicc_info2().to_der());
            e.raw(ctx_params1);
        });
        let euicc_signed1 = e.finish();
        let Ok(euicc_signature1) = self.sign_tlv(&SignedData::EuiccSigned1 { euicc_signed1: &euicc_signed1 })
        else {
            return error(AuthenticateErrorCode::UndefinedError);
        };
        let dp_auth_oid =
            RspCertificate::from_der(&parsed.server_certificate).ok().and_then(|c| c.registered_id());
        self.loading = None;
        self.session = Some(Session {
            transaction_id: signed.transaction_id,
            server_address: signed.server_address,
            dp_auth_oid,
            euicc_signature1: euicc_signature1.clone(),
            prepared: None,
        });
        // The challenge is used up: a replayed AuthenticateServer finds no session context.
        euicc.end_session();
        Ok(AuthenticateServerResponse {
            result: Ok(AuthenticateResponseOk {
                euicc_signed1,
                euicc_signature1,
                euicc_certificate: self.signer.euicc_certificate().to_vec(),
                eum_certificate: self.signer.eum_certificate().to_vec(),
                other_certs_in_chain: None,
            }),
        }
        .to_der())
    }

    /// The checks of AuthenticateServer, in order, with their error codes.
    fn check_server(
        &self,
        request: &AuthenticateServerRequest,
        signed: Option<&ServerSigned1<'_>>,
        euicc: &dyn EuiccPlatform,
    ) -> Result<(), AuthenticateErrorCode> {
        let challenge = euicc.euicc_challenge().ok_or(AuthenticateErrorCode::NoSessionContext)?;
        if let Some(pkid_tlv) = &request.euicc_ci_pkid_to_be_used {
            let pkid = single(pkid_tlv, Tag::OctetString, "euiccCiPKIdToBeUsed")
                .map_err(|_| AuthenticateErrorCode::CiPKUnknown)?;
            if !self.ci_pkids_for_signing.iter().any(|known| known == pkid.value()) {
                return Err(AuthenticateErrorCode::CiPKUnknown);
            }
        }
        let certificate = RspCertificate::from_der(&request.server_certificate).map_err(|err| match err {
            PkiError::UnsupportedCurve(_) => AuthenticateErrorCode::UnsupportedCurve,
            _ => AuthenticateErrorCode::InvalidCertificate,
        })?;
        // CERT.DPauth, or CERT.DSauth for event retrieval (SGP.22 §3.6.1: ctxParams1 without
        // MatchingID). SGP.22 §5.7.13 has the eUICC verify "CERT.XXauth"; tying DSauth to the
        // absence of a MatchingID is this implementation's reading (an SM-DS orders no profile).
        let now = euicc.now();
        let chain = self
            .trusted_cis
            .verify(&certificate, &[], RspRole::DpAuth, now)
            .or_else(|err| match err {
                ChainError::WrongRole { .. } if request.ctx_params1.matching_id.is_none() => {
                    self.trusted_cis.verify(&certificate, &[], RspRole::DsAuth, now)
                }
                other => Err(other),
            })
            .map_err(|err| match err {
                ChainError::WrongRole { .. } => AuthenticateErrorCode::InvalidOid,
                _ => AuthenticateErrorCode::InvalidCertificate,
            })?;
        SignedData::ServerSigned1 { server_signed1: &request.server_signed1 }
            .verify_tlv(&chain.public_key, &request.server_signature1)
            .map_err(|_| AuthenticateErrorCode::InvalidSignature)?;
        let signed = signed.ok_or(AuthenticateErrorCode::UndefinedError)?;
        if signed.euicc_challenge != challenge {
            return Err(AuthenticateErrorCode::EuiccChallengeMismatch);
        }
        Ok(())
    }
}
