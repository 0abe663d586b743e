//! The software eUICC: a [`CardSimulator`] with the ISD-R (SGP.22 §2.2.3) and the card side of
//! every ES10a/b/c function of `oxicard_euicc::es10`, answering with the same DER types.
//!
//! ```
//! use oxicard_apdu::card::Card;
//! use oxicard_euicc::isdr::{Isdr, IsdrOptions};
//! use oxicard_sim::euicc::SoftEuicc;
//! use oxicard_transport::sim::SimulatorTransport;
//!
//! let mut card = Card::new(SimulatorTransport::new(SoftEuicc::new()));
//! let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
//! assert_eq!(isdr.eid().unwrap().digits(), "89882119900000000000000000000005");
//! ```
//!
//! - [`apdu`](self#apdu-layer): logical channels, SELECT, STORE DATA reassembly, GET RESPONSE
//!   (see the table in the `apdu` module source).
//! - ES10 dispatch by request tag; the ES8+ download functions go to a [`DownloadHandler`]:
//!   [`NoDownload`] by default, [`Es8Handler`] (the eUICC role of
//!   `oxicard_euicc::roles::euicc`: certificate chains, signatures, ECKA, BSP; with the SAIP
//!   checks of this eUICC's Profile Package interpreter) with a PKI identity
//!   ([`SoftEuicc::from_identity`], [`SoftEuicc::with_identity`]).
//! - Notifications for enable, disable and delete per the profile's configuration (SGP.22
//!   §5.7.15 `B6`), signed by an [`EuiccSigner`] ([`TestSigner`] by default, the
//!   [`EuiccIdentity`](oxicard_euicc::pki::EuiccIdentity) with a PKI identity).
//! - Persistent [`State`] in memory ([`SoftEuicc::new`]) or in a file ([`SoftEuicc::open`]),
//!   locked for the eUICC's life and written atomically after every change, before the
//!   acknowledging response ([`crate::storage`]).
//!
//! # APDU layer
//!
//! Status words and rules are listed in the `apdu` submodule documentation: unknown INS
//! `6D00`, STORE DATA block out of sequence `6985`, request too long `6A84`, not a TLV `6A80`,
//! unknown ES10 tag `6A88`, state file write failure `6581`. The card never panics.

mod apdu;
mod download;
mod es10;
mod notifications;
mod profiles;
pub(crate) mod state;

use std::path::Path;

use oxicard_euicc::es10::{
    BitFlags, EuiccCategory, EuiccInfo2, ExtCardResource, ProfileClass, ProfileInfo,
    ProfilePolicyAuthorisationRule, ProfileState, Version, rsp_capability,
};
use oxicard_euicc::iccid::Eid;
use oxicard_euicc::isdr::ISD_R_AID;
use oxicard_euicc::roles::euicc::{EuiccSigner, InstallRefusal};
use oxicard_transport::sim::CardSimulator;

pub use download::{DownloadContext, DownloadHandler, Es8Handler, NoDownload};
pub use notifications::TestSigner;
pub use state::{FORMAT as STATE_FORMAT, State};

use apdu::Channels;
use state::Storage;

use crate::storage::{DEFAULT_LOCK_WAIT, StateError, StateLock};

/// The default ATR: `3B 8A 80 01` (T=0 and T=1), historical bytes `80` then COMPACT-TLV
/// `31 F8` (card service data), `73 F7 41 1B` (card capabilities: no command chaining, no
/// extended length, logical channel numbers assigned by the card and by the interface
/// device, 4 channels), `82 90 00` (status) (ISO/IEC 7816-4 §8.1.1.2.7, Table 118), and the
/// check byte TCK `8E` (ISO/IEC 7816-3 §8.2.5: XOR of T0 … the last historical byte).
/// Hand-built for this simulator, not a real card's.
pub const DEFAULT_ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0x1B, 0x82, 0x90, 0x00, 0x8E];

