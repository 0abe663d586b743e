//! ES10a/b/c: the LPA ↔ ISD-R functions of SGP.22 §5.7, typed.
//!
//! Every function is a request type and a response type implementing [`Message`]
//! (DER encoding and decoding) and tied together by [`Request`]. Send them with
//! [`Isdr::call`](crate::isdr::Isdr::call), or use the convenience methods of
//! [`Isdr`](crate::isdr::Isdr) that also turn the function's result code into an
//! [`Es10Error::Rejected`](crate::isdr::Es10Error::Rejected).
//!
//! | SGP.22 | function | request / response |
//! |---|---|---|
//! | §5.7.3 | GetEuiccConfiguredAddresses | [`EuiccConfiguredAddressesRequest`] `BF3C` / [`EuiccConfiguredAddresses`] |
//! | §5.7.4 | SetDefaultDpAddress | [`SetDefaultDpAddressRequest`] `BF3F` / [`SetDefaultDpAddressResponse`] |
//! | §5.7.5 | PrepareDownload | [`PrepareDownloadRequest`] `BF21` / [`PrepareDownloadResponse`] |
//! | §5.7.6 | LoadBoundProfilePackage | [`bpp::segments`] `BF36` / [`ProfileInstallationResult`] `BF37` |
//! | §5.7.7 | GetEUICCChallenge | [`GetEuiccChallengeRequest`] `BF2E` / [`GetEuiccChallengeResponse`] |
//! | §5.7.8 | GetEUICCInfo | [`GetEuiccInfo1Request`] `BF20` / [`EuiccInfo1`], [`GetEuiccInfo2Request`] `BF22` / [`EuiccInfo2`] |
//! | §5.7.9 | ListNotification | [`ListNotificationRequest`] `BF28` / [`ListNotificationResponse`] |
//! | §5.7.10 | RetrieveNotificationsList | [`RetrieveNotificationsListRequest`] `BF2B` / [`RetrieveNotificationsListResponse`] |
//! | §5.7.11 | RemoveNotificationFromList | [`NotificationSentRequest`] `BF30` / [`NotificationSentResponse`] |
//! | §5.7.13 | AuthenticateServer | [`AuthenticateServerRequest`] `BF38` / [`AuthenticateServerResponse`] |
//! | §5.7.14 | CancelSession | [`CancelSessionRequest`] `BF41` / [`CancelSessionResponse`] |
//! | §5.7.15 | GetProfilesInfo | [`ProfileInfoListRequest`] `BF2D` / [`ProfileInfoListResponse`] |
//! | §5.7.16 | EnableProfile | [`EnableProfileRequest`] `BF31` / [`EnableProfileResponse`] |
//! | §5.7.17 | DisableProfile | [`DisableProfileRequest`] `BF32` / [`DisableProfileResponse`] |
//! | §5.7.18 | DeleteProfile | [`DeleteProfileRequest`] `BF33` / [`DeleteProfileResponse`] |
//! | §5.7.19 | eUICCMemoryReset | [`EuiccMemoryResetRequest`] `BF34` / [`EuiccMemoryResetResponse`] |
//! | §5.7.20 | GetEID | [`GetEuiccDataRequest`] `BF3E` / [`GetEuiccDataResponse`] |
//! | §5.7.21 | SetNickname | [`SetNicknameRequest`] `BF29` / [`SetNicknameResponse`] |
//! | §5.7.22 (v2.2+) | GetRAT | [`GetRatRequest`] `BF43` / [`GetRatResponse`] |
//! | §5.7.12 (v2 only) | LoadCRL | [`LoadCrlRequest`] `BF35` / [`LoadCrlResponse`] |
//! | — | LpaeActivation | [`LpaeActivationRequest`] `BF42` / [`LpaeActivationResponse`] |
//! | v3 | VerifySmdsResponse | [`VerifySmdsResponseRequest`] `BF45` / [`VerifySmdsResponseResponse`] |
//!
//! Decoders skip members they do not know (the module is `EXTENSIBILITY IMPLIED`), keep the
//! raw TLVs the LPA must forward unchanged, and never panic (see [`asn1`](crate::asn1)).

use der::Tag;

use crate::asn1::{DecodeError, Encoder, single};

/// Declares an INTEGER enumeration of SGP.22 with its named values, plus `Unknown(i64)` for the
/// values a later version may add.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $asn1:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value not named in the SGP.22 versions this crate knows.
            Unknown(i64),
        }

        impl $name {
            /// The enumeration for the INTEGER `code`.
            pub const fn from_code(code: i64) -> Self {
                match code {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The INTEGER value.
            pub const fn code(self) -> i64 {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(code) => code,
                }
            }

            /// The ASN.1 identifier of the value in SGP.22 (`"unknown"` for [`Self::Unknown`]).
            pub const fn asn1_name(self) -> &'static str {
                match self {
                    $( Self::$variant => $asn1, )*
                    Self::Unknown(_) => "unknown",
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{} ({})", self.asn1_name(), self.code())
            }
        }
    };
}

