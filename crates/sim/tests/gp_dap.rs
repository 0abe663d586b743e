//! DAP verification and receipts end to end: the host (`oxicard_gp::dap`, `ops::install_cap`)
//! signs hellostk.cap's Load File Data Block Hash with RSA-1024 (PKCS#1 v1.5, SHA-1), RSA-2048
//! (PSS) and ECDSA P-256 keys; the simulated card, whose ISD has the DAP Verification privilege,
//! verifies the DAP Block and refuses a missing, tampered or foreign one (GPC v2.3.1 §9.2.1,
//! §9.3.5, §11.6.2.3, Appendix C.3). With a receipt key the card confirms LOAD, INSTALL and DELETE
//! and the host verifies the receipts (§11.1.6, Appendix C.5).
//!
//! No published DAP or receipt vectors exist; the keys in `crates/gp/testdata/dap/` were
//! generated for these tests (see its README), so these tests are two-sided: our host signs,
//! our card verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::{Card, CardChannel};
use oxicard_apdu::{Aid, StatusWord};
use oxicard_gp::cap::{CapFile, HashAlgorithm, LoadOptions};
use oxicard_gp::command::{install_for_load_command, load_commands};
use oxicard_gp::dap::{DapBlock, DapError, DapSigner, DapVerifier};
use oxicard_gp::ops::{self, InstallCapError, InstallCapOptions, InstallStep, OpError, install_cap};
use oxicard_gp::receipt::{Confirmation, ReceiptContext, ReceiptError, ReceiptKey};
use oxicard_gp::status::{Kind, get_status};
use oxicard_gp::{GpError, select_isd};
use oxicard_secure_channel::scp03::{OpenOptions, Scp03Session, SecurityLevel, StaticKeys};
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::sim::SimulatorTransport;

type SimCard = Card<SimulatorTransport<GpCard>>;

const ISD: Aid = Aid::from_array(DEFAULT_ISD_AID);

const RSA1024: &str = include_str!("../../gp/testdata/dap/rsa1024.pem");
const RSA1024_PUB: &str = include_str!("../../gp/testdata/dap/rsa1024-pub.pem");
const RSA2048: &str = include_str!("../../gp/testdata/dap/rsa2048.pem");
const RSA2048_PUB: &str = include_str!("../../gp/testdata/dap/rsa2048-pub.pem");
const P256: &str = include_str!("../../gp/testdata/dap/p256.pem");
const P256_PUB: &str = include_str!("../../gp/testdata/dap/p256-pub.pem");

const SW_SECURITY: StatusWord = StatusWord::new(0x69, 0x82);
const SW_WRONG_DATA: StatusWord = StatusWord::new(0x6A, 0x80);

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn hellostk() -> CapFile {
    CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap()
}

fn card(gp: GpCard) -> SimCard {
    let mut card = Card::new(SimulatorTransport::new(gp));
    select_isd(&mut card, oxicard_gp::connect::IsdSelection::Known).unwrap();
    card
}

fn session(card: &mut SimCard) -> Scp03Session<&mut SimCard> {
    Scp03Session::open(card, &keys(), SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC, &OpenOptions::new()).unwrap()
}

fn dap_card(public_pem: &str) -> SimCard {
    card(GpCard::new(&DEFAULT_ISD_AID, keys()).with_dap_key(DapVerifier::from_pem(public_pem).unwrap()))
}

/// The status word of a refused LOAD inside `install_cap`.
fn load_sw(error: InstallCapError) -> StatusWord {
    match error {
        InstallCapError::Step {
            step: InstallStep::Loading,
            source: OpError::Card(GpError::Status { sw, .. }),
        } => sw,
        other => panic!("{other:?}"),
    }
}

fn installed(card: &SimCard) -> bool {
    let gp = card.transport().simulator();
    gp.load_files().iter().any(|f| f.aid == hellostk().package_aid())
        && gp.applications().iter().any(|a| a.aid == hellostk().applet_aids()[0])
}

