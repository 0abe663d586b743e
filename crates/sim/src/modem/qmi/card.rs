//! What a modem does on the card itself: MANAGE CHANNEL open and close (ISO/IEC 7816-4
//! §11.1.2) and SELECT by DF name (§11.2.2) on a channel, following `61xx` with GET RESPONSE
//! and `6Cxx` with the exact Le (§5.3.4).

use oxicard_transport::{MAX_RESPONSE_LEN, Transport, TransportError};

/// SW1 SW2 of success.
pub(super) const SW_SUCCESS: [u8; 2] = [0x90, 0x00];
/// How many GET RESPONSE / 6Cxx rounds one SELECT may take.
const MAX_ROUNDS: usize = 32;

/// The class byte of channel `channel` (ISO/IEC 7816-4 §5.4.1): `0n` for 0–3, `4x` for 4–19.
pub(super) fn cla(channel: u8) -> u8 {
    if channel < 4 { channel } else { 0x40 | (channel.saturating_sub(4) & 0x0F) }
}

/// Sends `command` and splits the response into data and SW1 SW2.
pub(super) fn transmit(
    card: &mut dyn Transport,
    command: &[u8],
) -> Result<(Vec<u8>, [u8; 2]), TransportError> {
    let mut response = vec![0; MAX_RESPONSE_LEN];
    let n = card.transmit(command, &mut response)?;
    response.truncate(n);
    let Some((data, &[sw1, sw2])) = response.split_last_chunk::<2>() else {
        return Err(TransportError::new(oxicard_transport::ErrorKind::Other)
            .with_detail("a response without SW1 SW2"));
    };
    Ok((data.to_vec(), [sw1, sw2]))
}

/// MANAGE CHANNEL open (`00 70 00 00 01`): the channel number the card assigned, or the status
/// word it refused with.
pub(super) fn open_channel(card: &mut dyn Transport) -> Result<Result<u8, [u8; 2]>, TransportError> {
    let (data, sw) = transmit(card, &[0x00, 0x70, 0x00, 0x00, 0x01])?;
    Ok(match (sw, data.as_slice()) {
        (SW_SUCCESS, &[channel @ 1..=19]) => Ok(channel),
        (SW_SUCCESS, _) => Err([0x6F, 0x00]),
        (sw, _) => Err(sw),
    })
}

/// MANAGE CHANNEL close (`00 70 80 nn`): the card's status word.
pub(super) fn close_channel(card: &mut dyn Transport, channel: u8) -> Result<[u8; 2], TransportError> {
    Ok(transmit(card, &[0x00, 0x70, 0x80, channel])?.1)
}

/// SELECT by DF name of `aid` on `channel`, first occurrence, FCI returned (`P2 00`, Le `00`),
/// with the whole response collected: data and the final status word.
pub(super) fn select(
    card: &mut dyn Transport,
    channel: u8,
    aid: &[u8],
) -> Result<(Vec<u8>, [u8; 2]), TransportError> {
    let class = cla(channel);
    let mut command = vec![class, 0xA4, 0x04, 0x00];
    // AIDs come from a u8-prefixed TLV: at most 255 bytes.
    command.push(u8::try_from(aid.len()).unwrap_or(u8::MAX));
    command.extend_from_slice(aid);
    command.push(0x00);
    let mut data = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let (chunk, sw) = transmit(card, &command)?;
        data.extend_from_slice(&chunk);
        match sw {
            [0x61, le] => command = vec![class, 0xC0, 0x00, 0x00, le],
            [0x6C, le] => {
                if let Some(last) = command.last_mut() {
                    *last = le;
                }
            }
            sw => return Ok((data, sw)),
        }
    }
    Ok((data, [0x6F, 0x00]))
}
