//! The APDU rules SCP02 needs, on raw bytes: short commands only (GP Card Spec v2.3.1
//! §11.1.5), the class byte forms of §11.1.4 (Tables 11-11/11-12) shared with SCP03.

use crate::error::{Error, ErrorKind, Result};
pub(crate) use crate::scp03::wire::{
    channel, gp_cla, mac_cla, protected_sw, with_sm, without_sm, write_parts,
};

/// The largest data field of a short command.
pub(crate) const MAX_DATA: usize = 255;

/// A short command APDU split into its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Command<'a> {
    pub(crate) header: [u8; 4],
    pub(crate) data: &'a [u8],
    /// The Le byte (`00` for Ne = 256), or `None` without an Le field.
    pub(crate) le: Option<u8>,
}

/// Parses a command of case 1, 2S, 3S or 4S (ISO/IEC 7816-4 §5.1).
/// [`ErrorKind::InvalidLength`] for an extended or malformed one: GlobalPlatform
/// commands under SCP02 are short (§11.1.5).
pub(crate) fn parse(apdu: &[u8]) -> Result<Command<'_>> {
    let cmd = crate::scp03::wire::parse(apdu)?;
    if cmd.lc_field.len() > 1 || cmd.ne.is_some_and(|ne| ne > 256) || cmd.data.len() > MAX_DATA {
        return Err(Error::new(ErrorKind::InvalidLength, 4));
    }
    // 256 → 00; 1..=255 as they are.
    let le = cmd.ne.map(|ne| (ne & 0xFF) as u8);
    Ok(Command { header: cmd.header, data: cmd.data, le })
}

/// Splits a response APDU into data and status word; [`ErrorKind::Truncated`] below 2 bytes.
pub(crate) fn split_sw(response: &[u8]) -> Result<(&[u8], [u8; 2])> {
    match response.split_last_chunk::<2>() {
        Some((data, sw)) => Ok((data, *sw)),
        None => Err(Error::new(ErrorKind::Truncated, response.len())),
    }
}

/// The class byte of the R-MAC input and of the C-MAC on the unmodified APDU: no
/// secure-messaging indication, no channel number (GPC v2.3.1 §E.4.4, §E.4.5: "the logical
/// channel number is always assumed to be zero").
pub(crate) fn stripped_cla(cla: u8) -> u8 {
    mac_cla(cla) & !0x04
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_only() {
        let bytes = hex::decode("80F28002024F0000").unwrap();
        let c = parse(&bytes).unwrap();
        assert_eq!((c.header, c.data, c.le), ([0x80, 0xF2, 0x80, 0x02], &[0x4F, 0x00][..], Some(0)));
        assert_eq!(parse(&hex::decode("80F22002").unwrap()).unwrap().le, None);
        assert_eq!(parse(&hex::decode("80CA006612").unwrap()).unwrap().le, Some(0x12));
        assert_eq!(
            parse(&hex::decode("80CA0066000101").unwrap()).unwrap_err().kind,
            ErrorKind::InvalidLength
        );
        assert_eq!(
            parse(&hex::decode("80E20000000002AABB").unwrap()).unwrap_err().kind,
            ErrorKind::InvalidLength
        );
        assert_eq!((stripped_cla(0x87), stripped_cla(0xE3), stripped_cla(0xC3)), (0x80, 0x80, 0x80));
        assert_eq!((mac_cla(0x87), mac_cla(0xE3), mac_cla(0x80)), (0x84, 0x84, 0x84));
    }
}
