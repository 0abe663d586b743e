//! The card simulator both test cards share: logical channels, SELECT, MANAGE CHANNEL,
//! GET RESPONSE, the phases of a channel's session, canned answers and the echo command
//! (ISO/IEC 7816-4 §5.3, §7.1.1, §7.1.2, §11.1.2). What differs between SCP03 and SCP02 (the
//! handshake, implicit initiation, the application's extra instructions) is a
//! [`CardProtocol`].

use std::vec::Vec;

use oxicard_apdu::pending::PendingResponse;
use oxicard_apdu::{Cla, CommandView, StatusWord};

use super::INS_ECHO;
use crate::error::{Error, ErrorKind, Result};

pub(crate) const SW_OK: StatusWord = StatusWord::SUCCESS;
pub(crate) const SW_WARNING_CHANGED: StatusWord = StatusWord::new(0x63, 0x00);
pub(crate) const SW_WRONG_LENGTH: StatusWord = StatusWord::new(0x67, 0x00);
pub(crate) const SW_CHANNEL_NOT_SUPPORTED: StatusWord = StatusWord::new(0x68, 0x81);
pub(crate) const SW_SECURITY: StatusWord = StatusWord::new(0x69, 0x82);
pub(crate) const SW_CONDITIONS: StatusWord = StatusWord::new(0x69, 0x85);
pub(crate) const SW_WRONG_DATA: StatusWord = StatusWord::new(0x6A, 0x80);
pub(crate) const SW_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x82);
pub(crate) const SW_WRONG_P1P2: StatusWord = StatusWord::new(0x6A, 0x86);
pub(crate) const SW_FUNCTION_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6A, 0x81);
pub(crate) const SW_DATA_NOT_FOUND: StatusWord = StatusWord::new(0x6A, 0x88);
pub(crate) const SW_INS_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6D, 0x00);
pub(crate) const SW_CLA_NOT_SUPPORTED: StatusWord = StatusWord::new(0x6E, 0x00);

/// The card side of a session as the simulator drives it: implemented by
/// [`scp03::CardSession`](crate::scp03::CardSession) and
/// [`scp02::CardSession`](crate::scp02::CardSession).
pub(crate) trait CardMessaging {
    /// Verifies and unwraps a command into `out`; returns the plain length.
    fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize>;
    /// The wire length of a plain response once wrapped.
    fn wrapped_response_len(&self, response: &[u8]) -> Result<usize>;
    /// Wraps a plain response (data || SW) into `out`; returns the wire length.
    fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize>;
}

/// What a protocol's test card adds to the skeleton: its configuration and key set, the
/// handshake, and the application's instructions beyond the echo command.
pub(crate) trait CardProtocol {
    /// The card side between INITIALIZE UPDATE and EXTERNAL AUTHENTICATE.
    type Handshake: core::fmt::Debug;
    /// The card side of an open session.
    type Session: core::fmt::Debug + CardMessaging;

    /// The AID of the security domain (the SELECT target).
    fn aid(&self) -> &[u8];
    /// The canned answers: plain command (CLA on the basic channel), plain response.
    fn canned(&self) -> &[(Vec<u8>, Vec<u8>)];
    /// INITIALIZE UPDATE: the response data (without SW) into `out` and the handshake, or
    /// the status word refusing it.
    fn initialize_update(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
    ) -> core::result::Result<Self::Handshake, StatusWord>;
    /// EXTERNAL AUTHENTICATE: the open session, or the status word refusing it.
    fn external_authenticate(
        &mut self,
        handshake: Self::Handshake,
        raw: &[u8],
    ) -> core::result::Result<Self::Session, StatusWord>;
    /// The phase of channel `number` as a command other than the handshake's arrives:
    /// where SCP02 starts and ends implicitly initiated sessions. Nothing by default.
    fn enter(
        &mut self,
        _number: u8,
        _raw: &[u8],
        _phase: &mut Phase<Self::Handshake, Self::Session>,
    ) -> core::result::Result<(), StatusWord> {
        Ok(())
    }
    /// After `session` verified a command. Nothing by default.
    fn verified(&mut self, _session: &Self::Session) {}
    /// An instruction of the application with a proprietary CLA (b8 set) other than echo,
    /// under `session` if one is open; `None` for an instruction it does not know.
    /// None by default.
    fn application(
        &mut self,
        _session: Option<&Self::Session>,
        _view: &CommandView<'_>,
        _out: &mut Vec<u8>,
    ) -> Option<StatusWord> {
        None
    }
}

