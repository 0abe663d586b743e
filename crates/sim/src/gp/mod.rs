//! [`GpCard`]: a simulated GlobalPlatform 2.3 card — an Issuer Security Domain with the SCP03
//! card side (GPC v2.3.1 Amendment D) and card content management (GPC v2.3.1 §11) over an
//! in-memory registry of executable load files, applications and key sets.
//!
//! It implements [`CardSimulator`], so it runs in process
//! ([`SimulatorTransport`](oxicard_transport::sim::SimulatorTransport)) or behind a PC/SC reader
//! through the vpcd bridge. Each of the four logical channels (MANAGE CHANNEL, ISO/IEC 7816-4
//! §11.1.2) has its own session; the registry is the card's. Responses longer than Ne are
//! handed out in `61xx` parts with GET RESPONSE. The ATR offers T=0 and T=1; a command without
//! an Le field (a case 4 command sent as a T=0 case 3 TPDU) gets its data only through GET
//! RESPONSE, after `61xx` or after a warning status word (see `t0.rs`).
//!
//! | command | behaviour and status words |
//! |---|---|
//! | `00 A4 04 00` SELECT the ISD | its FCI (`6F` with `84`, `A5` { `73`, `9F65` }, GPC v2.3.1 Table 11-82) and `9000` (ends the session), `6283` when the card is CARD_LOCKED; no data field also selects the ISD (§11.9.2.3); another AID, or a TERMINATED card, `6A82` |
//! | `00 70 00 00` / `00 70 80 nn` MANAGE CHANNEL | open the lowest free channel (none free: `6A81`) / close `nn`; a closed channel `6881` |
//! | `00 C0 00 00 Le` GET RESPONSE (any CLA of the channel) | the next part of a long response (`61xx` while more follows), or the data held back after a warning; nothing pending `6985` |
//! | `80 50` INITIALIZE UPDATE / `84 82` EXTERNAL AUTHENTICATE | the SCP03 card side: unknown KVN `6A88`, wrong host cryptogram `6300`, wrong C-MAC `6982`, no INITIALIZE UPDATE `6985` |
//! | `80 CA` GET DATA `9F7F` / `66` / `E0` / `C1` | CPLC, Card Recognition Data, Key Information Template, sequence counter (also without a session); other tags `6A88` |
//! | `80 F2` GET STATUS P1 `80`/`40`/`20`/`10` | TLV (P2 `02`) or legacy (P2 `00`) format; search criteria `4F 00` (all) or `4F len AID-prefix`, further criteria and a tag list `5C` ignored (§11.4.2.3), none at all for P1 `80`; `6310` when more entries follow (P2 b1 "next", refused for P1 `80`); nothing found `6A88` |
//! | `80 E6 02` INSTALL [for load] + `80 E8` LOAD | blocks reassembled, DAP Blocks checked (see `dap.rs`: `6982`), the hash checked (`6A80` when wrong), the `C4` load file parsed as a CAP file; answers `00` or a load confirmation |
//! | `80 E6 04/08/0C` INSTALL [for install (and make selectable)] | a new application (`03` INSTALLED or `07` SELECTABLE); unknown load file or module `6A88`, AID in use `6985` |
//! | `80 E4` DELETE | object (P2 `00`) or object and related (P2 `80`); unknown `6A88`, dependents `6985`; a key set by version (`D2`; the last one `6985`); answers `00` or a delete confirmation |
//! | `80 F0` SET STATUS | P1 `40`: lock (P2 b8 set) / unlock an application; P1 `80`: card life cycle |
//! | `80 D8` PUT KEY | an AES key set added (P1 `00`) or replacing P1; keys decrypted under the session's DEK, Key Component Blocks with or without the key length (Tables 11-70 / 11-71); answers KVN and KCVs; a wrong KCV `6982` |
//!
//! Every command except SELECT, INITIALIZE UPDATE, EXTERNAL AUTHENTICATE and GET DATA needs an
//! open session (else `6982`). In a session each command is unwrapped and each response
//! protected at the session's level; a failed unwrap ends the session with `6982`
//! (Amendment D §5.6). PUT KEY decrypts under the DEK of the key set that opened the session.
//! A CARD_LOCKED card refuses INSTALL, LOAD, DELETE and PUT KEY with `6985`
//! (GPC v2.3.1 §5.1.1.4); a TERMINATED one no longer selects its ISD.
//!
//! [`GpCard::open`] keeps the card in a JSON file (what a card keeps in non-volatile memory:
//! key sets, sequence counter, life cycle, registry), written atomically after every command
//! that changed it; the `oxicard gp` commands use it as their default card.

use std::collections::BTreeMap;
use std::vec::Vec;

use oxicard_apdu::pending::PendingResponse;
use oxicard_apdu::tlv::{Mode, Tlv};
use oxicard_apdu::{Cla, CommandView, StatusWord};
use oxicard_gp::cap::{CapFile, Component, HashAlgorithm};
use oxicard_gp::command::{DeleteRequest, InstallRequest};
use oxicard_gp::data::{KeyComponent, KeyInfo, KeyInformationTemplate};
use oxicard_gp::receipt::ReceiptContext;
use oxicard_gp::status::{Kind, Privileges, RegistryEntry};
use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::scp03::{CardChallenge, CardHandshake, IParameter, StaticKeys};
use oxicard_transport::sim::CardSimulator;

