//! A scripted mock [`Transport`] with a transcript and fault injection.
//!
//! A test double: compiled with the feature `test-util` only, which tests enable through their
//! dev-dependency (`features = ["test-util"]`).
//!
//! The mock plays a card from a script of expected commands and the responses
//! to give, in order. It is what the higher layers test their error paths
//! with: every exchange is recorded (see [`MockHandle::transcript`]) and any
//! exchange can be made to fail, time out or come back damaged.
//!
//! ```
//! use oxicard_transport::mock::MockTransport;
//! use oxicard_transport::{ErrorKind, Transport};
//!
//! # fn main() -> Result<(), oxicard_transport::TransportError> {
//! // SELECT by DF name (ISO/IEC 7816-4 §11.2.2) of a hand-made AID, answered 9000.
//! let mut mock = MockTransport::new();
//! mock.expect([0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00]).respond([0x90, 0x00]);
//! mock.drop_nth(1);
//! let handle = mock.handle();
//!
//! let mut buf = [0u8; 258];
//! assert_eq!(mock.transmit(&[0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00], &mut buf)?, 2);
//! assert_eq!(buf[..2], [0x90, 0x00]);
//! let err = mock.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00], &mut buf).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Timeout);
//! assert_eq!(handle.exchange_count(), 2);
//! handle.verify()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Which exchanges use up the script
//!
//! The script describes what the *card* answers. An exchange that a fault
//! stops before the card answers ([`Fault::Fail`], [`Fault::Drop`]) does
//! **not** consume an expectation and is not checked against it: a retry of
//! the same command meets the same expectation. A [`Fault::Corrupt`]ed
//! exchange is a normal exchange whose answer is damaged on the way back, so
//! it is checked and consumes its expectation. A mismatched command does not
//! consume the expectation either (so [`MockHandle::verify`] still reports it).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::transport::ResetKind;
use crate::{ChannelOpening, ErrorKind, Transport, TransportError};

/// The ATR a new mock presents: the vsmartcard-vpcd example ATR
/// `3B 8A 80 01 80 31 F8 73 F7 41 E0 82 90 00 75` (T=0/T=1, valid TCK,
/// ISO/IEC 7816-3 §8.2; the ATR of vsmartcard's virtual nPA card,
/// `virtualsmartcard/src/vpicc/virtualsmartcard/cards/nPA.py`).
pub const DEFAULT_ATR: [u8; 15] =
    [0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0xE0, 0x82, 0x90, 0x00, 0x75];

type Predicate = Box<dyn Fn(&[u8]) -> bool + Send + 'static>;
type Opener = Box<dyn FnMut(Option<&[u8]>) -> ChannelOpening + Send + 'static>;
type Rewrite = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + 'static>;

/// A request to a mock that opens logical channels itself
/// ([`MockTransport::open_channels_with`]), in [`MockHandle::channel_requests`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelRequest {
    /// [`Transport::open_logical_channel`], for the application `aid` when one was named.
    Open(Option<Vec<u8>>),
    /// [`Transport::close_logical_channel`] of channel `number`.
    Close(u8),
}

/// One recorded exchange: the command as sent and what the caller got back.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// The command APDU exactly as passed to [`Transport::exchange`].
    pub command: Vec<u8>,
    /// The response handed to the caller (after any corruption), or the kind
    /// of the error returned instead.
    pub response: Result<Vec<u8>, ErrorKind>,
}

impl Exchange {
    /// The value with the given members.
    pub fn new(command: Vec<u8>, response: Result<Vec<u8>, ErrorKind>) -> Self {
        Self { command, response }
    }
}

/// How a [`Fault::Corrupt`] damages a response on its way back.
#[non_exhaustive]
pub enum Corruption {
    /// Keep only the first `len` bytes.
    Truncate(usize),
    /// Flip bit `bit` (0 = least significant) of byte `byte`; out of range does nothing.
    FlipBit {
        /// Index of the byte in the response.
        byte: usize,
        /// Bit number, 0..=7.
        bit: u8,
    },
    /// Replace the whole response.
    Replace(Vec<u8>),
    /// Compute the damaged response from the real one.
    With(Rewrite),
}

