//! ISO/IEC 9797-1 padding method 2 (GP Amendment D §4.1.4): `80`, then `00` up to a
//! multiple of the block size; always at least one byte.

use super::BLOCK;

/// The padded length of `len` bytes for blocks of `B` bytes: the next multiple of `B`
/// strictly above `len` (16 for AES; 8 for DES, GPC v2.3.1 §B.1.3).
pub(crate) const fn padded_len_to<const B: usize>(len: usize) -> usize {
    (len / B + 1) * B
}

/// Writes the padding for blocks of `B` bytes after the first `len` bytes of `buf`,
/// canonically (the shortest padding). Returns the padded length, or `None` if `buf` is too
/// short.
pub(crate) fn pad_in_place_to<const B: usize>(buf: &mut [u8], len: usize) -> Option<usize> {
    let total = padded_len_to::<B>(len);
    let (first, rest) = buf.get_mut(len..total)?.split_first_mut()?;
    *first = 0x80;
    rest.fill(0);
    Some(total)
}

/// [`padded_len_to`] for the AES block.
pub(crate) const fn padded_len(len: usize) -> usize {
    padded_len_to::<BLOCK>(len)
}

/// [`pad_in_place_to`] for the AES block.
pub(crate) fn pad_in_place(buf: &mut [u8], len: usize) -> Option<usize> {
    pad_in_place_to::<BLOCK>(buf, len)
}

/// The length of the data in `padded`: strips trailing `00` bytes and the `80` before
/// them. Liberal: any number of trailing zero bytes is accepted (some cards emit whole
/// extra zero blocks), so callers must only use it after the MAC verified.
pub(crate) fn unpad(padded: &[u8]) -> Option<usize> {
    let marker = padded.iter().rposition(|&b| b != 0)?;
    (padded.get(marker) == Some(&0x80)).then_some(marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_canonically() {
        let mut buf = [0xAAu8; 48];
        assert_eq!(pad_in_place(&mut buf, 15), Some(16));
        assert_eq!(buf[15], 0x80);
        assert_eq!(pad_in_place(&mut buf, 16), Some(32));
        assert_eq!(&buf[16..32], &[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(pad_in_place(&mut buf, 0), Some(16));
        assert_eq!(pad_in_place(&mut buf[..31], 16), None);
    }

    #[test]
    fn pads_des_blocks() {
        let mut buf = [0xAAu8; 24];
        assert_eq!(pad_in_place_to::<8>(&mut buf, 7), Some(8));
        assert_eq!(buf[7], 0x80);
        assert_eq!(pad_in_place_to::<8>(&mut buf, 8), Some(16));
        assert_eq!(&buf[8..16], &[0x80, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(pad_in_place_to::<8>(&mut buf[..15], 8), None);
    }

    #[test]
    fn unpads_liberally() {
        assert_eq!(unpad(&hex::decode("4f0080000000000000000000000000000000000000000000").unwrap()), Some(2));
        assert_eq!(unpad(&[0x80]), Some(0));
        assert_eq!(unpad(&[0x01, 0x00]), None);
        assert_eq!(unpad(&[0x00, 0x00]), None);
        assert_eq!(unpad(&[]), None);
    }
}
