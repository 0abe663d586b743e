//! How a [`QmiModem`](super::QmiModem) talks to the modem: the slot, the deadlines.

use std::time::Duration;

/// Options of [`QmiModem::open`](super::QmiModem::open).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QmiOptions {
    /// The physical slot (from 1) to make active first, as lpac `driver/apdu/qmi.c`
    /// `select_sim_slot` does: Get Slot Status, Switch Slot (logical slot 1 to this physical
    /// slot) when another one is active, then Get Card Status until a card is present; the
    /// requests then go to slot 1. A modem that answers Get Slot Status `NotSupported` (or
    /// `InvalidQmiCommand`) has no slot mapping: the requests then go to this slot number
    /// directly. `None` (the default): slot 1, the slot mapping left as it is.
    pub slot: Option<u8>,
    /// Sends CTL Sync before allocating a client ID. Off by default: on a modem shared with
    /// ModemManager it may disturb the other clients.
    pub sync: bool,
    /// The deadline of each request but Send APDU (default 10 s).
    pub timeout: Duration,
    /// The deadline of each Send APDU (default 240 s: a STORE DATA of a Bound Profile Package
    /// may take minutes, lpac PR #442 / #448 use the same).
    pub apdu_timeout: Duration,
    /// How often Get Card Status is asked after Switch Slot (default 20, as lpac).
    pub card_ready_attempts: u32,
    /// The pause between those requests (default 500 ms, as lpac).
    pub card_ready_interval: Duration,
}

impl Default for QmiOptions {
    fn default() -> Self {
        Self {
            slot: None,
            sync: false,
            timeout: Duration::from_secs(10),
            apdu_timeout: Duration::from_secs(240),
            card_ready_attempts: 20,
            card_ready_interval: Duration::from_millis(500),
        }
    }
}

impl QmiOptions {
    /// The options with physical slot `slot` (from 1) made active at open.
    #[must_use]
    pub fn with_slot(mut self, slot: u8) -> Self {
        self.slot = Some(slot);
        self
    }

    /// The options with CTL Sync sent at open (`true`) or not.
    #[must_use]
    pub fn with_sync(mut self, sync: bool) -> Self {
        self.sync = sync;
        self
    }

    /// The options with `timeout` for every request but Send APDU.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The options with `timeout` for each Send APDU.
    #[must_use]
    pub fn with_apdu_timeout(mut self, timeout: Duration) -> Self {
        self.apdu_timeout = timeout;
        self
    }

    /// The options with Get Card Status asked up to `attempts` times, `interval` apart, after a
    /// slot switch.
    #[must_use]
    pub fn with_card_ready_polling(mut self, attempts: u32, interval: Duration) -> Self {
        self.card_ready_attempts = attempts;
        self.card_ready_interval = interval;
        self
    }
}
