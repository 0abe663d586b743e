//! Reaching a modem through ModemManager's `qmi-proxy` and `mbim-proxy`: the first message on
//! the proxy's socket byte for byte, what follows it, a proxy that refuses or hangs up, and
//! `modem::open` choosing between the proxy and the device ([`ProxyUse`]).
//!
//! Vectors: CTL Internal Proxy Open and its answer are libqmi's
//! `src/libqmi-glib/test/test-fixture.c` (`test_fixture_setup`: a 20-byte path at byte 15, TLV
//! length `0x14`, the transaction filled in by `test-port-context.c`; CTL transactions count
//! from 1). Proxy Control CONFIGURATION has no published vector: its bytes are built here from
//! libmbim `data/mbim-service-proxy-control.json` (DevicePath string, Timeout guint32), the
//! offsets `mbim-proxy.c` reads them at (string at 0, timeout at 8), libmbim's string padding
//! (`mbim-message.c` `_mbim_struct_builder_append_string`) and the field order of
//! damonto/wwan-go `mbim/proxy.go`.
#![cfg(all(unix, feature = "modem"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use oxicard_transport::ErrorKind;
use oxicard_transport::modem::mbim::proxy_control::{CID_CONFIGURATION, CID_VERSION, Configuration};
use oxicard_transport::modem::mbim::{
    Command, CommandDone, CommandType, FrameBuffer, Indication, MbimError, MbimModem, MbimOptions, Message,
    Status, Uuid,
};
use oxicard_transport::modem::qmi::{QmiMessage, QmiModem, QmiOptions, QmiProtocolError, QmuxReader, ctl};
use oxicard_transport::modem::{ModemOptions, ModemProtocol, ProxyUse};

fn h(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace([' ', '|', '\n'], "")).unwrap()
}

/// The whole chain of `err`, as text.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text = format!("{text} / {cause}");
        source = cause.source();
    }
    text
}

/// An abstract socket name no other test (or process) uses.
fn unique_socket(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("oxicard-test-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

// ---------------------------------------------------------------------------------------------
// QMI
// ---------------------------------------------------------------------------------------------

/// libqmi `test-fixture.c`: a path of `/dev/qmi`, 8 digits of the process id, 4 of a counter.
const FIXTURE_PATH: &str = "/dev/qmi000012340000";

/// libqmi `test-fixture.c` `test_fixture_setup`, "Open device": the request with its
/// transaction (`0xFF` there, filled in with the first CTL transaction, 1) and path.
fn fixture_proxy_open() -> Vec<u8> {
    let mut frame = h("01 22 00 00 00 00 | 00 01 00 FF 17 00 | 01 14 00");
    frame.extend_from_slice(FIXTURE_PATH.as_bytes());
    frame
}

/// libqmi `test-fixture.c`: the answer, Result TLV success (QMUX flags `00` as there).
fn fixture_proxy_open_ok() -> Vec<u8> {
    h("01 12 00 00 00 00 | 01 01 00 FF 07 00 | 02 04 00 00 00 00 00")
}

#[test]
fn libqmi_fixture_internal_proxy_open() {
    assert_eq!(FIXTURE_PATH.len(), 20);
    let request = ctl::internal_proxy_open(1, FIXTURE_PATH.as_bytes());
    assert_eq!(request.encode().unwrap(), fixture_proxy_open());
    assert_eq!(QmiMessage::decode(&fixture_proxy_open()).unwrap(), request);
    let answer = QmiMessage::decode(&fixture_proxy_open_ok()).unwrap();
    assert_eq!(answer.message_id, ctl::INTERNAL_PROXY_OPEN);
    answer.result(ctl::message_name(ctl::INTERNAL_PROXY_OPEN)).unwrap();
    assert_eq!(ctl::message_name(0xFF00), "CTL Internal Proxy Open");
}

#[test]
fn an_internal_proxy_open_path_too_long_for_a_tlv_is_an_encoding_error() {
    let path = vec![b'a'; 70_000];
    assert!(ctl::internal_proxy_open(1, &path).encode().is_err());
}

/// A proxy (or a modem) answering each QMI request with what `answer` gives (nothing: hang
/// up); returns the frames received.
fn qmi_peer(
    mut stream: UnixStream,
    answer: impl Fn(&QmiMessage) -> Option<Vec<Vec<u8>>> + Send + 'static,
) -> JoinHandle<Vec<Vec<u8>>> {
    std::thread::spawn(move || {
        let (mut reader, mut received, mut buf) = (QmuxReader::new(), Vec::new(), [0u8; 4096]);
        loop {
            while let Ok(Some(frame)) = reader.next_frame() {
                let message = QmiMessage::decode(&frame).unwrap();
                received.push(frame);
                let Some(frames) = answer(&message) else { return received };
                for frame in frames {
                    if stream.write_all(&frame).is_err() {
                        return received;
                    }
                }
            }
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return received,
                Ok(n) => reader.push(&buf[..n]),
            }
        }
    })
}

/// A qmi-proxy in front of a modem that gives UIM client 05: the fixture's answer to Internal
/// Proxy Open, then what the modem answers.
fn qmi_proxy_and_modem(request: &QmiMessage) -> Option<Vec<Vec<u8>>> {
    let ok = QmiMessage::response_to(request, QmiProtocolError::NONE);
    Some(vec![match request.message_id {
        ctl::INTERNAL_PROXY_OPEN => {
            let mut frame = fixture_proxy_open_ok();
            frame[7] = u8::try_from(request.transaction).unwrap();
            frame
        }
        ctl::ALLOCATE_CID => ok.with_tlv(ctl::TLV_ALLOCATION_INFO, [0x0B, 0x05]).encode().unwrap(),
        ctl::RELEASE_CID => ok.with_tlv(ctl::TLV_ALLOCATION_INFO, [0x0B, 0x05]).encode().unwrap(),
        _ => QmiMessage::response_to(request, QmiProtocolError::INVALID_QMI_COMMAND).encode().unwrap(),
    }])
}

fn quick_qmi() -> QmiOptions {
    QmiOptions::default().with_timeout(Duration::from_secs(2))
}

#[test]
fn qmi_through_the_proxy_names_the_device_first_then_allocates_and_releases() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = qmi_peer(proxy, qmi_proxy_and_modem);
    let qmi = QmiModem::open_via_proxy(host, Path::new(FIXTURE_PATH), quick_qmi()).unwrap();
    assert_eq!(qmi.client_id(), 5);
    drop(qmi);
    let received = peer.join().unwrap();
    assert_eq!(
        received,
        [
            fixture_proxy_open(),
            // libqmi test-fixture.c "Allocate clients", transaction 2, service UIM.
            h("01 0F 00 00 00 00 | 00 02 22 00 04 00 | 01 01 00 0B"),
            ctl::release_cid(3, 0x0B, 0x05).encode().unwrap(),
        ]
    );
}

