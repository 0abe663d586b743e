//! The DER codec of SGP.22's ASN.1 module (`RSPDefinitions`, SGP.22 §2.2 / Annex H; ITU-T X.690
//! §8 and §10, over the [`der`] crate): the reader ([`single`], [`Fields`], [`Field`],
//! [`TlvHeader`]), the writer ([`Encoder`]), the tags SGP.22 uses ([`ctx`], [`ctx_c`], [`app`],
//! [`private_c`]) and the error of every decoder ([`DecodeError`]).
//!
//! Every ES10, ES8+ and ES9+ message of this crate is written with it, and it is public because
//! [`Message`](crate::es10::Message) is: a function of a later SGP.22 version or a vendor's own
//! ES10 function is a `Message` implemented with these types, and the eUICC and SM-DP+
//! simulators (`oxicard-sim`) build and read their messages with them.
//!
//! The module is declared `AUTOMATIC TAGS EXTENSIBILITY IMPLIED`: **every** SEQUENCE may grow
//! fields in later versions, anywhere among its members. `der`'s derived `Sequence` decoders
//! reject unknown members (a derived `{ [0], [1] }` given `{ 80 …, 81 …, 82 00 }` fails with
//! `TrailingData`, der 0.8.3), so the messages are decoded field by field here instead: the TLV
//! framing, tags and lengths are parsed by `der` ([`der::Header`], [`der::asn1::AnyRef`], strict
//! DER lengths), the members are then looked up by tag and anything unknown is skipped.
//!
//! Encoding writes DER (X.690 §10): definite minimal lengths, minimal INTEGERs, named-bit BIT
//! STRINGs without trailing zero bits (X.690 §11.2.2).
//!
//! ```
//! use oxicard_euicc::asn1::{Encoder, Fields, app, ctx, ctx_c, single};
//!
//! // `EnableProfileRequest ::= [49] SEQUENCE { profileIdentifier [0] …, refreshFlag [1] BOOLEAN }`
//! let mut e = Encoder::new();
//! e.nested(ctx_c(49), |e| {
//!     e.nested(ctx_c(0), |e| e.tlv(app(15), &[0xA0, 0x01])); // isdpAid
//!     e.boolean(ctx(1), true);
//! });
//! let der = e.finish();
//! assert_eq!(der, [0xBF, 0x31, 0x09, 0xA0, 0x04, 0x4F, 0x02, 0xA0, 0x01, 0x81, 0x01, 0xFF]);
//!
//! let request = single(&der, ctx_c(49), "EnableProfileRequest")?;
//! let fields = Fields::parse(request.value(), "EnableProfileRequest")?;
//! assert!(fields.req(ctx(1), "refreshFlag")?.boolean()?);
//! # Ok::<(), oxicard_euicc::asn1::DecodeError>(())
//! ```

use core::fmt;
use std::string::String;
use std::vec::Vec;

use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};

/// A CONTEXT-SPECIFIC primitive tag `[n]` (e.g. `80` for `[0]`, `9F70` for `[112]`).
pub const fn ctx(number: u32) -> Tag {
    Tag::ContextSpecific { constructed: false, number: TagNumber(number) }
}

/// A CONTEXT-SPECIFIC constructed tag `[n]` (e.g. `A0` for `[0]`, `BF2D` for `[45]`).
pub const fn ctx_c(number: u32) -> Tag {
    Tag::ContextSpecific { constructed: true, number: TagNumber(number) }
}

/// An APPLICATION primitive tag (e.g. `5A` for `[APPLICATION 26]`, `5F37` for `[APPLICATION 55]`).
pub const fn app(number: u32) -> Tag {
    Tag::Application { constructed: false, number: TagNumber(number) }
}

/// A PRIVATE constructed tag (e.g. `E3` for `[PRIVATE 3]`).
pub const fn private_c(number: u32) -> Tag {
    Tag::Private { constructed: true, number: TagNumber(number) }
}

/// The BER encoding of `tag` (X.690 §8.1.2), e.g. `[0xBF, 0x2D]` for `[45]` constructed.
pub fn tag_bytes(tag: Tag) -> Vec<u8> {
    let (class_bits, constructed, number) = match tag {
        Tag::Application { constructed, number } => (0x40u8, constructed, number.value()),
        Tag::ContextSpecific { constructed, number } => (0x80, constructed, number.value()),
        Tag::Private { constructed, number } => (0xC0, constructed, number.value()),
        universal => {
            let number = universal.number().value();
            (0x00, universal.is_constructed(), number)
        }
    };
    let first = class_bits | if constructed { 0x20 } else { 0x00 };
    let mut out = Vec::with_capacity(4);
    if number < 31 {
        out.push(first | (number as u8));
    } else {
        out.push(first | 0x1F);
        push_base128(&mut out, u128::from(number));
    }
    out
}