impl Corruption {
    /// A [`Corruption::With`] from a closure.
    pub fn with(rewrite: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> Self {
        Self::With(Box::new(rewrite))
    }

    fn apply(&self, response: &[u8]) -> Vec<u8> {
        match self {
            Self::Truncate(len) => response.get(..*len).unwrap_or(response).to_vec(),
            Self::FlipBit { byte, bit } => {
                let mut out = response.to_vec();
                if let Some(b) = out.get_mut(*byte) {
                    *b ^= 1u8.checked_shl(u32::from(*bit)).unwrap_or(0);
                }
                out
            }
            Self::Replace(bytes) => bytes.clone(),
            Self::With(rewrite) => rewrite(response),
        }
    }
}

impl fmt::Debug for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncate(len) => f.debug_tuple("Truncate").field(len).finish(),
            Self::FlipBit { byte, bit } => {
                f.debug_struct("FlipBit").field("byte", byte).field("bit", bit).finish()
            }
            Self::Replace(bytes) => write!(f, "Replace({})", hex::encode_upper(bytes)),
            Self::With(_) => f.write_str("With(..)"),
        }
    }
}

/// A fault injected into an exchange.
#[derive(Debug)]
#[non_exhaustive]
pub enum Fault {
    /// The exchange fails with an error of this kind before reaching the card.
    Fail(ErrorKind),
    /// The card never answers: the exchange fails with [`ErrorKind::Timeout`].
    Drop,
    /// The card answers, but the response is damaged.
    Corrupt(Corruption),
}

enum Matcher {
    Exact(Vec<u8>),
    Predicate { description: String, predicate: Predicate },
}

impl Matcher {
    fn matches(&self, command: &[u8]) -> bool {
        match self {
            Self::Exact(expected) => expected == command,
            Self::Predicate { predicate, .. } => predicate(command),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(expected) => f.write_str(&hex::encode_upper(expected)),
            Self::Predicate { description, .. } => write!(f, "<{description}>"),
        }
    }
}

struct Step {
    matcher: Matcher,
    reply: Result<Vec<u8>, ErrorKind>,
}

enum Selector {
    Nth(usize),
    When(Predicate),
}

struct FaultRule {
    selector: Selector,
    fault: Fault,
}

#[derive(Default)]
struct State {
    script: VecDeque<Step>,
    faults: Vec<FaultRule>,
    transcript: Vec<Exchange>,
    resets: Vec<ResetKind>,
    reconnects: usize,
    reset_faults: VecDeque<ErrorKind>,
    reconnect_faults: VecDeque<ErrorKind>,
    opener: Option<Opener>,
    channel_requests: Vec<ChannelRequest>,
    opened_channels: Vec<u8>,
}

impl State {
    fn fault_for(&self, index: usize, command: &[u8]) -> Option<&Fault> {
        self.faults
            .iter()
            .find(|rule| match &rule.selector {
                Selector::Nth(n) => *n == index,
                Selector::When(predicate) => predicate(command),
            })
            .map(|rule| &rule.fault)
    }

    /// Plays one exchange against the script and the faults.
    fn play(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let index = self.transcript.len();
        let corruption = match self.fault_for(index, command) {
            Some(Fault::Fail(kind)) => {
                return Err(TransportError::new(*kind)
                    .with_detail(format!("injected at exchange #{index} ({})", hex::encode_upper(command))));
            }
            Some(Fault::Drop) => {
                return Err(TransportError::new(ErrorKind::Timeout).with_detail(format!(
                    "injected: the card did not answer exchange #{index} ({})",
                    hex::encode_upper(command)
                )));
            }
            Some(Fault::Corrupt(corruption)) => Some(corruption),
            None => None,
        };
        let Some(step) = self.script.front() else {
            return Err(TransportError::new(ErrorKind::UnexpectedCommand).with_detail(format!(
                "exchange #{index}: no more expectations, got {}",
                hex::encode_upper(command)
            )));
        };
        if !step.matcher.matches(command) {
            return Err(TransportError::new(ErrorKind::UnexpectedCommand).with_detail(format!(
                "exchange #{index}: expected {}, got {}",
                step.matcher,
                hex::encode_upper(command)
            )));
        }
        let reply = match &step.reply {
            Ok(response) => Ok(corruption.map_or_else(|| response.clone(), |c| c.apply(response))),
            Err(kind) => Err(TransportError::new(*kind).with_detail(format!(
                "scripted error at exchange #{index} ({})",
                hex::encode_upper(command)
            ))),
        };
        self.script.pop_front();
        reply
    }
}

fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Parses hex with optional whitespace between digits (`"00 A4 04 00"`).
fn parse_hex(text: &str) -> Result<Vec<u8>, TransportError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(&digits).map_err(|err| {
        TransportError::new(ErrorKind::InvalidCommand)
            .with_detail(format!("bad hex {:?}", text.trim()))
            .with_source(err)
    })
}

