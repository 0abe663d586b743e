//! [`open`]: a modem device by path and protocol, as a [`Transport`] — the one call an LPA needs.

use std::path::Path;

use super::at::{AtModem, AtOptions};
use super::mbim::{MbimModem, MbimOptions};
use super::proxy::{self, ProxyUse};
use super::qmi::{QmiModem, QmiOptions};
use super::{DeviceLink, ModemProtocol, SerialSettings};
use crate::{ErrorKind, Transport, TransportError};

/// What [`open`] needs beyond the device: the SIM slot, the serial settings, whether to go
/// through ModemManager's proxy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModemOptions {
    /// The SIM slot, counted from 1 (QMI and MBIM; `None`: the modem's current one). QMI makes
    /// that physical slot active (Switch Slot); MBIM maps slot `n - 1` to the modem
    /// (DEVICE_SLOT_MAPPINGS, whose slots count from 0). AT commands have no slot selection:
    /// a slot with [`ModemProtocol::At`] is an error.
    pub slot: Option<u8>,
    /// The serial port's settings (AT on a tty; ignored for cdc-wdm devices).
    pub serial: SerialSettings,
    /// Whether QMI and MBIM go through ModemManager's `qmi-proxy` / `mbim-proxy` (default
    /// [`ProxyUse::Auto`]: when one listens).
    pub proxy: ProxyUse,
    /// The proxy's abstract socket name, without the leading NUL (`None`: the protocol's,
    /// [`QMI_PROXY_SOCKET`](super::QMI_PROXY_SOCKET) or
    /// [`MBIM_PROXY_SOCKET`](super::MBIM_PROXY_SOCKET)); tests give their own.
    pub proxy_socket: Option<String>,
}

impl ModemOptions {
    /// The options with SIM slot `slot` (from 1).
    #[must_use]
    pub fn with_slot(mut self, slot: u8) -> Self {
        self.slot = Some(slot);
        self
    }

    /// The options with `serial` as the serial port's settings.
    #[must_use]
    pub fn with_serial(mut self, serial: SerialSettings) -> Self {
        self.serial = serial;
        self
    }

    /// The options with `proxy` as the use of ModemManager's proxy.
    #[must_use]
    pub fn with_proxy(mut self, proxy: ProxyUse) -> Self {
        self.proxy = proxy;
        self
    }

    /// The options with the proxy listening on the abstract socket `name` (no leading NUL).
    #[must_use]
    pub fn with_proxy_socket(mut self, name: impl Into<String>) -> Self {
        self.proxy_socket = Some(name.into());
        self
    }
}

/// Opens the modem device at `path` speaking `protocol`: the device link (raw mode and the
/// serial settings on a tty), then the protocol's own start (AT: synchronisation, echo off,
/// numeric errors; QMI: a UIM client ID and the slot; MBIM: OPEN and the slot mapping). The
/// transport closes what it opened when dropped.
///
/// QMI and MBIM go through ModemManager's proxy as [`ModemOptions::proxy`] says: with
/// [`ProxyUse::Auto`] (the default), through the proxy when one listens on its abstract
/// socket ([`QmiModem::open_via_proxy`], [`MbimModem::open_via_proxy`]: the proxy opens `path`
/// and passes the messages on), else the device directly.
///
/// # Errors
///
/// [`ErrorKind::Other`] for a slot with AT or slot 0; the device's I/O error (with the path)
/// or the protocol's refusal, with the cause as [`source`](std::error::Error::source);
/// [`ErrorKind::Io`] naming the socket for [`ProxyUse::Only`] with no proxy listening, and for
/// a proxy socket that cannot be reached for another reason.
pub fn open(
    protocol: ModemProtocol,
    path: &Path,
    options: &ModemOptions,
) -> Result<Box<dyn Transport>, TransportError> {
    if options.slot == Some(0) {
        return Err(TransportError::new(ErrorKind::Other).with_detail("SIM slots are counted from 1"));
    }
    if protocol == ModemProtocol::At && options.slot.is_some() {
        return Err(TransportError::new(ErrorKind::Other)
            .with_detail("AT commands (3GPP TS 27.007) have no SIM slot selection: use QMI or MBIM"));
    }
    if let Some(socket) = proxy_socket(protocol, options) {
        let via = match connect_proxy(&socket, options.proxy)? {
            Some(stream) => stream,
            None => return open_device(protocol, path, options),
        };
        tracing::debug!(target: "oxicard::modem", socket = %socket, device = %path.display(), "through the proxy");
        return Ok(match protocol {
            ModemProtocol::Qmi => Box::new(QmiModem::open_via_proxy(via, path, qmi_options(options))?),
            _ => Box::new(MbimModem::open_via_proxy(via, path, mbim_options(options))?),
        });
    }
    open_device(protocol, path, options)
}

/// The proxy socket `open` tries for `protocol`: none for AT or with [`ProxyUse::Never`].
fn proxy_socket(protocol: ModemProtocol, options: &ModemOptions) -> Option<String> {
    if options.proxy == ProxyUse::Never {
        return None;
    }
    let default = proxy::default_socket(protocol)?;
    Some(options.proxy_socket.clone().unwrap_or_else(|| default.to_owned()))
}

/// The connection to the proxy on `socket`; `None` when nobody listens and `proxy` allows the
/// device directly.
fn connect_proxy(
    socket: &str,
    proxy: ProxyUse,
) -> Result<Option<std::os::unix::net::UnixStream>, TransportError> {
    let no_proxy = |err: std::io::Error| {
        TransportError::io(err).with_detail(format!(
            "no ModemManager proxy listens on the abstract socket @{socket} (proxy use: only)"
        ))
    };
    match proxy::connect(socket) {
        Ok(Some(stream)) => Ok(Some(stream)),
        Ok(None) if proxy == ProxyUse::Only => {
            Err(no_proxy(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)))
        }
        Ok(None) => {
            tracing::debug!(target: "oxicard::modem", socket, "no proxy listening: opening the device");
            Ok(None)
        }
        Err(err) if err.kind() == std::io::ErrorKind::Unsupported && proxy != ProxyUse::Only => Ok(None),
        Err(err) if err.kind() == std::io::ErrorKind::Unsupported => Err(no_proxy(err)),
        Err(err) => Err(TransportError::io(err)
            .with_detail(format!("connecting to the ModemManager proxy on the abstract socket @{socket}"))),
    }
}

fn qmi_options(options: &ModemOptions) -> QmiOptions {
    QmiOptions { slot: options.slot, ..QmiOptions::default() }
}

fn mbim_options(options: &ModemOptions) -> MbimOptions {
    let slot = options.slot.map(|n| u32::from(n).saturating_sub(1));
    MbimOptions::new().with_slot(slot)
}

/// [`open`] on the device itself.
fn open_device(
    protocol: ModemProtocol,
    path: &Path,
    options: &ModemOptions,
) -> Result<Box<dyn Transport>, TransportError> {
    let link = DeviceLink::open_with(path, &options.serial).map_err(TransportError::io)?;
    Ok(match protocol {
        ModemProtocol::At => Box::new(AtModem::open(link, AtOptions::default())?),
        ModemProtocol::Qmi => Box::new(QmiModem::open(link, qmi_options(options))?),
        ModemProtocol::Mbim => Box::new(MbimModem::open(link, mbim_options(options))?),
    })
}
