//! `sim init | serve | smdp | show`.

use std::path::{Path, PathBuf};

use oxicard_euicc::iccid::Iccid;
use oxicard_sim::pki::TestPki;
use oxicard_sim::saip::Package as SaipPackage;
use oxicard_sim::smdp::{
    ProfileBuilder, ProfileMetadata, ProfilePackage, SmdpServer, TestSmdp, header_iccid,
};
use oxicard_transport::sim::CardSimulator;
use oxicard_transport::vpcd::VirtualCard;
use serde_json::json;

use crate::cli::{Global, SimInitArgs, SmdpArgs};
use crate::error::CliError;
use crate::input::{MAX_PROFILE_DIR_ENTRIES, MAX_PROFILE_DIR_LEN, MAX_PROFILE_PACKAGE_LEN, read_input};
use crate::output::Out;
use crate::simstate::{Import, SimPaths};

/// ICCID of the built `TEST` profile (the example ICCID of the oxicard-sim README).
pub(crate) const TEST_ICCID: &str = "8944478600004573128";
/// ICCID of the built `TEST-CC` profile (hand-made example).
pub(crate) const TEST_CC_ICCID: &str = "8944478600004573136";
/// Confirmation code of `TEST-CC`.
pub(crate) const TEST_CONFIRMATION_CODE: &str = "1234";

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

/// Blocks until end of input (or Ctrl-C, which ends the process). What comes before is
/// dropped as it is read, through a fixed buffer: memory stays the same whatever stdin gives
/// (`< /dev/zero` keeps the server running, reading, without growing).
pub(crate) fn wait_for_eof() {
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
}

/// `sim serve [--gp]`: the software eUICC, or the simulated GP card, in the vpcd reader.
pub(crate) fn serve(g: &Global, out: &Out, port: u16, gp: bool) -> Result<(), CliError> {
    let (state, card): (_, Box<dyn CardSimulator + Send>) = if gp {
        let path = crate::gp::sim_state_path(g)?;
        let card = crate::gp::open_sim_card(&path)?;
        (path, Box::new(card))
    } else {
        let paths = SimPaths::from_global(g)?;
        let euicc = paths.open()?;
        (paths.state, Box::new(euicc))
    };
    let card = VirtualCard::spawn(card, port);
    let card = card.map_err(|source| CliError::Transport {
        context: format!("cannot reach vpcd on 127.0.0.1:{port} (is pcscd with vsmartcard running?)"),
        source,
    })?;
    let what = if gp { "simulated GP card" } else { "software eUICC" };
    out.progress("vpcd", json!({ "port": port, "state": state.display().to_string(), "card": if gp { "gp" } else { "euicc" } }));
    out.say(&format!(
        "{what} {} inserted in the vpcd reader on port {port}; Ctrl-C or end of input to remove it",
        state.display()
    ));
    wait_for_eof();
    card.remove().map_err(|source| CliError::Transport { context: "removing the card".into(), source })?;
    out.success(json!(null), "card removed");
    Ok(())
}

/// The built test profile with its ICCID.
fn built(iccid: &str, name: &str, address: &str) -> Result<ProfilePackage, CliError> {
    let iccid: Iccid = iccid.parse().map_err(|e| CliError::Sim(format!("ICCID: {e}")))?;
    Ok(ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, name, "oxicard", address)))
}

/// A profile package file of `sim smdp --profiles DIR`.
struct Package {
    /// The MatchingID: the file name without `.der`.
    matching_id: String,
    /// The file.
    path: PathBuf,
    /// Its content, a SAIP profile package (UPP).
    upp: Vec<u8>,
}

/// The profile packages `MATCHING-ID.der` of `dir`, read bounded: each a regular file of at
/// most [`MAX_PROFILE_PACKAGE_LEN`] bytes (a FIFO, device or directory named `*.der` is refused,
/// naming it), at most [`MAX_PROFILE_DIR_ENTRIES`] entries looked at and [`MAX_PROFILE_DIR_LEN`]
/// bytes of packages in all. Other entries are skipped.
fn profile_packages(dir: &Path) -> Result<Vec<Package>, CliError> {
    let unreadable = |e: std::io::Error| CliError::io("--profiles: cannot read", dir, &e);
    let mut packages = Vec::new();
    let mut total = 0u64;
    for (index, entry) in std::fs::read_dir(dir).map_err(unreadable)?.enumerate() {
        if index >= MAX_PROFILE_DIR_ENTRIES {
            return Err(CliError::Io(format!(
                "--profiles: {} has more than {MAX_PROFILE_DIR_ENTRIES} entries",
                dir.display()
            )));
        }
        let path = entry.map_err(unreadable)?.path();
        let Some(matching_id) = path
            .file_stem()
            .filter(|_| path.extension().is_some_and(|e| e == "der"))
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let upp = read_input("--profiles", &path, MAX_PROFILE_PACKAGE_LEN)?;
        total = total.saturating_add(u64::try_from(upp.len()).unwrap_or(u64::MAX));
        if total > MAX_PROFILE_DIR_LEN {
            return Err(CliError::Io(format!(
                "--profiles: the packages of {} are too large (over {MAX_PROFILE_DIR_LEN} bytes in all)",
                dir.display()
            )));
        }
        packages.push(Package { matching_id, path, upp });
    }
    Ok(packages)
}

/// A test SM-DP+ at `address` with `TEST`, `TEST-CC` and the packages of `dir`.
pub(crate) fn test_smdp(pki: &TestPki, address: &str, dir: Option<&Path>) -> Result<TestSmdp, CliError> {
    let identity = pki.smdp_identity().map_err(|e| CliError::Sim(format!("SM-DP+ identity: {e}")))?;
    let mut smdp = TestSmdp::new(identity, address);
    smdp.add_profile("TEST", built(TEST_ICCID, "oxicard test profile", address)?);
    smdp.add_profile(
        "TEST-CC",
        built(TEST_CC_ICCID, "oxicard test profile (code)", address)?
            .with_confirmation_code(TEST_CONFIRMATION_CODE),
    );
    for package in dir.map(profile_packages).transpose()?.unwrap_or_default() {
        let Package { matching_id, path, upp } = package;
        let iccid = header_iccid(&upp).map_err(|e| CliError::Sim(format!("{}: {e}", path.display())))?;
        let package = ProfilePackage::new(upp, ProfileMetadata::new(iccid, &matching_id, "oxicard", address))
            .map_err(|e| CliError::Sim(format!("{}: {e}", path.display())))?;
        smdp.add_profile(&matching_id, package);
    }
    Ok(smdp)
}

/// The address `listen` binds to (port 0 gives a free port): test servers serve under that
/// address, so it is also their SM-DP+ / SM-DS address.
pub(crate) fn bind_address(listen: &str) -> Result<String, CliError> {
    let probe = std::net::TcpListener::bind(listen)
        .map_err(|e| CliError::Sim(format!("cannot listen on {listen}: {e}")))?;
    let bound = probe.local_addr().map_err(|e| CliError::Sim(format!("listen: {e}")))?;
    Ok(bound.to_string())
}

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

/// `sim show ICCID`: the SAIP package (SAIP v3.3.1 §8) the software eUICC kept when it installed
/// the profile — ICCID, IMSI (EF.IMSI, 3GPP TS 31.102 §4.2.2), profile type, SAIP version, the
/// mandatory services and templates, and every ProfileElement (kind, identification, offset,
/// length).
pub(crate) fn show(g: &Global, out: &Out, iccid: &str) -> Result<(), CliError> {
    let iccid = crate::commands::parse_iccid(iccid)?;
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
