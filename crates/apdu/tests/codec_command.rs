//! Command APDU codec: exact bytes for every case, short and extended
//! (ISO/IEC 7816-4 §5.1 Table 1 and the body layouts of §5.1; decoding rules of
//! ISO/IEC 7816-3 §12.1.3), every parse error with its offset, and round trips.

use oxicard_apdu::{Case, Command, CommandView, ErrorKind};
use proptest::prelude::*;

#[allow(clippy::unwrap_used)] // test helper
fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// Parses `bytes`, checks the fields, and checks that building the same
/// command from its fields encodes back to exactly `bytes`.
#[allow(clippy::unwrap_used)] // test helper
#[track_caller]
fn check_vector(bytes: &[u8], built: CommandView<'_>, case: Case) {
    let parsed = CommandView::parse(bytes).unwrap();
    assert_eq!(parsed.header(), built.header());
    assert_eq!(parsed.data(), built.data());
    assert_eq!(parsed.ne(), built.ne());
    assert_eq!(parsed.case(), case);
    assert_eq!(built.case(), case);
    assert_eq!(parsed.to_vec().unwrap(), bytes);
    assert_eq!(built.to_vec().unwrap(), bytes);
    assert_eq!(built.encoded_len().unwrap(), bytes.len());
    let owned = Command::parse(bytes).unwrap();
    assert_eq!(owned.to_vec().unwrap(), bytes);
    assert_eq!(owned.as_view(), parsed);
}

// --- Real card traces: osmocom/pysim tests/pySim-shell_test/apdu/test_apdu.script
// ("Case #1" .. "Case #4", each expecting 9000 from a real UICC).

#[test]
fn pysim_case1_manage_channel_open() {
    // `apdu 00700001`: MANAGE CHANNEL open channel 1, no data, no Le.
    check_vector(&hex("00700001"), CommandView::new(0x00, 0x70, 0x00, 0x01), Case::Case1);
}

#[test]
fn pysim_case2_status() {
    // `apdu 80F2000000`: STATUS, Le = 00 meaning Ne = 256.
    check_vector(&hex("80F2000000"), CommandView::new(0x80, 0xF2, 0x00, 0x00).with_ne(256), Case::Case2Short);
}

#[test]
fn pysim_case3_terminal_capability() {
    // `apdu 80AA000005a903830180`: TERMINAL CAPABILITY, Lc = 05.
    let data = hex("a903830180");
    check_vector(
        &hex("80AA000005a903830180"),
        CommandView::new(0x80, 0xAA, 0x00, 0x00).with_data(&data),
        Case::Case3Short,
    );
}

#[test]
fn pysim_case4_select_mf() {
    // `apdu 00a40004023f0000`: SELECT MF, Lc = 02, data 3F00, Le = 00 (256).
    let data = hex("3f00");
    check_vector(
        &hex("00a40004023f0000"),
        CommandView::new(0x00, 0xA4, 0x00, 0x04).with_data(&data).with_ne(256),
        Case::Case4Short,
    );
}

#[test]
fn pysim_gp_get_data_card_data() {
    // osmocom/pysim pySim/global_platform/__init__.py: "card data sample, returned in
    // response to GET DATA (80ca006600)" - case 2S, Le = 00.
    check_vector(&hex("80ca006600"), CommandView::new(0x80, 0xCA, 0x00, 0x66).with_ne(256), Case::Case2Short);
}

// --- trussed-dev/iso7816 src/command.rs, tests `builder` and `lengths_4s`.

#[test]
fn iso7816_crate_short_forms() {
    let base = CommandView::new(0x00, 0x01, 0x02, 0x03);
    check_vector(&hex("00 01 02 03 04"), base.with_ne(4), Case::Case2Short);
    check_vector(&hex("00 01 02 03 00"), base.with_ne(256), Case::Case2Short);
    check_vector(&hex("00 01 02 03 02 05 06 04"), base.with_data(&[5, 6]).with_ne(4), Case::Case4Short);
    check_vector(&hex("00 01 02 03 02 05 06"), base.with_data(&[5, 6]), Case::Case3Short);
    // lengths_4s: body `02 B6 00 00` is Nc = 2, Ne = 256.
    let bytes = hex("00 01 02 03 02 B6 00 00");
    let parsed = CommandView::parse(&bytes).unwrap();
    assert_eq!((parsed.data(), parsed.ne()), (&[0xB6, 0x00][..], 256));
}

