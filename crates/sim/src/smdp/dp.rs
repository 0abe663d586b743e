//! The test SM-DP+ without I/O: the five ES9+ functions (SGP.22 §5.6.1–§5.6.5) on typed requests,
//! and [`TestSmdp::handle_request`], the JSON/HTTP binding (SGP.22 §6.5) the servers and the fuzz
//! target drive.

use std::collections::BTreeMap;
use std::time::SystemTime;

use oxicard_euicc::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9, ExecutionStatus,
    GetBoundProfilePackageRequest, GetBoundProfilePackageResponse, HandleNotificationRequest,
    InitiateAuthenticationRequest, InitiateAuthenticationResponse, RspFunction, TransactionId,
};
use oxicard_euicc::es10::{CancelSessionReason, FinalResult, NotificationMetadata, PendingNotification};
use oxicard_euicc::pki::{OneTimeKeyPair, PrivateKey, RspCertificate, SmdpIdentity};
use oxicard_euicc::roles::smdp::{
    BppError, BppInput, ClientVerified, ConfirmationCheck, EuiccSigned2, SignedNotification, SmdpError,
    authenticate_client, bound_profile_package, check_confirmation_code, sign_smdp_signed2,
    verify_cancel_session, verify_prepare_download_response,
};
use oxicard_secure_channel::bsp::BspKeys;

use super::auth::{self, Dispatch, Sessions};
use super::profile::ProfilePackage;

/// The default hostId of the BSP control reference template (SGP.22 §2.5.5 `ControlRefTemplate`:
/// 1..16 bytes chosen by the SM-DP+): ASCII `oxicard SM-DP+`.
const DEFAULT_HOST_ID: &[u8] = b"oxicard SM-DP+";

/// Confirmation code attempts per session before 8.2.7 / 6.4 (retries exceeded).
const DEFAULT_MAX_CC_ATTEMPTS: u32 = 3;

/// A notification the SM-DP+ received and verified (ES9+.HandleNotification, SGP.22 §5.6.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedNotification {
    /// The notification metadata (sequence number, operation, address, ICCID).
    pub metadata: NotificationMetadata,
    /// For a ProfileInstallationResult: its transactionId and whether the installation succeeded.
    pub installation: Option<(Vec<u8>, bool)>,
    /// The `BF37` or `30` TLV as received.
    pub raw: Vec<u8>,
}

/// An HTTP answer of [`TestSmdp::handle_request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The HTTP status: 200 (JSON body, success or failure header), 204 (HandleNotification),
    /// 400 (unreadable JSON request), 404 (unknown path).
    pub status: u16,
    /// The body (JSON for 200, plain text for 400/404, empty for 204).
    pub body: Vec<u8>,
}

/// Where an RSP session stands.
#[derive(Clone, Debug)]
enum Stage {
    /// After InitiateAuthentication.
    Initiated,
    /// After AuthenticateClient.
    Authenticated(Box<Authenticated>),
    /// After GetBoundProfilePackage, waiting for the PIR.
    Bound(Box<Authenticated>),
}

/// What AuthenticateClient established.
#[derive(Clone, Debug)]
struct Authenticated {
    euicc_certificate: RspCertificate,
    eid: [u8; 16],
    matching_id: String,
    smdp_signature2: Vec<u8>,
    cc_attempts: u32,
}

#[derive(Clone, Debug)]
struct Session {
    server_challenge: [u8; 16],
    stage: Stage,
}

/// The test SM-DP+ (SGP.22 §3.1.3 profile download, server side): profiles by MatchingID (the empty
/// MatchingID selects the default profile), one session per TransactionID.
#[derive(Debug)]
pub struct TestSmdp {
    identity: SmdpIdentity,
    address: String,
    profiles: BTreeMap<String, ProfilePackage>,
    sessions: Sessions<Session>,
    host_id: Vec<u8>,
    replace_session_keys: bool,
    max_cc_attempts: u32,
    check_validity: bool,
    notifications: Vec<ReceivedNotification>,
    cancelled: Vec<(Vec<u8>, CancelSessionReason)>,
    fixed_dp_otsk: Option<PrivateKey>,
    fixed_ppk: Option<BspKeys>,
}

