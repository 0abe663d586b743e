//! A bridge that plays any [`CardSimulator`] as the card of a
//! `vsmartcard-vpcd` virtual reader, so every PC/SC program sees it as a real card.
//!
//! The vpcd driver of pcscd listens on TCP (slot 0 on [`DEFAULT_PORT`] = 35963,
//! reader "Virtual PCD 00 00"; slot 1 on 35964, "Virtual PCD 00 01"); the card
//! connects to it. While connected the reader shows a card present; closing
//! the socket is removing the card.
//!
//! Wire protocol (vsmartcard `vpcd` documentation, "vpcd ↔ vicc" socket
//! protocol, frankmorgner/vsmartcard `virtualsmartcard/src/vpcd/`): every
//! message in both directions is a 2-byte big-endian length and that many
//! bytes. A 1-byte body from vpcd is a control code: `00` power off, `01` power
//! on, `02` reset (no reply), `04` get ATR (reply: the ATR). Any other body is
//! a command APDU, answered with the response APDU.
//!
//! Latency trap: vsmartcard 3.3 (Debian bookworm) writes the length and the
//! body with two `send()` calls; with Linux delayed ACKs that costs ~40 ms per
//! APDU unless the card re-arms `TCP_QUICKACK` after every read, which
//! [`serve`] does (and it answers with one write, `TCP_NODELAY` set).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::sim::CardSimulator;
use crate::{ErrorKind, TransportError};

/// TCP port of the first vpcd slot, reader "Virtual PCD 00 00" (the second
/// slot, "Virtual PCD 00 01", is `DEFAULT_PORT + 1`).
pub const DEFAULT_PORT: u16 = 35963;

/// Control code "power off" (1-byte body from vpcd).
pub const CTRL_POWER_OFF: u8 = 0x00;
/// Control code "power on".
pub const CTRL_POWER_ON: u8 = 0x01;
/// Control code "reset".
pub const CTRL_RESET: u8 = 0x02;
/// Control code "get ATR": the card replies with its ATR.
pub const CTRL_GET_ATR: u8 = 0x04;

/// How long [`VirtualCard::spawn`] keeps retrying to connect while vpcd is not listening yet.
const CONNECT_RETRY: Duration = Duration::from_secs(2);

fn quickack(stream: &TcpStream) -> Result<(), TransportError> {
    socket2::SockRef::from(stream)
        .set_tcp_quickack(true)
        .map_err(|e| TransportError::io(e).with_detail("setting TCP_QUICKACK"))
}

/// Reads one frame into `body`; `Ok(false)` on a clean end of stream (before a length).
fn read_frame(stream: &mut TcpStream, body: &mut Vec<u8>) -> Result<bool, TransportError> {
    let mut len = [0u8; 2];
    // First byte by hand: EOF here is vpcd (or our shutdown) closing the connection.
    let [first, second] = &mut len;
    loop {
        match stream.read(std::slice::from_mut(first)) {
            Ok(0) => return Ok(false),
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TransportError::io(e).with_detail("reading a vpcd frame length")),
        }
    }
    stream
        .read_exact(std::slice::from_mut(second))
        .map_err(|e| TransportError::io(e).with_detail("reading a vpcd frame length"))?;
    quickack(stream)?;
    body.clear();
    body.resize(usize::from(u16::from_be_bytes(len)), 0);
    stream.read_exact(body).map_err(|e| TransportError::io(e).with_detail("reading a vpcd frame body"))?;
    quickack(stream)?;
    Ok(true)
}

/// Writes `body` as one frame with a single write call.
fn write_frame(stream: &mut TcpStream, frame: &mut Vec<u8>, body: &[u8]) -> Result<(), TransportError> {
    let len = u16::try_from(body.len()).map_err(|_| {
        TransportError::new(ErrorKind::ResponseTooLong)
            .with_detail(format!("{} bytes do not fit a vpcd frame (max 65535)", body.len()))
    })?;
    frame.clear();
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(frame).map_err(|e| TransportError::io(e).with_detail("writing a vpcd frame"))
}

/// Serves `card` on a connected vpcd socket until vpcd closes it.
///
/// Sets `TCP_NODELAY`, re-arms `TCP_QUICKACK` after every read and answers
/// each request with one write. Control codes reach the simulator as
/// [`power_off`](CardSimulator::power_off) (`00`) and
/// [`reset`](CardSimulator::reset) (`01` power on, `02` reset); unknown
/// control codes and empty bodies are ignored.
///
/// Returns `Ok(())` when vpcd closes the connection between frames. Errors:
/// socket errors ([`TransportError::io`] kinds), a connection closed inside a
/// frame ([`ErrorKind::CardRemoved`]), and a simulator response longer than
/// 65 535 bytes ([`ErrorKind::ResponseTooLong`]). An error ends the session: the socket is shut
/// down, vpcd sees the card removed.
pub fn serve<S: CardSimulator + ?Sized>(mut stream: TcpStream, card: &mut S) -> Result<(), TransportError> {
    let result = serve_frames(&mut stream, card);
    if result.is_err() {
        // Other handles to the socket (VirtualCard keeps one) must not keep the card "inserted".
        let _ = stream.shutdown(Shutdown::Both);
    }
    result
}

