//! What a status word means as the answer to a GlobalPlatform command, and what the user can
//! do about it.
//!
//! The meanings are those of the error-condition tables of the GP Card Specification v2.3.1
//! (GPC) and its Amendment D (SCP03): the general conditions every command may return
//! (Table 11-10), then each command's own table. A hint is given where the command makes the
//! cause clear, e.g. `6985` to INSTALL \[for load\]: the load file is probably on the card
//! already, or the card locked (the card checks that the load file's AID is not registered
//! yet and that the card is not CARD_LOCKED, GPC §9.3.5). A status word no
//! table lists for the command keeps its ISO/IEC 7816-4 §5.6 meaning, without a hint.
//!
//! | command | SW | meaning | hint | table |
//! |---|---|---|---|---|
//! | DELETE | `6581` | memory failure | | GPC 11-26 |
//! | DELETE | `6A88` | referenced data not found | nothing with this AID or key version on the card | GPC 11-26 |
//! | DELETE | `6A82` | application not found | no application or load file with this AID on the card | GPC 11-26 |
//! | DELETE | `6A80` | incorrect values in command data | check the AID (5 to 16 bytes) or the key reference | GPC 11-26 |
//! | DELETE | `6985` | conditions of use not satisfied | an application installed from it may still exist (delete it with its related objects), or it cannot be deleted | GPC 11-10, §9.5 |
//! | GET DATA | `6A88` | referenced data not found | the card does not have this data object | GPC 11-31 |
//! | GET STATUS | `6310` | more data available | ask again with \[get next occurrence\] | GPC 11-38 |
//! | GET STATUS | `6A88` | referenced data not found | nothing on the card matches | GPC 11-39 |
//! | GET STATUS | `6A80` | incorrect values in command data | the card does not support these search criteria | GPC 11-39 |
//! | GET STATUS | `6985` | conditions of use not satisfied | \[get next occurrence\] without a preceding \[get first or all occurrences\] | GPC 11-10, §11.4.2.2 |
//! | GET STATUS | `6A86` | incorrect P1 P2 | the card does not support this scope or response format | GPC 11-10, 11-33, 11-34 |
//! | INSTALL (every kind) | `6581` | memory failure | | GPC 11-55 |
//! | INSTALL \[for load\] | `6A80` | incorrect parameters in data field | check the load file AID, the security domain AID, the hash and the load parameters | GPC 11-55 |
//! | INSTALL \[for install and make selectable\] | `6A80` | incorrect parameters in data field | check the AIDs, the privileges and the install parameters | GPC 11-55 |
//! | INSTALL \[for personalization\] | `6A80` | incorrect parameters in data field | | GPC 11-55 |
//! | INSTALL (every kind) | `6A84` | not enough memory space | delete unused applications or load files to make room | GPC 11-55 |
//! | INSTALL \[for load\] | `6A88` | referenced data not found | the security domain named for the load file is not on the card | GPC 11-55, §9.3.5 |
//! | INSTALL \[for install and make selectable\] | `6A88` | referenced data not found | the load file or its module is not on the card: load it first | GPC 11-55, §9.3.6 |
//! | INSTALL \[for personalization\] | `6A88` | referenced data not found | no application with this AID on the card | GPC 11-55 |
//! | INSTALL \[for load\] | `6985` | conditions of use not satisfied | is the load file already on the card, or the card locked? | GPC 11-10, §9.3.5 |
//! | INSTALL \[for install and make selectable\] | `6985` | conditions of use not satisfied | is an application with this AID already on the card, or the card locked? | GPC 11-10, §9.3.6 |
//! | INSTALL (every kind) | `6A86` | incorrect P1 P2 | the card does not support this kind of INSTALL | GPC 11-10, 11-41 |
//! | LOAD | `6581` | memory failure | | GPC 11-60 |
//! | LOAD | `6A84` | not enough memory space | delete unused applications or load files to make room | GPC 11-60 |
//! | LOAD | `6985` | conditions of use not satisfied | no INSTALL \[for load\] was accepted before, or the load was aborted | GPC 11-10, §11.6.1 |
//! | LOAD | `6A86` | incorrect P1 P2 | block number out of sequence | GPC 11-10, §11.6.2.2 |
//! | MANAGE CHANNEL | `6200` | logical channel already closed | | GPC 11-62 |
//! | MANAGE CHANNEL | `6882` | secure messaging not supported | | GPC 11-63 |
//! | MANAGE CHANNEL | `6A81` | function not supported | no logical channel free, or the card is CARD_LOCKED | GPC 11-63 |
//! | PUT KEY | `6581` | memory failure | | GPC 11-78 |
//! | PUT KEY | `6A80` | wrong data | the card does not accept this key type, length or format | GPC 11-78 |
//! | PUT KEY | `6A84` | not enough memory space | no room for another key set: replace one instead | GPC 11-78 |
//! | PUT KEY | `6A88` | referenced data not found | no key set with the key version to replace | GPC 11-78 |
//! | PUT KEY | `9484` | algorithm not supported (deprecated code, now `6A80`) | the card does not support this key type | GPC 11-78 |
//! | PUT KEY | `9485` | invalid key check value (deprecated code, now `6982`) | the card decrypted another key than the one sent: is the DEK of the current key set right? | GPC 11-78 |
//! | PUT KEY | `6982` | invalid key check value | the card decrypted another key than the one sent: is the DEK of the current key set right? | GPC 11-78 |
//! | PUT KEY | `6985` | conditions of use not satisfied | a key set with the new key version may exist already: replace it instead | GPC 11-10, §11.8.1 |
//! | SELECT | `6283` | card life cycle state is CARD_LOCKED | | GPC 11-83 |
//! | SELECT | `6882` | secure messaging not supported | | GPC 11-84 |
//! | SELECT | `6A81` | function not supported | the card may be CARD_LOCKED | GPC 11-84 |
//! | SELECT | `6A82` | selected application / file not found | no application with this AID on the card | GPC 11-84 |
//! | SET STATUS | `6A80` | incorrect values in command data | | GPC 11-87 |
//! | SET STATUS | `6A88` | referenced data not found | no application or security domain with this AID on the card | GPC 11-87 |
//! | SET STATUS | `6985` | conditions of use not satisfied | this life cycle transition is not allowed from the current state | GPC 11-10, §11.10.2.2 |
//! | STORE DATA | `6A80` | incorrect values in command data | | GPC 11-90 |
//! | STORE DATA | `6A84` | not enough memory space | | GPC 11-90 |
//! | STORE DATA | `6A88` | referenced data not found | | GPC 11-90 |
//! | INITIALIZE UPDATE | `6700` | wrong length | the host challenge length does not match the card's mode (S8 or S16) | Amd D 7-4 |
//! | INITIALIZE UPDATE | `6A88` | referenced data not found | no key set with this key version on the card | Amd D 7-4, GPC E-9 |
//! | EXTERNAL AUTHENTICATE | `6300` | authentication of host cryptogram failed | wrong keys? | Amd D 7-7, GPC E-12 |
//! | EXTERNAL AUTHENTICATE | `6982` | security status not satisfied | the card rejected the command's MAC: wrong keys? | GPC 11-10 |
//! | EXTERNAL AUTHENTICATE | `6985` | conditions of use not satisfied | no INITIALIZE UPDATE was accepted just before | GPC 11-10, Amd D §7.1.2.1 |
//! | EXTERNAL AUTHENTICATE | `6A86` | incorrect P1 P2 | the card does not support this security level | GPC 11-10, Amd D 7-6 |
//! | DELETE, GET DATA, GET STATUS, INSTALL, LOAD, SET STATUS, STORE DATA | `6982` | security status not satisfied | open a secure channel, or one with a higher security level | GPC 11-10, 11-2 |
//! | any | `6400` | no specific diagnosis | | GPC 11-10 |
//! | any | `6700` | wrong length in Lc | | GPC 11-10 |
//! | any | `6881` | logical channel not supported or is not active | | GPC 11-10 |
//! | any | `6982` | security status not satisfied | | GPC 11-10 |
//! | any | `6985` | conditions of use not satisfied | | GPC 11-10 |
//! | any | `6A86` | incorrect P1 P2 | | GPC 11-10 |
//! | any | `6D00` | invalid instruction | the selected application does not know this command: is the security domain selected? | GPC 11-10 |
//! | any | `6E00` | invalid class | | GPC 11-10 |

