//! [`connect`] against the SCP03 test card of `oxicard-secure-channel` (an independent card
//! side): the ISD chosen, the protocol and level chosen from what the card publishes, keys
//! diversified, wrong keys refused before EXTERNAL AUTHENTICATE.

use oxicard_apdu::Aid;
use oxicard_apdu::card::{Card, CardChannel, CardError};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_secure_channel::scp03::{IParameter, SecurityLevel, StaticKeys};
use oxicard_secure_channel::testcard::{INS_ECHO, Scp03TestCard, Scp03TestCardConfig};
use oxicard_transport::sim::SimulatorTransport;

use super::*;
use crate::data::{CardRecognitionData, KeyComponent, KeyInfo, KeyInformationTemplate};
use crate::keys::{Diversification, TEST_KEY};

const ISD: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];
/// GlobalPlatformPro `TestParseTags.testOther`, second object: a GP 2.2 card listing SCP03
/// with i = `70` (S8, pseudo-random challenge, R-MAC and R-ENC).
const CRD_SCP03_70: &str = "6657735506072A864886FC6B01600B06092A864886FC6B020202630906072A864886FC6B03640B06092A864886FC6B040370640B06092A864886FC6B048000650A06082A864886FC6B0504660C060A2B060104012A026E0103";
/// The same, first object: a GP 2.1.1 card listing SCP02 i = `15`.
const CRD_SCP02_15: &str = "664C734A06072A864886FC6B01600C060A2A864886FC6B02020101630906072A864886FC6B03640B06092A864886FC6B040215650B06092B8510864864020103660C060A2B060104012A026E0102";

fn test_keys() -> StaticKeys {
    StaticKeys::new(0x30, &TEST_KEY, &TEST_KEY, &TEST_KEY).unwrap()
}

fn card(config: Scp03TestCardConfig) -> Card<SimulatorTransport<Scp03TestCard>> {
    Card::new(SimulatorTransport::new(Scp03TestCard::new(config)))
}

fn config(i: u8) -> Scp03TestCardConfig {
    Scp03TestCardConfig::new(test_keys(), IParameter::from_byte(i).unwrap()).with_aid(ISD.to_vec())
}

/// GET DATA `66` answered with `crd`.
fn with_crd(config: Scp03TestCardConfig, crd: &str) -> Scp03TestCardConfig {
    let mut response = hex::decode(crd).unwrap();
    response.extend_from_slice(&[0x90, 0x00]);
    config.with_canned(vec![(vec![0x80, 0xCA, 0x00, 0x66, 0x00], response)])
}

fn echo(session: &mut impl CardChannel) -> Vec<u8> {
    let command = CommandView::new(0x80, INS_ECHO, 0, 0).with_data(b"ping").with_ne(256);
    let response = session.transmit(&command).unwrap();
    assert_eq!(response.sw(), StatusWord::SUCCESS);
    response.into_data()
}

#[test]
fn a_card_that_publishes_nothing_gets_scp03_at_c_mac_and_c_decryption() {
    let mut card = card(config(0x70));
    let mut session = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap();
    let info = session.info().clone();
    assert_eq!(info.isd, Aid::from_array(ISD));
    assert!(!info.locked);
    assert_eq!((info.protocol, info.evidence), (Protocol::Scp03, Evidence::Default));
    assert_eq!(info.level, SecurityLevel::C_DEC_C_MAC);
    assert_eq!(echo(&mut session), b"ping");
    assert_eq!(session.key_version(), Some(0x30));
    drop(session);
    // GET DATA 66, then E0 (neither answered), INITIALIZE UPDATE, EXTERNAL AUTHENTICATE.
    let card = card.transport().simulator();
    assert_eq!((card.count(0xCA), card.count(0x50), card.count(0x82)), (2, 1, 1));
}

#[test]
fn the_card_recognition_data_sets_protocol_i_and_the_highest_level() {
    let mut card = card(with_crd(config(0x70), CRD_SCP03_70));
    let mut session = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap();
    let info = session.info().clone();
    assert_eq!(
        (info.protocol, info.evidence, info.i),
        (Protocol::Scp03, Evidence::CardRecognitionData, 0x70)
    );
    assert_eq!(info.level, SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC);
    assert!(info.card_data.is_some());
    assert_eq!(echo(&mut session), b"ping");
    // The Card Recognition Data told: no GET DATA E0.
    assert_eq!(card.transport().simulator().count(0xCA), 1);
    // A level asked for wins.
    let mut card = self::card(with_crd(config(0x70), CRD_SCP03_70));
    let options = ConnectOptions::new().with_level(SecurityLevel::C_MAC);
    let session = connect(&mut card, &test_keys(), &options).unwrap();
    assert_eq!(session.info().level, SecurityLevel::C_MAC);
}

