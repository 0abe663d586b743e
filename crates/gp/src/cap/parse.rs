//! Byte-level reading of the components the host interprets (JCVM v3.1 §6.4 Header, §6.5 Applet).

use super::Component;
use crate::fields::Fields;
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

/// What the Header component tells.
pub(crate) struct Header {
    pub(crate) cap_version: (u8, u8),
    pub(crate) package_version: (u8, u8),
    pub(crate) package_aid: Aid,
}

/// Reads the Header component (JCVM v3.1 §6.4: magic, minor, major, flags, package info
/// `minor major AID_length AID`).
pub(crate) fn header(bytes: &[u8]) -> Result<Header, DecodeError> {
    let mut b = Fields::new(bytes, 3);
    if b.take(4)? != MAGIC {
        return Err(DecodeError::new(DecodeErrorKind::InvalidValue, 3));
    }
    let minor = b.byte()?;
    let major = b.byte()?;
    let _flags = b.byte()?;
    let package_minor = b.byte()?;
    let package_major = b.byte()?;
    let package_aid = b.aid()?;
    Ok(Header { cap_version: (major, minor), package_version: (package_major, package_minor), package_aid })
}

/// Reads the applet AIDs of the Applet component (JCVM v3.1 §6.5: count, then per applet
/// `AID_length AID install_method_offset u2`).
pub(crate) fn applets(bytes: &[u8]) -> Result<Vec<Aid>, DecodeError> {
    let mut b = Fields::new(bytes, 3);
    let count = b.byte()?;
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        out.push(b.aid()?);
        b.take(2)?;
    }
    b.end()?;
    Ok(out)
}
