//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on the wire (GP Card Spec v2.3.1 §E.5.1,
//! §E.5.2, Tables E-7, E-8, E-10).

use super::des::{Block, DesKey};
use super::params::{IParameter, SecurityLevel};
use super::wire::{self, gp_cla, write_parts};
use crate::error::{Error, ErrorKind, Result};

/// INS of INITIALIZE UPDATE.
pub const INS_INITIALIZE_UPDATE: u8 = 0x50;
/// INS of EXTERNAL AUTHENTICATE.
pub const INS_EXTERNAL_AUTHENTICATE: u8 = 0x82;
/// The SCP identifier of SCP02 in the key information (GPC v2.3.1 Table E-8).
pub const SCP02: u8 = 0x02;

/// The INITIALIZE UPDATE response data of SCP02 (GPC v2.3.1 §E.5.1.6 Table E-8): 28 bytes.
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 10 | key diversification data |
/// | 10 | 2 | key information: KVN, SCP identifier `02` |
/// | 12 | 2 | sequence counter |
/// | 14 | 6 | card challenge |
/// | 20 | 8 | card cryptogram |
///
/// SCP01 responses are 28 bytes too; byte 11 tells them apart (GlobalPlatformPro
/// `GPSession.openSecureChannel`). There is no "i" in the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitializeUpdateResponse {
    key_diversification_data: [u8; 10],
    kvn: u8,
    sequence_counter: [u8; 2],
    card_challenge: [u8; 6],
    card_cryptogram: [u8; 8],
}

impl InitializeUpdateResponse {
    /// The length of the response data.
    pub const LEN: usize = 28;

    /// Parses the response data (without the status word). [`ErrorKind::Truncated`] /
    /// [`ErrorKind::InvalidLength`] for a length other than 28,
    /// [`ErrorKind::WrongScpIdentifier`] (detail: the identifier) when byte 11 is not `02`.
    pub fn parse(data: &[u8]) -> Result<Self> {
        let Ok(bytes) = <&[u8; 28]>::try_from(data) else {
            let kind = if data.len() < Self::LEN { ErrorKind::Truncated } else { ErrorKind::InvalidLength };
            return Err(Error::new(kind, data.len()));
        };
        let (kdd, rest) = bytes.split_first_chunk::<10>().ok_or(ErrorKind::Truncated)?;
        let ([kvn, scp, c1, c2], rest) =
            rest.split_first_chunk::<4>().map(|(a, r)| (*a, r)).ok_or(ErrorKind::Truncated)?;
        if scp != SCP02 {
            return Err(Error::new(ErrorKind::WrongScpIdentifier, usize::from(scp)));
        }
        let (challenge, cryptogram) = rest.split_first_chunk::<6>().ok_or(ErrorKind::Truncated)?;
        let cryptogram: [u8; 8] = cryptogram.try_into().map_err(|_| ErrorKind::Truncated)?;
        Ok(Self {
            key_diversification_data: *kdd,
            kvn,
            sequence_counter: [c1, c2],
            card_challenge: *challenge,
            card_cryptogram: cryptogram,
        })
    }

    /// Assembles a response (card side).
    pub fn new(
        key_diversification_data: [u8; 10],
        kvn: u8,
        sequence_counter: [u8; 2],
        card_challenge: [u8; 6],
        card_cryptogram: [u8; 8],
    ) -> Self {
        Self { key_diversification_data, kvn, sequence_counter, card_challenge, card_cryptogram }
    }

    /// Serializes the response data into `out`; returns 28.
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        write_parts(
            out,
            &[
                &self.key_diversification_data,
                &[self.kvn, SCP02],
                &self.sequence_counter,
                &self.card_challenge,
                &self.card_cryptogram,
            ],
        )
    }

    /// The key diversification data (10 bytes; input of [`diversify`](super::diversify)).
    pub fn key_diversification_data(&self) -> &[u8; 10] {
        &self.key_diversification_data
    }

    /// The key version number the card used.
    pub fn kvn(&self) -> u8 {
        self.kvn
    }

    /// The sequence counter of the key set (big-endian).
    pub fn sequence_counter(&self) -> [u8; 2] {
        self.sequence_counter
    }

    /// The card challenge.
    pub fn card_challenge(&self) -> &[u8; 6] {
        &self.card_challenge
    }

    /// The card cryptogram as received.
    pub fn card_cryptogram(&self) -> &[u8; 8] {
        &self.card_cryptogram
    }
}