/// The ATR of a software eUICC configured for extended length ([`EuiccConfig::with_extended_length`]):
/// [`DEFAULT_ATR`] with the third card capabilities byte `5B` (b7 set: extended Lc and Le
/// fields, ISO/IEC 7816-4 §8.1.1.2.7 Table 120) and its check byte `CE`.
pub const EXTENDED_LENGTH_ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0x5B, 0x82, 0x90, 0x00, 0xCE];

/// The default EID `89882119900000000000000000000005`: the EID of pySim's GET EID test vector
/// (`tests/unittests/test_globalplatform.py`), valid check digits (SGP.29: the EID mod 97 is 1).
pub const DEFAULT_EID: [u8; 16] =
    [0x89, 0x88, 0x21, 0x19, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05];

/// The subject key identifier `81370F51…EBFB` of the GSMA production root `GSM Association -
/// RSP2 Root CI1` (NIST P-256; despite this constant's name, not an SGP.26 test CI), as a real
/// eUICC lists it in EUICCInfo1 (lpac issue #143, lpac `docs/USAGE.md`).
pub const GSMA_TEST_CI_PKID: [u8; 20] = [
    0x81, 0x37, 0x0F, 0x51, 0x25, 0xD0, 0xB1, 0xD4, 0x08, 0xD4, 0xC3, 0xB2, 0x32, 0xE6, 0xD2, 0x5E, 0x79,
    0x5B, 0xEB, 0xFB,
];

/// What the software eUICC is: identity, capabilities, memory, limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EuiccConfig {
    /// The EID (SGP.22 §5.7.20); default [`DEFAULT_EID`].
    pub eid: Eid,
    /// The ISD-R AID; default [`ISD_R_AID`] (SGP.22 §2.2.3).
    pub isdr_aid: Vec<u8>,
    /// The ATR; default [`DEFAULT_ATR`].
    pub atr: Vec<u8>,
    /// EUICCInfo2 (SGP.22 §5.7.8) as configured. `extCardResource` and the `additionalProfile`
    /// bit of `rspCapability` are computed on each request; EUICCInfo1 takes its `svn` and CI
    /// key id lists.
    pub info2: EuiccInfo2,
    /// `rootDsAddress` (SGP.22 §5.7.3); default `lpa.ds.gsma.com` (the GSMA root SM-DS).
    pub root_ds_address: String,
    /// The default SM-DP+ address of a fresh eUICC, and after a memory reset with
    /// `resetDefaultSmdpAddress`; default none.
    pub default_dp_address: Option<String>,
    /// The Rules Authorisation Table (SGP.22 §2.9.2.2); default empty.
    pub rat: Vec<ProfilePolicyAuthorisationRule>,
    /// Non-volatile memory for profiles, in bytes; default 1 MiB.
    pub total_memory: u64,
    /// Free volatile memory reported in `extCardResource`; default 16 KiB.
    pub free_volatile_memory: u64,
    /// The size of a profile that does not say (`profileSize`); default 64 KiB.
    pub default_profile_size: u64,
    /// Logical channels besides the basic one (0..=19); default 3.
    pub logical_channels: u8,
    /// The longest ES10 request accepted through STORE DATA, in bytes; default 65 280
    /// (256 blocks of 255 bytes, the most a STORE DATA sequence can carry).
    pub max_request_len: usize,
    /// Whether extended Lc/Le APDUs are taken (ISO/IEC 7816-4 §5.1): STORE DATA blocks beyond
    /// 255 bytes, whole responses up to 65 536 bytes; default `false` (`6700`), as
    /// [`DEFAULT_ATR`] says. See [`with_extended_length`](Self::with_extended_length).
    pub extended_length: bool,
}

impl EuiccConfig {
    /// The same configuration taking extended-length APDUs and announcing it in its ATR
    /// ([`EXTENDED_LENGTH_ATR`]).
    #[must_use]
    pub fn with_extended_length(mut self) -> Self {
        self.extended_length = true;
        self.atr = EXTENDED_LENGTH_ATR.to_vec();
        self
    }
}

