//! ES9+/ES11 JSON binding (SGP.22 §6.5): shapes, header handling, errors, round trips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9, Es9Error,
    ExecutionStatus, GetBoundProfilePackageRequest, GetBoundProfilePackageResponse,
    HandleNotificationRequest, HttpReply, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
    RspFunction, RspRequest, STATUS_CODES, StatusCode, TransactionId, encode_failure_response,
    status_code_meaning,
};
use oxicard_euicc::es11::{Es11AuthenticateClient, Es11AuthenticateClientResponse, EventEntry};
use oxicard_transport::ErrorChain;
use proptest::prelude::*;

const F: RspFunction = RspFunction::Es9InitiateAuthentication;

/// The body osmo-smdpp sends for an unknown SM-DP+ address: `ApiError('8.8.1', '3.8', 'Invalid SM-DP+
/// Address').encode()` = `json.dumps` of `build_resp_header(js, 'Failed', build_status_code(…))`
/// (osmocom/pysim `osmo-smdpp.py`), with Python's default separators.
const OSMO_SMDPP_FAILED: &str = r#"{"header": {"functionExecutionStatus": {"status": "Failed", "statusCodeData": {"subjectCode": "8.8.1", "reasonCode": "3.8", "message": "Invalid SM-DP+ Address"}}}}"#;

#[test]
fn osmo_smdpp_failure_is_mapped() {
    let err = InitiateAuthenticationResponse::from_json(F, OSMO_SMDPP_FAILED.as_bytes()).unwrap_err();
    let Es9Error::FunctionFailed { function, status, code: Some(code) } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*function, F);
    assert_eq!(*status, ExecutionStatus::Failed);
    assert_eq!(*code, {
        let mut status_code = StatusCode::new("8.8.1".into(), "3.8".into());
        status_code.message = Some("Invalid SM-DP+ Address".into());
        status_code
    });
    assert_eq!(code.meaning(), Some("invalid SM-DP+ address"));
    assert_eq!(err.status_code(), Some(code));
    assert_eq!(
        err.to_string(),
        "ES9+.InitiateAuthentication Failed: subjectCode 8.8.1 (SM-DP+ address) reasonCode 3.8 (refused): \
         invalid SM-DP+ address, message \"Invalid SM-DP+ Address\""
    );
}

#[test]
fn failure_encoder_matches_decoder() {
    let code = {
        let mut status_code = StatusCode::new("8.2.7".into(), "3.8".into());
        status_code.subject_identifier = Some("x".into());
        status_code
    };
    let body = encode_failure_response(ExecutionStatus::Expired, &code);
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"{"header":{"functionExecutionStatus":{"status":"Expired","statusCodeData":{"reasonCode":"3.8","subjectCode":"8.2.7","subjectIdentifier":"x"}}}}"#
    );
    let err =
        GetBoundProfilePackageResponse::from_json(RspFunction::Es9GetBoundProfilePackage, &body).unwrap_err();
    assert!(matches!(
        err,
        Es9Error::FunctionFailed { status: ExecutionStatus::Expired, code: Some(ref c), .. } if *c == code
    ));
    assert_eq!(code.meaning(), Some("confirmation code refused"));
}

#[test]
fn status_table() {
    assert_eq!(status_code_meaning("8.2.6", "3.8"), Some("MatchingID (AC_Token or EventID) refused"));
    assert_eq!(
        status_code_meaning("8.10.1", "3.9"),
        Some("the RSP session identified by the TransactionID is unknown")
    );
    assert_eq!(status_code_meaning("8.9.5", "3.9"), Some("no event with this EventID exists for the EID"));
    assert_eq!(status_code_meaning("9.9", "9.9"), None);
    for (i, a) in STATUS_CODES.iter().enumerate() {
        for b in &STATUS_CODES[i + 1..] {
            assert!((a.subject_code, a.reason_code) != (b.subject_code, b.reason_code), "{a:?} twice");
        }
    }
}

