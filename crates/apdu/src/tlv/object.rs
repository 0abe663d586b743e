//! One parsed BER-TLV data object (ISO/IEC 7816-4 §5.2.2, X.690 §8.1.1).

use super::{Mode, Reader, Tag};
use crate::error::{Error, ErrorKind};

/// One BER-TLV data object borrowing its bytes: tag, length and value
/// (ISO/IEC 7816-4 §5.2.2, X.690 §8.1.1). Zero copy; `Copy`.
///
/// Knows its absolute offset in the outermost buffer parsed (for error
/// reports) and its nesting depth (for [`MAX_DEPTH`](super::MAX_DEPTH)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    raw: &'a [u8],
    value: &'a [u8],
    tag: Tag,
    depth: u8,
    mode: Mode,
    offset: usize,
}

impl<'a> Tlv<'a> {
    /// The object whose whole encoding is `raw` and whose value is `value`, the end of `raw`.
    pub(super) fn from_parts(
        raw: &'a [u8],
        value: &'a [u8],
        tag: Tag,
        offset: usize,
        depth: usize,
        mode: Mode,
    ) -> Self {
        // depth <= MAX_DEPTH (checked by Reader).
        let depth = u8::try_from(depth).unwrap_or(u8::MAX);
        Self { raw, value, tag, depth, mode, offset }
    }

    /// Parses `bytes` as exactly one object: [`ErrorKind::Truncated`] at 0 if
    /// empty, [`ErrorKind::TrailingData`] at the first byte after it. Children are
    /// not checked here (see [`Tlv::validate`]).
    pub fn parse(bytes: &'a [u8], mode: Mode) -> Result<Self, Error> {
        let (tlv, rest) = Self::parse_prefix(bytes, mode)?;
        if rest.is_empty() { Ok(tlv) } else { Err(Error::new(ErrorKind::TrailingData, tlv.raw.len())) }
    }

    /// Parses the object at the start of `bytes`; returns it and the bytes after it.
    pub fn parse_prefix(bytes: &'a [u8], mode: Mode) -> Result<(Self, &'a [u8]), Error> {
        let mut reader = Reader::new(bytes, mode);
        match reader.read()? {
            Some(tlv) => Ok((tlv, reader.remaining())),
            None => Err(Error::new(ErrorKind::Truncated, 0)),
        }
    }

    /// Parses `bytes` as exactly one object and checks its whole tree, like
    /// [`validate`](super::validate) (depth at most [`MAX_DEPTH`](super::MAX_DEPTH)).
    pub fn validate(bytes: &'a [u8], mode: Mode) -> Result<Self, Error> {
        let tlv = Self::parse(bytes, mode)?;
        tlv.validate_children()?;
        Ok(tlv)
    }

    /// Checks this object's subtree (nothing to check for a primitive object).
    pub fn validate_children(&self) -> Result<(), Error> {
        if self.is_constructed() { super::walk(self.children()) } else { Ok(()) }
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// Whether the tag says constructed (X.690 §8.1.2.5): the value holds objects.
    pub fn is_constructed(&self) -> bool {
        self.tag.is_constructed()
    }

    /// The value (contents octets, X.690 §8.1.4).
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The whole encoding: tag, length and value.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Absolute offset of the tag in the outermost buffer parsed.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Absolute offset of the value in the outermost buffer parsed.
    pub fn value_offset(&self) -> usize {
        self.offset.saturating_add(self.raw.len().saturating_sub(self.value.len()))
    }

    /// Nesting depth: 1 for an object parsed from a buffer, its parent's plus one
    /// for a child.
    pub fn depth(&self) -> usize {
        usize::from(self.depth)
    }

    /// The mode the object was parsed in (children are read in the same mode).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The objects in the value of a constructed object (ISO/IEC 7816-4 §5.2.2.3).
    ///
    /// On a primitive object the iterator yields [`ErrorKind::WrongConstruction`]
    /// (offset: this object's tag) once. Children deeper than
    /// [`MAX_DEPTH`](super::MAX_DEPTH) yield [`ErrorKind::DepthExceeded`].
    pub fn children(&self) -> Reader<'a> {
        let depth = self.depth().saturating_add(1);
        if self.is_constructed() {
            Reader::nested(self.value(), self.value_offset(), self.mode, depth)
        } else {
            Reader::failed(Error::new(ErrorKind::WrongConstruction, self.offset), self.mode, depth)
        }
    }

    /// The first direct child with `tag`, `Ok(None)` if there is none. Errors in
    /// children before it (or in all of them, when it is absent) are returned.
    pub fn find(&self, tag: Tag) -> Result<Option<Tlv<'a>>, Error> {
        for child in self.children() {
            let child = child?;
            if child.tag == tag {
                return Ok(Some(child));
            }
        }
        Ok(None)
    }

    /// Follows `path` through direct children: `fci.find_path(&[A5, 9F65])` is the
    /// `9F65` inside the `A5` inside `fci`. An empty path gives `self`.
    pub fn find_path(&self, path: &[Tag]) -> Result<Option<Tlv<'a>>, Error> {
        let mut current = *self;
        for &tag in path {
            match current.find(tag)? {
                Some(next) => current = next,
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }
}
