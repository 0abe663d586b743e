//! A fake eUICC: a `CardSimulator` answering the ES10 STORE DATA sequences with structurally valid
//! DER built from the crate's own types. It keeps profiles, pending notifications and the RSP
//! session, checks the session flow (challenge, transactionId, BPP segment order) but verifies no
//! signature and decrypts nothing: in the fake's Bound Profile Packages the `88` TLVs carry the
//! StoreMetadataRequest in clear (a real one is MACed, SGP.22 §2.5.5).
//!
//! Hand-made test double: the byte layouts follow the SGP.22 digest (§2 transport, §3 functions,
//! §4.4 PIR, §5.2 segmentation), the signatures and certificates are placeholders.

use std::sync::{Arc, Mutex, MutexGuard};

use der::Tag;
use oxicard_euicc::asn1::{Encoder, Fields, app, ctx, single};
use oxicard_euicc::download::decode_profile_metadata;
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::{Eid, Iccid};
use oxicard_euicc::isdr::ISD_R_AID;
use oxicard_transport::sim::CardSimulator;

/// The EID of the pySim GET EID vector (`tests/unittests/test_globalplatform.py`).
pub const EID: [u8; 16] = [0x89, 0x88, 0x21, 0x19, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05];
/// The fake's challenge.
pub const CHALLENGE: [u8; 16] = [0xC0; 16];
/// A placeholder `5F37 40 <64 bytes>` signature.
pub fn signature() -> Vec<u8> {
    let mut e = Encoder::new();
    e.tlv(app(55), &[0x5A; 64]);
    e.finish()
}
/// A placeholder certificate: a SEQUENCE of `len` bytes of content.
pub fn certificate(len: usize, fill: u8) -> Vec<u8> {
    let mut e = Encoder::new();
    e.tlv(Tag::Sequence, &vec![fill; len]);
    e.finish()
}

/// An installed profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeProfile {
    pub iccid: Iccid,
    pub aid: Vec<u8>,
    pub enabled: bool,
    pub name: Option<String>,
    pub service_provider: Option<String>,
    /// Where its enable/disable/delete notifications go (all three events), if anywhere.
    pub notification_address: Option<String>,
}

impl FakeProfile {
    fn info(&self) -> ProfileInfo {
        let mut profile_info = ProfileInfo::new(self.iccid);
        profile_info.isdp_aid = Some(self.aid.clone());
        profile_info.state = Some(if self.enabled { ProfileState::Enabled } else { ProfileState::Disabled });
        profile_info.service_provider_name = self.service_provider.clone();
        profile_info.profile_name = self.name.clone();
        profile_info.class = Some(ProfileClass::Operational);
        profile_info
    }
}

/// The eUICC's RSP session.
#[derive(Clone, Debug)]
struct Session {
    transaction_id: Vec<u8>,
    server_address: String,
    prepared: bool,
    load: Option<Load>,
}

/// A LoadBoundProfilePackage in progress.
#[derive(Clone, Debug, Default)]
struct Load {
    total: usize,
    received: usize,
    metadata: Vec<u8>,
    elements: usize,
}

/// Everything the fake knows; shared with the test through [`FakeEuicc::state`].
#[derive(Debug)]
pub struct EuiccState {
    pub profiles: Vec<FakeProfile>,
    pub notifications: Vec<PendingNotification>,
    pub next_seq: u64,
    /// ES10 functions received, by request tag (`"BF20"`…; BPP segments by their first tag:
    /// `"BF36"`, `"A0"`, `"A1"`, `"88"`, `"A3"`, `"86"`).
    pub calls: Vec<String>,
    /// CancelSession requests received: (transactionId, reason).
    pub cancels: Vec<(Vec<u8>, CancelSessionReason)>,
    /// Answer the first `86` segment with this error (a failed installation).
    pub install_error: Option<InstallationError>,
    /// Sequence numbers a RetrieveNotificationsList of several notifications leaves out (a
    /// search by sequence number still returns them).
    pub withheld_from_batch: Vec<u64>,
    session: Option<Session>,
    buffer: Vec<u8>,
    next_block: u8,
    pending: Vec<u8>,
}

