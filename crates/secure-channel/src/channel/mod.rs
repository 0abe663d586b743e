//! The host side of a secure channel over the `oxicard-apdu` card layer, one implementation for
//! SCP03 ([`Scp03Session`](crate::scp03::Scp03Session)) and SCP02
//! ([`Scp02Session`](crate::scp02::Scp02Session)): both wrap a command, send it (with the card
//! layer's GET RESPONSE handling) and unwrap the complete response (GP Card Spec Amendment D
//! §6.2.4–§6.2.7; GPC v2.3.1 §E.4.4–§E.4.6). What differs between the protocols is the host
//! session underneath ([`SecureMessaging`]) and the error type ([`SessionError`]).

mod error;

use core::fmt;
use std::vec::Vec;

use oxicard_apdu::card::{CardChannel, CardError};
use oxicard_apdu::{Cla, CommandView, Response, ResponseView, StatusWord};

pub(crate) use self::error::{SessionError, from_card_error, into_card_error, session_error_impls};
use crate::error::{Error, ErrorKind, Result};

/// The host session of a protocol, as the card-layer session drives it: implemented by
/// [`scp03::HostSession`](crate::scp03::HostSession) and
/// [`scp02::HostSession`](crate::scp02::HostSession).
pub(crate) trait SecureMessaging {
    /// The public session type's name, for `Debug`.
    const NAME: &'static str;
    /// The session state, for `Debug`.
    type State: fmt::Debug;
    /// The error of the public session type.
    type Error: SessionError;

