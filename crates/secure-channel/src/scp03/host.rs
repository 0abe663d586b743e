//! The off-card (host) side of an open session: wrap commands, unwrap responses
//! (GP Card Spec Amendment D §6.2.4–§6.2.7). Nothing here allocates: the caller
//! supplies the output buffers.

use super::handshake::split_sw;
use super::session::{SessionState, verify_mac};
use super::wire;
use crate::crypto::{cbc_encrypt, pad_in_place, padded_len};
use crate::error::{Error, ErrorKind, Result};

/// An open SCP03 session, host side. Obtained from
/// [`Authenticating::process_external_authenticate_response`](super::Authenticating::process_external_authenticate_response).
///
/// Fails closed: a MAC, padding or counter failure terminates the session (keys wiped),
/// and every later call returns [`ErrorKind::Terminated`].
#[derive(Debug)]
pub struct HostSession {
    state: SessionState,
}

impl HostSession {
    pub(crate) fn new(state: SessionState) -> Self {
        Self { state }
    }

    /// The session state (level, mode, counter, termination).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// Terminates the session (for example after a new SELECT or a card reset).
    pub fn terminate(&mut self) {
        self.state.terminate();
    }

    /// Sets the encryption counter limit (see [`SessionState::set_counter_limit`]).
    pub fn set_counter_limit(&mut self, limit: u32) {
        self.state.set_counter_limit(limit);
    }

    /// The wire length of `command` once wrapped (a safe size for `out` in [`Self::wrap`]).
    pub fn wrapped_len(&self, command: &[u8]) -> Result<usize> {
        let cmd = wire::parse(command)?;
        let level = self.state.security_level();
        if !level.c_mac() {
            return Ok(command.len());
        }
        let body =
            if level.c_dec() && !cmd.data.is_empty() { padded_len(cmd.data.len()) } else { cmd.data.len() };
        let nc = body + self.state.mode().size();
        if nc > wire::MAX_NC {
            return Err(ErrorKind::DataTooLong.into());
        }
        let ext = wire::extended(nc, cmd.ne);
        Ok(4 + wire::lc_len(nc, ext) + nc + wire::le_len(nc, cmd.ne, ext))
    }

    /// Wraps a plain command APDU (any ISO/IEC 7816-4 case, short or extended) into `out`;
    /// returns the wire length.
    ///
    /// With C-MAC: CLA gets the secure-messaging bit (`04`, or `20` on channels 4–19),
    /// with C-DECRYPTION the data is padded and encrypted (ICV from the encryption
    /// counter, which advances on every command, with or without data), Lc is
    /// recomputed (extended when above 255), the C-MAC is appended and becomes the MAC
    /// chaining value; Le is kept as it was and is not part of the MAC. At level `00`
    /// the command passes unchanged.
    ///
    /// Usage errors (malformed command, wrong channel, CLA already with secure
    /// messaging, `out` too small: [`ErrorKind::BufferTooSmall`] with the size needed)
    /// leave the session as it was; [`ErrorKind::CounterExhausted`] terminates it.
    pub fn wrap(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.wrap_inner(command, out).map_err(|e| self.state.fail(e))
    }

