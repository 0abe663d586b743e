//! BER-TLV against sourced real-world encodings: every vector is parsed, walked,
//! rebuilt with the `Writer` (from scratch and by re-encoding) and compared byte
//! for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::tlv::{self, Class, MAX_DEPTH, Mode, Reader, Tag, Tlv, Writer};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

const fn t(v: u32) -> Tag {
    Tag::from_u32_unchecked(v)
}

/// Both modes accept it, the tree validates, and re-encoding reproduces it.
fn assert_der_roundtrip(bytes: &[u8]) -> Tlv<'_> {
    tlv::validate(bytes, Mode::Der).unwrap();
    assert_roundtrip(bytes, Mode::Lenient);
    assert_roundtrip(bytes, Mode::Der)
}

/// The tree validates in `mode`, and re-encoding reproduces it.
fn assert_roundtrip(bytes: &[u8], mode: Mode) -> Tlv<'_> {
    tlv::validate(bytes, mode).unwrap();
    let parsed = Tlv::validate(bytes, mode).unwrap();
    let mut w = Writer::new();
    w.reencode(&parsed).unwrap();
    assert_eq!(w.finish(), bytes);
    parsed
}

/// GlobalPlatform ISD FCI, SELECT response of a real card (`00A40400 00` →
/// `6F108408A000000151000000A5049F6501FF 9000`): trace in
/// martinpaljak/GlobalPlatformPro issue #192 (GPPro 26.06.05 `--debug` log).
/// Layout per GPC v2.3.1 §11.9.3.1 (Table 11-83).
#[test]
fn gp_isd_fci_from_real_card() {
    let bytes = h("6F108408A000000151000000A5049F6501FF");
    let fci = assert_der_roundtrip(&bytes);
    assert_eq!(fci.tag(), t(0x6F));
    assert_eq!(fci.offset(), 0);
    assert_eq!(fci.value_offset(), 2);
    assert_eq!(fci.value().len(), 0x10);
    let aid = fci.find(t(0x84)).unwrap().unwrap();
    assert_eq!(aid.value(), h("A000000151000000"));
    assert_eq!(aid.offset(), 2);
    assert_eq!(aid.raw(), h("8408A000000151000000"));
    let max = fci.find_path(&[t(0xA5), t(0x9F65)]).unwrap().unwrap();
    assert_eq!(max.value(), [0xFF]);
    assert_eq!(max.offset(), 14);
    assert_eq!(max.depth(), 3);
    assert_eq!(fci.find(t(0x9F65)).unwrap(), None, "find looks at direct children only");
    assert_eq!(fci.find_path(&[]).unwrap(), Some(fci));

    let mut r = fci.children();
    assert_eq!(r.expect(t(0x84)).unwrap().value(), h("A000000151000000"));
    let a5 = r.expect(t(0xA5)).unwrap();
    assert!(r.is_empty());
    let mut inner = a5.children();
    assert_eq!(inner.expect(t(0x9F65)).unwrap().raw(), h("9F6501FF"));
    inner.finish().unwrap();

    // Built from scratch.
    let mut w = Writer::new();
    w.constructed(t(0x6F), |w| {
        w.primitive(t(0x84), &h("A000000151000000"));
        w.constructed(t(0xA5), |w| w.primitive(t(0x9F65), &[0xFF]));
    });
    assert_eq!(w.finish(), bytes);
}

