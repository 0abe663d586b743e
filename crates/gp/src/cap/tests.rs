use std::io::Write;

use super::*;

/// osmocom/pysim `tests/unittests/test_javacard.py` (`TestJavacard.test_CapFile`): the load
/// file pySim assembles from `test_javacard.cap` — the same HelloSTK CAP as
/// `testdata/hellostk.cap` — with the Descriptor component included (569 bytes).
const PYSIM_LOADFILE: &str = "01000fdecaffed010204000105d07002ca4402001f000f001f000c002800420018006d00320017000000a900040002002203010004002803020107a0000000620101060210a0000000090003ffffffff8910710002000107a000000062000103000c0108d07002ca44900101002006001843800301ff0007020000002f00398002008101010881000007006d000911188c00048d00012c18197b0002037b00029210240303038b000388007a02318f00053d8c00062e1b8b00077a0120188b000860037a7a02228d00092d1d10076b101a8b000a321fae006b06188c000b7a06118d000c2c1903077b000d037b000d928b000e198b000f3b7a08003200040002000203001857656c636f6d6520746f20546f6f7243616d70203230313203000a48656c6c6f2c2053544b0000000005004200100200000006810900050000020381090b0680030001000000060000010380030103800303068108000381080c0600005306810a000500000003810a1303810a1609001700021e2d0011050306040908040507090a0a06070404040b00a901000100000300030005800281018100ff080000000028ff08000002002800020000008003ff820001002f001d0000000000090020003f000d000000000701002f0042000800000000080100390046001800000000ff020053002f0018000000000010002200240028002a002fffff002f002f003100330022002f00370028003b002201300568109001b008b44323430110012005681080056810a00633b44104b431066800a10231";

const HELLOSTK: &[u8] = include_bytes!("../../testdata/hellostk.cap");

#[test]
fn hellostk_matches_pysim() {
    let cap = CapFile::from_zip(HELLOSTK).unwrap();
    let expected = hex::decode(PYSIM_LOADFILE).unwrap();
    let with_descriptor = cap.load_file_data_block(LoadOptions { descriptor: true, debug: false });
    assert_eq!(with_descriptor, expected);
    // Default (GlobalPlatformPro's choice): Descriptor left out — pySim's bytes without the
    // trailing 172-byte Descriptor component (tag 0B, size 00A9).
    let default = cap.load_file_data_block(LoadOptions::default());
    assert_eq!(default.len(), 569 - 172);
    assert_eq!(default[..], expected[..397]);
    assert_eq!(expected[397..400], [0x0B, 0x00, 0xA9]);
    // pySim's get_loadfile_aid / get_applet_aid.
    assert_eq!(cap.package_aid(), hex::decode("d07002ca44").unwrap());
    assert_eq!(cap.applet_aids(), [hex::decode("d07002ca44900101").unwrap()]);
    assert_eq!(cap.cap_version(), (2, 1));
    assert_eq!(cap.package_version(), (1, 0));
}

#[test]
fn hellostk_load_file_and_hash() {
    let cap = CapFile::from_zip(HELLOSTK).unwrap();
    let lf = cap.load_file(LoadOptions::default());
    // C4 82 018D: the 397-byte block in its C4 object (GPC v2.3.1 §11.6.2.3, BER length).
    assert_eq!(lf[..4], [0xC4, 0x82, 0x01, 0x8D]);
    assert_eq!(lf.len(), 4 + 397);
    // Digests of the 397 pySim-derived bytes, computed independently with Python hashlib.
    assert_eq!(
        hex::encode(cap.load_file_data_block_hash(HashAlgorithm::Sha256, LoadOptions::default())),
        "2adb0cbbaf6e155764e504d8d2f37389619583883d3ad0ae28dbfb6e1e7bdecd"
    );
    assert_eq!(
        hex::encode(cap.load_file_data_block_hash(HashAlgorithm::Sha1, LoadOptions::default())),
        "3a2dc4008f5a8db8f7627b7833abccba40af1380"
    );
}

/// The components of the HelloSTK CAP, for building variants.
fn components() -> Vec<(Component, Vec<u8>)> {
    let cap = CapFile::from_zip(HELLOSTK).unwrap();
    Component::ALL.into_iter().filter_map(|c| cap.component(c).map(|b| (c, b.to_vec()))).collect()
}

#[test]
fn validation() {
    let without = |drop: Component| components().into_iter().filter(move |(c, _)| *c != drop);
    assert!(matches!(
        CapFile::from_components(without(Component::Method)),
        Err(CapError::Missing(Component::Method))
    ));
    // A library package: no Applet component, no applets.
    assert!(CapFile::from_components(without(Component::Applet)).unwrap().applet_aids().is_empty());

    let mut dup = components();
    dup.push(dup[0].clone());
    assert!(matches!(CapFile::from_components(dup), Err(CapError::Duplicate(Component::Header))));

    let mut bad = components();
    bad[0].1[3] = 0xCA; // magic
    assert!(matches!(
        CapFile::from_components(bad),
        Err(CapError::Malformed { component: Component::Header, error })
            if error == DecodeError::new(DecodeErrorKind::InvalidValue, 3)
    ));
    let mut bad = components();
    bad[0].1.push(0);
    assert!(matches!(
        CapFile::from_components(bad),
        Err(CapError::Malformed { component: Component::Header, error })
            if error == DecodeError::new(DecodeErrorKind::TrailingData, 18)
    ));
    let mut bad = components();
    bad[1].1[0] = 7;
    assert!(matches!(
        CapFile::from_components(bad),
        Err(CapError::Malformed { component: Component::Directory, error })
            if error.kind == DecodeErrorKind::UnexpectedTag
    ));
}

/// A zip archive of `entries` (stored, no compression).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn archives() {
    assert!(matches!(CapFile::from_zip(b"not a zip"), Err(CapError::Archive(_))));
    let parts = components();
    let named: Vec<(String, Vec<u8>)> =
        parts.iter().map(|(c, b)| (format!("a/b/javacard/{}.cap", c.file_stem()), b.clone())).collect();
    let refs: Vec<(&str, &[u8])> = named.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let cap = CapFile::from_zip(&zip_of(&refs)).unwrap();
    assert_eq!(cap.package_aid(), hex::decode("d07002ca44").unwrap());

    // A second package's Header in another directory.
    let mut two = refs.clone();
    two.push(("c/javacard/Header.cap", parts[0].1.as_slice()));
    assert!(matches!(CapFile::from_zip(&zip_of(&two)), Err(CapError::Duplicate(Component::Header))));
    // The extended format is refused.
    assert!(matches!(
        CapFile::from_zip(&zip_of(&[("a/javacard/Header.capx", &[1])])),
        Err(CapError::Unsupported(_))
    ));
}
