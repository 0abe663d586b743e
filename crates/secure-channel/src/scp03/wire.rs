//! The few APDU rules the secure channel needs, on raw bytes (ISO/IEC 7816-4 §5.1
//! command cases, §5.4.1 class byte; GP Card Spec v2.3.1 §11.1.4 CLA coding).

use crate::error::{Error, ErrorKind, Result};

pub(crate) use super::init_update::write_parts;

/// A command APDU split into its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Command<'a> {
    pub(crate) header: [u8; 4],
    /// The bytes of the Lc field as they appear (empty, 1 or 3 bytes).
    pub(crate) lc_field: &'a [u8],
    pub(crate) data: &'a [u8],
    /// Ne: 1..=65536, or `None` (no Le field).
    pub(crate) ne: Option<u32>,
}

fn be16(hi: u8, lo: u8) -> usize {
    usize::from(u16::from_be_bytes([hi, lo]))
}

/// Parses a command in any of the cases 1, 2S, 3S, 4S, 2E, 3E, 4E (ISO/IEC 7816-4 §5.1).
pub(crate) fn parse(apdu: &[u8]) -> Result<Command<'_>> {
    let (header, body) = apdu.split_first_chunk::<4>().ok_or(Error::new(ErrorKind::Truncated, apdu.len()))?;
    let header = *header;
    let bad_len = Error::new(ErrorKind::InvalidLength, 4);
    let cmd = |lc_field, data, ne| Ok(Command { header, lc_field, data, ne });
    match *body {
        [] => cmd(&[], &[], None),
        [le] => cmd(&[], &[], Some(if le == 0 { 256 } else { u32::from(le) })),
        [0, hi, lo] => {
            let ne = be16(hi, lo);
            cmd(&[], &[], Some(if ne == 0 { 65536 } else { ne as u32 }))
        }
        [0, hi, lo, ref rest @ ..] => {
            let nc = be16(hi, lo);
            let (lc_field, _) = body.split_at(3);
            if nc == 0 {
                return Err(bad_len);
            }
            if rest.len() == nc {
                cmd(lc_field, rest, None)
            } else if rest.len() == nc + 2 {
                let (data, le) = rest.split_at(nc);
                let ne = match *le {
                    [a, b] => be16(a, b),
                    _ => return Err(bad_len),
                };
                cmd(lc_field, data, Some(if ne == 0 { 65536 } else { ne as u32 }))
            } else {
                Err(bad_len)
            }
        }
        [lc, ref rest @ ..] => {
            let nc = usize::from(lc);
            let (lc_field, _) = body.split_at(1);
            if nc == 0 {
                return Err(bad_len);
            }
            if rest.len() == nc {
                cmd(lc_field, rest, None)
            } else if rest.len() == nc + 1 {
                let (data, le) = rest.split_at(nc);
                let le = le.first().copied().unwrap_or(0);
                cmd(lc_field, data, Some(if le == 0 { 256 } else { u32::from(le) }))
            } else {
                Err(bad_len)
            }
        }
    }
}

/// The largest Nc.
pub(crate) const MAX_NC: usize = 65535;

/// Whether a command with `nc` data bytes and `ne` needs the extended form.
pub(crate) fn extended(nc: usize, ne: Option<u32>) -> bool {
    nc > 255 || ne.is_some_and(|ne| ne > 256)
}

/// The length of the Lc field.
pub(crate) fn lc_len(nc: usize, ext: bool) -> usize {
    match (nc, ext) {
        (0, _) => 0,
        (_, false) => 1,
        (_, true) => 3,
    }
}

/// The length of the Le field.
pub(crate) fn le_len(nc: usize, ne: Option<u32>, ext: bool) -> usize {
    match (ne, ext, nc) {
        (None, _, _) => 0,
        (Some(_), false, _) => 1,
        (Some(_), true, 0) => 3,
        (Some(_), true, _) => 2,
    }
}

/// Writes the Lc field for `nc` into the start of `out`; returns its length.
pub(crate) fn write_lc(out: &mut [u8], nc: usize, ext: bool) -> usize {
    let [_, _, hi, lo] = (nc as u32).to_be_bytes();
    let bytes: &[u8] = match lc_len(nc, ext) {
        0 => &[],
        1 => &[lo],
        _ => &[0, hi, lo],
    };
    write_field(out, bytes)
}

