//! Building BER-TLV objects with DER-minimal lengths (ISO/IEC 7816-4 §5.2.2,
//! X.690 §8.1.3 and §10.1) in linear time.

use alloc::vec::Vec;

use super::{Tag, Tlv};
use crate::error::Error;

/// Bytes reserved for the length field of a constructed value whose length is
/// not known yet: the initial byte plus as many bytes as a `usize` has, enough
/// for any length (X.690 §8.1.3.5).
const SLOT: usize = 1 + core::mem::size_of::<usize>();

/// The bytes of `len` in the shortest definite form (X.690 §8.1.3.4, §8.1.3.5, §10.1): one
/// byte below 128, else `80 | n` and the `n` significant bytes of `len`.
fn encode_length(len: usize) -> impl Iterator<Item = u8> {
    let bytes = len.to_be_bytes();
    let significant = bytes.iter().skip_while(|&&b| b == 0).count();
    // `significant` <= size_of::<usize>() <= 16 < 0x80.
    let (first, following) =
        if len < 0x80 { (len as u8, 0) } else { (0x80 | significant as u8, significant) };
    core::iter::once(first).chain(bytes.into_iter().skip(bytes.len() - following))
}

/// The number of bytes [`encode_length`] gives for `len`.
fn length_len(len: usize) -> usize {
    if len < 0x80 { 1 } else { 1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize }
}

/// A constructed value whose length field is reserved at `pos` (in
/// [`Writer::buf`]); `len` is its final (compacted) content length once closed.
#[derive(Clone, Copy, Debug)]
struct Slot {
    pos: usize,
    len: usize,
}

/// A constructed value being written.
#[derive(Clone, Copy, Debug)]
struct Open {
    /// Index of its [`Slot`].
    slot: usize,
    /// Where its content starts in [`Writer::buf`].
    content_start: usize,
    /// By how much its content shrinks when the reserved length fields of its
    /// descendants are compacted.
    savings: usize,
}

