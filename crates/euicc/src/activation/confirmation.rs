//! Confirmation code hashing (GSMA SGP.22 §3.1.3, §5.7.5 PrepareDownload `hashCc`).

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// A confirmation code entered by the end user (SGP.22 §3.1.3).
///
/// The value is wiped from memory on drop and never printed by [`Debug`](fmt::Debug).
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

impl ConfirmationCode {
    /// Wraps the code as typed by the user (used verbatim, as UTF-8).
    pub fn new(code: impl Into<String>) -> Self {
        ConfirmationCode(code.into())
    }

    /// `hashCc` for this code and session, see [`hash_confirmation_code`].
    pub fn hash(&self, transaction_id: &[u8]) -> [u8; 32] {
        hash_confirmation_code(&self.0, transaction_id)
    }
}

impl fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfirmationCode(<redacted>)")
    }
}

impl Drop for ConfirmationCode {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `hashCc = SHA-256( SHA-256(confirmation code) ‖ transactionId )` (SGP.22 §3.1.3, carried in
/// PrepareDownload §5.7.5 as `04 20 <hashCc>`).
///
/// The confirmation code is hashed as its UTF-8 bytes; `transaction_id` is the **binary** TransactionID
/// (the value of tag `80` in `smdpSigned2`, not its hex form), as lpac `es10b_prepare_download_r` does.
pub fn hash_confirmation_code(code: &str, transaction_id: &[u8]) -> [u8; 32] {
    let inner = Sha256::digest(code.as_bytes());
    let mut outer = Sha256::new();
    outer.update(inner);
    outer.update(transaction_id);
    outer.finalize().into()
}