#[test]
fn loads_with_rsa_and_ecdsa_daps() {
    for (private, public) in [(RSA1024, RSA1024_PUB), (RSA2048, RSA2048_PUB), (P256, P256_PUB)] {
        let mut card = dap_card(public);
        let signer = DapSigner::from_pem(private).unwrap();
        let options = InstallCapOptions::default().with_dap(ISD, signer.clone());
        let done = install_cap(&mut session(&mut card), &hellostk(), &options).unwrap();
        assert_eq!(done.load_receipt, [0x00], "{signer:?}");
        assert_eq!(done.load_confirmation, None);
        assert!(installed(&card), "{signer:?}");
    }
}

#[test]
fn sha1_lfdbh_with_rsa_1024() {
    // Scheme 1 (PKCS#1 v1.5 with SHA-1) goes with a SHA-1 LFDBH (Table C-3).
    let mut card = dap_card(RSA1024_PUB);
    let options = InstallCapOptions::default()
        .with_hash(Some(HashAlgorithm::Sha1))
        .with_dap(ISD, DapSigner::from_pem(RSA1024).unwrap());
    install_cap(&mut session(&mut card), &hellostk(), &options).unwrap();
    assert!(installed(&card));
}

#[test]
fn isd_shows_the_dap_verification_privilege() {
    let mut card = dap_card(P256_PUB);
    let isd = get_status(&mut session(&mut card), Kind::IssuerSecurityDomain).unwrap();
    assert_eq!(isd[0].privileges.unwrap().to_bytes(), [0xDE, 0xFE, 0x80]);
    let mut plain = card_without_dap();
    let isd = get_status(&mut session(&mut plain), Kind::IssuerSecurityDomain).unwrap();
    assert_eq!(isd[0].privileges.unwrap().to_bytes(), [0x9E, 0xFE, 0x80]);
}

fn card_without_dap() -> SimCard {
    card(GpCard::new(&DEFAULT_ISD_AID, keys()))
}

#[test]
fn a_missing_dap_block_is_refused() {
    let mut card = dap_card(RSA2048_PUB);
    let error = install_cap(&mut session(&mut card), &hellostk(), &InstallCapOptions::default()).unwrap_err();
    assert_eq!(load_sw(error), SW_SECURITY);
    // A block for another security domain does not do either.
    let other = Aid::from_array([0xA0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50]);
    let options = InstallCapOptions::default().with_dap(other, DapSigner::from_pem(RSA2048).unwrap());
    assert_eq!(
        load_sw(install_cap(&mut session(&mut card), &hellostk(), &options).unwrap_err()),
        SW_SECURITY
    );
    assert!(!installed(&card));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let mut card = dap_card(RSA2048_PUB);
    for private in [RSA1024, P256] {
        let options = InstallCapOptions::default().with_dap(ISD, DapSigner::from_pem(private).unwrap());
        assert_eq!(
            load_sw(install_cap(&mut session(&mut card), &hellostk(), &options).unwrap_err()),
            SW_SECURITY
        );
    }
    // The right key with PKCS#1 v1.5 where the card expects PSS.
    let pkcs1 =
        DapSigner::from_pem(RSA2048).unwrap().with_scheme(oxicard_gp::dap::DapScheme::RsaPkcs1v15Sha256);
    let options = InstallCapOptions::default().with_dap(ISD, pkcs1.unwrap());
    assert_eq!(
        load_sw(install_cap(&mut session(&mut card), &hellostk(), &options).unwrap_err()),
        SW_SECURITY
    );
    assert!(!installed(&card));
}

