//! LoadBoundProfilePackage (SGP.22 §5.7.6, §2.5.5, BSP §2.6.4): the BPP arrives
//! in segments (`oxicard_euicc::es10::bpp`), each one ES10 request. The first carries the `BF36`
//! header and InitialiseSecureChannel (`BF23`); then the containers `A0` (ConfigureISDP `87`s),
//! `A1` (StoreMetadata `88`s), optionally `A2` (ReplaceSessionKeys `87`), and `A3` (profile
//! elements `86`s), each with its header alone or together with any number of its TLVs.
//!
//! Every segment but the one that completes `A3` or fails is answered with no data; the
//! last one gets the signed ProfileInstallationResult (`BF37`), which also goes to the
//! pending notifications. The profile is installed ([`EuiccPlatform::install_profile`], with its
//! UPP) only when the whole BPP verified and the Profile Package interpreter accepted the UPP
//! ([`EuiccPlatform::check_profile_package`]).

use oxicard_secure_channel::ErrorKind;
use oxicard_secure_channel::bsp::{BspKeys, BspVerifier, KEY_LEN_AES128, KEY_TYPE_AES, SharedInfo};

use super::{EuiccDownload, EuiccPlatform, EuiccSigner, RequestError, signed_installation_result};
use crate::asn1::{Fields, TlvHeader, app, ctx, ctx_c, single};
use crate::download::decode_profile_metadata;
use crate::es10::{
    BitFlags, BppCommandId, ErrorReason, FinalResult, InstallationError, NotificationMetadata,
    PendingNotification, ProfileInfo, ProfileInstallationResultData, notification_event,
};
use crate::iccid::Iccid;
use crate::pki::{SIGNATURE_TAG, SignedData};

/// `simaResponse` of a successful installation (SGP.22 §5.7.6): one EUICCResponse with peStatus
/// `[{ status ok(0) }]`, `30 07 A0 05 30 03 80 01 00` (the all-OK EUICCResponse of SAIP v3.3.1
/// §8.11, encoded with asn1tools over the SAIP PE module).
pub const SIMA_RESPONSE_OK: [u8; 9] = [0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00];

/// `remoteOpId installBoundProfilePackage(1)` (SGP.22 §5.5.1).
const INSTALL_BOUND_PROFILE_PACKAGE: i64 = 1;

/// A BPP in progress: the BSP verifier and what the segments gave so far.
pub(super) struct Loading {
    verifier: BspVerifier,
    /// The container being received (`0` = `A0` … `3` = `A3`) and its bytes still to come.
    current: Option<(u8, usize)>,
    /// The last container opened.
    last: Option<u8>,
    /// Whether the ReplaceSessionKeys `87` of `A2` was processed.
    keys_replaced: bool,
    configure_isdp: Vec<u8>,
    metadata: Vec<u8>,
    profile: Option<ProfileInfo>,
    upp: Vec<u8>,
    /// The `simaResponse` (EUICCResponse) of a failed PE check.
    sima_response: Option<Vec<u8>>,
}

impl core::fmt::Debug for Loading {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Loading")
            .field("current", &self.current)
            .field("last", &self.last)
            .field("upp_len", &self.upp.len())
            .finish_non_exhaustive()
    }
}

/// A failed BPP step: `errorResult { bppCommandId, errorReason }`.
type Failure = (BppCommandId, ErrorReason);

/// The BppCommandId of the step a container carries (SGP.22 §5.7.6).
fn command_of(container: u8) -> BppCommandId {
    match container {
        0 => BppCommandId::ConfigureIsdp,
        1 => BppCommandId::StoreMetadata,
        2 => BppCommandId::ReplaceSessionKeys,
        _ => BppCommandId::LoadProfileElements,
    }
}

/// The BSP failure reason: a MAC or padding failure is `scp03tSecurityError(8)` (v3
/// `bspSecurityError`), any other (lengths, tags) `scp03tStructureError(7)`
/// (the ErrorReason names of SGP.22 §5.7.6).
fn bsp_reason(kind: ErrorKind) -> ErrorReason {
    match kind {
        ErrorKind::MacMismatch | ErrorKind::InvalidPadding => ErrorReason::Scp03tSecurityError,
        _ => ErrorReason::Scp03tStructureError,
    }
}

