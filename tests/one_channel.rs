//! One channel model across the crates: code written once for a `CardChannel` runs on a plain
//! card and, unchanged, under an SCP03 session — GlobalPlatform operations on the simulated GP
//! card, and a whole ISD-R / ES10 exchange on the software eUICC behind an SCP03 front (the
//! eUICC sees the same plain APDUs either way) — and a session that owns its card lives in a
//! struct across calls.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::{Arc, Mutex};

use oxicard::apdu::card::{Card, CardChannel, CardError};
use oxicard::apdu::pending::PendingResponse;
use oxicard::apdu::{Cla, CommandView, StatusWord};
use oxicard::euicc::es10::{ProfileInfo, ProfileState};
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::gp::cap::{CapFile, HashAlgorithm, LoadOptions};
use oxicard::gp::command::InstallParameters;
use oxicard::gp::connect::IsdSelection;
use oxicard::gp::data::tags;
use oxicard::gp::status::{Kind, Privileges, RegistryEntry, get_status};
use oxicard::gp::{GpError, ops, select_isd};
use oxicard::secure_channel::scp03::{
    CardChallenge, CardHandshake, CardSession, IParameter, OpenOptions, Scp03Error, Scp03Session,
    SecurityLevel, StaticKeys,
};
use oxicard::sim::euicc::SoftEuicc;
use oxicard::sim::gp::{DEFAULT_ISD_AID, GpCard};
use oxicard::transport::sim::{CardSimulator, SimulatorTransport};

/// Hand-made example keys (not a published vector).
fn keys() -> StaticKeys {
    StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap()
}

type GpSimCard = Card<SimulatorTransport<GpCard>>;

fn gp_card() -> GpSimCard {
    let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys())));
    select_isd(&mut card, IsdSelection::Known).unwrap();
    card
}

fn hellostk() -> CapFile {
    CapFile::from_zip(include_bytes!("../crates/gp/testdata/hellostk.cap")).unwrap()
}

/// What a GP tool reads from a card, written once for any channel: Card Recognition Data (no
/// authentication needed) and the ISD's registry entry (GET STATUS, which needs a session).
fn inventory(channel: &mut (impl CardChannel + ?Sized)) -> (Vec<u8>, Result<Vec<RegistryEntry>, GpError>) {
    let crd = ops::get_data(channel, tags::CARD_DATA).unwrap();
    (crd, get_status(channel, Kind::IssuerSecurityDomain))
}

/// Loads and installs `cap`, lists the load files, deletes it again: any channel.
fn update_cycle(channel: &mut (impl CardChannel + ?Sized), cap: &CapFile) -> Vec<Vec<u8>> {
    ops::load(channel, cap, &[], LoadOptions::default(), Some(HashAlgorithm::Sha256)).unwrap();
    let instance = ops::Instance::of(cap.package_aid(), cap.applet_aids()[0]);
    let parameters = InstallParameters::default();
    ops::install(channel, &instance, Privileges::NONE, &parameters).unwrap();
    let files = get_status(channel, Kind::LoadFiles).unwrap().into_iter().map(|e| e.aid).collect();
    ops::delete(channel, &cap.package_aid(), true).unwrap();
    files
}

#[test]
fn gp_operations_run_unchanged_under_scp03_at_every_level() {
    let mut card = gp_card();
    // On the plain card: GET DATA answers, GET STATUS needs a session (6982).
    let (plain_crd, refused) = inventory(&mut card);
    assert!(matches!(refused, Err(GpError::Status { operation: "GET STATUS", sw }) if sw.to_u16() == 0x6982));
    for level in SecurityLevel::ALL {
        let mut session = Scp03Session::open(&mut card, &keys(), level, &OpenOptions::new()).unwrap();
        let (crd, isd) = inventory(&mut session);
        assert_eq!(crd, plain_crd, "{level:?}");
        assert_eq!(isd.unwrap()[0].aid, DEFAULT_ISD_AID, "{level:?}");
        // LOAD blocks sized to what fits the level's protection, through a `dyn` channel too.
        let boxed: &mut dyn CardChannel = &mut session;
        let files = update_cycle(boxed, &hellostk());
        assert!(files.contains(&hellostk().package_aid().to_vec()), "{level:?}");
    }
    assert!(card.transport().simulator().applications().is_empty());
}

