//! ModemManager's proxies: where a modem that ModemManager holds is reached.
//!
//! While ModemManager runs, its `qmi-proxy` and `mbim-proxy` own `/dev/cdc-wdm*`; libqmi and
//! libmbim clients (qmicli, mbimcli, lpac through them) reach the device through the proxy, on
//! an abstract Unix stream socket (Linux only): `@qmi-proxy` (libqmi
//! `src/libqmi-glib/qmi-proxy.h` `QMI_PROXY_SOCKET_PATH`, dialled by `qmi-endpoint-qmux.c`
//! `create_iostream_with_socket`) and `@mbim-proxy` (libmbim `src/libmbim-glib/mbim-proxy.h`
//! `MBIM_PROXY_SOCKET_PATH`; damonto/wwan-go `mbim/` dials `"\x00mbim-proxy"`). On the socket
//! the client first names the device — QMI: CTL Internal Proxy Open
//! ([`qmi::ctl::internal_proxy_open`](super::qmi::ctl::internal_proxy_open)); MBIM: Proxy
//! Control CONFIGURATION ([`mbim::proxy_control`](super::mbim::proxy_control)) — then speaks
//! as to the device.

use std::io;
use std::os::unix::net::UnixStream;

use super::ModemProtocol;
use crate::{ErrorKind, TransportError};

/// The abstract socket name of libqmi's `qmi-proxy` (libqmi `src/libqmi-glib/qmi-proxy.h`
/// `QMI_PROXY_SOCKET_PATH`).
pub const QMI_PROXY_SOCKET: &str = "qmi-proxy";

/// The abstract socket name of libmbim's `mbim-proxy` (libmbim `src/libmbim-glib/mbim-proxy.h`
/// `MBIM_PROXY_SOCKET_PATH`).
pub const MBIM_PROXY_SOCKET: &str = "mbim-proxy";

/// Whether [`open`](super::open) reaches a QMI or MBIM modem through ModemManager's proxy. AT
/// modems have no proxy: for them this is ignored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyUse {
    /// Through the proxy when one listens on its socket, else the device directly (the
    /// default). Only "nobody listens" (`ECONNREFUSED`, `ENOENT`) falls back: a proxy that
    /// listens but cannot open the device is an error, as it is for libqmi and libmbim.
    #[default]
    Auto,
    /// The device directly, never the proxy.
    Never,
    /// Through the proxy only: no proxy listening is an error naming its socket.
    Only,
}

impl ProxyUse {
    /// The name as the command line writes it: `auto`, `never`, `only`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Never => "never",
            Self::Only => "only",
        }
    }
}

/// The proxy socket name of `protocol` (`None` for AT: no proxy).
pub(crate) fn default_socket(protocol: ModemProtocol) -> Option<&'static str> {
    match protocol {
        ModemProtocol::Qmi => Some(QMI_PROXY_SOCKET),
        ModemProtocol::Mbim => Some(MBIM_PROXY_SOCKET),
        _ => None,
    }
}

/// Connects to the abstract Unix stream socket `name` (no leading NUL: `qmi-proxy`);
/// `Ok(None)` when nobody listens there (`ECONNREFUSED`, or `ENOENT`).
///
/// # Errors
///
/// Any other error of `connect(2)`; on systems other than Linux, which have no abstract
/// sockets, [`io::ErrorKind::Unsupported`].
pub(crate) fn connect(name: &str) -> io::Result<Option<UnixStream>> {
    match connect_abstract(name) {
        Ok(stream) => Ok(Some(stream)),
        Err(err) if matches!(err.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound) => {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

#[cfg(target_os = "linux")]
fn connect_abstract(name: &str) -> io::Result<UnixStream> {
    use std::os::linux::net::SocketAddrExt as _;
    use std::os::unix::net::SocketAddr;
    let address = SocketAddr::from_abstract_name(name.as_bytes())?;
    UnixStream::connect_addr(&address)
}

#[cfg(not(target_os = "linux"))]
fn connect_abstract(name: &str) -> io::Result<UnixStream> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("abstract Unix sockets (@{name}) exist on Linux only"),
    ))
}

/// `err` of the first request through proxy `proxy` (`qmi-proxy`, `mbim-proxy`) for `device`:
/// a hang-up ([`ErrorKind::CardRemoved`], a closed connection) becomes an
/// [`ErrorKind::Io`] error saying why the proxy does that; any other error is returned as it is.
/// libqmi `qmi-proxy.c` and libmbim `mbim-proxy.c` close the connection of a client whose device
/// they cannot open, or whose user they do not serve (libqmi `qmi-utils.c`
/// `__qmi_user_allowed`: root, and the user the library was built for).
pub(crate) fn hung_up(err: TransportError, proxy: &str, device: &str) -> TransportError {
    if err.kind() != ErrorKind::CardRemoved {
        return err;
    }
    TransportError::new(ErrorKind::Io)
        .with_detail(format!(
            "{proxy} hung up: it could not open {device}, or does not serve this user (root only, by default)"
        ))
        .with_source(err)
}
