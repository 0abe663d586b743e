//! Access to the ISD-R: logical channel, SELECT, and ES10 requests as STORE DATA sequences
//! (SGP.22 §5.7 "ES10 interfaces", §2.2.3 ISD-R AID; GlobalPlatform Card Specification v2.3.1
//! §11.11 STORE DATA; ISO/IEC 7816-4 §7.1.2 MANAGE CHANNEL).
//!
//! ```no_run
//! # use oxicard_apdu::card::Card;
//! # fn demo<T: oxicard_transport::Transport>(card: &mut Card<T>) -> Result<(), oxicard_euicc::isdr::Es10Error> {
//! use oxicard_euicc::isdr::{Isdr, IsdrOptions};
//! let mut isdr = Isdr::open(card, &IsdrOptions::default())?; // an `Isdr<&mut Card<T>>`
//! println!("EID {}", isdr.eid()?);
//! for profile in isdr.profiles()? {
//!     println!("{:?} {:?} {:?}", profile.iccid, profile.state, profile.profile_name);
//! }
//! isdr.close()
//! # }
//! ```
//!
//! # On any channel
//!
//! [`Isdr`] runs on any [`CardChannel`], which it owns (`Isdr<Card<T>>`, to keep in a struct)
//! or borrows (`Isdr<&mut Card<T>>`, what `Isdr::open(&mut card, …)` gives): a card, a
//! logical channel, an SCP03 session. It asks that channel for a logical channel of its own
//! with [`CardChannel::open_logical_channel`], naming the ISD-R AID: a card answers with MANAGE
//! CHANNEL (and the ISD-R is then selected on the new channel), a transport that opens channels
//! to an application itself (a modem's `AT+CCHO`) with the channel and its SELECT response.
//! A channel that opens no other channels (an SCP03 session protects only its own) keeps the
//! ISD-R on itself, as a card refusing MANAGE CHANNEL does.
//!
//! # On the wire
//!
//! One ES10 request (a DER TLV) is cut into blocks of at most [`IsdrOptions::segment_size`]
//! bytes and sent as `80 E2 P1 P2 Lc data [Le]` on the ISD-R's channel (CLA `80` with the channel
//! bits): P1 `11` for a block with more to follow, `91` for the last one; P2 the block number from
//! `00` (at most 256 blocks). Intermediate blocks carry no Le (case 3), the last one `Le = 00`
//! (case 4), as pySim's STORE DATA does. `61xx` is followed with GET RESPONSE by the card layer
//! (set [`GetResponseCla::SameAsCommand`](oxicard_apdu::card::GetResponseCla) to send it with
//! CLA `80` as lpac and euicc-go do). That is exactly `ceil(len / segment_size)` STORE DATA
//! APDUs plus the GET RESPONSE rounds the card asks for, and nothing else.
//!
//! With [`IsdrOptions::extended_segment_size`] the blocks are extended-length APDUs (ISO/IEC
//! 7816-4 §5.1) of up to that size and the last one asks for the whole response (`Le = 0000`):
//! a request of up to that size is one STORE DATA and no GET RESPONSE. A card refusing one with
//! `6700`, `6A80` or `6F00` gets the request again in short blocks, and short blocks for the
//! rest of the session.
//!
//! When a block is refused with `6700` (wrong length) or `6A80` (incorrect data) and it was
//! longer than the next smaller segment size (120, lpac's default, then halving down to 16),
//! the whole request is sent again from block `00` with the smaller size, which is kept for
//! the following requests.
//!
//! # Finding the ISD-R
//!
//! [`Isdr::open`] selects [`IsdrOptions::aid`], by default the SGP.22 §2.2.3 AID
//! [`ISD_R_AID`]. Some removable eUICCs put their ISD-R elsewhere; when the default AID is
//! answered "not here" ([`is_not_found`]: `6A82`, `6999`), the AIDs of
//! [`IsdrOptions::fallback_aids`] ([`VENDOR_ISD_R_AIDS`] by default, each with the public
//! source that reports it) are selected in turn, on the same channel. A standard card sees
//! exactly the APDUs it saw before: the first SELECT succeeds. An AID chosen by the caller
//! ([`IsdrOptions::with_aid`], or any `aid` other than [`ISD_R_AID`]) is the only one tried.
//! [`Isdr::aid`] tells which AID answered.
//!
//! # Profiles by ICCID
//!
//! EnableProfile, DisableProfile and DeleteProfile name a profile by ICCID or by ISD-P AID
//! (SGP.22 §5.7.16–18). Some removable eUICCs refuse the ICCID form of a profile they have
//! (lpac `docs/USAGE.md`: "try AID, ICCID" on removable eUICCs from ECP; 3899/SimAdmin issue
//! #31: an EastcomPeace eUICC answers the ICCID form with an error and enables by ISD-P AID).
//! When the ICCID form is answered `iccidOrAidNotFound` or `undefinedError`, or its STORE DATA
//! refused with `6A80`/`6A88` ([`refuses_iccid_form`]), [`Isdr::enable_profile`],
//! [`Isdr::disable_profile`] and [`Isdr::delete_profile`] list the profiles (GetProfilesInfo),
//! take the ISD-P AID of that ICCID and send the request again in the AID form. A card that
//! accepts the ICCID form gets the one request it got before.

use oxicard_apdu::card::{CardChannel, CardError, LogicalChannel, OpenedChannel};
use oxicard_apdu::{CommandView, StatusWord};
use oxicard_transport::ErrorChain;

use crate::asn1::DecodeError;
use crate::download::load::LoadCursor;
use crate::es10::bpp::SegmentKind;
use crate::es10::*;
use crate::iccid::{Eid, Iccid};

/// The ISD-R AID `A0 00 00 05 59 10 10 FF FF FF FF 89 00 00 01 00` (SGP.22 §2.2.3).
pub const ISD_R_AID: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];

