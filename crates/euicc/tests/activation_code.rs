//! Activation codes (SGP.22 §4.1), confirmation code hashing (§3.1.3) and device info (§5.7.13).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::activation::{
    AcField, ActivationCode, ActivationCodeError, ActivationCodeWarning, ConfirmationCode, DeviceInfo,
    DeviceInfoError, Imei, MAX_MATCHING_ID_LEN, Tac, hash_confirmation_code,
};
use oxicard_euicc::es10::{CtxParams1, Version};
use proptest::prelude::*;

/// pySim `tests/unittests/test_esim.py` `TestActivationCode.test_de_encode`: each string parses and
/// formats back to itself.
const PYSIM_ROUND_TRIP: &[&str] = &[
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1",
    "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746",
    "1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746",
];

#[test]
fn pysim_vectors_round_trip() {
    for s in PYSIM_ROUND_TRIP {
        let ac: ActivationCode = s.parse().unwrap();
        assert_eq!(ac.to_string(), *s);
        assert_eq!(ac.to_qr_string(), format!("LPA:{s}"));
    }
}

#[test]
fn pysim_vector_fields() {
    let ac: ActivationCode = "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1".parse().unwrap();
    assert_eq!(ac.smdp_address(), "SMDP.GSMA.COM");
    assert_eq!(ac.matching_id(), "04386-AGYFT-A74Y8-3F815");
    assert_eq!(ac.smdp_oid(), Some("1.3.6.1.4.1.31746"));
    assert!(ac.confirmation_code_required());

    let ac: ActivationCode = "1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746".parse().unwrap();
    assert_eq!(ac.matching_id(), "");
    assert!(!ac.confirmation_code_required());
}

/// sysmocom onomondo-ipa `tests/activation_code/activation_code_test.c`: accepted and rejected inputs.
#[test]
fn onomondo_ipa_vectors() {
    let ac: ActivationCode = "LPA:1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815".parse().unwrap();
    assert_eq!(ac.smdp_address(), "SMDP.EXAMPLE.COM");
    assert_eq!(ac.matching_id(), "04386-AGYFT-A74Y8-3F815");
    assert_eq!(ac.smdp_oid(), None);

    let ac: ActivationCode = "1$SMDP.EXAMPLE.NET$KL14XA-8C7RLY$1.3.6.1.4.1.3174".parse().unwrap();
    assert_eq!(ac.smdp_oid(), Some("1.3.6.1.4.1.3174"));

    // Rejected there too: garbage, empty, no address, no AC_Token field.
    assert!("xyz14390lojij".parse::<ActivationCode>().is_err());
    assert_eq!("".parse::<ActivationCode>(), Err(ActivationCodeError::Empty));
    assert_eq!(
        "1$".parse::<ActivationCode>(),
        Err(ActivationCodeError::MissingField { field: AcField::SmdpAddress })
    );
    assert_eq!(
        "LPA:1$".parse::<ActivationCode>(),
        Err(ActivationCodeError::MissingField { field: AcField::SmdpAddress })
    );
    assert_eq!(
        "1$SMDP.EXAMPLE.COM".parse::<ActivationCode>(),
        Err(ActivationCodeError::MissingField { field: AcField::MatchingId })
    );
    // 28 fields: more than defined.
    assert_eq!(
        "1$SMDP.EXAMPLE.COM$$$$$$$$$$$$$$$$$$$$$$$$$$".parse::<ActivationCode>(),
        Err(ActivationCodeError::TooManyFields { count: 28 })
    );
    assert!("\u{10}$\u{AA}$\u{BB}$\u{CC}".parse::<ActivationCode>().is_err());
}

#[test]
fn prefix_case_and_whitespace() {
    // lpac matches the prefix case-insensitively; QR scanners often add a trailing newline.
    let ac: ActivationCode = "  lpa:1$smdp.example.com$ABC-123\n".parse().unwrap();
    assert_eq!(ac.smdp_address(), "smdp.example.com");
    assert_eq!(ac.to_string(), "1$smdp.example.com$ABC-123");
}

#[test]
fn trailing_empty_fields_are_absent() {
    let ac: ActivationCode = "1$a.example$X$$".parse().unwrap();
    assert_eq!(ac, ActivationCode::new("a.example", "X").unwrap());
    assert_eq!(ac.to_string(), "1$a.example$X");
}

