//! [`AtOptions`]: timeouts and the choice of channel commands of an
//! [`AtModem`](super::AtModem).

use std::time::Duration;

/// How commands reach the card's logical channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelAccess {
    /// Try `AT+CCHO` when the first channel is opened; if the modem does not know it (`ERROR`,
    /// `+CME ERROR: 4`), use `AT+CSIM` for everything. The default.
    Auto,
    /// `AT+CCHO` / `AT+CGLA` / `AT+CCHC` only (3GPP TS 27.007 §8.43–8.46).
    LogicalChannels,
    /// `AT+CSIM` only (§8.17): the card layer sends MANAGE CHANNEL and SELECT itself. For modems
    /// whose `+CGLA` fails (Quectel EC20F mid-download, lpac issue #186) or that lack it (Dell
    /// DW5821e, lpac issue #164).
    Csim,
}

/// Timeouts and choices of an [`AtModem`](super::AtModem). The default suits real
/// modems: 10 s per command, 240 s for STORE DATA (the values of lpac PR #442 / #448, which
/// found 300 ms far too short for a profile download), three `AT` tries of 3 s each at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AtOptions {
    /// The longest wait for the final result code of a command.
    pub command_timeout: Duration,
    /// The longest wait for the answer to a STORE DATA (INS `E2`, GlobalPlatform Card
    /// Specification §11.11): the eUICC installs a Bound Profile Package segment before it
    /// answers.
    pub store_data_timeout: Duration,
    /// The longest wait for each `AT` while synchronising at start.
    pub sync_timeout: Duration,
    /// How many times `AT` is tried at start.
    pub sync_attempts: u32,
    /// The longest wait for each `AT+CCHC`.
    pub close_timeout: Duration,
    /// How commands reach the card's logical channels.
    pub channel_access: ChannelAccess,
}

impl Default for AtOptions {
    fn default() -> Self {
        Self {
            command_timeout: Duration::from_secs(10),
            store_data_timeout: Duration::from_secs(240),
            sync_timeout: Duration::from_secs(3),
            sync_attempts: 3,
            close_timeout: Duration::from_secs(10),
            channel_access: ChannelAccess::Auto,
        }
    }
}

impl AtOptions {
    /// The same options with `timeout` for commands other than STORE DATA.
    #[must_use]
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// The same options with `timeout` for STORE DATA.
    #[must_use]
    pub fn with_store_data_timeout(mut self, timeout: Duration) -> Self {
        self.store_data_timeout = timeout;
        self
    }

    /// The same options with `attempts` tries of `AT` at start, `timeout` each.
    #[must_use]
    pub fn with_sync(mut self, attempts: u32, timeout: Duration) -> Self {
        self.sync_attempts = attempts;
        self.sync_timeout = timeout;
        self
    }

    /// The same options with `timeout` for each `AT+CCHC`.
    #[must_use]
    pub fn with_close_timeout(mut self, timeout: Duration) -> Self {
        self.close_timeout = timeout;
        self
    }

    /// The same options with `access`.
    #[must_use]
    pub fn with_channel_access(mut self, access: ChannelAccess) -> Self {
        self.channel_access = access;
        self
    }

    /// The timeout of `apdu`: [`store_data_timeout`](Self::store_data_timeout) for STORE DATA
    /// (INS `E2`), else [`command_timeout`](Self::command_timeout).
    pub fn timeout_for(&self, apdu: &[u8]) -> Duration {
        match apdu {
            [_, 0xE2, ..] => self.store_data_timeout,
            _ => self.command_timeout,
        }
    }
}