/// A card manager that keeps its SCP03 session — which owns its card — between calls.
struct Manager {
    session: Scp03Session<GpSimCard>,
}

impl Manager {
    fn connect(card: GpSimCard) -> Result<Self, Scp03Error> {
        let level = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
        Ok(Self { session: Scp03Session::open(card, &keys(), level, &OpenOptions::new())? })
    }

    fn install(&mut self, cap: &CapFile) -> Result<(), Box<dyn std::error::Error>> {
        ops::load(&mut self.session, cap, &[], LoadOptions::default(), None)?;
        for applet in cap.applet_aids() {
            let parameters = InstallParameters::default();
            let instance = ops::Instance::of(cap.package_aid(), *applet);
            ops::install(&mut self.session, &instance, Privileges::NONE, &parameters)?;
        }
        Ok(())
    }

    fn applications(&mut self) -> Result<Vec<Vec<u8>>, GpError> {
        Ok(get_status(&mut self.session, Kind::Applications)?.into_iter().map(|e| e.aid).collect())
    }

    fn remove(&mut self, cap: &CapFile) -> Result<(), Box<dyn std::error::Error>> {
        ops::delete(&mut self.session, &cap.package_aid(), true)?;
        Ok(())
    }

    fn disconnect(self) -> GpSimCard {
        self.session.close()
    }
}

#[test]
fn a_session_owning_its_card_lives_in_a_struct_across_calls() {
    let cap = hellostk();
    let mut manager = Manager::connect(gp_card()).unwrap();
    assert!(manager.applications().unwrap().iter().all(|aid| *aid != cap.applet_aids()[0]));
    manager.install(&cap).unwrap();
    assert!(manager.applications().unwrap().contains(&cap.applet_aids()[0].to_vec()));
    manager.remove(&cap).unwrap();
    let counter = manager.session.state().encryption_counter();
    assert!(counter > 5, "one session across every call: {counter} commands");
    let card = manager.disconnect();
    assert!(card.transport().simulator().applications().is_empty());
}

#[test]
fn a_failed_session_is_a_typed_secure_channel_error_of_the_channel() {
    let mut card = gp_card();
    let mut session =
        Scp03Session::open(&mut card, &keys(), SecurityLevel::C_DEC_C_MAC, &OpenOptions::new()).unwrap();
    // The encryption counter is spent: the next command ends the session (Amendment D §6.2.6).
    session.set_counter_limit(0);
    let Err(GpError::Transmit(error)) = ops::get_data(&mut session, tags::CARD_DATA) else {
        panic!("the exhausted counter must fail the command")
    };
    assert!(matches!(error, CardError::SecureChannel(_)), "{error:?}");
    let scp03 = error.secure_channel_error::<Scp03Error>().unwrap();
    assert!(scp03.is_security_failure(), "{scp03:?}");
    assert_eq!(
        oxicard::transport::ErrorChain(&error).to_string(),
        "secure channel: security failure, session terminated: encryption counter exhausted"
    );
    // The same error, typed again; and every later command finds the session gone.
    assert!(Scp03Error::from(error).is_security_failure());
    let Err(GpError::Transmit(error)) = ops::get_data(&mut session, tags::CARD_DATA) else { panic!() };
    assert!(matches!(Scp03Error::from(error), Scp03Error::Terminated));
}

