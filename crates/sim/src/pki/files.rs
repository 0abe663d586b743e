//! Identities of the software eUICC read from PEM/DER files (e.g. the GSMA SGP.26 test
//! certificates and keys): the files are read here, with the bounds of [`crate::storage`]; the
//! certificates and keys are parsed and checked by `oxicard_euicc::pki`.

use std::path::{Path, PathBuf};

use oxicard_euicc::pki::{EuiccIdentity, PkiError};

use crate::storage::{FileError, FollowLinks, read_file};

/// The largest certificate, private key or CI file read: 1 MiB. One certificate or key is
/// well under 2 KB even in PEM; the limit leaves room for a CI file listing many
/// certificates, with text around the PEM blocks.
pub const MAX_IDENTITY_FILE_LEN: u64 = 1024 * 1024;

/// Why an identity could not be loaded from its files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityFileError {
    /// A file could not be read: missing, not a regular file, or too large (the message names
    /// it and says which).
    #[error(transparent)]
    File(#[from] FileError),
    /// A certificate or key is unusable (SGP.22 §4.5.2 profiles, chain to a CI).
    #[error(transparent)]
    Pki(#[from] PkiError),
}

/// Reads an identity file: a regular file (a link to one is followed) of at most
/// [`MAX_IDENTITY_FILE_LEN`] bytes; a FIFO or device is refused without being opened.
fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    read_file(path, MAX_IDENTITY_FILE_LEN, FollowLinks::Yes)
}

/// An [`EuiccIdentity`] from files: the software eUICC's identity beside its state file.
pub trait EuiccIdentityFiles: Sized {
    /// From files, as [`EuiccIdentity::from_pem_or_der`]: CERT.EUICC, its private key (PKCS#8
    /// or SEC1), CERT.EUM and the trusted CI certificates (SGP.22 §2.6.2), each PEM or DER and
    /// a regular file of at most [`MAX_IDENTITY_FILE_LEN`] bytes ([`IdentityFileError::File`]
    /// names the file otherwise).
    fn from_files(
        euicc_certificate: &Path,
        euicc_key: &Path,
        eum_certificate: &Path,
        cis: &[PathBuf],
    ) -> Result<Self, IdentityFileError>;
}

impl EuiccIdentityFiles for EuiccIdentity {
    fn from_files(
        euicc_certificate: &Path,
        euicc_key: &Path,
        eum_certificate: &Path,
        cis: &[PathBuf],
    ) -> Result<EuiccIdentity, IdentityFileError> {
        let cis = cis.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[u8]> = cis.iter().map(Vec::as_slice).collect();
        Ok(EuiccIdentity::from_pem_or_der(
            &read(euicc_certificate)?,
            &read(euicc_key)?,
            &read(eum_certificate)?,
            &refs,
        )?)
    }
}
