//! A simulated AT modem: the modem side of 3GPP TS 27.007 `+CSIM` (§8.17), `+CGLA` (§8.43),
//! `+CCHO` (§8.45), `+CCHC` (§8.46), `+CMEE` (§9.1), with `AT`, `ATE0`/`ATE1` (ITU-T V.250),
//! in front of any card behind a [`Transport`], with the quirks of real modems switchable
//! ([`AtQuirks`]).
//!
//! ```no_run
//! use oxicard_sim::euicc::SoftEuicc;
//! use oxicard_sim::modem::at::{SimulatedAtModem, AtQuirks};
//! use oxicard_sim::modem::pty::Pty;
//! use oxicard_transport::sim::SimulatorTransport;
//!
//! let pty = Pty::open()?;
//! println!("modem at {}", pty.slave_path().display());
//! let mut modem = SimulatedAtModem::new(Box::new(SimulatorTransport::new(SoftEuicc::new())))
//!     .with_quirks(AtQuirks::default().with_opaque_session_ids());
//! modem.serve(pty.master()?)?; // until the pair is dropped and every host is gone
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What it answers
//!
//! Input is cut into command lines at CR or LF (V.250 S3; the LF of a CR LF ending is an empty
//! line, skipped). Each line is echoed while echo is on (it starts on, V.250 `E1`), then
//! answered `<CR><LF>text<CR><LF>` per information line and `<CR><LF>OK<CR><LF>` (V.250 verbose
//! result codes). Syntax errors, unknown commands and unknown session ids are `ERROR` (27.007
//! §9.1: "ERROR is returned normally when error is related to syntax, invalid parameters");
//! the card refusing is `+CME ERROR: 13` (SIM failure) — what modems answer `AT+CCHO` of an
//! application the card lacks (commaai/openpilot PR #37979) — in the form `AT+CMEE` chose.
//!
//! `AT+CCHO` opens a channel on the card (MANAGE CHANNEL, SELECT, GET RESPONSE) and hands out a
//! session id; `AT+CGLA` sends the APDU on the session's channel, its CLA channel bits set to
//! that channel (§8.45 NOTE), and answers the card's response as it is (`61xx` included);
//! `AT+CSIM` sends the APDU unchanged. [`SimulatedAtModemHandle::open_channels`] counts the card
//! channels open through the modem: sessions, and channels MANAGE CHANNEL opened in `AT+CSIM`.

mod quirks;

use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use oxicard_transport::Transport;
use oxicard_transport::modem::at::{CmeError, ManageChannel};

use super::card::{self, ModemCard, SW_SUCCESS, Select};

pub use quirks::{AtQuirks, CchoReply, SessionIds, TestCommands};

/// The longest command line taken; longer ones are answered `ERROR` (room for `AT+CSIM` of the
/// largest command APDU).
const MAX_COMMAND_LINE: usize = 2 * oxicard_transport::MAX_COMMAND_LEN + 64;

/// The most command lines [`SimulatedAtModemHandle::commands`] keeps (the first ones).
const MAX_LOGGED_COMMANDS: usize = 100_000;

/// The first opaque session id (Sierra MC7455, lpac issue #138: `+CCHO: 000000000385a7cf`).
const FIRST_OPAQUE_SESSION: u64 = 0x0385_A7CF;

/// What the modem did, shared with [`SimulatedAtModemHandle`]s.
#[derive(Debug, Default)]
struct Observed {
    sessions: usize,
    csim_channels: Vec<u8>,
    commands: Vec<String>,
}

/// A view on a running [`SimulatedAtModem`] (it is usually moved into the thread serving it).
#[derive(Clone, Debug)]
pub struct SimulatedAtModemHandle {
    observed: Arc<Mutex<Observed>>,
}

impl SimulatedAtModemHandle {
    fn observed(&self) -> MutexGuard<'_, Observed> {
        self.observed.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Card channels open through the modem: `AT+CCHO` sessions not closed, and channels
    /// MANAGE CHANNEL opened through `AT+CSIM` and did not close.
    pub fn open_channels(&self) -> usize {
        let observed = self.observed();
        observed.sessions + observed.csim_channels.len()
    }

    /// `AT+CCHO` sessions not closed.
    pub fn open_sessions(&self) -> usize {
        self.observed().sessions
    }

