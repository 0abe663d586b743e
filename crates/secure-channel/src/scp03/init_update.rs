//! INITIALIZE UPDATE and EXTERNAL AUTHENTICATE on the wire (GP Card Spec Amendment D
//! §7.1.1, §7.1.2, Table 7-2).

use subtle::ConstantTimeEq;

use super::cryptogram::{Challenge, Cryptogram};
use super::params::{IParameter, Mode, SecurityLevel};
use super::session::SessionKeys;
use super::wire::{self, gp_cla};
use crate::crypto::Block;
use crate::error::{Error, ErrorKind, Result};

/// INS of INITIALIZE UPDATE.
pub const INS_INITIALIZE_UPDATE: u8 = 0x50;
/// INS of EXTERNAL AUTHENTICATE.
pub const INS_EXTERNAL_AUTHENTICATE: u8 = 0x82;
/// The SCP identifier of SCP03 in the key information (Amendment D Table 7-2).
pub const SCP03: u8 = 0x03;

/// The INITIALIZE UPDATE response data (Amendment D Table 7-2): 29 or 32 bytes in S8,
/// 45 or 48 in S16, the longer ones carrying the sequence counter of a card that uses
/// pseudo-random challenges.
///
/// | offset | length | field |
/// |---|---|---|
/// | 0 | 10 | key diversification data |
/// | 10 | 3 | key information: KVN, SCP identifier `03`, "i" |
/// | 13 | 8/16 | card challenge |
/// | 21/29 | 8/16 | card cryptogram |
/// | 29/45 | 3 | sequence counter (only if "i" has `10`) |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitializeUpdateResponse {
    key_diversification_data: [u8; 10],
    kvn: u8,
    i: IParameter,
    card_challenge: Challenge,
    card_cryptogram: Cryptogram,
    sequence_counter: Option<[u8; 3]>,
}

impl InitializeUpdateResponse {
    /// Parses the response data (without the status word).
    ///
    /// Errors: [`ErrorKind::Truncated`] / [`ErrorKind::InvalidLength`] for a length other
    /// than the one the "i" parameter implies, [`ErrorKind::WrongScpIdentifier`],
    /// [`ErrorKind::InvalidValue`] for an undefined "i".
    pub fn parse(data: &[u8]) -> Result<Self> {
        let Some((kdd, rest)) = data.split_first_chunk::<10>() else {
            return Err(Error::new(ErrorKind::Truncated, data.len()));
        };
        let Some(([kvn, scp, i], rest)) = rest.split_first_chunk::<3>().map(|(k, r)| (*k, r)) else {
            return Err(Error::new(ErrorKind::Truncated, data.len()));
        };
        if scp != SCP03 {
            return Err(Error::new(ErrorKind::WrongScpIdentifier, 11));
        }
        let i = IParameter::from_byte(i).map_err(|e| Error::new(e.kind, 12))?;
        let n = i.mode().size();
        let expected = 13 + 2 * n + if i.pseudo_random_challenge() { 3 } else { 0 };
        if data.len() != expected {
            let kind = if data.len() < expected { ErrorKind::Truncated } else { ErrorKind::InvalidLength };
            return Err(Error::new(kind, data.len()));
        }
        let (challenge, rest) = rest.split_at(n);
        let (cryptogram, counter) = rest.split_at(n);
        Ok(Self {
            key_diversification_data: *kdd,
            kvn,
            i,
            card_challenge: Challenge::from_slice(challenge)?,
            card_cryptogram: Cryptogram::from_slice(cryptogram)?,
            sequence_counter: counter.first_chunk::<3>().copied(),
        })
    }

    /// Serializes the response data into `out`; returns its length.
    pub fn write(&self, out: &mut [u8]) -> Result<usize> {
        let counter: &[u8] = match &self.sequence_counter {
            Some(c) => c,
            None => &[],
        };
        let parts: [&[u8]; 5] = [
            &self.key_diversification_data,
            &[self.kvn, SCP03, self.i.byte()],
            self.card_challenge.as_bytes(),
            self.card_cryptogram.as_bytes(),
            counter,
        ];
        write_parts(out, &parts)
    }

