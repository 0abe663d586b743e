//! `sim serve [--gp] [--latency TIME]`: the software eUICC, or the simulated GP card, as the
//! card of the vpcd reader (pcscd + vsmartcard) until the end of input, answering each command
//! after the latency.

use oxicard_transport::sim::{CardSimulator, Latency};
use oxicard_transport::vpcd::VirtualCard;
use serde_json::json;

use crate::cli::Global;
use crate::error::CliError;
use crate::output::Out;
use crate::serving::wait_for_eof;
use crate::simstate::{SimPaths, gp};

/// `sim serve [--gp]`: the software eUICC, or the simulated GP card, in the vpcd reader.
pub(crate) fn serve(g: &Global, out: &Out, port: u16, gp: bool) -> Result<(), CliError> {
    let latency = g.latency;
    let (state, card): (_, Box<dyn CardSimulator + Send>) = if gp {
        let path = gp::state_path(g)?;
        let card = gp::open_card(&path)?;
        (path, Box::new(card))
    } else {
        let paths = SimPaths::from_global(g)?;
        let euicc = paths.open()?;
        (paths.state, Box::new(euicc))
    };
    // Each command answered after `--latency`, as on hardware.
    let card: Box<dyn CardSimulator + Send> = Box::new(Latency::new(card, latency));
    let card = VirtualCard::spawn(card, port);
    let card = card.map_err(|source| CliError::Transport {
        context: format!("cannot reach vpcd on 127.0.0.1:{port} (is pcscd with vsmartcard running?)"),
        source,
    })?;
    let what = if gp { "simulated GP card" } else { "software eUICC" };
    let card_kind = if gp { "gp" } else { "euicc" };
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    out.progress(
        "vpcd",
        json!({ "port": port, "state": state.display().to_string(), "card": card_kind, "latencyMs": latency_ms }),
    );
    out.say(&format!(
        "{what} {} inserted in the vpcd reader on port {port}; Ctrl-C or end of input to remove it",
        state.display()
    ));
    wait_for_eof();
    card.remove().map_err(|source| CliError::Transport { context: "removing the card".into(), source })?;
    out.success(json!(null), "card removed");
    Ok(())
}