mod dap;
mod put_key;
mod scp;
mod select;
mod state;
mod t0;
pub use state::{GP_STATE_FORMAT, GpStateFormatError};

/// The default ISD AID `A000000151000000` (GPC v2.3.1 §H.1.3).
pub const DEFAULT_ISD_AID: [u8; 8] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00];

/// The ATR: the apdu crate's test card with extended length. It offers T=0 and T=1 (`TD1` `80`,
/// `TD2` `01`), with card capabilities `F7 41 E0` (command chaining, extended length); the card
/// follows the T=0 case 4 rules for commands without an Le field (see `t0.rs`).
pub const ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

/// Card Recognition Data of a GP 2.2 card with SCP03 i=70, as GlobalPlatformPro's
/// TestParseTags.testOther quotes it from a real card (GPC v2.3.1 §H.2).
const CRD: [u8; 89] = [
    0x66, 0x57, 0x73, 0x55, 0x06, 0x07, 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x01, 0x60, 0x0B, 0x06, 0x09,
    0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x02, 0x02, 0x02, 0x63, 0x09, 0x06, 0x07, 0x2A, 0x86, 0x48, 0x86,
    0xFC, 0x6B, 0x03, 0x64, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x04, 0x03, 0x70, 0x64,
    0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x04, 0x80, 0x00, 0x65, 0x0A, 0x06, 0x08, 0x2A,
    0x86, 0x48, 0x86, 0xFC, 0x6B, 0x05, 0x04, 0x66, 0x0C, 0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x2A,
    0x02, 0x6E, 0x01, 0x03,
];

/// The most GET STATUS response data per page before `6310` (a simulator choice, leaving room
/// for the secure-messaging overhead in a short response).
const PAGE: usize = 200;

const SW_OK: StatusWord = StatusWord::SUCCESS;
/// `6283`: the ISD selected on a CARD_LOCKED card (GPC v2.3.1 §11.9.3).
const SW_CARD_LOCKED: StatusWord = StatusWord::new(0x62, 0x83);
/// `6300`: host cryptogram verification failed (Amendment D §7.2).
const SW_AUTH_FAILED: StatusWord = StatusWord::new(0x63, 0x00);
/// `6310`: more data available (GPC v2.3.1 §11.4.3).
const SW_MORE: StatusWord = StatusWord::new(0x63, 0x10);
/// `6581`: memory failure (the state file could not be written).
const SW_MEMORY_FAILURE: StatusWord = StatusWord::new(0x65, 0x81);
/// `6700`: wrong length.
const SW_WRONG_LENGTH: StatusWord = StatusWord::new(0x67, 0x00);
/// `6881`: logical channel not supported.
const SW_CHANNEL: StatusWord = StatusWord::new(0x68, 0x81);
/// `6982`: security status not satisfied; for PUT KEY, an invalid key check value (GPC v2.3.1
/// Table 11-78).
const SW_SECURITY: StatusWord = StatusWord::new(0x69, 0x82);
/// `6985`: conditions of use not satisfied.
const SW_CONDITIONS: StatusWord = StatusWord::new(0x69, 0x85);
/// `6A80`: incorrect values in the data field.
const SW_WRONG_DATA: StatusWord = StatusWord::new(0x6A, 0x80);
/// `6A82`: application not found (SELECT).
const SW_FILE_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x82);
/// `6A81`: function not supported (no free logical channel).
const SW_FUNCTION: StatusWord = StatusWord::new(0x6A, 0x81);
/// `6A86`: incorrect P1 P2.
const SW_WRONG_P1P2: StatusWord = StatusWord::new(0x6A, 0x86);
/// `6A88`: referenced data not found.
const SW_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x88);
/// `6D00`: instruction not supported.
const SW_INS: StatusWord = StatusWord::new(0x6D, 0x00);
/// `6E00`: class not supported.
const SW_CLA: StatusWord = StatusWord::new(0x6E, 0x00);

/// An executable load file in the registry (GPC v2.3.1 §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadFile {
    /// Its AID.
    pub aid: Vec<u8>,
    /// Its executable module (applet) AIDs.
    pub modules: Vec<Vec<u8>>,
    /// The package version `major.minor`, when known.
    pub version: Option<[u8; 2]>,
}

/// An application or supplementary security domain in the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// Its AID.
    pub aid: Vec<u8>,
    /// The load file it was installed from.
    pub load_file: Vec<u8>,
    /// The module it is an instance of.
    pub module: Vec<u8>,
    /// Its privileges.
    pub privileges: Privileges,
    /// Its life cycle state (GPC v2.3.1 Table 11-4: `03` INSTALLED, `07` SELECTABLE, b8 LOCKED).
    pub life_cycle: u8,
}

/// A LOAD sequence in progress.
#[derive(Debug)]
struct Loading {
    aid: Vec<u8>,
    hash: Vec<u8>,
    data: Vec<u8>,
    next_block: u8,
}

#[derive(Debug, Default)]
enum Phase {
    #[default]
    Idle,
    /// The handshake (with the DEK of the key set it uses).
    Authenticating(scp::Handshake),
    /// The session and what decrypts PUT KEY data in it.
    Open(scp::Session, scp::KeyDecryption),
}

