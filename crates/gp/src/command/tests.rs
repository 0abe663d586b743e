use oxicard_secure_channel::scp03::SecretKey;

use super::*;
use crate::cap::{CapFile, LoadOptions};
use crate::status::Privileges;
use crate::{DecodeError, DecodeErrorKind};
use oxicard_apdu::Command;

fn bytes(c: &Command) -> String {
    hex::encode_upper(c.to_vec().unwrap())
}

#[test]
fn install_for_install_real_trace() {
    // A real personalization trace quoted in a public repository's notes (SW 9000):
    // 80E60C00 2C 0C A0000000180F000001833032 0B A0000000180F0000018303 07 A0000000041010
    // 01 12 07 C905011100010500 — privileges 12, parameters C9 05 0111000105, no token.
    // The trace has no Le; INSTALL is case 4 here (Le 00, GPC v2.3.1 §11.5.2).
    let c = install_for_install_command(
        &hex::decode("A0000000180F000001833032").unwrap(),
        &hex::decode("A0000000180F0000018303").unwrap(),
        &hex::decode("A0000000041010").unwrap(),
        Privileges::CARD_LOCK.with(Privileges::CVM_MANAGEMENT),
        &InstallParameters { application: hex::decode("0111000105").unwrap(), ..Default::default() },
        true,
    )
    .unwrap();
    assert_eq!(
        bytes(&c),
        "80E60C002C0CA0000000180F0000018330320BA0000000180F000001830307A0000000041010011207C90501110001050000"
    );
}

#[test]
fn install_for_install_empty_parameters() {
    // GPC v2.3.1 Table 11-45 with privileges 00 and empty C9 (a public test script's
    // "INSTALL FOR INSTALL+SELECTABLE": 80E60C001E07A000000151000007A000000151000107A0000001510001010002C90000).
    let aid = hex::decode("A0000001510001").unwrap();
    let c = install_for_install_command(
        &hex::decode("A0000001510000").unwrap(),
        &aid,
        &aid,
        Privileges::NONE,
        &InstallParameters::default(),
        true,
    )
    .unwrap();
    assert_eq!(bytes(&c), "80E60C001E07A000000151000007A000000151000107A0000001510001010002C9000000");
    // Three-byte privileges when bytes 2/3 are used; P1 04 for install only.
    let c = install_for_install_command(
        &aid,
        &aid,
        &aid,
        Privileges::from_bytes([0x80, 0xC0, 0]),
        &InstallParameters::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        bytes(&c),
        "80E60400200 7A000000151000107A000000151000107A0000001510001038 0C000 02C90000 00".replace(' ', "")
    );
}

#[test]
fn install_parameters_pysim() {
    // osmocom/pysim tests/unittests/test_globalplatform.py Install_param_Test.
    let p = InstallParameters {
        non_volatile_memory: Some(256),
        volatile_memory: Some(256),
        toolkit: Some(hex::decode("010001001505000000000000000000000000").unwrap()),
        ..Default::default()
    };
    assert_eq!(
        hex::encode(p.encode().unwrap()),
        "c900ef1cc8020100c7020100ca12010001001505000000000000000000000000"
    );
    assert_eq!(hex::encode(InstallParameters::default().encode().unwrap()), "c900");
}

#[test]
fn install_for_load_and_personalization() {
    // Hand-built per GPC v2.3.1 Table 11-44: HelloSTK's package, the ISD by default, no hash.
    let c = install_for_load_command(&hex::decode("D07002CA44").unwrap(), &[], &[], &[]).unwrap();
    assert_eq!(bytes(&c), "80E602000A05D07002CA440000000000");
    let hash = [0xAB; 32];
    let c = install_for_load_command(
        &hex::decode("D07002CA44").unwrap(),
        &hex::decode("A000000151000000").unwrap(),
        &hash,
        &[],
    )
    .unwrap();
    assert_eq!(c.data().len(), 1 + 5 + 1 + 8 + 1 + 32 + 1 + 1);
    assert_eq!(c.data()[15], 0x20);
    // Table 11-47.
    let c = install_for_personalization_command(&hex::decode("A0000000041010").unwrap()).unwrap();
    assert_eq!(bytes(&c), "80E620000D000007A000000004101000000000");
    assert_eq!(
        install_for_load_command(&[0; 256], &[], &[], &[]).unwrap_err(),
        CommandError::TooLong { field: "load file AID", len: 256 }
    );
}

#[test]
fn load_blocks_hellostk() {
    let cap = CapFile::from_zip(include_bytes!("../../testdata/hellostk.cap")).unwrap();
    let lf = cap.load_file(LoadOptions::default());
    assert_eq!(lf.len(), 401);
    // 239 bytes per block: what fits C-DEC + 8-byte C-MAC (see CardChannel::max_command_data).
    let cmds = load_commands(&lf, 239).unwrap();
    assert_eq!(cmds.len(), 2);
    assert_eq!(hex::encode_upper(&cmds[0].to_vec().unwrap()[..9]), "80E80000EFC482018D");
    assert_eq!(cmds[1].to_vec().unwrap()[..5], [0x80, 0xE8, 0x80, 0x01, 162]);
    let joined: Vec<u8> = cmds.iter().flat_map(|c| c.data().to_vec()).collect();
    assert_eq!(joined, lf);
    assert_eq!(load_commands(&lf, 0).unwrap_err(), CommandError::ZeroBlockSize);
    assert_eq!(load_commands(&vec![0; 257], 1).unwrap_err(), CommandError::TooManyBlocks { blocks: 257 });
}

