//! The logical channel a command APDU is addressed to, from its class byte.

/// The logical channel in `cla` (ISO/IEC 7816-4 §5.4.1): channels 0–3 in b2 b1 of the first
/// interindustry class (`0x`), 4–19 in b4–b1 plus 4 of the further interindustry class (`4x`–
/// `7x`), the same bits under the proprietary bit b8 (`8x`, `Cx`–`Fx`, as GlobalPlatform's
/// `80`/`81`/`C0`). `None` for `FF` (invalid) and for the classes ISO reserves (`2x`, `3x`; ETSI
/// TS 102 221's `A0`): those go to the modem as they are, on no channel of its own.
pub(crate) fn channel(cla: u8) -> Option<u8> {
    if cla == 0xFF {
        return None;
    }
    match cla & 0x60 {
        0x00 => Some(cla & 0x03),
        0x40 | 0x60 => Some(4 + (cla & 0x0F)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::channel;

    #[test]
    fn channels_of_the_interindustry_and_proprietary_classes() {
        assert_eq!(channel(0x00), Some(0));
        assert_eq!(channel(0x03), Some(3));
        assert_eq!(channel(0x0C), Some(0), "secure messaging bits are not the channel");
        assert_eq!(channel(0x40), Some(4));
        assert_eq!(channel(0x4F), Some(19));
        assert_eq!(channel(0x6F), Some(19), "b6 is secure messaging in the further class");
        assert_eq!(channel(0x80), Some(0));
        assert_eq!(channel(0x81), Some(1), "81 E2: STORE DATA on channel 1");
        assert_eq!(channel(0xC1), Some(5));
        assert_eq!(channel(0xA0), None, "ETSI TS 102 221 class A0");
        assert_eq!(channel(0x20), None);
        assert_eq!(channel(0xFF), None);
    }
}
