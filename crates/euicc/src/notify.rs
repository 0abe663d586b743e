//! Notification processing: deliver the eUICC's pending notifications to their servers and remove
//! each one only after its server acknowledged it (SGP.22 §3.5 "Notifications", §5.6.4
//! ES9+.HandleNotification, §5.7.9 ListNotification, §5.7.10 RetrieveNotificationsList, §5.7.11
//! RemoveNotificationFromList).
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(
//! #     card: &mut Card<T>,
//! #     es9: &mut oxicard_euicc::es9::HttpEs9Client,
//! # ) -> Result<(), oxicard_euicc::isdr::Es10Error> {
//! use oxicard_euicc::isdr::{Isdr, IsdrOptions};
//! use oxicard_euicc::notify::{NotificationOptions, process_notifications};
//! let mut isdr = Isdr::open(card, &IsdrOptions::default())?;
//! for report in process_notifications(&mut isdr, es9, &NotificationOptions::default())? {
//!     println!("#{} to {}: {}", report.metadata.seq_number, report.metadata.address, report.outcome);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The exchanges
//!
//! For `n` pending notifications: one ListNotification (`BF28`); one RetrieveNotificationsList
//! (`BF2B`) with the same operation filter that returns all of them when there are several and
//! none is filtered out by ICCID; then per notification one ES9+ HandleNotification POSTed to the
//! notification's own `notificationAddress` and — only when the server answered with success
//! (HTTP 204) — one RemoveNotificationFromList (`BF30`). That is `2 + n` ES10 commands when every
//! notification is acknowledged; lpac's `notification process` sends `1 + 2n`, a
//! RetrieveNotificationsList per sequence number. A notification the batch did not return (or a
//! batch the eUICC refused) is retrieved by its sequence number (`BF2B A0 {80 seq}`), so one
//! unreadable notification does not block the others.
//!
//! A notification whose delivery failed stays on the eUICC: the next run sends it again.
//!
//! # Out of band
//!
//! When the device with the eUICC has no network, its notifications can travel in a dump file
//! ([`dump::write_dump`], [`dump::read_dump`]; the format is in [`dump`]) to a machine that sends them with
//! [`send`], without any card. The eUICC keeps them meanwhile; once the servers acknowledged
//! them, RemoveNotificationFromList ([`Isdr::remove_notification`]) on the device removes them.

use core::fmt;

use oxicard_apdu::card::CardChannel;
use oxicard_transport::ErrorChain;

use crate::es9::{
    Es9Error, HandleNotificationRequest, HttpClient, HttpError, HttpRequest, HttpResponse, RspClient,
    RspConfig, RspFunction, decode_answer,
};
use crate::es10::{
    BitFlags, Message, NotificationMetadata, NotificationSearch, NotificationSentRequest,
    PendingNotification, ProfileIdentifier, Rejection, notification_event,
};
use crate::iccid::Iccid;
use crate::isdr::{Es10Error, Isdr, read_answer};
use crate::sans_io::{AwaitEs10, AwaitHttp, Step, drive};

pub mod dump;

/// What happened to one pending notification.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotificationOutcome {
    /// The server acknowledged it and it was removed from the eUICC.
    Removed,
    /// The server acknowledged it and, as asked ([`NotificationOptions::remove`] `false`), it was
    /// left on the eUICC.
    Delivered,
    /// The server acknowledged it but RemoveNotificationFromList failed: it is still on the eUICC
    /// and will be sent again (SM-DP+s accept duplicates, SGP.22 §3.5).
    AcknowledgedNotRemoved(Es10Error),
    /// Delivery failed (server error, HTTP, TLS, timeout…): kept on the eUICC for a retry.
    NotDelivered(Es9Error),
    /// RetrieveNotificationsList failed for it: kept on the eUICC, not sent.
    NotRetrieved(Es10Error),
    /// The eUICC listed it but returned no notification with its sequence number.
    Missing,
}

impl NotificationOutcome {
    /// Whether the server acknowledged the notification.
    pub fn is_acknowledged(&self) -> bool {
        matches!(self, Self::Removed | Self::Delivered | Self::AcknowledgedNotRemoved(_))
    }

