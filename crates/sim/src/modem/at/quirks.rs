//! [`AtQuirks`]: the habits of real modems a simulated AT modem can take on, each reported by
//! users of lpac (estkme-group/lpac issues and pull requests, cited per switch).

use std::time::Duration;

/// How a modem answers a test command (`AT+CCHO=?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TestCommands {
    /// `OK` (3GPP TS 27.007 §8.45: the test command has no response but the result code).
    Answered,
    /// `ERROR` although the command works (Sierra EM7590 `+CGLA=?`, lpac PR #139; Fibocom
    /// FG132-GL, Quectel EM05-G `+CCHO=?`, lpac issue #300).
    Error,
    /// No answer at all (FM350-GL, lpac PR #442).
    Silent,
}

/// How a modem answers `AT+CCHO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CchoReply {
    /// `+CCHO: <sessionid>` (Telit's AT reference; the log of lpac issue #143).
    Prefixed,
    /// `+CCHO:<sessionid>`, no space (the style of SIMCom's `+CGLA:4,…`, lpac PR #238).
    Compact,
    /// A bare `<sessionid>` line, as the 27.007 §8.45 table shows it (FM350-GL, lpac issues
    /// #179, #209).
    Bare,
}

/// What session ids a modem hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionIds {
    /// Small integers from 1, the lowest free one.
    Small,
    /// 16-hex-digit handles, `000000000385a7cf` first (Sierra MC7455, lpac issue #138).
    Opaque,
}

/// The quirks of a simulated AT modem. The default is a well-behaved modem: echo on until
/// `ATE0`, `=?` answered, `+CCHO: 1`, a space after every colon, no unsolicited result codes,
/// `+CCHO`/`+CGLA`/`+CCHC` present, numeric `+CME ERROR` codes after `AT+CMEE=1`, answers at
/// once.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AtQuirks {
    /// Echo stays on after `ATE0` (reported of a SIMCom A7672, espressif/esp-protocols issue
    /// #327).
    pub stuck_echo: bool,
    /// The echo loses its first character (`T+CCHC=1` for `AT+CCHC=1`, FM350-GL, lpac issue
    /// #179).
    pub garbled_echo: bool,
    /// How `=?` test commands are answered.
    pub test_commands: TestCommands,
    /// How `AT+CCHO` answers.
    pub ccho_reply: CchoReply,
    /// What session ids `AT+CCHO` hands out.
    pub session_ids: SessionIds,
    /// `+CGLA: …` / `+CSIM: …` with a space after the colon; `false` gives `+CGLA:4,"611A"`
    /// (SIMCom A7908E, lpac PR #238).
    pub space_after_colon: bool,
    /// An unsolicited result code sent before every answer. Modems send them between commands
    /// (a Watcom modem's `+CREG: 5,"25FF",…` right after the `OK` of `AT+CREG=2`, gammu issue
    /// #91); here one comes between every command and its answer.
    pub unsolicited: Option<String>,
    /// No `+CCHO`/`+CGLA`/`+CCHC`: `ERROR` (Dell DW5821e-eSIM, lpac issue #164).
    pub csim_only: bool,
    /// `+CME ERROR` as text even after `AT+CMEE=1` (Sierra EM9191 answered
    /// `+CME ERROR: Parameters error`, lpac issue #187).
    pub verbose_errors: bool,
    /// How long a STORE DATA (INS `E2`) takes before it is answered.
    pub store_data_delay: Duration,
    /// `+CCHC` is there; `false`: `ERROR` (Sierra EM9191's documentation lists no `+CCHC`,
    /// lpac issue #187).
    pub cchc: bool,
    /// `AT+CCHC` answers a `+CCHC` line before `OK` (the modem of lpac issue #143).
    pub cchc_line: bool,
}

impl Default for AtQuirks {
    fn default() -> Self {
        Self {
            stuck_echo: false,
            garbled_echo: false,
            test_commands: TestCommands::Answered,
            ccho_reply: CchoReply::Prefixed,
            session_ids: SessionIds::Small,
            space_after_colon: true,
            unsolicited: None,
            csim_only: false,
            verbose_errors: false,
            store_data_delay: Duration::ZERO,
            cchc: true,
            cchc_line: false,
        }
    }
}

impl AtQuirks {
    /// Echo that `ATE0` does not turn off.
    #[must_use]
    pub fn with_stuck_echo(mut self) -> Self {
        self.stuck_echo = true;
        self
    }

    /// Echo without its first character.
    #[must_use]
    pub fn with_garbled_echo(mut self) -> Self {
        self.garbled_echo = true;
        self
    }

    /// `=?` answered as `answer` says.
    #[must_use]
    pub fn with_test_commands(mut self, answer: TestCommands) -> Self {
        self.test_commands = answer;
        self
    }

    /// `AT+CCHO` answered in `style`.
    #[must_use]
    pub fn with_ccho_reply(mut self, style: CchoReply) -> Self {
        self.ccho_reply = style;
        self
    }

    /// 16-hex-digit session ids.
    #[must_use]
    pub fn with_opaque_session_ids(mut self) -> Self {
        self.session_ids = SessionIds::Opaque;
        self
    }

    /// `+CGLA:4,"…"`, no space after the colon.
    #[must_use]
    pub fn without_space_after_colon(mut self) -> Self {
        self.space_after_colon = false;
        self
    }

    /// `line` sent unasked before every answer.
    #[must_use]
    pub fn with_unsolicited(mut self, line: impl Into<String>) -> Self {
        self.unsolicited = Some(line.into());
        self
    }

    /// No `+CCHO`/`+CGLA`/`+CCHC`, only `+CSIM`.
    #[must_use]
    pub fn csim_only(mut self) -> Self {
        self.csim_only = true;
        self
    }

    /// `+CME ERROR` as text whatever `AT+CMEE` says.
    #[must_use]
    pub fn with_verbose_errors(mut self) -> Self {
        self.verbose_errors = true;
        self
    }

    /// STORE DATA answered after `delay`.
    #[must_use]
    pub fn with_store_data_delay(mut self, delay: Duration) -> Self {
        self.store_data_delay = delay;
        self
    }

    /// No `+CCHC`.
    #[must_use]
    pub fn without_cchc(mut self) -> Self {
        self.cchc = false;
        self
    }

    /// A `+CCHC` line before the `OK` of `AT+CCHC`.
    #[must_use]
    pub fn with_cchc_line(mut self) -> Self {
        self.cchc_line = true;
        self
    }
}
