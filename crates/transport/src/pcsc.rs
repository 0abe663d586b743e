//! PC/SC readers through the [`pcsc`] crate (pcsc-lite on Linux and
//! macOS, WinSCard on Windows).
//!
//! ```no_run
//! use std::time::Duration;
//! use oxicard_transport::Transport;
//! use oxicard_transport::pcsc::{ConnectOptions, PcscContext};
//!
//! # fn main() -> Result<(), oxicard_transport::TransportError> {
//! let ctx = PcscContext::establish()?;
//! let reader = ctx.list_readers()?.into_iter().next().unwrap_or_default();
//! let mut card = ctx.connect(&reader, &ConnectOptions::default().wait_for_card(Duration::from_secs(5)))?;
//! let mut response = [0u8; 258];
//! // SELECT the SGP.22 ISD-R (SGP.22 §2.2.3; AID A0000005591010FFFFFFFF8900000100).
//! let select = hex::decode("00A4040010A0000005591010FFFFFFFF8900000100").unwrap_or_default();
//! let len = card.transmit(&select, &mut response)?;
//! # let _ = len;
//! # Ok(())
//! # }
//! ```
//!
//! Function references are to the PC/SC Workgroup specification Part 5
//! ("ICC Resource Manager Definition", `SCardConnect`, `SCardTransmit`, …)
//! as implemented by pcsc-lite.
//!
//! The card is left as it was: dropping a [`PcscCard`] disconnects with
//! `SCARD_LEAVE_CARD` (`SCardDisconnect`, PC/SC Part 5), as dropping a
//! [`Transaction`] ends it with `SCARD_LEAVE_CARD` (`SCardEndTransaction`,
//! PC/SC Part 5); only [`Transport::reset`] resets the card. Work of several
//! APDUs that depends on card state (a selected application, a logical
//! channel, a secure channel session) belongs in one [`Transaction`], so that
//! no other application's commands or resets come in between.

use std::ffi::CString;
use std::time::{Duration, Instant};

use crate::error::pcsc_kind;
use crate::transport::ResetKind;
use crate::{ErrorKind, Transport, TransportError};

/// How long an error path may wait for pcscd to notice that a card is gone
/// (pcscd polls the readers about every 400 ms).
const PRESENCE_SETTLE: Duration = Duration::from_millis(1000);

fn reader_cstring(reader: &str) -> Result<CString, TransportError> {
    CString::new(reader).map_err(|_| {
        TransportError::new(ErrorKind::NoReader).with_detail(format!("reader name {reader:?} contains NUL"))
    })
}

fn with_reader(err: ::pcsc::Error, reader: &str) -> TransportError {
    TransportError::from(err).with_detail(format!("reader {reader:?}"))
}

/// What a reader reports (`SCardGetStatusChange`, PC/SC Part 5 §3.1.11).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReaderStatus {
    /// The reader name, as [`PcscContext::connect`] wants it.
    pub name: String,
    /// A card is in the reader (`SCARD_STATE_PRESENT`).
    pub card_present: bool,
    /// The card's ATR when one is present.
    pub atr: Option<Vec<u8>>,
    /// Some application holds the card (`SCARD_STATE_INUSE`).
    pub in_use: bool,
    /// Some application holds the card exclusively (`SCARD_STATE_EXCLUSIVE`).
    pub exclusive: bool,
    /// The card does not answer to reset (`SCARD_STATE_MUTE`).
    pub mute: bool,
    /// The reader is not available (`SCARD_STATE_UNAVAILABLE`).
    pub unavailable: bool,
}

impl ReaderStatus {
    fn from_state(name: String, state: &::pcsc::ReaderState) -> Self {
        use ::pcsc::State;
        let event = state.event_state();
        let card_present = event.contains(State::PRESENT);
        Self {
            name,
            card_present,
            atr: (card_present && !state.atr().is_empty()).then(|| state.atr().to_vec()),
            in_use: event.contains(State::INUSE),
            exclusive: event.contains(State::EXCLUSIVE),
            mute: event.contains(State::MUTE),
            unavailable: event.contains(State::UNAVAILABLE),
        }
    }
}

