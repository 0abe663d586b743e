//! The simulated GlobalPlatform card ([`GpCard`]) driven in process by the gp crate's
//! operations over an SCP03 session: the full update cycle, key rotation, every security
//! level, wrong keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::Aid;
use oxicard_apdu::card::{Card, CardChannel};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_gp::cap::{CapFile, HashAlgorithm, LoadOptions};
use oxicard_gp::command::{
    CardLifeCycle, InstallParameters, PutKey, delete_key_command, install_for_load_command, load_commands,
};
use oxicard_gp::connect::IsdSelection;
use oxicard_gp::data::{CardRecognitionData, Cplc, KeyInformationTemplate, SequenceCounter, tags};
use oxicard_gp::ops::Instance;
use oxicard_gp::status::{
    ALL_AIDS, Format, Kind, LifeCycle, Privileges, RegistryEntry, get_status, get_status_command, parse_tlv,
};
use oxicard_gp::{GpError, ops, select_isd};
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp03::{
    IParameter, Mode, OpenOptions, Scp03Error, Scp03Session, SecretKey, SecurityLevel, StaticKeys, Step,
};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::Transport;
use oxicard_transport::pcsc::ConnectOptions;
use oxicard_transport::sim::{CardSimulator, SimulatorTransport};
use oxicard_transport::testbed::VirtualReader;

type SimCard = Card<SimulatorTransport<GpCard>>;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn card() -> SimCard {
    let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys())));
    let (aid, _) = select_isd(&mut card, IsdSelection::Known).unwrap();
    assert_eq!(aid.as_bytes(), DEFAULT_ISD_AID);
    card
}

fn open<'a>(card: &'a mut SimCard, keys: &StaticKeys, level: SecurityLevel) -> Scp03Session<&'a mut SimCard> {
    Scp03Session::open(card, keys, level, &OpenOptions::new()).unwrap()
}

fn aids(entries: &[RegistryEntry]) -> Vec<String> {
    entries.iter().map(|e| hex::encode_upper(&e.aid)).collect()
}

const HELLOSTK_PACKAGE: &str = "D07002CA44";
const HELLOSTK_APPLET: &str = "D07002CA44900101";

#[test]
fn full_update_cycle() {
    let mut card = card();
    update_cycle(&mut card);
    assert!(card.transport().simulator().applications().is_empty());
}

/// The same cycle with the card in the vpcd reader of a real `pcscd` (skipped without the stack,
/// except under `CI=true`).
#[test]
fn pcsc_full_update_cycle_through_pcscd() {
    let Some(reader) = VirtualReader::open_for_test(1).expect("CI=true: the PC/SC stack must be usable")
    else {
        return;
    };
    let inserted = reader.insert(GpCard::new(&DEFAULT_ISD_AID, keys())).unwrap();
    let mut card = Card::new(reader.connect(&ConnectOptions::default()).unwrap());
    let (aid, _) = select_isd(&mut card, IsdSelection::Known).unwrap();
    assert_eq!(aid.as_bytes(), DEFAULT_ISD_AID);
    update_cycle(&mut card);
    drop(card);
    let gp = reader.remove(inserted).unwrap();
    assert!(gp.applications().is_empty());
}