/// EMV PPSE FCI (SELECT `2PAY.SYS.DDF01`, EMV Book 1 §12.3.4 / Book B Table 3-2):
/// moov-io/bertlv `tlv_test.go` TestEncodeDecode expected encoding.
///
/// EMV tag `BF0C` (FCI Issuer Discretionary Data) has number 12 in the
/// high-tag-number form, which X.690 §8.1.2.3 reserves for numbers ≥ 31: valid
/// BER-TLV for ISO/IEC 7816-4 and EMV, but not DER. So [`Mode::Der`] rejects it
/// and EMV data is read with [`Mode::Lenient`].
#[test]
fn emv_ppse_fci() {
    let bytes = h(
        "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000041010500A4D617374657263617264870101",
    );
    assert_eq!(
        tlv::validate(&bytes, Mode::Der).unwrap_err(),
        oxicard_apdu::Error::new(oxicard_apdu::ErrorKind::NonMinimalTag, 20)
    );
    let fci = assert_roundtrip(&bytes, Mode::Lenient);
    assert_eq!(fci.find(t(0x84)).unwrap().unwrap().value(), b"2PAY.SYS.DDF01");
    let app = fci.find_path(&[t(0xA5), t(0xBF0C), t(0x61)]).unwrap().unwrap();
    assert_eq!(app.offset(), 23);
    assert_eq!(app.depth(), 4);
    assert_eq!(app.find(t(0x4F)).unwrap().unwrap().value(), h("A0000000041010"));
    assert_eq!(app.find(t(0x50)).unwrap().unwrap().value(), b"Mastercard");
    assert_eq!(app.find(t(0x87)).unwrap().unwrap().value(), [0x01]);
    let bf0c = fci.find_path(&[t(0xA5), t(0xBF0C)]).unwrap().unwrap();
    assert_eq!(bf0c.tag().class(), Class::ContextSpecific);
    assert!(bf0c.tag().is_constructed());
    assert_eq!(bf0c.tag().number(), 12);

    let mut w = Writer::with_capacity(64);
    w.constructed(t(0x6F), |w| {
        w.primitive(t(0x84), b"2PAY.SYS.DDF01");
        w.constructed(t(0xA5), |w| {
            w.constructed(t(0xBF0C), |w| {
                w.constructed(t(0x61), |w| {
                    w.primitive(t(0x4F), &h("A0000000041010"));
                    w.primitive(t(0x50), b"Mastercard");
                    w.primitive(t(0x87), &[0x01]);
                })
            })
        })
    });
    assert_eq!(w.finish(), bytes);
}

/// GSMA SGP.22 GetEID response (ES10c.GetEID, SGP.22 §5.7.20): the golden APDU of
/// pySim `tests/unittests/test_globalplatform.py`.
#[test]
fn sgp22_get_eid_response() {
    let bytes = h("BF3E125A1089882119900000000000000000000005");
    let resp = assert_der_roundtrip(&bytes);
    assert_eq!(resp.tag(), t(0xBF3E));
    assert_eq!(resp.tag().number(), 62);
    let mut r = resp.children();
    assert_eq!(r.expect(t(0x5A)).unwrap().value(), h("89882119900000000000000000000005"));
    assert_eq!(r.read().unwrap(), None);
}

/// SGP.22 ProfileInfoListResponse (ES10c.GetProfilesInfo, SGP.22 §5.7.15): DER
/// produced with asn1tools 0.169 from pySim's `pySim/esim/asn1/rsp/rsp.asn`.
#[test]
fn sgp22_profile_info_list() {
    let bytes = h(
        "BF2D2C A02A E328 5A0A984474680000543721F8 4F10A0000005591010FFFFFFFF8900001000 9F700101 900178 950102",
    );
    let resp = assert_der_roundtrip(&bytes);
    let info = resp.find_path(&[t(0xA0), t(0xE3)]).unwrap().unwrap();
    assert_eq!(info.tag().class(), Class::Private);
    assert_eq!(info.tag().number(), 3);
    let mut r = info.children();
    assert_eq!(r.expect(t(0x5A)).unwrap().value(), h("984474680000543721F8"));
    assert_eq!(r.expect(t(0x4F)).unwrap().value(), h("A0000005591010FFFFFFFF8900001000"));
    assert_eq!(r.expect(t(0x9F70)).unwrap().value(), [0x01]);
    assert_eq!(r.optional(t(0x91)).unwrap(), None);
    assert_eq!(r.expect(t(0x90)).unwrap().value(), b"x");
    assert_eq!(r.expect(t(0x95)).unwrap().value(), [0x02]);
    r.finish().unwrap();

    let mut w = Writer::new();
    w.constructed(Tag::context(45, true).unwrap(), |w| {
        w.constructed(Tag::context(0, true).unwrap(), |w| {
            w.constructed(Tag::private(3, true).unwrap(), |w| {
                w.primitive(Tag::application(26, false).unwrap(), &h("984474680000543721F8"));
                w.primitive(Tag::application(15, false).unwrap(), &h("A0000005591010FFFFFFFF8900001000"));
                w.primitive(Tag::context(112, false).unwrap(), &[0x01]);
                w.primitive(Tag::context(16, false).unwrap(), b"x");
                w.primitive(Tag::context(21, false).unwrap(), &[0x02]);
            })
        })
    });
    assert_eq!(w.finish(), bytes);
}

