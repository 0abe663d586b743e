//! The HTTP client an LPA brings: one POST (GSMA SGP.22 §6.5 "HTTPS binding", §6.5.1 the
//! headers). Everything above it — URLs, headers, address validation, JSON, the status code
//! mapping, the response size limit — is the library's ([`RspClient`](super::RspClient)).

use std::error::Error as StdError;
use std::fmt;

use super::RspFunction;

/// The boxed cause of an [`HttpError`]: any error of the HTTP stack of the ES9+/ES11 binding
/// (SGP.22 §6.5).
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// An ES9+ or ES11 request, ready to send (SGP.22 §6.5.1): `POST url` with `headers` and `body`.
///
/// Built by the library ([`RspConfig::request`](super::RspConfig::request)): the URL is
/// `https://<validated address>/gsma/rsp2/es9plus/<function>` (or a loopback test override),
/// the headers are `Content-Type`, `X-Admin-Protocol` and `User-Agent`, the body is the JSON of
/// the function (§6.5.2). An HTTP client sends it as it is, reading at most
/// [`max_response_size`](Self::max_response_size) bytes of the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The RSP function the request calls (for logs and errors).
    pub function: RspFunction,
    /// The absolute URL to POST to.
    pub url: String,
    /// The headers, in order, each once: `Content-Type: application/json;charset=UTF-8`,
    /// `X-Admin-Protocol: gsma/rsp/v2.x.y`, `User-Agent` (SGP.22 §6.5.1).
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
    /// The largest response body the library accepts; a client should stop reading beyond it
    /// ([`HttpError::body_too_large`]). A longer body is refused by the library anyway.
    pub max_response_size: u64,
}

impl HttpRequest {
    /// The headers as `(name, value)` pairs.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(name, value)| (*name, value.as_str()))
    }

    /// The value of header `name` (ASCII case-insensitive), if the request has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value)
    }
}

/// The server's answer to an [`HttpRequest`]: any status (the library maps them, SGP.22 §6.5:
/// 200 with a JSON body, 204 without one for HandleNotification, anything else an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any (quoted in errors about a body that is not JSON).
    pub content_type: Option<String>,
    /// The body, complete.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// An answer with `status` and `body`, without a Content-Type.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self { status, content_type: None, body: body.into() }
    }

    /// A 200 answer with a JSON body (`Content-Type: application/json`, SGP.22 §6.5.1).
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, body).with_content_type("application/json")
    }

    /// Sets the Content-Type.
    #[must_use]
    pub fn with_content_type(mut self, content_type: &str) -> Self {
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// The borrowed view the JSON codec reads ([`RspRequest::decode_response`](super::RspRequest::decode_response)).
    pub fn reply(&self) -> super::HttpReply<'_> {
        super::HttpReply { status: self.status, content_type: self.content_type.as_deref(), body: &self.body }
    }
}

/// What kind of transport failure an [`HttpError`] is; the library maps it to the matching
/// [`Es9Error`](super::Es9Error) variant (and a timeout to the CancelSession reason `timeout`,
/// SGP.22 §5.7.14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// No answer within the client's time limit.
    Timeout,
    /// TLS failed: untrusted certificate, wrong name, handshake error (SGP.22 §2.6.6).
    Tls,
    /// The answer's body is larger than [`HttpRequest::max_response_size`].
    BodyTooLarge,
    /// Anything else: name resolution, connection, I/O, a protocol error.
    Transport,
}

impl fmt::Display for HttpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timeout",
            Self::Tls => "TLS error",
            Self::BodyTooLarge => "body too large",
            Self::Transport => "transport error",
        })
    }
}

/// An HTTP client's failure to get an answer to an ES9+/ES11 request (SGP.22 §6.5; no TLS
/// session, §2.6.6, no answer in time…): its [`kind`](Self::kind), the notes the client added,
/// and the error of the HTTP stack as [`source`](StdError::source), so a caller can reach it
/// (downcast) through the library's errors.
///
/// Its message is the kind and the notes (`transport error (connected to 192.0.2.1:443)`); the
/// HTTP stack's message is the source's, printed after it by `oxicard_transport::ErrorChain`.
#[derive(Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    notes: Vec<String>,
    source: BoxError,
}

impl HttpError {
    /// A failure of `kind` caused by `source`.
    pub fn new(kind: HttpErrorKind, source: impl Into<BoxError>) -> Self {
        Self { kind, notes: Vec::new(), source: source.into() }
    }

    /// A timeout ([`HttpErrorKind::Timeout`]).
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(HttpErrorKind::Timeout, source)
    }

    /// A TLS failure ([`HttpErrorKind::Tls`]).
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::new(HttpErrorKind::Tls, source)
    }

    /// A body over the limit ([`HttpErrorKind::BodyTooLarge`]).
    pub fn body_too_large(source: impl Into<BoxError>) -> Self {
        Self::new(HttpErrorKind::BodyTooLarge, source)
    }

    /// Any other failure ([`HttpErrorKind::Transport`]).
    pub fn transport(source: impl Into<BoxError>) -> Self {
        Self::new(HttpErrorKind::Transport, source)
    }

    /// Adds a note to the message, in parentheses (e.g. where the connection went).
    #[must_use]
    pub fn with_note(mut self, note: impl fmt::Display) -> Self {
        self.notes.push(note.to_string());
        self
    }

    /// The kind.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }
}

/// The kind, with the notes added: `transport error (connected to 192.0.2.1:443)`.
impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        for note in &self.notes {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// The HTTP client an LPA brings for ES9+ and ES11 (SGP.22 §6.5): POST a request, return the
/// answer whatever its status.
///
/// That is all: the library builds the URL from a validated address, sets the headers
/// (§6.5.1), encodes and decodes the JSON, maps the HTTP status and the
/// `functionExecutionStatus` to [`Es9Error`](super::Es9Error)s and enforces the response size
/// limit. An implementation must verify the server's TLS certificate (§2.6.6), follow no
/// redirect, and report a failure with its cause ([`HttpError`]).
///
/// ```
/// use oxicard_euicc::es9::{HttpClient, HttpError, HttpRequest, HttpResponse};
///
/// /// Answers every request with the next canned response.
/// struct Canned(Vec<HttpResponse>);
///
/// impl HttpClient for Canned {
///     fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
///         if self.0.is_empty() {
///             let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "no more answers");
///             return Err(HttpError::transport(refused));
///         }
///         Ok(self.0.remove(0))
///     }
/// }
/// ```
pub trait HttpClient {
    /// POSTs `request` and returns the server's answer (any status), or why there is none.
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

impl<C: HttpClient + ?Sized> HttpClient for &mut C {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        (**self).post(request)
    }
}

impl<C: HttpClient + ?Sized> HttpClient for Box<C> {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        (**self).post(request)
    }
}
