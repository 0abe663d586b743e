//! The off-card (host) side of an open session: wrap commands (C-MAC, C-DECRYPTION),
//! unwrap responses (R-MAC) (GP Card Spec v2.3.1 §E.4.4–§E.4.6). Nothing here allocates:
//! the caller supplies the output buffers.

use super::cryptogram::mac_over_aid;
use super::dek::encrypt_key_data;
use super::des::{BLOCK, MacState};
use super::keys::StaticKeys;
use super::params::{IParameter, Initiation, SecurityLevel};
use super::session::{SessionKeys, SessionState, verify_mac};
use super::wire::{self, gp_cla, split_sw, write_parts};
use crate::crypto::{pad_in_place_to, padded_len_to};
use crate::error::{Error, ErrorKind, Result};

/// The C-MAC length.
const MAC: usize = 8;

/// An open SCP02 session, host side. Obtained from
/// [`Authenticating::process_external_authenticate_response`](super::Authenticating::process_external_authenticate_response)
/// (explicit initiation) or [`HostSession::implicit`].
///
/// Fails closed: an R-MAC failure terminates the session (keys wiped), and every later
/// call returns [`ErrorKind::Terminated`].
#[derive(Debug)]
pub struct HostSession {
    state: SessionState,
}

impl HostSession {
    pub(crate) fn new(state: SessionState) -> Self {
        Self { state }
    }

    /// An implicitly initiated session ("i" b3 clear, GPC v2.3.1 §E.1.2.2, §E.3.3): no
    /// handshake; the first wrapped command authenticates the host. `sequence_counter` is
    /// the card's current value for the key set (GET DATA tag `C1`, §11.3), `aid` the AID of
    /// the selected application (the first ICV is a MAC over it). The level is C-MAC:
    /// command encryption does not apply in implicit mode (§E.4.6), and R-MAC needs
    /// BEGIN R-MAC SESSION, which this crate does not implement.
    ///
    /// [`ErrorKind::InvalidValue`] for an "i" with explicit initiation,
    /// [`ErrorKind::InvalidAid`], [`ErrorKind::CounterExhausted`] at counter `FFFF`.
    pub fn implicit(
        keys: &StaticKeys,
        i: IParameter,
        sequence_counter: [u8; 2],
        aid: &[u8],
        channel: u8,
    ) -> Result<Self> {
        if i.initiation() != Initiation::Implicit {
            return Err(ErrorKind::InvalidValue.into());
        }
        gp_cla(channel)?;
        let keys = SessionKeys::derive_implicit(keys, sequence_counter)?;
        let c_icv = mac_over_aid(keys.c_mac_key(), aid)?;
        let r_icv = mac_over_aid(keys.r_mac_key(), aid)?;
        let level = SecurityLevel::C_MAC;
        Ok(Self::new(SessionState::new(keys, i, level, Initiation::Implicit, channel, c_icv, r_icv)))
    }

    /// The session state (level, "i", channel, termination).
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// Terminates the session (for example after a new SELECT or a card reset).
    pub fn terminate(&mut self) {
        self.state.terminate();
    }

    /// Encrypts key material (a DES key for PUT KEY) with the data encryption session key:
    /// 3DES-ECB in an explicit session, 3DES-CBC with ICV zero in an implicit one
    /// (GPC v2.3.1 §E.4.7). `key_data` must be a whole number of 8-byte blocks.
    pub fn encrypt_key_data(&self, key_data: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        encrypt_key_data(keys.dek(), self.state.initiation(), key_data, out)
    }

    /// The Le a wrapped command carries: the plain one, or `00` for a command without Le
    /// when responses carry an R-MAC (the card treats case 1 and 3 commands as case 2 and 4
    /// with Le `00`, GPC v2.3.1 §E.4.5).
    fn le(&self, le: Option<u8>) -> Option<u8> {
        if self.state.security_level().r_mac() { Some(le.unwrap_or(0)) } else { le }
    }

