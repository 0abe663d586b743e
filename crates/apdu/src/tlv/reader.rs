//! Reading consecutive BER-TLV objects (ISO/IEC 7816-4 §5.2.2, X.690 §8.1).

use super::{MAX_DEPTH, Mode, Tag, Tlv};
use crate::error::{Error, ErrorKind};

/// The most length bytes after the initial `8x` byte (X.690 §8.1.3.5 allows up to
/// 126; ISO/IEC 7816-4 §5.2.2.2 uses up to 4 (`84`), which also bounds lengths to
/// `u32`).
pub(crate) const MAX_LENGTH_BYTES: usize = 4;

/// The parsed header of one object: where its value starts and where it ends,
/// relative to the slice it was read from.
#[derive(Clone, Copy, Debug)]
pub(super) struct Header {
    pub(super) tag: Tag,
    pub(super) header_len: usize,
    pub(super) total_len: usize,
}

/// Reads the length field at `bytes[at..]` (X.690 §8.1.3): returns the length and
/// the number of bytes of the field. Offsets in errors are relative to `bytes`.
fn read_length(bytes: &[u8], at: usize, mode: Mode) -> Result<(usize, usize), Error> {
    let Some(&first) = bytes.get(at) else {
        return Err(Error::new(ErrorKind::Truncated, at));
    };
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    if first == 0x80 {
        return Err(Error::new(ErrorKind::IndefiniteLength, at));
    }
    let count = usize::from(first & 0x7F);
    if count > MAX_LENGTH_BYTES {
        return Err(Error::new(ErrorKind::LengthTooLarge, at));
    }
    let mut value: u32 = 0;
    for index in 1..=count {
        let position = at.saturating_add(index);
        let Some(&byte) = bytes.get(position) else {
            return Err(Error::new(ErrorKind::Truncated, position));
        };
        value = (value << 8) | u32::from(byte);
    }
    if mode == Mode::Der {
        // X.690 §10.1: the short form for lengths below 128, and no leading zero byte.
        let minimum = if count == 1 { 0x80 } else { 1u32 << (8 * (count - 1)) };
        if value < minimum {
            return Err(Error::new(ErrorKind::NonMinimalLength, at));
        }
    }
    let length = usize::try_from(value).map_err(|_| Error::new(ErrorKind::LengthTooLarge, at))?;
    Ok((length, 1 + count))
}

/// Reads the tag and length at the start of `bytes` and checks that the value
/// fits in `bytes`. Offsets in errors are relative to `bytes`.
pub(super) fn read_header(bytes: &[u8], mode: Mode) -> Result<Header, Error> {
    let (tag, tag_len) = Tag::from_bytes_mode(bytes, mode)?;
    let (length, length_len) = read_length(bytes, tag_len, mode)?;
    let header_len = tag_len + length_len;
    match header_len.checked_add(length) {
        Some(total_len) if total_len <= bytes.len() => Ok(Header { tag, header_len, total_len }),
        _ => Err(Error::new(ErrorKind::Truncated, bytes.len())),
    }
}