/// Appends `value` in base 128, high group first, continuation bit on all but the last.
pub(crate) fn push_base128(out: &mut Vec<u8>, value: u128) {
    let mut groups = [0u8; 19];
    let mut count = 0;
    let mut rest = value;
    loop {
        if let Some(slot) = groups.get_mut(count) {
            *slot = (rest & 0x7F) as u8;
        }
        count += 1;
        rest >>= 7;
        if rest == 0 {
            break;
        }
    }
    for index in (0..count).rev() {
        let group = groups.get(index).copied().unwrap_or(0);
        out.push(if index == 0 { group } else { group | 0x80 });
    }
}

/// Hex of the tag, as SGP.22 writes it (`BF2D`), for messages.
pub struct TagHex(pub Tag);

impl fmt::Display for TagHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in tag_bytes(self.0) {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TagHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why DER bytes could not be decoded as an SGP.22 message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}: {reason}")]
pub struct DecodeError {
    message: &'static str,
    reason: DecodeReason,
}

impl DecodeError {
    /// An error in `message` (the ASN.1 type name, e.g. `"ProfileInfo"`).
    pub fn new(message: &'static str, reason: DecodeReason) -> Self {
        Self { message, reason }
    }

    /// The ASN.1 type being decoded when the error occurred.
    pub fn message(&self) -> &'static str {
        self.message
    }

    /// What was wrong.
    pub fn reason(&self) -> &DecodeReason {
        &self.reason
    }
}

/// What was wrong with the DER (see [`DecodeError`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeReason {
    /// Malformed TLV framing (truncated, bad length, bad tag), as reported by `der`.
    #[error("malformed DER: {0}")]
    Der(der::Error),
    /// The outer tag is not the message's.
    #[error("expected tag {}, found {}", TagHex(*expected), TagHex(*found))]
    UnexpectedTag {
        /// The tag of the message (e.g. `BF2D`).
        expected: Tag,
        /// The tag found.
        found: Tag,
    },
    /// A mandatory member is absent.
    #[error("mandatory field {0} is missing")]
    Missing(&'static str),
    /// A member is present but its value is not acceptable.
    #[error("field {field}: {problem}")]
    Invalid {
        /// The ASN.1 member name.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Bytes follow the message's TLV.
    #[error("{0} bytes after the end of the TLV")]
    TrailingData(usize),
}

/// One member TLV of a constructed value.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    tag: Tag,
    value: &'a [u8],
    raw: &'a [u8],
    message: &'static str,
    name: &'static str,
}

/// The member TLVs of a constructed value, looked up by tag; unknown members are kept but ignored.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    items: Vec<Field<'a>>,
    message: &'static str,
}

/// Reads consecutive TLVs from `bytes` until it is exhausted.
fn read_all<'a>(bytes: &'a [u8], message: &'static str) -> Result<Vec<Field<'a>>, DecodeError> {
    let der_err = |e| DecodeError::new(message, DecodeReason::Der(e));
    let mut reader = SliceReader::new(bytes).map_err(der_err)?;
    let mut items = Vec::new();
    while !reader.is_finished() {
        let start = usize::try_from(reader.position()).map_err(der_err)?;
        let any = AnyRef::decode(&mut reader).map_err(der_err)?;
        let end = usize::try_from(reader.position()).map_err(der_err)?;
        let raw = bytes.get(start..end).ok_or_else(|| {
            DecodeError::new(message, DecodeReason::Invalid { field: "?", problem: "TLV outside the input" })
        })?;
        items.push(Field { tag: any.tag(), value: any.value(), raw, message, name: "?" });
    }
    Ok(items)
}

/// The tag and length octets at the start of a TLV (X.690 §8.1.2–§8.1.3, definite lengths),
/// read without the value: for a value that arrives later or in pieces (the segments of a
/// LoadBoundProfilePackage, SGP.22 §5.7.6; an ES10 request being dispatched by its tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlvHeader {
    /// Length of the tag octets.
    pub tag_len: usize,
    /// Length of tag and length octets.
    pub header_len: usize,
    /// The value length announced.
    pub value_len: usize,
}