fn serve_frames<S: CardSimulator + ?Sized>(
    stream: &mut TcpStream,
    card: &mut S,
) -> Result<(), TransportError> {
    stream.set_nodelay(true).map_err(|e| TransportError::io(e).with_detail("setting TCP_NODELAY"))?;
    let mut request = Vec::with_capacity(crate::MAX_COMMAND_LEN);
    let mut response = Vec::with_capacity(crate::MAX_RESPONSE_LEN);
    let mut frame = Vec::with_capacity(crate::MAX_RESPONSE_LEN + 2);
    while read_frame(stream, &mut request)? {
        match request.as_slice() {
            [] => tracing::debug!(target: "oxicard::vpcd", "empty frame ignored"),
            [CTRL_POWER_OFF] => card.power_off(),
            [CTRL_POWER_ON | CTRL_RESET] => card.reset(),
            [CTRL_GET_ATR] => write_frame(stream, &mut frame, card.atr())?,
            [code] => tracing::debug!(target: "oxicard::vpcd", "unknown control code {code:02X} ignored"),
            apdu => {
                response.clear();
                card.process(apdu, &mut response);
                write_frame(stream, &mut frame, &response)?;
            }
        }
    }
    Ok(())
}

/// Connects to vpcd at `addr`, retrying for up to 2 s while nothing listens yet.
fn connect(addr: impl ToSocketAddrs) -> Result<TcpStream, TransportError> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| TransportError::io(e).with_detail("resolving the vpcd address"))?
        .collect();
    let deadline = Instant::now() + CONNECT_RETRY;
    loop {
        match TcpStream::connect(addrs.as_slice()) {
            Ok(stream) => return Ok(stream),
            Err(e) if Instant::now() < deadline && e.kind() == std::io::ErrorKind::ConnectionRefused => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => {
                return Err(TransportError::new(ErrorKind::ReaderUnavailable)
                    .with_detail(format!("connecting to vpcd at {addrs:?}"))
                    .with_source(e));
            }
        }
    }
}

type Served<S> = (S, Result<(), TransportError>);

/// A simulator inserted into a vpcd virtual reader, served on a background thread.
///
/// Dropping it removes the card (closes the socket) and joins the thread.
pub struct VirtualCard<S: CardSimulator + 'static> {
    stream: TcpStream,
    /// Set before we shut the socket down: errors after that are ours, not the session's.
    removing: Arc<AtomicBool>,
    thread: Option<JoinHandle<Served<S>>>,
    peer: SocketAddr,
}

impl<S: CardSimulator + 'static> std::fmt::Debug for VirtualCard<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard").field("peer", &self.peer).field("running", &self.is_running()).finish()
    }
}

impl<S: CardSimulator + 'static> VirtualCard<S> {
    /// Inserts `simulator` into the vpcd reader listening on `127.0.0.1:port`
    /// ([`DEFAULT_PORT`] for "Virtual PCD 00 00").
    ///
    /// pcscd notices the card at its next presence poll (0.2–0.6 s later).
    /// After a card was removed, wait until the reader reports it empty
    /// before inserting the next one on the same port.
    pub fn spawn(simulator: S, port: u16) -> Result<Self, TransportError> {
        Self::spawn_at(simulator, ("127.0.0.1", port))
    }

    /// [`spawn`](Self::spawn) with any address.
    pub fn spawn_at(mut simulator: S, addr: impl ToSocketAddrs) -> Result<Self, TransportError> {
        let stream = connect(addr)?;
        let peer = stream.peer_addr().map_err(TransportError::io)?;
        let served = stream.try_clone().map_err(TransportError::io)?;
        let removing = Arc::new(AtomicBool::new(false));
        let removed = Arc::clone(&removing);
        let thread = std::thread::Builder::new()
            .name(format!("vpcd-card-{}", peer.port()))
            .spawn(move || {
                let mut served = served;
                let result = serve_frames(&mut served, &mut simulator);
                // A read or write cut short by our own shutdown is the removal, not a failure.
                // (Decided before the shutdown below, which the peer may see and react to.)
                let result = if removed.load(Ordering::SeqCst) { Ok(()) } else { result };
                if result.is_err() {
                    let _ = served.shutdown(Shutdown::Both);
                }
                (simulator, result)
            })
            .map_err(|e| TransportError::io(e).with_detail("spawning the vpcd card thread"))?;
        Ok(Self { stream, removing, thread: Some(thread), peer })
    }

    /// The vpcd address the card is connected to.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Whether the card is still being served (vpcd has not closed the connection).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    fn stop(&mut self) -> Option<Result<Served<S>, TransportError>> {
        self.removing.store(true, Ordering::SeqCst);
        // NotConnected when vpcd already closed it: nothing to do.
        let _ = self.stream.shutdown(Shutdown::Both);
        let thread = self.thread.take()?;
        Some(
            thread.join().map_err(|_| {
                TransportError::new(ErrorKind::Other).with_detail("the vpcd card thread panicked")
            }),
        )
    }

    /// Removes the card (closes the socket), waits for the serving thread and
    /// returns the simulator, to inspect or to insert again with [`spawn`](Self::spawn).
    ///
    /// Errors: the session had failed before the removal (for example a
    /// response longer than 65 535 bytes; the simulator is dropped then), or
    /// the simulator panicked ([`ErrorKind::Other`]).
    pub fn remove(mut self) -> Result<S, TransportError> {
        match self.stop() {
            Some(Ok((simulator, Ok(())))) => Ok(simulator),
            Some(Ok((_, Err(err))) | Err(err)) => Err(err),
            None => Err(TransportError::new(ErrorKind::Closed).with_detail("card already removed")),
        }
    }
}

impl<S: CardSimulator + 'static> Drop for VirtualCard<S> {
    fn drop(&mut self) {
        if let Some(Ok((_, Err(err)))) = self.stop() {
            tracing::debug!(target: "oxicard::vpcd", "virtual card session ended: {}", crate::ErrorChain(&err));
        }
    }
}
