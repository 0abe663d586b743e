//! The byte strings behind each SGP.22 signature (SGP.22 §5.5–§5.7, as pySim's `osmo-smdpp.py`
//! signs and verifies them), signed with one identity and verified with the certificate's key.
//!
//! The TLVs below are hand-built examples in the shape of SGP.22 §5.7 messages (not captured
//! vectors); the assertions pin the exact concatenation rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::pki::{PkiError, SignedData, Tr03111Signature};
use oxicard_sim::pki::TestPki;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// One TLV with a short-form or `81` length (values < 256 bytes), tag given as hex.
fn tlv(tag: &str, value: &[u8]) -> Vec<u8> {
    let mut out = h(tag);
    if value.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(u8::try_from(value.len()).unwrap());
    out.extend_from_slice(value);
    out
}

/// serverSigned1 `30 { 80 txId, 81 euiccChallenge(16), 83 serverAddress, 84 serverChallenge(16) }`.
fn server_signed1() -> Vec<u8> {
    tlv(
        "30",
        &h(
            "8003 010203 8110 00112233445566778899aabbccddeeff 8309 3132372e302e302e31 8410 ffeeddccbbaa99887766554433221100",
        ),
    )
}

#[test]
fn every_message_kind_signs_and_verifies_with_the_right_key() {
    let pki = TestPki::from_seed([3; 32]).unwrap();
    let euicc = pki.euicc_identity().unwrap();
    let smdp = pki.smdp_identity().unwrap();

    let server_signed1 = server_signed1();
    let sig1 = smdp.sign(&SignedData::ServerSigned1 { server_signed1: &server_signed1 }).unwrap();
    let euicc_signed1 = tlv("30", &h("8003 010203 8306 6c6f63616c68"));
    let euicc_sig1 = euicc.sign(&SignedData::EuiccSigned1 { euicc_signed1: &euicc_signed1 }).unwrap();
    let euicc_sig1_tlv = euicc_sig1.to_tlv();
    let smdp_signed2 = tlv("30", &h("8003 010203 010100"));
    let smdp_sig2 = smdp
        .sign(&SignedData::SmdpSigned2 { smdp_signed2: &smdp_signed2, euicc_signature1: &euicc_sig1_tlv })
        .unwrap();
    let smdp_sig2_tlv = smdp_sig2.to_tlv();
    let otpk = *pki.euicc().private_key().public_key().to_uncompressed().first_chunk::<65>().unwrap();
    let euicc_signed2 = tlv("30", &[h("8003 010203"), tlv("5f49", &otpk)].concat());
    let bf27 = tlv("bf27", &h("8003 010203 a203 a00100"));
    let cancel = tlv("30", &h("8003 010203 8103 883701 820105"));
    let bf2f = tlv("bf2f", &h("8001 01 8102 0780 0c02 6869"));

    let cases: Vec<(SignedData<'_>, bool)> = vec![
        (SignedData::ServerSigned1 { server_signed1: &server_signed1 }, false),
        (SignedData::EuiccSigned1 { euicc_signed1: &euicc_signed1 }, true),
        (SignedData::SmdpSigned2 { smdp_signed2: &smdp_signed2, euicc_signature1: &euicc_sig1_tlv }, false),
        (SignedData::EuiccSigned2 { euicc_signed2: &euicc_signed2, smdp_signature2: &smdp_sig2_tlv }, true),
        (SignedData::ProfileInstallationResultData { data: &bf27 }, true),
        (SignedData::EuiccCancelSessionSigned { signed: &cancel }, true),
        (SignedData::OtherNotification { tbs_other_notification: &bf2f }, true),
    ];
    SignedData::ServerSigned1 { server_signed1: &server_signed1 }
        .verify(pki.dp_auth().certificate().public_key(), &sig1)
        .unwrap();
    for (data, by_euicc) in cases {
        let (signature, key, other) = if by_euicc {
            (
                euicc.sign(&data).unwrap(),
                pki.euicc().certificate().public_key(),
                pki.dp_pb().certificate().public_key(),
            )
        } else {
            let key = if data.signer_role() == oxicard_euicc::pki::oid::RspRole::DpAuth {
                pki.dp_auth()
            } else {
                pki.dp_pb()
            };
            (
                smdp.sign(&data).unwrap(),
                key.certificate().public_key(),
                pki.euicc().certificate().public_key(),
            )
        };
        data.verify(key, &signature).unwrap();
        data.verify_tlv(key, &signature.to_tlv()).unwrap();
        assert!(matches!(data.verify(other, &signature), Err(PkiError::InvalidSignature)), "{data:?}");
        // The wrong party refuses to sign.
        if by_euicc {
            assert!(smdp.sign(&data).is_err());
        } else {
            assert!(euicc.sign(&data).is_err());
        }
    }
}