#[test]
fn optional_trailing_fields_kept_verbatim() {
    let s = "1$a.example$X$$1$F54172BDF98A95D65CBEB88A38A1C11D800A85C3";
    let ac: ActivationCode = s.parse().unwrap();
    assert_eq!(ac.ci_public_key_indicator(), Some("F54172BDF98A95D65CBEB88A38A1C11D800A85C3"));
    assert_eq!(ac.to_string(), s);
    let s = "1$a.example$X$$$$dc";
    let ac: ActivationCode = s.parse().unwrap();
    assert_eq!(ac.device_change(), Some("dc"));
    assert_eq!(ac.to_string(), s);
}

fn invalid_field(s: &str) -> (AcField, String) {
    match s.parse::<ActivationCode>() {
        Err(ActivationCodeError::InvalidField { field, reason }) => (field, reason),
        other => panic!("{s:?}: expected InvalidField, got {other:?}"),
    }
}

#[test]
fn errors_name_the_field_and_reason() {
    let (f, r) = invalid_field("2$a.example$X");
    assert_eq!(f, AcField::Format);
    assert!(r.contains("\"2\""), "{r}");

    let (f, r) = invalid_field("1$bad_host.example$X");
    assert_eq!(f, AcField::SmdpAddress);
    assert!(r.contains("'_'"), "{r}");
    assert_eq!(invalid_field("1$-a.example$X").0, AcField::SmdpAddress);
    assert_eq!(invalid_field("1$a..example$X").0, AcField::SmdpAddress);
    assert_eq!(invalid_field("1$a.example:99999$X").0, AcField::SmdpAddress);
    assert_eq!(invalid_field("1$https://a.example$X").0, AcField::SmdpAddress);

    // The hard limits of a MatchingID: length and control characters.
    let (f, r) = invalid_field(&format!("1$a.example${}", "A".repeat(256)));
    assert_eq!(f, AcField::MatchingId);
    assert!(r.contains("256 bytes"), "{r}");
    let (f, r) = invalid_field("1$a.example$AB\u{7}C");
    assert_eq!(f, AcField::MatchingId);
    assert!(r.contains("control character '\\u{7}'"), "{r}");
    assert_eq!(invalid_field("1$a.example$A\u{1b}[2J").0, AcField::MatchingId);

    let (f, r) = invalid_field("1$a.example$X$1.3.6.x");
    assert_eq!(f, AcField::SmdpOid);
    assert!(r.contains("\"x\""), "{r}");
    assert_eq!(invalid_field("1$a.example$X$7.1").0, AcField::SmdpOid);
    assert_eq!(invalid_field("1$a.example$X$1").0, AcField::SmdpOid);

    let (f, r) = invalid_field("1$a.example$X$$0");
    assert_eq!(f, AcField::CcRequired);
    assert!(r.contains("\"0\""), "{r}");
    assert_eq!(invalid_field("1$a.example$X$$yes").0, AcField::CcRequired);

    assert_eq!(invalid_field("1$a.example$X$$$a b").0, AcField::CiPublicKeyIndicator);

    let e = "1$a.example$X$$0".parse::<ActivationCode>().unwrap_err();
    assert_eq!(e.field(), Some(AcField::CcRequired));
    assert_eq!(
        e.to_string(),
        "activation code field 5 (Confirmation Code Required Flag) is invalid: \"0\": must be \"1\" or empty"
    );
}

/// MatchingIDs as servers issue them: characters outside SGP.22 §4.1.1's set (`0-9 A-Z a-z -`)
/// are accepted as given and reported as warnings, in the parsed string and from `new`.
#[test]
fn matching_ids_outside_the_character_set_are_warnings() {
    let ac: ActivationCode = "LPA:1$smdp.example.com$ab_cd.EF_42".parse().unwrap();
    assert_eq!(ac.matching_id(), "ab_cd.EF_42");
    assert_eq!(ac.to_string(), "1$smdp.example.com$ab_cd.EF_42");
    let warnings = ac.warnings();
    assert_eq!(warnings, vec![ActivationCodeWarning::MatchingIdCharacters { characters: vec!['_', '.'] }]);
    assert_eq!(warnings[0].field(), AcField::MatchingId);
    assert_eq!(
        warnings[0].to_string(),
        "activation code field 3 (MatchingID): '_', '.' outside the SGP.22 §4.1.1 set (0-9, A-Z, a-z, '-'); \
         sent to the SM-DP+ as given"
    );
    // A space, non-ASCII: accepted, reported.
    let ac: ActivationCode = "1$a.example$AB C".parse().unwrap();
    assert_eq!(ac.warnings()[0], ActivationCodeWarning::MatchingIdCharacters { characters: vec![' '] });
    let ac = ActivationCode::new("a.example", "Zürich_1").unwrap();
    assert_eq!(ac.warnings()[0], ActivationCodeWarning::MatchingIdCharacters { characters: vec!['ü', '_'] });
    // Conforming codes: no warning.
    for s in PYSIM_ROUND_TRIP {
        assert!(s.parse::<ActivationCode>().unwrap().warnings().is_empty(), "{s}");
    }
    assert!(ActivationCode::new("a.example", "").unwrap().warnings().is_empty());
    // The length limit is in bytes: 255 ASCII characters pass, fewer non-ASCII ones may not.
    assert!(ActivationCode::new("a.example", &"A".repeat(MAX_MATCHING_ID_LEN)).is_ok());
    assert!(ActivationCode::new("a.example", &"é".repeat(128)).is_err());
}

