//! The status-word table of `oxicard_gp::status_word`, row by row against a transcript of the
//! error-condition tables of the GP Card Specification v2.3.1 (Table 11-10, the command tables
//! of §11, Tables E-9 and E-12) and Amendment D (Tables 7-4, 7-7); and every `GpError::Status`
//! message reading once: the command, the value, the meaning and the hint, none repeated.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::StatusWord;
use oxicard_apdu::card::Card;
use oxicard_gp::GpError;
use oxicard_gp::cap::{CapFile, LoadOptions};
use oxicard_gp::ops::{self, OpError};
use oxicard_gp::status_word::{Operation, StatusMeaning, explain};
use oxicard_transport::mock::MockTransport;

use Operation::{
    Delete, ExternalAuthenticate, GetData, GetStatus, InitializeUpdate, InstallAndMakeSelectable,
    InstallForLoad, InstallForPersonalization, Load, ManageChannel, PutKey, Select, SetStatus, StoreData,
};

const INSTALLS: &[Operation] = &[InstallForLoad, InstallAndMakeSelectable, InstallForPersonalization];

/// `(commands, SW, meaning, hint, reference)`: the expected answer of `explain` for each of the
/// commands.
type Expected = (&'static [Operation], u16, &'static str, Option<&'static str>, &'static str);

const FREE: Option<&str> = Some("delete unused applications or load files to make room");
const DEK: Option<&str> =
    Some("the card decrypted another key than the one sent: is the DEK of the current key set right?");
const SESSION: Option<&str> = Some("open a secure channel, or one with a higher security level");

