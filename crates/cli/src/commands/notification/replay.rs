//! `notification replay FILE`: the notifications of a dump file sent to their servers, with no
//! card.

use std::fmt::Write as _;
use std::path::Path;

use oxicard_euicc::notify;
use oxicard_euicc::notify::dump::{operation_name, read_dump};
use serde_json::{Value, json};

use crate::cli::NetArgs;
use crate::error::CliError;
use crate::input::{MAX_NOTIFICATION_DUMP_LEN, read_input};
use crate::json;
use crate::net::es9_client;
use crate::output::Out;

/// `notification replay FILE`: the notifications of a dump file, each sent to its own address
/// with ES9+ HandleNotification (SGP.22 §5.6.4, [`notify::send`]) and reported delivered or not.
/// The whole file is checked before anything is sent. No card is opened: removing the
/// acknowledged ones stays `notification remove SEQ` on their eUICC.
pub(crate) fn replay(out: &Out, file: &Path, net: &NetArgs) -> Result<(), CliError> {
    let bytes = read_input("notification replay", file, MAX_NOTIFICATION_DUMP_LEN)?;
    let dumped = read_dump(&bytes).map_err(|e| CliError::Notification {
        function: "parse_notification",
        detail: format!("notification replay: {}: {}; nothing sent", file.display(), crate::error::chain(&e)),
    })?;
    let mut es9 = es9_client(net)?;
    let mut t = String::new();
    if dumped.is_empty() {
        let _ = write!(t, "no notifications in {}", file.display());
    }
    let mut data = Vec::new();
    let mut acknowledged = Vec::new();
    for d in &dumped {
        let m = d.metadata();
        out.progress("es9p_handle_notification", json!(m.seq_number));
        let sent = notify::send(&mut es9, &d.notification);
        let outcome = match &sent {
            Ok(()) => "delivered".to_owned(),
            Err(e) => format!("not delivered: {}", crate::error::chain(e)),
        };
        let eid = d.eid.map(|e| e.to_string());
        let mut item = json::notification(m);
        if let Value::Object(map) = &mut item {
            map.insert("eid".into(), eid.clone().into());
            map.insert("delivered".into(), sent.is_ok().into());
            map.insert("outcome".into(), outcome.clone().into());
        }
        data.push(item);
        let of = eid.map(|e| format!(" of eUICC {e}")).unwrap_or_default();
        let _ = writeln!(
            t,
            "notification {}{of} ({} to {}): {outcome}",
            m.seq_number,
            operation_name(&m.operation),
            m.address
        );
        if sent.is_ok() {
            acknowledged.push(m.seq_number.to_string());
        }
    }
    if !acknowledged.is_empty() {
        let _ = write!(
            t,
            "acknowledged: remove them on their eUICC with `oxicard notification remove SEQ` ({})",
            acknowledged.join(", ")
        );
    }
    out.success(Value::Array(data), &t);
    Ok(())
}
