//! Notification processing (SGP.22 §3.5) and the profile operations that generate notifications,
//! over the fake eUICC and the ES9+ test double (`tests/support`): a notification is removed only
//! after its server acknowledged it, a failure keeps it for retry, every notification gets a report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use oxicard_euicc::es9::RspFunction::Es9HandleNotification;
use oxicard_euicc::es9::{Es9Error, HttpClient, RspClient};
use oxicard_euicc::es10::{BitFlags, Rejection, notification_event};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_euicc::notify::*;
use support::{Es9Fault, Fault, FaultAction, Rig, lock, wire};

const ICCID_A: &str = "8944478600004573128";
const ICCID_B: &str = "8949449999999990015";

fn iccid(s: &str) -> Iccid {
    s.parse().unwrap()
}

fn process(rig: &mut Rig, options: &NotificationOptions) -> Vec<NotificationReport> {
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let reports = process_notifications(&mut isdr, &mut rig.smdp.client(), options).unwrap();
    isdr.close().unwrap();
    reports
}

fn outcomes(reports: &[NotificationReport]) -> Vec<(u64, String)> {
    reports
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                NotificationOutcome::Removed => "removed",
                NotificationOutcome::Delivered => "delivered",
                NotificationOutcome::AcknowledgedNotRemoved(_) => "acknowledged, not removed",
                NotificationOutcome::NotDelivered(_) => "not delivered",
                NotificationOutcome::NotRetrieved(_) => "not retrieved",
                NotificationOutcome::Missing => "missing",
                _ => "other",
            };
            (r.metadata.seq_number, outcome.to_owned())
        })
        .collect()
}

fn delivered_to(rig: &Rig) -> Vec<(u64, String)> {
    rig.smdp.notifications.iter().map(|n| (n.metadata().seq_number, n.metadata().address.clone())).collect()
}

#[test]
fn acknowledged_notifications_are_removed_with_the_minimal_exchanges() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        euicc.add_notification(notification_event::ENABLE, "a.example.com", Some(iccid(ICCID_A)));
        euicc.add_notification(notification_event::DELETE, "b.example.com", Some(iccid(ICCID_B)));
    }
    let reports = process(&mut rig, &NotificationOptions::default());
    assert_eq!(outcomes(&reports), [(1, "removed".into()), (2, "removed".into())]);
    assert!(reports.iter().all(|r| !r.outcome.is_kept() && r.outcome.is_acknowledged()));
    // Each went to its own notificationAddress.
    assert_eq!(delivered_to(&rig), [(1, "a.example.com".into()), (2, "b.example.com".into())]);
    assert_eq!(
        rig.smdp.calls,
        [(Es9HandleNotification, "a.example.com".into()), (Es9HandleNotification, "b.example.com".into())]
    );
    let euicc = lock(&rig.euicc);
    assert!(euicc.notifications.is_empty());
    // Both retrieved by one RetrieveNotificationsList; lpac retrieves each by its sequence number.
    assert_eq!(euicc.calls, ["BF28", "BF2B", "BF30", "BF30"]);
    // MANAGE CHANNEL, SELECT, 2 + 2 STORE DATA (one block each), one GET RESPONSE (the two
    // notifications together are over 256 bytes), MANAGE CHANNEL close.
    let log = wire(&rig.wire);
    assert_eq!(log.store_data_count(), 4);
    assert_eq!(log.get_response_count(), 1);
    assert_eq!(log.commands.len(), 8);
    // RetrieveNotificationsList of all: `81 E2 91 00 03 BF2B 00 00` (no searchCriteria).
    assert_eq!(log.commands[3], hex::decode("81E2910003BF2B0000").unwrap());
    // RemoveNotificationFromList #1: `81 E2 91 00 06 BF30 03 80 01 01 00` (NotificationSentRequest `BF30 { 80 seqNumber }`).
    assert_eq!(log.commands[4], hex::decode("01C0000087").unwrap());
    assert_eq!(log.commands[5], hex::decode("81E2910006BF300380010100").unwrap());
}

