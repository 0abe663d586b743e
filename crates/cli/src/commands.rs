//! `readers`, `chip …`, `profile …` (except download) and `notification …`.

use std::fmt::Write as _;
use std::path::Path;

use oxicard_euicc::activation::{ActivationCode, ActivationCodeError};
use oxicard_euicc::es10::{
    BitFlags, NotificationSearch, ProfileIdentifier, ProfileInfo, bit_names, reset_options,
};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::notify::dump::read_dump;
use oxicard_euicc::notify::dump::write_dump;
use oxicard_euicc::notify::{self, NotificationOptions, process_notifications};
use oxicard_sim::storage::write_atomically;
use oxicard_transport::pcsc::PcscContext;
use serde_json::{Value, json};

use crate::backend::with_isdr;
use crate::cli::{Global, MemoryResetArgs, NetArgs};
use crate::error::CliError;
use crate::input::read_input;
use crate::json;
use crate::net::es9_client;
use crate::output::Out;

/// `readers`: every PC/SC reader with card presence and ATR.
pub(crate) fn readers(out: &Out) -> Result<(), CliError> {
    let context = PcscContext::establish()
        .map_err(|source| CliError::Transport { context: "PC/SC is not available".into(), source })?;
    let readers = context
        .readers()
        .map_err(|source| CliError::Transport { context: "cannot list PC/SC readers".into(), source })?;
    let data: Vec<Value> = readers
        .iter()
        .map(|r| json!({ "name": r.name, "cardPresent": r.card_present, "atr": r.atr.as_ref().map(hex::encode_upper) }))
        .collect();
    let mut text = String::new();
    if readers.is_empty() {
        text.push_str("no PC/SC readers");
    }
    for r in &readers {
        let card = match (&r.atr, r.card_present) {
            (Some(atr), true) => format!("card, ATR {}", hex::encode_upper(atr)),
            (None, true) => "card".into(),
            _ => "no card".into(),
        };
        let _ = writeln!(text, "{}\t{card}", r.name);
    }
    out.success(Value::Array(data), &text);
    Ok(())
}

/// `chip info`: lpac's data plus `isdrAid`, the AID the ISD-R answered at (the SGP.22 §2.2.3
/// default, a removable eUICC's vendor AID found by the fallback of `Isdr::open`, or
/// `--isd-r`).
pub(crate) fn chip_info(g: &Global, out: &Out) -> Result<(), CliError> {
    let (isdr_aid, eid, addresses, info2) = with_isdr(g, |isdr| {
        let eid = isdr.eid().map_err(CliError::es10("es10c_get_eid"))?;
        let addresses =
            isdr.configured_addresses().map_err(CliError::es10("es10a_get_euicc_configured_addresses"))?;
        let info2 = isdr.euicc_info2().map_err(CliError::es10("es10c_ex_get_euiccinfo2"))?;
        Ok((hex::encode_upper(isdr.aid()), eid, addresses, info2))
    })?;
    let mut data = json::chip_info(&eid, &addresses, &info2);
    if let Value::Object(map) = &mut data {
        map.insert("isdrAid".into(), isdr_aid.clone().into());
    }
    let mut t = String::new();
    let _ = writeln!(t, "EID:                 {eid}");
    let _ = writeln!(t, "ISD-R AID:           {isdr_aid}");
    let _ =
        writeln!(t, "default SM-DP+:      {}", addresses.default_dp_address.as_deref().unwrap_or("(none)"));
    let _ = writeln!(t, "root SM-DS:          {}", addresses.root_ds_address);
    let _ = writeln!(t, "SGP.22 version:      {}", info2.svn);
    let _ = writeln!(t, "profile version:     {}", info2.profile_version);
    let _ = writeln!(t, "firmware:            {}", info2.firmware_version);
    let _ = writeln!(t, "PP version:          {}", info2.pp_version);
    let _ = writeln!(t, "SAS accreditation:   {}", info2.sas_accreditation_number);
    let names = |b: &BitFlags, table| b.names(table).collect::<Vec<_>>().join(", ");
    let _ = writeln!(t, "UICC capability:     {}", names(&info2.uicc_capability, bit_names::UICC_CAPABILITY));
    let _ = writeln!(t, "RSP capability:      {}", names(&info2.rsp_capability, bit_names::RSP_CAPABILITY));
    if let Some(pprs) = &info2.forbidden_profile_policy_rules {
        let _ = writeln!(t, "forbidden PPRs:      {}", names(pprs, bit_names::PPR_IDS));
    }
    if let Some(c) = &info2.certification_data {
        let _ = writeln!(t, "certification:       {} ({})", c.platform_label, c.discovery_base_url);
    }
    if let Some(c) = info2.euicc_category {
        let _ = writeln!(t, "category:            {}", c.asn1_name());
    }
    if let Some(free) = info2.ext_card_resource.free_non_volatile_memory() {
        let _ = writeln!(t, "free memory:         {free} bytes");
    }
    if let Some(apps) = info2.ext_card_resource.installed_applications() {
        let _ = writeln!(t, "installed apps:      {apps}");
    }
    for pkid in &info2.ci_pkids_for_verification {
        let _ = writeln!(t, "CI key (verify):     {}", hex::encode_upper(pkid));
    }
    for pkid in &info2.ci_pkids_for_signing {
        let _ = writeln!(t, "CI key (sign):       {}", hex::encode_upper(pkid));
    }
    out.success(data, &t);
    Ok(())
}

