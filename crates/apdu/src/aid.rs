//! [`Aid`]: an application identifier, 5 to 16 bytes (ISO/IEC 7816-4 §8.2.1.2, ISO/IEC 7816-5
//! §5: a 5-byte registered application provider identifier, RID, and a proprietary extension,
//! PIX, of up to 11 bytes; GPC v2.3.1 Table 11-36 and §11.5.2.3 give every AID of the
//! GlobalPlatform registry a length of `05` to `10`).
//!
//! The value is kept inline (`Copy`, no allocation): an AID can be built in `const` context,
//! passed by value, and compared without a heap.

use core::fmt;
use core::str::FromStr;

use crate::{Error, ErrorKind};

/// An application identifier (ISO/IEC 7816-4 §8.2.1.2, ISO/IEC 7816-5 §5): a 5-byte registered
/// application provider identifier (RID) and a proprietary extension (PIX) of up to 11 bytes;
/// GPC v2.3.1 Table 11-36 gives every AID of the GlobalPlatform registry 5 to 16 bytes. Kept
/// inline: `Copy`, usable in `const` items, no allocation.
///
/// ```
/// use oxicard_apdu::Aid;
///
/// const ISD: Aid = Aid::from_array([0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00]);
/// let parsed: Aid = "a000000151000000".parse()?;
/// assert_eq!(parsed, ISD);
/// assert_eq!(ISD.to_string(), "A000000151000000");
/// assert_eq!(ISD.rid(), [0xA0, 0x00, 0x00, 0x01, 0x51]);
/// assert!(Aid::new(&[0xA0, 0x00, 0x00]).is_err());
/// # Ok::<(), oxicard_apdu::Error>(())
/// ```
// Equality and hashing may look at all 16 bytes: those past the length are always zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aid {
    len: u8,
    bytes: [u8; Aid::MAX_LEN],
}

impl Aid {
    /// The shortest AID: a RID alone.
    pub const MIN_LEN: usize = 5;
    /// The longest AID: a RID and an 11-byte PIX.
    pub const MAX_LEN: usize = 16;

    /// The AID `bytes`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidLength`] when `bytes` is shorter than 5 or longer than 16 bytes; the
    /// offset is the length given.
    pub const fn new(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < Self::MIN_LEN || bytes.len() > Self::MAX_LEN {
            return Err(Error::new(ErrorKind::InvalidLength, bytes.len()));
        }
        let mut out = [0u8; Self::MAX_LEN];
        out.split_at_mut(bytes.len()).0.copy_from_slice(bytes);
        // At most 16: checked above.
        Ok(Self { len: bytes.len() as u8, bytes: out })
    }

    /// The AID of an array whose length is checked when the program is compiled.
    ///
    /// A length outside 5..=16 fails the build where the constant is evaluated (`const`
    /// items), and is an error at run time otherwise: prefer it in `const` items.
    pub const fn from_array<const N: usize>(bytes: [u8; N]) -> Self {
        const { assert!(N >= Aid::MIN_LEN && N <= Aid::MAX_LEN, "an AID has 5 to 16 bytes") };
        let mut out = [0u8; Self::MAX_LEN];
        out.split_at_mut(N).0.copy_from_slice(&bytes);
        // At most 16: asserted above.
        Self { len: N as u8, bytes: out }
    }

    /// The AID's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.split_at(usize::from(self.len)).0
    }

    /// The registered application provider identifier: the first 5 bytes.
    pub const fn rid(&self) -> [u8; 5] {
        let [a, b, c, d, e, ..] = self.bytes;
        [a, b, c, d, e]
    }

    /// The proprietary application identifier extension: the bytes after the RID (may be empty).
    pub fn pix(&self) -> &[u8] {
        self.as_bytes().split_at(Self::MIN_LEN).1
    }

    /// The length in bytes, 5 to 16.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Always `false`: an AID has at least 5 bytes. Present for the `len`/`is_empty` pair.
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Whether this AID starts with `prefix` (partial selection, ISO/IEC 7816-4 §11.1.1).
    pub fn starts_with(&self, prefix: &[u8]) -> bool {
        self.as_bytes().starts_with(prefix)
    }
}

