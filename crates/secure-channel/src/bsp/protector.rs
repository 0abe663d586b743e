//! The SM-DP+ side of BSP: protects plaintexts into segments (SGP.22 §2.6.4.3–§2.6.4.5).

use zeroize::Zeroize;

use super::engine::Engine;
use super::keys::{BspKeys, REPLACE_SESSION_KEYS_LEN};
use super::segment::{MAC_LEN, SegmentTag, protected_len, segmented_len, write_header};
use crate::crypto::{cbc_encrypt, pad_in_place, padded_len};
use crate::error::{Error, ErrorKind, Result};

/// The SM-DP+ (sending) side of a BSP session: encrypts and MACs plaintexts into
/// segments `T L C MAC` that a [`BspVerifier`](super::BspVerifier) with the same keys
/// accepts in the same order.
///
/// `Debug` shows only the block counter. Keys and chaining value are zeroized on drop.
pub struct BspProtector {
    engine: Engine,
}

impl core::fmt::Debug for BspProtector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BspProtector").field("counter", &self.engine.counter()).finish_non_exhaustive()
    }
}

impl BspProtector {
    /// A protector with the session keys (or PPKs); the block counter starts at 1.
    pub fn new(keys: &BspKeys) -> Result<Self> {
        Ok(Self { engine: Engine::new(keys)? })
    }

    /// The block counter the next segment will use (1 for the first).
    pub fn block_counter(&self) -> u64 {
        self.engine.counter()
    }

    /// Protects one segment into `out`; returns its length ([`protected_len`]).
    ///
    /// Tags `86`/`87`: the plaintext is padded (`80 00…`, always at least one byte,
    /// SGP.22 §2.6.4.3), encrypted with AES-CBC under S-ENC and the ICV of the block
    /// counter, then MACed; `88`: MACed only. The MAC is the first 8 bytes of
    /// AES-CMAC(S-MAC, MCV ‖ T ‖ L ‖ C), whose full value becomes the next MCV; the block
    /// counter advances for every segment.
    ///
    /// [`ErrorKind::DataTooLong`] for more than [`SegmentTag::max_plaintext`] bytes (the
    /// segment would exceed 1020 bytes), [`ErrorKind::BufferTooSmall`] if `out` is too
    /// short, [`ErrorKind::CounterExhausted`] after 2⁶⁴ − 1 segments.
    pub fn protect(&mut self, tag: SegmentTag, plaintext: &[u8], out: &mut [u8]) -> Result<usize> {
        let total = protected_len(tag, plaintext.len()).ok_or(Error::of(ErrorKind::DataTooLong))?;
        let out = out.get_mut(..total).ok_or(Error::buffer_too_small(total))?;
        let body_len = if tag.is_encrypted() { padded_len(plaintext.len()) } else { plaintext.len() };
        let header_len = write_header(tag, body_len + MAC_LEN, out);
        let body_end = header_len + body_len;
        let (signed, mac_out) = out.split_at_mut_checked(body_end).ok_or(Error::buffer_too_small(total))?;
        let body = signed.get_mut(header_len..).ok_or(Error::buffer_too_small(total))?;
        if let Some(dst) = body.get_mut(..plaintext.len()) {
            dst.copy_from_slice(plaintext);
        }
        if tag.is_encrypted() {
            pad_in_place(body, plaintext.len()).ok_or(Error::buffer_too_small(total))?;
            cbc_encrypt(self.engine.enc(), &self.engine.icv(), body);
        }
        let mut full = self.engine.full_mac(signed);
        mac_out.copy_from_slice(&Engine::truncate(&full));
        let done = self.engine.finish(full);
        full.zeroize();
        done.map(|()| total)
    }

    /// Cuts `plaintext` into pieces of [`SegmentTag::max_plaintext`] bytes (the last one
    /// shorter) and protects each in order, writing the segments one after the other into
    /// `out`; returns the total length ([`segmented_len`]). An empty plaintext gives no
    /// segment. Errors as [`BspProtector::protect`]; on [`ErrorKind::BufferTooSmall`]
    /// nothing was protected.
    pub fn protect_segmented(&mut self, tag: SegmentTag, plaintext: &[u8], out: &mut [u8]) -> Result<usize> {
        let needed = segmented_len(tag, plaintext.len());
        if out.len() < needed {
            return Err(Error::buffer_too_small(needed));
        }
        let mut at = 0usize;
        for piece in plaintext.chunks(tag.max_plaintext()) {
            let dst = out.get_mut(at..).ok_or(Error::buffer_too_small(needed))?;
            at += self.protect(tag, piece, dst)?;
        }
        Ok(at)
    }

    /// ReplaceSessionKeys (SGP.22 §2.5.5, §2.6.4.5): protects the `BF26` request carrying
    /// `ppk` in one `87` segment with the current keys into `out`, then switches to
    /// PPK-ENC / PPK-MAC with the PPK initial MAC chaining value and the block counter
    /// back to 1. Returns the segment length (74 bytes for AES-128).
    pub fn replace_session_keys(&mut self, ppk: &BspKeys, out: &mut [u8]) -> Result<usize> {
        let next = Engine::new(ppk)?;
        let mut plain = [0u8; REPLACE_SESSION_KEYS_LEN + 32];
        let protected = ppk
            .write_replace_session_keys(&mut plain)
            .and_then(|n| plain.get(..n).ok_or(Error::buffer_too_small(n)))
            .and_then(|request| self.protect(SegmentTag::Encrypted87, request, out));
        plain.zeroize();
        let n = protected?;
        self.engine = next;
        Ok(n)
    }
}
