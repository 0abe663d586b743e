//! DER TLV framing of the package (X.690 §8.1, §10.1), read with the `der` crate: each TLV
//! with its tag, its contents, and where it sits in the package.

use der::asn1::AnyRef;
use der::{Decode, ErrorKind, Reader, SliceReader, Tag, Tagged};

use super::error::Problem;

/// One TLV of the package.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The tag.
    pub(crate) tag: Tag,
    /// The whole TLV (tag, length, contents).
    pub(crate) raw: &'a [u8],
    /// The contents octets.
    pub(crate) value: &'a [u8],
    /// The offset of the first tag octet in the package.
    pub(crate) offset: usize,
    /// The offset of the contents in the package.
    pub(crate) value_offset: usize,
}

/// A framing failure: the offset of the TLV and what was wrong with it.
pub(crate) type FramingError = (usize, Problem);

/// The TLVs of `bytes`, one after the other; `base` is the offset of `bytes` in the package.
#[derive(Clone, Debug)]
pub(crate) struct Tlvs<'a> {
    bytes: &'a [u8],
    base: usize,
    position: usize,
    failed: bool,
}

impl<'a> Tlvs<'a> {
    /// The TLVs of `bytes`, which start at `base` in the package.
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Self {
        Self { bytes, base, position: 0, failed: false }
    }

    /// The TLVs of the contents of `tlv`.
    pub(crate) fn of(tlv: &Tlv<'a>) -> Self {
        Self::new(tlv.value, tlv.value_offset)
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.position..).unwrap_or_default()
    }

    /// The offset in the package of the next TLV.
    pub(crate) fn offset(&self) -> usize {
        self.base.saturating_add(self.position)
    }
}

/// Reads the TLV at the start of `bytes`; returns it (at `offset`) and its length.
fn read(bytes: &[u8], offset: usize) -> Result<(Tlv<'_>, usize), Problem> {
    let problem = |e: der::Error| match e.kind() {
        ErrorKind::Incomplete { .. } => Problem::Truncated,
        kind => Problem::Encoding(kind),
    };
    let mut reader = SliceReader::new(bytes).map_err(problem)?;
    let any = AnyRef::decode(&mut reader).map_err(problem)?;
    let end = usize::try_from(reader.position()).map_err(problem)?;
    let raw = bytes.get(..end).ok_or(Problem::Truncated)?;
    let header_len = end.saturating_sub(any.value().len());
    let tlv = Tlv {
        tag: any.tag(),
        raw,
        value: any.value(),
        offset,
        value_offset: offset.saturating_add(header_len),
    };
    Ok((tlv, end))
}

impl<'a> Iterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>, FramingError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.rest();
        if rest.is_empty() {
            return None;
        }
        let offset = self.offset();
        match read(rest, offset) {
            Ok((tlv, len)) => {
                self.position = self.position.saturating_add(len);
                Some(Ok(tlv))
            }
            Err(problem) => {
                self.failed = true;
                Some(Err((offset, problem)))
            }
        }
    }
}
