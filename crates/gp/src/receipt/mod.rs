//! Confirmations and receipts: what LOAD (last block), INSTALL [for install / make selectable]
//! and DELETE [card content] may return when a security domain with the Receipt Generation
//! privilege confirms a (delegated) card content management operation (GPC v2.3.1 §11.1.6,
//! §11.2.3, §11.5.3, §11.6.3, Appendix C.5).
//!
//! The response data field is `length of confirmation || confirmation` (Tables 11-25, 11-54,
//! 11-59); a single `00` says there is none. A confirmation (Table 11-13) is
//! `length of receipt || receipt || confirmation data`, and the confirmation data
//! (Table 11-14) is the confirmation counter, the security domain unique data and, when present,
//! a token identifier and a token data digest, each with a one-byte length.
//!
//! [`Confirmation::verify`] checks the receipt: a signature of the confirmation data followed by
//! the operation's AIDs ([`ReceiptContext`], Tables C-11, C-12, C-15) under the receipt key —
//! AES-CMAC (§B.2.2, 16 bytes) for an AES key, the retail MAC (§B.1.2.2, zero ICV, §B.1.3
//! padding, 8 bytes) for a DES key. GlobalPlatformPro (`ReceiptVerifier.java`) computes the
//! AES receipt the same way. Receipts under an RSA or ECC receipt key (asymmetric receipts of
//! Appendix C.5) are decoded but not verified here.

use core::fmt;

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use cmac::Mac as _;
use zeroize::Zeroizing;

use crate::fields::Fields;
use crate::{DecodeError, DecodeErrorKind};

/// The confirmation data of Table 11-14 (GPC v2.3.1 §11.1.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ConfirmationData {
    /// The confirmation counter of the security domain with the Receipt Generation privilege,
    /// incremented for each receipt (Appendix C.5).
    pub counter: u16,
    /// The security domain unique data: its Provider Identification Number (`42`) and Image
    /// Number (`45`) concatenated without delimiters, as the card gives them.
    pub sd_unique_data: Vec<u8>,
    /// The token identifier, when the token carried one.
    pub token_identifier: Option<Vec<u8>>,
    /// The token data digest, when the security domain's policy adds it (only after a token
    /// identifier, the fields being positional).
    pub token_data_digest: Option<Vec<u8>>,
}

/// A decoded confirmation (GPC v2.3.1 Table 11-13): the receipt and the confirmation data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Confirmation {
    /// The receipt (may be empty: Table 11-13 makes it conditional).
    pub receipt: Vec<u8>,
    /// The confirmation data.
    pub data: ConfirmationData,
}

/// Why a confirmation cannot be encoded or a receipt not be verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// A field exceeds what its length byte(s) can say.
    #[error("{field} is {len} bytes, too long")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
    },
    /// A receipt key of a length the algorithm does not have.
    #[error("a receipt key of {0} bytes: AES keys have 16, 24 or 32 bytes, DES keys 16")]
    KeyLength(usize),
    /// The confirmation carries no receipt to verify.
    #[error("the confirmation carries no receipt")]
    NoReceipt,
    /// The receipt does not match the one computed with the key.
    #[error("the receipt does not verify")]
    Mismatch,
}

/// The operation a receipt confirms, with the AIDs its receipt covers after the confirmation
/// data (GPC v2.3.1 Appendix C.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReceiptContext<'a> {
    /// A Load Receipt (Table C-11): the Executable Load File AID and the security domain AID.
    Load {
        /// The Executable Load File AID.
        load_file: &'a [u8],
        /// The (associated) security domain AID.
        security_domain: &'a [u8],
    },
    /// An Install / Make Selectable Receipt (Table C-12): the Executable Load File AID and the
    /// application (instance) AID.
    Install {
        /// The Executable Load File AID.
        load_file: &'a [u8],
        /// The application (instance) AID.
        application: &'a [u8],
    },
    /// A Delete Receipt (Table C-15): the AID deleted (of the load file alone when its
    /// applications went with it).
    Delete {
        /// The deleted application or Executable Load File AID.
        aid: &'a [u8],
    },
}

impl ReceiptContext<'_> {
    /// The AIDs, each with a one-byte length.
    pub fn encode(&self) -> Result<Vec<u8>, ReceiptError> {
        let mut out = Vec::new();
        let aids: &[(&'static str, &[u8])] = match self {
            Self::Load { load_file, security_domain } => {
                &[("load file AID", load_file), ("security domain AID", security_domain)]
            }
            Self::Install { load_file, application } => {
                &[("load file AID", load_file), ("application AID", application)]
            }
            Self::Delete { aid } => &[("AID", aid)],
        };
        for (field, aid) in aids {
            push_lv(&mut out, field, aid)?;
        }
        Ok(out)
    }
}

