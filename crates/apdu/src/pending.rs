//! The card side of GET RESPONSE (ISO/IEC 7816-4 §5.3.4 and §7.6.1): a response longer than
//! the command accepts is handed out in parts, `61xx` while more follows, the final status
//! word with the last part. For card simulators (this crate's [`testcard`](crate::testcard),
//! the SCP03 test card, the software eUICC, the simulated GP card) so that none of them
//! carries its own copy.

use alloc::vec::Vec;

use crate::StatusWord;

/// What one channel still has to hand out through GET RESPONSE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingResponse {
    data: Vec<u8>,
    pos: usize,
    sw: StatusWord,
}

impl PendingResponse {
    /// Nothing pending.
    pub const fn new() -> Self {
        Self { data: Vec::new(), pos: 0, sw: StatusWord::SUCCESS }
    }

    /// Answers with `data` and the status word `sw`: the first `first` bytes go to `out` now,
    /// the rest waits for GET RESPONSE (replacing whatever was pending). Returns `sw` when
    /// nothing waits, else `61xx`.
    pub fn respond(&mut self, data: &[u8], first: usize, sw: StatusWord, out: &mut Vec<u8>) -> StatusWord {
        let (now, later) = data.split_at(first.min(data.len()));
        out.extend_from_slice(now);
        self.clear();
        if later.is_empty() {
            return sw;
        }
        self.data.extend_from_slice(later);
        self.sw = sw;
        StatusWord::bytes_remaining(later.len())
    }

    /// GET RESPONSE asking for `ne` bytes (the caller maps Le `00` to 256): the next part into
    /// `out`, then `61xx` while more follows or the final status word; `6985` (conditions of
    /// use not satisfied) when nothing is pending.
    pub fn get_response(&mut self, ne: usize, out: &mut Vec<u8>) -> StatusWord {
        let rest = match self.data.split_at_checked(self.pos) {
            Some((_, rest)) if !rest.is_empty() => rest,
            _ => return StatusWord::CONDITIONS_NOT_SATISFIED,
        };
        // At most `ne` bytes: all that is left when less than `ne` is.
        let part = rest.get(..ne).unwrap_or(rest);
        out.extend_from_slice(part);
        self.pos += part.len();
        let remaining = self.data.len() - self.pos;
        if remaining > 0 {
            return StatusWord::bytes_remaining(remaining);
        }
        let sw = self.sw;
        self.clear();
        sw
    }

    /// Drops what is pending (any command other than GET RESPONSE does, ISO/IEC 7816-4 §7.6.1).
    pub fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
        self.sw = StatusWord::SUCCESS;
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_then_the_final_status_word() {
        let mut p = PendingResponse::new();
        let data: Vec<u8> = (0..=255).chain(0..44).collect(); // 300 bytes
        let mut out = Vec::new();
        // `6310` (more data, GET STATUS) comes back with the last part, not before.
        assert_eq!(p.respond(&data, 200, StatusWord::new(0x63, 0x10), &mut out), StatusWord::new(0x61, 100));
        assert_eq!(out, data[..200]);
        out.clear();
        assert_eq!(p.get_response(64, &mut out), StatusWord::new(0x61, 36));
        assert_eq!(p.get_response(256, &mut out), StatusWord::new(0x63, 0x10));
        assert_eq!(out, data[200..]);
        assert!(p.is_empty());
        assert_eq!(p.get_response(256, &mut out), StatusWord::CONDITIONS_NOT_SATISFIED);
    }

    #[test]
    fn everything_fits_or_everything_waits() {
        let mut p = PendingResponse::new();
        let mut out = Vec::new();
        assert_eq!(p.respond(b"abc", 10, StatusWord::SUCCESS, &mut out), StatusWord::SUCCESS);
        assert_eq!((out.as_slice(), p.is_empty()), (&b"abc"[..], true));
        out.clear();
        // 300 bytes wait: `6100` means 256 or more.
        assert_eq!(p.respond(&[7; 300], 0, StatusWord::SUCCESS, &mut out), StatusWord::new(0x61, 0x00));
        assert!(out.is_empty());
        p.clear();
        assert_eq!(p.get_response(256, &mut out), StatusWord::CONDITIONS_NOT_SATISFIED);
    }
}
