//! Errors of the test SM-DP+ configuration and server. The ES9+ function failures are
//! `oxicard_euicc::roles::smdp::SmdpError`.

use oxicard_euicc::iccid::Iccid;

/// A profile package or server configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
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
    /// A file could not be read.
    #[error("cannot read the profile package: {0}")]
    Io(String),
    /// The ProfileHeader's ICCID is not the metadata's.
    #[error("the ProfileHeader carries ICCID {header}, the metadata {metadata}")]
    IccidMismatch {
        /// The ICCID of the ProfileHeader.
        header: Iccid,
        /// The ICCID of the metadata.
        metadata: Iccid,
    },
}

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