    /// The wire length of `command` once wrapped (a safe size for `out` in [`Self::wrap`]).
    /// [`ErrorKind::DataTooLong`] when the protected data would not fit a short command
    /// (more than 247 plain bytes with C-MAC, 239 with C-DECRYPTION).
    pub fn wrapped_len(&self, command: &[u8]) -> Result<usize> {
        let cmd = wire::parse(command)?;
        let level = self.state.security_level();
        let le = usize::from(self.le(cmd.le).is_some());
        if !level.c_mac() {
            return Ok(command.len() + le - usize::from(cmd.le.is_some()));
        }
        let body = if level.c_dec() { padded_len_to::<BLOCK>(cmd.data.len()) } else { cmd.data.len() };
        if body + MAC > wire::MAX_DATA {
            return Err(ErrorKind::DataTooLong.into());
        }
        Ok(5 + body + MAC + le)
    }

    /// Wraps a plain short command APDU into `out`; returns the wire length.
    ///
    /// With C-MAC (GPC v2.3.1 §E.4.4): the C-MAC is the retail MAC with the C-MAC session
    /// key over the command with the channel number removed — on the modified APDU
    /// (CLA `84`, Lc + 8) or, for an "i" with b2, the unmodified one (CLA `80`, Lc; Lc `00`
    /// for a command without data) — with the previous C-MAC as ICV, single-DES encrypted
    /// when "i" has b5 (§E.3.4). The CLA gets the secure-messaging bit (`04`, or `20` on
    /// channels 4–19), Lc covers the C-MAC. With C-DECRYPTION the data is then padded and
    /// encrypted with S-ENC, ICV zero (§E.4.6); a command without data gets one encrypted
    /// padding block, as pySim and kaoh/globalplatform do (§B.1.3 pads always;
    /// GlobalPlatformPro sends none: the card side of this crate accepts both). At levels
    /// with R-MAC a command without Le gets Le `00` (§E.4.5).
    ///
    /// Usage errors (malformed or extended command, wrong channel, CLA already with secure
    /// messaging, data too long, `out` too small: [`ErrorKind::BufferTooSmall`] with the
    /// size needed) leave the session as it was.
    pub fn wrap(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        self.wrap_inner(command, out).map_err(|e| self.state.fail(e))
    }

    fn wrap_inner(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        let cmd = wire::parse(command)?;
        let [cla, ins, p1, p2] = cmd.header;
        if wire::channel(cla) != self.state.channel() {
            return Err(ErrorKind::InvalidChannel.into());
        }
        let level = self.state.security_level();
        let total = self.wrapped_len(command)?;
        if out.len() < total {
            return Err(Error::buffer_too_small(total));
        }
        let le = self.le(cmd.le);
        let len = cmd.data.len() as u8;
        // The R-MAC input starts with the stripped command: CLA without SM and channel,
        // INS P1 P2, Lc (00 for case 1/2), the plain data (§E.4.5).
        let mut r_mac = MacState::new(self.state.r_mac_chain());
        if level.r_mac() {
            r_mac.retail_update(keys.r_mac_key(), &[wire::stripped_cla(cla), ins, p1, p2, len]);
            r_mac.retail_update(keys.r_mac_key(), cmd.data);
        }
        if !level.c_mac() {
            let n = write_parts(out, &[command])?;
            if let (Some(slot), None) = (out.get_mut(n), cmd.le) {
                *slot = 0x00;
            }
            self.state.count_plain();
            self.state.set_r_mac_state(r_mac);
            self.state.set_pending();
            return Ok(total);
        }
        let wire_cla = wire::with_sm(cla)?;
        let i = self.state.i();
        let mut icv = *self.state.c_mac_chain();
        if i.icv_encryption() && !self.state.first_icv() {
            keys.c_mac_key().encrypt_k1(&mut icv);
        }
        let mac = if i.mac_on_unmodified_apdu() {
            keys.c_mac_key().retail_mac(&icv, &[&[wire::stripped_cla(cla), ins, p1, p2, len], cmd.data])
        } else {
            let lc = len.wrapping_add(MAC as u8);
            keys.c_mac_key().retail_mac(&icv, &[&[wire::mac_cla(wire_cla), ins, p1, p2, lc], cmd.data])
        };
        let body_len = if level.c_dec() { padded_len_to::<BLOCK>(cmd.data.len()) } else { cmd.data.len() };
        let (head, rest) = out.split_at_mut(5);
        head.copy_from_slice(&[wire_cla, ins, p1, p2, (body_len + MAC) as u8]);
        let (body, rest) = rest.split_at_mut(body_len);
        if let Some(dst) = body.get_mut(..cmd.data.len()) {
            dst.copy_from_slice(cmd.data);
        }
        if level.c_dec() {
            pad_in_place_to::<BLOCK>(body, cmd.data.len());
            keys.enc_key().cbc_encrypt(&[0; 8], body);
        }
        let (mac_field, le_field) = rest.split_at_mut(MAC);
        mac_field.copy_from_slice(&mac);
        if let (Some(le), Some(slot)) = (le, le_field.first_mut()) {
            *slot = le;
        }
        self.state.set_c_mac(mac);
        self.state.set_r_mac_state(r_mac);
        self.state.set_pending();
        Ok(total)
    }

