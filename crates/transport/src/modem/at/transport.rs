//! [`AtModem`]: APDUs to the card of a modem through AT commands.

use std::io;
use std::time::{Duration, Instant};

use super::command;
use super::error::{AtError, CmeError};
use super::line::LineBuffer;
use super::manage_channel::ManageChannel;
use super::options::{AtOptions, ChannelAccess};
use super::reply::{self, Final};
use super::session::Sessions;
use crate::modem::{ModemLink, cla};
use crate::transport::ResetKind;
use crate::{ChannelOpening, ErrorKind, Transport, TransportError};

/// The most information lines kept for one command; more (a flood of unsolicited result codes)
/// are dropped, the final result code still ends the command.
const MAX_KEPT_LINES: usize = 32;

/// The status word reported when `AT+CCHO` is refused with `+CME ERROR: 13` (SIM failure): the
/// modem does not pass the card's own on, and "application not found" (`6A82`, ISO/IEC 7816-4
/// §5.6) is what the card answered in the case seen — the ISD-R AID on a SIM that is no eUICC
/// (commaai/openpilot PR #37979).
pub const REFUSED_SW: [u8; 2] = [0x6A, 0x82];

/// How channels are reached, once known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `AT+CCHO` not tried yet.
    Unprobed,
    /// `AT+CCHO` worked.
    LogicalChannels,
    /// `AT+CSIM` for everything.
    Csim,
}

/// What a command answered before its `OK`.
#[derive(Debug, Default)]
struct Answer {
    /// Payloads of the lines with the awaited prefix.
    prefixed: Vec<String>,
    /// Lines that are neither echo nor unsolicited (a bare `+CCHO` session id).
    bare: Vec<String>,
}

/// A command failed: the modem's answer, or the link.
#[derive(Debug)]
enum Failure {
    At(AtError),
    Link(io::Error),
}

impl From<AtError> for Failure {
    fn from(err: AtError) -> Self {
        Self::At(err)
    }
}

impl From<Failure> for TransportError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Link(err) => TransportError::io(err).with_detail("AT modem link"),
            Failure::At(err) => at_error(err),
        }
    }
}

/// An [`AtError`] as a [`TransportError`] of the fitting kind, the `AtError` its source.
fn at_error(err: AtError) -> TransportError {
    let kind = match &err {
        AtError::Timeout { .. } => ErrorKind::Timeout,
        AtError::Cme { error, .. } if error.code() == Some(CmeError::SIM_NOT_INSERTED) => ErrorKind::NoCard,
        AtError::Malformed { .. } => ErrorKind::ProtocolMismatch,
        AtError::Overflow { .. } => ErrorKind::ResponseTooLong,
        _ => ErrorKind::Other,
    };
    TransportError::new(kind).with_detail(err.to_string()).with_source(err)
}

