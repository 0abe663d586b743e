//! Byte-level reading of the components the host interprets (JCVM v3.1 §6.4 Header, §6.5 Applet).

use super::Component;
use crate::{DecodeError, DecodeErrorKind};
use oxicard_apdu::Aid;

/// The magic number opening the Header component: `DECAFFED` (JCVM v3.1 §6.4).
pub(crate) const MAGIC: [u8; 4] = [0xDE, 0xCA, 0xFF, 0xED];

/// Checks a component's `tag u1, size u2` framing (JCVM v3.1 §6.1).
pub(crate) fn check_framing(component: Component, bytes: &[u8]) -> Result<(), DecodeError> {
    let [tag, hi, lo, rest @ ..] = bytes else {
        return Err(DecodeError::new(DecodeErrorKind::Truncated, bytes.len()));
    };
    if *tag != component.tag() {
        return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag, 0));
    }
    let size = usize::from(u16::from_be_bytes([*hi, *lo]));
    if rest.len() < size {
        return Err(DecodeError::new(DecodeErrorKind::Truncated, bytes.len()));
    }
    if rest.len() > size {
        return Err(DecodeError::new(DecodeErrorKind::TrailingData, 3 + size));
    }
    Ok(())
}

/// Reads bytes in order, erroring with the offset.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let s = self
            .data
            .get(self.at..self.at + n)
            .ok_or(DecodeError::new(DecodeErrorKind::Truncated, self.data.len()))?;
        self.at += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        self.take(1).map(|s| s.first().copied().unwrap_or_default())
    }

    /// An AID with its length byte (5..=16 bytes, ISO/IEC 7816-5).
    fn aid(&mut self) -> Result<Aid, DecodeError> {
        let at = self.at;
        let n = usize::from(self.u8()?);
        Aid::new(self.take(n)?).map_err(|_| DecodeError::new(DecodeErrorKind::InvalidLength, at))
    }
}

/// What the Header component tells.
pub(crate) struct Header {
    pub(crate) cap_version: (u8, u8),
    pub(crate) package_version: (u8, u8),
    pub(crate) package_aid: Aid,
}

/// Reads the Header component (JCVM v3.1 §6.4: magic, minor, major, flags, package info
/// `minor major AID_length AID`).
pub(crate) fn header(bytes: &[u8]) -> Result<Header, DecodeError> {
    let mut b = Bytes { data: bytes, at: 3 };
    if b.take(4)? != MAGIC {
        return Err(DecodeError::new(DecodeErrorKind::InvalidValue, 3));
    }
    let minor = b.u8()?;
    let major = b.u8()?;
    let _flags = b.u8()?;
    let package_minor = b.u8()?;
    let package_major = b.u8()?;
    let package_aid = b.aid()?;
    Ok(Header { cap_version: (major, minor), package_version: (package_major, package_minor), package_aid })
}

/// Reads the applet AIDs of the Applet component (JCVM v3.1 §6.5: count, then per applet
/// `AID_length AID install_method_offset u2`).
pub(crate) fn applets(bytes: &[u8]) -> Result<Vec<Aid>, DecodeError> {
    let mut b = Bytes { data: bytes, at: 3 };
    let count = b.u8()?;
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        out.push(b.aid()?);
        b.take(2)?;
    }
    if b.at != bytes.len() {
        return Err(DecodeError::new(DecodeErrorKind::TrailingData, b.at));
    }
    Ok(out)
}