/// list → load hellostk → install → list shows it → lock → unlock → delete → list shows it gone,
/// at level 33, on a card whose ISD is selected.
fn update_cycle<T: Transport>(card: &mut Card<T>) {
    let cap = CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap();
    let package: Aid = HELLOSTK_PACKAGE.parse().unwrap();
    let applet: Aid = HELLOSTK_APPLET.parse().unwrap();
    assert_eq!(cap.package_aid(), package);
    assert_eq!(cap.applet_aids(), [applet]);

    let mut s =
        Scp03Session::open(card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, &OpenOptions::new())
            .unwrap();
    // Before: the ISD, java.lang only, no application.
    let isd = get_status(&mut s, Kind::IssuerSecurityDomain).unwrap();
    assert_eq!(aids(&isd), ["A000000151000000"]);
    assert_eq!(isd[0].life_cycle(), LifeCycle::Secured);
    assert!(get_status(&mut s, Kind::Applications).unwrap().is_empty());
    assert_eq!(aids(&get_status(&mut s, Kind::LoadFiles).unwrap()), ["A0000000620001"]);

    // Load with a SHA-256 hash, install and make selectable.
    let receipt = ops::load(&mut s, &cap, &[], LoadOptions::default(), Some(HashAlgorithm::Sha256)).unwrap();
    assert_eq!(receipt, [0x00]);
    let modules = get_status(&mut s, Kind::LoadFilesAndModules).unwrap();
    assert_eq!(aids(&modules), ["A0000000620001", HELLOSTK_PACKAGE]);
    assert_eq!(modules[1].modules, [applet.to_vec()]);
    assert_eq!(modules[1].life_cycle(), LifeCycle::Loaded);
    assert_eq!(modules[1].version.as_deref(), Some(&[cap.package_version().0, cap.package_version().1][..]));
    let receipt =
        ops::install(&mut s, &Instance::of(package, applet), Privileges::NONE, &InstallParameters::default())
            .unwrap();
    assert_eq!(receipt, [0x00]);

    let apps = get_status(&mut s, Kind::Applications).unwrap();
    assert_eq!(aids(&apps), [HELLOSTK_APPLET]);
    assert_eq!(apps[0].life_cycle_state, 0x07);
    assert_eq!(apps[0].life_cycle(), LifeCycle::Selectable);
    assert_eq!(apps[0].privileges, Some(Privileges::NONE));
    assert_eq!(apps[0].load_file.as_deref(), Some(package.as_bytes()));

    // Lock and unlock.
    ops::set_application_lock(&mut s, &applet, true).unwrap();
    let apps = get_status(&mut s, Kind::Applications).unwrap();
    assert_eq!(apps[0].life_cycle_state, 0x87);
    assert_eq!(apps[0].life_cycle(), LifeCycle::Locked);
    ops::set_application_lock(&mut s, &applet, false).unwrap();
    assert_eq!(get_status(&mut s, Kind::Applications).unwrap()[0].life_cycle_state, 0x07);

    // The load file has a dependent: plain DELETE refused with 6985; and related removes both.
    match ops::delete(&mut s, &package, false) {
        Err(ops::OpError::Card(GpError::Status { sw, .. })) => assert_eq!(sw, StatusWord::new(0x69, 0x85)),
        other => panic!("{other:?}"),
    }
    assert_eq!(ops::delete(&mut s, &package, true).unwrap(), [0x00]);
    assert!(get_status(&mut s, Kind::Applications).unwrap().is_empty());
    assert_eq!(aids(&get_status(&mut s, Kind::LoadFiles).unwrap()), ["A0000000620001"]);
    // Unknown object: 6A88.
    match ops::delete(&mut s, &package, true) {
        Err(ops::OpError::Card(GpError::Status { sw, .. })) => assert_eq!(sw, StatusWord::new(0x6A, 0x88)),
        other => panic!("{other:?}"),
    }
    assert!(!s.is_terminated());
}

#[test]
fn key_rotation() {
    let mut card = card();
    let new = StaticKeys::new(0x31, &[0x50; 16], &[0x51; 16], &[0x52; 16]).unwrap();
    {
        let mut s = open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC);
        let dek = keys().dek().unwrap().clone();
        let k = |b: u8| SecretKey::from_slice(&[b; 16]).unwrap();
        let put = PutKey::aes_key_set(&dek, Some(0x30), 0x31, [&k(0x50), &k(0x51), &k(0x52)]).unwrap();
        ops::put_key(&mut s, &put).unwrap();
    }
    assert_eq!(card.transport().simulator().key_versions(), [0x31]);

    // The new keys open a session.
    {
        let mut s = open(&mut card, &new, SecurityLevel::C_MAC);
        assert_eq!(get_status(&mut s, Kind::IssuerSecurityDomain).unwrap().len(), 1);
    }
    // The old key version is gone: INITIALIZE UPDATE answers 6A88.
    match Scp03Session::open(&mut card, &keys(), SecurityLevel::C_MAC, &OpenOptions::new()) {
        Err(Scp03Error::Status { step: Step::InitializeUpdate, sw }) => {
            assert_eq!(sw, StatusWord::new(0x6A, 0x88));
        }
        other => panic!("{:?}", other.err()),
    }
    // The old key values under the new version: the card cryptogram does not verify.
    let old_values = StaticKeys::new(0x31, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
    match Scp03Session::open(&mut card, &old_values, SecurityLevel::C_MAC, &OpenOptions::new()) {
        Err(Scp03Error::Handshake(e)) => assert_eq!(e.kind, ErrorKind::CardCryptogramMismatch),
        other => panic!("{:?}", other.err()),
    }
    // And the new keys still work afterwards.
    let mut s = open(&mut card, &new, SecurityLevel::C_MAC);
    assert_eq!(get_status(&mut s, Kind::LoadFiles).unwrap().len(), 1);
}

