//! CAP files (Java Card Virtual Machine Specification v3.1 chapter 6): the components read from
//! the zip archive, validated, and assembled into the Load File Data Block that LOAD sends
//! (GPC v2.3.1 §11.6.2.3, wrapped in tag `C4`), with the package and applet AIDs and the Load
//! File Data Block hash for INSTALL [for load] (GPC v2.3.1 §11.5.2.3.1).

mod component;
mod error;
mod parse;

pub use component::Component;
pub use error::CapError;

use oxicard_apdu::Aid;
use std::io::{Cursor, Read};

use oxicard_apdu::tlv::{Tag, Writer};
use sha1::Digest;

use crate::{DecodeError, DecodeErrorKind};

/// Most bytes one component may have: a 3-byte header and a `u2` size (JCVM v3.1 §6.1).
pub const MAX_COMPONENT_LEN: usize = 3 + u16::MAX as usize;

/// Tag of the Load File Data Block in the LOAD data: `C4` (GPC v2.3.1 §11.6.2.3).
pub const TAG_LOAD_FILE_DATA_BLOCK: u32 = 0xC4;

/// The hash over the Load File Data Block (GPC v2.3.1 §11.5.2.3.1; SHA-256 on current cards,
/// SHA-1 on older ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1, 20 bytes.
    Sha1,
    /// SHA-256, 32 bytes.
    Sha256,
}

impl HashAlgorithm {
    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}

/// Which optional components go into the Load File Data Block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Include the Descriptor component (pySim does; GlobalPlatformPro does not by default).
    pub descriptor: bool,
    /// Include the Debug component.
    pub debug: bool,
}

impl LoadOptions {
    /// Sets [`descriptor`](Self::descriptor).
    #[must_use]
    pub fn with_descriptor(mut self, descriptor: bool) -> Self {
        self.descriptor = descriptor;
        self
    }

    /// Sets [`debug`](Self::debug).
    #[must_use]
    pub fn with_debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }
}

/// A parsed CAP file: its components and what the host needs to load and install it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapFile {
    components: [Option<Vec<u8>>; 12],
    package_aid: Aid,
    package_version: (u8, u8),
    cap_version: (u8, u8),
    applets: Vec<Aid>,
}