/// SGP.22 request examples (DER by asn1tools from pySim's `pySim/esim/asn1/rsp/rsp.asn`):
/// EnableProfile (§5.7.16), DeleteProfile (§5.7.18), eUICCMemoryReset (§5.7.19),
/// PrepareDownload error (§5.7.5), ListNotification (§5.7.9), RemoveNotification
/// (§5.7.11), SetDefaultDpAddress (§5.7.4), GetProfilesInfo tag list (§5.7.15),
/// ctxParams1 (§5.7.13) and EUICCInfo1 (§5.7.8; the second SKI list repeats the
/// first).
#[test]
fn sgp22_requests() {
    for hex in [
        "BF3111A00C5A0A984474680000543721F88101FF",
        "BF330C5A0A984474680000543721F8",
        "BF3404820205E0",
        "BF2108A106800101020105",
        "BF280481020780",
        "BF3003800105",
        "BF3F058003612E62",
        "BF2D065C045A4F9F70",
        "A01E 8003414243 A117 800435290611 A10585030D0000 82081111111111111111",
        "BF2035 8203020202 A916 0414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB \
         AA16 0414 81370F5125D0B1D408D4C3B232E6D25E795BEBFB",
    ] {
        assert_der_roundtrip(&h(hex));
    }

    // EnableProfile built from its parts.
    let mut w = Writer::new();
    w.constructed(t(0xBF31), |w| {
        w.constructed(t(0xA0), |w| w.primitive(t(0x5A), &h("984474680000543721F8")));
        w.primitive(t(0x81), &[0xFF]);
    });
    assert_eq!(w.finish(), h("BF3111A00C5A0A984474680000543721F88101FF"));

    // ctxParams1: nested three deep with a sibling after the nested part.
    let ctx = h("A01E 8003414243 A117 800435290611 A10585030D0000 82081111111111111111");
    let parsed = Tlv::parse(&ctx, Mode::Der).unwrap();
    let caps = parsed.find_path(&[t(0xA1), t(0xA1), t(0x85)]).unwrap().unwrap();
    assert_eq!(caps.value(), h("0D0000"));
    assert_eq!(caps.offset(), 17);
    let imei = parsed.find_path(&[t(0xA1), t(0x82)]).unwrap().unwrap();
    assert_eq!(imei.value(), [0x11; 8]);
}

/// A sequence of objects (an APDU data field) read with `Reader`; offsets are
/// absolute. Hand-built from the SGP.22 vectors above.
#[test]
fn reader_over_sequence() {
    let bytes = h("BF3003800105 BF3404820205E0");
    let mut r = Reader::new(&bytes, Mode::Der);
    assert_eq!(r.offset(), 0);
    let first = r.expect(t(0xBF30)).unwrap();
    assert_eq!(first.raw(), h("BF3003800105"));
    assert_eq!(r.offset(), 6);
    assert_eq!(r.remaining(), h("BF3404820205E0"));
    let second = r.read().unwrap().unwrap();
    assert_eq!(second.offset(), 6);
    let bits = second.find(t(0x82)).unwrap().unwrap();
    assert_eq!(bits.offset(), 9);
    assert_eq!(bits.value_offset(), 11);
    assert!(r.is_empty());
    assert_eq!(r.read().unwrap(), None);
    let tags: Vec<Tag> = Reader::new(&bytes, Mode::Der).map(|x| x.unwrap().tag()).collect();
    assert_eq!(tags, [t(0xBF30), t(0xBF34)]);
    tlv::validate(&bytes, Mode::Der).unwrap();
    tlv::validate(&[], Mode::Der).unwrap();
}

