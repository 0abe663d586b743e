//! What the ATR announces and how a response leaves the card: at the APDU level when the
//! command has an Le field, by the T=0 case 4 rules when it has none.
//!
//! The [`ATR`](super::ATR) offers T=0 and T=1 (`TD1` = `80`: T=0, `TD2` = `01`: T=1), as the
//! dual-protocol Java Cards do and as the vsmartcard `vpcd` reader announces its virtual cards.
//! A host that picks T=0 (pySim's PC/SC link prefers it when offered) sends a case 4 command
//! as a case 3 TPDU: the Le field is dropped (ISO/IEC 7816-3, T=0 transport of case 4 commands;
//! ETSI TS 102 221 §7.3.1.1.4). The card therefore tells the two apart by the Le field:
//!
//! - **Le present** (APDU level: T=1, PC/SC, in process): up to Ne bytes of data go out with the
//!   final status word, a warning (`62xx` / `63xx`) included; the rest waits behind `61xx`
//!   for GET RESPONSE (ISO/IEC 7816-4 §5.3.4).
//! - **No Le** (a case 4 command sent as a T=0 case 3 TPDU): no data goes out with the answer.
//!   After a normal end the card answers `61xx` and the data waits for GET RESPONSE. After a
//!   warning it answers the warning status word alone, and a GET RESPONSE that follows gets the
//!   data, with that warning again as its status word (ETSI TS 102 221 §7.3.1.1.4 case 4 b; the
//!   EMV contact interface specification, Annex A7). The secure messaging R-MAC covers the data
//!   and the warning (GP Amendment D §6.2.5), so the host checks it on what GET RESPONSE returns.
//!
//! Keeping T=0 in the ATR, rather than announcing T=1 only, keeps the card reachable by hosts
//! that speak only T=0 or that prefer it, and keeps every answer of an APDU-level host unchanged.

use std::vec::Vec;

use oxicard_apdu::StatusWord;
use oxicard_apdu::pending::PendingResponse;

/// Answers `data` and the status word `sw` to a command whose Le field asked for `ne` bytes
/// (0: no Le field): the part that goes out now into `out`, the rest into `pending`; returns
/// the status word of this answer (see the [module documentation](self)).
pub(super) fn answer(
    pending: &mut PendingResponse,
    data: &[u8],
    ne: usize,
    sw: StatusWord,
    out: &mut Vec<u8>,
) -> StatusWord {
    let now = pending.respond(data, ne, sw, out);
    if ne == 0 && !data.is_empty() && sw.is_warning() {
        // T=0 case 4 with a warning: the warning now, the data (and the warning) by GET RESPONSE.
        return sw;
    }
    now
}

/// The Ne of GET RESPONSE: its Le, 256 without one (a case 2 command; ISO/IEC 7816-4 §7.6.1).
pub(super) fn get_response_ne(le: u32) -> usize {
    match le {
        0 => 256,
        ne => ne as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn le_present_no_le_and_warnings() {
        let mut pending = PendingResponse::new();
        let mut out = Vec::new();
        // Le present: the data with the warning `6310` (more data available, GPC v2.3.1 Table 11-38).
        let more = StatusWord::new(0x63, 0x10);
        assert_eq!(answer(&mut pending, b"abc", 256, more, &mut out), more);
        assert_eq!((out.as_slice(), pending.is_empty()), (&b"abc"[..], true));
        out.clear();
        // No Le, normal end: `6103` (3 bytes waiting).
        assert_eq!(answer(&mut pending, b"abc", 0, StatusWord::SUCCESS, &mut out), StatusWord::new(0x61, 3));
        assert!(out.is_empty());
        assert_eq!(pending.get_response(256, &mut out), StatusWord::SUCCESS);
        assert_eq!(out, b"abc");
        out.clear();
        // No Le, warning: the warning alone, then GET RESPONSE gets the data and the warning.
        assert_eq!(answer(&mut pending, b"abc", 0, more, &mut out), more);
        assert!(out.is_empty());
        assert_eq!(pending.get_response(get_response_ne(0), &mut out), more);
        assert_eq!(out, b"abc");
        // No data: the status word as it is.
        out.clear();
        assert_eq!(answer(&mut pending, b"", 0, more, &mut out), more);
        assert!(pending.is_empty());
    }
}