#[test]
fn a_server_failure_keeps_the_notification_for_a_retry() {
    let mut rig = Rig::new();
    lock(&rig.euicc).add_notification(notification_event::DISABLE, "a.example.com", None);
    rig.smdp.notification_faults.insert(1, Es9Fault::Failed("8.1", "6.1"));
    let reports = process(&mut rig, &NotificationOptions::default());
    let NotificationOutcome::NotDelivered(error) = &reports[0].outcome else { panic!() };
    assert_eq!(error.status_code().unwrap().subject_code, "8.1");
    assert!(reports[0].outcome.is_kept());
    assert_eq!(lock(&rig.euicc).pending_seqs(), [1]);
    assert_eq!(lock(&rig.euicc).calls, ["BF28", "BF2B"], "no RemoveNotificationFromList");

    // The server is back: the next run delivers and removes it.
    rig.smdp.notification_faults.clear();
    let reports = process(&mut rig, &NotificationOptions::default());
    assert_eq!(outcomes(&reports), [(1, "removed".into())]);
    assert!(lock(&rig.euicc).notifications.is_empty());
}

#[test]
fn a_mixed_batch_is_reported_per_notification() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        for address in
            ["ok.example.com", "failed.example.com", "down.example.com", "ok2.example.com", "ok3.example.com"]
        {
            euicc.add_notification(notification_event::ENABLE, address, None);
        }
    }
    rig.smdp.notification_faults.insert(2, Es9Fault::Failed("8.10.1", "3.9"));
    rig.smdp.notification_faults.insert(3, Es9Fault::Http(500));
    // The eUICC refuses to return all five at once (the first BF2B): each is then retrieved by
    // its sequence number. The removal of #4 fails on the wire (the second BF30 sent), the
    // retrieval of #5 too (the fifth BF2B after the refused one).
    wire(&rig.wire).faults.push(Fault {
        prefix: vec![0xBF, 0x30],
        occurrence: 1,
        action: FaultAction::TransportError,
    });
    wire(&rig.wire).faults.push(Fault {
        prefix: vec![0xBF, 0x2B],
        occurrence: 0,
        action: FaultAction::StatusWord(0x6A80),
    });
    wire(&rig.wire).faults.push(Fault {
        prefix: vec![0xBF, 0x2B],
        occurrence: 4,
        action: FaultAction::StatusWord(0x6F00),
    });
    let reports = process(&mut rig, &NotificationOptions::default());
    assert_eq!(
        outcomes(&reports),
        [
            (1, "removed".into()),
            (2, "not delivered".into()),
            (3, "not delivered".into()),
            (4, "acknowledged, not removed".into()),
            (5, "not retrieved".into()),
        ]
    );
    assert!(matches!(
        &reports[2].outcome,
        NotificationOutcome::NotDelivered(Es9Error::HttpStatus { status: 500, .. })
    ));
    assert!(matches!(&reports[3].outcome, NotificationOutcome::AcknowledgedNotRemoved(Es10Error::Card(_))));
    assert!(matches!(&reports[4].outcome, NotificationOutcome::NotRetrieved(Es10Error::Status { .. })));
    assert_eq!(lock(&rig.euicc).pending_seqs(), [2, 3, 4, 5]);
    assert_eq!(delivered_to(&rig).iter().map(|(s, _)| *s).collect::<Vec<_>>(), [1, 4]);
    assert_eq!(wire(&rig.wire).fired, 3);
    for report in &reports {
        assert!(!report.outcome.to_string().is_empty());
    }
}

/// A batch that misses a listed notification costs nothing but its own retrieval: what the batch
/// returned is delivered, the missing one is asked for by its number.
#[test]
fn a_notification_the_batch_did_not_return_is_retrieved_by_its_number() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        for address in ["a.example.com", "b.example.com", "c.example.com"] {
            euicc.add_notification(notification_event::DISABLE, address, None);
        }
        euicc.withheld_from_batch.push(2);
    }
    let reports = process(&mut rig, &NotificationOptions::default());
    assert_eq!(outcomes(&reports), [(1, "removed".into()), (2, "removed".into()), (3, "removed".into())]);
    let euicc = lock(&rig.euicc);
    assert_eq!(euicc.calls, ["BF28", "BF2B", "BF30", "BF2B", "BF30", "BF30"]);
    assert!(euicc.notifications.is_empty());
}