/// A scripted [`Transport`]: answers the commands it expects, in order, and
/// records everything (see the [module docs](self)).
pub struct MockTransport {
    shared: Arc<Mutex<State>>,
    atr: Vec<u8>,
}

impl Default for MockTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.shared);
        f.debug_struct("MockTransport")
            .field("atr", &hex::encode_upper(&self.atr))
            .field("remaining", &state.script.len())
            .field("exchanges", &state.transcript.len())
            .finish()
    }
}

impl MockTransport {
    /// An empty script with the [`DEFAULT_ATR`].
    pub fn new() -> Self {
        Self::with_atr(DEFAULT_ATR)
    }

    /// An empty script presenting `atr`.
    pub fn with_atr(atr: impl Into<Vec<u8>>) -> Self {
        Self { shared: Arc::default(), atr: atr.into() }
    }

    /// Makes the mock a transport that opens logical channels itself, as a modem does with
    /// `AT+CCHO` (3GPP TS 27.007 §8.45): [`Transport::open_logical_channel`] is answered by
    /// `opener`, [`Transport::close_logical_channel`] closes (`true`) the channels it opened
    /// and leaves the others to MANAGE CHANNEL (`false`). Both are recorded in
    /// [`MockHandle::channel_requests`]; APDUs still go through the script. Without it the mock
    /// answers [`ChannelOpening::Unsupported`], as a card reader does.
    pub fn open_channels_with(
        &mut self,
        opener: impl FnMut(Option<&[u8]>) -> ChannelOpening + Send + 'static,
    ) -> &mut Self {
        self.state().opener = Some(Box::new(opener));
        self
    }

    /// A mock from a text script: `> HEX` lines are commands, `< HEX` lines
    /// the response to the command before; `#` starts a comment, blank lines
    /// are skipped and hex may contain spaces.
    ///
    /// ```text
    /// # SELECT ISD-R (SGP.22 §2.2.3, AID A0000005591010FFFFFFFF8900000100)
    /// > 00 A4 04 00 10 A0000005591010FFFFFFFF8900000100
    /// < 90 00
    /// ```
    ///
    /// Errors ([`ErrorKind::InvalidCommand`], detail with the line number):
    /// bad hex, a line without `>`/`<`, a command without a response or a
    /// response without a command.
    pub fn from_script(script: &str) -> Result<Self, TransportError> {
        let mut mock = Self::new();
        let mut pending: Option<(usize, Vec<u8>)> = None;
        let bad = |line: usize, what: &str| {
            TransportError::new(ErrorKind::InvalidCommand).with_detail(format!("script line {line}: {what}"))
        };
        // The hex error stays the source: `invalid command APDU: script line 3: bad hex "0G"`.
        let at_line = |line: usize, error: TransportError| {
            let detail = error.detail().unwrap_or_default().to_owned();
            error.with_detail(format!("script line {line}: {detail}"))
        };
        for (number, raw) in script.lines().enumerate() {
            let line_no = number + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if let Some(command) = line.strip_prefix('>') {
                if pending.is_some() {
                    return Err(bad(line_no, "command follows a command without a response"));
                }
                let bytes = parse_hex(command).map_err(|e| at_line(line_no, e))?;
                pending = Some((line_no, bytes));
            } else if let Some(response) = line.strip_prefix('<') {
                let Some((_, command)) = pending.take() else {
                    return Err(bad(line_no, "response without a command"));
                };
                let bytes = parse_hex(response).map_err(|e| at_line(line_no, e))?;
                mock.expect(command).respond(bytes);
            } else {
                return Err(bad(line_no, "expected a line starting with '>' or '<'"));
            }
        }
        match pending {
            Some((line_no, _)) => Err(bad(line_no, "command without a response")),
            None => Ok(mock),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Expects `command` next (exact bytes); finish with
    /// [`respond`](Expectation::respond) or [`fail`](Expectation::fail).
    pub fn expect(&mut self, command: impl AsRef<[u8]>) -> Expectation<'_> {
        Expectation { mock: self, matcher: Matcher::Exact(command.as_ref().to_vec()) }
    }

    /// [`expect`](Self::expect) with the command in hex (spaces allowed).
    ///
    /// Bad hex is an [`ErrorKind::InvalidCommand`] error.
    pub fn expect_hex(&mut self, command: &str) -> Result<Expectation<'_>, TransportError> {
        let command = parse_hex(command)?;
        Ok(self.expect(command))
    }

