//! ES9+/ES11 JSON responses (GSMA SGP.22 §6.5): every response decoder on arbitrary bytes and HTTP status
//! never panics; a decoded response re-encodes to JSON that decodes to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_euicc::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9,
    GetBoundProfilePackageRequest, GetBoundProfilePackageResponse, HandleNotificationRequest, HttpReply,
    InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction, RspRequest, TransactionId,
};
use oxicard_euicc::es11::{Es11AuthenticateClient, Es11AuthenticateClientResponse};

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        // First byte picks a status among the interesting ones; the rest is the body.
        Some((s, rest)) => ([200u16, 204, 201, 404, 500, 503][usize::from(*s) % 6], rest),
        None => (200, data),
    };
    let reply = HttpReply::new(status, Some("application/json"), body);
    let Ok(tx) = TransactionId::new(vec![0x01]) else { return };

    let init = InitiateAuthenticationRequest::new(String::new(), [0; 16], vec![]);
    if let Ok(r) = init.decode_response(RspFunction::Es9InitiateAuthentication, &reply) {
        let again =
            InitiateAuthenticationResponse::from_json(RspFunction::Es9InitiateAuthentication, &r.to_json());
        assert_eq!(again.ok(), Some(r));
    }
    let auth = AuthenticateClientRequest::new(tx.clone(), vec![]);
    if let Ok(r) = auth.decode_response(RspFunction::Es9AuthenticateClient, &reply) {
        let again = AuthenticateClientResponse::from_json(RspFunction::Es9AuthenticateClient, &r.to_json());
        assert_eq!(again.ok(), Some(r));
    }
    if let Ok(r) = Es11AuthenticateClient(&auth).decode_response(RspFunction::Es11AuthenticateClient, &reply)
    {
        let again =
            Es11AuthenticateClientResponse::from_json(RspFunction::Es11AuthenticateClient, &r.to_json());
        assert_eq!(again.ok(), Some(r));
    }
    let bpp = GetBoundProfilePackageRequest::new(tx.clone(), vec![]);
    if let Ok(r) = bpp.decode_response(RspFunction::Es9GetBoundProfilePackage, &reply) {
        let again =
            GetBoundProfilePackageResponse::from_json(RspFunction::Es9GetBoundProfilePackage, &r.to_json());
        assert_eq!(again.ok(), Some(r));
    }
    let _ =
        HandleNotificationRequest::new(vec![]).decode_response(RspFunction::Es9HandleNotification, &reply);
    let _ = CancelSessionRequestEs9::new(tx, vec![]).decode_response(RspFunction::Es9CancelSession, &reply);
    // Request decoders (used by test servers) too.
    let _ = InitiateAuthenticationRequest::from_json(RspFunction::Es9InitiateAuthentication, body);
    let _ = AuthenticateClientRequest::from_json(RspFunction::Es9AuthenticateClient, body);
    let _ = GetBoundProfilePackageRequest::from_json(RspFunction::Es9GetBoundProfilePackage, body);
    let _ = HandleNotificationRequest::from_json(RspFunction::Es9HandleNotification, body);
    let _ = CancelSessionRequestEs9::from_json(RspFunction::Es9CancelSession, body);
});
