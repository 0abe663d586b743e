//! The BSP segment format (SGP.22 §2.6.4.3–§2.6.4.5): one BER-TLV `T L C MAC`, where
//! `C` is the ciphertext (tags `86`, `87`) or the plaintext (tag `88`) and `MAC` the
//! first 8 bytes of the AES-CMAC; `L` counts `C` and the MAC.

use crate::crypto::{BLOCK, padded_len};
use crate::error::{Error, ErrorKind, Result};

/// The MAC length of AES-CMAC in BSP: 8 bytes (SGP.22 §2.6.4.4, the most significant
/// half of the full CMAC).
pub const MAC_LEN: usize = 8;

/// The largest segment the protector produces: 1020 bytes including tag, length and MAC
/// (SGP.22 v3.0 §2.5.3).
pub const MAX_SEGMENT_LEN: usize = 1020;

/// The largest segment the verifier accepts: 1036 bytes (`86 82 0408` + 1024 bytes of
/// ciphertext + MAC), which pySim's encoder produces (1008 plaintext bytes per encrypted
/// segment; `TestBSPdecode` in pySim `tests/unittests/test_esim_bsp.py`).
pub const MAX_ACCEPTED_SEGMENT_LEN: usize = 1036;

/// The most plaintext one encrypted segment (`86`, `87`) carries within
/// [`MAX_SEGMENT_LEN`]: 1020 − 1 (tag) − 3 (`82 xx xx`) − 8 (MAC) = 1008 bytes of
/// ciphertext, of which at least one byte is padding.
pub const MAX_ENCRYPTED_PLAINTEXT: usize = 1007;

/// The most plaintext one MAC-only segment (`88`) carries within [`MAX_SEGMENT_LEN`].
pub const MAX_MAC_ONLY_PLAINTEXT: usize = 1008;

/// The tag of a BSP segment (SGP.22 §2.5.5 BoundProfilePackage and §2.6.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum SegmentTag {
    /// `86`: LoadProfileElements (`sequenceOf86`): encrypted and MACed, with the PPKs
    /// after ReplaceSessionKeys, otherwise with the session keys.
    ProfileElements86 = 0x86,
    /// `87`: ConfigureISDP (`firstSequenceOf87`) and ReplaceSessionKeys
    /// (`sequenceOf87`): encrypted and MACed with the session keys.
    Encrypted87 = 0x87,
    /// `88`: StoreMetadata (`sequenceOf88`): MACed only.
    MacOnly88 = 0x88,
}

impl SegmentTag {
    /// The tag byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }

    /// The tag of a byte, if it is one of `86`, `87`, `88`.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0x86 => Some(Self::ProfileElements86),
            0x87 => Some(Self::Encrypted87),
            0x88 => Some(Self::MacOnly88),
            _ => None,
        }
    }

    /// Whether the segment's payload is encrypted (`86`, `87`).
    pub const fn is_encrypted(self) -> bool {
        !matches!(self, Self::MacOnly88)
    }

    /// The most plaintext one segment of this tag carries within [`MAX_SEGMENT_LEN`].
    pub const fn max_plaintext(self) -> usize {
        if self.is_encrypted() { MAX_ENCRYPTED_PLAINTEXT } else { MAX_MAC_ONLY_PLAINTEXT }
    }
}

/// The length of the BER length field for a value of `len` bytes (definite form).
pub(crate) const fn length_field_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xFF {
        2
    } else {
        3
    }
}

/// Writes tag and minimal BER length of a segment whose value (`C ‖ MAC`) is `value_len`
/// bytes into `out` (at least 4 bytes); returns the header length. `value_len` fits two
/// bytes by construction (at most [`MAX_SEGMENT_LEN`]).
pub(crate) fn write_header(tag: SegmentTag, value_len: usize, out: &mut [u8]) -> usize {
    let [hi, lo] = (value_len as u16).to_be_bytes();
    let (header, n): ([u8; 4], usize) = match length_field_len(value_len) {
        1 => ([tag.byte(), lo, 0, 0], 2),
        2 => ([tag.byte(), 0x81, lo, 0], 3),
        _ => ([tag.byte(), 0x82, hi, lo], 4),
    };
    if let (Some(dst), Some(src)) = (out.get_mut(..n), header.get(..n)) {
        dst.copy_from_slice(src);
    }
    n
}

