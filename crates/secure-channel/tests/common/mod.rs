//! Helpers shared by the integration tests.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod no_alloc;
pub mod vectors;

use oxicard_secure_channel::scp03::{
    CardChallenge, CardHandshake, CardSession, Handshake, HostSession, IParameter, Mode, SecurityLevel,
    StaticKeys,
};

/// The ISD-R AID (SGP.22), used as the selected security domain of the simulated card.
pub const AID: [u8; 16] = [0xA0, 0, 0, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0, 0, 0x01, 0];

/// How to open a session for a test.
#[derive(Clone, Debug)]
pub struct Setup {
    pub key: Vec<u8>,
    pub level: SecurityLevel,
    pub mode: Mode,
    pub channel: u8,
    pub pseudo_random: bool,
    /// Offer R-MAC/R-ENC in "i" even when the level does not use them.
    pub offer_all: bool,
    pub seed: u8,
}

impl Setup {
    pub fn new(level: SecurityLevel, mode: Mode) -> Self {
        Self { key: vec![0x4B; 16], level, mode, channel: 0, pseudo_random: true, offer_all: true, seed: 7 }
    }

    pub fn keys(&self) -> StaticKeys {
        let other: Vec<u8> = self.key.iter().map(|b| b ^ 0x5A).collect();
        let dek: Vec<u8> = self.key.iter().map(|b| b ^ 0xA5).collect();
        StaticKeys::new(0x30, &self.key, &other, &dek).unwrap()
    }

    pub fn i(&self) -> IParameter {
        let mut i = if self.mode == Mode::S16 { 0x01 } else { 0x00 };
        if self.pseudo_random {
            i |= 0x10;
        }
        if self.offer_all || self.level.r_enc() {
            i |= 0x60;
        } else if self.level.r_mac() {
            i |= 0x20;
        }
        IParameter::from_byte(i).unwrap()
    }

    /// Runs the whole handshake through both roles.
    pub fn open(&self) -> (HostSession, CardSession) {
        let keys = self.keys();
        let n = self.mode.size();
        let host_challenge: Vec<u8> =
            (0..n as u8).map(|b| b.wrapping_mul(31).wrapping_add(self.seed)).collect();
        let card_random: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(17) ^ self.seed).collect();
        let hs = Handshake::new(keys.clone(), &host_challenge, self.level)
            .unwrap()
            .with_channel(self.channel)
            .unwrap()
            .with_aid(&AID)
            .unwrap();
        let mut cmd = [0u8; 64];
        let mut rsp = [0u8; 64];
        let len = hs.initialize_update_command(&mut cmd).unwrap();
        let challenge = if self.pseudo_random {
            CardChallenge::PseudoRandom { sequence_counter: [0, 1, self.seed], aid: &AID }
        } else {
            CardChallenge::Random(&card_random)
        };
        let (card, m) =
            CardHandshake::initialize_update(&keys, self.i(), [9; 10], challenge, &cmd[..len], &mut rsp)
                .unwrap();
        let auth = hs.process_initialize_update_response(&rsp[..m]).unwrap();
        let len = auth.external_authenticate_command(&mut cmd).unwrap();
        let card = card.external_authenticate(&cmd[..len]).unwrap();
        let host = auth.process_external_authenticate_response(&[0x90, 0x00]).unwrap();
        (host, card)
    }
}

/// Encodes a command APDU in its minimal form (ISO/IEC 7816-4 §5.1): extended only when
/// Nc > 255 or Ne > 256. An independent encoder, as a test oracle.
pub fn encode_command(header: [u8; 4], data: &[u8], ne: Option<u32>) -> Vec<u8> {
    let ext = data.len() > 255 || ne.is_some_and(|n| n > 256);
    let mut out = header.to_vec();
    if !data.is_empty() {
        if ext {
            out.extend_from_slice(&[0, (data.len() >> 8) as u8, data.len() as u8]);
        } else {
            out.push(data.len() as u8);
        }
        out.extend_from_slice(data);
    }
    if let Some(ne) = ne {
        if ext {
            if data.is_empty() {
                out.push(0);
            }
            out.extend_from_slice(&[(ne >> 8) as u8, ne as u8]);
        } else {
            out.push(ne as u8);
        }
    }
    out
}

/// The GP class byte of a logical channel (GP Card Spec v2.3.1 Table 11-11/11-12).
pub fn gp_cla(channel: u8) -> u8 {
    if channel < 4 { 0x80 | channel } else { 0xC0 | (channel - 4) }
}
