//! `lpac chip info|defaultsmdp|purge` (lpac `src/applet/chip/`).

use oxicard_euicc::es10::{BitFlags, Rejection, reset_options};
use oxicard_euicc::isdr::Es10Error;

use super::json;
use super::{Euicc, Outcome, done, fail, shapes, sub_command, unknown};

/// The `chip` applets.
const APPLETS: &[&str] = &["info", "defaultsmdp", "purge"];

/// Runs `chip ARGS` on the opened eUICC.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let (command, operands) = sub_command(args);
    match command {
        Some("info") => info(euicc),
        Some("defaultsmdp") => default_smdp(euicc, operands),
        Some("purge") => purge(euicc, operands),
        other => Err(unknown("chip", APPLETS, other)),
    }
}

/// `chip info`: GetEID (the only call whose failure fails the command), then
/// GetEuiccConfiguredAddresses, GetRAT and GetEUICCInfo2, each member left out when its call
/// fails (lpac `src/applet/chip/info.c`).
fn info(euicc: &mut Euicc<'_, '_>) -> Outcome {
    let eid = euicc.eid().map_err(|_| fail("es10c_get_eid", ""))?;
    let addresses = euicc.configured_addresses().ok();
    let rat = euicc.rat().ok();
    let info2 = euicc.euicc_info2().ok();
    json::success(shapes::chip_info(&eid, addresses.as_ref(), info2.as_ref(), rat.as_deref()));
    Ok(())
}

/// `chip defaultsmdp ADDRESS`: SetDefaultDpAddress (an empty address clears it).
fn default_smdp(euicc: &mut Euicc<'_, '_>, operands: &[String]) -> Outcome {
    let Some(address) = operands.first() else {
        println!("Usage: defaultsmdp <smdp>");
        return Err(super::Failed);
    };
    done(euicc.set_default_dp_address(address), "es10a_set_default_dp_address", |_| "")
}

/// `chip purge yes`: eUICCMemoryReset of the operational and field-loaded test profiles and the
/// default SM-DP+ address.
fn purge(euicc: &mut Euicc<'_, '_>, operands: &[String]) -> Outcome {
    let Some(answer) = operands.first() else {
        println!("Usage: purge [yes|other]\n\t\tConfirm purge eUICC, all data will lost!");
        return Err(super::Failed);
    };
    if answer != "yes" {
        println!("Purge canceled");
        return Err(super::Failed);
    }
    let options = BitFlags::from_bits([
        reset_options::DELETE_OPERATIONAL_PROFILES,
        reset_options::DELETE_FIELD_LOADED_TEST_PROFILES,
        reset_options::RESET_DEFAULT_SMDP_ADDRESS,
    ]);
    done(euicc.memory_reset(options), "es10c_euicc_memory_reset", |error| match error {
        Es10Error::Rejected(Rejection::EuiccMemoryReset(e)) if e.code() == 1 => "nothing to delete",
        _ => "unknown",
    })
}
