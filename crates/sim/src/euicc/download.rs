//! The extension point for the ES8+ download functions (SGP.22 §5.7.13 AuthenticateServer,
//! §5.7.5 PrepareDownload, §5.7.6 LoadBoundProfilePackage, §5.7.14 CancelSession).
//!
//! The software eUICC hands these requests to a [`DownloadHandler`]. [`Es8Handler`] runs the
//! eUICC role of `oxicard_euicc::roles::euicc` (certificate chains, signatures, ECKA, BSP) over
//! the card's state, with the SAIP checks of the software eUICC's Profile Package interpreter
//! ([`crate::saip`]). [`NoDownload`], the default, answers every one of them with
//! `undefinedError` (SGP.22 §5.7.13 / §5.7.5 / §5.7.14) and a failed ProfileInstallationResult
//! for a BPP.

use oxicard_apdu::StatusWord;
use oxicard_euicc::asn1::{Fields, TlvHeader, ctx, ctx_c, single};
use oxicard_euicc::es10::{
    AuthenticateErrorCode, AuthenticateServerRequest, AuthenticateServerResponse, BitFlags, BppCommandId,
    CancelSessionError, CancelSessionResponse, DownloadErrorCode, ErrorReason, EuiccInfo2, FinalResult,
    InstallationError, Message, NotificationMetadata, PendingNotification, PrepareDownloadRequest,
    PrepareDownloadResponse, ProfileInfo, ProfileInstallationResult, ProfileInstallationResultData,
    ProfileState, SessionError, notification_event,
};
use oxicard_euicc::iccid::{Eid, Iccid};
use oxicard_euicc::roles::euicc::{
    EuiccPlatform, EuiccSigner, InstallRefusal, PackageRefusal, RequestError, SignError,
    signed_installation_result,
};

use super::EuiccConfig;
use super::es10::euicc_info2_of;
use super::state::State;

mod handler;
mod package;

pub use handler::Es8Handler;

/// What a [`DownloadHandler`] may see and change of the eUICC during one request. Changes are
/// written to the state file before the response leaves the card.
pub struct DownloadContext<'a> {
    pub(crate) config: &'a EuiccConfig,
    pub(crate) state: &'a mut State,
    pub(crate) signer: &'a dyn EuiccSigner,
    pub(crate) challenge: &'a mut Option<[u8; 16]>,
}

impl core::fmt::Debug for DownloadContext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DownloadContext").field("eid", &self.config.eid).finish_non_exhaustive()
    }
}

/// What a handler reads and changes of the card is [`EuiccPlatform`] (implemented below);
/// besides that, the configuration, the signer and the profiles.
impl DownloadContext<'_> {
    /// The configuration.
    pub fn config(&self) -> &EuiccConfig {
        self.config
    }

    /// The signer of the eUICC (SK.EUICC.ECDSA and its certificates).
    pub fn signer(&self) -> &dyn EuiccSigner {
        self.signer
    }

    /// The installed profiles.
    pub fn profiles(&self) -> &[ProfileInfo] {
        &self.state.profiles
    }
}

/// The ES8+ part of the eUICC: gets every AuthenticateServer (`BF38`), PrepareDownload
/// (`BF21`), CancelSession (`BF41`) request and every LoadBoundProfilePackage segment (a
/// request starting with `BF36`, `A0`–`A3`, `86`, `87` or `88`; `oxicard_euicc::es10::bpp`).
pub trait DownloadHandler: Send {
    /// Processes one reassembled request (`request`, whole or a BPP segment) and returns the
    /// response TLV (empty for a BPP segment that gets no answer yet), or a status word for a
    /// transport-level refusal (e.g. `6A80`).
    fn handle(&mut self, request: &[u8], euicc: &mut DownloadContext<'_>) -> Result<Vec<u8>, StatusWord>;

    /// The RSP session ended outside the handler (a new GetEUICCChallenge, a card reset):
    /// forget any session state. The default does nothing.
    fn reset_session(&mut self) {}
}

/// The default [`DownloadHandler`]: no download support yet. Answers AuthenticateServer and
/// PrepareDownload with `undefinedError(127)` and the request's transactionId, CancelSession
/// with `undefinedError(127)`, and the first BPP segment with a signed ProfileInstallationResult
/// `errorResult { initialiseSecureChannel, installFailedDueToUnknownError(127) }`; further BPP
/// segments get `6985` (no BPP in progress).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoDownload;

/// The `transactionId` `80` inside the first `30` of `tlv` (serverSigned1, smdpSigned2).
fn transaction_id_of(tlv: &[u8]) -> Option<Vec<u8>> {
    let signed = single(tlv, der::Tag::Sequence, "signed").ok()?;
    signed.fields("signed").ok()?.opt(ctx(0), "transactionId")?.octets().ok()
}

impl DownloadHandler for NoDownload {
    fn handle(&mut self, request: &[u8], euicc: &mut DownloadContext<'_>) -> Result<Vec<u8>, StatusWord> {
        let tag = TlvHeader::tag_of(request).ok_or(StatusWord::WRONG_DATA)?;
        match tag {
            [0xBF, 0x38] => {
                let request =
                    AuthenticateServerRequest::from_der(request).map_err(|_| StatusWord::WRONG_DATA)?;
                let transaction_id = transaction_id_of(&request.server_signed1).unwrap_or_default();
                let error = SessionError::new(transaction_id, AuthenticateErrorCode::UndefinedError);
                Ok(AuthenticateServerResponse::new(Err(error)).to_der())
            }
            [0xBF, 0x21] => {
                let request =
                    PrepareDownloadRequest::from_der(request).map_err(|_| StatusWord::WRONG_DATA)?;
                let transaction_id = request.transaction_id().unwrap_or_default();
                let error = SessionError::new(transaction_id, DownloadErrorCode::UndefinedError);
                Ok(PrepareDownloadResponse::new(Err(error)).to_der())
            }
            [0xBF, 0x41] => Ok(CancelSessionResponse::new(Err(CancelSessionError::UndefinedError)).to_der()),
            [0xBF, 0x36] => {
                let transaction_id = bpp_transaction_id(request).unwrap_or_default();
                let address = euicc.state.default_dp_address.clone().unwrap_or_default();
                let seq_number = euicc.next_seq_number();
                failed_installation(euicc.signer, transaction_id, seq_number, address)
                    .map(|pir| pir.as_der().to_vec())
                    .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)
            }
            _ => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        }
    }
}

