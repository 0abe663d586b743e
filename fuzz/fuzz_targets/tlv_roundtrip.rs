//! BER-TLV round trip (ISO/IEC 7816-4 §5.2.2, X.690 §8.1, §10.1): every input
//! accepted in DER must be reproduced byte for byte by the `Writer`; lenient
//! parsing and walking must never panic, and its re-encoding must be stable.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_apdu::tlv::{self, Mode, Reader, Tlv, Writer};

/// Re-encodes every top-level object; `None` if any is malformed.
fn rewrite(data: &[u8], mode: Mode) -> Option<Vec<u8>> {
    let mut w = Writer::new();
    for item in Reader::new(data, mode) {
        w.reencode(&item.ok()?).ok()?;
    }
    Some(w.finish())
}

/// Visits every object the way a caller would, ignoring errors.
fn walk(tlv: &Tlv<'_>) -> usize {
    let _ = (tlv.tag().class(), tlv.tag().number(), tlv.value(), tlv.find_path(&[tlv.tag()]));
    if !tlv.is_constructed() {
        return 1;
    }
    1 + tlv.children().filter_map(Result::ok).map(|c| walk(&c)).sum::<usize>()
}

fuzz_target!(|data: &[u8]| {
    let der = tlv::validate(data, Mode::Der);
    if der.is_ok() {
        assert!(tlv::validate(data, Mode::Lenient).is_ok(), "DER accepted but BER rejected");
        let rebuilt = rewrite(data, Mode::Der).expect("validated input re-encodes");
        assert_eq!(rebuilt, data, "DER input not reproduced");
    }

    // Lenient: never panics; an accepted input re-encodes to a stable form.
    if tlv::validate(data, Mode::Lenient).is_ok() {
        let once = rewrite(data, Mode::Lenient).expect("validated input re-encodes");
        assert!(once.len() <= data.len(), "re-encoding only shortens lengths");
        assert_eq!(rewrite(&once, Mode::Lenient).as_deref(), Some(&once[..]), "re-encoding not stable");
    }
    for item in Reader::new(data, Mode::Lenient) {
        match item {
            Ok(tlv) => {
                walk(&tlv);
            }
            Err(error) => assert!(error.offset <= data.len(), "error offset out of range"),
        }
    }
    if let Err(error) = der {
        assert!(error.offset <= data.len(), "error offset out of range");
    }
    let _ = Tlv::parse(data, Mode::Lenient);
});