/// One entry per row of the table.
const EXPECTED: &[Expected] = &[
    // DELETE, Table 11-26 (+ 6985 of Table 11-10, §9.5).
    (&[Delete], 0x6581, "memory failure", None, "GPC v2.3.1 Table 11-26"),
    (
        &[Delete],
        0x6A88,
        "referenced data not found",
        Some("nothing with this AID or key version on the card"),
        "GPC v2.3.1 Table 11-26",
    ),
    (
        &[Delete],
        0x6A82,
        "application not found",
        Some("no application or load file with this AID on the card"),
        "GPC v2.3.1 Table 11-26",
    ),
    (
        &[Delete],
        0x6A80,
        "incorrect values in command data",
        Some("check the AID (5 to 16 bytes) or the key reference"),
        "GPC v2.3.1 Table 11-26",
    ),
    (
        &[Delete],
        0x6985,
        "conditions of use not satisfied",
        Some(
            "an application installed from it may still exist (delete it with its related objects), or it cannot be deleted",
        ),
        "GPC v2.3.1 Table 11-10, §9.5",
    ),
    // GET DATA, Table 11-31.
    (
        &[GetData],
        0x6A88,
        "referenced data not found",
        Some("the card does not have this data object"),
        "GPC v2.3.1 Table 11-31",
    ),
    // GET STATUS, Tables 11-38, 11-39 (+ 11-10).
    (
        &[GetStatus],
        0x6310,
        "more data available",
        Some("ask again with [get next occurrence]"),
        "GPC v2.3.1 Table 11-38",
    ),
    (
        &[GetStatus],
        0x6A88,
        "referenced data not found",
        Some("nothing on the card matches"),
        "GPC v2.3.1 Table 11-39",
    ),
    (
        &[GetStatus],
        0x6A80,
        "incorrect values in command data",
        Some("the card does not support these search criteria"),
        "GPC v2.3.1 Table 11-39",
    ),
    (
        &[GetStatus],
        0x6985,
        "conditions of use not satisfied",
        Some("[get next occurrence] without a preceding [get first or all occurrences]"),
        "GPC v2.3.1 Table 11-10, §11.4.2.2",
    ),
    (
        &[GetStatus],
        0x6A86,
        "incorrect P1 P2",
        Some("the card does not support this scope or response format"),
        "GPC v2.3.1 Table 11-10, Tables 11-33 and 11-34",
    ),
    // INSTALL, Table 11-55 (+ 11-10, §9.3.5, §9.3.6).
    (INSTALLS, 0x6581, "memory failure", None, "GPC v2.3.1 Table 11-55"),
    (
        &[InstallForLoad],
        0x6A80,
        "incorrect parameters in data field",
        Some("check the load file AID, the security domain AID, the hash and the load parameters"),
        "GPC v2.3.1 Table 11-55",
    ),
    (
        &[InstallAndMakeSelectable],
        0x6A80,
        "incorrect parameters in data field",
        Some("check the AIDs, the privileges and the install parameters"),
        "GPC v2.3.1 Table 11-55",
    ),
    (
        &[InstallForPersonalization],
        0x6A80,
        "incorrect parameters in data field",
        None,
        "GPC v2.3.1 Table 11-55",
    ),
    (INSTALLS, 0x6A84, "not enough memory space", FREE, "GPC v2.3.1 Table 11-55"),
    (
        &[InstallForLoad],
        0x6A88,
        "referenced data not found",
        Some("the security domain named for the load file is not on the card"),
        "GPC v2.3.1 Table 11-55, §9.3.5",
    ),
    (
        &[InstallAndMakeSelectable],
        0x6A88,
        "referenced data not found",
        Some("the load file or its module is not on the card: load it first"),
        "GPC v2.3.1 Table 11-55, §9.3.6",
    ),
    (
        &[InstallForPersonalization],
        0x6A88,
        "referenced data not found",
        Some("no application with this AID on the card"),
        "GPC v2.3.1 Table 11-55",
    ),
    (
        &[InstallForLoad],
        0x6985,
        "conditions of use not satisfied",
        Some("is the load file already on the card, or the card locked?"),
        "GPC v2.3.1 Table 11-10, §9.3.5",
    ),
    (
        &[InstallAndMakeSelectable],
        0x6985,
        "conditions of use not satisfied",
        Some("is an application with this AID already on the card, or the card locked?"),
        "GPC v2.3.1 Table 11-10, §9.3.6",
    ),
    (
        INSTALLS,
        0x6A86,
        "incorrect P1 P2",
        Some("the card does not support this kind of INSTALL"),
        "GPC v2.3.1 Table 11-10, Table 11-41",
    ),
    // LOAD, Table 11-60 (+ 11-10, §11.6).
    (&[Load], 0x6581, "memory failure", None, "GPC v2.3.1 Table 11-60"),
    (&[Load], 0x6A84, "not enough memory space", FREE, "GPC v2.3.1 Table 11-60"),
    (
        &[Load],
        0x6985,
        "conditions of use not satisfied",
        Some("no INSTALL [for load] was accepted before, or the load was aborted"),
        "GPC v2.3.1 Table 11-10, §11.6.1",
    ),
    (
        &[Load],
        0x6A86,
        "incorrect P1 P2",
        Some("block number out of sequence"),
        "GPC v2.3.1 Table 11-10, §11.6.2.2",
    ),
    // MANAGE CHANNEL, Tables 11-62, 11-63.
    (&[ManageChannel], 0x6200, "logical channel already closed", None, "GPC v2.3.1 Table 11-62"),
    (&[ManageChannel], 0x6882, "secure messaging not supported", None, "GPC v2.3.1 Table 11-63"),
    (
        &[ManageChannel],
        0x6A81,
        "function not supported",
        Some("no logical channel free, or the card is CARD_LOCKED"),
        "GPC v2.3.1 Table 11-63",
    ),
    // PUT KEY, Table 11-78 (+ 11-10, §11.8.1).
    (&[PutKey], 0x6581, "memory failure", None, "GPC v2.3.1 Table 11-78"),
    (
        &[PutKey],
        0x6A80,
        "wrong data",
        Some("the card does not accept this key type, length or format"),
        "GPC v2.3.1 Table 11-78",
    ),
    (
        &[PutKey],
        0x6A84,
        "not enough memory space",
        Some("no room for another key set: replace one instead"),
        "GPC v2.3.1 Table 11-78",
    ),
    (
        &[PutKey],
        0x6A88,
        "referenced data not found",
        Some("no key set with the key version to replace"),
        "GPC v2.3.1 Table 11-78",
    ),
    (
        &[PutKey],
        0x9484,
        "algorithm not supported (deprecated code, now 6A80)",
        Some("the card does not support this key type"),
        "GPC v2.3.1 Table 11-78",
    ),
    (&[PutKey], 0x9485, "invalid key check value (deprecated code, now 6982)", DEK, "GPC v2.3.1 Table 11-78"),
    (&[PutKey], 0x6982, "invalid key check value", DEK, "GPC v2.3.1 Table 11-78"),
    (
        &[PutKey],
        0x6985,
        "conditions of use not satisfied",
        Some("a key set with the new key version may exist already: replace it instead"),
        "GPC v2.3.1 Table 11-10, §11.8.1",
    ),
    // SELECT, Tables 11-83, 11-84.
    (&[Select], 0x6283, "card life cycle state is CARD_LOCKED", None, "GPC v2.3.1 Table 11-83"),
    (&[Select], 0x6882, "secure messaging not supported", None, "GPC v2.3.1 Table 11-84"),
    (
        &[Select],
        0x6A81,
        "function not supported",
        Some("the card may be CARD_LOCKED"),
        "GPC v2.3.1 Table 11-84",
    ),
    (
        &[Select],
        0x6A82,
        "selected application / file not found",
        Some("no application with this AID on the card"),
        "GPC v2.3.1 Table 11-84",
    ),
    // SET STATUS, Table 11-87 (+ 11-10, §11.10.2.2).
    (&[SetStatus], 0x6A80, "incorrect values in command data", None, "GPC v2.3.1 Table 11-87"),
    (
        &[SetStatus],
        0x6A88,
        "referenced data not found",
        Some("no application or security domain with this AID on the card"),
        "GPC v2.3.1 Table 11-87",
    ),
    (
        &[SetStatus],
        0x6985,
        "conditions of use not satisfied",
        Some("this life cycle transition is not allowed from the current state"),
        "GPC v2.3.1 Table 11-10, §11.10.2.2",
    ),
    // STORE DATA, Table 11-90.
    (&[StoreData], 0x6A80, "incorrect values in command data", None, "GPC v2.3.1 Table 11-90"),
    (&[StoreData], 0x6A84, "not enough memory space", None, "GPC v2.3.1 Table 11-90"),
    (&[StoreData], 0x6A88, "referenced data not found", None, "GPC v2.3.1 Table 11-90"),
    // INITIALIZE UPDATE, Amendment D Table 7-4, GPC Table E-9.
    (
        &[InitializeUpdate],
        0x6700,
        "wrong length",
        Some("the host challenge length does not match the card's mode (S8 or S16)"),
        "Amendment D Table 7-4",
    ),
    (
        &[InitializeUpdate],
        0x6A88,
        "referenced data not found",
        Some("no key set with this key version on the card"),
        "Amendment D Table 7-4, GPC v2.3.1 Table E-9",
    ),
    // EXTERNAL AUTHENTICATE, Amendment D Table 7-7, GPC Table E-12 (+ 11-10).
    (
        &[ExternalAuthenticate],
        0x6300,
        "authentication of host cryptogram failed",
        Some("wrong keys?"),
        "Amendment D Table 7-7, GPC v2.3.1 Table E-12",
    ),
    (
        &[ExternalAuthenticate],
        0x6982,
        "security status not satisfied",
        Some("the card rejected the command's MAC: wrong keys?"),
        "GPC v2.3.1 Table 11-10",
    ),
    (
        &[ExternalAuthenticate],
        0x6985,
        "conditions of use not satisfied",
        Some("no INITIALIZE UPDATE was accepted just before"),
        "GPC v2.3.1 Table 11-10, Amendment D §7.1.2.1",
    ),
    (
        &[ExternalAuthenticate],
        0x6A86,
        "incorrect P1 P2",
        Some("the card does not support this security level"),
        "GPC v2.3.1 Table 11-10, Amendment D Table 7-6",
    ),
    // 6982 to the commands that need a session (Table 11-2) and GET DATA.
    (
        &[
            Delete,
            GetData,
            GetStatus,
            InstallForLoad,
            InstallAndMakeSelectable,
            InstallForPersonalization,
            Load,
            SetStatus,
            StoreData,
        ],
        0x6982,
        "security status not satisfied",
        SESSION,
        "GPC v2.3.1 Table 11-10, Table 11-2",
    ),
];

