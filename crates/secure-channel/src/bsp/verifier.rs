//! The eUICC side of BSP: verifies and decrypts segments (SGP.22 §2.6.4.3–§2.6.4.5).

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::engine::Engine;
use super::keys::BspKeys;
use super::segment::{MAC_LEN, MAX_ACCEPTED_SEGMENT_LEN, SegmentTag, is_block_aligned, parse_header};
use crate::crypto::{BLOCK, Block, cbc_decrypt, unpad};
use crate::error::{Error, ErrorKind, Result};

/// What one verified segment gave: its tag and the plaintext length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The segment's tag.
    pub tag: SegmentTag,
    /// The plaintext length (at the start of the output buffer).
    pub len: usize,
}

/// The eUICC (receiving) side of a BSP session: verifies the MAC of each segment in
/// order, chaining it, and decrypts the encrypted ones.
///
/// Fail closed: any failure except [`ErrorKind::BufferTooSmall`] terminates the
/// verifier (keys and chaining value wiped); every later call returns
/// [`ErrorKind::Terminated`]. No plaintext is released from a segment that failed.
/// `Debug` shows only the block counter and whether the verifier is terminated.
pub struct BspVerifier {
    engine: Option<Engine>,
}

impl core::fmt::Debug for BspVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BspVerifier")
            .field("counter", &self.engine.as_ref().map(Engine::counter))
            .field("terminated", &self.is_terminated())
            .finish_non_exhaustive()
    }
}

impl BspVerifier {
    /// A verifier with the session keys (or PPKs); the block counter starts at 1.
    pub fn new(keys: &BspKeys) -> Result<Self> {
        Ok(Self { engine: Some(Engine::new(keys)?) })
    }

    /// Whether the verifier is terminated.
    pub fn is_terminated(&self) -> bool {
        self.engine.is_none()
    }

    /// The block counter the next segment must use, `None` once terminated.
    pub fn block_counter(&self) -> Option<u64> {
        self.engine.as_ref().map(Engine::counter)
    }

    /// Ends the session: wipes keys and chaining value.
    pub fn terminate(&mut self) {
        self.engine = None;
    }

    /// Verifies one segment `T L C MAC` (exactly one TLV, at most
    /// [`MAX_ACCEPTED_SEGMENT_LEN`] bytes) and writes its plaintext to `out`, which must
    /// hold `len(C)` bytes (the padding is removed after decryption).
    ///
    /// The MAC is checked first, in constant time, over `MCV ‖ T ‖ L ‖ C` with the header
    /// bytes as received; its full value becomes the next MCV. Tags `86`/`87` are then
    /// decrypted (AES-CBC, ICV of the block counter) and must end in `80 00…` padding of
    /// 1 to 16 bytes; `88` is copied. The block counter advances for every segment.
    ///
    /// Errors, all but the first terminating: [`ErrorKind::BufferTooSmall`] (checked
    /// after the structure, before the MAC; the detail is the size needed),
    /// [`ErrorKind::Truncated`],
    /// [`ErrorKind::InvalidLength`] (length field disagrees with the segment, or a
    /// ciphertext that is not a positive multiple of 16 bytes), [`ErrorKind::DataTooLong`]
    /// (above 1036 bytes), [`ErrorKind::InvalidValue`] (tag other than `86`/`87`/`88`),
    /// [`ErrorKind::MacMismatch`], [`ErrorKind::InvalidPadding`],
    /// [`ErrorKind::CounterExhausted`], [`ErrorKind::Terminated`].
    pub fn verify(&mut self, segment: &[u8], out: &mut [u8]) -> Result<Verified> {
        let engine = self.engine.as_mut().ok_or(Error::of(ErrorKind::Terminated))?;
        let (tag, header_len, body_end) = match check(segment) {
            Ok(found) => found,
            Err(e) => return Err(self.fail(e)),
        };
        let Some(body) = segment.get(header_len..body_end) else {
            return Err(self.fail(ErrorKind::InvalidLength.into()));
        };
        let Some(dst) = out.get_mut(..body.len()) else {
            return Err(Error::buffer_too_small(body.len()));
        };
        let result = authenticate(engine, segment, body_end).and_then(|full| {
            dst.copy_from_slice(body);
            open(engine, tag, dst, full)
        });
        match result {
            Ok(len) => Ok(Verified { tag, len }),
            Err(e) => {
                dst.zeroize();
                Err(self.fail(e))
            }
        }
    }