/// Builds INITIALIZE UPDATE: `CLA 50 KVN 00 08 host-challenge 00` with the GP class byte
/// of `channel` (GPC v2.3.1 Table E-7; KVN `00`: first available key set).
pub fn initialize_update_command(
    kvn: u8,
    host_challenge: &[u8; 8],
    channel: u8,
    out: &mut [u8],
) -> Result<usize> {
    let cla = gp_cla(channel)?;
    write_parts(out, &[&[cla, INS_INITIALIZE_UPDATE, kvn, 0x00, 0x08], host_challenge, &[0x00]])
}

/// The C-MAC of EXTERNAL AUTHENTICATE (GPC v2.3.1 §E.3.2, §E.4.4), host side: the retail
/// MAC with the C-MAC session key and ICV zero over `84 82 level 00 10 || host cryptogram`
/// (the modified APDU, channel 0). For an "i" with the C-MAC on the unmodified APDU (no
/// option the specifications name combines it with explicit initiation) the general rule
/// of §E.4.4 is applied: `80 82 level 00 08 || host cryptogram`.
pub(crate) fn external_authenticate_mac(
    c_mac: &DesKey,
    i: IParameter,
    level: SecurityLevel,
    host_cryptogram: &[u8; 8],
) -> Block {
    let header = if i.mac_on_unmodified_apdu() {
        [0x80, INS_EXTERNAL_AUTHENTICATE, level.byte(), 0x00, 0x08]
    } else {
        [0x84, INS_EXTERNAL_AUTHENTICATE, level.byte(), 0x00, 0x10]
    };
    c_mac.retail_mac(&[0; 8], &[&header, host_cryptogram])
}

/// Writes EXTERNAL AUTHENTICATE on `channel`: `84 82 level 00 10 cryptogram C-MAC`
/// (`84`–`87` or `E0`–`EF` by channel, Table E-10).
pub(crate) fn write_external_authenticate(
    level: SecurityLevel,
    host_cryptogram: &[u8; 8],
    mac: &Block,
    channel: u8,
    out: &mut [u8],
) -> Result<usize> {
    let cla = wire::with_sm(gp_cla(channel)?)?;
    write_parts(out, &[&[cla, INS_EXTERNAL_AUTHENTICATE, level.byte(), 0x00, 0x10], host_cryptogram, mac])
}

#[cfg(test)]
mod tests {
    use super::*;

    // osmocom/pysim tests/unittests/test_globalplatform.py SCP02_Auth_Test: INITIALIZE UPDATE
    // command and response.
    #[test]
    fn pysim_initialize_update() {
        let hc: [u8; 8] = hex::decode("40A62C37FA6304F8").unwrap().try_into().unwrap();
        let mut out = [0u8; 14];
        let n = initialize_update_command(0x20, &hc, 0, &mut out).unwrap();
        assert_eq!(hex::encode_upper(&out[..n]), "805020000840A62C37FA6304F800");
        let data = hex::decode("0000000000000000000070020001 6B4524ABEE7C F32EA3838BC148F3".replace(' ', ""))
            .unwrap();
        let r = InitializeUpdateResponse::parse(&data).unwrap();
        assert_eq!((r.kvn(), r.sequence_counter()), (0x70, [0x00, 0x01]));
        assert_eq!(hex::encode_upper(r.card_challenge()), "6B4524ABEE7C");
        assert_eq!(hex::encode_upper(r.card_cryptogram()), "F32EA3838BC148F3");
        let mut back = [0u8; 28];
        assert_eq!(r.write(&mut back).unwrap(), 28);
        assert_eq!(back.as_slice(), data.as_slice());
        assert_eq!(InitializeUpdateResponse::parse(&data[..27]).unwrap_err().kind, ErrorKind::Truncated);
        let mut scp01 = data.clone();
        scp01[11] = 0x01;
        assert_eq!(
            InitializeUpdateResponse::parse(&scp01).unwrap_err(),
            Error::new(ErrorKind::WrongScpIdentifier, 1)
        );
        let mut scp03 = data.clone();
        scp03.extend_from_slice(&[0; 1]);
        assert_eq!(InitializeUpdateResponse::parse(&scp03).unwrap_err().kind, ErrorKind::InvalidLength);
        let n = initialize_update_command(0x20, &hc, 5, &mut out).unwrap();
        assert_eq!(out[0], 0xC1);
        assert_eq!(
            initialize_update_command(0x20, &hc, 0, &mut out[..13]).unwrap_err(),
            Error::buffer_too_small(14)
        );
        let _ = n;
    }
}
