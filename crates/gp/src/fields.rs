//! [`Fields`]: the one reader of GlobalPlatform data fields — length-prefixed values, BER
//! lengths, AIDs — front to back, every error at its absolute offset in the input. The command
//! data decoders (`command::parse`), the confirmation decoder (`receipt`) and the CAP component
//! decoder (`cap::parse`) use it.

use oxicard_apdu::Aid;

use crate::{DecodeError, DecodeErrorKind};

/// Reads `bytes` from an offset on.
pub(crate) struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    /// A reader of `bytes` from offset `at`.
    pub(crate) fn new(bytes: &'a [u8], at: usize) -> Self {
        Self { bytes, at }
    }

    /// The offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    /// The next byte.
    pub(crate) fn byte(&mut self) -> Result<u8, DecodeError> {
        let [b] = *self.take(1)? else { return Err(DecodeError::new(DecodeErrorKind::Truncated, self.at)) };
        Ok(b)
    }

    /// The next `len` bytes.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let truncated = DecodeError::new(DecodeErrorKind::Truncated, self.bytes.len());
        let (_, rest) = self.bytes.split_at_checked(self.at).ok_or(truncated)?;
        let (value, _) = rest.split_at_checked(len).ok_or(truncated)?;
        self.at += len;
        Ok(value)
    }

    /// A one-byte length and that many bytes.
    pub(crate) fn lv(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.byte()?;
        self.take(usize::from(len))
    }

    /// A length field `00`–`7F` or `81 xx` (BER, GPC v2.3.1 §11.1.6); `81` followed by a value
    /// below `80` (not minimal) is accepted as cards may send it, other forms are not.
    pub(crate) fn ber_length(&mut self) -> Result<usize, DecodeError> {
        let at = self.at;
        match self.byte()? {
            len @ 0..=0x7F => Ok(usize::from(len)),
            0x81 => self.byte().map(usize::from),
            _ => Err(DecodeError::new(DecodeErrorKind::InvalidLength, at)),
        }
    }

    /// An AID with its length byte (5..=16 bytes, ISO/IEC 7816-5).
    pub(crate) fn aid(&mut self) -> Result<Aid, DecodeError> {
        let at = self.at;
        Aid::new(self.lv()?).map_err(|_| DecodeError::new(DecodeErrorKind::InvalidLength, at))
    }

    /// Whether every byte was read.
    pub(crate) fn is_done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// Nothing may follow: [`DecodeErrorKind::TrailingData`] at the first unread byte.
    pub(crate) fn end(&self) -> Result<(), DecodeError> {
        if self.is_done() { Ok(()) } else { Err(DecodeError::new(DecodeErrorKind::TrailingData, self.at)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_their_errors() {
        let data = [0x02, 0xAA, 0xBB, 0x81, 0x05, 0x05, 1, 2, 3, 4, 5, 0x82];
        let mut f = Fields::new(&data, 0);
        assert_eq!(f.lv().unwrap(), [0xAA, 0xBB]);
        assert_eq!(f.ber_length().unwrap(), 5);
        assert_eq!(f.aid().unwrap(), Aid::from_array([1, 2, 3, 4, 5]));
        assert_eq!(f.offset(), 11);
        assert_eq!(f.end(), Err(DecodeError::new(DecodeErrorKind::TrailingData, 11)));
        assert_eq!(f.ber_length(), Err(DecodeError::new(DecodeErrorKind::InvalidLength, 11)));
        assert!(f.is_done());
        assert_eq!(f.byte(), Err(DecodeError::new(DecodeErrorKind::Truncated, 12)));
        let mut short = Fields::new(&[0x04, 1, 2], 0);
        assert_eq!(short.lv(), Err(DecodeError::new(DecodeErrorKind::Truncated, 3)));
        let mut aid = Fields::new(&[0x02, 1, 2], 0);
        assert_eq!(aid.aid(), Err(DecodeError::new(DecodeErrorKind::InvalidLength, 0)));
    }
}
