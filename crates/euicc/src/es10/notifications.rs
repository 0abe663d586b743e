//! Notifications (ES10b): ListNotification (SGP.22 §5.7.9), RetrieveNotificationsList (§5.7.10),
//! RemoveNotificationFromList (§5.7.11), and the pending notifications they return.

use der::Tag;

use crate::asn1::{DecodeError, Encoder, Field, Fields, app, ctx, ctx_c, single};
use crate::es10::profiles::decode_iccid;
use crate::es10::{BitFlags, Message, ProfileInstallationResult, Request};
use crate::iccid::Iccid;

/// `NotificationMetadata ::= [47] SEQUENCE { 80 seqNumber, 81 profileManagementOperation,
/// 0C notificationAddress, [5A iccid] }` (`BF2F`, SGP.22 §5.7.9).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationMetadata {
    /// `seqNumber`, assigned by the eUICC.
    pub seq_number: u64,
    /// `profileManagementOperation`: one bit of [`notification_event`](crate::es10::notification_event).
    pub operation: BitFlags,
    /// `notificationAddress`: the FQDN to send the notification to.
    pub address: String,
    /// `iccid` of the profile concerned.
    pub iccid: Option<Iccid>,
}

impl NotificationMetadata {
    /// The value with the given members; `iccid` is absent or empty (set it as fields).
    pub fn new(seq_number: u64, operation: BitFlags, address: String) -> Self {
        Self { seq_number, operation, address, iccid: None }
    }
}

impl Message for NotificationMetadata {
    const TAG: Tag = ctx_c(47);
    const NAME: &'static str = "NotificationMetadata";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self {
            seq_number: f.req(ctx(0), "seqNumber")?.uint()?,
            operation: f.req(ctx(1), "profileManagementOperation")?.bits()?,
            address: f.req(Tag::Utf8String, "notificationAddress")?.utf8()?,
            iccid: f.opt(app(26), "iccid").map(|x| decode_iccid(&x)).transpose()?,
        })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.uint(ctx(0), self.seq_number);
        e.bits(ctx(1), &self.operation);
        e.utf8(Tag::Utf8String, &self.address);
        e.opt(self.iccid.as_ref(), |e, i| e.tlv(app(26), i.as_bytes()));
    }
}

impl NotificationMetadata {
    pub(crate) fn decode_field(field: &Field<'_>) -> Result<Self, DecodeError> {
        if field.tag() != Self::TAG {
            return Err(field.invalid("expected NotificationMetadata (BF2F)"));
        }
        Self::decode_contents(field.value())
    }
}

/// `ListNotificationRequest ::= [40] SEQUENCE { [81 profileManagementOperation] }` (`BF28`,
/// SGP.22 §5.7.9). [`Default`] lists every pending notification (`BF28 00`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListNotificationRequest {
    /// Only notifications of these operations.
    pub operations: Option<BitFlags>,
}

impl Message for ListNotificationRequest {
    const TAG: Tag = ctx_c(40);
    const NAME: &'static str = "ListNotificationRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { operations: f.opt(ctx(1), "profileManagementOperation").map(|x| x.bits()).transpose()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.opt(self.operations.as_ref(), |e, b| e.bits(ctx(1), b));
    }
}

impl Request for ListNotificationRequest {
    type Response = ListNotificationResponse;
}

