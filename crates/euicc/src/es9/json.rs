//! The ES9+/ES11 JSON binding (GSMA SGP.22 §6.5): message shapes, base64 members, the response header.
//!
//! Responses are read member by member from a [`serde_json::Value`] so that every problem names the JSON
//! member at fault. Unknown members are ignored (later SGP.22 versions add some).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::transport::BoxError;
use super::{
    AuthenticateClientRequest, AuthenticateClientResponse, CancelSessionRequestEs9, Es9Error,
    ExecutionStatus, GetBoundProfilePackageRequest, GetBoundProfilePackageResponse,
    HandleNotificationRequest, HttpReply, InitiateAuthenticationRequest, InitiateAuthenticationResponse,
    RspFunction, RspRequest, StatusCode, TransactionId, check_transaction_id,
};

/// Standard base64 with padding on output (SGP.22 §6.5.2); padding optional on input.
const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How much of an unexpected body an error message quotes.
const SNIPPET_CHARS: usize = 256;

/// The start of a body for error messages: lossy UTF-8, at most [`SNIPPET_CHARS`] characters.
pub(crate) fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(SNIPPET_CHARS).collect()
}

/// Checks the HTTP status and the JSON `header.functionExecutionStatus` of a response (SGP.22 §6.5.1.4).
///
/// Returns the top-level JSON object, or `None` for an empty body when `allow_empty` (HandleNotification's
/// HTTP 204). `Failed`/`Expired` become [`Es9Error::FunctionFailed`]; `Executed-WithWarning` is logged and
/// accepted.
pub(crate) fn parse_envelope(
    function: RspFunction,
    reply: &HttpReply<'_>,
    allow_empty: bool,
) -> Result<Option<Map<String, Value>>, Es9Error> {
    if !(200..300).contains(&reply.status) {
        return Err(Es9Error::HttpStatus { function, status: reply.status, body: snippet(reply.body) });
    }
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        if allow_empty {
            return Ok(None);
        }
        return Err(Es9Error::Malformed {
            function,
            detail: format!("empty body with HTTP status {}", reply.status),
        });
    }
    let value: Value = serde_json::from_slice(reply.body).map_err(|source| Es9Error::NotJson {
        function,
        content_type: reply.content_type.map(str::to_owned),
        body: snippet(reply.body),
        source,
    })?;
    let Value::Object(map) = value else {
        return Err(Es9Error::Malformed { function, detail: "top-level JSON value is not an object".into() });
    };
    let header = JsonReader::new(function, &map).object("header", "header")?;
    let fes = header.object("functionExecutionStatus", "header.functionExecutionStatus")?;
    let status_str = fes.str_at("status", "header.functionExecutionStatus.status")?;
    let status = ExecutionStatus::from_json_str(status_str).ok_or_else(|| Es9Error::InvalidField {
        function,
        field: "header.functionExecutionStatus.status",
        reason: format!("unknown status {status_str:?}"),
        source: None,
    })?;
    let code = match fes.map.get("statusCodeData") {
        None | Some(Value::Null) => None,
        Some(_) => {
            let scd = fes.object("statusCodeData", "header.functionExecutionStatus.statusCodeData")?;
            Some(StatusCode {
                subject_code: scd
                    .str_at("subjectCode", "header.functionExecutionStatus.statusCodeData.subjectCode")?
                    .to_owned(),
                reason_code: scd
                    .str_at("reasonCode", "header.functionExecutionStatus.statusCodeData.reasonCode")?
                    .to_owned(),
                subject_identifier: scd
                    .opt_str_at(
                        "subjectIdentifier",
                        "header.functionExecutionStatus.statusCodeData.subjectIdentifier",
                    )?
                    .map(str::to_owned),
                message: scd
                    .opt_str_at("message", "header.functionExecutionStatus.statusCodeData.message")?
                    .map(str::to_owned),
            })
        }
    };
    match status {
        ExecutionStatus::Success => {}
        ExecutionStatus::WithWarning => {
            tracing::warn!(%function, code = ?code, "executed with warning");
        }
        ExecutionStatus::Failed | ExecutionStatus::Expired => {
            return Err(Es9Error::FunctionFailed { function, status, code });
        }
    }
    Ok(Some(map))
}

