//! Messages out of a byte stream. A cdc-wdm device returns one message per `read`, but a
//! pseudo-terminal or a socket is a byte stream: messages are cut out by their `MessageLength`,
//! whatever the reads delivered (part of a message, several messages).

use super::error::MbimError;
use super::message::HEADER_LEN;
use super::wire::u32_at;

/// Bytes received and not yet cut into messages.
#[derive(Debug)]
pub struct FrameBuffer {
    bytes: Vec<u8>,
    max_message: usize,
}

impl FrameBuffer {
    /// A buffer that accepts messages (fragments) of at most `max_message` bytes: a longer
    /// `MessageLength` is an error, not a wait for bytes that would never make sense.
    pub fn new(max_message: usize) -> Self {
        Self { bytes: Vec::new(), max_message: max_message.max(HEADER_LEN) }
    }

    /// Adds received bytes.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// `true` when no byte is waiting.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Drops every byte waiting (after an error the stream is out of step).
    pub fn clear(&mut self) {
        self.bytes.clear();
    }

    /// The next whole message, if all its bytes are in.
    ///
    /// # Errors
    ///
    /// [`MbimError::BadMessageLength`] for a `MessageLength` below 12 or above the maximum; the
    /// buffer is cleared then (the stream cannot be followed any more).
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, MbimError> {
        let Some(declared) = u32_at(&self.bytes, 4) else {
            return Ok(None);
        };
        let length =
            usize::try_from(declared).ok().filter(|len| (HEADER_LEN..=self.max_message).contains(len));
        let Some(length) = length else {
            self.bytes.clear();
            return Err(MbimError::BadMessageLength { declared, max: self.max_message });
        };
        if self.bytes.len() < length {
            return Ok(None);
        }
        let rest = self.bytes.split_off(length);
        Ok(Some(std::mem::replace(&mut self.bytes, rest)))
    }
}
