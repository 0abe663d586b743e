//! `chip info | default-dp | memory-reset`: the eUICC itself (ES10a / ES10c).

use std::fmt::Write as _;

use oxicard_euicc::activation::{ActivationCode, ActivationCodeError};
use oxicard_euicc::es10::{BitFlags, bit_names, reset_options};
use serde_json::Value;

use crate::backend::with_isdr;
use crate::cli::{Global, MemoryResetArgs};
use crate::error::CliError;
use crate::json;
use crate::output::Out;

/// `chip info`: lpac's data plus `isdrAid`, the AID the ISD-R answered at (the SGP.22 §2.2.3
/// default, a removable eUICC's vendor AID found by the fallback of `Isdr::open`, or
/// `--isd-r`).
pub(crate) fn info(g: &Global, out: &Out) -> Result<(), CliError> {
    let (isdr_aid, eid, addresses, info2) = with_isdr(g, |isdr| {
        let eid = isdr.eid().map_err(CliError::es10("es10c_get_eid"))?;
        let addresses =
            isdr.configured_addresses().map_err(CliError::es10("es10a_get_euicc_configured_addresses"))?;
        let info2 = isdr.euicc_info2().map_err(CliError::es10("es10c_ex_get_euiccinfo2"))?;
        Ok((hex::encode_upper(isdr.aid()), eid, addresses, info2))
    })?;
    let mut data = json::chip_info(&eid, &addresses, &info2);
    if let Value::Object(map) = &mut data {
        map.insert("isdrAid".into(), isdr_aid.clone().into());
    }
    let mut t = String::new();
    let _ = writeln!(t, "EID:                 {eid}");
    let _ = writeln!(t, "ISD-R AID:           {isdr_aid}");
    let _ =
        writeln!(t, "default SM-DP+:      {}", addresses.default_dp_address.as_deref().unwrap_or("(none)"));
    let _ = writeln!(t, "root SM-DS:          {}", addresses.root_ds_address);
    let _ = writeln!(t, "SGP.22 version:      {}", info2.svn);
    let _ = writeln!(t, "profile version:     {}", info2.profile_version);
    let _ = writeln!(t, "firmware:            {}", info2.firmware_version);
    let _ = writeln!(t, "PP version:          {}", info2.pp_version);
    let _ = writeln!(t, "SAS accreditation:   {}", info2.sas_accreditation_number);
    let names = |b: &BitFlags, table| b.names(table).collect::<Vec<_>>().join(", ");
    let _ = writeln!(t, "UICC capability:     {}", names(&info2.uicc_capability, bit_names::UICC_CAPABILITY));
    let _ = writeln!(t, "RSP capability:      {}", names(&info2.rsp_capability, bit_names::RSP_CAPABILITY));
    if let Some(pprs) = &info2.forbidden_profile_policy_rules {
        let _ = writeln!(t, "forbidden PPRs:      {}", names(pprs, bit_names::PPR_IDS));
    }
    if let Some(c) = &info2.certification_data {
        let _ = writeln!(t, "certification:       {} ({})", c.platform_label, c.discovery_base_url);
    }
    if let Some(c) = info2.euicc_category {
        let _ = writeln!(t, "category:            {}", c.asn1_name());
    }
    if let Some(free) = info2.ext_card_resource.free_non_volatile_memory() {
        let _ = writeln!(t, "free memory:         {free} bytes");
    }
    if let Some(apps) = info2.ext_card_resource.installed_applications() {
        let _ = writeln!(t, "installed apps:      {apps}");
    }
    for pkid in &info2.ci_pkids_for_verification {
        let _ = writeln!(t, "CI key (verify):     {}", hex::encode_upper(pkid));
    }
    for pkid in &info2.ci_pkids_for_signing {
        let _ = writeln!(t, "CI key (sign):       {}", hex::encode_upper(pkid));
    }
    out.success(data, &t);
    Ok(())
}

/// `chip default-dp ADDRESS`: the address is checked (an FQDN with an optional `:port`, as in
/// an activation code; "" clears it) before the card is opened.
pub(crate) fn default_dp(g: &Global, out: &Out, address: &str) -> Result<(), CliError> {
    check_dp_address(address)?;
    with_isdr(g, |isdr| {
        isdr.set_default_dp_address(address).map_err(CliError::es10("es10a_set_default_dp_address"))
    })?;
    out.success(Value::Null, &format!("default SM-DP+ address set to {address:?}"));
    Ok(())
}

/// An SM-DP+ address as SGP.22 §4.1 has it in an activation code (the euicc crate's rules:
/// RFC 1035 labels, at most 253 characters, an optional port 1..=65535), or "".
fn check_dp_address(address: &str) -> Result<(), CliError> {
    if address.is_empty() {
        return Ok(());
    }
    match ActivationCode::check_smdp_address(address) {
        Ok(_) => Ok(()),
        Err(ActivationCodeError::InvalidField { reason, .. }) => Err(CliError::Usage(format!(
            "chip default-dp: {address:?} is not an SM-DP+ address (FQDN[:port]): {reason}"
        ))),
        Err(e) => Err(CliError::Usage(format!("chip default-dp: {address:?}: {e}"))),
    }
}

/// `chip memory-reset`.
pub(crate) fn memory_reset(g: &Global, out: &Out, args: &MemoryResetArgs) -> Result<(), CliError> {
    let mut bits = Vec::new();
    if args.operational || args.all {
        bits.push(reset_options::DELETE_OPERATIONAL_PROFILES);
    }
    if args.test || args.all {
        bits.push(reset_options::DELETE_FIELD_LOADED_TEST_PROFILES);
    }
    if args.address || args.all {
        bits.push(reset_options::RESET_DEFAULT_SMDP_ADDRESS);
    }
    if bits.is_empty() {
        return Err(CliError::Usage(
            "chip memory-reset: choose --operational, --test, --address or --all".into(),
        ));
    }
    with_isdr(g, |isdr| {
        isdr.memory_reset(BitFlags::from_bits(bits)).map_err(CliError::es10("es10c_euicc_memory_reset"))
    })?;
    out.success(Value::Null, "memory reset done");
    Ok(())
}
