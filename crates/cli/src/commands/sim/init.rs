//! `sim init`: the software eUICC created, with a generated test identity or an imported one.

use serde_json::json;

use crate::cli::{Global, SimInitArgs};
use crate::error::CliError;
use crate::output::Out;
use crate::simstate::{Import, SimPaths};

/// `sim init`.
pub(crate) fn init(g: &Global, out: &Out, args: &SimInitArgs) -> Result<(), CliError> {
    let paths = SimPaths::from_global(g)?;
    let import = match (&args.cert, &args.key, &args.eum) {
        (Some(cert), Some(key), Some(eum)) => Some(Import { cert, key, eum, cis: &args.ci }),
        _ => None,
    };
    let euicc = paths.init(args.force, import.as_ref())?;
    let eid = euicc.config().eid.digits();
    drop(euicc);
    let data = json!({
        "eidValue": eid,
        "state": paths.state.display().to_string(),
        "certificate": paths.cert.display().to_string(),
        "ci": paths.ci.display().to_string(),
    });
    out.success(data, &format!("software eUICC {eid} created at {}", paths.state.display()));
    Ok(())
}