#[test]
fn a_qmi_proxy_refusal_is_named_and_nothing_else_is_sent() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = qmi_peer(proxy, |request| {
        Some(vec![QmiMessage::response_to(request, QmiProtocolError::INTERNAL).encode().unwrap()])
    });
    let err = QmiModem::open_via_proxy(host, Path::new("/dev/cdc-wdm0"), quick_qmi()).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Other);
    let text = chain(&err);
    assert!(text.contains("asking qmi-proxy to open the device"), "{text}");
    assert!(text.contains("CTL Internal Proxy Open") && text.contains("Internal (3)"), "{text}");
    assert_eq!(peer.join().unwrap().len(), 1);
}

#[test]
fn a_qmi_proxy_that_hangs_up_names_the_device() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = qmi_peer(proxy, |_| None);
    let err = QmiModem::open_via_proxy(host, Path::new("/dev/cdc-wdm7"), quick_qmi()).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Io);
    let text = chain(&err);
    assert!(text.contains("qmi-proxy hung up: it could not open /dev/cdc-wdm7"), "{text}");
    assert_eq!(peer.join().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// MBIM
// ---------------------------------------------------------------------------------------------

#[test]
fn proxy_control_configuration_layout() {
    // libmbim mbim-uuid.c uuid_proxy_control 838CF7FB-8D0D-4D7F-871E-D71DBEFBB39B, on the wire
    // in the order written.
    assert_eq!(Uuid::PROXY_CONTROL.to_string(), "838CF7FB-8D0D-4D7F-871E-D71DBEFBB39B");
    assert_eq!(Uuid::PROXY_CONTROL.0[..4], [0x83, 0x8C, 0xF7, 0xFB]);
    let path_utf16 = "2F00 6400 6500 7600 2F00 6300 6400 6300 2D00 7700 6400 6D00 3000";
    let buffer = h(&format!(
        // DevicePath offset 12, size 26 | Timeout 30 | "/dev/cdc-wdm0" UTF-16LE | 2 bytes padding
        "0C000000 1A000000 | 1E000000 | {path_utf16} | 0000"
    ));
    let configuration = Configuration { device_path: "/dev/cdc-wdm0".into(), timeout_secs: 30 };
    assert_eq!(configuration.encode().unwrap(), buffer);
    assert_eq!(Configuration::decode(&buffer).unwrap(), configuration);
    // A path of a length that needs no padding.
    let even = Configuration { device_path: "/dev/wwan0".into(), timeout_secs: 5 };
    assert_eq!(even.encode().unwrap().len(), 12 + 20);
    // The whole COMMAND, transaction 1 (USB MBIM 1.0 §9.4.3: header, fragment header, service,
    // CID 1, CommandType 1 = set, InformationBufferLength 40).
    let command = Message::Command(Command {
        transaction_id: 1,
        service: Uuid::PROXY_CONTROL,
        cid: CID_CONFIGURATION,
        command_type: CommandType::Set,
        information_buffer: buffer.clone(),
    });
    assert_eq!(
        command.encode().unwrap(),
        [
            h("03000000 58000000 01000000 | 01000000 00000000 | 838CF7FB8D0D4D7F871ED71DBEFBB39B \
               | 01000000 01000000 28000000"),
            buffer,
        ]
        .concat()
    );
}

#[test]
fn proxy_control_configuration_that_does_not_fit_is_an_error() {
    for (bytes, what) in [
        (h("0C000000 1A000000"), "truncated"),
        (h("0C000000 20000000 1E000000 2F00"), "out of bounds"),
        (h("0C000000 03000000 1E000000 2F0064 00"), "odd length"),
        (h("0C000000 02000000 1E000000 00D8 0000"), "unpaired surrogate"),
    ] {
        let err = Configuration::decode(&bytes).unwrap_err();
        match what {
            "truncated" => assert!(matches!(err, MbimError::Truncated { .. }), "{err:?}"),
            "out of bounds" => assert!(matches!(err, MbimError::OutOfBounds { .. }), "{err:?}"),
            _ => assert!(matches!(err, MbimError::InvalidString { .. }), "{what}: {err:?}"),
        }
    }
}

/// A proxy (or a modem) answering each MBIM message with what `answer` gives (nothing: hang
/// up); returns the messages received.
fn mbim_peer(
    mut stream: UnixStream,
    answer: impl Fn(&Message) -> Option<Vec<Message>> + Send + 'static,
) -> JoinHandle<Vec<Message>> {
    std::thread::spawn(move || {
        let (mut frames, mut received, mut buf) = (FrameBuffer::new(1 << 16), Vec::new(), [0u8; 4096]);
        loop {
            while let Ok(Some(frame)) = frames.next_message() {
                let message = Message::decode(&frame).unwrap();
                let Some(answers) = answer(&message) else { return received };
                received.push(message);
                for reply in answers {
                    if stream.write_all(&reply.encode().unwrap()).is_err() {
                        return received;
                    }
                }
            }
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return received,
                Ok(n) => frames.extend(&buf[..n]),
            }
        }
    })
}

