//! `gp install | delete | lock | unlock | put-key`: card content and key management in an SCP03
//! session (GPC v2.3.1 §11.5, §11.6, §11.8, §11.10).

use oxicard_gp::cap::{CapFile, HashAlgorithm, LoadOptions};
use oxicard_gp::command::{CardLifeCycle, InstallParameters, PutKey};
use oxicard_gp::ops;
use oxicard_gp::status::{Kind, Privileges, get_status};
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
    let package = cap.package_aid().to_vec();
    let applets: Vec<Vec<u8>> = match &args.applet {
        _ if args.load_only => Vec::new(),
        Some(text) => {
            let aid = parse_aid("--applet", text)?;
            if !cap.applet_aids().contains(&aid) {
                return Err(CliError::Usage(format!(
                    "--applet: {} is not an applet of the CAP file",
                    hex(&aid)
                )));
            }
            vec![aid]
        }
        None => cap.applet_aids().to_vec(),
    };
    let instance = args.instance.as_deref().map(|t| parse_aid("--instance", t)).transpose()?;
    if instance.is_some() && applets.len() != 1 {
        return Err(CliError::Usage(format!(
            "--instance needs a single applet: the CAP file has {} (choose one with --applet)",
            applets.len()
        )));
    }
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
    let parameters = InstallParameters::default().with_application(application);
    let hash = match args.hash {
        LoadHash::Sha256 => Some(HashAlgorithm::Sha256),
        LoadHash::Sha1 => Some(HashAlgorithm::Sha1),
        LoadHash::None => None,
    };

    let (replaced, installed) = with_session(g, auth, |s, _| {
        // (No load file at all, `6A88`, is an empty list.)
        let on_card = get_status(s, Kind::LoadFiles)
            .map_err(gp_error("gp_get_status"))?
            .iter()
            .any(|e| e.aid == package);
        if on_card && !args.replace {
            return Err(CliError::Gp {
                function: "gp_load",
                detail: format!("package {} is already on the card (use --replace)", hex(&package)),
            });
        }
        if on_card {
            ops::delete(s, &package, true).map_err(gp_error("gp_delete"))?;
        }
        ops::load(s, &cap, &[], LoadOptions::default(), hash).map_err(gp_error("gp_load"))?;
        let mut installed = Vec::new();
        for applet in &applets {
            let instance = instance.as_deref().unwrap_or(applet);
            ops::install(s, &package, applet, instance, privileges, &parameters)
                .map_err(gp_error("gp_install"))?;
            installed.push(instance.to_vec());
        }
        Ok((on_card, installed))
    })?;
    let (major, minor) = cap.package_version();
    let data = json!({
        "package": hex(&package),
        "version": format!("{major}.{minor}"),
        "replaced": replaced,
        "installed": installed.iter().map(|a| hex(a)).collect::<Vec<_>>(),
    });
    let mut text =
        format!("{} package {} {major}.{minor}", if replaced { "replaced" } else { "loaded" }, hex(&package));
    for aid in &installed {
        text.push_str(&format!("\ninstalled {} (selectable)", hex(aid)));
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
    with_session(g, auth, |s, keys| {
        let current_dek =
            keys.dek().ok_or_else(|| CliError::Usage("gp put-key: the current key set has no DEK".into()))?;
        let put = PutKey::aes_key_set(current_dek, replace, new_kvn, [&enc, &mac, &dek])
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