impl EuiccState {
    /// The pending notifications' sequence numbers.
    pub fn pending_seqs(&self) -> Vec<u64> {
        self.notifications.iter().map(|n| n.metadata().seq_number).collect()
    }

    /// Whether an RSP session is open.
    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }

    /// Adds a profile.
    pub fn add_profile(&mut self, iccid: &str, enabled: bool, notification_address: Option<&str>) {
        let n = self.profiles.len() as u8;
        self.profiles.push(FakeProfile {
            iccid: iccid.parse().unwrap(),
            aid: isdp_aid(n),
            enabled,
            name: Some(format!("Profile {n}")),
            service_provider: Some("Fake SP".into()),
            notification_address: notification_address.map(str::to_owned),
        });
    }

    /// Adds an OtherSignedNotification for `operation` (a notification_event bit).
    pub fn add_notification(&mut self, operation: usize, address: &str, iccid: Option<Iccid>) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let metadata = {
            let mut notification_metadata =
                NotificationMetadata::new(seq, BitFlags::from_bits([operation]), address.into());
            notification_metadata.iccid = iccid;
            notification_metadata
        };
        self.notifications.push(PendingNotification::OtherSignedNotification(OtherSignedNotification::new(
            metadata,
            &signature(),
            &certificate(40, 0xE1),
            &certificate(40, 0xE2),
        )));
        seq
    }
}

fn isdp_aid(n: u8) -> Vec<u8> {
    let mut aid = ISD_R_AID.to_vec();
    aid[14] = 0x10 + n;
    aid
}

/// The fake eUICC; clone [`Self::state`] before handing it to a `SimulatorTransport`.
pub struct FakeEuicc {
    state: Arc<Mutex<EuiccState>>,
}

impl FakeEuicc {
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(EuiccState {
                profiles: Vec::new(),
                notifications: Vec::new(),
                next_seq: 1,
                calls: Vec::new(),
                cancels: Vec::new(),
                install_error: None,
                withheld_from_batch: Vec::new(),
                session: None,
                buffer: Vec::new(),
                next_block: 0,
                pending: Vec::new(),
            })),
        }
    }

    pub fn state(&self) -> Arc<Mutex<EuiccState>> {
        Arc::clone(&self.state)
    }
}

/// Locks the shared state.
pub fn lock(state: &Arc<Mutex<EuiccState>>) -> MutexGuard<'_, EuiccState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn sw(out: &mut Vec<u8>, sw: u16) {
    out.extend_from_slice(&sw.to_be_bytes());
}

impl CardSimulator for FakeEuicc {
    fn atr(&self) -> &[u8] {
        &[0x3B, 0x00]
    }

    fn reset(&mut self) {
        let mut s = lock(&self.state);
        s.buffer.clear();
        s.next_block = 0;
        s.pending.clear();
    }

    fn process(&mut self, command: &[u8], out: &mut Vec<u8>) {
        let mut s = lock(&self.state);
        let [_, ins, p1, p2, rest @ ..] = command else { return sw(out, 0x6700) };
        let data = match rest {
            [] | [_] => &[][..], // case 1, case 2 (Le only)
            [lc, body @ ..] if body.len() >= usize::from(*lc) => &body[..usize::from(*lc)],
            _ => return sw(out, 0x6700),
        };
        match (*ins, *p1, *p2) {
            // MANAGE CHANNEL open → channel 1; close.
            (0x70, 0x00, 0x00) => {
                out.push(0x01);
                sw(out, 0x9000)
            }
            (0x70, 0x80, _) => sw(out, 0x9000),
            (0xA4, 0x04, 0x00) if data == ISD_R_AID => sw(out, 0x9000),
            (0xA4, ..) => sw(out, 0x6A82),
            (0xC0, ..) => s.respond(out),
            (0xE2, 0x11 | 0x91, block) => {
                if block != s.next_block {
                    s.buffer.clear();
                    s.next_block = 0;
                    return sw(out, 0x6A86);
                }
                s.buffer.extend_from_slice(data);
                if *p1 == 0x11 {
                    s.next_block = s.next_block.wrapping_add(1);
                    return sw(out, 0x9000);
                }
                s.next_block = 0;
                let request = std::mem::take(&mut s.buffer);
                match s.es10(&request) {
                    Some(response) => {
                        s.pending = response;
                        s.respond(out)
                    }
                    None => sw(out, 0x6A80),
                }
            }
            _ => sw(out, 0x6D00),
        }
    }
}

