//! `profile list | enable | disable | delete | nickname` (ES10c; `download` and `discover` have
//! their own modules).

use serde_json::Value;

use crate::backend::with_isdr;
use crate::cli::Global;
use crate::error::CliError;
use crate::json;
use crate::output::Out;
use crate::parse::{parse_iccid, parse_profile};
use crate::profile_table::profile_table;

/// `profile list`.
pub(crate) fn list(g: &Global, out: &Out) -> Result<(), CliError> {
    let profiles = with_isdr(g, |isdr| isdr.profiles().map_err(CliError::es10("es10c_get_profiles_info")))?;
    out.success(Value::Array(profiles.iter().map(json::profile).collect()), &profile_table(&profiles));
    Ok(())
}

/// A profile operation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    /// Enable, with refresh.
    Enable(bool),
    /// Disable, with refresh.
    Disable(bool),
    /// Delete.
    Delete,
}

/// `profile enable | disable | delete`. By ICCID, the library sends the request again by ISD-P
/// AID when the card refuses the ICCID form (`oxicard_euicc::isdr`, "Profiles by ICCID"; SGP.22
/// §5.7.16–18), so removable eUICCs that only switch by AID work with an ICCID too.
pub(crate) fn operate(g: &Global, out: &Out, profile: &str, op: Op) -> Result<(), CliError> {
    let id = parse_profile(profile)?;
    let done = with_isdr(g, |isdr| match op {
        Op::Enable(refresh) => isdr
            .enable_profile(id, refresh)
            .map_err(CliError::es10("es10c_enable_profile"))
            .map(|()| "enabled"),
        Op::Disable(refresh) => isdr
            .disable_profile(id, refresh)
            .map_err(CliError::es10("es10c_disable_profile"))
            .map(|()| "disabled"),
        Op::Delete => {
            isdr.delete_profile(id).map_err(CliError::es10("es10c_delete_profile")).map(|()| "deleted")
        }
    })?;
    out.success(Value::Null, &format!("profile {profile} {done}"));
    Ok(())
}

/// `profile nickname ICCID NAME`.
pub(crate) fn nickname(g: &Global, out: &Out, iccid: &str, name: &str) -> Result<(), CliError> {
    let iccid = parse_iccid(iccid)?;
    with_isdr(g, |isdr| isdr.set_nickname(iccid, name).map_err(CliError::es10("es10c_set_nickname")))?;
    out.success(Value::Null, &format!("profile {iccid} nickname set to {name:?}"));
    Ok(())
}