#[test]
fn every_security_level() {
    let mut card = card();
    for level in SecurityLevel::ALL {
        let mut s = open(&mut card, &keys(), level);
        assert_eq!(s.security_level(), level);
        let isd = get_status(&mut s, Kind::IssuerSecurityDomain).unwrap();
        assert_eq!(aids(&isd), ["A000000151000000"], "{level:?}");
        assert_eq!(aids(&get_status(&mut s, Kind::LoadFiles).unwrap()), ["A0000000620001"]);
    }
    assert_eq!(card.transport().simulator().sequence_counter(), 7);
}

#[test]
fn wrong_keys_rejected() {
    let mut card = card();
    let wrong = StaticKeys::new(0x30, &[0x40; 16], &[0x99; 16], &[0x42; 16]).unwrap();
    match Scp03Session::open(&mut card, &wrong, SecurityLevel::C_MAC, &OpenOptions::new()) {
        Err(Scp03Error::Handshake(e)) => assert_eq!(e.kind, ErrorKind::CardCryptogramMismatch),
        other => panic!("{:?}", other.err()),
    }
    // No session: management commands are refused with 6982.
    match get_status(&mut card, Kind::LoadFiles) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x82)),
        other => panic!("{other:?}"),
    }
    let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC);
    assert_eq!(get_status(&mut s, Kind::LoadFiles).unwrap().len(), 1);
}

/// Sends `command` in the session and returns its status word and data.
fn raw(s: &mut Scp03Session<&mut SimCard>, command: &CommandView<'_>) -> (u16, Vec<u8>) {
    let r = s.transmit(command).unwrap();
    (r.sw().to_u16(), r.data().to_vec())
}

#[test]
fn get_data_objects() {
    let mut card = card();
    // GET DATA works without a session too (CPLC is read before authentication).
    let cplc = ops::get_data(&mut card, tags::CPLC).unwrap();
    assert_eq!(cplc.len(), 45);
    assert_eq!(cplc[..3], [0x9F, 0x7F, 0x2A]);
    Cplc::parse(&cplc).unwrap();
    let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC_R_MAC);
    let crd = CardRecognitionData::parse(&ops::get_data(&mut s, tags::CARD_DATA).unwrap()).unwrap();
    assert_eq!(crd.scp03_i(), Some(0x70));
    let kit = KeyInformationTemplate::parse(&ops::get_data(&mut s, tags::KEY_INFORMATION).unwrap()).unwrap();
    assert_eq!(kit.versions(), [0x30]);
    assert_eq!(kit.keys.iter().map(|k| k.id).collect::<Vec<_>>(), [1, 2, 3]);
    let counter = SequenceCounter::parse(&ops::get_data(&mut s, tags::SEQUENCE_COUNTER).unwrap()).unwrap();
    assert_eq!(counter, SequenceCounter(1));
    match ops::get_data(&mut s, 0x00CF) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x6A, 0x88)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn get_status_paging_and_legacy_format() {
    let cap = CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap();
    let package: Aid = HELLOSTK_PACKAGE.parse().unwrap();
    let applet: Aid = HELLOSTK_APPLET.parse().unwrap();
    let mut card = card();
    let mut s = open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC);
    ops::load(&mut s, &cap, &[], LoadOptions::default(), None).unwrap();
    let instances: Vec<Aid> = (0u8..10).map(|n| Aid::new(&[&applet[..], &[n]].concat()).unwrap()).collect();
    for aid in &instances {
        ops::install(
            &mut s,
            &Instance::of(package, applet).named(*aid),
            Privileges::NONE,
            &InstallParameters::default(),
        )
        .unwrap();
    }
    // Ten entries of 39 bytes do not fit one page (200 bytes): the first answer is 6310.
    let first = get_status_command(Kind::Applications, Format::Tlv, false, ALL_AIDS);
    let (sw, data) = raw(&mut s, &first);
    assert_eq!(sw, 0x6310);
    let page = parse_tlv(Kind::Applications, &data).unwrap();
    assert_eq!(page.len(), 5);
    assert_eq!(
        hex::encode_upper(&data[..39]),
        "E3254F09D07002CA44900101009F700107C503000000C405D07002CA44CC08A000000151000000"
    );
    // The gp crate's listing follows the continuation.
    let all = get_status(&mut s, Kind::Applications).unwrap();
    assert_eq!(all.iter().map(|e| e.aid.clone()).collect::<Vec<_>>(), instances);
    // "Next occurrence" with nothing pending: 6985.
    let next = get_status_command(Kind::Applications, Format::Tlv, true, ALL_AIDS);
    assert_eq!(raw(&mut s, &next).0, 0x6985);
    // Legacy format (P2 00), load files and modules: len AID, state, privileges, modules.
    let legacy = get_status_command(Kind::LoadFilesAndModules, Format::Legacy, false, ALL_AIDS);
    let (sw, data) = raw(&mut s, &legacy);
    assert_eq!(sw, 0x9000);
    assert_eq!(
        hex::encode_upper(&data),
        format!("07A0000000620001010000 05{HELLOSTK_PACKAGE}010001 08{HELLOSTK_APPLET}").replace(' ', "")
    );
    // Search criteria with one AID.
    let one = [&[0x4F, 9][..], &instances[3]].concat();
    let (sw, data) = raw(&mut s, &get_status_command(Kind::Applications, Format::Tlv, false, &one));
    assert_eq!(sw, 0x9000);
    assert_eq!(parse_tlv(Kind::Applications, &data).unwrap()[0].aid, instances[3]);
}

