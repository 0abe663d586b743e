//! Why a package does not decode: which PE (index and kind), where (byte offset, field path) and
//! what was wrong.

use der::Tag;
use oxicard_euicc::asn1::TagHex;

use super::kind::PeKind;

/// A package that is not a valid UnprotectedProfilePackage (SAIP v3.3.1 §8.1: ProfileElements
/// of `PE_Definitions-3.3.1`, the ProfileHeader first and PE-End last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaipError {
    /// The index of the PE in the package (0 = the first).
    pub index: usize,
    /// Its kind, when its tag is a ProfileElement alternative.
    pub kind: Option<PeKind>,
    /// Its PEHeader `identification`, when it can be read (SAIP v3.3.1 §8.1: the number the
    /// eUICC reports in `PEStatus`).
    pub identification: Option<u16>,
    /// The byte offset in the package of the TLV at fault (for a missing member: the end of
    /// its container).
    pub offset: usize,
    /// The field path inside the PE, from the alternative's name (e.g.
    /// `mf.ef-iccid[1].fillFileContent`); empty for a problem of the PE sequence itself.
    pub path: String,
    /// What was wrong.
    pub problem: Problem,
}

impl core::fmt::Display for SaipError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PE {}", self.index)?;
        if let Some(kind) = self.kind {
            write!(f, " ({kind})")?;
        }
        if let Some(identification) = self.identification {
            write!(f, " #{identification}")?;
        }
        write!(f, " at offset {}", self.offset)?;
        if !self.path.is_empty() {
            write!(f, ", {}", self.path)?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for SaipError {}

/// What was wrong (X.690 DER, X.680 constraints of `PE_Definitions-3.3.1`, SAIP v3.3.1 §8 rules).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A TLV runs past the end of the bytes that contain it (X.690 §8.1.3).
    #[error("truncated TLV")]
    Truncated,
    /// Tag or length octets that are not DER (X.690 §8.1.2, §10.1), as the `der` crate reports.
    #[error("bad TLV: {0}")]
    Encoding(der::ErrorKind),
    /// No ProfileElement at all.
    #[error("no profile element")]
    Empty,
    /// A tag that is no ProfileElement alternative.
    #[error("tag {} is no ProfileElement", TagHex(*.0))]
    UnknownElement(Tag),
    /// The first PE is not the ProfileHeader (SAIP v3.3.1 §8.1: the header comes first).
    #[error("the first PE is not the ProfileHeader")]
    HeaderNotFirst,
    /// A second ProfileHeader.
    #[error("a second ProfileHeader")]
    SecondHeader,
    /// A PE follows PE-End (SAIP v3.3.1 §8.10: the end is the last PE).
    #[error("a PE follows PE-End")]
    EndNotLast,
    /// The last PE is not PE-End.
    #[error("the package does not end with PE-End")]
    MissingEnd,
    /// Bytes after PE-End that are no ProfileElement.
    #[error("{0} bytes after PE-End")]
    TrailingBytes(usize),
    /// A member whose tag the type does not allow at this place.
    #[error("unexpected tag {}", TagHex(*.0))]
    UnexpectedTag(Tag),
    /// A mandatory member is absent.
    #[error("mandatory {0} is missing")]
    Missing(&'static str),
    /// A SIZE constraint (octets, characters or items) is not met.
    #[error("size {actual} outside {min}..{max}")]
    Size {
        /// The lower bound.
        min: usize,
        /// The upper bound (`usize::MAX` for `MAX`).
        max: usize,
        /// The size found.
        actual: usize,
    },
    /// An INTEGER that is empty or not minimal (X.690 §8.3.2).
    #[error("INTEGER not in DER")]
    IntegerEncoding,
    /// An INTEGER outside its range.
    #[error("INTEGER outside {min}..{max}")]
    OutOfRange {
        /// The lower bound.
        min: i64,
        /// The upper bound.
        max: i64,
    },
    /// A NULL with contents (X.690 §8.8.2).
    #[error("NULL with contents")]
    NullContents,
    /// An OBJECT IDENTIFIER that is not well formed (X.690 §8.19).
    #[error("malformed OBJECT IDENTIFIER")]
    Oid,
    /// A UTF8String that is not UTF-8.
    #[error("UTF8String is not UTF-8")]
    Utf8,
    /// A CHOICE's explicit tag does not hold exactly one alternative (X.690 §8.14.3).
    #[error("the explicit tag of a CHOICE must hold exactly one alternative")]
    ChoiceWrapper,
    /// The ProfileHeader `iccid` is not an ICCID in reading order: BCD digits, `F` padding only
    /// at the end (ITU-T E.118).
    #[error("not an ICCID: {0}")]
    Iccid(String),
}