impl Loading {
    /// Processes the container headers and TLVs of one segment. `Ok(true)` once `A3` is
    /// complete.
    fn process(&mut self, mut bytes: &[u8], euicc: &dyn EuiccPlatform) -> Result<bool, Failure> {
        let mut complete = false;
        while !bytes.is_empty() {
            let next_command = command_of(self.current.map_or(self.last.map_or(0, |l| l + 1), |c| c.0));
            let structure = (next_command, ErrorReason::Scp03tStructureError);
            if complete {
                return Err(structure);
            }
            let header = TlvHeader::parse(bytes).ok_or(structure)?;
            let tag = bytes.first().copied().unwrap_or_default();
            match tag {
                0xA0..=0xA3 => {
                    let index = tag - 0xA0;
                    let allowed = match (self.last, index) {
                        (None, 0) | (Some(0), 1) | (Some(1), 2) => true,
                        (Some(last), 3) => last == 1 || last == 2,
                        _ => false,
                    };
                    if self.current.is_some() || !allowed || header.tag_len != 1 {
                        return Err((command_of(index), ErrorReason::Scp03tStructureError));
                    }
                    // The profile elements must fit the free memory (SGP.22 §5.7.6).
                    if index == 3
                        && u64::try_from(header.value_len).map_or(true, |len| len > euicc.free_memory())
                    {
                        return Err((
                            BppCommandId::LoadProfileElements,
                            ErrorReason::InstallFailedDueToInsufficientMemoryForProfile,
                        ));
                    }
                    self.current = Some((index, header.value_len));
                    self.last = Some(index);
                    let (_, value) = bytes.split_at_checked(header.header_len).ok_or(structure)?;
                    bytes = value;
                }
                0x86..=0x88 => {
                    let (index, remaining) = self.current.ok_or(structure)?;
                    let expected = match index {
                        1 => 0x88,
                        3 => 0x86,
                        _ => 0x87,
                    };
                    let total = header.total_len();
                    let (segment, after) = bytes.split_at_checked(total).ok_or(structure)?;
                    let left = remaining.checked_sub(total).ok_or(structure)?;
                    if tag != expected {
                        return Err(structure);
                    }
                    self.segment(index, segment)?;
                    self.current = Some((index, left));
                    bytes = after;
                }
                _ => return Err(structure),
            }
            if let Some((index, 0)) = self.current {
                self.current = None;
                self.close(index, euicc)?;
                complete = index == 3;
            }
        }
        Ok(complete)
    }

    /// Verifies (and decrypts) one `86`/`87`/`88` TLV of container `index`.
    fn segment(&mut self, index: u8, segment: &[u8]) -> Result<(), Failure> {
        let command = command_of(index);
        if index == 2 && !self.keys_replaced {
            self.keys_replaced = true;
            return self
                .verifier
                .verify_replace_session_keys(segment)
                .map_err(|e| (command, bsp_reason(e.kind)));
        }
        // Decrypted straight into the container's buffer (no buffer per segment). A further
        // `87` of `A2` is verified and dropped: `upp` is still empty then (`A3` comes last),
        // so it is used and cut back.
        let buffer = match index {
            0 => &mut self.configure_isdp,
            1 => &mut self.metadata,
            _ => &mut self.upp,
        };
        let start = buffer.len();
        buffer.resize(start + segment.len(), 0);
        let (_, out) = buffer.split_at_mut(start);
        let verified = self.verifier.verify(segment, out);
        let kept = match &verified {
            Ok(verified) if index != 2 => verified.len,
            _ => 0,
        };
        buffer.truncate(start + kept);
        verified.map(|_| ()).map_err(|e| (command, bsp_reason(e.kind)))
    }

    /// The checks when container `index` is complete.
    fn close(&mut self, index: u8, euicc: &dyn EuiccPlatform) -> Result<(), Failure> {
        match index {
            0 => {
                // ConfigureISDPRequest `BF24 { [B8 dpProprietaryData] }` (SGP.22 §5.5.2).
                single(&self.configure_isdp, ctx_c(36), "ConfigureISDPRequest")
                    .map_err(|_| (BppCommandId::ConfigureIsdp, ErrorReason::IncorrectInputValues))?;
            }
            1 => {
                let failed = |reason| (BppCommandId::StoreMetadata, reason);
                let mut profile = decode_profile_metadata(&self.metadata)
                    .map_err(|_| failed(ErrorReason::IncorrectInputValues))?;
                let iccid = profile.iccid.ok_or(failed(ErrorReason::IncorrectInputValues))?;
                if euicc.has_profile(&iccid) {
                    return Err(failed(ErrorReason::InstallFailedDueToIccidAlreadyExistsOnEuicc));
                }
                profile.state = None;
                profile.isdp_aid = None;
                profile.nickname = None;
                self.profile = Some(profile);
            }
            3 => self.check_package(euicc)?,
            _ => {}
        }
        Ok(())
    }

