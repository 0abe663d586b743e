//! Profile download (ES10b): GetEUICCChallenge (SGP.22 §5.7.7), AuthenticateServer (§5.7.13),
//! PrepareDownload (§5.7.5), the ProfileInstallationResult of LoadBoundProfilePackage (§5.7.6)
//! and CancelSession (§5.7.14).
//!
//! The signed structures that come from the SM-DP+ (ES9+, SGP.22 §5.6) or go back to it are
//! carried as whole TLVs, byte for byte: re-encoding them would break their signatures.

use der::Tag;

use crate::activation::DeviceInfo;
use crate::asn1::{DecodeError, DecodeReason, Encoder, Field, Fields, app, ctx, ctx_c, single};
use crate::es10::{Message, NotificationMetadata, Oid, Request, Version};

/// `[APPLICATION 55]` (`5F37`): signatures.
const TAG_SIGNATURE: Tag = app(55);

/// Checks that `tlv` is exactly one TLV with `tag`.
fn check_tlv(tlv: &[u8], tag: Tag, name: &'static str) -> Result<(), DecodeError> {
    single(tlv, tag, name).map(|_| ())
}

fn raw(f: &Fields<'_>, tag: Tag, name: &'static str) -> Result<Vec<u8>, DecodeError> {
    Ok(f.req(tag, name)?.raw().to_vec())
}

empty_request! {
    /// `GetEuiccChallengeRequest ::= [46] SEQUENCE {}` (`BF2E 00`, SGP.22 §5.7.7).
    GetEuiccChallengeRequest, 46, "GetEuiccChallengeRequest", GetEuiccChallengeResponse
}

/// `GetEuiccChallengeResponse ::= [46] SEQUENCE { 80 euiccChallenge Octet16 }` (`BF2E`, §5.7.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetEuiccChallengeResponse {
    /// The 16 random bytes.
    pub challenge: [u8; 16],
}

impl GetEuiccChallengeResponse {
    /// The value with the given members.
    pub fn new(challenge: [u8; 16]) -> Self {
        Self { challenge }
    }
}

impl Message for GetEuiccChallengeResponse {
    const TAG: Tag = ctx_c(46);
    const NAME: &'static str = "GetEuiccChallengeResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { challenge: f.req(ctx(0), "euiccChallenge")?.octets_n::<16>()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(0), &self.challenge);
    }
}

/// `DeviceCapabilities ::= SEQUENCE` (SGP.22 §5.7.13 / §4.2): the highest release of each radio
/// technology the device supports, members `80`..`8B`.
///
/// Member `[8]` is `rspRpmSupportedVersion` in the v2 module and `nrEpcSupportedRelease` from
/// v2.5 on; both are kept in [`Self::tag88`] as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceCapabilities {
    /// `gsmSupportedRelease` `80`.
    pub gsm: Option<Version>,
    /// `utranSupportedRelease` `81`.
    pub utran: Option<Version>,
    /// `cdma2000onexSupportedRelease` `82`.
    pub cdma2000_1x: Option<Version>,
    /// `cdma2000hrpdSupportedRelease` `83`.
    pub cdma2000_hrpd: Option<Version>,
    /// `cdma2000ehrpdSupportedRelease` `84`.
    pub cdma2000_ehrpd: Option<Version>,
    /// `eutranSupportedRelease` (v3 `eutranEpcSupportedRelease`) `85`.
    pub eutran: Option<Version>,
    /// `contactlessSupportedRelease` `86`.
    pub contactless: Option<Version>,
    /// `rspCrlSupportedVersion` `87` (only before v3).
    pub rsp_crl: Option<Version>,
    /// `88`: v2 `rspRpmSupportedVersion`, v2.5+ `nrEpcSupportedRelease`.
    pub tag88: Option<Version>,
    /// v2.5+ `nr5gcSupportedRelease` `89`.
    pub nr_5gc: Option<Version>,
    /// v2.5+ `eutran5gcSupportedRelease` `8A`.
    pub eutran_5gc: Option<Version>,
    /// v3 `lpaSvn` `8B`.
    pub lpa_svn: Option<Version>,
}

impl DeviceCapabilities {
    fn slots(&self) -> [&Option<Version>; 12] {
        [
            &self.gsm,
            &self.utran,
            &self.cdma2000_1x,
            &self.cdma2000_hrpd,
            &self.cdma2000_ehrpd,
            &self.eutran,
            &self.contactless,
            &self.rsp_crl,
            &self.tag88,
            &self.nr_5gc,
            &self.eutran_5gc,
            &self.lpa_svn,
        ]
    }

    fn decode(f: &Fields<'_>) -> Result<Self, DecodeError> {
        let v = |n: u32| f.opt(ctx(n), "DeviceCapabilities member").map(|x| Version::decode(&x)).transpose();
        Ok(Self {
            gsm: v(0)?,
            utran: v(1)?,
            cdma2000_1x: v(2)?,
            cdma2000_hrpd: v(3)?,
            cdma2000_ehrpd: v(4)?,
            eutran: v(5)?,
            contactless: v(6)?,
            rsp_crl: v(7)?,
            tag88: v(8)?,
            nr_5gc: v(9)?,
            eutran_5gc: v(10)?,
            lpa_svn: v(11)?,
        })
    }