/// APDUs to the card (the eUICC) of a cellular modem, through AT commands on a
/// [`ModemLink`] (3GPP TS 27.007): `AT+CCHO` / `AT+CGLA` / `AT+CCHC` (§8.45, §8.43, §8.46) for
/// the logical channels the modem opens itself, `AT+CSIM` (§8.17) for the basic channel, for
/// channels the card layer opened, and for everything on modems without `+CCHO`.
///
/// # Start
///
/// [`open`](Self::open) sends `AT` until the modem answers `OK` ([`AtOptions::sync_attempts`]
/// tries; a modem left with half a command line answers the first with `ERROR`), then `ATE0`
/// (echo off; a modem that keeps echoing is handled anyway) and `AT+CMEE=1` (numeric
/// `+CME ERROR` codes, §9.1; refused is fine: codes come as text or as `ERROR` then). No `=?`
/// test command is ever sent: real modems answer them with `ERROR` although the command works
/// (Sierra EM7590 `+CGLA=?`, lpac PR #139; Fibocom FG132-GL, Quectel EM05-G `+CCHO=?`, lpac issue
/// #300) or not at all (FM350-GL, lpac PR #442).
///
/// # Channels
///
/// [`open_logical_channel`](Transport::open_logical_channel) with an AID sends `AT+CCHO`. On the
/// first one, `ERROR` or `+CME ERROR: 4` (operation not supported) means the modem lacks it (Dell
/// DW5821e, lpac issue #164): from then on every command goes in `AT+CSIM` and the answer is
/// [`ChannelOpening::Unsupported`], so the card layer sends MANAGE CHANNEL and SELECT itself.
/// `+CME ERROR: 13` (SIM failure) is the card refusing the application:
/// [`ChannelOpening::Refused`] with [`REFUSED_SW`]. The session id is kept as the modem gave it
/// (`+CCHO: 1`, `+CCHO:1`, a bare `1`, or a handle such as `000000000385a7cf`) under a channel
/// number 1..=19 for the card layer's CLA (see the `session` module source for why the CLA keeps
/// that number); commands whose CLA names it go in `AT+CGLA` of the session. `61xx` comes back
/// as the card sent it: the card layer sends GET RESPONSE on the same channel.
///
/// # Timeouts and release
///
/// Each command waits at most [`AtOptions::command_timeout`], STORE DATA (INS `E2`)
/// [`AtOptions::store_data_timeout`]; input left over from an earlier command (a late answer,
/// unsolicited result codes) is dropped before the next is sent, and after a timeout the next
/// command first waits for the late answer (`ATS3?`, see `resync` in the source). Dropping the
/// transport closes
/// every session it opened with `AT+CCHC` (on a modem without it, MANAGE CHANNEL close in the
/// session's `AT+CGLA`), errors ignored, and then the link.
#[derive(Debug)]
pub struct AtModem<L: ModemLink> {
    link: L,
    options: AtOptions,
    lines: LineBuffer,
    mode: Mode,
    sessions: Sessions,
    read_buf: Vec<u8>,
    /// A command timed out: its answer may still come (see [`execute`](Self::execute)).
    unsynced: bool,
    /// Channels the card layer opened with MANAGE CHANNEL in `AT+CSIM`: no session gets their
    /// numbers.
    card_channels: Vec<u8>,
    /// `AT+CCHC` answered as an unknown command: channels are closed with MANAGE CHANNEL.
    cchc_refused: bool,
}

impl<L: ModemLink> AtModem<L> {
    /// Synchronises with the modem on `link` and sets it up (see [Start](Self#start)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when no `AT` was answered `OK`; the link's errors.
    pub fn open(link: L, options: AtOptions) -> Result<Self, TransportError> {
        let mode = match options.channel_access {
            ChannelAccess::Csim => Mode::Csim,
            ChannelAccess::Auto | ChannelAccess::LogicalChannels => Mode::Unprobed,
        };
        let mut transport = Self {
            link,
            options,
            lines: LineBuffer::new(),
            mode,
            sessions: Sessions::default(),
            read_buf: vec![0; 4096],
            unsynced: false,
            card_channels: Vec::new(),
            cchc_refused: false,
        };
        transport.start()?;
        Ok(transport)
    }

    /// The options in force.
    pub fn options(&self) -> &AtOptions {
        &self.options
    }

    /// How many sessions `AT+CCHO` opened that are still open.
    pub fn open_sessions(&self) -> usize {
        self.sessions.len()
    }

    /// The session id behind channel `number`, as the modem gave it.
    pub fn session_id(&self, number: u8) -> Option<&str> {
        self.sessions.get(number)
    }

    /// Whether commands go in `AT+CSIM` only (chosen, or found: the modem lacks `+CCHO`).
    pub fn uses_csim_only(&self) -> bool {
        self.mode == Mode::Csim
    }

    /// The link, for inspection.
    pub fn link(&self) -> &L {
        &self.link
    }

