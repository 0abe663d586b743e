//! What the transport reads of a command APDU: the logical channel and secure messaging of its
//! class byte (ISO/IEC 7816-4 §5.4.1 Tables 2 and 3; GPC v2.3.1 §11.1.4 for the proprietary
//! `8X`/`CX` classes), and whether it is a short case 3 STORE DATA.

use super::uicc::{ClassByteType, SecureMessaging};

/// INS of STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;

/// The logical channel of a class byte: b2 b1 in the first coding (`0X`–`3X`, `8X`–`BX`),
/// 4 + b4…b1 in the further coding (b7 set).
pub(crate) const fn channel(cla: u8) -> u8 {
    if cla & 0x40 != 0 { 4 + (cla & 0x0F) } else { cla & 0x03 }
}

/// The secure messaging the class byte indicates: b4 b3 ≠ 00 in the first coding, b6 in the
/// further coding. MBIM knows only "none" and "command header not authenticated" (Microsoft,
/// "MB low level UICC access", `MBIM_MS_UICC_SECURE_MESSAGING`), so any indication maps to
/// the latter.
pub(crate) const fn secure_messaging(cla: u8) -> SecureMessaging {
    let indicated = if cla & 0x40 != 0 { cla & 0x20 != 0 } else { cla & 0x0C != 0 };
    if indicated { SecureMessaging::NoHeaderAuthentication } else { SecureMessaging::None }
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