/// Access mode of a connection (`dwShareMode` of `SCardConnect`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShareMode {
    /// Other applications may use the card too (`SCARD_SHARE_SHARED`).
    #[default]
    Shared,
    /// No other application may connect (`SCARD_SHARE_EXCLUSIVE`).
    Exclusive,
}

impl ShareMode {
    const fn raw(self) -> ::pcsc::ShareMode {
        match self {
            Self::Shared => ::pcsc::ShareMode::Shared,
            Self::Exclusive => ::pcsc::ShareMode::Exclusive,
        }
    }
}

/// Acceptable protocols (`dwPreferredProtocols`; ISO/IEC 7816-3 §10 T=0, §11 T=1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocols {
    /// T=0 only.
    T0,
    /// T=1 only.
    T1,
    /// Whatever the card and reader agree on.
    #[default]
    Any,
}

impl Protocols {
    const fn raw(self) -> ::pcsc::Protocols {
        match self {
            Self::T0 => ::pcsc::Protocols::T0,
            Self::T1 => ::pcsc::Protocols::T1,
            Self::Any => ::pcsc::Protocols::ANY,
        }
    }
}

/// The protocol a connection runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// T=0, character protocol (ISO/IEC 7816-3 §10).
    T0,
    /// T=1, block protocol (ISO/IEC 7816-3 §11).
    T1,
    /// Raw (reader specific).
    Raw,
}

impl Protocol {
    const fn from_raw(raw: ::pcsc::Protocol) -> Self {
        match raw {
            ::pcsc::Protocol::T0 => Self::T0,
            ::pcsc::Protocol::T1 => Self::T1,
            ::pcsc::Protocol::RAW => Self::Raw,
        }
    }
}

/// What to do when the card turns out to have been reset by another
/// application (`SCARD_W_RESET_CARD`): the card lost its selected
/// applications, logical channels and security state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnReset {
    /// Return [`ErrorKind::CardReset`] and leave the handle as it is; the
    /// caller must call [`Transport::reconnect`] before going on.
    Fail,
    /// Reconnect (without resetting again), then return
    /// [`ErrorKind::CardReset`] so the caller re-selects what it needs; the
    /// next command goes through. The default.
    #[default]
    Reconnect,
    /// Reconnect and send the command once more; only safe when the command
    /// does not depend on state the reset destroyed.
    ReconnectAndRetry,
}

/// How to connect to a card: [`PcscContext::connect`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Shared (default) or exclusive access.
    pub share: ShareMode,
    /// Acceptable protocols (default: any).
    pub protocols: Protocols,
    /// Reaction to a reset by someone else (default: [`OnReset::Reconnect`]).
    pub on_reset: OnReset,
    /// Wait up to this long for a card to be inserted (default: fail at once
    /// with [`ErrorKind::NoCard`]).
    pub wait_for_card: Option<Duration>,
}

impl ConnectOptions {
    /// Sets the share mode.
    #[must_use]
    pub const fn share(mut self, share: ShareMode) -> Self {
        self.share = share;
        self
    }

    /// Shorthand for [`ShareMode::Exclusive`].
    #[must_use]
    pub const fn exclusive(self) -> Self {
        self.share(ShareMode::Exclusive)
    }

    /// Sets the acceptable protocols.
    #[must_use]
    pub const fn protocols(mut self, protocols: Protocols) -> Self {
        self.protocols = protocols;
        self
    }

    /// Sets the reaction to a reset by someone else.
    #[must_use]
    pub const fn on_reset(mut self, on_reset: OnReset) -> Self {
        self.on_reset = on_reset;
        self
    }

    /// Waits up to `timeout` for a card when none is present.
    #[must_use]
    pub const fn wait_for_card(mut self, timeout: Duration) -> Self {
        self.wait_for_card = Some(timeout);
        self
    }
}

/// A connection to the PC/SC resource manager (`SCardEstablishContext`, PC/SC Part 5 §3.1.1).
///
/// Cheap to clone (the `pcsc` context is reference counted); `Send + Sync`.
#[derive(Clone)]
pub struct PcscContext {
    ctx: ::pcsc::Context,
}

