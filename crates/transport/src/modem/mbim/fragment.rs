//! Fragmentation (USB MBIM 1.0 §9.5): a `COMMAND`, `COMMAND_DONE` or `INDICATE_STATUS` longer
//! than the other side's `MaxControlTransfer` goes as several fragments. As libmbim
//! `src/libmbim-glib/mbim-message.c` (`_mbim_message_split_fragments`,
//! `_mbim_message_fragment_collector_*`) does it: every fragment has its own 12-byte header
//! (same type and `TransactionId`, its own `MessageLength`) and fragment header (`TotalFragments`,
//! `CurrentFragment` from 0); the payloads are consecutive slices of everything after byte 20 of
//! the unsplit message, so the service id, CID and the rest appear in fragment 0 only.

use super::error::MbimError;
use super::message::{FRAGMENT_PAYLOAD_AT, Header, MessageType};
use super::wire::{as_u32, push_u32, u32_at};

/// The smallest `MaxControlTransfer` MBIM allows (USB MBIM 1.0 §6.4, `wMaxControlMessage`).
pub const MIN_CONTROL_TRANSFER: u32 = 64;

/// The largest reassembled message accepted: far above any UICC answer (a 64 KiB response and
/// its structure), so a peer announcing endless fragments is refused, not buffered.
pub const MAX_MESSAGE_LEN: usize = 128 * 1024;

/// Splits one encoded message into the fragments of at most `max_control_transfer` bytes that
/// go on the wire. A message that fits, or has no fragment header, is one fragment, unchanged.
/// (A function's `MaxControlTransfer` is at least [`MIN_CONTROL_TRANSFER`]; the split itself
/// works from 21 bytes, as libmbim `test-fragment.c` splits at 28.)
///
/// # Errors
///
/// [`MbimError::MaxControlTransfer`] for 20 bytes or less; [`MbimError`] when `message` has no
/// valid header.
pub fn split_fragments(message: &[u8], max_control_transfer: u32) -> Result<Vec<Vec<u8>>, MbimError> {
    if max_control_transfer as usize <= FRAGMENT_PAYLOAD_AT {
        return Err(MbimError::MaxControlTransfer {
            value: max_control_transfer,
            min: FRAGMENT_PAYLOAD_AT as u32 + 1,
        });
    }
    let header = Header::read(message)?;
    let fragmented = MessageType::from_value(header.message_type).is_some_and(MessageType::is_fragmented);
    let max = usize::try_from(max_control_transfer).unwrap_or(usize::MAX);
    if !fragmented || message.len() <= max {
        return Ok(vec![message.to_vec()]);
    }
    let (_, payload) = message.split_at_checked(FRAGMENT_PAYLOAD_AT).ok_or(MbimError::Truncated {
        what: "MBIM fragment header",
        len: message.len(),
        needed: FRAGMENT_PAYLOAD_AT,
    })?;
    let chunk = max - FRAGMENT_PAYLOAD_AT;
    let total = as_u32(payload.len().div_ceil(chunk), "MBIM fragments")?;
    let mut fragments = Vec::new();
    for (current, slice) in (0u32..).zip(payload.chunks(chunk)) {
        let mut fragment = Vec::with_capacity(FRAGMENT_PAYLOAD_AT + slice.len());
        push_u32(&mut fragment, header.message_type);
        push_u32(&mut fragment, as_u32(FRAGMENT_PAYLOAD_AT + slice.len(), "MBIM fragment")?);
        push_u32(&mut fragment, header.transaction_id);
        push_u32(&mut fragment, total);
        push_u32(&mut fragment, current);
        fragment.extend_from_slice(slice);
        fragments.push(fragment);
    }
    Ok(fragments)
}

/// Reassembles fragments into whole messages: fragment 0 starts a message, the others must
/// follow in order with the same type, `TransactionId` and `TotalFragments`.
#[derive(Debug, Default)]
pub struct Assembler {
    pending: Option<Pending>,
}