/// From `new` (a MatchingID given alone), `$` would make the code ambiguous: refused, naming the
/// field.
#[test]
fn dollar_and_control_characters_are_refused_from_new() {
    match ActivationCode::new("a.example", "AB$CD") {
        Err(ActivationCodeError::InvalidField { field, reason }) => {
            assert_eq!(field, AcField::MatchingId);
            assert!(reason.contains("'$'"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ActivationCode::new("a.example", "A\nB").unwrap_err().field(), Some(AcField::MatchingId));
    // White space around a MatchingID would not survive formatting and parsing (surrounding
    // white space of a code is trimmed): refused (found by the activation_code fuzz target).
    for id in ["  ", " AB", "AB ", "AB\t"] {
        let error = ActivationCode::new("a.example", id).unwrap_err();
        assert_eq!(error.field(), Some(AcField::MatchingId), "{id:?}");
    }
    assert!(" 1$2$  $$$".parse::<ActivationCode>().is_err());
    assert_eq!(ActivationCode::new("a_b.example", "AB").unwrap_err().field(), Some(AcField::SmdpAddress));
}

#[test]
fn builder_validates() {
    let ac = ActivationCode::new("smdp.example.com", "MID-1")
        .unwrap()
        .with_smdp_oid(Some("2.999.10"))
        .unwrap()
        .with_confirmation_code_required(true);
    assert_eq!(ac.to_string(), "1$smdp.example.com$MID-1$2.999.10$1");
    assert!(ActivationCode::new("", "X").is_err());
    assert!(ActivationCode::new("a.example", "X").unwrap().with_smdp_oid(Some("1.50")).is_err());
}

/// hashCc = SHA-256(SHA-256(code) ‖ transactionId) (SGP.22 §3.1.3, §5.7.5; lpac
/// `es10b_prepare_download_r`). SHA-256("12345678") is the well-known digest ef797c81…; the outer value was
/// computed independently with Python's `hashlib` for the hand-picked transactionId 0102…10.
#[test]
fn confirmation_code_hash() {
    let tx: Vec<u8> = (1..=16).collect();
    let expected = hex::decode("87b0215c5d8f952804b1c92d5f2ae9966568b47cd659519536d862e7a9470d2d").unwrap();
    assert_eq!(hash_confirmation_code("12345678", &tx).to_vec(), expected);
    let cc = ConfirmationCode::new("12345678");
    assert_eq!(cc.hash(&tx).to_vec(), expected);
    assert_eq!(format!("{cc:?}"), "ConfirmationCode(<redacted>)");
    // The transactionId is part of the hash.
    assert_ne!(hash_confirmation_code("12345678", &tx[..15]).to_vec(), expected);
}

/// IMEI 49015420323751 with check digit 8: the worked Luhn example of 3GPP TS 23.003 Annex B as reproduced
/// in the Wikipedia article "International Mobile Equipment Identity".
#[test]
fn imei_luhn() {
    let imei: Imei = "490154203237518".parse().unwrap();
    assert_eq!(imei.to_string(), "490154203237518");
    assert_eq!(imei.tac().to_string(), "49015420");
    // Swapped-nibble BCD padded with F (lpac gsmbcd2bin).
    assert_eq!(imei.to_bytes(), [0x94, 0x10, 0x45, 0x02, 0x23, 0x73, 0x15, 0xF8]);
    // 14 digits: the check digit is computed.
    assert_eq!("49015420323751".parse::<Imei>().unwrap(), imei);
    // Wrong check digit.
    let err = "490154203237519".parse::<Imei>().unwrap_err();
    assert_eq!(
        err,
        DeviceInfoError::Imei("check digit is 9, expected 8 (Luhn, 3GPP TS 23.003 Annex B)".into())
    );
    assert!("49015420323751x".parse::<Imei>().is_err());
    assert!("4901542032375".parse::<Imei>().is_err());
    // 16 digits: IMEISV, no check digit.
    let sv: Imei = "4901542032375101".parse().unwrap();
    assert!(sv.is_imeisv());
    assert_eq!(sv.to_bytes(), [0x94, 0x10, 0x45, 0x02, 0x23, 0x73, 0x15, 0x10]);
}

#[test]
fn tac_bytes() {
    // lpac's default TAC bytes 35 29 06 11.
    let tac: Tac = "35290611".parse().unwrap();
    assert_eq!(tac.to_bytes(), [0x35, 0x29, 0x06, 0x11]);
    assert!("3529061".parse::<Tac>().is_err());
    assert!("3529061a".parse::<Tac>().is_err());
}

/// Golden DER (asn1tools on pySim's `pySim/esim/asn1/rsp/rsp.asn`, the SGP.22 v2 module): DeviceInfo inside ctxParams1, tag A1,
/// TAC 35290611, capabilities `85 03 0D 00 00` (eutranSupportedRelease 13.0.0), IMEI bytes 11×8.
#[test]
fn device_info_golden_der() {
    let mut device_info = DeviceInfo::from_imei("1111111111111111".parse().unwrap());
    device_info.tac = vec![0x35, 0x29, 0x06, 0x11];
    device_info.capabilities.eutran = Some(Version::new(13, 0, 0));
    let ctx = CtxParams1::new(None, device_info);
    assert_eq!(ctx.to_der(), hex::decode("A019A117800435290611A10585030D000082081111111111111111").unwrap());
}

#[test]
fn device_info_from_imei() {
    let info = DeviceInfo::from_imei("490154203237518".parse().unwrap());
    // Hand-built example: TAC = first 8 IMEI digits, empty capabilities.
    let ctx = |device_info| CtxParams1::new(None, device_info).to_der();
    assert_eq!(ctx(info), hex::decode("A014A112800449015420A100820894104502237315F8").unwrap());
    let tac_only = DeviceInfo::from_tac("35290611".parse().unwrap());
    assert_eq!(ctx(tac_only), hex::decode("A00AA108800435290611A100").unwrap());
}

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?"
}

fn address() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), prop::option::of(1u16..=65535)).prop_map(|(labels, port)| {
        let host = labels.join(".");
        match port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    })
}