/// Hand-built example in the shape of an ES9+ initiateAuthentication response (SGP.22 §6.5; the DER values are
/// short placeholders, not real signatures).
const INITIATE_AUTH_OK: &str = r#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},
 "transactionId":"0123456789ABCDEF0123456789ABCDEF",
 "serverSigned1":"MAOAAQE=","serverSignature1":"XzcCAQI=","euiccCiPKIdToBeUsed":"BAL1QQ==",
 "serverCertificate":"MAA=","otherCertsInChain":"ignored"}"#;

fn initiate_auth_ok() -> InitiateAuthenticationResponse {
    InitiateAuthenticationResponse::new(
        "0123456789ABCDEF0123456789ABCDEF".parse().unwrap(),
        vec![0x30, 0x03, 0x80, 0x01, 0x01],
        vec![0x5F, 0x37, 0x02, 0x01, 0x02],
        vec![0x04, 0x02, 0xF5, 0x41],
        vec![0x30, 0x00],
    )
}

#[test]
fn initiate_authentication_success() {
    let r = InitiateAuthenticationResponse::from_json(F, INITIATE_AUTH_OK.as_bytes()).unwrap();
    assert_eq!(r, initiate_auth_ok());
    assert_eq!(r.transaction_id.as_bytes()[..2], [0x01, 0x23]);
}

#[test]
fn with_warning_is_success() {
    let body = INITIATE_AUTH_OK.replace(
        r#""status":"Executed-Success""#,
        r#""status":"Executed-WithWarning","statusCodeData":{"subjectCode":"8.1","reasonCode":"4.8"}"#,
    );
    assert_eq!(InitiateAuthenticationResponse::from_json(F, body.as_bytes()).unwrap(), initiate_auth_ok());
}

fn err_of(body: &str) -> Es9Error {
    InitiateAuthenticationResponse::from_json(F, body.as_bytes()).unwrap_err()
}

