//! The sessions `AT+CCHO` opened, each under a channel number the card layer puts in CLA.
//!
//! A `<sessionid>` is a handle between TE and MT, not a channel number (3GPP TS 27.007 §8.45:
//! "integer type"; a Sierra MC7455 answers `000000000385a7cf`, lpac issue #138), so it is kept
//! as the string the modem sent. The card layer still needs a channel number 1..=19 for its
//! CLA (ISO/IEC 7816-4 §5.4.1): each session gets the lowest number free here, and
//! [`exchange`](crate::Transport::exchange) routes a command to the session its CLA names.
//!
//! The CLA then goes to the modem with that number in it, as lpac does: its own index 1..20 in
//! the CLA low bits (`euicc/euicc.c`, `es10x_transmit`) with `+CGLA=<id>` of the session —
//! `81E2…` on session 1 in the issue #143 log. The §8.45 NOTE makes the MT "manage the logical
//! channel part of the APDU CLASS byte" of the session, so a modem that follows it overwrites
//! those bits. One that passes the CLA on unchanged still reaches the right channel in the
//! common case, the first session on a card with nothing else open, where the modem's channel
//! and ours are both 1. Sending the bits as zero (how lpac issue #138 reads the NOTE) would reach
//! the basic channel on such a modem instead.

/// The highest channel number (ISO/IEC 7816-4 §5.4.1).
pub(super) const MAX_CHANNEL: u8 = 19;

/// Sessions by channel number.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    open: Vec<(u8, String)>,
}

impl Sessions {
    /// Files `id` under the lowest channel number neither a session nor `taken` has; `None`
    /// when all 19 are taken.
    pub(super) fn insert(&mut self, id: String, taken: &[u8]) -> Option<u8> {
        let number =
            (1..=MAX_CHANNEL).find(|n| !taken.contains(n) && !self.open.iter().any(|(open, _)| open == n))?;
        self.open.push((number, id));
        Some(number)
    }

    /// The session of channel `number`.
    pub(super) fn get(&self, number: u8) -> Option<&str> {
        self.open.iter().find(|(open, _)| *open == number).map(|(_, id)| id.as_str())
    }

    /// Forgets channel `number`, returning its session.
    pub(super) fn remove(&mut self, number: u8) -> Option<String> {
        let index = self.open.iter().position(|(open, _)| *open == number)?;
        Some(self.open.swap_remove(index).1)
    }

    /// Forgets every session, returning them.
    pub(super) fn take_all(&mut self) -> Vec<(u8, String)> {
        std::mem::take(&mut self.open)
    }

    /// How many sessions are open.
    pub(super) fn len(&self) -> usize {
        self.open.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn numbers_are_the_lowest_free_ones() {
        let mut sessions = Sessions::default();
        assert_eq!(sessions.insert("000000000385a7cf".into(), &[]), Some(1));
        assert_eq!(sessions.insert("7".into(), &[]), Some(2));
        assert_eq!(sessions.remove(1).as_deref(), Some("000000000385a7cf"));
        // 1 is the card layer's (MANAGE CHANNEL in AT+CSIM): skipped.
        assert_eq!(sessions.insert("8".into(), &[1]), Some(3));
        assert_eq!(sessions.insert("9".into(), &[]), Some(1));
        assert_eq!(sessions.get(2), Some("7"));
        assert_eq!(sessions.get(4), None);
        for n in 4..=MAX_CHANNEL {
            assert_eq!(sessions.insert(n.to_string(), &[]), Some(n));
        }
        assert_eq!(sessions.insert("20".into(), &[]), None);
        assert_eq!(sessions.len(), 19);
        assert_eq!(sessions.take_all().len(), 19);
        assert_eq!(sessions.len(), 0);
    }
}
