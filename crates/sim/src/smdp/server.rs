//! The test SM-DP+ (or SM-DS) on a socket: a small HTTP/1.1 server (std `TcpListener`, one thread
//! per connection, one request per connection) over plain TCP or TLS (rustls, CERT.DP.TLS),
//! serving `POST /gsma/rsp2/es9plus/<function>` (SGP.22 §6.5, HTTPS per §2.6.6) with any
//! [`RspServer`]: [`TestSmdp`] (ES9+) or [`TestSmds`](super::TestSmds) (ES11).
//!
//! Without a socket: [`InProcessClient`], the euicc crate's [`HttpClient`] that hands each
//! request straight to the server in the same process (the same answers, no thread, no I/O).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use oxicard_euicc::es9::{
    Es9Error, HttpClient, HttpError, HttpEs9Client, HttpRequest, HttpResponse, RspClient,
};

use super::dp::{HttpAnswer, TestSmdp};
use super::error::ServerError;
use oxicard_euicc::pki::CertifiedKey;

/// Largest request head (request line + headers).
const MAX_HEAD: usize = 16 * 1024;
/// Largest request body (a pending notification or PrepareDownload response is a few KiB).
const MAX_BODY: usize = 1024 * 1024;
/// Read/write timeout per connection.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the accept loop looks at the stop flag.
const POLL: Duration = Duration::from_millis(5);
/// `X-Admin-Protocol` of every answer (SGP.22 §6.5.1; the version the server implements).
const ADMIN_PROTOCOL: &str = "gsma/rsp/v2.2.2";

/// What [`SmdpServer`] serves: an RSP server's JSON/HTTP binding (SGP.22 §6.5).
pub trait RspServer: Send + 'static {
    /// The server's address (FQDN), as the LPA names it.
    fn address(&self) -> &str;

    /// Answers one request: `path`, the `X-Admin-Protocol` header, the JSON body.
    fn handle_request(&mut self, path: &str, admin_protocol: Option<&str>, body: &[u8]) -> HttpAnswer;
}

impl RspServer for TestSmdp {
    fn address(&self) -> &str {
        TestSmdp::address(self)
    }

    fn handle_request(&mut self, path: &str, admin_protocol: Option<&str>, body: &[u8]) -> HttpAnswer {
        TestSmdp::handle_request(self, path, admin_protocol, body)
    }
}

/// A running test SM-DP+ (or, with `H` = [`TestSmds`](super::TestSmds), SM-DS: [`SmdsServer`]).
/// Dropping it stops accepting connections and joins the accept thread.
#[derive(Debug)]
pub struct SmdpServer<H: RspServer = TestSmdp> {
    local_addr: SocketAddr,
    https: bool,
    smdp: Arc<Mutex<H>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// A running test SM-DS (ES11 over HTTP(S)).
pub type SmdsServer = SmdpServer<super::TestSmds>;

impl<H: RspServer> SmdpServer<H> {
    /// Binds `addr` (e.g. `127.0.0.1:0` for a free port) and serves `smdp`, over TLS with
    /// `tls` (CERT.DP.TLS and its key, e.g. [`TestPki::dp_tls`](crate::pki::TestPki::dp_tls)) or
    /// plain HTTP without.
    pub fn start(smdp: H, addr: &str, tls: Option<&CertifiedKey>) -> Result<SmdpServer<H>, ServerError> {
        let config = tls.map(server_config).transpose()?;
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let smdp = Arc::new(Mutex::new(smdp));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (smdp, stop) = (smdp.clone(), stop.clone());
            thread::Builder::new()
                .name("test-smdp-accept".into())
                .spawn(move || accept_loop(&listener, &smdp, config.as_ref(), &stop))?
        };
        Ok(SmdpServer { local_addr, https: tls.is_some(), smdp, stop, thread: Some(thread) })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `https://127.0.0.1:<port>` (or `http://…`): the base URL for
    /// `HttpEs9ClientBuilder::override_address`.
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.local_addr)
    }

    /// An ES9+/ES11 client for this server, as an LPA on the same machine would use it: it
    /// reaches the server's address here (`override_address`), and trusts only `ca_der` (the
    /// test CI, `TestPki::ci`) and no web roots.
    pub fn client(&self, ca_der: &[u8]) -> Result<HttpEs9Client, Es9Error> {
        let address = self.smdp().address().to_string();
        HttpEs9Client::builder()
            .webpki_roots(false)
            .add_ca_der(ca_der)?
            .override_address(&address, &self.base_url())?
            .build()
    }

    /// An in-process client of the same server state: requests for the server's address reach
    /// it without the socket ([`InProcessClient`]).
    pub fn in_process_client(&self) -> RspClient<InProcessClient<H>> {
        RspClient::new(InProcessClient { server: self.smdp.clone() })
    }

    /// The SM-DP+ state (notifications received, sessions…), locked.
    pub fn smdp(&self) -> MutexGuard<'_, H> {
        lock(&self.smdp)
    }

    /// The served state ([`SmdpServer::smdp`] under a neutral name, for an SM-DS), locked.
    pub fn handler(&self) -> MutexGuard<'_, H> {
        self.smdp()
    }
}