    fn encode(&self, e: &mut Encoder) {
        for (number, slot) in (0u32..).zip(self.slots()) {
            e.opt(slot.as_ref(), |e, v| e.tlv(ctx(number), &v.to_bytes()));
        }
    }
}

/// `CtxParams1 ::= CHOICE { ctxParamsForCommonAuthentication A0 { [80 matchingId], A1 deviceInfo } }`
/// (SGP.22 §5.7.13).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CtxParams1 {
    /// The MatchingID (activation code token or SM-DS event id), when there is one.
    pub matching_id: Option<String>,
    /// The device.
    pub device_info: DeviceInfo,
}

impl CtxParams1 {
    /// The context of a common mutual authentication: the MatchingID, when there is one, and
    /// the device.
    pub fn new(matching_id: Option<String>, device_info: DeviceInfo) -> Self {
        Self { matching_id, device_info }
    }

    fn decode(field: &Field<'_>) -> Result<Self, DecodeError> {
        let f = field.fields("CtxParamsForCommonAuthentication")?;
        let info = f.req(ctx_c(1), "deviceInfo")?.fields("DeviceInfo")?;
        Ok(Self {
            matching_id: f.opt(ctx(0), "matchingId").map(|x| x.utf8()).transpose()?,
            device_info: DeviceInfo {
                tac: info.req(ctx(0), "tac")?.octets()?,
                capabilities: DeviceCapabilities::decode(
                    &info.req(ctx_c(1), "deviceCapabilities")?.fields("DeviceCapabilities")?,
                )?,
                imei: info.opt(ctx(2), "imei").map(|x| x.octets()).transpose()?,
            },
        })
    }

    /// The `A0` TLV (e.g. `A01E 8003414243 A117 800435290611 A10585030D0000 82081111111111111111`).
    pub fn to_der(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        self.encode(&mut e);
        e.finish()
    }

    fn encode(&self, e: &mut Encoder) {
        e.nested(ctx_c(0), |e| {
            e.opt(self.matching_id.as_ref(), |e, m| e.utf8(ctx(0), m));
            e.nested(ctx_c(1), |e| {
                let info = &self.device_info;
                e.tlv(ctx(0), &info.tac);
                e.nested(ctx_c(1), |e| info.capabilities.encode(e));
                e.opt(info.imei.as_ref(), |e, imei| e.tlv(ctx(2), imei));
            });
        });
    }
}

/// `AuthenticateServerRequest ::= [56] SEQUENCE` (`BF38`, SGP.22 §5.7.13).
///
/// The first four members come from ES9+ InitiateAuthentication as whole TLVs and are sent as
/// received: `serverSigned1` (`30 …`), `serverSignature1` (`5F37 …`), `euiccCiPKIdToBeUsed`
/// (`04 14 …`), `serverCertificate` (`30 …`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticateServerRequest {
    /// `serverSigned1` TLV.
    pub server_signed1: Vec<u8>,
    /// `serverSignature1` TLV.
    pub server_signature1: Vec<u8>,
    /// `euiccCiPKIdToBeUsed` TLV (optional from v3).
    pub euicc_ci_pkid_to_be_used: Option<Vec<u8>>,
    /// `serverCertificate` TLV.
    pub server_certificate: Vec<u8>,
    /// `ctxParams1`.
    pub ctx_params1: CtxParams1,
}

impl AuthenticateServerRequest {
    /// The value with the given members; `euicc_ci_pkid_to_be_used` is absent or empty (set it as fields).
    pub fn new(
        server_signed1: Vec<u8>,
        server_signature1: Vec<u8>,
        server_certificate: Vec<u8>,
        ctx_params1: CtxParams1,
    ) -> Self {
        Self {
            server_signed1,
            server_signature1,
            euicc_ci_pkid_to_be_used: None,
            server_certificate,
            ctx_params1,
        }
    }
}

impl AuthenticateServerRequest {
    /// Checks that the TLVs from the SM-DP+ have the tags SGP.22 §5.7.13 gives them.
    pub fn validate(&self) -> Result<(), DecodeError> {
        check_tlv(&self.server_signed1, Tag::Sequence, "serverSigned1")?;
        check_tlv(&self.server_signature1, TAG_SIGNATURE, "serverSignature1")?;
        if let Some(pkid) = &self.euicc_ci_pkid_to_be_used {
            check_tlv(pkid, Tag::OctetString, "euiccCiPKIdToBeUsed")?;
        }
        check_tlv(&self.server_certificate, Tag::Sequence, "serverCertificate")
    }
}

