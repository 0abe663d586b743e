//! In-process card simulators and a [`Transport`] over them.
//!
//! A [`CardSimulator`] is the card side of the wire: it gets raw command APDUs
//! and answers raw response APDUs, exactly as a card in a reader would. The
//! same simulator runs in process through [`SimulatorTransport`], or behind a
//! real PC/SC stack through the [`vpcd`](crate::vpcd) bridge.

use crate::transport::ResetKind;
use crate::{ErrorKind, Transport, TransportError};

/// The card side of an APDU exchange.
pub trait CardSimulator: Send {
    /// The Answer To Reset the card presents.
    fn atr(&self) -> &[u8];

    /// Power-on or reset: the card returns to its initial state (basic channel
    /// only, nothing selected, no security state).
    fn reset(&mut self);

    /// Power-off. The default does the same as [`reset`](Self::reset).
    fn power_off(&mut self) {
        self.reset();
    }

    /// Processes one command APDU. `response` arrives empty; the simulator
    /// appends the response data and then SW1 SW2.
    ///
    /// A simulator must answer every input, even bytes that are no valid APDU
    /// (with `6700`, `6E00`, … as a card would), and never panic.
    fn process(&mut self, command: &[u8], response: &mut Vec<u8>);
}

impl<S: CardSimulator + ?Sized> CardSimulator for Box<S> {
    fn atr(&self) -> &[u8] {
        (**self).atr()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        (**self).process(command, response);
    }
}

/// A card that takes `latency` to answer each command: a [`CardSimulator`] wrapped so that
/// tests and benches see the wall time a real card has (an APDU costs 10–80 ms on hardware,
/// more behind a modem), in process ([`SimulatorTransport`]) and behind pcscd
/// ([`vpcd`](crate::vpcd)) alike. Reset and power are immediate.
#[derive(Debug)]
pub struct Latency<S> {
    inner: S,
    latency: core::time::Duration,
}

impl<S> Latency<S> {
    /// `inner`, answering each command after `latency`.
    pub fn new(inner: S, latency: core::time::Duration) -> Self {
        Self { inner, latency }
    }

    /// The card behind the delay.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The card behind the delay, to change.
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The card behind the delay.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The delay of each command.
    pub fn latency(&self) -> core::time::Duration {
        self.latency
    }
}

impl<S: CardSimulator> CardSimulator for Latency<S> {
    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }
    fn reset(&mut self) {
        self.inner.reset();
    }
    fn power_off(&mut self) {
        self.inner.power_off();
    }
    fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        self.inner.process(command, response);
    }
}

/// A [`Transport`] that hands every command to an in-process [`CardSimulator`].
#[derive(Debug)]
pub struct SimulatorTransport<S> {
    simulator: S,
    scratch: Vec<u8>,
}

impl<S: CardSimulator> SimulatorTransport<S> {
    /// Wraps `simulator`, powering it on.
    pub fn new(mut simulator: S) -> Self {
        simulator.reset();
        Self { simulator, scratch: Vec::with_capacity(crate::MAX_RESPONSE_LEN) }
    }

    /// The simulator, to inspect its state.
    pub fn simulator(&self) -> &S {
        &self.simulator
    }

    /// The simulator, to change its state between exchanges.
    pub fn simulator_mut(&mut self) -> &mut S {
        &mut self.simulator
    }

    /// Gives the simulator back.
    pub fn into_inner(self) -> S {
        self.simulator
    }
}

impl<S: CardSimulator> Transport for SimulatorTransport<S> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if command.len() < 4 || command.len() > crate::MAX_COMMAND_LEN {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{} bytes is no command APDU", command.len())));
        }
        self.scratch.clear();
        self.simulator.process(command, &mut self.scratch);
        let len = self.scratch.len();
        if len < 2 {
            return Err(TransportError::new(ErrorKind::ProtocolMismatch)
                .with_detail(format!("simulator answered {len} bytes, less than a status word")));
        }
        let capacity = response.len();
        let out = response.get_mut(..len).ok_or_else(|| TransportError::response_too_long(len, capacity))?;
        out.copy_from_slice(&self.scratch);
        Ok(len)
    }

    fn atr(&self) -> &[u8] {
        self.simulator.atr()
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        if kind == ResetKind::Cold {
            self.simulator.power_off();
        }
        self.simulator.reset();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{CardSimulator, Latency};

    struct Echo;

    impl CardSimulator for Echo {
        fn atr(&self) -> &[u8] {
            &[0x3B, 0x00]
        }
        fn reset(&mut self) {}
        fn process(&mut self, command: &[u8], response: &mut Vec<u8>) {
            response.extend_from_slice(command);
            response.extend_from_slice(&[0x90, 0x00]);
        }
    }

    #[test]
    fn each_command_waits_at_least_the_latency_and_is_answered_unchanged() {
        let mut card = Latency::new(Echo, core::time::Duration::from_millis(20));
        let started = std::time::Instant::now();
        let mut response = Vec::new();
        for _ in 0..3 {
            response.clear();
            card.process(&[0x00, 0xA4, 0x04, 0x00], &mut response);
        }
        // A lower bound only (the delay is a sleep): three commands, at least 60 ms.
        assert!(started.elapsed() >= core::time::Duration::from_millis(60), "{:?}", started.elapsed());
        assert_eq!(response, [0x00, 0xA4, 0x04, 0x00, 0x90, 0x00]);
        assert_eq!(card.atr(), [0x3B, 0x00]);
        assert_eq!(card.latency(), core::time::Duration::from_millis(20));
    }
}