#[test]
fn a_tampered_signature_or_hash_is_refused() {
    let cap = hellostk();
    let options = LoadOptions::default();
    let lfdbh = cap.load_file_data_block_hash(HashAlgorithm::Sha256, options);
    let signer = DapSigner::from_pem(P256).unwrap();
    let mut card = dap_card(P256_PUB);

    let mut block = signer.dap_block(ISD, &lfdbh).unwrap();
    block.signature[10] ^= 0x01;
    let error =
        ops::load_with_dap(&mut session(&mut card), &cap, &[], options, HashAlgorithm::Sha256, &[block]);
    assert!(matches!(error, Err(OpError::Card(GpError::Status { sw: SW_SECURITY, .. }))), "{error:?}");

    // A DAP over another hash, sent with that hash in INSTALL [for load]: the DAP verifies, the
    // Load File Data Block then does not match the hash (`6A80`).
    let other = HashAlgorithm::Sha256.digest(b"another load file");
    let mut s = session(&mut card);
    let blocks = [signer.dap_block(ISD, &other).unwrap()];
    let sw = raw_load(&mut s, &cap, &other, &blocks);
    assert_eq!(sw, SW_WRONG_DATA);
    // The right DAP with no hash in INSTALL [for load]: the hash is mandatory (§9.2.2).
    let blocks = [signer.dap_block(ISD, &lfdbh).unwrap()];
    assert_eq!(raw_load(&mut s, &cap, &[], &blocks), SW_SECURITY);
    // A SHA-1 hash with an ECDSA DAP is too weak (Table C-3): the card refuses it, and the
    // host does not even sign it.
    let sha1 = cap.load_file_data_block_hash(HashAlgorithm::Sha1, options);
    let forged = [DapBlock::new(ISD, vec![0x55; 64])];
    assert_eq!(raw_load(&mut s, &cap, &sha1, &forged), SW_SECURITY);
    drop(s);
    let options = InstallCapOptions::default().with_hash(Some(HashAlgorithm::Sha1)).with_dap(ISD, signer);
    match install_cap(&mut session(&mut card), &cap, &options) {
        Err(InstallCapError::Dap(DapError::WeakHash { lfdbh: HashAlgorithm::Sha1, .. })) => {}
        other => panic!("{other:?}"),
    }
    // A DAP Block without its signature: the Load File does not decode.
    assert_eq!(
        raw_load_file(
            &mut session(&mut card),
            &cap,
            &lfdbh,
            &hex::decode("E20A4F08A000000151000000").unwrap()
        ),
        SW_WRONG_DATA
    );
    assert!(!installed(&card));
}

/// INSTALL [for load] with `hash`, then LOAD of the Load File with `blocks`: the last status word.
fn raw_load(s: &mut impl CardChannel, cap: &CapFile, hash: &[u8], blocks: &[DapBlock]) -> StatusWord {
    let dap: Vec<u8> = blocks.iter().flat_map(DapBlock::encode).collect();
    raw_load_file(s, cap, hash, &dap)
}

/// INSTALL [for load] with `hash`, then LOAD of `prefix` followed by the `C4` Load File Data Block.
fn raw_load_file(s: &mut impl CardChannel, cap: &CapFile, hash: &[u8], prefix: &[u8]) -> StatusWord {
    let install = install_for_load_command(&cap.package_aid(), &[], hash, &[]).unwrap();
    assert_eq!(s.transmit(&install.as_view()).unwrap().sw(), StatusWord::SUCCESS);
    let load_file = [prefix, &cap.load_file(LoadOptions::default())].concat();
    let mut sw = StatusWord::SUCCESS;
    for command in load_commands(&load_file, 200).unwrap() {
        sw = s.transmit(&command.as_view()).unwrap().sw();
    }
    sw
}

#[test]
fn dap_blocks_need_the_hash_on_any_card() {
    // A card without a DAP key does not verify DAP Blocks but still wants the hash with them.
    let cap = hellostk();
    let mut card = card_without_dap();
    let mut s = session(&mut card);
    let blocks = [DapBlock::new(ISD, vec![1, 2, 3])];
    assert_eq!(raw_load(&mut s, &cap, &[], &blocks), SW_SECURITY);
    let lfdbh = cap.load_file_data_block_hash(HashAlgorithm::Sha256, LoadOptions::default());
    assert_eq!(raw_load(&mut s, &cap, &lfdbh, &blocks), StatusWord::SUCCESS);
}

fn receipt_key() -> ReceiptKey {
    ReceiptKey::aes(&[0x4B; 16]).unwrap()
}

