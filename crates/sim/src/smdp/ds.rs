//! The test SM-DS without I/O (GSMA SGP.22 §3.6.1 event retrieval, ES11 §5.8, server side):
//! events registered per EID (what ES12.RegisterEvent would do), ES11.InitiateAuthentication
//! signed with CERT.DSauth, ES11.AuthenticateClient answering the authenticated eUICC's events,
//! and [`TestSmds::handle_request`] for the JSON binding (§6.5; lpac and euicc-go POST ES11 to
//! `/gsma/rsp2/es9plus/initiateAuthentication` and `…/authenticateClient`).
//!
//! The mutual authentication is the SM-DP+'s (`oxicard_euicc::roles::smdp`, as for
//! [`TestSmdp`](super::TestSmdp)): the same checks of the eUICC chain, euiccSignature1,
//! transactionId, serverChallenge and serverAddress, with the same status codes.

use std::collections::BTreeMap;

use oxicard_euicc::es9::RspFunction;
use oxicard_euicc::es9::{
    AuthenticateClientRequest, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
};
use oxicard_euicc::es11::{Es11AuthenticateClientResponse, EventEntry};

use oxicard_euicc::pki::SmdsIdentity;
use oxicard_euicc::roles::smdp::{ClientVerified, SmdpError, authenticate_client};

use super::auth::{self, Sessions};
use super::dp::HttpAnswer;
use super::server::RspServer;

/// An SM-DS session after InitiateAuthentication.
#[derive(Clone, Debug)]
struct Session {
    server_challenge: [u8; 16],
}

/// The test SM-DS (SGP.22 §3.6.1, server side): pending events by EID, one session per
/// TransactionID until its AuthenticateClient.
///
/// Events stay registered after they were retrieved: an SM-DS deletes an event when the SM-DP+
/// asks (ES12.DeleteEvent, after the download), not when it is read; [`TestSmds::remove_event`]
/// plays that part.
#[derive(Debug)]
pub struct TestSmds {
    identity: SmdsIdentity,
    address: String,
    events: BTreeMap<String, Vec<EventEntry>>,
    sessions: Sessions<Session>,
    check_validity: bool,
    retrievals: Vec<String>,
}

impl TestSmds {
    /// An SM-DS with `identity` (DSauth, trusted CIs) answering as `address` (the FQDN the LPA
    /// uses: `smdpAddress` of the request, `serverAddress` of serverSigned1). No events yet.
    pub fn new(identity: SmdsIdentity, address: &str) -> TestSmds {
        TestSmds {
            identity,
            address: address.to_string(),
            events: BTreeMap::new(),
            sessions: Sessions::new(),
            check_validity: true,
            retrievals: Vec::new(),
        }
    }

    /// Registers the event `event_id` at `rsp_server_address` (an SM-DP+, or another SM-DS) for
    /// the eUICC `eid` (32 hex digits, any case); an event with the same id for that EID is
    /// replaced.
    pub fn add_event(&mut self, eid: &str, event_id: &str, rsp_server_address: &str) {
        let entries = self.events.entry(eid.to_ascii_uppercase()).or_default();
        entries.retain(|e| e.event_id != event_id);
        entries.push(EventEntry::new(event_id.to_string(), rsp_server_address.to_string()));
    }

    /// [`TestSmds::add_event`], by value.
    pub fn with_event(mut self, eid: &str, event_id: &str, rsp_server_address: &str) -> TestSmds {
        self.add_event(eid, event_id, rsp_server_address);
        self
    }

    /// Deletes an event (as ES12.DeleteEvent would); whether it existed.
    pub fn remove_event(&mut self, eid: &str, event_id: &str) -> bool {
        let Some(entries) = self.events.get_mut(&eid.to_ascii_uppercase()) else { return false };
        let before = entries.len();
        entries.retain(|e| e.event_id != event_id);
        before != entries.len()
    }

    /// The events registered for `eid`, in registration order.
    pub fn events(&self, eid: &str) -> &[EventEntry] {
        self.events.get(&eid.to_ascii_uppercase()).map_or(&[], Vec::as_slice)
    }

    /// Whether certificate validity periods are checked against the clock (default on).
    pub fn set_check_validity(&mut self, enabled: bool) {
        self.check_validity = enabled;
    }

    /// The SM-DS address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The identity.
    pub fn identity(&self) -> &SmdsIdentity {
        &self.identity
    }