#[test]
fn keys_diversified_from_master_keys_with_the_cards_data() {
    let kdd = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA];
    let card_keys = Diversification::Kdf3.diversify_set(&test_keys(), &kdd).unwrap();
    let mut card = card(
        Scp03TestCardConfig::new(card_keys.clone(), IParameter::from_byte(0x70).unwrap())
            .with_aid(ISD.to_vec())
            .with_key_diversification_data(kdd),
    );
    let options = ConnectOptions::new().with_diversification(Diversification::Kdf3);
    let mut session = connect(&mut card, &test_keys(), &options).unwrap();
    assert_eq!(session.keys().enc().as_bytes(), card_keys.enc().as_bytes());
    assert_eq!(echo(&mut session), b"ping");
    // Without diversification the master keys are the wrong keys.
    let mut card = self::card(
        Scp03TestCardConfig::new(card_keys, IParameter::from_byte(0x70).unwrap())
            .with_aid(ISD.to_vec())
            .with_key_diversification_data(kdd),
    );
    let error = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap_err();
    assert!(error.wrong_keys(), "{error:?}");
    // The card's cryptogram (or challenge) did not check out: no EXTERNAL AUTHENTICATE.
    assert_eq!(card.transport().simulator().count(0x82), 0);
}

#[test]
fn the_isd_by_aid_or_by_aid_less_select() {
    let mut card = card(config(0x70));
    let options = ConnectOptions::new().with_isd(IsdSelection::Aid(Aid::from_array(ISD)));
    assert_eq!(connect(&mut card, &test_keys(), &options).unwrap().info().isd, Aid::from_array(ISD));
    let other = Aid::from_array([0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00]);
    let options = ConnectOptions::new().with_isd(IsdSelection::Aid(other));
    let error = connect(&mut card, &test_keys(), &options).unwrap_err();
    assert!(
        matches!(&error, ConnectError::Select(CardError::Status { sw, .. }) if sw.to_u16() == 0x6A82),
        "{error:?}"
    );
    // The test card answers an AID-less SELECT 6A82: no ISD.
    let options = ConnectOptions::new().with_isd(IsdSelection::Default);
    assert!(matches!(connect(&mut card, &test_keys(), &options), Err(ConnectError::Select(_))));
}

#[test]
fn the_protocol_from_what_the_card_publishes() {
    use super::choose::protocol;
    let crd = |hex_crd: &str| CardRecognitionData::parse(&hex::decode(hex_crd).unwrap()).unwrap();
    let keys = |key_type: u8, version: u8| KeyInformationTemplate {
        keys: vec![KeyInfo::new(1, version, vec![KeyComponent::new(key_type, 16)])],
    };
    assert_eq!(
        protocol(None, Some(&crd(CRD_SCP02_15)), None, 0),
        (Protocol::Scp02, Evidence::CardRecognitionData)
    );
    assert_eq!(
        protocol(None, Some(&crd(CRD_SCP03_70)), None, 0),
        (Protocol::Scp03, Evidence::CardRecognitionData)
    );
    assert_eq!(super::choose::i_parameter(Some(&crd(CRD_SCP02_15)), Protocol::Scp02), Some(0x15));
    // Key types: DES (80) → SCP02, AES (88) → SCP03, for the version used (any for 0).
    assert_eq!(protocol(None, None, Some(&keys(0x80, 0x20)), 0x20), (Protocol::Scp02, Evidence::KeyType));
    assert_eq!(protocol(None, None, Some(&keys(0x88, 0x30)), 0), (Protocol::Scp03, Evidence::KeyType));
    assert_eq!(protocol(None, None, Some(&keys(0x80, 0x20)), 0x30), (Protocol::Scp03, Evidence::Default));
    assert_eq!(
        protocol(Some(Protocol::Scp02), Some(&crd(CRD_SCP03_70)), None, 0),
        (Protocol::Scp02, Evidence::Asked)
    );
}

mod scp02_cards {
    use oxicard_secure_channel::scp02;
    use oxicard_secure_channel::testcard::{Scp02TestCard, Scp02TestCardConfig};

    use super::*;