#[test]
fn load_hash_mismatch_and_refusals() {
    let cap = CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap();
    let mut card = card();
    let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC);
    // INSTALL [for load] with a wrong SHA-1 hash: the last LOAD answers 6A80, nothing recorded.
    let install = install_for_load_command(&cap.package_aid(), &[], &[0u8; 20], &[]).unwrap();
    ops::send(&mut s, "INSTALL [for load]", &install).unwrap();
    let blocks = load_commands(&cap.load_file(LoadOptions::default()), 200).unwrap();
    for block in &blocks[..blocks.len() - 1] {
        ops::send(&mut s, "LOAD", block).unwrap();
    }
    match ops::send(&mut s, "LOAD", blocks.last().unwrap()) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x6A, 0x80)),
        other => panic!("{other:?}"),
    }
    assert_eq!(aids(&get_status(&mut s, Kind::LoadFiles).unwrap()), ["A0000000620001"]);
    // LOAD without INSTALL [for load]: 6985.
    match ops::send(&mut s, "LOAD", &blocks[0]) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x85)),
        other => panic!("{other:?}"),
    }
    // INSTALL of a module that is not loaded: 6A88.
    let applet: Aid = HELLOSTK_APPLET.parse().unwrap();
    match ops::install(
        &mut s,
        &Instance::of(cap.package_aid(), applet),
        Privileges::NONE,
        &Default::default(),
    ) {
        Err(ops::OpError::Card(GpError::Status { sw, .. })) => assert_eq!(sw, StatusWord::new(0x6A, 0x88)),
        other => panic!("{other:?}"),
    }
    // Locking an unknown application: 6A88.
    match ops::set_application_lock(&mut s, &applet, true) {
        Err(ops::OpError::Card(GpError::Status { sw, .. })) => assert_eq!(sw, StatusWord::new(0x6A, 0x88)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mac_failure_ends_the_session() {
    let mut card = card();
    drop(open(&mut card, &keys(), SecurityLevel::C_MAC));
    // GET STATUS with a C-MAC of zeros (hand-built): 6982, and every later command too.
    let forged = hex::decode("84F280020A4F000000000000000000").unwrap();
    let sim = card.transport_mut().simulator_mut();
    let mut response = Vec::new();
    sim.process(&forged, &mut response);
    assert_eq!(response, [0x69, 0x82]);
    response.clear();
    sim.process(&forged, &mut response);
    assert_eq!(response, [0x69, 0x82]);
    // A new session works.
    let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC);
    assert_eq!(get_status(&mut s, Kind::IssuerSecurityDomain).unwrap().len(), 1);
}

#[test]
fn card_life_cycle() {
    let mut card = card();
    {
        let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC);
        ops::set_card_life_cycle(&mut s, CardLifeCycle::Locked).unwrap();
        let isd = get_status(&mut s, Kind::IssuerSecurityDomain).unwrap();
        assert_eq!(isd[0].life_cycle(), LifeCycle::CardLocked);
        // Content management is refused while locked: 6985.
        match ops::delete(&mut s, &Aid::from_array([0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01]), false) {
            Err(ops::OpError::Card(GpError::Status { sw, .. })) => {
                assert_eq!(sw, StatusWord::new(0x69, 0x85));
            }
            other => panic!("{other:?}"),
        }
    }
    // A locked card's ISD answers SELECT with 6283.
    let (_, selected) =
        select_isd(&mut card, IsdSelection::Aid(oxicard_apdu::Aid::from_array(DEFAULT_ISD_AID))).unwrap();
    assert_eq!(selected.sw, StatusWord::new(0x62, 0x83));
    let mut s = open(&mut card, &keys(), SecurityLevel::C_MAC);
    ops::set_card_life_cycle(&mut s, CardLifeCycle::Secured).unwrap();
    // INITIALIZED is no way back: 6985.
    match ops::set_card_life_cycle(&mut s, CardLifeCycle::Initialized) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x85)),
        other => panic!("{other:?}"),
    }
    drop(s);
    assert_eq!(card.transport().simulator().card_life_cycle(), 0x0F);
}

