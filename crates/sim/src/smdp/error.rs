//! Errors of the test SM-DP+ configuration and server. The ES9+ function failures are
//! `oxicard_euicc::roles::smdp::SmdpError`.

use std::path::PathBuf;
use std::sync::Arc;

use oxicard_euicc::iccid::Iccid;

/// A profile package or server configuration that cannot be used.
///
/// Two errors are equal when they are the same variant with the same values; an I/O error is
/// compared by its message.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The UPP is not a valid SAIP package (SAIP v3.3.1 §8.1, `PE_Definitions-3.3.1`).
    #[error("invalid profile package")]
    Package(#[source] crate::saip::SaipError),
    /// EF.ICCID of the MF PE does not hold the ProfileHeader's ICCID (ETSI TS 102 221 §13.2).
    #[error("the ProfileHeader carries ICCID {header}, EF.ICCID {}", ef_iccid.map_or_else(|| "nothing".to_string(), |i| i.to_string()))]
    EfIccidMismatch {
        /// The ICCID of the ProfileHeader.
        header: Iccid,
        /// The contents of EF.ICCID, if it is filled.
        ef_iccid: Option<Iccid>,
    },
    /// A file could not be read (the I/O error is the source).
    #[error("cannot read the profile package {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: Arc<std::io::Error>,
    },
    /// The ProfileHeader's ICCID is not the metadata's.
    #[error("the ProfileHeader carries ICCID {header}, the metadata {metadata}")]
    IccidMismatch {
        /// The ICCID of the ProfileHeader.
        header: Iccid,
        /// The ICCID of the metadata.
        metadata: Iccid,
    },
}

impl PartialEq for ProfileError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Package(a), Self::Package(b)) => a == b,
            (
                Self::EfIccidMismatch { header, ef_iccid },
                Self::EfIccidMismatch { header: other_header, ef_iccid: other_ef_iccid },
            ) => header == other_header && ef_iccid == other_ef_iccid,
            (Self::Io { path, source }, Self::Io { path: other_path, source: other_source }) => {
                path == other_path && source.to_string() == other_source.to_string()
            }
            (
                Self::IccidMismatch { header, metadata },
                Self::IccidMismatch { header: other_header, metadata: other_metadata },
            ) => header == other_header && metadata == other_metadata,
            _ => false,
        }
    }
}

impl Eq for ProfileError {}

/// Why the HTTP(S) server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding or configuring the socket failed.
    #[error("the server socket could not be set up")]
    Io(#[from] std::io::Error),
    /// The TLS certificate or key was refused (rustls' error, or the key encoder's).
    #[error("the TLS certificate or key was refused")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}