/// The plain commands an eUICC received, GET RESPONSE left out (the layer below the session
/// makes those, and they differ with the response sizes).
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn commands(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The software eUICC, noting each command it processes in `seen`.
struct Recorded {
    euicc: SoftEuicc,
    seen: Seen,
}

impl CardSimulator for Recorded {
    fn atr(&self) -> &[u8] {
        &oxicard::apdu::testcard::ATR_EXTENDED
    }

    fn reset(&mut self) {
        self.euicc.reset();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        if command.get(1) != Some(&0xC0) {
            self.seen.0.lock().unwrap().push(hex::encode_upper(command));
        }
        self.euicc.process(command, response);
    }
}

/// An SCP03 terminator in front of a card simulator (GP Card Spec Amendment D, card side of
/// the secure-channel crate): INITIALIZE UPDATE and EXTERNAL AUTHENTICATE open a session on the
/// basic channel; then every command with secure messaging is verified and decrypted, handed to
/// the card behind (following its `61xx` with GET RESPONSE), and its answer protected and
/// handed out in `61xx` parts as Ne allows. Anything else goes to the card behind as it is.
struct Scp03Front<S> {
    inner: S,
    handshake: Option<CardHandshake>,
    session: Option<CardSession>,
    pending: PendingResponse,
    /// Commands unwrapped, and GET RESPONSE rounds of protected answers.
    secured: usize,
    get_responses: usize,
}

impl<S: CardSimulator> Scp03Front<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            handshake: None,
            session: None,
            pending: PendingResponse::new(),
            secured: 0,
            get_responses: 0,
        }
    }

    /// The complete answer of the card behind to `command` (data || SW).
    fn inner_answer(&mut self, command: &[u8]) -> Vec<u8> {
        let mut answer = Vec::new();
        let mut part = Vec::new();
        self.inner.process(command, &mut part);
        while let [.., 0x61, available] = part[..] {
            answer.extend_from_slice(&part[..part.len() - 2]);
            part.clear();
            self.inner.process(&[0x00, 0xC0, 0x00, 0x00, available], &mut part);
        }
        answer.extend_from_slice(&part);
        answer
    }

    fn secured(&mut self, command: &[u8], ne: usize, out: &mut Vec<u8>) -> StatusWord {
        let session = self.session.as_mut().unwrap();
        let mut plain = vec![0; command.len()];
        let Ok(n) = session.unwrap_command(command, &mut plain) else { return StatusWord::new(0x69, 0x82) };
        self.secured += 1;
        let answer = self.inner_answer(&plain[..n]);
        let session = self.session.as_mut().unwrap();
        let mut wire = vec![0; session.wrapped_response_len(&answer).unwrap()];
        let m = session.wrap_response(&answer, &mut wire).unwrap();
        let (body, sw) = wire[..m].split_at(m - 2);
        self.pending.respond(body, ne, StatusWord::new(sw[0], sw[1]), out)
    }
}

impl<S: CardSimulator> CardSimulator for Scp03Front<S> {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self) {
        (self.handshake, self.session) = (None, None);
        self.pending.clear();
        self.inner.reset();
    }

    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        let view = CommandView::parse(command).unwrap();
        let ne = match view.ne() {
            0 if view.is_extended() => 65_536,
            0 => 256,
            ne => ne as usize,
        };
        let sw = match (view.cla(), view.ins()) {
            (_, 0xC0) => {
                self.get_responses += 1;
                self.pending.get_response(ne, response)
            }
            (0x80, 0x50) => {
                let mut out = [0u8; 64];
                let i = IParameter::S8_PSEUDO_RANDOM_RMAC_RENC;
                let challenge =
                    CardChallenge::PseudoRandom { sequence_counter: [0, 0, 1], aid: &DEFAULT_ISD_AID };
                let (handshake, n) =
                    CardHandshake::initialize_update(&keys(), i, [0; 10], challenge, command, &mut out)
                        .unwrap();
                self.handshake = Some(handshake);
                response.extend_from_slice(&out[..n - 2]);
                StatusWord::SUCCESS
            }
            (0x84, 0x82) => {
                self.session = Some(self.handshake.take().unwrap().external_authenticate(command).unwrap());
                StatusWord::SUCCESS
            }
            (cla, _) if Cla(cla).is_secure_messaging() && self.session.is_some() => {
                self.pending.clear();
                self.secured(command, ne, response)
            }
            _ => {
                self.inner.process(command, response);
                return;
            }
        };
        response.extend_from_slice(&sw.to_bytes());
    }
}

