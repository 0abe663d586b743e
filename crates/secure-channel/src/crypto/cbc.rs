//! AES-CBC in place (NIST SP 800-38A §6.2), no padding: the caller pads.

use super::{BLOCK, Block, BlockCipher, xor_into};

/// Encrypts `data` (a whole number of blocks; a trailing partial block is left
/// untouched, callers never pass one) in place with `iv`.
pub(crate) fn cbc_encrypt(cipher: &BlockCipher, iv: &Block, data: &mut [u8]) {
    let mut prev = *iv;
    for chunk in data.chunks_exact_mut(BLOCK) {
        xor_into(&mut prev, chunk);
        cipher.encrypt(&mut prev);
        chunk.copy_from_slice(&prev);
    }
}

/// Decrypts `data` (a whole number of blocks) in place with `iv`.
pub(crate) fn cbc_decrypt(cipher: &BlockCipher, iv: &Block, data: &mut [u8]) {
    let mut prev = *iv;
    for chunk in data.chunks_exact_mut(BLOCK) {
        let mut block: Block = [0; BLOCK];
        block.copy_from_slice(chunk);
        let saved = block;
        cipher.decrypt(&mut block);
        xor_into(&mut block, &prev);
        chunk.copy_from_slice(&block);
        prev = saved;
    }
}
