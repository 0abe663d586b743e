//! SCP02 against published vectors (GP Card Spec v2.3.1 Appendix E), both sides: the
//! traces of pySim and kaoh/globalplatform (`tests/vectors/scp02_traces.txt`, each section
//! naming its source) replayed by the host side byte for byte and verified by the card side;
//! session keys (omfgp), session-key and diversified-key KCVs and PUT KEY key encryption
//! (GlobalPlatformPro). Every expected value below is printed by the source named next to it.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/vectors.rs"]
mod vectors;

use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp02::{
    CardChallenge, CardHandshake, DerivationConstant, Diversification, Handshake, IParameter, Initiation,
    SecretKey, SecurityLevel, SessionKeys, StaticKeys, diversify, encrypt_key_data, key_check_value,
    session_key,
};

fn traces() -> Vec<vectors::Section> {
    vectors::parse(include_str!("vectors/scp02_traces.txt"))
}

fn array<const N: usize>(s: &vectors::Section, key: &str) -> [u8; N] {
    s.hex(key).try_into().unwrap()
}

/// The static keys of a section under `kvn`.
fn keys(s: &vectors::Section, kvn: u8) -> StaticKeys {
    StaticKeys::new(kvn, &s.hex("enc"), &s.hex("mac"), &s.hex("dek")).unwrap()
}

fn pairs(s: &vectors::Section) -> Vec<(Vec<u8>, Vec<u8>)> {
    let plain = s.entries.iter().filter(|(k, _)| k == "plain").map(|(_, v)| hex::decode(v).unwrap());
    let wrapped = s.entries.iter().filter(|(k, _)| k == "wrapped").map(|(_, v)| hex::decode(v).unwrap());
    plain.zip(wrapped).collect()
}

#[test]
fn host_replays_published_traces() {
    let sections = traces();
    assert_eq!(sections.len(), 3);
    for s in &sections {
        let i = IParameter::from_byte(s.byte("i")).unwrap();
        let level = SecurityLevel::from_byte(s.byte("level")).unwrap();
        let hs =
            Handshake::new(keys(s, s.byte("kvn_requested")), i, &s.hex("host_challenge"), level).unwrap();
        let mut out = [0u8; 300];
        let n = hs.initialize_update_command(&mut out).unwrap();
        assert_eq!(out[..n], s.hex("init_update")[..], "[{}] INITIALIZE UPDATE", s.name);
        // A card may answer with another KVN than asked for (pySim's sysmocom cards): the
        // keys are then taken under the KVN the card used.
        let auth = hs
            .process_initialize_update_response_with(&s.hex("init_update_response"), |info| {
                Ok(Some(keys(s, info.kvn())))
            })
            .unwrap();
        assert_eq!(auth.card_info().kvn(), s.byte("kvn_card"));
        assert_eq!(auth.card_info().sequence_counter(), array::<2>(s, "sequence_counter"));
        let n = auth.external_authenticate_command(&mut out).unwrap();
        assert_eq!(out[..n], s.hex("external_authenticate")[..], "[{}] EXTERNAL AUTHENTICATE", s.name);
        let mut host = auth.process_external_authenticate_response(&[0x90, 0x00]).unwrap();
        for (step, (plain, wrapped)) in pairs(s).iter().enumerate() {
            assert_eq!(host.wrapped_len(plain).unwrap(), wrapped.len());
            let n = host.wrap(plain, &mut out).unwrap();
            assert_eq!(hex::encode_upper(&out[..n]), hex::encode_upper(wrapped), "[{}] step {step}", s.name);
            // No R-MAC at these levels: the response passes as it is.
            let m = host.unwrap(&[0x90, 0x00], &mut out).unwrap();
            assert_eq!(&out[..m], &[0x90, 0x00]);
        }
    }
}

#[test]
fn card_verifies_published_traces() {
    for s in &traces() {
        let i = IParameter::from_byte(s.byte("i")).unwrap();
        let card_keys = keys(s, s.byte("kvn_card"));
        // The card answers the published INITIALIZE UPDATE (asking for KVN 00 where the card
        // used another KVN than the host asked for) with the published response.
        let mut init_update = s.hex("init_update");
        if s.byte("kvn_requested") != s.byte("kvn_card") {
            init_update[2] = 0x00;
        }
        let mut out = [0u8; 300];
        let (card, n) = CardHandshake::initialize_update(
            &card_keys,
            i,
            array(s, "kdd"),
            array(s, "sequence_counter"),
            CardChallenge::Random(array(s, "card_challenge")),
            &init_update,
            &mut out,
        )
        .unwrap();
        assert_eq!(out[..n], s.hex("init_update_response")[..], "[{}] response", s.name);
        let mut session = card.external_authenticate(&s.hex("external_authenticate")).unwrap();
        assert_eq!(session.state().security_level().byte(), s.byte("level"));
        for (step, (plain, wrapped)) in pairs(s).iter().enumerate() {
            let n = session.unwrap_command(wrapped, &mut out).unwrap();
            assert_eq!(hex::encode_upper(&out[..n]), hex::encode_upper(plain), "[{}] step {step}", s.name);
            let m = session.wrap_response(&[0x6A, 0x88], &mut out).unwrap();
            assert_eq!(&out[..m], &[0x6A, 0x88]);
        }
        assert!(!session.state().is_terminated());
    }
}

