//! The notification dump format (`notify::dump`): byte-exact, lpac-compatible lines, every
//! damaged line refused with its number and the reason, and [`notify::send`] delivering a
//! dumped notification without any card.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use base64::Engine as _;
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Eid;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify;
use oxicard_euicc::notify::dump::DumpLineError;
use oxicard_euicc::notify::dump::DumpedNotification;
use oxicard_euicc::notify::dump::read_dump;
use oxicard_euicc::notify::dump::write_dump;
use oxicard_transport::ErrorChain;
use support::euicc::EID;
use support::{FakeSmdp, Rig, lock};

const ADDRESS: &str = "smdp.example.com";
const ICCID: &str = "8944478600004573128";

/// A fake eUICC with an enable and a disable notification pending; the RetrieveNotificationsList
/// response DER of all of them, and the notifications decoded from it.
fn pending() -> (Rig, Vec<u8>, Vec<PendingNotification>) {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        euicc.add_notification(notification_event::ENABLE, ADDRESS, Some(ICCID.parse().unwrap()));
        euicc.add_notification(notification_event::DISABLE, ADDRESS, None);
    }
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let response = isdr.call_with_der(&RetrieveNotificationsListRequest::default()).unwrap();
    drop(isdr);
    let notifications = response.response.result.unwrap();
    (rig, response.der, notifications)
}

/// The TLVs inside the `A0` notificationList of a RetrieveNotificationsListResponse, as bytes.
fn list_items(der: &[u8]) -> Vec<Vec<u8>> {
    use oxicard_euicc::asn1::{ctx_c, single};
    let outer = single(der, ctx_c(43), "response").unwrap();
    let fields = oxicard_euicc::asn1::Fields::parse(outer.value(), "response").unwrap();
    let list = fields.req(ctx_c(0), "notificationList").unwrap();
    list.fields("list").unwrap().iter().map(|f| f.raw().to_vec()).collect()
}

#[test]
fn a_dump_carries_the_notifications_byte_exact() {
    let (_rig, der, notifications) = pending();
    let eid = Eid::from_bytes(EID);
    let file = write_dump(Some(eid), &notifications);
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(file.ends_with('\n'));
    // The members, in lpac's order plus the two for people.
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["type"], "notification");
    assert_eq!(first["eid"], eid.to_string());
    assert_eq!(first["seqNumber"], 1);
    assert_eq!(first["profileManagementOperation"], "enable");
    assert_eq!(first["notificationAddress"], ADDRESS);
    assert_eq!(first["iccid"], ICCID);
    assert!(lines[1].contains(r#""profileManagementOperation":"disable""#) && !lines[1].contains("iccid"));
    // The bytes of each line are the eUICC's, exactly.
    let items = list_items(&der);
    for (line, item) in lines.iter().zip(&items) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value["pendingNotification"].as_str().unwrap())
            .unwrap();
        assert_eq!(&bytes, item);
    }
    // And back.
    let read = read_dump(file.as_bytes()).unwrap();
    assert_eq!(read.len(), 2);
    for (dumped, item) in read.iter().zip(&items) {
        assert_eq!(dumped.eid, Some(eid));
        assert_eq!(dumped.notification.as_der(), item.as_slice());
    }
}

#[test]
fn an_lpac_dump_line_is_read() {
    let (_rig, _, notifications) = pending();
    let b64 = base64::engine::general_purpose::STANDARD.encode(notifications[0].as_der());
    // lpac's `notification dump` line: no operation, no ICCID; any other member is ignored.
    let line = format!(
        r#"{{"type":"notification","eid":"{}","seqNumber":1,"notificationAddress":" {ADDRESS} ","pendingNotification":"{b64}","extra":[1]}}"#,
        Eid::from_bytes(EID)
    );
    let read = DumpedNotification::from_json_line(&line).unwrap();
    assert_eq!(read.notification, notifications[0]);
    // Without the EID too.
    let line = format!(
        r#"{{"type":"notification","seqNumber":1,"notificationAddress":"{ADDRESS}","pendingNotification":"{b64}"}}"#
    );
    assert_eq!(DumpedNotification::from_json_line(&line).unwrap().eid, None);
    // Blank lines are skipped, CR LF line ends accepted; an empty file is an empty dump.
    assert_eq!(read_dump(format!("\n{line}\r\n\n").as_bytes()).unwrap().len(), 1);
    assert!(read_dump(b"").unwrap().is_empty());
}

