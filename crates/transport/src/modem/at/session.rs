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

/// What a MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2) sent by the card layer in `AT+CSIM` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ManageChannel {
    /// Channel opened: the number P2 named, or the card chose (the response's first byte).
    Opened(u8),
    /// Channel closed: the number P2 named, or the CLA's when P2 is `00`.
    Closed(u8),
}

/// What `command` did, answered `response` (data and SW1 SW2), if it is a MANAGE CHANNEL that
/// succeeded.
pub(super) fn manage_channel(command: &[u8], response: &[u8]) -> Option<ManageChannel> {
    let ([data @ .., 0x90, 0x00], [cla, 0x70, p1, p2, ..]) = (response, command) else {
        return None;
    };
    let valid = |n: u8| (1..=MAX_CHANNEL).contains(&n).then_some(n);
    match (*p1, *p2, data) {
        (0x00, 0x00, [number]) => valid(*number).map(ManageChannel::Opened),
        (0x00, number, _) => valid(number).map(ManageChannel::Opened),
        (0x80, 0x00, _) => channel_of(*cla).and_then(valid).map(ManageChannel::Closed),
        (0x80, number, _) => valid(number).map(ManageChannel::Closed),
        _ => None,
    }
}

/// The logical channel a class byte names (ISO/IEC 7816-4 §5.4.1): b2 b1 in the first
/// interindustry coding (`0x`–`3x`, and the proprietary `8x`–`Bx`), 4 + b4..b1 in the further
/// coding (b7 set); `None` for the invalid `FF`.
pub(super) fn channel_of(cla: u8) -> Option<u8> {
    match cla {
        0xFF => None,
        _ if cla & 0x40 != 0 => Some(4 + (cla & 0x0F)),
        _ => Some(cla & 0x03),
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

    #[test]
    fn manage_channel_in_csim() {
        use ManageChannel::{Closed, Opened};
        // lpac `driver/apdu/at_etsi_csim.c`: open `0070000001` → `019000`, close `0070800100`.
        assert_eq!(manage_channel(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x01, 0x90, 0x00]), Some(Opened(1)));
        assert_eq!(manage_channel(&[0x00, 0x70, 0x80, 0x01, 0x00], &[0x90, 0x00]), Some(Closed(1)));
        // pySim's forms (`00 70 00 02`, `00 70 80 02`), and a close by the CLA's channel.
        assert_eq!(manage_channel(&[0x00, 0x70, 0x00, 0x02], &[0x90, 0x00]), Some(Opened(2)));
        assert_eq!(manage_channel(&[0x03, 0x70, 0x80, 0x00], &[0x90, 0x00]), Some(Closed(3)));
        // Refused, or no MANAGE CHANNEL.
        assert_eq!(manage_channel(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x6A, 0x81]), None);
        assert_eq!(manage_channel(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x14, 0x90, 0x00]), None);
        assert_eq!(manage_channel(&[0x81, 0xE2, 0x91, 0x00], &[0x90, 0x00]), None);
    }

    #[test]
    fn channels_of_class_bytes() {
        // `81` (lpac issue #143: STORE DATA on channel 1), `00`, `03`, `C0` (4), `4F` (19), `FF`.
        for (cla, channel) in [
            (0x81, Some(1)),
            (0x00, Some(0)),
            (0x03, Some(3)),
            (0xC0, Some(4)),
            (0x4F, Some(19)),
            (0xFF, None),
        ] {
            assert_eq!(channel_of(cla), channel, "{cla:02X}");
        }
    }
}