/// The simulator; see the [module documentation](self).
#[derive(Debug)]
pub struct GpCard {
    isd_aid: Vec<u8>,
    i: IParameter,
    /// SCP02 with this "i" instead of SCP03 (GPC v2.3.1 Appendix E).
    scp02: Option<oxicard_secure_channel::scp02::IParameter>,
    /// Key diversification data of INITIALIZE UPDATE (Amendment D §7.1.1.6).
    kdd: [u8; 10],
    rng: u64,
    key_sets: BTreeMap<u8, StaticKeys>,
    sequence_counter: u32,
    card_life_cycle: u8,
    load_files: Vec<LoadFile>,
    applications: Vec<Application>,
    phase: Phase,
    loading: Option<Loading>,
    /// DAP verification and receipts (`dap.rs`).
    content: dap::ContentSecurity,
    status_pages: Vec<Vec<u8>>,
    /// The other channels' states while a command of one channel runs; `None`: closed.
    channels: [Option<ChannelState>; CHANNELS],
    /// Set by MANAGE CHANNEL closing the channel it came on.
    closing: bool,
    /// The file the card is kept in ([`GpCard::open`]).
    storage: Option<state::Storage>,
    /// Why the last state write failed.
    save_error: Option<crate::storage::StateError>,
}

/// The number of logical channels: the basic one and three more (ISO/IEC 7816-4 §5.1.1.2).
const CHANNELS: usize = 4;

/// What each logical channel has of its own: its session, GET STATUS continuation and the
/// part of a long response GET RESPONSE hands out (data and final SW).
#[derive(Debug, Default)]
struct ChannelState {
    phase: Phase,
    status_pages: Vec<Vec<u8>>,
    pending: PendingResponse,
}

impl GpCard {
    /// A SECURED card (`0F`) with the ISD at `isd_aid`, the key set `keys`, SCP03 with "i" `70`
    /// (pseudo-random card challenge, R-MAC and R-ENC: every level), and the load file
    /// `A0000000620001` (java.lang) preloaded as real cards have it.
    pub fn new(isd_aid: &[u8], keys: StaticKeys) -> Self {
        let mut key_sets = BTreeMap::new();
        key_sets.insert(keys.kvn(), keys);
        Self {
            isd_aid: isd_aid.to_vec(),
            i: IParameter::S8_PSEUDO_RANDOM_RMAC_RENC,
            scp02: None,
            kdd: [0; 10],
            rng: 1,
            key_sets,
            sequence_counter: 0,
            card_life_cycle: 0x0F,
            load_files: std::vec![LoadFile {
                aid: std::vec![0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01],
                modules: Vec::new(),
                version: Some([1, 0]),
            }],
            applications: Vec::new(),
            phase: Phase::Idle,
            loading: None,
            content: dap::ContentSecurity::default(),
            status_pages: Vec::new(),
            channels: [Some(ChannelState::default()), None, None, None],
            closing: false,
            storage: None,
            save_error: None,
        }
    }

    /// Takes over what `other` keeps in non-volatile memory (key sets, counter, life cycle,
    /// registry); sessions and channels stay.
    fn restore_persistent(&mut self, other: GpCard) {
        self.isd_aid = other.isd_aid;
        self.i = other.i;
        self.scp02 = other.scp02;
        self.kdd = other.kdd;
        self.rng = other.rng;
        self.key_sets = other.key_sets;
        self.sequence_counter = other.sequence_counter;
        self.card_life_cycle = other.card_life_cycle;
        self.load_files = other.load_files;
        self.applications = other.applications;
        self.content = other.content;
    }

    /// The same card with SCP03 "i" parameter `i` (Amendment D §5.1): its mode (S8 / S16), a
    /// pseudo-random card challenge or a (deterministic, seeded) random one, R-MAC / R-ENC
    /// support. The Card Recognition Data then lists this "i".
    pub fn with_i(mut self, i: IParameter) -> Self {
        self.i = i;
        self
    }

    /// The same card speaking SCP02 with "i" `i` (GPC v2.3.1 Appendix E; explicit initiation)
    /// instead of SCP03: its key sets are used as double-length 3DES keys (16 bytes, Table
    /// E-2), the Card Recognition Data lists SCP02 with this "i", PUT KEY takes DES keys.
    pub fn with_scp02(mut self, i: oxicard_secure_channel::scp02::IParameter) -> Self {
        self.scp02 = Some(i);
        self
    }

    /// The same card answering INITIALIZE UPDATE with this key diversification data (default
    /// ten zero bytes): for cards whose keys are diversified from a master key with it
    /// (Amendment D §7.1.1.6; see `oxicard_gp::keys`).
    pub fn with_key_diversification_data(mut self, kdd: [u8; 10]) -> Self {
        self.kdd = kdd;
        self
    }

    /// The executable load files.
    pub fn load_files(&self) -> &[LoadFile] {
        &self.load_files
    }

    /// The applications.
    pub fn applications(&self) -> &[Application] {
        &self.applications
    }

    /// The key versions present.
    pub fn key_versions(&self) -> Vec<u8> {
        self.key_sets.keys().copied().collect()
    }

    /// The card life cycle state (GPC v2.3.1 Table 11-2).
    pub fn card_life_cycle(&self) -> u8 {
        self.card_life_cycle
    }