/// The ISD-R AID of 5ber removable eUICCs, `A0000005591010FFFFFFFF8900050500` (the SGP.22
/// §2.2.3 AID with PIX ending `0505 00`).
///
/// Sources: creamlike1024/EasyLPAC `config.go` (`AID_5BER`) and issue #22 ("Works fine for me
/// with 5ber standard SIM and custom AID"); estkme-group/lpac issue #175 ("euicc_init failed on
/// 5ber standard edition", solved by changing lpac's ISD-R AID) and pull request #181 (the
/// `LPAC_CUSTOM_ISD_R_AID` variable added for it); estkme-group/openeuicc
/// `app-common/src/main/java/im/angry/openeuicc/util/PreferenceUtils.kt` (`DEFAULT_AID_LIST`,
/// "5ber.eSIM"); tehcneko/XiaomiEsimLPA issue #13 ("The Universal 5ber ISD-R AID").
pub const ISD_R_AID_5BER: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x05, 0x05, 0x00];

/// The ISD-R AID of eSIM.me (v2) removable eUICCs, `A0000005591010000000008900000300`.
///
/// Sources: creamlike1024/EasyLPAC issue #36 ("The Applet ID of eSIM.me v2 … Tested and indeed
/// works", added as `AID_ESIMME` in `config.go`); estkme-group/openeuicc `PreferenceUtils.kt`
/// (`DEFAULT_AID_LIST`, "eSIM.me").
pub const ISD_R_AID_ESIM_ME: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x89, 0x00, 0x00, 0x03, 0x00];

/// The ISD-R AID of Xesim removable eUICCs, `A0000005591010FFFFFFFF8900000177`.
///
/// Sources: estkme-group/openeuicc `PreferenceUtils.kt` (`DEFAULT_AID_LIST`, "Xesim");
/// creamlike1024/EasyLPAC `config.go` (`AID_XESIM`).
pub const ISD_R_AID_XESIM: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x77];

/// The ISD-R AID of the first secure element of multi-SE eSTK.me removable eUICCs,
/// `A06573746B6D65FFFF4953442D522030` (`A0` `estkme` `FFFF` `ISD-R 0` in ASCII).
///
/// Source: estkme-group/openeuicc `app-common/src/main/java/im/angry/openeuicc/util/Vendors.kt`
/// (`ESTKme.ESTK_SE0_AID`).
pub const ISD_R_AID_ESTKME_SE0: [u8; 16] =
    [0xA0, 0x65, 0x73, 0x74, 0x6B, 0x6D, 0x65, 0xFF, 0xFF, 0x49, 0x53, 0x44, 0x2D, 0x52, 0x20, 0x30];

/// The ISD-R AID of the second secure element of multi-SE eSTK.me removable eUICCs,
/// `A06573746B6D65FFFF4953442D522031` (`ISD-R 1`).
///
/// Source: estkme-group/openeuicc `Vendors.kt` (`ESTKme.ESTK_SE1_AID`).
pub const ISD_R_AID_ESTKME_SE1: [u8; 16] =
    [0xA0, 0x65, 0x73, 0x74, 0x6B, 0x6D, 0x65, 0xFF, 0xFF, 0x49, 0x53, 0x44, 0x2D, 0x52, 0x20, 0x31];

/// The ISD-R AID of (single-SE) eSTK.me removable eUICCs, `A06573746B6D65FFFFFFFF4953442D52`
/// (`A0` `estkme` `FFFFFFFF` `ISD-R`).
///
/// Source: estkme-group/openeuicc `PreferenceUtils.kt` (`DEFAULT_AID_LIST`, "eSTK.me").
pub const ISD_R_AID_ESTKME: [u8; 16] =
    [0xA0, 0x65, 0x73, 0x74, 0x6B, 0x6D, 0x65, 0xFF, 0xFF, 0xFF, 0xFF, 0x49, 0x53, 0x44, 0x2D, 0x52];

/// The ISD-R AIDs removable eUICCs are publicly reported to use, in the order [`Isdr::open`]
/// tries them after [`ISD_R_AID`] (the default of [`IsdrOptions::fallback_aids`]): 5ber
/// ([`ISD_R_AID_5BER`]), eSIM.me ([`ISD_R_AID_ESIM_ME`]), Xesim ([`ISD_R_AID_XESIM`]), eSTK.me
/// SE0, SE1 and single-SE ([`ISD_R_AID_ESTKME_SE0`], [`ISD_R_AID_ESTKME_SE1`],
/// [`ISD_R_AID_ESTKME`]). Each constant names its sources. lpac itself has no list (one AID,
/// `LPAC_CUSTOM_ISD_R_AID`, estkme-group/lpac `docs/ENVVARS.md`).
pub const VENDOR_ISD_R_AIDS: [[u8; 16]; 6] = [
    ISD_R_AID_5BER,
    ISD_R_AID_ESIM_ME,
    ISD_R_AID_XESIM,
    ISD_R_AID_ESTKME_SE0,
    ISD_R_AID_ESTKME_SE1,
    ISD_R_AID_ESTKME,
];

/// Whether a SELECT refused with `sw` means "no such application here", so that the next
/// candidate ISD-R AID is worth selecting: `6A82` (file or application not found, ISO/IEC
/// 7816-4 §5.6 Table 6; GPC v2.3.1 §11.9.3) and `6999` (applet selection failed, Java Card
/// `ISO7816.SW_APPLET_SELECT_FAILED`). Anything else (`6A81` card locked, GPC v2.3.1 §11.9.3;
/// `6D00`, `6E00`, …) says the card will not select any application: the search stops.
pub fn is_not_found(sw: StatusWord) -> bool {
    matches!(sw.to_u16(), 0x6A82 | 0x6999)
}