impl PartialOrd for Aid {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Aid {
    /// By bytes, as the byte strings compare (a prefix first).
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl AsRef<[u8]> for Aid {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::ops::Deref for Aid {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl TryFrom<&[u8]> for Aid {
    type Error = Error;

    fn try_from(bytes: &[u8]) -> Result<Self, Error> {
        Self::new(bytes)
    }
}

impl PartialEq<[u8]> for Aid {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl PartialEq<&[u8]> for Aid {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_bytes() == *other
    }
}

impl PartialEq<alloc::vec::Vec<u8>> for Aid {
    fn eq(&self, other: &alloc::vec::Vec<u8>) -> bool {
        self.as_bytes() == other.as_slice()
    }
}

impl PartialEq<Aid> for alloc::vec::Vec<u8> {
    fn eq(&self, other: &Aid) -> bool {
        self.as_slice() == other.as_bytes()
    }
}

impl PartialEq<Aid> for [u8] {
    fn eq(&self, other: &Aid) -> bool {
        self == other.as_bytes()
    }
}

impl fmt::Display for Aid {
    /// Upper-case hexadecimal, no separators (`A000000151000000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.as_bytes() {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Aid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aid({self})")
    }
}

impl FromStr for Aid {
    type Err = Error;

    /// Hexadecimal, either case; spaces and colons between bytes are allowed
    /// (`A0 00 00 01 51`, `a0:00:00:01:51`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] at the offending character for a non-hex digit or an odd
    /// digit count; [`ErrorKind::InvalidLength`] for fewer than 5 or more than 16 bytes.
    fn from_str(text: &str) -> Result<Self, Error> {
        let mut out = [0u8; Self::MAX_LEN];
        let mut len = 0usize;
        let mut high: Option<u8> = None;
        for (offset, c) in text.char_indices() {
            if matches!(c, ' ' | ':') && high.is_none() {
                continue;
            }
            let digit = c.to_digit(16).ok_or(Error::new(ErrorKind::InvalidValue, offset))?;
            // A hex digit is below 16.
            let digit = digit as u8;
            match high.take() {
                None => high = Some(digit),
                Some(h) => {
                    let slot = out.get_mut(len).ok_or(Error::new(ErrorKind::InvalidLength, len + 1))?;
                    *slot = (h << 4) | digit;
                    len += 1;
                }
            }
        }
        if high.is_some() {
            return Err(Error::new(ErrorKind::InvalidValue, text.len()));
        }
        let (bytes, _) = out.split_at(len);
        Self::new(bytes)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn lengths_five_to_sixteen() {
        assert_eq!(Aid::new(&[0xA0; 4]), Err(Error::new(ErrorKind::InvalidLength, 4)));
        assert_eq!(Aid::new(&[0xA0; 17]), Err(Error::new(ErrorKind::InvalidLength, 17)));
        for n in 5u8..=16 {
            let bytes: alloc::vec::Vec<u8> = (0..n).collect();
            let aid = Aid::new(&bytes).unwrap();
            assert_eq!(aid.as_bytes(), bytes.as_slice());
            assert_eq!(aid.len(), usize::from(n));
            assert_eq!(aid.pix(), bytes.split_at(5).1);
            assert_eq!(aid.rid(), [0, 1, 2, 3, 4]);
        }
    }

    #[test]
    fn text_forms() {
        // The ISD-R AID of SGP.22 §2.2.3 and the GP ISD of GPC v2.3.1 §H.1.3.
        let isdr: Aid = "A0000005591010FFFFFFFF8900000100".parse().unwrap();
        assert_eq!(isdr.len(), 16);
        assert_eq!(isdr.to_string(), "A0000005591010FFFFFFFF8900000100");
        let isd: Aid = "a0 00 00 01 51 00 00 00".parse().unwrap();
        assert_eq!(isd, Aid::from_array([0xA0, 0, 0, 0x01, 0x51, 0, 0, 0]));
        assert_eq!("a0:00:00:01:51".parse::<Aid>().unwrap().len(), 5);
        assert_eq!(alloc::format!("{isd:?}"), "Aid(A000000151000000)");
        assert_eq!("A00000015".parse::<Aid>(), Err(Error::new(ErrorKind::InvalidValue, 9)));
        assert_eq!("A0000001ZZ".parse::<Aid>(), Err(Error::new(ErrorKind::InvalidValue, 8)));
        assert_eq!("A000".parse::<Aid>(), Err(Error::new(ErrorKind::InvalidLength, 2)));
        assert_eq!("00".repeat(17).parse::<Aid>(), Err(Error::new(ErrorKind::InvalidLength, 17)));
        assert_eq!("A0 0".parse::<Aid>(), Err(Error::new(ErrorKind::InvalidValue, 4)));
    }

    #[test]
    fn compares_with_byte_slices_and_sorts_as_bytes() {
        let aid = Aid::from_array([1, 2, 3, 4, 5]);
        assert!(aid == [1u8, 2, 3, 4, 5][..]);
        assert!(aid == alloc::vec![1u8, 2, 3, 4, 5] && alloc::vec![1u8, 2, 3, 4, 5] == aid);
        assert!(aid != alloc::vec![1u8, 2, 3, 4, 6] && [1u8, 2, 3, 4, 5][..] == aid);
        assert!(aid.starts_with(&[1, 2]));
        assert_eq!(&*aid, &[1, 2, 3, 4, 5]);
        let longer = Aid::from_array([1, 2, 3, 4, 5, 0]);
        let higher = Aid::from_array([1, 2, 3, 4, 6]);
        assert!(aid < longer && longer < higher, "a prefix sorts first, then by bytes");
    }
}
