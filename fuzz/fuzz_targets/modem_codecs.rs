//! The modem codecs on arbitrary bytes: a QMUX frame (libqmi `message_check` rules) or an MBIM
//! message that decodes re-encodes to a message that decodes to the same value; an MBIM
//! message split into fragments of any allowed size reassembles to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_transport::modem::mbim::Message;
use oxicard_transport::modem::mbim::fragment::Assembler;
use oxicard_transport::modem::qmi::QmiMessage;

fuzz_target!(|data: &[u8]| {
    let Some((selector, bytes)) = data.split_first() else { return };
    if selector & 1 == 0 {
        if let Ok(message) = QmiMessage::decode(bytes) {
            let encoded = message.encode().expect("a decoded frame encodes");
            assert_eq!(QmiMessage::decode(&encoded).expect("re-encoded frame decodes"), message);
        }
    } else if let Ok(message) = Message::decode(bytes) {
        let encoded = message.encode().expect("a decoded message encodes");
        assert_eq!(Message::decode(&encoded).expect("re-encoded message decodes"), message);
        let max = 64 + u32::from(*selector >> 1) * 8;
        if let Ok(fragments) = message.encode_fragments(max) {
            let mut assembler = Assembler::new();
            let mut whole = None;
            for fragment in &fragments {
                assert!(fragment.len() <= max as usize, "fragment longer than {max}");
                whole = assembler.push(fragment).expect("own fragments reassemble");
            }
            assert_eq!(Message::decode(&whole.expect("the last fragment completes it")).unwrap(), message);
        }
    }
});