    /// Whether the notification is still on the eUICC.
    pub fn is_kept(&self) -> bool {
        !matches!(self, Self::Removed)
    }
}

impl fmt::Display for NotificationOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Removed => f.write_str("delivered and removed"),
            Self::Delivered => f.write_str("delivered, left on the eUICC"),
            Self::AcknowledgedNotRemoved(e) => {
                write!(f, "delivered, but removing it failed: {}", ErrorChain(e))
            }
            Self::NotDelivered(e) => write!(f, "not delivered, kept for retry: {}", ErrorChain(e)),
            Self::NotRetrieved(e) => write!(f, "could not be read from the eUICC, kept: {}", ErrorChain(e)),
            Self::Missing => f.write_str("listed but not returned by the eUICC"),
        }
    }
}

/// The result for one notification.
#[derive(Debug)]
#[non_exhaustive]
pub struct NotificationReport {
    /// Its metadata: sequence number, operation, address, ICCID.
    pub metadata: NotificationMetadata,
    /// What happened.
    pub outcome: NotificationOutcome,
}

/// Which notifications to process, and whether to remove them once delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationOptions {
    /// Only these operations (bits of [`notification_event`]); `None` = all. Sent to the eUICC as
    /// ListNotification's `profileManagementOperation` filter.
    pub operations: Option<BitFlags>,
    /// Only notifications about this profile.
    pub iccid: Option<Iccid>,
    /// Remove each notification once its server acknowledged it (default `true`).
    pub remove: bool,
}

impl NotificationOptions {
    /// Sets [`operations`](Self::operations).
    #[must_use]
    pub fn with_operations(mut self, operations: Option<BitFlags>) -> Self {
        self.operations = operations;
        self
    }

    /// Sets [`iccid`](Self::iccid).
    #[must_use]
    pub fn with_iccid(mut self, iccid: Option<Iccid>) -> Self {
        self.iccid = iccid;
        self
    }

    /// Sets [`remove`](Self::remove).
    #[must_use]
    pub fn with_remove(mut self, remove: bool) -> Self {
        self.remove = remove;
        self
    }
}

impl Default for NotificationOptions {
    fn default() -> Self {
        Self { operations: None, iccid: None, remove: true }
    }
}

/// The ES9+ HandleNotification of `notification` (SGP.22 §5.6.4): its own `notificationAddress`
/// (the address in its signed metadata) and its TLV exactly as the eUICC returned it.
fn handle_notification(notification: &PendingNotification) -> (&str, HandleNotificationRequest) {
    let request = HandleNotificationRequest { pending_notification: notification.as_der().to_vec() };
    (&notification.metadata().address, request)
}

/// Sends one notification to its own `notificationAddress` (the address in its signed
/// metadata) with ES9+.HandleNotification (SGP.22 §5.6.4): the notification's TLV exactly as
/// the eUICC returned it. `Ok` means the server acknowledged it (HTTP 204).
///
/// Touches no card: this is what [`deliver`] and the out-of-band replay of a dump file
/// ([`dump::read_dump`]) both send.
pub fn send<C: HttpClient + ?Sized>(
    es9: &mut RspClient<C>,
    notification: &PendingNotification,
) -> Result<(), Es9Error> {
    let (address, request) = handle_notification(notification);
    es9.handle_notification(address, &request)
}

/// The delivery of a notification as a part of a sans-IO flow.
pub(crate) type DeliveryStep = Step<DeliveryEs10, DeliveryHttp, NotificationOutcome>;

/// The delivery waiting on the server's HandleNotification.
#[derive(Debug)]
pub(crate) struct DeliveryHttp {
    seq_number: u64,
    address: String,
    request: HandleNotificationRequest,
    remove: bool,
}

/// The delivery waiting on the eUICC's RemoveNotificationFromList.
#[derive(Debug)]
pub(crate) struct DeliveryEs10;