#[test]
fn iso7816_crate_extended_forms() {
    let base = CommandView::new(0x00, 0x01, 0x02, 0x03);
    check_vector(&hex("00 01 02 03 00 0101"), base.with_ne(257), Case::Case2Extended);
    check_vector(&hex("00 01 02 03 00 FFFF"), base.with_ne(0xFFFF), Case::Case2Extended);

    let data = vec![0x01; 0x2AE];
    let with = |tail: &str| [hex("00 01 02 03 00 02AE"), data.clone(), hex(tail)].concat();
    check_vector(&with("01 00"), base.with_data(&data).with_ne(256), Case::Case4Extended);
    check_vector(&with("00 01"), base.with_data(&data).with_ne(1), Case::Case4Extended);
    check_vector(&with("00 FF"), base.with_data(&data).with_ne(0xFF), Case::Case4Extended);
    check_vector(&with(""), base.with_data(&data), Case::Case3Extended);

    let max = vec![0x01; 0xFFFF];
    let bytes = [hex("00 01 02 03 00 FFFF"), max.clone(), hex("FF FF")].concat();
    check_vector(&bytes, base.with_data(&max).with_ne(0xFFFF), Case::Case4Extended);
}

// --- ecsec/open-ecard smartcard/base/src/commonTest/kotlin/org/openecard/sc/iface/ApduTest.kt
// (`le = 0` there means the maximum: 256 short, 65 536 extended).

#[test]
fn open_ecard_short_forms() {
    let base = CommandView::new(0x00, 0x01, 0x02, 0x03);
    check_vector(&hex("00010203"), base, Case::Case1);
    check_vector(&hex("0001020300"), base.with_ne(256), Case::Case2Short);
    check_vector(&hex("00010203FF"), base.with_ne(255), Case::Case2Short);
    check_vector(&hex("000102030100"), base.with_data(&[0]), Case::Case3Short);
    check_vector(&hex("00010203010000"), base.with_data(&[0]).with_ne(256), Case::Case4Short);
    let ff = [0u8; 0xFF];
    check_vector(&[hex("00010203FF"), ff.to_vec()].concat(), base.with_data(&ff), Case::Case3Short);
}

#[test]
fn open_ecard_extended_forms() {
    let base = CommandView::new(0x00, 0x01, 0x02, 0x03);
    // Forced extended, Le = 0000: Ne = 65 536.
    check_vector(&hex("00010203000000"), base.with_extended(true).with_ne(65_536), Case::Case2Extended);
    check_vector(&hex("000102030000FF"), base.with_extended(true).with_ne(255), Case::Case2Extended);
    let d100 = [0u8; 0x100];
    check_vector(
        &[hex("00010203000100"), d100.to_vec()].concat(),
        base.with_data(&d100),
        Case::Case3Extended,
    );
    let dff = [0u8; 0xFF];
    check_vector(
        &[hex("000102030000FF"), dff.to_vec(), hex("0000")].concat(),
        base.with_data(&dff).with_ne(65_536).with_extended(true),
        Case::Case4Extended,
    );
}

// --- Hand-built examples of the ISO/IEC 7816-4 §5.1 layouts (not traces).

#[test]
fn le_00_is_256_and_0000_is_65536() {
    // ISO/IEC 7816-4 §5.1: short Le 00 = 256; extended Le 0000 = 65 536.
    assert_eq!(CommandView::parse(&hex("00B0000000")).unwrap().ne(), 256);
    assert_eq!(CommandView::parse(&hex("00B00000000000")).unwrap().ne(), 65_536);
    let cmd = CommandView::new(0x00, 0xB0, 0x00, 0x00);
    assert_eq!(cmd.with_ne(256).to_vec().unwrap(), hex("00B0000000"));
    assert_eq!(cmd.with_ne(65_536).to_vec().unwrap(), hex("00B00000000000"));
    // Ne = 256 with data is still short; 65 536 after extended data is `0000`.
    let data = [0xAA; 300];
    let bytes = cmd.with_data(&data).with_ne(65_536).to_vec().unwrap();
    assert_eq!(&bytes[..7], &hex("00B00000 00012C")[..]);
    assert_eq!(&bytes[7..307], &data[..]);
    assert_eq!(&bytes[307..], &[0x00, 0x00]);
}