#[test]
fn logical_channels_have_their_own_sessions() {
    let mut card = card();
    let mut channel = card.open_channel().unwrap();
    assert_eq!(channel.channel_number(), 1);
    {
        let mut s = Scp03Session::open(
            &mut channel,
            &keys(),
            SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
            &OpenOptions::new(),
        )
        .unwrap();
        assert_eq!(aids(&get_status(&mut s, Kind::IssuerSecurityDomain).unwrap()), ["A000000151000000"]);
    }
    channel.close().unwrap();
    // The basic channel has no session: 6982.
    match get_status(&mut card, Kind::LoadFiles) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x82)),
        other => panic!("{other:?}"),
    }
    // A closed channel is refused: 6881.
    let sim = card.transport_mut().simulator_mut();
    let mut response = Vec::new();
    sim.process(&[0x81, 0xCA, 0x00, 0x66, 0x00], &mut response);
    assert_eq!(response, [0x68, 0x81]);
}

#[test]
fn long_responses_through_get_response() {
    let mut sim = GpCard::new(&DEFAULT_ISD_AID, keys());
    let mut first = Vec::new();
    // GET DATA CPLC with Le 16: 16 bytes and 611D (29 more), then GET RESPONSE.
    sim.process(&[0x80, 0xCA, 0x9F, 0x7F, 0x10], &mut first);
    assert_eq!(first.len(), 18);
    assert_eq!(first[16..], [0x61, 0x1D]);
    let mut rest = Vec::new();
    sim.process(&[0x00, 0xC0, 0x00, 0x00, 0x00], &mut rest);
    assert_eq!(rest.len(), 31);
    assert_eq!(rest[29..], [0x90, 0x00]);
    let mut whole = first[..16].to_vec();
    whole.extend_from_slice(&rest[..29]);
    let mut direct = Vec::new();
    sim.process(&[0x80, 0xCA, 0x9F, 0x7F, 0x00], &mut direct);
    assert_eq!(direct[..45], whole[..]);
    // Nothing pending any more: 6985.
    let mut none = Vec::new();
    sim.process(&[0x00, 0xC0, 0x00, 0x00, 0x00], &mut none);
    assert_eq!(none, [0x69, 0x85]);
}