/// Starts delivering `notification` ([`deliver`]).
pub(crate) fn start_delivery(
    config: &RspConfig,
    notification: &PendingNotification,
    remove: bool,
) -> DeliveryStep {
    let (address, request) = handle_notification(notification);
    let sent = config.request(RspFunction::Es9HandleNotification, address, &request);
    let then = DeliveryHttp {
        seq_number: notification.metadata().seq_number,
        address: address.to_owned(),
        request,
        remove,
    };
    match sent {
        Ok(sent) => Step::Http(sent, then),
        Err(error) => then.sent(Err(error)),
    }
}

impl AwaitHttp for DeliveryHttp {
    type Es10 = DeliveryEs10;
    type Output = NotificationOutcome;

    fn resume(
        self,
        _: &RspConfig,
        sent: HttpRequest,
        answer: Result<HttpResponse, HttpError>,
    ) -> DeliveryStep {
        let acknowledged = decode_answer(&self.request, &sent, answer);
        self.sent(acknowledged)
    }
}

impl DeliveryHttp {
    /// After HandleNotification: RemoveNotificationFromList (§5.7.11) once acknowledged, if asked.
    fn sent(self, acknowledged: Result<(), Es9Error>) -> DeliveryStep {
        if let Err(error) = acknowledged {
            tracing::warn!(
                target: "oxicard::euicc", seq = self.seq_number, address = %self.address,
                "notification not delivered, kept on the eUICC: {}", ErrorChain(&error)
            );
            return Step::Done(NotificationOutcome::NotDelivered(error));
        }
        if !self.remove {
            return Step::Done(NotificationOutcome::Delivered);
        }
        Step::Es10(NotificationSentRequest { seq_number: self.seq_number }.to_der(), DeliveryEs10)
    }
}

impl AwaitEs10 for DeliveryEs10 {
    type Http = DeliveryHttp;
    type Output = NotificationOutcome;

    fn resume(self, _: &RspConfig, answer: Result<Vec<u8>, Es10Error>) -> DeliveryStep {
        let removed = read_answer::<NotificationSentRequest>(answer)
            .and_then(|removed| Ok(removed.response.into_result().map_err(Rejection::from)?));
        Step::Done(match removed {
            Ok(()) => NotificationOutcome::Removed,
            Err(error) => NotificationOutcome::AcknowledgedNotRemoved(error),
        })
    }
}

/// Sends one notification to its `notificationAddress` ([`send`], ES9+.HandleNotification,
/// SGP.22 §5.6.4) and, if the server acknowledged it and `remove` is set, removes it from the
/// eUICC (RemoveNotificationFromList, §5.7.11). Never removes an unacknowledged notification.
/// A download delivers its ProfileInstallationResult the same way.
pub fn deliver<T, C>(
    isdr: &mut Isdr<T>,
    es9: &mut RspClient<C>,
    notification: &PendingNotification,
    remove: bool,
) -> NotificationOutcome
where
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    let first = start_delivery(es9.config(), notification, remove);
    drive(first, es9, isdr)
}

/// Lists the pending notifications selected by `options`, and for each: retrieves it, delivers
/// it and removes it once acknowledged (see the [module docs](self)).
///
/// Fails only when the list itself cannot be read; every notification gets its own report.
pub fn process_notifications<T, C>(
    isdr: &mut Isdr<T>,
    es9: &mut RspClient<C>,
    options: &NotificationOptions,
) -> Result<Vec<NotificationReport>, Es10Error>
where
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    let listed = isdr.list_notifications(options.operations.clone())?;
    let wanted = |m: &NotificationMetadata| options.iccid.is_none() || m.iccid == options.iccid;
    let everything_listed = listed.iter().all(wanted);
    let selected: Vec<NotificationMetadata> = listed.into_iter().filter(wanted).collect();
    let mut retrieved = if everything_listed && (2..=BATCH_RETRIEVAL_MAX).contains(&selected.len()) {
        retrieve_batch(isdr, options.operations.clone())
    } else {
        Vec::new()
    };
    let mut reports = Vec::new();
    for metadata in selected {
        let seq_number = metadata.seq_number;
        let batched = retrieved.iter().position(|n| n.metadata().seq_number == seq_number);
        let outcome = match batched.map(|at| retrieved.swap_remove(at)) {
            Some(notification) => deliver(isdr, es9, &notification, options.remove),
            None => match isdr.retrieve_notifications(Some(NotificationSearch::SeqNumber(seq_number))) {
                Err(error) => NotificationOutcome::NotRetrieved(error),
                Ok(found) => match found.iter().find(|n| n.metadata().seq_number == seq_number) {
                    Some(notification) => deliver(isdr, es9, notification, options.remove),
                    None => NotificationOutcome::Missing,
                },
            },
        };
        reports.push(NotificationReport { metadata, outcome });
    }
    Ok(reports)
}

