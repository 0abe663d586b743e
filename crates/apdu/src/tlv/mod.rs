//! BER-TLV data objects: ISO/IEC 7816-4 §5.2.2 (BER-TLV data objects) and
//! ITU-T X.690 §8.1 (tag, length and contents of a BER encoding), with the
//! DER restrictions of X.690 §10.1 (definite, minimal lengths) available as
//! [`Mode::Der`].
//!
//! - [`Tag`]: a 1..=4 byte tag with its [`Class`], constructed bit and number.
//! - [`Tlv`]: one parsed object borrowing its bytes (zero copy), with
//!   [`Tlv::children`], [`Tlv::find`] and [`Tlv::find_path`].
//! - [`Reader`]: an iterator over consecutive objects, with [`Reader::expect`].
//! - [`Writer`]: builds nested objects in linear time, lengths in minimal form.
//! - [`validate`]: walks a whole tree, honouring [`MAX_DEPTH`].
//!
//! ```
//! use oxicard_apdu::tlv::{Mode, Tag, Tlv, Writer};
//!
//! // GlobalPlatform ISD FCI (GPC v2.3.1 §11.9.3.1), as a real card returns it.
//! let mut w = Writer::new();
//! w.constructed(Tag::from_u32_unchecked(0x6F), |w| {
//!     w.primitive(Tag::from_u32_unchecked(0x84), &[0xA0, 0, 0, 0x01, 0x51, 0, 0, 0]);
//!     w.constructed(Tag::from_u32_unchecked(0xA5), |w| w.primitive(Tag::from_u32_unchecked(0x9F65), &[0xFF]));
//! });
//! let bytes = w.finish();
//! let expected = [
//!     0x6F, 0x10, 0x84, 0x08, 0xA0, 0, 0, 0x01, 0x51, 0, 0, 0, 0xA5, 0x04, 0x9F, 0x65, 0x01, 0xFF,
//! ];
//! assert_eq!(bytes, expected);
//!
//! let fci = Tlv::validate(&bytes, Mode::Der)?;
//! let path = [Tag::from_u32_unchecked(0xA5), Tag::from_u32_unchecked(0x9F65)];
//! assert_eq!(fci.find_path(&path)?.map(|t| t.value()), Some(&[0xFF][..]));
//! # Ok::<(), oxicard_apdu::Error>(())
//! ```
//!
//! Both modes accept only definite lengths of at most 4 length bytes
//! (X.690 §8.1.3.5; the indefinite form `80`, X.690 §8.1.3.6, is rejected
//! with [`ErrorKind::IndefiniteLength`](crate::ErrorKind::IndefiniteLength)).
//! Padding bytes `00`/`FF` between objects (ISO/IEC 7816-4 §5.2.2.1) are not
//! skipped: `00` reads as tag `00`.
//!
//! Every error carries the absolute offset in the buffer first given to
//! [`Tlv::parse`], [`Reader::new`] or [`validate`]:
//! a malformed tag or length points at its first byte, [`Truncated`] at the
//! first byte missing (the end of the enclosing value), [`TrailingData`] at the
//! first extra byte, [`DepthExceeded`] at the tag of the object that is too deep,
//! [`WrongConstruction`] at the tag of the primitive object.
//!
//! [`Truncated`]: crate::ErrorKind::Truncated
//! [`TrailingData`]: crate::ErrorKind::TrailingData
//! [`DepthExceeded`]: crate::ErrorKind::DepthExceeded
//! [`WrongConstruction`]: crate::ErrorKind::WrongConstruction

mod object;
mod reader;
mod tag;
mod writer;

pub use object::Tlv;
pub use reader::Reader;
pub use tag::{Class, MAX_TAG_LEN, MAX_TAG_NUMBER, Tag};
pub use writer::Writer;

use crate::error::Error;

/// How strictly encodings are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Distinguished encoding (X.690 §10.1, §8.1.2.4.2 c): tags and lengths must
    /// be in their shortest form, else
    /// [`NonMinimalTag`](crate::ErrorKind::NonMinimalTag) /
    /// [`NonMinimalLength`](crate::ErrorKind::NonMinimalLength). What GSMA SGP.22
    /// ES10x and GlobalPlatform commands use.
    ///
    /// EMV's two-byte tags with numbers below 31 (`9F02`..`9F1E`, `BF0C`) are
    /// valid ISO/IEC 7816-4 BER-TLV but not minimal in the X.690 sense: read EMV
    /// data in [`Mode::Lenient`].
    #[default]
    Der,
    /// Plain BER as cards send it (ISO/IEC 7816-4 §5.2.2): longer-than-needed
    /// tags (`1F 1E`) and lengths (`81 05`) are accepted.
    Lenient,
}

/// The deepest nesting accepted: the outermost object is at depth 1, its
/// children at depth 2, … An object at depth `MAX_DEPTH + 1` (33) is reported
/// as [`DepthExceeded`](crate::ErrorKind::DepthExceeded) by [`Tlv::children`]
/// iterators and hence by [`validate`] and every recursive walk built on them.
pub const MAX_DEPTH: usize = 32;

/// Checks that `bytes` is a sequence of zero or more complete BER-TLV objects
/// (ISO/IEC 7816-4 §5.2.2) whose constructed values are, recursively, sequences
/// of complete objects, nested at most [`MAX_DEPTH`] deep. Primitive values are
/// not interpreted. Linear time; recursion depth bounded by [`MAX_DEPTH`].
pub fn validate(bytes: &[u8], mode: Mode) -> Result<(), Error> {
    walk(Reader::new(bytes, mode))
}

/// Validates every object `reader` yields and, recursively, their children.
pub(crate) fn walk(reader: Reader<'_>) -> Result<(), Error> {
    for item in reader {
        let tlv = item?;
        if tlv.is_constructed() {
            walk(tlv.children())?;
        }
    }
    Ok(())
}
