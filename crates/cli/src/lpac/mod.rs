//! lpac mode: `oxicard` invoked as `lpac` (a symlink or a copy with that name) or as `oxicard
//! lpac …` takes lpac's command line (lpac `docs/USAGE.md`, `src/applet/**`), lpac's environment
//! ([`env`](mod@env)) and prints lpac's JSON lines byte for byte ([`json`], [`shapes`]): every front-end
//! that execs lpac and parses its output runs on oxicard unchanged. oxicard's own `--json`
//! keeps its richer shapes; this mode is the compatibility contract.
//!
//! As lpac: applets `driver`, `chip`, `profile`, `notification`, `version`; usage texts on
//! stdout; exit status 255 for every failure and usage text (lpac's `return -1`); `chip`,
//! `profile` and `notification` open the card before reading their sub-command. Differences
//! (listed in the README): `version` and `driver` never need a card or reader; a PC/SC reader
//! without `LPAC_APDU_PCSC_DRV_IFID` is the first one with a card; STORE DATA blocks are 255
//! bytes unless `LPAC_CUSTOM_ES10X_MSS` says otherwise (lpac: 120).

mod chip;
mod discovery;
mod download;
mod env;
mod getopt;
mod json;
mod notification;
mod pcsc;
mod process;
mod profile;
mod shapes;
mod status;

use std::ffi::OsString;
use std::process::ExitCode;

use oxicard_transport::pcsc::PcscContext;

use crate::backend::{DynCard, with_isdr};
use crate::cli::{ChannelKind, Global, ModemProxy, NetArgs};
use crate::error::CliError;
use env::{Backend, Env, EnvError, Settings};
use json::Json;

/// lpac's exit status for every failure (`return -1` from `main`).
const FAILURE: u8 = 255;

/// The version `lpac version` reports: lpac's release this mode follows, then oxicard's.
const VERSION: &str = concat!("2.3.0-oxicard-", env!("CARGO_PKG_VERSION"));

/// The opened ISD-R of lpac mode's card.
type Euicc<'i, 'c> = oxicard_euicc::isdr::Isdr<&'i mut DynCard<'c>>;

/// What an applet ends with: success (exit 0) or failure (exit 255), its lines printed.
pub(crate) type Outcome = Result<(), Failed>;

/// An applet failed: its error line (or usage text) has been printed.
#[derive(Debug)]
pub(crate) struct Failed;

/// Prints lpac's error line and fails.
pub(crate) fn fail(function: &str, detail: &str) -> Failed {
    json::error(function, detail);
    Failed
}

/// Prints an applet's usage text (lpac `applet_entry`: `Usage: NAME <a|b|c>`) and fails.
fn usage(name: &str, applets: &[&str]) -> Failed {
    println!("Usage: {name} <{}>", applets.join("|"));
    Failed
}

/// An applet group's sub-command and the operands after it.
fn sub_command(args: &[String]) -> (Option<&str>, &[String]) {
    args.split_first().map_or((None, &[]), |(command, operands)| (Some(command.as_str()), operands))
}

/// The end of an applet whose success has no data: lpac's success line (`data: null`), or its
/// error line for `function` with the reason `reason` gives.
fn done<E>(result: Result<(), E>, function: &str, reason: impl FnOnce(&E) -> &'static str) -> Outcome {
    match result {
        Ok(()) => {
            json::success(Json::Null);
            Ok(())
        }
        Err(error) => Err(fail(function, reason(&error))),
    }
}

/// An applet group's answer to a missing or unknown sub-command: `Unknown command: X` for an
/// unknown one, then the group's usage text.
fn unknown(group: &str, applets: &[&str], given: Option<&str>) -> Failed {
    if let Some(given) = given {
        println!("Unknown command: {given}");
    }
    usage(group, applets)
}

/// An applet's options: `args` parsed with the getopt `spec`; lpac's `help` text printed (after
/// getopt's complaint on stderr, `NAME: invalid option -- 'x'`) for `-h`, `-?` or a bad option.
pub(crate) fn options(name: &str, args: &[String], spec: &str, help: &str) -> Result<getopt::Parsed, Failed> {
    match getopt::parse(args, spec) {
        Ok(parsed) if !parsed.flag('h') && !parsed.flag('?') => Ok(parsed),
        Ok(_) => {
            println!("{help}");
            Err(Failed)
        }
        Err(message) => {
            eprintln!("{name}: {message}");
            println!("{help}");
            Err(Failed)
        }
    }
}

/// Whether the program was invoked under the name `lpac` (`lpac`, `./lpac`, `lpac.exe`).
pub(crate) fn invoked_as_lpac(program: &std::path::Path) -> bool {
    program.file_stem().is_some_and(|stem| stem == "lpac")
}