#[test]
fn delete_and_set_status() {
    // Public card scripts: 80E40000094F07A0000000031010 (DELETE, no Le); ours adds Le 00.
    let aid = hex::decode("A0000000031010").unwrap();
    assert_eq!(bytes(&delete_command(&aid, false).unwrap()), "80E40000094F07A000000003101000");
    assert_eq!(bytes(&delete_command(&aid, true).unwrap()), "80E40080094F07A000000003101000");
    assert_eq!(bytes(&delete_key_command(Some(1), Some(0x30))), "80E4000006D00101D2013000");
    // GPC v2.3.1 §11.10.2.1 (GlobalPlatformPro's lock / unlock: 80F04080 / 80F04000 with the AID).
    assert_eq!(bytes(&set_application_lock_command(&aid, true).unwrap()), "80F0408007A0000000031010");
    assert_eq!(bytes(&set_application_lock_command(&aid, false).unwrap()), "80F0400007A0000000031010");
    assert_eq!(bytes(&set_card_life_cycle_command(CardLifeCycle::Locked)), "80F0807F");
    assert_eq!(bytes(&set_card_life_cycle_command(CardLifeCycle::Secured)), "80F0800F");
    assert_eq!(bytes(&set_card_life_cycle_command(CardLifeCycle::Terminated)), "80F080FF");
}

#[test]
fn store_data_blocks() {
    // Hand-built per GPC v2.3.1 §11.11.2: DGI data in two blocks.
    let data = [0x01; 300];
    let c = store_data_commands(&data, StoreDataEncryption::None, StoreDataStructure::Dgi, 200).unwrap();
    assert_eq!(c[0].to_vec().unwrap()[..5], [0x80, 0xE2, 0x08, 0x00, 200]);
    assert_eq!(c[1].to_vec().unwrap()[..5], [0x80, 0xE2, 0x88, 0x01, 100]);
    let c =
        store_data_commands(&[], StoreDataEncryption::Encrypted, StoreDataStructure::BerTlv, 200).unwrap();
    assert_eq!(bytes(&c[0]), "80E2F00000");
}

#[test]
fn put_key_aes128() {
    // Keys: pySim's KEYSET_AES128 (test_globalplatform.py), put under KVN 31 with that set's DEK.
    // KCVs from pySim SCP03_KCV_Test (C35280, 013808, 840DE5); the ciphertexts were computed
    // independently (Python `cryptography`, AES-CBC, zero IV, GP Amendment D §6.2.8).
    let k = |h: &str| SecretKey::from_slice(&hex::decode(h).unwrap()).unwrap();
    let enc = k("000102030405060708090a0b0c0d0e0f");
    let mac = k("101112131415161718191a1b1c1d1e1f");
    let dek = k("202122232425262728292a2b2c2d2e2f");
    let pk = PutKey::aes_key_set(&dek, Some(0x30), 0x31, [&enc, &mac, &dek]).unwrap();
    assert_eq!(
        hex::encode(pk.command.to_vec().unwrap()),
        "80d830814631881110db7ce67af13de57a95d922e5325abf1303c35280881110771098a6b78cb45c029cf1c0ddee0f1b\
         03013808881110cc0dd15b23e6829e05f6e417f464b69903840de500"
    );
    assert_eq!(hex::encode(&pk.expected_response), "31c35280013808840de5");
    assert!(check_put_key_response(&pk, &hex::decode("31c35280013808840de5").unwrap()));
    assert!(!check_put_key_response(&pk, &hex::decode("31c35280013808840de4").unwrap()));
    assert!(!format!("{pk:?}").contains("db7ce6"));
    // A new set: P1 00.
    let pk = PutKey::aes_key_set(&dek, None, 0x32, [&enc, &mac, &dek]).unwrap();
    assert_eq!(pk.command.to_vec().unwrap()[2], 0x00);
}

#[test]
fn put_key_aes192_block_completion() {
    // A 24-byte key fills two blocks (8 completion bytes 00): 88 21 18 E(key‖00×8) 03 KCV,
    // computed independently as above.
    let k24 =
        SecretKey::from_slice(&hex::decode("000102030405060708090a0b0c0d0e0f0001020304050607").unwrap())
            .unwrap();
    let dek = SecretKey::from_slice(&hex::decode("202122232425262728292a2b2c2d2e2f").unwrap()).unwrap();
    let pk = PutKey::aes_key_set(&dek, None, 0x31, [&k24, &k24, &k24]).unwrap();
    assert_eq!(
        hex::encode(&pk.command.data()[1..40]),
        "882118db7ce67af13de57a95d922e5325abf1394d2d75229f660beb98083b86946c7230342d79d"
    );
    let k16 = SecretKey::from_slice(&[0; 16]).unwrap();
    assert_eq!(
        PutKey::aes_key_set(&dek, None, 0x31, [&k24, &k16, &k24]).unwrap_err(),
        CommandError::InvalidKey("keys of different lengths")
    );
}