/// Declares an ES10 error code enumeration: a [`code_enum!`] that is also an `Error`.
macro_rules! error_code {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        code_enum! { $(#[$meta])* pub enum $name { $($body)* } }
        impl std::error::Error for $name {}
        impl $name {
            /// `Ok(())` for `ok(0)`, the error otherwise.
            pub const fn result(code: i64) -> Result<(), Self> {
                if code == 0 { Ok(()) } else { Err(Self::from_code(code)) }
            }
        }
    };
}

/// Declares an empty request (`[n] SEQUENCE {}`), answered by `$response`.
macro_rules! empty_request {
    ($(#[$meta:meta])* $name:ident, $number:literal, $asn1:literal, $response:ty) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl $crate::es10::Message for $name {
            const TAG: der::Tag = $crate::asn1::ctx_c($number);
            const NAME: &'static str = $asn1;
            fn decode_contents(contents: &[u8]) -> Result<Self, $crate::asn1::DecodeError> {
                // Members added by later versions are skipped, but must be well formed.
                $crate::asn1::Fields::parse(contents, $asn1)?;
                Ok(Self)
            }
            fn encode_contents(&self, _: &mut $crate::asn1::Encoder) {}
        }

        impl $crate::es10::Request for $name {
            type Response = $response;
        }
    };
}

/// Declares a response `[n] SEQUENCE { result [0] INTEGER }` whose non-zero values are `$error`.
macro_rules! result_response {
    ($(#[$meta:meta])* $name:ident, $number:literal, $asn1:literal, $field:literal, $error:ty) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            /// `Ok` for `ok(0)`, the error code otherwise.
            pub result: Result<(), $error>,
        }

        impl $crate::es10::Message for $name {
            const TAG: der::Tag = $crate::asn1::ctx_c($number);
            const NAME: &'static str = $asn1;
            fn decode_contents(contents: &[u8]) -> Result<Self, $crate::asn1::DecodeError> {
                let fields = $crate::asn1::Fields::parse(contents, $asn1)?;
                let code = fields.req($crate::asn1::ctx(0), $field)?.int()?;
                Ok(Self { result: <$error>::result(code) })
            }
            fn encode_contents(&self, e: &mut $crate::asn1::Encoder) {
                let code = match self.result {
                    Ok(()) => 0,
                    Err(error) => error.code(),
                };
                e.int($crate::asn1::ctx(0), code);
            }
        }

        impl $name {
            /// The response with `result` (`Ok` is `ok(0)`).
            pub const fn new(result: Result<(), $error>) -> Self {
                Self { result }
            }

            /// The result as a `Result` that converts into [`Es10Error`](crate::isdr::Es10Error).
            pub fn into_result(self) -> Result<(), $error> {
                self.result
            }
        }
    };
}

mod addresses;
pub mod bit_names;
pub mod bpp;
mod download;
mod eid;
mod extra;
mod info;
mod memory_reset;
mod notifications;
mod profiles;
mod rat;
mod types;

pub use addresses::{
    EuiccConfiguredAddresses, EuiccConfiguredAddressesRequest, SetDefaultDpAddressError,
    SetDefaultDpAddressRequest, SetDefaultDpAddressResponse,
};
pub use download::{
    AuthenticateErrorCode, AuthenticateResponseOk, AuthenticateServerRequest, AuthenticateServerResponse,
    BppCommandId, CancelSessionError, CancelSessionReason, CancelSessionRequest, CancelSessionResponse,
    CancelSessionResponseOk, CtxParams1, DeviceCapabilities, DownloadErrorCode, ErrorReason, FinalResult,
    GetEuiccChallengeRequest, GetEuiccChallengeResponse, InstallationError, PrepareDownloadRequest,
    PrepareDownloadResponse, PrepareDownloadResponseOk, ProfileInstallationResult,
    ProfileInstallationResultData, SessionError,
};
pub use eid::{GetEuiccDataRequest, GetEuiccDataResponse};
pub use extra::{
    LoadCrlError, LoadCrlRequest, LoadCrlResponse, LpaeActivationError, LpaeActivationRequest,
    LpaeActivationResponse, VerifySmdsResponseError, VerifySmdsResponseRequest, VerifySmdsResponseResponse,
    lpae_option,
};
pub use info::{
    CertificationDataObject, EuiccCategory, EuiccInfo1, EuiccInfo2, ExtCardResource, GetEuiccInfo1Request,
    GetEuiccInfo2Request, LpaMode, rsp_capability,
};
pub use memory_reset::{
    EuiccMemoryResetError, EuiccMemoryResetRequest, EuiccMemoryResetResponse, reset_options,
};
pub use notifications::{
    ListNotificationError, ListNotificationRequest, ListNotificationResponse, NotificationMetadata,
    NotificationSearch, NotificationSentError, NotificationSentRequest, NotificationSentResponse,
    OtherSignedNotification, PendingNotification, RetrieveNotificationsListError,
    RetrieveNotificationsListRequest, RetrieveNotificationsListResponse,
};
pub use profiles::{
    DeleteProfileError, DeleteProfileRequest, DeleteProfileResponse, DisableProfileError,
    DisableProfileRequest, DisableProfileResponse, DpProprietaryData, EnableProfileError,
    EnableProfileRequest, EnableProfileResponse, IconType, NotificationConfigurationInformation,
    ProfileClass, ProfileIdentifier, ProfileIdentifierError, ProfileInfo, ProfileInfoListError,
    ProfileInfoListRequest, ProfileInfoListResponse, ProfileSearch, ProfileState, SetNicknameError,
    SetNicknameRequest, SetNicknameResponse, notification_event, ppr,
};
pub use rat::{GetRatRequest, GetRatResponse, ProfilePolicyAuthorisationRule, ppr_flags};
pub use types::{BitFlags, Oid, OidError, OperatorId, Version};

/// An SGP.22 ASN.1 message with an outer tag: DER encoding and tolerant decoding.
pub trait Message: Sized {
    /// The outer tag, e.g. `BF2D` (`[45]` constructed) for ProfileInfoListRequest.
    const TAG: Tag;
    /// The ASN.1 type name, used in errors.
    const NAME: &'static str;

    /// Decodes the contents of the outer TLV.
    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError>;

    /// Encodes the contents of the outer TLV.
    fn encode_contents(&self, e: &mut Encoder);

    /// Decodes exactly one TLV with [`Self::TAG`].
    fn from_der(der: &[u8]) -> Result<Self, DecodeError> {
        let field = single(der, Self::TAG, Self::NAME)?;
        Self::decode_contents(field.value())
    }

    /// The DER encoding, outer tag included.
    fn to_der(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(Self::TAG, |e| self.encode_contents(e));
        e.finish()
    }
}

/// An ES10 request: a [`Message`] sent to the ISD-R, answered by [`Self::Response`].
pub trait Request: Message {
    /// The response message.
    type Response: Message;
}

/// The function-level error an ES10 response carried (a result code other than `ok(0)`),
/// by function (SGP.22 §5.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// SetDefaultDpAddress (§5.7.4).
    #[error("SetDefaultDpAddress failed")]
    SetDefaultDpAddress(#[from] SetDefaultDpAddressError),
    /// PrepareDownload (§5.7.5).
    #[error("PrepareDownload failed")]
    PrepareDownload(#[from] DownloadErrorCode),
    /// LoadBoundProfilePackage (§5.7.6): the ProfileInstallationResult's errorResult.
    #[error("LoadBoundProfilePackage failed")]
    LoadBoundProfilePackage(#[from] InstallationError),
    /// ListNotification (§5.7.9).
    #[error("ListNotification failed")]
    ListNotification(#[from] ListNotificationError),
    /// RetrieveNotificationsList (§5.7.10).
    #[error("RetrieveNotificationsList failed")]
    RetrieveNotificationsList(#[from] RetrieveNotificationsListError),
    /// RemoveNotificationFromList (§5.7.11).
    #[error("RemoveNotificationFromList failed")]
    RemoveNotificationFromList(#[from] NotificationSentError),
    /// AuthenticateServer (§5.7.13).
    #[error("AuthenticateServer failed")]
    AuthenticateServer(#[from] AuthenticateErrorCode),
    /// CancelSession (§5.7.14).
    #[error("CancelSession failed")]
    CancelSession(#[from] CancelSessionError),
    /// GetProfilesInfo (§5.7.15).
    #[error("GetProfilesInfo failed")]
    ProfileInfoList(#[from] ProfileInfoListError),
    /// EnableProfile (§5.7.16).
    #[error("EnableProfile failed")]
    EnableProfile(#[from] EnableProfileError),
    /// DisableProfile (§5.7.17).
    #[error("DisableProfile failed")]
    DisableProfile(#[from] DisableProfileError),
    /// DeleteProfile (§5.7.18).
    #[error("DeleteProfile failed")]
    DeleteProfile(#[from] DeleteProfileError),
    /// eUICCMemoryReset (§5.7.19).
    #[error("eUICCMemoryReset failed")]
    EuiccMemoryReset(#[from] EuiccMemoryResetError),
    /// SetNickname (§5.7.21).
    #[error("SetNickname failed")]
    SetNickname(#[from] SetNicknameError),
    /// LoadCRL (v2 §5.7.12).
    #[error("LoadCRL failed")]
    LoadCrl(#[from] LoadCrlError),
    /// LpaeActivation.
    #[error("LpaeActivation failed")]
    LpaeActivation(#[from] LpaeActivationError),
    /// VerifySmdsResponse (v3).
    #[error("VerifySmdsResponse failed")]
    VerifySmdsResponse(#[from] VerifySmdsResponseError),
}
