//! The extension point for the ES8+ download functions (SGP.22 §5.7.13 AuthenticateServer,
//! §5.7.5 PrepareDownload, §5.7.6 LoadBoundProfilePackage, §5.7.14 CancelSession).
//!
//! The software eUICC hands these requests to a [`DownloadHandler`]; the crypto (certificate
//! chains, signatures, ECKA, BSP) lives in the handler. [`NoDownload`], the default, answers
//! every one of them with `undefinedError` (SGP.22 §5.7.13 / §5.7.5 / §5.7.14) and a failed
//! ProfileInstallationResult for a BPP.

use oxicard_apdu::StatusWord;
use oxicard_euicc::der_util::{Fields, ctx, ctx_c, single};
use oxicard_euicc::es10::{
    AuthenticateErrorCode, AuthenticateServerRequest, AuthenticateServerResponse, BitFlags, BppCommandId,
    CancelSessionError, CancelSessionResponse, DownloadErrorCode, ErrorReason, FinalResult,
    InstallationError, Message, NotificationMetadata, PendingNotification, PrepareDownloadRequest,
    PrepareDownloadResponse, ProfileInfo, ProfileInstallationResult, ProfileInstallationResultData,
    ProfileState, SessionError, notification_event,
};
use oxicard_euicc::iccid::Eid;

use super::EuiccConfig;
use super::es10::{TlvHeader, tag_of};
use super::notifications::{NotificationSigner, SignError, signature_tlv};
use super::state::State;

mod authenticate;
mod cancel;
mod handler;
mod load;
mod prepare;
mod signer;
mod sima;

pub use handler::Es8Handler;
pub use load::SIMA_RESPONSE_OK;
pub use signer::IdentitySigner;

/// Why [`DownloadContext::install_profile`] refused a profile (SGP.22 §5.7.6 ErrorReason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstallRefusal {
    /// `installFailedDueToIccidAlreadyExistsOnEuicc(9)`.
    #[error("a profile with this ICCID is installed")]
    IccidAlreadyExists,
    /// `installFailedDueToInsufficientMemoryForProfile(10)`.
    #[error("not enough free memory for the profile")]
    InsufficientMemory,
    /// The ProfileInfo lacks its ICCID (`incorrectInputValues(1)`).
    #[error("the profile has no ICCID")]
    MissingIccid,
}

impl InstallRefusal {
    /// The ErrorReason of the ProfileInstallationResult.
    pub fn reason(self) -> ErrorReason {
        match self {
            Self::IccidAlreadyExists => ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc,
            Self::InsufficientMemory => ErrorReason::InstallFailedDueToInsufficientMemoryForProfile,
            Self::MissingIccid => ErrorReason::IncorrectInputValues,
        }
    }
}

/// What a [`DownloadHandler`] may see and change of the eUICC during one request. Changes are
/// written to the state file before the response leaves the card.
pub struct DownloadContext<'a> {
    pub(crate) config: &'a EuiccConfig,
    pub(crate) state: &'a mut State,
    pub(crate) signer: &'a dyn NotificationSigner,
    pub(crate) challenge: &'a mut Option<[u8; 16]>,
}

impl core::fmt::Debug for DownloadContext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DownloadContext").field("eid", &self.config.eid).finish_non_exhaustive()
    }
}

impl DownloadContext<'_> {
    /// The EID.
    pub fn eid(&self) -> Eid {
        self.config.eid
    }

    /// The configuration.
    pub fn config(&self) -> &EuiccConfig {
        self.config
    }

    /// The signer of the eUICC (SK.EUICC.ECDSA and its certificates).
    pub fn signer(&self) -> &dyn NotificationSigner {
        self.signer
    }

    /// The challenge of the last GetEUICCChallenge (SGP.22 §5.7.7), if the session is open.
    pub fn euicc_challenge(&self) -> Option<[u8; 16]> {
        *self.challenge
    }

    /// Ends the RSP session: the challenge is forgotten (SGP.22 §3.1.3: one session at a time).
    pub fn end_session(&mut self) {
        *self.challenge = None;
    }

    /// The installed profiles.
    pub fn profiles(&self) -> &[ProfileInfo] {
        &self.state.profiles
    }

    /// Free non-volatile memory, in bytes.
    pub fn free_memory(&self) -> u64 {
        super::free_memory(self.config, self.state)
    }

    /// Takes the next notification sequence number (never reused).
    pub fn next_seq_number(&mut self) -> u64 {
        super::take_seq_number(self.state)
    }

    /// Installs a profile (disabled) with its metadata; the eUICC assigns the ISD-P AID and
    /// fills in the missing state, class (operational) and size
    /// ([`EuiccConfig::default_profile_size`]). Returns the AID.
    pub fn install_profile(&mut self, profile: ProfileInfo) -> Result<Vec<u8>, InstallRefusal> {
        super::install(self.config, self.state, profile, ProfileState::Disabled)
    }

    /// Adds a notification (e.g. the ProfileInstallationResult) to the pending list.
    pub fn push_notification(&mut self, notification: PendingNotification) {
        self.state.notifications.push(notification);
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
        let tag = tag_of(request).ok_or(StatusWord::WRONG_DATA)?;
        match tag {
            [0xBF, 0x38] => {
                let request =
                    AuthenticateServerRequest::from_der(request).map_err(|_| StatusWord::WRONG_DATA)?;
                let transaction_id = transaction_id_of(&request.server_signed1).unwrap_or_default();
                let error = SessionError { transaction_id, code: AuthenticateErrorCode::UndefinedError };
                Ok(AuthenticateServerResponse { result: Err(error) }.to_der())
            }
            [0xBF, 0x21] => {
                let request =
                    PrepareDownloadRequest::from_der(request).map_err(|_| StatusWord::WRONG_DATA)?;
                let transaction_id = request.transaction_id().unwrap_or_default();
                let error = SessionError { transaction_id, code: DownloadErrorCode::UndefinedError };
                Ok(PrepareDownloadResponse { result: Err(error) }.to_der())
            }
            [0xBF, 0x41] => {
                Ok(CancelSessionResponse { result: Err(CancelSessionError::UndefinedError) }.to_der())
            }
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
    signer: &dyn NotificationSigner,
    transaction_id: Vec<u8>,
    seq_number: u64,
    address: String,
) -> Result<ProfileInstallationResult, SignError> {
    let data = ProfileInstallationResultData {
        transaction_id,
        notification_metadata: NotificationMetadata {
            seq_number,
            operation: BitFlags::from_bits([notification_event::INSTALL]),
            address,
            iccid: None,
        },
        smdp_oid: None,
        final_result: FinalResult::Error {
            error: InstallationError {
                command: BppCommandId::InitialiseSecureChannel,
                reason: ErrorReason::InstallFailedDueToUnknownError,
            },
            sima_response: None,
        },
    };
    let signature = signature_tlv(signer, &data.to_der())?;
    Ok(ProfileInstallationResult::new(data, &signature))
}
