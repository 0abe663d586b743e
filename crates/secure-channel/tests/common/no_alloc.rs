//! What the allocation tests of the sessions over the card layer share: an echo card on the
//! card side of this crate that allocates nothing per APDU, and the steady-state check.

use std::alloc::System;

use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::{ResetKind, Transport, TransportError};
use stats_alloc::{Region, StatsAlloc};

/// The card side of a session, as the echo card uses it.
pub trait EchoSession {
    fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> usize;
    fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> usize;
}

impl EchoSession for oxicard_secure_channel::scp03::CardSession {
    fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> usize {
        Self::unwrap_command(self, command, out).unwrap()
    }

    fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> usize {
        Self::wrap_response(self, response, out).unwrap()
    }
}

impl EchoSession for oxicard_secure_channel::scp02::CardSession {
    fn unwrap_command(&mut self, command: &[u8], out: &mut [u8]) -> usize {
        Self::unwrap_command(self, command, out).unwrap()
    }

    fn wrap_response(&mut self, response: &[u8], out: &mut [u8]) -> usize {
        Self::wrap_response(self, response, out).unwrap()
    }
}

/// An echo card on the card side of this crate, with buffers allocated up front: INITIALIZE
/// UPDATE answered by `initialize_update`, EXTERNAL AUTHENTICATE by `authenticate`, every
/// other command's data echoed under the session.
pub struct EchoCard<H, S> {
    pub initialize_update: fn(&[u8], &mut [u8]) -> (H, usize),
    pub authenticate: fn(H, &[u8]) -> S,
    pub handshake: Option<H>,
    pub session: Option<S>,
    pub plain: Vec<u8>,
    pub answer: Vec<u8>,
}

impl<H, S> EchoCard<H, S> {
    pub fn new(
        initialize_update: fn(&[u8], &mut [u8]) -> (H, usize),
        authenticate: fn(H, &[u8]) -> S,
        buffers: usize,
    ) -> Self {
        Self {
            initialize_update,
            authenticate,
            handshake: None,
            session: None,
            plain: vec![0; buffers],
            answer: vec![0; buffers],
        }
    }
}

impl<H: Send, S: EchoSession + Send> Transport for EchoCard<H, S> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let n = match command[1] {
            0x50 => {
                let (handshake, n) = (self.initialize_update)(command, response);
                self.handshake = Some(handshake);
                n
            }
            0x82 => {
                self.session = Some((self.authenticate)(self.handshake.take().unwrap(), command));
                response[..2].copy_from_slice(&[0x90, 0x00]);
                2
            }
            _ => {
                let session = self.session.as_mut().unwrap();
                let n = session.unwrap_command(command, &mut self.plain);
                let data = CommandView::parse(&self.plain[..n]).unwrap().data();
                self.answer[..data.len()].copy_from_slice(data);
                self.answer[data.len()..data.len() + 2].copy_from_slice(&[0x90, 0x00]);
                session.wrap_response(&self.answer[..data.len() + 2], response)
            }
        };
        Ok(n)
    }

    fn atr(&self) -> &[u8] {
        &oxicard_apdu::testcard::ATR_EXTENDED
    }

    fn reset(&mut self, _kind: ResetKind) -> Result<(), TransportError> {
        Ok(())
    }
}

/// Control: the region does see an allocation. The counter is process-wide: let the test
/// harness's main thread, which allocates while it starts the test, go quiet first.
pub fn control(global: &'static StatsAlloc<System>) {
    std::thread::sleep(std::time::Duration::from_millis(200));
    let region = Region::new(global);
    let boxed = std::hint::black_box(Box::new([0u8; 32]));
    assert_eq!(region.change().allocations, 1);
    drop(boxed);
}

/// The echo command with `payload` and `ne`.
pub fn echo(payload: &[u8], ne: u32) -> CommandView<'_> {
    CommandView::new(0x80, 0xEE, 0, 0).with_data(payload).with_ne(ne)
}

/// Sends every payload of `payloads` `rounds` times as an echo command with `ne` through
/// `transmit` (its response data into `data`), checking the echo, and asserts that nothing
/// allocated meanwhile.
pub fn assert_no_allocation(
    global: &'static StatsAlloc<System>,
    rounds: usize,
    payloads: &[Vec<u8>],
    ne: u32,
    data: &mut Vec<u8>,
    mut transmit: impl FnMut(&CommandView<'_>, &mut Vec<u8>) -> StatusWord,
) {
    let region = Region::new(global);
    for _ in 0..rounds {
        for payload in payloads {
            let sw = transmit(&echo(payload, ne), data);
            assert_eq!((sw, data.len()), (StatusWord::SUCCESS, payload.len()));
        }
    }
    let stats = region.change();
    assert_eq!((stats.allocations, stats.reallocations), (0, 0), "{stats:?}");
}
