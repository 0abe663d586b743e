//! Less common ES10 functions: LoadCRL (SGP.22 v2 §5.7.12; removed in v3), LpaeActivation
//! (`BF42`, SGP.22 §5.7.x for the LPA in the eUICC) and the v3 VerifySmdsResponse (`BF45`,
//! SGP.22 v3 §5.7.x), as in the v2 module and the v3 RSPDefinitions.

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Fields, app, ctx, ctx_c, single};
use crate::es10::{BitFlags, Message, Request};

/// `LoadCRLRequest ::= [53] SEQUENCE { crl CertificateList }` (`BF35 { 30 … }`, SGP.22 v2 §5.7.12).
/// The CRL is a whole DER `CertificateList` (RFC 5280 §5.1), sent as received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadCrlRequest {
    /// The `CertificateList` TLV.
    pub crl: Vec<u8>,
}

impl LoadCrlRequest {
    /// The value with the given members.
    pub fn new(crl: Vec<u8>) -> Self {
        Self { crl }
    }
}

impl Message for LoadCrlRequest {
    const TAG: Tag = ctx_c(53);
    const NAME: &'static str = "LoadCRLRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { crl: f.req(Tag::Sequence, "crl")?.raw().to_vec() })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.raw(&self.crl);
    }
}

impl Request for LoadCrlRequest {
    type Response = LoadCrlResponse;
}

error_code! {
    /// `LoadCRLResponseError` (SGP.22 v2 §5.7.12; 5 and 6 from v2.5).
    pub enum LoadCrlError {
        /// `invalidSignature(1)`.
        InvalidSignature = 1 => "invalidSignature",
        /// `invalidCRLFormat(2)`.
        InvalidCrlFormat = 2 => "invalidCRLFormat",
        /// `notEnoughMemorySpace(3)`.
        NotEnoughMemorySpace = 3 => "notEnoughMemorySpace",
        /// `verificationKeyNotFound(4)`.
        VerificationKeyNotFound = 4 => "verificationKeyNotFound",
        /// v2.5 `fresherCrlAlreadyLoaded(5)`.
        FresherCrlAlreadyLoaded = 5 => "fresherCrlAlreadyLoaded",
        /// v2.5 `baseCrlMissing(6)`.
        BaseCrlMissing = 6 => "baseCrlMissing",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `LoadCRLResponse ::= [53] CHOICE { A0 { [A0 missingParts SEQUENCE OF { 80 number }] }, 81 error }`
/// (`BF35`, SGP.22 v2 §5.7.12).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadCrlResponse {
    /// The numbers of the partial CRLs still missing (empty when none or absent), or the error.
    pub result: Result<Vec<u64>, LoadCrlError>,
}

impl LoadCrlResponse {
    /// The value with the given members.
    pub fn new(result: Result<Vec<u64>, LoadCrlError>) -> Self {
        Self { result }
    }
}

impl Message for LoadCrlResponse {
    const TAG: Tag = ctx_c(53);
    const NAME: &'static str = "LoadCRLResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(ok) = f.opt(ctx_c(0), "loadCRLResponseOk") {
            let mut missing = Vec::new();
            if let Some(parts) = ok.fields("LoadCRLResponseOk")?.opt(ctx_c(0), "missingParts") {
                for part in parts.fields("missingParts")?.iter().filter(|p| p.tag() == Tag::Sequence) {
                    missing.push(part.fields("missingPart")?.req(ctx(0), "number")?.uint()?);
                }
            }
            return Ok(Self { result: Ok(missing) });
        }
        Ok(Self { result: Err(LoadCrlError::from_code(f.req(ctx(1), "loadCRLResponseError")?.int()?)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(missing) if missing.is_empty() => e.nested(ctx_c(0), |_| {}),
            Ok(missing) => e.nested(ctx_c(0), |e| {
                e.nested(ctx_c(0), |e| {
                    missing.iter().for_each(|n| e.nested(Tag::Sequence, |e| e.uint(ctx(0), *n)));
                });
            }),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}

/// Bit positions of `lpaeOption` (LpaeActivationRequest).
pub mod lpae_option {
    /// `activateCatBasedLpae(0)`: LPAe with LUIe based on CAT.
    pub const ACTIVATE_CAT_BASED_LPAE: usize = 0;
    /// `activateScwsBasedLpae(1)`: LPAe with LUIe based on SCWS.
    pub const ACTIVATE_SCWS_BASED_LPAE: usize = 1;
}

/// `LpaeActivationRequest ::= [66] SEQUENCE { 80 lpaeOption BIT STRING }` (`BF42`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LpaeActivationRequest {
    /// Bits in [`lpae_option`].
    pub options: BitFlags,
}

impl Message for LpaeActivationRequest {
    const TAG: Tag = ctx_c(66);
    const NAME: &'static str = "LpaeActivationRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { options: f.req(ctx(0), "lpaeOption")?.bits()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.bits(ctx(0), &self.options);
    }
}

impl Request for LpaeActivationRequest {
    type Response = LpaeActivationResponse;
}

error_code! {
    /// `lpaeActivationResult` (`BF42`).
    pub enum LpaeActivationError {
        /// `notSupported(1)`.
        NotSupported = 1 => "notSupported",
    }
}

result_response! {
    /// `LpaeActivationResponse ::= [66] SEQUENCE { lpaeActivationResult }` (`BF42`).
    LpaeActivationResponse, 66, "LpaeActivationResponse", "lpaeActivationResult", LpaeActivationError
}

/// `VerifySmdsResponseRequest ::= [69] SEQUENCE { A1 smdsSigned2, 5F37 smdsSignature2 }` (`BF45`,
/// SGP.22 v3): the SM-DS's signed ES11 answer, both TLVs as received.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifySmdsResponseRequest {
    /// `smdsSigned2` TLV (`A1 …`).
    pub smds_signed2: Vec<u8>,
    /// `smdsSignature2` TLV (`5F37 …`).
    pub smds_signature2: Vec<u8>,
}

