//! BER-TLV tags: ISO/IEC 7816-4 §5.2.2.1, ITU-T X.690 §8.1.2.

use core::fmt;

use super::Mode;
use crate::error::{Error, ErrorKind};

/// The most bytes a tag may have here (ISO/IEC 7816-4 §5.2.2.1 allows at most three;
/// one more is accepted, as GlobalPlatform and EMV parsers do).
pub const MAX_TAG_LEN: usize = 4;

/// The largest tag number a [`MAX_TAG_LEN`]-byte tag can carry: three subsequent
/// bytes of 7 bits each (X.690 §8.1.2.4.2).
pub const MAX_TAG_NUMBER: u32 = (1 << 21) - 1;

/// Bits b5..b1 of the first tag byte all set: the tag number follows in subsequent
/// bytes (X.690 §8.1.2.4.1).
const HIGH_FORM: u8 = 0x1F;
/// b6 of the first tag byte: constructed encoding (X.690 §8.1.2.5).
const CONSTRUCTED: u8 = 0x20;
/// b8 of a subsequent tag byte: another byte follows (X.690 §8.1.2.4.2 a).
const MORE: u8 = 0x80;

/// The class of a tag, bits b8 b7 of its first byte (X.690 §8.1.2.2, Table 1;
/// ISO/IEC 7816-4 §5.2.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// `00`: universal (ASN.1 built-in types, e.g. `30` SEQUENCE, `04` OCTET STRING).
    Universal,
    /// `01`: application (e.g. `5A` ICCID, `6F` FCI template, `4F` AID).
    Application,
    /// `10`: context-specific (first bytes `80`..`BF`, e.g. `84`, `A5`, `9F65`, `BF2D`).
    ContextSpecific,
    /// `11`: private (first bytes `C0`..`FF`, e.g. `E3` ProfileInfo in GSMA SGP.22).
    Private,
}

impl Class {
    /// The class bits as they appear in the first tag byte (b8 b7, other bits zero).
    pub const fn bits(self) -> u8 {
        match self {
            Self::Universal => 0x00,
            Self::Application => 0x40,
            Self::ContextSpecific => 0x80,
            Self::Private => 0xC0,
        }
    }

    const fn from_first_byte(byte: u8) -> Self {
        match byte >> 6 {
            0 => Self::Universal,
            1 => Self::Application,
            2 => Self::ContextSpecific,
            _ => Self::Private,
        }
    }
}

