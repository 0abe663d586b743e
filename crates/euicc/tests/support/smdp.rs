//! An in-process ES9+ test double: an `HttpClient` that plays the SM-DP+ (and the notification
//! receivers). Every request is the library's own HTTP request (URL from the validated address,
//! headers, JSON body), decoded with `from_json` as a server would; the answer is JSON (or an
//! injected fault: an HTTP error status, a transport failure, a timeout) that the library decodes
//! as for any HTTP client. Only the network itself is skipped.
//!
//! Hand-made test double: shapes from SGP.22 §6.5; status codes as lpac (`euicc/es9p_errors.c`)
//! and pySim's `osmo-smdpp.py` use them. Signatures and certificates are placeholders.

use std::collections::HashMap;

use der::Tag;
use oxicard_euicc::activation::hash_confirmation_code;
use oxicard_euicc::asn1::{Encoder, Fields, app, ctx, ctx_c, private_c, single};
use oxicard_euicc::es9::{self, *};
use oxicard_euicc::es10::*;
use oxicard_euicc::es11::{Es11AuthenticateClientResponse, EventEntry};
use oxicard_transport::{ErrorKind, TransportError};

use super::euicc::{certificate, signature};

/// The fake's transactionId.
pub const TRANSACTION_ID: [u8; 16] =
    [0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70, 0x81, 0x92, 0xA3, 0xB4, 0xC5, 0xD6, 0xE7, 0xF8, 0x09];
/// The SM-DP+ address of the tests.
pub const SMDP: &str = "smdp.example.com";
/// The MatchingID of the tests.
pub const MATCHING_ID: &str = "04386-AGYFT-A74Y8-3F815";
/// The ICCID of the offered profile (the example ICCID of euicc-go's `v2/identifier.go` test).
pub const ICCID: &str = "8944478600004573128";

/// A fault the double answers a function with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Es9Fault {
    /// `functionExecutionStatus` Failed with this subjectCode / reasonCode, HTTP 200.
    Failed(&'static str, &'static str),
    /// An HTTP error status with an HTML body.
    Http(u16),
    /// A JSON body that is not the expected object (the header's status is missing).
    Malformed,
    /// A body that is not JSON at all.
    NotJson,
    /// The connection failed (as an HTTP client reports it).
    Transport,
    /// The request timed out.
    Timeout,
}

/// The fake SM-DP+.
#[derive(Debug)]
pub struct FakeSmdp {
    /// Every call: function and address.
    pub calls: Vec<(RspFunction, String)>,
    /// Faults by function (each used once).
    pub faults: HashMap<RspFunction, Es9Fault>,
    /// Notifications that fail delivery with this fault, by sequence number (each used every time).
    pub notification_faults: HashMap<u64, Es9Fault>,
    /// The expected MatchingID (`None`: any).
    pub matching_id: Option<String>,
    /// When set, `ccRequiredFlag` is true and the hashCc must match this code.
    pub confirmation_code: Option<String>,
    /// Number of `86` profile element TLVs in the BPP, and the size of each one's content.
    pub profile_elements: (usize, usize),
    /// Notifications received (acknowledged ones).
    pub notifications: Vec<PendingNotification>,
    /// CancelSession requests received: transactionId and the eUICC's response.
    pub cancels: Vec<(TransactionId, CancelSessionResponse)>,
    /// The last BPP served.
    pub bpp: Vec<u8>,
    /// Echo a wrong euiccChallenge in serverSigned1 (the eUICC answers euiccChallengeMismatch).
    pub wrong_challenge: bool,
    /// Put another transactionId in smdpSigned2 (the eUICC answers invalidTransactionId).
    pub wrong_signed2_transaction: bool,
    /// Serve this instead of a well-formed BPP.
    pub bpp_override: Option<Vec<u8>>,
    /// As an SM-DS (ES11): the events answered to AuthenticateClient.
    pub events: Vec<EventEntry>,
    /// As an SM-DS: the ctxParams1 TLVs (`A0 …`) received in euiccSigned1.
    pub ctx_params1: Vec<Vec<u8>>,
}

impl FakeSmdp {
    pub fn new() -> Self {
        Self {
            calls: Vec::new(),
            faults: HashMap::new(),
            notification_faults: HashMap::new(),
            matching_id: Some(MATCHING_ID.into()),
            confirmation_code: None,
            profile_elements: (3, 1000),
            notifications: Vec::new(),
            cancels: Vec::new(),
            bpp: Vec::new(),
            wrong_challenge: false,
            wrong_signed2_transaction: false,
            bpp_override: None,
            events: Vec::new(),
            ctx_params1: Vec::new(),
        }
    }