/// Builds a sequence of BER-TLV objects, nested to any depth, with every length
/// in the minimal definite form of DER (X.690 §10.1). Tags are written as given.
///
/// # Algorithm (linear time, no per-level copying)
///
/// A naive writer encodes each constructed value's children into a buffer, then
/// copies that buffer behind the parent's tag and length: a payload nested `d`
/// deep is copied `d` times. Here everything goes into one buffer:
///
/// 1. [`Writer::constructed`] writes the tag, reserves a fixed `SLOT`-byte hole
///    (1 + `size_of::<usize>()`, enough for any length) for the length, records
///    the hole's position in a list of slots (in buffer order, as holes are only
///    ever appended) and runs the closure, which writes the children after it.
/// 2. When the closure returns, the content length is known *as laid out*, with
///    the holes of nested constructed values at full size. The final length is
///    that minus the bytes the descendants' holes will give back; each open value
///    keeps a running `savings` total to which every closing child adds its own
///    savings plus `SLOT - length_len(child_final_len)`. So the final length of
///    every value is known in O(1) at close time.
/// 3. [`Writer::finish`] runs one front-to-back compaction pass: it moves each
///    run of bytes between holes down to the write position (the write position
///    never passes the read position, so `copy_within` is safe) and writes each
///    slot's minimal length in place of its hole.
///
/// Each byte is written once when appended and moved at most once in the final
/// pass: O(n + number of constructed values) overall, whatever the depth.
///
/// The writer does not limit depth; objects nested deeper than
/// [`MAX_DEPTH`](super::MAX_DEPTH) are written but rejected when read back.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    slots: Vec<Slot>,
    open: Vec<Open>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `capacity` bytes (reserved length fields of
    /// constructed values take `1 + size_of::<usize>()` bytes each until
    /// [`Writer::finish`]).
    pub fn with_capacity(capacity: usize) -> Self {
        Self { buf: Vec::with_capacity(capacity), slots: Vec::new(), open: Vec::new() }
    }

    fn tag(&mut self, tag: Tag) {
        self.buf.extend(tag.bytes());
    }

    /// Writes a primitive object (or any object whose value is already encoded):
    /// `tag`, the minimal length of `value`, `value`.
    pub fn primitive(&mut self, tag: Tag, value: &[u8]) {
        self.tag(tag);
        self.buf.extend(encode_length(value.len()));
        self.buf.extend_from_slice(value);
    }

    /// Writes a constructed object with `tag`; `f` writes its value (the children)
    /// into the writer it is given. Returns what `f` returns. Linear time at any
    /// depth (see the type's documentation).
    pub fn constructed<R>(&mut self, tag: Tag, f: impl FnOnce(&mut Writer) -> R) -> R {
        self.tag(tag);
        let pos = self.buf.len();
        self.buf.resize(pos + SLOT, 0);
        let slot = self.slots.len();
        self.slots.push(Slot { pos, len: 0 });
        self.open.push(Open { slot, content_start: self.buf.len(), savings: 0 });
        let result = f(self);
        self.close();
        result
    }

    /// Ends the innermost open constructed value: computes its final length and
    /// passes its savings on to its parent.
    fn close(&mut self) {
        let Some(open) = self.open.pop() else {
            return;
        };
        let laid_out = self.buf.len().saturating_sub(open.content_start);
        let len = laid_out.saturating_sub(open.savings);
        if let Some(slot) = self.slots.get_mut(open.slot) {
            slot.len = len;
        }
        if let Some(parent) = self.open.last_mut() {
            let own = SLOT - length_len(len);
            parent.savings = parent.savings.saturating_add(open.savings).saturating_add(own);
        }
    }

    /// Appends pre-encoded bytes (for example one or more complete objects) as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Writes a parsed object again: the tag as it was, every length in minimal
    /// form, constructed values rebuilt child by child (so a [`Mode::Lenient`]
    /// object comes out with DER lengths). Fails on the first malformed child.
    ///
    /// [`Mode::Lenient`]: super::Mode::Lenient
    pub fn reencode(&mut self, tlv: &Tlv<'_>) -> Result<(), Error> {
        if tlv.is_constructed() {
            self.constructed(tlv.tag(), |w| tlv.children().try_for_each(|child| w.reencode(&child?)))
        } else {
            self.primitive(tlv.tag(), tlv.value());
            Ok(())
        }
    }

    /// The encoding of everything written.
    pub fn finish(self) -> Vec<u8> {
        self.compact().0
    }

    /// The compaction pass of [`Writer::finish`]; also returns how many bytes it
    /// moved or wrote (at most the final length: the linearity witness).
    fn compact(self) -> (Vec<u8>, usize) {
        let Self { mut buf, slots, .. } = self;
        let Some(first) = slots.first() else {
            return (buf, 0);
        };
        let mut moved = 0usize;
        let mut read = first.pos.min(buf.len());
        let mut write = read;
        for slot in &slots {
            // Slots are in buffer order and inside it; checked anyway, never panics.
            if slot.pos < read || slot.pos.saturating_add(SLOT) > buf.len() {
                continue;
            }
            let run = slot.pos - read;
            buf.copy_within(read..slot.pos, write);
            write += run;
            let mut len = 0;
            for (dst, byte) in buf.iter_mut().skip(write).zip(encode_length(slot.len)) {
                *dst = byte;
                len += 1;
            }
            write += len;
            read = slot.pos + SLOT;
            moved += run + len;
        }
        let tail = buf.len().saturating_sub(read);
        buf.copy_within(read.., write);
        buf.truncate(write + tail);
        (buf, moved + tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::{MAX_DEPTH, Mode, validate};

    #[test]
    fn length_forms() {
        for (len, expected) in [
            (0usize, &[0x00u8][..]),
            (0x7F, &[0x7F]),
            (0x80, &[0x81, 0x80]),
            (0xFF, &[0x81, 0xFF]),
            (0x100, &[0x82, 0x01, 0x00]),
            (0xFFFF, &[0x82, 0xFF, 0xFF]),
            (0x1_0000, &[0x83, 0x01, 0x00, 0x00]),
            (0x0100_0000, &[0x84, 0x01, 0x00, 0x00, 0x00]),
        ] {
            let bytes: Vec<u8> = encode_length(len).collect();
            assert_eq!(bytes, expected, "{len:#x}");
            assert_eq!(length_len(len), bytes.len());
        }
    }

    /// Linearity: 31 constructed levels around a 1 MiB primitive (depth 32, the
    /// maximum) — the compaction pass moves each byte at most once, where
    /// copy-per-level would move the payload 31 times.
    #[test]
    fn deep_nesting_moves_each_byte_once() {
        let payload = alloc::vec![0xA5u8; 1 << 20];
        let levels = MAX_DEPTH - 1;
        fn nest(w: &mut Writer, level: usize, payload: &[u8]) {
            if level == 0 {
                w.primitive(Tag::from_u32_unchecked(0x04), payload);
            } else {
                w.constructed(Tag::from_u32_unchecked(0x30), |w| nest(w, level - 1, payload));
            }
        }
        let mut w = Writer::new();
        nest(&mut w, levels, &payload);
        let laid_out = w.buf.len();
        let (out, moved) = w.compact();
        assert!(moved <= out.len(), "moved {moved} > output {}", out.len());
        assert!(out.len() < laid_out);
        assert!(out.len() < payload.len() + 32 * 6);
        validate(&out, Mode::Der).unwrap();
        // Outermost header: 30 84 <len>: payload + 31 nested headers.
        let mut tlv = Tlv::parse(&out, Mode::Der).unwrap();
        for _ in 0..levels {
            assert_eq!(tlv.tag(), Tag::from_u32_unchecked(0x30));
            tlv = tlv.children().next().unwrap().unwrap();
        }
        assert_eq!(tlv.depth(), MAX_DEPTH);
        assert_eq!(tlv.value(), &payload[..]);
    }
}