#[test]
fn damaged_lines_are_refused_with_their_number_and_reason() {
    let (_rig, _, notifications) = pending();
    let file = write_dump(Some(Eid::from_bytes(EID)), &notifications);
    let good = file.lines().next().unwrap().to_owned();
    let der = notifications[0].as_der().to_vec();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let with = |member: &str, value: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        v[member] = serde_json::from_str(value).unwrap();
        v.to_string()
    };
    let without = |member: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        v.as_object_mut().unwrap().remove(member);
        v.to_string()
    };
    let mut trailing = der.clone();
    trailing.push(0x00);
    let cases: Vec<(String, &str)> = vec![
        // Cut short (a copy interrupted): not JSON.
        (good[..good.len() / 2].to_owned(), "line 2: not JSON: EOF while parsing"),
        ("[1,2]".into(), "line 2: not a JSON object"),
        (with("type", r#""event""#), r#"line 2: member "type" is invalid: "event" is not "notification""#),
        (without("pendingNotification"), r#"line 2: member "pendingNotification" is missing"#),
        (with("seqNumber", "-1"), r#"line 2: member "seqNumber" is invalid: not a whole number from 0"#),
        (with("seqNumber", r#""1""#), r#"line 2: member "seqNumber" is invalid"#),
        (with("eid", r#""1234""#), r#"line 2: member "eid" is invalid"#),
        (
            with("pendingNotification", r#""%%%""#),
            r#"line 2: member "pendingNotification" is invalid: Invalid"#,
        ),
        // Hex where base64 belongs: hex digits are base64 too, but not of these bytes.
        (
            with("pendingNotification", &format!("{:?}", hex::encode(&der))),
            r#"line 2: member "pendingNotification" is not a pending notification"#,
        ),
        (
            with("pendingNotification", &format!("{:?}", b64(&trailing))),
            r#"line 2: member "pendingNotification" is not a pending notification"#,
        ),
        (
            with("pendingNotification", &format!("{:?}", b64(&der[..der.len() - 3]))),
            r#"line 2: member "pendingNotification" is not a pending notification"#,
        ),
        (
            with("seqNumber", "7"),
            r#"line 2: member "seqNumber" is "7", but the notification's own (signed) value is "1""#,
        ),
        (
            with("notificationAddress", r#""evil.example""#),
            r#"line 2: member "notificationAddress" is "evil.example", but the notification's own (signed) value is "smdp.example.com""#,
        ),
    ];
    for (line, expected) in cases {
        let bytes = format!("{good}\n{line}\n{good}\n");
        let error = read_dump(bytes.as_bytes()).unwrap_err();
        let text = ErrorChain(&error).to_string();
        assert!(text.starts_with(expected), "{line}: {text} (expected {expected})");
        assert_eq!(error.line, 2);
    }
    let mut bytes = good.clone().into_bytes();
    bytes.extend_from_slice(b"\n\xFF\xFE\n");
    let error = read_dump(&bytes).unwrap_err();
    assert_eq!(error.kind, DumpLineError::NotUtf8(0));
    assert_eq!(ErrorChain(&error).to_string(), "line 2: not UTF-8 text (byte 0)");
}

#[test]
fn a_dumped_notification_is_sent_to_its_own_address_without_a_card() {
    let (rig, _, notifications) = pending();
    let file = write_dump(None, &notifications);
    let mut smdp = FakeSmdp::new();
    for dumped in read_dump(file.as_bytes()).unwrap() {
        notify::send(&mut smdp.client(), &dumped.notification).unwrap();
    }
    assert_eq!(smdp.notifications, notifications);
    assert!(smdp.calls.iter().all(|(_, address)| address == ADDRESS));
    // The eUICC was not asked anything, and still holds them.
    let euicc = lock(&rig.euicc);
    assert_eq!(euicc.pending_seqs(), [1, 2]);
    assert_eq!(euicc.calls, ["BF2B"]);
}
