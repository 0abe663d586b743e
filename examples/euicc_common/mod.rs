//! Shared command-line plumbing of the `euicc_*` examples: the PC/SC reader (`--reader NAME`,
//! `--list-readers`) and the ES9+ client options (`--ca FILE`, `--connect-to ADDRESS=URL`).
#![allow(dead_code)]

use oxicard::apdu::card::Card;
use oxicard::transport::pcsc::{ConnectOptions, PcscCard, PcscContext};

/// The command line, minus the program name.
pub(crate) struct Args(Vec<String>);

impl Args {
    pub(crate) fn from_env() -> Self {
        Self(std::env::args().skip(1).collect())
    }

    /// Whether `flag` is present.
    pub(crate) fn flag(&self, flag: &str) -> bool {
        self.0.iter().any(|a| a == flag)
    }

    /// Every value given with `option` (`--option VALUE`, repeatable).
    pub(crate) fn values(&self, option: &str) -> Vec<String> {
        self.0
            .windows(2)
            .filter_map(|w| match w {
                [name, value] if name == option => Some(value.clone()),
                _ => None,
            })
            .collect()
    }

    /// The value of `option`, if given.
    pub(crate) fn value(&self, option: &str) -> Option<String> {
        self.values(option).pop()
    }

    /// The arguments that are neither options nor their values.
    pub(crate) fn positional(&self, options_with_values: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut skip = false;
        for arg in &self.0 {
            if std::mem::take(&mut skip) {
                continue;
            }
            if options_with_values.contains(&arg.as_str()) {
                skip = true;
            } else if !arg.starts_with("--") {
                out.push(arg.clone());
            }
        }
        out
    }
}

/// The message printed when no reader is given.
pub(crate) const NO_READER: &str = "no reader given: pass --reader NAME (see --list-readers) for an eUICC in a PC/SC \
reader; an in-process software eUICC is not available yet";

/// Lists the PC/SC readers (for `--list-readers`).
pub(crate) fn list_readers() -> Result<(), String> {
    let context = PcscContext::establish().map_err(|e| e.to_string())?;
    for name in context.list_readers().map_err(|e| e.to_string())? {
        println!("{name}");
    }
    Ok(())
}

/// Connects to the card in the reader named by `--reader`.
pub(crate) fn open_reader(args: &Args) -> Result<Card<PcscCard>, String> {
    let name = args.value("--reader").ok_or(NO_READER)?;
    let context = PcscContext::establish().map_err(|e| format!("PC/SC: {e}"))?;
    let transport = context.connect(&name, &ConnectOptions::default()).map_err(|e| format!("{name}: {e}"))?;
    Ok(Card::new(transport))
}

/// The ES9+ client: system roots plus `--ca FILE` (PEM, e.g. the GSMA CI test root), and
/// `--connect-to ADDRESS=URL` overrides for test servers.
#[cfg(feature = "http")]
pub(crate) fn es9_client(args: &Args) -> Result<oxicard::euicc::es9::HttpEs9Client, String> {
    let mut builder = oxicard::euicc::es9::HttpEs9Client::builder();
    for path in args.values("--ca") {
        let pem = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        builder = builder.add_ca_pem(&pem).map_err(|e| format!("{path}: {e}"))?;
    }
    for rule in args.values("--connect-to") {
        let (address, url) = rule.split_once('=').ok_or("--connect-to takes ADDRESS=URL")?;
        builder = builder.override_address(address, url).map_err(|e| e.to_string())?;
    }
    builder.build().map_err(|e| e.to_string())
}