impl std::fmt::Debug for PcscContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscContext").finish_non_exhaustive()
    }
}

impl PcscContext {
    /// Connects to the resource manager (user scope).
    ///
    /// Errors: [`ErrorKind::NoService`] when pcscd is not running.
    pub fn establish() -> Result<Self, TransportError> {
        let ctx = ::pcsc::Context::establish(::pcsc::Scope::User)?;
        Ok(Self { ctx })
    }

    /// The underlying `pcsc` context.
    pub fn raw(&self) -> &::pcsc::Context {
        &self.ctx
    }

    /// Names of all readers (`SCardListReaders`); empty when there are none.
    pub fn list_readers(&self) -> Result<Vec<String>, TransportError> {
        match self.ctx.list_readers_owned() {
            Ok(names) => Ok(names.into_iter().map(|n| n.to_string_lossy().into_owned()).collect()),
            Err(::pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(err) => Err(err.into()),
        }
    }

    /// The status of every reader, with card presence and ATR.
    pub fn readers(&self) -> Result<Vec<ReaderStatus>, TransportError> {
        let names = self.list_readers()?;
        let mut states = names
            .iter()
            .map(|name| Ok(::pcsc::ReaderState::new(reader_cstring(name)?, ::pcsc::State::UNAWARE)))
            .collect::<Result<Vec<_>, TransportError>>()?;
        if states.is_empty() {
            return Ok(Vec::new());
        }
        self.ctx.get_status_change(Duration::ZERO, &mut states)?;
        Ok(names
            .into_iter()
            .zip(&states)
            .map(|(name, state)| ReaderStatus::from_state(name, state))
            .collect())
    }

    /// The status of one reader.
    pub fn reader_status(&self, reader: &str) -> Result<ReaderStatus, TransportError> {
        let mut states = [::pcsc::ReaderState::new(reader_cstring(reader)?, ::pcsc::State::UNAWARE)];
        self.ctx.get_status_change(Duration::ZERO, &mut states).map_err(|e| with_reader(e, reader))?;
        let [state] = &states;
        Ok(ReaderStatus::from_state(reader.to_owned(), state))
    }

    /// Waits until `reader` reports a state `done` accepts; [`ErrorKind::Timeout`] after `timeout`.
    fn wait_until(
        &self,
        reader: &str,
        timeout: Duration,
        what: &str,
        done: impl Fn(::pcsc::State) -> bool,
    ) -> Result<(), TransportError> {
        let deadline = Instant::now() + timeout;
        let mut states = [::pcsc::ReaderState::new(reader_cstring(reader)?, ::pcsc::State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.ctx.get_status_change(left, &mut states) {
                Ok(()) => {}
                Err(::pcsc::Error::Timeout) => {}
                Err(err) => return Err(with_reader(err, reader)),
            }
            let [state] = &mut states;
            if done(state.event_state()) {
                return Ok(());
            }
            if left.is_zero() {
                return Err(TransportError::new(ErrorKind::Timeout)
                    .with_detail(format!("no {what} in reader {reader:?} within {timeout:?}")));
            }
            state.sync_current_state();
        }
    }

    /// Waits up to `timeout` for a card in `reader` (`SCardGetStatusChange`).
    ///
    /// Errors: [`ErrorKind::Timeout`], [`ErrorKind::NoReader`] for an unknown reader.
    pub fn wait_for_card(&self, reader: &str, timeout: Duration) -> Result<(), TransportError> {
        self.wait_until(reader, timeout, "card", |s| {
            s.contains(::pcsc::State::PRESENT) && !s.contains(::pcsc::State::MUTE)
        })
    }

    /// Waits up to `timeout` until `reader` is empty (`SCARD_STATE_EMPTY`).
    ///
    /// Errors: [`ErrorKind::Timeout`], [`ErrorKind::NoReader`] for an unknown reader.
    pub fn wait_for_empty(&self, reader: &str, timeout: Duration) -> Result<(), TransportError> {
        self.wait_until(reader, timeout, "empty slot", |s| s.contains(::pcsc::State::EMPTY))
    }

    /// Connects to the card in `reader` (`SCardConnect`, PC/SC Part 5 §3.1.4).
    ///
    /// With [`ConnectOptions::wait_for_card`] set, waits for a card first and
    /// retries while pcscd has not finished powering it.
    ///
    /// Errors: [`ErrorKind::NoCard`], [`ErrorKind::NoReader`],
    /// [`ErrorKind::SharingViolation`], [`ErrorKind::ProtocolMismatch`],
    /// [`ErrorKind::Timeout`] (waiting), [`ErrorKind::NoService`].
    pub fn connect(&self, reader: &str, options: &ConnectOptions) -> Result<PcscCard, TransportError> {
        let name = reader_cstring(reader)?;
        let deadline = options.wait_for_card.map(|timeout| Instant::now() + timeout);
        if let Some(timeout) = options.wait_for_card {
            self.wait_for_card(reader, timeout)?;
        }
        let card = loop {
            match self.ctx.connect(&name, options.share.raw(), options.protocols.raw()) {
                Ok(card) => break card,
                Err(
                    ::pcsc::Error::NoSmartcard | ::pcsc::Error::RemovedCard | ::pcsc::Error::UnpoweredCard,
                ) if deadline.is_some_and(|d| Instant::now() < d) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(err) => return Err(with_reader(err, reader)),
            }
        };
        let mut state = Session {
            ctx: self.ctx.clone(),
            reader: reader.to_owned(),
            name,
            options: *options,
            atr: Vec::new(),
            protocol: None,
        };
        state.refresh(&card)?;
        tracing::debug!(
            target: "oxicard::pcsc",
            "connected to the card in {reader:?} ({:?}, {:?})",
            options.share,
            state.protocol
        );
        Ok(PcscCard { card: Some(card), state })
    }
}

/// Everything about a connection except the `pcsc` handle itself (so that a
/// [`Transaction`] can borrow both at once).
struct Session {
    ctx: ::pcsc::Context,
    reader: String,
    name: CString,
    options: ConnectOptions,
    atr: Vec<u8>,
    protocol: Option<Protocol>,
}

/// The `pcsc` handle operations a session needs: implemented by the card and by a transaction on it.
trait Handle {
    fn card(&self) -> &::pcsc::Card;
    fn reconnect(
        &mut self,
        share: ::pcsc::ShareMode,
        protocols: ::pcsc::Protocols,
        init: ::pcsc::Disposition,
    ) -> Result<(), ::pcsc::Error>;
}

impl Handle for ::pcsc::Card {
    fn card(&self) -> &::pcsc::Card {
        self
    }
    fn reconnect(
        &mut self,
        share: ::pcsc::ShareMode,
        protocols: ::pcsc::Protocols,
        init: ::pcsc::Disposition,
    ) -> Result<(), ::pcsc::Error> {
        ::pcsc::Card::reconnect(self, share, protocols, init)
    }
}

impl Handle for ::pcsc::Transaction<'_> {
    fn card(&self) -> &::pcsc::Card {
        self
    }
    fn reconnect(
        &mut self,
        share: ::pcsc::ShareMode,
        protocols: ::pcsc::Protocols,
        init: ::pcsc::Disposition,
    ) -> Result<(), ::pcsc::Error> {
        ::pcsc::Transaction::reconnect(self, share, protocols, init)
    }
}

impl Session {
    /// Re-reads ATR and protocol (`SCardStatus`).
    fn refresh(&mut self, card: &::pcsc::Card) -> Result<(), TransportError> {
        let status = card.status2_owned().map_err(|e| self.error(e))?;
        self.atr = status.atr().to_vec();
        self.protocol = status.protocol2().map(Protocol::from_raw);
        Ok(())
    }

