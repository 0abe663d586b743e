//! DELETE (GPC v2.3.1 §11.2).

use oxicard_apdu::Command;

use super::{CommandError, push_lv};
use crate::CLA_GP;

/// INS of DELETE: `E4` (GPC v2.3.1 §11.2.2).
pub const INS_DELETE: u8 = 0xE4;

/// DELETE of a card content object (`80 E4 00 P2 len 4F len AID 00`, GPC v2.3.1 §11.2.2.1):
/// P2 `00` the object only, `80` the object and related objects (a load file and every
/// application installed from it).
pub fn delete_command(aid: &[u8], and_related: bool) -> Result<Command, CommandError> {
    let mut data = vec![0x4F];
    push_lv(&mut data, "AID", aid)?;
    Ok(Command::new(CLA_GP, INS_DELETE, 0x00, if and_related { 0x80 } else { 0x00 })
        .with_data(data)
        .with_ne(256))
}

/// DELETE of a key (`80 E4 00 00`, GPC v2.3.1 §11.2.2.2, Table 11-24): key identifier `D0`
/// and/or key version number `D2`; with only the version, the whole key set goes.
pub fn delete_key_command(key_id: Option<u8>, version: Option<u8>) -> Command {
    let mut data = Vec::new();
    if let Some(id) = key_id {
        data.extend_from_slice(&[0xD0, 0x01, id]);
    }
    if let Some(v) = version {
        data.extend_from_slice(&[0xD2, 0x01, v]);
    }
    Command::new(CLA_GP, INS_DELETE, 0x00, 0x00).with_data(data).with_ne(256)
}
