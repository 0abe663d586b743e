//! The transmission engine: extended length or chaining on the way out,
//! `6Cxx` re-sends and `61xx` GET RESPONSE rounds on the way back.

use alloc::vec::Vec;
use oxicard_transport::Transport;

use super::{Card, CardError, GetResponseCla};
use crate::{Cla, CommandView, StatusWord, chain};

/// Short-form limits (ISO/IEC 7816-4 §5.1).
const SHORT_MAX_NC: usize = 255;
const SHORT_MAX_NE: u32 = 256;

/// INS of GET RESPONSE (ISO/IEC 7816-4 §7.6.1).
const INS_GET_RESPONSE: u8 = 0xC0;

pub(super) fn transmit<T: Transport>(
    card: &mut Card<T>,
    command: &CommandView<'_>,
    data: &mut Vec<u8>,
) -> Result<StatusWord, CardError> {
    if !command.is_extended() || card.caps.extended_length {
        return with_followups(card, command, data);
    }
    // The command wants extended length and the card has none: short form, the
    // data through command chaining, the response through 61xx rounds.
    let short = command.with_extended(false).with_ne(command.ne().min(SHORT_MAX_NE));
    let nc = command.data().len();
    if nc <= SHORT_MAX_NC {
        return with_followups(card, &short, data);
    }
    if !card.caps.command_chaining {
        return Err(CardError::DataTooLong { len: nc });
    }
    let parts = chain::split(&short, SHORT_MAX_NC).map_err(CardError::Encode)?;
    let count = parts.len();
    for (index, part) in parts.enumerate() {
        if index + 1 == count {
            return with_followups(card, &part, data);
        }
        let sw = exchange(card, &part)?;
        if sw != StatusWord::SUCCESS {
            return Err(CardError::ChainingRefused { part: index, sw });
        }
    }
    // `split` yields at least one part, so the loop returned.
    Err(CardError::DataTooLong { len: nc })
}

/// Sends `command`, then follows `6Cxx` and `61xx` until a final status word.
fn with_followups<T: Transport>(
    card: &mut Card<T>,
    command: &CommandView<'_>,
    data: &mut Vec<u8>,
) -> Result<StatusWord, CardError> {
    let mut current = *command;
    let mut rounds = 0usize;
    loop {
        let sw = exchange(card, &current)?;
        if let Some(exact) = sw.exact_length() {
            // 6Cxx: wrong Le; the same command again with Le = xx. Data of this answer is dropped.
            current = current.with_ne(u32::try_from(exact).unwrap_or(SHORT_MAX_NE));
        } else {
            append_data(card, data)?;
            let Some(available) = sw.bytes_available() else { return Ok(sw) };
            current = get_response(card.config.get_response_cla, command.cla(), available);
        }
        rounds += 1;
        if rounds > card.config.max_rounds {
            return Err(CardError::TooManyRounds { rounds });
        }
    }
}

/// GET RESPONSE for `available` bytes, on the channel of the command it continues.
fn get_response(style: GetResponseCla, command_cla: u8, available: usize) -> CommandView<'static> {
    let cla = match style {
        GetResponseCla::Interindustry => {
            Cla(0x00).with_channel(Cla(command_cla).channel()).map_or(0x00, |c| c.0)
        }
        GetResponseCla::SameAsCommand => Cla(command_cla).with_chaining(false).0,
    };
    CommandView::new(cla, INS_GET_RESPONSE, 0x00, 0x00)
        .with_ne(u32::try_from(available).unwrap_or(SHORT_MAX_NE))
}

/// One raw exchange; the response stays in the card's response buffer.
fn exchange<T: Transport>(card: &mut Card<T>, command: &CommandView<'_>) -> Result<StatusWord, CardError> {
    let len = command.encode_into(&mut card.command_buf).map_err(CardError::Encode)?;
    let encoded = card
        .command_buf
        .get(..len)
        .ok_or(CardError::Encode(crate::Error::new(crate::ErrorKind::BufferTooSmall, len)))?;
    let received = card.transport.transmit(encoded, &mut card.response_buf)?;
    // A transport that reports more than it wrote gave no response this layer can read.
    let response = card.response_buf.get(..received).ok_or(CardError::MalformedResponse { len: received })?;
    card.response_len = received;
    match response {
        [.., sw1, sw2] => Ok(StatusWord::new(*sw1, *sw2)),
        _ => Err(CardError::MalformedResponse { len: received }),
    }
}

/// Appends the data of the last response (without its status word) to `data`.
fn append_data<T>(card: &Card<T>, data: &mut Vec<u8>) -> Result<(), CardError> {
    let Some([body @ .., _, _]) = card.response_buf.get(..card.response_len) else {
        return Err(CardError::MalformedResponse { len: card.response_len });
    };
    if data.len().saturating_add(body.len()) > card.config.max_response_len {
        return Err(CardError::ResponseTooLong { limit: card.config.max_response_len });
    }
    data.extend_from_slice(body);
    Ok(())
}
