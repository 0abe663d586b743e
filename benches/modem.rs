//! What a modem costs per APDU: one ES10 round trip (GetEID, SGP.22 §5.7.20: a STORE DATA and
//! its answer on the ISD-R's logical channel) from the LPA to the software eUICC, in process
//! and through each simulated modem over a Unix socket pair — AT (`AT+CGLA`, hex text lines),
//! QMI (QMUX frames, UIM Send APDU) and MBIM (MS UICC low level access APDU). The difference is
//! the framing, the encoding and the socket hop of each protocol; on hardware the modem's own
//! time comes on top.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::net::UnixStream;

use criterion::{Criterion, criterion_group, criterion_main};
use oxicard::apdu::card::Card;
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::sim::euicc::SoftEuicc;
use oxicard::sim::modem::SimulatedModem;
use oxicard::transport::Transport;
use oxicard::transport::modem::ModemProtocol;
use oxicard::transport::modem::at::{AtModem, AtOptions};
use oxicard::transport::modem::mbim::{MbimModem, MbimOptions};
use oxicard::transport::modem::qmi::{QmiModem, QmiOptions};
use oxicard::transport::sim::SimulatorTransport;

fn card() -> Box<dyn Transport> {
    Box::new(SimulatorTransport::new(SoftEuicc::new()))
}

/// The host end of a socket pair whose other end a simulated `protocol` modem serves, on a
/// thread, in front of a software eUICC.
fn modem_link(protocol: ModemProtocol) -> UnixStream {
    let (host, modem_end) = UnixStream::pair().unwrap();
    let mut modem = SimulatedModem::new(protocol, card(), &[]).unwrap();
    std::thread::spawn(move || modem.serve(modem_end));
    host
}

/// GetEID over `transport`, as many times as criterion asks.
fn get_eid(c: &mut Criterion, name: &str, transport: Box<dyn Transport>) {
    let mut card = Card::new(transport);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let eid = isdr.eid().unwrap();
    c.bench_function(&format!("es10_get_eid/{name}"), |b| {
        b.iter(|| assert_eq!(isdr.eid().unwrap(), eid));
    });
    isdr.close().unwrap();
}

fn bench(c: &mut Criterion) {
    get_eid(c, "in_process", card());
    let at = AtModem::open(modem_link(ModemProtocol::At), AtOptions::default()).unwrap();
    get_eid(c, "at", Box::new(at));
    let qmi = QmiModem::open(modem_link(ModemProtocol::Qmi), QmiOptions::default()).unwrap();
    get_eid(c, "qmi", Box::new(qmi));
    let mbim = MbimModem::open(modem_link(ModemProtocol::Mbim), MbimOptions::new()).unwrap();
    get_eid(c, "mbim", Box::new(mbim));
}

criterion_group!(benches, bench);
criterion_main!(benches);