#[test]
fn missing_and_invalid_members() {
    let no_signed = INITIATE_AUTH_OK.replace(r#""serverSigned1":"MAOAAQE=","#, "");
    assert!(matches!(err_of(&no_signed), Es9Error::MissingField { field: "serverSigned1", .. }));

    let null_cert = INITIATE_AUTH_OK.replace(r#""MAA=""#, "null");
    assert!(matches!(err_of(&null_cert), Es9Error::MissingField { field: "serverCertificate", .. }));

    let bad_b64 = INITIATE_AUTH_OK.replace("MAOAAQE=", "MA*AAQE=");
    let e = err_of(&bad_b64);
    assert!(matches!(e, Es9Error::InvalidField { field: "serverSigned1", .. }), "{e:?}");
    // The base64 decoder's error is the source, said once.
    assert_eq!(
        ErrorChain(&e).messages(),
        [
            "ES9+.InitiateAuthentication: member \"serverSigned1\" is invalid: not base64",
            "Invalid symbol 42, offset 2."
        ]
    );

    let number = INITIATE_AUTH_OK.replace(r#""MAA=""#, "5");
    let e = err_of(&number);
    assert!(matches!(e, Es9Error::InvalidField { field: "serverCertificate", .. }), "{e:?}");

    let bad_tx = INITIATE_AUTH_OK.replace("0123456789ABCDEF0123456789ABCDEF", "TXN_12345");
    let e = err_of(&bad_tx);
    assert!(matches!(e, Es9Error::InvalidField { field: "transactionId", .. }), "{e:?}");
    assert_eq!(
        ErrorChain(&e).to_string(),
        "ES9+.InitiateAuthentication: member \"transactionId\" is invalid: not a TransactionID: \"TXN_12345\" \
         is not hex: Odd number of digits"
    );

    let long_tx = INITIATE_AUTH_OK.replace("0123456789ABCDEF0123456789ABCDEF", &"AB".repeat(17));
    let e = err_of(&long_tx);
    assert!(matches!(e, Es9Error::InvalidField { field: "transactionId", .. }), "{e:?}");
    assert_eq!(
        ErrorChain(&e).to_string(),
        "ES9+.InitiateAuthentication: member \"transactionId\" is invalid: not a TransactionID: 17 bytes, \
         where a TransactionID has 1 to 16"
    );

    assert!(matches!(err_of(r#"{"transactionId":"01"}"#), Es9Error::MissingField { field: "header", .. }));
    assert!(matches!(
        err_of(r#"{"header":{}}"#),
        Es9Error::MissingField { field: "header.functionExecutionStatus", .. }
    ));
    assert!(matches!(
        err_of(r#"{"header":{"functionExecutionStatus":{}}}"#),
        Es9Error::MissingField { field: "header.functionExecutionStatus.status", .. }
    ));
    assert!(matches!(
        err_of(r#"{"header":{"functionExecutionStatus":{"status":"Done"}}}"#),
        Es9Error::InvalidField { field: "header.functionExecutionStatus.status", .. }
    ));
    assert!(matches!(
        err_of(
            r#"{"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"reasonCode":"1"}}}}"#
        ),
        Es9Error::MissingField { field: "header.functionExecutionStatus.statusCodeData.subjectCode", .. }
    ));
    assert!(matches!(err_of("[1,2]"), Es9Error::Malformed { .. }));
    assert!(matches!(err_of("<html><body>Bad Gateway</body></html>"), Es9Error::NotJson { .. }));
    assert!(matches!(err_of(r#"{"header": "#), Es9Error::NotJson { .. }));
    assert!(matches!(err_of(""), Es9Error::Malformed { .. }));
}

#[test]
fn base64_tolerates_line_breaks_and_missing_padding() {
    // lpac `es9p_base64_trim` strips CR/LF/space from server base64.
    let body = INITIATE_AUTH_OK.replace("MAOAAQE=", "MAOA\\r\\nAQE").replace("BAL1QQ==", "BAL1QQ");
    assert_eq!(InitiateAuthenticationResponse::from_json(F, body.as_bytes()).unwrap(), initiate_auth_ok());
}

#[test]
fn transaction_id_hex() {
    let t: TransactionId = "0a0b".parse().unwrap();
    assert_eq!(t.to_string(), "0A0B");
    assert_eq!(t.as_bytes(), [0x0A, 0x0B]);
    assert!("".parse::<TransactionId>().is_err());
    assert!("0".parse::<TransactionId>().is_err());
    assert!(TransactionId::new(vec![0; 17]).is_err());
    assert!(TransactionId::new(vec![0; 16]).is_ok());
}

#[test]
fn request_bodies_exact() {
    let req = InitiateAuthenticationRequest::new(
        "testsmdpplus1.example.com".into(),
        core::array::from_fn(|i| i as u8),
        vec![0xBF, 0x20, 0x00],
    );
    assert_eq!(
        String::from_utf8(req.to_json()).unwrap(),
        r#"{"euiccChallenge":"AAECAwQFBgcICQoLDA0ODw==","euiccInfo1":"vyAA","smdpAddress":"testsmdpplus1.example.com"}"#
    );
    let req = HandleNotificationRequest::new(vec![0xBF, 0x37, 0x00]);
    assert_eq!(String::from_utf8(req.to_json()).unwrap(), r#"{"pendingNotification":"vzcA"}"#);
    let req =
        CancelSessionRequestEs9::new(TransactionId::new(vec![0xAB, 0xCD]).unwrap(), vec![0xBF, 0x41, 0x00]);
    assert_eq!(
        String::from_utf8(req.to_json()).unwrap(),
        r#"{"cancelSessionResponse":"v0EA","transactionId":"ABCD"}"#
    );
}

#[test]
fn euicc_challenge_must_be_16_bytes() {
    let body = br#"{"smdpAddress":"a","euiccChallenge":"AAEC","euiccInfo1":"vyAA"}"#;
    let e = InitiateAuthenticationRequest::from_json(F, body).unwrap_err();
    assert!(matches!(e, Es9Error::InvalidField { field: "euiccChallenge", .. }), "{e:?}");
}

fn reply(status: u16, body: &[u8]) -> HttpReply<'_> {
    HttpReply::new(status, Some("application/json"), body)
}

#[test]
fn handle_notification_replies() {
    let req = HandleNotificationRequest::new(vec![1]);
    let f = RspFunction::Es9HandleNotification;
    req.decode_response(f, &reply(204, b"")).unwrap();
    req.decode_response(
        f,
        &reply(200, br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}}}"#),
    )
    .unwrap();
    assert!(matches!(
        req.decode_response(f, &reply(200, OSMO_SMDPP_FAILED.as_bytes())),
        Err(Es9Error::FunctionFailed { .. })
    ));
    assert!(matches!(
        req.decode_response(f, &reply(503, b"down")),
        Err(Es9Error::HttpStatus { status: 503, .. })
    ));
}

#[test]
fn transaction_id_mismatch_detected() {
    let req =
        GetBoundProfilePackageRequest::new(TransactionId::new(vec![1, 2]).unwrap(), vec![0xBF, 0x21, 0x00]);
    let resp = {
        let mut get_bound_profile_package_response =
            GetBoundProfilePackageResponse::new(vec![0xBF, 0x36, 0x00]);
        get_bound_profile_package_response.transaction_id = Some(TransactionId::new(vec![3, 4]).unwrap());
        get_bound_profile_package_response
    };
    let e = req
        .decode_response(RspFunction::Es9GetBoundProfilePackage, &reply(200, &resp.to_json()))
        .unwrap_err();
    assert!(matches!(e, Es9Error::TransactionIdMismatch { .. }), "{e:?}");
    // Missing transactionId is accepted (lpac does not read it).
    let resp = {
        let mut get_bound_profile_package_response = resp;
        get_bound_profile_package_response.transaction_id = None;
        get_bound_profile_package_response
    };
    let got =
        req.decode_response(RspFunction::Es9GetBoundProfilePackage, &reply(200, &resp.to_json())).unwrap();
    assert_eq!(got, resp);
}

/// ES11 event list in the shape of lpac `es11_authenticate_client` / euicc-go `v2/es11.go`
/// (`eventEntries: [{eventId, rspServerAddress}]`); the values are hand-made (EventID `E`,
/// address `a.b`).
#[test]
fn es11_event_entries() {
    let body = br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"transactionId":"01",
        "eventEntries":[{"eventId":"E","rspServerAddress":"a.b"}]}"#;
    let r = Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, body).unwrap();
    assert_eq!(r.event_entries, vec![EventEntry::new("E".into(), "a.b".into())]);
    let ac = r.event_entries[0].to_activation_code().unwrap();
    assert_eq!(ac.to_string(), "1$a.b$E");

    let empty = br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"eventEntries":[]}"#;
    let r = Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, empty).unwrap();
    assert!(r.event_entries.is_empty());

    let missing = br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}}}"#;
    assert!(matches!(
        Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, missing),
        Err(Es9Error::MissingField { field: "eventEntries", .. })
    ));
    let bad = br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"eventEntries":[{"eventId":"E"}]}"#;
    assert!(matches!(
        Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, bad),
        Err(Es9Error::MissingField { field: "eventEntries[].rspServerAddress", .. })
    ));

    // The transactionId must match the request's.
    let req = AuthenticateClientRequest::new(TransactionId::new(vec![2]).unwrap(), vec![]);
    let e = Es11AuthenticateClient(&req)
        .decode_response(RspFunction::Es11AuthenticateClient, &reply(200, body))
        .unwrap_err();
    assert!(matches!(e, Es9Error::TransactionIdMismatch { .. }));
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..64)
}