    pub fn functions(&self) -> Vec<RspFunction> {
        self.calls.iter().map(|(f, _)| *f).collect()
    }

    /// The cancel reasons received (from the eUICC's signed `euiccCancelSessionSigned`), or
    /// `None` for a forwarded eUICC error.
    pub fn cancel_reasons(&self) -> Vec<Option<CancelSessionReason>> {
        self.cancels
            .iter()
            .map(|(_, r)| {
                let ok = r.result.as_ref().ok()?;
                let signed = single(&ok.euicc_cancel_session_signed, Tag::Sequence, "signed").ok()?;
                let reason =
                    Fields::parse(signed.value(), "signed").ok()?.req(ctx(2), "reason").ok()?.int().ok()?;
                Some(CancelSessionReason::from_code(reason))
            })
            .collect()
    }

    /// The offered profile's metadata (`BF25`), built from a ProfileInfo with the same members.
    pub fn metadata() -> Vec<u8> {
        let info = {
            let mut profile_info = ProfileInfo::new(ICCID.parse().unwrap());
            profile_info.service_provider_name = Some("Fake Operator".into());
            profile_info.profile_name = Some("Fake Profile".into());
            profile_info.class = Some(ProfileClass::Operational);
            profile_info
        };
        let list = ProfileInfoListResponse::new(Ok(vec![info])).to_der();
        let outer = single(&list, ctx_c(45), "list").unwrap();
        let a0 = single(outer.value(), ctx_c(0), "a0").unwrap();
        let e3 = single(a0.value(), private_c(3), "e3").unwrap();
        let mut e = Encoder::new();
        e.tlv(ctx_c(37), e3.value());
        e.finish()
    }

    /// A BPP `BF36 { BF23, A0 {87}, A1 {88, 88}, A3 {86…} }` whose `88`s carry the metadata.
    fn build_bpp(&self, transaction_id: &[u8]) -> Vec<u8> {
        let metadata = Self::metadata();
        let (first, second) = metadata.split_at(metadata.len() / 2);
        let mut e = Encoder::new();
        e.nested(ctx_c(54), |e| {
            e.nested(ctx_c(35), |e| {
                e.tlv(ctx(2), &[0x01]);
                e.tlv(ctx(0), transaction_id);
                e.tlv(app(73), &[0x04; 65]);
                e.raw(&signature());
            });
            e.nested(ctx_c(0), |e| e.tlv(ctx(7), &[0x87; 40]));
            e.nested(ctx_c(1), |e| {
                e.tlv(ctx(8), first);
                e.tlv(ctx(8), second);
            });
            e.nested(ctx_c(3), |e| {
                for i in 0..self.profile_elements.0 {
                    e.tlv(ctx(6), &vec![i as u8; self.profile_elements.1]);
                }
            });
        });
        e.finish()
    }

    /// This double as the ES9+/ES11 client of a flow (the library's default configuration).
    pub fn client(&mut self) -> RspClient<&mut FakeSmdp> {
        RspClient::new(self)
    }

