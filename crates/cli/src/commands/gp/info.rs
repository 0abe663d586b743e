//! `gp info` (GET DATA, no authentication) and `gp list` (GET STATUS in an SCP03 session).

use std::fmt::Write as _;

use oxicard_gp::data::{CardRecognitionData, Cplc, CplcDate, KeyInformationTemplate, SequenceCounter, tags};
use oxicard_gp::ops;
use oxicard_gp::status::{Kind, RegistryEntry, get_load_files, get_status};
use serde_json::{Value, json};

use super::session::{Selected, with_selected, with_session};
use super::{gp_error, hex};
use crate::cli::{Global, GpAuth};
use crate::error::CliError;
use crate::output::Out;

/// The current year (UTC), for resolving CPLC dates.
fn this_year() -> u16 {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // 365.2425 days per year on average.
    u16::try_from(1970 + seconds / 31_556_952).unwrap_or(u16::MAX)
}

/// A CPLC date as an ISO date: the latest year up to this one ending in its digit; the raw
/// `YDDD` hex when it is not set or invalid.
fn date(d: CplcDate) -> Value {
    match d.resolve(this_year()) {
        Some((y, m, day)) => json!(format!("{y:04}-{m:02}-{day:02}")),
        None => json!(hex(&d.0)),
    }
}

fn cplc_json(c: &Cplc) -> Value {
    json!({
        "icFabricator": hex(&c.ic_fabricator),
        "icType": hex(&c.ic_type),
        "operatingSystemId": hex(&c.operating_system_id),
        "operatingSystemReleaseDate": date(c.operating_system_release_date),
        "operatingSystemReleaseLevel": hex(&c.operating_system_release_level),
        "icFabricationDate": date(c.ic_fabrication_date),
        "icSerialNumber": hex(&c.ic_serial_number),
        "icBatchIdentifier": hex(&c.ic_batch_identifier),
        "icModuleFabricator": hex(&c.ic_module_fabricator),
        "icModulePackagingDate": date(c.ic_module_packaging_date),
        "iccManufacturer": hex(&c.icc_manufacturer),
        "icEmbeddingDate": date(c.ic_embedding_date),
        "icPrePersonalizer": hex(&c.ic_pre_personalizer),
        "icPrePersonalizationDate": date(c.ic_pre_personalization_date),
        "icPrePersonalizationEquipmentId": hex(&c.ic_pre_personalization_equipment_id),
        "icPersonalizer": hex(&c.ic_personalizer),
        "icPersonalizationDate": date(c.ic_personalization_date),
        "icPersonalizationEquipmentId": hex(&c.ic_personalization_equipment_id),
    })
}

fn arcs(a: &[u32]) -> String {
    a.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn crd_json(c: &CardRecognitionData) -> Value {
    json!({
        "globalPlatform": c.global_platform,
        "cardManagementVersion": c.card_management_version.as_deref().map(arcs),
        "cardIdentificationScheme": c.card_identification_scheme.as_deref().map(arcs),
        "secureChannels": c.secure_channels.iter().map(|s| json!({
            "scp": format!("{:02X}", s.scp),
            "i": s.i.map(|i| format!("{i:02X}")),
        })).collect::<Vec<_>>(),
    })
}

fn key_type(t: u8) -> &'static str {
    match t {
        0x80 => "DES",
        0x88 => "AES",
        0xA0..=0xA9 => "RSA",
        0xB0..=0xB9 => "ECC",
        _ => "other",
    }
}