impl EuiccState {
    /// Sends up to 256 bytes of the pending response, `61xx` when more remain.
    fn respond(&mut self, out: &mut Vec<u8>) {
        let n = self.pending.len().min(256);
        out.extend(self.pending.drain(..n));
        match self.pending.len() {
            0 => sw(out, 0x9000),
            more => sw(out, 0x6100 | (more.min(256) & 0xFF) as u16),
        }
    }

    /// One ES10 command; `None` for a malformed one (answered `6A80`).
    fn es10(&mut self, request: &[u8]) -> Option<Vec<u8>> {
        let tag = match request {
            [first, second, ..] if first & 0x1F == 0x1F => format!("{first:02X}{second:02X}"),
            [first, ..] => format!("{first:02X}"),
            [] => return None,
        };
        self.calls.push(tag.clone());
        match tag.as_str() {
            "BF20" => Some(
                EuiccInfo1::new(Version::new(2, 2, 2), vec![vec![0x81; 20]], vec![vec![0x81; 20]]).to_der(),
            ),
            "BF2E" => Some(GetEuiccChallengeResponse::new(CHALLENGE).to_der()),
            "BF3E" => Some(GetEuiccDataResponse::new(Eid::from_bytes(EID)).to_der()),
            "BF38" => self.authenticate_server(request),
            "BF21" => self.prepare_download(request),
            "BF41" => {
                let cancel = CancelSessionRequest::from_der(request).ok()?;
                self.cancels.push((cancel.transaction_id.clone(), cancel.reason));
                let result = match &self.session {
                    Some(s) if s.transaction_id == cancel.transaction_id => {
                        self.session = None;
                        let mut e = Encoder::new();
                        e.nested(Tag::Sequence, |e| {
                            e.tlv(ctx(0), &cancel.transaction_id);
                            e.tlv(ctx(1), &[0x88, 0x37, 0x0A]); // smdpOid 2.999.10
                            e.int(ctx(2), cancel.reason.code());
                        });
                        Ok(CancelSessionResponseOk::new(e.finish(), signature()))
                    }
                    _ => Err(CancelSessionError::InvalidTransactionId),
                };
                Some(CancelSessionResponse::new(result).to_der())
            }
            "BF36" | "A0" | "A1" | "A2" | "A3" | "86" | "87" | "88" => self.load_segment(&tag, request),
            "BF28" => {
                let list = ListNotificationRequest::from_der(request).ok()?;
                let items = self
                    .notifications
                    .iter()
                    .map(|n| n.metadata().clone())
                    .filter(|m| {
                        list.operations.as_ref().is_none_or(|ops| ops.iter().any(|b| m.operation.contains(b)))
                    })
                    .collect();
                Some(ListNotificationResponse::new(Ok(items)).to_der())
            }
            "BF2B" => {
                let retrieve = RetrieveNotificationsListRequest::from_der(request).ok()?;
                let items = self
                    .notifications
                    .iter()
                    .filter(|n| match &retrieve.search {
                        None => !self.withheld_from_batch.contains(&n.metadata().seq_number),
                        Some(NotificationSearch::SeqNumber(seq)) => n.metadata().seq_number == *seq,
                        Some(NotificationSearch::Operations(ops)) => {
                            ops.iter().any(|b| n.metadata().operation.contains(b))
                                && !self.withheld_from_batch.contains(&n.metadata().seq_number)
                        }
                        Some(_) => false,
                    })
                    .cloned()
                    .collect();
                Some(RetrieveNotificationsListResponse::new(Ok(items)).to_der())
            }
            "BF30" => {
                let remove = NotificationSentRequest::from_der(request).ok()?;
                let before = self.notifications.len();
                self.notifications.retain(|n| n.metadata().seq_number != remove.seq_number);
                let result = if self.notifications.len() < before {
                    Ok(())
                } else {
                    Err(NotificationSentError::NothingToDelete)
                };
                Some(NotificationSentResponse::new(result).to_der())
            }
            "BF2D" => {
                let profiles = self.profiles.iter().map(FakeProfile::info).collect();
                Some(ProfileInfoListResponse::new(Ok(profiles)).to_der())
            }
            "BF31" => {
                let enable = EnableProfileRequest::from_der(request).ok()?;
                let result = match self.find(&enable.profile) {
                    None => Err(EnableProfileError::IccidOrAidNotFound),
                    Some(i) if self.profiles[i].enabled => Err(EnableProfileError::ProfileNotInDisabledState),
                    Some(i) => {
                        self.profiles.iter_mut().for_each(|p| p.enabled = false);
                        self.profiles[i].enabled = true;
                        self.notify(i, notification_event::ENABLE);
                        Ok(())
                    }
                };
                Some(EnableProfileResponse::new(result).to_der())
            }
            "BF32" => {
                let disable = DisableProfileRequest::from_der(request).ok()?;
                let result = match self.find(&disable.profile) {
                    None => Err(DisableProfileError::IccidOrAidNotFound),
                    Some(i) if !self.profiles[i].enabled => {
                        Err(DisableProfileError::ProfileNotInEnabledState)
                    }
                    Some(i) => {
                        self.profiles[i].enabled = false;
                        self.notify(i, notification_event::DISABLE);
                        Ok(())
                    }
                };
                Some(DisableProfileResponse::new(result).to_der())
            }
            "BF33" => {
                let delete = DeleteProfileRequest::from_der(request).ok()?;
                let result = match self.find(&delete.profile) {
                    None => Err(DeleteProfileError::IccidOrAidNotFound),
                    Some(i) if self.profiles[i].enabled => Err(DeleteProfileError::ProfileNotInDisabledState),
                    Some(i) => {
                        self.notify(i, notification_event::DELETE);
                        self.profiles.remove(i);
                        Ok(())
                    }
                };
                Some(DeleteProfileResponse::new(result).to_der())
            }
            _ => None,
        }
    }