#[test]
fn receipts_confirm_load_install_and_delete() {
    let gp = GpCard::new(&DEFAULT_ISD_AID, keys())
        .with_key_diversification_data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        .with_receipt_key(receipt_key())
        .with_dap_key(DapVerifier::from_pem(RSA2048_PUB).unwrap());
    let mut card = card(gp);
    let cap = hellostk();
    let options = InstallCapOptions::default()
        .with_dap(ISD, DapSigner::from_pem(RSA2048).unwrap())
        .with_receipt_key(receipt_key(), ISD);
    let done = install_cap(&mut session(&mut card), &cap, &options).unwrap();
    let load = done.load_confirmation.unwrap();
    assert_eq!((load.data.counter, load.receipt.len()), (0, 16));
    assert_eq!(load.data.sd_unique_data, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(Confirmation::from_response(&done.load_receipt).unwrap(), Some(load.clone()));
    let install = done.install_confirmations[0].as_ref().unwrap();
    assert_eq!(install.data.counter, 1);
    assert_eq!(card.transport().simulator().confirmation_counter(), Some(2));
    // GET DATA `C2`: the confirmation counter.
    assert_eq!(ops::get_data(&mut session(&mut card), 0x00C2).unwrap(), [0xC2, 0x02, 0x00, 0x02]);

    // Replacing: DELETE, LOAD and INSTALL confirmed, counters 2, 3, 4.
    let done = install_cap(&mut session(&mut card), &cap, &options.clone().with_replace(true)).unwrap();
    assert_eq!(done.delete_confirmation.unwrap().data.counter, 2);
    assert_eq!(done.load_confirmation.unwrap().data.counter, 3);

    // The host with another receipt key: the operation happened, its receipt does not verify.
    let wrong = InstallCapOptions::default()
        .with_replace(true)
        .with_dap(ISD, DapSigner::from_pem(RSA2048).unwrap())
        .with_receipt_key(ReceiptKey::aes(&[0x4C; 16]).unwrap(), ISD);
    match install_cap(&mut session(&mut card), &cap, &wrong) {
        Err(InstallCapError::Receipt { step: InstallStep::Deleting, source: ReceiptError::Mismatch }) => {}
        other => panic!("{other:?}"),
    }
    // A receipt for another load file AID does not verify either.
    let context = ReceiptContext::Load { load_file: &DEFAULT_ISD_AID, security_domain: &DEFAULT_ISD_AID };
    assert_eq!(load.verify(&receipt_key(), &context), Err(ReceiptError::Mismatch));
}

#[test]
fn a_receipt_is_required_when_a_receipt_key_is_given() {
    let mut card = card_without_dap();
    let options = InstallCapOptions::default().with_receipt_key(receipt_key(), ISD);
    match install_cap(&mut session(&mut card), &hellostk(), &options) {
        Err(InstallCapError::Receipt { step: InstallStep::Loading, source: ReceiptError::NoReceipt }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn keys_and_counter_survive_the_state_file() {
    let gp = GpCard::new(&DEFAULT_ISD_AID, keys())
        .with_receipt_key(ReceiptKey::des(&[0x11; 16]).unwrap())
        .with_dap_key(DapVerifier::from_pem(P256_PUB).unwrap());
    let mut card = card(gp);
    let options = InstallCapOptions::default()
        .with_dap(ISD, DapSigner::from_pem(P256).unwrap())
        .with_receipt_key(ReceiptKey::des(&[0x11; 16]).unwrap(), ISD);
    let done = install_cap(&mut session(&mut card), &hellostk(), &options).unwrap();
    assert_eq!(done.load_confirmation.unwrap().receipt.len(), 8, "the retail MAC");
    let json = card.transport().simulator().state_json();
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(
        text.contains("\"dapKey\"") && text.contains("ecdsa-p256-sha256") && text.contains("\"receiptKey\""),
        "{text}"
    );
    let restored = GpCard::from_state_json(&json).unwrap();
    assert_eq!(restored.confirmation_counter(), Some(2));
    assert_eq!(restored.dap_key(), Some(&DapVerifier::from_pem(P256_PUB).unwrap()));
    // The restored card still wants the DAP.
    let mut again = self::card(restored);
    let plain = InstallCapOptions::default().with_replace(true);
    assert_eq!(load_sw(install_cap(&mut session(&mut again), &hellostk(), &plain).unwrap_err()), SW_SECURITY);
    // A card without either writes neither field (older files stay as they were).
    let text = String::from_utf8(GpCard::new(&DEFAULT_ISD_AID, keys()).state_json()).unwrap();
    assert!(!text.contains("dapKey") && !text.contains("receiptKey"));
    // A broken DAP key in the file is a format error naming the field.
    let broken = text.replace(
        "\"applications\": []",
        "\"applications\": [],\n  \"dapKey\": { \"pem\": \"x\", \"scheme\": \"rsa-pss-sha256\" }",
    );
    let error = GpCard::from_state_json(broken.as_bytes()).unwrap_err();
    assert!(error.problem().starts_with("dapKey.pem"), "{error}");
}