use core::fmt;

use oxicard_apdu::StatusWord;
use oxicard_secure_channel::scp03::Step;

/// A GlobalPlatform command whose status words [`explain`] knows (GPC v2.3.1 §11, Amendment D
/// §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// SELECT (GPC v2.3.1 §11.9).
    Select,
    /// MANAGE CHANNEL (GPC v2.3.1 §11.7).
    ManageChannel,
    /// GET DATA (GPC v2.3.1 §11.3).
    GetData,
    /// GET STATUS (GPC v2.3.1 §11.4).
    GetStatus,
    /// INSTALL \[for load\] (GPC v2.3.1 §11.5.2.3.1).
    InstallForLoad,
    /// INSTALL \[for install and make selectable\] (GPC v2.3.1 §11.5.2.3.2).
    InstallAndMakeSelectable,
    /// INSTALL \[for personalization\] (GPC v2.3.1 §11.5.2.3.6).
    InstallForPersonalization,
    /// LOAD (GPC v2.3.1 §11.6).
    Load,
    /// DELETE (GPC v2.3.1 §11.2).
    Delete,
    /// PUT KEY (GPC v2.3.1 §11.8).
    PutKey,
    /// SET STATUS (GPC v2.3.1 §11.10).
    SetStatus,
    /// STORE DATA (GPC v2.3.1 §11.11).
    StoreData,
    /// INITIALIZE UPDATE (Amendment D §7.1.1; SCP02: GPC v2.3.1 §E.5.1).
    InitializeUpdate,
    /// EXTERNAL AUTHENTICATE (Amendment D §7.1.2; SCP02: GPC v2.3.1 §E.5.2).
    ExternalAuthenticate,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: [Operation; 14] = [
        Self::Select,
        Self::ManageChannel,
        Self::GetData,
        Self::GetStatus,
        Self::InstallForLoad,
        Self::InstallAndMakeSelectable,
        Self::InstallForPersonalization,
        Self::Load,
        Self::Delete,
        Self::PutKey,
        Self::SetStatus,
        Self::StoreData,
        Self::InitializeUpdate,
        Self::ExternalAuthenticate,
    ];

    /// The command's name as the specification writes it, e.g. `"INSTALL [for load]"`: the
    /// `operation` of [`GpError`](crate::GpError).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Select => "SELECT",
            Self::ManageChannel => "MANAGE CHANNEL",
            Self::GetData => "GET DATA",
            Self::GetStatus => "GET STATUS",
            Self::InstallForLoad => "INSTALL [for load]",
            Self::InstallAndMakeSelectable => "INSTALL [for install and make selectable]",
            Self::InstallForPersonalization => "INSTALL [for personalization]",
            Self::Load => "LOAD",
            Self::Delete => "DELETE",
            Self::PutKey => "PUT KEY",
            Self::SetStatus => "SET STATUS",
            Self::StoreData => "STORE DATA",
            Self::InitializeUpdate => "INITIALIZE UPDATE",
            Self::ExternalAuthenticate => "EXTERNAL AUTHENTICATE",
        }
    }

    /// The operation named `name` ([`Operation::name`]), if it is one.
    pub fn from_name(name: &str) -> Option<Operation> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The handshake step of an SCP03 session as the command it sends.
