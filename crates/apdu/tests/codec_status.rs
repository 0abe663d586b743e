//! Status words (ISO/IEC 7816-4 §5.6 Tables 5 and 6; GlobalPlatform Card
//! Specification §11). Values checked against osmocom/pysim `pySim/ts_102_221.py`
//! (the ISO table as repeated by ETSI TS 102 221 §10.2.1), osmocom/pysim
//! `pySim/global_platform/__init__.py` (`sw_table`) and martinpaljak/GlobalPlatformPro
//! `library/src/main/java/pro/javacard/gp/ISO7816.java`.

use oxicard_apdu::StatusWord;

#[test]
fn values_of_named_status_words() {
    let table: &[(StatusWord, u16)] = &[
        (StatusWord::SUCCESS, 0x9000),
        (StatusWord::WARNING_UNCHANGED, 0x6200),
        (StatusWord::DATA_MAY_BE_CORRUPTED, 0x6281),
        (StatusWord::END_OF_FILE, 0x6282),
        (StatusWord::SELECTED_FILE_DEACTIVATED, 0x6283),
        (StatusWord::FCI_NOT_FORMATTED, 0x6284),
        (StatusWord::SELECTED_FILE_TERMINATED, 0x6285),
        (StatusWord::NO_SENSOR_DATA, 0x6286),
        (StatusWord::WARNING_CHANGED, 0x6300),
        (StatusWord::MORE_DATA_AVAILABLE, 0x6310),
        (StatusWord::FILE_FILLED_UP, 0x6381),
        (StatusWord::EXECUTION_ERROR, 0x6400),
        (StatusWord::IMMEDIATE_RESPONSE_REQUIRED, 0x6401),
        (StatusWord::EXECUTION_ERROR_CHANGED, 0x6500),
        (StatusWord::MEMORY_FAILURE, 0x6581),
        (StatusWord::SECURITY_ISSUE, 0x6600),
        (StatusWord::WRONG_LENGTH, 0x6700),
        (StatusWord::CLA_FUNCTION_NOT_SUPPORTED, 0x6800),
        (StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED, 0x6881),
        (StatusWord::SECURE_MESSAGING_NOT_SUPPORTED, 0x6882),
        (StatusWord::LAST_COMMAND_EXPECTED, 0x6883),
        (StatusWord::CHAINING_NOT_SUPPORTED, 0x6884),
        (StatusWord::COMMAND_NOT_ALLOWED, 0x6900),
        (StatusWord::INCOMPATIBLE_FILE_STRUCTURE, 0x6981),
        (StatusWord::SECURITY_STATUS_NOT_SATISFIED, 0x6982),
        (StatusWord::AUTHENTICATION_METHOD_BLOCKED, 0x6983),
        (StatusWord::REFERENCE_DATA_NOT_USABLE, 0x6984),
        (StatusWord::CONDITIONS_NOT_SATISFIED, 0x6985),
        (StatusWord::NO_CURRENT_EF, 0x6986),
        (StatusWord::SM_DATA_MISSING, 0x6987),
        (StatusWord::SM_DATA_INCORRECT, 0x6988),
        (StatusWord::APPLET_SELECT_FAILED, 0x6999),
        (StatusWord::WRONG_PARAMETERS, 0x6A00),
        (StatusWord::WRONG_DATA, 0x6A80),
        (StatusWord::FUNCTION_NOT_SUPPORTED, 0x6A81),
        (StatusWord::FILE_NOT_FOUND, 0x6A82),
        (StatusWord::RECORD_NOT_FOUND, 0x6A83),
        (StatusWord::NOT_ENOUGH_MEMORY, 0x6A84),
        (StatusWord::NC_INCONSISTENT_WITH_TLV, 0x6A85),
        (StatusWord::INCORRECT_P1_P2, 0x6A86),
        (StatusWord::NC_INCONSISTENT_WITH_P1_P2, 0x6A87),
        (StatusWord::REFERENCED_DATA_NOT_FOUND, 0x6A88),
        (StatusWord::FILE_ALREADY_EXISTS, 0x6A89),
        (StatusWord::DF_NAME_ALREADY_EXISTS, 0x6A8A),
        (StatusWord::WRONG_P1_P2, 0x6B00),
        (StatusWord::INS_NOT_SUPPORTED, 0x6D00),
        (StatusWord::CLA_NOT_SUPPORTED, 0x6E00),
        (StatusWord::NO_PRECISE_DIAGNOSIS, 0x6F00),
        (StatusWord::ALGORITHM_NOT_SUPPORTED, 0x9484),
        (StatusWord::INVALID_KEY_CHECK_VALUE, 0x9485),
        (StatusWord::CARD_LOCKED, 0x6283),
        (StatusWord::HOST_CRYPTOGRAM_FAILED, 0x6300),
        (StatusWord::CHANNEL_ALREADY_CLOSED, 0x6200),
    ];
    for &(sw, value) in table {
        assert_eq!(sw.to_u16(), value);
        assert_ne!(sw.description(), "unknown", "{value:04X}");
    }
}