    /// The sequence counter (the value the last INITIALIZE UPDATE used).
    pub fn sequence_counter(&self) -> u32 {
        self.sequence_counter
    }

    /// Processes one command on its channel: the status word, and the response data in `out`.
    fn handle(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let Ok(view) = CommandView::parse(raw) else { return SW_WRONG_LENGTH };
        if view.cla() == 0xFF {
            return SW_CLA;
        }
        let number = usize::from(Cla(view.cla()).channel());
        let Some(state) = self.channels.get_mut(number).and_then(Option::take) else { return SW_CHANNEL };
        let ChannelState { phase, status_pages, mut pending } = state;
        self.phase = phase;
        self.status_pages = status_pages;
        let sw = if view.ins() == 0xC0 {
            pending.get_response(t0::get_response_ne(view.ne()), out)
        } else {
            pending.clear();
            let sw = match view.ins() {
                0xA4 => self.select(&view, out),
                0x70 => self.manage_channel(number, view.p1(), view.p2(), out),
                0x50 => self.initialize_update(raw, out),
                0x82 => self.external_authenticate(raw),
                _ => self.secured(raw, out),
            };
            // Up to Ne bytes now, the rest by GET RESPONSE; without Le the T=0 case 4 rules.
            let data = core::mem::take(out);
            t0::answer(&mut pending, &data, view.ne() as usize, sw, out)
        };
        let state = ChannelState {
            phase: core::mem::take(&mut self.phase),
            status_pages: core::mem::take(&mut self.status_pages),
            pending,
        };
        // A channel that closed itself stays closed.
        if !core::mem::take(&mut self.closing)
            && let Some(slot) = self.channels.get_mut(number)
        {
            *slot = Some(state);
        }
        sw
    }

