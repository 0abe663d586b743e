//! The test SM-DP+'s request parser and handler (GSMA SGP.22 §6.5 JSON binding, §5.6 ES9+
//! functions) fed arbitrary JSON bodies: it never panics, and answers 200 (JSON), 204, 400 or 404.
//!
//! Input: one selector byte, then the body. The selector's low bits pick the function path
//! (five ES9+ functions and an unknown one), bit 3 drops the X-Admin-Protocol header. A session
//! is opened first, and `@TX@` in the body is replaced by its transactionId, so the later
//! functions get past the session lookup.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oxicard_euicc::es9::InitiateAuthenticationRequest;
use oxicard_euicc::es10::{EuiccInfo1, Message, Version};
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, TestSmdp};

const ADDRESS: &str = "smdp.example.com";
const FUNCTIONS: [&str; 6] = [
    "initiateAuthentication",
    "authenticateClient",
    "getBoundProfilePackage",
    "handleNotification",
    "cancelSession",
    "unknown",
];

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::from_seed([3; 32]).expect("test PKI"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let pki = pki();
    let Ok(identity) = pki.smdp_identity() else { return };
    let Ok(iccid) = "8944478600004573128".parse() else { return };
    let package = ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "T", "S", ADDRESS));
    let mut smdp = TestSmdp::new(identity, ADDRESS).with_profile("", package);

    let ski = pki.ci().certificate().subject_key_identifier().unwrap_or_default().to_vec();
    let info1 = EuiccInfo1::new(Version { major: 2, minor: 2, revision: 2 }, vec![ski.clone()], vec![ski]);
    let init = InitiateAuthenticationRequest::new(ADDRESS.into(), [0; 16], info1.to_der());
    let Ok(session) = smdp.initiate_authentication(&init) else { return };
    let tx = session.transaction_id.to_string();

    let body = String::from_utf8_lossy(body).replace("@TX@", &tx);
    let function = FUNCTIONS[usize::from(selector & 0x07) % FUNCTIONS.len()];
    let path = format!("/gsma/rsp2/es9plus/{function}");
    let header = (selector & 0x08 == 0).then_some("gsma/rsp/v2.2.2");
    let answer = smdp.handle_request(&path, header, body.as_bytes());
    assert!(matches!(answer.status, 200 | 204 | 400 | 404), "status {}", answer.status);
    if answer.status == 200 {
        assert_eq!(answer.body.first(), Some(&b'{'));
    }
});
