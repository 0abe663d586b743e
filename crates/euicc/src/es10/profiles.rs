//! Profile management (ES10c): GetProfilesInfo (SGP.22 §5.7.15), EnableProfile (§5.7.16),
//! DisableProfile (§5.7.17), DeleteProfile (§5.7.18), SetNickname (§5.7.21).

use der::Tag;

use crate::asn1::{DecodeError, DecodeReason, Encoder, Field, Fields, app, ctx, ctx_c, private_c};
use crate::es10::{BitFlags, Message, Oid, OperatorId, Request};
use crate::iccid::{Iccid, IccidError};

/// `Iccid ::= [APPLICATION 26]` (`5A`).
const TAG_ICCID: Tag = app(26);
/// `isdpAid [APPLICATION 15]` (`4F`).
const TAG_AID: Tag = app(15);
/// `tagList [APPLICATION 28]` (`5C`).
const TAG_TAG_LIST: Tag = app(28);

pub(crate) fn decode_iccid(field: &Field<'_>) -> Result<Iccid, DecodeError> {
    Ok(Iccid::from_bytes(field.octets_n::<10>()?))
}

code_enum! {
    /// `ProfileState` (SGP.22 §5.7.15).
    pub enum ProfileState {
        /// `disabled(0)`.
        Disabled = 0 => "disabled",
        /// `enabled(1)`.
        Enabled = 1 => "enabled",
    }
}

code_enum! {
    /// `ProfileClass` (SGP.22 §5.7.15; absent in ProfileInfo means operational in the v2 module).
    pub enum ProfileClass {
        /// `test(0)`.
        Test = 0 => "test",
        /// `provisioning(1)`.
        Provisioning = 1 => "provisioning",
        /// `operational(2)`.
        Operational = 2 => "operational",
    }
}

code_enum! {
    /// `IconType` (SGP.22 §5.7.15).
    pub enum IconType {
        /// `jpg(0)`.
        Jpg = 0 => "jpg",
        /// `png(1)`.
        Png = 1 => "png",
    }
}

/// Bit positions of `PprIds` (SGP.22 §2.2 / §5.7.15).
pub mod ppr {
    /// `pprUpdateControl(0)`: how PPRs may be updated via ES6.
    pub const UPDATE_CONTROL: usize = 0;
    /// `ppr1(1)`: disabling this profile is not allowed.
    pub const PPR1: usize = 1;
    /// `ppr2(2)`: deleting this profile is not allowed.
    pub const PPR2: usize = 2;
    /// `ppr3(3)`: delete upon disabling (v2 module only; removed in v2.5/v3).
    pub const PPR3: usize = 3;
}

/// Bit positions of `NotificationEvent` (SGP.22 §2.2 / §5.7.9; v3 names `notificationLocal*`).
pub mod notification_event {
    /// `notificationInstall(0)`.
    pub const INSTALL: usize = 0;
    /// `notificationEnable(1)` / v3 `notificationLocalEnable`.
    pub const ENABLE: usize = 1;
    /// `notificationDisable(2)` / v3 `notificationLocalDisable`.
    pub const DISABLE: usize = 2;
    /// `notificationDelete(3)` / v3 `notificationLocalDelete`.
    pub const DELETE: usize = 3;
    /// v3 `notificationRpmEnable(4)`.
    pub const RPM_ENABLE: usize = 4;
    /// v3 `notificationRpmDisable(5)`.
    pub const RPM_DISABLE: usize = 5;
    /// v3 `notificationRpmDelete(6)`.
    pub const RPM_DELETE: usize = 6;
    /// v3 `loadRpmPackageResult(7)`.
    pub const LOAD_RPM_PACKAGE_RESULT: usize = 7;
}

/// How a request names a profile: `profileIdentifier CHOICE { isdpAid [APPLICATION 15], iccid }`
/// (SGP.22 §5.7.16–18).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProfileIdentifier {
    /// By ISD-P AID (`4F`, 1..16 bytes).
    IsdpAid(Vec<u8>),
    /// By ICCID (`5A`).
    Iccid(Iccid),
}

