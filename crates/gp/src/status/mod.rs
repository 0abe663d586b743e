//! GET STATUS (GPC v2.3.1 §11.4): command builders, response parsers (TLV and legacy
//! formats), privileges, life cycle states, and [`get_status`] over any [`CardChannel`].

mod entry;
mod life_cycle;
mod privileges;

pub use entry::{RegistryEntry, parse_legacy, parse_tlv};
pub use life_cycle::LifeCycle;
pub use privileges::Privileges;

use oxicard_apdu::card::CardChannel;
use oxicard_apdu::{CommandView, StatusWord};

use crate::status_word::Operation;
use crate::{CLA_GP, GpError};

/// INS of GET STATUS: `F2` (GPC v2.3.1 §11.4.2).
pub const INS_GET_STATUS: u8 = 0xF2;

/// Search criteria "every AID": `4F 00` (GPC v2.3.1 §11.4.2.3).
pub const ALL_AIDS: &[u8] = &[0x4F, 0x00];

/// `6310`: more data available, ask for the next occurrence (GPC v2.3.1 §11.4.3).
pub const SW_MORE_DATA: StatusWord = StatusWord::new(0x63, 0x10);

/// `6A88`: referenced data not found — nothing of that kind on the card (GPC v2.3.1 §11.4.3).
pub const SW_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x88);

/// `6A86`: incorrect P1 P2 — the card does not know the requested format (ISO/IEC 7816-4 §5.6).
pub const SW_WRONG_P1P2: StatusWord = StatusWord::new(0x6A, 0x86);

/// The most `6310` continuation rounds [`get_status`] follows.
pub const MAX_ROUNDS: usize = 256;

/// Which part of the registry to list: P1 of GET STATUS (GPC v2.3.1 Table 11-33).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `80`: the Issuer Security Domain only (its life cycle is the card's).
    IssuerSecurityDomain,
    /// `40`: applications, including security domains.
    Applications,
    /// `20`: executable load files only.
    LoadFiles,
    /// `10`: executable load files and their executable modules.
    LoadFilesAndModules,
}

impl Kind {
    /// P1 of GET STATUS.
    pub const fn p1(self) -> u8 {
        match self {
            Self::IssuerSecurityDomain => 0x80,
            Self::Applications => 0x40,
            Self::LoadFiles => 0x20,
            Self::LoadFilesAndModules => 0x10,
        }
    }
}

/// The response data structure: P2 b2 (GPC v2.3.1 Table 11-34).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// P2 `00`: the deprecated fixed format.
    Legacy,
    /// P2 `02`: `E3` templates.
    Tlv,
}

/// GET STATUS: `80 F2 P1 P2 Lc criteria 00` with P2 = format, plus `01` for the next
/// occurrence after `6310` (GPC v2.3.1 §11.4.2). `criteria` is usually [`ALL_AIDS`].
pub const fn get_status_command(kind: Kind, format: Format, next: bool, criteria: &[u8]) -> CommandView<'_> {
    let p2 = match format {
        Format::Legacy => 0x00,
        Format::Tlv => 0x02,
    } | if next { 0x01 } else { 0x00 };
    CommandView::new(CLA_GP, INS_GET_STATUS, kind.p1(), p2).with_data(criteria).with_ne(256)
}

/// Lists the registry entries of `kind` (all AIDs): TLV format first, falling back to the
/// legacy format when the card refuses P2 `02` with `6A86`; follows `6310` with P2 "next
/// occurrence"; `6A88` means no entry.
pub fn get_status(card: &mut (impl CardChannel + ?Sized), kind: Kind) -> Result<Vec<RegistryEntry>, GpError> {
    match list(card, kind, Format::Tlv) {
        Err(GpError::Status { sw, .. }) if sw == SW_WRONG_P1P2 => {
            tracing::debug!("GET STATUS: TLV format refused, using the legacy format");
            list(card, kind, Format::Legacy)
        }
        other => other,
    }
}

/// The executable load files with their modules ([`Kind::LoadFilesAndModules`]); for a card
/// that refuses that scope with `6A86` or `6A80` (it came with GP 2.1.1; GPC v2.3.1
/// Table 11-33), the load files alone ([`Kind::LoadFiles`], no modules listed).
pub fn get_load_files(card: &mut (impl CardChannel + ?Sized)) -> Result<Vec<RegistryEntry>, GpError> {
    match get_status(card, Kind::LoadFilesAndModules) {
        Err(GpError::Status { sw, .. }) if sw == SW_WRONG_P1P2 || sw.to_u16() == 0x6A80 => {
            tracing::debug!(%sw, "GET STATUS: load files and modules refused, listing load files");
            get_status(card, Kind::LoadFiles)
        }
        other => other,
    }
}

/// One listing in `format`, with continuation.
fn list(
    card: &mut (impl CardChannel + ?Sized),
    kind: Kind,
    format: Format,
) -> Result<Vec<RegistryEntry>, GpError> {
    const OP: &str = Operation::GetStatus.name();
    let mut entries = Vec::new();
    for round in 0..MAX_ROUNDS {
        let command = get_status_command(kind, format, round > 0, ALL_AIDS);
        let response = card.transmit(&command)?;
        let sw = response.sw();
        if round == 0 && sw == SW_NOT_FOUND {
            return Ok(entries);
        }
        if sw != StatusWord::SUCCESS && sw != SW_MORE_DATA {
            return Err(GpError::Status { operation: OP, sw });
        }
        let parsed = match format {
            Format::Tlv => parse_tlv(kind, response.data()),
            Format::Legacy => parse_legacy(kind, response.data()),
        };
        entries.extend(parsed.map_err(|error| GpError::Decode { operation: OP, error })?);
        if sw == StatusWord::SUCCESS {
            return Ok(entries);
        }
    }
    Err(GpError::TooManyRounds { operation: OP, rounds: MAX_ROUNDS })
}

#[cfg(test)]
pub(crate) mod tests;