impl CapFile {
    /// Reads a CAP file (a zip archive, JCVM v3.1 §6.2): every `*/javacard/<Component>.cap`
    /// entry of one package; other entries (manifest, class files, XML) are ignored.
    pub fn from_zip(bytes: &[u8]) -> Result<Self, CapError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(CapError::Archive)?;
        let mut found: Vec<(Component, Vec<u8>)> = Vec::new();
        let mut dir: Option<String> = None;
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).map_err(CapError::Archive)?;
            let name = file.name().to_owned();
            if name.to_ascii_lowercase().ends_with(".capx") {
                return Err(CapError::Unsupported("extended CAP format (.capx)"));
            }
            let Some((path, stem)) = name.strip_suffix(".cap").and_then(|n| n.rsplit_once('/')) else {
                continue;
            };
            let Some(component) = Component::from_file_stem(stem) else { continue };
            if !path.ends_with("javacard") {
                continue;
            }
            match &dir {
                Some(d) if d != path => return Err(CapError::Duplicate(component)),
                Some(_) => {}
                None => dir = Some(path.to_owned()),
            }
            if file.size() > MAX_COMPONENT_LEN as u64 {
                return Err(CapError::Malformed {
                    component,
                    error: DecodeError::new(DecodeErrorKind::InvalidLength, MAX_COMPONENT_LEN),
                });
            }
            let mut data = Vec::new();
            (&mut file)
                .take(MAX_COMPONENT_LEN as u64 + 1)
                .read_to_end(&mut data)
                .map_err(|e| CapError::Archive(zip::result::ZipError::Io(e)))?;
            found.push((component, data));
        }
        Self::from_components(found)
    }

    /// Builds a CAP file from its components (each with its tag and size bytes), checking
    /// every component's tag and size, the required components, the Header's magic
    /// `DECAFFED`, and reading the package and applet AIDs.
    pub fn from_components(
        components: impl IntoIterator<Item = (Component, Vec<u8>)>,
    ) -> Result<Self, CapError> {
        let mut table: [Option<Vec<u8>>; 12] = Default::default();
        for (component, bytes) in components {
            parse::check_framing(component, &bytes)
                .map_err(|error| CapError::Malformed { component, error })?;
            let slot = table.get_mut(component.index()).ok_or(CapError::Missing(component))?;
            if slot.replace(bytes).is_some() {
                return Err(CapError::Duplicate(component));
            }
        }
        for component in Component::REQUIRED {
            if table.get(component.index()).is_none_or(Option::is_none) {
                return Err(CapError::Missing(component));
            }
        }
        let get = |c: Component| table.get(c.index()).and_then(Option::as_deref).unwrap_or_default();
        let header = parse::header(get(Component::Header))
            .map_err(|error| CapError::Malformed { component: Component::Header, error })?;
        let applets = match table.get(Component::Applet.index()).and_then(Option::as_deref) {
            Some(bytes) => parse::applets(bytes)
                .map_err(|error| CapError::Malformed { component: Component::Applet, error })?,
            None => Vec::new(),
        };
        Ok(Self {
            package_aid: header.package_aid,
            package_version: header.package_version,
            cap_version: header.cap_version,
            applets,
            components: table,
        })
    }

    /// The raw bytes of `component`, if present.
    pub fn component(&self, component: Component) -> Option<&[u8]> {
        self.components.get(component.index()).and_then(Option::as_deref)
    }

    /// The package AID: the Executable Load File AID for INSTALL [for load].
    pub fn package_aid(&self) -> Aid {
        self.package_aid
    }

    /// The package version `(major, minor)` from the Header.
    pub fn package_version(&self) -> (u8, u8) {
        self.package_version
    }

    /// The CAP format version `(major, minor)` from the Header.
    pub fn cap_version(&self) -> (u8, u8) {
        self.cap_version
    }

    /// The applet AIDs (Executable Module AIDs for INSTALL [for install]), in Applet
    /// component order; empty for a library package.
    pub fn applet_aids(&self) -> &[Aid] {
        &self.applets
    }

    /// The Load File Data Block: the components concatenated in [`Component::LOAD_ORDER`],
    /// Descriptor and Debug only as `options` ask.
    pub fn load_file_data_block(&self, options: LoadOptions) -> Vec<u8> {
        let mut out = Vec::new();
        for component in Component::LOAD_ORDER {
            let wanted = match component {
                Component::Descriptor => options.descriptor,
                Component::Debug => options.debug,
                _ => true,
            };
            if let (true, Some(bytes)) = (wanted, self.component(component)) {
                out.extend_from_slice(bytes);
            }
        }
        out
    }

    /// The Load File Data Block in its `C4` data object: what the LOAD blocks carry, split at
    /// arbitrary points (GPC v2.3.1 §11.6.2.3).
    pub fn load_file(&self, options: LoadOptions) -> Vec<u8> {
        let mut w = Writer::new();
        w.primitive(Tag::from_u32_unchecked(TAG_LOAD_FILE_DATA_BLOCK), &self.load_file_data_block(options));
        w.finish()
    }

    /// The Load File with DAP Blocks: each block's `E2` object, then the `C4` Load File Data
    /// Block (GPC v2.3.1 §11.6.2.3, Table 11-58). With no blocks, [`CapFile::load_file`].
    pub fn load_file_with_dap(&self, options: LoadOptions, dap_blocks: &[crate::dap::DapBlock]) -> Vec<u8> {
        crate::dap::LoadFile::encode(dap_blocks, &self.load_file_data_block(options))
    }

    /// The Load File Data Block hash for INSTALL [for load] (GPC v2.3.1 §11.5.2.3.1).
    pub fn load_file_data_block_hash(&self, algorithm: HashAlgorithm, options: LoadOptions) -> Vec<u8> {
        algorithm.digest(&self.load_file_data_block(options))
    }
}

#[cfg(test)]
mod tests;
