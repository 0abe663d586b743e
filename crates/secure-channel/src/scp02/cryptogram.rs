//! Cryptograms, the pseudo-random card challenge and the implicit-mode ICV
//! (GP Card Spec v2.3.1 §E.4.2, §E.3.3).

use super::des::{Block, DesKey};
use super::keys::SecretKey;
use crate::aid::Aid;
use crate::error::Result;

/// The card cryptogram (GPC v2.3.1 §E.4.2.1): the full 3DES MAC with S-ENC, ICV zero, over
/// `host challenge (8) || sequence counter (2) || card challenge (6)` padded with a whole
/// block `80 00 … 00`.
pub fn card_cryptogram(
    s_enc: &SecretKey,
    host_challenge: &[u8; 8],
    sequence_counter: [u8; 2],
    card_challenge: &[u8; 6],
) -> [u8; 8] {
    s_enc.expand().full_mac(&[0; 8], &[host_challenge, &sequence_counter, card_challenge])
}

/// The host cryptogram (GPC v2.3.1 §E.4.2.2): the full 3DES MAC with S-ENC, ICV zero, over
/// `sequence counter (2) || card challenge (6) || host challenge (8)` padded with a whole
/// block `80 00 … 00`.
pub fn host_cryptogram(
    s_enc: &SecretKey,
    host_challenge: &[u8; 8],
    sequence_counter: [u8; 2],
    card_challenge: &[u8; 6],
) -> [u8; 8] {
    s_enc.expand().full_mac(&[0; 8], &[&sequence_counter, card_challenge, host_challenge])
}

/// The retail MAC with ICV zero over the padded `aid` (GPC v2.3.1 §E.3.3, §E.4.2.3).
pub(crate) fn mac_over_aid(key: &DesKey, aid: &[u8]) -> Result<Block> {
    let aid = Aid::from_slice(aid)?;
    Ok(key.retail_mac(&[0; 8], &[aid.as_bytes()]))
}

/// The well-known pseudo-random card challenge ("i" b7, GPC v2.3.1 §E.4.2.3): the first 6
/// bytes of the retail MAC with the **C-MAC session key** (derived with the sequence
/// counter the card announces) and ICV zero over the padded AID of the application that
/// opens the channel. [`ErrorKind::InvalidAid`](crate::ErrorKind::InvalidAid) unless the AID has 5 to 16 bytes.
pub fn pseudo_random_card_challenge(c_mac: &SecretKey, aid: &[u8]) -> Result<[u8; 6]> {
    let [a, b, c, d, e, f, ..] = mac_over_aid(&c_mac.expand(), aid)?;
    Ok([a, b, c, d, e, f])
}

/// The first ICV of an implicitly initiated session (GPC v2.3.1 §E.3.3): the retail MAC
/// with ICV zero over the padded AID of the selected application, with the C-MAC session
/// key (for the C-MAC chain) or the R-MAC session key (for the R-MAC chain).
pub fn implicit_icv(session_key: &SecretKey, aid: &[u8]) -> Result<[u8; 8]> {
    mac_over_aid(&session_key.expand(), aid)
}