    /// Assembles a response (card side). The sequence counter must be present exactly
    /// when "i" announces pseudo-random challenges, and the challenge and cryptogram
    /// must match the mode of "i" ([`ErrorKind::InvalidValue`],
    /// [`ErrorKind::InvalidChallengeLength`]).
    pub fn new(
        key_diversification_data: [u8; 10],
        kvn: u8,
        i: IParameter,
        card_challenge: Challenge,
        card_cryptogram: Cryptogram,
        sequence_counter: Option<[u8; 3]>,
    ) -> Result<Self> {
        if i.pseudo_random_challenge() != sequence_counter.is_some() {
            return Err(ErrorKind::InvalidValue.into());
        }
        if card_challenge.mode() != i.mode() || card_cryptogram.mode() != i.mode() {
            return Err(ErrorKind::InvalidChallengeLength.into());
        }
        Ok(Self { key_diversification_data, kvn, i, card_challenge, card_cryptogram, sequence_counter })
    }

    /// The key diversification data (10 bytes).
    pub fn key_diversification_data(&self) -> &[u8; 10] {
        &self.key_diversification_data
    }

    /// The key version number the card used.
    pub fn kvn(&self) -> u8 {
        self.kvn
    }

    /// The "i" parameter.
    pub fn i(&self) -> IParameter {
        self.i
    }

    /// The card challenge.
    pub fn card_challenge(&self) -> &Challenge {
        &self.card_challenge
    }

    /// The card cryptogram as received.
    pub fn card_cryptogram(&self) -> &Cryptogram {
        &self.card_cryptogram
    }

    /// The 3-byte sequence counter, when the card uses pseudo-random challenges.
    pub fn sequence_counter(&self) -> Option<[u8; 3]> {
        self.sequence_counter
    }
}

/// Writes the concatenation of `parts` to `out`.
pub(crate) fn write_parts(out: &mut [u8], parts: &[&[u8]]) -> Result<usize> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if out.len() < total {
        return Err(Error::buffer_too_small(total));
    }
    let mut at = 0;
    for part in parts {
        if let Some(dst) = out.get_mut(at..at + part.len()) {
            dst.copy_from_slice(part);
        }
        at += part.len();
    }
    Ok(total)
}

/// Builds INITIALIZE UPDATE: `CLA 50 KVN 00 Lc host-challenge 00` with the GP class
/// byte of `channel` (Amendment D §7.1.1; KVN `00`: first available key set).
pub fn initialize_update_command(
    kvn: u8,
    host_challenge: &Challenge,
    channel: u8,
    out: &mut [u8],
) -> Result<usize> {
    let cla = gp_cla(channel)?;
    let lc = host_challenge.mode().size() as u8;
    write_parts(out, &[&[cla, INS_INITIALIZE_UPDATE, kvn, 0x00, lc], host_challenge.as_bytes(), &[0x00]])
}

/// EXTERNAL AUTHENTICATE as computed by both sides: the MAC header and the full C-MAC.
pub(crate) struct ExternalAuthenticate {
    pub(crate) header: [u8; 5],
    pub(crate) cryptogram: Cryptogram,
    pub(crate) mac: Block,
}

/// Computes EXTERNAL AUTHENTICATE for `level` (Amendment D §7.1.2): data = host
/// cryptogram, C-MAC over `16 × 00 || 84 82 level 00 Lc || host cryptogram`
/// (the MAC chaining value starts at zero, §6.2.3); never encrypted.
pub(crate) fn external_authenticate(keys: &SessionKeys, level: SecurityLevel) -> ExternalAuthenticate {
    let mode = keys.mode();
    let lc = (2 * mode.size()) as u8;
    let header = [0x84, INS_EXTERNAL_AUTHENTICATE, level.byte(), 0x00, lc];
    let cryptogram = keys.host_cryptogram();
    let mac = keys.mac().compute(&[&[0u8; 16], &header, cryptogram.as_bytes()]);
    ExternalAuthenticate { header, cryptogram, mac }
}