impl From<Step> for Operation {
    fn from(step: Step) -> Self {
        match step {
            Step::InitializeUpdate => Self::InitializeUpdate,
            Step::ExternalAuthenticate => Self::ExternalAuthenticate,
        }
    }
}

/// The handshake step of an SCP02 session as the command it sends (GET DATA of the sequence
/// counter for implicit initiation).
impl From<oxicard_secure_channel::scp02::Step> for Operation {
    fn from(step: oxicard_secure_channel::scp02::Step) -> Self {
        use oxicard_secure_channel::scp02::Step as Scp02Step;
        match step {
            Scp02Step::InitializeUpdate => Self::InitializeUpdate,
            Scp02Step::ExternalAuthenticate => Self::ExternalAuthenticate,
            Scp02Step::SequenceCounter => Self::GetData,
            // A step a later version adds: the handshake's first command.
            _ => Self::InitializeUpdate,
        }
    }
}

/// What a status word means as the answer to a command: see [`explain`].
///
/// Displayed as `6985 (conditions of use not satisfied: is the load file already on the card,
/// or the card locked?)`: the value, the meaning and the hint, each once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatusMeaning {
    /// The status word.
    pub sw: StatusWord,
    /// Its meaning for the command, as the specification's table words it (e.g. `"not enough
    /// memory space"`).
    pub meaning: &'static str,
    /// What the user can check or do, where the command makes the cause clear (e.g. `"is the
    /// load file already on the card, or the card locked?"`).
    pub hint: Option<&'static str>,
    /// Where the meaning comes from, e.g. `"GPC v2.3.1 Table 11-60"`; `"ISO/IEC 7816-4 §5.6"`
    /// for a status word no GlobalPlatform table lists for the command.
    pub reference: &'static str,
}

