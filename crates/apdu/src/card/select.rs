//! SELECT by AID and the File Control Information it returns
//! (ISO/IEC 7816-4 §7.1.1 and §5.3.3; GPC v2.3.1 §11.9).

use alloc::vec::Vec;

use super::{CardChannel, CardError};
use crate::tlv::{Mode, Tag, Tlv};
use crate::{CommandView, Error, Response, StatusWord};

/// INS of SELECT.
const INS_SELECT: u8 = 0xA4;
/// P1: select by DF name (AID).
const P1_BY_NAME: u8 = 0x04;

/// FCI template (ISO/IEC 7816-4 Table 12).
const TAG_FCI: Tag = Tag::from_u32_unchecked(0x6F);
/// DF name (AID) in the FCI.
const TAG_DF_NAME: Tag = Tag::from_u32_unchecked(0x84);
/// FCI proprietary template.
const TAG_PROPRIETARY: Tag = Tag::from_u32_unchecked(0xA5);
/// Maximum length of data field in command message (GPC v2.3.1 Table 11-82).
const TAG_MAX_COMMAND_DATA: Tag = Tag::from_u32_unchecked(0x9F65);

/// Which of several applications matching a (partial) AID to select
/// (P2 b2 b1, GPC v2.3.1 Table 11-81).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Occurrence {
    /// First or only occurrence (P2 `00`).
    #[default]
    First,
    /// Next occurrence (P2 `02`).
    Next,
}

/// The outcome of a successful SELECT.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectResponse {
    /// `9000`, or a warning such as `6283` (GP: card locked, when selecting the ISD).
    pub sw: StatusWord,
    /// The FCI, when the card returned one.
    pub fci: Option<Fci>,
}

impl SelectResponse {
    /// The value with the given members.
    pub fn new(sw: StatusWord, fci: Option<Fci>) -> Self {
        Self { sw, fci }
    }
}

/// A File Control Information template (`6F`), as the card sent it.
///
/// Parsed leniently (BER): cards in the field do not always encode DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fci {
    raw: Vec<u8>,
}

impl Fci {
    /// Checks that `raw` is exactly one `6F` template with well-formed children.
    pub fn parse(raw: Vec<u8>) -> Result<Self, Error> {
        let tlv = Tlv::parse(&raw, Mode::Lenient)?;
        if tlv.tag() != TAG_FCI {
            return Err(Error::new(crate::ErrorKind::UnexpectedTag, 0));
        }
        for child in tlv.children() {
            child?;
        }
        Ok(Self { raw })
    }

    /// The template's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// The parsed `6F` template (always `Some`: checked when the `Fci` was made).
    pub fn template(&self) -> Option<Tlv<'_>> {
        Tlv::parse(&self.raw, Mode::Lenient).ok()
    }

    /// The selected application's AID (tag `84`).
    pub fn aid(&self) -> Option<&[u8]> {
        self.child(TAG_DF_NAME).map(|t| t.value())
    }

    /// The proprietary template (tag `A5`).
    pub fn proprietary(&self) -> Option<Tlv<'_>> {
        self.child(TAG_PROPRIETARY)
    }

    /// GP: maximum length of command data the application accepts (`A5` / `9F65`).
    pub fn max_command_data_len(&self) -> Option<usize> {
        let value = self.proprietary()?.find(TAG_MAX_COMMAND_DATA).ok()??.value();
        if value.is_empty() || value.len() > 4 {
            return None;
        }
        Some(value.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b)))
    }

    fn child(&self, tag: Tag) -> Option<Tlv<'_>> {
        self.template()?.find(tag).ok().flatten()
    }
}

pub(super) fn select<C: CardChannel + ?Sized>(
    channel: &mut C,
    aid: &[u8],
    occurrence: Occurrence,
) -> Result<SelectResponse, CardError> {
    let p2 = match occurrence {
        Occurrence::First => 0x00,
        Occurrence::Next => 0x02,
    };
    let command = CommandView::new(0x00, INS_SELECT, P1_BY_NAME, p2).with_data(aid).with_ne(256);
    interpret(channel.transmit(&command)?)
}

/// Reads the response to a SELECT made elsewhere (by a transport that opens channels to an
/// application itself): data followed by SW1 SW2 ([`Response::parse`]).
pub(super) fn read_response(raw: &[u8]) -> Result<SelectResponse, CardError> {
    interpret(Response::parse(raw).map_err(|_| CardError::MalformedResponse { len: raw.len() })?)
}

/// A SELECT response: an error status is [`CardError::Status`], the data an [`Fci`].
fn interpret(response: Response) -> Result<SelectResponse, CardError> {
    let sw = response.sw();
    if !(sw.is_success() || sw.is_warning()) {
        return Err(CardError::Status { operation: "SELECT", sw });
    }
    let data = response.into_data();
    let fci = if data.is_empty() {
        None
    } else {
        Some(Fci::parse(data).map_err(|error| CardError::InvalidResponse { operation: "SELECT", error })?)
    };
    Ok(SelectResponse { sw, fci })
}
