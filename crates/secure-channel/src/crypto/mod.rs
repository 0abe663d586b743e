//! Block-level primitives shared by the protocols: AES (FIPS 197) over the three key
//! sizes, AES-CMAC (NIST SP 800-38B, the `cmac` crate), AES-CBC in place
//! (SP 800-38A §6.2) and ISO/IEC 9797-1 method 2 padding. Nothing here allocates.

mod aes;
mod cbc;
mod cmac;
mod pad;

pub(crate) use self::aes::{BLOCK, Block, BlockCipher};
pub(crate) use self::cbc::{cbc_decrypt, cbc_encrypt};
pub(crate) use self::cmac::Cmac;
pub(crate) use self::pad::{pad_in_place, pad_in_place_to, padded_len, padded_len_to, unpad};

/// `a ^= b` over the common length.
pub(crate) fn xor_into(a: &mut [u8], b: &[u8]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= *y;
    }
}
