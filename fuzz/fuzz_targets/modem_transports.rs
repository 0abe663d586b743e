//! The AT, QMI and MBIM transports against a modem that answers arbitrary bytes: opening,
//! a logical channel and one APDU never panic, whatever the device sends (echo, garbage,
//! partial frames, wrong transactions), and end in an answer or an error.
#![no_main]
use std::io;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use oxicard_transport::Transport;
use oxicard_transport::modem::ModemLink;
use oxicard_transport::modem::at::{AtModem, AtOptions};
use oxicard_transport::modem::mbim::{MbimModem, MbimOptions};
use oxicard_transport::modem::qmi::{QmiModem, QmiOptions};

/// A device that answers every read with the next piece of the fuzzer's bytes, then times out.
struct Scripted<'a> {
    pieces: std::slice::Chunks<'a, u8>,
}

impl ModemLink for Scripted<'_> {
    fn send(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        let piece = self.pieces.next().ok_or(io::ErrorKind::TimedOut)?;
        let n = piece.len().min(buf.len());
        buf[..n].copy_from_slice(&piece[..n]);
        Ok(n)
    }
}

const ISD_R: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

fn drive(mut transport: impl Transport) {
    let _ = transport.open_logical_channel(Some(&ISD_R));
    let mut response = [0u8; 300];
    let _ = transport.transmit(&[0x81, 0xE2, 0x91, 0x00, 0x03, 0xBF, 0x2E, 0x00], &mut response);
    let _ = transport.close_logical_channel(1);
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else { return };
    let link = Scripted { pieces: bytes.chunks(usize::from(selector >> 2) + 1) };
    let quick = Duration::from_millis(1);
    match selector & 3 {
        0 => {
            let options = AtOptions::default().with_sync(1, quick).with_command_timeout(quick);
            if let Ok(at) = AtModem::open(link, options) {
                drive(at);
            }
        }
        1 => {
            let options = QmiOptions::default().with_timeout(quick).with_apdu_timeout(quick);
            if let Ok(qmi) = QmiModem::open(link, options) {
                drive(qmi);
            }
        }
        _ => {
            let options = MbimOptions::new().with_timeout(quick).with_apdu_timeout(quick);
            if let Ok(mbim) = MbimModem::open(link, options) {
                drive(mbim);
            }
        }
    }
});