impl ProfileIdentifier {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::IsdpAid(aid) => e.tlv(TAG_AID, aid),
            Self::Iccid(iccid) => e.tlv(TAG_ICCID, iccid.as_bytes()),
        }
    }

    /// The alternative among `fields` (the first `4F` or `5A`).
    fn decode(fields: &Fields<'_>, message: &'static str) -> Result<Self, DecodeError> {
        for field in fields.iter() {
            if field.tag() == TAG_AID {
                return Ok(Self::IsdpAid(field.octets()?));
            }
            if field.tag() == TAG_ICCID {
                return Ok(Self::Iccid(decode_iccid(&field)?));
            }
        }
        Err(DecodeError::new(message, DecodeReason::Missing("profileIdentifier")))
    }
}

/// Longest ISD-P AID: `isdpAid [APPLICATION 15] OctetTo16` (SGP.22 §5.7.16).
const MAX_ISDP_AID_LEN: usize = 16;

/// Why a string names no profile (the [`FromStr`](std::str::FromStr) of [`ProfileIdentifier`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileIdentifierError {
    /// At most 20 digits or `F`s, read as an ICCID, and not a valid one (why is the source).
    #[error("bad ICCID")]
    Iccid(#[source] IccidError),
    /// Not an ICCID, and not hex either.
    #[error("neither an ICCID nor an ISD-P AID in hex")]
    NotHex,
    /// An ISD-P AID in hex of more than 16 bytes.
    #[error("an ISD-P AID has 1 to {MAX_ISDP_AID_LEN} bytes, got {0}")]
    AidLength(usize),
}

impl std::str::FromStr for ProfileIdentifier {
    type Err = ProfileIdentifierError;

    /// A profile as a user names it: at most 20 characters of digits (and `F`, the filler of a
    /// coded ICCID, which [`Iccid`] refuses with its position) are an ICCID
    /// (`8944478600004573128`); anything else is an ISD-P AID in hex, 1 to 16 bytes
    /// (`A0000005591010FFFFFFFF8900001000`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit() || b == b'F' || b == b'f') {
            return text.parse().map(Self::Iccid).map_err(ProfileIdentifierError::Iccid);
        }
        let aid = hex::decode(text).map_err(|_| ProfileIdentifierError::NotHex)?;
        if aid.len() > MAX_ISDP_AID_LEN {
            return Err(ProfileIdentifierError::AidLength(aid.len()));
        }
        Ok(Self::IsdpAid(aid))
    }
}

impl From<Iccid> for ProfileIdentifier {
    fn from(iccid: Iccid) -> Self {
        Self::Iccid(iccid)
    }
}

/// `searchCriteria [0] CHOICE` of ProfileInfoListRequest (SGP.22 §5.7.15).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileSearch {
    /// `isdpAid` `4F`.
    IsdpAid(Vec<u8>),
    /// `iccid` `5A`.
    Iccid(Iccid),
    /// `profileClass` `95`.
    ProfileClass(ProfileClass),
}

/// `ProfileInfoListRequest ::= [45] SEQUENCE` (`BF2D`, SGP.22 §5.7.15).
///
/// [`Default`] asks for every profile with the eUICC's default tag set: `BF2D 00`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileInfoListRequest {
    /// `searchCriteria` `A0`.
    pub search: Option<ProfileSearch>,
    /// `tagList` `5C`: the ProfileInfo tags wanted, concatenated (e.g. `5A 4F 9F70`).
    pub tag_list: Option<Vec<u8>>,
}

impl Message for ProfileInfoListRequest {
    const TAG: Tag = ctx_c(45);
    const NAME: &'static str = "ProfileInfoListRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let search = match f.opt(ctx_c(0), "searchCriteria") {
            None => None,
            Some(criteria) => {
                let alt =
                    criteria.fields("searchCriteria")?.first().ok_or_else(|| criteria.invalid("empty"))?;
                Some(match alt.tag() {
                    t if t == TAG_AID => ProfileSearch::IsdpAid(alt.octets()?),
                    t if t == TAG_ICCID => ProfileSearch::Iccid(decode_iccid(&alt)?),
                    t if t == ctx(21) => ProfileSearch::ProfileClass(ProfileClass::from_code(alt.int()?)),
                    _ => return Err(criteria.invalid("unknown alternative")),
                })
            }
        };
        Ok(Self { search, tag_list: f.opt(TAG_TAG_LIST, "tagList").map(|t| t.octets()).transpose()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.opt(self.search.as_ref(), |e, search| {
            e.nested(ctx_c(0), |e| match search {
                ProfileSearch::IsdpAid(aid) => e.tlv(TAG_AID, aid),
                ProfileSearch::Iccid(iccid) => e.tlv(TAG_ICCID, iccid.as_bytes()),
                ProfileSearch::ProfileClass(class) => e.int(ctx(21), class.code()),
            });
        });
        e.opt(self.tag_list.as_ref(), |e, tags| e.tlv(TAG_TAG_LIST, tags));
    }
}