    /// The command lines received, in order (the first 100 000).
    pub fn commands(&self) -> Vec<String> {
        self.observed().commands.clone()
    }
}

/// A simulated AT modem with a card behind it; see the [module docs](self).
pub struct SimulatedAtModem {
    /// The card, and the channels `AT+CCHO` opened, each with its session id.
    card: ModemCard<String>,
    quirks: AtQuirks,
    echo: bool,
    cmee: u8,
    next_opaque: u64,
    observed: Arc<Mutex<Observed>>,
}

impl std::fmt::Debug for SimulatedAtModem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedAtModem")
            .field("quirks", &self.quirks)
            .field("echo", &self.echo)
            .field("cmee", &self.cmee)
            .field("card", &self.card)
            .finish_non_exhaustive()
    }
}

impl SimulatedAtModem {
    /// A well-behaved modem in front of `card`.
    pub fn new(card: Box<dyn Transport>) -> Self {
        Self {
            card: ModemCard::new(card),
            quirks: AtQuirks::default(),
            echo: true,
            cmee: 0,
            next_opaque: FIRST_OPAQUE_SESSION,
            observed: Arc::default(),
        }
    }

    /// The same modem with `quirks`.
    #[must_use]
    pub fn with_quirks(mut self, quirks: AtQuirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Its quirks.
    pub fn quirks(&self) -> &AtQuirks {
        &self.quirks
    }

    /// A handle that watches the modem after it moved into the thread serving it.
    pub fn handle(&self) -> SimulatedAtModemHandle {
        SimulatedAtModemHandle { observed: Arc::clone(&self.observed) }
    }

    /// Serves `stream` until it ends: end of file, or a peer gone (`EIO` from a pseudo-terminal
    /// master without a host, a broken pipe).
    ///
    /// # Errors
    ///
    /// Other read and write errors.
    pub fn serve<S: Read + Write>(&mut self, mut stream: S) -> io::Result<()> {
        let mut buf = vec![0u8; 4096];
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if peer_gone(&e) => return Ok(()),
                Err(e) => return Err(e),
            };
            let Some((received, _)) = buf.split_at_checked(n) else {
                return Err(io::Error::other("the stream reported more bytes than it was given room for"));
            };
            pending.extend_from_slice(received);
            while let Some(end) = pending.iter().position(|b| matches!(b, b'\r' | b'\n')) {
                let line: Vec<u8> = pending.drain(..=end).take(end).collect();
                if line.is_empty() {
                    continue;
                }
                let reply = self.respond(&String::from_utf8_lossy(&line));
                if let Err(e) = stream.write_all(&reply).and_then(|()| stream.flush()) {
                    return if peer_gone(&e) { Ok(()) } else { Err(e) };
                }
            }
            if pending.len() > MAX_COMMAND_LINE {
                pending.clear();
                stream.write_all(b"\r\nERROR\r\n")?;
            }
        }
    }

    /// The bytes the modem sends for the command line `line` (no terminator): its echo, then
    /// its answer. Empty for a test command a [`TestCommands::Silent`] modem ignores.
    pub fn respond(&mut self, line: &str) -> Vec<u8> {
        {
            let mut observed = self.observed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if observed.commands.len() < MAX_LOGGED_COMMANDS {
                observed.commands.push(line.to_owned());
            }
        }
        let mut out = Vec::new();
        if self.echo {
            let mut echoed = line.chars();
            if self.quirks.garbled_echo {
                echoed.next();
            }
            let echoed = echoed.as_str();
            out.extend_from_slice(echoed.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let Some(answer) = self.answer(line.trim()) else {
            return out;
        };
        if let Some(urc) = &self.quirks.unsolicited {
            push_line(&mut out, urc);
        }
        for info in &answer.info {
            push_line(&mut out, info);
        }
        push_line(&mut out, &answer.result);
        self.sync_observed();
        out
    }

    /// The answer to one command line; `None` for no answer at all.
    fn answer(&mut self, line: &str) -> Option<Answer> {
        let Some(body) = strip_prefix_ignore_case(line, "AT") else {
            return Some(Answer::error());
        };
        if body.len() > MAX_COMMAND_LINE {
            return Some(Answer::error());
        }
        let upper = body.to_ascii_uppercase();
        match upper.as_str() {
            "" => return Some(Answer::ok()),
            "E" | "E0" => {
                self.echo = self.quirks.stuck_echo;
                return Some(Answer::ok());
            }
            "E1" => {
                self.echo = true;
                return Some(Answer::ok());
            }
            "+CMEE?" => return Some(Answer::info(format!("+CMEE: {}", self.cmee))),
            // S3, the command line termination character (ITU-T V.250 §6.2.1): CR.
            "S3?" => return Some(Answer::info("013".to_owned())),
            _ => {}
        }
        if let Some(name) = upper.strip_suffix("=?") {
            return self.test_command(name);
        }
        // Arguments keep their case: session ids are compared as sent.
        let (name, args) = body.split_once('=').unwrap_or((body, ""));
        let name = name.to_ascii_uppercase();
        let logical = !self.quirks.csim_only;
        Some(match name.as_str() {
            "+CMEE" => match args.parse::<u8>() {
                Ok(n @ 0..=2) => {
                    self.cmee = n;
                    Answer::ok()
                }
                _ => Answer::error(),
            },
            "+CSIM" => self.csim(args),
            "+CCHO" if logical => self.ccho(args),
            "+CGLA" if logical => self.cgla(args),
            "+CCHC" if logical && self.quirks.cchc => self.cchc(args),
            _ => Answer::error(),
        })
    }

    /// `AT+<name>=?`.
    fn test_command(&self, name: &str) -> Option<Answer> {
        let known = match name {
            "+CSIM" | "+CMEE" => true,
            "+CCHO" | "+CGLA" => !self.quirks.csim_only,
            "+CCHC" => !self.quirks.csim_only && self.quirks.cchc,
            _ => false,
        };
        match self.quirks.test_commands {
            TestCommands::Answered if known => Some(Answer::ok()),
            TestCommands::Silent => None,
            _ => Some(Answer::error()),
        }
    }

    /// `AT+CCHO=<dfname>`: MANAGE CHANNEL and SELECT of `<dfname>` on the new channel, success
    /// only for `90 00` (after GET RESPONSE).
    fn ccho(&mut self, args: &str) -> Answer {
        let Some(aid) = hex_argument(args).filter(|aid| (1..=16).contains(&aid.len())) else {
            return Answer::error();
        };
        let id = match self.quirks.session_ids {
            SessionIds::Small => (1u64..)
                .find(|n| !self.card.channels().any(|(_, id)| *id == n.to_string()))
                .unwrap_or(1)
                .to_string(),
            SessionIds::Opaque => format!("{:016x}", self.next_opaque),
        };
        let select = Select { aid: &aid, p2: 0x00, accepts: |sw| sw == SW_SUCCESS };
        if self.card.open_channel(Some(select), id.clone()).is_err() {
            return self.cme(CmeError::SIM_FAILURE);
        }
        if self.quirks.session_ids == SessionIds::Opaque {
            self.next_opaque = self.next_opaque.wrapping_add(1);
        }
        let line = match self.quirks.ccho_reply {
            CchoReply::Prefixed => format!("+CCHO: {id}"),
            CchoReply::Compact => format!("+CCHO:{id}"),
            CchoReply::Bare => id,
        };
        Answer::info(line)
    }

    /// The channel of session `id`.
    fn session(&self, id: &str) -> Option<u8> {
        self.card.channels().find(|(_, session)| session.as_str() == id.trim()).map(|(channel, _)| channel)
    }

    /// `AT+CGLA=<sessionid>,<length>,<command>`: the command on the session's channel, its CLA
    /// channel bits set to it (27.007 §8.45 NOTE: "it will be up to the MT to manage the logical
    /// channel part of the APDU CLASS byte").
    fn cgla(&mut self, args: &str) -> Answer {
        let Some((session, rest)) = args.split_once(',') else {
            return Answer::error();
        };
        let Some(channel) = self.session(session) else {
            return Answer::error();
        };
        let Some(apdu) = length_and_hex(rest) else {
            return Answer::error();
        };
        self.card_answer("+CGLA:", &card::on_channel(&apdu, channel))
    }

    /// `AT+CCHC=<sessionid>`: MANAGE CHANNEL close of the session's channel.
    fn cchc(&mut self, args: &str) -> Answer {
        let Some(channel) = self.session(args) else {
            return Answer::error();
        };
        let _ = self.card.close_channel(channel);
        if self.quirks.cchc_line { Answer::info("+CCHC".to_owned()) } else { Answer::ok() }
    }

    /// `AT+CSIM=<length>,<command>`.
    fn csim(&mut self, args: &str) -> Answer {
        let Some(apdu) = length_and_hex(args) else {
            return Answer::error();
        };
        self.card_answer("+CSIM:", &apdu)
    }

    /// `apdu` to the card; `<prefix> <length>,"<response>"` or `+CME ERROR: 13`.
    fn card_answer(&mut self, prefix: &str, apdu: &[u8]) -> Answer {
        if let [_, 0xE2, ..] = apdu {
            std::thread::sleep(self.quirks.store_data_delay);
        }
        let Ok(answer) = self.card.transmit(apdu) else {
            return self.cme(CmeError::SIM_FAILURE);
        };
        let response = answer.into_bytes();
        if prefix == "+CSIM:" {
            let mut observed = self.observed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match ManageChannel::of(apdu, &response) {
                Some(ManageChannel::Opened(channel)) if !observed.csim_channels.contains(&channel) => {
                    observed.csim_channels.push(channel);
                }
                Some(ManageChannel::Closed(channel)) => observed.csim_channels.retain(|c| *c != channel),
                _ => {}
            }
        } else if let Some(ManageChannel::Closed(channel)) = ManageChannel::of(apdu, &response) {
            // A session's channel closed by MANAGE CHANNEL in `AT+CGLA` (how a host closes
            // it on a modem without `+CCHC`): the session is gone.
            self.card.forget_channel(channel);
        }
        let hex = hex::encode_upper(&response);
        let space = if self.quirks.space_after_colon { " " } else { "" };
        Answer::info(format!("{prefix}{space}{},\"{hex}\"", hex.len()))
    }

    /// `+CME ERROR: <code>` as `AT+CMEE` and the quirks say: `ERROR` while `AT+CMEE=0`,
    /// the number after `=1`, the 27.007 §9.2.1 text after `=2` or with verbose errors.
    fn cme(&self, code: u16) -> Answer {
        let error = CmeError::from_code(code);
        let result = match (self.cmee, self.quirks.verbose_errors, error.name()) {
            (0, _, _) => "ERROR".to_owned(),
            (2, _, Some(name)) | (_, true, Some(name)) => format!("+CME ERROR: {name}"),
            _ => format!("+CME ERROR: {code}"),
        };
        Answer { info: Vec::new(), result }
    }

    /// Publishes the session count to the handles.
    fn sync_observed(&self) {
        let mut observed = self.observed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        observed.sessions = self.card.channels().count();
    }
}

/// Information lines and the final result code of one command.
struct Answer {
    info: Vec<String>,
    result: String,
}

impl Answer {
    fn ok() -> Self {
        Self { info: Vec::new(), result: "OK".to_owned() }
    }

    fn error() -> Self {
        Self { info: Vec::new(), result: "ERROR".to_owned() }
    }

    fn info(line: String) -> Self {
        Self { info: vec![line], result: "OK".to_owned() }
    }
}

/// Appends `<CR><LF>line<CR><LF>`.
fn push_line(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// `"<HEX>"` (quotes optional) decoded.
fn hex_argument(arg: &str) -> Option<Vec<u8>> {
    let arg = arg.trim();
    let arg = arg.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(arg);
    hex::decode(arg).ok()
}

/// `<length>,"<HEX>"` decoded, `<length>` counting the hex characters (27.007 §8.17).
fn length_and_hex(args: &str) -> Option<Vec<u8>> {
    let (length, data) = args.split_once(',')?;
    let length: usize = length.trim().parse().ok()?;
    let bytes = hex_argument(data)?;
    (length == 2 * bytes.len() && bytes.len() >= 4).then_some(bytes)
}

/// `line` without `prefix`, compared without case.
fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| line.get(prefix.len()..)).flatten()
}

/// Whether `err` means the other end is gone: `EIO` on a pseudo-terminal master without a
/// host (Linux), a broken pipe, a reset connection.
fn peer_gone(err: &io::Error) -> bool {
    err.raw_os_error() == Some(rustix::io::Errno::IO.raw_os_error())
        || matches!(err.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset)
}
