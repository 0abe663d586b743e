//! The ES11 client: LPA ↔ SM-DS event retrieval (GSMA SGP.22 §5.8, JSON binding §6.5).
//!
//! Discovery (SGP.22 §3.6): the LPA authenticates to the SM-DS exactly like to an SM-DP+
//! (`initiateAuthentication`, then AuthenticateServer on the eUICC **without** a MatchingID, then
//! `authenticateClient`) and receives the pending events: a list of (SM-DP+ address, EventID). Each event
//! is then downloaded like an activation code whose MatchingID is the EventID
//! ([`EventEntry::to_activation_code`]).
//!
//! lpac and euicc-go POST both ES11 calls to the `/gsma/rsp2/es9plus/…` paths of the SM-DS. The
//! calls are methods of [`RspClient`] (over any [`HttpClient`]), like the ES9+ ones.

use crate::activation::{ActivationCode, ActivationCodeError};
use crate::es9::{
    AuthenticateClientRequest, Es9Error, HttpClient, HttpReply, InitiateAuthenticationRequest,
    InitiateAuthenticationResponse, JsonReader, JsonWriter, RspClient, RspFunction, RspRequest,
    TransactionId, parse_envelope,
};

/// One pending event (SGP.22 §5.8.2 `EventEntries`): where to download and with which MatchingID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EventEntry {
    /// `eventId`: used as the MatchingID with the SM-DP+.
    pub event_id: String,
    /// `rspServerAddress`: the SM-DP+ (or another SM-DS for cascaded discovery).
    pub rsp_server_address: String,
}

impl EventEntry {
    /// The value with the given members.
    pub fn new(event_id: String, rsp_server_address: String) -> Self {
        Self { event_id, rsp_server_address }
    }
}

impl EventEntry {
    /// The activation code equivalent: `1$<rspServerAddress>$<eventId>` (address and EventID validated
    /// like activation code fields 2 and 3).
    pub fn to_activation_code(&self) -> Result<ActivationCode, ActivationCodeError> {
        ActivationCode::new(&self.rsp_server_address, &self.event_id)
    }
}

/// ES11.AuthenticateClient response (SGP.22 §5.8.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Es11AuthenticateClientResponse {
    /// `transactionId`, if sent; a different one than the request's is an error.
    pub transaction_id: Option<TransactionId>,
    /// `eventEntries`: the pending events, possibly none.
    pub event_entries: Vec<EventEntry>,
}

impl Es11AuthenticateClientResponse {
    /// The JSON body with an `Executed-Success` header (for test servers).
    pub fn to_json(&self) -> Vec<u8> {
        let entries = self
            .event_entries
            .iter()
            .map(|e| {
                JsonWriter::request()
                    .str("eventId", &e.event_id)
                    .str("rspServerAddress", &e.rsp_server_address)
                    .into_value()
            })
            .collect();
        let mut w = JsonWriter::success_response();
        if let Some(t) = &self.transaction_id {
            w = w.transaction_id("transactionId", t);
        }
        w.value("eventEntries", serde_json::Value::Array(entries)).into_bytes()
    }

    /// Parses a response body (HTTP 200 assumed; header checked).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let reply = HttpReply { status: 200, content_type: None, body };
        Self::from_reply(function, &reply)
    }

    fn from_reply(function: RspFunction, reply: &HttpReply<'_>) -> Result<Self, Es9Error> {
        let map = parse_envelope(function, reply, false)?.unwrap_or_default();
        let r = JsonReader::new(function, &map);
        let transaction_id = r.opt_transaction_id("transactionId")?;
        let entries =
            r.opt_array("eventEntries")?.ok_or(Es9Error::MissingField { function, field: "eventEntries" })?;
        let event_entries = entries
            .iter()
            .map(|v| {
                let serde_json::Value::Object(m) = v else {
                    return Err(r.invalid("eventEntries", "an entry is not a JSON object"));
                };
                let e = JsonReader::new(function, m);
                Ok(EventEntry {
                    event_id: e.str_at("eventId", "eventEntries[].eventId")?.to_owned(),
                    rsp_server_address: e
                        .str_at("rspServerAddress", "eventEntries[].rspServerAddress")?
                        .to_owned(),
                })
            })
            .collect::<Result<Vec<_>, Es9Error>>()?;
        Ok(Es11AuthenticateClientResponse { transaction_id, event_entries })
    }
}

/// [`AuthenticateClientRequest`] sent to an SM-DS, whose answer is an event list.
#[derive(Debug, Clone, Copy)]
pub struct Es11AuthenticateClient<'a>(pub &'a AuthenticateClientRequest);

impl RspRequest for Es11AuthenticateClient<'_> {
    type Response = Es11AuthenticateClientResponse;

    fn to_json(&self) -> Vec<u8> {
        self.0.to_json()
    }

    fn decode_response(
        &self,
        function: RspFunction,
        reply: &HttpReply<'_>,
    ) -> Result<Self::Response, Es9Error> {
        let resp = Es11AuthenticateClientResponse::from_reply(function, reply)?;
        crate::es9::check_transaction_id(function, &self.0.transaction_id, resp.transaction_id.as_ref())?;
        Ok(resp)
    }
}

/// The ES11 calls (SGP.22 §5.8) of an [`RspClient`]: the SM-DS answers on the ES9+ paths.
impl<H: HttpClient + ?Sized> RspClient<H> {
    /// ES11.InitiateAuthentication (SGP.22 §5.8.1): `smdpAddress` in the request is the SM-DS address.
    pub fn es11_initiate_authentication(
        &mut self,
        smds_address: &str,
        request: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationResponse, Es9Error> {
        self.call(RspFunction::Es11InitiateAuthentication, smds_address, request)
    }

    /// ES11.AuthenticateClient (SGP.22 §5.8.2): returns the pending events.
    pub fn es11_authenticate_client(
        &mut self,
        smds_address: &str,
        request: &AuthenticateClientRequest,
    ) -> Result<Es11AuthenticateClientResponse, Es9Error> {
        self.call(RspFunction::Es11AuthenticateClient, smds_address, &Es11AuthenticateClient(request))
    }
}