/// The general error conditions (Table 11-10) for a command with no row of its own for them:
/// `(SW, meaning, hint)`.
const GENERAL: &[(u16, &str, Option<&str>)] = &[
    (0x6400, "no specific diagnosis", None),
    (0x6700, "wrong length in Lc", None),
    (0x6881, "logical channel not supported or is not active", None),
    (0x6982, "security status not satisfied", None),
    (0x6985, "conditions of use not satisfied", None),
    (0x6A86, "incorrect P1 P2", None),
    (
        0x6D00,
        "invalid instruction",
        Some("the selected application does not know this command: is the security domain selected?"),
    ),
    (0x6E00, "invalid class", None),
];

fn sw(value: u16) -> StatusWord {
    StatusWord::from_u16(value)
}

fn triple(m: StatusMeaning) -> (&'static str, Option<&'static str>, &'static str) {
    (m.meaning, m.hint, m.reference)
}

#[test]
fn every_command_row() {
    for &(operations, value, meaning, hint, reference) in EXPECTED {
        for &op in operations {
            let m = explain(Some(op), sw(value));
            assert_eq!(m.sw, sw(value));
            assert_eq!(triple(m), (meaning, hint, reference), "{op} {value:04X}");
        }
    }
}

#[test]
fn every_general_row() {
    for &(value, meaning, hint) in GENERAL {
        // The unknown command, and every command without a row of its own for this word.
        let mut operations = vec![None];
        operations.extend(
            Operation::ALL
                .into_iter()
                .filter(|op| !EXPECTED.iter().any(|e| e.1 == value && e.0.contains(op)))
                .map(Some),
        );
        for op in operations {
            assert_eq!(
                triple(explain(op, sw(value))),
                (meaning, hint, "GPC v2.3.1 Table 11-10"),
                "{op:?} {value:04X}"
            );
        }
    }
    // MANAGE CHANNEL and SELECT need no session: 6982 gets no session hint.
    assert_eq!(explain(Some(Select), sw(0x6982)).hint, None);
    assert_eq!(explain(Some(ManageChannel), sw(0x6982)).hint, None);
    assert_eq!(explain(Some(InitializeUpdate), sw(0x6982)).hint, None);
}

