use oxicard_apdu::Response;
use oxicard_apdu::card::CardError;

use super::*;
use crate::{DecodeError, DecodeErrorKind};

/// A scripted card: answers in order, records the commands; out of answers, a card that
/// answers nothing ([`CardError::MalformedResponse`]).
pub(crate) struct Script {
    pub(crate) answers: Vec<Response>,
    pub(crate) seen: Vec<Vec<u8>>,
}

impl CardChannel for Script {
    fn channel_number(&self) -> u8 {
        0
    }

    fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        self.seen.push(command.to_vec().map_err(CardError::Encode)?);
        if self.answers.is_empty() {
            return Err(CardError::MalformedResponse { len: 0 });
        }
        let (answer, sw) = self.answers.remove(0).into_parts();
        *data = answer;
        Ok(sw)
    }
}

fn answer(hex_data: &str, sw: u16) -> Response {
    Response::new(hex::decode(hex_data).unwrap(), StatusWord::from_u16(sw))
}

// GlobalPlatformPro TestParseTags.testParseISD.
const ISD_SHORT: &str = "E3144F07A00000015100009F700107C50180EA028000";
// GlobalPlatformPro TestParseTags.testParsePartialISD.
const ISD_FULL: &str = "E3464F08A0000000030000009F700101C5039EFE80CF0140CF0141CF0142CF0143CF0180CF0181CF0182CF0183C40BD276000005AAFFCAFE0001CE020001CC08A000000003000000";

#[test]
fn command_bytes() {
    // GPC v2.3.1 §11.4.2: 80 F2 P1 P2 02 4F00 00.
    let c = |k, f, n| get_status_command(k, f, n, ALL_AIDS).to_vec().unwrap();
    assert_eq!(c(Kind::IssuerSecurityDomain, Format::Tlv, false), hex::decode("80F28002024F0000").unwrap());
    assert_eq!(c(Kind::Applications, Format::Tlv, true), hex::decode("80F24003024F0000").unwrap());
    assert_eq!(c(Kind::LoadFiles, Format::Legacy, false), hex::decode("80F22000024F0000").unwrap());
    assert_eq!(c(Kind::LoadFilesAndModules, Format::Legacy, true), hex::decode("80F21001024F0000").unwrap());
}

#[test]
fn gppro_isd() {
    let e = parse_tlv(Kind::IssuerSecurityDomain, &hex::decode(ISD_SHORT).unwrap()).unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].aid, hex::decode("A0000001510000").unwrap());
    assert_eq!(e[0].privileges, Some(Privileges::SECURITY_DOMAIN));
    assert_eq!(e[0].life_cycle(), LifeCycle::Initialized);
    assert!(e[0].is_security_domain());

    let e = parse_tlv(Kind::IssuerSecurityDomain, &hex::decode(ISD_FULL).unwrap()).unwrap();
    let isd = &e[0];
    assert_eq!(isd.aid, hex::decode("A000000003000000").unwrap());
    assert_eq!(isd.life_cycle(), LifeCycle::OpReady);
    assert_eq!(isd.privileges.unwrap().to_bytes(), [0x9E, 0xFE, 0x80]);
    assert_eq!(isd.implicit_selection, [0x40, 0x41, 0x42, 0x43, 0x80, 0x81, 0x82, 0x83]);
    assert_eq!(isd.load_file, Some(hex::decode("D276000005AAFFCAFE0001").unwrap()));
    assert_eq!(isd.version, Some(vec![0x00, 0x01]));
    assert_eq!(isd.security_domain, Some(hex::decode("A000000003000000").unwrap()));
}

#[test]
fn load_files_with_modules() {
    // Hand-built example of GPC v2.3.1 Table 11-36: an ELF with two modules, version 1.0.
    let data = "E3234F05D07002CA449F700101CE0201008408D07002CA449001018408D07002CA44900102";
    let e = parse_tlv(Kind::LoadFilesAndModules, &hex::decode(data).unwrap()).unwrap();
    assert_eq!(e[0].life_cycle(), LifeCycle::Loaded);
    assert_eq!(e[0].modules.len(), 2);
    assert_eq!(e[0].modules[1], hex::decode("D07002CA44900102").unwrap());
    assert_eq!(e[0].privileges, None);
}

#[test]
fn legacy_format() {
    // Hand-built example of GPC v2.3.1 §11.4.3.1: an application (selectable, no privilege)
    // and a locked security domain.
    let data = hex::decode("08D07002CA44900101070005A0000000018380").unwrap();
    let e = parse_legacy(Kind::Applications, &data).unwrap();
    assert_eq!(e[0].life_cycle(), LifeCycle::Selectable);
    assert_eq!(e[1].life_cycle(), LifeCycle::Locked);
    assert!(e[1].is_security_domain());
    let data = hex::decode("05D07002CA4401000108D07002CA44900101").unwrap();
    let e = parse_legacy(Kind::LoadFilesAndModules, &data).unwrap();
    assert_eq!(e[0].modules, [hex::decode("D07002CA44900101").unwrap()]);
    assert_eq!(
        parse_legacy(Kind::LoadFilesAndModules, &data[..data.len() - 1]).unwrap_err(),
        DecodeError::new(DecodeErrorKind::Truncated, data.len() - 1)
    );
}