    /// Unwraps the response (data and SW, after any GET RESPONSE reassembly) to the last
    /// wrapped command into `out` (`response.len()` bytes always suffice); returns the
    /// length of the plain `data || SW`.
    ///
    /// With R-MAC (GPC v2.3.1 §E.4.5) the response is `data || R-MAC || SW`; the R-MAC, the
    /// retail MAC with the R-MAC session key and the previous R-MAC as ICV (first: the C-MAC
    /// of EXTERNAL AUTHENTICATE), over `stripped command || Li data || SW`, is checked in
    /// constant time. For an error status word (anything but `9000`, `62xx`, `63xx`) the
    /// input has `Li = 00` and no data; whether a card sends the R-MAC with an error is not
    /// stated: a lone SW is accepted, and the R-MAC the card computed for it (the next ICV
    /// "regardless of whether the command completed successfully") is computed here too.
    /// Any failure except [`ErrorKind::BufferTooSmall`] and
    /// [`ErrorKind::NoPendingCommand`] terminates the session.
    pub fn unwrap(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        self.unwrap_inner(response, out).map_err(|e| self.state.fail(e))
    }

    fn unwrap_inner(&mut self, response: &[u8], out: &mut [u8]) -> Result<usize> {
        let keys = self.state.keys()?;
        if !self.state.response_pending() {
            return Err(ErrorKind::NoPendingCommand.into());
        }
        if !self.state.security_level().r_mac() {
            let n = write_parts(out, &[response])?;
            self.state.clear_pending();
            return Ok(n);
        }
        let (data, sw) = split_sw(response).map_err(|_| Error::of(ErrorKind::MissingMac))?;
        let [sw1, sw2] = sw;
        let (body, mac) = if wire::protected_sw(sw1, sw2) {
            let at = data.len().checked_sub(MAC).ok_or(ErrorKind::MissingMac)?;
            let (body, mac) = data.split_at(at);
            (body, Some(mac))
        } else {
            match data.len() {
                0 => (data, None),
                MAC => (&[][..], Some(data)),
                _ => return Err(ErrorKind::MissingMac.into()),
            }
        };
        if out.len() < body.len() + 2 {
            return Err(Error::buffer_too_small(body.len() + 2));
        }
        let mut r_mac = self.state.r_mac_state().clone();
        r_mac.retail_update(keys.r_mac_key(), &[(body.len() & 0xFF) as u8]);
        r_mac.retail_update(keys.r_mac_key(), body);
        r_mac.retail_update(keys.r_mac_key(), &sw);
        let expected = r_mac.finish(keys.r_mac_key());
        if let Some(mac) = mac {
            verify_mac(&expected, mac)?;
        }
        let n = write_parts(out, &[body, &sw])?;
        self.state.set_r_mac_chain(expected);
        self.state.clear_pending();
        Ok(n)
    }
}