    /// MANAGE CHANNEL open (`00 70 00 00`) or close (`00 70 80 nn`), ISO/IEC 7816-4 §11.1.2.
    fn manage_channel(&mut self, current: usize, p1: u8, p2: u8, out: &mut Vec<u8>) -> StatusWord {
        match (p1, p2) {
            (0x00, 0x00) => {
                let free = (1u8..).zip(self.channels.iter_mut().skip(1)).find(|(_, c)| c.is_none());
                let Some((number, slot)) = free else { return SW_FUNCTION };
                *slot = Some(ChannelState::default());
                out.push(number);
                SW_OK
            }
            (0x80, 1..=3) if usize::from(p2) == current => {
                // The channel's own state is put back by `handle`: mark it closed there.
                self.phase = Phase::Idle;
                self.closing = true;
                SW_OK
            }
            (0x80, 1..=3) => match self.channels.get_mut(usize::from(p2)) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    SW_OK
                }
                _ => SW_CHANNEL,
            },
            _ => SW_WRONG_P1P2,
        }
    }

    /// The protocol the card speaks.
    fn protocol(&self) -> scp::Protocol {
        match self.scp02 {
            Some(i) => scp::Protocol::Scp02(i),
            None => scp::Protocol::Scp03(self.i),
        }
    }

    /// The next deterministic "random" bytes (xorshift64: this is a simulator).
    fn random(&mut self) -> [u8; 16] {
        let mut random = [0u8; 16];
        for chunk in random.chunks_mut(8) {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            chunk.copy_from_slice(&self.rng.to_be_bytes());
        }
        random
    }

    fn initialize_update(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        self.phase = Phase::Idle;
        let kvn = raw.get(2).copied().unwrap_or(0);
        let keys = if kvn == 0 { self.key_sets.values().next() } else { self.key_sets.get(&kvn) };
        let Some(keys) = keys.cloned() else { return SW_NOT_FOUND };
        let random = self.random();
        let mut buf = [0u8; 64];
        let opened = match self.scp02 {
            Some(i) => {
                // A 2-byte sequence counter (Table E-8): at its end the key set is used up.
                if self.sequence_counter >= 0xFFFF {
                    return SW_CONDITIONS;
                }
                let [a, b, c, d, e, f, ..] = random;
                let challenge = if i.pseudo_random_challenge() {
                    oxicard_secure_channel::scp02::CardChallenge::PseudoRandom { aid: &self.isd_aid }
                } else {
                    oxicard_secure_channel::scp02::CardChallenge::Random([a, b, c, d, e, f])
                };
                scp::scp02_initialize_update(
                    &keys,
                    i,
                    self.kdd,
                    self.sequence_counter,
                    challenge,
                    raw,
                    &mut buf,
                )
            }
            None => {
                if self.sequence_counter >= 0x00FF_FFFF {
                    return SW_CONDITIONS;
                }
                let pseudo_random = self.i.pseudo_random_challenge();
                let next = if pseudo_random { self.sequence_counter + 1 } else { self.sequence_counter };
                let [_, a, b, c] = next.to_be_bytes();
                let challenge = if pseudo_random {
                    CardChallenge::PseudoRandom { sequence_counter: [a, b, c], aid: &self.isd_aid }
                } else {
                    CardChallenge::Random(self.i.mode().truncate(&random))
                };
                CardHandshake::initialize_update(&keys, self.i, self.kdd, challenge, raw, &mut buf).map(
                    |(handshake, n)| {
                        self.sequence_counter = next;
                        (scp::Handshake::Scp03(Box::new(handshake), keys.dek().cloned()), n)
                    },
                )
            }
        };
        match opened {
            Ok((handshake, n)) => {
                // The handshake's answer ends with its `9000`, which this card returns itself.
                let Some([response @ .., _, _]) = buf.get(..n) else { return SW_SECURITY };
                out.extend_from_slice(response);
                self.phase = Phase::Authenticating(handshake);
                SW_OK
            }
            Err(e) => match e.kind {
                ErrorKind::KeyVersionMismatch => SW_NOT_FOUND,
                ErrorKind::InvalidChallengeLength | ErrorKind::InvalidLength | ErrorKind::Truncated => {
                    SW_WRONG_LENGTH
                }
                ErrorKind::InvalidClass => SW_CLA,
                _ => SW_WRONG_P1P2,
            },
        }
    }

    fn external_authenticate(&mut self, raw: &[u8]) -> StatusWord {
        let Phase::Authenticating(handshake) = core::mem::take(&mut self.phase) else {
            return SW_CONDITIONS;
        };
        let counts = handshake.counts_on_open();
        match handshake.external_authenticate(raw) {
            Ok((session, keys)) => {
                if counts {
                    self.sequence_counter += 1;
                }
                self.phase = Phase::Open(session, keys);
                SW_OK
            }
            Err(e) => match e.kind {
                ErrorKind::HostCryptogramMismatch => SW_AUTH_FAILED,
                ErrorKind::SecurityLevelNotSupported | ErrorKind::InvalidValue => SW_WRONG_P1P2,
                ErrorKind::InvalidLength | ErrorKind::Truncated => SW_WRONG_LENGTH,
                _ => SW_SECURITY,
            },
        }
    }

    /// A command under the session (or GET DATA without one).
    fn secured(&mut self, raw: &[u8], out: &mut Vec<u8>) -> StatusWord {
        let mut phase = core::mem::take(&mut self.phase);
        let sw = match &mut phase {
            Phase::Open(session, keys) => self.in_session(session, keys, raw, out),
            Phase::Authenticating(..) | Phase::Idle => {
                phase = Phase::Idle;
                match CommandView::parse(raw) {
                    Ok(view) if view.ins() == 0xCA => {
                        let (data, sw) = self.get_data(view.p1(), view.p2());
                        out.extend_from_slice(&data);
                        sw
                    }
                    _ => SW_SECURITY,
                }
            }
        };
        self.phase = phase;
        sw
    }

    fn in_session(
        &mut self,
        session: &mut scp::Session,
        keys: &scp::KeyDecryption,
        raw: &[u8],
        out: &mut Vec<u8>,
    ) -> StatusWord {
        let mut plain = std::vec![0u8; raw.len().max(8)];
        let Ok(n) = session.unwrap_command(raw, &mut plain) else { return SW_SECURITY };
        let Some(unwrapped) = plain.get(..n) else { return SW_SECURITY };
        let Ok(view) = CommandView::parse(unwrapped) else {
            return SW_WRONG_LENGTH;
        };
        let (mut response, sw) = self.manage(&view, keys);
        response.extend_from_slice(&sw.to_bytes());
        let Ok(len) = session.wrapped_response_len(&response) else { return SW_SECURITY };
        let mut wire = std::vec![0u8; len];
        let Ok(n) = session.wrap_response(&response, &mut wire) else { return SW_SECURITY };
        let Some([body @ .., sw1, sw2]) = wire.get(..n) else { return SW_SECURITY };
        out.extend_from_slice(body);
        StatusWord::new(*sw1, *sw2)
    }

    /// A plain card management command: response data and status word.
    fn manage(&mut self, view: &CommandView<'_>, keys: &scp::KeyDecryption) -> (Vec<u8>, StatusWord) {
        if view.cla() & 0x80 == 0 {
            return (Vec::new(), SW_CLA);
        }
        if view.ins() != 0xE8 && view.ins() != 0xF2 {
            self.status_pages.clear();
        }
        let done = |sw| (Vec::new(), sw);
        // A CARD_LOCKED card refuses content and key management (GPC v2.3.1 §5.1.1.4).
        if self.card_life_cycle == 0x7F && matches!(view.ins(), 0xE6 | 0xE8 | 0xE4 | 0xD8) {
            return done(SW_CONDITIONS);
        }
        match view.ins() {
            0xCA => self.get_data(view.p1(), view.p2()),
            0xF2 => self.get_status(view.p1(), view.p2(), view.data()),
            0xE6 => self.install(view.p1(), view.data()),
            0xE8 => self.load(view.p1(), view.p2(), view.data()),
            0xE4 => self.delete(view.p2(), view.data()),
            0xF0 => done(self.set_status(view.p1(), view.p2(), view.data())),
            0xD8 => self.put_key(view.p1(), view.data(), keys),
            _ => done(SW_INS),
        }
    }

    fn get_data(&self, p1: u8, p2: u8) -> (Vec<u8>, StatusWord) {
        match u16::from_be_bytes([p1, p2]) {
            0x9F7F => {
                // Hand-built example CPLC (GPC v2.3.1 §H.4 layout): `9F7F 2A` and 42 bytes.
                let mut cplc = std::vec![0x9F, 0x7F, 0x2A];
                cplc.extend((0u8..42).map(|i| i.wrapping_mul(7)));
                (cplc, SW_OK)
            }
            0x0066 => (self.card_recognition_data(), SW_OK),
            0x00E0 => {
                let mut kit = KeyInformationTemplate::default();
                for kvn in self.key_sets.keys() {
                    let len = self.key_sets.get(kvn).map_or(16, StaticKeys::key_len) as u16;
                    for id in 1..=3 {
                        kit.keys.push(KeyInfo::new(
                            id,
                            *kvn,
                            std::vec![KeyComponent::new(KeyInfo::TYPE_AES, len)],
                        ));
                    }
                }
                (kit.to_bytes(), SW_OK)
            }
            0x00C1 => {
                let [_, a, b, c] = self.sequence_counter.to_be_bytes();
                (std::vec![0xC1, 0x03, a, b, c], SW_OK)
            }
            0x00C2 => match self.content.confirmation_counter_object() {
                Some(counter) => (counter, SW_OK),
                None => (Vec::new(), SW_NOT_FOUND),
            },
            _ => (Vec::new(), SW_NOT_FOUND),
        }
    }

    /// The Card Recognition Data (`66`, GPC v2.3.1 §H.2): the real card's, its SCP03 entry
    /// `… 6B 04 03 70` with this card's "i".
    fn card_recognition_data(&self) -> Vec<u8> {
        let mut crd = CRD.to_vec();
        let [scp, i] = self.protocol().oid_suffix();
        if let Some(at) = crd.windows(4).position(|w| w == [0x6B, 0x04, 0x03, 0x70])
            && let Some([number, value]) = crd.get_mut(at + 2..at + 4)
        {
            (*number, *value) = (scp, i);
        }
        crd
    }

    fn entries(&self, kind: Kind) -> Vec<RegistryEntry> {
        match kind {
            Kind::IssuerSecurityDomain => {
                let mut e = RegistryEntry::new(kind, self.isd_aid.clone());
                e.life_cycle_state = self.card_life_cycle;
                e.privileges = Some(self.content.isd_privileges(Privileges::from_bytes([0x9E, 0xFE, 0x80])));
                std::vec![e]
            }
            Kind::Applications => self
                .applications
                .iter()
                .map(|a| {
                    let mut e = RegistryEntry::new(kind, a.aid.clone());
                    e.life_cycle_state = a.life_cycle;
                    e.privileges = Some(a.privileges);
                    e.load_file = Some(a.load_file.clone());
                    e.security_domain = Some(self.isd_aid.clone());
                    e
                })
                .collect(),
            Kind::LoadFiles | Kind::LoadFilesAndModules => self
                .load_files
                .iter()
                .map(|f| {
                    let mut e = RegistryEntry::new(kind, f.aid.clone());
                    e.life_cycle_state = 0x01;
                    e.version = f.version.map(|v| v.to_vec());
                    e.security_domain = Some(self.isd_aid.clone());
                    if kind == Kind::LoadFilesAndModules {
                        e.modules = f.modules.clone();
                    }
                    e
                })
                .collect(),
            // A registry subset of a later GlobalPlatform version: this card has none of it.
            _ => Vec::new(),
        }
    }

    /// GET STATUS (GPC v2.3.1 §11.4). P1 `80` (the ISD only): the search criteria are ignored
    /// and "get next" is refused (§11.4.2.1, §11.4.2.2). Otherwise the data field starts with
    /// the mandatory AID search qualifier `4F` (`4F 00`: everything, else an AID prefix, e.g. a
    /// RID); further search criteria and a tag list `5C` may follow and are ignored, as a card
    /// that does not support them must (§11.4.2.3): the response holds the default objects of
    /// Tables 11-36 / 11-37 (§11.4.3.1). No `4F` first: `6A80`.
    fn get_status(&mut self, p1: u8, p2: u8, criteria: &[u8]) -> (Vec<u8>, StatusWord) {
        let next = p2 & 0x01 != 0;
        if next && p1 == 0x80 {
            return (Vec::new(), SW_WRONG_P1P2);
        }
        if !next {
            let kind = match p1 {
                0x80 => Kind::IssuerSecurityDomain,
                0x40 => Kind::Applications,
                0x20 => Kind::LoadFiles,
                0x10 => Kind::LoadFilesAndModules,
                _ => return (Vec::new(), SW_WRONG_P1P2),
            };
            let tlv = match p2 & !0x01 {
                0x02 => true,
                0x00 => false,
                _ => return (Vec::new(), SW_WRONG_P1P2),
            };
            let wanted = if kind == Kind::IssuerSecurityDomain {
                &[][..]
            } else {
                match aid_search_qualifier(criteria) {
                    Some(aid) => aid,
                    None => return (Vec::new(), SW_WRONG_DATA),
                }
            };
            self.status_pages = self
                .entries(kind)
                .into_iter()
                .filter(|e| e.aid.starts_with(wanted))
                .map(|e| if tlv { e.to_tlv() } else { e.to_legacy() })
                .rev()
                .collect();
            if self.status_pages.is_empty() {
                return (Vec::new(), SW_NOT_FOUND);
            }
        } else if self.status_pages.is_empty() {
            return (Vec::new(), SW_CONDITIONS);
        }
        let mut out = Vec::new();
        while let Some(entry) = self.status_pages.last() {
            if !out.is_empty() && out.len() + entry.len() > PAGE {
                break;
            }
            out.extend_from_slice(entry);
            self.status_pages.pop();
        }
        let sw = if self.status_pages.is_empty() { SW_OK } else { SW_MORE };
        (out, sw)
    }

    fn install(&mut self, p1: u8, data: &[u8]) -> (Vec<u8>, StatusWord) {
        let Ok(request) = InstallRequest::parse(p1, data) else { return (Vec::new(), SW_WRONG_DATA) };
        let mut response = std::vec![0x00];
        let sw = match request {
            InstallRequest::ForLoad { load_file_aid, security_domain_aid, hash, .. } => {
                if !security_domain_aid.is_empty() && security_domain_aid != self.isd_aid {
                    SW_NOT_FOUND
                } else if self.load_files.iter().any(|f| f.aid == load_file_aid) {
                    SW_CONDITIONS
                } else {
                    self.loading =
                        Some(Loading { aid: load_file_aid, hash, data: Vec::new(), next_block: 0 });
                    SW_OK
                }
            }
            InstallRequest::ForInstall {
                load_file_aid,
                module_aid,
                application_aid,
                privileges,
                make_selectable,
                ..
            } => {
                let module_known = self
                    .load_files
                    .iter()
                    .find(|f| f.aid == load_file_aid)
                    .is_some_and(|f| f.modules.contains(&module_aid));
                if !module_known {
                    SW_NOT_FOUND
                } else if application_aid == self.isd_aid
                    || self.applications.iter().any(|a| a.aid == application_aid)
                {
                    SW_CONDITIONS
                } else {
                    let context =
                        ReceiptContext::Install { load_file: &load_file_aid, application: &application_aid };
                    response = self.content.confirm(&self.kdd, context);
                    self.applications.push(Application {
                        aid: application_aid,
                        load_file: load_file_aid,
                        module: module_aid,
                        privileges,
                        life_cycle: if make_selectable { 0x07 } else { 0x03 },
                    });
                    SW_OK
                }
            }
            InstallRequest::ForPersonalization { .. } => SW_WRONG_P1P2,
            _ => SW_WRONG_P1P2,
        };
        (if sw == SW_OK { response } else { Vec::new() }, sw)
    }

    fn load(&mut self, p1: u8, p2: u8, data: &[u8]) -> (Vec<u8>, StatusWord) {
        let Some(loading) = self.loading.as_mut() else { return (Vec::new(), SW_CONDITIONS) };
        if p2 != loading.next_block {
            self.loading = None;
            return (Vec::new(), SW_WRONG_P1P2);
        }
        loading.data.extend_from_slice(data);
        loading.next_block = loading.next_block.wrapping_add(1);
        if p1 & 0x80 == 0 {
            return (std::vec![0x00], SW_OK);
        }
        let Some(loading) = self.loading.take() else { return (Vec::new(), SW_CONDITIONS) };
        let block = self.content.check_load_file(&self.isd_aid, &loading.hash, &loading.data);
        match block.and_then(|block| parse_load_file(&loading, block)) {
            Ok(file) => {
                let context = ReceiptContext::Load { load_file: &file.aid, security_domain: &self.isd_aid };
                let response = self.content.confirm(&self.kdd, context);
                self.load_files.push(file);
                (response, SW_OK)
            }
            Err(sw) => (Vec::new(), sw),
        }
    }

    fn delete(&mut self, p2: u8, data: &[u8]) -> (Vec<u8>, StatusWord) {
        let and_related = p2 & 0x80 != 0;
        let mut response = std::vec![0x00];
        let sw = match DeleteRequest::parse(data) {
            Err(_) => SW_WRONG_DATA,
            Ok(DeleteRequest::Object(aid)) => {
                let sw = if aid == self.isd_aid {
                    SW_CONDITIONS
                } else if let Some(at) = self.applications.iter().position(|a| a.aid == aid) {
                    self.applications.remove(at);
                    SW_OK
                } else if let Some(at) = self.load_files.iter().position(|f| f.aid == aid) {
                    let dependents = self.applications.iter().any(|a| a.load_file == aid);
                    if dependents && !and_related {
                        SW_CONDITIONS
                    } else {
                        self.applications.retain(|a| a.load_file != aid);
                        self.load_files.remove(at);
                        SW_OK
                    }
                } else {
                    SW_NOT_FOUND
                };
                if sw == SW_OK {
                    response = self.content.confirm(&self.kdd, ReceiptContext::Delete { aid: &aid });
                }
                sw
            }
            Ok(DeleteRequest::Key { version, .. }) => match version {
                Some(v) if self.key_sets.len() > 1 && self.key_sets.remove(&v).is_some() => SW_OK,
                Some(v) if self.key_sets.contains_key(&v) => SW_CONDITIONS,
                _ => SW_NOT_FOUND,
            },
            Ok(_) => SW_WRONG_DATA,
        };
        (if sw == SW_OK { response } else { Vec::new() }, sw)
    }

    fn set_status(&mut self, p1: u8, p2: u8, data: &[u8]) -> StatusWord {
        match p1 {
            0x80 => {
                let allowed = matches!(
                    (self.card_life_cycle, p2),
                    (0x01, 0x07) | (0x07, 0x0F) | (0x0F, 0x7F) | (0x7F, 0x0F) | (_, 0xFF)
                );
                if self.card_life_cycle == 0xFF || !allowed {
                    return SW_CONDITIONS;
                }
                self.card_life_cycle = p2;
                SW_OK
            }
            0x40 => {
                let Some(app) = self.applications.iter_mut().find(|a| a.aid == data) else {
                    return SW_NOT_FOUND;
                };
                app.life_cycle = if p2 & 0x80 != 0 { app.life_cycle | 0x80 } else { app.life_cycle & 0x7F };
                SW_OK
            }
            _ => SW_WRONG_P1P2,
        }
    }

    /// PUT KEY of a whole AES key set (key identifiers 1 to 3), decoded by `put_key.rs`.
    fn put_key(&mut self, p1: u8, data: &[u8], keys: &scp::KeyDecryption) -> (Vec<u8>, StatusWord) {
        let parsed = match keys {
            scp::KeyDecryption::Aes(Some(dek)) => put_key::parse(data, dek),
            scp::KeyDecryption::Des(dek) => scp::parse_des_put_key(data, dek),
            scp::KeyDecryption::Aes(None) => return (Vec::new(), SW_CONDITIONS),
        };
        let request = match parsed {
            Ok(request) => request,
            Err(sw) => return (Vec::new(), sw),
        };
        let [enc, mac, dek] = request.keys.as_slice() else { return (Vec::new(), SW_WRONG_DATA) };
        if p1 != 0 && !self.key_sets.contains_key(&p1) {
            return (Vec::new(), SW_NOT_FOUND);
        }
        if request.new_kvn != p1 && self.key_sets.contains_key(&request.new_kvn) {
            return (Vec::new(), SW_CONDITIONS);
        }
        let Ok(keys) = StaticKeys::new(request.new_kvn, enc.as_bytes(), mac.as_bytes(), dek.as_bytes())
        else {
            return (Vec::new(), SW_WRONG_DATA);
        };
        if p1 != 0 {
            self.key_sets.remove(&p1);
        }
        self.key_sets.insert(request.new_kvn, keys);
        (request.response(), SW_OK)
    }
}