    fn find(&self, id: &ProfileIdentifier) -> Option<usize> {
        self.profiles.iter().position(|p| match id {
            ProfileIdentifier::Iccid(iccid) => p.iccid == *iccid,
            ProfileIdentifier::IsdpAid(aid) => p.aid == *aid,
        })
    }

    fn notify(&mut self, index: usize, operation: usize) {
        let profile = &self.profiles[index];
        if let Some(address) = profile.notification_address.clone() {
            let iccid = profile.iccid;
            self.add_notification(operation, &address, Some(iccid));
        }
    }

    fn authenticate_server(&mut self, request: &[u8]) -> Option<Vec<u8>> {
        let auth = AuthenticateServerRequest::from_der(request).ok()?;
        let signed = single(&auth.server_signed1, Tag::Sequence, "serverSigned1").ok()?;
        let f = Fields::parse(signed.value(), "serverSigned1").ok()?;
        let transaction_id = f.req(ctx(0), "transactionId").ok()?.octets().ok()?;
        let challenge = f.req(ctx(1), "euiccChallenge").ok()?.octets().ok()?;
        let address = f.req(ctx(3), "serverAddress").ok()?.utf8().ok()?;
        let server_challenge = f.req(ctx(4), "serverChallenge").ok()?.octets().ok()?;
        if challenge != CHALLENGE {
            let error = SessionError::new(transaction_id, AuthenticateErrorCode::EuiccChallengeMismatch);
            return Some(AuthenticateServerResponse::new(Err(error)).to_der());
        }
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &transaction_id);
            e.utf8(ctx(3), &address);
            e.tlv(ctx(4), &server_challenge);
            e.raw(&auth.ctx_params1.to_der());
        });
        self.session = Some(Session { transaction_id, server_address: address, prepared: false, load: None });
        let ok = AuthenticateResponseOk::new(
            e.finish(),
            signature(),
            certificate(200, 0xE1),
            certificate(200, 0xE2),
        );
        Some(AuthenticateServerResponse::new(Ok(ok)).to_der())
    }

    fn prepare_download(&mut self, request: &[u8]) -> Option<Vec<u8>> {
        let prepare = PrepareDownloadRequest::from_der(request).ok()?;
        let transaction_id = prepare.transaction_id().ok()?;
        let session = match &mut self.session {
            Some(s) if s.transaction_id == transaction_id && !s.prepared => s,
            _ => {
                let error = SessionError::new(transaction_id, DownloadErrorCode::InvalidTransactionId);
                return Some(PrepareDownloadResponse::new(Err(error)).to_der());
            }
        };
        session.prepared = true;
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &transaction_id);
            e.tlv(app(73), &[0x04; 65]);
            e.opt(prepare.hash_cc.as_ref(), |e, h| e.tlv(Tag::OctetString, h));
        });
        let ok = PrepareDownloadResponseOk::new(e.finish(), signature());
        Some(PrepareDownloadResponse::new(Ok(ok)).to_der())
    }

    /// One LoadBoundProfilePackage segment: `None` (→ `6A80`) out of sequence; an empty
    /// response until the last byte, then the ProfileInstallationResult.
    fn load_segment(&mut self, tag: &str, segment: &[u8]) -> Option<Vec<u8>> {
        let session = self.session.as_mut().filter(|s| s.prepared)?;
        if tag == "BF36" {
            // Header of the whole BPP: tag (2) + length, then BF23.
            let (len, header) = match segment.get(2)? {
                n @ 0..=0x7F => (usize::from(*n), 3),
                0x81 => (usize::from(*segment.get(3)?), 4),
                0x82 => (usize::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?])), 5),
                0x83 => (
                    usize::from(*segment.get(3)?) << 16
                        | usize::from(*segment.get(4)?) << 8
                        | usize::from(*segment.get(5)?),
                    6,
                ),
                _ => return None,
            };
            session.load = Some(Load { total: header + len, ..Load::default() });
        }
        let load = session.load.as_mut()?;
        load.received += segment.len();
        if tag == "88" {
            load.metadata.extend_from_slice(single(segment, ctx(8), "88").ok()?.value());
        }
        if tag == "86" {
            load.elements += 1;
            if let Some(error) = self.install_error.take() {
                return Some(self.finish(Err(error)));
            }
        }
        if load.received < load.total {
            return Some(Vec::new());
        }
        Some(self.finish(Ok(())))
    }

    /// Ends the session with a ProfileInstallationResult, kept as a pending notification.
    fn finish(&mut self, outcome: Result<(), InstallationError>) -> Vec<u8> {
        let session = self.session.take().unwrap();
        let metadata = session.load.as_ref().and_then(|l| decode_profile_metadata(&l.metadata).ok());
        let iccid = metadata.as_ref().and_then(|m| m.iccid);
        let aid = isdp_aid(self.profiles.len() as u8);
        let final_result = match outcome {
            Ok(()) => {
                self.profiles.push(FakeProfile {
                    iccid: iccid.unwrap_or_else(|| "8900000000000000000".parse().unwrap()),
                    aid: aid.clone(),
                    enabled: false,
                    name: metadata.as_ref().and_then(|m| m.profile_name.clone()),
                    service_provider: metadata.as_ref().and_then(|m| m.service_provider_name.clone()),
                    notification_address: None,
                });
                FinalResult::Success { aid, sima_response: vec![0x30, 0x00] }
            }
            Err(error) => FinalResult::Error { error, sima_response: None },
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        let data = ProfileInstallationResultData::new(
            session.transaction_id,
            {
                let mut notification_metadata = NotificationMetadata::new(
                    seq,
                    BitFlags::from_bits([notification_event::INSTALL]),
                    session.server_address,
                );
                notification_metadata.iccid = iccid;
                notification_metadata
            },
            final_result,
        );
        let result = ProfileInstallationResult::new(data, &signature());
        self.notifications.push(PendingNotification::ProfileInstallationResult(result.clone()));
        result.as_der().to_vec()
    }
}