#[test]
fn signed_bytes_follow_the_concatenation_rules() {
    let sig = Tr03111Signature::from_bytes([0x11; 64]).to_tlv();
    let signed2 = h("3003 800101");
    let expected: Vec<u8> = [signed2.clone(), sig.clone()].concat();
    assert_eq!(
        SignedData::SmdpSigned2 { smdp_signed2: &signed2, euicc_signature1: &sig }.message().unwrap(),
        expected
    );
    assert_eq!(
        SignedData::EuiccSigned2 { euicc_signed2: &signed2, smdp_signature2: &sig }.message().unwrap(),
        expected
    );
    assert_eq!(&expected[5..8], &[0x5F, 0x37, 0x40]);
    // Wrong outer tags and trailing bytes are refused.
    assert!(SignedData::ServerSigned1 { server_signed1: &h("a003 800101") }.message().is_err());
    assert!(SignedData::EuiccSigned1 { euicc_signed1: &h("3003 800101 00") }.message().is_err());
    assert!(SignedData::ProfileInstallationResultData { data: &signed2 }.message().is_err());
    assert!(
        SignedData::SmdpSigned2 { smdp_signed2: &signed2, euicc_signature1: &sig[..66] }.message().is_err()
    );
}

#[test]
fn initialise_secure_channel_signed_part() {
    // BF23 { 82 01 01, 80 03 txId, A6 { 80 01 88, 81 01 10, 84 08 hostId }, 5F49 41 otPK.DP, 5F37 40 smdpSign }:
    // the signed bytes are the members before 5F37, then 5F49 41 otPK.EUICC
    // (SGP.22 §5.5.1; pysim es8p.gen_init_sec_chan_signed_part).
    let pki = TestPki::from_seed([4; 32]).unwrap();
    let smdp = pki.smdp_identity().unwrap();
    let ot_dp = oxicard_euicc::pki::OneTimeKeyPair::generate(oxicard_euicc::pki::Curve::NistP256).unwrap();
    let ot_euicc = oxicard_euicc::pki::OneTimeKeyPair::generate(oxicard_euicc::pki::Curve::NistP256).unwrap();
    let crt = tlv("a6", &h("800188 810110 8408 8080808080808080"));
    let members = [h("820101 8003 010203"), crt, tlv("5f49", ot_dp.public_uncompressed())].concat();
    let expected = [members.clone(), tlv("5f49", ot_euicc.public_uncompressed())].concat();
    assert_eq!(&expected[..10], &h("820101 8003 010203 a610"));

    // Unsigned request (as the SM-DP+ builds it) → signature → complete request.
    let unsigned = tlv("bf23", &members);
    let data = SignedData::InitialiseSecureChannel {
        request: &unsigned,
        euicc_otpk: ot_euicc.public_uncompressed(),
    };
    assert_eq!(data.message().unwrap(), expected);
    let signature = smdp.sign(&data).unwrap();
    let mut content = members.clone();
    content.extend_from_slice(&signature.to_tlv());
    let request = tlv("bf23", &content);

    // The eUICC verifies the received BF23 (its own 5F37 excluded from the signed bytes).
    let received =
        SignedData::InitialiseSecureChannel { request: &request, euicc_otpk: ot_euicc.public_uncompressed() };
    assert_eq!(received.message().unwrap(), expected);
    received.verify(pki.dp_pb().certificate().public_key(), &signature).unwrap();
    // Another eUICC one-time key changes the signed bytes.
    let other =
        SignedData::InitialiseSecureChannel { request: &request, euicc_otpk: ot_dp.public_uncompressed() };
    assert!(other.verify(pki.dp_pb().certificate().public_key(), &signature).is_err());
    // Both ends derive the same shared secret.
    assert_eq!(
        ot_euicc.agree(ot_dp.public_uncompressed()).unwrap(),
        ot_dp.agree(ot_euicc.public_uncompressed()).unwrap()
    );
}