    /// `AT` until `OK`, `ATE0`, `AT+CMEE=1`.
    fn start(&mut self) -> Result<(), TransportError> {
        let mut last = None;
        let attempts = self.options.sync_attempts.max(1);
        for attempt in 1..=attempts {
            match self.execute("AT", "AT", None, self.options.sync_timeout) {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(Failure::Link(err)) if err.kind() != io::ErrorKind::TimedOut => {
                    return Err(Failure::Link(err).into());
                }
                Err(failure) => {
                    tracing::debug!(target: "oxicard::modem", attempt, ?failure, "AT not answered OK");
                    last = Some(failure);
                }
            }
        }
        if let Some(failure) = last {
            let last = match &failure {
                Failure::At(err) => err.to_string(),
                Failure::Link(err) => err.to_string(),
            };
            return Err(TransportError::new(ErrorKind::Timeout)
                .with_detail(format!("the modem did not answer AT with OK in {attempts} tries; last: {last}"))
                .with_source(TransportError::from(failure)));
        }
        for (name, line) in [("ATE0", "ATE0"), ("AT+CMEE", "AT+CMEE=1")] {
            match self.execute(name, line, None, self.options.command_timeout) {
                Ok(_) => {}
                Err(Failure::At(err)) => tracing::debug!(target: "oxicard::modem", %err, "ignored"),
                Err(failure) => return Err(failure.into()),
            }
        }
        Ok(())
    }

    /// Sends `line` and reads until its final result code, keeping the lines that start with
    /// `prefix` and the bare ones. `name` names the command in errors.
    ///
    /// After a command timed out, the modem may still answer it, later, with a final result
    /// code that the next command would take for its own: before that command, [`resync`]
    /// waits for the answer of a command whose answer cannot be mistaken.
    ///
    /// [`resync`]: Self::resync
    fn execute(
        &mut self,
        name: &'static str,
        line: &str,
        prefix: Option<&str>,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        // The start's `AT` is its own resynchronisation.
        if self.unsynced && name != "AT" {
            self.resync(timeout)?;
        }
        let result = self.run(name, line, prefix, timeout);
        if let Err(Failure::At(AtError::Timeout { .. })) = &result {
            self.unsynced = true;
        }
        result
    }

    /// Sends `line` and reads its answer (see [`execute`](Self::execute)).
    fn run(
        &mut self,
        name: &'static str,
        line: &str,
        prefix: Option<&str>,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        self.send_line(name, line)?;
        let deadline = Instant::now() + timeout;
        let mut answer = Answer::default();
        loop {
            let text = self.next_line(name, deadline, timeout)?;
            if let Some(payload) = prefix.and_then(|prefix| reply::response_payload(&text, prefix)) {
                keep(&mut answer.prefixed, payload.to_owned());
                continue;
            }
            match reply::final_result(&text) {
                Some(Final::Ok) => return Ok(answer),
                Some(Final::Error) => return Err(AtError::Error { command: name }.into()),
                Some(Final::Cme(error)) => return Err(AtError::Cme { command: name, error }.into()),
                Some(Final::Cms(error)) => return Err(AtError::Cms { command: name, error }.into()),
                None => {}
            }
            if reply::is_echo(&text, line) {
                continue;
            }
            if reply::is_unsolicited(&text) {
                tracing::debug!(target: "oxicard::modem", command = name, line = %text, "unsolicited result code skipped");
                continue;
            }
            keep(&mut answer.bare, text);
        }
    }

    /// Drops stale input and sends `line` with its CR LF.
    fn send_line(&mut self, name: &'static str, line: &str) -> Result<(), Failure> {
        self.drain_stale_input();
        let mut wire = String::with_capacity(line.len() + command::LINE_END.len());
        wire.push_str(line);
        wire.push_str(command::LINE_END);
        tracing::trace!(target: "oxicard::modem", command = name, len = wire.len(), "AT command");
        self.link.send(wire.as_bytes()).map_err(Failure::Link)
    }

    /// Waits, up to `timeout`, until the modem has answered whatever it was still busy with:
    /// sends `ATS3?`, whose answer is the line `013` (S3, the command line termination
    /// character CR, mandatory in ITU-T V.250 §6.2.1; its read answers one line of three decimal
    /// digits, as the Nokia D211 and Conexant AT references show), and drops every line up to
    /// that one and the final result code after it — the late answers among them.
    ///
    /// # Errors
    ///
    /// A timeout when `013` and a final result code did not come (a modem still busy, or one
    /// without `S3?`): the next command then goes without waiting.
    fn resync(&mut self, timeout: Duration) -> Result<(), Failure> {
        const NAME: &str = "ATS3?";
        self.unsynced = false;
        self.send_line(NAME, NAME)?;
        let deadline = Instant::now() + timeout;
        let mut marker = false;
        loop {
            let text = self.next_line(NAME, deadline, timeout)?;
            if !marker {
                marker = text.trim().parse::<u8>() == Ok(13);
            } else if reply::final_result(&text).is_some() {
                return Ok(());
            }
        }
    }