/// A BER-TLV tag, stored as its encoded bytes read big-endian (`9F65` is
/// `0x9F65`, `BF2D` is `0xBF2D`, `6F` is `0x6F`); ISO/IEC 7816-4 §5.2.2.1,
/// X.690 §8.1.2.
///
/// Tags compare and order by that number. `Debug` prints `Tag(9F65)`, `Display`
/// prints `9F65`. Keeping the bytes (rather than class and number only) means a
/// tag read in [`Mode::Lenient`] in a non-minimal form is written back unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// The tag whose encoding, read big-endian, is `value` (`0x9F65` is the two
    /// bytes `9F 65`). Not checked: use [`Tag::from_bytes`] or [`Tag::new`] for
    /// untrusted input, or [`Tag::is_valid`] to check.
    pub const fn from_u32_unchecked(value: u32) -> Self {
        Self(value)
    }

    /// The tag of `class`, primitive or `constructed`, with `number`, in the
    /// minimal encoding (X.690 §8.1.2.3 and §8.1.2.4: numbers 0..=30 in one
    /// byte, larger ones in base-128 subsequent bytes).
    ///
    /// Numbers above [`MAX_TAG_NUMBER`] need more than [`MAX_TAG_LEN`] bytes:
    /// [`ErrorKind::InvalidTag`] (offset 0).
    pub const fn new(class: Class, constructed: bool, number: u32) -> Result<Self, Error> {
        let first = class.bits() | if constructed { CONSTRUCTED } else { 0 };
        if number < HIGH_FORM as u32 {
            return Ok(Self(first as u32 | number));
        }
        if number > MAX_TAG_NUMBER {
            return Err(Error::new(ErrorKind::InvalidTag, 0));
        }
        let mut value = (first | HIGH_FORM) as u32;
        let groups = if number >= 1 << 14 {
            3
        } else if number >= 1 << 7 {
            2
        } else {
            1
        };
        let mut i = groups;
        while i > 0 {
            i -= 1;
            let group = (number >> (7 * i)) & 0x7F;
            let more = if i > 0 { MORE as u32 } else { 0 };
            value = (value << 8) | group | more;
        }
        Ok(Self(value))
    }

    /// A universal-class tag (X.690 §8.1.2.2), e.g. `universal(16, true)` is `30` SEQUENCE.
    pub const fn universal(number: u32, constructed: bool) -> Result<Self, Error> {
        Self::new(Class::Universal, constructed, number)
    }

    /// An application-class tag (X.690 §8.1.2.2), e.g. `application(26, false)` is `5A`.
    pub const fn application(number: u32, constructed: bool) -> Result<Self, Error> {
        Self::new(Class::Application, constructed, number)
    }

    /// A context-specific tag (X.690 §8.1.2.2), e.g. `context(0, true)` is `A0`,
    /// `context(45, true)` is `BF2D`.
    pub const fn context(number: u32, constructed: bool) -> Result<Self, Error> {
        Self::new(Class::ContextSpecific, constructed, number)
    }

    /// A private-class tag (X.690 §8.1.2.2), e.g. `private(3, true)` is `E3`.
    pub const fn private(number: u32, constructed: bool) -> Result<Self, Error> {
        Self::new(Class::Private, constructed, number)
    }

    /// Reads the tag at the start of `bytes` in [`Mode::Der`]; returns it and
    /// the number of bytes it occupies. See [`Tag::from_bytes_mode`].
    pub fn from_bytes(bytes: &[u8]) -> Result<(Self, usize), Error> {
        Self::from_bytes_mode(bytes, Mode::Der)
    }

    /// Reads the tag at the start of `bytes` (X.690 §8.1.2, ISO/IEC 7816-4 §5.2.2.1).
    ///
    /// Errors (offsets relative to `bytes`):
    /// - [`ErrorKind::Truncated`] at the first missing byte;
    /// - [`ErrorKind::InvalidTag`] at 0 when the tag would need more than
    ///   [`MAX_TAG_LEN`] bytes;
    /// - [`ErrorKind::NonMinimalTag`] at 0, in [`Mode::Der`] only, for a number
    ///   below 31 in the high-tag-number form (`1F 1E`) or a first subsequent
    ///   byte `80` (X.690 §8.1.2.4.2 c).
    pub fn from_bytes_mode(bytes: &[u8], mode: Mode) -> Result<(Self, usize), Error> {
        let Some(&first) = bytes.first() else {
            return Err(Error::new(ErrorKind::Truncated, 0));
        };
        if first & HIGH_FORM != HIGH_FORM {
            return Ok((Self(u32::from(first)), 1));
        }
        let mut value = u32::from(first);
        let mut index = 1;
        loop {
            let Some(&byte) = bytes.get(index) else {
                return Err(Error::new(ErrorKind::Truncated, index));
            };
            if mode == Mode::Der && index == 1 && byte == MORE {
                return Err(Error::new(ErrorKind::NonMinimalTag, 0));
            }
            value = (value << 8) | u32::from(byte);
            index += 1;
            if byte & MORE == 0 {
                break;
            }
            if index == MAX_TAG_LEN {
                return Err(Error::new(ErrorKind::InvalidTag, 0));
            }
        }
        let tag = Self(value);
        if mode == Mode::Der && index == 2 && tag.number() < u32::from(HIGH_FORM) {
            return Err(Error::new(ErrorKind::NonMinimalTag, 0));
        }
        Ok((tag, index))
    }

    /// The encoding read big-endian (`0x9F65` for `9F 65`).
    pub const fn to_u32(self) -> u32 {
        self.0
    }

    /// The first byte of the encoding.
    pub const fn first_byte(self) -> u8 {
        // Truncation intended: the most significant encoded byte.
        (self.0 >> (8 * (self.encoded_len() - 1))) as u8
    }

    /// The class, bits b8 b7 of the first byte (X.690 §8.1.2.2).
    pub const fn class(self) -> Class {
        Class::from_first_byte(self.first_byte())
    }

    /// Whether the constructed bit b6 of the first byte is set (X.690 §8.1.2.5):
    /// the value is a sequence of BER-TLV objects.
    pub const fn is_constructed(self) -> bool {
        self.first_byte() & CONSTRUCTED != 0
    }

    /// The tag number: b5..b1 of the first byte, or the base-128 number in the
    /// subsequent bytes (X.690 §8.1.2.3, §8.1.2.4).
    pub const fn number(self) -> u32 {
        let len = self.encoded_len();
        let first = self.first_byte();
        if len == 1 || first & HIGH_FORM != HIGH_FORM {
            return (first & HIGH_FORM) as u32;
        }
        let mut number = 0u32;
        let mut i = len - 1;
        while i > 0 {
            i -= 1;
            number = (number << 7) | ((self.0 >> (8 * i)) & 0x7F);
        }
        number
    }

    /// How many bytes the encoding takes (1..=4).
    pub const fn encoded_len(self) -> usize {
        if self.0 > 0x00FF_FFFF {
            4
        } else if self.0 > 0xFFFF {
            3
        } else if self.0 > 0xFF {
            2
        } else {
            1
        }
    }

    /// Whether the value is a complete, well-formed tag encoding (lenient: a
    /// non-minimal form counts as valid). Tags made by [`Tag::new`] or read by
    /// [`Tag::from_bytes`] always are.
    pub fn is_valid(self) -> bool {
        let (bytes, skip) = self.padded();
        let (_, encoded) = bytes.split_at(skip);
        matches!(Self::from_bytes_mode(encoded, Mode::Lenient), Ok((tag, len)) if tag == self && len == encoded.len())
    }

    /// Writes the encoding to the start of `buf`; returns its length.
    /// [`ErrorKind::BufferTooSmall`] (offset: the length needed) if `buf` is shorter.
    pub fn encode_into(self, buf: &mut [u8]) -> Result<usize, Error> {
        let (bytes, skip) = self.padded();
        let (_, encoded) = bytes.split_at(skip);
        let out = buf.get_mut(..encoded.len()).ok_or(Error::new(ErrorKind::BufferTooSmall, encoded.len()))?;
        out.copy_from_slice(encoded);
        Ok(encoded.len())
    }

    /// The bytes of the encoding.
    pub(crate) fn bytes(self) -> impl Iterator<Item = u8> {
        let (bytes, skip) = self.padded();
        bytes.into_iter().skip(skip)
    }

    /// The tag's value in [`MAX_TAG_LEN`] big-endian bytes, and how many of them precede its
    /// encoding (at most [`MAX_TAG_LEN`]).
    fn padded(self) -> ([u8; MAX_TAG_LEN], usize) {
        (self.0.to_be_bytes(), MAX_TAG_LEN.saturating_sub(self.encoded_len()))
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$X}", self.0, width = 2 * self.encoded_len())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl From<Tag> for u32 {
    fn from(tag: Tag) -> u32 {
        tag.to_u32()
    }
}