impl Default for EuiccConfig {
    fn default() -> Self {
        let pkid = GSMA_TEST_CI_PKID.to_vec();
        Self {
            eid: Eid::from_bytes(DEFAULT_EID),
            isdr_aid: ISD_R_AID.to_vec(),
            atr: DEFAULT_ATR.to_vec(),
            info2: {
                let mut euicc_info2 = EuiccInfo2::default();
                euicc_info2.profile_version = Version::new(2, 3, 1);
                euicc_info2.svn = Version::new(2, 2, 2);
                euicc_info2.firmware_version = Version::new(0, 1, 0);
                euicc_info2.ext_card_resource = ExtCardResource::default();
                // usimSupport, isimSupport, akaMilenage, javacard: what a consumer eUICC declares.
                euicc_info2.uicc_capability = BitFlags::from_bits([1, 2, 4, 14]);
                euicc_info2.ts102241_version = Some(Version::new(9, 2, 0));
                euicc_info2.globalplatform_version = Some(Version::new(2, 3, 0));
                euicc_info2.rsp_capability = BitFlags::from_bits([rsp_capability::TEST_PROFILE_SUPPORT]);
                euicc_info2.ci_pkids_for_verification = vec![pkid.clone()];
                euicc_info2.ci_pkids_for_signing = vec![pkid];
                euicc_info2.euicc_category = Some(EuiccCategory::Other);
                euicc_info2.pp_version = Version::new(0, 0, 1);
                euicc_info2.sas_accreditation_number = "OXICARD-SIM".into();
                euicc_info2
            },
            root_ds_address: "lpa.ds.gsma.com".into(),
            default_dp_address: None,
            rat: Vec::new(),
            total_memory: 1024 * 1024,
            free_volatile_memory: 16 * 1024,
            default_profile_size: 64 * 1024,
            logical_channels: 3,
            max_request_len: 256 * 255,
            extended_length: false,
        }
    }
}

/// The software eUICC. See the [module docs](self).
pub struct SoftEuicc {
    config: EuiccConfig,
    state: State,
    storage: Storage,
    signer: Box<dyn EuiccSigner + Send>,
    download: Box<dyn DownloadHandler>,
    channels: Channels,
    challenge: Option<[u8; 16]>,
    commands: u64,
    es10_requests: u64,
    es10_answers: u64,
    save_error: Option<StateError>,
}

impl core::fmt::Debug for SoftEuicc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SoftEuicc")
            .field("eid", &self.config.eid)
            .field("storage", &self.storage)
            .field("profiles", &self.state.profiles.len())
            .field("notifications", &self.state.notifications.len())
            .finish_non_exhaustive()
    }
}

impl Default for SoftEuicc {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftEuicc {
    /// An in-memory eUICC with the default configuration: its state is lost when dropped.
    pub fn new() -> Self {
        Self::in_memory(EuiccConfig::default())
    }

    /// An in-memory eUICC with `config`.
    pub fn in_memory(config: EuiccConfig) -> Self {
        let state = State::new(config.default_dp_address.clone());
        Self::with_state(config, state, Storage::Memory)
    }

    /// The eUICC whose state is in `path` (default configuration): loaded if the file exists,
    /// created (factory-fresh) otherwise. See [`SoftEuicc::open_with`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StateError> {
        Self::open_with(path, EuiccConfig::default())
    }

    /// The eUICC whose state is in `path`, with `config`: locks the state
    /// ([`StateLock::acquire`], waiting up to [`DEFAULT_LOCK_WAIT`] for another process), then
    /// [`SoftEuicc::open_locked`].
    pub fn open_with(path: impl AsRef<Path>, config: EuiccConfig) -> Result<Self, StateError> {
        Self::open_locked(StateLock::acquire(path.as_ref(), DEFAULT_LOCK_WAIT)?, config)
    }

    /// The eUICC whose state is in the file `lock` guards, with `config`. The lock is held as
    /// long as the eUICC lives, so no other process reads or writes the state meanwhile.
    ///
    /// The state is loaded when the file exists and created (factory-fresh) when it does not.
    /// The file records the EID: opening another eUICC's file is [`StateError::EidMismatch`];
    /// a file that is not a state of this format is [`StateError::Format`] and stays as it is.
    pub fn open_locked(lock: StateLock, config: EuiccConfig) -> Result<Self, StateError> {
        let state = match Storage::load(&lock, &config.eid)? {
            Some(state) => state,
            None => {
                let state = State::new(config.default_dp_address.clone());
                let storage = Storage::File(lock);
                storage.save(&state, &config.eid)?;
                return Ok(Self::with_state(config, state, storage));
            }
        };
        Ok(Self::with_state(config, state, Storage::File(lock)))
    }