/// The parsed header of a received segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) tag: SegmentTag,
    /// Length of tag and length field.
    pub(crate) header_len: usize,
    /// The value length `L`.
    pub(crate) value_len: usize,
}

/// Parses tag and BER length at the start of `bytes`: tag `86`/`87`/`88`
/// ([`ErrorKind::InvalidValue`]), a definite length of one to three bytes, any form
/// (the MAC covers the bytes as received; [`ErrorKind::InvalidLength`] for the
/// indefinite or longer forms), a value of at least [`MAC_LEN`] bytes. Does not check
/// that the value is present.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header> {
    let (&tag, rest) = bytes.split_first().ok_or(Error::new(ErrorKind::Truncated, 0))?;
    let tag = SegmentTag::from_byte(tag).ok_or(Error::new(ErrorKind::InvalidValue, 0))?;
    let (&first, rest) = rest.split_first().ok_or(Error::new(ErrorKind::Truncated, 1))?;
    let (value_len, header_len) = match first {
        0x00..=0x7F => (usize::from(first), 2),
        0x81 => (usize::from(*rest.first().ok_or(Error::new(ErrorKind::Truncated, 2))?), 3),
        0x82 => match rest {
            [hi, lo, ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), 4),
            _ => return Err(Error::new(ErrorKind::Truncated, 2)),
        },
        _ => return Err(Error::new(ErrorKind::InvalidLength, 1)),
    };
    if value_len < MAC_LEN {
        return Err(Error::new(ErrorKind::InvalidLength, 1));
    }
    Ok(Header { tag, header_len, value_len })
}

/// The segment length for `plaintext_len` bytes under `tag`: header, padded ciphertext
/// (encrypted tags) or plaintext, MAC. `None` if the plaintext is longer than
/// [`SegmentTag::max_plaintext`].
pub const fn protected_len(tag: SegmentTag, plaintext_len: usize) -> Option<usize> {
    if plaintext_len > tag.max_plaintext() {
        return None;
    }
    let body = if tag.is_encrypted() { padded_len(plaintext_len) } else { plaintext_len };
    let value = body + MAC_LEN;
    Some(1 + length_field_len(value) + value)
}

/// The total length of the segments that [`BspProtector::protect_segmented`] produces
/// for `len` bytes: full segments of [`SegmentTag::max_plaintext`] bytes and one
/// shorter last one (none for `len == 0`).
///
/// [`BspProtector::protect_segmented`]: super::BspProtector::protect_segmented
pub const fn segmented_len(tag: SegmentTag, len: usize) -> usize {
    let max = tag.max_plaintext();
    let full = len / max;
    let last = len % max;
    let full_len = match protected_len(tag, max) {
        Some(n) => n,
        None => 0,
    };
    let last_len = match (last, protected_len(tag, last)) {
        (0, _) | (_, None) => 0,
        (_, Some(n)) => n,
    };
    full * full_len + last_len
}

/// Splits concatenated segments (as in `sequenceOf86` without the outer tags) into
/// single segments by their headers, without verifying anything; see [`Segments`].
pub fn split_segments(bytes: &[u8]) -> Segments<'_> {
    Segments { rest: bytes, offset: 0 }
}

