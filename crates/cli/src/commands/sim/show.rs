//! `sim show ICCID`: the SAIP package the software eUICC kept for a profile it installed.

use oxicard_sim::saip::Package as SaipPackage;
use serde_json::json;

use crate::cli::Global;
use crate::error::CliError;
use crate::output::Out;
use crate::parse::parse_iccid;
use crate::simstate::SimPaths;

/// `sim show ICCID`: the SAIP package (SAIP v3.3.1 §8) the software eUICC kept when it installed
/// the profile — ICCID, IMSI (EF.IMSI, 3GPP TS 31.102 §4.2.2), profile type, SAIP version, the
/// mandatory services and templates, and every ProfileElement (kind, identification, offset,
/// length).
pub(crate) fn show(g: &Global, out: &Out, iccid: &str) -> Result<(), CliError> {
    let iccid = parse_iccid(iccid)?;
    let euicc = SimPaths::from_global(g)?.open()?;
    let state = euicc.state();
    let profile = state
        .profiles()
        .iter()
        .find(|p| p.iccid == Some(iccid))
        .ok_or_else(|| CliError::Sim(format!("no profile {iccid} on the software eUICC")))?;
    let upp = state.package(&iccid).ok_or_else(|| {
        CliError::Sim(format!("profile {iccid} was not installed by a download: no package is kept"))
    })?;
    let package = SaipPackage::decode(upp)
        .map_err(|e| CliError::Sim(format!("the package of profile {iccid}: {e}")))?;
    let header = package.header();
    let version = format!("{}.{}", header.major_version, header.minor_version);
    let imsi = package.imsi().map(|i| i.to_string());
    let elements: Vec<serde_json::Value> = package
        .elements()
        .iter()
        .enumerate()
        .map(|(index, e)| {
            json!({
                "index": index,
                "kind": e.kind.name(),
                "identification": e.identification,
                "mandated": e.mandated,
                "offset": e.offset,
                "length": e.raw.len(),
            })
        })
        .collect();
    let data = json!({
        "iccid": package.iccid().to_string(),
        "efIccid": package.ef_iccid().map(|i| i.to_string()),
        "imsi": imsi,
        "profileName": profile.profile_name,
        "serviceProviderName": profile.service_provider_name,
        "profileState": profile.state.map(|s| s.asn1_name()),
        "profileType": header.profile_type,
        "saipVersion": version,
        "size": upp.len(),
        "mandatoryServices": header.mandatory_services,
        "mandatoryGfste": header.mandatory_gfste,
        "elements": elements,
    });
    let mut text = format!(
        "ICCID         {}\nIMSI          {}\nprofile name  {}\nprofile type  {}\nSAIP version  {version}\n\
         package       {} bytes, {} PEs\nservices      {}\ntemplates     {}\n\n  # kind                     id  offset  length\n",
        package.iccid(),
        imsi.as_deref().unwrap_or("-"),
        profile.profile_name.as_deref().unwrap_or("-"),
        header.profile_type.as_deref().unwrap_or("-"),
        upp.len(),
        package.elements().len(),
        header.mandatory_services.join(", "),
        header.mandatory_gfste.join(", "),
    );
    for (index, e) in package.elements().iter().enumerate() {
        let id = e.identification.map_or_else(|| "-".to_string(), |i| i.to_string());
        text.push_str(&format!(
            "{index:>3} {:<22} {id:>4} {:>7} {:>7}\n",
            e.kind.name(),
            e.offset,
            e.raw.len()
        ));
    }
    out.success(data, &text);
    Ok(())
}
