//! A decoded UnprotectedProfilePackage (SAIP v3.3.1 §8.1; SGP.22 §2.5.4 calls the DER sequence
//! of ProfileElements the UPP): every PE validated, the ProfileHeader first, PE-End last.

use oxicard_euicc::iccid::Iccid;

use super::codings::Imsi;
use super::error::{Problem, SaipError};
use super::files::{ef_iccid_member, ef_imsi_member, file_prefix, member};
use super::header::{ProfileHeader, pe_header};
use super::kind::PeKind;
use super::tlv::Tlvs;
use super::validate::{Path, check_value};

/// One ProfileElement of a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    /// Its kind.
    pub kind: PeKind,
    /// Its offset in the package.
    pub offset: usize,
    /// The whole TLV, as in the package.
    pub raw: &'a [u8],
    /// The PEHeader `identification` (none for the ProfileHeader and the reserved kinds).
    pub identification: Option<u16>,
    /// The PEHeader `mandated` flag (the eUICC must support this PE).
    pub mandated: bool,
}

/// A decoded package, borrowing its bytes. See [`Package::decode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package<'a> {
    bytes: &'a [u8],
    elements: Vec<Element<'a>>,
    header: ProfileHeader,
    ef_iccid: Option<Iccid>,
    ef_imsi: Option<[u8; 9]>,
}

/// The PE kind of a top-level tag: a constructed context tag `[0]`–`[33]`.
fn kind_of(tag: der::Tag) -> Option<PeKind> {
    match tag {
        der::Tag::ContextSpecific { constructed: true, number } => PeKind::from_tag_number(number.value()),
        _ => None,
    }
}

impl<'a> Package<'a> {
    /// Decodes and validates `bytes`: a sequence of DER ProfileElements, each a valid value of
    /// its `PE_Definitions-3.3.1` type (tags, order, presence, sizes, ranges, encodings), the
    /// ProfileHeader first and only there, PE-End last, nothing after it, and a header `iccid`
    /// that is an ICCID in reading order. Never panics; the error names the PE, the field path
    /// and the problem.
    pub fn decode(bytes: &'a [u8]) -> Result<Package<'a>, SaipError> {
        let mut elements: Vec<Element<'a>> = Vec::new();
        let mut header = None;
        let mut ended = false;
        for next in Tlvs::new(bytes, 0) {
            let index = elements.len();
            let fail = |kind, identification, offset, path: String, problem| SaipError {
                index,
                kind,
                identification,
                offset,
                path,
                problem,
            };
            if ended {
                let (kind, offset) = match &next {
                    Ok(tlv) => (kind_of(tlv.tag), tlv.offset),
                    Err((offset, _)) => (None, *offset),
                };
                let problem = match kind {
                    Some(_) => Problem::EndNotLast,
                    None => Problem::TrailingBytes(bytes.len().saturating_sub(offset)),
                };
                return Err(fail(kind, None, offset, String::new(), problem));
            }
            let tlv = next.map_err(|(offset, problem)| fail(None, None, offset, String::new(), problem))?;
            let Some(kind) = kind_of(tlv.tag) else {
                return Err(fail(None, None, tlv.offset, String::new(), Problem::UnknownElement(tlv.tag)));
            };
            let (mandated, identification) = match kind {
                PeKind::Header => (false, None),
                _ => pe_header(&tlv),
            };
            let fail = |offset, path, problem| fail(Some(kind), identification, offset, path, problem);
            let order = match (index, kind) {
                (0, PeKind::Header) => None,
                (0, _) => Some(Problem::HeaderNotFirst),
                (_, PeKind::Header) => Some(Problem::SecondHeader),
                _ => None,
            };
            if let Some(problem) = order {
                return Err(fail(tlv.offset, String::new(), problem));
            }
            let ty =
                kind.ty().ok_or_else(|| fail(tlv.offset, String::new(), Problem::UnknownElement(tlv.tag)))?;
            check_value(ty, &tlv, &Path::root(kind.name())).map_err(|f| fail(f.offset, f.path, f.problem))?;
            if kind == PeKind::Header {
                let parsed = ProfileHeader::parse(&tlv)
                    .map_err(|(offset, problem)| fail(offset, format!("{}.iccid", kind.name()), problem))?;
                header = Some(parsed);
            }
            elements.push(Element { kind, offset: tlv.offset, raw: tlv.raw, identification, mandated });
            ended = kind == PeKind::End;
        }
        let Some(header) = header else {
            let problem = Problem::Empty;
            return Err(SaipError {
                index: 0,
                kind: None,
                identification: None,
                offset: 0,
                path: String::new(),
                problem,
            });
        };
        if !ended {
            let last = elements.last();
            return Err(SaipError {
                index: elements.len().saturating_sub(1),
                kind: last.map(|e| e.kind),
                identification: last.and_then(|e| e.identification),
                offset: last.map_or(0, |e| e.offset),
                path: String::new(),
                problem: Problem::MissingEnd,
            });
        }
        let file = |number_of: fn(PeKind) -> Option<u32>| {
            elements.iter().find_map(|e| {
                let number = number_of(e.kind)?;
                let tlv = Tlvs::new(e.raw, e.offset).next()?.ok()?;
                member(&tlv, number)
            })
        };
        let ef_iccid = file(ef_iccid_member).and_then(|f| file_prefix::<10>(&f)).map(Iccid::from_bytes);
        let ef_imsi = file(ef_imsi_member).and_then(|f| file_prefix::<9>(&f));
        Ok(Package { bytes, elements, header, ef_iccid, ef_imsi })
    }

    /// The package bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The PEs in package order; their `raw` slices concatenate to [`Package::bytes`].
    pub fn elements(&self) -> &[Element<'a>] {
        &self.elements
    }

    /// The ProfileHeader.
    pub fn header(&self) -> &ProfileHeader {
        &self.header
    }

    /// The ProfileHeader's ICCID (SAIP v3.3.1 §8.2), in the EF.ICCID / SGP.22 coding.
    pub fn iccid(&self) -> Iccid {
        self.header.iccid
    }

    /// The contents of EF.ICCID (ETSI TS 102 221 §13.2) as the MF (or IoT) PE fills it, if it
    /// writes any of its 10 octets.
    pub fn ef_iccid(&self) -> Option<Iccid> {
        self.ef_iccid
    }

    /// The contents of EF.IMSI (3GPP TS 31.102 §4.2.2) as the USIM (or IoT) PE fills it.
    pub fn ef_imsi(&self) -> Option<[u8; 9]> {
        self.ef_imsi
    }

    /// The IMSI of EF.IMSI, when it is filled and well coded.
    pub fn imsi(&self) -> Option<Imsi> {
        self.ef_imsi.as_ref().and_then(|ef| Imsi::from_ef(ef))
    }

    /// The first PE of `kind`.
    pub fn first(&self, kind: PeKind) -> Option<&Element<'a>> {
        self.elements.iter().find(|e| e.kind == kind)
    }
}