#[test]
fn case2e_and_case4e_layouts() {
    // 2E: `00 Le1 Le2` right after the header; 4E: `Le1 Le2` (no leading 00) after the data.
    let cmd = CommandView::new(0x00, 0xCA, 0x01, 0x02);
    assert_eq!(cmd.with_ne(0x1234).to_vec().unwrap(), hex("00CA0102 00 1234"));
    assert_eq!(cmd.with_data(&[0xAB]).with_ne(0x1234).to_vec().unwrap(), hex("00CA0102 000001 AB 1234"));
    assert_eq!(cmd.with_data(&[0xAB]).with_extended(true).to_vec().unwrap(), hex("00CA0102 000001 AB"));
}

#[test]
fn forced_extended_case1_is_four_bytes() {
    let cmd = CommandView::new(0x00, 0x70, 0x00, 0x01).with_extended(true);
    assert_eq!(cmd.case(), Case::Case1);
    assert_eq!(cmd.to_vec().unwrap(), hex("00700001"));
}

#[test]
fn extended_threshold() {
    let base = CommandView::new(0, 0, 0, 0);
    assert!(!base.with_ne(256).is_extended());
    assert!(base.with_ne(257).is_extended());
    assert!(!base.with_data(&[0; 255]).is_extended());
    assert!(base.with_data(&[0; 256]).is_extended());
    assert!(base.with_extended(true).is_extended());
    assert!(Case::Case4Extended.is_extended() && !Case::Case4Short.is_extended());
}

#[test]
fn parse_sets_force_extended_for_extended_forms() {
    // 2E with Ne = 1 would be short if built; parsed, it keeps its form.
    let bytes = hex("00CA0000 000001");
    let parsed = CommandView::parse(&bytes).unwrap();
    assert!(parsed.is_extended_forced());
    assert_eq!(parsed.case(), Case::Case2Extended);
    assert!(!CommandView::parse(&hex("00CA000001")).unwrap().is_extended_forced());
}

// --- Parse errors, each with its offset.

#[allow(clippy::unwrap_used)] // test helper
#[track_caller]
fn parse_err(s: &str) -> (ErrorKind, usize) {
    let err = CommandView::parse(&hex(s)).unwrap_err();
    (err.kind, err.offset)
}

#[test]
fn parse_errors() {
    assert_eq!(parse_err(""), (ErrorKind::Truncated, 0));
    assert_eq!(parse_err("00A404"), (ErrorKind::Truncated, 3));
    // Short Lc announces more data than present.
    assert_eq!(parse_err("00A40400 05 0102"), (ErrorKind::InvalidLength, 4));
    // Short: one byte more than Lc data + Le.
    assert_eq!(parse_err("00A40400 02 3F00 00 00"), (ErrorKind::TrailingData, 8));
    assert_eq!(parse_err("00A40400 01 3F 00 00 00"), (ErrorKind::TrailingData, 7));
    // Extended with a single byte after the 00: neither 2E nor an Lc.
    assert_eq!(parse_err("00A40400 00 01"), (ErrorKind::Truncated, 6));
    // Extended Lc 0000 followed by something.
    assert_eq!(parse_err("00A40400 000000 01"), (ErrorKind::ZeroLc, 4));
    // Extended Lc announces more data than present.
    assert_eq!(parse_err("00A40400 000003 0102"), (ErrorKind::InvalidLength, 4));
    // Extended Le must be 2 bytes after extended data.
    assert_eq!(parse_err("00A40400 000002 0102 05"), (ErrorKind::InvalidLength, 9));
    // Extended: more than Lc data + 2-byte Le.
    assert_eq!(parse_err("00A40400 000002 0102 0000 FF"), (ErrorKind::TrailingData, 11));
    assert_eq!(Command::parse(&hex("00")).unwrap_err().kind, ErrorKind::Truncated);
}