/// Whether `error`, the answer to an EnableProfile, DisableProfile or DeleteProfile naming the
/// profile by ICCID, may be a card refusing the ICCID form (see the [module docs](self)):
/// the result `iccidOrAidNotFound(1)` or `undefinedError(127)` (SGP.22 §5.7.16–18), or the
/// STORE DATA refused with `6A80` (incorrect data) or `6A88` (referenced data not found,
/// ISO/IEC 7816-4 §5.6 Table 6).
pub fn refuses_iccid_form(error: &Es10Error) -> bool {
    match error {
        Es10Error::Rejected(rejection) => matches!(
            rejection,
            Rejection::EnableProfile(
                EnableProfileError::IccidOrAidNotFound | EnableProfileError::UndefinedError
            ) | Rejection::DisableProfile(
                DisableProfileError::IccidOrAidNotFound | DisableProfileError::UndefinedError
            ) | Rejection::DeleteProfile(
                DeleteProfileError::IccidOrAidNotFound | DeleteProfileError::UndefinedError
            )
        ),
        Es10Error::Status { sw, .. } => matches!(sw.to_u16(), 0x6A80 | 0x6A88),
        _ => false,
    }
}

/// The TERMINAL CAPABILITY data lpac sends (ETSI TS 102 221 §11.1.19; SGP.22 §3.4.2):
/// `A9 08 { 81 00 (extended logical channels), 82 01 01 (UICC-CLF), 83 01 07 (eUICC: LUId,
/// LPDd, LDSd) }`.
pub const DEFAULT_TERMINAL_CAPABILITY: [u8; 10] =
    [0xA9, 0x08, 0x81, 0x00, 0x82, 0x01, 0x01, 0x83, 0x01, 0x07];

/// The default STORE DATA block size: a full short APDU.
pub const DEFAULT_SEGMENT_SIZE: usize = 255;

/// The smallest block size the 6700/6A80 retry goes down to.
const MIN_SEGMENT_SIZE: usize = 16;

/// INS of STORE DATA (GPC v2.3.1 §11.11).
const INS_STORE_DATA: u8 = 0xE2;
/// P1 of STORE DATA: more blocks follow, BER-TLV data, no encryption (GPC Table 11-89).
const P1_MORE: u8 = 0x11;
/// P1 of STORE DATA: last block.
const P1_LAST: u8 = 0x91;
/// STORE DATA allows block numbers `00`–`FF` (P2).
const MAX_BLOCKS: usize = 256;

/// How to reach the ISD-R.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct IsdrOptions {
    /// The AID to select first; default [`ISD_R_AID`] (SGP.22 §2.2.3). 5 to 16 bytes (a 5-byte
    /// RID and up to 11 bytes of PIX, ISO/IEC 7816-5).
    pub aid: Vec<u8>,
    /// The AIDs selected in turn, on the same channel, when `aid` is [`ISD_R_AID`] and the card
    /// answers it "not here" ([`is_not_found`]); default [`VENDOR_ISD_R_AIDS`]. Ignored for any
    /// other `aid`: an AID the caller chose is the only one tried. Empty: no fallback.
    pub fallback_aids: Vec<Vec<u8>>,
    /// STORE DATA block size, 1..=255; default [`DEFAULT_SEGMENT_SIZE`].
    pub segment_size: usize,
    /// Extended-length STORE DATA (ISO/IEC 7816-4 §5.1): blocks of up to this many bytes
    /// (256..=65535) and `Le = 0000` (65 536) on the last one, so that an ES10 request — a
    /// Bound Profile Package segment — goes in one command and its whole response comes back
    /// without GET RESPONSE. Default `None`: short APDUs only, because "all GlobalPlatform APDU
    /// commands use ISO/IEC 7816 short message lengths" (GPC v2.3.1 §11.1.5, STORE DATA
    /// §11.11) and a card handles extended length fields only when it says so (ISO/IEC 7816-4
    /// §5.1). Set it for a card that takes extended length (its ATR's card capabilities,
    /// `oxicard_apdu::atr`); a card that answers
    /// `6700`, `6A80` or `6F00` gets the request again in short blocks of `segment_size`, and
    /// short blocks for the rest of the session.
    pub extended_segment_size: Option<usize>,
    /// TERMINAL CAPABILITY data to send first on the basic channel (`80 AA 00 00 Lc data`), e.g.
    /// [`DEFAULT_TERMINAL_CAPABILITY`]; default none.
    pub terminal_capability: Option<Vec<u8>>,
    /// Open a logical channel for the ISD-R (falling back to the basic channel when MANAGE
    /// CHANNEL is refused); default `true`.
    pub logical_channel: bool,
    /// Send EnableProfile, DisableProfile and DeleteProfile again by ISD-P AID when the card
    /// refuses the ICCID form ([`refuses_iccid_form`], see the [module docs](self)); default
    /// `true`.
    pub isdp_aid_fallback: bool,
}

impl IsdrOptions {
    /// Sets [`aid`](Self::aid), keeping [`fallback_aids`](Self::fallback_aids) (which apply
    /// only when `aid` is [`ISD_R_AID`]; [`IsdrOptions::with_aid`] clears them).
    #[must_use]
    pub fn with_isd_r_aid(mut self, aid: Vec<u8>) -> Self {
        self.aid = aid;
        self
    }

    /// Sets [`fallback_aids`](Self::fallback_aids).
    #[must_use]
    pub fn with_fallback_aids(mut self, fallback_aids: Vec<Vec<u8>>) -> Self {
        self.fallback_aids = fallback_aids;
        self
    }

    /// Sets [`segment_size`](Self::segment_size).
    #[must_use]
    pub fn with_segment_size(mut self, segment_size: usize) -> Self {
        self.segment_size = segment_size;
        self
    }

    /// Sets [`extended_segment_size`](Self::extended_segment_size).
    #[must_use]
    pub fn with_extended_segment_size(mut self, size: Option<usize>) -> Self {
        self.extended_segment_size = size;
        self
    }

    /// Sets [`terminal_capability`](Self::terminal_capability).
    #[must_use]
    pub fn with_terminal_capability(mut self, terminal_capability: Option<Vec<u8>>) -> Self {
        self.terminal_capability = terminal_capability;
        self
    }