/// Parses a request body: a JSON object (LPA requests carry no header).
fn parse_request(function: RspFunction, body: &[u8]) -> Result<Map<String, Value>, Es9Error> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => {
            Err(Es9Error::Malformed { function, detail: "top-level JSON value is not an object".into() })
        }
        Err(source) => Err(Es9Error::NotJson { function, content_type: None, body: snippet(body), source }),
    }
}

/// Member-by-member reader of a JSON object; errors name the member.
pub(crate) struct JsonReader<'a> {
    function: RspFunction,
    map: &'a Map<String, Value>,
}

impl<'a> JsonReader<'a> {
    pub(crate) fn new(function: RspFunction, map: &'a Map<String, Value>) -> Self {
        JsonReader { function, map }
    }

    fn missing(&self, path: &'static str) -> Es9Error {
        Es9Error::MissingField { function: self.function, field: path }
    }

    pub(crate) fn invalid(&self, path: &'static str, reason: impl Into<String>) -> Es9Error {
        Es9Error::InvalidField { function: self.function, field: path, reason: reason.into(), source: None }
    }

    /// [`Es9Error::InvalidField`] for a member a decoder refused: `reason` says what the member
    /// is not, the decoder's error is the source.
    fn undecodable(&self, path: &'static str, reason: &str, source: impl Into<BoxError>) -> Es9Error {
        Es9Error::InvalidField {
            function: self.function,
            field: path,
            reason: reason.into(),
            source: Some(source.into()),
        }
    }

