//! LoadBoundProfilePackage (SGP.22 §5.7.6, §2.5.5): splitting a Bound Profile Package into the
//! ES10b commands the eUICC expects, without copying.
//!
//! `BoundProfilePackage ::= [54] SEQUENCE { BF23 initialiseSecureChannelRequest,
//! A0 firstSequenceOf87, A1 sequenceOf88, [A2 secondSequenceOf87], A3 sequenceOf86 }`
//! is sent as these segments, each one ES10 command (its own STORE DATA sequence):
//!
//! 1. the `BF36` tag and length (of the whole BPP) with the complete `BF23` TLV;
//! 2. the `A0` tag and length with the first `87` TLV; then each further `87`;
//! 3. the `A1` tag and length alone; then each `88` TLV;
//! 4. if present, the `A2` tag and length with the first `87`; then each further `87`;
//! 5. the `A3` tag and length alone; then each `86` TLV.
//!
//! (euicc-go `v2/bpp.go`, lpac `es10b_load_bound_profile_package`.)

use der::Tag;

use crate::asn1::{DecodeError, DecodeReason, Field, Fields, ctx, ctx_c, single};

/// What a [`Segment`] carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SegmentKind {
    /// `BF36` header and InitialiseSecureChannel (`BF23`).
    InitialiseSecureChannel,
    /// `A0` header and the first `87` (ConfigureISDP).
    ConfigureIsdp,
    /// A further `87` of `A0`.
    FirstSequenceOf87,
    /// `A1` header.
    StoreMetadataHeader,
    /// One `88` (StoreMetadata).
    StoreMetadata,
    /// `A2` header and the first `87` (ReplaceSessionKeys).
    ReplaceSessionKeys,
    /// A further `87` of `A2`.
    SecondSequenceOf87,
    /// `A3` header.
    ProfileElementsHeader,
    /// One `86` (profile elements).
    ProfileElements,
}

/// One ES10 command of a LoadBoundProfilePackage: a slice of the BPP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Segment<'a> {
    /// What it is.
    pub kind: SegmentKind,
    /// The bytes to send, borrowed from the BPP.
    pub bytes: &'a [u8],
}

const NAME: &str = "BoundProfilePackage";

/// The header (tag and length) of `field`: its bytes before the value.
fn header<'a>(field: &Field<'a>) -> Result<&'a [u8], DecodeError> {
    let raw = field.raw();
    raw.len()
        .checked_sub(field.value().len())
        .and_then(|len| raw.get(..len))
        .ok_or_else(|| field.invalid("value longer than its TLV"))
}

/// The first `len` bytes of `field`'s encoding.
fn prefix<'a>(field: &Field<'a>, len: usize) -> Result<&'a [u8], DecodeError> {
    field.raw().get(..len).ok_or_else(|| field.invalid("segment longer than its TLV"))
}

fn missing(what: &'static str) -> DecodeError {
    DecodeError::new(NAME, DecodeReason::Missing(what))
}

/// Pushes `container`'s header with its first child, then each further child (A0, A2), or its
/// header alone, then each child (A1, A3). Children must all have `child_tag`.
fn push_sequence<'a>(
    out: &mut Vec<Segment<'a>>,
    container: &Field<'a>,
    child_tag: Tag,
    header_with_first: bool,
    kinds: (SegmentKind, SegmentKind),
) -> Result<(), DecodeError> {
    let children = Fields::parse(container.value(), NAME)?;
    let mut iter = children.iter();
    if header_with_first {
        let first_len = match iter.next() {
            Some(first) if first.tag() == child_tag => first.raw().len(),
            Some(other) => return Err(other.invalid("unexpected tag in a sequence of TLVs")),
            None => 0,
        };
        let head = header(container)?.len() + first_len;
        out.push(Segment { kind: kinds.0, bytes: prefix(container, head)? });
    } else {
        out.push(Segment { kind: kinds.0, bytes: header(container)? });
    }
    for child in iter {
        if child.tag() != child_tag {
            return Err(child.invalid("unexpected tag in a sequence of TLVs"));
        }
        out.push(Segment { kind: kinds.1, bytes: child.raw() });
    }
    Ok(())
}

/// Splits `bpp` (one `BF36` TLV) into its LoadBoundProfilePackage segments, in sending order.
///
/// Every byte of `bpp` is in exactly one segment, in order: concatenated, the segments are the
/// BPP. Errors when the BPP is not `BF36 { BF23, A0 {87…}, A1 {88…}, [A2 {87…}], A3 {86…} }`.
pub fn segments(bpp: &[u8]) -> Result<Vec<Segment<'_>>, DecodeError> {
    let outer = single(bpp, ctx_c(54), NAME)?;
    let members = Fields::parse(outer.value(), NAME)?;
    let mut iter = members.iter().peekable();
    let mut out = Vec::new();

    let init = iter.next().ok_or_else(|| missing("initialiseSecureChannelRequest"))?;
    if init.tag() != ctx_c(35) {
        return Err(init.invalid("expected InitialiseSecureChannelRequest (BF23) first"));
    }
    let head = header(&outer)?.len() + init.raw().len();
    out.push(Segment { kind: SegmentKind::InitialiseSecureChannel, bytes: prefix(&outer, head)? });

    let a0 = iter.next().filter(|f| f.tag() == ctx_c(0)).ok_or_else(|| missing("firstSequenceOf87"))?;
    push_sequence(&mut out, &a0, ctx(7), true, (SegmentKind::ConfigureIsdp, SegmentKind::FirstSequenceOf87))?;
    let a1 = iter.next().filter(|f| f.tag() == ctx_c(1)).ok_or_else(|| missing("sequenceOf88"))?;
    push_sequence(
        &mut out,
        &a1,
        ctx(8),
        false,
        (SegmentKind::StoreMetadataHeader, SegmentKind::StoreMetadata),
    )?;
    if let Some(a2) = iter.next_if(|f| f.tag() == ctx_c(2)) {
        push_sequence(
            &mut out,
            &a2,
            ctx(7),
            true,
            (SegmentKind::ReplaceSessionKeys, SegmentKind::SecondSequenceOf87),
        )?;
    }
    let a3 = iter.next().filter(|f| f.tag() == ctx_c(3)).ok_or_else(|| missing("sequenceOf86"))?;
    push_sequence(
        &mut out,
        &a3,
        ctx(6),
        false,
        (SegmentKind::ProfileElementsHeader, SegmentKind::ProfileElements),
    )?;
    if let Some(extra) = iter.next() {
        return Err(extra.invalid("unexpected member after sequenceOf86"));
    }
    Ok(out)
}