/// A batch answered with a corrupted TLV is dropped whole: each notification is then asked for
/// by its number.
#[test]
fn a_corrupted_batch_is_retrieved_one_by_one() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        for address in ["a.example.com", "b.example.com", "c.example.com"] {
            euicc.add_notification(notification_event::DISABLE, address, None);
        }
    }
    wire(&rig.wire).faults.push(Fault {
        prefix: vec![0xBF, 0x2B],
        occurrence: 0,
        action: FaultAction::CorruptResponse,
    });
    let reports = process(&mut rig, &NotificationOptions::default());
    assert_eq!(outcomes(&reports), [(1, "removed".into()), (2, "removed".into()), (3, "removed".into())]);
    let euicc = lock(&rig.euicc);
    assert_eq!(euicc.calls, ["BF28", "BF2B", "BF2B", "BF30", "BF2B", "BF30", "BF2B", "BF30"]);
    assert!(euicc.notifications.is_empty());
}

#[test]
fn without_removal_acknowledged_notifications_stay() {
    let mut rig = Rig::new();
    lock(&rig.euicc).add_notification(notification_event::ENABLE, "a.example.com", None);
    let options = NotificationOptions::default().with_remove(false);
    let reports = process(&mut rig, &options);
    assert_eq!(outcomes(&reports), [(1, "delivered".into())]);
    assert_eq!(lock(&rig.euicc).pending_seqs(), [1]);
    assert_eq!(rig.smdp.notifications.len(), 1);
}

/// Pending: #1 enable of A, #2 delete of A, #3 enable of B.
fn add_enable_delete_enable(rig: &Rig) {
    let mut euicc = lock(&rig.euicc);
    euicc.add_notification(notification_event::ENABLE, "a.example.com", Some(iccid(ICCID_A)));
    euicc.add_notification(notification_event::DELETE, "a.example.com", Some(iccid(ICCID_A)));
    euicc.add_notification(notification_event::ENABLE, "b.example.com", Some(iccid(ICCID_B)));
}

#[test]
fn filters_by_operation_and_iccid() {
    let mut rig = Rig::new();
    add_enable_delete_enable(&rig);
    let options = NotificationOptions::default()
        .with_operations(Some(BitFlags::from_bits([notification_event::ENABLE])))
        .with_iccid(Some(iccid(ICCID_B)))
        .with_remove(true);
    let reports = process(&mut rig, &options);
    assert_eq!(outcomes(&reports), [(3, "removed".into())]);
    assert_eq!(lock(&rig.euicc).pending_seqs(), [1, 2]);
    // ListNotification carried the operation filter: `BF28 04 81 02 06 40` (NotificationEvent: enable = `06 40`).
    assert_eq!(wire(&rig.wire).commands[2], hex::decode("81E2910007BF28048102064000").unwrap());
    // Another profile's notification was listed: #3 is retrieved alone, `BF2B 05 A0 03 80 01 03`.
    assert_eq!(wire(&rig.wire).commands[3], hex::decode("81E2910008BF2B05A00380010300").unwrap());

    // Without the ICCID: both enable notifications in one RetrieveNotificationsList with the
    // same filter, `BF2B 06 A0 04 81 02 06 40` (searchCriteria profileManagementOperation).
    let mut rig = Rig::new();
    add_enable_delete_enable(&rig);
    let options = NotificationOptions::default()
        .with_operations(Some(BitFlags::from_bits([notification_event::ENABLE])));
    let reports = process(&mut rig, &options);
    assert_eq!(outcomes(&reports), [(1, "removed".into()), (3, "removed".into())]);
    assert_eq!(lock(&rig.euicc).pending_seqs(), [2]);
    assert_eq!(wire(&rig.wire).commands[3], hex::decode("81E2910009BF2B06A0048102064000").unwrap());
    assert_eq!(lock(&rig.euicc).calls, ["BF28", "BF2B", "BF30", "BF30"]);
}