/// The phase of a channel's session.
#[derive(Debug, Default)]
pub(crate) enum Phase<H, S> {
    /// No session.
    #[default]
    Idle,
    /// After INITIALIZE UPDATE.
    Authenticating(H),
    /// After EXTERNAL AUTHENTICATE (or the first command of an implicit session).
    Open(S),
}

#[derive(Debug)]
struct Channel<H, S> {
    phase: Phase<H, S>,
    pending: PendingResponse,
}

impl<H, S> Default for Channel<H, S> {
    fn default() -> Self {
        Self { phase: Phase::Idle, pending: PendingResponse::default() }
    }
}

/// The deterministic challenge generator of the simulators (xorshift64). Not random: these
/// are simulators.
#[derive(Debug)]
pub(crate) struct Xorshift(u64);

impl Xorshift {
    /// A generator from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 8 bytes.
    pub(crate) fn next(&mut self) -> [u8; 8] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.to_be_bytes()
    }
}

/// The status word refusing INITIALIZE UPDATE for a handshake error (GP Card Spec v2.3.1
/// §11.8.3, Amendment D §7.1.1.4).
pub(crate) fn initialize_update_sw(error: Error) -> StatusWord {
    match error.kind {
        ErrorKind::KeyVersionMismatch => SW_DATA_NOT_FOUND,
        ErrorKind::InvalidChallengeLength | ErrorKind::InvalidLength | ErrorKind::Truncated => {
            SW_WRONG_LENGTH
        }
        ErrorKind::InvalidClass => SW_CLA_NOT_SUPPORTED,
        _ => SW_WRONG_P1P2,
    }
}

/// The status word refusing EXTERNAL AUTHENTICATE for a handshake error (GP Card Spec v2.3.1
/// Table E-12, Amendment D §7.1.2.4).
pub(crate) fn external_authenticate_sw(error: Error) -> StatusWord {
    match error.kind {
        ErrorKind::HostCryptogramMismatch => SW_WARNING_CHANGED,
        ErrorKind::SecurityLevelNotSupported | ErrorKind::InvalidValue => SW_WRONG_P1P2,
        ErrorKind::InvalidLength | ErrorKind::Truncated => SW_WRONG_LENGTH,
        _ => SW_SECURITY,
    }
}

/// The first `n` bytes of `buf`, `n` returned by the function that wrote them.
pub(crate) fn prefix(buf: &[u8], n: usize) -> Result<&[u8]> {
    buf.get(..n).ok_or(Error::buffer_too_small(n))
}

/// The simulator: the protocol `P` and what every card has.
#[derive(Debug)]
pub(crate) struct Simulator<P: CardProtocol> {
    protocol: P,
    channels: [Option<Channel<P::Handshake, P::Session>>; 20],
    instructions: [usize; 256],
    plain: Vec<u8>,
    response: Vec<u8>,
    last_command: Vec<u8>,
    last_response: Vec<u8>,
}

impl<P: CardProtocol> Simulator<P> {
    /// A card with `protocol`, powered on.
    pub(crate) fn new(protocol: P) -> Self {
        let mut card = Self {
            protocol,
            channels: Default::default(),
            instructions: [0; 256],
            plain: Vec::new(),
            response: Vec::new(),
            last_command: Vec::new(),
            last_response: Vec::new(),
        };
        card.power_on();
        card
    }

    /// The protocol part.
    pub(crate) fn protocol(&self) -> &P {
        &self.protocol
    }

    /// How many commands with instruction byte `ins` the card received.
    pub(crate) fn count(&self, ins: u8) -> usize {
        self.instructions.get(usize::from(ins)).copied().unwrap_or(0)
    }

    /// The last command APDU received.
    pub(crate) fn last_command(&self) -> &[u8] {
        &self.last_command
    }

    /// The last response APDU sent.
    pub(crate) fn last_response(&self) -> &[u8] {
        &self.last_response
    }