    fn wrap_inner(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.state.keys()?;
        let cmd = wire::parse(command)?;
        let [cla, ins, p1, p2] = cmd.header;
        if wire::channel(cla) != self.state.channel() {
            return Err(ErrorKind::InvalidChannel.into());
        }
        let level = self.state.security_level();
        if !level.c_mac() {
            let n = super::init_update::write_parts(out, &[command])?;
            self.state.set_pending(true);
            return Ok(n);
        }
        let wire_cla = wire::with_sm(cla)?;
        let total = self.wrapped_len(command)?;
        if out.len() < total {
            return Err(Error::buffer_too_small(total));
        }
        let mac_len = self.state.mode().size();
        let encrypt = level.c_dec() && !cmd.data.is_empty();
        let body_len = if encrypt { padded_len(cmd.data.len()) } else { cmd.data.len() };
        let nc = body_len + mac_len;
        let ext = wire::extended(nc, cmd.ne);
        let lc_len = wire::lc_len(nc, ext);

        // From here on the session state changes.
        self.state.advance_counter()?;
        let keys = self.state.keys()?;
        let (head, rest) = out.split_at_mut(4 + lc_len);
        let (hdr, lc_field) = head.split_at_mut(4);
        hdr.copy_from_slice(&[wire_cla, ins, p1, p2]);
        wire::write_lc(lc_field, nc, ext);
        let (body, rest) = rest.split_at_mut(body_len);
        if let Some(dst) = body.get_mut(..cmd.data.len()) {
            dst.copy_from_slice(cmd.data);
        }
        if encrypt {
            pad_in_place(body, cmd.data.len());
            cbc_encrypt(keys.enc(), &keys.icv(self.state.counter(), false), body);
        }
        let mac =
            keys.command_mac(self.state.mac_chain(), [wire::mac_cla(wire_cla), ins, p1, p2], lc_field, body);
        let (mac_field, le_field) = rest.split_at_mut(mac_len);
        mac_field.copy_from_slice(self.state.mode().truncate(&mac));
        wire::write_le(le_field, nc, cmd.ne, ext);
        self.state.set_mac_chain(mac);
        self.state.set_pending(true);
        Ok(total)
    }

    /// Unwraps the response (data and SW, after any GET RESPONSE reassembly) to the
    /// last wrapped command into `out` (at least `response.len()` bytes suffice);
    /// returns the length of the plain `data || SW`.
    ///
    /// With R-MAC: a success or warning SW (`9000`, `62xx`, `63xx`) must carry the
    /// R-MAC, checked in constant time; an error SW carries none and must come without
    /// data (Amendment D §6.2.5). With R-ENC the data is decrypted (ICV from the
    /// command's counter with its first byte set to `80`) and the padding removed only
    /// after the MAC verified; trailing zero blocks are tolerated. Any failure except
    /// [`ErrorKind::BufferTooSmall`] and [`ErrorKind::NoPendingCommand`] terminates the
    /// session.
    pub fn unwrap(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        self.unwrap_inner(response, out).map_err(|e| self.state.fail(e))
    }

    fn unwrap_inner(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        if !self.state.response_pending() {
            return Err(ErrorKind::NoPendingCommand.into());
        }
        let level = self.state.security_level();
        if !level.r_mac() {
            let n = super::init_update::write_parts(out, &[response])?;
            self.state.set_pending(false);
            return Ok(n);
        }
        let (data, sw) = split_sw(response).map_err(|_| Error::of(ErrorKind::MissingMac))?;
        let sw = sw.to_be_bytes();
        let [sw1, sw2] = sw;
        if !wire::protected_sw(sw1, sw2) {
            if !data.is_empty() {
                return Err(ErrorKind::MissingMac.into());
            }
            let n = super::init_update::write_parts(out, &[&sw])?;
            self.state.set_pending(false);
            return Ok(n);
        }
        let mac_len = self.state.mode().size();
        let Some(body_len) = data.len().checked_sub(mac_len) else {
            return Err(ErrorKind::MissingMac.into());
        };
        if out.len() < body_len + 2 {
            return Err(Error::buffer_too_small(body_len + 2));
        }
        let (body, mac) = data.split_at(body_len);
        let expected = keys.response_mac(self.state.mac_chain(), body, sw);
        verify_mac(&expected, self.state.mode(), mac)?;
        let (plain, _) = out.split_at_mut(body_len);
        plain.copy_from_slice(body);
        let len = if level.r_enc() && !body.is_empty() {
            keys.decrypt_padded(self.state.counter(), true, plain)?
        } else {
            body_len
        };
        if let Some(dst) = out.get_mut(len..len + 2) {
            dst.copy_from_slice(&sw);
        }
        self.state.set_pending(false);
        Ok(len + 2)
    }
}
