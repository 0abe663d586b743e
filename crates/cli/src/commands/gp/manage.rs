//! `gp install | delete | lock | unlock | put-key`: card content and key management in an SCP03
//! session (GPC v2.3.1 §11.5, §11.6, §11.8, §11.10).

use oxicard_apdu::Aid;
use oxicard_gp::cap::{CapFile, HashAlgorithm};
use oxicard_gp::command::{CardLifeCycle, InstallParameters};
use oxicard_gp::dap::DapSigner;
use oxicard_gp::ops::{self, Applets, InstallCapError, InstallCapOptions, InstallStep, install_cap};
use oxicard_gp::status::Privileges;
use serde_json::{Value, json};

use super::keys::{new_keys, parse_aid, parse_byte};
use super::session::with_session;
use super::{gp_error, hex};
use crate::cli::{Global, GpAuth, GpInstallArgs, GpLockArgs, GpPutKeyArgs, LoadHash};
use crate::error::CliError;
use crate::input::{MAX_CAP_FILE_LEN, read_input};
use crate::output::Out;

/// `gp install CAP`: optionally delete the old package, LOAD (by default with a SHA-256 Load
/// File Data Block hash in INSTALL [for load]), INSTALL [for install and make selectable] each
/// applet.
pub(crate) fn install(g: &Global, out: &Out, auth: &GpAuth, args: &GpInstallArgs) -> Result<(), CliError> {
    let bytes = read_input("CAP", &args.cap, MAX_CAP_FILE_LEN)?;
    let cap = CapFile::from_zip(&bytes).map_err(|e| {
        CliError::Usage(format!("{}: not a usable CAP file: {}", args.cap.display(), crate::error::chain(&e)))
    })?;
    let instance = args.instance.as_deref().map(|t| parse_aid("--instance", t)).transpose()?;
    let applets = match (&args.applet, args.load_only) {
        (_, true) => Applets::None,
        (Some(text), false) => Applets::One { applet: parse_aid("--applet", text)?, instance },
        (None, false) if instance.is_some() => {
            let [only] = cap.applet_aids() else {
                return Err(CliError::Usage(format!(
                    "--instance needs a single applet: the CAP file has {} (choose one with --applet)",
                    cap.applet_aids().len()
                )));
            };
            Applets::One { applet: *only, instance }
        }
        (None, false) => Applets::All,
    };
    let privileges = match &args.privileges {
        Some(text) => {
            let bytes = hex::decode(text)
                .map_err(|_| CliError::Usage(format!("--privileges: {text:?} is not hex")))?;
            Privileges::from_slice(&bytes)
                .ok_or_else(|| CliError::Usage("--privileges: 1 or 3 bytes (GPC v2.3.1 §11.1.2)".into()))?
        }
        None => Privileges::NONE,
    };
    let application = match &args.params {
        Some(text) => {
            hex::decode(text).map_err(|_| CliError::Usage(format!("--params: {text:?} is not hex")))?
        }
        None => Vec::new(),
    };
    let hash = match args.hash {
        LoadHash::Sha256 => Some(HashAlgorithm::Sha256),
        LoadHash::Sha1 => Some(HashAlgorithm::Sha1),
        LoadHash::None => None,
    };
    let options = InstallCapOptions::default()
        .with_replace(args.replace)
        .with_applets(applets)
        .with_privileges(privileges)
        .with_parameters(InstallParameters::default().with_application(application))
        .with_hash(hash);

    let signer = match &args.dap_key {
        Some(path) => Some(DapSigner::from_pem_file(path).map_err(|e| {
            CliError::Usage(format!("--dap-key: {}: {}", path.display(), crate::error::chain(&e)))
        })?),
        None => None,
    };
    let installed = with_session(g, auth, |s, _| {
        let isd = s.info().isd;
        let options = match signer {
            Some(signer) => options.with_dap(isd, signer),
            None => options,
        };
        install_cap(s, &cap, &options).map_err(|e| match e {
            InstallCapError::AlreadyPresent(package) => CliError::Gp {
                function: "gp_load",
                detail: format!("package {package} is already on the card (use --replace)"),
            },
            InstallCapError::NotAnApplet(applet) => {
                CliError::Usage(format!("--applet: {applet} is not an applet of the CAP file"))
            }
            other => {
                // The JSON message names the failed step's operation, as the single commands do.
                let function = match &other {
                    InstallCapError::Step { step: InstallStep::Deleting, .. } => "gp_delete",
                    InstallCapError::Step { step: InstallStep::Installing, .. } => "gp_install",
                    InstallCapError::Step { step: InstallStep::ReadingLoadFiles, .. } => "gp_get_status",
                    _ => "gp_load",
                };
                CliError::gp(function, crate::error::chain(&other), &other)
            }
        })
    })?;
    let (major, minor) = cap.package_version();
    let package = installed.package;
    let data = json!({
        "package": package.to_string(),
        "version": format!("{major}.{minor}"),
        "replaced": installed.replaced,
        "installed": installed.instances.iter().map(Aid::to_string).collect::<Vec<_>>(),
    });
    let verb = if installed.replaced { "replaced" } else { "loaded" };
    let mut text = format!("{verb} package {package} {major}.{minor}");
    for aid in &installed.instances {
        text.push_str(&format!("\ninstalled {aid} (selectable)"));
    }
    out.success(data, &text);
    Ok(())
}