impl fmt::Display for StatusMeaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({}", self.sw.to_u16(), self.meaning)?;
        if let Some(hint) = self.hint {
            write!(f, ": {hint}")?;
        }
        f.write_str(")")
    }
}

/// One row of the table: the commands it applies to (none: any command), the status word
/// (its value), the meaning, the hint and the table it comes from.
struct Row {
    operations: &'static [Operation],
    sw: u16,
    meaning: &'static str,
    hint: Option<&'static str>,
    reference: &'static str,
}

const fn row(
    operations: &'static [Operation],
    sw: u16,
    meaning: &'static str,
    hint: Option<&'static str>,
    reference: &'static str,
) -> Row {
    Row { operations, sw, meaning, hint, reference }
}

use Operation::{
    Delete, ExternalAuthenticate, GetData, GetStatus, InitializeUpdate, InstallAndMakeSelectable,
    InstallForLoad, InstallForPersonalization, Load, ManageChannel, PutKey, Select, SetStatus, StoreData,
};

/// Every kind of INSTALL (one error table, GPC v2.3.1 Table 11-55).
const INSTALL: &[Operation] = &[InstallForLoad, InstallAndMakeSelectable, InstallForPersonalization];
/// The commands that need a secure channel session (minimum security level AUTHENTICATED,
/// GPC v2.3.1 Table 11-2), and GET DATA, which a card may protect too (Table 11-2, note);
/// not PUT KEY, whose `6982` is its own (Table 11-78).
const AUTHENTICATED: &[Operation] = &[
    Delete,
    GetData,
    GetStatus,
    InstallForLoad,
    InstallAndMakeSelectable,
    InstallForPersonalization,
    Load,
    SetStatus,
    StoreData,
];
/// Any command.
const ANY: &[Operation] = &[];

const MEMORY_FAILURE: &str = "memory failure";
const NOT_ENOUGH_MEMORY: &str = "not enough memory space";
const NOT_FOUND: &str = "referenced data not found";
const INCORRECT_DATA: &str = "incorrect values in command data";
const CONDITIONS: &str = "conditions of use not satisfied";
const SECURITY: &str = "security status not satisfied";
const INCORRECT_P1_P2: &str = "incorrect P1 P2";
const FREE_SPACE: &str = "delete unused applications or load files to make room";
const WRONG_DEK: &str =
    "the card decrypted another key than the one sent: is the DEK of the current key set right?";

