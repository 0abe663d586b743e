//! [`ManageChannel`]: what a MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2) sent in `AT+CSIM` did, read
//! from the command and the card's answer. [`AtModem`](super::AtModem) keeps the
//! channels the card layer opened that way apart from its `AT+CCHO` sessions; the simulated AT
//! modem of `oxicard-sim` counts them.

use super::session::MAX_CHANNEL;
use crate::modem::cla;

/// INS of MANAGE CHANNEL.
const INS_MANAGE_CHANNEL: u8 = 0x70;

/// A MANAGE CHANNEL that succeeded (`90 00`), and the channel it opened or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManageChannel {
    /// Channel opened (P1 `00`): the number P2 named, or the one the card chose (P2 `00`, the
    /// response's one data byte).
    Opened(u8),
    /// Channel closed (P1 `80`): the number P2 named, or the CLA's when P2 is `00`.
    Closed(u8),
}

impl ManageChannel {
    /// What `command` did, answered `response` (data and SW1 SW2): `None` unless it is a
    /// MANAGE CHANNEL the card answered `90 00` that names a channel 1..=19.
    pub fn of(command: &[u8], response: &[u8]) -> Option<Self> {
        let ([data @ .., 0x90, 0x00], [cla, INS_MANAGE_CHANNEL, p1, p2, ..]) = (response, command) else {
            return None;
        };
        let valid = |n: u8| (1..=MAX_CHANNEL).contains(&n).then_some(n);
        match (*p1, *p2, data) {
            (0x00, 0x00, [number]) => valid(*number).map(Self::Opened),
            (0x00, number, _) => valid(number).map(Self::Opened),
            (0x80, 0x00, _) => cla::channel(*cla).and_then(valid).map(Self::Closed),
            (0x80, number, _) => valid(number).map(Self::Closed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ManageChannel::{self, Closed, Opened};

    #[test]
    fn manage_channel_in_csim() {
        let of = ManageChannel::of;
        // lpac `driver/apdu/at_etsi_csim.c`: open `0070000001` → `019000`, close `0070800100`.
        assert_eq!(of(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x01, 0x90, 0x00]), Some(Opened(1)));
        assert_eq!(of(&[0x00, 0x70, 0x80, 0x01, 0x00], &[0x90, 0x00]), Some(Closed(1)));
        // pySim `pySim/commands.py` `manage_channel` (`CLA 70 P1 nn`, no Le): `00 70 00 02`,
        // `00 70 80 02`; and a close by the CLA's channel.
        assert_eq!(of(&[0x00, 0x70, 0x00, 0x02], &[0x90, 0x00]), Some(Opened(2)));
        assert_eq!(of(&[0x00, 0x70, 0x80, 0x02], &[0x90, 0x00]), Some(Closed(2)));
        assert_eq!(of(&[0x03, 0x70, 0x80, 0x00], &[0x90, 0x00]), Some(Closed(3)));
        // Refused, no channel number, the basic channel, or no MANAGE CHANNEL at all.
        assert_eq!(of(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x6A, 0x81]), None);
        assert_eq!(of(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x90, 0x00]), None);
        assert_eq!(of(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x14, 0x90, 0x00]), None);
        assert_eq!(of(&[0x00, 0x70, 0x80, 0x00], &[0x90, 0x00]), None);
        assert_eq!(of(&[0x81, 0xE2, 0x91, 0x00], &[0x90, 0x00]), None);
    }
}
