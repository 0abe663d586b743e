//! ES10 vectors from other LPA implementations' test suites (hex data only):
//! - damonto/euicc-go `v2/es10a_test.go`: EuiccConfiguredAddresses and SetDefaultDpAddress;
//! - damonto/euicc-go `v2/es10b_test.go`: ListNotification / RetrieveNotificationsList requests and
//!   error choices, NotificationMetadata with a non-minimal BIT STRING (`04 80`);
//! - damonto/euicc-go `v2/identifier_test.go`: ICCID `98 44 74 68 00 00 54 37 21 F8`;
//! - osmocom/pysim `tests/unittests/test_euicc.py`: EID check digits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::{Eid, Iccid};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

#[test]
fn euicc_go_configured_addresses() {
    let root_only =
        EuiccConfiguredAddresses::from_der(&h("BF3C17 8115 74657374726F6F74736D64732E67736D612E636F6D"))
            .unwrap();
    assert_eq!(root_only.default_dp_address, None);
    assert_eq!(root_only.root_ds_address, "testrootsmds.gsma.com");
    let both = h("BF3C24 800B 6578616D706C652E636F6D 8115 74657374726F6F74736D64732E67736D612E636F6D");
    let decoded = EuiccConfiguredAddresses::from_der(&both).unwrap();
    assert_eq!(decoded.default_dp_address.as_deref(), Some("example.com"));
    assert_eq!(decoded.to_der(), both);
    assert_eq!(EuiccConfiguredAddressesRequest.to_der(), h("BF3C00"));
}

#[test]
fn euicc_go_set_default_dp_address() {
    let request = {
        let mut set_default_dp_address_request = SetDefaultDpAddressRequest::default();
        set_default_dp_address_request.address = "example.com".into();
        set_default_dp_address_request
    };
    assert_eq!(request.to_der(), h("BF3F0D 800B 6578616D706C652E636F6D"));
    assert_eq!(SetDefaultDpAddressResponse::from_der(&h("BF3F03800100")).unwrap().result, Ok(()));
}

#[test]
fn euicc_go_notification_requests() {
    assert_eq!(ListNotificationRequest::default().to_der(), h("BF2800"));
    let install_and_delete = BitFlags::from_bits([notification_event::INSTALL, notification_event::DELETE]);
    assert_eq!(
        {
            let mut list_notification_request = ListNotificationRequest::default();
            list_notification_request.operations = Some(install_and_delete);
            list_notification_request
        }
        .to_der(),
        h("BF2804 8102 0490")
    );
    assert_eq!(
        {
            let mut retrieve_notifications_list_request = RetrieveNotificationsListRequest::default();
            retrieve_notifications_list_request.search = Some(NotificationSearch::SeqNumber(1));
            retrieve_notifications_list_request
        }
        .to_der(),
        h("BF2B05 A003 800101")
    );
    assert_eq!(RetrieveNotificationsListRequest::default().to_der(), h("BF2B00"));
}

#[test]
fn euicc_go_notification_responses() {
    assert_eq!(
        ListNotificationResponse::from_der(&h("BF2803 81017F")).unwrap().result,
        Err(ListNotificationError::UndefinedError)
    );
    assert_eq!(
        RetrieveNotificationsListResponse::from_der(&h("BF2B03 81017F")).unwrap().result,
        Err(RetrieveNotificationsListError::UndefinedError)
    );
    assert_eq!(RetrieveNotificationsListResponse::from_der(&h("BF2B02 A000")).unwrap().result, Ok(vec![]));
    // NotificationMetadata with PMO `04 80` (4 unused bits: install), address in a universal 0C.
    let metadata =
        NotificationMetadata::from_der(&h("BF2F14 800101 81020480 0C0B 6578616D706C652E636F6D")).unwrap();
    assert_eq!(metadata.seq_number, 1);
    assert_eq!(metadata.operation, BitFlags::from_bits([notification_event::INSTALL]));
    assert_eq!(metadata.address, "example.com");
}

#[test]
fn euicc_go_iccid() {
    let iccid = Iccid::from_bytes([0x98, 0x44, 0x74, 0x68, 0x00, 0x00, 0x54, 0x37, 0x21, 0xF8]);
    assert_eq!(iccid.to_string(), "8944478600004573128");
    assert_eq!("8944478600004573128".parse::<Iccid>().unwrap(), iccid);
}

#[test]
fn pysim_eid_check_digits() {
    for eid in [
        "89049032123451234512345678901235",
        "89086030202200000022000023022943",
        "89044045116727494800000004479366",
    ] {
        assert!(eid.parse::<Eid>().unwrap().check_digits_valid(), "{eid}");
    }
    assert!(!"89049032123451234512345678901234".parse::<Eid>().unwrap().check_digits_valid());
    for (input, expected) in [
        ("89049032123451234512345678901200", "89049032123451234512345678901235"),
        ("89086030202200000022000023022900", "89086030202200000022000023022943"),
        ("890490321234512345123456789012", "89049032123451234512345678901235"),
        ("89049032123451234512345678901299", "89049032123451234512345678901235"),
    ] {
        assert_eq!(Eid::with_check_digits(input).unwrap().to_string(), expected, "{input}");
    }
    assert!(Eid::with_check_digits("123").is_err());
}