    /// The UPP must be a package the eUICC's Profile Package interpreter accepts
    /// ([`EuiccPlatform::check_profile_package`], SGP.22 §5.7.6), for the metadata's ICCID;
    /// its refusal keeps the `simaResponse` naming what failed.
    fn check_package(&mut self, euicc: &dyn EuiccPlatform) -> Result<(), Failure> {
        let failed = |reason| (BppCommandId::LoadProfileElements, reason);
        let pe_error = failed(ErrorReason::InstallFailedDueToPeProcessingError);
        let expected = self.profile.as_ref().and_then(|p| p.iccid).ok_or(pe_error)?;
        euicc.check_profile_package(&self.upp, expected).map_err(|refusal| {
            self.sima_response = refusal.sima_response;
            failed(refusal.reason)
        })
    }
}

/// The members of InitialiseSecureChannelRequest (`BF23`, SGP.22 §5.5.1).
struct Initialise<'a> {
    remote_op_id: i64,
    transaction_id: Vec<u8>,
    key_type: Vec<u8>,
    key_len: Vec<u8>,
    host_id: Vec<u8>,
    smdp_otpk: Vec<u8>,
    smdp_sign: &'a [u8],
}

impl<'a> Initialise<'a> {
    fn parse(tlv: &'a [u8]) -> Option<Initialise<'a>> {
        let outer = single(tlv, ctx_c(35), "InitialiseSecureChannelRequest").ok()?;
        let f = Fields::parse(outer.value(), "InitialiseSecureChannelRequest").ok()?;
        let crt = f.opt(ctx_c(6), "controlRefTemplate")?.fields("ControlRefTemplate").ok()?;
        Some(Initialise {
            remote_op_id: f.opt(ctx(2), "remoteOpId")?.int().ok()?,
            transaction_id: f.opt(ctx(0), "transactionId")?.octets().ok()?,
            key_type: crt.opt(ctx(0), "keyType")?.octets().ok()?,
            key_len: crt.opt(ctx(1), "keyLen")?.octets().ok()?,
            host_id: crt.opt(ctx(4), "hostId")?.octets().ok()?,
            smdp_otpk: f.opt(app(73), "smdpOtpk")?.octets().ok()?,
            smdp_sign: f.opt(SIGNATURE_TAG, "smdpSign")?.raw(),
        })
    }
}

impl<S: EuiccSigner> EuiccDownload<S> {
    /// One LoadBoundProfilePackage segment (SGP.22 §5.7.6, `crate::es10::bpp`): no data until
    /// the segment that completes `A3` or fails, which gets the signed ProfileInstallationResult.
    /// A segment other than the `BF36` one with no BPP in progress is
    /// [`RequestError::NotExpected`]; a segment that is not a TLV [`RequestError::Malformed`].
    pub fn load_segment(
        &mut self,
        request: &[u8],
        euicc: &mut dyn EuiccPlatform,
    ) -> Result<Vec<u8>, RequestError> {
        let header = TlvHeader::parse(request).ok_or(RequestError::Malformed)?;
        let result = if request.first() == Some(&0xBF) && request.get(1) == Some(&0x36) {
            let (_, body) = request.split_at_checked(header.header_len).ok_or(RequestError::Malformed)?;
            self.initialise(body, euicc)
        } else {
            let Some(loading) = self.loading.as_mut() else {
                return Err(RequestError::NotExpected);
            };
            loading.process(request, &*euicc)
        };
        match result {
            Ok(false) => Ok(Vec::new()),
            Ok(true) => self.finish(euicc),
            Err(failure) => self.result(Err(failure), None, euicc),
        }
    }