/// Writes EXTERNAL AUTHENTICATE on `channel` into `out`.
pub(crate) fn write_external_authenticate(
    auth: &ExternalAuthenticate,
    mode: Mode,
    channel: u8,
    out: &mut [u8],
) -> Result<usize> {
    let [_, ins, p1, p2, lc] = auth.header;
    let cla = wire::with_sm(gp_cla(channel)?)?;
    write_parts(out, &[&[cla, ins, p1, p2, lc], auth.cryptogram.as_bytes(), mode.truncate(&auth.mac)])
}

/// Card side: checks a received EXTERNAL AUTHENTICATE against the expected one, in
/// constant time over cryptogram and MAC. Returns the level.
pub(crate) fn verify_external_authenticate(
    keys: &SessionKeys,
    i: IParameter,
    channel: u8,
    command: &[u8],
) -> Result<(SecurityLevel, Block)> {
    let cmd = wire::parse(command)?;
    let [cla, ins, p1, p2] = cmd.header;
    if ins != INS_EXTERNAL_AUTHENTICATE {
        return Err(ErrorKind::UnexpectedInstruction.into());
    }
    if wire::without_sm(cla)? != gp_cla(channel)? {
        return Err(ErrorKind::InvalidClass.into());
    }
    if p2 != 0 {
        return Err(ErrorKind::InvalidValue.into());
    }
    let level = SecurityLevel::from_byte(p1)?;
    if !i.allows(level) {
        return Err(ErrorKind::SecurityLevelNotSupported.into());
    }
    let n = keys.mode().size();
    if cmd.data.len() != 2 * n {
        return Err(Error::new(ErrorKind::InvalidLength, 4));
    }
    let (cryptogram, mac) = cmd.data.split_at(n);
    let expected = external_authenticate(keys, level);
    let ok_cryptogram = expected.cryptogram.as_bytes().ct_eq(cryptogram);
    let ok_mac = keys.mode().truncate(&expected.mac).ct_eq(mac);
    if !bool::from(ok_cryptogram) {
        return Err(ErrorKind::HostCryptogramMismatch.into());
    }
    if !bool::from(ok_mac) {
        return Err(ErrorKind::MacMismatch.into());
    }
    Ok((level, expected.mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pysim_aes128_33_response() {
        // osmocom/pysim tests/unittests/test_globalplatform.py, SCP03_Test_AES128_33.init_upd_rsp
        let data = hex::decode("000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003").unwrap();
        let r = InitializeUpdateResponse::parse(&data).unwrap();
        assert_eq!((r.kvn(), r.i().byte(), r.sequence_counter()), (0x30, 0x70, Some([0, 0, 3])));
        assert_eq!(r.card_challenge().as_bytes(), hex::decode("3b1aca81e821f219").unwrap());
        assert_eq!(r.card_cryptogram().as_bytes(), hex::decode("081cdc01c26b372d").unwrap());
        let mut out = [0u8; 32];
        assert_eq!(r.write(&mut out).unwrap(), 32);
        assert_eq!(out.as_slice(), data.as_slice());
        assert_eq!(InitializeUpdateResponse::parse(&data[..31]).unwrap_err().kind, ErrorKind::Truncated);
        let mut long = data.clone();
        long.push(0);
        assert_eq!(InitializeUpdateResponse::parse(&long).unwrap_err().kind, ErrorKind::InvalidLength);
        let mut scp02 = data.clone();
        scp02[11] = 0x02;
        assert_eq!(InitializeUpdateResponse::parse(&scp02).unwrap_err().kind, ErrorKind::WrongScpIdentifier);
    }

    #[test]
    fn initialize_update_bytes() {
        // pySim SCP03_Test_AES128_33.init_upd_cmd
        let hc = Challenge::from_slice(&hex::decode("fdf38259a1e0de44").unwrap()).unwrap();
        let mut out = [0u8; 22];
        let n = initialize_update_command(0x30, &hc, 0, &mut out).unwrap();
        assert_eq!(hex::encode(&out[..n]), "8050300008fdf38259a1e0de4400");
        let n = initialize_update_command(0x30, &hc, 5, &mut out).unwrap();
        assert_eq!(hex::encode(&out[..n]), "c150300008fdf38259a1e0de4400");
        assert_eq!(
            initialize_update_command(0x30, &hc, 0, &mut out[..13]).unwrap_err(),
            Error::buffer_too_small(14)
        );
    }
}