    /// ES9+ or ES11 InitiateAuthentication (the same exchange, SGP.22 §5.6.1 / §5.8.1).
    fn initiate(&mut self, received: InitiateAuthenticationRequest) -> Result<Vec<u8>, Es9Fault> {
        EuiccInfo1::from_der(&received.euicc_info1).map_err(|_| failed("8.1", "6.1"))?;
        let mut challenge = received.euicc_challenge;
        if self.wrong_challenge {
            challenge[0] ^= 0xFF;
        }
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &TRANSACTION_ID);
            e.tlv(ctx(1), &challenge);
            e.utf8(ctx(3), &received.smdp_address);
            e.tlv(ctx(4), &[0x5C; 16]);
        });
        let response = InitiateAuthenticationResponse::new(
            TransactionId::new(TRANSACTION_ID.to_vec()).unwrap(),
            e.finish(),
            signature(),
            {
                let mut e = Encoder::new();
                e.tlv(Tag::OctetString, &[0x81; 20]);
                e.finish()
            },
            certificate(300, 0xD1),
        );
        Ok(response.to_json())
    }

    /// The `ctxParams1` fields of an AuthenticateClient's `authenticateServerResponse`, after
    /// checking the session.
    fn ctx_params1(received: &AuthenticateClientRequest) -> Result<Vec<u8>, Es9Fault> {
        if received.transaction_id.as_bytes() != TRANSACTION_ID {
            return Err(failed("8.10.1", "3.9"));
        }
        let response = AuthenticateServerResponse::from_der(&received.authenticate_server_response)
            .map_err(|_| failed("8.1", "6.1"))?;
        let ok = response.result.map_err(|_| failed("8.1", "6.1"))?;
        // ctxParams1 is the last member of euiccSigned1.
        let signed = single(&ok.euicc_signed1, Tag::Sequence, "euiccSigned1").unwrap();
        let ctx_params = Fields::parse(signed.value(), "euiccSigned1").unwrap().req(ctx_c(0), "ctx").unwrap();
        Ok(ctx_params.raw().to_vec())
    }

    /// ES9+ AuthenticateClient (SGP.22 §5.6.3): checks the MatchingID.
    fn authenticate_client(&mut self, received: AuthenticateClientRequest) -> Result<Vec<u8>, Es9Fault> {
        let ctx_params = Self::ctx_params1(&received)?;
        let ctx_params = single(&ctx_params, ctx_c(0), "ctx").unwrap();
        let matching_id =
            ctx_params.fields("ctx").unwrap().opt(ctx(0), "matchingId").map(|m| m.utf8().unwrap());
        if self.matching_id.is_some() && matching_id != self.matching_id {
            return Err(failed("8.2.6", "3.8"));
        }
        let mut signed_transaction = TRANSACTION_ID;
        if self.wrong_signed2_transaction {
            signed_transaction[0] ^= 0xFF;
        }
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &signed_transaction);
            e.boolean(Tag::Boolean, self.confirmation_code.is_some());
        });
        let response = {
            let mut authenticate_client_response =
                AuthenticateClientResponse::new(e.finish(), signature(), certificate(300, 0xD2));
            authenticate_client_response.transaction_id = Some(received.transaction_id.clone());
            authenticate_client_response.profile_metadata = Some(FakeSmdp::metadata());
            authenticate_client_response
        };
        Ok(response.to_json())
    }

    /// ES9+ GetBoundProfilePackage (SGP.22 §5.6.2): checks the hashCc.
    fn get_bound_profile_package(
        &mut self,
        received: GetBoundProfilePackageRequest,
    ) -> Result<Vec<u8>, Es9Fault> {
        let response = PrepareDownloadResponse::from_der(&received.prepare_download_response)
            .map_err(|_| failed("8.1", "6.1"))?;
        let ok = response.result.map_err(|_| failed("8.1", "6.1"))?;
        let signed = single(&ok.euicc_signed2, Tag::Sequence, "euiccSigned2").unwrap();
        let hash_cc = Fields::parse(signed.value(), "euiccSigned2")
            .unwrap()
            .opt(Tag::OctetString, "hashCc")
            .map(|h| h.octets().unwrap());
        if let Some(code) = &self.confirmation_code {
            match hash_cc {
                None => return Err(failed("8.2.7", "2.2")),
                Some(h) if h != hash_confirmation_code(code, &TRANSACTION_ID) => {
                    return Err(failed("8.2.7", "3.8"));
                }
                Some(_) => {}
            }
        }
        self.bpp = self.bpp_override.clone().unwrap_or_else(|| self.build_bpp(&TRANSACTION_ID));
        let response = {
            let mut get_bound_profile_package_response =
                GetBoundProfilePackageResponse::new(self.bpp.clone());
            get_bound_profile_package_response.transaction_id = Some(received.transaction_id.clone());
            get_bound_profile_package_response
        };
        Ok(response.to_json())
    }

    /// ES9+ CancelSession (SGP.22 §5.6.5): records the eUICC's response.
    fn cancel_session(&mut self, received: es9::CancelSessionRequestEs9) -> Vec<u8> {
        let response = CancelSessionResponse::from_der(&received.cancel_session_response).unwrap();
        self.cancels.push((received.transaction_id.clone(), response));
        format!(
            r#"{{"header":{{"functionExecutionStatus":{{"status":"Executed-Success"}}}},"transactionId":"{}"}}"#,
            received.transaction_id
        )
        .into_bytes()
    }

    /// ES11 AuthenticateClient (SGP.22 §5.8.2): answers [`FakeSmdp::events`], rejecting a
    /// MatchingID (event retrieval sends none, §3.6.1).
    fn es11_authenticate_client(&mut self, received: AuthenticateClientRequest) -> Result<Vec<u8>, Es9Fault> {
        let ctx_params = Self::ctx_params1(&received)?;
        self.ctx_params1.push(ctx_params.clone());
        let ctx_params = single(&ctx_params, ctx_c(0), "ctx").unwrap();
        if ctx_params.fields("ctx").unwrap().opt(ctx(0), "matchingId").is_some() {
            return Err(failed("8.1", "6.1"));
        }
        let response = {
            let mut es11_authenticate_client_response = Es11AuthenticateClientResponse::default();
            es11_authenticate_client_response.transaction_id = Some(received.transaction_id.clone());
            es11_authenticate_client_response.event_entries = self.events.clone();
            es11_authenticate_client_response
        };
        Ok(response.to_json())
    }

    /// The success answer to `function` (status, JSON body), or the fault it answers with.
    fn answer(&mut self, function: RspFunction, body: &[u8]) -> Result<(u16, Vec<u8>), Es9Fault> {
        use RspFunction::*;
        let json = match function {
            Es9InitiateAuthentication | Es11InitiateAuthentication => {
                self.initiate(InitiateAuthenticationRequest::from_json(function, body).unwrap())?
            }
            Es9AuthenticateClient => {
                self.authenticate_client(AuthenticateClientRequest::from_json(function, body).unwrap())?
            }
            Es9GetBoundProfilePackage => self.get_bound_profile_package(
                GetBoundProfilePackageRequest::from_json(function, body).unwrap(),
            )?,
            Es9HandleNotification => {
                let received = HandleNotificationRequest::from_json(function, body).unwrap();
                self.notifications
                    .push(PendingNotification::from_der(&received.pending_notification).unwrap());
                return Ok((204, Vec::new()));
            }
            Es9CancelSession => {
                self.cancel_session(es9::CancelSessionRequestEs9::from_json(function, body).unwrap())
            }
            Es11AuthenticateClient => {
                self.es11_authenticate_client(AuthenticateClientRequest::from_json(function, body).unwrap())?
            }
            other => panic!("the test SM-DP+ does not serve {other}"),
        };
        Ok((200, json))
    }

    fn fault(&mut self, function: RspFunction) -> Option<Es9Fault> {
        self.faults.remove(&function)
    }
}