impl Request for ProfileInfoListRequest {
    type Response = ProfileInfoListResponse;
}

error_code! {
    /// `ProfileInfoListError` (SGP.22 §5.7.15).
    pub enum ProfileInfoListError {
        /// `incorrectInputValues(1)`.
        IncorrectInputValues = 1 => "incorrectInputValues",
        /// v3 `profileChangeOngoing(11)`.
        ProfileChangeOngoing = 11 => "profileChangeOngoing",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `NotificationConfigurationInformation ::= SEQUENCE { 80 NotificationEvent, 81 address }`
/// (SGP.22 §5.7.15 / §2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationConfigurationInformation {
    /// `profileManagementOperation`: bits in [`notification_event`].
    pub operation: BitFlags,
    /// `notificationAddress`: FQDN to send the notification to.
    pub address: String,
}

impl NotificationConfigurationInformation {
    /// The value with the given members.
    pub fn new(operation: BitFlags, address: String) -> Self {
        Self { operation, address }
    }
}

/// `DpProprietaryData ::= SEQUENCE { dpOid OBJECT IDENTIFIER, ... }` (`B8 { 80 oid }`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DpProprietaryData {
    /// The OID in the tree of the SM-DP+ that created the profile.
    pub dp_oid: Oid,
}

impl DpProprietaryData {
    /// The value with the given members.
    pub fn new(dp_oid: Oid) -> Self {
        Self { dp_oid }
    }
}

/// `ProfileInfo ::= [PRIVATE 3] SEQUENCE` (`E3`, SGP.22 §5.7.15). Every member is optional:
/// the eUICC returns the ones asked for by the request's tag list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileInfo {
    /// `iccid` `5A`.
    pub iccid: Option<Iccid>,
    /// `isdpAid` `4F`.
    pub isdp_aid: Option<Vec<u8>>,
    /// `profileState` `9F70`.
    pub state: Option<ProfileState>,
    /// `profileNickname` `90`.
    pub nickname: Option<String>,
    /// `serviceProviderName` `91`.
    pub service_provider_name: Option<String>,
    /// `profileName` `92`.
    pub profile_name: Option<String>,
    /// `iconType` `93`.
    pub icon_type: Option<IconType>,
    /// `icon` `94`.
    pub icon: Option<Vec<u8>>,
    /// `profileClass` `95` as sent; see [`ProfileInfo::class`] for the v2 default.
    pub class: Option<ProfileClass>,
    /// `notificationConfigurationInfo` `B6`.
    pub notification_configuration: Option<Vec<NotificationConfigurationInformation>>,
    /// `profileOwner` `B7`.
    pub owner: Option<OperatorId>,
    /// `dpProprietaryData` `B8`.
    pub dp_proprietary_data: Option<DpProprietaryData>,
    /// `profilePolicyRules` `99`: bits in [`ppr`].
    pub policy_rules: Option<BitFlags>,
    /// v3 `enabledOnEsimPort` `9F24` (multiple enabled profiles).
    pub enabled_on_esim_port: Option<i64>,
    /// v3 `profileSize` `9F25`.
    pub profile_size: Option<i64>,
}

impl ProfileInfo {
    /// A `ProfileInfo` with only its ICCID; set the other members as fields.
    pub fn new(iccid: Iccid) -> Self {
        Self { iccid: Some(iccid), ..Self::default() }
    }

    /// The profile class, `operational` when absent (`DEFAULT operational`, v2 module).
    pub fn class(&self) -> ProfileClass {
        self.class.unwrap_or(ProfileClass::Operational)
    }

