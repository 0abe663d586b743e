//! CLA coding (ISO/IEC 7816-4 §5.4.1 Tables 2 and 3; GlobalPlatform Card
//! Specification 2.3.1 §11.1.4 for the proprietary `8X`/`CX` classes).
//!
//! Channel numbers 0-3 live in b2 b1 of the first interindustry coding
//! (`0X`), 4-19 in b4..b1 (+4) of the further coding (`4X`, `6X` with SM); the
//! same split is done by osmocom/pysim `pySim/commands.py` `lchan_nr_to_cla`
//! (ETSI TS 102 221 §10.1.1).

use oxicard_apdu::Cla;
use oxicard_apdu::ErrorKind;
use proptest::prelude::*;

/// Expected class byte for channel `ch` from base `00` (interindustry) or `80` (proprietary).
fn expected(base: u8, ch: u8) -> u8 {
    if ch < 4 { base | ch } else { base | 0x40 | (ch - 4) }
}

#[test]
fn channel_coding_0_to_19_both_codings() {
    for base in [0x00, 0x80] {
        for ch in 0..=Cla::MAX_CHANNEL {
            let cla = Cla(base).with_channel(ch).unwrap();
            assert_eq!(cla.0, expected(base, ch), "base {base:02X} channel {ch}");
            assert_eq!(cla.channel(), ch);
            assert_eq!(cla.is_further_coding(), ch >= 4);
            assert_eq!(cla.is_proprietary(), base == 0x80);
        }
    }
    // Spot checks of Table 2 / Table 3 values.
    assert_eq!(Cla(0x03).channel(), 3);
    assert_eq!(Cla(0x40).channel(), 4);
    assert_eq!(Cla(0x4F).channel(), 19);
    assert_eq!(Cla(0xC5).channel(), 9);
    assert_eq!(Cla(0x6F).channel(), 19);
    assert_eq!(Cla::MAX_CHANNEL, 19);
}

#[test]
fn with_channel_keeps_chaining_proprietary_and_sm() {
    // Chaining b5 is 10 in both codings.
    assert_eq!(Cla(0x10).with_channel(5).unwrap(), Cla(0x51));
    assert_eq!(Cla(0x51).with_channel(2).unwrap(), Cla(0x12));
    // First-coding SM (b4 b3 = 01, GP `84`) becomes b6 in the further coding, and back.
    assert_eq!(Cla(0x84).with_channel(5).unwrap(), Cla(0xE1));
    assert_eq!(Cla(0xE1).with_channel(1).unwrap(), Cla(0x85));
    // ISO header-authenticated SM (b4 b3 = 11) maps to b6; within the first coding it is kept.
    assert_eq!(Cla(0x0C).with_channel(4).unwrap(), Cla(0x60));
    assert_eq!(Cla(0x0C).with_channel(3).unwrap(), Cla(0x0F));
    assert_eq!(Cla(0x9C).with_channel(1).unwrap(), Cla(0x9D));
}

#[test]
fn with_channel_errors() {
    let err = Cla(0x00).with_channel(20).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::InvalidValue, 0));
    assert_eq!(Cla(0xFF).with_channel(0).unwrap_err().kind, ErrorKind::InvalidValue);
    // FE (proprietary, further, SM, chained, channel 18) on channel 19 would be FF.
    assert_eq!(Cla(0xFE).with_channel(19).unwrap_err().kind, ErrorKind::InvalidValue);
}

#[test]
fn chaining_bit() {
    // ISO/IEC 7816-4 §5.3.3: b5 = 1 means "not the last command of a chain".
    assert!(Cla(0x10).is_chained());
    assert!(Cla(0x90).is_chained());
    assert!(Cla(0x70).is_chained());
    assert!(!Cla(0x00).is_chained());
    assert!(!Cla(0xFF).is_chained());
    assert_eq!(Cla(0x00).with_chaining(true), Cla(0x10));
    assert_eq!(Cla(0x84).with_chaining(true), Cla(0x94));
    assert_eq!(Cla(0x53).with_chaining(false), Cla(0x43));
    assert_eq!(Cla(0x43).with_chaining(false), Cla(0x43));
}

#[test]
fn secure_messaging() {
    // First coding: b4 b3.
    assert!(!Cla(0x00).is_secure_messaging());
    assert!(Cla(0x04).is_secure_messaging());
    assert!(Cla(0x08).is_secure_messaging());
    assert!(Cla(0x0C).is_secure_messaging());
    // GlobalPlatform secure channel commands: 80 -> 84.
    assert_eq!(Cla(0x80).with_secure_messaging(true), Cla(0x84));
    assert_eq!(Cla(0x84).with_secure_messaging(false), Cla(0x80));
    // An existing SM indication is kept when turning SM on.
    assert_eq!(Cla(0x0C).with_secure_messaging(true), Cla(0x0C));
    assert_eq!(Cla(0x0D).with_secure_messaging(false), Cla(0x01));
    // Further coding: b6.
    assert!(Cla(0x60).is_secure_messaging());
    assert!(!Cla(0x4C).is_secure_messaging());
    assert_eq!(Cla(0x45).with_secure_messaging(true), Cla(0x65));
    assert_eq!(Cla(0xE5).with_secure_messaging(false), Cla(0xC5));
    assert!(!Cla(0xFF).is_secure_messaging());
}

#[test]
fn validity_and_class() {
    assert!(!Cla(0xFF).is_valid());
    assert!(!Cla(0xFF).is_proprietary());
    assert!(Cla(0xFE).is_valid() && Cla(0xFE).is_proprietary());
    assert!(Cla(0x80).is_proprietary() && !Cla(0x7F).is_proprietary());
    assert_eq!(Cla::from(0x84).0, 0x84);
    assert_eq!(u8::from(Cla(0x84)), 0x84);
    assert_eq!(Cla::INTERINDUSTRY, Cla(0x00));
    assert_eq!(Cla::GLOBALPLATFORM, Cla(0x80));
}

proptest! {
    #[test]
    fn with_channel_properties(cla in 0u8..0xFF, ch in 0u8..=19) {
        let before = Cla(cla);
        if let Ok(after) = before.with_channel(ch) {
            prop_assert_eq!(after.channel(), ch);
            prop_assert_eq!(after.is_chained(), before.is_chained());
            prop_assert_eq!(after.is_proprietary(), before.is_proprietary());
            prop_assert_eq!(after.is_secure_messaging(), before.is_secure_messaging());
            prop_assert!(after.is_valid());
            // Back to the original channel gives the original when the coding does not change.
            if before.is_further_coding() == after.is_further_coding() {
                prop_assert_eq!(after.with_channel(before.channel()).unwrap(), before);
            }
        } else {
            // Only the combination that would be FF is refused.
            prop_assert!(ch == 19 && before.is_proprietary() && before.is_chained() && before.is_secure_messaging());
        }
    }

    #[test]
    fn chaining_toggles_only_b5(cla in any::<u8>(), on in any::<bool>()) {
        let after = Cla(cla).with_chaining(on);
        prop_assert_eq!(after.0 & !0x10, cla & !0x10);
        prop_assert_eq!(after.0 & 0x10 != 0, on);
    }
}