impl Message for AuthenticateServerRequest {
    const TAG: Tag = ctx_c(56);
    const NAME: &'static str = "AuthenticateServerRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        // serverSigned1 and serverCertificate are both universal SEQUENCEs, in that order.
        let sequences: Vec<_> = f.iter().filter(|x| x.tag() == Tag::Sequence).collect();
        let [signed, certificate, ..] = sequences.as_slice() else {
            return Err(DecodeError::new(Self::NAME, DecodeReason::Missing("serverCertificate")));
        };
        Ok(Self {
            server_signed1: signed.raw().to_vec(),
            server_signature1: raw(&f, TAG_SIGNATURE, "serverSignature1")?,
            euicc_ci_pkid_to_be_used: f
                .opt(Tag::OctetString, "euiccCiPKIdToBeUsed")
                .map(|x| x.raw().to_vec()),
            server_certificate: certificate.raw().to_vec(),
            ctx_params1: CtxParams1::decode(&f.req(ctx_c(0), "ctxParams1")?)?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.raw(&self.server_signed1);
        e.raw(&self.server_signature1);
        e.opt(self.euicc_ci_pkid_to_be_used.as_ref(), |e, p| e.raw(p));
        e.raw(&self.server_certificate);
        self.ctx_params1.encode(e);
    }
}

impl Request for AuthenticateServerRequest {
    type Response = AuthenticateServerResponse;
}

error_code! {
    /// `AuthenticateErrorCode` (SGP.22 §5.7.13; 8–14 from v3, 4 renamed `noSession` in v3).
    pub enum AuthenticateErrorCode {
        /// `invalidCertificate(1)`.
        InvalidCertificate = 1 => "invalidCertificate",
        /// `invalidSignature(2)`.
        InvalidSignature = 2 => "invalidSignature",
        /// `unsupportedCurve(3)`.
        UnsupportedCurve = 3 => "unsupportedCurve",
        /// `noSessionContext(4)`.
        NoSessionContext = 4 => "noSessionContext",
        /// `invalidOid(5)`.
        InvalidOid = 5 => "invalidOid",
        /// `euiccChallengeMismatch(6)`.
        EuiccChallengeMismatch = 6 => "euiccChallengeMismatch",
        /// `ciPKUnknown(7)`.
        CiPKUnknown = 7 => "ciPKUnknown",
        /// v3 `transactionIdError(8)`.
        TransactionIdError = 8 => "transactionIdError",
        /// v3 `missingCrl(9)`.
        MissingCrl = 9 => "missingCrl",
        /// v3 `invalidCrlSignature(10)`.
        InvalidCrlSignature = 10 => "invalidCrlSignature",
        /// v3 `revokedCert(11)`.
        RevokedCert = 11 => "revokedCert",
        /// v3 `invalidCertOrCrlTime(12)`.
        InvalidCertOrCrlTime = 12 => "invalidCertOrCrlTime",
        /// v3 `invalidCertOrCrlConfiguration(13)`.
        InvalidCertOrCrlConfiguration = 13 => "invalidCertOrCrlConfiguration",
        /// v3 `invalidIccid(14)`.
        InvalidIccid = 14 => "invalidIccid",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `AuthenticateResponseOk ::= SEQUENCE { 30 euiccSigned1, 5F37 euiccSignature1,
/// 30 euiccCertificate, 30 eumCertificate (v3 nextCertInChain), [A0 otherCertsInChain] }`, as TLVs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticateResponseOk {
    /// `euiccSigned1` TLV.
    pub euicc_signed1: Vec<u8>,
    /// `euiccSignature1` TLV.
    pub euicc_signature1: Vec<u8>,
    /// `euiccCertificate` TLV (CERT.EUICC.ECDSA).
    pub euicc_certificate: Vec<u8>,
    /// `eumCertificate` / v3 `nextCertInChain` TLV.
    pub eum_certificate: Vec<u8>,
    /// v3 `otherCertsInChain` TLV.
    pub other_certs_in_chain: Option<Vec<u8>>,
}

impl AuthenticateResponseOk {
    /// The value with the given members; `other_certs_in_chain` is absent or empty (set it as fields).
    pub fn new(
        euicc_signed1: Vec<u8>,
        euicc_signature1: Vec<u8>,
        euicc_certificate: Vec<u8>,
        eum_certificate: Vec<u8>,
    ) -> Self {
        Self {
            euicc_signed1,
            euicc_signature1,
            euicc_certificate,
            eum_certificate,
            other_certs_in_chain: None,
        }
    }
}

/// An error answer `{ 80 transactionId, 02 code }` (AuthenticateServer, PrepareDownload).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionError<C> {
    /// The session's transaction id.
    pub transaction_id: Vec<u8>,
    /// The error code.
    pub code: C,
}

impl<C> SessionError<C> {
    /// The value with the given members.
    pub fn new(transaction_id: Vec<u8>, code: C) -> Self {
        Self { transaction_id, code }
    }
}

/// `AuthenticateServerResponse ::= [56] CHOICE { A0 ok, A1 error }` (`BF38`, SGP.22 §5.7.13).
/// The LPA forwards the whole response to ES9+ AuthenticateClient: use
/// [`Isdr::call_with_der`](crate::isdr::Isdr::call_with_der) to keep its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticateServerResponse {
    /// The eUICC's signed answer, or the error.
    pub result: Result<AuthenticateResponseOk, SessionError<AuthenticateErrorCode>>,
}

impl AuthenticateServerResponse {
    /// The value with the given members.
    pub fn new(result: Result<AuthenticateResponseOk, SessionError<AuthenticateErrorCode>>) -> Self {
        Self { result }
    }
}

fn decode_session_error<C>(field: &Field<'_>, code: fn(i64) -> C) -> Result<SessionError<C>, DecodeError> {
    let f = field.fields("error response")?;
    Ok(SessionError {
        transaction_id: f.req(ctx(0), "transactionId")?.octets()?,
        code: code(f.req(Tag::Integer, "errorCode")?.int()?),
    })
}

fn encode_session_error(e: &mut Encoder, transaction_id: &[u8], code: i64) {
    e.nested(ctx_c(1), |e| {
        e.tlv(ctx(0), transaction_id);
        e.int(Tag::Integer, code);
    });
}

impl Message for AuthenticateServerResponse {
    const TAG: Tag = ctx_c(56);
    const NAME: &'static str = "AuthenticateServerResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(ok) = f.opt(ctx_c(0), "authenticateResponseOk") {
            let o = ok.fields("AuthenticateResponseOk")?;
            let sequences: Vec<_> = o.iter().filter(|x| x.tag() == Tag::Sequence).collect();
            let [signed, euicc_cert, eum_cert, ..] = sequences.as_slice() else {
                return Err(DecodeError::new(
                    "AuthenticateResponseOk",
                    DecodeReason::Missing("eumCertificate"),
                ));
            };
            return Ok(Self {
                result: Ok(AuthenticateResponseOk {
                    euicc_signed1: signed.raw().to_vec(),
                    euicc_signature1: raw(&o, TAG_SIGNATURE, "euiccSignature1")?,
                    euicc_certificate: euicc_cert.raw().to_vec(),
                    eum_certificate: eum_cert.raw().to_vec(),
                    other_certs_in_chain: o.opt(ctx_c(0), "otherCertsInChain").map(|x| x.raw().to_vec()),
                }),
            });
        }
        let error = f.req(ctx_c(1), "authenticateResponseError")?;
        Ok(Self { result: Err(decode_session_error(&error, AuthenticateErrorCode::from_code)?) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(ok) => e.nested(ctx_c(0), |e| {
                e.raw(&ok.euicc_signed1);
                e.raw(&ok.euicc_signature1);
                e.raw(&ok.euicc_certificate);
                e.raw(&ok.eum_certificate);
                e.opt(ok.other_certs_in_chain.as_ref(), |e, c| e.raw(c));
            }),
            Err(error) => encode_session_error(e, &error.transaction_id, error.code.code()),
        }
    }
}