/// The table, command rows first: the first row for the command and status word applies.
const ROWS: &[Row] = &[
    // DELETE: GPC v2.3.1 Table 11-26; 6985 from Table 11-10 with §9.5 (what the card checks).
    row(&[Delete], 0x6581, MEMORY_FAILURE, None, "GPC v2.3.1 Table 11-26"),
    row(
        &[Delete],
        0x6A88,
        NOT_FOUND,
        Some("nothing with this AID or key version on the card"),
        "GPC v2.3.1 Table 11-26",
    ),
    row(
        &[Delete],
        0x6A82,
        "application not found",
        Some("no application or load file with this AID on the card"),
        "GPC v2.3.1 Table 11-26",
    ),
    row(
        &[Delete],
        0x6A80,
        INCORRECT_DATA,
        Some("check the AID (5 to 16 bytes) or the key reference"),
        "GPC v2.3.1 Table 11-26",
    ),
    row(
        &[Delete],
        0x6985,
        CONDITIONS,
        Some(
            "an application installed from it may still exist (delete it with its related objects), or it cannot be deleted",
        ),
        "GPC v2.3.1 Table 11-10, §9.5",
    ),
    // GET DATA: Table 11-31.
    row(
        &[GetData],
        0x6A88,
        NOT_FOUND,
        Some("the card does not have this data object"),
        "GPC v2.3.1 Table 11-31",
    ),
    // GET STATUS: Tables 11-38 (warning) and 11-39; 6985 and 6A86 from Table 11-10.
    row(
        &[GetStatus],
        0x6310,
        "more data available",
        Some("ask again with [get next occurrence]"),
        "GPC v2.3.1 Table 11-38",
    ),
    row(&[GetStatus], 0x6A88, NOT_FOUND, Some("nothing on the card matches"), "GPC v2.3.1 Table 11-39"),
    row(
        &[GetStatus],
        0x6A80,
        INCORRECT_DATA,
        Some("the card does not support these search criteria"),
        "GPC v2.3.1 Table 11-39",
    ),
    row(
        &[GetStatus],
        0x6985,
        CONDITIONS,
        Some("[get next occurrence] without a preceding [get first or all occurrences]"),
        "GPC v2.3.1 Table 11-10, §11.4.2.2",
    ),
    row(
        &[GetStatus],
        0x6A86,
        INCORRECT_P1_P2,
        Some("the card does not support this scope or response format"),
        "GPC v2.3.1 Table 11-10, Tables 11-33 and 11-34",
    ),
    // INSTALL: Table 11-55; 6985 and 6A86 from Table 11-10 with §9.3.5 and §9.3.6.
    row(INSTALL, 0x6581, MEMORY_FAILURE, None, "GPC v2.3.1 Table 11-55"),
    row(
        &[InstallForLoad],
        0x6A80,
        "incorrect parameters in data field",
        Some("check the load file AID, the security domain AID, the hash and the load parameters"),
        "GPC v2.3.1 Table 11-55",
    ),
    row(
        &[InstallAndMakeSelectable],
        0x6A80,
        "incorrect parameters in data field",
        Some("check the AIDs, the privileges and the install parameters"),
        "GPC v2.3.1 Table 11-55",
    ),
    row(
        &[InstallForPersonalization],
        0x6A80,
        "incorrect parameters in data field",
        None,
        "GPC v2.3.1 Table 11-55",
    ),
    row(INSTALL, 0x6A84, NOT_ENOUGH_MEMORY, Some(FREE_SPACE), "GPC v2.3.1 Table 11-55"),
    row(
        &[InstallForLoad],
        0x6A88,
        NOT_FOUND,
        Some("the security domain named for the load file is not on the card"),
        "GPC v2.3.1 Table 11-55, §9.3.5",
    ),
    row(
        &[InstallAndMakeSelectable],
        0x6A88,
        NOT_FOUND,
        Some("the load file or its module is not on the card: load it first"),
        "GPC v2.3.1 Table 11-55, §9.3.6",
    ),
    row(
        &[InstallForPersonalization],
        0x6A88,
        NOT_FOUND,
        Some("no application with this AID on the card"),
        "GPC v2.3.1 Table 11-55",
    ),
    row(
        &[InstallForLoad],
        0x6985,
        CONDITIONS,
        Some("is the load file already on the card, or the card locked?"),
        "GPC v2.3.1 Table 11-10, §9.3.5",
    ),
    row(
        &[InstallAndMakeSelectable],
        0x6985,
        CONDITIONS,
        Some("is an application with this AID already on the card, or the card locked?"),
        "GPC v2.3.1 Table 11-10, §9.3.6",
    ),
    row(
        INSTALL,
        0x6A86,
        INCORRECT_P1_P2,
        Some("the card does not support this kind of INSTALL"),
        "GPC v2.3.1 Table 11-10, Table 11-41",
    ),
    // LOAD: Table 11-60; 6985 and 6A86 from Table 11-10 with §11.6.
    row(&[Load], 0x6581, MEMORY_FAILURE, None, "GPC v2.3.1 Table 11-60"),
    row(&[Load], 0x6A84, NOT_ENOUGH_MEMORY, Some(FREE_SPACE), "GPC v2.3.1 Table 11-60"),
    row(
        &[Load],
        0x6985,
        CONDITIONS,
        Some("no INSTALL [for load] was accepted before, or the load was aborted"),
        "GPC v2.3.1 Table 11-10, §11.6.1",
    ),
    row(
        &[Load],
        0x6A86,
        INCORRECT_P1_P2,
        Some("block number out of sequence"),
        "GPC v2.3.1 Table 11-10, §11.6.2.2",
    ),
    // MANAGE CHANNEL: Tables 11-62 (warning) and 11-63.
    row(&[ManageChannel], 0x6200, "logical channel already closed", None, "GPC v2.3.1 Table 11-62"),
    row(&[ManageChannel], 0x6882, "secure messaging not supported", None, "GPC v2.3.1 Table 11-63"),
    row(
        &[ManageChannel],
        0x6A81,
        "function not supported",
        Some("no logical channel free, or the card is CARD_LOCKED"),
        "GPC v2.3.1 Table 11-63",
    ),
    // PUT KEY: Table 11-78 (6982 is its own: invalid key check value); 6985 from Table 11-10
    // with §11.8.1 (a new key set needs a new key version).
    row(&[PutKey], 0x6581, MEMORY_FAILURE, None, "GPC v2.3.1 Table 11-78"),
    row(
        &[PutKey],
        0x6A80,
        "wrong data",
        Some("the card does not accept this key type, length or format"),
        "GPC v2.3.1 Table 11-78",
    ),
    row(
        &[PutKey],
        0x6A84,
        NOT_ENOUGH_MEMORY,
        Some("no room for another key set: replace one instead"),
        "GPC v2.3.1 Table 11-78",
    ),
    row(
        &[PutKey],
        0x6A88,
        NOT_FOUND,
        Some("no key set with the key version to replace"),
        "GPC v2.3.1 Table 11-78",
    ),
    row(
        &[PutKey],
        0x9484,
        "algorithm not supported (deprecated code, now 6A80)",
        Some("the card does not support this key type"),
        "GPC v2.3.1 Table 11-78",
    ),
    row(
        &[PutKey],
        0x9485,
        "invalid key check value (deprecated code, now 6982)",
        Some(WRONG_DEK),
        "GPC v2.3.1 Table 11-78",
    ),
    row(&[PutKey], 0x6982, "invalid key check value", Some(WRONG_DEK), "GPC v2.3.1 Table 11-78"),
    row(
        &[PutKey],
        0x6985,
        CONDITIONS,
        Some("a key set with the new key version may exist already: replace it instead"),
        "GPC v2.3.1 Table 11-10, §11.8.1",
    ),
    // SELECT: Tables 11-83 (warning) and 11-84.
    row(&[Select], 0x6283, "card life cycle state is CARD_LOCKED", None, "GPC v2.3.1 Table 11-83"),
    row(&[Select], 0x6882, "secure messaging not supported", None, "GPC v2.3.1 Table 11-84"),
    row(
        &[Select],
        0x6A81,
        "function not supported",
        Some("the card may be CARD_LOCKED"),
        "GPC v2.3.1 Table 11-84",
    ),
    row(
        &[Select],
        0x6A82,
        "selected application / file not found",
        Some("no application with this AID on the card"),
        "GPC v2.3.1 Table 11-84",
    ),
    // SET STATUS: Table 11-87; 6985 from Table 11-10 with §11.10.2.2 (allowed transitions).
    row(&[SetStatus], 0x6A80, INCORRECT_DATA, None, "GPC v2.3.1 Table 11-87"),
    row(
        &[SetStatus],
        0x6A88,
        NOT_FOUND,
        Some("no application or security domain with this AID on the card"),
        "GPC v2.3.1 Table 11-87",
    ),
    row(
        &[SetStatus],
        0x6985,
        CONDITIONS,
        Some("this life cycle transition is not allowed from the current state"),
        "GPC v2.3.1 Table 11-10, §11.10.2.2",
    ),
    // STORE DATA: Table 11-90.
    row(&[StoreData], 0x6A80, INCORRECT_DATA, None, "GPC v2.3.1 Table 11-90"),
    row(&[StoreData], 0x6A84, NOT_ENOUGH_MEMORY, None, "GPC v2.3.1 Table 11-90"),
    row(&[StoreData], 0x6A88, NOT_FOUND, None, "GPC v2.3.1 Table 11-90"),
    // INITIALIZE UPDATE: Amendment D Table 7-4 (SCP02: GPC v2.3.1 Table E-9, 6A88 only).
    row(
        &[InitializeUpdate],
        0x6700,
        "wrong length",
        Some("the host challenge length does not match the card's mode (S8 or S16)"),
        "Amendment D Table 7-4",
    ),
    row(
        &[InitializeUpdate],
        0x6A88,
        NOT_FOUND,
        Some("no key set with this key version on the card"),
        "Amendment D Table 7-4, GPC v2.3.1 Table E-9",
    ),
    // EXTERNAL AUTHENTICATE: Amendment D Table 7-7 (SCP02: GPC v2.3.1 Table E-12); the others
    // from Table 11-10 with Amendment D §7.1.2.
    row(
        &[ExternalAuthenticate],
        0x6300,
        "authentication of host cryptogram failed",
        Some("wrong keys?"),
        "Amendment D Table 7-7, GPC v2.3.1 Table E-12",
    ),
    row(
        &[ExternalAuthenticate],
        0x6982,
        SECURITY,
        Some("the card rejected the command's MAC: wrong keys?"),
        "GPC v2.3.1 Table 11-10",
    ),
    row(
        &[ExternalAuthenticate],
        0x6985,
        CONDITIONS,
        Some("no INITIALIZE UPDATE was accepted just before"),
        "GPC v2.3.1 Table 11-10, Amendment D §7.1.2.1",
    ),
    row(
        &[ExternalAuthenticate],
        0x6A86,
        INCORRECT_P1_P2,
        Some("the card does not support this security level"),
        "GPC v2.3.1 Table 11-10, Amendment D Table 7-6",
    ),
    // 6982 to a command that needs a session (Table 11-2).
    row(
        AUTHENTICATED,
        0x6982,
        SECURITY,
        Some("open a secure channel, or one with a higher security level"),
        "GPC v2.3.1 Table 11-10, Table 11-2",
    ),
    // General error conditions, any command: Table 11-10.
    row(ANY, 0x6400, "no specific diagnosis", None, "GPC v2.3.1 Table 11-10"),
    row(ANY, 0x6700, "wrong length in Lc", None, "GPC v2.3.1 Table 11-10"),
    row(ANY, 0x6881, "logical channel not supported or is not active", None, "GPC v2.3.1 Table 11-10"),
    row(ANY, 0x6982, SECURITY, None, "GPC v2.3.1 Table 11-10"),
    row(ANY, 0x6985, CONDITIONS, None, "GPC v2.3.1 Table 11-10"),
    row(ANY, 0x6A86, INCORRECT_P1_P2, None, "GPC v2.3.1 Table 11-10"),
    row(
        ANY,
        0x6D00,
        "invalid instruction",
        Some("the selected application does not know this command: is the security domain selected?"),
        "GPC v2.3.1 Table 11-10",
    ),
    row(ANY, 0x6E00, "invalid class", None, "GPC v2.3.1 Table 11-10"),
];