impl TestSmdp {
    /// A server with `identity` (DPauth, DPpb, trusted CIs) answering as `address` (the FQDN
    /// the LPA uses: `smdpAddress`, `serverAddress` of serverSigned1). No profiles yet.
    pub fn new(identity: SmdpIdentity, address: &str) -> TestSmdp {
        TestSmdp {
            identity,
            address: address.to_string(),
            profiles: BTreeMap::new(),
            sessions: Sessions::new(),
            host_id: DEFAULT_HOST_ID.to_vec(),
            replace_session_keys: true,
            max_cc_attempts: DEFAULT_MAX_CC_ATTEMPTS,
            check_validity: true,
            notifications: Vec::new(),
            cancelled: Vec::new(),
            fixed_dp_otsk: None,
            fixed_ppk: None,
        }
    }

    /// Serves `profile` for `matching_id` (`""` = the default profile, for an empty MatchingID).
    pub fn add_profile(&mut self, matching_id: &str, profile: ProfilePackage) {
        self.profiles.insert(matching_id.to_string(), profile);
    }

    /// [`TestSmdp::add_profile`], by value.
    pub fn with_profile(mut self, matching_id: &str, profile: ProfilePackage) -> TestSmdp {
        self.add_profile(matching_id, profile);
        self
    }

    /// Whether the BPP switches to a random PPK set with ReplaceSessionKeys (`A2`, SGP.22 §2.5.5);
    /// on by default.
    pub fn set_replace_session_keys(&mut self, enabled: bool) {
        self.replace_session_keys = enabled;
    }

    /// The hostId of InitialiseSecureChannel (1..16 bytes; default ASCII `oxicard SM-DP+`).
    pub fn set_host_id(&mut self, host_id: &[u8]) {
        self.host_id = host_id.to_vec();
    }

    /// Wrong confirmation codes accepted per session before 8.2.7 / 6.4 (default 3: the third
    /// wrong code ends the session).
    pub fn set_max_confirmation_code_attempts(&mut self, attempts: u32) {
        self.max_cc_attempts = attempts.max(1);
    }

    /// Whether certificate validity periods are checked against the clock (default on).
    pub fn set_check_validity(&mut self, enabled: bool) {
        self.check_validity = enabled;
    }

    /// Fixed otSK.DP and PPK set instead of fresh random ones for every BPP, so a test can
    /// compare a BPP with published vectors (pySim `BSP_Test_mode51`). Test use only: a
    /// reused one-time key defeats the BSP's forward secrecy.
    pub fn set_fixed_bpp_keys(&mut self, dp_otsk: Option<PrivateKey>, ppk: Option<BspKeys>) {
        self.fixed_dp_otsk = dp_otsk;
        self.fixed_ppk = ppk;
    }

    /// The SM-DP+ address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The identity.
    pub fn identity(&self) -> &SmdpIdentity {
        &self.identity
    }

    /// The notifications received and verified so far, in order.
    pub fn notifications(&self) -> &[ReceivedNotification] {
        &self.notifications
    }

    /// The sessions cancelled by ES9+.CancelSession: (transactionId, reason).
    pub fn cancelled_sessions(&self) -> &[(Vec<u8>, CancelSessionReason)] {
        &self.cancelled
    }

    /// How many RSP sessions are open.
    pub fn open_sessions(&self) -> usize {
        self.sessions.len()
    }

    fn at(&self) -> Option<SystemTime> {
        auth::at(self.check_validity)
    }

