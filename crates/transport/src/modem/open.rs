//! [`open`]: a modem device by path and protocol, as a [`Transport`] — the one call an LPA needs.

use std::path::Path;

use super::at::{AtModem, AtOptions};
use super::mbim::{MbimModem, MbimOptions};
use super::qmi::{QmiModem, QmiOptions};
use super::{DeviceLink, ModemProtocol, SerialSettings};
use crate::{ErrorKind, Transport, TransportError};

/// What [`open`] needs beyond the device: the SIM slot and the serial settings.
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
}

/// Opens the modem device at `path` speaking `protocol`: the device link (raw mode and the
/// serial settings on a tty), then the protocol's own start (AT: synchronisation, echo off,
/// numeric errors; QMI: a UIM client ID and the slot; MBIM: OPEN and the slot mapping). The
/// transport closes what it opened when dropped.
///
/// # Errors
///
/// [`ErrorKind::Other`] for a slot with AT or slot 0; the device's I/O error (with the path)
/// or the protocol's refusal, with the cause as [`source`](std::error::Error::source).
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
    let link = DeviceLink::open_with(path, &options.serial).map_err(TransportError::io)?;
    Ok(match protocol {
        ModemProtocol::At => Box::new(AtModem::open(link, AtOptions::default())?),
        ModemProtocol::Qmi => {
            let qmi = QmiOptions { slot: options.slot, ..QmiOptions::default() };
            Box::new(QmiModem::open(link, qmi)?)
        }
        ModemProtocol::Mbim => {
            let slot = options.slot.map(|n| u32::from(n).saturating_sub(1));
            Box::new(MbimModem::open(link, MbimOptions::new().with_slot(slot))?)
        }
    })
}