#[test]
fn encode_errors() {
    let big = vec![0u8; 65_536];
    let err = CommandView::new(0, 0xD6, 0, 0).with_data(&big).to_vec().unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::DataTooLong, 4));
    let err = CommandView::new(0, 0xB0, 0, 0).with_ne(65_537).to_vec().unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::NeTooLarge, 4));
    // Buffer too small: the offset is the length needed.
    let mut buf = [0u8; 7];
    let err = CommandView::new(0, 0xA4, 4, 0).with_data(&[1, 2, 3]).encode_into(&mut buf).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::BufferTooSmall, 8));
    let mut buf = [0xEEu8; 10];
    let n = CommandView::new(0, 0xA4, 4, 0).with_data(&[1, 2, 3]).encode_into(&mut buf).unwrap();
    assert_eq!(&buf[..n], &hex("00A40400 03 010203"));
    assert_eq!(&buf[n..], &[0xEE, 0xEE]);
}

#[test]
fn owned_command() {
    let cmd = Command::new(0x80, 0xE2, 0x90, 0x00).with_data(vec![1, 2, 3]).with_ne(0).with_cla(0x84);
    assert_eq!(cmd.header(), [0x84, 0xE2, 0x90, 0x00]);
    assert_eq!((cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2()), (0x84, 0xE2, 0x90, 0x00));
    assert_eq!(cmd.case(), Case::Case3Short);
    assert!(!cmd.is_extended());
    assert_eq!(cmd.encoded_len().unwrap(), 8);
    assert_eq!(cmd.to_vec().unwrap(), hex("84E29000 03 010203"));
    let mut buf = [0u8; 8];
    assert_eq!(cmd.encode_into(&mut buf).unwrap(), 8);
    assert_eq!(Command::from(cmd.as_view()), cmd);
    assert_eq!(cmd.as_view().to_command(), cmd);
    assert_eq!(cmd.clone().with_extended(true).to_vec().unwrap(), hex("84E29000 000003 010203"));
    assert_eq!(cmd.into_data(), vec![1, 2, 3]);
}

// --- Property tests.

fn arb_command() -> impl Strategy<Value = (u8, u8, u8, u8, Vec<u8>, u32, bool)> {
    let data = prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..=8),
        4 => proptest::collection::vec(any::<u8>(), 250..=260),
        1 => proptest::collection::vec(any::<u8>(), 0..=1200),
    ];
    let ne = prop_oneof![Just(0u32), 1u32..=256, 250u32..=300, 1u32..=65_536, Just(65_536)];
    (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), data, ne, any::<bool>())
}

proptest! {
    #[test]
    fn encode_parse_equal((cla, ins, p1, p2, data, ne, force) in arb_command()) {
        let cmd = CommandView::new(cla, ins, p1, p2).with_data(&data).with_ne(ne).with_extended(force);
        let bytes = cmd.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), cmd.encoded_len().unwrap());
        let parsed = CommandView::parse(&bytes).unwrap();
        // Parsing marks extended encodings as forced; case 1 has no form.
        prop_assert_eq!(parsed, cmd.with_extended(cmd.case().is_extended()));
        prop_assert_eq!(parsed.to_vec().unwrap(), bytes.clone());
        let owned = Command::parse(&bytes).unwrap();
        prop_assert_eq!(owned.as_view(), parsed);
    }

    #[test]
    fn accepted_input_reencodes_identically(bytes in proptest::collection::vec(any::<u8>(), 0..=300)) {
        if let Ok(parsed) = CommandView::parse(&bytes) {
            prop_assert_eq!(parsed.to_vec().unwrap(), bytes);
        }
    }

    #[test]
    fn accepted_structured_input_reencodes_identically(
        header in any::<[u8; 4]>(),
        first in prop_oneof![Just(0u8), any::<u8>()],
        lc in any::<[u8; 2]>(),
        len in 0usize..=300,
        tail in proptest::collection::vec(any::<u8>(), 0..=3),
    ) {
        // Bodies shaped like real ones (a 00 or Lc byte, an extended Lc, data,
        // a few extra bytes), so that many are accepted.
        let mut bytes = header.to_vec();
        bytes.push(first);
        if first == 0 {
            bytes.extend_from_slice(&lc);
        }
        bytes.extend(std::iter::repeat_n(0x5A, len));
        bytes.extend_from_slice(&tail);
        if let Ok(parsed) = CommandView::parse(&bytes) {
            prop_assert_eq!(parsed.to_vec().unwrap(), bytes);
        }
    }
}