/// `PrepareDownloadRequest ::= [33] SEQUENCE { 30 smdpSigned2, 5F37 smdpSignature2,
/// [04 hashCc], 30 smdpCertificate }` (`BF21`, SGP.22 §5.7.5). The TLVs come from ES9+
/// AuthenticateClient and are sent as received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrepareDownloadRequest {
    /// `smdpSigned2` TLV.
    pub smdp_signed2: Vec<u8>,
    /// `smdpSignature2` TLV.
    pub smdp_signature2: Vec<u8>,
    /// `hashCc`: SHA-256(SHA-256(confirmation code) ‖ transactionId), when a code is required.
    pub hash_cc: Option<[u8; 32]>,
    /// `smdpCertificate` TLV (CERT.DPpb.ECDSA).
    pub smdp_certificate: Vec<u8>,
}

impl PrepareDownloadRequest {
    /// The value with the given members; `hash_cc` is absent or empty (set it as fields).
    pub fn new(smdp_signed2: Vec<u8>, smdp_signature2: Vec<u8>, smdp_certificate: Vec<u8>) -> Self {
        Self { smdp_signed2, smdp_signature2, hash_cc: None, smdp_certificate }
    }
}

impl PrepareDownloadRequest {
    /// Checks the tags of the TLVs from the SM-DP+ (SGP.22 §5.7.5).
    pub fn validate(&self) -> Result<(), DecodeError> {
        check_tlv(&self.smdp_signed2, Tag::Sequence, "smdpSigned2")?;
        check_tlv(&self.smdp_signature2, TAG_SIGNATURE, "smdpSignature2")?;
        check_tlv(&self.smdp_certificate, Tag::Sequence, "smdpCertificate")
    }

    /// `ccRequiredFlag` of `smdpSigned2` (`01` BOOLEAN): whether a confirmation code is needed.
    pub fn cc_required(&self) -> Result<bool, DecodeError> {
        let signed = single(&self.smdp_signed2, Tag::Sequence, "SmdpSigned2")?;
        signed.fields("SmdpSigned2")?.req(Tag::Boolean, "ccRequiredFlag")?.boolean()
    }

    /// `transactionId` `80` of `smdpSigned2` (binary, as hashed into hashCc).
    pub fn transaction_id(&self) -> Result<Vec<u8>, DecodeError> {
        let signed = single(&self.smdp_signed2, Tag::Sequence, "SmdpSigned2")?;
        signed.fields("SmdpSigned2")?.req(ctx(0), "transactionId")?.octets()
    }
}