/// Runs lpac's command line `args` (without the program name); `program` is how usage texts
/// name it.
pub(crate) fn main(program: &str, args: &[OsString]) -> ExitCode {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let get = |name: &str| std::env::var(name).ok();
    let warn = |warning: &str| eprintln!("{warning}");
    let settings = match Env::new(&get, &warn).settings() {
        Ok(settings) => settings,
        Err(error) => return ExitCode::from(environment_error(&error)),
    };
    if settings.apdu_debug || settings.http_debug {
        let level = if settings.apdu_debug { tracing::Level::TRACE } else { tracing::Level::DEBUG };
        tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(level).with_target(true).init();
    }
    let outcome = run(program, &args, &settings);
    ExitCode::from(if outcome.is_ok() { 0 } else { FAILURE })
}

/// lpac's reaction to an unusable environment: the driver loader's line on stderr, or the
/// `euicc_init` error line.
fn environment_error(error: &EnvError) -> u8 {
    match error {
        EnvError::NoApduDriver(_) => eprintln!("No APDU driver found"),
        EnvError::NoHttpDriver(_) => eprintln!("No HTTP driver found"),
        EnvError::IsdRAid => json::error("euicc_init", "invalid custom ISD-R applet id given"),
        EnvError::SegmentSize => json::error("euicc_init", "invalid custom ES10x MSS given"),
        EnvError::Number(name, value) => eprintln!("{name}: not a valid number: {value:?}"),
    }
    FAILURE
}

/// The top-level applets, in lpac's order.
const APPLETS: &[&str] = &["driver", "chip", "profile", "notification", "version"];

fn run(program: &str, args: &[String], settings: &Settings) -> Outcome {
    let Some((applet, rest)) = args.split_first() else { return Err(usage(program, APPLETS)) };
    match applet.as_str() {
        "version" => {
            json::success(Json::Str(VERSION.into()));
            Ok(())
        }
        "driver" => driver(rest, settings),
        "chip" => with_euicc(settings, |euicc| chip::run(euicc, rest)),
        "profile" => with_euicc(settings, |euicc| profile::run(euicc, rest)),
        "notification" => with_euicc(settings, |euicc| notification::run(euicc, rest)),
        other => Err(unknown(program, APPLETS, Some(other))),
    }
}

/// Runs `applet` on the opened ISD-R of the card `settings` name (lpac `main_init_euicc`);
/// a card that cannot be opened is lpac's `euicc_init` error, the cause on stderr (a PC/SC
/// failure as lpac's pcsc driver words it).
fn with_euicc(settings: &Settings, applet: impl FnOnce(&mut Euicc<'_, '_>) -> Outcome) -> Outcome {
    let global = global(settings)?;
    let mut outcome = None;
    let opened = with_isdr(&global, |isdr| {
        outcome = Some(applet(isdr));
        Ok(())
    });
    match (outcome, opened) {
        (Some(outcome), _) => outcome,
        (None, Err(error)) => {
            match (&settings.backend, &error) {
                (Backend::Pcsc { .. }, CliError::Transport { source, .. }) => {
                    eprintln!("{}", pcsc::line(pcsc::function(source), pcsc::code(source)));
                }
                (Backend::Pcsc { .. }, CliError::CardReset { .. }) => {
                    eprintln!("{}", pcsc::line("SCardTransmit()", pcsc::RESET_CARD));
                }
                _ => eprintln!("{}", error.message()),
            }
            Err(fail("euicc_init", ""))
        }
        (None, Ok(())) => Err(fail("euicc_init", "")),
    }
}

/// The oxicard options that reach the card `settings` name; what lpac prints when it cannot be
/// named has been printed.
fn global(settings: &Settings) -> Result<Global, Failed> {
    let mut global = Global {
        reader: None,
        at: None,
        qmi: None,
        mbim: None,
        slot: None,
        baud: None,
        modem_proxy: None,
        sim: None,
        isd_r: settings.isd_r_aid.as_deref().map(hex::encode_upper),
        channel: ChannelKind::Logical,
        no_logical_channel: false,
        segment_size: settings.segment_size,
        extended: false,
        latency: std::time::Duration::ZERO,
        verbose: 0,
        json: true,
    };
    match &settings.backend {
        Backend::Simulator => {
            global.sim = Some(std::env::var_os("OXICARD_SIM").filter(|s| !s.is_empty()).map(Into::into));
        }
        Backend::Pcsc { index, name, ignore } => {
            global.reader = Some(pick_reader(*index, name.as_deref(), ignore)?);
        }
        Backend::Modem { protocol, device, slot, proxy } => {
            let device = Some(Some(device.clone()));
            match protocol {
                oxicard_transport::modem::ModemProtocol::At => global.at = device,
                oxicard_transport::modem::ModemProtocol::Qmi => global.qmi = device,
                _ => global.mbim = device,
            }
            global.slot = *slot;
            global.modem_proxy = proxy.map(|only| if only { ModemProxy::Only } else { ModemProxy::Never });
        }
    }
    Ok(global)
}

