//! Challenges and cryptograms (GP Card Spec Amendment D §6.2.2): the card and host
//! cryptograms derived from S-MAC, and the pseudo-random card challenge derived from
//! the static Key-ENC, the sequence counter and the selected AID.

use subtle::ConstantTimeEq;

use super::kdf::{DerivationConstant, kdf_with};
use super::keys::SecretKey;
use super::params::Mode;
use crate::crypto::Cmac;
use crate::error::{ErrorKind, Result};

macro_rules! mode_sized {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            bytes: [u8; 16],
            mode: Mode,
        }

        impl $name {
            /// From 8 (S8) or 16 (S16) bytes; [`ErrorKind::InvalidChallengeLength`](crate::ErrorKind::InvalidChallengeLength)
            /// otherwise.
            pub fn from_slice(bytes: &[u8]) -> Result<Self> {
                let mode = Mode::from_size(bytes.len())?;
                let mut buf = [0u8; 16];
                if let Some(dst) = buf.get_mut(..bytes.len()) {
                    dst.copy_from_slice(bytes);
                }
                Ok(Self { bytes: buf, mode })
            }

            /// The bytes: 8 or 16 of them.
            pub fn as_bytes(&self) -> &[u8] {
                self.mode.truncate(&self.bytes)
            }

            /// S8 or S16.
            pub fn mode(&self) -> Mode {
                self.mode
            }

            /// Constant-time comparison with `received`.
            pub fn ct_matches(&self, received: &[u8]) -> bool {
                self.as_bytes().ct_eq(received).into()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!(stringify!($name), "("))?;
                for b in self.as_bytes() {
                    write!(f, "{b:02x}")?;
                }
                f.write_str(")")
            }
        }
    };
}

mode_sized!(
    /// A host or card challenge: 8 bytes (S8) or 16 bytes (S16) (Amendment D §6.2.2).
    Challenge
);

mode_sized!(
    /// A card or host cryptogram: 8 bytes (S8) or 16 bytes (S16) (Amendment D §6.2.2.2/3).
    Cryptogram
);

pub(crate) use crate::aid::Aid;

/// The pseudo-random card challenge (Amendment D §6.2.2.1): the KDF with constant `02`,
/// the static Key-ENC, and context `sequence counter (3 bytes) || AID of the selected
/// security domain` (5–16 bytes). The card increments its counter before each
/// INITIALIZE UPDATE.
pub fn pseudo_random_card_challenge(
    key_enc: &SecretKey,
    sequence_counter: [u8; 3],
    aid: &[u8],
    mode: Mode,
) -> Result<Challenge> {
    let aid = Aid::from_slice(aid)?;
    let prf = Cmac::new(key_enc.as_bytes())?;
    let mut bytes = [0u8; 16];
    let out = bytes.get_mut(..mode.size()).ok_or(ErrorKind::InvalidChallengeLength)?;
    kdf_with(&prf, DerivationConstant::CardChallenge, &[&sequence_counter, aid.as_bytes()], out)?;
    Ok(Challenge { bytes, mode })
}

/// A cryptogram (Amendment D §6.2.2.2/§6.2.2.3): the KDF with S-MAC, the constant and
/// context `host challenge || card challenge`, L = 64 (S8) or 128 (S16) bits.
pub(crate) fn cryptogram(
    s_mac: &Cmac,
    constant: DerivationConstant,
    host: &Challenge,
    card: &Challenge,
) -> Cryptogram {
    let mode = host.mode;
    let mut bytes = [0u8; 16];
    // Cannot fail: the output is 8 or 16 bytes.
    if let Some(out) = bytes.get_mut(..mode.size()) {
        let _ = kdf_with(s_mac, constant, &[host.as_bytes(), card.as_bytes()], out);
    }
    Cryptogram { bytes, mode }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    // Amendment D §6.2.2.1 and Table 4-1: with Key-ENC 000102…0f, counter 000001 and the ISD-R AID,
    // the pseudo-random challenge equals the card challenge of pySim SCP03_Test_AES128_03.
    #[test]
    fn pseudo_random_challenge_of_pysim_aes128_03() {
        let key = SecretKey::from_slice(&hex::decode("000102030405060708090a0b0c0d0e0f").unwrap()).unwrap();
        let aid = hex::decode("A0000005591010FFFFFFFF8900000100").unwrap();
        let ch = pseudo_random_card_challenge(&key, [0, 0, 1], &aid, Mode::S8).unwrap();
        assert_eq!(ch.as_bytes(), hex::decode("30760cd2c47c1dd3").unwrap());
        assert!(ch.ct_matches(&hex::decode("30760cd2c47c1dd3").unwrap()));
        assert!(!ch.ct_matches(&hex::decode("30760cd2c47c1dd2").unwrap()));
        assert_eq!(format!("{ch:?}"), "Challenge(30760cd2c47c1dd3)");
        assert_eq!(
            pseudo_random_card_challenge(&key, [0; 3], &[1; 4], Mode::S8).unwrap_err().kind,
            ErrorKind::InvalidAid
        );
    }
}