/// The Load File Data Block (the `C4` value of the reassembled LOAD data, after its DAP
/// Blocks): its hash checked, its components parsed as a CAP file (GPC v2.3.1 §11.6.2.3;
/// JCVM 3.0.5 §6).
fn parse_load_file(loading: &Loading, block: &[u8]) -> Result<LoadFile, StatusWord> {
    let algorithm = match loading.hash.len() {
        0 => None,
        20 => Some(HashAlgorithm::Sha1),
        32 => Some(HashAlgorithm::Sha256),
        _ => return Err(SW_WRONG_DATA),
    };
    if algorithm.is_some_and(|a| a.digest(block) != loading.hash) {
        return Err(SW_WRONG_DATA);
    }
    let mut components = Vec::new();
    let mut rest = block;
    while let [tag, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        let component = Component::ALL.into_iter().find(|c| c.tag() == *tag).ok_or(SW_WRONG_DATA)?;
        let whole = rest.get(..3 + len).ok_or(SW_WRONG_DATA)?;
        components.push((component, whole.to_vec()));
        rest = tail.get(len..).ok_or(SW_WRONG_DATA)?;
    }
    if !rest.is_empty() {
        return Err(SW_WRONG_DATA);
    }
    let cap = CapFile::from_components(components).map_err(|_| SW_WRONG_DATA)?;
    if cap.package_aid() != loading.aid.as_slice() {
        return Err(SW_WRONG_DATA);
    }
    let (major, minor) = cap.package_version();
    Ok(LoadFile {
        aid: loading.aid.clone(),
        modules: cap.applet_aids().iter().map(|aid| aid.to_vec()).collect(),
        version: Some([major, minor]),
    })
}

