//! GET STATUS response data: the TLV format (`E3` templates, GPC v2.3.1 §11.4.3.2) and the
//! legacy format (§11.4.3.1).

use oxicard_apdu::tlv::{Mode, Reader, Tag, Writer};

use super::{Kind, LifeCycle, Privileges};
use crate::fields::Fields;
use crate::{DecodeError, DecodeErrorKind};

/// One registry entry: the ISD, an application, a security domain, or an executable load file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RegistryEntry {
    /// The scope it was listed under.
    pub kind: Kind,
    /// Its AID (tag `4F`).
    pub aid: Vec<u8>,
    /// Its life cycle state byte (tag `9F70`; see [`RegistryEntry::life_cycle`]).
    pub life_cycle_state: u8,
    /// Its privileges (tag `C5`); `None` for load files.
    pub privileges: Option<Privileges>,
    /// The AID of the executable load file it was installed from (tag `C4`).
    pub load_file: Option<Vec<u8>>,
    /// The load file version (tag `CE`).
    pub version: Option<Vec<u8>>,
    /// Executable module AIDs (tags `84`; legacy format with P1 `10`).
    pub modules: Vec<Vec<u8>>,
    /// The associated security domain's AID (tag `CC`).
    pub security_domain: Option<Vec<u8>>,
    /// Implicit selection parameters (tags `CF`).
    pub implicit_selection: Vec<u8>,
}

impl RegistryEntry {
    /// An entry of `kind` for `aid`, life cycle `00` and every optional field empty.
    pub fn new(kind: Kind, aid: Vec<u8>) -> Self {
        Self {
            kind,
            aid,
            life_cycle_state: 0,
            privileges: None,
            load_file: None,
            version: None,
            modules: Vec::new(),
            security_domain: None,
            implicit_selection: Vec::new(),
        }
    }

    /// Whether the entry is a security domain (the ISD, or the Security Domain privilege).
    pub fn is_security_domain(&self) -> bool {
        self.kind == Kind::IssuerSecurityDomain
            || self.privileges.is_some_and(|p| p.contains(Privileges::SECURITY_DOMAIN))
    }

    /// The decoded life cycle state.
    pub fn life_cycle(&self) -> LifeCycle {
        LifeCycle::decode(self.kind, self.is_security_domain(), self.life_cycle_state)
    }

    /// The entry as a card returns it in the TLV format (GPC v2.3.1 Table 11-36): `E3 { 4F,
    /// 9F70, C5, CF, C4, CE, 84…, CC }`, absent fields left out; what [`parse_tlv`] reads back.
    pub fn to_tlv(&self) -> Vec<u8> {
        let t = Tag::from_u32_unchecked;
        let mut w = Writer::new();
        w.constructed(t(0xE3), |w| {
            w.primitive(t(0x4F), &self.aid);
            w.primitive(t(0x9F70), &[self.life_cycle_state]);
            if let Some(p) = self.privileges {
                w.primitive(t(0xC5), &p.to_bytes());
            }
            for b in &self.implicit_selection {
                w.primitive(t(0xCF), &[*b]);
            }
            if let Some(v) = &self.load_file {
                w.primitive(t(0xC4), v);
            }
            if let Some(v) = &self.version {
                w.primitive(t(0xCE), v);
            }
            for m in &self.modules {
                w.primitive(t(0x84), m);
            }
            if let Some(v) = &self.security_domain {
                w.primitive(t(0xCC), v);
            }
        });
        w.finish()
    }

    /// The entry in the legacy format (GPC v2.3.1 Tables 11-37, 11-38): `len AID`, life cycle,
    /// privileges byte 1 (`00` for load files), and for [`Kind::LoadFilesAndModules`] the
    /// module count and `len AID` per module. AIDs and counts beyond 255 are truncated.
    pub fn to_legacy(&self) -> Vec<u8> {
        let lv = |out: &mut Vec<u8>, v: &[u8]| {
            let v = v.get(..255).unwrap_or(v);
            out.push(v.len() as u8);
            out.extend_from_slice(v);
        };
        let mut out = Vec::new();
        lv(&mut out, &self.aid);
        out.push(self.life_cycle_state);
        out.push(self.privileges.map_or(0, |p| p.to_bytes()[0]));
        if self.kind == Kind::LoadFilesAndModules {
            let modules = self.modules.get(..255).unwrap_or(&self.modules);
            out.push(modules.len() as u8);
            for m in modules {
                lv(&mut out, m);
            }
        }
        out
    }
}

/// Decodes TLV-format response data (P2 `02`): zero or more `E3` templates. Unknown tags are
/// skipped; `4F` and `9F70` are mandatory. Offsets are relative to `data`.
pub fn parse_tlv(kind: Kind, data: &[u8]) -> Result<Vec<RegistryEntry>, DecodeError> {
    let mut out = Vec::new();
    let mut reader = Reader::new(data, Mode::Lenient);
    while let Some(e3) = reader.read()? {
        if e3.tag().to_u32() != 0xE3 {
            return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag, e3.offset()));
        }
        let mut entry = RegistryEntry::new(kind, Vec::new());
        let (mut aid, mut life) = (false, false);
        let mut fields = e3.children();
        while let Some(f) = fields.read()? {
            let v = f.value();
            match f.tag().to_u32() {
                0x4F => {
                    entry.aid = v.to_vec();
                    aid = true;
                }
                0x9F70 => {
                    let [b] = *v else {
                        return Err(DecodeError::new(DecodeErrorKind::InvalidLength, f.offset()));
                    };
                    entry.life_cycle_state = b;
                    life = true;
                }
                0xC5 => {
                    entry.privileges = Some(
                        Privileges::from_slice(v)
                            .ok_or(DecodeError::new(DecodeErrorKind::InvalidLength, f.offset()))?,
                    );
                }
                0xC4 => entry.load_file = Some(v.to_vec()),
                0xCE => entry.version = Some(v.to_vec()),
                0x84 => entry.modules.push(v.to_vec()),
                0xCC => entry.security_domain = Some(v.to_vec()),
                0xCF => entry.implicit_selection.extend_from_slice(v),
                _ => {}
            }
        }
        if !aid || !life {
            return Err(DecodeError::new(DecodeErrorKind::Missing, e3.offset()));
        }
        out.push(entry);
    }
    Ok(out)
}

/// Decodes legacy-format response data (P2 `00`): per entry `len AID`, life cycle, privileges
/// (1 byte); with [`Kind::LoadFilesAndModules`] also a module count and `len AID` per module.
pub fn parse_legacy(kind: Kind, data: &[u8]) -> Result<Vec<RegistryEntry>, DecodeError> {
    let mut out = Vec::new();
    let mut c = Fields::new(data, 0);
    while !c.is_done() {
        let mut entry = RegistryEntry::new(kind, c.lv()?.to_vec());
        entry.life_cycle_state = c.byte()?;
        let privileges = c.byte()?;
        if !matches!(kind, Kind::LoadFiles | Kind::LoadFilesAndModules) {
            entry.privileges = Some(Privileges::from_bytes([privileges, 0, 0]));
        }
        if kind == Kind::LoadFilesAndModules {
            for _ in 0..c.byte()? {
                entry.modules.push(c.lv()?.to_vec());
            }
        }
        out.push(entry);
    }
    Ok(out)
}