/// What `sw` means as the answer to `operation` (`None`: a command the table does not know,
/// for which only the general conditions of GPC v2.3.1 Table 11-10 apply): the command's own
/// table first, then Table 11-10, else the ISO/IEC 7816-4 §5.6 meaning without a hint.
pub fn explain(operation: Option<Operation>, sw: StatusWord) -> StatusMeaning {
    let value = sw.to_u16();
    ROWS.iter()
        .find(|r| {
            r.sw == value
                && (r.operations.is_empty() || operation.is_some_and(|op| r.operations.contains(&op)))
        })
        .map_or(
            StatusMeaning { sw, meaning: sw.description(), hint: None, reference: "ISO/IEC 7816-4 §5.6" },
            |r| StatusMeaning { sw, meaning: r.meaning, hint: r.hint, reference: r.reference },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row is the answer for each of its commands: no earlier row hides it.
    #[test]
    fn no_row_is_shadowed() {
        for (i, r) in ROWS.iter().enumerate() {
            let operations: Vec<Option<Operation>> = if r.operations.is_empty() {
                let mut all: Vec<_> = Operation::ALL.iter().copied().map(Some).collect();
                all.push(None);
                all
            } else {
                r.operations.iter().copied().map(Some).collect()
            };
            // A general row is shadowed for the commands with their own row: it must answer for
            // at least one command (the unknown one at least).
            let answered = operations
                .iter()
                .filter(|op| {
                    let m = explain(**op, StatusWord::from_u16(r.sw));
                    (m.meaning, m.hint, m.reference) == (r.meaning, r.hint, r.reference)
                })
                .count();
            assert!(answered > 0, "row {i} ({:04X}) is never used", r.sw);
            if !r.operations.is_empty() {
                assert_eq!(answered, operations.len(), "row {i} ({:04X}) is partly shadowed", r.sw);
            }
        }
    }

    /// Rows cite their table; meaning and hint are distinct, neither repeats the other.
    #[test]
    fn rows_are_well_formed() {
        for r in ROWS {
            assert!(r.reference.contains("Table"), "{:04X}: {}", r.sw, r.reference);
            assert!(!r.meaning.is_empty());
            if let Some(hint) = r.hint {
                assert!(!hint.contains(r.meaning) && !r.meaning.contains(hint), "{:04X}", r.sw);
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
            assert_eq!(op.to_string(), op.name());
        }
        assert_eq!(Operation::from_name("INSTALL"), None);
        assert_eq!(Operation::from(Step::InitializeUpdate), Operation::InitializeUpdate);
        assert_eq!(Operation::from(Step::ExternalAuthenticate), Operation::ExternalAuthenticate);
        use oxicard_secure_channel::scp02::Step as Scp02Step;
        assert_eq!(Operation::from(Scp02Step::InitializeUpdate), Operation::InitializeUpdate);
        assert_eq!(Operation::from(Scp02Step::ExternalAuthenticate), Operation::ExternalAuthenticate);
        assert_eq!(Operation::from(Scp02Step::SequenceCounter), Operation::GetData);
    }

    #[test]
    fn unknown_words_keep_their_iso_meaning() {
        let m = explain(Some(Operation::Load), StatusWord::from_u16(0x6A80));
        assert_eq!(
            (m.meaning, m.hint, m.reference),
            ("incorrect parameters in the command data field", None, "ISO/IEC 7816-4 §5.6")
        );
        assert_eq!(m.to_string(), "6A80 (incorrect parameters in the command data field)");
        // A command the table does not know gets the general conditions only.
        let m = explain(None, StatusWord::from_u16(0x6985));
        assert_eq!((m.meaning, m.hint), ("conditions of use not satisfied", None));
    }
}