    /// Maps a PC/SC error; a failed exchange on a card that is gone becomes
    /// [`ErrorKind::CardRemoved`] (vpcd reports a closed card socket as
    /// `SCARD_E_NOT_TRANSACTED`).
    fn error(&self, err: ::pcsc::Error) -> TransportError {
        let mapped = with_reader(err, &self.reader);
        if matches!(pcsc_kind(err), ErrorKind::Io) && !self.card_still_present() {
            return TransportError::new(ErrorKind::CardRemoved)
                .with_detail(format!("reader {:?}: the card is gone", self.reader))
                .with_source(err);
        }
        mapped
    }

    /// Whether the reader still reports a card, giving pcscd up to
    /// [`PRESENCE_SETTLE`] to notice a removal.
    fn card_still_present(&self) -> bool {
        use ::pcsc::State;
        let mut states = [::pcsc::ReaderState::new(self.name.clone(), State::UNAWARE)];
        if self.ctx.get_status_change(Duration::ZERO, &mut states).is_err() {
            return false;
        }
        let [state] = &mut states;
        if !state.event_state().contains(State::PRESENT) {
            return false;
        }
        state.sync_current_state();
        match self.ctx.get_status_change(PRESENCE_SETTLE, &mut states) {
            Ok(()) => states.iter().all(|s| s.event_state().contains(State::PRESENT)),
            Err(_) => true,
        }
    }

