//! The LPA through a simulated ModemManager proxy: a listener on an abstract Unix socket (a
//! name of its own per test) that takes the proxy's first message — QMI CTL Internal Proxy Open
//! (libqmi `src/libqmi-glib/qmi-endpoint-qmux.c` `setup_proxy`), MBIM Proxy Control
//! CONFIGURATION (libmbim `src/libmbim-glib/mbim-device.c`, `mbim-proxy.c`
//! `process_internal_proxy_config`) — answers it as libqmi's `qmi-proxy` and libmbim's
//! `mbim-proxy` do, then lets a simulated modem serve the connection. `modem::open` with the
//! default [`ProxyUse::Auto`] goes through it, and the ISD-R on a `Card` reads the EID. With
//! nobody listening, `Auto` opens the device (a pseudo-terminal) and `Only` is an error naming
//! the socket.
//!
//! Byte-exact: the Internal Proxy Open is checked against the layout of libqmi
//! `src/libqmi-glib/test/test-fixture.c` ("Open device": TLV `01` holding the path's bytes, no
//! length prefix, no NUL).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;

use oxicard_apdu::card::Card;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::modem::SimulatedModem;
use oxicard_sim::modem::pty::Pty;
use oxicard_transport::modem::mbim::proxy_control::{CID_CONFIGURATION, CID_VERSION, Configuration};
use oxicard_transport::modem::mbim::{CommandDone, CommandType, Indication, Message, Status, Uuid};
use oxicard_transport::modem::qmi::{QmiMessage, QmiProtocolError, ctl};
use oxicard_transport::modem::{self, ModemOptions, ModemProtocol, ProxyUse};
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ErrorKind, Transport};

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '|', '\n'], "")).unwrap()
}

/// The software eUICC's default EID.
const EID: &str = "89882119900000000000000000000005";

/// The device the proxy is asked to open (it opens nothing: the simulated modem serves).
const DEVICE: &str = "/dev/cdc-wdm0";

fn card() -> Box<dyn Transport> {
    Box::new(SimulatorTransport::new(SoftEuicc::new()))
}

/// An abstract socket name no other test (or process) uses.
fn unique_socket(protocol: ModemProtocol) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("oxicard-test-{}-proxy-{}-{n}", protocol.as_str(), std::process::id())
}

/// Reads exactly one QMUX frame: the marker and length, then the rest.
fn read_qmux_frame(stream: &mut UnixStream) -> Vec<u8> {
    let mut head = [0u8; 3];
    stream.read_exact(&mut head).unwrap();
    let mut frame = head.to_vec();
    frame.resize(1 + usize::from(u16::from_le_bytes([head[1], head[2]])), 0);
    stream.read_exact(&mut frame[3..]).unwrap();
    frame
}

/// Reads exactly one MBIM message: the 12-byte header, then `MessageLength` − 12 bytes.
fn read_mbim_message(stream: &mut UnixStream) -> Vec<u8> {
    let mut message = vec![0u8; 12];
    stream.read_exact(&mut message).unwrap();
    let length = u32::from_le_bytes(message[4..8].try_into().unwrap()) as usize;
    message.resize(length, 0);
    stream.read_exact(&mut message[12..]).unwrap();
    message
}

/// The proxy's answer to its first message, as libqmi's `qmi-proxy` (a response with Result
/// success, `complete_internal_proxy_open`) and libmbim's `mbim-proxy` (a Proxy Control VERSION
/// indication, then `COMMAND_DONE` success, `proxy_config_internal_device_open_ready`) give it.
fn proxy_answer(protocol: ModemProtocol, first: &[u8]) -> Vec<u8> {
    match protocol {
        ModemProtocol::Qmi => {
            let request = QmiMessage::decode(first).unwrap();
            assert_eq!(request.message_id, ctl::INTERNAL_PROXY_OPEN);
            QmiMessage::response_to(&request, QmiProtocolError::NONE).encode().unwrap()
        }
        _ => {
            let Message::Command(command) = Message::decode(first).unwrap() else { panic!("not a COMMAND") };
            assert_eq!(
                (command.service, command.cid, command.command_type),
                (Uuid::PROXY_CONTROL, CID_CONFIGURATION, CommandType::Set)
            );
            let version = Message::IndicateStatus(Indication {
                transaction_id: 0,
                service: Uuid::PROXY_CONTROL,
                cid: CID_VERSION,
                information_buffer: h("00010004"),
            });
            let done = Message::CommandDone(CommandDone {
                transaction_id: command.transaction_id,
                service: command.service,
                cid: command.cid,
                status: Status::SUCCESS,
                information_buffer: Vec::new(),
            });
            [version.encode().unwrap(), done.encode().unwrap()].concat()
        }
    }
}