/// `gp delete AID [--related]`.
pub(crate) fn delete(g: &Global, out: &Out, auth: &GpAuth, aid: &str, related: bool) -> Result<(), CliError> {
    let aid = parse_aid("AID", aid)?;
    with_session(g, auth, |s, _| ops::delete(s, &aid, related).map_err(gp_error("gp_delete")))?;
    let what = if related { " and what depends on it" } else { "" };
    out.success(json!({ "aid": hex(&aid), "related": related }), &format!("deleted {}{what}", hex(&aid)));
    Ok(())
}

/// `gp lock | unlock (AID | --card)`.
pub(crate) fn lock(
    g: &Global,
    out: &Out,
    auth: &GpAuth,
    args: &GpLockArgs,
    lock: bool,
) -> Result<(), CliError> {
    let verb = if lock { "locked" } else { "unlocked" };
    match &args.aid {
        Some(text) => {
            let aid = parse_aid("AID", text)?;
            with_session(g, auth, |s, _| {
                ops::set_application_lock(s, &aid, lock).map_err(gp_error("gp_set_status"))
            })?;
            out.success(
                json!({ "aid": hex(&aid), "locked": lock }),
                &format!("application {} {verb}", hex(&aid)),
            );
        }
        None => {
            let state = if lock { CardLifeCycle::Locked } else { CardLifeCycle::Secured };
            with_session(g, auth, |s, _| {
                ops::set_card_life_cycle(s, state).map_err(gp_error("gp_set_status"))
            })?;
            out.success(json!({ "card": true, "locked": lock }), &format!("card {verb}"));
        }
    }
    Ok(())
}

/// `gp put-key`: an AES key set added (or replacing `--replace KVN`), the keys encrypted under
/// the current Key-DEK, the card's key check values verified.
pub(crate) fn put_key(g: &Global, out: &Out, auth: &GpAuth, args: &GpPutKeyArgs) -> Result<(), CliError> {
    let new_kvn = parse_byte("--new-kvn", &args.new_kvn)?;
    if !(0x01..=0x7F).contains(&new_kvn) {
        return Err(CliError::Usage(format!("--new-kvn: {new_kvn:02X} is not in 01..7F")));
    }
    let replace = args.replace.as_deref().map(|t| parse_byte("--replace", t)).transpose()?;
    let [enc, mac, dek] = new_keys(args)?;
    with_session(g, auth, |s, _| {
        let put = s
            .new_key_set(replace, new_kvn, [enc.as_bytes(), mac.as_bytes(), dek.as_bytes()])
            .map_err(gp_error("gp_put_key"))?;
        ops::put_key(s, &put).map_err(gp_error("gp_put_key"))
    })?;
    let data: Value =
        json!({ "kvn": format!("{new_kvn:02X}"), "replaced": replace.map(|k| format!("{k:02X}")) });
    let text = match replace {
        Some(old) => {
            format!("key set {old:02X} replaced by key set {new_kvn:02X} (key check values verified)")
        }
        None => format!("key set {new_kvn:02X} added (key check values verified)"),
    };
    out.success(data, &text);
    Ok(())
}