    /// How many RSP sessions are open (initiated, not yet authenticated).
    pub fn open_sessions(&self) -> usize {
        self.sessions.len()
    }

    /// The EIDs (uppercase hex) of the successful AuthenticateClient calls, in order.
    pub fn retrievals(&self) -> &[String] {
        &self.retrievals
    }

    /// ES11.InitiateAuthentication (SGP.22 §5.8.1): the checks and the signed serverSigned1 of
    /// the SM-DP+'s InitiateAuthentication (8.8.1 / 3.8 wrong address, 8.8.2 / 3.1 unknown CI),
    /// signed with SK.DSauth.
    pub fn initiate_authentication(
        &mut self,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, SmdpError> {
        let f = RspFunction::Es11InitiateAuthentication;
        let initiated = auth::initiate(f, &self.address, self.identity.auth(), request)?;
        self.sessions
            .insert(initiated.transaction_id, Session { server_challenge: initiated.server_challenge });
        Ok(initiated.response)
    }

    /// ES11.AuthenticateClient (SGP.22 §5.8.2): verifies the eUICC as the SM-DP+ does (unknown
    /// session 8.10.1 / 3.9, CERT.EUICC / CERT.EUM 8.1.3 / 8.1.2, euiccSignature1 8.1 / 6.1, …),
    /// ends the session and answers the events of the EID of CERT.EUICC (possibly none). A
    /// MatchingID in ctxParams1, which event retrieval does not send, is ignored.
    pub fn authenticate_client(
        &mut self,
        request: &AuthenticateClientRequest,
    ) -> Result<Es11AuthenticateClientResponse, SmdpError> {
        let f = RspFunction::Es11AuthenticateClient;
        let tx = request.transaction_id.as_bytes().to_vec();
        let session = self.sessions.get(&tx).ok_or_else(|| SmdpError::unknown_transaction(f))?;
        let server_challenge = session.server_challenge;
        let at = auth::at(self.check_validity);
        let verified = authenticate_client(
            f,
            &self.address,
            &tx,
            &server_challenge,
            &request.authenticate_server_response,
            self.identity.trusted_cis(),
            at,
        );
        let ClientVerified { eid, .. } = verified.map_err(|refused| {
            if refused.end_session {
                self.sessions.remove(&tx);
            }
            refused.error
        })?;
        self.sessions.remove(&tx);
        let eid = hex::encode_upper(eid);
        let event_entries = self.events(&eid).to_vec();
        self.retrievals.push(eid);
        Ok({
            let mut es11_authenticate_client_response = Es11AuthenticateClientResponse::default();
            es11_authenticate_client_response.transaction_id = Some(request.transaction_id.clone());
            es11_authenticate_client_response.event_entries = event_entries;
            es11_authenticate_client_response
        })
    }

    /// The JSON/HTTP binding (SGP.22 §6.5): `path` `/gsma/rsp2/es9plus/initiateAuthentication`
    /// or `…/authenticateClient` (else 404), `admin_protocol` the `X-Admin-Protocol` header (must
    /// start with `gsma/rsp/v2.`), `body` the JSON request. Never panics on any input.
    pub fn handle_request(&mut self, path: &str, admin_protocol: Option<&str>, body: &[u8]) -> HttpAnswer {
        const FUNCTIONS: [(&str, RspFunction); 2] = [
            ("initiateAuthentication", RspFunction::Es11InitiateAuthentication),
            ("authenticateClient", RspFunction::Es11AuthenticateClient),
        ];
        auth::http_binding(path, admin_protocol, body, &FUNCTIONS, |function, body| {
            Ok(Some(match function {
                RspFunction::Es11InitiateAuthentication => {
                    let request = InitiateAuthenticationRequest::from_json(function, body)?;
                    self.initiate_authentication(&request)?.to_json()
                }
                _ => {
                    let request = AuthenticateClientRequest::from_json(function, body)?;
                    self.authenticate_client(&request)?.to_json()
                }
            }))
        })
    }
}

impl RspServer for TestSmds {
    fn address(&self) -> &str {
        &self.address
    }

    fn handle_request(&mut self, path: &str, admin_protocol: Option<&str>, body: &[u8]) -> HttpAnswer {
        TestSmds::handle_request(self, path, admin_protocol, body)
    }
}
