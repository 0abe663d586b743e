//! File contents described by a `File` (SAIP v3.3.1 §8.3.3): the EF.ICCID of the MF PE and
//! the EF.IMSI of the USIM PE.
//!
//! A `File` writes its contents with `fillFileContent` items at a current position that starts
//! at 0 and that each item advances by its length; `fillFileOffset` skips that many octets.
//! Octets never written keep the file's fill value (`FF` here, the ETSI TS 102 222 default).

use der::Tag;
use oxicard_euicc::asn1::ctx;

use super::kind::PeKind;
use super::tlv::{Tlv, Tlvs};
use super::validate::integer;

/// `fillFileOffset` `[2]` in a `File`.
const FILL_OFFSET: Tag = ctx(2);
/// `fillFileContent` `[3]` in a `File`.
const FILL_CONTENT: Tag = ctx(3);

/// The first `N` octets of the file a `File` TLV describes, `None` when none of them is written.
pub(crate) fn file_prefix<const N: usize>(file: &Tlv<'_>) -> Option<[u8; N]> {
    let mut out = [0xFFu8; N];
    let mut position = 0usize;
    let mut written = false;
    for item in Tlvs::of(file).flatten() {
        if position >= N {
            break;
        }
        if item.tag == FILL_OFFSET {
            let skip = integer(item.value).ok().flatten().and_then(|v| usize::try_from(v).ok())?;
            position = position.saturating_add(skip);
        } else if item.tag == FILL_CONTENT {
            for (slot, &byte) in out.iter_mut().skip(position).zip(item.value) {
                *slot = byte;
                written = true;
            }
            position = position.saturating_add(item.value.len());
        }
    }
    written.then_some(out)
}

/// The `File` member with context tag number `number` of a validated template PE.
pub(crate) fn member<'a>(pe: &Tlv<'a>, number: u32) -> Option<Tlv<'a>> {
    let tag = Tag::ContextSpecific { constructed: true, number: der::TagNumber(number) };
    Tlvs::of(pe).flatten().find(|m| m.tag == tag)
}

/// Where a PE kind keeps EF.ICCID: `ef-iccid` is `[4]` of PE-MF and `[4]` of PE-IoT.
pub(crate) fn ef_iccid_member(kind: PeKind) -> Option<u32> {
    matches!(kind, PeKind::Mf | PeKind::Iot).then_some(4)
}

/// Where a PE kind keeps EF.IMSI: `ef-imsi` is `[3]` of PE-USIM and `[9]` of PE-IoT.
pub(crate) fn ef_imsi_member(kind: PeKind) -> Option<u32> {
    match kind {
        PeKind::Usim => Some(3),
        PeKind::Iot => Some(9),
        _ => None,
    }
}