    /// InitialiseSecureChannel (SGP.22 §5.5.1), then whatever
    /// follows the `BF23` TLV in the same segment.
    fn initialise(&mut self, body: &[u8], euicc: &mut dyn EuiccPlatform) -> Result<bool, Failure> {
        let failed = |reason| (BppCommandId::InitialiseSecureChannel, reason);
        let header = TlvHeader::parse(body).ok_or(failed(ErrorReason::Scp03tStructureError))?;
        let (tlv, rest) =
            body.split_at_checked(header.total_len()).ok_or(failed(ErrorReason::Scp03tStructureError))?;
        let init = Initialise::parse(tlv).ok_or(failed(ErrorReason::IncorrectInputValues))?;
        if init.remote_op_id != INSTALL_BOUND_PROFILE_PACKAGE {
            return Err(failed(ErrorReason::UnsupportedRemoteOperationType));
        }
        let prepared = self
            .session
            .as_ref()
            .filter(|s| s.transaction_id == init.transaction_id && self.loading.is_none())
            .and_then(|s| s.prepared.as_ref())
            .ok_or(failed(ErrorReason::InvalidTransactionId))?;
        if init.key_type != [KEY_TYPE_AES] || init.key_len != [KEY_LEN_AES128] {
            return Err(failed(ErrorReason::UnsupportedCrtValues));
        }
        let otpk = prepared.one_time_key.public_uncompressed();
        SignedData::InitialiseSecureChannel { request: tlv, euicc_otpk: otpk }
            .verify_tlv(&prepared.dp_pb_key, init.smdp_sign)
            .map_err(|_| failed(ErrorReason::InvalidSignature))?;
        let shared = prepared
            .one_time_key
            .agree(&init.smdp_otpk)
            .map_err(|_| failed(ErrorReason::IncorrectInputValues))?;
        let info = SharedInfo::new(&init.host_id, &euicc.eid().to_bytes())
            .map_err(|_| failed(ErrorReason::UnsupportedCrtValues))?;
        let verifier = BspKeys::derive(shared.as_bytes(), &info)
            .and_then(|keys| BspVerifier::new(&keys))
            .map_err(|_| failed(ErrorReason::InstallFailedDueToUnknownError))?;
        let mut loading = Loading {
            verifier,
            current: None,
            last: None,
            keys_replaced: false,
            configure_isdp: Vec::new(),
            metadata: Vec::new(),
            profile: None,
            upp: Vec::new(),
            sima_response: None,
        };
        let complete = loading.process(rest, &*euicc);
        self.loading = Some(loading);
        complete
    }

    /// The whole BPP verified: install the profile and answer the PIR.
    fn finish(&mut self, euicc: &mut dyn EuiccPlatform) -> Result<Vec<u8>, RequestError> {
        let loaded =
            self.loading.as_mut().and_then(|l| Some((l.profile.take()?, std::mem::take(&mut l.upp))));
        let (outcome, installed) = match loaded {
            Some((mut profile, upp)) => {
                // The profile occupies the size of its UPP (SGP.22 v3 `profileSize`).
                profile.profile_size = Some(i64::try_from(upp.len()).unwrap_or(i64::MAX));
                let iccid = profile.iccid;
                let installed = euicc
                    .install_profile(profile, upp)
                    .map_err(|refusal| (BppCommandId::LoadProfileElements, refusal.reason()));
                let installed_iccid = if installed.is_ok() { iccid } else { None };
                (installed, installed_iccid)
            }
            None => (Err((BppCommandId::StoreMetadata, ErrorReason::IncorrectInputValues)), None),
        };
        self.result(outcome, installed, euicc)
    }

    /// Builds, signs and stores the ProfileInstallationResult for `outcome` (the ISD-P AID or
    /// the failure; `installed` the ICCID of the profile installed), ends the session and
    /// answers the `BF37` TLV. Without a prepared session (an out-of-order or replayed BPP) the
    /// result is answered but not stored: there is no SM-DP+ to send it to.
    fn result(
        &mut self,
        outcome: Result<Vec<u8>, Failure>,
        installed: Option<Iccid>,
        euicc: &mut dyn EuiccPlatform,
    ) -> Result<Vec<u8>, RequestError> {
        let session = self.session.as_ref().filter(|s| s.prepared.is_some());
        let store = session.is_some();
        let transaction_id = session.map(|s| s.transaction_id.clone()).unwrap_or_default();
        let address = session
            .map(|s| s.server_address.clone())
            .or_else(|| euicc.default_dp_address())
            .unwrap_or_default();
        let smdp_oid = session.and_then(|s| s.prepared.as_ref()).and_then(|p| p.dp_pb_oid.clone());
        let iccid =
            self.loading.as_ref().and_then(|l| l.profile.as_ref().and_then(|p| p.iccid)).or(installed);
        let sima_response = self.loading.as_mut().and_then(|l| l.sima_response.take());
        let final_result = match outcome {
            Ok(aid) => FinalResult::Success { aid, sima_response: SIMA_RESPONSE_OK.to_vec() },
            Err((command, reason)) => {
                FinalResult::Error { error: InstallationError { command, reason }, sima_response }
            }
        };
        let data = ProfileInstallationResultData {
            transaction_id,
            notification_metadata: NotificationMetadata {
                seq_number: euicc.next_seq_number(),
                operation: BitFlags::from_bits([notification_event::INSTALL]),
                address,
                iccid,
            },
            smdp_oid,
            final_result,
        };
        let result = signed_installation_result(&self.signer, data)?;
        let der = result.as_der().to_vec();
        if store {
            euicc.push_notification(PendingNotification::ProfileInstallationResult(result));
        }
        self.end(euicc);
        Ok(der)
    }
}
