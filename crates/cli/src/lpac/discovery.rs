//! `lpac profile discovery [-s SMDS] [-i IMEI]` (lpac `src/applet/profile/discovery.c`): the
//! SM-DS events of this eUICC (SGP.22 §3.6.1, ES11), printed as the list of their SM-DP+
//! addresses, a progress line as each step starts (its data the SM-DS address).

use oxicard_euicc::discovery::{DiscoveryErrorKind, DiscoveryStep, discover_with_progress};

use super::json::{self, Json};
use super::{Euicc, Outcome, fail, status};
use crate::parse::device_info;

/// lpac's default SM-DS (SGP.22 §4.2, the GSMA root SM-DS).
const DEFAULT_SMDS: &str = "lpa.ds.gsma.com";

/// lpac's `-h` text.
const HELP: &str = "Usage: discovery [OPTIONS]\n\t -s SM-DS Domain\n\t -i IMEI\n\t -h This help info";

/// lpac's function name of a discovery step.
fn function(step: DiscoveryStep) -> &'static str {
    crate::json::discovery_function(step)
}

/// `profile discovery`.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let parsed = super::options("discovery", args, "s:i:h?", HELP)?;
    let option =
        |letter| parsed.options.iter().rev().find(|(l, _)| *l == letter).and_then(|(_, v)| v.clone());
    let smds = option('s').unwrap_or_else(|| DEFAULT_SMDS.to_owned());
    let Ok(device) = device_info(option('i').as_deref()) else {
        return Err(fail("es10b_authenticate_server", ""));
    };
    let Ok(mut es11) = super::es9_client() else {
        return Err(fail("es9p_initiate_authentication", "HTTP transport failed"));
    };
    let mut last = None;
    let progress = |step: DiscoveryStep| {
        let message = function(step);
        if last != Some(message) {
            last = Some(message);
            json::progress(message, Json::Str(smds.clone()));
        }
    };
    match discover_with_progress(euicc, &mut es11, &smds, device, progress) {
        Ok(events) => {
            json::success(Json::strings(events.into_iter().map(|e| e.rsp_server_address)));
            Ok(())
        }
        Err(error) => {
            let detail = match &error.kind {
                DiscoveryErrorKind::Server(server) if error.step == DiscoveryStep::InitiateAuthentication => {
                    status::message(server)
                }
                _ => String::new(),
            };
            Err(fail(function(error.step), &detail))
        }
    }
}