    fn reconnect_with(
        &mut self,
        handle: &mut impl Handle,
        init: ::pcsc::Disposition,
    ) -> Result<(), TransportError> {
        handle
            .reconnect(self.options.share.raw(), self.options.protocols.raw(), init)
            .map_err(|e| self.error(e))?;
        self.refresh(handle.card())
    }

    fn exchange(
        &mut self,
        handle: &mut impl Handle,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<usize, TransportError> {
        if command.len() < 4 || command.len() > crate::MAX_COMMAND_LEN {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{} bytes is no command APDU", command.len())));
        }
        match transmit(handle.card(), command, response) {
            Err(Failure::Pcsc(::pcsc::Error::ResetCard, _)) if self.options.on_reset != OnReset::Fail => {
                tracing::debug!(target: "oxicard::pcsc", "card in {:?} was reset; reconnecting", self.reader);
                self.reconnect_with(handle, ::pcsc::Disposition::LeaveCard)?;
                if self.options.on_reset == OnReset::Reconnect {
                    return Err(TransportError::from(::pcsc::Error::ResetCard).with_detail(format!(
                        "reader {:?}: the card was reset by another application and reconnected; \
                         select again",
                        self.reader
                    )));
                }
                transmit(handle.card(), command, response).map_err(|f| self.failure(f, response.len()))
            }
            result => result.map_err(|f| self.failure(f, response.len())),
        }
    }

    /// The error for a handle that was already given back to pcscd.
    fn closed(&self) -> TransportError {
        TransportError::new(ErrorKind::Closed)
            .with_detail(format!("reader {:?}: the card was already disconnected", self.reader))
    }

    fn failure(&self, failure: Failure, capacity: usize) -> TransportError {
        match failure {
            Failure::Pcsc(err @ ::pcsc::Error::InsufficientBuffer, needed) => {
                TransportError::response_too_long(needed, capacity).with_source(err)
            }
            Failure::Pcsc(err, _) => self.error(err),
            Failure::Short(len) => TransportError::new(ErrorKind::ProtocolMismatch).with_detail(format!(
                "reader {:?} returned {len} bytes, less than a status word",
                self.reader
            )),
        }
    }
}

enum Failure {
    Pcsc(::pcsc::Error, usize),
    Short(usize),
}

fn transmit(card: &::pcsc::Card, command: &[u8], response: &mut [u8]) -> Result<usize, Failure> {
    let len = card.transmit2(command, response).map_err(|(err, needed)| Failure::Pcsc(err, needed))?.len();
    if len < 2 { Err(Failure::Short(len)) } else { Ok(len) }
}

/// Disconnects `card` with `SCARD_LEAVE_CARD` (`SCardDisconnect`, PC/SC Part 5): the
/// card keeps its power, selected applications, logical channels and security state.
///
/// When pcscd refuses (pcsc-lite does for a handle it no longer knows, the reader or the
/// service having gone away), the `pcsc` crate releases the handle when it drops it; its own
/// `SCARD_RESET_CARD` attempt then fails for the same reason and resets nothing.
fn leave(card: ::pcsc::Card) -> Result<(), ::pcsc::Error> {
    card.disconnect(::pcsc::Disposition::LeaveCard).map_err(|(_card, err)| err)
}

/// A connected card (`SCARDHANDLE`); a [`Transport`].
///
/// Dropping it, like [`disconnect`](Self::disconnect), leaves the card as it
/// is (`SCardDisconnect` with `SCARD_LEAVE_CARD`), never resets it: what one
/// command selected or opened stays for the next one, and other applications
/// using the card are not disturbed. Reset explicitly with
/// [`Transport::reset`] where a reset is wanted.
pub struct PcscCard {
    /// The `pcsc` handle; `None` only once it was disconnected (in
    /// [`disconnect`](Self::disconnect) or in `Drop`), so never while callers hold the card.
    card: Option<::pcsc::Card>,
    state: Session,
}

impl std::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscCard")
            .field("reader", &self.state.reader)
            .field("atr", &hex::encode_upper(&self.state.atr))
            .field("protocol", &self.state.protocol)
            .field("options", &self.state.options)
            .finish()
    }
}