#[test]
fn put_key_adds_and_delete_key_removes_a_set() {
    let mut card = card();
    let k = |b: u8| SecretKey::from_slice(&[b; 16]).unwrap();
    {
        let mut s = open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC);
        let put =
            PutKey::aes_key_set(keys().dek().unwrap(), None, 0x32, [&k(0x60), &k(0x61), &k(0x62)]).unwrap();
        ops::put_key(&mut s, &put).unwrap();
        // Adding the same version again: 6985.
        match ops::put_key(&mut s, &put) {
            Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x85)),
            other => panic!("{other:?}"),
        }
        let kit =
            KeyInformationTemplate::parse(&ops::get_data(&mut s, tags::KEY_INFORMATION).unwrap()).unwrap();
        assert_eq!(kit.versions(), [0x30, 0x32]);
    }
    assert_eq!(card.transport().simulator().key_versions(), [0x30, 0x32]);
    // Both sets open sessions; delete the first from a session of the second.
    drop(open(&mut card, &keys(), SecurityLevel::C_MAC));
    let second = StaticKeys::new(0x32, &[0x60; 16], &[0x61; 16], &[0x62; 16]).unwrap();
    let mut s = open(&mut card, &second, SecurityLevel::C_MAC);
    ops::send(&mut s, "DELETE", &delete_key_command(None, Some(0x30))).unwrap();
    // The last key set stays: 6985.
    match ops::send(&mut s, "DELETE", &delete_key_command(None, Some(0x32))) {
        Err(GpError::Status { sw, .. }) => assert_eq!(sw, StatusWord::new(0x69, 0x85)),
        other => panic!("{other:?}"),
    }
    drop(s);
    assert_eq!(card.transport().simulator().key_versions(), [0x32]);
}

#[test]
fn s16_mode_with_random_challenges() {
    // "i" = 61: S16, random card challenge, R-MAC and R-ENC (Amendment D §5.1).
    let i = IParameter::from_byte(0x61).unwrap();
    let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys()).with_i(i)));
    let crd = CardRecognitionData::parse(&ops::get_data(&mut card, tags::CARD_DATA).unwrap()).unwrap();
    assert_eq!(crd.scp03_i(), Some(0x61));
    for level in SecurityLevel::ALL {
        let options = OpenOptions::new().with_mode(Mode::S16);
        let mut s = Scp03Session::open(&mut card, &keys(), level, &options).unwrap();
        assert_eq!(aids(&get_status(&mut s, Kind::IssuerSecurityDomain).unwrap()), ["A000000151000000"]);
    }
    // Random challenges leave the sequence counter alone.
    assert_eq!(card.transport().simulator().sequence_counter(), 0);
}

/// A card whose keys are diversified from a master key with its key diversification data
/// (KDF3, as GlobalPlatformPro's `kdf3` template; KDD `00 01 … 09` and master `40…4F` are the
/// inputs of GlobalPlatformPro's TestPlaintextKeys): the host derives the same keys from the
/// INITIALIZE UPDATE response with `Scp03Session::open_with`; the master key itself fails.
#[test]
fn diversified_keys_from_the_initialize_update_response() {
    use oxicard_gp::keys::Diversification;
    let kdd: [u8; 10] = core::array::from_fn(|i| i as u8);
    let master = SecretKey::from_slice(&(0x40..0x50).collect::<Vec<u8>>()).unwrap();
    let card_keys = Diversification::Kdf3.diversify(&master, 0x30, &kdd).unwrap();
    let gp = GpCard::new(&DEFAULT_ISD_AID, card_keys.clone()).with_key_diversification_data(kdd);
    let mut card = Card::new(SimulatorTransport::new(gp));
    select_isd(&mut card, IsdSelection::Known).unwrap();
    let master_set = StaticKeys::new(0x30, master.as_bytes(), master.as_bytes(), master.as_bytes()).unwrap();

    // The master key as such: the pseudo-random card challenge does not verify.
    let options = OpenOptions::new().with_aid(&DEFAULT_ISD_AID).unwrap();
    match Scp03Session::open(&mut card, &master_set, SecurityLevel::C_MAC, &options) {
        Err(Scp03Error::Handshake(e)) => assert_eq!(e.kind, ErrorKind::CardChallengeMismatch),
        other => panic!("{:?}", other.err()),
    }
    let mut seen = None;
    let mut s = Scp03Session::open_with(
        &mut card,
        &master_set,
        SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC,
        &options,
        |info| {
            seen = Some(*info.key_diversification_data());
            Diversification::Kdf3
                .diversify(&master, info.kvn(), info.key_diversification_data())
                .map(Some)
                .map_err(|_| oxicard_secure_channel::Error::from(ErrorKind::InvalidKeyLength))
        },
    )
    .unwrap();
    assert_eq!(aids(&get_status(&mut s, Kind::IssuerSecurityDomain).unwrap()), ["A000000151000000"]);
    drop(s);
    assert_eq!(seen, Some(kdd));
}