    /// The card-side session of `channel`, if one is open.
    pub(crate) fn session(&self, channel: u8) -> Option<&P::Session> {
        match self.channels.get(usize::from(channel))?.as_ref()?.phase {
            Phase::Open(ref session) => Some(session),
            _ => None,
        }
    }

    /// Power on (and reset): the basic channel open, no session.
    pub(crate) fn power_on(&mut self) {
        self.channels = Default::default();
        if let Some(basic) = self.channels.first_mut() {
            *basic = Some(Channel::default());
        }
    }

    /// Processes one command APDU into `response` (data || SW), as
    /// [`CardSimulator::process`](oxicard_transport::sim::CardSimulator::process).
    pub(crate) fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        self.respond(command, response);
        self.last_response.clear();
        self.last_response.extend_from_slice(response);
    }

    fn channel(&mut self, number: u8) -> Option<&mut Channel<P::Handshake, P::Session>> {
        self.channels.get_mut(usize::from(number)).and_then(Option::as_mut)
    }

    /// Processes one command; the response data (already protected) goes into
    /// `self.response`, the SW is returned, the Ne to hand it out with too.
    fn handle(&mut self, raw: &[u8]) -> (StatusWord, usize) {
        let Ok(view) = CommandView::parse(raw) else { return (SW_WRONG_LENGTH, 0) };
        let ne = match view.ne() {
            0 if view.is_extended() => 65_536,
            0 => 256,
            ne => ne as usize,
        };
        if view.cla() == 0xFF {
            return (SW_CLA_NOT_SUPPORTED, ne);
        }
        let number = Cla(view.cla()).channel();
        let Some(channel) = self.channel(number) else { return (SW_CHANNEL_NOT_SUPPORTED, ne) };
        if view.ins() != 0xC0 {
            channel.pending.clear();
        }
        let sw = match view.ins() {
            0xC0 => return (self.get_response(number, ne), usize::MAX),
            0xA4 => self.select(number, &view),
            0x70 => self.manage_channel(view.p1(), view.p2()),
            0x50 => self.initialize_update(number, raw),
            0x82 => self.external_authenticate(number, raw),
            _ => self.secured(number, raw),
        };
        (sw, ne)
    }

    fn select(&mut self, number: u8, view: &CommandView<'_>) -> StatusWord {
        if (view.p1(), view.p2() & 0xF3) != (0x04, 0x00) {
            return SW_WRONG_P1P2;
        }
        if view.data() != self.protocol.aid() {
            return SW_NOT_FOUND;
        }
        if let Some(channel) = self.channel(number) {
            channel.phase = Phase::Idle;
        }
        SW_OK
    }

    fn manage_channel(&mut self, p1: u8, p2: u8) -> StatusWord {
        match (p1, p2) {
            (0x00, 0x00) => {
                let free = (1u8..).zip(self.channels.iter_mut().skip(1)).find(|(_, c)| c.is_none());
                let Some((number, slot)) = free else { return SW_FUNCTION_NOT_SUPPORTED };
                *slot = Some(Channel::default());
                self.response.push(number);
                SW_OK
            }
            (0x80, 1..=19) => match self.channels.get_mut(usize::from(p2)) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    SW_OK
                }
                _ => SW_CHANNEL_NOT_SUPPORTED,
            },
            _ => SW_WRONG_P1P2,
        }
    }

    fn initialize_update(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        if let Some(channel) = self.channel(number) {
            channel.phase = Phase::Idle;
        }
        match self.protocol.initialize_update(raw, &mut self.response) {
            Ok(handshake) => {
                if let Some(channel) = self.channel(number) {
                    channel.phase = Phase::Authenticating(handshake);
                }
                SW_OK
            }
            Err(sw) => sw,
        }
    }

    fn external_authenticate(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut) else {
            return SW_CHANNEL_NOT_SUPPORTED;
        };
        let Phase::Authenticating(handshake) = core::mem::take(&mut channel.phase) else {
            return SW_CONDITIONS;
        };
        match self.protocol.external_authenticate(handshake, raw) {
            Ok(session) => {
                channel.phase = Phase::Open(session);
                SW_OK
            }
            Err(sw) => sw,
        }
    }

    /// A command under the channel's session (or plain without one).
    fn secured(&mut self, number: u8, raw: &[u8]) -> StatusWord {
        let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut) else {
            return SW_CHANNEL_NOT_SUPPORTED;
        };
        if let Err(sw) = self.protocol.enter(number, raw, &mut channel.phase) {
            return sw;
        }
        let session = match &mut channel.phase {
            Phase::Open(session) => Some(session),
            // A command between INITIALIZE UPDATE and EXTERNAL AUTHENTICATE ends the handshake.
            phase @ Phase::Authenticating(_) => {
                *phase = Phase::Idle;
                None
            }
            Phase::Idle => None,
        };
        let Some(session) = session else {
            return application(&mut self.protocol, None, raw, &mut self.response);
        };
        if self.plain.len() < raw.len() {
            self.plain.resize(raw.len(), 0);
        }
        let Ok(n) = session.unwrap_command(raw, &mut self.plain) else { return SW_SECURITY };
        self.protocol.verified(session);
        let Some(plain) = self.plain.get(..n) else { return SW_SECURITY };
        let mut plain_response = Vec::new();
        let sw = application(&mut self.protocol, Some(session), plain, &mut plain_response);
        plain_response.extend_from_slice(&sw.to_bytes());
        let Ok(len) = session.wrapped_response_len(&plain_response) else { return SW_SECURITY };
        let mut wire = std::vec![0u8; len];
        let Ok(n) = session.wrap_response(&plain_response, &mut wire) else { return SW_SECURITY };
        match wire.get(..n).and_then(<[u8]>::split_last_chunk::<2>) {
            Some((body, sw)) => {
                self.response.extend_from_slice(body);
                StatusWord::from(*sw)
            }
            None => SW_SECURITY,
        }
    }

    fn get_response(&mut self, number: u8, ne: usize) -> StatusWord {
        let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut) else {
            return SW_CHANNEL_NOT_SUPPORTED;
        };
        channel.pending.get_response(ne, &mut self.response)
    }

    fn respond(&mut self, command: &[u8], response: &mut Vec<u8>) {
        if let Some(ins) = command.get(1)
            && let Some(count) = self.instructions.get_mut(usize::from(*ins))
        {
            *count = count.saturating_add(1);
        }
        self.last_command.clear();
        self.last_command.extend_from_slice(command);
        self.response.clear();
        let (sw, ne) = self.handle(command);
        let number = command.first().map_or(0, |cla| Cla(*cla).channel());
        let error = !(sw.is_success() || sw.is_warning() || sw.bytes_available().is_some());
        if error {
            self.response.clear();
        }
        if self.response.len() > ne
            && let Some(channel) = self.channels.get_mut(usize::from(number)).and_then(Option::as_mut)
        {
            // Hand out Ne bytes now, the rest (and the final SW) through GET RESPONSE.
            let sw = channel.pending.respond(&self.response, ne, sw, response);
            response.extend_from_slice(&sw.to_bytes());
            return;
        }
        response.extend_from_slice(&self.response);
        response.extend_from_slice(&sw.to_bytes());
    }
}

