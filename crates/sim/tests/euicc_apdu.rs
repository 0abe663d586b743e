//! The software eUICC fed raw APDUs: the ISD-R's FCI, the golden GetEID exchange, STORE DATA
//! sequencing, GET RESPONSE, logical channels, and the status word of every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::es10::{BppCommandId, ErrorReason, InstallationError, Message, ProfileInstallationResult};
use oxicard_sim::euicc::{DEFAULT_ATR, EuiccConfig, SoftEuicc};
use oxicard_transport::sim::CardSimulator;

const SELECT_ISDR: &str = "00A4040010A0000005591010FFFFFFFF890000010000";
/// `6F { 84 AID, A5 { 9F65 01 FF }, E0 { 82 03 020202 } }`.
const FCI: &str = "6F1F8410A0000005591010FFFFFFFF8900000100A5049F6501FFE0058203020202";

/// Sends one APDU (hex, spaces ignored) and returns the response as upper-case hex.
fn tx(euicc: &mut SoftEuicc, apdu: &str) -> String {
    let command = hex::decode(apdu.replace(' ', "")).unwrap();
    let mut response = Vec::new();
    euicc.process(&command, &mut response);
    hex::encode_upper(response)
}

/// One-block STORE DATA (`80 E2 91 00 Lc payload 00`) of `payload` (hex, spaces ignored).
fn store_data(payload: &str) -> String {
    let payload = payload.replace(' ', "");
    format!("80E29100{:02X}{payload}00", payload.len() / 2)
}

fn selected() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    euicc.reset();
    assert_eq!(tx(&mut euicc, SELECT_ISDR), format!("{FCI}9000"));
    euicc
}

#[test]
fn atr_has_a_valid_check_byte() {
    let xor = DEFAULT_ATR[1..].iter().fold(0u8, |acc, b| acc ^ b);
    assert_eq!(xor, 0, "TCK makes the XOR of T0..TCK zero (ISO/IEC 7816-3 §8.2.5)");
    assert_eq!(SoftEuicc::new().atr(), DEFAULT_ATR);
}

#[test]
fn golden_get_eid() {
    // pySim tests/unittests/test_globalplatform.py GET EID vector (ES10c.GetEID, SGP.22 §5.7.20).
    let mut euicc = selected();
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), "BF3E125A10898821199000000000000000000000059000");
}

#[test]
fn select_variants() {
    let mut euicc = SoftEuicc::new();
    // Without Le (lpac): everything waits for GET RESPONSE.
    assert_eq!(tx(&mut euicc, "00A4040010A0000005591010FFFFFFFF8900000100"), "6121");
    assert_eq!(tx(&mut euicc, "00C0000021"), format!("{FCI}9000"));
    // P2 0C: no data.
    assert_eq!(tx(&mut euicc, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
    // Another AID, next occurrence, bad P1/P2, by file id.
    assert_eq!(tx(&mut euicc, "00A4040008A00000015100000000"), "6A82");
    assert_eq!(tx(&mut euicc, "00A4040210A0000005591010FFFFFFFF890000010000"), "6A82");
    assert_eq!(tx(&mut euicc, "00A4041010A0000005591010FFFFFFFF890000010000"), "6A86");
    assert_eq!(tx(&mut euicc, "00A40004023F00"), "6A82");
    assert_eq!(tx(&mut euicc, "00A4FF0010A0000005591010FFFFFFFF890000010000"), "6A86");
    // SELECT with a proprietary class.
    assert_eq!(tx(&mut euicc, "80A4040010A0000005591010FFFFFFFF890000010000"), "6E00");
}

#[test]
fn refused_classes_and_instructions() {
    let mut euicc = selected();
    assert_eq!(tx(&mut euicc, "80FF0000"), "6D00");
    assert_eq!(tx(&mut euicc, "00E2910006BF3E035C015A00"), "6E00", "STORE DATA needs a proprietary class");
    assert_eq!(tx(&mut euicc, "FFE2910006BF3E035C015A00"), "6E00");
    assert_eq!(tx(&mut euicc, "82E2910006BF3E035C015A00"), "6881", "channel 2 is not open");
    assert_eq!(tx(&mut euicc, "90E2910006BF3E035C015A00"), "6884", "ISO chaining");
    assert_eq!(tx(&mut euicc, "84E2910006BF3E035C015A00"), "6882", "secure messaging");
    assert_eq!(tx(&mut euicc, "80E2"), "6700", "not an APDU");
    assert_eq!(tx(&mut euicc, "80E29100000006BF3E035C015A0000"), "6700", "extended length");
    // TERMINAL CAPABILITY (lpac) is accepted.
    assert_eq!(tx(&mut euicc, "80AA00000AA9088100820101830107"), "9000");
    assert_eq!(tx(&mut euicc, "80AA01000AA9088100820101830107"), "6A86");
}

#[test]
fn store_data_needs_the_isdr_selected_on_its_channel() {
    let mut euicc = SoftEuicc::new();
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), "6D00");
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, "01A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
    assert_eq!(tx(&mut euicc, "81E2910006BF3E035C015A00"), "BF3E125A10898821199000000000000000000000059000");
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), "6D00", "not selected on the basic channel");
}