/// `chip default-dp ADDRESS`: the address is checked (an FQDN with an optional `:port`, as in
/// an activation code; "" clears it) before the card is opened.
pub(crate) fn default_dp(g: &Global, out: &Out, address: &str) -> Result<(), CliError> {
    check_dp_address(address)?;
    with_isdr(g, |isdr| {
        isdr.set_default_dp_address(address).map_err(CliError::es10("es10a_set_default_dp_address"))
    })?;
    out.success(Value::Null, &format!("default SM-DP+ address set to {address:?}"));
    Ok(())
}

/// An SM-DP+ address as SGP.22 §4.1 has it in an activation code (the euicc crate's rules:
/// RFC 1035 labels, at most 253 characters, an optional port 1..=65535), or "".
fn check_dp_address(address: &str) -> Result<(), CliError> {
    if address.is_empty() {
        return Ok(());
    }
    match ActivationCode::new(address, "") {
        Ok(_) => Ok(()),
        Err(ActivationCodeError::InvalidField { reason, .. }) => Err(CliError::Usage(format!(
            "chip default-dp: {address:?} is not an SM-DP+ address (FQDN[:port]): {reason}"
        ))),
        Err(e) => Err(CliError::Usage(format!("chip default-dp: {address:?}: {e}"))),
    }
}

/// `chip memory-reset`.
pub(crate) fn memory_reset(g: &Global, out: &Out, args: &MemoryResetArgs) -> Result<(), CliError> {
    let mut bits = Vec::new();
    if args.operational || args.all {
        bits.push(reset_options::DELETE_OPERATIONAL_PROFILES);
    }
    if args.test || args.all {
        bits.push(reset_options::DELETE_FIELD_LOADED_TEST_PROFILES);
    }
    if args.address || args.all {
        bits.push(reset_options::RESET_DEFAULT_SMDP_ADDRESS);
    }
    if bits.is_empty() {
        return Err(CliError::Usage(
            "chip memory-reset: choose --operational, --test, --address or --all".into(),
        ));
    }
    with_isdr(g, |isdr| {
        isdr.memory_reset(BitFlags::from_bits(bits)).map_err(CliError::es10("es10c_euicc_memory_reset"))
    })?;
    out.success(Value::Null, "memory reset done");
    Ok(())
}

/// One line per profile.
pub(crate) fn profile_table(profiles: &[ProfileInfo]) -> String {
    if profiles.is_empty() {
        return "no profiles".into();
    }
    let mut t = format!(
        "{:<22} {:<9} {:<12} {:<16} {:<20} {}\n",
        "ICCID", "STATE", "CLASS", "PROVIDER", "NAME", "NICKNAME"
    );
    for p in profiles {
        let _ = writeln!(
            t,
            "{:<22} {:<9} {:<12} {:<16} {:<20} {}",
            p.iccid.map(|i| i.to_string()).unwrap_or_default(),
            p.state.map(|s| s.asn1_name()).unwrap_or("?"),
            p.class.map(|c| c.asn1_name()).unwrap_or("?"),
            p.service_provider_name.as_deref().unwrap_or(""),
            p.profile_name.as_deref().unwrap_or(""),
            p.nickname.as_deref().unwrap_or(""),
        );
    }
    t
}

/// `profile list`.
pub(crate) fn profile_list(g: &Global, out: &Out) -> Result<(), CliError> {
    let profiles = with_isdr(g, |isdr| isdr.profiles().map_err(CliError::es10("es10c_get_profiles_info")))?;
    out.success(Value::Array(profiles.iter().map(json::profile).collect()), &profile_table(&profiles));
    Ok(())
}

/// A profile operation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    /// Enable, with refresh.
    Enable(bool),
    /// Disable, with refresh.
    Disable(bool),
    /// Delete.
    Delete,
}

/// An ICCID (digits) or an ISD-P AID (hex, 32 digits or more with letters).
pub(crate) fn parse_profile(text: &str) -> Result<ProfileIdentifier, CliError> {
    if text.len() <= 20 && text.bytes().all(|b| b.is_ascii_digit() || b == b'F' || b == b'f') {
        return parse_iccid(text).map(ProfileIdentifier::Iccid);
    }
    let aid = hex::decode(text)
        .map_err(|_| CliError::Usage(format!("{text:?} is neither an ICCID nor an ISD-P AID in hex")))?;
    Ok(ProfileIdentifier::IsdpAid(aid))
}