/// A message being reassembled.
#[derive(Debug)]
struct Pending {
    message_type: u32,
    transaction_id: u32,
    total: u32,
    next: u32,
    payload: Vec<u8>,
}

impl Assembler {
    /// An assembler with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// `true` while a message is partly received.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Takes one received fragment (a whole message with its own `MessageLength`). Returns the
    /// whole message once its last fragment is in, in unfragmented form (fragment header
    /// `1, 0`); a message type without fragment header passes through as it is.
    ///
    /// # Errors
    ///
    /// A malformed fragment, or one out of sequence: the message in progress is dropped.
    pub fn push(&mut self, fragment: &[u8]) -> Result<Option<Vec<u8>>, MbimError> {
        let header = Header::read(fragment)?;
        if usize::try_from(header.length).ok() != Some(fragment.len()) {
            return Err(MbimError::LengthMismatch { declared: header.length, actual: fragment.len() });
        }
        let fragmented = MessageType::from_value(header.message_type).is_some_and(MessageType::is_fragmented);
        if !fragmented {
            return Ok(Some(fragment.to_vec()));
        }
        let truncated = || MbimError::Truncated {
            what: "MBIM fragment header",
            len: fragment.len(),
            needed: FRAGMENT_PAYLOAD_AT,
        };
        let (total, current) = (u32_at(fragment, 12), u32_at(fragment, 16));
        let (Some(total), Some(current), Some((_, payload))) =
            (total, current, fragment.split_at_checked(FRAGMENT_PAYLOAD_AT))
        else {
            return Err(truncated());
        };
        if current >= total {
            return Err(MbimError::BadFragmentHeader { total, current });
        }
        if total == 1 {
            return Ok(Some(fragment.to_vec()));
        }
        if current == 0 {
            if let Some(dropped) = self.pending.take() {
                tracing::debug!(
                    target: "oxicard::modem::mbim",
                    transaction_id = dropped.transaction_id,
                    "incomplete fragmented message dropped by a new one"
                );
            }
            self.pending = Some(Pending {
                message_type: header.message_type,
                transaction_id: header.transaction_id,
                total,
                next: 1,
                payload: payload.to_vec(),
            });
            return Ok(None);
        }
        let mut pending = self.pending.take().ok_or(MbimError::FragmentOutOfSequence {
            transaction_id: header.transaction_id,
            current,
            total,
            expected: "fragment 0 first",
        })?;
        let expected = if pending.transaction_id != header.transaction_id {
            Some("the transaction being reassembled")
        } else if pending.message_type != header.message_type {
            Some("the message type being reassembled")
        } else if pending.total != total {
            Some("the same TotalFragments")
        } else if pending.next != current {
            Some("the next fragment")
        } else {
            None
        };
        if let Some(expected) = expected {
            return Err(MbimError::FragmentOutOfSequence {
                transaction_id: header.transaction_id,
                current,
                total,
                expected,
            });
        }
        if FRAGMENT_PAYLOAD_AT + pending.payload.len() + payload.len() > MAX_MESSAGE_LEN {
            return Err(MbimError::TooLong {
                what: "reassembled MBIM message",
                len: FRAGMENT_PAYLOAD_AT + pending.payload.len() + payload.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        pending.payload.extend_from_slice(payload);
        pending.next += 1;
        if pending.next < pending.total {
            self.pending = Some(pending);
            return Ok(None);
        }
        let mut message = Vec::with_capacity(FRAGMENT_PAYLOAD_AT + pending.payload.len());
        push_u32(&mut message, pending.message_type);
        push_u32(&mut message, as_u32(FRAGMENT_PAYLOAD_AT + pending.payload.len(), "MBIM message")?);
        push_u32(&mut message, pending.transaction_id);
        push_u32(&mut message, 1);
        push_u32(&mut message, 0);
        message.extend_from_slice(&pending.payload);
        Ok(Some(message))
    }
}
