//! BSP key derivation (SGP.22 §2.6.4.2): the ANSI X9.63 key derivation function with
//! SHA-256 (BSI TR-03111 §4.3.3) over the ECKA shared secret and the shared info.

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::error::{ErrorKind, Result};

/// The key type of the InitialiseSecureChannel CRT for AES (`A6 { 80 01 88 }`,
/// SGP.22 §5.5.2 / GP Card Spec v2.3.1 Table B-1), the first byte of the shared info.
pub const KEY_TYPE_AES: u8 = 0x88;

/// The key length of the InitialiseSecureChannel CRT: 16 bytes, AES-128 (`81 01 10`,
/// SGP.22 §5.5.2), the second byte of the shared info.
pub const KEY_LEN_AES128: u8 = 0x10;

/// The longest host identifier of the CRT (`84`, `OCTET STRING (SIZE(1..16))`, SGP.22
/// §5.5.2 `ControlRefTemplate`).
pub const MAX_HOST_ID_LEN: usize = 16;

/// The EID length: 16 bytes (32 decimal digits, SGP.29), as in the `5A` data object.
const EID_LEN: usize = 16;

/// The shared info of the BSP key derivation (SGP.22 v3.0 §2.6.4.2):
///
/// ```text
/// keyType (1) ‖ keyLen (1) ‖ len(hostId) (1) ‖ hostId ‖ len(EID) (1) ‖ EID (16)
/// 88 10 08 8080808080808080 10 89049032123451234512345678901235
/// ```
///
/// The EID is part of it: the pySim vectors `BSP_Test_mode51`, captured from a
/// third-party SM-DP+, only reproduce with it (without it S-ENC would be `dac75f71…`
/// instead of `472f5bfa…`; `tests/vectors/bsp_pysim.txt`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SharedInfo {
    bytes: [u8; 4 + MAX_HOST_ID_LEN + EID_LEN],
    len: u8,
}

impl SharedInfo {
    /// The shared info for AES-128 ([`KEY_TYPE_AES`], [`KEY_LEN_AES128`]) with the host
    /// identifier of the CRT (1 to 16 bytes) and the 16-byte EID.
    /// [`ErrorKind::InvalidLength`] otherwise.
    pub fn new(host_id: &[u8], eid: &[u8]) -> Result<Self> {
        if host_id.is_empty() || host_id.len() > MAX_HOST_ID_LEN || eid.len() != EID_LEN {
            return Err(ErrorKind::InvalidLength.into());
        }
        let mut bytes = [0u8; 4 + MAX_HOST_ID_LEN + EID_LEN];
        let mut at = 0usize;
        // Both lengths are at most 16: one byte each (BER short form).
        for part in [&[KEY_TYPE_AES, KEY_LEN_AES128, host_id.len() as u8][..], host_id, &[EID_LEN as u8], eid]
        {
            let dst = bytes.get_mut(at..at + part.len()).ok_or(ErrorKind::InvalidLength)?;
            dst.copy_from_slice(part);
            at += part.len();
        }
        Ok(Self { bytes, len: at as u8 })
    }

    /// The encoded shared info.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl core::fmt::Debug for SharedInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Not secret (host ID and EID travel in clear), shown as hex.
        f.write_str("SharedInfo(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// The ANSI X9.63 KDF with SHA-256 (BSI TR-03111 §4.3.3, SEC 1 v2 §3.6.1): fills `out`
/// with `SHA-256(Z ‖ 00000001 ‖ SharedInfo) ‖ SHA-256(Z ‖ 00000002 ‖ SharedInfo) ‖ …`,
/// truncated. The shared info is given in parts (concatenated). Nothing allocates.
/// [`ErrorKind::InvalidLength`] if `z` is empty or `out` needs more than 2³² − 1 hashes.
pub fn x963_kdf_sha256(z: &[u8], shared_info: &[&[u8]], out: &mut [u8]) -> Result<()> {
    if z.is_empty() || u32::try_from(out.len() / 32).is_err() {
        return Err(ErrorKind::InvalidLength.into());
    }
    for (counter, chunk) in (1u32..).zip(out.chunks_mut(32)) {
        let mut hash = Sha256::new();
        hash.update(z);
        hash.update(counter.to_be_bytes());
        for part in shared_info {
            hash.update(part);
        }
        let mut block: [u8; 32] = hash.finalize().into();
        if let Some(src) = block.get(..chunk.len()) {
            chunk.copy_from_slice(src);
        }
        block.zeroize();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // SEC 1 / X9.63 layout: the counter is 4 bytes big-endian from 1, after Z. Checked on
    // pySim's mode51 vector (tests/unittests/test_esim_bsp.py BSP_Test_mode51.test_kdf):
    // the first 16 bytes are the initial MCV 406d507b….
    #[test]
    fn worked_example_shared_info_and_first_block() {
        let host_id = [0x80u8; 8];
        let eid = hex::decode("89049032123451234512345678901235").unwrap();
        let info = SharedInfo::new(&host_id, &eid).unwrap();
        assert_eq!(hex::encode(info.as_bytes()), "88100880808080808080801089049032123451234512345678901235");
        let z = hex::decode("c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe").unwrap();
        let mut out = [0u8; 16];
        x963_kdf_sha256(&z, &[info.as_bytes()], &mut out).unwrap();
        assert_eq!(hex::encode(out), "406d507b448a699e7a36a38494debbde");
        assert_eq!(
            format!("{info:?}"),
            "SharedInfo(88100880808080808080801089049032123451234512345678901235)"
        );
    }

    #[test]
    fn lengths_are_checked() {
        let eid = [0x89u8; 16];
        assert!(SharedInfo::new(&[], &eid).is_err());
        assert!(SharedInfo::new(&[1; 17], &eid).is_err());
        assert!(SharedInfo::new(&[1; 16], &eid[..15]).is_err());
        assert_eq!(SharedInfo::new(&[1; 16], &eid).unwrap().as_bytes().len(), 36);
        assert_eq!(x963_kdf_sha256(&[], &[], &mut [0; 16]).unwrap_err().kind, ErrorKind::InvalidLength);
        x963_kdf_sha256(&[1], &[], &mut []).unwrap();
    }

    // Splitting the shared info into parts does not change the output; longer outputs
    // extend shorter ones (counter mode).
    #[test]
    fn parts_and_prefixes() {
        let z = [7u8; 32];
        let mut whole = [0u8; 100];
        x963_kdf_sha256(&z, &[b"abcdef"], &mut whole).unwrap();
        let mut split = [0u8; 100];
        x963_kdf_sha256(&z, &[b"ab", b"", b"cdef"], &mut split).unwrap();
        assert_eq!(whole, split);
        let mut short = [0u8; 33];
        x963_kdf_sha256(&z, &[b"abcdef"], &mut short).unwrap();
        assert_eq!(&whole[..33], &short);
    }
}