    /// Sets [`logical_channel`](Self::logical_channel).
    #[must_use]
    pub fn with_logical_channel(mut self, logical_channel: bool) -> Self {
        self.logical_channel = logical_channel;
        self
    }

    /// Sets [`isdp_aid_fallback`](Self::isdp_aid_fallback).
    #[must_use]
    pub fn with_isdp_aid_fallback(mut self, isdp_aid_fallback: bool) -> Self {
        self.isdp_aid_fallback = isdp_aid_fallback;
        self
    }
}

impl Default for IsdrOptions {
    fn default() -> Self {
        Self {
            aid: ISD_R_AID.to_vec(),
            fallback_aids: VENDOR_ISD_R_AIDS.iter().map(|aid| aid.to_vec()).collect(),
            segment_size: DEFAULT_SEGMENT_SIZE,
            extended_segment_size: None,
            terminal_capability: None,
            logical_channel: true,
            isdp_aid_fallback: true,
        }
    }
}

impl IsdrOptions {
    /// The default options with `aid` as the only ISD-R AID tried (no fallback list), as an
    /// explicit `--isd-r` asks.
    pub fn with_aid(aid: impl Into<Vec<u8>>) -> Self {
        Self { aid: aid.into(), fallback_aids: Vec::new(), ..Self::default() }
    }

    /// The AIDs [`Isdr::open`] selects, in order: `aid`, then (only when `aid` is
    /// [`ISD_R_AID`]) the `fallback_aids` that differ from it.
    pub fn candidate_aids(&self) -> Vec<&[u8]> {
        let mut aids = vec![self.aid.as_slice()];
        if self.aid == ISD_R_AID {
            for aid in &self.fallback_aids {
                if !aids.contains(&aid.as_slice()) {
                    aids.push(aid);
                }
            }
        }
        aids
    }
}

/// What can go wrong talking to the ISD-R.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Es10Error {
    /// The channel failed: the card layer (transport, SELECT or MANAGE CHANNEL refused, …), or
    /// the secure channel the ISD-R runs under ([`CardError::SecureChannel`]).
    #[error(transparent)]
    Card(#[from] CardError),
    /// No candidate AID selected an ISD-R: each SELECT was answered "not here"
    /// ([`is_not_found`]). Every AID tried with its status word, in order.
    #[error("no ISD-R on the card: SELECT refused {}", refusals(.refused))]
    IsdrNotFound {
        /// The AIDs tried and the status word each got (`6A82`, `6999`).
        refused: Vec<(Vec<u8>, StatusWord)>,
    },
    /// A STORE DATA block was answered with an error status word: a transport-level failure
    /// (ES10 function errors come back as `9000` with an error code inside the response).
    #[error("STORE DATA block {block} refused with {sw}")]
    Status {
        /// The status word, e.g. `6A80`.
        sw: StatusWord,
        /// The block number (P2).
        block: u8,
    },
    /// The request needs more than 256 STORE DATA blocks.
    #[error("an ES10 request of {len} bytes needs more than 256 blocks of {segment_size} bytes")]
    RequestTooLong {
        /// Request length.
        len: usize,
        /// Block size in force.
        segment_size: usize,
    },
    /// An empty request, or a segment size outside 1..=255.
    #[error("invalid ES10 request: {0}")]
    InvalidRequest(&'static str),
    /// A request built from parts that are not the TLVs SGP.22 asks for.
    #[error("malformed request part")]
    MalformedRequest(#[source] DecodeError),
    /// The eUICC answered the last block with no data.
    #[error("the eUICC returned no response")]
    EmptyResponse,
    /// The response is not the expected DER.
    #[error("invalid response")]
    Decode(#[from] DecodeError),
    /// The function failed on the eUICC: its result code.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// LoadBoundProfilePackage ended without a ProfileInstallationResult.
    #[error("no ProfileInstallationResult after the last BPP segment")]
    NoInstallationResult,
}

/// `A0…0100: 6A82 (…), A0…0500: 6A82 (…)` for [`Es10Error::IsdrNotFound`].
fn refusals(refused: &[(Vec<u8>, StatusWord)]) -> String {
    let parts: Vec<String> =
        refused.iter().map(|(aid, sw)| format!("{}: {sw}", hex::encode_upper(aid))).collect();
    parts.join(", ")
}

/// A decoded response together with its DER, for responses the LPA forwards to the SM-DP+.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithDer<R> {
    /// The decoded response.
    pub response: R,
    /// The response exactly as the eUICC sent it.
    pub der: Vec<u8>,
}

/// Progress of a LoadBoundProfilePackage, reported after each segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadProgress {
    /// The segment just sent.
    pub kind: SegmentKind,
    /// Segments sent so far.
    pub segments_sent: usize,
    /// Number of segments.
    pub segments_total: usize,
    /// BPP bytes sent so far.
    pub bytes_sent: usize,
    /// BPP length.
    pub bytes_total: usize,
}

/// A STORE DATA block the card refused.
struct Refused {
    sw: StatusWord,
    block: u8,
    len: usize,
}

/// The ISD-R, selected on a logical channel of the card behind `C` (any [`CardChannel`], owned
/// or borrowed: see [On any channel](self#on-any-channel)); a channel it opened is closed by
/// [`Isdr::close`] or when this is dropped.
pub struct Isdr<C: CardChannel> {
    channel: LogicalChannel<C>,
    aid: Vec<u8>,
    isdp_aid_fallback: bool,
    segment_size: usize,
    /// Extended-length blocks of this size, until the card refuses them.
    extended: Option<usize>,
    data: Vec<u8>,
}

impl<C: CardChannel> core::fmt::Debug for Isdr<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Isdr")
            .field("channel", &self.channel.number())
            .field("logical", &self.channel.closes_on_drop())
            .field("aid", &hex::encode_upper(&self.aid))
            .field("segment_size", &self.segment_size)
            .field("extended", &self.extended)
            .finish_non_exhaustive()
    }
}

