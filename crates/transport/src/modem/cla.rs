//! The class byte of a command APDU as the modem transports read it: the logical channel it
//! addresses and whether it indicates secure messaging (ISO/IEC 7816-4 §5.4.1; GPC v2.3.1
//! §11.1.4 for the proprietary classes).
//!
//! | CLA                    | coding                                     | channel   | SM    |
//! |------------------------|--------------------------------------------|-----------|-------|
//! | `0x`, `1x`             | first interindustry (Table 2)              | b2 b1     | b4 b3 |
//! | `4x`–`7x`              | further interindustry (Table 3)            | 4 + b4…b1 | b6    |
//! | `8x`, `9x`             | proprietary, first coding (GP `80`–`83`)   | b2 b1     | b4 b3 |
//! | `Cx`–`Fx` but `FF`     | proprietary, further coding (GP `C0`–`CF`) | 4 + b4…b1 | b6    |
//! | `2x`, `3x`, `Ax`, `Bx` | reserved by ISO; ETSI TS 102 221's `A0`    | none      | –     |
//! | `FF`                   | invalid (ISO/IEC 7816-3 PPS)               | none      | –     |
//!
//! The card layer's own codec is `oxicard_apdu::Cla`; the transports sit below that crate, so
//! they read the class byte here.

/// The logical channel `cla` addresses (see the [module table](self)): 0–3 in the first coding,
/// 4–19 in the further one, the same under the proprietary bit b8. `None` for the classes that
/// name no channel — `FF` and the reserved `2x`, `3x`, `Ax`, `Bx` — which go to the modem as they
/// are, on no channel of its own.
pub(crate) const fn channel(cla: u8) -> Option<u8> {
    if cla == 0xFF {
        return None;
    }
    match cla & 0x60 {
        0x00 => Some(cla & 0x03),
        0x40 | 0x60 => Some(4 + (cla & 0x0F)),
        _ => None,
    }
}

/// The interindustry class byte `base` (no secure messaging, no chaining: `00`) moved to logical
/// channel `number`: the first coding for 0–3, the further one (`40` + `number` − 4) for 4–19
/// (ISO/IEC 7816-4 §5.4.1 Tables 2 and 3). `None` above 19.
pub(crate) const fn with_channel(base: u8, number: u8) -> Option<u8> {
    match number {
        0..=3 => Some((base & !0x03) | number),
        4..=19 => Some(0x40 | (base & 0x80) | (number - 4)),
        _ => None,
    }
}

/// Whether `cla` indicates secure messaging: b4 b3 ≠ 00 in the first coding, b6 in the further
/// coding (ISO/IEC 7816-4 §5.4.1 Tables 2 and 3). `false` for `FF`.
pub(crate) const fn secure_messaging(cla: u8) -> bool {
    if cla == 0xFF {
        false
    } else if cla & 0x40 != 0 {
        cla & 0x20 != 0
    } else {
        cla & 0x0C != 0
    }
}

#[cfg(test)]
mod tests {
    use super::{channel, secure_messaging, with_channel};

    #[test]
    fn class_bytes_of_channels() {
        // ISO/IEC 7816-4 §5.4.1: channels 0–3 in b2 b1 of `0x`, 4–19 as `40`–`4F`; proprietary
        // `80` → `81`…, `C0`… (GPC v2.3.1 §11.1.4).
        for (base, number, expected) in [
            (0x00, 0, 0x00),
            (0x00, 1, 0x01),
            (0x00, 3, 0x03),
            (0x00, 4, 0x40),
            (0x00, 19, 0x4F),
            (0x80, 2, 0x82),
            (0x80, 5, 0xC1),
        ] {
            assert_eq!(with_channel(base, number), Some(expected), "{base:02X} on {number}");
            assert_eq!(channel(expected), Some(number), "{expected:02X}");
        }
        assert_eq!(with_channel(0x00, 20), None);
    }

    #[test]
    fn channels_of_class_bytes() {
        for (cla, expected, what) in [
            // The first interindustry coding (ISO/IEC 7816-4 §5.4.1 Table 2); `0C` carries SM
            // bits, `13` the chaining bit, neither is the channel.
            (0x00, Some(0), "basic channel"),
            (0x03, Some(3), "channel 3"),
            (0x0C, Some(0), "secure messaging bits are not the channel"),
            (0x13, Some(3), "chaining bit b5 is not the channel"),
            // The further coding (Table 3); b6 is secure messaging there.
            (0x40, Some(4), "channel 4"),
            (0x4F, Some(19), "channel 19"),
            (0x6F, Some(19), "b6 is secure messaging in the further class"),
            // GlobalPlatform's proprietary classes (GPC v2.3.1 §11.1.4): `80` on the basic
            // channel; `81 E2` is STORE DATA on channel 1 as lpac sends it in `AT+CGLA` (lpac
            // issue #143: `AT+CGLA=1,16,"81E2910003BF2E00"`); `C0`/`C1` channels 4 and 5.
            (0x80, Some(0), "GlobalPlatform on the basic channel"),
            (0x81, Some(1), "81 E2: STORE DATA on channel 1"),
            (0x91, Some(1), "proprietary with chaining"),
            (0xC0, Some(4), "proprietary further coding"),
            (0xC1, Some(5), "proprietary further coding"),
            (0xEF, Some(19), "proprietary further coding with SM"),
            // No channel: ISO's reserved classes and ETSI TS 102 221's `A0` (GSM), and `FF`.
            (0xA0, None, "ETSI TS 102 221 class A0"),
            (0xA1, None, "reserved under b8 as 2x is"),
            (0xB3, None, "reserved under b8 as 3x is"),
            (0x20, None, "ISO reserved"),
            (0x3F, None, "ISO reserved"),
            (0xFF, None, "invalid"),
        ] {
            assert_eq!(channel(cla), expected, "{cla:02X}: {what}");
        }
    }

    #[test]
    fn secure_messaging_of_class_bytes() {
        // GlobalPlatform SCP03 wraps `80` as `84` (GPC v2.3.1 §11.1.4: b4 b3 = 01).
        for (cla, expected) in [
            (0x00, false),
            (0x04, true),
            (0x08, true),
            (0x0C, true),
            (0x80, false),
            (0x84, true),
            (0x40, false),
            (0x60, true),
            (0x4C, false),
            (0xC1, false),
            (0xE1, true),
            (0xFF, false),
        ] {
            assert_eq!(secure_messaging(cla), expected, "{cla:02X}");
        }
    }
}