fn done(command: &Command, status: Status, information_buffer: Vec<u8>) -> Message {
    Message::CommandDone(CommandDone {
        transaction_id: command.transaction_id,
        service: command.service,
        cid: command.cid,
        status,
        information_buffer,
    })
}

/// An mbim-proxy as libmbim's: a VERSION indication (MBIM 1.0, MBIMEx 4.0, the payload of
/// wwan-go `mbim/proxy_test.go`) before the CONFIGURATION's `COMMAND_DONE`; `OPEN_DONE` and
/// `CLOSE_DONE` itself; no ATR from the modem behind it.
fn mbim_proxy_and_modem(message: &Message) -> Option<Vec<Message>> {
    Some(match message {
        Message::Command(command) if command.service == Uuid::PROXY_CONTROL => vec![
            Message::IndicateStatus(Indication {
                transaction_id: 0,
                service: Uuid::PROXY_CONTROL,
                cid: CID_VERSION,
                information_buffer: h("00010004"),
            }),
            done(command, Status::SUCCESS, Vec::new()),
        ],
        Message::Command(command) => vec![done(command, Status::NO_DEVICE_SUPPORT, Vec::new())],
        Message::Open { transaction_id, .. } => {
            vec![Message::OpenDone { transaction_id: *transaction_id, status: Status::SUCCESS }]
        }
        Message::Close { transaction_id } => {
            vec![Message::CloseDone { transaction_id: *transaction_id, status: Status::SUCCESS }]
        }
        _ => Vec::new(),
    })
}

