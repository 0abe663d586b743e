//! `notification list | process | remove | dump | replay`: the eUICC's pending notifications
//! (SGP.22 §3.5); `dump` and `replay` carry them out of band and have their own modules.

mod dump;
mod replay;

use std::fmt::Write as _;

use oxicard_euicc::notify::dump::operation_name;
use oxicard_euicc::notify::{NotificationOptions, process_notifications};
use serde_json::Value;

use crate::backend::with_isdr;
use crate::cli::{Global, NetArgs};
use crate::error::CliError;
use crate::json;
use crate::net::es9_client;
use crate::output::Out;

pub(crate) use dump::dump;
pub(crate) use replay::replay;

/// `notification list`.
pub(crate) fn list(g: &Global, out: &Out) -> Result<(), CliError> {
    let list = with_isdr(g, |isdr| {
        isdr.list_notifications(None).map_err(CliError::es10("es10b_list_notification"))
    })?;
    let mut t = String::new();
    if list.is_empty() {
        t.push_str("no pending notifications");
    } else {
        let _ = writeln!(t, "{:<5} {:<8} {:<22} ADDRESS", "SEQ", "OP", "ICCID");
    }
    for n in &list {
        let iccid = n.iccid.map(|i| i.to_string()).unwrap_or_default();
        let _ = writeln!(
            t,
            "{:<5} {:<8} {:<22} {}",
            n.seq_number,
            operation_name(&n.operation),
            iccid,
            n.address
        );
    }
    out.success(Value::Array(list.iter().map(json::notification).collect()), &t);
    Ok(())
}

/// `notification process [--keep]`: send each; remove the acknowledged ones unless `keep`.
pub(crate) fn process(g: &Global, out: &Out, keep: bool, net: &NetArgs) -> Result<(), CliError> {
    let mut es9 = es9_client(net)?;
    let options = NotificationOptions::default().with_remove(!keep);
    let reports = with_isdr(g, |isdr| {
        process_notifications(isdr, &mut es9, &options).map_err(CliError::es10("es10b_list_notification"))
    })?;
    let mut t = String::new();
    if reports.is_empty() {
        t.push_str("no pending notifications");
    }
    let mut data = Vec::new();
    for r in &reports {
        let mut item = json::notification(&r.metadata);
        if let Value::Object(map) = &mut item {
            map.insert("delivered".into(), r.outcome.is_acknowledged().into());
            map.insert("removed".into(), (!r.outcome.is_kept()).into());
            map.insert("outcome".into(), r.outcome.to_string().into());
        }
        data.push(item);
        let _ = writeln!(
            t,
            "notification {} ({} to {}): {}",
            r.metadata.seq_number,
            operation_name(&r.metadata.operation),
            r.metadata.address,
            r.outcome
        );
    }
    out.success(Value::Array(data), &t);
    Ok(())
}

/// `notification remove SEQ`.
pub(crate) fn remove(g: &Global, out: &Out, seq: u64) -> Result<(), CliError> {
    with_isdr(g, |isdr| {
        isdr.remove_notification(seq).map_err(CliError::es10("es10b_remove_notification_from_list"))
    })?;
    out.success(Value::Null, &format!("notification {seq} removed"));
    Ok(())
}