/// Tag anatomy (X.690 §8.1.2, Table 1) for tags used above.
#[test]
fn tag_fields_and_encoding() {
    for (value, class, constructed, number, len) in [
        (0x04, Class::Universal, false, 4, 1),
        (0x30, Class::Universal, true, 16, 1),
        (0x5A, Class::Application, false, 26, 1),
        (0x6F, Class::Application, true, 15, 1),
        (0x84, Class::ContextSpecific, false, 4, 1),
        (0xE3, Class::Private, true, 3, 1),
        (0x5F37, Class::Application, false, 55, 2),
        (0x9F65, Class::ContextSpecific, false, 101, 2),
        (0x9F1F, Class::ContextSpecific, false, 31, 2),
        (0xBF2D, Class::ContextSpecific, true, 45, 2),
        (0x9F8101, Class::ContextSpecific, false, 129, 3),
        (0xDF818101, Class::Private, false, (1 << 14) + (1 << 7) + 1, 4),
    ] {
        let tag = t(value);
        assert_eq!(tag.class(), class, "{tag:?}");
        assert_eq!(tag.is_constructed(), constructed, "{tag:?}");
        assert_eq!(tag.number(), number, "{tag:?}");
        assert_eq!(tag.encoded_len(), len, "{tag:?}");
        assert!(tag.is_valid());
        assert_eq!(Tag::new(class, constructed, number).unwrap(), tag);
        let mut buf = [0u8; 4];
        assert_eq!(tag.encode_into(&mut buf).unwrap(), len);
        assert_eq!(&buf[..len], &value.to_be_bytes()[4 - len..]);
        assert_eq!(Tag::from_bytes(&buf[..len]).unwrap(), (tag, len));
        assert_eq!(tag.to_u32(), value);
        assert_eq!(u32::from(tag), value);
    }
    assert_eq!(format!("{:?}", t(0x9F65)), "Tag(9F65)");
    assert_eq!(format!("{:?}", t(0x04)), "Tag(04)");
    assert_eq!(format!("{}", t(0xBF2D)), "BF2D");
    assert_eq!(Tag::context(0, true).unwrap(), t(0xA0));
    assert_eq!(Tag::universal(16, true).unwrap(), t(0x30));
    assert_eq!(Tag::new(Class::Private, false, 0x1F_FFFF).unwrap(), t(0xDFFFFF7F));
    assert_eq!(
        Tag::new(Class::Private, false, 0x20_0000).unwrap_err().kind,
        oxicard_apdu::ErrorKind::InvalidTag
    );
    let mut small = [0u8; 1];
    let err = t(0x9F65).encode_into(&mut small).unwrap_err();
    assert_eq!((err.kind, err.offset), (oxicard_apdu::ErrorKind::BufferTooSmall, 2));
    assert!(!t(0x5F).is_valid());
    assert!(!t(0x9F80).is_valid());
    assert!(t(0x9F1E).is_valid(), "non-minimal but well formed");
    assert!(t(0x30) < t(0x9F65));
    assert_eq!(MAX_DEPTH, 32);
}

/// `raw` appends pre-encoded objects unchanged; long lengths use the minimal
/// long form (X.690 §8.1.3.5): 128 → `81 80`, 256 → `82 01 00`.
#[test]
fn writer_raw_and_long_lengths() {
    let mut w = Writer::new();
    w.constructed(t(0x30), |w| w.raw(&h("8001FF")));
    w.primitive(t(0x04), &[]);
    assert_eq!(w.finish(), h("30038001FF 0400"));

    for (n, header) in
        [(127usize, "047F"), (128, "048180"), (255, "0481FF"), (256, "04820100"), (65536, "0483010000")]
    {
        let value = vec![0x5A; n];
        let mut w = Writer::new();
        w.primitive(t(0x04), &value);
        let out = w.finish();
        assert_eq!(out[..out.len() - n], h(header)[..]);
        // And as the content of constructed values, nested twice.
        let mut w = Writer::new();
        w.constructed(t(0x30), |w| w.constructed(t(0xA0), |w| w.raw(&value)));
        let out = w.finish();
        let outer = Tlv::parse(&out, Mode::Der).unwrap();
        let inner = outer.children().next().unwrap().unwrap();
        assert_eq!(inner.value(), value);
        assert_eq!(inner.raw()[1..inner.raw().len() - n], h(header)[1..]);
    }
    assert!(Writer::new().finish().is_empty());
    let r: u8 = Writer::new().constructed(t(0x30), |_| 7);
    assert_eq!(r, 7);
}