#[test]
fn store_data_block_sequencing() {
    let mut euicc = selected();
    let eid = "BF3E125A10898821199000000000000000000000059000";
    // In three blocks.
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "9000");
    assert_eq!(tx(&mut euicc, "80E2910202015A00"), eid);
    // A gap: block 02 after 00.
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110202035C"), "6985");
    // The sequence is gone: block 01 now is out of order too.
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "6985");
    // A replayed block.
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "6985");
    // A last block without a first one, and the last block replayed after completion.
    assert_eq!(tx(&mut euicc, "80E2910102015A00"), "6985");
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "9000");
    assert_eq!(tx(&mut euicc, "80E2910202015A00"), eid);
    assert_eq!(tx(&mut euicc, "80E2910202015A00"), "6985");
    // Block 00 restarts a sequence in progress (an LPA retrying with other block sizes).
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), eid);
    // Wrong P1, empty data.
    assert_eq!(tx(&mut euicc, "80E2800006BF3E035C015A00"), "6A86");
    assert_eq!(tx(&mut euicc, "80E2910000"), "6700");
    // Another command in between drops the sequence.
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "80AA00000AA9088100820101830107"), "9000");
    assert_eq!(tx(&mut euicc, "80E2110102035C"), "6985");
}

#[test]
fn oversized_request_is_6a84() {
    let config = EuiccConfig { max_request_len: 300, ..EuiccConfig::default() };
    let mut euicc = SoftEuicc::in_memory(config);
    assert_eq!(tx(&mut euicc, SELECT_ISDR), format!("{FCI}9000"));
    let block = format!("80E21100FF{}", "00".repeat(255));
    assert_eq!(tx(&mut euicc, &block), "9000");
    let block = format!("80E2910146{}", "00".repeat(70));
    assert_eq!(tx(&mut euicc, &block), "6A84");
    // Nothing left over: a fresh request works.
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), "BF3E125A10898821199000000000000000000000059000");
}

#[test]
fn malformed_es10_requests() {
    let mut euicc = selected();
    assert_eq!(tx(&mut euicc, "80E2910003FFFFFF00"), "6A80", "no TLV");
    assert_eq!(tx(&mut euicc, "80E2910003BF2E0580"), "6A80", "truncated");
    assert_eq!(tx(&mut euicc, "80E2910004BF2E000000"), "6A80", "trailing bytes");
    assert_eq!(tx(&mut euicc, "80E2910003BF7F0000"), "6A88", "unknown function");
    assert_eq!(tx(&mut euicc, "80E2910003BF3E0000"), "6A80", "GetEID without tag list");
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C014F00"), "6A88", "GetEID for another tag");
    // Functions with an error code answer with it.
    assert_eq!(tx(&mut euicc, "80E2910003BF310000"), "BF310380017F9000", "EnableProfile undefinedError");
    assert_eq!(tx(&mut euicc, "80E2910003BF330000"), "BF330380017F9000", "DeleteProfile undefinedError");
    assert_eq!(tx(&mut euicc, "80E2910003BF300000"), "BF300380017F9000", "RemoveNotification undefinedError");
    assert_eq!(tx(&mut euicc, "80E2910007BF2D04A002990000"), "BF2D038101019000", "incorrectInputValues");
    // v2 functions the simulator does not support.
    assert_eq!(tx(&mut euicc, "80E2910003BF350000"), "BF350381017F9000", "LoadCRL");
    assert_eq!(
        tx(&mut euicc, &store_data("BF42 04 80020780")),
        "BF42038001019000",
        "LpaeActivation notSupported"
    );
}