    /// The next line the modem sent for command `name`, reading until one is complete or
    /// `deadline` (of a command given `timeout`) has passed.
    fn next_line(
        &mut self,
        name: &'static str,
        deadline: Instant,
        timeout: Duration,
    ) -> Result<String, Failure> {
        loop {
            let next = self
                .lines
                .next_line()
                .map_err(|err| AtError::Overflow { command: name, reason: err.to_string() })?;
            match next {
                Some(text) => return Ok(text),
                None => self.read_more(name, deadline, timeout)?,
            }
        }
    }

    /// Reads what arrives before `deadline` into the line buffer.
    fn read_more(&mut self, name: &'static str, deadline: Instant, timeout: Duration) -> Result<(), Failure> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(AtError::Timeout { command: name, timeout }.into());
        }
        match self.link.receive(&mut self.read_buf, remaining) {
            Ok(n) => {
                let Some((received, _)) = self.read_buf.split_at_checked(n) else {
                    return Err(Failure::Link(io::Error::other(
                        "the link reported more bytes than it was given room for",
                    )));
                };
                self.lines.push(received);
                Ok(())
            }
            Err(err) if err.kind() == io::ErrorKind::TimedOut => {
                Err(AtError::Timeout { command: name, timeout }.into())
            }
            Err(err) => Err(Failure::Link(err)),
        }
    }

    /// Drops input that arrived between commands: late answers and unsolicited result codes.
    fn drain_stale_input(&mut self) {
        self.lines.clear();
        // Bounded: a device that never stops talking cannot hold us here.
        for _ in 0..64 {
            match self.link.receive(&mut self.read_buf, Duration::ZERO) {
                Ok(n) if n > 0 => tracing::trace!(target: "oxicard::modem", bytes = n, "stale input dropped"),
                _ => break,
            }
        }
    }

    /// One APDU in `AT+CGLA` (on `session`) or `AT+CSIM`, its response.
    fn transmit_apdu(&mut self, apdu: &[u8], session: Option<&str>) -> Result<Vec<u8>, TransportError> {
        let timeout = self.options.timeout_for(apdu);
        let (name, prefix, line) = match session {
            Some(session) => ("AT+CGLA", "+CGLA:", command::cgla(session, apdu)),
            None => ("AT+CSIM", "+CSIM:", command::csim(apdu)),
        };
        let answer = self.execute(name, &line, Some(prefix), timeout)?;
        let Some(payload) = answer.prefixed.last() else {
            return Err(at_error(AtError::MissingResponse { command: name, expected: prefix }));
        };
        let response = reply::apdu_response(payload)
            .map_err(|err| at_error(AtError::Malformed { command: name, reason: err.to_string() }))?;
        if response.len() < 2 {
            return Err(at_error(AtError::Malformed {
                command: name,
                reason: format!("{} bytes, less than a status word", response.len()),
            }));
        }
        Ok(response)
    }

    /// Closes `session` (channel `number`): `AT+CCHC`; when the modem does not know `+CCHC`
    /// (`ERROR` or `+CME ERROR: 4`; Sierra EM9191, lpac issue #187), MANAGE CHANNEL close in
    /// `AT+CGLA` of the session itself (see [`close_by_manage_channel`]), and from then on that
    /// only. Other refusals (a modem that forgot the session) are logged and ignored: nothing is
    /// left to close.
    ///
    /// [`close_by_manage_channel`]: Self::close_by_manage_channel
    fn close_session(&mut self, number: u8, session: &str, timeout: Duration) -> Result<(), TransportError> {
        if !self.cchc_refused {
            match self.execute("AT+CCHC", &command::cchc(session), None, timeout) {
                Ok(_) => return Ok(()),
                Err(Failure::At(err)) if !matches!(err, AtError::Timeout { .. }) => {
                    let unknown = matches!(err, AtError::Error { .. })
                        || err.cme().and_then(CmeError::code) == Some(CmeError::OPERATION_NOT_SUPPORTED);
                    if !unknown {
                        tracing::debug!(target: "oxicard::modem", channel = number, %err, "AT+CCHC refused, session forgotten");
                        return Ok(());
                    }
                    tracing::info!(target: "oxicard::modem", %err, "no AT+CCHC on this modem: closing channels with MANAGE CHANNEL");
                    self.cchc_refused = true;
                }
                Err(failure) => return Err(failure.into()),
            }
        }
        self.close_by_manage_channel(number, session, timeout)
    }

    /// MANAGE CHANNEL close (`0n 70 80 0n`, ISO/IEC 7816-4 §11.1.2) of channel `number` in
    /// `AT+CGLA` of its own session, for modems without `+CCHC`: without it the card keeps the
    /// channel until the modem resets it, and after a few sessions has none left to open. A
    /// channel may close itself (Java Card Runtime Environment §4.6.1); the CLA and P2 carry
    /// the number every command of the session carried (see the `session` module). The card's
    /// refusal is logged and ignored, like `+CCHC`'s; the modem keeps its session id, which
    /// names a closed channel from then on and is never used again here.
    fn close_by_manage_channel(
        &mut self,
        number: u8,
        session: &str,
        timeout: Duration,
    ) -> Result<(), TransportError> {
        let Some(cla) = cla::with_channel(0x00, number) else {
            return Ok(());
        };
        let apdu = [cla, 0x70, 0x80, number];
        let line = command::cgla(session, &apdu);
        match self.execute("AT+CGLA", &line, Some("+CGLA:"), timeout) {
            Ok(answer) => {
                let sw = answer.prefixed.last().and_then(|payload| reply::apdu_response(payload).ok());
                tracing::debug!(target: "oxicard::modem", channel = number, response = ?sw, "MANAGE CHANNEL close in AT+CGLA");
                Ok(())
            }
            Err(Failure::At(err)) if !matches!(err, AtError::Timeout { .. }) => {
                tracing::debug!(target: "oxicard::modem", channel = number, %err, "MANAGE CHANNEL close refused");
                Ok(())
            }
            Err(failure) => Err(failure.into()),
        }
    }
}

