//! OBJECT IDENTIFIER contents (ITU-T X.690 §8.19), as the Card Recognition Data carries them.

use crate::{DecodeError, DecodeErrorKind};

/// The arcs of an OID's contents octets; the first octet gives the first two arcs
/// (X.690 §8.19.4). Lenient about non-minimal `80` leading subidentifier octets, which real
/// cards emit. `base` is the offset of `bytes` in the decoded input.
pub(crate) fn arcs(bytes: &[u8], base: usize) -> Result<Vec<u32>, DecodeError> {
    let mut out = Vec::new();
    let mut value: u32 = 0;
    let mut pending = false;
    for (i, &b) in bytes.iter().enumerate() {
        if value > (u32::MAX >> 7) {
            return Err(DecodeError::new(DecodeErrorKind::InvalidValue, base + i));
        }
        value = (value << 7) | u32::from(b & 0x7F);
        pending = b & 0x80 != 0;
        if !pending {
            if out.is_empty() {
                let first = (value / 40).min(2);
                out.push(first);
                out.push(value - first * 40);
            } else {
                out.push(value);
            }
            value = 0;
        }
    }
    if pending || bytes.is_empty() {
        return Err(DecodeError::new(DecodeErrorKind::Truncated, base + bytes.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gp_rid() {
        // 1.2.840.114283 (GPC v2.3.1 §H.2, the GlobalPlatform OID).
        assert_eq!(arcs(&[0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B], 0).unwrap(), [1, 2, 840, 114_283]);
        assert_eq!(arcs(&[0x2A, 0x86], 3).unwrap_err(), DecodeError::new(DecodeErrorKind::Truncated, 5));
        assert_eq!(arcs(&[], 0).unwrap_err().kind, DecodeErrorKind::Truncated);
    }
}
