//! `oxicard_gp::connect` and `ops::install_cap` against the simulated GP card: the connect
//! policy picks what the card publishes, a CAP file is installed, refused when already
//! present, replaced when asked, and an unknown applet is refused before anything is sent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::Aid;
use oxicard_apdu::card::Card;
use oxicard_gp::cap::CapFile;
use oxicard_gp::connect::{ConnectOptions, IsdSelection, Protocol, connect};
use oxicard_gp::ops::{Applets, InstallCapError, InstallCapOptions, install_cap};
use oxicard_gp::status::{Kind, get_status};
use oxicard_secure_channel::scp03::StaticKeys;
use oxicard_sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard_transport::sim::SimulatorTransport;

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

fn card() -> Card<SimulatorTransport<GpCard>> {
    Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys())))
}

fn hellostk() -> CapFile {
    CapFile::from_zip(include_bytes!("../../gp/testdata/hellostk.cap")).unwrap()
}

#[test]
fn connect_chooses_scp03_from_the_cards_recognition_data() {
    let mut card = card();
    let session = connect(&mut card, &keys(), &ConnectOptions::new()).unwrap();
    let info = session.info();
    assert_eq!(info.isd, Aid::from_array(DEFAULT_ISD_AID));
    assert_eq!(info.protocol, Protocol::Scp03);
    assert!(info.card_data.as_ref().is_some_and(|crd| !crd.secure_channels.is_empty()), "{info:?}");
    // The simulated card's "i" allows R-MAC and R-ENC: the highest level.
    assert_eq!(info.level.byte(), 0x33, "{info:?}");
    let options = ConnectOptions::new().with_isd(IsdSelection::Aid(Aid::from_array(DEFAULT_ISD_AID)));
    assert!(connect(&mut card, &keys(), &options).is_ok());
    // SELECT without an AID selects the ISD (GPC v2.3.1 §11.9.2.3); its AID comes from the FCI.
    let options = ConnectOptions::new().with_isd(IsdSelection::Default);
    let session = connect(&mut card, &keys(), &options).unwrap();
    assert_eq!(session.info().isd, Aid::from_array(DEFAULT_ISD_AID));
}

#[test]
fn a_cap_installed_refused_twice_and_replaced() {
    let cap = hellostk();
    let package = cap.package_aid();
    let applet = cap.applet_aids()[0];
    let mut card = card();
    let mut session = connect(&mut card, &keys(), &ConnectOptions::new()).unwrap();

    let installed = install_cap(&mut session, &cap, &InstallCapOptions::default()).unwrap();
    assert_eq!((installed.package, installed.replaced), (package, false));
    assert_eq!(installed.instances, [applet]);
    let apps = get_status(&mut session, Kind::Applications).unwrap();
    assert!(apps.iter().any(|e| e.aid == applet.as_bytes()));

    let error = install_cap(&mut session, &cap, &InstallCapOptions::default()).unwrap_err();
    assert!(matches!(error, InstallCapError::AlreadyPresent(aid) if aid == package), "{error:?}");

    // Replaced, under another instance AID this time.
    let instance = Aid::from_array([0xA0, 0x00, 0x00, 0x00, 0x77, 0x01, 0x02]);
    let options = InstallCapOptions::default()
        .with_replace(true)
        .with_applets(Applets::One { applet, instance: Some(instance) });
    let installed = install_cap(&mut session, &cap, &options).unwrap();
    assert!(installed.replaced);
    assert_eq!(installed.instances, [instance]);
    let apps: Vec<_> =
        get_status(&mut session, Kind::Applications).unwrap().into_iter().map(|e| e.aid).collect();
    assert!(apps.contains(&instance.as_bytes().to_vec()), "{apps:02X?}");
    assert!(
        !apps.contains(&applet.as_bytes().to_vec()),
        "the old instance went with its package: {apps:02X?}"
    );
}

#[test]
fn an_applet_not_in_the_cap_file_is_refused_before_anything_is_sent() {
    let cap = hellostk();
    let mut card = card();
    let mut session = connect(&mut card, &keys(), &ConnectOptions::new()).unwrap();
    let before = get_status(&mut session, Kind::LoadFiles).unwrap();
    let stranger = Aid::from_array([0xA0, 0x00, 0x00, 0x00, 0x99, 0x99]);
    let options =
        InstallCapOptions::default().with_applets(Applets::One { applet: stranger, instance: None });
    let error = install_cap(&mut session, &cap, &options).unwrap_err();
    assert!(matches!(error, InstallCapError::NotAnApplet(aid) if aid == stranger), "{error:?}");
    assert_eq!(get_status(&mut session, Kind::LoadFiles).unwrap(), before);
    assert!(!before.iter().any(|e| e.aid == cap.package_aid()));
}