/// The ES9+/ES11 client of lpac mode: oxicard's (the GSMA CI roots and the web roots), with
/// `OXICARD_CA` and `OXICARD_CONNECT_TO` as oxicard's commands read them.
fn es9_client() -> Result<oxicard_euicc::es9::HttpEs9Client, CliError> {
    let connect_to = std::env::var("OXICARD_CONNECT_TO")
        .map(|rules| rules.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    crate::net::es9_client(&NetArgs { connect_to, ca: Vec::new(), test_ci: false })
}

/// The PC/SC reader lpac's variables name: by index in the reader list, else the first whose
/// name contains `name`, else the first with a card; readers whose name contains one of
/// `ignore` are left out first. As lpac's pcsc driver: no PC/SC service or no reader at all is
/// the driver's failure (its line, `APDU driver init failed`, nothing on stdout); no reader to
/// use is the `euicc_init` error, after `SCardConnect()`'s "No smart card inserted." when
/// neither variable was set.
fn pick_reader(index: Option<usize>, name: Option<&str>, ignore: &[String]) -> Result<String, Failed> {
    let init_failed = |function: &str, code: u32| {
        eprintln!("{}", pcsc::line(function, code));
        eprintln!("APDU driver init failed");
        Failed
    };
    let context = PcscContext::establish()
        .map_err(|error| init_failed("SCardEstablishContext()", pcsc::code(&error)))?;
    let readers = context.readers().map_err(|error| init_failed("SCardListReaders()", pcsc::code(&error)))?;
    if readers.is_empty() {
        return Err(init_failed("SCardListReaders()", pcsc::NO_READERS_AVAILABLE));
    }
    let usable: Vec<_> =
        readers.iter().filter(|r| !ignore.iter().any(|i| r.name.contains(i.as_str()))).collect();
    let chosen = match (index, name) {
        (Some(index), _) => readers.get(index),
        (None, Some(name)) => usable.iter().copied().find(|r| r.name.contains(name)),
        (None, None) => usable.iter().copied().find(|r| r.card_present),
    };
    chosen.map(|r| r.name.clone()).ok_or_else(|| {
        if index.is_none() && name.is_none() {
            eprintln!("{}", pcsc::line("SCardConnect()", pcsc::NO_SMARTCARD));
        }
        fail("euicc_init", "")
    })
}

/// What `driver apdu list` lists for `backend`, each `{env, name}` with `env` the value to put
/// in the variable it names: PC/SC readers by index (`LPAC_APDU_PCSC_DRV_IFID`), or the modem
/// devices of the protocol by path (`LPAC_APDU_AT_DEVICE`, …, with the kernel driver as name).
fn apdu_devices(backend: &Backend) -> (&'static str, Vec<Json>) {
    let entry =
        |env: String, name: String| Json::Object(vec![("env", Json::Str(env)), ("name", Json::Str(name))]);
    let protocol = match backend {
        Backend::Modem { protocol, .. } => *protocol,
        Backend::Pcsc { .. } | Backend::Simulator => {
            let readers =
                PcscContext::establish().and_then(|context| context.list_readers()).unwrap_or_default();
            let data = readers.into_iter().enumerate().map(|(i, name)| entry(i.to_string(), name)).collect();
            return ("LPAC_APDU_PCSC_DRV_IFID", data);
        }
    };
    let env = match protocol {
        oxicard_transport::modem::ModemProtocol::At => "LPAC_APDU_AT_DEVICE",
        oxicard_transport::modem::ModemProtocol::Qmi => "LPAC_APDU_QMI_DEVICE",
        _ => "LPAC_APDU_MBIM_DEVICE",
    };
    let devices = oxicard_transport::modem::list_devices().unwrap_or_default();
    let data = devices
        .into_iter()
        .filter(|d| d.protocol.is_none_or(|p| p == protocol))
        .map(|d| {
            let path = d.path.display().to_string();
            let name = d.driver.unwrap_or_else(|| path.clone());
            entry(path, name)
        })
        .collect();
    (env, data)
}

/// `driver apdu list`: the PC/SC readers as lpac's pcsc driver lists them (`env` the index to
/// put in `LPAC_APDU_PCSC_DRV_IFID`); `driver http` prints nothing.
fn driver(args: &[String], settings: &Settings) -> Outcome {
    match args.first().map(String::as_str) {
        Some("apdu") => match args.get(1).map(String::as_str) {
            Some("list") => {
                let (env, data) = apdu_devices(&settings.backend);
                json::driver(Json::Object(vec![("env", Json::Str(env.into())), ("data", Json::Array(data))]));
                Ok(())
            }
            Some(_) => Ok(()),
            None => {
                eprintln!("Usage: apdu <list>");
                Err(Failed)
            }
        },
        Some("http") => Ok(()),
        Some("list") => {
            json::driver(Json::Object(vec![
                ("LPAC_APDU", Json::strings(["pcsc", "at", "at_csim", "qmi", "uqmi", "mbim", "oxicard_sim"])),
                ("LPAC_HTTP", Json::strings(["curl"])),
            ]));
            Ok(())
        }
        other => Err(unknown("driver", &["apdu", "http", "list"], other)),
    }
}
