//! Card content management command builders (GPC v2.3.1 §11): INSTALL, LOAD, DELETE,
//! SET STATUS, STORE DATA, PUT KEY. Each builds owned [`oxicard_apdu::Command`]s for the basic
//! channel (class `80`); an SCP03 session adds its protection when sending them.

mod delete;
mod install;
mod load;
mod parse;
mod put_key;
mod set_status;
mod store_data;

pub use delete::{INS_DELETE, delete_command, delete_key_command};
pub use install::p1 as install_p1;
pub use install::{
    INS_INSTALL, InstallParameters, LoadParameters, install_for_install_command, install_for_load_command,
    install_for_personalization_command,
};
pub use load::{INS_LOAD, load_commands};
pub use parse::{DeleteRequest, InstallRequest, PutKeyRequest};
pub use put_key::{INS_PUT_KEY, PutKey, check_put_key_response};
pub use set_status::{
    CardLifeCycle, INS_SET_STATUS, set_application_lock_command, set_card_life_cycle_command,
};
pub use store_data::{INS_STORE_DATA, StoreDataEncryption, StoreDataStructure, store_data_commands};

/// What makes a command impossible to build.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// A length-prefixed field exceeds 255 bytes, or the whole data field exceeds a short APDU.
    #[error("{field} is {len} bytes, too long")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
    },
    /// More blocks than a one-byte block number counts (256).
    #[error("{blocks} blocks: more than 256")]
    TooManyBlocks {
        /// How many blocks the data needs.
        blocks: usize,
    },
    /// A block size of zero.
    #[error("block size 0")]
    ZeroBlockSize,
    /// A key the command cannot carry (not AES-128/192/256, or keys of different lengths).
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),
}

/// Appends `bytes` with a one-byte length prefix.
pub(crate) fn push_lv(out: &mut Vec<u8>, field: &'static str, bytes: &[u8]) -> Result<(), CommandError> {
    let len = u8::try_from(bytes.len()).map_err(|_| CommandError::TooLong { field, len: bytes.len() })?;
    out.push(len);
    out.extend_from_slice(bytes);
    Ok(())
}

/// `data` checked against the short APDU limit (255 bytes, ISO/IEC 7816-4 §5.1).
pub(crate) fn short(data: Vec<u8>, field: &'static str) -> Result<Vec<u8>, CommandError> {
    if data.len() > oxicard_apdu::CommandView::MAX_SHORT_NC {
        return Err(CommandError::TooLong { field, len: data.len() });
    }
    Ok(data)
}

/// Splits `data` into numbered blocks of at most `block_size` bytes (at least one block, even
/// for empty data): `(block number, is last, chunk)`.
pub(crate) fn blocks(
    data: &[u8],
    block_size: usize,
) -> Result<impl Iterator<Item = (u8, bool, &[u8])>, CommandError> {
    if block_size == 0 {
        return Err(CommandError::ZeroBlockSize);
    }
    let count = data.len().div_ceil(block_size).max(1);
    if count > 256 {
        return Err(CommandError::TooManyBlocks { blocks: count });
    }
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![data] } else { data.chunks(block_size).collect() };
    Ok(chunks
        .into_iter()
        .enumerate()
        .map(move |(i, chunk)| (u8::try_from(i).unwrap_or(u8::MAX), i + 1 == count, chunk)))
}

#[cfg(test)]
mod tests;