    /// A nested object member.
    pub(crate) fn object(&self, key: &str, path: &'static str) -> Result<JsonReader<'a>, Es9Error> {
        match self.map.get(key) {
            None | Some(Value::Null) => Err(self.missing(path)),
            Some(Value::Object(m)) => Ok(JsonReader { function: self.function, map: m }),
            Some(_) => Err(self.invalid(path, "not a JSON object")),
        }
    }

    /// An optional string member (`null` counts as absent).
    pub(crate) fn opt_str_at(&self, key: &str, path: &'static str) -> Result<Option<&'a str>, Es9Error> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.invalid(path, "not a JSON string")),
        }
    }

    /// A mandatory string member.
    pub(crate) fn str_at(&self, key: &str, path: &'static str) -> Result<&'a str, Es9Error> {
        self.opt_str_at(key, path)?.ok_or_else(|| self.missing(path))
    }

    /// A mandatory string member at the top level (key = path).
    pub(crate) fn str(&self, key: &'static str) -> Result<&'a str, Es9Error> {
        self.str_at(key, key)
    }

    /// An optional base64 member (SGP.22 §6.5.2; CR, LF, tab and space are ignored as lpac does).
    pub(crate) fn opt_b64(&self, key: &'static str) -> Result<Option<Vec<u8>>, Es9Error> {
        let Some(s) = self.opt_str_at(key, key)? else { return Ok(None) };
        let cleaned: Vec<u8> = s.bytes().filter(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t')).collect();
        B64.decode(&cleaned).map(Some).map_err(|e| self.undecodable(key, "not base64", e))
    }

    /// A mandatory base64 member.
    pub(crate) fn b64(&self, key: &'static str) -> Result<Vec<u8>, Es9Error> {
        self.opt_b64(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional hex TransactionID member.
    pub(crate) fn opt_transaction_id(&self, key: &'static str) -> Result<Option<TransactionId>, Es9Error> {
        let Some(s) = self.opt_str_at(key, key)? else { return Ok(None) };
        s.parse()
            .map(Some)
            .map_err(|e: super::TransactionIdError| self.undecodable(key, "not a TransactionID", e))
    }

    /// A mandatory hex TransactionID member.
    pub(crate) fn transaction_id(&self, key: &'static str) -> Result<TransactionId, Es9Error> {
        self.opt_transaction_id(key)?.ok_or_else(|| self.missing(key))
    }

    /// An optional array member.
    pub(crate) fn opt_array(&self, key: &'static str) -> Result<Option<&'a [Value]>, Es9Error> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(self.invalid(key, "not a JSON array")),
        }
    }
}

/// Builder of a JSON object; members keep insertion order.
#[derive(Default)]
pub(crate) struct JsonWriter {
    map: Map<String, Value>,
}

impl JsonWriter {
    /// An empty object (requests: no header).
    pub(crate) fn request() -> Self {
        JsonWriter::default()
    }

    /// An object starting with an `Executed-Success` header (responses).
    pub(crate) fn success_response() -> Self {
        let mut w = JsonWriter::default();
        w.map.insert("header".into(), header_value(ExecutionStatus::Success, None));
        w
    }

    pub(crate) fn str(mut self, key: &str, value: &str) -> Self {
        self.map.insert(key.into(), Value::String(value.into()));
        self
    }

    pub(crate) fn b64(self, key: &str, value: &[u8]) -> Self {
        let s = B64.encode(value);
        self.str(key, &s)
    }

    pub(crate) fn opt_b64(self, key: &str, value: Option<&[u8]>) -> Self {
        match value {
            Some(v) => self.b64(key, v),
            None => self,
        }
    }

    pub(crate) fn transaction_id(self, key: &str, value: &TransactionId) -> Self {
        let s = value.to_string();
        self.str(key, &s)
    }

    pub(crate) fn opt_transaction_id(self, key: &str, value: Option<&TransactionId>) -> Self {
        match value {
            Some(v) => self.transaction_id(key, v),
            None => self,
        }
    }

    pub(crate) fn value(mut self, key: &str, value: Value) -> Self {
        self.map.insert(key.into(), value);
        self
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.map)
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        // Serialising a `Value` built from strings and objects cannot fail.
        serde_json::to_vec(&Value::Object(self.map)).unwrap_or_default()
    }
}

fn header_value(status: ExecutionStatus, code: Option<&StatusCode>) -> Value {
    let mut fes = Map::new();
    fes.insert("status".into(), Value::String(status.as_str().into()));
    if let Some(code) = code {
        let mut scd = Map::new();
        scd.insert("subjectCode".into(), Value::String(code.subject_code.clone()));
        scd.insert("reasonCode".into(), Value::String(code.reason_code.clone()));
        if let Some(id) = &code.subject_identifier {
            scd.insert("subjectIdentifier".into(), Value::String(id.clone()));
        }
        if let Some(msg) = &code.message {
            scd.insert("message".into(), Value::String(msg.clone()));
        }
        fes.insert("statusCodeData".into(), Value::Object(scd));
    }
    let mut header = Map::new();
    header.insert("functionExecutionStatus".into(), Value::Object(fes));
    Value::Object(header)
}

/// The JSON body of a response that carries only a header with `status` and `statusCodeData`
/// (SGP.22 §6.5.1.4), as an SM-DP+ sends on failure, e.g.
/// `{"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.8.1",…}}}}`.
/// For test servers.
pub fn encode_failure_response(status: ExecutionStatus, code: &StatusCode) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("header".into(), header_value(status, Some(code)));
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

/// Decodes a full response (HTTP 200, header checked) into its top-level object.
fn response_object(function: RspFunction, body: &[u8]) -> Result<Map<String, Value>, Es9Error> {
    let reply = HttpReply { status: 200, content_type: None, body };
    parse_envelope(function, &reply, false)?
        .ok_or_else(|| Es9Error::Malformed { function, detail: "empty body".into() })
}

impl InitiateAuthenticationRequest {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::request()
            .str("smdpAddress", &self.smdp_address)
            .b64("euiccChallenge", &self.euicc_challenge)
            .b64("euiccInfo1", &self.euicc_info1)
            .into_bytes()
    }

    /// Parses a JSON body (for test servers).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let map = parse_request(function, body)?;
        let r = JsonReader::new(function, &map);
        let challenge = r.b64("euiccChallenge")?;
        let euicc_challenge: [u8; 16] = challenge.try_into().map_err(|c: Vec<u8>| {
            r.invalid("euiccChallenge", format!("{} bytes; the eUICC challenge has 16", c.len()))
        })?;
        Ok(InitiateAuthenticationRequest {
            smdp_address: r.str("smdpAddress")?.to_owned(),
            euicc_challenge,
            euicc_info1: r.b64("euiccInfo1")?,
        })
    }
}