/// The transactionId `80` of InitialiseSecureChannelRequest (`BF23`, SGP.22 §5.5.1) in the first
/// BPP segment `BF36 <len> BF23 …`.
fn bpp_transaction_id(segment: &[u8]) -> Option<Vec<u8>> {
    let header = TlvHeader::parse(segment)?;
    let rest = segment.get(header.header_len..)?;
    let initialise = TlvHeader::parse(rest)?;
    let tlv = rest.get(..initialise.total_len())?;
    let field = single(tlv, ctx_c(35), "InitialiseSecureChannelRequest").ok()?;
    let fields = Fields::parse(field.value(), "InitialiseSecureChannelRequest").ok()?;
    fields.opt(ctx(0), "transactionId")?.octets().ok()
}

/// A signed ProfileInstallationResult for an installation that failed at
/// InitialiseSecureChannel with `installFailedDueToUnknownError(127)` (SGP.22 §5.7.6).
fn failed_installation(
    signer: &dyn EuiccSigner,
    transaction_id: Vec<u8>,
    seq_number: u64,
    address: String,
) -> Result<ProfileInstallationResult, SignError> {
    let data = ProfileInstallationResultData::new(
        transaction_id,
        NotificationMetadata::new(seq_number, BitFlags::from_bits([notification_event::INSTALL]), address),
        FinalResult::Error {
            error: InstallationError::new(
                BppCommandId::InitialiseSecureChannel,
                ErrorReason::InstallFailedDueToUnknownError,
            ),
            sima_response: None,
        },
    );
    signed_installation_result(signer, data)
}

/// The status word of a request the eUICC role refuses below SGP.22: `6A80` (incorrect data)
/// for a malformed one, `6985` (conditions of use not satisfied) otherwise.
pub(crate) fn status_word(error: &RequestError) -> StatusWord {
    match error {
        RequestError::Malformed => StatusWord::WRONG_DATA,
        _ => StatusWord::CONDITIONS_NOT_SATISFIED,
    }
}

/// The card's state as the eUICC role sees it; the UPP goes through the SAIP checks of the
/// software eUICC's Profile Package interpreter (`package` module, see the crate README) and is
/// kept with the profile ([`State::package`]).
impl EuiccPlatform for DownloadContext<'_> {
    fn eid(&self) -> Eid {
        self.config.eid
    }

    fn euicc_info2(&self) -> EuiccInfo2 {
        euicc_info2_of(self.config, self.state)
    }

    fn euicc_challenge(&self) -> Option<[u8; 16]> {
        *self.challenge
    }

    fn end_session(&mut self) {
        *self.challenge = None;
    }

    fn free_memory(&self) -> u64 {
        super::free_memory(self.config, self.state)
    }

    fn has_profile(&self, iccid: &Iccid) -> bool {
        self.state.profiles.iter().any(|p| p.iccid.as_ref() == Some(iccid))
    }

    /// Installs the profile (disabled): the eUICC assigns the ISD-P AID and fills in the
    /// missing state, class (operational) and size ([`EuiccConfig::default_profile_size`]).
    fn install_profile(&mut self, profile: ProfileInfo, upp: Vec<u8>) -> Result<Vec<u8>, InstallRefusal> {
        let iccid = profile.iccid;
        let aid = super::install(self.config, self.state, profile, ProfileState::Disabled)?;
        if let Some(iccid) = iccid {
            self.state.packages.insert(iccid, upp);
        }
        Ok(aid)
    }

    fn next_seq_number(&mut self) -> u64 {
        super::take_seq_number(self.state)
    }

    fn default_dp_address(&self) -> Option<String> {
        self.state.default_dp_address.clone()
    }

    fn push_notification(&mut self, notification: PendingNotification) {
        self.state.notifications.push(notification);
    }

    fn check_profile_package(&self, upp: &[u8], iccid: Iccid) -> Result<(), PackageRefusal> {
        package::check(upp, iccid, self.config.info2.profile_version.major)
    }
}