    /// [`BspVerifier::verify`] in place: decrypts the ciphertext inside `segment` and
    /// returns the tag and the plaintext, a part of `segment`. Same checks and errors
    /// (no [`ErrorKind::BufferTooSmall`]); on a MAC, padding or counter failure the value
    /// bytes of `segment` (after the header) are wiped.
    pub fn verify_in_place<'a>(&mut self, segment: &'a mut [u8]) -> Result<(SegmentTag, &'a [u8])> {
        let engine = self.engine.as_mut().ok_or(Error::of(ErrorKind::Terminated))?;
        let (tag, header_len, body_end) = match check(segment) {
            Ok(found) => found,
            Err(e) => return Err(self.fail(e)),
        };
        let result = authenticate(engine, segment, body_end).and_then(|full| {
            let body = segment.get_mut(header_len..body_end).ok_or(ErrorKind::InvalidLength)?;
            open(engine, tag, body, full)
        });
        // The plaintext's end, inside the segment (one error path, which wipes the value).
        let end = result.and_then(|len| {
            Some(header_len.saturating_add(len))
                .filter(|&end| end <= segment.len())
                .ok_or_else(|| ErrorKind::InvalidLength.into())
        });
        let end = match end {
            Ok(end) => end,
            Err(e) => {
                if let Some(value) = segment.get_mut(header_len..) {
                    value.zeroize();
                }
                return Err(self.fail(e));
            }
        };
        let segment: &'a [u8] = segment;
        let value = segment.get(header_len..end).ok_or(Error::of(ErrorKind::InvalidLength))?;
        Ok((tag, value))
    }

    /// Verifies a ReplaceSessionKeys segment (SGP.22 §2.5.5): an `87` segment whose
    /// plaintext is the `BF26` request ([`BspKeys::from_replace_session_keys`]), then
    /// switches to its PPKs with their initial MAC chaining value and the block counter
    /// back to 1. Returns nothing secret. A segment of another tag or an unreadable
    /// request ([`ErrorKind::InvalidValue`]) terminates the verifier, like every
    /// verification failure.
    pub fn verify_replace_session_keys(&mut self, segment: &[u8]) -> Result<()> {
        // BF26 with three 32-byte values (AES-256) is 107 bytes: 112 padded.
        let mut plain = [0u8; 128];
        let result = self.verify(segment, &mut plain).and_then(|v| {
            if v.tag != SegmentTag::Encrypted87 {
                return Err(ErrorKind::InvalidValue.into());
            }
            let request = plain.get(..v.len).ok_or(ErrorKind::InvalidLength)?;
            let keys = BspKeys::from_replace_session_keys(request)?;
            Engine::new(&keys)
        });
        plain.zeroize();
        match result {
            Ok(engine) => {
                self.engine = Some(engine);
                Ok(())
            }
            Err(e) if e.kind == ErrorKind::BufferTooSmall => {
                Err(self.fail(Error::of(ErrorKind::DataTooLong)))
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Switches to other keys (for example PPKs delivered out of band): new MCV, block
    /// counter 1. [`ErrorKind::Terminated`] once terminated: a terminated verifier stays
    /// so.
    pub fn replace_session_keys(&mut self, keys: &BspKeys) -> Result<()> {
        if self.engine.is_none() {
            return Err(ErrorKind::Terminated.into());
        }
        let engine = Engine::new(keys)?;
        self.engine = Some(engine);
        Ok(())
    }

    /// Terminates unless the error is [`ErrorKind::BufferTooSmall`]; returns it.
    fn fail(&mut self, error: Error) -> Error {
        if error.kind != ErrorKind::BufferTooSmall {
            self.terminate();
        }
        error
    }
}

/// The structural checks of a received segment: header, exact length, size limit, block
/// alignment of encrypted values. Returns the tag, the header length and the end of `C`
/// (where the MAC starts).
fn check(segment: &[u8]) -> Result<(SegmentTag, usize, usize)> {
    if segment.len() > MAX_ACCEPTED_SEGMENT_LEN {
        return Err(Error::new(ErrorKind::DataTooLong, MAX_ACCEPTED_SEGMENT_LEN));
    }
    let header = parse_header(segment)?;
    let total = header.header_len + header.value_len;
    if segment.len() < total {
        return Err(Error::new(ErrorKind::Truncated, segment.len()));
    }
    if segment.len() > total {
        return Err(Error::new(ErrorKind::InvalidLength, 1));
    }
    // parse_header guarantees value_len >= MAC_LEN.
    let body_len = header.value_len.saturating_sub(MAC_LEN);
    if header.tag.is_encrypted() && !is_block_aligned(body_len) {
        return Err(Error::new(ErrorKind::InvalidLength, 1));
    }
    Ok((header.tag, header.header_len, header.header_len + body_len))
}

/// Checks the MAC in constant time: `segment[..body_end]` is `T L C`, the rest the
/// received MAC. Returns the full CMAC, the next chaining value.
fn authenticate(engine: &Engine, segment: &[u8], body_end: usize) -> Result<Block> {
    let (signed, received) = segment.split_at_checked(body_end).ok_or(ErrorKind::Truncated)?;
    let mut full = engine.full_mac(signed);
    if bool::from(Engine::truncate(&full).ct_eq(received)) {
        Ok(full)
    } else {
        full.zeroize();
        Err(ErrorKind::MacMismatch.into())
    }
}

/// After the MAC verified: decrypts `body` in place for encrypted tags and strips the
/// padding (1 to 16 bytes, `80 00…`), then chains the MAC and advances the counter;
/// returns the plaintext length. For `88` the body is the plaintext.
fn open(engine: &mut Engine, tag: SegmentTag, body: &mut [u8], mut full_mac: Block) -> Result<usize> {
    let len = if tag.is_encrypted() {
        let mut icv = engine.icv();
        cbc_decrypt(engine.enc(), &icv, body);
        icv.zeroize();
        match unpad(body) {
            Some(len) if body.len() - len <= BLOCK => Ok(len),
            _ => Err(Error::of(ErrorKind::InvalidPadding)),
        }
    } else {
        Ok(body.len())
    };
    let result = len.and_then(|len| engine.finish(full_mac).map(|()| len));
    full_mac.zeroize();
    result
}
