//! ES10a: GetEuiccConfiguredAddresses (SGP.22 §5.7.3, v3 "GetEuiccConfiguredData") and
//! SetDefaultDpAddress (§5.7.4).

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Fields, ctx, ctx_c};
use crate::es10::{Message, Request};

empty_request! {
    /// `EuiccConfiguredAddressesRequest ::= [60] SEQUENCE {}` (`BF3C 00`, SGP.22 §5.7.3).
    EuiccConfiguredAddressesRequest, 60, "EuiccConfiguredAddressesRequest", EuiccConfiguredAddresses
}

/// `EuiccConfiguredAddressesResponse ::= [60] SEQUENCE { 80 defaultDpAddress OPTIONAL,
/// 81 rootDsAddress }` (`BF3C`, SGP.22 §5.7.3), with the v3 `EuiccConfiguredDataResponse` additions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EuiccConfiguredAddresses {
    /// `defaultDpAddress`: the default SM-DP+ (FQDN).
    pub default_dp_address: Option<String>,
    /// `rootDsAddress`: the root SM-DS (FQDN).
    pub root_ds_address: String,
    /// v3 `additionalRootDsAddresses` `A2`.
    pub additional_root_ds_addresses: Option<Vec<String>>,
    /// v3 `allowedCiPKId` `83` for the default SM-DP+.
    pub allowed_ci_pkid: Option<Vec<u8>>,
}

impl Message for EuiccConfiguredAddresses {
    const TAG: Tag = ctx_c(60);
    const NAME: &'static str = "EuiccConfiguredAddressesResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            default_dp_address: f.opt(ctx(0), "defaultDpAddress").map(|x| x.utf8()).transpose()?,
            root_ds_address: f.req(ctx(1), "rootDsAddress")?.utf8()?,
            additional_root_ds_addresses: f
                .opt(ctx_c(2), "additionalRootDsAddresses")
                .map(|x| {
                    x.fields("additionalRootDsAddresses")?
                        .iter()
                        .filter(|s| s.tag() == Tag::Utf8String)
                        .map(|s| s.utf8())
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            allowed_ci_pkid: f.opt(ctx(3), "allowedCiPKId").map(|x| x.octets()).transpose()?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.opt(self.default_dp_address.as_ref(), |e, a| e.utf8(ctx(0), a));
        e.utf8(ctx(1), &self.root_ds_address);
        e.opt(self.additional_root_ds_addresses.as_ref(), |e, list| {
            e.nested(ctx_c(2), |e| list.iter().for_each(|a| e.utf8(Tag::Utf8String, a)));
        });
        e.opt(self.allowed_ci_pkid.as_ref(), |e, id| e.tlv(ctx(3), id));
    }
}

/// `SetDefaultDpAddressRequest ::= [63] SEQUENCE { 80 defaultDpAddress, [v3 81 allowedCiPKId] }`
/// (`BF3F`, SGP.22 §5.7.4). An empty address removes the default SM-DP+.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetDefaultDpAddressRequest {
    /// The new default SM-DP+ address (FQDN).
    pub address: String,
    /// v3 `allowedCiPKId`.
    pub allowed_ci_pkid: Option<Vec<u8>>,
}

impl Message for SetDefaultDpAddressRequest {
    const TAG: Tag = ctx_c(63);
    const NAME: &'static str = "SetDefaultDpAddressRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            address: f.req(ctx(0), "defaultDpAddress")?.utf8()?,
            allowed_ci_pkid: f.opt(ctx(1), "allowedCiPKId").map(|x| x.octets()).transpose()?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.utf8(ctx(0), &self.address);
        e.opt(self.allowed_ci_pkid.as_ref(), |e, id| e.tlv(ctx(1), id));
    }
}

impl Request for SetDefaultDpAddressRequest {
    type Response = SetDefaultDpAddressResponse;
}

error_code! {
    /// `setDefaultDpAddressResult` (SGP.22 §5.7.4).
    pub enum SetDefaultDpAddressError {
        /// v3 `unsupportedCiPKId(8)`.
        UnsupportedCiPKId = 8 => "unsupportedCiPKId",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

result_response! {
    /// `SetDefaultDpAddressResponse ::= [63] SEQUENCE { setDefaultDpAddressResult }` (`BF3F`, §5.7.4).
    SetDefaultDpAddressResponse, 63, "SetDefaultDpAddressResponse", "setDefaultDpAddressResult",
    SetDefaultDpAddressError
}