/// Copies `field` to the start of `out`; returns its length.
fn write_field(out: &mut [u8], field: &[u8]) -> usize {
    if let Some(dst) = out.get_mut(..field.len()) {
        dst.copy_from_slice(field);
    }
    field.len()
}

/// Writes the Le field for `ne` into the start of `out`; returns its length.
pub(crate) fn write_le(out: &mut [u8], nc: usize, ne: Option<u32>, ext: bool) -> usize {
    // 256 → 00 (short), 65536 → 0000 (extended): the low bytes do exactly that.
    let [_, _, hi, lo] = ne.unwrap_or(0).to_be_bytes();
    let bytes: &[u8] = match le_len(nc, ne, ext) {
        0 => &[],
        1 => &[lo],
        2 => &[hi, lo],
        _ => &[0, hi, lo],
    };
    write_field(out, bytes)
}

/// The class byte of a GP command on logical `channel` (GP Card Spec v2.3.1 Table 11-11
/// and 11-12): `80`–`83` for channels 0–3, `C0`–`CF` for channels 4–19.
pub(crate) fn gp_cla(channel: u8) -> Result<u8> {
    match channel {
        0..=3 => Ok(0x80 | channel),
        4..=19 => Ok(0xC0 | (channel - 4)),
        _ => Err(ErrorKind::InvalidChannel.into()),
    }
}

/// Whether a CLA uses the further interindustry form (b7 set; channels 4–19).
fn further(cla: u8) -> bool {
    cla & 0x40 != 0
}

/// The logical channel of a CLA byte (ISO/IEC 7816-4 §5.4.1).
pub(crate) fn channel(cla: u8) -> u8 {
    if further(cla) { 4 + (cla & 0x0F) } else { cla & 0x03 }
}

/// The class byte the C-MAC is computed over, from the wire CLA: the first
/// interindustry form with the secure-messaging indication `04` and no channel number
/// (Amendment D §6.2.4: the channel number is discarded; GlobalPlatformPro always uses
/// `84`, pySim `(CLA & F0) | 04`). Every other bit of a first-form CLA is covered; of a
/// further-form CLA the proprietary bit b8 and the chaining bit b5 are.
pub(crate) fn mac_cla(wire_cla: u8) -> u8 {
    if further(wire_cla) { (wire_cla & 0x90) | 0x04 } else { (wire_cla & 0xF0) | 0x04 }
}

/// The wire class byte of a plain command with secure messaging: b3 (`04`) in the
/// first interindustry form, b6 (`20`) in the further form. [`ErrorKind::InvalidClass`]
/// for `FF`, a CLA already marked as secure messaging, or the RFU first-form bit b6.
pub(crate) fn with_sm(cla: u8) -> Result<u8> {
    let invalid = Err(ErrorKind::InvalidClass.into());
    if cla == 0xFF {
        return invalid;
    }
    if further(cla) {
        if cla & 0x20 != 0 {
            return invalid;
        }
        Ok(cla | 0x20)
    } else {
        if cla & 0x2C != 0 {
            return invalid;
        }
        Ok(cla | 0x04)
    }
}

/// The plain class byte of a received secure-messaging command: the reverse of
/// [`with_sm`]. [`ErrorKind::MissingMac`] if the CLA does not indicate secure messaging
/// in the GP form (b4 b3 = `01`; b6 in the further form).
pub(crate) fn without_sm(cla: u8) -> Result<u8> {
    let missing = Err(ErrorKind::MissingMac.into());
    if cla == 0xFF {
        return missing;
    }
    if further(cla) {
        if cla & 0x20 == 0 {
            return missing;
        }
        Ok(cla & !0x20)
    } else {
        if cla & 0x0C != 0x04 {
            return missing;
        }
        Ok(cla & !0x0C)
    }
}

