//! eUICCMemoryReset (SGP.22 §5.7.19): `EuiccMemoryResetRequest` `BF34`.

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Fields, ctx, ctx_c};
use crate::es10::{BitFlags, Message, Request};

/// Bit positions of `resetOptions` (SGP.22 §5.7.19; bits 3 and 4 from v3).
pub mod reset_options {
    /// `deleteOperationalProfiles(0)`.
    pub const DELETE_OPERATIONAL_PROFILES: usize = 0;
    /// `deleteFieldLoadedTestProfiles(1)`.
    pub const DELETE_FIELD_LOADED_TEST_PROFILES: usize = 1;
    /// `resetDefaultSmdpAddress(2)`.
    pub const RESET_DEFAULT_SMDP_ADDRESS: usize = 2;
    /// v3 `deletePreLoadedTestProfiles(3)`.
    pub const DELETE_PRE_LOADED_TEST_PROFILES: usize = 3;
    /// v3 `deleteProvisioningProfiles(4)`.
    pub const DELETE_PROVISIONING_PROFILES: usize = 4;
}

/// `EuiccMemoryResetRequest ::= [52] SEQUENCE { resetOptions [2] BIT STRING }` (`BF34 { 82 … }`,
/// SGP.22 §5.7.19). All three v2 options: `BF34 04 82 02 05 E0`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EuiccMemoryResetRequest {
    /// `resetOptions`: bits in [`reset_options`].
    pub options: BitFlags,
}

impl Message for EuiccMemoryResetRequest {
    const TAG: Tag = ctx_c(52);
    const NAME: &'static str = "EuiccMemoryResetRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { options: f.req(ctx(2), "resetOptions")?.bits()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.bits(ctx(2), &self.options);
    }
}

impl Request for EuiccMemoryResetRequest {
    type Response = EuiccMemoryResetResponse;
}

error_code! {
    /// `resetResult` of EuiccMemoryResetResponse (SGP.22 §5.7.19; `catBusy` from v2.5).
    pub enum EuiccMemoryResetError {
        /// `nothingToDelete(1)`.
        NothingToDelete = 1 => "nothingToDelete",
        /// `catBusy(5)`.
        CatBusy = 5 => "catBusy",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

result_response! {
    /// `EuiccMemoryResetResponse ::= [52] SEQUENCE { resetResult }` (`BF34`, SGP.22 §5.7.19).
    EuiccMemoryResetResponse, 52, "EuiccMemoryResetResponse", "resetResult", EuiccMemoryResetError
}