fn push_lv(out: &mut Vec<u8>, field: &'static str, bytes: &[u8]) -> Result<(), ReceiptError> {
    let len = u8::try_from(bytes.len()).map_err(|_| ReceiptError::TooLong { field, len: bytes.len() })?;
    out.push(len);
    out.extend_from_slice(bytes);
    Ok(())
}

/// The length field of Tables 11-13 / 11-59: `00`–`7F`, or `81 80`–`81 FF`.
fn push_length(out: &mut Vec<u8>, field: &'static str, len: usize) -> Result<(), ReceiptError> {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => return Err(ReceiptError::TooLong { field, len }),
    }
    Ok(())
}

impl ConfirmationData {
    /// Decodes exactly the confirmation data of Table 11-14: the counter's length must be 2;
    /// a token identifier and then a token data digest may follow.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut c = Fields::new(bytes, 0);
        let data = Self::read(&mut c)?;
        c.end()?;
        Ok(data)
    }

    fn read(c: &mut Fields<'_>) -> Result<Self, DecodeError> {
        let at = c.offset();
        let counter = match c.lv()? {
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return Err(DecodeError::new(DecodeErrorKind::InvalidLength, at)),
        };
        let sd_unique_data = c.lv()?.to_vec();
        let token_identifier = if c.is_done() { None } else { Some(c.lv()?.to_vec()) };
        let token_data_digest = if c.is_done() { None } else { Some(c.lv()?.to_vec()) };
        Ok(Self { counter, sd_unique_data, token_identifier, token_data_digest })
    }

    /// The encoded confirmation data (what a receipt signs first).
    pub fn encode(&self) -> Result<Vec<u8>, ReceiptError> {
        let mut out = vec![0x02];
        out.extend_from_slice(&self.counter.to_be_bytes());
        push_lv(&mut out, "security domain unique data", &self.sd_unique_data)?;
        match (&self.token_identifier, &self.token_data_digest) {
            (None, None) => {}
            (identifier, digest) => {
                push_lv(&mut out, "token identifier", identifier.as_deref().unwrap_or_default())?;
                if let Some(digest) = digest {
                    push_lv(&mut out, "token data digest", digest)?;
                }
            }
        }
        Ok(out)
    }
}

impl Confirmation {
    /// Decodes the response data of LOAD, INSTALL or DELETE (GPC v2.3.1 Tables 11-25, 11-54,
    /// 11-59): `None` for `00` (no confirmation) and for an empty data field (which some cards
    /// send), else the confirmation, which must fill the announced length exactly.
    pub fn from_response(data: &[u8]) -> Result<Option<Self>, DecodeError> {
        if data.is_empty() {
            return Ok(None);
        }
        let mut outer = Fields::new(data, 0);
        let len = outer.ber_length()?;
        if len == 0 {
            return outer.end().map(|()| None);
        }
        let start = outer.offset();
        outer.take(len)?;
        outer.end()?;
        // Parse within the announced length, offsets still relative to `data`.
        let within = data.get(..start + len).ok_or(DecodeError::new(DecodeErrorKind::Truncated, start))?;
        let mut c = Fields::new(within, start);
        let receipt_len = c.ber_length()?;
        let receipt = c.take(receipt_len)?.to_vec();
        let data_at = c.offset();
        if c.is_done() {
            return Err(DecodeError::new(DecodeErrorKind::Missing, data_at));
        }
        let data = ConfirmationData::read(&mut c)?;
        c.end()?;
        Ok(Some(Self { receipt, data }))
    }

    /// The response data field carrying this confirmation:
    /// `length || length of receipt || receipt || confirmation data`.
    pub fn to_response(&self) -> Result<Vec<u8>, ReceiptError> {
        let mut inner = Vec::new();
        push_length(&mut inner, "receipt", self.receipt.len())?;
        inner.extend_from_slice(&self.receipt);
        inner.extend_from_slice(&self.data.encode()?);
        let mut out = Vec::with_capacity(inner.len() + 2);
        push_length(&mut out, "confirmation", inner.len())?;
        out.extend_from_slice(&inner);
        Ok(out)
    }

