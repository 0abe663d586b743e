//! Errors of CAP file reading.

use super::Component;
use crate::DecodeError;

/// Why a CAP file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CapError {
    /// The zip archive cannot be read.
    #[error("cannot read the CAP archive")]
    Archive(#[source] zip::result::ZipError),
    /// A required component is absent.
    #[error("CAP file lacks the {0:?} component")]
    Missing(Component),
    /// A component appears twice (several packages, or duplicate entries).
    #[error("CAP file holds the {0:?} component twice")]
    Duplicate(Component),
    /// A component is malformed; the offset is within that component.
    #[error("the {component:?} component is malformed")]
    Malformed {
        /// The component.
        component: Component,
        /// What is wrong, and where in it.
        #[source]
        error: DecodeError,
    },
    /// The CAP file uses a format this crate does not load (the extended `.capx` format).
    #[error("unsupported CAP file: {0}")]
    Unsupported(&'static str),
}