fn quick_mbim() -> MbimOptions {
    MbimOptions::new().with_slot(None).with_timeout(Duration::from_secs(2))
}

#[test]
fn mbim_through_the_proxy_configures_then_opens_as_libmbim() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = mbim_peer(proxy, mbim_proxy_and_modem);
    let mbim = MbimModem::open_via_proxy(host, Path::new("/dev/cdc-wdm0"), quick_mbim()).unwrap();
    mbim.close().unwrap();
    let received = peer.join().unwrap();
    let Message::Command(configuration) = &received[0] else { panic!("{received:?}") };
    assert_eq!(
        (configuration.transaction_id, configuration.service, configuration.cid, configuration.command_type),
        (1, Uuid::PROXY_CONTROL, CID_CONFIGURATION, CommandType::Set)
    );
    assert_eq!(
        Configuration::decode(&configuration.information_buffer).unwrap(),
        Configuration {
            device_path: "/dev/cdc-wdm0".into(),
            timeout_secs: MbimModem::<UnixStream>::PROXY_TIMEOUT_SECS
        }
    );
    assert!(matches!(received[1], Message::Open { transaction_id: 2, max_control_transfer: 4096 }));
    assert!(matches!(received.last(), Some(Message::Close { .. })), "{received:?}");
}

#[test]
fn an_mbim_proxy_refusal_is_named_and_no_open_follows() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = mbim_peer(proxy, |message| match message {
        Message::Command(command) => Some(vec![done(command, Status::FAILURE, Vec::new())]),
        _ => Some(Vec::new()),
    });
    let err = MbimModem::open_via_proxy(host, Path::new("/dev/cdc-wdm0"), quick_mbim()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    let text = chain(&err);
    assert!(text.contains("mbim-proxy refused the device"), "{text}");
    assert!(text.contains("Proxy Control CID 1"), "{text}");
    assert_eq!(peer.join().unwrap().len(), 1);
}