impl<H: RspServer> Drop for SmdpServer<H> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn server_config(tls: &CertifiedKey) -> Result<Arc<ServerConfig>, ServerError> {
    let key = tls.private_key().to_pkcs8_der().map_err(|e| ServerError::Tls(Box::new(e)))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_vec()));
    let chain = vec![CertificateDer::from(tls.certificate().der().to_vec())];
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(Box::new(e)))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| ServerError::Tls(Box::new(e)))?;
    Ok(Arc::new(config))
}

fn accept_loop<H: RspServer>(
    listener: &TcpListener,
    smdp: &Arc<Mutex<H>>,
    config: Option<&Arc<ServerConfig>>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::Acquire) {
        match listener.accept() {
            Ok((stream, _)) => {
                let (smdp, config) = (smdp.clone(), config.cloned());
                let spawned = thread::Builder::new()
                    .name("test-smdp-conn".into())
                    .spawn(move || serve_connection(stream, &smdp, config));
                if let Err(e) = spawned {
                    tracing::warn!(%e, "test SM-DP+: cannot spawn a connection thread");
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(POLL),
            Err(e) => {
                tracing::debug!(%e, "test SM-DP+: accept failed");
                thread::sleep(POLL);
            }
        }
    }
}

fn serve_connection<H: RspServer>(stream: TcpStream, smdp: &Mutex<H>, config: Option<Arc<ServerConfig>>) {
    let setup = stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(IO_TIMEOUT)))
        .and_then(|()| stream.set_write_timeout(Some(IO_TIMEOUT)));
    if let Err(e) = setup {
        tracing::debug!(%e, "test SM-DP+: socket setup failed");
        return;
    }
    let result = match config {
        Some(config) => match ServerConnection::new(config) {
            Ok(connection) => {
                let mut tls = StreamOwned::new(connection, stream);
                let result = serve_one(&mut tls, smdp);
                tls.conn.send_close_notify();
                result.and_then(|()| tls.flush())
            }
            Err(e) => Err(io::Error::other(e)),
        },
        None => {
            let mut plain = stream;
            serve_one(&mut plain, smdp)
        }
    };
    if let Err(e) = result {
        tracing::debug!(%e, "test SM-DP+: connection failed");
    }
}

/// The server state, locked (a panic of another holder does not make it unusable).
fn lock<H>(server: &Mutex<H>) -> MutexGuard<'_, H> {
    server.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads one HTTP/1.1 request and writes the answer.
fn serve_one<S: Read + Write, H: RspServer>(stream: &mut S, smdp: &Mutex<H>) -> io::Result<()> {
    let answer = match read_request(stream)? {
        Ok(request) => {
            lock(smdp).handle_request(&request.path, request.admin_protocol.as_deref(), &request.body)
        }
        Err(answer) => answer,
    };
    write_answer(stream, &answer)
}

/// The `Content-Type` of an answer with `status`: JSON for 200 (SGP.22 §6.5.1), plain text for
/// the errors, none for 204.
fn content_type(status: u16) -> Option<&'static str> {
    match status {
        200 => Some("application/json;charset=UTF-8"),
        204 => None,
        _ => Some("text/plain"),
    }
}