fn profiles(rig: &Rig) -> Vec<(String, bool)> {
    lock(&rig.euicc).profiles.iter().map(|p| (p.iccid.to_string(), p.enabled)).collect()
}

#[test]
fn enable_disable_delete_send_their_notifications_when_asked() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        euicc.add_profile(ICCID_A, true, Some("dp-a.example.com"));
        euicc.add_profile(ICCID_B, false, Some("dp-b.example.com"));
    }
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let mut client = rig.smdp.client();
    let es9: &mut RspClient<dyn HttpClient + '_> = &mut client;

    let reports = manage_profile(
        &mut isdr,
        iccid(ICCID_B),
        ProfileOperation::Enable { refresh: false },
        Some(&mut *es9),
    )
    .unwrap();
    assert_eq!(outcomes(&reports), [(1, "removed".into())]);
    assert_eq!(reports[0].metadata.address, "dp-b.example.com");
    assert!(reports[0].metadata.operation.contains(notification_event::ENABLE));

    let reports = manage_profile(
        &mut isdr,
        iccid(ICCID_B),
        ProfileOperation::Disable { refresh: false },
        Some(&mut *es9),
    )
    .unwrap();
    assert_eq!(outcomes(&reports), [(2, "removed".into())]);

    let reports =
        manage_profile(&mut isdr, iccid(ICCID_B), ProfileOperation::Delete, Some(&mut *es9)).unwrap();
    assert_eq!(outcomes(&reports), [(3, "removed".into())]);
    assert!(reports[0].metadata.operation.contains(notification_event::DELETE));

    // The operation's own failure is the error.
    let err =
        manage_profile(&mut isdr, iccid(ICCID_B), ProfileOperation::Delete, Some(&mut *es9)).unwrap_err();
    assert!(matches!(err, Es10Error::Rejected(Rejection::DeleteProfile(_))), "{err}");
    drop(isdr);

    assert_eq!(profiles(&rig), [(ICCID_A.to_owned(), false)]);
    assert!(lock(&rig.euicc).notifications.is_empty());
    assert_eq!(
        delivered_to(&rig),
        [(1, "dp-b.example.com".into()), (2, "dp-b.example.com".into()), (3, "dp-b.example.com".into())]
    );
}

#[test]
fn without_a_client_the_notification_stays_pending() {
    let mut rig = Rig::new();
    lock(&rig.euicc).add_profile(ICCID_A, false, Some("dp-a.example.com"));
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let reports =
        manage_profile(&mut isdr, iccid(ICCID_A), ProfileOperation::Enable { refresh: true }, None).unwrap();
    isdr.close().unwrap();
    assert!(reports.is_empty());
    assert_eq!(lock(&rig.euicc).pending_seqs(), [1]);
    assert_eq!(profiles(&rig), [(ICCID_A.to_owned(), true)]);
    // Enable alone: MANAGE CHANNEL, SELECT, one STORE DATA
    // (`81 E2 91 00 14 BF3111A00C5A0A984474680000543721F88101FF 00`, an EnableProfile by ICCID, asn1tools DER), close.
    let log = wire(&rig.wire);
    assert_eq!(log.commands.len(), 4);
    assert_eq!(log.commands[2], hex::decode("81E2910014BF3111A00C5A0A984474680000543721F88101FF00").unwrap());
}

#[test]
fn listing_profiles_is_one_store_data() {
    let mut rig = Rig::new();
    {
        let mut euicc = lock(&rig.euicc);
        euicc.add_profile(ICCID_A, true, None);
        euicc.add_profile(ICCID_B, false, None);
    }
    let mut isdr = Isdr::open(&mut rig.card, &IsdrOptions::default()).unwrap();
    let list = isdr.profiles().unwrap();
    isdr.close().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].iccid, Some(iccid(ICCID_A)));
    let log = wire(&rig.wire);
    // MANAGE CHANNEL, SELECT, `81 E2 91 00 03 BF2D00 00`, close.
    assert_eq!(log.commands.len(), 4);
    assert_eq!(log.commands[2], hex::decode("81E2910003BF2D0000").unwrap());
}
