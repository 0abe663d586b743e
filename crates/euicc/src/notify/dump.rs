//! Pending notifications out of band: a dump file that carries them byte-exact to another
//! machine, to be sent from there ([`super::send`]) while the eUICC keeps them until it is told
//! to remove them (SGP.22 §3.5: a notification leaves the eUICC only by
//! RemoveNotificationFromList, §5.7.11).
//!
//! # The format
//!
//! JSON lines, one pending notification per line: lpac's `notification dump` line (lpac
//! `src/applet/notification/notification_common.c`, `type`, `eid`, `seqNumber`,
//! `notificationAddress`, `pendingNotification`) with two more members for people
//! (`profileManagementOperation`, `iccid`), which lpac's `notification replay` ignores:
//!
//! ```text
//! {"type":"notification","eid":"89049032…","seqNumber":3,"profileManagementOperation":"enable","notificationAddress":"smdp.example.com","iccid":"8944478600004573128","pendingNotification":"MIIC…"}
//! ```
//!
//! | member | what |
//! |---|---|
//! | `type` | always `"notification"` |
//! | `eid` | the EID of the eUICC the notification came from (32 digits; optional when read) |
//! | `seqNumber` | its sequence number on that eUICC (what `notification remove` takes) |
//! | `profileManagementOperation` | `install`, `enable`, `disable`, `delete` (for people; not read) |
//! | `notificationAddress` | where it goes |
//! | `iccid` | the profile concerned, when the notification names one (for people; not read) |
//! | `pendingNotification` | the `PendingNotification` TLV exactly as RetrieveNotificationsList returned it (`BF37` ProfileInstallationResult or `30` OtherSignedNotification, SGP.22 §5.7.10), standard base64 with padding |
//!
//! `pendingNotification` is the notification: the eUICC signed it, the server checks that
//! signature over these bytes, and it carries its own sequence number and address in its signed
//! metadata. Reading a line checks that `seqNumber` and `notificationAddress` say the same (a
//! line edited by hand, or two lines mixed up, is an error), ignores members it does not know,
//! and refuses anything that is not one complete notification TLV.

use core::fmt;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use crate::asn1::DecodeError;
use crate::es10::{BitFlags, NotificationMetadata, PendingNotification, notification_event};
use crate::iccid::Eid;

/// The `type` of a dump line.
pub const DUMP_LINE_TYPE: &str = "notification";

/// One notification of a dump file (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DumpedNotification {
    /// The eUICC it was read from (`eid`), when the line names it.
    pub eid: Option<Eid>,
    /// The notification, as the eUICC returned it.
    pub notification: PendingNotification,
}

impl DumpedNotification {
    /// The notification's signed metadata: sequence number, operation, address, ICCID.
    pub fn metadata(&self) -> &NotificationMetadata {
        self.notification.metadata()
    }

    /// The dump line (without its line end).
    pub fn to_json_line(&self) -> String {
        let metadata = self.notification.metadata();
        let string = |s: &str| Value::from(s).to_string();
        let mut line = format!("{{\"type\":{}", string(DUMP_LINE_TYPE));
        if let Some(eid) = &self.eid {
            line.push_str(&format!(",\"eid\":{}", string(&eid.to_string())));
        }
        line.push_str(&format!(
            ",\"seqNumber\":{},\"profileManagementOperation\":{},\"notificationAddress\":{}",
            metadata.seq_number,
            string(operation_name(&metadata.operation)),
            string(&metadata.address)
        ));
        if let Some(iccid) = &metadata.iccid {
            line.push_str(&format!(",\"iccid\":{}", string(&iccid.to_string())));
        }
        let der = base64::engine::general_purpose::STANDARD.encode(self.notification.as_der());
        line.push_str(&format!(",\"pendingNotification\":{}}}", string(&der)));
        line
    }

    /// Reads one dump line (see the [module docs](self) for what is checked).
    pub fn from_json_line(line: &str) -> Result<Self, DumpLineError> {
        let value: Value = serde_json::from_str(line).map_err(|e| DumpLineError::NotJson(Arc::new(e)))?;
        let Value::Object(object) = value else { return Err(DumpLineError::NotAnObject) };
        let text = |name: &'static str| match object.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(DumpLineError::InvalidMember { member: name, reason: "not a string".into() }),
        };
        let required = |name: &'static str| text(name)?.ok_or(DumpLineError::MissingMember(name));
        let kind = required("type")?;
        if kind != DUMP_LINE_TYPE {
            return Err(DumpLineError::InvalidMember {
                member: "type",
                reason: format!("{kind:?} is not {DUMP_LINE_TYPE:?}"),
            });
        }
        let eid = text("eid")?
            .map(|eid| {
                eid.parse::<Eid>()
                    .map_err(|e| DumpLineError::Undecodable { member: "eid", source: Arc::new(e) })
            })
            .transpose()?;
        let seq_number =
            object.get("seqNumber").ok_or(DumpLineError::MissingMember("seqNumber"))?.as_u64().ok_or_else(
                || DumpLineError::InvalidMember {
                    member: "seqNumber",
                    reason: "not a whole number from 0".into(),
                },
            )?;
        let address = required("notificationAddress")?;
        let encoded = required("pendingNotification")?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| DumpLineError::Undecodable { member: "pendingNotification", source: Arc::new(e) })?;
        let notification = PendingNotification::from_der(&der).map_err(DumpLineError::Notification)?;
        let metadata = notification.metadata();
        if metadata.seq_number != seq_number {
            return Err(DumpLineError::Mismatch {
                member: "seqNumber",
                line: seq_number.to_string(),
                signed: metadata.seq_number.to_string(),
            });
        }
        // lpac writes the address with surrounding white space stripped.
        if metadata.address.trim() != address.trim() {
            return Err(DumpLineError::Mismatch {
                member: "notificationAddress",
                line: address.to_owned(),
                signed: metadata.address.clone(),
            });
        }
        Ok(Self { eid, notification })
    }
}

