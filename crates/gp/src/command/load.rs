//! LOAD (GPC v2.3.1 §11.6).

use oxicard_apdu::Command;

use super::{CommandError, blocks};
use crate::CLA_GP;

/// INS of LOAD: `E8` (GPC v2.3.1 §11.6.2).
pub const INS_LOAD: u8 = 0xE8;

/// The LOAD commands carrying `load_file` (the `C4` object of
/// [`CapFile::load_file`](crate::cap::CapFile::load_file), optionally preceded by DAP blocks)
/// in blocks of at most `block_size` bytes: P1 `00` for more blocks, `80` on the last; P2 the
/// block number from `00` (GPC v2.3.1 §11.6.2.1, §11.6.2.2). Pick `block_size` with
/// [`CardChannel::max_command_data`](oxicard_apdu::card::CardChannel::max_command_data) so the secure channel's
/// overhead still fits a short APDU.
pub fn load_commands(load_file: &[u8], block_size: usize) -> Result<Vec<Command>, CommandError> {
    Ok(blocks(load_file, block_size.min(oxicard_apdu::CommandView::MAX_SHORT_NC))?
        .map(|(n, last, chunk)| {
            Command::new(CLA_GP, INS_LOAD, if last { 0x80 } else { 0x00 }, n).with_data(chunk).with_ne(256)
        })
        .collect())
}
