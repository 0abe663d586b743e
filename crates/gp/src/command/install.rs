//! INSTALL (GPC v2.3.1 §11.5): [for load], [for install and make selectable],
//! [for personalization].

use oxicard_apdu::Command;

use super::{CommandError, push_lv, short};
use crate::CLA_GP;
use crate::status::Privileges;

/// INS of INSTALL: `E6` (GPC v2.3.1 §11.5.2).
pub const INS_INSTALL: u8 = 0xE6;

/// P1 values of INSTALL (GPC v2.3.1 Table 11-41).
pub mod p1 {
    /// For load.
    pub const FOR_LOAD: u8 = 0x02;
    /// For install.
    pub const FOR_INSTALL: u8 = 0x04;
    /// For make selectable.
    pub const FOR_MAKE_SELECTABLE: u8 = 0x08;
    /// For personalization.
    pub const FOR_PERSONALIZATION: u8 = 0x20;
}

/// Install parameters (GPC v2.3.1 §11.5.2.3.7, Table 11-49): the application specific
/// parameters `C9` (always present, possibly empty) and the system specific parameters `EF`
/// (memory quotas `C8` non-volatile / `C7` volatile, and ETSI TS 102 226 toolkit parameters `CA`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct InstallParameters {
    /// The value of `C9`, handed to the applet's `install` method.
    pub application: Vec<u8>,
    /// Non-volatile memory quota (`C8`, 2 bytes).
    pub non_volatile_memory: Option<u16>,
    /// Volatile memory quota (`C7`, 2 bytes).
    pub volatile_memory: Option<u16>,
    /// UICC toolkit application specific parameters (`CA`, ETSI TS 102 226 §8.2.1.3.2.2.1).
    pub toolkit: Option<Vec<u8>>,
}

impl InstallParameters {
    /// Sets [`application`](Self::application).
    #[must_use]
    pub fn with_application(mut self, application: Vec<u8>) -> Self {
        self.application = application;
        self
    }

    /// Sets [`non_volatile_memory`](Self::non_volatile_memory).
    #[must_use]
    pub fn with_non_volatile_memory(mut self, non_volatile_memory: Option<u16>) -> Self {
        self.non_volatile_memory = non_volatile_memory;
        self
    }

    /// Sets [`volatile_memory`](Self::volatile_memory).
    #[must_use]
    pub fn with_volatile_memory(mut self, volatile_memory: Option<u16>) -> Self {
        self.volatile_memory = volatile_memory;
        self
    }

    /// Sets [`toolkit`](Self::toolkit).
    #[must_use]
    pub fn with_toolkit(mut self, toolkit: Option<Vec<u8>>) -> Self {
        self.toolkit = toolkit;
        self
    }
}

impl InstallParameters {
    /// The encoded parameters field: `C9 len value` and, when any system parameter is set,
    /// `EF len { C8 02 nvm, C7 02 vm, CA len toolkit }`.
    pub fn encode(&self) -> Result<Vec<u8>, CommandError> {
        let mut out = vec![0xC9];
        push_lv(&mut out, "application parameters", &self.application)?;
        let mut system = Vec::new();
        if let Some(nvm) = self.non_volatile_memory {
            system.extend_from_slice(&[0xC8, 0x02]);
            system.extend_from_slice(&nvm.to_be_bytes());
        }
        if let Some(vm) = self.volatile_memory {
            system.extend_from_slice(&[0xC7, 0x02]);
            system.extend_from_slice(&vm.to_be_bytes());
        }
        if let Some(toolkit) = &self.toolkit {
            system.push(0xCA);
            push_lv(&mut system, "toolkit parameters", toolkit)?;
        }
        if !system.is_empty() {
            out.push(0xEF);
            push_lv(&mut out, "system parameters", &system)?;
        }
        Ok(out)
    }
}

/// Load parameters (GPC v2.3.1 §11.5.2.3.7, Table 11-49): the system specific parameters `EF`
/// with the memory the load file needs — non-volatile code `C6`, volatile data `C7`,
/// non-volatile data `C8` (2 bytes each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LoadParameters {
    /// Non-volatile code space (`C6`).
    pub non_volatile_code: Option<u16>,
    /// Volatile data space (`C7`).
    pub volatile_data: Option<u16>,
    /// Non-volatile data space (`C8`).
    pub non_volatile_data: Option<u16>,
}

impl LoadParameters {
    /// Sets [`non_volatile_code`](Self::non_volatile_code).
    #[must_use]
    pub fn with_non_volatile_code(mut self, non_volatile_code: Option<u16>) -> Self {
        self.non_volatile_code = non_volatile_code;
        self
    }