    fn decode(field: &Field<'_>) -> Result<Self, DecodeError> {
        let f = field.fields("ProfileInfo")?;
        let int = |tag, name| f.opt(tag, name).map(|x| x.int()).transpose();
        let utf8 = |number, name| f.opt(ctx(number), name).map(|x| x.utf8()).transpose();
        Ok(Self {
            iccid: f.opt(TAG_ICCID, "iccid").map(|x| decode_iccid(&x)).transpose()?,
            isdp_aid: f.opt(TAG_AID, "isdpAid").map(|x| x.octets()).transpose()?,
            state: int(ctx(112), "profileState")?.map(ProfileState::from_code),
            nickname: utf8(16, "profileNickname")?,
            service_provider_name: utf8(17, "serviceProviderName")?,
            profile_name: utf8(18, "profileName")?,
            icon_type: int(ctx(19), "iconType")?.map(IconType::from_code),
            icon: f.opt(ctx(20), "icon").map(|x| x.octets()).transpose()?,
            class: int(ctx(21), "profileClass")?.map(ProfileClass::from_code),
            notification_configuration: f
                .opt(ctx_c(22), "notificationConfigurationInfo")
                .map(|x| decode_notification_configuration(&x))
                .transpose()?,
            owner: f
                .opt(ctx_c(23), "profileOwner")
                .map(|x| OperatorId::decode(&x.fields("OperatorID")?))
                .transpose()?,
            dp_proprietary_data: f
                .opt(ctx_c(24), "dpProprietaryData")
                .map(|x| {
                    let oid = x.fields("DpProprietaryData")?.req(ctx(0), "dpOid")?;
                    let dp_oid = Oid::from_der_contents(oid.value()).ok_or_else(|| oid.invalid("bad OID"))?;
                    Ok::<_, DecodeError>(DpProprietaryData { dp_oid })
                })
                .transpose()?,
            policy_rules: f.opt(ctx(25), "profilePolicyRules").map(|x| x.bits()).transpose()?,
            enabled_on_esim_port: int(ctx(36), "enabledOnEsimPort")?,
            profile_size: int(ctx(37), "profileSize")?,
        })
    }

    fn encode(&self, e: &mut Encoder) {
        e.nested(private_c(3), |e| {
            e.opt(self.iccid.as_ref(), |e, v| e.tlv(TAG_ICCID, v.as_bytes()));
            e.opt(self.isdp_aid.as_ref(), |e, v| e.tlv(TAG_AID, v));
            e.opt(self.state.as_ref(), |e, v| e.int(ctx(112), v.code()));
            e.opt(self.nickname.as_ref(), |e, v| e.utf8(ctx(16), v));
            e.opt(self.service_provider_name.as_ref(), |e, v| e.utf8(ctx(17), v));
            e.opt(self.profile_name.as_ref(), |e, v| e.utf8(ctx(18), v));
            e.opt(self.icon_type.as_ref(), |e, v| e.int(ctx(19), v.code()));
            e.opt(self.icon.as_ref(), |e, v| e.tlv(ctx(20), v));
            e.opt(self.class.as_ref(), |e, v| e.int(ctx(21), v.code()));
            e.opt(self.notification_configuration.as_ref(), |e, v| {
                encode_notification_configuration(e, ctx_c(22), v);
            });
            e.opt(self.owner.as_ref(), |e, v| e.nested(ctx_c(23), |e| v.encode_contents(e)));
            e.opt(self.dp_proprietary_data.as_ref(), |e, v| {
                e.nested(ctx_c(24), |e| e.tlv(ctx(0), v.dp_oid.as_der_contents()));
            });
            e.opt(self.policy_rules.as_ref(), |e, v| e.bits(ctx(25), v));
            e.opt(self.enabled_on_esim_port.as_ref(), |e, v| e.int(ctx(36), *v));
            e.opt(self.profile_size.as_ref(), |e, v| e.int(ctx(37), *v));
        });
    }
}

/// `SEQUENCE OF NotificationConfigurationInformation` (also in StoreMetadataRequest, SGP.22 §5.5.3).
pub(crate) fn decode_notification_configuration(
    field: &Field<'_>,
) -> Result<Vec<NotificationConfigurationInformation>, DecodeError> {
    field
        .fields("notificationConfigurationInfo")?
        .iter()
        .filter(|x| x.tag() == Tag::Sequence)
        .map(|item| {
            let f = item.fields("NotificationConfigurationInformation")?;
            Ok(NotificationConfigurationInformation {
                operation: f.req(ctx(0), "profileManagementOperation")?.bits()?,
                address: f.req(ctx(1), "notificationAddress")?.utf8()?,
            })
        })
        .collect()
}

pub(crate) fn encode_notification_configuration(
    e: &mut Encoder,
    tag: Tag,
    items: &[NotificationConfigurationInformation],
) {
    e.nested(tag, |e| {
        for item in items {
            e.nested(Tag::Sequence, |e| {
                e.bits(ctx(0), &item.operation);
                e.utf8(ctx(1), &item.address);
            });
        }
    });
}