/// The most notifications [`process_notifications`] retrieves in one RetrieveNotificationsList:
/// each is about 1 KiB with the eUICC's and the EUM's certificates, and a whole answer must stay
/// under the card layer's response limit (64 KiB by default).
const BATCH_RETRIEVAL_MAX: usize = 32;

/// RetrieveNotificationsList of every pending notification of `operations` at once (§5.7.10,
/// `searchCriteria profileManagementOperation`, or none): one STORE DATA instead of one per
/// notification. Empty when it fails — each notification is then retrieved by its sequence
/// number, so that one the eUICC cannot return does not hold back the others.
fn retrieve_batch<T: CardChannel>(
    isdr: &mut Isdr<T>,
    operations: Option<BitFlags>,
) -> Vec<PendingNotification> {
    match isdr.retrieve_notifications(operations.map(NotificationSearch::Operations)) {
        Ok(notifications) => notifications,
        Err(error) => {
            tracing::debug!(
                target: "oxicard::euicc",
                "retrieving the notifications at once failed, one by one instead: {}", ErrorChain(&error)
            );
            Vec::new()
        }
    }
}

/// A local profile operation that generates a notification (SGP.22 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileOperation {
    /// EnableProfile (§5.7.16).
    Enable {
        /// `refreshFlag`: ask the eUICC for a REFRESH.
        refresh: bool,
    },
    /// DisableProfile (§5.7.17).
    Disable {
        /// `refreshFlag`.
        refresh: bool,
    },
    /// DeleteProfile (§5.7.18).
    Delete,
}

impl ProfileOperation {
    /// The NotificationEvent bit of its notifications ([`notification_event`]).
    pub fn notification_event(self) -> usize {
        match self {
            Self::Enable { .. } => notification_event::ENABLE,
            Self::Disable { .. } => notification_event::DISABLE,
            Self::Delete => notification_event::DELETE,
        }
    }
}

/// Runs `operation` on `profile`; then, when `es9` is given, processes the pending notifications
/// of that operation (for that ICCID when the profile is named by ICCID) as
/// [`process_notifications`] does and returns their reports.
///
/// The operation's own failure is the error; notification delivery failures are in the reports
/// (the notifications stay on the eUICC). Whether the eUICC generates a notification at all
/// depends on the profile's `notificationConfigurationInfo` (SGP.22 §2.4.3). After an enable or
/// disable with `refresh`, the device may reset the eUICC or change network: the notifications
/// are then best sent later with [`process_notifications`].
///
/// `es9` is any [`RspClient`]: `Some(&mut client)` coerces to `RspClient<dyn HttpClient>`.
pub fn manage_profile<T: CardChannel>(
    isdr: &mut Isdr<T>,
    profile: impl Into<ProfileIdentifier>,
    operation: ProfileOperation,
    es9: Option<&mut RspClient<dyn HttpClient + '_>>,
) -> Result<Vec<NotificationReport>, Es10Error> {
    let profile = profile.into();
    let iccid = match &profile {
        ProfileIdentifier::Iccid(iccid) => Some(*iccid),
        ProfileIdentifier::IsdpAid(_) => None,
    };
    match operation {
        ProfileOperation::Enable { refresh } => isdr.enable_profile(profile, refresh)?,
        ProfileOperation::Disable { refresh } => isdr.disable_profile(profile, refresh)?,
        ProfileOperation::Delete => isdr.delete_profile(profile)?,
    }
    let Some(es9) = es9 else { return Ok(Vec::new()) };
    let options = NotificationOptions {
        operations: Some(BitFlags::from_bits([operation.notification_event()])),
        iccid,
        remove: true,
    };
    process_notifications(isdr, es9, &options)
}
