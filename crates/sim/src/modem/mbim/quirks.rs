//! The switches of a simulated MBIM modem: a well-behaved modem by default, and the behaviour
//! of real ones reported by lpac users, one switch each.

/// What the simulated modem does differently from a well-behaved one. [`MbimQuirks::default`]
/// is a modem that follows Microsoft's "MB low level UICC access" to the letter, with one SIM
/// slot holding the card and a `wMaxControlMessage` of 4096 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MbimQuirks {
    /// The largest message (fragment) the modem sends and accepts (its `wMaxControlMessage`):
    /// answers longer than this, or than the host's `MaxControlTransfer`, go as fragments; a
    /// longer fragment from the host is answered `FUNCTION_ERROR` `MAX_TRANSFER`. Default 4096.
    pub max_control_transfer: u32,
    /// The first APDU is answered `MS_INVALID_LOGICAL_CHANNEL` and its channel is gone (lpac
    /// issue #114, Fibocom L860-GL).
    pub invalid_channel_on_first_apdu: bool,
    /// OPEN_CHANNEL is answered `FAILURE` with an empty buffer (lpac issue #300, Quectel EM05-G).
    pub open_channel_failure: bool,
    /// DEVICE_SLOT_MAPPINGS is answered `NO_DEVICE_SUPPORT` (single-slot modems such as the
    /// EM7590, lpac PR #416).
    pub slot_mapping_unsupported: bool,
    /// A STORE DATA sent without Le is answered `9000` without the card's response data (lpac
    /// issue #118; lpac PR #438 appends `Le = 00` for such modems).
    pub store_data_without_le_empty: bool,
    /// An unsolicited `INDICATE_STATUS` (Basic Connect SUBSCRIBER_READY_STATUS) goes out before
    /// every `COMMAND_DONE`.
    pub indications: bool,
    /// SIM slots of the modem (at least 1); the card sits in slot 0, the others are empty.
    pub slots: u32,
    /// The slot mapped at power-on (0-based).
    pub mapped_slot: u32,
}

impl Default for MbimQuirks {
    fn default() -> Self {
        Self {
            max_control_transfer: 4096,
            invalid_channel_on_first_apdu: false,
            open_channel_failure: false,
            slot_mapping_unsupported: false,
            store_data_without_le_empty: false,
            indications: false,
            slots: 1,
            mapped_slot: 0,
        }
    }
}

impl MbimQuirks {
    /// A well-behaved modem.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`max_control_transfer`](Self::max_control_transfer) (64 at least).
    #[must_use]
    pub fn with_max_control_transfer(mut self, max_control_transfer: u32) -> Self {
        self.max_control_transfer = max_control_transfer.max(64);
        self
    }

    /// Sets [`invalid_channel_on_first_apdu`](Self::invalid_channel_on_first_apdu).
    #[must_use]
    pub fn with_invalid_channel_on_first_apdu(mut self) -> Self {
        self.invalid_channel_on_first_apdu = true;
        self
    }

    /// Sets [`open_channel_failure`](Self::open_channel_failure).
    #[must_use]
    pub fn with_open_channel_failure(mut self) -> Self {
        self.open_channel_failure = true;
        self
    }

    /// Sets [`slot_mapping_unsupported`](Self::slot_mapping_unsupported).
    #[must_use]
    pub fn with_slot_mapping_unsupported(mut self) -> Self {
        self.slot_mapping_unsupported = true;
        self
    }

    /// Sets [`store_data_without_le_empty`](Self::store_data_without_le_empty).
    #[must_use]
    pub fn with_store_data_without_le_empty(mut self) -> Self {
        self.store_data_without_le_empty = true;
        self
    }

    /// Sets [`indications`](Self::indications).
    #[must_use]
    pub fn with_indications(mut self) -> Self {
        self.indications = true;
        self
    }

    /// Sets [`slots`](Self::slots) and [`mapped_slot`](Self::mapped_slot).
    #[must_use]
    pub fn with_slots(mut self, slots: u32, mapped_slot: u32) -> Self {
        self.slots = slots.max(1);
        self.mapped_slot = mapped_slot.min(self.slots - 1);
        self
    }
}