/// A simulated proxy on a new abstract socket: takes one client, answers its first message,
/// then serves the connection with a simulated `protocol` modem in front of the software
/// eUICC. The socket's name, and the first message once the client is gone.
fn simulated_proxy(protocol: ModemProtocol) -> (String, JoinHandle<Vec<u8>>) {
    let socket = unique_socket(protocol);
    let address = SocketAddr::from_abstract_name(socket.as_bytes()).unwrap();
    let listener = UnixListener::bind_addr(&address).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let first = match protocol {
            ModemProtocol::Qmi => read_qmux_frame(&mut stream),
            _ => read_mbim_message(&mut stream),
        };
        stream.write_all(&proxy_answer(protocol, &first)).unwrap();
        let mut modem = SimulatedModem::new(protocol, card(), &[]).unwrap();
        modem.serve(stream).unwrap();
        first
    });
    (socket, server)
}

/// The EID, read by the ISD-R on a `Card` over the modem `modem::open` opens.
fn read_eid(protocol: ModemProtocol, path: &Path, options: &ModemOptions) -> String {
    let transport = modem::open(protocol, path, options).unwrap();
    let mut card = Card::new(transport);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let eid = isdr.eid().unwrap().digits();
    isdr.close().unwrap();
    eid
}

#[test]
fn the_lpa_reads_the_eid_through_a_qmi_proxy() {
    let (socket, proxy) = simulated_proxy(ModemProtocol::Qmi);
    let options = ModemOptions::default().with_proxy_socket(&socket);
    assert_eq!(read_eid(ModemProtocol::Qmi, Path::new(DEVICE), &options), EID);
    // libqmi test-fixture.c "Open device": QMUX length, CTL, transaction 1, message FF00,
    // TLV 01 of the path's 13 bytes.
    let want = h(&format!("01 1B 00 00 00 00 | 00 01 00 FF 10 00 | 01 0D 00 {}", hex::encode(DEVICE)));
    assert_eq!(proxy.join().unwrap(), want);
}

#[test]
fn the_lpa_reads_the_eid_through_an_mbim_proxy() {
    let (socket, proxy) = simulated_proxy(ModemProtocol::Mbim);
    let options = ModemOptions::default().with_proxy_socket(&socket);
    assert_eq!(read_eid(ModemProtocol::Mbim, Path::new(DEVICE), &options), EID);
    let Message::Command(command) = Message::decode(&proxy.join().unwrap()).unwrap() else { panic!() };
    assert_eq!(command.transaction_id, 1);
    assert_eq!(
        Configuration::decode(&command.information_buffer).unwrap(),
        Configuration { device_path: DEVICE.into(), timeout_secs: 30 }
    );
}

#[test]
fn with_a_slot_the_modem_behind_the_proxy_maps_it() {
    for protocol in [ModemProtocol::Qmi, ModemProtocol::Mbim] {
        let (socket, proxy) = simulated_proxy(protocol);
        let options = ModemOptions::default().with_proxy_socket(&socket).with_slot(1);
        assert_eq!(read_eid(protocol, Path::new(DEVICE), &options), EID, "{protocol:?}");
        proxy.join().unwrap();
    }
}

#[test]
fn auto_with_nobody_listening_opens_the_device() {
    for protocol in [ModemProtocol::Qmi, ModemProtocol::Mbim] {
        let pty = Pty::open().unwrap();
        let master = pty.master().unwrap();
        let server = std::thread::spawn(move || {
            let mut modem = SimulatedModem::new(protocol, card(), &[]).unwrap();
            // The end of the pseudo-terminal (EIO on its master) ends the modem too.
            let _ = modem.serve(master);
        });
        let options = ModemOptions::default().with_proxy_socket(unique_socket(protocol));
        assert_eq!(options.proxy, ProxyUse::Auto);
        assert_eq!(read_eid(protocol, pty.slave_path(), &options), EID, "{protocol:?}");
        drop(pty);
        server.join().unwrap();
    }
}

#[test]
fn only_with_nobody_listening_is_an_error_naming_the_socket() {
    for protocol in [ModemProtocol::Qmi, ModemProtocol::Mbim] {
        let socket = unique_socket(protocol);
        let options = ModemOptions::default().with_proxy(ProxyUse::Only).with_proxy_socket(&socket);
        let err = modem::open(protocol, Path::new(DEVICE), &options).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert_eq!(
            err.to_string(),
            format!(
                "I/O error: no ModemManager proxy listens on the abstract socket @{socket} (proxy use: only)"
            )
        );
    }
}