/// The name lpac gives the operation of a notification (`profileManagementOperation`,
/// SGP.22 §5.7.9 NotificationEvent): `install`, `enable`, `disable`, `delete`, else `unknown`.
pub fn operation_name(operation: &BitFlags) -> &'static str {
    match operation.iter().next() {
        Some(notification_event::INSTALL) => "install",
        Some(notification_event::ENABLE) => "enable",
        Some(notification_event::DISABLE) => "disable",
        Some(notification_event::DELETE) => "delete",
        _ => "unknown",
    }
}

/// The dump file of `notifications` read from the eUICC `eid`: one line each, in order, each
/// ended by `\n` (see the [module docs](self)).
pub fn write_dump(eid: Option<Eid>, notifications: &[PendingNotification]) -> String {
    let mut file = String::new();
    for notification in notifications {
        file.push_str(&DumpedNotification { eid, notification: notification.clone() }.to_json_line());
        file.push('\n');
    }
    file
}

/// Reads a whole dump file: every line is checked before any is returned, so a damaged file
/// (cut short, edited, not a dump) is refused as a whole, naming the first bad line. Empty
/// lines are skipped; an empty file is an empty dump.
pub fn read_dump(bytes: &[u8]) -> Result<Vec<DumpedNotification>, DumpError> {
    let mut notifications = Vec::new();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = index.saturating_add(1);
        let line = core::str::from_utf8(line)
            .map_err(|e| DumpError { line: number, kind: DumpLineError::NotUtf8(e.valid_up_to()) })?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let notification =
            DumpedNotification::from_json_line(line).map_err(|kind| DumpError { line: number, kind })?;
        notifications.push(notification);
    }
    Ok(notifications)
}

/// What is wrong with one dump line.
///
/// Two errors are equal when they are the same variant with the same values; a source error is
/// compared by its message (the JSON parser's and the decoders' errors are not comparable).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DumpLineError {
    /// The line is not UTF-8 (from the given byte on).
    #[error("not UTF-8 text (byte {0})")]
    NotUtf8(usize),
    /// The line is not JSON (a line cut short, another file): the parser's error is the source.
    #[error("not JSON")]
    NotJson(#[source] Arc<serde_json::Error>),
    /// The line is JSON but no object.
    #[error("not a JSON object")]
    NotAnObject,
    /// A member the format needs is missing.
    #[error("member {0:?} is missing")]
    MissingMember(&'static str),
    /// A member has the wrong type or value.
    #[error("member {member:?} is invalid: {reason}")]
    InvalidMember {
        /// The member.
        member: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A member's text does not decode as what it holds (`eid` as 32 digits, `pendingNotification`
    /// as base64): the decoder's error is the source.
    #[error("member {member:?} is invalid")]
    Undecodable {
        /// The member.
        member: &'static str,
        /// The decoder's error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// `pendingNotification` is not one complete PendingNotification TLV (SGP.22 §5.7.10).
    #[error("member \"pendingNotification\" is not a pending notification")]
    Notification(#[source] DecodeError),
    /// A member says something else than the notification's signed metadata.
    #[error("member {member:?} is {line:?}, but the notification's own (signed) value is {signed:?}")]
    Mismatch {
        /// The member.
        member: &'static str,
        /// Its value on the line.
        line: String,
        /// The value in the notification.
        signed: String,
    },
}

impl PartialEq for DumpLineError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::NotUtf8(a), Self::NotUtf8(b)) => a == b,
            (Self::NotJson(a), Self::NotJson(b)) => a.to_string() == b.to_string(),
            (Self::NotAnObject, Self::NotAnObject) => true,
            (Self::MissingMember(a), Self::MissingMember(b)) => a == b,
            (
                Self::InvalidMember { member, reason },
                Self::InvalidMember { member: other_member, reason: other_reason },
            ) => member == other_member && reason == other_reason,
            (
                Self::Undecodable { member, source },
                Self::Undecodable { member: other_member, source: other_source },
            ) => member == other_member && source.to_string() == other_source.to_string(),
            (Self::Notification(a), Self::Notification(b)) => a == b,
            (
                Self::Mismatch { member, line, signed },
                Self::Mismatch { member: other_member, line: other_line, signed: other_signed },
            ) => member == other_member && line == other_line && signed == other_signed,
            _ => false,
        }
    }
}

impl Eq for DumpLineError {}

/// A dump file that cannot be read: the first bad line and what is wrong with it.
///
/// Its message is the line (`line 2`); what is wrong with it is the [`source`](std::error::Error::source),
/// the [`DumpLineError`]: `line 2: not JSON: EOF while parsing a value at line 1 column 80` as
/// `oxicard_transport::ErrorChain` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DumpError {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub kind: DumpLineError,
}

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)
    }
}

impl std::error::Error for DumpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}