    fn scp02_keys() -> scp02::StaticKeys {
        scp02::StaticKeys::new(0x30, &TEST_KEY, &TEST_KEY, &TEST_KEY).unwrap()
    }

    fn card(config: Scp02TestCardConfig) -> Card<SimulatorTransport<Scp02TestCard>> {
        Card::new(SimulatorTransport::new(Scp02TestCard::new(config)))
    }

    fn config(i: scp02::IParameter) -> Scp02TestCardConfig {
        Scp02TestCardConfig::new(scp02_keys(), i)
    }

    fn with_crd(config: Scp02TestCardConfig, crd: &str) -> Scp02TestCardConfig {
        let mut response = hex::decode(crd).unwrap();
        response.extend_from_slice(&[0x90, 0x00]);
        config.with_canned(vec![(vec![0x80, 0xCA, 0x00, 0x66, 0x00], response)])
    }

    #[test]
    fn a_card_listing_scp02_i15_gets_scp02_at_c_mac_and_c_decryption() {
        let mut card = card(with_crd(config(scp02::IParameter::I15), CRD_SCP02_15));
        let mut session = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap();
        let info = session.info().clone();
        assert_eq!(
            (info.protocol, info.evidence, info.i),
            (Protocol::Scp02, Evidence::CardRecognitionData, 0x15)
        );
        // i = 15 has no R-MAC: C-DECRYPTION and C-MAC.
        assert_eq!(info.level, SecurityLevel::C_DEC_C_MAC);
        assert_eq!(session.key_version(), Some(0x30));
        assert_eq!(echo(&mut session), b"ping");
        drop(session);
        assert_eq!(card.transport().simulator().count(0x82), 1);
    }

    #[test]
    fn without_card_recognition_data_scp02_is_asked_for_and_i_15_assumed() {
        let mut card = card(config(scp02::IParameter::I15));
        let options = ConnectOptions::new().with_protocol(Protocol::Scp02);
        let mut session = connect(&mut card, &test_keys(), &options).unwrap();
        assert_eq!((session.info().evidence, session.info().i), (Evidence::Asked, 0x15));
        assert_eq!(echo(&mut session), b"ping");
    }

    #[test]
    fn i55_from_the_card_recognition_data_opens_with_a_pseudo_random_challenge() {
        // The GP 2.1.1 object above with its SCP "i" changed from 15 to 55 by hand (not a
        // published object): the host uses "i" 55 (a card challenge derived from the ISD's AID;
        // a mismatch is tested in `scp02_keys_diversified_by_emv_and_wrong_keys_refused` and in
        // the secure channel crate's two-sided tests).
        let crd = CRD_SCP02_15.replace("2A864886FC6B040215", "2A864886FC6B040255");
        let mut card = card(with_crd(config(scp02::IParameter::I55), &crd));
        let mut session = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap();
        assert_eq!(session.info().i, 0x55);
        assert_eq!(echo(&mut session), b"ping");
    }

    #[test]
    fn scp02_keys_diversified_by_emv_and_wrong_keys_refused() {
        let kdd = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09];
        let master = scp02::SecretKey::from_slice(&TEST_KEY).unwrap();
        let card_keys = scp02::diversify(&master, &kdd, scp02::Diversification::EmvCps11, 0x30);
        let config = || {
            with_crd(
                Scp02TestCardConfig::new(card_keys.clone(), scp02::IParameter::I15)
                    .with_key_diversification_data(kdd),
                CRD_SCP02_15,
            )
        };
        let mut card = card(config());
        let options = ConnectOptions::new().with_diversification(Diversification::Emv);
        let mut session = connect(&mut card, &test_keys(), &options).unwrap();
        assert_eq!(session.keys().enc().as_bytes(), card_keys.enc().as_bytes());
        assert_eq!(echo(&mut session), b"ping");
        drop(session);
        // The master key itself is the wrong key: refused before EXTERNAL AUTHENTICATE.
        let mut card = self::card(config());
        let error = connect(&mut card, &test_keys(), &ConnectOptions::new()).unwrap_err();
        assert!(error.wrong_keys(), "{error:?}");
        assert_eq!(card.transport().simulator().count(0x82), 0);
        // AES-length keys do not make SCP02 keys.
        let mut card = self::card(config());
        let long = StaticKeys::new(0x30, &[0x40; 32], &[0x40; 32], &[0x40; 32]).unwrap();
        assert!(matches!(connect(&mut card, &long, &ConnectOptions::new()), Err(ConnectError::Keys { .. })));
    }
}
