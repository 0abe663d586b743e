//! The software eUICC's persistent state (profiles, nicknames, notifications, default SM-DP+
//! address, counters) and its file.
//!
//! # File format
//!
//! One JSON document, written atomically after every change and before the response that
//! acknowledges it leaves the card, under the state's lock (see [`crate::storage`]: a crash at
//! any moment leaves either the old or the new state, never a mix; two processes never write
//! at once). The SGP.22 data is kept in its own DER coding, through the `oxicard-euicc` codec,
//! so nothing is re-invented:
//!
//! ```json
//! {
//!   "format": "oxicard-soft-euicc/1",
//!   "eid": "89882119900000000000000000000005",
//!   "profiles": "BF2D…",            // a ProfileInfoListResponse (SGP.22 §5.7.15) with every profile
//!   "notifications": ["30…", "BF37…"], // PendingNotification TLVs (§5.7.10), signed, as sent
//!   "default_dp_address": "smdp.example.com",
//!   "next_seq_number": 7,
//!   "next_isdp": 3,
//!   "packages": { "984474680000543721F8": "A0…" } // installed UPPs by ICCID (EF.ICCID coding, hex)
//! }
//! ```
//!
//! `packages` keeps the UnprotectedProfilePackage of each profile installed by a download, as
//! the SM-DP+ sent it (SAIP v3.3.1 §8.1; SGP.22 §2.5.4), keyed by the 10 octets of its ICCID in
//! the SGP.22 / EF.ICCID coding. It is left out when empty, and a file without it (written
//! before it existed) loads with no package.

use std::collections::BTreeMap;
use std::path::Path;

use oxicard_euicc::es10::{Message, PendingNotification, ProfileInfo, ProfileInfoListResponse, ProfileState};
use oxicard_euicc::iccid::{Eid, Iccid};
use serde::{Deserialize, Serialize};

use crate::storage::{MAX_STATE_LEN, StateError, StateLock, read_state, write_atomically};

/// The `format` value of the state file this version writes and reads.
pub const FORMAT: &str = "oxicard-soft-euicc/1";

/// What the eUICC keeps across power cycles (and process restarts, when file-backed).
///
/// Invariants (checked by [`State::check`], kept by every ES10 function): every profile has
/// an ICCID, an ISD-P AID, a state, a class and a size; ICCIDs and AIDs are unique; at most
/// one profile is enabled (SGP.22 v2 single-enabled-profile model, §2.4 / §5.7.16); every
/// pending notification's sequence number is below `next_seq_number`, and they increase along
/// the list (oldest first, none reused); every kept package belongs to an installed profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub(crate) profiles: Vec<ProfileInfo>,
    pub(crate) notifications: Vec<PendingNotification>,
    pub(crate) default_dp_address: Option<String>,
    pub(crate) next_seq_number: u64,
    pub(crate) next_isdp: u32,
    /// The installed UPPs, by ICCID.
    pub(crate) packages: BTreeMap<Iccid, Vec<u8>>,
}

impl State {
    /// A factory-fresh eUICC: no profile, no notification, `default_dp_address` as configured.
    pub(crate) fn new(default_dp_address: Option<String>) -> Self {
        Self {
            profiles: Vec::new(),
            notifications: Vec::new(),
            default_dp_address,
            next_seq_number: 1,
            next_isdp: 1,
            packages: BTreeMap::new(),
        }
    }

    /// The UnprotectedProfilePackage of the installed profile `iccid`, byte for byte as the
    /// SM-DP+ sent it in the BPP (SGP.22 §5.7.6); `None` for a profile installed otherwise.
    pub fn package(&self, iccid: &Iccid) -> Option<&[u8]> {
        self.packages.get(iccid).map(Vec::as_slice)
    }

    /// Removes the profile at `index` and its package.
    pub(crate) fn remove_profile(&mut self, index: usize) {
        if index < self.profiles.len() {
            let removed = self.profiles.remove(index);
            if let Some(iccid) = removed.iccid {
                self.packages.remove(&iccid);
            }
        }
    }

    /// Keeps the profiles `keep` says yes to, and their packages only.
    pub(crate) fn retain_profiles(&mut self, keep: impl FnMut(&ProfileInfo) -> bool) {
        self.profiles.retain(keep);
        let installed: Vec<Iccid> = self.profiles.iter().filter_map(|p| p.iccid).collect();
        self.packages.retain(|iccid, _| installed.contains(iccid));
    }

    /// The installed profiles, every member filled in.
    pub fn profiles(&self) -> &[ProfileInfo] {
        &self.profiles
    }

    /// The pending notifications, oldest first.
    pub fn notifications(&self) -> &[PendingNotification] {
        &self.notifications
    }

    /// The default SM-DP+ address (SGP.22 §5.7.3).
    pub fn default_dp_address(&self) -> Option<&str> {
        self.default_dp_address.as_deref()
    }

    /// The sequence number the next notification gets (SGP.22 §5.7.9: eUICC-global, never reused).
    pub fn next_seq_number(&self) -> u64 {
        self.next_seq_number
    }

    /// The enabled profile, if any.
    pub fn enabled_profile(&self) -> Option<&ProfileInfo> {
        self.profiles.iter().find(|p| p.state == Some(ProfileState::Enabled))
    }

