//! What the transport reads of a command APDU for MBIM: the `SecureMessaging` and `Type` fields
//! its class byte asks for (Microsoft, "MB low level UICC access", MBIM_CID_MS_UICC_APDU), and
//! whether it is a short case 3 STORE DATA. The logical channel is
//! [`cla::channel`](crate::modem::cla::channel)'s.

use super::uicc::{ClassByteType, SecureMessaging};
use crate::modem::cla;

/// INS of STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;

/// The secure messaging the class byte indicates ([`cla::secure_messaging`]). MBIM knows only
/// "none" and "command header not authenticated" (Microsoft, "MB low level UICC access",
/// `MBIM_MS_UICC_SECURE_MESSAGING`), so any indication maps to the latter.
pub(crate) const fn secure_messaging(cla: u8) -> SecureMessaging {
    if cla::secure_messaging(cla) { SecureMessaging::NoHeaderAuthentication } else { SecureMessaging::None }
}

/// The class byte type matching the class byte's b8: `0X`/`4X`/`6X` interindustry,
/// `8X`/`CX`/`EX` the extended coding of ETSI TS 102 221 §10.1.1 (where GlobalPlatform's `80`
/// lives).
pub(crate) const fn class_byte_type(cla: u8) -> ClassByteType {
    if cla & 0x80 != 0 { ClassByteType::Extended } else { ClassByteType::Interindustry }
}

/// `true` for a STORE DATA in the short case 3 form `CLA E2 P1 P2 Lc data` (no Le; ISO/IEC
/// 7816-4 §5.1: `Lc` ≠ 0 and nothing after the data).
pub(crate) fn is_store_data_without_le(command: &[u8]) -> bool {
    match command {
        [_, INS_STORE_DATA, _, _, lc, data @ ..] => *lc != 0 && data.len() == usize::from(*lc),
        _ => false,
    }
}
