//! A [`GpCard`] kept in a JSON file across processes: what a real card keeps in its non-volatile
//! memory — the ISD AID and "i", the key sets, the sequence counter, the card life cycle state,
//! the registry (load files and applications), the DAP verification key and the receipt key
//! with its confirmation counter when the card has them — written atomically after every command that
//! changed it, before the response leaves (the software eUICC's rule, see
//! [`SoftEuicc`](crate::euicc::SoftEuicc)). Sessions, a LOAD in progress and open logical
//! channels are volatile, as on a card: a new process starts from a reset.
//!
//! The file holds the static keys in hex: the simulator is a test card, but the file is still
//! written owner-only (`0600`) on Unix.

use core::fmt;
use std::path::Path;
use std::sync::Arc;

use oxicard_gp::status::Privileges;
use oxicard_secure_channel::scp03::{IParameter, StaticKeys};
use serde::{Deserialize, Serialize};

use super::{Application, GpCard, LoadFile};
use crate::storage::{DEFAULT_LOCK_WAIT, MAX_STATE_LEN, StateError, StateLock, read_state, write_atomically};

/// The `format` value of the file.
pub const GP_STATE_FORMAT: &str = "oxicard-gp-card/1";

/// Why a GP card state document does not load: the field and what is wrong with it, and the
/// decoder's error (JSON, hex, key) as the [`source`](std::error::Error::source) when one refused
/// the document or the field.
///
/// Two errors are equal when their problems are and their sources have the same message.
#[derive(Clone, Debug)]
pub struct GpStateFormatError {
    problem: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl GpStateFormatError {
    /// `problem` (`isdAid: an AID has 5 to 16 bytes`).
    fn new(problem: impl Into<String>) -> Self {
        Self { problem: problem.into(), source: None }
    }

    /// The field `problem` names (`i`, `keySets[kvn 30]`) refused by a decoder with `source`.
    fn because(problem: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { problem: problem.into(), source: Some(Arc::new(source)) }
    }

    /// The field and what is wrong with it, or where a decoder refused the document.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// The [`StateError::Format`] of the file `path` holding this document.
    fn into_state_error(self, path: &Path) -> StateError {
        match self.source {
            Some(source) => StateError::format_because(path, self.problem, source),
            None => StateError::format(path, self.problem),
        }
    }
}

impl fmt::Display for GpStateFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for GpStateFormatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl PartialEq for GpStateFormatError {
    fn eq(&self, other: &Self) -> bool {
        self.problem == other.problem
            && self.source.as_ref().map(ToString::to_string) == other.source.as_ref().map(ToString::to_string)
    }
}

impl Eq for GpStateFormatError {}

/// Where a file-backed card writes (under its lock, held for the card's life) and what it last
/// wrote.
#[derive(Debug)]
pub(super) struct Storage {
    lock: StateLock,
    saved: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct File {
    format: String,
    isd_aid: String,
    i: String,
    /// SCP02's "i" when the card speaks SCP02 (`with_scp02`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scp02_i: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdd: Option<String>,
    rng: u64,
    key_sets: Vec<KeySetFile>,
    sequence_counter: u32,
    card_life_cycle: u8,
    load_files: Vec<LoadFileFile>,
    applications: Vec<ApplicationFile>,
    /// The ISD's DAP verification key (`dap.rs`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dap_key: Option<super::dap::DapKeyFile>,
    /// The ISD's receipt key and confirmation counter (`dap.rs`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receipt_key: Option<super::dap::ReceiptKeyFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KeySetFile {
    kvn: u8,
    enc: String,
    mac: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dek: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LoadFileFile {
    aid: String,
    modules: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<[u8; 2]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ApplicationFile {
    aid: String,
    load_file: String,
    module: String,
    privileges: String,
    life_cycle: u8,
}

fn hex_of(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

impl File {
    fn of(card: &GpCard) -> File {
        let (dap_key, receipt_key) = card.content.to_file();
        File {
            format: GP_STATE_FORMAT.into(),
            isd_aid: hex_of(&card.isd_aid),
            i: format!("{:02X}", card.i.byte()),
            scp02_i: card.scp02.map(|i| format!("{:02X}", i.byte())),
            kdd: (card.kdd != [0; 10]).then(|| hex_of(&card.kdd)),
            rng: card.rng,
            key_sets: card
                .key_sets
                .values()
                .map(|k| KeySetFile {
                    kvn: k.kvn(),
                    enc: hex_of(k.enc().as_bytes()),
                    mac: hex_of(k.mac().as_bytes()),
                    dek: k.dek().map(|d| hex_of(d.as_bytes())),
                })
                .collect(),
            sequence_counter: card.sequence_counter,
            card_life_cycle: card.card_life_cycle,
            load_files: card
                .load_files
                .iter()
                .map(|l| LoadFileFile {
                    aid: hex_of(&l.aid),
                    modules: l.modules.iter().map(|m| hex_of(m)).collect(),
                    version: l.version,
                })
                .collect(),
            applications: card
                .applications
                .iter()
                .map(|a| ApplicationFile {
                    aid: hex_of(&a.aid),
                    load_file: hex_of(&a.load_file),
                    module: hex_of(&a.module),
                    privileges: hex_of(&a.privileges.to_bytes()),
                    life_cycle: a.life_cycle,
                })
                .collect(),
            dap_key,
            receipt_key,
        }
    }

    /// Restores the card; `problem` names the field that is wrong.
    fn into_card(self) -> Result<GpCard, GpStateFormatError> {
        if self.format != GP_STATE_FORMAT {
            return Err(GpStateFormatError::new(format!(
                "format {:?} is not {GP_STATE_FORMAT:?}",
                self.format
            )));
        }
        let bytes = |field: &str, text: &str| {
            hex::decode(text).map_err(|e| GpStateFormatError::because(format!("{field}: not hex"), e))
        };
        let aid = |field: &str, text: &str| {
            let aid = bytes(field, text)?;
            if (5..=16).contains(&aid.len()) {
                Ok(aid)
            } else {
                Err(GpStateFormatError::new(format!("{field}: an AID has 5 to 16 bytes")))
            }
        };
        let i = match bytes("i", &self.i)?.as_slice() {
            [i] => IParameter::from_byte(*i).map_err(|e| GpStateFormatError::because("i", e))?,
            _ => return Err(GpStateFormatError::new("i: not one byte")),
        };
        let mut sets = Vec::new();
        for set in &self.key_sets {
            let enc = bytes("keySets[].enc", &set.enc)?;
            let mac = bytes("keySets[].mac", &set.mac)?;
            let keys = match &set.dek {
                Some(dek) => StaticKeys::new(set.kvn, &enc, &mac, &bytes("keySets[].dek", dek)?),
                None => StaticKeys::without_dek(set.kvn, &enc, &mac),
            };
            sets.push(
                keys.map_err(|e| GpStateFormatError::because(format!("keySets[kvn {:02X}]", set.kvn), e))?,
            );
        }
        let mut sets = sets.into_iter();
        let first = sets.next().ok_or_else(|| GpStateFormatError::new("keySets: no key set"))?;
        let mut card = GpCard::new(&aid("isdAid", &self.isd_aid)?, first).with_i(i);
        for keys in sets {
            card.key_sets.insert(keys.kvn(), keys);
        }
        if let Some(text) = &self.scp02_i {
            let i = match bytes("scp02I", text)?.as_slice() {
                [i] => oxicard_secure_channel::scp02::IParameter::from_byte(*i)
                    .map_err(|e| GpStateFormatError::because("scp02I", e))?,
                _ => return Err(GpStateFormatError::new("scp02I: not one byte")),
            };
            card.scp02 = Some(i);
        }
        if let Some(kdd) = &self.kdd {
            card.kdd =
                bytes("kdd", kdd)?.try_into().map_err(|_| GpStateFormatError::new("kdd: not 10 bytes"))?;
        }
        card.content =
            super::dap::ContentSecurity::from_file(self.dap_key.as_ref(), self.receipt_key.as_ref())
                .map_err(GpStateFormatError::new)?;
        card.rng = self.rng.max(1);
        card.sequence_counter = self.sequence_counter;
        card.card_life_cycle = self.card_life_cycle;
        card.load_files = self
            .load_files
            .iter()
            .map(|l| {
                Ok(LoadFile {
                    aid: aid("loadFiles[].aid", &l.aid)?,
                    modules: l.modules.iter().map(|m| aid("loadFiles[].modules[]", m)).collect::<Result<
                        _,
                        GpStateFormatError,
                    >>(
                    )?,
                    version: l.version,
                })
            })
            .collect::<Result<_, GpStateFormatError>>()?;
        card.applications = self
            .applications
            .iter()
            .map(|a| {
                let privileges = Privileges::from_slice(&bytes("applications[].privileges", &a.privileges)?)
                    .ok_or_else(|| GpStateFormatError::new("applications[].privileges: not 1 or 3 bytes"))?;
                Ok(Application {
                    aid: aid("applications[].aid", &a.aid)?,
                    load_file: aid("applications[].loadFile", &a.load_file)?,
                    module: aid("applications[].module", &a.module)?,
                    privileges,
                    life_cycle: a.life_cycle,
                })
            })
            .collect::<Result<_, GpStateFormatError>>()?;
        Ok(card)
    }
}

impl GpCard {
    /// What the card keeps, as the JSON document [`GpCard::open`] writes (pretty-printed,
    /// with a final line break).
    pub fn state_json(&self) -> Vec<u8> {
        // Serializing these plain structs cannot fail; an empty document would not load.
        let mut bytes = serde_json::to_vec_pretty(&File::of(self)).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// A card from a document of [`GpCard::state_json`] (sessions closed, as after a reset).
    pub fn from_state_json(bytes: &[u8]) -> Result<GpCard, GpStateFormatError> {
        serde_json::from_slice::<File>(bytes)
            .map_err(|e| GpStateFormatError::because("not the JSON of this format", e))?
            .into_card()
    }

    /// The card kept in `path`: locks the state ([`StateLock::acquire`], waiting up to
    /// [`DEFAULT_LOCK_WAIT`] for another process), then [`GpCard::open_locked`].
    pub fn open(path: impl AsRef<Path>, create: impl FnOnce() -> GpCard) -> Result<GpCard, StateError> {
        GpCard::open_locked(StateLock::acquire(path.as_ref(), DEFAULT_LOCK_WAIT)?, create)
    }

    /// The card kept in the file `lock` guards: read from the file when it exists, else
    /// `create()`d and written there. The lock is held as long as the card lives. From then on
    /// every command that changes what the card keeps is written to the file (atomically)
    /// before its response is returned; when that write fails the change is undone, the
    /// command is answered `6581` (memory failure) and [`GpCard::last_save_error`] says why.
    pub fn open_locked(lock: StateLock, create: impl FnOnce() -> GpCard) -> Result<GpCard, StateError> {
        let path = lock.state_path();
        let mut card = match read_state(path, MAX_STATE_LEN)? {
            Some(bytes) => GpCard::from_state_json(&bytes).map_err(|e| e.into_state_error(path))?,
            None => create(),
        };
        card.storage = Some(Storage { lock, saved: Vec::new() });
        card.persist()?;
        Ok(card)
    }

    /// The file this card is kept in, if any.
    pub fn state_path(&self) -> Option<&Path> {
        self.storage.as_ref().map(|s| s.lock.state_path())
    }

    /// Why the last failed state write failed, if one did (see [`GpCard::open_locked`]).
    pub fn last_save_error(&self) -> Option<&StateError> {
        self.save_error.as_ref()
    }

    /// Writes the persistent state when it differs from what was last written.
    pub(super) fn persist(&mut self) -> Result<(), StateError> {
        if self.storage.is_none() {
            return Ok(());
        }
        let bytes = self.state_json();
        let Some(storage) = self.storage.as_mut() else { return Ok(()) };
        if bytes.len() <= 1 {
            return Err(StateError::format(storage.lock.state_path(), "not serializable"));
        }
        if bytes == storage.saved {
            return Ok(());
        }
        write_atomically(storage.lock.state_path(), &bytes)?;
        storage.saved = bytes;
        Ok(())
    }

    /// [`GpCard::persist`] after a command; when the write fails, what the card keeps goes back
    /// to the last state written (the command did not happen) and the error is kept.
    pub(super) fn persist_or_undo(&mut self) -> Result<(), ()> {
        let Err(error) = self.persist() else { return Ok(()) };
        tracing::warn!(error = %oxicard_transport::ErrorChain(&error), "GP card state not written; the change is undone");
        if let Some(saved) = self.storage.as_ref().map(|s| s.saved.clone())
            && let Ok(before) = GpCard::from_state_json(&saved)
        {
            self.restore_persistent(before);
        }
        self.save_error = Some(error);
        Err(())
    }
}
