//! The settings of an [`MbimModem`](super::MbimModem).

use std::time::Duration;

use super::uicc::ClassByteType;

/// How the transport fills the `Type` (class byte type) of each APDU.
///
/// The function replaces the host's class byte by one it builds from `Type`, `Channel` and
/// `SecureMessaging` (Microsoft, "MB low level UICC access", MBIM_CID_MS_UICC_APDU): `0X`/`4X`
/// for type 0, `8X`/`CX` for type 1. A GlobalPlatform STORE DATA `80 E2` sent as type 0 may thus
/// reach the card as `0X E2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClassBytePolicy {
    /// Type from the command's own class byte: type 1 (extended) when b8 is set (`8X`, `CX`),
    /// type 0 (interindustry) otherwise. The class then reaches the card as the host wrote it.
    FromCla,
    /// The same type for every APDU: [`ClassByteType::Interindustry`] as lpac's
    /// `driver/apdu/mbim.c` sends it, [`ClassByteType::Extended`] as lpac PR #438 does for modems
    /// that build the class byte literally.
    Always(ClassByteType),
}

/// Timeouts, slot, channel group and compatibility switches of an
/// [`MbimModem`](super::MbimModem). [`MbimOptions::default`] is what lpac and damonto/wwan-go use.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MbimOptions {
    /// `MaxControlTransfer` announced in `OPEN` and the largest fragment sent (default 4096,
    /// libmbim's default when the USB descriptor gives none, `mbim-device.c`
    /// `read_max_control_transfer`; at least 64).
    pub max_control_transfer: u32,
    /// Wait for a `COMMAND_DONE` other than APDU (default 8 s, wwan-go `mbim/command.go`
    /// `mbimCIDResponseTimeout`).
    pub timeout: Duration,
    /// Wait for the answer to an APDU (default 58 s, wwan-go `mbimCIDLongResponseTimeout`): a
    /// STORE DATA of a Bound Profile Package takes the card seconds.
    pub apdu_timeout: Duration,
    /// SIM slot (0-based) to map to the modem before use (MS Basic Connect Extensions
    /// DEVICE_SLOT_MAPPINGS, as lpac `select_sim_slot`); `None` leaves the mapping alone (lpac
    /// PR #438 `LPAC_APDU_MBIM_SKIP_SLOT_MAPPING`). Default slot 0.
    pub slot: Option<u32>,
    /// After a slot switch, how many times SUBSCRIBER_READY_STATUS is asked until the SIM is
    /// ready, and how long to wait between (default 20 × 50 ms, lpac `select_sim_slot`).
    pub ready_polls: u32,
    /// The wait between two polls.
    pub ready_interval: Duration,
    /// The channel group the transport opens its channels in (default 1, as lpac and wwan-go).
    pub channel_group: u32,
    /// P2 of the SELECT the modem sends for OPEN_CHANNEL (default `00`: FCI, as lpac's main
    /// branch; lpac PR #438 uses `0C`).
    pub select_p2: u8,
    /// How APDUs' `Type` is chosen (default [`ClassBytePolicy::FromCla`]).
    pub class_byte_type: ClassBytePolicy,
    /// Appends `Le = 00` to a STORE DATA (`INS E2`) sent without Le (short case 3), for modems
    /// that answer such a command `9000` without the card's response data (lpac issue #118, a
    /// modem the lpac maintainers left unsupported; lpac PR #438 then added a trailing
    /// `Le = 00` for APDUs sent without it). Off by default: the ISD-R access of
    /// `oxicard-euicc` sends its last STORE DATA block with `Le` already.
    pub store_data_le: bool,
    /// When the modem answers the first APDU on a channel `MS_INVALID_LOGICAL_CHANNEL` (Fibocom
    /// L860-GL, lpac issue #114), open the channel again to the same AID and send the APDU once
    /// more. Only before any APDU succeeded on the channel, so no card state is lost. Default on.
    pub recover_lost_channel: bool,
}

impl Default for MbimOptions {
    fn default() -> Self {
        Self {
            max_control_transfer: 4096,
            timeout: Duration::from_secs(8),
            apdu_timeout: Duration::from_secs(58),
            slot: Some(0),
            ready_polls: 20,
            ready_interval: Duration::from_millis(50),
            channel_group: 1,
            select_p2: 0x00,
            class_byte_type: ClassBytePolicy::FromCla,
            store_data_le: false,
            recover_lost_channel: true,
        }
    }
}

impl MbimOptions {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`max_control_transfer`](Self::max_control_transfer).
    #[must_use]
    pub fn with_max_control_transfer(mut self, max_control_transfer: u32) -> Self {
        self.max_control_transfer = max_control_transfer;
        self
    }

    /// Sets [`timeout`](Self::timeout).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`apdu_timeout`](Self::apdu_timeout).
    #[must_use]
    pub fn with_apdu_timeout(mut self, apdu_timeout: Duration) -> Self {
        self.apdu_timeout = apdu_timeout;
        self
    }

    /// Sets [`slot`](Self::slot).
    #[must_use]
    pub fn with_slot(mut self, slot: Option<u32>) -> Self {
        self.slot = slot;
        self
    }

    /// Sets [`ready_polls`](Self::ready_polls) and [`ready_interval`](Self::ready_interval).
    #[must_use]
    pub fn with_ready_polling(mut self, polls: u32, interval: Duration) -> Self {
        self.ready_polls = polls;
        self.ready_interval = interval;
        self
    }

    /// Sets [`channel_group`](Self::channel_group).
    #[must_use]
    pub fn with_channel_group(mut self, channel_group: u32) -> Self {
        self.channel_group = channel_group;
        self
    }

    /// Sets [`select_p2`](Self::select_p2).
    #[must_use]
    pub fn with_select_p2(mut self, select_p2: u8) -> Self {
        self.select_p2 = select_p2;
        self
    }

    /// Sets [`class_byte_type`](Self::class_byte_type).
    #[must_use]
    pub fn with_class_byte_type(mut self, policy: ClassBytePolicy) -> Self {
        self.class_byte_type = policy;
        self
    }

    /// Sets [`store_data_le`](Self::store_data_le).
    #[must_use]
    pub fn with_store_data_le(mut self, on: bool) -> Self {
        self.store_data_le = on;
        self
    }

    /// Sets [`recover_lost_channel`](Self::recover_lost_channel).
    #[must_use]
    pub fn with_recover_lost_channel(mut self, on: bool) -> Self {
        self.recover_lost_channel = on;
        self
    }
}