/// Whether a status word is a success or warning, the only ones whose responses are
/// protected: `9000`, `62xx`, `63xx`; every other one counts as an error and carries no
/// R-MAC (Amendment D §6.2.5).
pub(crate) fn protected_sw(sw1: u8, sw2: u8) -> bool {
    matches!((sw1, sw2), (0x90, 0x00) | (0x62, _) | (0x63, _))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(hex: &str) -> Result<(Vec<u8>, Vec<u8>, Option<u32>)> {
        let bytes = hex::decode(hex).unwrap();
        parse(&bytes).map(|c| (c.lc_field.to_vec(), c.data.to_vec(), c.ne))
    }

    #[test]
    fn parses_every_case() {
        assert_eq!(p("80F22002").unwrap(), (vec![], vec![], None));
        assert_eq!(p("80CA006600").unwrap(), (vec![], vec![], Some(256)));
        assert_eq!(p("80CA006610").unwrap(), (vec![], vec![], Some(16)));
        assert_eq!(p("80F220020A4F0212345C054F9F70C5").unwrap().1.len(), 10);
        assert_eq!(p("80F28002024F0000").unwrap(), (vec![2], vec![0x4F, 0], Some(256)));
        assert_eq!(p("80CA0066000000").unwrap(), (vec![], vec![], Some(65536)));
        assert_eq!(p("80CA0066000101").unwrap(), (vec![], vec![], Some(257)));
        assert_eq!(p("80E2000000000201020000").unwrap(), (vec![0, 0, 2], vec![1, 2], Some(65536)));
        assert_eq!(p("80E20000000002AABB").unwrap(), (vec![0, 0, 2], vec![0xAA, 0xBB], None));
        assert_eq!(p("80E2").unwrap_err().kind, ErrorKind::Truncated);
        assert_eq!(p("80E20000020102FF00").unwrap_err().kind, ErrorKind::InvalidLength);
        assert_eq!(p("80E200000000").unwrap_err().kind, ErrorKind::InvalidLength);
        assert_eq!(p("80E20000000000AA").unwrap_err().kind, ErrorKind::InvalidLength);
        assert_eq!(p("80E200000001").unwrap_err().kind, ErrorKind::InvalidLength);
    }

    #[test]
    fn class_bytes() {
        assert_eq!((with_sm(0x80).unwrap(), mac_cla(0x84)), (0x84, 0x84));
        assert_eq!((with_sm(0x83).unwrap(), mac_cla(0x87)), (0x87, 0x84));
        assert_eq!((with_sm(0x90).unwrap(), mac_cla(0x94)), (0x94, 0x94));
        assert_eq!(mac_cla(0xA4), 0xA4);
        // channel 5, GP proprietary further form: C1 -> E1 (GPC v2.3.1 Table 11-12; Amendment D §6.2.4)
        assert_eq!((with_sm(0xC1).unwrap(), mac_cla(0xE1), channel(0xC1)), (0xE1, 0x84, 5));
        assert_eq!(mac_cla(0xF1), 0x94);
        assert_eq!((without_sm(0xE1).unwrap(), without_sm(0x87).unwrap()), (0xC1, 0x83));
        assert_eq!(without_sm(0x80).unwrap_err().kind, ErrorKind::MissingMac);
        assert_eq!(without_sm(0x8C).unwrap_err().kind, ErrorKind::MissingMac);
        assert_eq!(without_sm(0xC1).unwrap_err().kind, ErrorKind::MissingMac);
        assert_eq!(with_sm(0x84).unwrap_err().kind, ErrorKind::InvalidClass);
        assert_eq!(with_sm(0xFF).unwrap_err().kind, ErrorKind::InvalidClass);
        for ch in 0..=19 {
            assert_eq!(channel(gp_cla(ch).unwrap()), ch);
            assert_eq!(channel(with_sm(gp_cla(ch).unwrap()).unwrap()), ch);
        }
        assert!(gp_cla(20).is_err());
    }

    #[test]
    fn length_fields() {
        let mut buf = [0u8; 3];
        assert_eq!(write_lc(&mut buf, 0x18, false), 1);
        assert_eq!(buf[0], 0x18);
        assert_eq!(write_lc(&mut buf, 0x118, true), 3);
        assert_eq!(buf, [0, 1, 0x18]);
        assert_eq!(write_le(&mut buf, 1, Some(256), false), 1);
        assert_eq!(buf[0], 0);
        assert_eq!(write_le(&mut buf, 1, Some(65536), true), 2);
        assert_eq!(&buf[..2], &[0, 0]);
        assert_eq!(write_le(&mut buf, 0, Some(300), true), 3);
        assert_eq!(buf, [0, 1, 0x2C]);
    }
}
