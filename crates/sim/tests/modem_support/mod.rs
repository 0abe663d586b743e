//! What the simulated-modem tests share: a software eUICC the test can still look at while a
//! modem owns it, and a modem served on one end of a socket pair.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use oxicard_sim::euicc::SoftEuicc;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ResetKind, Transport, TransportError};

/// The software eUICC behind a modem, shared with the test so that its channels can be checked
/// while the modem has it and after the modem is gone.
#[derive(Clone)]
pub struct SharedCard {
    card: Arc<Mutex<SimulatorTransport<SoftEuicc>>>,
    atr: Vec<u8>,
}

impl SharedCard {
    pub fn new(euicc: SoftEuicc) -> Self {
        let card = SimulatorTransport::new(euicc);
        let atr = card.atr().to_vec();
        Self { card: Arc::new(Mutex::new(card)), atr }
    }

    /// The card's open channels (0 is always open).
    pub fn open_channels(&self) -> Vec<u8> {
        self.card.lock().unwrap().simulator().open_channels()
    }
}

impl Transport for SharedCard {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        self.card.lock().unwrap().exchange(command, response)
    }
    fn atr(&self) -> &[u8] {
        &self.atr
    }
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.card.lock().unwrap().reset(kind)
    }
}

/// `modem` answering on one end of a socket pair in a thread (`serve` until the host hangs up,
/// any other end a failed test); the host's end, and the modem back once it is done.
pub fn serve_on_socket_pair<M: Send + 'static>(
    mut modem: M,
    serve: fn(&mut M, UnixStream) -> io::Result<()>,
) -> (UnixStream, JoinHandle<M>) {
    let (host, modem_end) = UnixStream::pair().unwrap();
    let server = thread::spawn(move || {
        serve(&mut modem, modem_end).unwrap();
        modem
    });
    (host, server)
}