fn oid() -> impl Strategy<Value = String> {
    (0u32..=2, 0u32..40, prop::collection::vec(0u64..100_000, 0..6)).prop_map(|(a, b, rest)| {
        let mut s = format!("{a}.{b}");
        for r in rest {
            s.push_str(&format!(".{r}"));
        }
        s
    })
}

fn activation_code() -> impl Strategy<Value = ActivationCode> {
    (address(), "[A-Za-z0-9-]{0,40}", prop::option::of(oid()), any::<bool>()).prop_map(|(a, m, o, cc)| {
        ActivationCode::new(&a, &m)
            .unwrap()
            .with_smdp_oid(o.as_deref())
            .unwrap()
            .with_confirmation_code_required(cc)
    })
}

proptest! {
    #[test]
    fn format_parse_round_trip(ac in activation_code()) {
        let s = ac.to_string();
        prop_assert_eq!(s.parse::<ActivationCode>().unwrap(), ac.clone());
        prop_assert_eq!(ac.to_qr_string().parse::<ActivationCode>().unwrap(), ac);
    }

    #[test]
    fn any_printable_matching_id_round_trips(m in "[^$\\p{Cc}]{0,60}") {
        prop_assume!(m.len() <= MAX_MATCHING_ID_LEN && m.trim_matches(|c: char| c.is_ascii_whitespace()) == m);
        let ac = ActivationCode::new("smdp.example.com", &m).unwrap();
        prop_assert_eq!(ac.matching_id(), m.as_str());
        prop_assert_eq!(ac.to_string().parse::<ActivationCode>().unwrap(), ac.clone());
        let outside = m.chars().any(|c| !(c.is_ascii_alphanumeric() || c == '-'));
        prop_assert_eq!(!ac.warnings().is_empty(), outside);
    }

    #[test]
    fn parse_never_panics_and_reparses(s in "\\PC{0,80}") {
        if let Ok(ac) = s.parse::<ActivationCode>() {
            prop_assert_eq!(ac.to_string().parse::<ActivationCode>().unwrap(), ac);
        }
    }

    #[test]
    fn imei_check_digit_round_trip(body in "[0-9]{14}") {
        let imei: Imei = body.parse().unwrap();
        let full = imei.to_string();
        prop_assert_eq!(full.len(), 15);
        prop_assert_eq!(full.parse::<Imei>().unwrap(), imei);
    }
}
