//! What the modem does on the card for `AT+CCHO` / `AT+CCHC`: MANAGE CHANNEL (ISO/IEC 7816-4
//! §7.1.2) and SELECT by DF name (§7.1.1) on the new channel, GET RESPONSE (§7.6.1) while
//! the card answers `61xx` — the sequence 3GPP TS 27.007 §8.45 describes ("The currently
//! selected UICC will open a new logical channel; select the application identified by the
//! `<dfname>`") — and the CLA rewrite of the §8.45 NOTE for `AT+CGLA`.

use oxicard_apdu::Cla;
use oxicard_transport::{MAX_RESPONSE_LEN, Transport};

/// GET RESPONSE rounds followed at most, so a card answering `61xx` forever cannot hold the
/// modem.
const MAX_GET_RESPONSE: usize = 64;

/// Sends `apdu` to `card`; its response (data and SW1 SW2), or `None` when the card could not
/// be reached or answered less than a status word.
pub(super) fn transmit(card: &mut dyn Transport, scratch: &mut Vec<u8>, apdu: &[u8]) -> Option<Vec<u8>> {
    scratch.resize(MAX_RESPONSE_LEN, 0);
    let len = card.exchange(apdu, scratch).ok()?;
    let response = scratch.get(..len)?;
    (response.len() >= 2).then(|| response.to_vec())
}

/// The status word of `response` (at least two bytes, as [`transmit`] gives).
fn sw(response: &[u8]) -> [u8; 2] {
    match response {
        [.., sw1, sw2] => [*sw1, *sw2],
        _ => [0x6F, 0x00],
    }
}

/// MANAGE CHANNEL open (`00 70 00 00 01`), then SELECT of `aid` on the channel with the FCI
/// requested (P2 `00`, Le `00`) and GET RESPONSE while `61xx` — the response is dropped, as
/// `AT+CCHO` returns none. The channel, or `None` when the card refused (a channel the SELECT
/// failed on is closed again).
pub(super) fn open_channel(card: &mut dyn Transport, scratch: &mut Vec<u8>, aid: &[u8]) -> Option<u8> {
    let opened = transmit(card, scratch, &[0x00, 0x70, 0x00, 0x00, 0x01])?;
    let channel = match opened.as_slice() {
        [channel @ 1..=Cla::MAX_CHANNEL, 0x90, 0x00] => *channel,
        _ => return None,
    };
    let cla = Cla(0x00).with_channel(channel).ok()?.0;
    let mut select = vec![cla, 0xA4, 0x04, 0x00, u8::try_from(aid.len()).ok()?];
    select.extend_from_slice(aid);
    select.push(0x00);
    let mut response = transmit(card, scratch, &select);
    for _ in 0..MAX_GET_RESPONSE {
        match response.as_deref().map(sw) {
            Some([0x61, le]) => response = transmit(card, scratch, &[cla, 0xC0, 0x00, 0x00, le]),
            _ => break,
        }
    }
    if response.as_deref().map(sw) == Some([0x90, 0x00]) {
        Some(channel)
    } else {
        close_channel(card, scratch, channel);
        None
    }
}

/// MANAGE CHANNEL close of `channel` (`00 70 80 nn`); whether the card agreed.
pub(super) fn close_channel(card: &mut dyn Transport, scratch: &mut Vec<u8>, channel: u8) -> bool {
    transmit(card, scratch, &[0x00, 0x70, 0x80, channel])
        .is_some_and(|response| sw(&response) == [0x90, 0x00])
}

/// `apdu` with the channel bits of its CLA set to `channel` (27.007 §8.45 NOTE: "it will be up
/// to the MT to manage the logical channel part of the APDU CLASS byte"); unchanged when the
/// CLA is `FF`.
pub(super) fn on_channel(apdu: &[u8], channel: u8) -> Vec<u8> {
    let mut patched = apdu.to_vec();
    if let Some(cla) = patched.first_mut()
        && let Ok(moved) = Cla(*cla).with_channel(channel)
    {
        *cla = moved.0;
    }
    patched
}

/// Card channels MANAGE CHANNEL opened or closed through `AT+CSIM`: `(opened, closed)` as
/// `apdu` and its `response` tell.
pub(super) fn manage_channel_effect(apdu: &[u8], response: &[u8]) -> (Option<u8>, Option<u8>) {
    if sw(response) != [0x90, 0x00] {
        return (None, None);
    }
    match apdu {
        [_, 0x70, 0x00, 0x00, ..] => (response.first().copied().filter(|_| response.len() == 3), None),
        [_, 0x70, 0x00, p2 @ 1..=Cla::MAX_CHANNEL, ..] => (Some(*p2), None),
        [cla, 0x70, 0x80, 0x00, ..] => (None, Some(Cla(*cla).channel())),
        [_, 0x70, 0x80, p2 @ 1..=Cla::MAX_CHANNEL, ..] => (None, Some(*p2)),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn cla_channel_bits_follow_the_session() {
        // lpac sends its own index (issue #143: `81E2…`); the modem's channel replaces it.
        assert_eq!(on_channel(&[0x81, 0xE2, 0x91, 0x00], 2), [0x82, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0x80, 0xE2, 0x91, 0x00], 1), [0x81, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0x81, 0xE2, 0x91, 0x00], 5), [0xC1, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0xFF, 0xE2], 1), [0xFF, 0xE2]);
    }

    #[test]
    fn manage_channel_through_csim_is_tracked() {
        // lpac `at_etsi_csim.c`: open `0070000001` → `019000`, close `0070800100`.
        assert_eq!(
            manage_channel_effect(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x01, 0x90, 0x00]),
            (Some(1), None)
        );
        assert_eq!(manage_channel_effect(&[0x00, 0x70, 0x80, 0x01, 0x00], &[0x90, 0x00]), (None, Some(1)));
        assert_eq!(manage_channel_effect(&[0x00, 0x70, 0x00, 0x02], &[0x90, 0x00]), (Some(2), None));
        assert_eq!(manage_channel_effect(&[0x00, 0x70, 0x00, 0x00, 0x01], &[0x6A, 0x81]), (None, None));
        assert_eq!(manage_channel_effect(&[0x81, 0xE2, 0x91, 0x00], &[0x90, 0x00]), (None, None));
    }
}
