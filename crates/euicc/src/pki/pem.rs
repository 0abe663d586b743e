//! PEM documents (RFC 7468) holding certificates and private keys.

use super::error::PkiError;

/// The text of `bytes` when they hold a PEM document (RFC 7468: text with a `-----BEGIN` line).
pub(crate) fn as_pem(bytes: &[u8]) -> Option<&str> {
    let text = core::str::from_utf8(bytes).ok()?;
    text.contains("-----BEGIN ").then_some(text)
}

/// The DER of every PEM block (RFC 7468 §2) of `pem` whose label is one of `labels`, in order;
/// other blocks and text between blocks are skipped.
pub(crate) fn pem_blocks(pem: &str, labels: &[&str]) -> Result<Vec<Vec<u8>>, PkiError> {
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN ") {
        let (_, block) = rest.split_at_checked(start).ok_or_else(|| bad_pem("BEGIN line"))?;
        let (label, _) = block
            .strip_prefix("-----BEGIN ")
            .and_then(|line| line.split_once("-----"))
            .ok_or_else(|| bad_pem("BEGIN line"))?;
        let end_line = format!("-----END {label}-----");
        let end = block.find(&end_line).ok_or_else(|| bad_pem("missing END line"))? + end_line.len();
        let (text, after) = block.split_at_checked(end).ok_or_else(|| bad_pem("END line"))?;
        if labels.contains(&label) {
            let (_, der) = der::pem::decode_vec(text.as_bytes()).map_err(PkiError::PemEncoding)?;
            out.push(der);
        }
        rest = after;
    }
    Ok(out)
}

/// A PEM error saying what is wrong.
fn bad_pem(problem: &str) -> PkiError {
    PkiError::Pem(problem.to_string())
}

/// The DER of the first PEM block labelled one of `labels`.
pub(crate) fn pem_block(pem: &str, labels: &[&str]) -> Result<Vec<u8>, PkiError> {
    pem_blocks(pem, labels)?.into_iter().next().ok_or_else(|| PkiError::Pem(format!("no {labels:?} block")))
}
