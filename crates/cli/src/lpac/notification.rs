//! `lpac notification list|remove` (lpac `src/applet/notification/`).

use super::json::{self, Json};
use super::{Euicc, Outcome, fail, shapes, sub_command, unknown};

/// The `notification` applets.
const APPLETS: &[&str] = &["list", "process", "remove", "dump", "replay"];

/// Runs `notification ARGS` on the opened eUICC.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let (command, operands) = sub_command(args);
    match command {
        Some("list") => list(euicc),
        Some("remove") => remove(euicc, operands),
        Some("process") => super::process::process(euicc, operands),
        Some("dump") => super::process::dump(euicc, operands),
        Some("replay") => super::process::replay(euicc),
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
    let parsed = super::options("remove", operands, "ah?", help)?;
    let mut seqs = seq_numbers(&parsed.operands);
    if parsed.flag('a') {
        json::progress("es10b_list_notification", Json::Null);
        let listed = euicc.list_notifications(None).map_err(|_| fail("es10b_list_notification", ""))?;
        seqs = listed.iter().map(|n| n.seq_number).collect();
    }
    for seq in seqs {
        json::progress("es10b_remove_notification_from_list", Json::Str(seq.to_string()));
        super::process::remove(euicc, seq)?;
    }
    json::success(Json::Null);
    Ok(())
}
