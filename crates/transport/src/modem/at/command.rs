//! The command lines of the UICC access commands (3GPP TS 27.007): `+CSIM` (§8.17),
//! `+CGLA` (§8.43), `+CCHO` (§8.45), `+CCHC` (§8.46).
//!
//! Binary values (`<dfname>`, `<command>`) are hexadecimal, two characters per byte, upper
//! case, in double quotes; `<length>` counts those characters, twice the byte count (§8.17
//! defined values). That is what lpac sends (`driver/apdu/at_etsi.c`, `at_etsi_csim.c`; the
//! log of lpac issue #143 shows the upper-case form). A line is sent with a CR LF ending, as
//! lpac's `at_emit_command` (`driver/apdu/at_helpers.c`) does: the CR ends the command line
//! (ITU-T V.250 S3), the LF is ignored by the modem.

use std::fmt::Write as _;

/// What ends a command line on the wire.
pub const LINE_END: &str = "\r\n";

/// `AT+CCHO="<dfname>"`: open a logical channel to the application `aid` (§8.45).
pub fn ccho(aid: &[u8]) -> String {
    format!("AT+CCHO=\"{}\"", hex::encode_upper(aid))
}

/// `AT+CGLA=<sessionid>,<length>,"<command>"`: `apdu` on the session's channel (§8.43).
pub fn cgla(session: &str, apdu: &[u8]) -> String {
    let mut line = format!("AT+CGLA={session},");
    push_hex_parameter(&mut line, apdu);
    line
}

/// `AT+CCHC=<sessionid>`: close the session's logical channel (§8.46).
pub fn cchc(session: &str) -> String {
    format!("AT+CCHC={session}")
}

/// `AT+CSIM=<length>,"<command>"`: `apdu` to the card as it is (§8.17).
pub fn csim(apdu: &[u8]) -> String {
    let mut line = String::from("AT+CSIM=");
    push_hex_parameter(&mut line, apdu);
    line
}

/// Appends `<length>,"<HEX>"`.
fn push_hex_parameter(line: &mut String, bytes: &[u8]) {
    let hex = hex::encode_upper(bytes);
    // Writing to a String cannot fail.
    let _ = write!(line, "{},\"{hex}\"", hex.len());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    /// The ISD-R AID (SGP.22 §2.2.3).
    const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";

    #[test]
    fn lpac_issue_143_open_and_store_data() {
        // estkme-group/lpac issue #143, the user's AT_DEBUG log:
        // `AT+CCHO="A0000005591010FFFFFFFF8900000100"` and `AT+CGLA=1,16,"81E2910003BF2E00"`.
        assert_eq!(ccho(&hex::decode(ISD_R).unwrap()), "AT+CCHO=\"A0000005591010FFFFFFFF8900000100\"");
        assert_eq!(cgla("1", &hex::decode("81E2910003BF2E00").unwrap()), "AT+CGLA=1,16,\"81E2910003BF2E00\"");
        assert_eq!(cgla("1", &hex::decode("81E2910003BF2000").unwrap()), "AT+CGLA=1,16,\"81E2910003BF2000\"");
    }

    #[test]
    fn lpac_issue_143_close() {
        // The same log: `AT+CCHC=1`.
        assert_eq!(cchc("1"), "AT+CCHC=1");
    }

    #[test]
    fn opaque_session_ids_go_as_they_came() {
        // Sierra MC7455 (lpac issue #138): `+CCHO: 000000000385a7cf`.
        assert_eq!(cchc("000000000385a7cf"), "AT+CCHC=000000000385a7cf");
        assert_eq!(
            cgla("000000000385a7cf", &[0x81, 0xF2, 0x00, 0x00]),
            "AT+CGLA=000000000385a7cf,8,\"81F20000\""
        );
    }

    #[test]
    fn lpac_at_csim_manage_channel() {
        // estkme-group/lpac driver/apdu/at_etsi_csim.c: MANAGE CHANNEL open `00 70 00 00 01`,
        // close of channel 1 `00 70 80 01 00`, sent as `AT+CSIM=%u,"%s"` with 2 × the length.
        assert_eq!(csim(&[0x00, 0x70, 0x00, 0x00, 0x01]), "AT+CSIM=10,\"0070000001\"");
        assert_eq!(csim(&[0x00, 0x70, 0x80, 0x01, 0x00]), "AT+CSIM=10,\"0070800100\"");
        // The SELECT on channel 1 at_etsi_csim.c builds (CLA = channel, P2 00, no Le).
        let select = hex::decode(format!("01A4040010{ISD_R}")).unwrap();
        assert_eq!(csim(&select), format!("AT+CSIM=42,\"01A4040010{ISD_R}\""));
    }
}
