//! `sim smdp`: the test SM-DP+ for the software eUICC, until the end of input.

use oxicard_sim::smdp::SmdpServer;
use serde_json::json;

use crate::cli::{Global, SmdpArgs};
use crate::error::CliError;
use crate::output::Out;
use crate::serving::{bind_address, wait_for_eof};
use crate::simstate::SimPaths;
use crate::test_smdp::test_smdp;

/// `sim smdp`.
pub(crate) fn smdp(g: &Global, out: &Out, args: &SmdpArgs) -> Result<(), CliError> {
    let paths = SimPaths::from_global(g)?;
    let (_, pki) = paths.servers_pki()?;
    let address = bind_address(&args.listen)?;
    let smdp = test_smdp(&pki, &address, args.profiles.as_deref())?;
    let tls = (!args.http).then(|| pki.dp_tls());
    let server = SmdpServer::start(smdp, &address, tls)
        .map_err(|e| CliError::Sim(format!("cannot start the SM-DP+ on {address}: {e}")))?;
    let base_url = server.base_url();
    let ca = paths.ci.display().to_string();
    out.success(
        json!({ "address": address, "baseUrl": base_url, "ca": ca, "activationCode": format!("LPA:1${address}$TEST") }),
        &format!(
            "test SM-DP+ {address} serving at {base_url}\ntrust CA: {ca}\ntry: oxicard profile download --ca {ca} 'LPA:1${address}$TEST'\n(Ctrl-C or end of input to stop)"
        ),
    );
    wait_for_eof();
    drop(server);
    Ok(())
}