/// The application behind the secure channel: canned answers, the protocol's instructions,
/// and the echo command.
fn application<P: CardProtocol>(
    protocol: &mut P,
    session: Option<&P::Session>,
    raw: &[u8],
    out: &mut Vec<u8>,
) -> StatusWord {
    let basic = raw.first().and_then(|cla| Cla(*cla).with_channel(0).ok());
    let known = protocol.canned().iter().find(|(command, _)| {
        command.first().map(|c| Cla(*c).with_channel(0).ok()) == Some(basic)
            && command.get(1..) == raw.get(1..)
    });
    if let Some((_, response)) = known
        && let Some((data, sw)) = response.split_last_chunk::<2>()
    {
        out.extend_from_slice(data);
        return StatusWord::from(*sw);
    }
    let Ok(view) = CommandView::parse(raw) else { return SW_WRONG_LENGTH };
    if view.cla() & 0x80 != 0
        && let Some(sw) = protocol.application(session, &view, out)
    {
        return sw;
    }
    if view.ins() != INS_ECHO {
        return SW_INS_NOT_SUPPORTED;
    }
    if view.cla() & 0x80 == 0 {
        return SW_CLA_NOT_SUPPORTED;
    }
    out.extend_from_slice(view.data());
    match (view.p1(), view.p2()) {
        (0, 0) => SW_OK,
        (p1, p2) => StatusWord::new(p1, p2),
    }
}
