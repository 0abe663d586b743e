//! The card layer fed by a hostile card: every response comes from the fuzz
//! input. It must never panic, never loop without bound, and keep its
//! documented limits (response size, number of rounds).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_apdu::CommandView;
use oxicard_apdu::card::{Card, CardChannel, CardConfig, CardError};
use oxicard_transport::{ErrorKind, ResetKind, Transport, TransportError};

/// Answers each exchange with the next length-prefixed chunk of the input;
/// runs out → the card is "removed".
struct HostileCard<'a> {
    input: &'a [u8],
    exchanges: usize,
}

impl Transport for HostileCard<'_> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        assert!(command.len() >= 4, "the card layer sent a {}-byte command", command.len());
        self.exchanges += 1;
        let (&len, rest) = self.input.split_first().ok_or(TransportError::new(ErrorKind::CardRemoved))?;
        // Mostly short answers, sometimes long ones (len byte 0xFF → 300 bytes).
        let len = if len == 0xFF { 300 } else { usize::from(len % 40) };
        let len = len.min(rest.len());
        let (answer, rest) = rest.split_at(len);
        self.input = rest;
        let out = response.get_mut(..len).ok_or(TransportError::response_too_long(len, 0))?;
        out.copy_from_slice(answer);
        Ok(len)
    }
    fn atr(&self) -> &[u8] {
        &[0x3B, 0x8A, 0x80, 0x01, 0x80, 0x31, 0xF8, 0x73, 0xF7, 0x41, 0x80, 0x82, 0x90, 0x00, 0x15]
    }
    fn reset(&mut self, _: ResetKind) -> Result<(), TransportError> {
        Ok(())
    }
}

fuzz_target!(|input: &[u8]| {
    let config = CardConfig::default().with_max_response_len(2048).with_max_rounds(40);
    let mut card = Card::with_config(HostileCard { input, exchanges: 0 }, config);
    let long = [0x5Au8; 600];
    let commands = [
        CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256),
        CommandView::new(0x80, 0xEE, 0x00, 0x00).with_data(&long).with_ne(65_536),
        CommandView::new(0x00, 0xB0, 0x00, 0x00).with_ne(1),
    ];
    for command in &commands {
        let before = card.transport().exchanges;
        match card.transmit(command) {
            Ok(response) => assert!(response.data().len() <= 2048),
            Err(CardError::ResponseTooLong { limit }) => assert_eq!(limit, 2048),
            Err(_) => {}
        }
        // 600 bytes chain in 3 parts; then at most 1 + max_rounds follow-ups.
        assert!(card.transport().exchanges - before <= 3 + 41);
    }
    let _ = card.select(&[0xA0, 0x00, 0x00, 0x05, 0x59]);
    if let Ok(mut channel) = card.open_channel() {
        assert!((1..=19).contains(&channel.number()));
        let _ = channel.transmit(&commands[0]);
    }
});