fn failed(subject: &'static str, reason: &'static str) -> Es9Fault {
    Es9Fault::Failed(subject, reason)
}

/// The double as the HTTP side of the SM-DP+ (ES9+) and of an SM-DS (ES11, the same paths):
/// checks the library's URL and headers, records the call, answers or injects the armed fault.
impl HttpClient for FakeSmdp {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let function = request.function;
        let address = request
            .url
            .strip_prefix("https://")
            .and_then(|rest| rest.strip_suffix(function.path()))
            .unwrap_or_else(|| panic!("{} is not https://<address>{}", request.url, function.path()));
        assert_eq!(request.header("Content-Type"), Some("application/json;charset=UTF-8"));
        assert_eq!(request.header("X-Admin-Protocol"), Some("gsma/rsp/v2.2.2"));
        assert_eq!(request.header("User-Agent"), Some("gsma-rsp-lpad"));
        let address = address.to_owned();
        let fault = match function {
            RspFunction::Es9HandleNotification => {
                let received = HandleNotificationRequest::from_json(function, &request.body).unwrap();
                let notification = PendingNotification::from_der(&received.pending_notification).unwrap();
                let metadata = notification.metadata();
                assert_eq!(address, metadata.address, "sent to its notificationAddress");
                self.fault(function).or_else(|| self.notification_faults.get(&metadata.seq_number).cloned())
            }
            _ => self.fault(function),
        };
        self.calls.push((function, address));
        let (status, body) = match fault.map_or_else(|| self.answer(function, &request.body), Err) {
            Ok(reply) => reply,
            Err(Es9Fault::Failed(subject, reason)) => {
                let code = StatusCode::new(subject.into(), reason.into());
                (200, encode_failure_response(ExecutionStatus::Failed, &code))
            }
            Err(Es9Fault::Http(status)) => {
                (status, b"<html><body>Internal Server Error</body></html>".to_vec())
            }
            // A header without its status: malformed for every function.
            Err(Es9Fault::Malformed) => (200, br#"{"header":{"functionExecutionStatus":{}}}"#.to_vec()),
            Err(Es9Fault::NotJson) => (200, b"<html>oops</html>".to_vec()),
            Err(Es9Fault::Transport) => {
                return Err(HttpError::transport(
                    TransportError::new(ErrorKind::Io).with_detail("connection refused"),
                ));
            }
            Err(Es9Fault::Timeout) => {
                return Err(HttpError::timeout(std::io::Error::from(std::io::ErrorKind::TimedOut)));
            }
        };
        Ok(HttpResponse::new(status, body).with_content_type("application/json"))
    }
}
