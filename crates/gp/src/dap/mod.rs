//! Data Authentication Pattern (DAP) verification (GPC v2.3.1 §9.2.1, Appendix C.3): the Load
//! File Data Block Signature that a security domain with the DAP Verification (or Mandated DAP
//! Verification) privilege checks before the card accepts a load file.
//!
//! - [`DapBlock`]: the `E2` data object `{ 4F security domain AID, C3 signature }` that precedes
//!   the `C4` Load File Data Block in the LOAD data (GPC v2.3.1 §11.6.2.3, Table 11-58), and
//!   [`LoadFile`], a whole Load File split into its DAP Blocks and its Load File Data Block.
//! - [`DapSigner`]: an RSA or ECDSA P-256 private key read from PEM that signs the Load File Data
//!   Block Hash (LFDBH, Appendix C.2) with the [`DapScheme`] GPC v2.3.1 gives for the key
//!   (Appendix C.3, B.3, B.4.3), and [`DapVerifier`], its public key, which checks it (what
//!   the card's security domain does).
//!
//! The signature is over the LFDBH itself — the hash of the Load File Data Block that
//! INSTALL [for load] carries — which each scheme hashes once more (the note of Appendix C.3:
//! the PKCS#1 digest is not the LFDBH). GlobalPlatformPro (`DAPSigner.java`) computes it the same
//! way. The LFDBH is mandatory when a DAP Block is present (§9.2.2, Appendix C.2) and must be at
//! least as strong as the scheme's own hash (Table C-3): see [`DapScheme::accepts_lfdbh`].

mod key;

pub use key::{DapError, DapScheme, DapSigner, DapVerifier};

use oxicard_apdu::Aid;
use oxicard_apdu::tlv::{Mode, Reader, Tag, Writer};

use crate::{DecodeError, DecodeErrorKind};

/// Tag of a DAP Block: `E2` (GPC v2.3.1 Table 11-58).
pub const TAG_DAP_BLOCK: u32 = 0xE2;
/// Tag of the security domain AID in a DAP Block: `4F`.
pub const TAG_SECURITY_DOMAIN_AID: u32 = 0x4F;
/// Tag of the Load File Data Block Signature in a DAP Block: `C3`.
pub const TAG_SIGNATURE: u32 = 0xC3;

const fn tag(value: u32) -> Tag {
    Tag::from_u32_unchecked(value)
}

/// A TLV reader's error as a [`DecodeError`], keeping what the structure lacks: a missing
/// object, another tag, bytes after the end; anything else is malformed BER-TLV.
fn structure(e: oxicard_apdu::Error) -> DecodeError {
    let kind = match e.kind {
        oxicard_apdu::ErrorKind::Missing => DecodeErrorKind::Missing,
        oxicard_apdu::ErrorKind::UnexpectedTag => DecodeErrorKind::UnexpectedTag,
        oxicard_apdu::ErrorKind::TrailingData => DecodeErrorKind::TrailingData,
        _ => DecodeErrorKind::Tlv,
    };
    DecodeError::new(kind, e.offset)
}

/// One DAP Block (GPC v2.3.1 Table 11-58): the security domain that verifies the signature and
/// the Load File Data Block Signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DapBlock {
    /// The AID of the security domain that verifies the signature.
    pub security_domain: Aid,
    /// The Load File Data Block Signature (1 byte or more).
    pub signature: Vec<u8>,
}

impl DapBlock {
    /// A DAP Block for `security_domain` carrying `signature`.
    pub fn new(security_domain: Aid, signature: Vec<u8>) -> Self {
        Self { security_domain, signature }
    }

    /// The `E2` data object: `E2 len { 4F len AID, C3 len signature }`, lengths in BER minimal
    /// form (GPC v2.3.1 §11.6.2.3: one byte up to 127, `81 xx` up to 255, `82 xx xx` above).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.finish()
    }

    fn write(&self, w: &mut Writer) {
        w.constructed(tag(TAG_DAP_BLOCK), |w| {
            w.primitive(tag(TAG_SECURITY_DOMAIN_AID), self.security_domain.as_bytes());
            w.primitive(tag(TAG_SIGNATURE), &self.signature);
        });
    }

    /// Decodes exactly one `E2` data object: a `4F` AID of 5 to 16 bytes, then a non-empty `C3`
    /// signature, nothing else. Lengths may be in any BER definite form.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes, Mode::Lenient);
        let block = Self::read(&mut reader)?;
        reader.finish().map_err(structure)?;
        Ok(block)
    }

    /// Reads the `E2` object at the reader's position.
    fn read(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let block = reader.expect(tag(TAG_DAP_BLOCK)).map_err(structure)?;
        let mut inner = block.children();
        let aid = inner.expect(tag(TAG_SECURITY_DOMAIN_AID)).map_err(structure)?;
        let security_domain = Aid::new(aid.value())
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidLength, aid.offset()))?;
        let signature = inner.expect(tag(TAG_SIGNATURE)).map_err(structure)?;
        if signature.value().is_empty() {
            return Err(DecodeError::new(DecodeErrorKind::InvalidLength, signature.offset()));
        }
        inner.finish().map_err(structure)?;
        Ok(Self { security_domain, signature: signature.value().to_vec() })
    }
}

/// A Load File as LOAD carries it (GPC v2.3.1 §11.6.2.3, Table 11-58): zero or more DAP Blocks,
/// then the `C4` Load File Data Block. The ciphered form (`D3` ICV, `D4` ciphered Load File Data
/// Block, Appendix C.6) is not supported.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoadFile<'a> {
    /// The DAP Blocks, in order.
    pub dap_blocks: Vec<DapBlock>,
    /// The value of `C4`: the Load File Data Block (what the LFDBH is computed over).
    pub data_block: &'a [u8],
}

impl<'a> LoadFile<'a> {
    /// The Load File: each DAP Block's `E2`, then `C4 len data_block`.
    pub fn encode(dap_blocks: &[DapBlock], data_block: &[u8]) -> Vec<u8> {
        let mut w = Writer::new();
        for block in dap_blocks {
            block.write(&mut w);
        }
        w.primitive(tag(crate::cap::TAG_LOAD_FILE_DATA_BLOCK), data_block);
        w.finish()
    }

    /// Splits the reassembled LOAD data: `E2` DAP Blocks (each checked as
    /// [`DapBlock::decode`] does), then exactly one `C4`, nothing after it. A `D4` (ciphered
    /// Load File Data Block) or any other tag is [`DecodeErrorKind::UnexpectedTag`].
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes, Mode::Lenient);
        let mut dap_blocks = Vec::new();
        while let Some(next) = reader.peek().map_err(structure)? {
            if next.tag() != tag(TAG_DAP_BLOCK) {
                break;
            }
            dap_blocks.push(DapBlock::read(&mut reader)?);
        }
        let data_block = reader.expect(tag(crate::cap::TAG_LOAD_FILE_DATA_BLOCK)).map_err(structure)?.value();
        reader.finish().map_err(structure)?;
        Ok(Self { dap_blocks, data_block })
    }

    /// The DAP Block naming `security_domain`, if any (the first one).
    pub fn dap_block_for(&self, security_domain: &[u8]) -> Option<&DapBlock> {
        self.dap_blocks.iter().find(|b| b.security_domain.as_bytes() == security_domain)
    }
}

#[cfg(test)]
mod tests;