    /// Expects next any command for which `predicate` is true; `description`
    /// stands for it in mismatch messages.
    pub fn expect_matching(
        &mut self,
        description: &str,
        predicate: impl Fn(&[u8]) -> bool + Send + 'static,
    ) -> Expectation<'_> {
        Expectation {
            mock: self,
            matcher: Matcher::Predicate {
                description: description.to_owned(),
                predicate: Box::new(predicate),
            },
        }
    }

    fn add_fault(&mut self, selector: Selector, fault: Fault) -> &mut Self {
        self.state().faults.push(FaultRule { selector, fault });
        self
    }

    /// Makes exchange number `n` (0-based, counting every exchange) fail with
    /// `kind`. It consumes no expectation.
    pub fn fail_nth(&mut self, n: usize, kind: ErrorKind) -> &mut Self {
        self.add_fault(Selector::Nth(n), Fault::Fail(kind))
    }

    /// Makes the card not answer exchange number `n`: [`ErrorKind::Timeout`].
    /// It consumes no expectation.
    pub fn drop_nth(&mut self, n: usize) -> &mut Self {
        self.add_fault(Selector::Nth(n), Fault::Drop)
    }

    /// Damages the response of exchange number `n` as `corruption` says.
    /// The exchange is checked against and consumes its expectation.
    pub fn corrupt_nth(&mut self, n: usize, corruption: Corruption) -> &mut Self {
        self.add_fault(Selector::Nth(n), Fault::Corrupt(corruption))
    }

    /// Injects `fault` into every exchange whose command satisfies `predicate`.
    ///
    /// Rules are tried in the order they were added; the first that applies wins.
    pub fn fault_when(
        &mut self,
        predicate: impl Fn(&[u8]) -> bool + Send + 'static,
        fault: Fault,
    ) -> &mut Self {
        self.add_fault(Selector::When(Box::new(predicate)), fault)
    }

    /// Makes the next [`Transport::reset`] fail with `kind` (queued: call
    /// twice to fail the next two). A failed reset is still counted.
    pub fn fail_next_reset(&mut self, kind: ErrorKind) -> &mut Self {
        self.state().reset_faults.push_back(kind);
        self
    }

    /// Makes the next [`Transport::reconnect`] fail with `kind` (queued).
    pub fn fail_next_reconnect(&mut self, kind: ErrorKind) -> &mut Self {
        self.state().reconnect_faults.push_back(kind);
        self
    }

    /// A handle onto the transcript and script that stays usable after the
    /// mock moved away (into a `Card`, a thread, …).
    pub fn handle(&self) -> MockHandle {
        MockHandle { shared: Arc::clone(&self.shared) }
    }
}

/// An expected command waiting for its answer; from [`MockTransport::expect`].
///
/// Nothing is added to the script until [`respond`](Self::respond) or
/// [`fail`](Self::fail) is called.
#[must_use = "an expectation is only added by respond() or fail()"]
pub struct Expectation<'a> {
    mock: &'a mut MockTransport,
    matcher: Matcher,
}

impl<'a> Expectation<'a> {
    fn push(self, reply: Result<Vec<u8>, ErrorKind>) -> &'a mut MockTransport {
        let Self { mock, matcher } = self;
        mock.state().script.push_back(Step { matcher, reply });
        mock
    }

    /// Answers the expected command with `response` (data + SW1 SW2).
    pub fn respond(self, response: impl AsRef<[u8]>) -> &'a mut MockTransport {
        self.push(Ok(response.as_ref().to_vec()))
    }

    /// [`respond`](Self::respond) with the response in hex (spaces allowed).
    ///
    /// Bad hex is an [`ErrorKind::InvalidCommand`] error and adds nothing.
    pub fn respond_hex(self, response: &str) -> Result<&'a mut MockTransport, TransportError> {
        let response = parse_hex(response)?;
        Ok(self.respond(response))
    }

    /// Answers the expected command with an error of `kind` (the expectation
    /// is consumed, unlike an injected [`Fault::Fail`]).
    pub fn fail(self, kind: ErrorKind) -> &'a mut MockTransport {
        self.push(Err(kind))
    }
}