error_code! {
    /// `listNotificationsResultError` (SGP.22 §5.7.9).
    pub enum ListNotificationError {
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `ListNotificationResponse ::= [40] CHOICE { A0 notificationMetadataList, 81 error }` (`BF28`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListNotificationResponse {
    /// The pending notifications' metadata, or the error code.
    pub result: Result<Vec<NotificationMetadata>, ListNotificationError>,
}

impl ListNotificationResponse {
    /// The value with the given members.
    pub fn new(result: Result<Vec<NotificationMetadata>, ListNotificationError>) -> Self {
        Self { result }
    }
}

impl Message for ListNotificationResponse {
    const TAG: Tag = ctx_c(40);
    const NAME: &'static str = "ListNotificationResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(list) = f.opt(ctx_c(0), "notificationMetadataList") {
            let items = list
                .fields("notificationMetadataList")?
                .iter()
                .filter(|x| x.tag() == NotificationMetadata::TAG)
                .map(|x| NotificationMetadata::decode_field(&x))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Self { result: Ok(items) });
        }
        let code = f.req(ctx(1), "listNotificationsResultError")?.int()?;
        Ok(Self { result: Err(ListNotificationError::from_code(code)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(items) => e.nested(ctx_c(0), |e| items.iter().for_each(|m| e.raw(&m.to_der()))),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}

/// `searchCriteria` of RetrieveNotificationsListRequest (SGP.22 §5.7.10).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotificationSearch {
    /// `seqNumber [0]`: one notification.
    SeqNumber(u64),
    /// `profileManagementOperation [1]`: every notification of these operations.
    Operations(BitFlags),
}

/// `RetrieveNotificationsListRequest ::= [43] SEQUENCE { [A0 searchCriteria] }` (`BF2B`,
/// SGP.22 §5.7.10). [`Default`] retrieves every pending notification (`BF2B 00`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetrieveNotificationsListRequest {
    /// Which notifications.
    pub search: Option<NotificationSearch>,
}

impl Message for RetrieveNotificationsListRequest {
    const TAG: Tag = ctx_c(43);
    const NAME: &'static str = "RetrieveNotificationsListRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        let search = match f.opt(ctx_c(0), "searchCriteria") {
            None => None,
            Some(criteria) => {
                let inner = criteria.fields("searchCriteria")?;
                if let Some(seq) = inner.opt(ctx(0), "seqNumber") {
                    Some(NotificationSearch::SeqNumber(seq.uint()?))
                } else if let Some(ops) = inner.opt(ctx(1), "profileManagementOperation") {
                    Some(NotificationSearch::Operations(ops.bits()?))
                } else {
                    return Err(criteria.invalid("unknown alternative"));
                }
            }
        };
        Ok(Self { search })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.opt(self.search.as_ref(), |e, search| {
            e.nested(ctx_c(0), |e| match search {
                NotificationSearch::SeqNumber(seq) => e.uint(ctx(0), *seq),
                NotificationSearch::Operations(ops) => e.bits(ctx(1), ops),
            });
        });
    }
}

impl Request for RetrieveNotificationsListRequest {
    type Response = RetrieveNotificationsListResponse;
}

error_code! {
    /// `notificationsListResultError` (SGP.22 §5.7.10; `noResultAvailable` is in the v2 module only).
    pub enum RetrieveNotificationsListError {
        /// `noResultAvailable(1)`.
        NoResultAvailable = 1 => "noResultAvailable",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

/// `OtherSignedNotification ::= SEQUENCE { BF2F tbsOtherNotification, 5F37 signature,
/// 30 euiccCertificate, 30 eumCertificate (v3 nextCertInChain), [A1 otherCertsInChain] }`
/// (SGP.22 §5.7.10): the notification of an enable, disable or delete.
///
/// Kept as received (the SM-DP+ verifies the signature over these exact bytes); the parsed
/// parts are views.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherSignedNotification {
    raw: Vec<u8>,
    metadata: NotificationMetadata,
}

impl OtherSignedNotification {
    /// Builds one from its parts: `signature`, `euicc_certificate` and `eum_certificate` are
    /// whole TLVs (`5F37 …`, `30 …`, `30 …`).
    pub fn new(
        metadata: NotificationMetadata,
        signature: &[u8],
        euicc_certificate: &[u8],
        eum_certificate: &[u8],
    ) -> Self {
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.raw(&metadata.to_der());
            e.raw(signature);
            e.raw(euicc_certificate);
            e.raw(eum_certificate);
        });
        Self { raw: e.finish(), metadata }
    }

    /// Decodes one `30` TLV, keeping its bytes.
    pub fn from_der(der: &[u8]) -> Result<Self, DecodeError> {
        let field = single(der, Tag::Sequence, "OtherSignedNotification")?;
        let f = field.fields("OtherSignedNotification")?;
        let metadata = NotificationMetadata::decode_field(&f.req(ctx_c(47), "tbsOtherNotification")?)?;
        f.req(app(55), "euiccNotificationSignature")?;
        Ok(Self { raw: der.to_vec(), metadata })
    }

    /// The notification's metadata (sequence number, operation, address, ICCID).
    pub fn metadata(&self) -> &NotificationMetadata {
        &self.metadata
    }

    /// The TLV as received, for ES9+ HandleNotification.
    pub fn as_der(&self) -> &[u8] {
        &self.raw
    }
}