impl Message for PrepareDownloadRequest {
    const TAG: Tag = ctx_c(33);
    const NAME: &'static str = "PrepareDownloadRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let sequences: Vec<_> = f.iter().filter(|x| x.tag() == Tag::Sequence).collect();
        let [signed, certificate, ..] = sequences.as_slice() else {
            return Err(DecodeError::new(Self::NAME, DecodeReason::Missing("smdpCertificate")));
        };
        Ok(Self {
            smdp_signed2: signed.raw().to_vec(),
            smdp_signature2: raw(&f, TAG_SIGNATURE, "smdpSignature2")?,
            hash_cc: f.opt(Tag::OctetString, "hashCc").map(|x| x.octets_n::<32>()).transpose()?,
            smdp_certificate: certificate.raw().to_vec(),
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.raw(&self.smdp_signed2);
        e.raw(&self.smdp_signature2);
        e.opt(self.hash_cc.as_ref(), |e, h| e.tlv(Tag::OctetString, h));
        e.raw(&self.smdp_certificate);
    }
}

impl Request for PrepareDownloadRequest {
    type Response = PrepareDownloadResponse;
}

error_code! {
    /// `DownloadErrorCode` (SGP.22 §5.7.5; v3 drops 3 and names 4 `noSession`).
    pub enum DownloadErrorCode {
        /// `invalidCertificate(1)`.
        InvalidCertificate = 1 => "invalidCertificate",
        /// `invalidSignature(2)`.
        InvalidSignature = 2 => "invalidSignature",
        /// `unsupportedCurve(3)`.
        UnsupportedCurve = 3 => "unsupportedCurve",
        /// `noSessionContext(4)`.
        NoSessionContext = 4 => "noSessionContext",
        /// `invalidTransactionId(5)`.
        InvalidTransactionId = 5 => "invalidTransactionId",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `PrepareDownloadResponseOk ::= SEQUENCE { 30 euiccSigned2, 5F37 euiccSignature2 }`, as TLVs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrepareDownloadResponseOk {
    /// `euiccSigned2` TLV (`{ 80 transactionId, 5F49 euiccOtpk, [04 hashCc] }`).
    pub euicc_signed2: Vec<u8>,
    /// `euiccSignature2` TLV.
    pub euicc_signature2: Vec<u8>,
}

impl PrepareDownloadResponseOk {
    /// The value with the given members.
    pub fn new(euicc_signed2: Vec<u8>, euicc_signature2: Vec<u8>) -> Self {
        Self { euicc_signed2, euicc_signature2 }
    }
}

impl PrepareDownloadResponseOk {
    /// `euiccOtpk` `5F49` of `euiccSigned2`: the eUICC's one-time public key.
    pub fn euicc_otpk(&self) -> Result<Vec<u8>, DecodeError> {
        let signed = single(&self.euicc_signed2, Tag::Sequence, "EUICCSigned2")?;
        signed.fields("EUICCSigned2")?.req(app(73), "euiccOtpk")?.octets()
    }
}

/// `PrepareDownloadResponse ::= [33] CHOICE { A0 ok, A1 { 80 transactionId, 02 code } }`
/// (`BF21`, SGP.22 §5.7.5), e.g. error `BF21 08 A1 06 80 01 01 02 01 05`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrepareDownloadResponse {
    /// The signed answer, or the error.
    pub result: Result<PrepareDownloadResponseOk, SessionError<DownloadErrorCode>>,
}

impl PrepareDownloadResponse {
    /// The value with the given members.
    pub fn new(result: Result<PrepareDownloadResponseOk, SessionError<DownloadErrorCode>>) -> Self {
        Self { result }
    }
}

impl Message for PrepareDownloadResponse {
    const TAG: Tag = ctx_c(33);
    const NAME: &'static str = "PrepareDownloadResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(ok) = f.opt(ctx_c(0), "downloadResponseOk") {
            let o = ok.fields("PrepareDownloadResponseOk")?;
            return Ok(Self {
                result: Ok(PrepareDownloadResponseOk {
                    euicc_signed2: raw(&o, Tag::Sequence, "euiccSigned2")?,
                    euicc_signature2: raw(&o, TAG_SIGNATURE, "euiccSignature2")?,
                }),
            });
        }
        let error = f.req(ctx_c(1), "downloadResponseError")?;
        Ok(Self { result: Err(decode_session_error(&error, DownloadErrorCode::from_code)?) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(ok) => e.nested(ctx_c(0), |e| {
                e.raw(&ok.euicc_signed2);
                e.raw(&ok.euicc_signature2);
            }),
            Err(error) => encode_session_error(e, &error.transaction_id, error.code.code()),
        }
    }
}

code_enum! {
    /// `CancelSessionReason` (SGP.22 §5.7.14; 4, 5, 127 from v2.5, 16–29 from v3).
    pub enum CancelSessionReason {
        /// `endUserRejection(0)`.
        EndUserRejection = 0 => "endUserRejection",
        /// `postponed(1)`.
        Postponed = 1 => "postponed",
        /// `timeout(2)`.
        Timeout = 2 => "timeout",
        /// `pprNotAllowed(3)`.
        PprNotAllowed = 3 => "pprNotAllowed",
        /// `metadataMismatch(4)`.
        MetadataMismatch = 4 => "metadataMismatch",
        /// `loadBppExecutionError(5)`.
        LoadBppExecutionError = 5 => "loadBppExecutionError",
        /// v3 `sessionAborted(16)`.
        SessionAborted = 16 => "sessionAborted",
        /// v3 `enterpriseProfilesNotSupported(17)`.
        EnterpriseProfilesNotSupported = 17 => "enterpriseProfilesNotSupported",
        /// v3 `enterpriseRulesNotAllowed(18)`.
        EnterpriseRulesNotAllowed = 18 => "enterpriseRulesNotAllowed",
        /// v3 `enterpriseProfileNotAllowed(19)`.
        EnterpriseProfileNotAllowed = 19 => "enterpriseProfileNotAllowed",
        /// v3 `enterpriseOidMismatch(20)`.
        EnterpriseOidMismatch = 20 => "enterpriseOidMismatch",
        /// v3 `enterpriseRulesError(21)`.
        EnterpriseRulesError = 21 => "enterpriseRulesError",
        /// v3 `enterpriseProfilesOnly(22)`.
        EnterpriseProfilesOnly = 22 => "enterpriseProfilesOnly",
        /// v3 `lprNotSupported(23)`.
        LprNotSupported = 23 => "lprNotSupported",
        /// v3 `lprNetworkDataNotAllowed(24)`.
        LprNetworkDataNotAllowed = 24 => "lprNetworkDataNotAllowed",
        /// v3 `emptyProfileOrSpName(25)`.
        EmptyProfileOrSpName = 25 => "emptyProfileOrSpName",
        /// v3 `rpmDisabled(27)`.
        RpmDisabled = 27 => "rpmDisabled",
        /// v3 `invalidRpmPackage(28)`.
        InvalidRpmPackage = 28 => "invalidRpmPackage",
        /// v3 `loadRpmPackageError(29)`.
        LoadRpmPackageError = 29 => "loadRpmPackageError",
        /// `undefinedReason(127)`.
        UndefinedReason = 127 => "undefinedReason",
    }
}

/// `CancelSessionRequest ::= [65] SEQUENCE { 80 transactionId, 81 reason }` (`BF41`, SGP.22 §5.7.14).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelSessionRequest {
    /// The session's transaction id (binary).
    pub transaction_id: Vec<u8>,
    /// Why.
    pub reason: CancelSessionReason,
}