#[test]
fn malformed_tlv() {
    // Missing 9F70.
    assert_eq!(
        parse_tlv(Kind::Applications, &hex::decode("E3034F0101").unwrap()).unwrap_err(),
        DecodeError::new(DecodeErrorKind::Missing, 0)
    );
    assert_eq!(
        parse_tlv(Kind::Applications, &hex::decode("E2034F0101").unwrap()).unwrap_err().kind,
        DecodeErrorKind::UnexpectedTag
    );
    assert_eq!(
        parse_tlv(Kind::Applications, &hex::decode("E3084F01019F70020101").unwrap()).unwrap_err(),
        DecodeError::new(DecodeErrorKind::InvalidLength, 5)
    );
}

/// A card without the P1 `10` scope: TLV and legacy formats both refused with `6A86`, then the
/// load files alone (P1 `20`). The registry entry is hand-built from GPC v2.3.1 Table 11-36
/// (`E3 { 4F AID, 9F70 life cycle }`), not a captured answer.
#[test]
fn load_files_fall_back_to_p1_20() {
    let mut card = Script {
        answers: vec![
            answer("", 0x6A86),
            answer("", 0x6A86),
            answer("E30D4F07A00000006200019F700101", 0x9000),
        ],
        seen: Vec::new(),
    };
    let e = get_load_files(&mut card).unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].aid, hex::decode("A0000000620001").unwrap());
    assert_eq!(e[0].life_cycle(), LifeCycle::Loaded);
    assert_eq!(
        card.seen,
        [
            hex::decode("80F21002024F0000").unwrap(),
            hex::decode("80F21000024F0000").unwrap(),
            hex::decode("80F22002024F0000").unwrap(),
        ]
    );
    // Another refusal is the caller's.
    let mut card = Script { answers: vec![answer("", 0x6982)], seen: Vec::new() };
    assert!(matches!(get_load_files(&mut card), Err(GpError::Status { sw, .. }) if sw.to_u16() == 0x6982));
}

#[test]
fn continuation_and_fallback() {
    let mut card =
        Script { answers: vec![answer(ISD_SHORT, 0x6310), answer(ISD_FULL, 0x9000)], seen: Vec::new() };
    let e = get_status(&mut card, Kind::IssuerSecurityDomain).unwrap();
    assert_eq!(e.len(), 2);
    assert_eq!(card.seen[0], hex::decode("80F28002024F0000").unwrap());
    assert_eq!(card.seen[1], hex::decode("80F28003024F0000").unwrap());

    let mut card = Script {
        answers: vec![answer("", 0x6A86), answer("07A00000015100000F9E", 0x9000)],
        seen: Vec::new(),
    };
    let e = get_status(&mut card, Kind::IssuerSecurityDomain).unwrap();
    assert_eq!(e[0].life_cycle(), LifeCycle::Secured);
    assert_eq!(card.seen[1], hex::decode("80F28000024F0000").unwrap());

    let mut card = Script { answers: vec![answer("", 0x6A88)], seen: Vec::new() };
    assert!(get_status(&mut card, Kind::LoadFiles).unwrap().is_empty());

    let mut card = Script { answers: vec![answer("", 0x6982)], seen: Vec::new() };
    assert!(matches!(
        get_status(&mut card, Kind::LoadFiles),
        Err(GpError::Status { sw, .. }) if sw == StatusWord::from_u16(0x6982)
    ));
    let mut card = Script { answers: vec![answer("E3", 0x9000)], seen: Vec::new() };
    assert!(matches!(get_status(&mut card, Kind::LoadFiles), Err(GpError::Decode { .. })));
}

#[test]
fn kaoh_globalplatform_load_files() {
    // kaoh/globalplatform getStatusTest (get_status_mac_only): GET STATUS P1 20, TLV format,
    // six executable load files, all LOADED.
    let data = "E30D4F07A00000000353509F700101E30B4F05A0000000049F700101E30B4F05325041592E9F700101\
                E30B4F05F0000711809F700101E30C4F06A000000421209F700101E30D4F07D0D1D2D3D4D5019F700101";
    let e = parse_tlv(Kind::LoadFiles, &hex::decode(data).unwrap()).unwrap();
    assert_eq!(e.len(), 6);
    assert_eq!(e[5].aid, hex::decode("D0D1D2D3D4D501").unwrap());
    assert_eq!(e[2].aid, b"2PAY.");
    assert!(e.iter().all(|x| x.life_cycle() == LifeCycle::Loaded && x.privileges.is_none()));
}

#[test]
fn encoders_reproduce_card_bytes() {
    let e = parse_tlv(Kind::IssuerSecurityDomain, &hex::decode(ISD_FULL).unwrap()).unwrap();
    assert_eq!(hex::encode_upper(e[0].to_tlv()), ISD_FULL);
    // ISD_SHORT has a 1-byte C5 and an unknown EA object: re-encoded with 3 privilege bytes
    // and without EA, it decodes to the same entry.
    let e = parse_tlv(Kind::IssuerSecurityDomain, &hex::decode(ISD_SHORT).unwrap()).unwrap();
    assert_eq!(hex::encode_upper(e[0].to_tlv()), "E3124F07A00000015100009F700107C503800000");
    assert_eq!(parse_tlv(Kind::IssuerSecurityDomain, &e[0].to_tlv()).unwrap(), e);
    let data = hex::decode("05D07002CA4401000108D07002CA44900101").unwrap();
    let e = parse_legacy(Kind::LoadFilesAndModules, &data).unwrap();
    assert_eq!(e[0].to_legacy(), data);
}