/// Keeps `line` unless `lines` already holds [`MAX_KEPT_LINES`].
fn keep(lines: &mut Vec<String>, line: String) {
    if lines.len() < MAX_KEPT_LINES {
        lines.push(line);
    }
}

impl<L: ModemLink> Transport for AtModem<L> {
    /// `command` in `AT+CGLA` of the session its CLA names (a channel [`open_logical_channel`]
    /// opened), else in `AT+CSIM`. A MANAGE CHANNEL that opens or closes a channel in `AT+CSIM`
    /// is noted, so that no session is given the number of a channel the card layer opened.
    ///
    /// [`open_logical_channel`]: Transport::open_logical_channel
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if command.len() < 4 || command.len() > crate::MAX_COMMAND_LEN {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{} bytes is no command APDU", command.len())));
        }
        let session = command
            .first()
            .copied()
            .and_then(cla::channel)
            .filter(|channel| *channel != 0)
            .and_then(|channel| self.sessions.get(channel))
            .map(str::to_owned);
        let answer = self.transmit_apdu(command, session.as_deref())?;
        if session.is_none() {
            match ManageChannel::of(command, &answer) {
                Some(ManageChannel::Opened(number)) => self.card_channels.push(number),
                Some(ManageChannel::Closed(number)) => self.card_channels.retain(|n| *n != number),
                None => {}
            }
        }
        let len = answer.len();
        let capacity = response.len();
        let out = response.get_mut(..len).ok_or_else(|| TransportError::response_too_long(len, capacity))?;
        out.copy_from_slice(&answer);
        Ok(len)
    }

    /// A modem does not pass the card's ATR through these commands: empty.
    fn atr(&self) -> &[u8] {
        &[]
    }

    /// 3GPP TS 27.007 has no command that resets only the card: an error of kind
    /// [`ErrorKind::Other`].
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        Err(TransportError::new(ErrorKind::Other)
            .with_detail(format!("an AT modem cannot reset its card ({kind:?} reset asked)")))
    }

    /// Closes the sessions and starts again as [`open`](AtModem::open) does.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        let timeout = self.options.close_timeout;
        for (number, session) in self.sessions.take_all() {
            self.close_session(number, &session, timeout)?;
        }
        self.start()
    }

    /// `AT+CCHO` of `aid` (see [Channels](AtModem#channels)); without an AID, or in
    /// `+CSIM` mode, [`ChannelOpening::Unsupported`].
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        // `<dfname>` names an application of 1 to 16 bytes (§8.45): without one, no AT+CCHO.
        let Some(aid) = aid.filter(|aid| (1..=16).contains(&aid.len())) else {
            return Ok(ChannelOpening::Unsupported);
        };
        if self.mode == Mode::Csim {
            return Ok(ChannelOpening::Unsupported);
        }
        if self.sessions.len() + self.card_channels.len() >= usize::from(super::session::MAX_CHANNEL) {
            return Err(TransportError::new(ErrorKind::Other)
                .with_detail("all 19 logical channel numbers are in use"));
        }
        let timeout = self.options.command_timeout;
        let answer = match self.execute("AT+CCHO", &command::ccho(aid), Some("+CCHO:"), timeout) {
            Ok(answer) => answer,
            Err(Failure::At(err)) => return self.ccho_refused(err),
            Err(failure) => return Err(failure.into()),
        };
        // `+CCHO: <id>`, else the last bare line that is an id (FM350-GL; lpac PR #427 takes
        // the last non-echo line too).
        let id = answer
            .prefixed
            .iter()
            .rev()
            .chain(answer.bare.iter().rev())
            .find_map(|line| reply::session_id(line))
            .map(str::to_owned);
        let Some(id) = id else {
            return Err(at_error(AtError::Malformed {
                command: "AT+CCHO",
                reason: "OK without a session id".into(),
            }));
        };
        self.mode = Mode::LogicalChannels;
        let Some(number) = self.sessions.insert(id.clone(), &self.card_channels) else {
            // Checked above; close what the modem opened rather than leak it.
            let _ = self.close_session(0, &id, timeout);
            return Err(TransportError::new(ErrorKind::Other).with_detail("no free channel number"));
        };
        tracing::debug!(target: "oxicard::modem", channel = number, session = %id, "AT+CCHO opened a session");
        Ok(ChannelOpening::Opened { number, select_response: None })
    }

    /// `AT+CCHC` of a channel [`open_logical_channel`](Transport::open_logical_channel)
    /// opened (`true`); `false` for any other.
    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let Some(session) = self.sessions.remove(number) else {
            return Ok(false);
        };
        self.close_session(number, &session, self.options.close_timeout)?;
        Ok(true)
    }
}