impl Transport for MockTransport {
    /// Plays the next step of the script; a response larger than `response`
    /// is an [`ErrorKind::ResponseTooLong`] error (and recorded as such).
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let mut state = self.state();
        let result = state.play(command).and_then(|bytes| {
            let capacity = response.len();
            let out = response
                .get_mut(..bytes.len())
                .ok_or_else(|| TransportError::response_too_long(bytes.len(), capacity))?;
            out.copy_from_slice(&bytes);
            Ok(bytes)
        });
        let recorded = match &result {
            Ok(bytes) => Ok(bytes.clone()),
            Err(err) => Err(err.kind()),
        };
        state.transcript.push(Exchange { command: command.to_vec(), response: recorded });
        result.map(|bytes| bytes.len())
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Counts the reset (see [`MockHandle::resets`]); fails if
    /// [`fail_next_reset`](MockTransport::fail_next_reset) says so.
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        let mut state = self.state();
        state.resets.push(kind);
        match state.reset_faults.pop_front() {
            Some(fault) => Err(TransportError::new(fault).with_detail(format!("injected on {kind:?} reset"))),
            None => Ok(()),
        }
    }

    /// Counts the reconnect (see [`MockHandle::reconnects`]); fails if
    /// [`fail_next_reconnect`](MockTransport::fail_next_reconnect) says so.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        let mut state = self.state();
        state.reconnects += 1;
        match state.reconnect_faults.pop_front() {
            Some(fault) => Err(TransportError::new(fault).with_detail("injected on reconnect")),
            None => Ok(()),
        }
    }

    /// The answer of the opener of [`open_channels_with`](MockTransport::open_channels_with),
    /// recorded; [`ChannelOpening::Unsupported`] without one.
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        let mut guard = self.state();
        let state = &mut *guard;
        let Some(opener) = state.opener.as_mut() else { return Ok(ChannelOpening::Unsupported) };
        let answer = opener(aid);
        if let ChannelOpening::Opened { number, .. } = &answer {
            state.opened_channels.push(*number);
        }
        state.channel_requests.push(ChannelRequest::Open(aid.map(<[u8]>::to_vec)));
        Ok(answer)
    }

    /// With an opener, recorded: `true` for a channel it opened.
    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let mut state = self.state();
        if state.opener.is_none() {
            return Ok(false);
        }
        state.channel_requests.push(ChannelRequest::Close(number));
        let opened = state.opened_channels.iter().position(|n| *n == number);
        if let Some(index) = opened {
            state.opened_channels.remove(index);
        }
        Ok(opened.is_some())
    }
}

/// A shared view of a [`MockTransport`]'s script and transcript
/// (cheap to clone, `Send + Sync`; survives a poisoned lock).
#[derive(Clone)]
pub struct MockHandle {
    shared: Arc<Mutex<State>>,
}

impl fmt::Debug for MockHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockHandle")
            .field("remaining", &self.remaining())
            .field("exchanges", &self.exchange_count())
            .finish()
    }
}

impl MockHandle {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared)
    }

    /// Every exchange so far, in order, faulted ones included.
    pub fn transcript(&self) -> Vec<Exchange> {
        self.state().transcript.clone()
    }

    /// How many exchanges were made.
    pub fn exchange_count(&self) -> usize {
        self.state().transcript.len()
    }

    /// How many expectations are still unused.
    pub fn remaining(&self) -> usize {
        self.state().script.len()
    }

    /// `Ok` when every expectation was used; otherwise an
    /// [`ErrorKind::UnexpectedCommand`] error naming the next unused one.
    pub fn verify(&self) -> Result<(), TransportError> {
        let state = self.state();
        match state.script.front() {
            None => Ok(()),
            Some(step) => Err(TransportError::new(ErrorKind::UnexpectedCommand).with_detail(format!(
                "{} expectation(s) not used, next: {}",
                state.script.len(),
                step.matcher
            ))),
        }
    }

    /// The resets asked for, in order (failed ones included).
    pub fn resets(&self) -> Vec<ResetKind> {
        self.state().resets.clone()
    }

    /// How many times [`Transport::reconnect`] was called.
    pub fn reconnects(&self) -> usize {
        self.state().reconnects
    }

    /// The logical channel requests of a mock that opens channels itself
    /// ([`MockTransport::open_channels_with`]), in order.
    pub fn channel_requests(&self) -> Vec<ChannelRequest> {
        self.state().channel_requests.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_send_and_sync_and_mock_is_send() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<MockHandle>();
        send::<MockTransport>();
    }

    #[test]
    fn flip_bit_out_of_range_is_a_no_op() {
        assert_eq!(Corruption::FlipBit { byte: 5, bit: 0 }.apply(&[0x90, 0x00]), vec![0x90, 0x00]);
        assert_eq!(Corruption::FlipBit { byte: 0, bit: 9 }.apply(&[0x90, 0x00]), vec![0x90, 0x00]);
        assert_eq!(Corruption::FlipBit { byte: 1, bit: 7 }.apply(&[0x90, 0x00]), vec![0x90, 0x80]);
    }
}