    /// Sets [`volatile_data`](Self::volatile_data).
    #[must_use]
    pub fn with_volatile_data(mut self, volatile_data: Option<u16>) -> Self {
        self.volatile_data = volatile_data;
        self
    }

    /// Sets [`non_volatile_data`](Self::non_volatile_data).
    #[must_use]
    pub fn with_non_volatile_data(mut self, non_volatile_data: Option<u16>) -> Self {
        self.non_volatile_data = non_volatile_data;
        self
    }
}

impl LoadParameters {
    /// The encoded field: empty when nothing is set, else `EF len { C6 02 …, C7 02 …, C8 02 … }`.
    pub fn encode(&self) -> Vec<u8> {
        let mut system = Vec::new();
        for (tag, value) in
            [(0xC6, self.non_volatile_code), (0xC7, self.volatile_data), (0xC8, self.non_volatile_data)]
        {
            if let Some(v) = value {
                system.extend_from_slice(&[tag, 0x02]);
                system.extend_from_slice(&v.to_be_bytes());
            }
        }
        if system.is_empty() {
            return system;
        }
        let mut out = vec![0xEF, system.len() as u8];
        out.extend_from_slice(&system);
        out
    }
}

/// The privileges field: 1 byte when bytes 2 and 3 are zero (accepted by GP 2.1.1 cards),
/// else 3 bytes (GPC v2.3.1 §11.5.2.3.5).
fn privileges_field(privileges: Privileges) -> Vec<u8> {
    match privileges.to_bytes() {
        [a, 0, 0] => vec![a],
        bytes => bytes.to_vec(),
    }
}

/// INSTALL [for load] (`80 E6 02 00`, GPC v2.3.1 §11.5.2.3.1, Table 11-44): load file AID,
/// security domain AID (empty: the ISD), Load File Data Block hash (empty or from
/// [`CapFile::load_file_data_block_hash`](crate::cap::CapFile::load_file_data_block_hash)),
/// load parameters (see [`LoadParameters`]), empty token.
pub fn install_for_load_command(
    load_file_aid: &[u8],
    security_domain_aid: &[u8],
    hash: &[u8],
    load_parameters: &[u8],
) -> Result<Command, CommandError> {
    let mut data = Vec::new();
    push_lv(&mut data, "load file AID", load_file_aid)?;
    push_lv(&mut data, "security domain AID", security_domain_aid)?;
    push_lv(&mut data, "load file data block hash", hash)?;
    push_lv(&mut data, "load parameters", load_parameters)?;
    data.push(0x00); // no token
    Ok(Command::new(CLA_GP, INS_INSTALL, p1::FOR_LOAD, 0x00)
        .with_data(short(data, "INSTALL [for load] data")?)
        .with_ne(256))
}

/// INSTALL [for install and make selectable] (`80 E6 0C 00`, GPC v2.3.1 §11.5.2.3.2,
/// Table 11-45): load file AID, module (applet class) AID, application instance AID,
/// privileges, install parameters, empty token. `make_selectable: false` gives P1 `04`
/// (for install only).
pub fn install_for_install_command(
    load_file_aid: &[u8],
    module_aid: &[u8],
    application_aid: &[u8],
    privileges: Privileges,
    parameters: &InstallParameters,
    make_selectable: bool,
) -> Result<Command, CommandError> {
    let mut data = Vec::new();
    push_lv(&mut data, "load file AID", load_file_aid)?;
    push_lv(&mut data, "module AID", module_aid)?;
    push_lv(&mut data, "application AID", application_aid)?;
    push_lv(&mut data, "privileges", &privileges_field(privileges))?;
    push_lv(&mut data, "install parameters", &parameters.encode()?)?;
    data.push(0x00); // no token
    let p1 = p1::FOR_INSTALL | if make_selectable { p1::FOR_MAKE_SELECTABLE } else { 0 };
    Ok(Command::new(CLA_GP, INS_INSTALL, p1, 0x00)
        .with_data(short(data, "INSTALL [for install] data")?)
        .with_ne(256))
}

/// INSTALL [for personalization] (`80 E6 20 00`, GPC v2.3.1 §11.5.2.3.4, Table 11-47):
/// `00 00 len AID 00 00 00` — the following STORE DATA commands go to `application_aid`.
pub fn install_for_personalization_command(application_aid: &[u8]) -> Result<Command, CommandError> {
    let mut data = vec![0x00, 0x00];
    push_lv(&mut data, "application AID", application_aid)?;
    data.extend_from_slice(&[0x00, 0x00, 0x00]);
    Ok(Command::new(CLA_GP, INS_INSTALL, p1::FOR_PERSONALIZATION, 0x00).with_data(data).with_ne(256))
}
