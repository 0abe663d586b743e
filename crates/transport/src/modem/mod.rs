//! Modems as transports: the eUICC inside a cellular modem, reached through the modem's own
//! commands rather than a card reader.
//!
//! - [`at`]: AT commands on a serial port (3GPP TS 27.007 §8.17 `+CSIM`, §8.43 `+CGLA`,
//!   §8.45 `+CCHO`, §8.46 `+CCHC`).
//! - [`qmi`]: the QMI UIM service over QMUX on `/dev/cdc-wdm*` (libqmi's message definitions).
//! - [`mbim`]: the MBIM MS UICC Low Level Access service on `/dev/cdc-wdm*` (Microsoft, "MB low
//!   level UICC access").
//!
//! A modem opens logical channels itself (a SELECT by AID on a channel it owns), so each of these
//! transports implements [`Transport::open_logical_channel`](crate::Transport::open_logical_channel):
//! the card layer and the ISD-R use it instead of MANAGE CHANNEL.
//!
//! Each transport runs over a [`ModemLink`]: a device ([`DeviceLink`]: a serial port, a
//! pseudo-terminal or a cdc-wdm character device), a connection to ModemManager's `qmi-proxy`
//! or `mbim-proxy` ([`ProxyUse`]) or, in tests, one end of a socket pair.

use std::io;
use std::time::Duration;

pub mod at;
mod cla;
mod devices;
mod link;
pub mod mbim;
mod open;
mod proxy;
pub mod qmi;

pub use devices::{ModemDevice, ModemProtocol, list_devices, list_devices_in};
pub use link::{DataBits, DeviceLink, FlowControl, Parity, SerialSettings, StopBits};
pub use open::{ModemOptions, open};
pub use proxy::{MBIM_PROXY_SOCKET, ProxyUse, QMI_PROXY_SOCKET};

/// Whether `err` says the link to the modem is gone or stuck (a timeout, a closed or failing
/// device): closing what is left on the modem is then pointless, and each try would wait out
/// its own deadline.
pub(crate) fn link_lost(err: &crate::TransportError) -> bool {
    use crate::ErrorKind;
    matches!(err.kind(), ErrorKind::Timeout | ErrorKind::CardRemoved | ErrorKind::Io | ErrorKind::Closed)
}

/// The byte link to a modem: writes whole messages, reads what arrives within a deadline.
///
/// A cdc-wdm device returns one message per read, a serial port or a socket a byte stream: the
/// protocols above reassemble their messages by their own framing either way.
pub trait ModemLink: Send {
    /// Writes all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;

    /// Reads at least one byte into `buf`, waiting at most `timeout`; an error of kind
    /// [`io::ErrorKind::TimedOut`] when nothing arrived in time, [`io::ErrorKind::UnexpectedEof`]
    /// when the other end is gone.
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

#[cfg(unix)]
impl ModemLink for std::os::unix::net::UnixStream {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        io::Write::write_all(self, bytes)
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        // A zero timeout means "what is there now": a non-blocking read (to set_read_timeout,
        // zero would mean "block forever", and its shortest wait is a scheduler tick).
        let now = timeout.is_zero();
        if now {
            self.set_nonblocking(true)?;
        } else {
            self.set_read_timeout(Some(timeout))?;
        }
        let read = io::Read::read(self, buf);
        if now {
            self.set_nonblocking(false)?;
        }
        match read {
            Ok(0) if !buf.is_empty() => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::ErrorKind::TimedOut.into()),
            Err(e) => Err(e),
        }
    }
}

impl<L: ModemLink + ?Sized> ModemLink for &mut L {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).send(bytes)
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        (**self).receive(buf, timeout)
    }
}

impl<L: ModemLink + ?Sized> ModemLink for Box<L> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).send(bytes)
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        (**self).receive(buf, timeout)
    }
}