/// An iterator over consecutive BER-TLV objects in a buffer (a response data
/// field, or the value of a constructed object: ISO/IEC 7816-4 §5.2.2.3).
///
/// Yields `Result<Tlv, Error>` and stops after the first error; [`Reader::read`]
/// keeps returning that error. Offsets are absolute in the outermost buffer.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
    mode: Mode,
    depth: usize,
    error: Option<Error>,
    reported: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`, whose objects are at depth 1 and offsets start at 0.
    pub fn new(bytes: &'a [u8], mode: Mode) -> Self {
        Self::nested(bytes, 0, mode, 1)
    }

    /// A reader over `bytes` found at absolute `offset`, yielding objects at `depth`.
    pub(super) fn nested(bytes: &'a [u8], offset: usize, mode: Mode, depth: usize) -> Self {
        Self { rest: bytes, offset, mode, depth, error: None, reported: false }
    }

    /// A reader that yields `error` once (for [`Tlv::children`] of a primitive object).
    pub(super) fn failed(error: Error, mode: Mode, depth: usize) -> Self {
        Self { rest: &[], offset: error.offset, mode, depth, error: Some(error), reported: false }
    }

    /// The mode objects are read in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Absolute offset of the next object.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Whether all bytes have been read (an error still pending counts as not empty).
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty() && self.error.is_none()
    }

    /// The next object without consuming it; `Ok(None)` at the end.
    pub fn peek(&self) -> Result<Option<Tlv<'a>>, Error> {
        Ok(self.split()?.map(|(tlv, _)| tlv))
    }

    /// The next object and the bytes after it; `Ok(None)` at the end.
    fn split(&self) -> Result<Option<(Tlv<'a>, &'a [u8])>, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.rest.is_empty() {
            return Ok(None);
        }
        if self.depth > MAX_DEPTH {
            return Err(Error::new(ErrorKind::DepthExceeded, self.offset));
        }
        let header = read_header(self.rest, self.mode).map_err(|e| e.at(self.offset))?;
        let truncated = Error::new(ErrorKind::Truncated, self.offset);
        let (raw, after) = self.rest.split_at_checked(header.total_len).ok_or(truncated)?;
        let (_, value) = raw.split_at_checked(header.header_len).ok_or(truncated)?;
        let tlv = Tlv::from_parts(raw, value, header.tag, self.offset, self.depth, self.mode);
        Ok(Some((tlv, after)))
    }

    /// Consumes the object [`Reader::split`] returned with `after`.
    fn advance(&mut self, tlv: &Tlv<'a>, after: &'a [u8]) {
        self.rest = after;
        self.offset = self.offset.saturating_add(tlv.raw().len());
    }

    /// The next object; `Ok(None)` at the end. After an error, returns it again.
    pub fn read(&mut self) -> Result<Option<Tlv<'a>>, Error> {
        match self.split() {
            Ok(Some((tlv, after))) => {
                self.advance(&tlv, after);
                Ok(Some(tlv))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                self.error = Some(error);
                Err(error)
            }
        }
    }

    /// The next object, which must have `tag`: [`ErrorKind::Missing`] (offset:
    /// the end of the buffer) if there is none, [`ErrorKind::UnexpectedTag`]
    /// (offset: the object) if it has another tag; then it is not consumed.
    pub fn expect(&mut self, tag: Tag) -> Result<Tlv<'a>, Error> {
        match self.split() {
            Ok(Some((tlv, after))) if tlv.tag() == tag => {
                self.advance(&tlv, after);
                Ok(tlv)
            }
            Ok(Some((tlv, _))) => Err(Error::new(ErrorKind::UnexpectedTag, tlv.offset())),
            Ok(None) => Err(Error::new(ErrorKind::Missing, self.offset)),
            Err(error) => {
                self.error = Some(error);
                Err(error)
            }
        }
    }

    /// The next object if it has `tag` (an OPTIONAL element), else `Ok(None)`
    /// and nothing is consumed.
    pub fn optional(&mut self, tag: Tag) -> Result<Option<Tlv<'a>>, Error> {
        match self.expect(tag) {
            Ok(tlv) => Ok(Some(tlv)),
            Err(Error { kind: ErrorKind::UnexpectedTag | ErrorKind::Missing, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Fails with [`ErrorKind::TrailingData`] at the next object if any bytes remain.
    pub fn finish(&self) -> Result<(), Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.rest.is_empty() { Ok(()) } else { Err(Error::new(ErrorKind::TrailingData, self.offset)) }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Tlv<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.reported {
            return None;
        }
        match self.read() {
            Ok(Some(tlv)) => Some(Ok(tlv)),
            Ok(None) => None,
            Err(error) => {
                self.reported = true;
                Some(Err(error))
            }
        }
    }
}

impl core::iter::FusedIterator for Reader<'_> {}
