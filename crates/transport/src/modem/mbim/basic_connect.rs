//! What the transport needs of Basic Connect and MS Basic Connect Extensions: the SIM slot the
//! modem maps to its executor (DEVICE_SLOT_MAPPINGS) and whether the SIM is ready
//! (SUBSCRIBER_READY_STATUS), as lpac `driver/apdu/mbim.c` (`select_sim_slot`,
//! `is_sim_available`) and damonto/wwan-go `mbim/slot.go` use them.
//!
//! Layouts: libmbim `data/mbim-service-basic-connect.json` ("Subscriber Ready Status") and
//! `data/mbim-service-ms-basic-connect-extensions.json` ("Device Slot Mappings": `MapCount` and a
//! `ref-struct-array` of `MbimSlot { Slot }`, normal MBIM (offset, length) pairs); the one-slot
//! buffer `01000000 0C000000 04000000 <slot>` is wwan-go's (`mbim/protocol_test.go`
//! `slotMappingsPayload`).

use super::error::MbimError;
use super::wire::{Fields, as_u32, push_u32};

/// Basic Connect CID 2, SUBSCRIBER_READY_STATUS (query).
pub const CID_SUBSCRIBER_READY_STATUS: u32 = 2;
/// MS Basic Connect Extensions CID 7, DEVICE_SLOT_MAPPINGS (query, set).
pub const CID_DEVICE_SLOT_MAPPINGS: u32 = 7;

/// `MBIM_SUBSCRIBER_READY_STATE` (USB MBIM 1.0 §10.5.2; 7 from Microsoft, "MB low level UICC
/// access", `MBIMSubscriberReadyStateNoEsimProfile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadyState(pub u32);

impl ReadyState {
    /// `0`: not initialized.
    pub const NOT_INITIALIZED: ReadyState = ReadyState(0);
    /// `1`: initialized.
    pub const INITIALIZED: ReadyState = ReadyState(1);
    /// `2`: no SIM inserted.
    pub const SIM_NOT_INSERTED: ReadyState = ReadyState(2);
    /// `3`: bad SIM.
    pub const BAD_SIM: ReadyState = ReadyState(3);
    /// `4`: failure.
    pub const FAILURE: ReadyState = ReadyState(4);
    /// `5`: not activated.
    pub const NOT_ACTIVATED: ReadyState = ReadyState(5);
    /// `6`: device locked.
    pub const DEVICE_LOCKED: ReadyState = ReadyState(6);
    /// `7`: the card is ready but has no enabled profile.
    pub const NO_ESIM_PROFILE: ReadyState = ReadyState(7);

    /// Ready for UICC access: initialized, or an eUICC without enabled profile (the states lpac's
    /// `is_sim_available` and wwan-go's `waitForSlotReady` wait for).
    pub const fn is_ready(self) -> bool {
        matches!(self.0, 1 | 7)
    }
}

/// `MBIM_SUBSCRIBER_READY_INFO`, as far as this crate reads it: the ready state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubscriberReadyStatus {
    /// `ReadyState`.
    pub ready_state: ReadyState,
}

impl SubscriberReadyStatus {
    /// The information buffer: `ReadyState`, empty `SubscriberId` and `SimIccId` (offset,
    /// size), `ReadyInfo` 0, no telephone numbers — 28 bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(28);
        for value in [self.ready_state.0, 0, 0, 0, 0, 0, 0] {
            push_u32(&mut out, value);
        }
        out
    }

    /// Reads the ready state at the start of the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<SubscriberReadyStatus, MbimError> {
        let fields = Fields::new(buffer, "MBIM_SUBSCRIBER_READY_INFO");
        Ok(SubscriberReadyStatus { ready_state: ReadyState(fields.u32(0)?) })
    }
}

/// `MBIM_MS_DEVICE_SLOT_MAPPING_INFO`: the slot (0-based) mapped to each executor, the first
/// entry being executor 0's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotMappings {
    /// `Slot` of each executor.
    pub slots: Vec<u32>,
}

impl SlotMappings {
    /// The information buffer: `MapCount`, an (offset, length) pair per entry, the entries.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        let count = as_u32(self.slots.len(), "SlotMapList")?;
        let mut out = Vec::new();
        push_u32(&mut out, count);
        let data_at = 4 + 8 * self.slots.len();
        for index in 0..self.slots.len() {
            push_u32(&mut out, as_u32(data_at + 4 * index, "SlotMapList")?);
            push_u32(&mut out, 4);
        }
        for slot in &self.slots {
            push_u32(&mut out, *slot);
        }
        Ok(out)
    }

    /// Reads the information buffer.
    pub fn decode(buffer: &[u8]) -> Result<SlotMappings, MbimError> {
        let fields = Fields::new(buffer, "MBIM_MS_DEVICE_SLOT_MAPPING_INFO");
        let declared = fields.u32(0)?;
        let max = buffer.len().saturating_sub(4) / 8;
        let count =
            usize::try_from(declared).ok().filter(|count| *count <= max).ok_or(MbimError::OutOfRange {
                what: "MapCount",
                value: declared,
                range: "the (offset, length) pairs present",
            })?;
        let data_at = 4 + 8 * count;
        let mut slots = Vec::with_capacity(count);
        for index in 0..count {
            let pair = 4 + 8 * index;
            let entry = fields.data(pair + 4, pair, data_at)?;
            let slot = entry
                .first_chunk::<4>()
                .copied()
                .map(u32::from_le_bytes)
                .ok_or(MbimError::Truncated { what: "MBIM_SLOT", len: entry.len(), needed: 4 })?;
            slots.push(slot);
        }
        Ok(SlotMappings { slots })
    }
}