impl VerifySmdsResponseRequest {
    /// The value with the given members.
    pub fn new(smds_signed2: Vec<u8>, smds_signature2: Vec<u8>) -> Self {
        Self { smds_signed2, smds_signature2 }
    }
}

impl Message for VerifySmdsResponseRequest {
    const TAG: Tag = ctx_c(69);
    const NAME: &'static str = "VerifySmdsResponseRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            smds_signed2: f.req(ctx_c(1), "smdsSigned2")?.raw().to_vec(),
            smds_signature2: f.req(app(55), "smdsSignature2")?.raw().to_vec(),
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.raw(&self.smds_signed2);
        e.raw(&self.smds_signature2);
    }
}

impl VerifySmdsResponseRequest {
    /// Checks the two TLVs' tags.
    pub fn validate(&self) -> Result<(), DecodeError> {
        single(&self.smds_signed2, ctx_c(1), "smdsSigned2")?;
        single(&self.smds_signature2, app(55), "smdsSignature2").map(|_| ())
    }
}

impl Request for VerifySmdsResponseRequest {
    type Response = VerifySmdsResponseResponse;
}

error_code! {
    /// `verifySmdsResponseError` (SGP.22 v3).
    pub enum VerifySmdsResponseError {
        /// `invalidSignature(2)`.
        InvalidSignature = 2 => "invalidSignature",
        /// `noSession(4)`.
        NoSession = 4 => "noSession",
        /// `invalidTransactionId(5)`.
        InvalidTransactionId = 5 => "invalidTransactionId",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `VerifySmdsResponseResponse ::= [69] CHOICE { 80 ok NULL, 81 error }` (`BF45`, SGP.22 v3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifySmdsResponseResponse {
    /// `Ok` for `verifySmdsResponseOk`, the error code otherwise.
    pub result: Result<(), VerifySmdsResponseError>,
}

impl VerifySmdsResponseResponse {
    /// The value with the given members.
    pub fn new(result: Result<(), VerifySmdsResponseError>) -> Self {
        Self { result }
    }
}

impl Message for VerifySmdsResponseResponse {
    const TAG: Tag = ctx_c(69);
    const NAME: &'static str = "VerifySmdsResponseResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if f.opt(ctx(0), "verifySmdsResponseOk").is_some() {
            return Ok(Self { result: Ok(()) });
        }
        let code = f.req(ctx(1), "verifySmdsResponseError")?.int()?;
        Ok(Self { result: Err(VerifySmdsResponseError::from_code(code)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match self.result {
            Ok(()) => e.tlv(ctx(0), &[]),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}