    /// Checks the receipt against the one `key` computes over the confirmation data and
    /// `context` (GPC v2.3.1 Appendix C.5), comparing in constant time.
    pub fn verify(&self, key: &ReceiptKey, context: &ReceiptContext<'_>) -> Result<(), ReceiptError> {
        if self.receipt.is_empty() {
            return Err(ReceiptError::NoReceipt);
        }
        let expected = key.receipt(&self.data, context)?;
        let same = expected.len() == self.receipt.len()
            && expected.iter().zip(&self.receipt).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if same { Ok(()) } else { Err(ReceiptError::Mismatch) }
    }
}

/// A symmetric receipt generation key (GPC v2.3.1 Appendix C.1.1.2, C.5). Zeroized when
/// dropped; prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptKey {
    kind: ReceiptAlgorithm,
    key: Zeroizing<Vec<u8>>,
}

/// The algorithm of a [`ReceiptKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReceiptAlgorithm {
    /// AES-CMAC (GPC v2.3.1 §B.2.2).
    Aes,
    /// The retail MAC (GPC v2.3.1 §B.1.2.2).
    Des,
}

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiptKey")
            .field("kind", &self.kind)
            .field("key", &format_args!("[redacted]"))
            .finish()
    }
}

impl ReceiptKey {
    /// An AES receipt key (16, 24 or 32 bytes): receipts are AES-CMAC, 16 bytes (§B.2.2).
    pub fn aes(key: &[u8]) -> Result<Self, ReceiptError> {
        match key.len() {
            16 | 24 | 32 => Ok(Self { kind: ReceiptAlgorithm::Aes, key: Zeroizing::new(key.to_vec()) }),
            n => Err(ReceiptError::KeyLength(n)),
        }
    }

    /// A two-key triple DES receipt key (16 bytes): receipts are the retail MAC, 8 bytes
    /// (§B.1.2.2, zero ICV, §B.1.3 padding).
    pub fn des(key: &[u8]) -> Result<Self, ReceiptError> {
        match key.len() {
            16 => Ok(Self { kind: ReceiptAlgorithm::Des, key: Zeroizing::new(key.to_vec()) }),
            n => Err(ReceiptError::KeyLength(n)),
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> ReceiptAlgorithm {
        self.kind
    }

    /// The key's bytes (for a card that keeps it, e.g. a simulator's state file).
    pub fn as_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The receipt of `data` for `context`: the signature of Appendix C.5 over the encoded
    /// confirmation data followed by [`ReceiptContext::encode`].
    pub fn receipt(
        &self,
        data: &ConfirmationData,
        context: &ReceiptContext<'_>,
    ) -> Result<Vec<u8>, ReceiptError> {
        let mut input = data.encode()?;
        input.extend_from_slice(&context.encode()?);
        Ok(self.mac(&input))
    }

    /// The MAC of `input` under this key.
    pub fn mac(&self, input: &[u8]) -> Vec<u8> {
        let key = self.key.as_slice();
        match self.kind {
            ReceiptAlgorithm::Aes => match key.len() {
                16 => cmac::<aes::Aes128>(key, input),
                24 => cmac::<aes::Aes192>(key, input),
                _ => cmac::<aes::Aes256>(key, input),
            },
            ReceiptAlgorithm::Des => retail_mac(key, input),
        }
    }
}

fn cmac<C>(key: &[u8], input: &[u8]) -> Vec<u8>
where
    C: cmac::block_api::CmacCipher + KeyInit,
{
    match <cmac::Cmac<C> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        // The key length was checked when the key was made.
        Err(_) => Vec::new(),
    }
}

/// The retail MAC (GPC v2.3.1 §B.1.2.2, ISO/IEC 9797-1 MAC algorithm 3) of `input` padded as
/// §B.1.3 says, with a zero ICV: single DES under K1 on every block but the last, two-key
/// triple DES on the last.
fn retail_mac(key: &[u8], input: &[u8]) -> Vec<u8> {
    let (Some(k1), Ok(tdes)) = (key.get(..8), des::TdesEde2::new_from_slice(key)) else { return Vec::new() };
    let Ok(single) = des::Des::new_from_slice(k1) else { return Vec::new() };
    let mut padded = Zeroizing::new(input.to_vec());
    padded.push(0x80);
    while !padded.len().is_multiple_of(8) {
        padded.push(0x00);
    }
    let mut state = des::cipher::Block::<des::Des>::default();
    let count = padded.len() / 8;
    for (i, chunk) in padded.chunks(8).enumerate() {
        for (s, b) in state.iter_mut().zip(chunk) {
            *s ^= b;
        }
        if i + 1 == count {
            tdes.encrypt_block(&mut state);
        } else {
            single.encrypt_block(&mut state);
        }
    }
    state.to_vec()
}

#[cfg(test)]
mod tests;
