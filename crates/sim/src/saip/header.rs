//! Typed access to a validated ProfileHeader (SAIP v3.3.1 §8.2) and to the PEHeader of the
//! other PEs.

use oxicard_euicc::iccid::Iccid;

use super::codings::{dotted_oid, iccid_from_reading_order};
use super::error::Problem;
use super::module::common::SERVICES_LIST;
use super::schema::Ty;
use super::tlv::{Tlv, Tlvs};
use super::validate::integer;

/// The ProfileHeader of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileHeader {
    /// `major-version` (2 in the SAIP 2.x packages in circulation, 3 for v3.x).
    pub major_version: u8,
    /// `minor-version`.
    pub minor_version: u8,
    /// `profileType` (e.g. `GSMA Generic eUICC Test Profile`).
    pub profile_type: Option<String>,
    /// `iccid`, decoded from reading order (ITU-T E.118 digits) into the EF.ICCID coding.
    pub iccid: Iccid,
    /// The `eUICC-Mandatory-services` present, by their ASN.1 names (`usim`, `milenage`, …).
    pub mandatory_services: Vec<&'static str>,
    /// `eUICC-Mandatory-GFSTEList`: the templates the eUICC must know, dotted.
    pub mandatory_gfste: Vec<String>,
    /// `eUICC-Mandatory-AIDs`: (AID, version) pairs.
    pub mandatory_aids: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The names of the ServicesList components, by tag number.
fn service_name(number: u32) -> Option<&'static str> {
    match &SERVICES_LIST {
        Ty::Seq { fields, .. } => fields.get(usize::try_from(number).ok()?).map(|f| f.name),
        _ => None,
    }
}

/// The context tag number of `tlv`.
fn number(tlv: &Tlv<'_>) -> Option<u32> {
    match tlv.tag {
        der::Tag::ContextSpecific { number, .. } => Some(number.value()),
        _ => None,
    }
}

impl ProfileHeader {
    /// Reads the members of a ProfileHeader TLV that [`super::validate`] accepted; an `iccid`
    /// that is no ICCID in reading order is [`Problem::Iccid`] (with the TLV's offset).
    pub(crate) fn parse(tlv: &Tlv<'_>) -> Result<ProfileHeader, (usize, Problem)> {
        let mut header = ProfileHeader {
            major_version: 0,
            minor_version: 0,
            profile_type: None,
            iccid: Iccid::from_bytes([0xFF; 10]),
            mandatory_services: Vec::new(),
            mandatory_gfste: Vec::new(),
            mandatory_aids: Vec::new(),
        };
        let version = |t: &Tlv<'_>| integer(t.value).ok().flatten().and_then(|v| u8::try_from(v).ok());
        for member in Tlvs::of(tlv).flatten() {
            match number(&member) {
                Some(0) => header.major_version = version(&member).unwrap_or_default(),
                Some(1) => header.minor_version = version(&member).unwrap_or_default(),
                Some(2) => header.profile_type = Some(String::from_utf8_lossy(member.value).into_owned()),
                Some(3) => {
                    let bytes = <[u8; 10]>::try_from(member.value)
                        .map_err(|_| (member.offset, Problem::Iccid("not 10 octets".into())))?;
                    header.iccid =
                        iccid_from_reading_order(bytes).map_err(|e| (member.offset, Problem::Iccid(e)))?;
                }
                Some(5) => {
                    header.mandatory_services = Tlvs::of(&member)
                        .flatten()
                        .filter_map(|s| number(&s).and_then(service_name))
                        .collect();
                }
                Some(6) => {
                    header.mandatory_gfste =
                        Tlvs::of(&member).flatten().filter_map(|oid| dotted_oid(oid.value)).collect();
                }
                Some(8) => {
                    for entry in Tlvs::of(&member).flatten() {
                        let mut fields = Tlvs::of(&entry).flatten();
                        if let (Some(aid), Some(version)) = (fields.next(), fields.next()) {
                            header.mandatory_aids.push((aid.value.to_vec(), version.value.to_vec()));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(header)
    }
}

/// The PEHeader of a PE other than the ProfileHeader (its first member, `A0 { [80 00] 81 id }`):
/// (`mandated`, `identification`).
pub(crate) fn pe_header(tlv: &Tlv<'_>) -> (bool, Option<u16>) {
    let Some(first) = Tlvs::of(tlv).next().and_then(Result::ok) else { return (false, None) };
    if first.tag != oxicard_euicc::asn1::ctx_c(0) {
        return (false, None);
    }
    let mut mandated = false;
    let mut identification = None;
    for member in Tlvs::of(&first).flatten() {
        match number(&member) {
            Some(0) => mandated = true,
            Some(1) => {
                // UInt15: a value beyond 32767 is no identification.
                identification = integer(member.value)
                    .ok()
                    .flatten()
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|v| *v <= 0x7FFF);
            }
            _ => {}
        }
    }
    (mandated, identification)
}