impl InitiateAuthenticationResponse {
    /// The JSON body with an `Executed-Success` header (for test servers).
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::success_response()
            .transaction_id("transactionId", &self.transaction_id)
            .b64("serverSigned1", &self.server_signed1)
            .b64("serverSignature1", &self.server_signature1)
            .b64("euiccCiPKIdToBeUsed", &self.euicc_ci_pkid_to_be_used)
            .b64("serverCertificate", &self.server_certificate)
            .into_bytes()
    }

    /// Parses a response body (header checked).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        Self::from_object(function, &response_object(function, body)?)
    }

    fn from_object(function: RspFunction, map: &Map<String, Value>) -> Result<Self, Es9Error> {
        let r = JsonReader::new(function, map);
        Ok(InitiateAuthenticationResponse {
            transaction_id: r.transaction_id("transactionId")?,
            server_signed1: r.b64("serverSigned1")?,
            server_signature1: r.b64("serverSignature1")?,
            euicc_ci_pkid_to_be_used: r.b64("euiccCiPKIdToBeUsed")?,
            server_certificate: r.b64("serverCertificate")?,
        })
    }
}

impl AuthenticateClientRequest {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::request()
            .transaction_id("transactionId", &self.transaction_id)
            .b64("authenticateServerResponse", &self.authenticate_server_response)
            .into_bytes()
    }

    /// Parses a JSON body (for test servers).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let map = parse_request(function, body)?;
        let r = JsonReader::new(function, &map);
        Ok(AuthenticateClientRequest {
            transaction_id: r.transaction_id("transactionId")?,
            authenticate_server_response: r.b64("authenticateServerResponse")?,
        })
    }
}

impl AuthenticateClientResponse {
    /// The JSON body with an `Executed-Success` header (for test servers).
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::success_response()
            .opt_transaction_id("transactionId", self.transaction_id.as_ref())
            .opt_b64("profileMetadata", self.profile_metadata.as_deref())
            .b64("smdpSigned2", &self.smdp_signed2)
            .b64("smdpSignature2", &self.smdp_signature2)
            .b64("smdpCertificate", &self.smdp_certificate)
            .into_bytes()
    }

    /// Parses a response body (header checked).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        Self::from_object(function, &response_object(function, body)?)
    }

    fn from_object(function: RspFunction, map: &Map<String, Value>) -> Result<Self, Es9Error> {
        let r = JsonReader::new(function, map);
        Ok(AuthenticateClientResponse {
            transaction_id: r.opt_transaction_id("transactionId")?,
            profile_metadata: r.opt_b64("profileMetadata")?,
            smdp_signed2: r.b64("smdpSigned2")?,
            smdp_signature2: r.b64("smdpSignature2")?,
            smdp_certificate: r.b64("smdpCertificate")?,
        })
    }
}

impl GetBoundProfilePackageRequest {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::request()
            .transaction_id("transactionId", &self.transaction_id)
            .b64("prepareDownloadResponse", &self.prepare_download_response)
            .into_bytes()
    }

    /// Parses a JSON body (for test servers).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let map = parse_request(function, body)?;
        let r = JsonReader::new(function, &map);
        Ok(GetBoundProfilePackageRequest {
            transaction_id: r.transaction_id("transactionId")?,
            prepare_download_response: r.b64("prepareDownloadResponse")?,
        })
    }
}

impl GetBoundProfilePackageResponse {
    /// The JSON body with an `Executed-Success` header (for test servers).
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::success_response()
            .opt_transaction_id("transactionId", self.transaction_id.as_ref())
            .b64("boundProfilePackage", &self.bound_profile_package)
            .into_bytes()
    }

    /// Parses a response body (header checked).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        Self::from_object(function, &response_object(function, body)?)
    }

    fn from_object(function: RspFunction, map: &Map<String, Value>) -> Result<Self, Es9Error> {
        let r = JsonReader::new(function, map);
        Ok(GetBoundProfilePackageResponse {
            transaction_id: r.opt_transaction_id("transactionId")?,
            bound_profile_package: r.b64("boundProfilePackage")?,
        })
    }
}