/// The next smaller segment size after `size` refusals: 120 (lpac's default), then halving.
fn smaller_segment(size: usize) -> usize {
    if size > 120 { 120 } else { (size / 2).max(MIN_SEGMENT_SIZE) }
}

/// Notes that the card answered `sw`, "not here" ([`is_not_found`]), for the ISD-R AID `aid`.
fn not_here(refused: &mut Vec<(Vec<u8>, StatusWord)>, aid: &[u8], sw: StatusWord) {
    tracing::debug!(target: "oxicard::euicc", aid = %hex::encode_upper(aid), %sw, "no ISD-R at this AID");
    refused.push((aid.to_vec(), sw));
}

/// The outcome of asking for a logical channel of its own for the ISD-R.
enum IsdrChannel {
    /// Opened; selected on it already when the transport opened it to an AID.
    Opened(OpenedChannel),
    /// None to be had: the ISD-R goes on the caller's channel.
    Refused,
}

impl<C: CardChannel> Isdr<C> {
    /// Sends the optional TERMINAL CAPABILITY, opens a logical channel (or uses `channel`'s own
    /// when the card refuses MANAGE CHANNEL with an error status, or `channel` opens no other
    /// channels) and selects the ISD-R on it: [`IsdrOptions::candidate_aids`] in order, moving
    /// on while the card answers "not here" ([`is_not_found`]), on the same channel (see
    /// [Finding the ISD-R](self#finding-the-isd-r)).
    ///
    /// `channel` is owned or borrowed: `Isdr::open(&mut card, …)` leaves the card to the
    /// caller once the `Isdr` is gone.
    ///
    /// A refused TERMINAL CAPABILITY is logged and ignored (not every card implements it).
    ///
    /// # Errors
    ///
    /// [`Es10Error::IsdrNotFound`] when every candidate was "not here";
    /// [`Es10Error::Card`] for any other refusal or a transport failure (the search stops);
    /// [`Es10Error::InvalidRequest`] for a segment size outside 1..=255 or an AID outside 5..=16
    /// bytes (before any APDU). The logical channel is closed on every error.
    pub fn open(mut channel: C, options: &IsdrOptions) -> Result<Self, Es10Error> {
        if !(1..=255).contains(&options.segment_size) {
            return Err(Es10Error::InvalidRequest("segment size must be 1..=255"));
        }
        if options.extended_segment_size.is_some_and(|size| !(256..=65_535).contains(&size)) {
            return Err(Es10Error::InvalidRequest("extended segment size must be 256..=65535"));
        }
        let candidates = options.candidate_aids();
        if candidates.iter().any(|aid| !(5..=16).contains(&aid.len())) {
            return Err(Es10Error::InvalidRequest("an ISD-R AID has 5 to 16 bytes (ISO/IEC 7816-5)"));
        }
        if let Some(capability) = &options.terminal_capability {
            let command = CommandView::new(0x80, 0xAA, 0x00, 0x00).with_data(capability);
            let sw = channel.transmit(&command)?.sw();
            if !sw.is_normal() {
                tracing::warn!(target: "oxicard::euicc", %sw, "TERMINAL CAPABILITY refused");
            }
        }
        let mut refused = Vec::new();
        let mut remaining = candidates.as_slice();
        let opened = if options.logical_channel {
            Self::open_channel(&mut channel, &mut remaining, &mut refused)?
        } else {
            IsdrChannel::Refused
        };
        let (channel, preselected) = match opened {
            IsdrChannel::Opened(OpenedChannel { number, selected, .. }) => {
                (LogicalChannel::adopt(channel, number), selected.is_some())
            }
            IsdrChannel::Refused => {
                let number = channel.channel_number();
                (LogicalChannel::attach(channel, number), false)
            }
        };
        let mut isdr = Self {
            channel,
            aid: Vec::new(),
            isdp_aid_fallback: options.isdp_aid_fallback,
            segment_size: options.segment_size,
            extended: options.extended_segment_size,
            data: Vec::new(),
        };
        // Every error return below drops `isdr`, which closes the logical channel.
        for (index, aid) in remaining.iter().enumerate() {
            let selected =
                if preselected && index == 0 { Ok(()) } else { isdr.channel.select(aid).map(drop) };
            match selected {
                Ok(()) => {
                    if !refused.is_empty() {
                        tracing::info!(
                            target: "oxicard::euicc", aid = %hex::encode_upper(aid),
                            "ISD-R found at a vendor AID"
                        );
                    }
                    isdr.aid = aid.to_vec();
                    return Ok(isdr);
                }
                Err(CardError::Status { sw, .. }) if is_not_found(sw) => not_here(&mut refused, aid, sw),
                Err(err) => return Err(err.into()),
            }
        }
        Err(Es10Error::IsdrNotFound { refused })
    }