#[test]
fn install_for_load_gpshell_trace() {
    // A GPShell log (configure_gpshell_log.txt) quoted in a public repository's tests:
    // "80E602001C09A0000003080000100008A0000001510000000006EF04C60268F80000" — the PIV package
    // into the ISD, no hash, load parameters EF { C6 (non-volatile code limit) 68F8 }, no token, Le 00.
    let c = install_for_load_command(
        &hex::decode("A00000030800001000").unwrap(),
        &hex::decode("A000000151000000").unwrap(),
        &[],
        &LoadParameters { non_volatile_code: Some(0x68F8), ..Default::default() }.encode(),
    )
    .unwrap();
    assert_eq!(bytes(&c), "80E602001C09A0000003080000100008A0000001510000000006EF04C60268F80000");
}

#[test]
fn load_parameters() {
    assert!(LoadParameters::default().encode().is_empty());
    // Hand-built per GPC v2.3.1 Table 11-49.
    let p = LoadParameters {
        non_volatile_code: Some(0x1000),
        volatile_data: Some(0x20),
        non_volatile_data: Some(0x300),
    };
    assert_eq!(hex::encode_upper(p.encode()), "EF0CC6021000C7020020C8020300");
}

#[test]
fn card_side_parsers_round_trip() {
    let aid = hex::decode("A0000000031010").unwrap();
    let c = install_for_load_command(&aid, &[], &[0x11; 32], &[]).unwrap();
    assert_eq!(
        InstallRequest::parse(0x02, c.data()).unwrap(),
        InstallRequest::ForLoad {
            load_file_aid: aid.clone(),
            security_domain_aid: vec![],
            hash: vec![0x11; 32],
            load_parameters: vec![],
            token: vec![],
        }
    );
    let params = InstallParameters { application: vec![1, 2], ..Default::default() };
    let c =
        install_for_install_command(&aid, &aid, &aid, Privileges::SECURITY_DOMAIN, &params, true).unwrap();
    assert_eq!(
        InstallRequest::parse(0x0C, c.data()).unwrap(),
        InstallRequest::ForInstall {
            load_file_aid: aid.clone(),
            module_aid: aid.clone(),
            application_aid: aid.clone(),
            privileges: Privileges::SECURITY_DOMAIN,
            parameters: params.encode().unwrap(),
            token: vec![],
            make_selectable: true,
        }
    );
    let c = install_for_personalization_command(&aid).unwrap();
    assert_eq!(
        InstallRequest::parse(0x20, c.data()).unwrap(),
        InstallRequest::ForPersonalization { application_aid: aid.clone() }
    );
    assert_eq!(InstallRequest::parse(0x40, &[]).unwrap_err().kind, DecodeErrorKind::InvalidValue);
    assert_eq!(
        InstallRequest::parse(0x02, &c.data()[..3]).unwrap_err(),
        DecodeError::new(DecodeErrorKind::Truncated, 3)
    );

    assert_eq!(
        DeleteRequest::parse(delete_command(&aid, true).unwrap().data()).unwrap(),
        DeleteRequest::Object(aid)
    );
    assert_eq!(
        DeleteRequest::parse(delete_key_command(None, Some(0x30)).data()).unwrap(),
        DeleteRequest::Key { id: None, version: Some(0x30) }
    );
    assert_eq!(DeleteRequest::parse(&[]).unwrap_err().kind, DecodeErrorKind::Missing);
}

#[test]
fn put_key_card_side() {
    let k = |h: &str| SecretKey::from_slice(&hex::decode(h).unwrap()).unwrap();
    let enc = k("000102030405060708090a0b0c0d0e0f");
    let mac = k("101112131415161718191a1b1c1d1e1f");
    let dek = k("202122232425262728292a2b2c2d2e2f");
    let pk = PutKey::aes_key_set(&dek, Some(0x30), 0x31, [&enc, &mac, &dek]).unwrap();
    let request = PutKeyRequest::parse(pk.command.data(), &dek).unwrap();
    assert_eq!(request.new_kvn, 0x31);
    assert_eq!(request.keys, [enc.clone(), mac.clone(), dek.clone()]);
    assert_eq!(request.response(), pk.expected_response);
    // Under another DEK the KCV check fails (first KCV at offset 1 + 3 + 16 = 20).
    assert_eq!(
        PutKeyRequest::parse(pk.command.data(), &mac).unwrap_err(),
        DecodeError::new(DecodeErrorKind::InvalidValue, 20)
    );
}