impl PcscCard {
    /// The reader name.
    pub fn reader(&self) -> &str {
        &self.state.reader
    }

    /// The active protocol, if any.
    pub fn protocol(&self) -> Option<Protocol> {
        self.state.protocol
    }

    /// The options the card was connected with.
    pub fn options(&self) -> &ConnectOptions {
        &self.state.options
    }

    /// The underlying `pcsc` handle (for benchmarks and reader-specific calls); always `Some`
    /// while you hold the card (it is taken only to disconnect).
    pub fn raw(&self) -> Option<&::pcsc::Card> {
        self.card.as_ref()
    }

    /// The handle and the session, or [`ErrorKind::Closed`] once disconnected.
    fn parts(&mut self) -> Result<(&mut ::pcsc::Card, &mut Session), TransportError> {
        let Self { card, state } = self;
        match card {
            Some(card) => Ok((card, state)),
            None => Err(state.closed()),
        }
    }

    /// Starts a transaction (`SCardBeginTransaction`, PC/SC Part 5 §3.1.7):
    /// no other application can use the card until the guard is dropped
    /// (`SCardEndTransaction` with `SCARD_LEAVE_CARD`). With pcsc-lite, other
    /// applications' commands, transactions, resets and connects wait meanwhile
    /// (WinSCard resets a card whose transaction sees no command for five seconds).
    ///
    /// A reset by another application before the transaction began is handled
    /// as [`OnReset`] says (`Fail` returns [`ErrorKind::CardReset`],
    /// `ReconnectAndRetry` starts the transaction again).
    pub fn transaction(&mut self) -> Result<Transaction<'_>, TransportError> {
        let (card, state) = self.parts()?;
        let card = match card.transaction2() {
            Ok(tx) => return Ok(Transaction { tx, state }),
            Err((card, ::pcsc::Error::ResetCard)) if state.options.on_reset != OnReset::Fail => {
                state.reconnect_with(card, ::pcsc::Disposition::LeaveCard)?;
                if state.options.on_reset == OnReset::Reconnect {
                    return Err(TransportError::from(::pcsc::Error::ResetCard)
                        .with_detail(format!("reader {:?}: reconnected after a reset", state.reader)));
                }
                card
            }
            Err((_, err)) => return Err(state.error(err)),
        };
        match card.transaction() {
            Ok(tx) => Ok(Transaction { tx, state }),
            Err(err) => Err(state.error(err)),
        }
    }

    /// Disconnects, leaving the card powered and as it is (`SCARD_LEAVE_CARD`), and reports
    /// the error dropping the card would only log.
    pub fn disconnect(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => leave(card).map_err(|err| self.state.error(err)),
            None => Ok(()),
        }
    }
}