/// `PendingNotification ::= CHOICE { BF37 profileInstallationResult, 30 otherSignedNotification }`
/// (SGP.22 §5.7.10), kept byte-exact for ES9+ HandleNotification (SGP.22 §5.6.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PendingNotification {
    /// The result of a profile installation.
    ProfileInstallationResult(ProfileInstallationResult),
    /// The notification of an enable, disable or delete.
    OtherSignedNotification(OtherSignedNotification),
}

impl PendingNotification {
    /// Decodes one `BF37` or `30` TLV.
    pub fn from_der(der: &[u8]) -> Result<Self, DecodeError> {
        match der.first() {
            Some(0x30) => Ok(Self::OtherSignedNotification(OtherSignedNotification::from_der(der)?)),
            _ => Ok(Self::ProfileInstallationResult(ProfileInstallationResult::from_der(der)?)),
        }
    }

    /// The metadata: sequence number, operation, address to send it to.
    pub fn metadata(&self) -> &NotificationMetadata {
        match self {
            Self::ProfileInstallationResult(pir) => pir.notification_metadata(),
            Self::OtherSignedNotification(other) => other.metadata(),
        }
    }

    /// The TLV as received.
    pub fn as_der(&self) -> &[u8] {
        match self {
            Self::ProfileInstallationResult(pir) => pir.as_der(),
            Self::OtherSignedNotification(other) => other.as_der(),
        }
    }
}

/// `RetrieveNotificationsListResponse ::= [43] CHOICE { A0 notificationList, 81 error }` (`BF2B`,
/// SGP.22 §5.7.10).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetrieveNotificationsListResponse {
    /// The notifications, or the error code.
    pub result: Result<Vec<PendingNotification>, RetrieveNotificationsListError>,
}

impl RetrieveNotificationsListResponse {
    /// The value with the given members.
    pub fn new(result: Result<Vec<PendingNotification>, RetrieveNotificationsListError>) -> Self {
        Self { result }
    }
}

impl Message for RetrieveNotificationsListResponse {
    const TAG: Tag = ctx_c(43);
    const NAME: &'static str = "RetrieveNotificationsListResponse";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        if let Some(list) = f.opt(ctx_c(0), "notificationList") {
            let mut items = Vec::new();
            for item in list.fields("notificationList")?.iter() {
                if item.tag() == Tag::Sequence || item.tag() == ProfileInstallationResult::TAG {
                    items.push(PendingNotification::from_der(item.raw())?);
                }
            }
            return Ok(Self { result: Ok(items) });
        }
        let code = f.req(ctx(1), "notificationsListResultError")?.int()?;
        Ok(Self { result: Err(RetrieveNotificationsListError::from_code(code)) })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        match &self.result {
            Ok(items) => e.nested(ctx_c(0), |e| items.iter().for_each(|n| e.raw(n.as_der()))),
            Err(code) => e.int(ctx(1), code.code()),
        }
    }
}

/// `NotificationSentRequest ::= [48] SEQUENCE { 80 seqNumber }` (`BF30`, RemoveNotificationFromList,
/// SGP.22 §5.7.11), e.g. `BF30 03 80 01 05`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationSentRequest {
    /// The notification to remove.
    pub seq_number: u64,
}

impl Message for NotificationSentRequest {
    const TAG: Tag = ctx_c(48);
    const NAME: &'static str = "NotificationSentRequest";

    fn decode_contents(contents: &[u8]) -> Result<Self, DecodeError> {
        let f = Fields::parse(contents, Self::NAME)?;
        Ok(Self { seq_number: f.req(ctx(0), "seqNumber")?.uint()? })
    }

    fn encode_contents(&self, e: &mut Encoder) {
        e.uint(ctx(0), self.seq_number);
    }
}

impl Request for NotificationSentRequest {
    type Response = NotificationSentResponse;
}

error_code! {
    /// `deleteNotificationStatus` of NotificationSentResponse (SGP.22 §5.7.11).
    pub enum NotificationSentError {
        /// `nothingToDelete(1)`.
        NothingToDelete = 1 => "nothingToDelete",
        /// `undefinedError(127)`.
        UndefinedError = 127 => "undefinedError",
    }
}

result_response! {
    /// `NotificationSentResponse ::= [48] SEQUENCE { deleteNotificationStatus }` (`BF30`, §5.7.11).
    NotificationSentResponse, 48, "NotificationSentResponse", "deleteNotificationStatus",
    NotificationSentError
}