impl CancelSessionRequest {
    /// The value with the given members.
    pub fn new(transaction_id: Vec<u8>, reason: CancelSessionReason) -> Self {
        Self { transaction_id, reason }
    }
}

impl Message for CancelSessionRequest {
    const TAG: Tag = ctx_c(65);
    const NAME: &'static str = "CancelSessionRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            transaction_id: f.req(ctx(0), "transactionId")?.octets()?,
            reason: CancelSessionReason::from_code(f.req(ctx(1), "reason")?.int()?),
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(0), &self.transaction_id);
        e.int(ctx(1), self.reason.code());
    }
}

impl Request for CancelSessionRequest {
    type Response = CancelSessionResponse;
}

error_code! {
    /// `cancelSessionResponseError` (SGP.22 §5.7.14).
    pub enum CancelSessionError {
        /// `invalidTransactionId(5)`.
        InvalidTransactionId = 5 => "invalidTransactionId",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `CancelSessionResponseOk ::= SEQUENCE { 30 euiccCancelSessionSigned, 5F37 signature }`, as TLVs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelSessionResponseOk {
    /// `euiccCancelSessionSigned` TLV (`{ 80 transactionId, 81 smdpOid, 82 reason }`).
    pub euicc_cancel_session_signed: Vec<u8>,
    /// `euiccCancelSessionSignature` TLV.
    pub euicc_cancel_session_signature: Vec<u8>,
}

impl CancelSessionResponseOk {
    /// The value with the given members.
    pub fn new(euicc_cancel_session_signed: Vec<u8>, euicc_cancel_session_signature: Vec<u8>) -> Self {
        Self { euicc_cancel_session_signed, euicc_cancel_session_signature }
    }
}

/// `CancelSessionResponse ::= [65] CHOICE { A0 ok, 81 error }` (`BF41`, SGP.22 §5.7.14). The
/// whole response goes to ES9+ CancelSession (keep its bytes with
/// [`Isdr::call_with_der`](crate::isdr::Isdr::call_with_der)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelSessionResponse {
    /// The signed answer, or the error code.
    pub result: Result<CancelSessionResponseOk, CancelSessionError>,
}

impl CancelSessionResponse {
    /// The value with the given members.
    pub fn new(result: Result<CancelSessionResponseOk, CancelSessionError>) -> Self {
        Self { result }
    }
}

impl Message for CancelSessionResponse {
    const TAG: Tag = ctx_c(65);
    const NAME: &'static str = "CancelSessionResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(ok) = f.opt(ctx_c(0), "cancelSessionResponseOk") {
            let o = ok.fields("CancelSessionResponseOk")?;
            return Ok(Self {
                result: Ok(CancelSessionResponseOk {
                    euicc_cancel_session_signed: raw(&o, Tag::Sequence, "euiccCancelSessionSigned")?,
                    euicc_cancel_session_signature: raw(&o, TAG_SIGNATURE, "euiccCancelSessionSignature")?,
                }),
            });
        }
        let code = f.req(ctx(1), "cancelSessionResponseError")?.int()?;
        Ok(Self { result: Err(CancelSessionError::from_code(code)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(ok) => e.nested(ctx_c(0), |e| {
                e.raw(&ok.euicc_cancel_session_signed);
                e.raw(&ok.euicc_cancel_session_signature);
            }),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}

code_enum! {
    /// `BppCommandId` (SGP.22 §5.7.6): the BPP part that failed.
    pub enum BppCommandId {
        /// `initialiseSecureChannel(0)`.
        InitialiseSecureChannel = 0 => "initialiseSecureChannel",
        /// `configureISDP(1)`.
        ConfigureIsdp = 1 => "configureISDP",
        /// `storeMetadata(2)`.
        StoreMetadata = 2 => "storeMetadata",
        /// `storeMetadata2(3)`.
        StoreMetadata2 = 3 => "storeMetadata2",
        /// `replaceSessionKeys(4)`.
        ReplaceSessionKeys = 4 => "replaceSessionKeys",
        /// `loadProfileElements(5)`.
        LoadProfileElements = 5 => "loadProfileElements",
    }
}

code_enum! {
    /// `ErrorReason` of a failed installation (SGP.22 §5.7.6; 31/32 from v2.5, 17–26 from v3).
    pub enum ErrorReason {
        /// `incorrectInputValues(1)`.
        IncorrectInputValues = 1 => "incorrectInputValues",
        /// `invalidSignature(2)`.
        InvalidSignature = 2 => "invalidSignature",
        /// `invalidTransactionId(3)`.
        InvalidTransactionId = 3 => "invalidTransactionId",
        /// `unsupportedCrtValues(4)`.
        UnsupportedCrtValues = 4 => "unsupportedCrtValues",
        /// `unsupportedRemoteOperationType(5)`.
        UnsupportedRemoteOperationType = 5 => "unsupportedRemoteOperationType",
        /// `unsupportedProfileClass(6)`.
        UnsupportedProfileClass = 6 => "unsupportedProfileClass",
        /// `scp03tStructureError(7)` (v3 `bspStructureError`).
        Scp03tStructureError = 7 => "scp03tStructureError",
        /// `scp03tSecurityError(8)` (v3 `bspSecurityError`).
        Scp03tSecurityError = 8 => "scp03tSecurityError",
        /// `installFailedDueToIccidAlreadyExistsOnEuicc(9)`.
        InstallFailedDueToIccidAlreadyExistsOnEuicc = 9 => "installFailedDueToIccidAlreadyExistsOnEuicc",
        /// `installFailedDueToInsufficientMemoryForProfile(10)`.
        InstallFailedDueToInsufficientMemoryForProfile = 10 => "installFailedDueToInsufficientMemoryForProfile",
        /// `installFailedDueToInterruption(11)`.
        InstallFailedDueToInterruption = 11 => "installFailedDueToInterruption",
        /// `installFailedDueToPEProcessingError(12)`.
        InstallFailedDueToPeProcessingError = 12 => "installFailedDueToPEProcessingError",
        /// `installFailedDueToIccidMismatch(13)` (v3 `installFailedDueToDataMismatch`).
        InstallFailedDueToIccidMismatch = 13 => "installFailedDueToIccidMismatch",
        /// `testProfileInstallFailedDueToInvalidNaaKey(14)`.
        TestProfileInstallFailedDueToInvalidNaaKey = 14 => "testProfileInstallFailedDueToInvalidNaaKey",
        /// `pprNotAllowed(15)`.
        PprNotAllowed = 15 => "pprNotAllowed",
        /// v3 `enterpriseProfilesNotSupported(17)`.
        EnterpriseProfilesNotSupported = 17 => "enterpriseProfilesNotSupported",
        /// v3 `enterpriseRulesNotAllowed(18)`.
        EnterpriseRulesNotAllowed = 18 => "enterpriseRulesNotAllowed",
        /// v3 `enterpriseProfileNotAllowed(19)`.
        EnterpriseProfileNotAllowed = 19 => "enterpriseProfileNotAllowed",
        /// v3 `enterpriseOidMismatch(20)`.
        EnterpriseOidMismatch = 20 => "enterpriseOidMismatch",
        /// v3 `enterpriseRulesError(21)`.
        EnterpriseRulesError = 21 => "enterpriseRulesError",
        /// v3 `enterpriseProfilesOnly(22)`.
        EnterpriseProfilesOnly = 22 => "enterpriseProfilesOnly",
        /// v3 `lprNotSupported(23)`.
        LprNotSupported = 23 => "lprNotSupported",
        /// v3 `unknownTlvInMetadata(26)`.
        UnknownTlvInMetadata = 26 => "unknownTlvInMetadata",
        /// v2.5 `insufficientMinimumSecurityLevel(31)`.
        InsufficientMinimumSecurityLevel = 31 => "insufficientMinimumSecurityLevel",
        /// v2.5 `serverAddressAbsentInEuiccAllowList(32)`.
        ServerAddressAbsentInEuiccAllowList = 32 => "serverAddressAbsentInEuiccAllowList",
        /// `installFailedDueToUnknownError(127)`.
        InstallFailedDueToUnknownError = 127 => "installFailedDueToUnknownError",
    }
}

/// A failed installation: which BPP command failed and why (`errorResult` of the
/// ProfileInstallationResult, SGP.22 §5.7.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{command} failed: {reason}")]
#[non_exhaustive]
pub struct InstallationError {
    /// `bppCommandId`.
    pub command: BppCommandId,
    /// `errorReason`.
    pub reason: ErrorReason,
}

impl InstallationError {
    /// The value with the given members.
    pub fn new(command: BppCommandId, reason: ErrorReason) -> Self {
        Self { command, reason }
    }
}

/// `finalResult` of ProfileInstallationResultData (SGP.22 §5.7.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinalResult {
    /// `successResult A0 { 4F aid, 04 simaResponse }`.
    Success {
        /// The new profile's ISD-P AID.
        aid: Vec<u8>,
        /// The profile package interpreter's EUICCResponse(s).
        sima_response: Vec<u8>,
    },
    /// `errorResult A1 { 80 bppCommandId, 81 errorReason, [82 simaResponse] }`.
    Error {
        /// What failed.
        error: InstallationError,
        /// The EUICCResponse(s), when given.
        sima_response: Option<Vec<u8>>,
    },
}

/// `ProfileInstallationResultData ::= [39] SEQUENCE` (`BF27`, SGP.22 §5.7.6).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileInstallationResultData {
    /// `transactionId` `80`.
    pub transaction_id: Vec<u8>,
    /// `notificationMetadata` `BF2F`.
    pub notification_metadata: NotificationMetadata,
    /// `smdpOid` `06` (optional in the v2 module).
    pub smdp_oid: Option<Oid>,
    /// `finalResult` `A2`.
    pub final_result: FinalResult,
}

impl ProfileInstallationResultData {
    /// The value with the given members; `smdp_oid` is absent or empty (set it as fields).
    pub fn new(
        transaction_id: Vec<u8>,
        notification_metadata: NotificationMetadata,
        final_result: FinalResult,
    ) -> Self {
        Self { transaction_id, notification_metadata, smdp_oid: None, final_result }
    }
}

impl Message for ProfileInstallationResultData {
    const TAG: Tag = ctx_c(39);
    const NAME: &'static str = "ProfileInstallationResultData";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let smdp_oid = match f.opt(Tag::ObjectIdentifier, "smdpOid") {
            Some(oid) => Some(Oid::from_der_contents(oid.value()).ok_or_else(|| oid.invalid("bad OID"))?),
            None => None,
        };
        let result = f.req(ctx_c(2), "finalResult")?.fields("finalResult")?;
        let final_result = if let Some(ok) = result.opt(ctx_c(0), "successResult") {
            let o = ok.fields("SuccessResult")?;
            FinalResult::Success {
                aid: o.req(app(15), "aid")?.octets()?,
                sima_response: o.req(Tag::OctetString, "simaResponse")?.octets()?,
            }
        } else {
            let o = result.req(ctx_c(1), "errorResult")?.fields("ErrorResult")?;
            FinalResult::Error {
                error: InstallationError {
                    command: BppCommandId::from_code(o.req(ctx(0), "bppCommandId")?.int()?),
                    reason: ErrorReason::from_code(o.req(ctx(1), "errorReason")?.int()?),
                },
                sima_response: o.opt(ctx(2), "simaResponse").map(|x| x.octets()).transpose()?,
            }
        };
        Ok(Self {
            transaction_id: f.req(ctx(0), "transactionId")?.octets()?,
            notification_metadata: NotificationMetadata::decode_field(
                &f.req(ctx_c(47), "notificationMetadata")?,
            )?,
            smdp_oid,
            final_result,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(ctx(0), &self.transaction_id);
        e.raw(&self.notification_metadata.to_der());
        e.opt(self.smdp_oid.as_ref(), |e, oid| e.tlv(Tag::ObjectIdentifier, oid.as_der_contents()));
        e.nested(ctx_c(2), |e| match &self.final_result {
            FinalResult::Success { aid, sima_response } => e.nested(ctx_c(0), |e| {
                e.tlv(app(15), aid);
                e.tlv(Tag::OctetString, sima_response);
            }),
            FinalResult::Error { error, sima_response } => e.nested(ctx_c(1), |e| {
                e.int(ctx(0), error.command.code());
                e.int(ctx(1), error.reason.code());
                e.opt(sima_response.as_ref(), |e, s| e.tlv(ctx(2), s));
            }),
        });
    }
}

/// `ProfileInstallationResult ::= [55] SEQUENCE { BF27 data, 5F37 euiccSignPIR }` (`BF37`,
/// SGP.22 §5.7.6): the answer to the last LoadBoundProfilePackage segment, and a pending
/// notification. Kept as received (the SM-DP+ checks the signature); the data is a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileInstallationResult {
    raw: Vec<u8>,
    data: ProfileInstallationResultData,
}

