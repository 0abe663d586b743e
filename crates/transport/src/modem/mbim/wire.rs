//! Little-endian fields of MBIM messages and information buffers (USB MBIM 1.0 §9: every
//! integer is little-endian; variable data is padded to 4 bytes).

use super::error::MbimError;

/// The `u32` at byte `at` of `bytes`, if all four bytes are there.
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..)?.first_chunk::<4>().copied().map(u32::from_le_bytes)
}

/// Appends `value` little-endian.
pub(crate) fn push_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Pads `out` with zero bytes to a multiple of 4 (MBIM 1.0 §10.3: "DataBuffer … padded").
pub(crate) fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// `len` as the `u32` of a length or offset field.
pub(crate) fn as_u32(len: usize, what: &'static str) -> Result<u32, MbimError> {
    u32::try_from(len).map_err(|_| MbimError::TooLong { what, len, max: u32::MAX as usize })
}

/// The fixed-size fields of one structure, read with errors that name the structure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Fields<'a> {
    /// The fields of `bytes`, a `what` (named in errors).
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { bytes, what }
    }

    /// The whole structure.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The `u32` at byte `at`.
    pub(crate) fn u32(&self, at: usize) -> Result<u32, MbimError> {
        u32_at(self.bytes, at).ok_or(MbimError::Truncated {
            what: self.what,
            len: self.bytes.len(),
            needed: at.saturating_add(4),
        })
    }

    /// The two status bytes SW1 SW2 of a `BYTE[2]` field in 4 bytes at `at` (Microsoft, "MB
    /// low level UICC access": "SW1 and SW2, in that byte order").
    pub(crate) fn status_word(&self, at: usize) -> Result<[u8; 2], MbimError> {
        self.u32(at).map(|value| {
            let [sw1, sw2, _, _] = value.to_le_bytes();
            [sw1, sw2]
        })
    }

    /// The bytes a size field at `size_at` and an offset field at `offset_at` refer to, offsets
    /// counted from the start of the structure ("calculated from the beginning of this
    /// structure"). The data must lie after the `fixed` bytes of fixed fields. A zero size is
    /// empty whatever the offset.
    pub(crate) fn data(&self, size_at: usize, offset_at: usize, fixed: usize) -> Result<&'a [u8], MbimError> {
        let size = self.u32(size_at)?;
        let offset = self.u32(offset_at)?;
        if size == 0 {
            return Ok(&[]);
        }
        let out_of_bounds = MbimError::OutOfBounds { what: self.what, offset, size, len: self.bytes.len() };
        let start =
            usize::try_from(offset).ok().filter(|start| *start >= fixed).ok_or(out_of_bounds.clone())?;
        let end = usize::try_from(size).ok().and_then(|size| start.checked_add(size));
        end.and_then(|end| self.bytes.get(start..end)).ok_or(out_of_bounds)
    }
}