/// `ProfileInfoListResponse ::= [45] CHOICE { profileInfoListOk SEQUENCE OF ProfileInfo,
/// profileInfoListError }` (`BF2D A0 …` / `BF2D 81 xx`, SGP.22 §5.7.15).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileInfoListResponse {
    /// The profiles, or the error code.
    pub result: Result<Vec<ProfileInfo>, ProfileInfoListError>,
}

impl ProfileInfoListResponse {
    /// The value with the given members.
    pub fn new(result: Result<Vec<ProfileInfo>, ProfileInfoListError>) -> Self {
        Self { result }
    }
}

impl Message for ProfileInfoListResponse {
    const TAG: Tag = ctx_c(45);
    const NAME: &'static str = "ProfileInfoListResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(list) = f.opt(ctx_c(0), "profileInfoListOk") {
            let profiles = list
                .fields("profileInfoListOk")?
                .iter()
                .filter(|x| x.tag() == private_c(3))
                .map(|x| ProfileInfo::decode(&x))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Self { result: Ok(profiles) });
        }
        let code = f.req(ctx(1), "profileInfoListError")?.int()?;
        Ok(Self { result: Err(ProfileInfoListError::from_code(code)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(profiles) => e.nested(ctx_c(0), |e| profiles.iter().for_each(|p| p.encode(e))),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}

/// Shared layout of EnableProfileRequest and DisableProfileRequest:
/// `{ profileIdentifier A0 { 4F | 5A }, refreshFlag 81 BOOLEAN, [v3 targetEsimPort 82] }`.
fn decode_profile_switch(
    contents: &[u8],
    message: &'static str,
) -> Result<(ProfileIdentifier, bool, Option<i64>), DecodeError> {
    let f = Fields::parse(contents, message)?;
    let id = ProfileIdentifier::decode(&f.req(ctx_c(0), "profileIdentifier")?.fields(message)?, message)?;
    let refresh = f.req(ctx(1), "refreshFlag")?.boolean()?;
    let port = f.opt(ctx(2), "targetEsimPort").map(|x| x.int()).transpose()?;
    Ok((id, refresh, port))
}

fn encode_profile_switch(e: &mut Encoder, id: &ProfileIdentifier, refresh: bool, port: Option<i64>) {
    e.nested(ctx_c(0), |e| id.encode(e));
    e.boolean(ctx(1), refresh);
    e.opt(port.as_ref(), |e, p| e.int(ctx(2), *p));
}

/// `EnableProfileRequest ::= [49] SEQUENCE` (`BF31`, SGP.22 §5.7.16).
///
/// `refresh`: whether the eUICC shall send a REFRESH proactive command after the switch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnableProfileRequest {
    /// The profile.
    pub profile: ProfileIdentifier,
    /// `refreshFlag`.
    pub refresh: bool,
    /// v3 `targetEsimPort` (multiple enabled profiles).
    pub target_esim_port: Option<i64>,
}

impl EnableProfileRequest {
    /// The value with the given members; `target_esim_port` is absent or empty (set it as fields).
    pub fn new(profile: ProfileIdentifier, refresh: bool) -> Self {
        Self { profile, refresh, target_esim_port: None }
    }
}

impl Message for EnableProfileRequest {
    const TAG: Tag = ctx_c(49);
    const NAME: &'static str = "EnableProfileRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let (profile, refresh, target_esim_port) = decode_profile_switch(contents, Self::NAME)?;
        Ok(Self { profile, refresh, target_esim_port })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        encode_profile_switch(e, &self.profile, self.refresh, self.target_esim_port);
    }
}

impl Request for EnableProfileRequest {
    type Response = EnableProfileResponse;
}

/// `DisableProfileRequest ::= [50] SEQUENCE` (`BF32`, SGP.22 §5.7.17).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisableProfileRequest {
    /// The profile.
    pub profile: ProfileIdentifier,
    /// `refreshFlag`.
    pub refresh: bool,
}

impl DisableProfileRequest {
    /// The value with the given members.
    pub fn new(profile: ProfileIdentifier, refresh: bool) -> Self {
        Self { profile, refresh }
    }
}