    fn with_state(config: EuiccConfig, state: State, storage: Storage) -> Self {
        Self {
            config,
            state,
            storage,
            signer: Box::new(TestSigner),
            download: Box::new(NoDownload),
            channels: Channels::default(),
            challenge: None,
            commands: 0,
            es10_requests: 0,
            es10_answers: 0,
            save_error: None,
        }
    }

    /// Replaces the notification signer (default [`TestSigner`]).
    #[must_use]
    pub fn with_signer(mut self, signer: impl EuiccSigner + Send + 'static) -> Self {
        self.signer = Box::new(signer);
        self
    }

    /// Replaces the ES8+ download handler (default [`NoDownload`]).
    #[must_use]
    pub fn with_download_handler(mut self, handler: impl DownloadHandler + 'static) -> Self {
        self.download = Box::new(handler);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &EuiccConfig {
        &self.config
    }

    /// The persistent state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The state file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.storage.path()
    }

    /// Why the last failed state write failed (the command it belonged to was answered `6581`
    /// and undone), for a host that wants to tell its user the cause; `None` if none failed.
    pub fn last_save_error(&self) -> Option<&StateError> {
        self.save_error.as_ref()
    }

    /// Writes the state; a failure is kept for [`SoftEuicc::last_save_error`].
    pub(crate) fn save(&mut self) -> Result<(), ()> {
        match self.storage.save(&self.state, &self.config.eid) {
            Ok(()) => Ok(()),
            Err(err) => {
                tracing::error!(target: "oxicard::sim", "{}; the change is undone", oxicard_transport::ErrorChain(&err));
                self.save_error = Some(err);
                Err(())
            }
        }
    }

    /// Command APDUs processed since creation (GET RESPONSE and every STORE DATA block included).
    pub fn commands_seen(&self) -> u64 {
        self.commands
    }

    /// Complete ES10 requests processed since creation.
    pub fn es10_requests_seen(&self) -> u64 {
        self.es10_requests
    }

    /// ES10 requests answered with data since creation: all but the Bound Profile Package
    /// segments before the last (SGP.22 §5.7.6 answers those with no data) and refused requests.
    pub fn es10_answers_seen(&self) -> u64 {
        self.es10_answers
    }

    /// The open channels (the basic channel 0 always is).
    pub fn open_channels(&self) -> Vec<u8> {
        self.channels.open().collect()
    }

    /// Free non-volatile memory for profiles, in bytes.
    pub fn free_memory(&self) -> u64 {
        free_memory(&self.config, &self.state)
    }

    /// Installs a profile without a download, for tests (until the ES8+ path exists), and
    /// persists it. The eUICC assigns the ISD-P AID unless `profile.isdp_aid` is set, and fills
    /// in state (disabled), class (operational) and size ([`EuiccConfig::default_profile_size`])
    /// when absent. An enabled profile disables the one enabled before (no notification).
    /// Returns the AID. A failed state file write is undone and reported as
    /// [`InstallRefusal::InsufficientMemory`]. Test support (feature `test-util`).
    #[cfg(feature = "test-util")]
    pub fn install_profile_for_tests(&mut self, profile: ProfileInfo) -> Result<Vec<u8>, InstallRefusal> {
        let before = self.state.clone();
        let wanted = profile.state.unwrap_or(ProfileState::Disabled);
        let aid = install(&self.config, &mut self.state, profile, wanted)?;
        if self.save().is_err() {
            self.state = before;
            return Err(InstallRefusal::InsufficientMemory);
        }
        Ok(aid)
    }