fn tx() -> impl Strategy<Value = TransactionId> {
    prop::collection::vec(any::<u8>(), 1..=16).prop_map(|b| TransactionId::new(b).unwrap())
}

proptest! {
    #[test]
    fn round_trip_initiate_authentication(addr in "[a-z.]{1,20}", ch in any::<[u8; 16]>(), info in bytes(),
                                          t in tx(), a in bytes(), b in bytes(), c in bytes(), d in bytes()) {
        let req = InitiateAuthenticationRequest::new(addr, ch, info);
        prop_assert_eq!(InitiateAuthenticationRequest::from_json(F, &req.to_json()).unwrap(), req);
        let resp = InitiateAuthenticationResponse::new(t, a, b, c, d);
        prop_assert_eq!(InitiateAuthenticationResponse::from_json(F, &resp.to_json()).unwrap(), resp);
    }

    #[test]
    fn round_trip_authenticate_client(t in tx(), asr in bytes(), t2 in prop::option::of(tx()),
                                      md in prop::option::of(bytes()), a in bytes(), b in bytes(), c in bytes()) {
        let f = RspFunction::Es9AuthenticateClient;
        let req = AuthenticateClientRequest::new(t, asr);
        prop_assert_eq!(AuthenticateClientRequest::from_json(f, &req.to_json()).unwrap(), req);
        let resp = {
            let mut authenticate_client_response = AuthenticateClientResponse::new(a, b, c);
            authenticate_client_response.transaction_id = t2;
            authenticate_client_response.profile_metadata = md;
            authenticate_client_response
        };
        prop_assert_eq!(AuthenticateClientResponse::from_json(f, &resp.to_json()).unwrap(), resp);
    }

    #[test]
    fn round_trip_bpp_notification_cancel(t in tx(), pdr in bytes(), t2 in prop::option::of(tx()), bpp in bytes(),
                                          n in bytes(), csr in bytes()) {
        let f = RspFunction::Es9GetBoundProfilePackage;
        let req = GetBoundProfilePackageRequest::new(t.clone(), pdr);
        prop_assert_eq!(GetBoundProfilePackageRequest::from_json(f, &req.to_json()).unwrap(), req);
        let resp = {
            let mut get_bound_profile_package_response = GetBoundProfilePackageResponse::new(bpp);
            get_bound_profile_package_response.transaction_id = t2;
            get_bound_profile_package_response
        };
        prop_assert_eq!(GetBoundProfilePackageResponse::from_json(f, &resp.to_json()).unwrap(), resp);
        let req = HandleNotificationRequest::new(n);
        prop_assert_eq!(HandleNotificationRequest::from_json(RspFunction::Es9HandleNotification, &req.to_json()).unwrap(), req);
        let req = CancelSessionRequestEs9::new(t, csr);
        prop_assert_eq!(CancelSessionRequestEs9::from_json(RspFunction::Es9CancelSession, &req.to_json()).unwrap(), req);
    }

    #[test]
    fn round_trip_es11(t in prop::option::of(tx()), entries in prop::collection::vec(("\\PC{0,12}", "\\PC{0,12}"), 0..4)) {
        let resp = {
            let mut es11_authenticate_client_response = Es11AuthenticateClientResponse::default();
            es11_authenticate_client_response.transaction_id = t;
            es11_authenticate_client_response.event_entries = entries.into_iter().map(|(e, a)| EventEntry::new(e, a)).collect();
            es11_authenticate_client_response
        };
        prop_assert_eq!(Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, &resp.to_json()).unwrap(), resp);
    }

    #[test]
    fn decoders_never_panic(body in prop::collection::vec(any::<u8>(), 0..200), status in 100u16..600) {
        let r = HttpReply::new(status, None, &body);
        let t = TransactionId::new(vec![1]).unwrap();
        let _ = InitiateAuthenticationRequest::new(String::new(), [0; 16], vec![])
            .decode_response(F, &r);
        let _ = AuthenticateClientRequest::new(t.clone(), vec![])
            .decode_response(RspFunction::Es9AuthenticateClient, &r);
        let _ = GetBoundProfilePackageRequest::new(t.clone(), vec![])
            .decode_response(RspFunction::Es9GetBoundProfilePackage, &r);
        let _ = HandleNotificationRequest::new(vec![]).decode_response(RspFunction::Es9HandleNotification, &r);
        let _ = CancelSessionRequestEs9::new(t, vec![]).decode_response(RspFunction::Es9CancelSession, &r);
    }
}