impl Message for DisableProfileRequest {
    const TAG: Tag = ctx_c(50);
    const NAME: &'static str = "DisableProfileRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let (profile, refresh, _) = decode_profile_switch(contents, Self::NAME)?;
        Ok(Self { profile, refresh })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        encode_profile_switch(e, &self.profile, self.refresh, None);
    }
}

impl Request for DisableProfileRequest {
    type Response = DisableProfileResponse;
}

/// `DeleteProfileRequest ::= [51] CHOICE { isdpAid, iccid }` (`BF33 { 4F | 5A }`, no `A0`
/// wrapper; SGP.22 §5.7.18).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteProfileRequest {
    /// The profile.
    pub profile: ProfileIdentifier,
}

impl DeleteProfileRequest {
    /// The value with the given members.
    pub fn new(profile: ProfileIdentifier) -> Self {
        Self { profile }
    }
}

impl Message for DeleteProfileRequest {
    const TAG: Tag = ctx_c(51);
    const NAME: &'static str = "DeleteProfileRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        Ok(Self { profile: ProfileIdentifier::decode(&Fields::parse(contents, Self::NAME)?, Self::NAME)? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        self.profile.encode(e);
    }
}

impl Request for DeleteProfileRequest {
    type Response = DeleteProfileResponse;
}