impl ProfileInstallationResult {
    /// Builds one from the data and the signature TLV (`5F37 …`).
    pub fn new(data: ProfileInstallationResultData, signature: &[u8]) -> Self {
        let mut e = Encoder::new();
        e.nested(Self::TAG, |e| {
            e.raw(&data.to_der());
            e.raw(signature);
        });
        Self { raw: e.finish(), data }
    }

    /// The signed data.
    pub fn data(&self) -> &ProfileInstallationResultData {
        &self.data
    }

    /// The notification metadata (sequence number, address).
    pub fn notification_metadata(&self) -> &NotificationMetadata {
        &self.data.notification_metadata
    }

    /// `Ok(aid)` for a successful installation, the error otherwise.
    pub fn outcome(&self) -> Result<&[u8], InstallationError> {
        match &self.data.final_result {
            FinalResult::Success { aid, .. } => Ok(aid),
            FinalResult::Error { error, .. } => Err(*error),
        }
    }

    /// The TLV as received, for ES9+ HandleNotification.
    pub fn as_der(&self) -> &[u8] {
        &self.raw
    }
}

impl Message for ProfileInstallationResult {
    const TAG: Tag = ctx_c(55);
    const NAME: &'static str = "ProfileInstallationResult";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let data = f.req(ctx_c(39), "profileInstallationResultData")?;
        f.req(TAG_SIGNATURE, "euiccSignPIR")?;
        let mut e = Encoder::new();
        e.tlv(Self::TAG, contents);
        Ok(Self { raw: e.finish(), data: ProfileInstallationResultData::decode_contents(data.value())? })
    }

    /// Writes the contents exactly as received.
    fn encode_contents(&self, e: &mut Encoder) {
        if let Ok(field) = single(&self.raw, Self::TAG, Self::NAME) {
            e.raw(field.value());
        }
    }
}
