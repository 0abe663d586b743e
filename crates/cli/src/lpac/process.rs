//! `lpac notification process|dump|replay` (lpac `src/applet/notification/`): each named (or,
//! with `-a`, each pending) notification retrieved from the eUICC and sent to its
//! `notificationAddress` (ES9+ HandleNotification, SGP.22 §5.6.4), removed only with `-r` and
//! only once the server acknowledged it; `dump` prints lpac's notification lines, `replay`
//! sends them.

use std::io::IsTerminal as _;

use base64::Engine as _;
use oxicard_euicc::es10::{NotificationSearch, PendingNotification, Rejection};
use oxicard_euicc::isdr::Es10Error;
use oxicard_euicc::notify::dump::{DumpLineError, DumpedNotification};
use oxicard_euicc::notify::send;

use super::json::{self, Json};
use super::{Euicc, Failed, Outcome, fail, getopt, notification::seq_numbers};
use crate::input::{MAX_NOTIFICATION_DUMP_LEN, read_answer};

/// The sequence numbers to work on: every pending one with `-a` (after lpac's
/// `es10b_list_notification` progress line when `announce`: a dump's output is nothing but
/// notification lines), else the operands.
fn targets(euicc: &mut Euicc<'_, '_>, parsed: &getopt::Parsed, announce: bool) -> Result<Vec<u64>, Failed> {
    if !parsed.flag('a') {
        return Ok(seq_numbers(&parsed.operands));
    }
    if announce {
        json::progress("es10b_list_notification", Json::Null);
    }
    let listed = euicc.list_notifications(None).map_err(|_| fail("es10b_list_notification", ""))?;
    Ok(listed.iter().map(|n| n.seq_number).collect())
}

/// RetrieveNotificationsList of notification `seq` (§5.7.10).
fn retrieve(euicc: &mut Euicc<'_, '_>, seq: u64) -> Result<PendingNotification, Failed> {
    let found = euicc
        .retrieve_notifications(Some(NotificationSearch::SeqNumber(seq)))
        .map_err(|_| fail("es10b_retrieve_notifications_list", ""))?;
    found
        .into_iter()
        .find(|n| n.metadata().seq_number == seq)
        .ok_or_else(|| fail("es10b_retrieve_notifications_list", ""))
}

/// RemoveNotificationFromList of `seq` (§5.7.11) with lpac's reasons.
pub(crate) fn remove(euicc: &mut Euicc<'_, '_>, seq: u64) -> Result<(), Failed> {
    match euicc.remove_notification(seq) {
        Ok(()) => Ok(()),
        Err(Es10Error::Rejected(Rejection::RemoveNotificationFromList(e))) if e.code() == 1 => {
            Err(fail("es10b_remove_notification_from_list", "seqNumber not found"))
        }
        Err(_) => Err(fail("es10b_remove_notification_from_list", "unknown")),
    }
}

/// `notification process [-a] [-r] [SEQ…]`.
pub(crate) fn process(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let help = "Usage: process [OPTIONS] [seqNumber_0] [seqNumber_1]...\n\t -a All notifications\n\t -r Automatically remove processed notifications";
    let parsed = super::options("process", args, "arh?", help)?;
    let seqs = targets(euicc, &parsed, true)?;
    let mut es9 = super::es9_client().map_err(|_| fail("es9p_handle_notification", ""))?;
    for seq in seqs {
        let number = Json::Str(seq.to_string());
        json::progress("es10b_retrieve_notifications_list", number.clone());
        let notification = retrieve(euicc, seq)?;
        json::progress("es9p_handle_notification", number.clone());
        send(&mut es9, &notification).map_err(|_| fail("es9p_handle_notification", ""))?;
        if parsed.flag('r') {
            json::progress("es10b_remove_notification_from_list", number);
            remove(euicc, seq)?;
        }
    }
    json::success(Json::Null);
    Ok(())
}

/// The longest line `notification replay` reads.
const MAX_DUMP_LINE_LEN: usize = 64 * 1024;

/// One line of lpac's `notification dump`: no envelope.
fn dump_line(eid: &str, notification: &PendingNotification) -> String {
    let metadata = notification.metadata();
    Json::Object(vec![
        ("type", Json::Str("notification".into())),
        ("eid", Json::Str(eid.to_owned())),
        ("seqNumber", Json::uint(metadata.seq_number)),
        ("notificationAddress", Json::Str(metadata.address.trim().to_owned())),
        (
            "pendingNotification",
            Json::Str(base64::engine::general_purpose::STANDARD.encode(notification.as_der())),
        ),
    ])
    .to_text()
}

/// `notification dump [-a] [SEQ…]`: one line per notification, no final line (as lpac).
pub(crate) fn dump(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let help = "Usage: dump [OPTIONS] [seqNumber_0] [seqNumber_1]...\n\t -a All notifications";
    let parsed = super::options("dump", args, "ah?", help)?;
    let eid = euicc.eid().map_err(|_| fail("es10c_get_eid", ""))?.to_string();
    for seq in targets(euicc, &parsed, false)? {
        let notification = retrieve(euicc, seq)?;
        println!("{}", dump_line(&eid, &notification));
    }
    Ok(())
}

/// `notification replay < FILE`: each line of a dump sent again (lpac checks that it is this
/// eUICC's); the notifications stay on the eUICC.
pub(crate) fn replay(euicc: &mut Euicc<'_, '_>) -> Outcome {
    if std::io::stdin().is_terminal() {
        return Err(fail("This applet must be run with input redirection from a file or pipe.", ""));
    }
    let eid = euicc.eid().map_err(|_| fail("es10c_get_eid", ""))?;
    let mut es9 = super::es9_client().map_err(|_| fail("es9p_handle_notification", ""))?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut total = 0usize;
    loop {
        // A dump line is about 2 KiB: one over 64 KiB, or a stream over 4 MiB in all, is no dump.
        let line = match read_answer(&mut input, MAX_DUMP_LINE_LEN) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(_) => return Err(fail("cJSON_ParseWithLength", "")),
        };
        total = total.saturating_add(line.len());
        if u64::try_from(total).unwrap_or(u64::MAX) > MAX_NOTIFICATION_DUMP_LEN {
            return Err(fail("cJSON_ParseWithLength", ""));
        }
        if line.trim().is_empty() {
            continue;
        }
        // lpac's replay takes only lines of this eUICC (`eid` present and equal).
        let dumped = match DumpedNotification::from_json_line(&line) {
            Ok(dumped) if dumped.eid == Some(eid) => dumped,
            Err(DumpLineError::NotJson(_)) => return Err(fail("cJSON_ParseWithLength", "")),
            _ => return Err(fail("parse_notification", "")),
        };
        let seq = dumped.metadata().seq_number;
        json::progress("es9p_handle_notification", Json::Str(seq.to_string()));
        send(&mut es9, &dumped.notification).map_err(|_| fail("es9p_handle_notification", ""))?;
    }
    json::success(Json::Null);
    Ok(())
}