#[test]
fn an_mbim_proxy_that_hangs_up_names_the_device() {
    let (host, proxy) = UnixStream::pair().unwrap();
    let peer = mbim_peer(proxy, |_| None);
    let err = MbimModem::open_via_proxy(host, Path::new("/dev/cdc-wdm3"), quick_mbim()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(chain(&err).contains("mbim-proxy hung up: it could not open /dev/cdc-wdm3"), "{}", chain(&err));
    assert!(peer.join().unwrap().is_empty());
}

#[test]
fn a_device_path_mbim_cannot_carry_is_refused_before_sending() {
    use std::os::unix::ffi::OsStrExt as _;
    let (host, _proxy) = UnixStream::pair().unwrap();
    let path = Path::new(std::ffi::OsStr::from_bytes(b"/dev/cdc-wdm\xFF"));
    let err = MbimModem::open_via_proxy(host, path, quick_mbim()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// modem::open and ProxyUse
// ---------------------------------------------------------------------------------------------

#[test]
fn proxy_use_defaults_to_auto_and_has_command_line_names() {
    assert_eq!(ModemOptions::default().proxy, ProxyUse::Auto);
    assert_eq!(
        [ProxyUse::Auto, ProxyUse::Never, ProxyUse::Only].map(ProxyUse::as_str),
        ["auto", "never", "only"]
    );
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::linux::net::SocketAddrExt as _;
    use std::os::unix::net::{SocketAddr, UnixListener};

    use oxicard_transport::modem;

    use super::*;

    fn listen(name: &str) -> UnixListener {
        UnixListener::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn only_without_a_proxy_is_an_error_naming_the_socket() {
        for protocol in [ModemProtocol::Qmi, ModemProtocol::Mbim] {
            let socket = unique_socket("nobody");
            let options = ModemOptions::default().with_proxy(ProxyUse::Only).with_proxy_socket(&socket);
            let err = modem::open(protocol, Path::new("/dev/cdc-wdm0"), &options).err().unwrap();
            assert_eq!(err.kind(), ErrorKind::Io);
            assert!(err.to_string().contains(&format!("@{socket}")), "{err}");
        }
    }

    #[test]
    fn auto_without_a_proxy_opens_the_device() {
        let socket = unique_socket("nobody");
        let options = ModemOptions::default().with_proxy_socket(&socket);
        let missing = Path::new("/nonexistent/oxicard-test-cdc-wdm");
        let err = modem::open(ModemProtocol::Qmi, missing, &options).err().unwrap();
        // The device's own error: the proxy was not in the way.
        assert!(chain(&err).contains("/nonexistent/oxicard-test-cdc-wdm"), "{}", chain(&err));
        assert!(!chain(&err).contains(&socket), "{}", chain(&err));
    }

    #[test]
    fn auto_and_only_go_through_a_listening_proxy_and_never_does_not() {
        for proxy in [ProxyUse::Auto, ProxyUse::Only] {
            let socket = unique_socket("qmi-proxy");
            let listener = listen(&socket);
            let server = std::thread::spawn(move || {
                let (stream, _) = listener.accept().unwrap();
                qmi_peer(stream, qmi_proxy_and_modem).join().unwrap()
            });
            let options = ModemOptions::default().with_proxy(proxy).with_proxy_socket(&socket);
            let transport = modem::open(ModemProtocol::Qmi, Path::new(FIXTURE_PATH), &options).unwrap();
            drop(transport);
            assert_eq!(server.join().unwrap()[0], fixture_proxy_open());
        }
        // Never: the listener is not asked; the (missing) device is.
        let socket = unique_socket("qmi-proxy");
        let _listener = listen(&socket);
        let options = ModemOptions::default().with_proxy(ProxyUse::Never).with_proxy_socket(&socket);
        let err = modem::open(ModemProtocol::Qmi, Path::new("/nonexistent/cdc-wdm"), &options).err().unwrap();
        assert!(chain(&err).contains("/nonexistent/cdc-wdm"), "{}", chain(&err));
    }

    #[test]
    fn mbim_goes_through_a_listening_proxy() {
        let socket = unique_socket("mbim-proxy");
        let listener = listen(&socket);
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            mbim_peer(stream, mbim_proxy_and_modem).join().unwrap()
        });
        // The default slot (None) leaves the mapping alone; slot 1 would ask for it.
        let options = ModemOptions::default().with_proxy_socket(&socket);
        let transport = modem::open(ModemProtocol::Mbim, Path::new("/dev/cdc-wdm0"), &options).unwrap();
        drop(transport);
        let received = server.join().unwrap();
        assert!(
            matches!(&received[0], Message::Command(c) if c.service == Uuid::PROXY_CONTROL),
            "{received:?}"
        );
    }

    #[test]
    fn at_ignores_the_proxy() {
        let socket = unique_socket("at");
        let options = ModemOptions::default().with_proxy(ProxyUse::Only).with_proxy_socket(&socket);
        let err = modem::open(ModemProtocol::At, Path::new("/nonexistent/ttyUSB9"), &options).err().unwrap();
        assert!(!chain(&err).contains(&socket), "{}", chain(&err));
    }
}

// ---------------------------------------------------------------------------------------------
// Any bytes from a proxy
// ---------------------------------------------------------------------------------------------

/// A proxy that answers the first message with `bytes`, then hangs up.
fn garbage_proxy(mut stream: UnixStream, bytes: Vec<u8>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(&bytes);
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn any_answer_of_a_qmi_proxy_is_an_error_or_a_session_never_a_panic(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
        valid_start in proptest::prelude::any::<bool>(),
    ) {
        let bytes = if valid_start { [fixture_proxy_open_ok(), bytes].concat() } else { bytes };
        let (host, proxy) = UnixStream::pair().unwrap();
        let peer = garbage_proxy(proxy, bytes);
        let options = QmiOptions::default().with_timeout(Duration::from_millis(100));
        let _ = QmiModem::open_via_proxy(host, Path::new(DEVICE_FOR_GARBAGE), options);
        peer.join().unwrap();
    }

    #[test]
    fn any_answer_of_an_mbim_proxy_is_an_error_or_a_session_never_a_panic(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96),
    ) {
        let (host, proxy) = UnixStream::pair().unwrap();
        let peer = garbage_proxy(proxy, bytes);
        let options = quick_mbim().with_timeout(Duration::from_millis(100));
        let _ = MbimModem::open_via_proxy(host, Path::new(DEVICE_FOR_GARBAGE), options);
        peer.join().unwrap();
    }
}

const DEVICE_FOR_GARBAGE: &str = "/dev/cdc-wdm0";