impl<L: ModemLink> AtModem<L> {
    /// What a refused `AT+CCHO` means (see [Channels](AtModem#channels)).
    fn ccho_refused(&mut self, err: AtError) -> Result<ChannelOpening, TransportError> {
        let code = err.cme().and_then(CmeError::code);
        let not_supported =
            matches!(err, AtError::Error { .. }) || code == Some(CmeError::OPERATION_NOT_SUPPORTED);
        if not_supported && self.options.channel_access == ChannelAccess::Auto {
            if self.mode == Mode::Unprobed {
                tracing::info!(target: "oxicard::modem", %err, "no AT+CCHO on this modem: using AT+CSIM");
                self.mode = Mode::Csim;
            }
            return Ok(ChannelOpening::Unsupported);
        }
        if code == Some(CmeError::SIM_FAILURE) {
            return Ok(ChannelOpening::Refused { sw: REFUSED_SW });
        }
        Err(at_error(err))
    }
}

impl<L: ModemLink> Drop for AtModem<L> {
    fn drop(&mut self) {
        let timeout = self.options.close_timeout;
        for (number, session) in self.sessions.take_all() {
            if let Err(err) = self.close_session(number, &session, timeout) {
                tracing::debug!(target: "oxicard::modem", channel = number, %err, "closing the session on drop failed");
                if crate::modem::link_lost(&err) {
                    break;
                }
            }
        }
    }
}
