//! GetEID (SGP.22 §5.7.20): `GetEuiccDataRequest` `BF3E` / `GetEuiccDataResponse`.

use crate::asn1::{DecodeError, Encoder, Fields, app};
use crate::es10::{Message, Request};
use crate::iccid::Eid;

/// `GetEuiccDataRequest ::= [62] SEQUENCE { tagList [APPLICATION 28] Octet1 }` (SGP.22 §5.7.20).
///
/// The tag list is `5A` (the EID), which [`Default`] gives: `BF3E 03 5C 01 5A`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetEuiccDataRequest {
    /// The tags asked for (`5C`); SGP.22 v2 allows only `5A`.
    pub tag_list: Vec<u8>,
}

impl GetEuiccDataRequest {
    /// The value with the given members.
    pub fn new(tag_list: Vec<u8>) -> Self {
        Self { tag_list }
    }
}

impl Default for GetEuiccDataRequest {
    fn default() -> Self {
        Self { tag_list: vec![0x5A] }
    }
}

impl Message for GetEuiccDataRequest {
    const TAG: der::Tag = crate::asn1::ctx_c(62);
    const NAME: &'static str = "GetEuiccDataRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let fields = Fields::parse(contents, Self::NAME)?;
        Ok(Self { tag_list: fields.req(app(28), "tagList")?.octets()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(app(28), &self.tag_list);
    }
}

impl Request for GetEuiccDataRequest {
    type Response = GetEuiccDataResponse;
}

/// `GetEuiccDataResponse ::= [62] SEQUENCE { eidValue [APPLICATION 26] Octet16 }` (SGP.22 §5.7.20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetEuiccDataResponse {
    /// The EID.
    pub eid: Eid,
}

impl GetEuiccDataResponse {
    /// The value with the given members.
    pub fn new(eid: Eid) -> Self {
        Self { eid }
    }
}

impl Message for GetEuiccDataResponse {
    const TAG: der::Tag = crate::asn1::ctx_c(62);
    const NAME: &'static str = "GetEuiccDataResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let fields = Fields::parse(contents, Self::NAME)?;
        Ok(Self { eid: Eid::from_bytes(fields.req(app(26), "eidValue")?.octets_n::<16>()?) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(app(26), &self.eid.to_bytes());
    }
}