impl TlvHeader {
    /// Parses the header at the start of `bytes`; `None` when it is cut off, indefinite or
    /// longer than 4 length octets. The value itself may be incomplete (a BPP segment).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let (&first, rest) = bytes.split_first()?;
        let mut tag_len = 1;
        if first & 0x1F == 0x1F {
            tag_len += rest.iter().position(|b| b & 0x80 == 0)? + 1;
        }
        let (&len0, after) = bytes.get(tag_len..)?.split_first()?;
        let (value_len, length_octets) = match len0 {
            0x00..=0x7F => (usize::from(len0), 1),
            0x81..=0x84 => {
                let n = usize::from(len0 & 0x7F);
                let octets = after.get(..n)?;
                (octets.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b)), n + 1)
            }
            _ => return None,
        };
        Some(Self { tag_len, header_len: tag_len + length_octets, value_len })
    }

    /// Header and value length.
    pub fn total_len(&self) -> usize {
        self.header_len.saturating_add(self.value_len)
    }

    /// The tag octets at the start of `bytes` (X.690 §8.1.2).
    pub fn tag_of(bytes: &[u8]) -> Option<&[u8]> {
        bytes.get(..TlvHeader::parse(bytes)?.tag_len)
    }
}

/// Decodes `bytes` as exactly one TLV with tag `tag`.
pub fn single<'a>(bytes: &'a [u8], tag: Tag, message: &'static str) -> Result<Field<'a>, DecodeError> {
    let der_err = |e| DecodeError::new(message, DecodeReason::Der(e));
    let mut reader = SliceReader::new(bytes).map_err(der_err)?;
    let any = AnyRef::decode(&mut reader).map_err(der_err)?;
    let rest = usize::try_from(reader.remaining_len()).map_err(der_err)?;
    if rest != 0 {
        return Err(DecodeError::new(message, DecodeReason::TrailingData(rest)));
    }
    if any.tag() != tag {
        return Err(DecodeError::new(
            message,
            DecodeReason::UnexpectedTag { expected: tag, found: any.tag() },
        ));
    }
    Ok(Field { tag, value: any.value(), raw: bytes, message, name: message })
}

impl<'a> Fields<'a> {
    /// Splits the contents of a constructed value of `message` into its members.
    pub fn parse(contents: &'a [u8], message: &'static str) -> Result<Self, DecodeError> {
        Ok(Self { items: read_all(contents, message)?, message })
    }

    /// The first member with `tag`, if any.
    pub fn opt(&self, tag: Tag, name: &'static str) -> Option<Field<'a>> {
        self.items.iter().find(|f| f.tag == tag).map(|f| Field { name, ..*f })
    }

    /// The first member with `tag`; absent is [`DecodeReason::Missing`].
    pub fn req(&self, tag: Tag, name: &'static str) -> Result<Field<'a>, DecodeError> {
        self.opt(tag, name).ok_or_else(|| DecodeError::new(self.message, DecodeReason::Missing(name)))
    }

    /// Every member, in order (for SEQUENCE OF and CHOICE).
    pub fn iter(&self) -> impl Iterator<Item = Field<'a>> + '_ {
        self.items.iter().copied()
    }

    /// The first member, if any (the alternative of a CHOICE).
    pub fn first(&self) -> Option<Field<'a>> {
        self.items.first().copied()
    }
}

impl<'a> Field<'a> {
    /// The member's tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The contents octets.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The whole TLV, as received (for forwarding without re-encoding, SGP.22 §5.3 / §3.1.3).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// A [`DecodeReason::Invalid`] error about this member.
    pub fn invalid(&self, problem: &'static str) -> DecodeError {
        DecodeError::new(self.message, DecodeReason::Invalid { field: self.name, problem })
    }

    /// The members of this constructed value, as [`Fields`] of `message`.
    pub fn fields(&self, message: &'static str) -> Result<Fields<'a>, DecodeError> {
        if !self.tag.is_constructed() {
            return Err(self.invalid("expected a constructed value"));
        }
        Fields::parse(self.value, message)
    }

    fn primitive(&self) -> Result<&'a [u8], DecodeError> {
        if self.tag.is_constructed() {
            return Err(self.invalid("expected a primitive value"));
        }
        Ok(self.value)
    }

    /// OCTET STRING contents.
    pub fn octets(&self) -> Result<Vec<u8>, DecodeError> {
        Ok(self.primitive()?.to_vec())
    }

    /// OCTET STRING of exactly `N` bytes.
    pub fn octets_n<const N: usize>(&self) -> Result<[u8; N], DecodeError> {
        <[u8; N]>::try_from(self.primitive()?).map_err(|_| self.invalid("wrong length"))
    }

    /// UTF8String; invalid UTF-8 sequences become U+FFFD (a card's bad nickname must not hide
    /// the whole profile list).
    pub fn utf8(&self) -> Result<String, DecodeError> {
        Ok(String::from_utf8_lossy(self.primitive()?).into_owned())
    }

