//! The state both BSP roles keep (SGP.22 §2.6.4.3–§2.6.4.4): the expanded S-ENC and
//! S-MAC, the MAC chaining value and the block counter.

use zeroize::Zeroize;

use super::keys::BspKeys;
use super::segment::MAC_LEN;
use crate::crypto::{BLOCK, Block, BlockCipher, Cmac};
use crate::error::{ErrorKind, Result};

/// Expanded keys, MAC chaining value and block counter. Zeroized on drop (the key
/// schedules through the `aes` and `cmac` crates' `zeroize` features, the chaining
/// value here).
pub(crate) struct Engine {
    enc: BlockCipher,
    mac: Cmac,
    mcv: Block,
    /// The block counter of the next segment: 1 after key setup and after
    /// ReplaceSessionKeys (SGP.22 §2.6.4.3).
    counter: u64,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.mcv.zeroize();
        self.counter = 0;
    }
}

impl Engine {
    pub(crate) fn new(keys: &BspKeys) -> Result<Self> {
        Ok(Self {
            enc: BlockCipher::new(keys.enc().as_bytes())?,
            mac: Cmac::new(keys.mac().as_bytes())?,
            mcv: *keys.initial_mcv(),
            counter: 1,
        })
    }

    /// The block counter of the next segment.
    pub(crate) fn counter(&self) -> u64 {
        self.counter
    }

    pub(crate) fn enc(&self) -> &BlockCipher {
        &self.enc
    }

    /// The ICV of the next encrypted segment (SGP.22 §2.6.4.3): AES-ECB with S-ENC of
    /// the block counter, big-endian, left-padded with zeros to 16 bytes.
    pub(crate) fn icv(&self) -> Block {
        let mut block = [0u8; BLOCK];
        if let Some(tail) = block.get_mut(BLOCK - 8..) {
            tail.copy_from_slice(&self.counter.to_be_bytes());
        }
        self.enc.encrypt(&mut block);
        block
    }

    /// The full CMAC of a segment (SGP.22 §2.6.4.4): AES-CMAC with S-MAC over
    /// `MCV ‖ tag ‖ length ‖ C`, with the length counting the MAC. Does not update the
    /// chaining value.
    pub(crate) fn full_mac(&self, header_and_body: &[u8]) -> Block {
        self.mac.compute(&[&self.mcv, header_and_body])
    }

    /// Ends one segment: the full CMAC becomes the chaining value, the counter advances
    /// (for every segment, the MAC-only ones too). [`ErrorKind::CounterExhausted`] when
    /// the counter cannot advance.
    pub(crate) fn finish(&mut self, full_mac: Block) -> Result<()> {
        self.mcv = full_mac;
        self.counter = self.counter.checked_add(1).ok_or(ErrorKind::CounterExhausted)?;
        Ok(())
    }

    /// The truncated MAC of a full CMAC.
    pub(crate) fn truncate(full_mac: &Block) -> [u8; MAC_LEN] {
        let mut mac = [0u8; MAC_LEN];
        if let Some(src) = full_mac.get(..MAC_LEN) {
            mac.copy_from_slice(src);
        }
        mac
    }
}
