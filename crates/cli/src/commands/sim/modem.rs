//! `sim modem --at|--qmi|--mbim`: a simulated modem on a pseudo-terminal, in front of the
//! software eUICC, the simulated GP card or a reader's card, until the end of input.

use oxicard_sim::modem::pty::Pty;
use oxicard_sim::modem::{SimulatedModem, quirk_names};
use oxicard_transport::Transport;
use oxicard_transport::modem::ModemProtocol;
use oxicard_transport::sim::SimulatorTransport;
use serde_json::json;

use crate::backend;
use crate::cli::{Global, SimModemArgs};
use crate::error::CliError;
use crate::output::Out;
use crate::serving::wait_for_eof;
use crate::simstate::{SimPaths, gp};

/// `sim modem`: serves the modem on a new pseudo-terminal and prints its path.
pub(crate) fn modem(g: &Global, out: &Out, args: &SimModemArgs) -> Result<(), CliError> {
    let protocol = protocol(g)?;
    if args.quirks.iter().any(|q| q == "list") {
        let names = quirk_names(protocol);
        let data: Vec<_> =
            names.iter().map(|(name, what)| json!({ "name": name, "description": what })).collect();
        let text: Vec<String> = names.iter().map(|(name, what)| format!("{name}\t{what}")).collect();
        out.success(json!(data), &text.join("\n"));
        return Ok(());
    }
    let quirks: Vec<&str> = args.quirks.iter().map(String::as_str).collect();
    let (card, what): (Box<dyn Transport>, String) = if let Some(name) = g.reader.as_deref() {
        (backend::reader_transport(name)?, format!("the card in reader {name:?}"))
    } else if args.gp {
        let path = gp::state_path(g)?;
        (
            Box::new(SimulatorTransport::new(gp::open_card(&path)?)),
            format!("the simulated GP card {}", path.display()),
        )
    } else {
        let paths = SimPaths::from_global(g)?;
        let euicc = paths.open()?;
        (Box::new(SimulatorTransport::new(euicc)), format!("the software eUICC {}", paths.state.display()))
    };
    let mut modem =
        SimulatedModem::new(protocol, card, &quirks).map_err(|e| CliError::Usage(e.to_string()))?;
    let pty = Pty::open().map_err(|e| CliError::Sim(format!("cannot open a pseudo-terminal: {e}")))?;
    let master = pty.master().map_err(|e| CliError::Sim(format!("pseudo-terminal: {e}")))?;
    let device = pty.slave_path().display().to_string();
    std::thread::spawn(move || {
        if let Err(e) = modem.serve(master) {
            tracing::warn!(target: "oxicard::cli", "the simulated modem stopped: {e}");
        }
    });
    let name = protocol.as_str();
    out.progress("modem", json!({ "device": device, "protocol": name, "quirks": quirks }));
    out.say(&format!(
        "{} modem on {device} in front of {what}; `oxicard --{name} {device} …` reaches it; Ctrl-C or end of \
         input to stop",
        name.to_ascii_uppercase()
    ));
    wait_for_eof();
    drop(pty);
    out.success(json!(null), "modem stopped");
    Ok(())
}

/// The protocol `--at`, `--qmi` or `--mbim` picks: exactly one, without a device.
fn protocol(g: &Global) -> Result<ModemProtocol, CliError> {
    let given: Vec<(ModemProtocol, bool)> = g
        .modems()
        .into_iter()
        .filter_map(|(protocol, device)| device.map(|d| (protocol, d.is_some())))
        .collect();
    match given.as_slice() {
        [(protocol, false)] => Ok(*protocol),
        [(protocol, true)] => Err(CliError::Usage(format!(
            "sim modem --{0} takes no device: it creates one and prints its path",
            protocol.as_str()
        ))),
        [] => Err(CliError::Usage("sim modem needs --at, --qmi or --mbim".into())),
        _ => Err(CliError::Usage("sim modem serves one modem: give one of --at, --qmi, --mbim".into())),
    }
}