    /// Adds a ProfileInstallationResult to the pending notifications, for tests. Test support
    /// (feature `test-util`).
    #[cfg(feature = "test-util")]
    pub fn push_installation_result_for_tests(
        &mut self,
        result: oxicard_euicc::es10::ProfileInstallationResult,
    ) -> Result<(), StateError> {
        self.state
            .notifications
            .push(oxicard_euicc::es10::PendingNotification::ProfileInstallationResult(result));
        self.storage.save(&self.state, &self.config.eid)
    }
}

/// Free memory: the configured total less the installed profiles' sizes.
pub(crate) fn free_memory(config: &EuiccConfig, state: &State) -> u64 {
    let used: u64 = state.profiles.iter().map(|p| p.profile_size.unwrap_or(0).max(0).unsigned_abs()).sum();
    config.total_memory.saturating_sub(used)
}

/// Takes the next notification sequence number.
pub(crate) fn take_seq_number(state: &mut State) -> u64 {
    let seq = state.next_seq_number;
    state.next_seq_number = seq.saturating_add(1);
    seq
}

/// Adds `profile` to `state` in state `wanted` (see `SoftEuicc::install_profile_for_tests`).
pub(crate) fn install(
    config: &EuiccConfig,
    state: &mut State,
    mut profile: ProfileInfo,
    wanted: ProfileState,
) -> Result<Vec<u8>, InstallRefusal> {
    let iccid = profile.iccid.ok_or(InstallRefusal::MissingIccid)?;
    if state.profiles.iter().any(|p| p.iccid == Some(iccid)) {
        return Err(InstallRefusal::IccidAlreadyExists);
    }
    let size = match profile.profile_size {
        Some(size) if size >= 0 => size.unsigned_abs(),
        _ => config.default_profile_size,
    };
    if size > free_memory(config, state) {
        return Err(InstallRefusal::InsufficientMemory);
    }
    let aid = match profile.isdp_aid.take() {
        Some(aid) if !aid.is_empty() && !state.profiles.iter().any(|p| p.isdp_aid.as_ref() == Some(&aid)) => {
            aid
        }
        _ => next_isdp_aid(state),
    };
    if wanted == ProfileState::Enabled {
        for other in &mut state.profiles {
            other.state = Some(ProfileState::Disabled);
        }
    }
    profile.isdp_aid = Some(aid.clone());
    profile.state = Some(wanted);
    profile.class = Some(profile.class.unwrap_or(ProfileClass::Operational));
    profile.profile_size = Some(i64::try_from(size).unwrap_or(i64::MAX));
    state.profiles.push(profile);
    Ok(aid)
}

/// The next free ISD-P AID `A0 00 00 05 59 10 10 FF FF FF FF 89 | 00 00 10 00`, `… 00 00 11 00`,
/// … (the ISD-R's RID/PIX prefix, SGP.02 Annex H; the first value is the ISD-P AID common in
/// published examples, not normative; the numbering is the eUICC's choice).
fn next_isdp_aid(state: &mut State) -> Vec<u8> {
    loop {
        let index = state.next_isdp;
        state.next_isdp = state.next_isdp.wrapping_add(1);
        let suffix = 0x1000u32.wrapping_add(index.wrapping_sub(1).wrapping_mul(0x100));
        let [prefix @ .., _, _, _, _] = ISD_R_AID;
        let mut aid = prefix.to_vec();
        aid.extend_from_slice(&suffix.to_be_bytes());
        if !state.profiles.iter().any(|p| p.isdp_aid.as_ref() == Some(&aid)) {
            return aid;
        }
    }
}

impl CardSimulator for SoftEuicc {
    fn atr(&self) -> &[u8] {
        &self.config.atr
    }

    /// Power-on or reset: only the basic channel, nothing selected, no RSP session. The
    /// persistent state stays.
    fn reset(&mut self) {
        self.channels = Channels::default();
        self.challenge = None;
        self.download.reset_session();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.commands = self.commands.saturating_add(1);
        let sw = self.handle(command, response);
        if !(sw.is_success() || sw.bytes_available().is_some()) {
            response.clear();
        }
        response.extend_from_slice(&sw.to_bytes());
    }
}