#[test]
fn display_and_debug() {
    assert_eq!(StatusWord::FILE_NOT_FOUND.to_string(), "6A82 (file or application not found)");
    assert_eq!(format!("{:?}", StatusWord::FILE_NOT_FOUND), "StatusWord(6A82)");
    assert_eq!(StatusWord::SUCCESS.to_string(), "9000 (success)");
    assert_eq!(StatusWord::from_u16(0x1234).to_string(), "1234 (unknown)");
    assert_eq!(StatusWord::new(0x61, 0x10).to_string(), "6110 (response bytes still available)");
    assert_eq!(format!("{:?}", StatusWord::new(0x00, 0x0A)), "StatusWord(000A)");
}

#[test]
fn family_descriptions() {
    assert_eq!(
        StatusWord::new(0x6C, 0x14).description(),
        "wrong Le field, SW2 gives the exact number of available bytes"
    );
    assert_eq!(
        StatusWord::new(0x63, 0xC2).description(),
        "counter in the low nibble of SW2 (e.g. retries left)"
    );
    assert_eq!(StatusWord::new(0x62, 0x10).description(), "triggering by the card");
    assert_eq!(StatusWord::new(0x64, 0x80).description(), "triggering by the card");
    assert_eq!(StatusWord::new(0x64, 0x81).description(), "unknown");
    assert_eq!(StatusWord::new(0x91, 0x1A).description(), "normal ending with a proactive command pending");
}

#[test]
fn parts_and_conversions() {
    let sw = StatusWord::new(0x6A, 0x82);
    assert_eq!((sw.sw1(), sw.sw2()), (0x6A, 0x82));
    assert_eq!(sw.to_bytes(), [0x6A, 0x82]);
    assert_eq!(StatusWord::from([0x6A, 0x82]), sw);
    assert_eq!(StatusWord::from(0x6A82), sw);
    assert_eq!(u16::from(sw), 0x6A82);
    assert_eq!(<[u8; 2]>::from(sw), [0x6A, 0x82]);
    assert_eq!(StatusWord::default(), StatusWord::SUCCESS);
}

#[test]
fn classification() {
    // ISO/IEC 7816-4 §5.6 Table 5.
    assert!(StatusWord::SUCCESS.is_success() && StatusWord::SUCCESS.is_normal());
    assert!(!StatusWord::new(0x61, 0x00).is_success());
    for sw in [0x9000, 0x6100, 0x61FF, 0x9100, 0x9210, 0x9F20] {
        assert!(StatusWord::from_u16(sw).is_normal(), "{sw:04X}");
    }
    for sw in [0x6200, 0x6283, 0x63C1, 0x6310] {
        let sw = StatusWord::from_u16(sw);
        assert!(sw.is_warning() && !sw.is_error() && !sw.is_normal());
    }
    for sw in [0x6400, 0x6581, 0x6700, 0x6A82, 0x6C10, 0x6F00] {
        let sw = StatusWord::from_u16(sw);
        assert!(sw.is_error() && !sw.is_warning() && !sw.is_normal());
    }
    assert!(!StatusWord::from_u16(0x9484).is_normal() && !StatusWord::from_u16(0x9484).is_error());
}

#[test]
fn parameters_in_sw2() {
    // 61XX: bytes still available; 6100 = 256.
    assert_eq!(StatusWord::new(0x61, 0x00).bytes_available(), Some(256));
    assert_eq!(StatusWord::new(0x61, 0x10).bytes_available(), Some(16));
    assert_eq!(StatusWord::SUCCESS.bytes_available(), None);
    // 6CXX: exact length; 6C00 = 256.
    assert_eq!(StatusWord::new(0x6C, 0x00).exact_length(), Some(256));
    assert_eq!(StatusWord::new(0x6C, 0x14).exact_length(), Some(20));
    assert_eq!(StatusWord::new(0x67, 0x00).exact_length(), None);
    // 63CX: counter.
    assert_eq!(StatusWord::new(0x63, 0xC2).retries_left(), Some(2));
    assert_eq!(StatusWord::new(0x63, 0xC0).retries_left(), Some(0));
    assert_eq!(StatusWord::new(0x63, 0xCF).retries_left(), Some(15));
    assert_eq!(StatusWord::new(0x63, 0x00).retries_left(), None);
    assert_eq!(StatusWord::new(0x62, 0xC2).retries_left(), None);
}
