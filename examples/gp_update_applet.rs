//! Updates an applet on a GlobalPlatform card over SCP03 (GP Card Specification v2.3.1 §11,
//! Amendment D): by default on an in-process simulated GP card, or on a card in a PC/SC reader.
//!
//! ```sh
//! # simulated card (keys 40…/41…/42…, KVN 30), the bundled hellostk.cap
//! cargo run --example gp_update_applet
//! # replace: the simulated card first gets the CAP as the "old version", then it is replaced
//! cargo run --example gp_update_applet -- --replace
//! # a real card: one key for ENC/MAC/DEK, key version 30 (default: 404142…4F, KVN 00 = first set)
//! cargo run --example gp_update_applet -- --reader "Virtual PCD 00 00" \
//!     --key 404142434445464748494A4B4C4D4E4F --kvn 30 --cap my.cap --replace
//! ```
//!
//! Steps: `oxicard::gp::connect::connect` selects the issuer security domain (the known
//! default AIDs), reads what the card publishes and opens a secure channel session at the
//! highest security level the card allows; the card content is listed (GET STATUS);
//! `ops::install_cap` deletes the old version of the CAP's package with its applications when
//! `--replace` is given and the package is on the card, LOADs the CAP (INSTALL [for load] with
//! a SHA-256 hash, LOAD blocks) and INSTALLs [for install and make selectable] every applet of
//! the CAP under its own AID; the card content is listed again.
//!
//! Options: `--reader NAME` (PC/SC), `--key HEX` (16, 24 or 32 bytes, used for ENC, MAC and
//! DEK), `--kvn HEX` (key version number), `--cap FILE` (default
//! `crates/gp/testdata/hellostk.cap`), `--replace`.

use std::error::Error;
use std::process::ExitCode;

use oxicard::apdu::card::{Card, CardChannel};
use oxicard::gp::cap::CapFile;
use oxicard::gp::connect::{ConnectOptions, connect};
use oxicard::gp::ops::{InstallCapOptions, install_cap};
use oxicard::gp::status::{Kind, get_status};
use oxicard::secure_channel::scp03::StaticKeys;
use oxicard::sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard::transport::Transport;
use oxicard::transport::sim::SimulatorTransport;

type Res<T = ()> = Result<T, Box<dyn Error>>;

/// The bundled CAP (a real one: osmocom's HelloSTK, see crates/gp/testdata/README.md).
const DEFAULT_CAP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/gp/testdata/hellostk.cap");

struct Options {
    reader: Option<String>,
    key: Vec<u8>,
    kvn: u8,
    cap: String,
    replace: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn parse_args() -> Res<Options> {
    let mut o = Options {
        reader: None,
        key: (0x40..0x50).collect(),
        kvn: 0x00,
        cap: DEFAULT_CAP.to_owned(),
        replace: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--reader" => o.reader = Some(value()?),
            "--key" => o.key = hex::decode(value()?.replace(' ', ""))?,
            "--kvn" => o.kvn = u8::from_str_radix(&value()?, 16)?,
            "--cap" => o.cap = value()?,
            "--replace" => o.replace = true,
            other => return Err(format!("unknown argument {other} (see the doc comment)").into()),
        }
    }
    Ok(o)
}

/// Lists the card content. Runs on any channel: here the secure channel session, as GET
/// STATUS needs one.
fn list(s: &mut impl CardChannel, title: &str) -> Res {
    println!("--- {title}");
    for kind in [Kind::IssuerSecurityDomain, Kind::Applications, Kind::LoadFilesAndModules] {
        for e in get_status(s, kind)? {
            let privileges =
                e.privileges.map(|p| p.names().collect::<Vec<_>>().join(",")).unwrap_or_default();
            println!("{kind:?}: {} {:?} {privileges}", hex(&e.aid), e.life_cycle());
            for module in &e.modules {
                println!("    module {}", hex(module));
            }
        }
    }
    Ok(())
}

fn update<T: Transport>(card: &mut Card<T>, keys: &StaticKeys, cap: &CapFile, replace: bool) -> Res {
    let mut session = connect(card, keys, &ConnectOptions::new())?;
    let info = session.info();
    println!("ISD {}: {} session open, security level {:02X}", info.isd, info.protocol, info.level.byte());
    list(&mut session, "before")?;
    let installed = install_cap(&mut session, cap, &InstallCapOptions::default().with_replace(replace))?;
    let verb = if installed.replaced { "replaced" } else { "loaded" };
    println!("{verb} package {} (receipt {})", installed.package, hex(&installed.load_receipt));
    for instance in &installed.instances {
        println!("installed {instance}");
    }
    list(&mut session, "after")?;
    Ok(())
}

fn run() -> Res {
    let o = parse_args()?;
    let cap = CapFile::from_zip(&std::fs::read(&o.cap).map_err(|e| format!("{}: {e}", o.cap))?)?;
    println!("CAP {}: package {}, {} applet(s)", o.cap, cap.package_aid(), cap.applet_aids().len());
    match &o.reader {
        Some(name) => with_reader(name, &o, &cap),
        None => {
            // Hand-made example keys of the simulated card (not a published vector).
            let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16])?;
            let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys.clone())));
            println!("card: in-process simulated GP card (oxicard::sim::gp::GpCard)");
            if o.replace {
                println!("simulated card: loading the CAP first as the old version to replace");
                let mut session = connect(&mut card, &keys, &ConnectOptions::new())?;
                install_cap(&mut session, &cap, &InstallCapOptions::default())?;
            }
            update(&mut card, &keys, &cap, o.replace)
        }
    }
}

#[cfg(feature = "pcsc")]
fn with_reader(name: &str, o: &Options, cap: &CapFile) -> Res {
    use oxicard::transport::pcsc::{ConnectOptions as PcscOptions, PcscContext};
    let keys = StaticKeys::new(o.kvn, &o.key, &o.key, &o.key)?;
    let context = PcscContext::establish()?;
    let transport = context.connect(name, &PcscOptions::default())?;
    println!("card: PC/SC reader {name}");
    update(&mut Card::new(transport), &keys, cap, o.replace)
}

#[cfg(not(feature = "pcsc"))]
fn with_reader(_: &str, _: &Options, _: &CapFile) -> Res {
    Err("built without the `pcsc` feature: only the simulated card is available".into())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", oxicard::transport::ErrorChain(&*err));
            ExitCode::FAILURE
        }
    }
}