fn keys_json(k: &KeyInformationTemplate) -> Value {
    Value::Array(
        k.keys
            .iter()
            .map(|key| {
                json!({
                    "kvn": format!("{:02X}", key.version),
                    "id": format!("{:02X}", key.id),
                    "components": key.components.iter().map(|c| json!({
                        "type": key_type(c.key_type),
                        "typeCode": format!("{:02X}", c.key_type),
                        "length": c.length,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// GET DATA `tag` decoded by `parse`; a refusal (the card does not have it) is `None`, a
/// malformed answer an error.
fn optional<T>(
    card: &mut (impl oxicard_apdu::card::CardChannel + ?Sized),
    tag: u16,
    what: &'static str,
    parse: impl FnOnce(&[u8]) -> Result<T, oxicard_gp::DecodeError>,
) -> Result<Option<T>, CliError> {
    match ops::get_data(card, tag) {
        Ok(data) => parse(&data).map(Some).map_err(|e| CliError::Gp {
            function: "gp_get_data",
            detail: format!("{what}: malformed: {}", crate::error::chain(&e)),
        }),
        Err(oxicard_gp::GpError::Status { .. }) => Ok(None),
        Err(e) => Err(gp_error("gp_get_data")(e)),
    }
}

/// `gp info`.
pub(crate) fn info(g: &Global, out: &Out, auth: &GpAuth) -> Result<(), CliError> {
    let (Selected { isd, locked }, cplc, crd, kit, counter) = with_selected(g, auth, |card, selected| {
        let cplc = optional(card, tags::CPLC, "CPLC", Cplc::parse)?;
        let crd = optional(card, tags::CARD_DATA, "Card Recognition Data", CardRecognitionData::parse)?;
        let kit =
            optional(card, tags::KEY_INFORMATION, "Key Information Template", KeyInformationTemplate::parse)?;
        let counter = optional(card, tags::SEQUENCE_COUNTER, "sequence counter", SequenceCounter::parse)?;
        Ok((selected, cplc, crd, kit, counter))
    })?;
    let i = crd.as_ref().and_then(CardRecognitionData::scp03_parameter);

    let data = json!({
        "isd": hex(&isd),
        "cardLocked": locked,
        "cplc": cplc.as_ref().map(cplc_json),
        "cardRecognitionData": crd.as_ref().map(crd_json),
        "keys": kit.as_ref().map(keys_json),
        "sequenceCounter": counter.map(|c| c.0),
    });
    let mut t = String::new();
    let _ = writeln!(t, "ISD:               {}{}", hex(&isd), if locked { " (CARD_LOCKED)" } else { "" });
    if let Some(c) = &crd {
        if let Some(v) = &c.card_management_version {
            let _ = writeln!(t, "GlobalPlatform:    {}", arcs(v));
        }
        for s in &c.secure_channels {
            let i = s.i.map(|i| format!(" i={i:02X}")).unwrap_or_default();
            let _ = writeln!(t, "secure channel:    SCP{:02X}{i}", s.scp);
        }
    }
    if let Some(i) = i {
        let _ = writeln!(
            t,
            "SCP03:             {}, {} challenge, R-MAC {}, R-ENC {}",
            if i.mode() == oxicard_secure_channel::scp03::Mode::S16 { "S16" } else { "S8" },
            if i.pseudo_random_challenge() { "pseudo-random" } else { "random" },
            if i.r_mac() { "yes" } else { "no" },
            if i.r_enc() { "yes" } else { "no" },
        );
    }
    if let Some(c) = &cplc {
        let _ = writeln!(
            t,
            "CPLC:              IC fabricator {}, IC type {}, OS {} level {}, serial {}",
            hex(&c.ic_fabricator),
            hex(&c.ic_type),
            hex(&c.operating_system_id),
            hex(&c.operating_system_release_level),
            hex(&c.ic_serial_number)
        );
    }
    if let Some(k) = &kit {
        for key in &k.keys {
            let comps: Vec<String> =
                key.components.iter().map(|c| format!("{}-{}", key_type(c.key_type), c.length * 8)).collect();
            let _ = writeln!(
                t,
                "key:               KVN {:02X} id {:02X} {}",
                key.version,
                key.id,
                comps.join(" ")
            );
        }
    }
    if let Some(c) = counter {
        let _ = writeln!(t, "sequence counter:  {}", c.0);
    }
    out.success(data, &t);
    Ok(())
}

fn entry_json(e: &RegistryEntry) -> Value {
    json!({
        "aid": hex(&e.aid),
        "lifeCycle": e.life_cycle().name(),
        "lifeCycleCode": format!("{:02X}", e.life_cycle_state),
        "privileges": e.privileges.map(|p| p.names().collect::<Vec<_>>()),
        "privilegesCode": e.privileges.map(|p| hex(&p.to_bytes())),
        "loadFile": e.load_file.as_deref().map(hex),
        "version": e.version.as_deref().map(|v| v.iter().map(u8::to_string).collect::<Vec<_>>().join(".")),
        "modules": e.modules.iter().map(|m| hex(m)).collect::<Vec<_>>(),
        "securityDomain": e.security_domain.as_deref().map(hex),
    })
}

/// `gp list`.
pub(crate) fn list(g: &Global, out: &Out, auth: &GpAuth) -> Result<(), CliError> {
    let kinds = [("isd", "ISD"), ("applications", "APP"), ("loadFiles", "PKG")];
    let lists = with_session(g, auth, |s, _| {
        let isd = get_status(s, Kind::IssuerSecurityDomain).map_err(gp_error("gp_get_status"))?;
        let apps = get_status(s, Kind::Applications).map_err(gp_error("gp_get_status"))?;
        let load_files = get_load_files(s).map_err(gp_error("gp_get_status"))?;
        Ok([isd, apps, load_files])
    })?;
    let mut data = serde_json::Map::new();
    let mut t = String::new();
    for ((key, label), entries) in kinds.iter().zip(&lists) {
        data.insert((*key).into(), Value::Array(entries.iter().map(entry_json).collect()));
        for e in entries {
            let privileges =
                e.privileges.map(|p| p.names().collect::<Vec<_>>().join(",")).unwrap_or_default();
            let _ = writeln!(t, "{label}: {:<32} {:<13} {privileges}", hex(&e.aid), e.life_cycle().name());
            for module in &e.modules {
                let _ = writeln!(t, "     applet {}", hex(module));
            }
        }
    }
    out.success(Value::Object(data), &t);
    Ok(())
}
