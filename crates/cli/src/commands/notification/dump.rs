//! `notification dump FILE`: every pending notification written byte-exact to a file, to be
//! sent from another machine (`oxicard_euicc::notify::dump`).

use std::fmt::Write as _;
use std::path::Path;

use oxicard_euicc::es10::NotificationSearch;
use oxicard_euicc::notify::dump::{operation_name, write_dump};
use oxicard_sim::storage::write_atomically;
use serde_json::Value;

use crate::backend::with_isdr;
use crate::cli::Global;
use crate::error::CliError;
use crate::json;
use crate::output::Out;

/// `notification dump FILE [--force]`: every pending notification, retrieved one by one
/// (ListNotification, then RetrieveNotificationsList by sequence number, SGP.22 §5.7.9–§5.7.10),
/// written byte-exact to FILE in one atomic, owner-only write once all were read. Nothing is
/// removed from the eUICC.
pub(crate) fn dump(g: &Global, out: &Out, file: &Path, force: bool) -> Result<(), CliError> {
    if !force && std::fs::symlink_metadata(file).is_ok() {
        return Err(CliError::Usage(format!(
            "notification dump: {} exists; give --force to replace it",
            file.display()
        )));
    }
    let (eid, notifications) = with_isdr(g, |isdr| {
        let eid = isdr.eid().map_err(CliError::es10("es10c_get_eid"))?;
        let listed = isdr.list_notifications(None).map_err(CliError::es10("es10b_list_notification"))?;
        let mut notifications = Vec::new();
        for metadata in listed {
            let seq = metadata.seq_number;
            let found = isdr
                .retrieve_notifications(Some(NotificationSearch::SeqNumber(seq)))
                .map_err(CliError::es10("es10b_retrieve_notifications_list"))?;
            let notification = found.into_iter().find(|n| n.metadata().seq_number == seq).ok_or_else(|| {
                CliError::Notification {
                    function: "es10b_retrieve_notifications_list",
                    detail: format!(
                        "notification dump: the eUICC lists notification {seq} but does not return it; nothing written"
                    ),
                }
            })?;
            notifications.push(notification);
        }
        Ok((eid, notifications))
    })?;
    write_atomically(file, write_dump(Some(eid), &notifications).as_bytes())
        .map_err(|e| CliError::Io(format!("notification dump: {e}")))?;
    let mut t = format!(
        "wrote {} pending notification(s) of eUICC {eid} to {}; they stay on the eUICC until `notification remove SEQ`",
        notifications.len(),
        file.display()
    );
    for n in &notifications {
        let m = n.metadata();
        let _ = write!(t, "\n  {:<5} {:<8} {}", m.seq_number, operation_name(&m.operation), m.address);
    }
    out.success(Value::Array(notifications.iter().map(|n| json::notification(n.metadata())).collect()), &t);
    Ok(())
}