    /// INTEGER that fits an `i64` (X.690 §8.3; non-minimal encodings are accepted).
    pub fn int(&self) -> Result<i64, DecodeError> {
        let bytes = self.primitive()?;
        let Some(&first) = bytes.first() else { return Err(self.invalid("empty INTEGER")) };
        let negative = first & 0x80 != 0;
        let pad = if negative { 0xFF } else { 0x00 };
        let significant = bytes.iter().position(|&b| b != pad).unwrap_or(bytes.len());
        // Keep one sign byte when the first significant byte's top bit disagrees with the sign.
        let start = match bytes.get(significant) {
            Some(&b) if (b & 0x80 != 0) == negative => significant,
            _ => significant.saturating_sub(1),
        };
        let digits = bytes.get(start..).ok_or_else(|| self.invalid("INTEGER"))?;
        if digits.len() > 8 {
            return Err(self.invalid("INTEGER out of range"));
        }
        let mut value: i64 = if negative { -1 } else { 0 };
        for &b in digits {
            value = (value << 8) | i64::from(b);
        }
        Ok(value)
    }

    /// INTEGER that fits a `u64`, not negative.
    pub fn uint(&self) -> Result<u64, DecodeError> {
        let bytes = self.primitive()?;
        if bytes.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(self.invalid("negative INTEGER"));
        }
        if bytes.is_empty() {
            return Err(self.invalid("empty INTEGER"));
        }
        let leading_zeros = bytes.iter().take_while(|&&b| b == 0).count();
        let (_, digits) = bytes.split_at_checked(leading_zeros).ok_or_else(|| self.invalid("INTEGER"))?;
        if digits.len() > 8 {
            return Err(self.invalid("INTEGER out of range"));
        }
        Ok(digits.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// BOOLEAN (X.690 §8.2: any non-zero octet is TRUE).
    pub fn boolean(&self) -> Result<bool, DecodeError> {
        match self.primitive()? {
            [b] => Ok(*b != 0),
            _ => Err(self.invalid("BOOLEAN must be one octet")),
        }
    }

    /// BIT STRING as a [`BitFlags`](crate::es10::BitFlags) (X.690 §8.6).
    pub fn bits(&self) -> Result<crate::es10::BitFlags, DecodeError> {
        crate::es10::BitFlags::from_der_contents(self.primitive()?)
            .ok_or_else(|| self.invalid("bad BIT STRING"))
    }
}

/// A DER writer for SGP.22 messages (definite, minimal lengths: X.690 §10.1).
#[derive(Clone, Debug, Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// Writes a length in DER (X.690 §8.1.3, §10.1).
    fn length(&mut self, len: usize) {
        if len < 0x80 {
            self.buf.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let significant = bytes.iter().skip_while(|&&b| b == 0);
            self.buf.push(0x80 | significant.clone().count() as u8);
            self.buf.extend(significant);
        }
    }

    /// Writes one TLV.
    pub fn tlv(&mut self, tag: Tag, value: &[u8]) {
        self.buf.extend_from_slice(&tag_bytes(tag));
        self.length(value.len());
        self.buf.extend_from_slice(value);
    }

    /// Writes a constructed TLV whose contents `f` writes.
    pub fn nested(&mut self, tag: Tag, f: impl FnOnce(&mut Encoder)) {
        let mut inner = Encoder::new();
        f(&mut inner);
        self.tlv(tag, &inner.buf);
    }

    /// Writes bytes that already are whole TLVs (forwarded as received).
    pub fn raw(&mut self, tlvs: &[u8]) {
        self.buf.extend_from_slice(tlvs);
    }

    /// Writes an INTEGER in its minimal two's complement form (X.690 §8.3.2).
    pub fn int(&mut self, tag: Tag, value: i64) {
        let bytes = value.to_be_bytes();
        let mut start = 0;
        while start < 7 {
            let (Some(&b), Some(&next)) = (bytes.get(start), bytes.get(start + 1)) else { break };
            let redundant = (b == 0x00 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0);
            if !redundant {
                break;
            }
            start += 1;
        }
        let (_, minimal) = bytes.split_at(start);
        self.tlv(tag, minimal);
    }

    /// Writes a non-negative INTEGER.
    pub fn uint(&mut self, tag: Tag, value: u64) {
        let mut bytes = std::vec![0u8];
        bytes.extend_from_slice(&value.to_be_bytes());
        let start = (0..8).find(|&i| {
            let (b, next) = (bytes.get(i).copied().unwrap_or(0), bytes.get(i + 1).copied().unwrap_or(0));
            !(b == 0 && next & 0x80 == 0)
        });
        // At most 8 of the 9 bytes are skipped: the last always stays.
        let (_, minimal) = bytes.split_at(start.unwrap_or(8));
        self.tlv(tag, minimal);
    }