    /// Checks the invariants listed on [`State`]; the message says which one failed.
    pub fn check(&self) -> Result<(), &'static str> {
        let mut enabled = 0usize;
        for (index, profile) in self.profiles.iter().enumerate() {
            let (Some(iccid), Some(aid), Some(state)) = (&profile.iccid, &profile.isdp_aid, profile.state)
            else {
                return Err("a profile lacks its ICCID, AID or state");
            };
            if profile.class.is_none() || profile.profile_size.is_none() {
                return Err("a profile lacks its class or size");
            }
            match state {
                ProfileState::Enabled => enabled += 1,
                ProfileState::Disabled => {}
                _ => return Err("a profile state is neither enabled nor disabled"),
            }
            let mut later = self.profiles.iter().skip(index + 1);
            if later.any(|p| p.iccid.as_ref() == Some(iccid) || p.isdp_aid.as_ref() == Some(aid)) {
                return Err("two profiles share an ICCID or an AID");
            }
        }
        if enabled > 1 {
            return Err("more than one profile is enabled");
        }
        if self.packages.keys().any(|iccid| !self.profiles.iter().any(|p| p.iccid.as_ref() == Some(iccid))) {
            return Err("a package belongs to no installed profile");
        }
        let mut previous = None;
        for notification in &self.notifications {
            let seq = notification.metadata().seq_number;
            if seq >= self.next_seq_number {
                return Err("a notification's sequence number is not below the counter");
            }
            if previous.is_some_and(|p| p >= seq) {
                return Err("notification sequence numbers do not increase along the list");
            }
            previous = Some(seq);
        }
        Ok(())
    }
}

/// The JSON document of the state file.
#[derive(Serialize, Deserialize)]
struct StateFile {
    format: String,
    eid: String,
    profiles: String,
    notifications: Vec<String>,
    default_dp_address: Option<String>,
    next_seq_number: u64,
    next_isdp: u32,
    /// ICCID (EF.ICCID coding, hex) → UPP (hex); absent in files written before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    packages: BTreeMap<String, String>,
}

impl StateFile {
    fn from_state(state: &State, eid: &Eid) -> Self {
        let profiles = ProfileInfoListResponse::new(Ok(state.profiles.clone())).to_der();
        Self {
            format: FORMAT.into(),
            eid: eid.digits(),
            profiles: hex::encode_upper(profiles),
            notifications: state.notifications.iter().map(|n| hex::encode_upper(n.as_der())).collect(),
            default_dp_address: state.default_dp_address.clone(),
            next_seq_number: state.next_seq_number,
            next_isdp: state.next_isdp,
            packages: state
                .packages
                .iter()
                .map(|(iccid, upp)| (hex::encode_upper(iccid.as_bytes()), hex::encode_upper(upp)))
                .collect(),
        }
    }

    fn into_state(self, path: &Path, eid: &Eid) -> Result<State, StateError> {
        if self.format != FORMAT {
            return Err(StateError::format(path, format!("format {:?}, expected {FORMAT:?}", self.format)));
        }
        if self.eid != eid.digits() {
            return Err(StateError::EidMismatch {
                path: path.to_owned(),
                expected: eid.digits(),
                found: self.eid,
            });
        }
        let der = hex::decode(&self.profiles).map_err(|e| StateError::format_because(path, "profiles", e))?;
        let profiles = ProfileInfoListResponse::from_der(&der)
            .map_err(|e| StateError::format_because(path, "profiles", e))?
            .result
            .map_err(|e| StateError::format_because(path, "profiles", e))?;
        let notifications = self
            .notifications
            .iter()
            .map(|n| {
                let der = hex::decode(n).map_err(|e| StateError::format_because(path, "notification", e))?;
                PendingNotification::from_der(&der)
                    .map_err(|e| StateError::format_because(path, "notification", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut packages = BTreeMap::new();
        for (iccid, upp) in &self.packages {
            let mut bytes = [0u8; 10];
            hex::decode_to_slice(iccid, &mut bytes)
                .map_err(|e| StateError::format_because(path, format!("package ICCID {iccid:?}"), e))?;
            let upp = hex::decode(upp)
                .map_err(|e| StateError::format_because(path, format!("package {iccid}"), e))?;
            packages.insert(Iccid::from_bytes(bytes), upp);
        }
        let state = State {
            profiles,
            notifications,
            default_dp_address: self.default_dp_address,
            next_seq_number: self.next_seq_number,
            next_isdp: self.next_isdp,
            packages,
        };
        state.check().map_err(|problem| StateError::format(path, problem))?;
        Ok(state)
    }
}

/// Where the state lives.
#[derive(Debug)]
pub(crate) enum Storage {
    /// Only in memory: lost when the [`SoftEuicc`](super::SoftEuicc) is dropped.
    Memory,
    /// In the file the lock guards, held for the life of the eUICC.
    File(StateLock),
}

impl Storage {
    /// Reads the state of the locked file, `None` if there is none.
    pub(crate) fn load(lock: &StateLock, eid: &Eid) -> Result<Option<State>, StateError> {
        let path = lock.state_path();
        let Some(bytes) = read_state(path, MAX_STATE_LEN)? else { return Ok(None) };
        let file: StateFile = serde_json::from_slice(&bytes)
            .map_err(|e| StateError::format_because(path, "not the JSON of this format", e))?;
        file.into_state(path, eid).map(Some)
    }

    /// Writes `state` durably (nothing to do in memory).
    pub(crate) fn save(&self, state: &State, eid: &Eid) -> Result<(), StateError> {
        let Self::File(lock) = self else { return Ok(()) };
        let path = lock.state_path();
        let file = StateFile::from_state(state, eid);
        let mut bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| StateError::format_because(path, "not serializable", e))?;
        bytes.push(b'\n');
        write_atomically(path, &bytes)?;
        Ok(())
    }

    /// The state file, `None` in memory.
    pub(crate) fn path(&self) -> Option<&Path> {
        match self {
            Self::File(lock) => Some(lock.state_path()),
            Self::Memory => None,
        }
    }
}
