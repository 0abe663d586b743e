//! `lpac notification list|remove` (lpac `src/applet/notification/`).

use oxicard_euicc::es10::Rejection;
use oxicard_euicc::isdr::Es10Error;

use super::json::{self, Json};
use super::{Euicc, Failed, Outcome, fail, getopt, shapes, unknown};

/// The `notification` applets.
const APPLETS: &[&str] = &["list", "process", "remove", "dump", "replay"];

/// Runs `notification ARGS` on the opened eUICC.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let operands = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("list") => list(euicc),
        Some("remove") => remove(euicc, operands),
        Some(other @ ("process" | "dump" | "replay")) => Err(fail(other, "not available in lpac mode yet")),
        other => Err(unknown("notification", APPLETS, other)),
    }
}

/// `notification list`: ListNotification.
fn list(euicc: &mut Euicc<'_, '_>) -> Outcome {
    let listed = euicc.list_notifications(None).map_err(|_| fail("es10b_list_notification", ""))?;
    json::success(Json::Array(listed.iter().map(shapes::notification).collect()));
    Ok(())
}

/// The sequence numbers of `operands`, as lpac reads them: decimal, `strtoul`-style, numbers
/// that are not skipped.
pub(crate) fn seq_numbers(operands: &[String]) -> Vec<u64> {
    operands.iter().filter_map(|o| o.trim().parse::<u64>().ok()).collect()
}

/// `notification remove [-a] [SEQ…]`: RemoveNotificationFromList of each (all listed with `-a`).
fn remove(euicc: &mut Euicc<'_, '_>, operands: &[String]) -> Outcome {
    let help = "Usage: remove [OPTIONS] [seqNumber_0] [seqNumber_1]...\n\t -a All notifications";
    let parsed = match getopt::parse(operands, "ah?") {
        Ok(parsed) if !parsed.flag('h') && !parsed.flag('?') => parsed,
        Ok(_) => {
            println!("{help}");
            return Err(Failed);
        }
        Err(message) => {
            eprintln!("remove: {message}");
            println!("{help}");
            return Err(Failed);
        }
    };
    let mut seqs = seq_numbers(&parsed.operands);
    if parsed.flag('a') {
        json::progress("es10b_list_notification", Json::Null);
        let listed = euicc.list_notifications(None).map_err(|_| fail("es10b_list_notification", ""))?;
        seqs = listed.iter().map(|n| n.seq_number).collect();
    }
    for seq in seqs {
        json::progress("es10b_remove_notification_from_list", Json::Str(seq.to_string()));
        match euicc.remove_notification(seq) {
            Ok(()) => {}
            Err(Es10Error::Rejected(Rejection::RemoveNotificationFromList(e))) if e.code() == 1 => {
                return Err(fail("es10b_remove_notification_from_list", "seqNumber not found"));
            }
            Err(_) => return Err(fail("es10b_remove_notification_from_list", "unknown")),
        }
    }
    json::success(Json::Null);
    Ok(())
}