    /// Asks `channel` for a logical channel for the ISD-R, naming the first of `remaining`
    /// ([`CardChannel::open_logical_channel`]). A transport that opens channels to an AID and
    /// answers it "not here" is asked again with the next AID (the refused ones leave
    /// `remaining` for `refused`), any other SELECT refusal ends the search; MANAGE CHANNEL
    /// refused with an error status, or a channel that opens no others, is
    /// [`IsdrChannel::Refused`].
    fn open_channel(
        channel: &mut C,
        remaining: &mut &[&[u8]],
        refused: &mut Vec<(Vec<u8>, StatusWord)>,
    ) -> Result<IsdrChannel, Es10Error> {
        while let [aid, rest @ ..] = *remaining {
            match channel.open_logical_channel(Some(aid)) {
                Ok(opened) => return Ok(IsdrChannel::Opened(opened)),
                Err(CardError::Status { operation: "SELECT", sw }) if is_not_found(sw) => {
                    not_here(refused, aid, sw);
                    *remaining = rest;
                }
                // Any other SELECT refusal stops the search, as on a card.
                Err(err @ CardError::Status { operation: "SELECT", .. }) => return Err(err.into()),
                Err(CardError::Status { sw, .. }) => {
                    tracing::info!(target: "oxicard::euicc", %sw, "MANAGE CHANNEL refused, using the basic channel");
                    return Ok(IsdrChannel::Refused);
                }
                Err(CardError::NotSupported { .. }) => {
                    tracing::debug!(target: "oxicard::euicc", "the channel opens no logical channels: the ISD-R goes on it");
                    return Ok(IsdrChannel::Refused);
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(Es10Error::IsdrNotFound { refused: core::mem::take(refused) })
    }

    /// The AID the ISD-R was selected with: [`IsdrOptions::aid`] or the fallback AID that
    /// answered (see [Finding the ISD-R](self#finding-the-isd-r)).
    pub fn aid(&self) -> &[u8] {
        &self.aid
    }

    /// The channel the ISD-R is selected on (0 = basic).
    pub fn channel(&self) -> u8 {
        self.channel.number()
    }

    /// Whether the ISD-R is on a logical channel this handle opened.
    pub fn is_logical_channel(&self) -> bool {
        self.channel.closes_on_drop()
    }

    /// The extended-length block size in use, `None` once short APDUs are used (not asked, or
    /// the card refused extended length).
    pub fn extended_segment_size(&self) -> Option<usize> {
        self.extended
    }

    /// The STORE DATA block size in use for short APDUs (it shrinks when the card refuses
    /// blocks, see [On the wire](self#on-the-wire)).
    pub fn segment_size(&self) -> usize {
        self.segment_size
    }

    /// Sets the STORE DATA block size (1..=255).
    pub fn set_segment_size(&mut self, size: usize) -> Result<(), Es10Error> {
        if !(1..=255).contains(&size) {
            return Err(Es10Error::InvalidRequest("segment size must be 1..=255"));
        }
        self.segment_size = size;
        Ok(())
    }

    /// The channel the ISD-R was opened on (the card, for [`Isdr::open`] on a card), for other
    /// commands: on its own channel, or on others it opens.
    pub fn card(&mut self) -> &mut C {
        self.channel.parent_mut()
    }

    /// Closes the logical channel (nothing to do on the caller's channel).
    pub fn close(self) -> Result<(), Es10Error> {
        if self.channel.closes_on_drop() {
            self.channel.close()?;
        }
        Ok(())
    }

    /// Sends one ES10 request (a DER TLV) as a STORE DATA sequence and returns the response
    /// data of the last block (see the [module docs](self) for the exact APDUs).
    pub fn es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Es10Error> {
        if request.is_empty() {
            return Err(Es10Error::InvalidRequest("empty request"));
        }
        if let Some(size) = self.extended {
            match self.store_data(request, size, true) {
                Ok(Ok(response)) => return Ok(response),
                // The card layer knows the card takes no extended APDU (its ATR, or the
                // transport's limit): nothing was sent.
                Err(Es10Error::Card(CardError::DataTooLong { len })) => {
                    tracing::info!(target: "oxicard::euicc", len, "no extended length on this card, using short APDUs");
                    self.extended = None;
                }
                Err(error) => return Err(error),
                // A card without extended length (ISO/IEC 7816-4 §5.6: wrong length, incorrect
                // data, or no precise diagnosis): short blocks from now on.
                Ok(Err(refused)) if matches!(refused.sw.to_u16(), 0x6700 | 0x6A80 | 0x6F00) => {
                    tracing::info!(
                        target: "oxicard::euicc", sw = %refused.sw,
                        "extended-length STORE DATA refused, using short APDUs"
                    );
                    self.extended = None;
                }
                Ok(Err(refused)) => return Err(Es10Error::Status { sw: refused.sw, block: refused.block }),
            }
        }
        loop {
            match self.store_data(request, self.segment_size, false)? {
                Ok(response) => return Ok(response),
                Err(refused) => {
                    let smaller = smaller_segment(self.segment_size);
                    let retry = matches!(refused.sw.to_u16(), 0x6700 | 0x6A80)
                        && smaller < self.segment_size
                        && refused.len > smaller;
                    if !retry {
                        return Err(Es10Error::Status { sw: refused.sw, block: refused.block });
                    }
                    tracing::info!(
                        target: "oxicard::euicc",
                        sw = %refused.sw, from = self.segment_size, to = smaller,
                        "STORE DATA block refused, retrying with smaller blocks"
                    );
                    self.segment_size = smaller;
                }
            }
        }
    }

    /// One STORE DATA sequence with blocks of `size` bytes; `extended`: the last block asks
    /// for the whole response (extended `Le = 0000`).
    fn store_data(
        &mut self,
        request: &[u8],
        size: usize,
        extended: bool,
    ) -> Result<Result<Vec<u8>, Refused>, Es10Error> {
        let blocks = request.len().div_ceil(size);
        if blocks > MAX_BLOCKS {
            return Err(Es10Error::RequestTooLong { len: request.len(), segment_size: size });
        }
        for (index, chunk) in request.chunks(size).enumerate() {
            let last = index + 1 == blocks;
            let block = u8::try_from(index).unwrap_or(u8::MAX);
            let command = CommandView::new(0x80, INS_STORE_DATA, if last { P1_LAST } else { P1_MORE }, block)
                .with_data(chunk);
            let command = match (last, extended) {
                (true, true) => command.with_ne(65_536),
                (true, false) => command.with_ne(256),
                (false, _) => command,
            };
            let sw = self.channel.transmit_into(&command, &mut self.data)?;
            if !sw.is_normal() {
                return Ok(Err(Refused { sw, block, len: chunk.len() }));
            }
            // The response comes with the last block; a card answering earlier (an error
            // response) ends the sequence, as lpac and euicc-go do.
            if last || !self.data.is_empty() {
                return Ok(Ok(core::mem::take(&mut self.data)));
            }
        }
        Ok(Ok(Vec::new()))
    }

    /// Sends `request` and decodes the response.
    pub fn call<R: Request>(&mut self, request: &R) -> Result<R::Response, Es10Error> {
        Ok(self.call_with_der(request)?.response)
    }

    /// Sends `request` and decodes the response, keeping its DER (for forwarding to ES9+).
    pub fn call_with_der<R: Request>(&mut self, request: &R) -> Result<WithDer<R::Response>, Es10Error> {
        read_answer::<R>(self.es10(&request.to_der()))
    }

    /// GetEID (SGP.22 §5.7.20).
    pub fn eid(&mut self) -> Result<Eid, Es10Error> {
        Ok(self.call(&GetEuiccDataRequest::default())?.eid)
    }

    /// GetEUICCInfo, EUICCInfo1 (SGP.22 §5.7.8), with its DER (ES9+ InitiateAuthentication
    /// sends it as received).
    pub fn euicc_info1(&mut self) -> Result<WithDer<EuiccInfo1>, Es10Error> {
        self.call_with_der(&GetEuiccInfo1Request)
    }

    /// GetEUICCInfo, EUICCInfo2 (SGP.22 §5.7.8).
    pub fn euicc_info2(&mut self) -> Result<EuiccInfo2, Es10Error> {
        self.call(&GetEuiccInfo2Request)
    }

    /// GetEuiccConfiguredAddresses (SGP.22 §5.7.3).
    pub fn configured_addresses(&mut self) -> Result<EuiccConfiguredAddresses, Es10Error> {
        self.call(&EuiccConfiguredAddressesRequest)
    }

    /// SetDefaultDpAddress (SGP.22 §5.7.4).
    pub fn set_default_dp_address(&mut self, address: &str) -> Result<(), Es10Error> {
        let request = SetDefaultDpAddressRequest { address: address.into(), allowed_ci_pkid: None };
        Ok(self.call(&request)?.into_result().map_err(Rejection::from)?)
    }

    /// GetProfilesInfo of every profile with the eUICC's default tags (SGP.22 §5.7.15).
    pub fn profiles(&mut self) -> Result<Vec<ProfileInfo>, Es10Error> {
        self.profiles_with(&ProfileInfoListRequest::default())
    }

    /// GetProfilesInfo with search criteria and a tag list (SGP.22 §5.7.15).
    pub fn profiles_with(&mut self, request: &ProfileInfoListRequest) -> Result<Vec<ProfileInfo>, Es10Error> {
        Ok(self.call(request)?.result.map_err(Rejection::from)?)
    }

    /// EnableProfile (SGP.22 §5.7.16). By ICCID, sent again by ISD-P AID when the card refuses
    /// the ICCID form (see [Profiles by ICCID](self#profiles-by-iccid)).
    pub fn enable_profile(
        &mut self,
        profile: impl Into<ProfileIdentifier>,
        refresh: bool,
    ) -> Result<(), Es10Error> {
        self.by_profile(profile.into(), "EnableProfile", |isdr, profile| {
            let request = EnableProfileRequest { profile, refresh, target_esim_port: None };
            Ok(isdr.call(&request)?.result.map_err(Rejection::from)?)
        })
    }

    /// DisableProfile (SGP.22 §5.7.17). By ICCID, sent again by ISD-P AID when the card
    /// refuses the ICCID form (see [Profiles by ICCID](self#profiles-by-iccid)).
    pub fn disable_profile(
        &mut self,
        profile: impl Into<ProfileIdentifier>,
        refresh: bool,
    ) -> Result<(), Es10Error> {
        self.by_profile(profile.into(), "DisableProfile", |isdr, profile| {
            let request = DisableProfileRequest { profile, refresh };
            Ok(isdr.call(&request)?.into_result().map_err(Rejection::from)?)
        })
    }

    /// DeleteProfile (SGP.22 §5.7.18). By ICCID, sent again by ISD-P AID when the card refuses
    /// the ICCID form (see [Profiles by ICCID](self#profiles-by-iccid)).
    pub fn delete_profile(&mut self, profile: impl Into<ProfileIdentifier>) -> Result<(), Es10Error> {
        self.by_profile(profile.into(), "DeleteProfile", |isdr, profile| {
            let request = DeleteProfileRequest { profile };
            Ok(isdr.call(&request)?.into_result().map_err(Rejection::from)?)
        })
    }

    /// The ISD-P AID of the profile `iccid`, from GetProfilesInfo (SGP.22 §5.7.15); `None` when
    /// the card lists no such profile or lists it without its AID.
    pub fn isdp_aid_of(&mut self, iccid: Iccid) -> Result<Option<Vec<u8>>, Es10Error> {
        let profiles = self.profiles()?;
        Ok(profiles.into_iter().find(|p| p.iccid == Some(iccid)).and_then(|p| p.isdp_aid))
    }

    /// Runs `operation` on `profile`; when that is an ICCID the card refuses
    /// ([`refuses_iccid_form`]) and the fallback is on, runs it again with the profile's ISD-P
    /// AID. The card's first answer is returned when the profile cannot be found by listing.
    fn by_profile(
        &mut self,
        profile: ProfileIdentifier,
        function: &'static str,
        mut operation: impl FnMut(&mut Self, ProfileIdentifier) -> Result<(), Es10Error>,
    ) -> Result<(), Es10Error> {
        let ProfileIdentifier::Iccid(iccid) = profile else { return operation(self, profile) };
        let refusal = match operation(self, ProfileIdentifier::Iccid(iccid)) {
            Err(error) if self.isdp_aid_fallback && refuses_iccid_form(&error) => error,
            other => return other,
        };
        let aid = match self.isdp_aid_of(iccid) {
            Ok(Some(aid)) => aid,
            Ok(None) => return Err(refusal),
            Err(error) => {
                tracing::warn!(
                    target: "oxicard::euicc", %iccid, "{function} by ICCID refused ({}); \
                    listing the profiles to find its ISD-P AID failed: {}", ErrorChain(&refusal), ErrorChain(&error)
                );
                return Err(refusal);
            }
        };
        tracing::info!(
            target: "oxicard::euicc", %iccid, isdp_aid = %hex::encode_upper(&aid),
            "{function} by ICCID refused ({}), sending it by ISD-P AID", ErrorChain(&refusal)
        );
        operation(self, ProfileIdentifier::IsdpAid(aid))
    }

    /// SetNickname (SGP.22 §5.7.21); at most 64 bytes of UTF-8.
    pub fn set_nickname(&mut self, iccid: Iccid, nickname: &str) -> Result<(), Es10Error> {
        if nickname.len() > 64 {
            return Err(Es10Error::InvalidRequest("a nickname has at most 64 bytes"));
        }
        let request = SetNicknameRequest { iccid, nickname: nickname.into() };
        Ok(self.call(&request)?.into_result().map_err(Rejection::from)?)
    }

    /// ListNotification (SGP.22 §5.7.9), optionally only for some operations.
    pub fn list_notifications(
        &mut self,
        operations: Option<BitFlags>,
    ) -> Result<Vec<NotificationMetadata>, Es10Error> {
        Ok(self.call(&ListNotificationRequest { operations })?.result.map_err(Rejection::from)?)
    }

    /// RetrieveNotificationsList (SGP.22 §5.7.10).
    pub fn retrieve_notifications(
        &mut self,
        search: Option<NotificationSearch>,
    ) -> Result<Vec<PendingNotification>, Es10Error> {
        Ok(self.call(&RetrieveNotificationsListRequest { search })?.result.map_err(Rejection::from)?)
    }

    /// RemoveNotificationFromList (SGP.22 §5.7.11).
    pub fn remove_notification(&mut self, seq_number: u64) -> Result<(), Es10Error> {
        Ok(self.call(&NotificationSentRequest { seq_number })?.into_result().map_err(Rejection::from)?)
    }

    /// eUICCMemoryReset (SGP.22 §5.7.19) with the options in [`reset_options`].
    pub fn memory_reset(&mut self, options: BitFlags) -> Result<(), Es10Error> {
        Ok(self.call(&EuiccMemoryResetRequest { options })?.into_result().map_err(Rejection::from)?)
    }

    /// GetRAT (SGP.22 §5.7.22).
    pub fn rat(&mut self) -> Result<Vec<ProfilePolicyAuthorisationRule>, Es10Error> {
        Ok(self.call(&GetRatRequest)?.rules)
    }

    /// GetEUICCChallenge (SGP.22 §5.7.7).
    pub fn euicc_challenge(&mut self) -> Result<[u8; 16], Es10Error> {
        Ok(self.call(&GetEuiccChallengeRequest)?.challenge)
    }

    /// AuthenticateServer (SGP.22 §5.7.13). The response (even an error) goes to ES9+
    /// AuthenticateClient as received, so it is returned with its DER and not judged here.
    pub fn authenticate_server(
        &mut self,
        request: &AuthenticateServerRequest,
    ) -> Result<WithDer<AuthenticateServerResponse>, Es10Error> {
        request.validate().map_err(Es10Error::MalformedRequest)?;
        self.call_with_der(request)
    }

    /// PrepareDownload (SGP.22 §5.7.5); the response goes to ES9+ GetBoundProfilePackage.
    pub fn prepare_download(
        &mut self,
        request: &PrepareDownloadRequest,
    ) -> Result<WithDer<PrepareDownloadResponse>, Es10Error> {
        request.validate().map_err(Es10Error::MalformedRequest)?;
        self.call_with_der(request)
    }

    /// CancelSession (SGP.22 §5.7.14); the response goes to ES9+ CancelSession.
    pub fn cancel_session(
        &mut self,
        transaction_id: &[u8],
        reason: CancelSessionReason,
    ) -> Result<WithDer<CancelSessionResponse>, Es10Error> {
        self.call_with_der(&CancelSessionRequest { transaction_id: transaction_id.to_vec(), reason })
    }

    /// LoadBoundProfilePackage (SGP.22 §5.7.6): sends the BPP as the segments of [`bpp::segments`],
    /// each its own STORE DATA sequence, and stops at the first segment the eUICC answers (the
    /// ProfileInstallationResult, on success after the last `86`, on error earlier).
    ///
    /// Nothing of the package is sent after that answer, not even the rest of the segment it
    /// came with: the eUICC has ended the session, and a real one answers whatever follows with
    /// an error status (`6A88`) that would hide its result. The result is returned whatever it
    /// says: it is the notification the SM-DP+ must get (check
    /// [`ProfileInstallationResult::outcome`]). `progress` is called after each segment sent.
    pub fn load_bound_profile_package(
        &mut self,
        bpp: &[u8],
        mut progress: impl FnMut(LoadProgress),
    ) -> Result<ProfileInstallationResult, Es10Error> {
        let mut cursor = LoadCursor::new(bpp)?;
        while let Some(segment) = cursor.next_segment() {
            let response = self.es10(bpp.get(segment).unwrap_or_default())?;
            if let Some(result) = cursor.answered(&response, &mut progress) {
                return result;
            }
        }
        Err(Es10Error::NoInstallationResult)
    }
}

/// Decodes the eUICC's answer to an ES10 request `R` (the response data of its STORE DATA
/// sequence, SGP.22 §5.7.2), keeping the DER: an empty answer is [`Es10Error::EmptyResponse`].
/// What [`Isdr::call_with_der`] and the sans-IO flows ([`crate::sans_io`]) read answers with.
pub(crate) fn read_answer<R: Request>(
    answer: Result<Vec<u8>, Es10Error>,
) -> Result<WithDer<R::Response>, Es10Error> {
    let der = answer?;
    if der.is_empty() {
        return Err(Es10Error::EmptyResponse);
    }
    Ok(WithDer { response: R::Response::from_der(&der)?, der })
}
