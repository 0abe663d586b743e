//! Application identifiers (ISO/IEC 7816-4 §8.2.1.2), as the handshakes of SCP03 (the
//! pseudo-random card challenge, Amendment D §6.2.2.1) and SCP02 (the pseudo-random card
//! challenge and the implicit ICV, GPC v2.3.1 §E.4.2.3, §E.3.3) take them.

use crate::error::{ErrorKind, Result};

/// The longest AID.
const MAX: usize = 16;

/// An application identifier of 5 to 16 bytes (ISO/IEC 7816-4 §8.2.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Aid {
    bytes: [u8; MAX],
    len: u8,
}

impl Aid {
    /// The AID `aid`; [`ErrorKind::InvalidAid`] unless it has 5 to 16 bytes.
    pub(crate) fn from_slice(aid: &[u8]) -> Result<Self> {
        if !(5..=MAX).contains(&aid.len()) {
            return Err(ErrorKind::InvalidAid.into());
        }
        let mut bytes = [0u8; MAX];
        let (dst, _) = bytes.split_at_mut(aid.len());
        dst.copy_from_slice(aid);
        Ok(Self { bytes, len: aid.len() as u8 })
    }

    /// The AID's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // `len` ≤ 16 by construction; `min` proves it to the slice.
        let (aid, _) = self.bytes.split_at(usize::from(self.len).min(MAX));
        aid
    }
}