/// An ICCID.
pub(crate) fn parse_iccid(text: &str) -> Result<Iccid, CliError> {
    text.parse().map_err(|e| CliError::Usage(format!("bad ICCID {text:?}: {e}")))
}

/// `profile enable | disable | delete`. By ICCID, the library sends the request again by ISD-P
/// AID when the card refuses the ICCID form (`oxicard_euicc::isdr`, "Profiles by ICCID"; SGP.22
/// §5.7.16–18), so removable eUICCs that only switch by AID work with an ICCID too.
pub(crate) fn profile_op(g: &Global, out: &Out, profile: &str, op: Op) -> Result<(), CliError> {
    let id = parse_profile(profile)?;
    let done = with_isdr(g, |isdr| match op {
        Op::Enable(refresh) => isdr
            .enable_profile(id, refresh)
            .map_err(CliError::es10("es10c_enable_profile"))
            .map(|()| "enabled"),
        Op::Disable(refresh) => isdr
            .disable_profile(id, refresh)
            .map_err(CliError::es10("es10c_disable_profile"))
            .map(|()| "disabled"),
        Op::Delete => {
            isdr.delete_profile(id).map_err(CliError::es10("es10c_delete_profile")).map(|()| "deleted")
        }
    })?;
    out.success(Value::Null, &format!("profile {profile} {done}"));
    Ok(())
}

/// `profile nickname ICCID NAME`.
pub(crate) fn nickname(g: &Global, out: &Out, iccid: &str, name: &str) -> Result<(), CliError> {
    let iccid = parse_iccid(iccid)?;
    with_isdr(g, |isdr| isdr.set_nickname(iccid, name).map_err(CliError::es10("es10c_set_nickname")))?;
    out.success(Value::Null, &format!("profile {iccid} nickname set to {name:?}"));
    Ok(())
}

/// `notification list`.
pub(crate) fn notification_list(g: &Global, out: &Out) -> Result<(), CliError> {
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
            json::operation(&n.operation),
            iccid,
            n.address
        );
    }
    out.success(Value::Array(list.iter().map(json::notification).collect()), &t);
    Ok(())
}

/// `notification process [--keep]`: send each; remove the acknowledged ones unless `keep`.
pub(crate) fn notification_process(g: &Global, out: &Out, keep: bool, net: &NetArgs) -> Result<(), CliError> {
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
            json::operation(&r.metadata.operation),
            r.metadata.address,
            r.outcome
        );
    }
    out.success(Value::Array(data), &t);
    Ok(())
}

/// `notification remove SEQ`.
pub(crate) fn notification_remove(g: &Global, out: &Out, seq: u64) -> Result<(), CliError> {
    with_isdr(g, |isdr| {
        isdr.remove_notification(seq).map_err(CliError::es10("es10b_remove_notification_from_list"))
    })?;
    out.success(Value::Null, &format!("notification {seq} removed"));
    Ok(())
}

/// The largest dump file `notification replay` reads: 4 MiB. One notification is at most a few
/// KiB (an OtherSignedNotification carries CERT.EUICC and CERT.EUM, about 1.5 KiB; base64 adds a
/// third), and an eUICC keeps tens of them: 4 MiB is over a thousand.
pub(crate) const MAX_NOTIFICATION_DUMP_LEN: u64 = 4 * 1024 * 1024;

/// `notification dump FILE [--force]`: every pending notification, retrieved one by one
/// (ListNotification, then RetrieveNotificationsList by sequence number, SGP.22 §5.7.9–§5.7.10),
/// written byte-exact to FILE in one atomic, owner-only write once all were read. Nothing is
/// removed from the eUICC.
pub(crate) fn notification_dump(g: &Global, out: &Out, file: &Path, force: bool) -> Result<(), CliError> {
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
        let _ = write!(t, "\n  {:<5} {:<8} {}", m.seq_number, json::operation(&m.operation), m.address);
    }
    out.success(Value::Array(notifications.iter().map(|n| json::notification(n.metadata())).collect()), &t);
    Ok(())
}

/// `notification replay FILE`: the notifications of a dump file, each sent to its own address
/// with ES9+ HandleNotification (SGP.22 §5.6.4, [`notify::send`]) and reported delivered or not.
/// The whole file is checked before anything is sent. No card is opened: removing the
/// acknowledged ones stays `notification remove SEQ` on their eUICC.
pub(crate) fn notification_replay(out: &Out, file: &Path, net: &NetArgs) -> Result<(), CliError> {
    let bytes = read_input("notification replay", file, MAX_NOTIFICATION_DUMP_LEN)?;
    let dumped = read_dump(&bytes).map_err(|e| CliError::Notification {
        function: "parse_notification",
        detail: format!("notification replay: {}: {e}; nothing sent", file.display()),
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
            Err(e) => format!("not delivered: {e}"),
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
            json::operation(&m.operation),
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