    /// Writes a BOOLEAN (`FF` / `00`, X.690 §11.1).
    pub fn boolean(&mut self, tag: Tag, value: bool) {
        self.tlv(tag, &[if value { 0xFF } else { 0x00 }]);
    }

    /// Writes a UTF8String.
    pub fn utf8(&mut self, tag: Tag, value: &str) {
        self.tlv(tag, value.as_bytes());
    }

    /// Writes a named-bit BIT STRING (X.690 §11.2.2).
    pub fn bits(&mut self, tag: Tag, value: &crate::es10::BitFlags) {
        self.tlv(tag, &value.to_der_contents());
    }

    /// Writes an optional member with `f` when it is present.
    pub fn opt<T>(&mut self, value: Option<&T>, f: impl FnOnce(&mut Encoder, &T)) {
        if let Some(value) = value {
            f(self, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_encoding() {
        assert_eq!(tag_bytes(ctx_c(45)), [0xBF, 0x2D]);
        assert_eq!(tag_bytes(ctx(112)), [0x9F, 0x70]);
        assert_eq!(tag_bytes(app(55)), [0x5F, 0x37]);
        assert_eq!(tag_bytes(app(26)), [0x5A]);
        assert_eq!(tag_bytes(private_c(3)), [0xE3]);
        assert_eq!(tag_bytes(Tag::Sequence), [0x30]);
        assert_eq!(tag_bytes(Tag::Utf8String), [0x0C]);
        assert_eq!(tag_bytes(ctx(200)), [0x9F, 0x81, 0x48]);
    }

    #[test]
    fn integers_minimal_and_lenient() {
        for (value, der) in [
            (0i64, &[0x00][..]),
            (127, &[0x7F]),
            (128, &[0x00, 0x80]),
            (-1, &[0xFF]),
            (-129, &[0xFF, 0x7F]),
            (i64::MAX, &[0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ] {
            let mut e = Encoder::new();
            e.int(ctx(0), value);
            let bytes = e.finish();
            assert_eq!(&bytes[2..], der, "{value}");
            let f = single(&bytes, ctx(0), "t").unwrap();
            assert_eq!(f.int().unwrap(), value);
        }
        let mut e = Encoder::new();
        e.uint(ctx(0), u64::MAX);
        let bytes = e.finish();
        assert_eq!(bytes, [0x80, 9, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(single(&bytes, ctx(0), "t").unwrap().uint().unwrap(), u64::MAX);
        // Non-minimal 00 05 is accepted.
        assert_eq!(single(&[0x80, 2, 0, 5], ctx(0), "t").unwrap().int().unwrap(), 5);
        assert!(single(&[0x80, 0], ctx(0), "t").unwrap().int().is_err());
    }

    #[test]
    fn long_lengths() {
        let mut e = Encoder::new();
        e.tlv(ctx(6), &[0u8; 300]);
        let bytes = e.finish();
        assert_eq!(&bytes[..4], &[0x86, 0x82, 0x01, 0x2C]);
        assert_eq!(single(&bytes, ctx(6), "t").unwrap().value().len(), 300);
    }

    #[test]
    fn tlv_headers_without_their_values() {
        // `BF36 82 1234` (a BPP header, value still to come), `A3 81 F0`, `86 05`.
        let bpp = TlvHeader::parse(&[0xBF, 0x36, 0x82, 0x12, 0x34]).unwrap();
        assert_eq!(bpp, TlvHeader { tag_len: 2, header_len: 5, value_len: 0x1234 });
        assert_eq!(bpp.total_len(), 0x1239);
        assert_eq!(TlvHeader::parse(&[0xA3, 0x81, 0xF0]).unwrap().header_len, 3);
        assert_eq!(TlvHeader::tag_of(&[0x86, 0x05, 0x01]), Some(&[0x86][..]));
        assert_eq!(TlvHeader::tag_of(&[0xBF, 0x38, 0x00]), Some(&[0xBF, 0x38][..]));
        // Cut off, indefinite length, more than 4 length octets.
        for bad in [
            &[][..],
            &[0xBF],
            &[0xBF, 0x36],
            &[0x30, 0x82, 0x01],
            &[0x30, 0x80],
            &[0x30, 0x85, 1, 2, 3, 4, 5],
        ] {
            assert_eq!(TlvHeader::parse(bad), None, "{bad:02X?}");
        }
    }
}
