//! STORE DATA (GPC v2.3.1 §11.11).

use oxicard_apdu::Command;

use super::{CommandError, blocks};
use crate::CLA_GP;

/// INS of STORE DATA: `E2` (GPC v2.3.1 §11.11.2).
pub const INS_STORE_DATA: u8 = 0xE2;

/// P1 b7..b6: encryption of the data (GPC v2.3.1 Table 11-74).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreDataEncryption {
    /// `00`: no encryption information.
    None,
    /// `20`: application dependent.
    ApplicationDependent,
    /// `60`: encrypted data.
    Encrypted,
}

/// P1 b5..b4: structure of the data (GPC v2.3.1 Table 11-74).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreDataStructure {
    /// `00`: no structure information.
    None,
    /// `08`: DGI format.
    Dgi,
    /// `10`: BER-TLV format.
    BerTlv,
}

/// STORE DATA commands carrying `data` in blocks of at most `block_size` bytes: P1 the
/// encryption and structure bits plus `80` on the last block, P2 the block number
/// (GPC v2.3.1 §11.11.2). The blocks may split data objects anywhere.
pub fn store_data_commands(
    data: &[u8],
    encryption: StoreDataEncryption,
    structure: StoreDataStructure,
    block_size: usize,
) -> Result<Vec<Command>, CommandError> {
    let p1 = match encryption {
        StoreDataEncryption::None => 0x00,
        StoreDataEncryption::ApplicationDependent => 0x20,
        StoreDataEncryption::Encrypted => 0x60,
    } | match structure {
        StoreDataStructure::None => 0x00,
        StoreDataStructure::Dgi => 0x08,
        StoreDataStructure::BerTlv => 0x10,
    };
    Ok(blocks(data, block_size.min(oxicard_apdu::CommandView::MAX_SHORT_NC))?
        .map(|(n, last, chunk)| {
            Command::new(CLA_GP, INS_STORE_DATA, p1 | if last { 0x80 } else { 0x00 }, n)
                .with_data(chunk)
                .with_ne(256)
        })
        .collect())
}
