//! Line framing of what a modem sends: `<CR><LF>text<CR><LF>` (ITU-T V.250 result code and
//! information text framing, as 3GPP TS 27.007 §4.2 uses it), read from a byte stream that
//! arrives in pieces of any size.
//!
//! Lines end at CR or LF, empty lines are skipped — the reading lpac's `at_expect`
//! (`driver/apdu/at_cmd_unix.c`) does: split at LF, cut at CR, skip empty. Bytes that are not
//! UTF-8 are replaced (U+FFFD), never an error: a garbled line is simply no answer.

/// The longest line kept: a `+CGLA:`/`+CSIM:` response of the largest APDU response
/// ([`MAX_RESPONSE_LEN`](crate::MAX_RESPONSE_LEN) bytes, two hex characters each) with room
/// for its prefix and length.
pub const MAX_LINE_LEN: usize = 2 * crate::MAX_RESPONSE_LEN + 64;

/// Bytes received and not yet cut into lines.
#[derive(Clone, Debug, Default)]
pub struct LineBuffer {
    pending: Vec<u8>,
}

/// A line longer than [`MAX_LINE_LEN`] arrived; what was buffered is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a line of more than {MAX_LINE_LEN} characters arrived")]
pub struct LineTooLong;

impl LineBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes as they arrived.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Drops everything buffered.
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The next complete non-empty line, without its terminator; `None` until one is complete.
    ///
    /// # Errors
    ///
    /// [`LineTooLong`] when more than [`MAX_LINE_LEN`] bytes arrived without a line end (the
    /// buffer is cleared).
    pub fn next_line(&mut self) -> Result<Option<String>, LineTooLong> {
        loop {
            let Some(end) = self.pending.iter().position(|b| matches!(b, b'\r' | b'\n')) else {
                if self.pending.len() > MAX_LINE_LEN {
                    self.pending.clear();
                    return Err(LineTooLong);
                }
                return Ok(None);
            };
            if end > MAX_LINE_LEN {
                self.pending.drain(..=end);
                return Err(LineTooLong);
            }
            let line: Vec<u8> = self.pending.drain(..=end).take(end).collect();
            if !line.is_empty() {
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    fn lines(buffer: &mut LineBuffer) -> Vec<String> {
        std::iter::from_fn(|| buffer.next_line().unwrap()).collect()
    }

    #[test]
    fn cuts_cr_lf_framed_lines_and_skips_empty_ones() {
        let mut buffer = LineBuffer::new();
        // lpac issue #143: `+CGLA: …`, an empty line, `OK`.
        buffer.push(b"\r\n+CGLA: 46,\"BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000\"\r\n\r\nOK\r\n");
        assert_eq!(
            lines(&mut buffer),
            ["+CGLA: 46,\"BF2E128010FDC5A60071053ABB4C0F91BC0620BCFD9000\"", "OK"]
        );
        assert!(buffer.is_empty());
    }

    #[test]
    fn keeps_a_partial_line_until_its_end_arrives() {
        let mut buffer = LineBuffer::new();
        buffer.push(b"\r\n+CCHO: ");
        assert_eq!(buffer.next_line().unwrap(), None);
        buffer.push(b"1\r");
        assert_eq!(buffer.next_line().unwrap().as_deref(), Some("+CCHO: 1"));
        buffer.push(b"\nOK");
        assert_eq!(buffer.next_line().unwrap(), None);
        buffer.push(b"\r\n");
        assert_eq!(buffer.next_line().unwrap().as_deref(), Some("OK"));
    }

    #[test]
    fn an_endless_line_is_an_error_and_is_dropped() {
        let mut buffer = LineBuffer::new();
        buffer.push(&vec![b'A'; MAX_LINE_LEN + 1]);
        assert_eq!(buffer.next_line(), Err(LineTooLong));
        assert!(buffer.is_empty());
        buffer.push(b"OK\r\n");
        assert_eq!(buffer.next_line().unwrap().as_deref(), Some("OK"));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_replaced() {
        let mut buffer = LineBuffer::new();
        buffer.push(b"\xFFOK\r\n");
        assert_eq!(buffer.next_line().unwrap().as_deref(), Some("\u{FFFD}OK"));
    }

    proptest! {
        /// Lines written with CR LF come back the same, however the bytes are cut.
        #[test]
        fn lines_survive_any_split(
            sent in proptest::collection::vec("[ -~]{1,40}", 0..8),
            cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            let mut wire = Vec::new();
            for line in &sent {
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(line.as_bytes());
                wire.extend_from_slice(b"\r\n");
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(wire.len())).collect();
            cuts.sort_unstable();
            let mut buffer = LineBuffer::new();
            let mut got = Vec::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([wire.len()]) {
                buffer.push(&wire[start..cut]);
                start = cut;
                while let Some(line) = buffer.next_line().unwrap() {
                    got.push(line);
                }
            }
            prop_assert_eq!(got, sent);
        }

        /// Any bytes: lines or an error, never a panic, never a line with a CR or LF in it.
        #[test]
        fn any_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..10)) {
            let mut buffer = LineBuffer::new();
            for chunk in chunks {
                buffer.push(&chunk);
                while let Ok(Some(line)) = buffer.next_line() {
                    prop_assert!(!line.is_empty() && !line.contains(['\r', '\n']));
                }
            }
        }
    }
}
