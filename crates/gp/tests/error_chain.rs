//! The error chains of card management, as printed with `ErrorChain`: a LOAD the card refuses
//! (GPC v2.3.1 §11.6.3.2: `6A84`, not enough memory space), a LOAD whose transport fails, and a
//! CAP file that is no zip archive. Each message says what its own layer was doing; none repeats
//! its cause's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::Card;
use oxicard_gp::GpError;
use oxicard_gp::cap::{CapError, CapFile, LoadOptions};
use oxicard_gp::ops::{self, OpError};
use oxicard_transport::mock::MockTransport;
use oxicard_transport::{ErrorChain, ResetKind, Transport, TransportError};

/// The HelloSTK CAP file of osmocom/pysim `tests/unittests/test_javacard.cap`.
const HELLOSTK: &[u8] = include_bytes!("../testdata/hellostk.cap");

/// INSTALL [for load] (`80 E6 02`) is accepted; LOAD (`80 E8`) gets `load`.
fn card_answering_load(load: [u8; 2]) -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect_matching("INSTALL [for load]", |c| c.starts_with(&[0x80, 0xE6, 0x02])).respond([0x90, 0x00]);
    mock.expect_matching("LOAD", |c| c.starts_with(&[0x80, 0xE8])).respond(load);
    mock
}

/// The mock, with the reader unplugged when the first LOAD is sent.
struct UnpluggedAtLoad(MockTransport);

impl Transport for UnpluggedAtLoad {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        if command.get(1) == Some(&0xE8) {
            let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader unplugged");
            return Err(TransportError::io(pipe));
        }
        self.0.exchange(command, response)
    }
    fn atr(&self) -> &[u8] {
        self.0.atr()
    }
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.0.reset(kind)
    }
}

fn assert_reads_once(messages: &[String]) {
    for pair in messages.windows(2) {
        assert!(!pair[0].contains(&pair[1]), "{:?} repeats its cause {:?}", pair[0], pair[1]);
    }
}

#[test]
fn a_load_the_card_refuses() {
    let cap = CapFile::from_zip(HELLOSTK).unwrap();
    let mut card = Card::new(card_answering_load([0x6A, 0x84]));
    let err = ops::load(&mut card, &cap, &[], LoadOptions::default(), None).unwrap_err();
    assert!(
        matches!(err, OpError::Card(GpError::Status { operation: "LOAD", sw }) if sw == StatusWord::new(0x6A, 0x84)),
        "{err:?}"
    );
    assert_eq!(
        ErrorChain(&err).messages(),
        [
            "LOAD failed: 6A84 (not enough memory space: delete unused applications or load files to make room)"
        ]
    );
}

#[test]
fn a_load_whose_transport_fails() {
    let cap = CapFile::from_zip(HELLOSTK).unwrap();
    let mut card = Card::new(UnpluggedAtLoad(card_answering_load([0x90, 0x00])));
    let err = ops::load(&mut card, &cap, &[], LoadOptions::default(), None).unwrap_err();
    assert!(matches!(err, OpError::Card(GpError::Transmit(_))), "{err:?}");
    let chain = ErrorChain(&err);
    assert_eq!(chain.to_string(), "card exchange failed: transport failed: card removed: reader unplugged");
    assert_reads_once(&chain.messages());
}

#[test]
fn a_cap_file_that_is_no_zip_archive() {
    let err = CapFile::from_zip(b"not a zip").unwrap_err();
    assert!(matches!(err, CapError::Archive(_)), "{err:?}");
    let chain = ErrorChain(&err);
    // The `zip` crate's message for data without an end of central directory record (EOCD).
    assert_eq!(chain.messages(), ["cannot read the CAP archive", "invalid Zip archive: Could not find EOCD"]);
    assert_reads_once(&chain.messages());
}