impl HandleNotificationRequest {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::request().b64("pendingNotification", &self.pending_notification).into_bytes()
    }

    /// Parses a JSON body (for test servers).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let map = parse_request(function, body)?;
        let r = JsonReader::new(function, &map);
        Ok(HandleNotificationRequest { pending_notification: r.b64("pendingNotification")? })
    }
}

impl CancelSessionRequestEs9 {
    /// The JSON body.
    pub fn to_json(&self) -> Vec<u8> {
        JsonWriter::request()
            .transaction_id("transactionId", &self.transaction_id)
            .b64("cancelSessionResponse", &self.cancel_session_response)
            .into_bytes()
    }

    /// Parses a JSON body (for test servers).
    pub fn from_json(function: RspFunction, body: &[u8]) -> Result<Self, Es9Error> {
        let map = parse_request(function, body)?;
        let r = JsonReader::new(function, &map);
        Ok(CancelSessionRequestEs9 {
            transaction_id: r.transaction_id("transactionId")?,
            cancel_session_response: r.b64("cancelSessionResponse")?,
        })
    }
}

impl RspRequest for InitiateAuthenticationRequest {
    type Response = InitiateAuthenticationResponse;

    fn to_json(&self) -> Vec<u8> {
        InitiateAuthenticationRequest::to_json(self)
    }

    fn decode_response(
        &self,
        function: RspFunction,
        reply: &HttpReply<'_>,
    ) -> Result<Self::Response, Es9Error> {
        let map = parse_envelope(function, reply, false)?.unwrap_or_default();
        InitiateAuthenticationResponse::from_object(function, &map)
    }
}

impl RspRequest for AuthenticateClientRequest {
    type Response = AuthenticateClientResponse;

    fn to_json(&self) -> Vec<u8> {
        AuthenticateClientRequest::to_json(self)
    }

    fn decode_response(
        &self,
        function: RspFunction,
        reply: &HttpReply<'_>,
    ) -> Result<Self::Response, Es9Error> {
        let map = parse_envelope(function, reply, false)?.unwrap_or_default();
        let resp = AuthenticateClientResponse::from_object(function, &map)?;
        check_transaction_id(function, &self.transaction_id, resp.transaction_id.as_ref())?;
        Ok(resp)
    }
}

impl RspRequest for GetBoundProfilePackageRequest {
    type Response = GetBoundProfilePackageResponse;

    fn to_json(&self) -> Vec<u8> {
        GetBoundProfilePackageRequest::to_json(self)
    }

    fn decode_response(
        &self,
        function: RspFunction,
        reply: &HttpReply<'_>,
    ) -> Result<Self::Response, Es9Error> {
        let map = parse_envelope(function, reply, false)?.unwrap_or_default();
        let resp = GetBoundProfilePackageResponse::from_object(function, &map)?;
        check_transaction_id(function, &self.transaction_id, resp.transaction_id.as_ref())?;
        Ok(resp)
    }
}

impl RspRequest for HandleNotificationRequest {
    type Response = ();

    fn to_json(&self) -> Vec<u8> {
        HandleNotificationRequest::to_json(self)
    }

    /// HTTP 204 with an empty body is the normal answer (SGP.22 §6.5.2.4); a 2xx with a JSON header is
    /// also accepted (and its status checked).
    fn decode_response(&self, function: RspFunction, reply: &HttpReply<'_>) -> Result<(), Es9Error> {
        parse_envelope(function, reply, true).map(|_| ())
    }
}

impl RspRequest for CancelSessionRequestEs9 {
    type Response = ();

    fn to_json(&self) -> Vec<u8> {
        CancelSessionRequestEs9::to_json(self)
    }

    /// The answer is a header-only JSON object (osmo-smdpp adds `transactionId`, checked if present); an
    /// empty 2xx body is accepted too.
    fn decode_response(&self, function: RspFunction, reply: &HttpReply<'_>) -> Result<(), Es9Error> {
        if let Some(map) = parse_envelope(function, reply, true)? {
            let received = JsonReader::new(function, &map).opt_transaction_id("transactionId")?;
            check_transaction_id(function, &self.transaction_id, received.as_ref())?;
        }
        Ok(())
    }
}