error_code! {
    /// `enableResult` of EnableProfileResponse (SGP.22 §5.7.16; `catBusy` from v2.5, 6–10 from v3).
    pub enum EnableProfileError {
        /// `iccidOrAidNotFound(1)`.
        IccidOrAidNotFound = 1 => "iccidOrAidNotFound",
        /// `profileNotInDisabledState(2)`.
        ProfileNotInDisabledState = 2 => "profileNotInDisabledState",
        /// `disallowedByPolicy(3)`.
        DisallowedByPolicy = 3 => "disallowedByPolicy",
        /// `wrongProfileReenabling(4)`.
        WrongProfileReenabling = 4 => "wrongProfileReenabling",
        /// `catBusy(5)`: a proactive session is ongoing; retry later.
        CatBusy = 5 => "catBusy",
        /// v3 `disallowedByEnterpriseRule(6)`.
        DisallowedByEnterpriseRule = 6 => "disallowedByEnterpriseRule",
        /// v3 `commandError(7)`.
        CommandError = 7 => "commandError",
        /// v3 `disallowedForRpm(9)`.
        DisallowedForRpm = 9 => "disallowedForRpm",
        /// v3 `noEsimPortAvailable(10)`.
        NoEsimPortAvailable = 10 => "noEsimPortAvailable",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

error_code! {
    /// `disableResult` of DisableProfileResponse (SGP.22 §5.7.17).
    pub enum DisableProfileError {
        /// `iccidOrAidNotFound(1)`.
        IccidOrAidNotFound = 1 => "iccidOrAidNotFound",
        /// `profileNotInEnabledState(2)`.
        ProfileNotInEnabledState = 2 => "profileNotInEnabledState",
        /// `disallowedByPolicy(3)`.
        DisallowedByPolicy = 3 => "disallowedByPolicy",
        /// `catBusy(5)`.
        CatBusy = 5 => "catBusy",
        /// v3 `commandError(7)`.
        CommandError = 7 => "commandError",
        /// v3 `disallowedForRpm(10)`.
        DisallowedForRpm = 10 => "disallowedForRpm",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

error_code! {
    /// `deleteResult` of DeleteProfileResponse (SGP.22 §5.7.18).
    pub enum DeleteProfileError {
        /// `iccidOrAidNotFound(1)`.
        IccidOrAidNotFound = 1 => "iccidOrAidNotFound",
        /// `profileNotInDisabledState(2)`.
        ProfileNotInDisabledState = 2 => "profileNotInDisabledState",
        /// `disallowedByPolicy(3)`.
        DisallowedByPolicy = 3 => "disallowedByPolicy",
        /// v3 `disallowedInTestMode(4)`.
        DisallowedInTestMode = 4 => "disallowedInTestMode",
        /// v3 `commandError(7)`.
        CommandError = 7 => "commandError",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

error_code! {
    /// `setNicknameResult` of SetNicknameResponse (SGP.22 §5.7.21).
    pub enum SetNicknameError {
        /// `iccidNotFound(1)`.
        IccidNotFound = 1 => "iccidNotFound",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `EnableProfileResponse ::= [49] SEQUENCE { enableResult, [v3] targetEsimPort }` (`BF31`, §5.7.16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnableProfileResponse {
    /// `Ok` for `ok(0)`, the error code otherwise.
    pub result: Result<(), EnableProfileError>,
    /// v3 `targetEsimPort` `81`.
    pub target_esim_port: Option<i64>,
}

impl EnableProfileResponse {
    /// The value with the given members; `target_esim_port` is absent or empty (set it as fields).
    pub fn new(result: Result<(), EnableProfileError>) -> Self {
        Self { result, target_esim_port: None }
    }
}

impl Message for EnableProfileResponse {
    const TAG: Tag = ctx_c(49);
    const NAME: &'static str = "EnableProfileResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            result: EnableProfileError::result(f.req(ctx(0), "enableResult")?.int()?),
            target_esim_port: f.opt(ctx(1), "targetEsimPort").map(|x| x.int()).transpose()?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.int(ctx(0), self.result.err().map_or(0, EnableProfileError::code));
        e.opt(self.target_esim_port.as_ref(), |e, p| e.int(ctx(1), *p));
    }
}

result_response! {
    /// `DisableProfileResponse ::= [50] SEQUENCE { disableResult }` (`BF32`, SGP.22 §5.7.17).
    DisableProfileResponse, 50, "DisableProfileResponse", "disableResult", DisableProfileError
}

result_response! {
    /// `DeleteProfileResponse ::= [51] SEQUENCE { deleteResult }` (`BF33`, SGP.22 §5.7.18).
    DeleteProfileResponse, 51, "DeleteProfileResponse", "deleteResult", DeleteProfileError
}

result_response! {
    /// `SetNicknameResponse ::= [41] SEQUENCE { setNicknameResult }` (`BF29`, SGP.22 §5.7.21).
    SetNicknameResponse, 41, "SetNicknameResponse", "setNicknameResult", SetNicknameError
}

/// `SetNicknameRequest ::= [41] SEQUENCE { iccid 5A, profileNickname 90 }` (`BF29`, SGP.22 §5.7.21).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetNicknameRequest {
    /// The profile.
    pub iccid: Iccid,
    /// The new nickname (0..64 bytes of UTF-8).
    pub nickname: String,
}

impl SetNicknameRequest {
    /// The value with the given members.
    pub fn new(iccid: Iccid, nickname: String) -> Self {
        Self { iccid, nickname }
    }
}

impl Message for SetNicknameRequest {
    const TAG: Tag = ctx_c(41);
    const NAME: &'static str = "SetNicknameRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            iccid: decode_iccid(&f.req(TAG_ICCID, "iccid")?)?,
            nickname: f.req(ctx(16), "profileNickname")?.utf8()?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.tlv(TAG_ICCID, self.iccid.as_bytes());
        e.utf8(ctx(16), &self.nickname);
    }
}

impl Request for SetNicknameRequest {
    type Response = SetNicknameResponse;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both forms, and each way of being neither (hand-made values: the ICCID of the `Iccid`
    /// docs; an ISD-P AID on the ISD-R's RID and PIX prefix, `A0000005591010FFFFFFFF89`).
    #[test]
    fn profile_identifier_from_text() {
        let iccid: Iccid = "8944478600004573128".parse().unwrap();
        assert_eq!("8944478600004573128".parse(), Ok(ProfileIdentifier::Iccid(iccid)));
        assert_eq!(
            "A0000005591010FFFFFFFF8900001000".parse(),
            Ok(ProfileIdentifier::IsdpAid(hex::decode("A0000005591010FFFFFFFF8900001000").unwrap()))
        );
        assert_eq!(
            "894447860000457312F".parse::<ProfileIdentifier>(),
            Err(ProfileIdentifierError::Iccid(IccidError::NotADigit(18)))
        );
        assert_eq!(
            "".parse::<ProfileIdentifier>(),
            Err(ProfileIdentifierError::Iccid(IccidError::Length(0)))
        );
        assert_eq!("xyz".parse::<ProfileIdentifier>(), Err(ProfileIdentifierError::NotHex));
        assert_eq!("A00".parse::<ProfileIdentifier>(), Err(ProfileIdentifierError::NotHex));
        let long = "A0".repeat(17);
        assert_eq!(long.parse::<ProfileIdentifier>(), Err(ProfileIdentifierError::AidLength(17)));
        assert_eq!(
            ProfileIdentifierError::AidLength(17).to_string(),
            "an ISD-P AID has 1 to 16 bytes, got 17"
        );
    }
}