/// The AID of the GET STATUS search criteria: the value of the leading `4F` (0 to 16 bytes,
/// GPC v2.3.1 Table 11-35); `None` without it. What follows (other search criteria, a tag list)
/// is not looked at: a card that does not support them ignores them (§11.4.2.3), even when
/// they are cut short, as the tag list of pySim's own GET STATUS test vector is.
fn aid_search_qualifier(criteria: &[u8]) -> Option<&[u8]> {
    let (aid, _ignored) = Tlv::parse_prefix(criteria, Mode::Lenient).ok()?;
    (aid.tag().to_u32() == 0x4F && aid.value().len() <= 16).then(|| aid.value())
}

impl CardSimulator for GpCard {
    fn atr(&self) -> &[u8] {
        &ATR
    }

    fn reset(&mut self) {
        self.phase = Phase::Idle;
        self.channels = [Some(ChannelState::default()), None, None, None];
        self.loading = None;
        self.status_pages.clear();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        let mut sw = self.handle(command, response);
        if self.persist_or_undo().is_err() {
            sw = SW_MEMORY_FAILURE;
        }
        if sw != SW_OK && !matches!(sw.to_bytes(), [0x61..=0x63, _]) {
            response.clear();
        }
        response.extend_from_slice(&sw.to_bytes());
    }
}