// osmocom/pysim SCP02_Auth_Test: the response with its last byte changed to FF must be
// refused (card cryptogram mismatch) before EXTERNAL AUTHENTICATE.
#[test]
fn pysim_tampered_response_is_refused() {
    let s = &traces()[0];
    let hs = Handshake::new(keys(s, 0x70), IParameter::I15, &s.hex("host_challenge"), SecurityLevel::C_MAC)
        .unwrap();
    let mut response = s.hex("init_update_response");
    let last = response.len() - 3;
    response[last] = 0xFF;
    let err = hs.process_initialize_update_response(&response).unwrap_err();
    assert_eq!(err.kind, ErrorKind::CardCryptogramMismatch);
    // With the KVN it asked for (20), the host stops at the key version the card used (70).
    let hs = Handshake::new(keys(s, 0x20), IParameter::I15, &s.hex("host_challenge"), SecurityLevel::C_MAC)
        .unwrap();
    let err = hs.process_initialize_update_response(&s.hex("init_update_response")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::KeyVersionMismatch);
}

fn key(hex: &str) -> SecretKey {
    SecretKey::from_slice(&hex::decode(hex).unwrap()).unwrap()
}

// miketlk/omfgp tests/omfgp/scp02_test.py: base key 404142…4F, sequence counter 0007.
#[test]
fn omfgp_session_keys() {
    let keys =
        StaticKeys::from_base_key(0, &hex::decode("404142434445464748494a4b4c4d4e4f").unwrap()).unwrap();
    let s = SessionKeys::derive(&keys, [0x00, 0x07]);
    assert_eq!(hex::encode_upper(s.c_mac().as_bytes()), "7A227D376A9DBE23AB50B7DCB45B2093");
    assert_eq!(hex::encode_upper(s.r_mac().as_bytes()), "EF14C57DB4BB9015E88963D9D920A588");
    assert_eq!(hex::encode_upper(s.s_enc().as_bytes()), "A2268F71917EFE0F33CC6166E1154E27");
}

// martinpaljak/GlobalPlatformPro library/src/test/java/pro/javacard/gp/test/TestPlaintextKeys.java
// and tool/src/test/java/pro/javacard/gptool/TestPlaintextKeysProvider.java.
#[test]
fn globalplatformpro_kcvs_and_key_encryption() {
    let default = key("404142434445464748494a4b4c4d4e4f");
    // Static-key KCV (GPC v2.3.1 §B.6).
    assert_eq!(hex::encode_upper(key_check_value(default.as_bytes()).unwrap()), "8BAF47");
    // SCP02 session keys of 404142…4F at sequence counter 0000: their KCVs.
    let kcv = |c| hex::encode_upper(session_key(&default, c, [0, 0]).check_value());
    assert_eq!(kcv(DerivationConstant::SEnc), "F2DCDD");
    assert_eq!(kcv(DerivationConstant::CMac), "5FCC69");
    assert_eq!(kcv(DerivationConstant::Dek), "85272E");
    assert_eq!(kcv(DerivationConstant::RMac), "9F749A");
    // PUT KEY key data: 404142…4F under that session DEK, 3DES-ECB (GPC v2.3.1 §E.4.7).
    let dek = session_key(&default, DerivationConstant::Dek, [0, 0]);
    let mut out = [0u8; 16];
    encrypt_key_data(&dek, Initiation::Explicit, default.as_bytes(), &mut out).unwrap();
    assert_eq!(hex::encode_upper(out), "EFBEE6C6D99D7B70BDE9D7E927F020AF");
    // Diversified static keys, master 404142…4F, KDD 00010203040506070809: their KCVs.
    let kdd: [u8; 10] = hex::decode("00010203040506070809").unwrap().try_into().unwrap();
    let kcvs = |scheme| {
        let keys = diversify(&default, &kdd, scheme, 0x01);
        [keys.enc(), keys.mac(), keys.dek()].map(|k| hex::encode_upper(k.check_value()))
    };
    assert_eq!(kcvs(Diversification::EmvCps11), ["C33013", "6F4CA6", "BB8179"]);
    assert_eq!(kcvs(Diversification::Visa2), ["2BE598", "58DA38", "3C328E"]);
}

// osmocom/pysim pySim/global_platform/__init__.py: Card Recognition Data of a GP 2.1.1 card
// with SCP02 i = 15: `64 0B 06 09 2A864886FC6B040215`.
#[test]
fn pysim_card_recognition_i() {
    let oid = hex::decode("2A864886FC6B040215").unwrap();
    assert_eq!(IParameter::from_scp_oid(&oid).unwrap(), IParameter::I15);
}