    /// ES9+.InitiateAuthentication (SGP.22 §5.6.1): checks the SM-DP+ address (8.8.1 / 3.8) and
    /// that the eUICC can verify CERT.DPauth's CI (`euiccCiPKIdListForVerification`, 8.8.2 / 3.1),
    /// opens a session and signs `serverSigned1 = 30 { 80 transactionId, 81 euiccChallenge,
    /// 83 serverAddress, 84 serverChallenge }` with SK.DPauth.
    pub fn initiate_authentication(
        &mut self,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, SmdpError> {
        let initiated = auth::initiate(
            RspFunction::Es9InitiateAuthentication,
            &self.address,
            self.identity.auth(),
            request,
        )?;
        let session = Session { server_challenge: initiated.server_challenge, stage: Stage::Initiated };
        self.sessions.insert(initiated.transaction_id, session);
        Ok(initiated.response)
    }

    /// ES9+.AuthenticateClient (SGP.22 §5.6.3): verifies CERT.EUICC and CERT.EUM up to a trusted CI
    /// (8.1.3 / 8.1.2 with 6.1 invalid or 6.3 expired, 8.11.1 / 3.9 unknown CI), euiccSignature1
    /// over euiccSigned1 (8.1 / 6.1), the echoed transactionId (8.10.1 / 3.9) and serverChallenge
    /// (8.1 / 6.1), looks the MatchingID up (8.2.6 / 3.8), and signs
    /// `smdpSigned2 = 30 { 80 transactionId, 01 ccRequiredFlag }` ‖ `5F37 euiccSignature1` with
    /// SK.DPpb.
    pub fn authenticate_client(
        &mut self,
        request: &AuthenticateClientRequest,
    ) -> Result<AuthenticateClientResponse, SmdpError> {
        let f = RspFunction::Es9AuthenticateClient;
        let tx = request.transaction_id.as_bytes().to_vec();
        let session = self.sessions.get(&tx).ok_or_else(|| SmdpError::unknown_transaction(f))?;
        if !matches!(session.stage, Stage::Initiated) {
            return Err(SmdpError::new(f, "8.10.1", "3.9", "the session is already authenticated"));
        }
        let server_challenge = session.server_challenge;
        let at = self.at();
        let verified = authenticate_client(
            f,
            &self.address,
            &tx,
            &server_challenge,
            &request.authenticate_server_response,
            self.identity.trusted_cis(),
            at,
        );
        let ClientVerified { euicc_certificate, eid, matching_id, euicc_signature1, .. } = match verified {
            Ok(verified) => verified,
            Err(refused) => {
                if refused.end_session {
                    self.sessions.remove(&tx);
                }
                return Err(refused.error);
            }
        };
        let profile = self.profiles.get(&matching_id).ok_or_else(|| {
            SmdpError::new(f, "8.2.6", "3.8", format!("unknown MatchingID {matching_id:?}"))
        })?;

        let signed2 =
            sign_smdp_signed2(&self.identity, &tx, profile.confirmation_code.is_some(), &euicc_signature1)
                .map_err(|e| SmdpError::internal(f, &e))?;
        let metadata = profile.metadata.to_der();
        if let Some(session) = self.sessions.get_mut(&tx) {
            session.stage = Stage::Authenticated(Box::new(Authenticated {
                euicc_certificate,
                eid,
                matching_id,
                smdp_signature2: signed2.smdp_signature2.clone(),
                cc_attempts: 0,
            }));
        }
        Ok({
            let mut authenticate_client_response = AuthenticateClientResponse::new(
                signed2.smdp_signed2,
                signed2.smdp_signature2,
                self.identity.pb().certificate().der().to_vec(),
            );
            authenticate_client_response.transaction_id = Some(request.transaction_id.clone());
            authenticate_client_response.profile_metadata = Some(metadata);
            authenticate_client_response
        })
    }

    /// ES9+.GetBoundProfilePackage (SGP.22 §5.6.2): verifies euiccSignature2 over euiccSigned2 ‖
    /// `5F37 smdpSignature2` (8.1 / 6.1), the confirmation code (hashCc = SHA-256(SHA-256(code) ‖
    /// transactionId): missing 8.2.7 / 2.2, wrong 8.2.7 / 3.8, too many 8.2.7 / 6.4), then binds
    /// the profile: otPK.DP, ECKA with otPK.EUICC, BSP keys, and the `BF36` BPP.
    pub fn get_bound_profile_package(
        &mut self,
        request: &GetBoundProfilePackageRequest,
    ) -> Result<GetBoundProfilePackageResponse, SmdpError> {
        let f = RspFunction::Es9GetBoundProfilePackage;
        let tx = request.transaction_id.as_bytes().to_vec();
        let session = self.sessions.get(&tx).ok_or_else(|| SmdpError::unknown_transaction(f))?;
        let auth = match &session.stage {
            Stage::Authenticated(auth) => auth.as_ref().clone(),
            Stage::Bound(_) => {
                return Err(SmdpError::new(f, "8.2", "3.7", "the profile is already bound in this session"));
            }
            Stage::Initiated => {
                return Err(SmdpError::new(f, "8.10.1", "3.9", "the session is not authenticated"));
            }
        };
        let verified = verify_prepare_download_response(
            f,
            &tx,
            &auth.smdp_signature2,
            &auth.euicc_certificate,
            &request.prepare_download_response,
        );
        let EuiccSigned2 { euicc_otpk, hash_cc, .. } = verified.map_err(|refused| {
            if refused.end_session {
                self.sessions.remove(&tx);
            }
            refused.error
        })?;
        let profile = self
            .profiles
            .get(&auth.matching_id)
            .ok_or_else(|| SmdpError::new(f, "8.2.6", "3.8", "the profile was withdrawn"))?
            .clone();
        if let Some(code) = &profile.confirmation_code {
            let check = check_confirmation_code(code, &tx, hash_cc.as_deref());
            if check == ConfirmationCheck::Missing {
                return Err(SmdpError::new(f, "8.2.7", "2.2", "confirmation code missing"));
            }
            if check == ConfirmationCheck::Wrong {
                let attempts = auth.cc_attempts + 1;
                if attempts >= self.max_cc_attempts {
                    self.sessions.remove(&tx);
                    return Err(SmdpError::new(f, "8.2.7", "6.4", "confirmation code retries exceeded"));
                }
                if let Some(Session { stage: Stage::Authenticated(a), .. }) = self.sessions.get_mut(&tx) {
                    a.cc_attempts = attempts;
                }
                return Err(SmdpError::new(f, "8.2.7", "3.8", "confirmation code refused"));
            }
        }
        let ppk = match (&self.fixed_ppk, self.replace_session_keys) {
            (_, false) => None,
            (Some(fixed), true) => Some(fixed.clone()),
            (None, true) => Some(random_ppk(f)?),
        };
        let dp_otk = match &self.fixed_dp_otsk {
            Some(key) => OneTimeKeyPair::from_private(key.clone()),
            None => {
                let curve = self.identity.pb().certificate().public_key().curve();
                OneTimeKeyPair::generate(curve).map_err(|e| SmdpError::internal(f, &e))?
            }
        };
        let metadata = profile.metadata.to_der();
        let input = {
            let mut bpp_input =
                BppInput::new(&tx, &self.host_id, &auth.eid, &euicc_otpk, &metadata, &profile.upp, &dp_otk);
            bpp_input.ppk = ppk.as_ref();
            bpp_input
        };
        let bound_profile_package =
            bound_profile_package(&self.identity, &input).map_err(|e| bpp_error(f, e))?;
        if let Some(session) = self.sessions.get_mut(&tx) {
            session.stage = Stage::Bound(Box::new(auth));
        }
        Ok({
            let mut get_bound_profile_package_response =
                GetBoundProfilePackageResponse::new(bound_profile_package);
            get_bound_profile_package_response.transaction_id = Some(request.transaction_id.clone());
            get_bound_profile_package_response
        })
    }

    /// ES9+.HandleNotification (SGP.22 §5.6.4): verifies a ProfileInstallationResult (euiccSignPIR
    /// over `BF27` with the CERT.EUICC of its session, which it ends) or an OtherSignedNotification
    /// (its CERT.EUICC chain, then the signature over `BF2F`), and records it.
    pub fn handle_notification(&mut self, request: &HandleNotificationRequest) -> Result<(), SmdpError> {
        let f = RspFunction::Es9HandleNotification;
        let raw = &request.pending_notification;
        let signed = SignedNotification::parse(f, raw)?;
        let received = match &signed.notification {
            PendingNotification::ProfileInstallationResult(pir) => {
                let tx = pir.data().transaction_id.clone();
                let certificate = match self.sessions.get(&tx).map(|s| &s.stage) {
                    Some(Stage::Authenticated(a) | Stage::Bound(a)) => a.euicc_certificate.clone(),
                    _ => return Err(SmdpError::unknown_transaction(f)),
                };
                signed.verify_installation_result(f, &certificate)?;
                self.sessions.remove(&tx);
                let success = matches!(pir.data().final_result, FinalResult::Success { .. });
                ReceivedNotification {
                    metadata: pir.notification_metadata().clone(),
                    installation: Some((tx, success)),
                    raw: raw.clone(),
                }
            }
            PendingNotification::OtherSignedNotification(other) => {
                signed.verify_other(f, self.identity.trusted_cis(), self.at())?;
                ReceivedNotification {
                    metadata: other.metadata().clone(),
                    installation: None,
                    raw: raw.clone(),
                }
            }
        };
        self.notifications.push(received);
        Ok(())
    }

    /// ES9+.CancelSession (SGP.22 §5.6.5): verifies euiccCancelSessionSignature over
    /// euiccCancelSessionSigned with the session's CERT.EUICC (8.1 / 6.1), its transactionId
    /// (8.10.1 / 3.9) and smdpOid (8.8 / 3.1), then ends the session.
    pub fn cancel_session(&mut self, request: &CancelSessionRequestEs9) -> Result<(), SmdpError> {
        let f = RspFunction::Es9CancelSession;
        let tx = request.transaction_id.as_bytes().to_vec();
        let session = self.sessions.get(&tx).ok_or_else(|| SmdpError::unknown_transaction(f))?;
        let certificate = match &session.stage {
            Stage::Authenticated(a) | Stage::Bound(a) => a.euicc_certificate.clone(),
            Stage::Initiated => {
                // No CERT.EUICC yet to verify with: the session just ends.
                self.sessions.remove(&tx);
                return Ok(());
            }
        };
        let smdp_oid = self.identity.smdp_oid();
        let reason =
            verify_cancel_session(f, &tx, &certificate, smdp_oid.as_ref(), &request.cancel_session_response)?;
        self.sessions.remove(&tx);
        self.cancelled.push((tx, reason));
        Ok(())
    }

    /// The JSON/HTTP binding (SGP.22 §6.5): `path` `/gsma/rsp2/es9plus/<function>`,
    /// `admin_protocol` the `X-Admin-Protocol` header (must start with `gsma/rsp/v2.`, else
    /// 1.2.2 / 2.1 as osmo-smdpp), `body` the JSON request. Never panics on any input.
    pub fn handle_request(&mut self, path: &str, admin_protocol: Option<&str>, body: &[u8]) -> HttpAnswer {
        const FUNCTIONS: [(&str, RspFunction); 5] = [
            ("initiateAuthentication", RspFunction::Es9InitiateAuthentication),
            ("authenticateClient", RspFunction::Es9AuthenticateClient),
            ("getBoundProfilePackage", RspFunction::Es9GetBoundProfilePackage),
            ("handleNotification", RspFunction::Es9HandleNotification),
            ("cancelSession", RspFunction::Es9CancelSession),
        ];
        auth::http_binding(path, admin_protocol, body, &FUNCTIONS, |function, body| {
            self.dispatch(function, body)
        })
    }

    fn dispatch(&mut self, function: RspFunction, body: &[u8]) -> Result<Option<Vec<u8>>, Dispatch> {
        Ok(match function {
            RspFunction::Es9InitiateAuthentication => {
                let request = InitiateAuthenticationRequest::from_json(function, body)?;
                Some(self.initiate_authentication(&request)?.to_json())
            }
            RspFunction::Es9AuthenticateClient => {
                let request = AuthenticateClientRequest::from_json(function, body)?;
                Some(self.authenticate_client(&request)?.to_json())
            }
            RspFunction::Es9GetBoundProfilePackage => {
                let request = GetBoundProfilePackageRequest::from_json(function, body)?;
                Some(self.get_bound_profile_package(&request)?.to_json())
            }
            RspFunction::Es9HandleNotification => {
                let request = HandleNotificationRequest::from_json(function, body)?;
                self.handle_notification(&request)?;
                None
            }
            RspFunction::Es9CancelSession => {
                let request = CancelSessionRequestEs9::from_json(function, body)?;
                self.cancel_session(&request)?;
                Some(success_with_transaction_id(&request.transaction_id))
            }
            // ES11 is the SM-DS's (`TestSmds`); a function of a later version is not served either.
            _ => None,
        })
    }
}

/// `{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"transactionId":"…"}`
/// (the CancelSession answer of osmo-smdpp, SGP.22 §6.5.2.5).
fn success_with_transaction_id(transaction_id: &TransactionId) -> Vec<u8> {
    let value = serde_json::json!({
        "header": { "functionExecutionStatus": { "status": ExecutionStatus::Success.as_str() } },
        "transactionId": transaction_id.to_string(),
    });
    serde_json::to_vec(&value).unwrap_or_default()
}

/// A random PPK set (initial MAC chaining value, PPK-ENC, PPK-MAC; AES-128) for
/// ReplaceSessionKeys (SGP.22 §2.5.5).
fn random_ppk(function: RspFunction) -> Result<BspKeys, SmdpError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 48]);
    getrandom::fill(&mut bytes[..]).map_err(|e| SmdpError::internal(function, &e))?;
    let (mcv, rest) = bytes.split_at(16);
    let (enc, mac) = rest.split_at(16);
    BspKeys::new(mcv, enc, mac).map_err(|e| SmdpError::internal(function, &e))
}

/// The ES9+ failure of a BPP that could not be built; its message is the error with its causes
/// (`otPK.EUICC: invalid key: …`).
fn bpp_error(function: RspFunction, error: BppError) -> SmdpError {
    let chain = oxicard_transport::ErrorChain(&error);
    match &error {
        BppError::EuiccKey(_) => SmdpError::euicc_signature(function, chain.to_string()),
        _ => SmdpError::internal(function, &chain),
    }
}