    /// The session state.
    fn state(&self) -> &Self::State;
    /// Whether the session is terminated.
    fn is_terminated(&self) -> bool;
    /// The logical channel the session runs on.
    fn channel(&self) -> u8;
    /// The wire length of a plain command once wrapped.
    fn wrapped_len(&self, command: &[u8]) -> Result<usize>;
    /// Wraps a plain command into `out`; returns the wire length.
    fn wrap(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize>;
    /// Unwraps a response (data || SW) into `out`; returns the plain length.
    fn unwrap(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize>;
    /// Terminates the session (keys wiped).
    fn terminate(&mut self);
    /// The largest plain data length whose protection at the session's level fits `limit`
    /// bytes of command data.
    fn max_command_data(&self, limit: usize) -> usize;
}

/// The largest plain data length whose protection fits `limit` bytes: a MAC of `mac` bytes,
/// and with `encrypted` the padding to a multiple of `block` with at least one byte
/// (ISO/IEC 9797-1 method 2; Amendment D §6.2.6, GPC v2.3.1 §B.1.3), so the encrypted
/// length is `(n / block + 1) × block`.
pub(crate) const fn protected_max_data(limit: usize, mac: usize, block: usize, encrypted: bool) -> usize {
    let room = limit.saturating_sub(mac);
    if encrypted { (room / block * block).saturating_sub(1) } else { room }
}

/// Reusable buffers: the plain command, the wrapped command, the unwrapped response.
#[derive(Debug, Default)]
struct Buffers {
    plain: Vec<u8>,
    wire: Vec<u8>,
    response: Vec<u8>,
}

/// Resizes `buf` to at least `len` bytes (it only grows) and returns the first `len`.
fn room(buf: &mut Vec<u8>, len: usize) -> &mut [u8] {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let (head, _) = buf.split_at_mut(len);
    head
}

/// Sends raw command bytes on `channel`; returns data || SW in `out`.
pub(crate) fn exchange<C: CardChannel, E: SessionError>(
    channel: &mut C,
    command: &[u8],
    out: &mut Vec<u8>,
) -> core::result::Result<StatusWord, E> {
    let view = CommandView::parse(command).map_err(E::encode)?;
    let sw = channel.transmit_into(&view, out).map_err(E::from)?;
    out.extend_from_slice(&sw.to_bytes());
    Ok(sw)
}

/// A step of opening a session: sends `command` on `channel`, the response data || SW in
/// `out`; a status word other than `9000` is the error `refused` makes of it.
pub(crate) fn step<C: CardChannel, E: SessionError>(
    channel: &mut C,
    command: &[u8],
    out: &mut Vec<u8>,
    refused: impl FnOnce(StatusWord) -> E,
) -> core::result::Result<StatusWord, E> {
    let sw = exchange::<C, E>(channel, command, out)?;
    if sw != StatusWord::SUCCESS {
        return Err(refused(sw));
    }
    Ok(sw)
}

/// Maps an error of a session call: security failures terminated the session.
pub(crate) fn session_error<E: SessionError>(error: Error) -> E {
    match error.kind {
        ErrorKind::Terminated => E::terminated(),
        kind if kind.is_security_failure() => E::security_failure(error),
        _ => E::command(error),
    }
}

/// An open session on a card channel (host side): the channel `C`, the protocol's host
/// session `H`, what the card said when the session was opened (`I`), and the buffers that
/// make [`transmit_into`](Self::transmit_into) allocation-free once grown.
pub(crate) struct Session<H, C, I> {
    channel: C,
    host: H,
    info: I,
    buffers: Buffers,
}

impl<H: SecureMessaging, C, I: fmt::Debug> fmt::Debug for Session<H, C, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(H::NAME)
            .field("state", self.host.state())
            .field("card_info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<H: SecureMessaging, C: CardChannel, I> Session<H, C, I> {
    /// A session of `host` on `channel`.
    pub(crate) fn new(channel: C, host: H, info: I) -> Self {
        Self { channel, host, info, buffers: Buffers::default() }
    }

    /// The host session.
    pub(crate) fn host(&self) -> &H {
        &self.host
    }

    /// The host session, to change its settings.
    pub(crate) fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// What the card said when the session was opened.
    pub(crate) fn info(&self) -> &I {
        &self.info
    }

    /// The channel underneath.
    pub(crate) fn channel(&self) -> &C {
        &self.channel
    }

    /// Wraps `command`, sends it and returns the unwrapped response.
    pub(crate) fn transmit(&mut self, command: &CommandView<'_>) -> core::result::Result<Response, H::Error> {
        let mut data = Vec::new();
        let sw = self.transmit_into(command, &mut data)?;
        Ok(Response::new(data, sw))
    }

    /// Wraps `command` (built for the basic channel; its CLA is moved to the session's
    /// channel), sends it, and unwraps the response: the plain response data replaces
    /// `data`'s contents and the status word is returned. A failed exchange terminates the
    /// session; a failed unwrap leaves `data` empty.
    pub(crate) fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> core::result::Result<StatusWord, H::Error> {
        data.clear();
        if self.host.is_terminated() {
            return Err(H::Error::terminated());
        }
        let cla = Cla(command.cla()).with_channel(self.host.channel()).map_err(H::Error::encode)?;
        let command = command.with_cla(cla.0);
        let len = command.encoded_len().map_err(H::Error::encode)?;
        let plain = room(&mut self.buffers.plain, len);
        let len = command.encode_into(plain).map_err(H::Error::encode)?;
        let (plain, _) =
            plain.split_at_checked(len).ok_or(H::Error::command(Error::of(ErrorKind::InvalidLength)))?;
        let wire_len = self.host.wrapped_len(plain).map_err(session_error::<H::Error>)?;
        let wire = room(&mut self.buffers.wire, wire_len);
        let n = self.host.wrap(plain, wire).map_err(session_error::<H::Error>)?;
        let (wire, _) = wire.split_at_checked(n).ok_or(H::Error::command(Error::buffer_too_small(n)))?;
        // From here on the card's state follows ours only if the exchange completes.
        if let Err(e) = exchange::<C, H::Error>(&mut self.channel, wire, data) {
            self.host.terminate();
            data.clear();
            return Err(e);
        }
        let out = room(&mut self.buffers.response, data.len());
        let result = self.host.unwrap(data, out);
        data.clear();
        let n = result.map_err(session_error::<H::Error>)?;
        let sw = match out.get(..n).map(ResponseView::parse) {
            Some(Ok(plain)) => {
                data.extend_from_slice(plain.data());
                Ok(plain.sw())
            }
            _ => Err(H::Error::security_failure(Error::of(ErrorKind::Truncated))),
        };
        // Wipe the plain response copy; the caller has its own.
        out.fill(0);
        sw
    }

    /// The channel number, for the [`CardChannel`] impl of the public session.
    pub(crate) fn channel_number(&self) -> u8 {
        self.host.channel()
    }

    /// [`transmit_into`](Self::transmit_into) as [`CardChannel::transmit_into`].
    pub(crate) fn card_transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> core::result::Result<StatusWord, CardError> {
        self.transmit_into(command, data).map_err(into_card_error)
    }

    /// What the channel underneath carries, less the protection at the session's level.
    pub(crate) fn max_command_data(&self) -> usize {
        self.host.max_command_data(self.channel.max_command_data())
    }

    /// Ends the session (keys wiped) and gives the channel back.
    pub(crate) fn close(mut self) -> C {
        self.host.terminate();
        self.channel
    }
}

#[cfg(test)]
mod tests {
    use super::protected_max_data;

    #[test]
    fn scp03_overheads() {
        assert_eq!(protected_max_data(255, 0, 16, false), 255);
        assert_eq!(protected_max_data(255, 8, 16, false), 247);
        // 239 bytes pad to 240, + 8 MAC = 248 ≤ 255; 240 would pad to 256.
        assert_eq!(protected_max_data(255, 8, 16, true), 239);
        assert_eq!(protected_max_data(255, 16, 16, true), 223);
    }

    #[test]
    fn scp02_overheads() {
        assert_eq!(protected_max_data(255, 0, 8, false), 255);
        assert_eq!(protected_max_data(255, 8, 8, false), 247);
        // 239 bytes pad to 240, + 8 MAC = 248 ≤ 255; 240 would pad to 248 + 8 = 256.
        assert_eq!(protected_max_data(255, 8, 8, true), 239);
    }
}