/// An iterator over concatenated BSP segments ([`split_segments`]). Yields each
/// complete `T L V` segment; a malformed or truncated header or value yields one error
/// (its detail the offset) and ends the iteration.
#[derive(Clone, Debug)]
pub struct Segments<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let item =
            parse_header(self.rest).map_err(|e| Error::new(e.kind, self.offset + e.detail)).and_then(|h| {
                let total = h.header_len + h.value_len;
                if self.rest.len() < total {
                    Err(Error::new(ErrorKind::Truncated, self.offset + self.rest.len()))
                } else {
                    Ok(self.rest.split_at(total))
                }
            });
        match item {
            Ok((segment, rest)) => {
                self.rest = rest;
                self.offset += segment.len();
                Some(Ok(segment))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Whether a ciphertext length is usable: a positive multiple of the block size.
pub(crate) const fn is_block_aligned(len: usize) -> bool {
    len != 0 && len.is_multiple_of(BLOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_limits() {
        assert_eq!(protected_len(SegmentTag::Encrypted87, 3), Some(2 + 16 + 8));
        assert_eq!(protected_len(SegmentTag::ProfileElements86, 1007), Some(1020));
        assert_eq!(protected_len(SegmentTag::ProfileElements86, 1008), None);
        assert_eq!(protected_len(SegmentTag::MacOnly88, 1008), Some(1020));
        assert_eq!(protected_len(SegmentTag::MacOnly88, 48), Some(2 + 48 + 8));
        assert_eq!(protected_len(SegmentTag::MacOnly88, 119), Some(2 + 127));
        assert_eq!(protected_len(SegmentTag::MacOnly88, 120), Some(3 + 128));
        assert_eq!(protected_len(SegmentTag::MacOnly88, 248), Some(4 + 256));
        assert_eq!(segmented_len(SegmentTag::ProfileElements86, 0), 0);
        assert_eq!(segmented_len(SegmentTag::ProfileElements86, 2014), 2040);
        assert_eq!(segmented_len(SegmentTag::ProfileElements86, 2015), 2040 + 2 + 16 + 8);
    }

    #[test]
    fn headers() {
        let mut out = [0u8; 4];
        assert_eq!(write_header(SegmentTag::Encrypted87, 0x18, &mut out), 2);
        assert_eq!(&out[..2], &[0x87, 0x18]);
        assert_eq!(write_header(SegmentTag::MacOnly88, 0x80, &mut out), 3);
        assert_eq!(&out[..3], &[0x88, 0x81, 0x80]);
        assert_eq!(write_header(SegmentTag::ProfileElements86, 0x3F8, &mut out), 4);
        assert_eq!(out, [0x86, 0x82, 0x03, 0xF8]);
        let h = parse_header(&[0x86, 0x82, 0x04, 0x08]).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (SegmentTag::ProfileElements86, 4, 0x408));
        // Non-minimal forms are taken as received.
        let h = parse_header(&[0x88, 0x81, 0x08]).unwrap();
        assert_eq!((h.header_len, h.value_len), (3, 8));
        let kind = |b: &[u8]| parse_header(b).unwrap_err().kind;
        assert_eq!(kind(&[]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x89, 0x08]), ErrorKind::InvalidValue);
        assert_eq!(kind(&[0x87]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x87, 0x81]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x87, 0x82, 0x01]), ErrorKind::Truncated);
        assert_eq!(kind(&[0x87, 0x80]), ErrorKind::InvalidLength);
        assert_eq!(kind(&[0x87, 0x83, 0, 0, 8]), ErrorKind::InvalidLength);
        assert_eq!(kind(&[0x87, 0x07]), ErrorKind::InvalidLength);
    }

    #[test]
    fn splits() {
        let bytes = [0x88, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x87, 0x81, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 9];
        let parts: Vec<_> = split_segments(&bytes).collect::<Result<_>>().unwrap();
        assert_eq!(parts, vec![&bytes[..10], &bytes[10..]]);
        let mut it = split_segments(&bytes[..21]);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next().unwrap().unwrap_err(), Error::new(ErrorKind::Truncated, 21));
        assert!(it.next().is_none());
        let mut it = split_segments(&[0x88, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x42]);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next().unwrap().unwrap_err(), Error::new(ErrorKind::InvalidValue, 10));
    }
}