#[test]
fn get_response_rules() {
    let mut euicc = selected();
    assert_eq!(tx(&mut euicc, "00C0000000"), "6985", "nothing pending");
    // GetEID without Le (lpac's case 3): 61 15, then GET RESPONSE with CLA 80 in two parts.
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, "80C0010015"), "6A86");
    assert_eq!(tx(&mut euicc, "80C0000005"), "BF3E125A106110");
    assert_eq!(tx(&mut euicc, "80C0000000"), "898821199000000000000000000000059000");
    assert_eq!(tx(&mut euicc, "80C0000000"), "6985");
    // Another command discards the pending answer.
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, "80AA00000AA9088100820101830107"), "9000");
    assert_eq!(tx(&mut euicc, "00C0000015"), "6985");
}

#[test]
fn manage_channel_open_close() {
    let mut euicc = SoftEuicc::new();
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, "0070000001"), "029000");
    assert_eq!(tx(&mut euicc, "0070000001"), "039000");
    assert_eq!(tx(&mut euicc, "0070000001"), "6A81", "three logical channels");
    assert_eq!(tx(&mut euicc, "00708002"), "9000");
    assert_eq!(tx(&mut euicc, "0070800200"), "6200", "already closed (with lpac's trailing Le)");
    assert_eq!(tx(&mut euicc, "00708000"), "6A81", "the basic channel stays (JCRE §4.6.1 step 4)");
    assert_eq!(tx(&mut euicc, "00708005"), "6200", "beyond the card's channels: not open (JCRE §4.6.1)");
    assert_eq!(tx(&mut euicc, "0070000001"), "029000", "the lowest free number");
    assert_eq!(tx(&mut euicc, "8070000001"), "6E00");
    assert_eq!(tx(&mut euicc, "007000000101"), "6700", "no data");
    assert_eq!(euicc.open_channels(), [0, 1, 2, 3]);
    euicc.reset();
    assert_eq!(euicc.open_channels(), [0]);
    assert_eq!(tx(&mut euicc, "01A4040C10A0000005591010FFFFFFFF8900000100"), "6881");
}

#[test]
fn reset_deselects_the_isdr() {
    let mut euicc = selected();
    euicc.reset();
    assert_eq!(tx(&mut euicc, "80E2910006BF3E035C015A00"), "6D00");
}

#[test]
fn challenge_is_fresh() {
    let mut euicc = selected();
    let one = tx(&mut euicc, "80E2910003BF2E0000");
    let two = tx(&mut euicc, "80E2910003BF2E0000");
    assert_eq!(&one[..8], "BF2E1280");
    assert_eq!(one.len(), (21 + 2) * 2);
    assert!(one.ends_with("9000"));
    assert_ne!(one, two);
}

#[test]
fn download_stub_answers() {
    let mut euicc = selected();
    // PrepareDownload { 30 { 80 AA, 01 00 }, 5F37 00, 30 00 } -> BF21 A1 { 80 AA, 02 7F }.
    assert_eq!(
        tx(&mut euicc, &store_data("BF210D 3006 8001AA 010100 5F3700 3000")),
        "BF2108A1068001AA02017F9000"
    );
    // The first BPP segment: BF36 (whole length) + BF23 { 82 01 01 (remoteOpId), 80 01 BB }.
    let response = tx(&mut euicc, &store_data("BF3620 BF2306 820101 8001BB"));
    let der = hex::decode(&response[..response.len() - 4]).unwrap();
    assert!(response.ends_with("9000"));
    let pir = ProfileInstallationResult::from_der(&der).unwrap();
    assert_eq!(pir.data().transaction_id, [0xBB]);
    assert_eq!(pir.notification_metadata().seq_number, 1);
    assert_eq!(
        pir.outcome(),
        Err(InstallationError::new(
            BppCommandId::InitialiseSecureChannel,
            ErrorReason::InstallFailedDueToUnknownError
        ))
    );
    // A stray segment.
    assert_eq!(tx(&mut euicc, &store_data("A002 8700")), "6985");
    assert_eq!(euicc.state().next_seq_number(), 2);
}
