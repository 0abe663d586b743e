//! SET STATUS (GPC v2.3.1 §11.10).

use oxicard_apdu::Command;

use super::CommandError;
use crate::CLA_GP;

/// INS of SET STATUS: `F0` (GPC v2.3.1 §11.10.2).
pub const INS_SET_STATUS: u8 = 0xF0;

/// A card life cycle state to move to (GPC v2.3.1 Table 11-2; P2 with P1 `80`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardLifeCycle {
    /// `07` INITIALIZED.
    Initialized,
    /// `0F` SECURED (also the state a CARD_LOCKED card returns to when unlocked).
    Secured,
    /// `7F` CARD_LOCKED.
    Locked,
    /// `FF` TERMINATED — irreversible.
    Terminated,
}

impl CardLifeCycle {
    /// The state byte.
    pub const fn byte(self) -> u8 {
        match self {
            Self::Initialized => 0x07,
            Self::Secured => 0x0F,
            Self::Locked => 0x7F,
            Self::Terminated => 0xFF,
        }
    }
}

/// SET STATUS of the card (`80 F0 80 state`, no data: the ISD; GPC v2.3.1 §11.10.2.1).
pub fn set_card_life_cycle_command(state: CardLifeCycle) -> Command {
    Command::new(CLA_GP, INS_SET_STATUS, 0x80, state.byte())
}

/// SET STATUS locking (`80 F0 40 80 len AID`) or unlocking (`80 F0 40 00 len AID`) an
/// application or security domain (GPC v2.3.1 §11.10.2.1, Table 11-66: P2 b8 set locks, clear
/// unlocks back to the previous state).
pub fn set_application_lock_command(aid: &[u8], lock: bool) -> Result<Command, CommandError> {
    if aid.len() > 16 {
        return Err(CommandError::TooLong { field: "AID", len: aid.len() });
    }
    Ok(Command::new(CLA_GP, INS_SET_STATUS, 0x40, if lock { 0x80 } else { 0x00 }).with_data(aid))
}