/// An [`HttpClient`] (the ES9+/ES11 HTTPS binding, SGP.22 §6.5, without the network) that hands
/// every request to an [`RspServer`] in the same process: the
/// request's URL must be `https://<the server's address>/…` (ASCII case-insensitive; else a
/// transport error, as if the name did not resolve), its path and `X-Admin-Protocol` go to
/// [`RspServer::handle_request`], the answer comes back with the status and Content-Type the
/// socket server would send. No thread, no socket, no blocking: a download against it can be
/// driven step by step ([`oxicard_euicc::download::DownloadSession`]).
#[derive(Debug)]
pub struct InProcessClient<H: RspServer = TestSmdp> {
    server: Arc<Mutex<H>>,
}

impl<H: RspServer> InProcessClient<H> {
    /// A client of `server`, as an [`RspClient`] with the default configuration.
    pub fn new(server: H) -> RspClient<Self> {
        RspClient::new(Self { server: Arc::new(Mutex::new(server)) })
    }

    /// The server state, locked.
    pub fn server(&self) -> MutexGuard<'_, H> {
        lock(&self.server)
    }
}

impl<H: RspServer> HttpClient for InProcessClient<H> {
    fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut server = lock(&self.server);
        let rest = request.url.strip_prefix("https://").unwrap_or_default();
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if !host.eq_ignore_ascii_case(server.address()) {
            let unknown = io::Error::new(
                io::ErrorKind::NotFound,
                format!("{:?} is not the in-process server {}", request.url, server.address()),
            );
            return Err(HttpError::transport(unknown));
        }
        let answer = server.handle_request(path, request.header("X-Admin-Protocol"), &request.body);
        let response = HttpResponse::new(answer.status, answer.body);
        Ok(match content_type(answer.status) {
            Some(content_type) => response.with_content_type(content_type),
            None => response,
        })
    }
}

struct Request {
    path: String,
    admin_protocol: Option<String>,
    body: Vec<u8>,
}

fn bad(status: u16, text: &str) -> HttpAnswer {
    HttpAnswer { status, body: text.as_bytes().to_vec() }
}

/// The `n` bytes a read put at the start of `chunk`.
fn received(chunk: &[u8], n: usize) -> io::Result<&[u8]> {
    chunk.get(..n).ok_or_else(|| io::Error::other("a read reported more bytes than its buffer holds"))
}

/// The request, or the error answer to send (400, 405, 411, 413).
fn read_request<S: Read>(stream: &mut S) -> io::Result<Result<Request, HttpAnswer>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return Ok(Err(bad(431, "request head too large")));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(received(&chunk, n)?);
    };
    let (head, after_head) = buffer.split_at_checked(head_end).ok_or(io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(head).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, path) = (request_line.next().unwrap_or_default(), request_line.next().unwrap_or_default());
    if method != "POST" {
        return Ok(Err(bad(405, "only POST")));
    }
    let mut content_length = None;
    let mut admin_protocol = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("x-admin-protocol") {
            admin_protocol = Some(value.to_string());
        }
    }
    let Some(length) = content_length else { return Ok(Err(bad(411, "Content-Length required"))) };
    if length > MAX_BODY {
        return Ok(Err(bad(413, "body too large")));
    }
    let mut body = after_head.strip_prefix(b"\r\n\r\n").ok_or(io::ErrorKind::InvalidData)?.to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(received(&chunk, n)?);
    }
    body.truncate(length);
    Ok(Ok(Request { path: path.to_string(), admin_protocol, body }))
}

fn write_answer<S: Write>(stream: &mut S, answer: &HttpAnswer) -> io::Result<()> {
    let reason = match answer.status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\nConnection: close\r\n", answer.status);
    if let Some(content_type) = content_type(answer.status) {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nX-Admin-Protocol: {ADMIN_PROTOCOL}\r\nContent-Length: {}\r\n",
            answer.body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if answer.status != 204 {
        stream.write_all(&answer.body)?;
    }
    stream.flush()
}