#[test]
fn words_no_table_lists_keep_their_iso_meaning() {
    for (op, value) in [(Some(Load), 0x6A80), (Some(GetData), 0x6A82), (None, 0x6A88), (Some(Delete), 0x6F00)]
    {
        let m = explain(op, sw(value));
        assert_eq!(triple(m), (sw(value).description(), None, "ISO/IEC 7816-4 §5.6"), "{op:?} {value:04X}");
    }
}

/// The status words of the table and a few no GlobalPlatform table lists.
fn all_words() -> Vec<u16> {
    let mut words: Vec<u16> = EXPECTED.iter().map(|e| e.1).chain(GENERAL.iter().map(|g| g.0)).collect();
    words.extend([0x6A80, 0x6A82, 0x6F00, 0x6A89]);
    words.sort_unstable();
    words.dedup();
    words
}

/// Every message names the command and the value once, its meaning once and its hint once,
/// the hint does not repeat the meaning, and nothing of the ISO text comes twice.
#[test]
fn every_status_message_reads_once() {
    let mut operations: Vec<&'static str> = Operation::ALL.iter().map(|op| op.name()).collect();
    operations.push("PROPRIETARY COMMAND");
    for operation in operations {
        for value in all_words() {
            let error = GpError::Status { operation, sw: sw(value) };
            let message = error.to_string();
            let m = error.status_meaning().unwrap();
            let hex = format!("{value:04X}");
            let once = |part: &str| message.matches(part).count() == 1;
            assert!(message.starts_with(&format!("{operation} failed: {hex} (")), "{message}");
            assert!(once(operation) && once(&hex) && once(m.meaning), "{message}");
            assert!(message.matches(sw(value).description()).count() <= 1, "{message}");
            match m.hint {
                Some(hint) => {
                    assert!(once(hint), "{message}");
                    assert!(!hint.contains(m.meaning) && !m.meaning.contains(hint), "{message}");
                    assert_eq!(message, format!("{operation} failed: {hex} ({}: {hint})", m.meaning));
                }
                None => assert_eq!(message, format!("{operation} failed: {hex} ({})", m.meaning)),
            }
            assert!(!message.contains("::") && !message.contains(": :"), "{message}");
        }
    }
    // Not a status error: no meaning.
    assert!(GpError::Mismatch { operation: "PUT KEY" }.status_meaning().is_none());
}

/// The example of the issue: a load file already on the card, through `ops::load`.
#[test]
fn install_for_load_of_a_load_file_already_there() {
    let cap = CapFile::from_zip(include_bytes!("../testdata/hellostk.cap")).unwrap();
    let mut mock = MockTransport::new();
    mock.expect_matching("INSTALL [for load]", |c| c.starts_with(&[0x80, 0xE6, 0x02])).respond([0x69, 0x85]);
    let mut card = Card::new(mock);
    let err = ops::load(&mut card, &cap, &[], LoadOptions::default(), None).unwrap_err();
    let OpError::Card(error) = &err else { panic!("{err:?}") };
    assert_eq!(
        error.to_string(),
        "INSTALL [for load] failed: 6985 (conditions of use not satisfied: is the load file already on the card, or the card locked?)"
    );
    let m = error.status_meaning().unwrap();
    assert_eq!((m.sw, m.reference), (sw(0x6985), "GPC v2.3.1 Table 11-10, §9.3.5"));
}
