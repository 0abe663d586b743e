//! QMUX frames out of a byte stream.
//!
//! A cdc-wdm device returns one frame per `read()`, a pseudo-terminal or a socket a stream in
//! which a frame may arrive in pieces or several frames together: the QMUX length after the
//! marker says where each frame ends (libqmi `src/libqmi-glib/test/test-message.c`, the
//! `parse/short`, `complete-and-short` and `complete-and-complete` cases).

use super::QmiError;
use super::message::QMUX_MARKER;

/// The marker and the QMUX header: the shortest frame libqmi accepts before the QMI header.
const MIN_FRAME_LEN: usize = 6;

/// Collects bytes from a stream and hands out whole QMUX frames.
#[derive(Clone, Debug, Default)]
pub struct QmuxReader {
    pending: Vec<u8>,
}

impl QmuxReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Bytes received and not yet handed out in a frame.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Forgets the bytes received so far.
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The next whole frame (marker to last TLV byte), `None` while it is still incomplete. The
    /// frame's contents are checked by [`QmiMessage::decode`](super::QmiMessage::decode).
    ///
    /// # Errors
    ///
    /// [`QmiError::Malformed`] when the bytes cannot start a frame (a marker other than `01`, a
    /// QMUX length shorter than the QMUX header); the bytes received so far are dropped, since
    /// nothing says where the next frame would start.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, QmiError> {
        let Some(&marker) = self.pending.first() else { return Ok(None) };
        if marker != QMUX_MARKER {
            self.pending.clear();
            return Err(QmiError::Malformed("the marker is not 01"));
        }
        let Some(&[_, len_lo, len_hi]) = self.pending.first_chunk() else { return Ok(None) };
        let len = 1 + usize::from(u16::from_le_bytes([len_lo, len_hi]));
        if len < MIN_FRAME_LEN {
            self.pending.clear();
            return Err(QmiError::Malformed("the QMUX length is shorter than the QMUX header"));
        }
        if self.pending.len() < len {
            return Ok(None);
        }
        let rest = self.pending.split_off(len);
        Ok(Some(std::mem::replace(&mut self.pending, rest)))
    }
}