impl Drop for PcscCard {
    /// `SCardDisconnect` with `SCARD_LEAVE_CARD`; an error is logged (target `oxicard::pcsc`).
    fn drop(&mut self) {
        if let Some(card) = self.card.take()
            && let Err(err) = leave(card)
        {
            tracing::debug!(target: "oxicard::pcsc", "disconnecting from {:?}: {err}", self.state.reader);
        }
    }
}

impl Transport for PcscCard {
    /// `SCardTransmit` (PC/SC Part 5 §3.1.9) straight into `response`.
    ///
    /// Errors: [`ErrorKind::ResponseTooLong`] (the card did execute the
    /// command), [`ErrorKind::CardReset`] (see [`OnReset`]),
    /// [`ErrorKind::CardRemoved`], [`ErrorKind::InvalidCommand`] (under 4 bytes).
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let (card, state) = self.parts()?;
        state.exchange(card, command, response)
    }

    fn atr(&self) -> &[u8] {
        &self.state.atr
    }

    /// `SCardReconnect` with `SCARD_RESET_CARD` (warm) or `SCARD_UNPOWER_CARD` (cold).
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        let (card, state) = self.parts()?;
        state.reconnect_with(card, disposition(kind))
    }

    /// `SCardReconnect` with `SCARD_LEAVE_CARD`: after a reset by someone
    /// else, or after the card was removed and inserted again.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        let (card, state) = self.parts()?;
        state.reconnect_with(card, ::pcsc::Disposition::LeaveCard)
    }
}

const fn disposition(kind: ResetKind) -> ::pcsc::Disposition {
    match kind {
        ResetKind::Warm => ::pcsc::Disposition::ResetCard,
        ResetKind::Cold => ::pcsc::Disposition::UnpowerCard,
    }
}

/// An open PC/SC transaction on a [`PcscCard`]; a [`Transport`] too.
///
/// Dropping it ends the transaction, leaving the card as it is
/// (`SCardEndTransaction` with `SCARD_LEAVE_CARD`).
pub struct Transaction<'a> {
    tx: ::pcsc::Transaction<'a>,
    state: &'a mut Session,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction").field("reader", &self.state.reader).finish_non_exhaustive()
    }
}

impl Transaction<'_> {
    /// Ends the transaction, leaving the card as it is; reports the error the
    /// guard's drop would ignore.
    pub fn end(self) -> Result<(), TransportError> {
        let Self { tx, state } = self;
        tx.end(::pcsc::Disposition::LeaveCard).map_err(|(_, err)| state.error(err))
    }

    /// The reader name.
    pub fn reader(&self) -> &str {
        &self.state.reader
    }
}

impl Transport for Transaction<'_> {
    /// As [`PcscCard`]'s `exchange`, inside the transaction.
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.state.exchange(&mut self.tx, command, response)
    }

    fn atr(&self) -> &[u8] {
        &self.state.atr
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.state.reconnect_with(&mut self.tx, disposition(kind))
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.state.reconnect_with(&mut self.tx, ::pcsc::Disposition::LeaveCard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_shared_any_reconnect_no_wait() {
        let options = ConnectOptions::default();
        assert_eq!(options.share, ShareMode::Shared);
        assert_eq!(options.protocols, Protocols::Any);
        assert_eq!(options.on_reset, OnReset::Reconnect);
        assert_eq!(options.wait_for_card, None);
        let options = options
            .exclusive()
            .protocols(Protocols::T1)
            .on_reset(OnReset::ReconnectAndRetry)
            .wait_for_card(Duration::from_secs(2));
        assert_eq!(options.share, ShareMode::Exclusive);
        assert_eq!(options.protocols.raw(), ::pcsc::Protocols::T1);
        assert_eq!(options.on_reset, OnReset::ReconnectAndRetry);
        assert_eq!(options.wait_for_card, Some(Duration::from_secs(2)));
    }

    #[test]
    fn card_and_transaction_are_send() {
        fn send<T: Send>() {}
        send::<PcscCard>();
        send::<Transaction<'_>>();
        send::<PcscContext>();
    }
}