/// An eUICC with four profiles, the first enabled: their list is longer than one short
/// response, so GET RESPONSE rounds follow it, below the session too.
fn euicc() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    for (n, iccid) in
        ["8944478600004573128", "8944478600004573136", "8944478600004573144", "8944478600004573151"]
            .into_iter()
            .enumerate()
    {
        let state = if n == 0 { ProfileState::Enabled } else { ProfileState::Disabled };
        let profile = {
            let mut profile_info = ProfileInfo::new(iccid.parse().unwrap());
            profile_info.profile_name =
                Some(format!("Operator {n} with a profile name long enough to need some room"));
            profile_info.service_provider_name = Some("OXI".into());
            profile_info.state = Some(state);
            profile_info
        };
        euicc.install_profile_for_tests(profile).unwrap();
    }
    euicc
}

/// ISD-R code written once for any channel: EID, the profiles, a nickname set in several STORE
/// DATA blocks (segments of 16 bytes), the profiles again.
fn lpa_session(channel: impl CardChannel, options: &IsdrOptions) -> (String, Vec<Option<String>>) {
    let mut isdr = Isdr::open(channel, options).unwrap();
    let eid = isdr.eid().unwrap().to_string();
    assert_eq!(isdr.profiles().unwrap().len(), 4);
    isdr.set_segment_size(16).unwrap();
    isdr.set_nickname("8944478600004573136".parse().unwrap(), "travel, with a long nickname").unwrap();
    let names = isdr.profiles().unwrap().into_iter().map(|p| p.nickname).collect();
    isdr.close().unwrap();
    (eid, names)
}

#[test]
fn an_isdr_session_runs_unchanged_under_scp03() {
    // On the plain card, on the basic channel.
    let plain_seen = Seen::default();
    let mut card = Card::new(SimulatorTransport::new(Recorded { euicc: euicc(), seen: plain_seen.clone() }));
    let basic = IsdrOptions::default().with_logical_channel(false);
    let plain = lpa_session(&mut card, &basic);
    assert_eq!(plain.1, [None, Some("travel, with a long nickname".to_owned()), None, None]);

    // Under SCP03, with the default options: the session opens no logical channel, so the ISD-R
    // goes on the session's channel and every command is protected both ways.
    let seen = Seen::default();
    let front = Scp03Front::new(Recorded { euicc: euicc(), seen: seen.clone() });
    let mut card = Card::new(SimulatorTransport::new(front));
    for level in [SecurityLevel::C_MAC, SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC] {
        seen.0.lock().unwrap().clear();
        let session = Scp03Session::open(&mut card, &keys(), level, &OpenOptions::new()).unwrap();
        let secured = lpa_session(session, &IsdrOptions::default());
        assert_eq!(secured.0, plain.0, "{level:?}");
        assert_eq!(seen.commands(), plain_seen.commands(), "{level:?}: the eUICC saw other commands");
        // The same nickname set again: the eUICC's answer does not change.
        assert_eq!(secured.1, plain.1, "{level:?}");
    }
    // Every command of the ISD-R went through the session (both levels), and long answers were
    // handed out in GET RESPONSE rounds below it.
    let front = card.transport().simulator();
    assert_eq!(front.secured, 2 * plain_seen.commands().len());
    assert!(front.get_responses >= 2, "{}", front.get_responses);
    // What the plain card saw: SELECT, then STORE DATA blocks only (GetEID, GetProfilesInfo, the
    // SetNickname in 16-byte blocks P1 11 … 91, GetProfilesInfo).
    let commands = plain_seen.commands();
    assert!(commands[0].starts_with("00A40400"), "{commands:?}");
    assert!(commands[1..].iter().all(|c| c.starts_with("80E2")), "{commands:?}");
    assert!(commands.iter().filter(|c| c.starts_with("80E211")).count() >= 2, "{commands:?}");
}
