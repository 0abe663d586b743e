//! [`QmiModem`]: a [`Transport`] over the QMI UIM service of a modem.

use std::time::Instant;

use super::message::{SERVICE_CTL, SERVICE_UIM};
use super::{QmiError, QmiMessage, QmiMessageKind, QmiOptions, QmiProtocolError, QmuxReader, ctl, uim};
use crate::modem::{ModemLink, cla};
use crate::{ChannelOpening, ErrorKind, ResetKind, Transport, TransportError};

/// Where the log lines of this transport go.
const TARGET: &str = "oxicard::modem::qmi";
/// The size of one read from the link.
const READ_CHUNK: usize = 4096;
/// SW1 SW2 of a SELECT that found the application.
const SW_SUCCESS: [u8; 2] = [0x90, 0x00];

/// The eUICC behind a modem's QMI UIM service, as a [`Transport`].
///
/// [`open`](Self::open) allocates a UIM client ID (CTL Allocate CID) and, when
/// [`QmiOptions::slot`] asks for one, makes that physical slot active. Then:
///
/// - [`open_logical_channel`](Transport::open_logical_channel) is UIM Open Logical Channel:
///   the modem opens a channel and selects the AID on it, and answers with the channel number
///   and the SELECT response ([`ChannelOpening::Opened`]), or the card's status word
///   ([`ChannelOpening::Refused`]). A modem that refuses the message itself (`AccessDenied`
///   on SIMCom SIM7600G-H and Telit LE910C4, lpac issue #221; `NotSupported`;
///   `InvalidQmiCommand`) gets [`ChannelOpening::Unsupported`]: the card layer then sends
///   MANAGE CHANNEL and SELECT itself through `exchange`.
/// - [`exchange`](Transport::exchange) is UIM Send APDU. A command whose class byte names a
///   channel the modem opened carries that channel in TLV `10` (and keeps it in its CLA, as
///   lpac does); any other goes without TLV `10`, as the card layer addressed it.
/// - [`close_logical_channel`](Transport::close_logical_channel) is UIM Logical Channel with
///   TLV `11` for a channel the modem opened.
/// - [`reset`](Transport::reset) is UIM Power Off SIM then Power On SIM.
///
/// Responses are matched to requests by service, client, message ID and transaction ID:
/// indications and late responses to earlier requests are skipped. Dropping the transport
/// closes the channels it opened and releases its client ID, ignoring errors.
pub struct QmiModem<L: ModemLink> {
    link: L,
    options: QmiOptions,
    reader: QmuxReader,
    /// The UIM client ID from CTL Allocate CID.
    client: u8,
    /// The slot TLV of every UIM request.
    slot: u8,
    ctl_transaction: u8,
    uim_transaction: u16,
    /// Channels opened by Open Logical Channel and not closed yet.
    channels: Vec<u8>,
    atr: Vec<u8>,
}

impl<L: ModemLink> QmiModem<L> {
    /// Opens the UIM service on `link`: CTL Sync when [`QmiOptions::sync`] says so, CTL
    /// Allocate CID for UIM, then the slot selection of [`QmiOptions::slot`]. The client ID is
    /// released again on every error after its allocation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`] when the modem does not answer within [`QmiOptions::timeout`];
    /// [`ErrorKind::NoReader`] for a slot the modem does not have; [`ErrorKind::NoCard`] for
    /// `NoSim`; [`ErrorKind::Other`] for other refusals and malformed answers, the
    /// [`QmiError`] as the source; I/O errors as [`TransportError::io`] maps them.
    pub fn open(link: L, options: QmiOptions) -> Result<Self, TransportError> {
        Self::start(link, options, None)
    }

    /// Opens the UIM service through ModemManager's `qmi-proxy` on `link` (a connection to
    /// the proxy's socket, [`QMI_PROXY_SOCKET`](crate::modem::QMI_PROXY_SOCKET)): CTL Internal
    /// Proxy Open naming `device_path`, its Result TLV checked, then what
    /// [`open`](Self::open) does, the proxy passing the messages on to the device (libqmi
    /// `src/libqmi-glib/qmi-endpoint-qmux.c`: `create_iostream_with_socket`, then
    /// `setup_proxy`). The path goes as its bytes: the proxy opens it as given.
    ///
    /// # Errors
    ///
    /// Those of [`open`](Self::open); a refused Internal Proxy Open as [`ErrorKind::Other`]
    /// with the [`QmiError`]; a proxy that hangs up without answering (libqmi's `qmi-proxy`
    /// does so when it cannot open the device, and to users other than root and the one it
    /// was built for) as [`ErrorKind::Io`] naming the device.
    #[cfg(unix)]
    pub fn open_via_proxy(
        link: L,
        device_path: &std::path::Path,
        options: QmiOptions,
    ) -> Result<Self, TransportError> {
        use std::os::unix::ffi::OsStrExt as _;
        Self::start(link, options, Some(device_path.as_os_str().as_bytes()))
    }

    /// [`open`](Self::open), after Internal Proxy Open for `proxy_device` when given.
    fn start(link: L, options: QmiOptions, proxy_device: Option<&[u8]>) -> Result<Self, TransportError> {
        let mut modem = Self {
            link,
            options,
            reader: QmuxReader::new(),
            client: 0,
            slot: 1,
            ctl_transaction: 0,
            uim_transaction: 0,
            channels: Vec::new(),
            atr: Vec::new(),
        };
        if let Some(path) = proxy_device {
            let transaction = modem.next_ctl_transaction();
            let shown = String::from_utf8_lossy(path);
            let request = ctl::internal_proxy_open(transaction, path);
            modem
                .request(&request, "asking qmi-proxy to open the device")
                .map_err(|err| crate::modem::proxy::hung_up(err, "qmi-proxy", &shown))?;
            tracing::debug!(target: TARGET, device = %shown, "qmi-proxy opened the device");
        }
        if modem.options.sync {
            let transaction = modem.next_ctl_transaction();
            modem.request(&ctl::sync(transaction), "synchronising with the modem")?;
        }
        let transaction = modem.next_ctl_transaction();
        let response =
            modem.request(&ctl::allocate_cid(transaction, SERVICE_UIM), "allocating a UIM client ID")?;
        let (service, client) =
            ctl::allocation_info(&response).map_err(|err| qmi_error(err, "allocating a UIM client ID"))?;
        if service != SERVICE_UIM || client == 0 {
            // Nothing to release: the modem did not say it allocated a UIM client.
            return Err(qmi_error(
                QmiError::InvalidTlv {
                    message: ctl::message_name(ctl::ALLOCATE_CID),
                    tlv: ctl::TLV_ALLOCATION_INFO,
                    what: "not a UIM client ID",
                },
                "allocating a UIM client ID",
            ));
        }
        // From here on, dropping `modem` releases the client ID.
        modem.client = client;
        tracing::debug!(target: TARGET, client, "UIM client ID allocated");
        if let Some(slot) = modem.options.slot {
            modem.select_slot(slot)?;
        }
        Ok(modem)
    }

    /// The UIM client ID the modem allocated.
    pub fn client_id(&self) -> u8 {
        self.client
    }

    /// The slot number the UIM requests carry (TLV `01`).
    pub fn slot(&self) -> u8 {
        self.slot
    }

    /// The logical channels opened by UIM Open Logical Channel and not closed yet.
    pub fn open_channels(&self) -> &[u8] {
        &self.channels
    }

    /// The next CTL transaction ID: 1 to 255.
    fn next_ctl_transaction(&mut self) -> u8 {
        self.ctl_transaction = self.ctl_transaction.checked_add(1).unwrap_or(1);
        self.ctl_transaction
    }

    /// The next UIM transaction ID: 1 to 65 535.
    fn next_uim_transaction(&mut self) -> u16 {
        self.uim_transaction = self.uim_transaction.checked_add(1).unwrap_or(1);
        self.uim_transaction
    }

    /// Sends `request`, waits for its response and checks its Result TLV; `doing` says what
    /// for in errors.
    fn request(&mut self, request: &QmiMessage, doing: &'static str) -> Result<QmiMessage, TransportError> {
        let response = self.transact(request, doing)?;
        response.result(message_name(request)).map_err(|err| qmi_error(err, doing))?;
        Ok(response)
    }

    /// Sends `request` and returns its response, whatever its Result TLV says.
    fn transact(&mut self, request: &QmiMessage, doing: &'static str) -> Result<QmiMessage, TransportError> {
        let timeout = if request.message_id == uim::SEND_APDU && !request.is_control() {
            self.options.apdu_timeout
        } else {
            self.options.timeout
        };
        let frame = request.encode().map_err(|err| qmi_error(err, doing))?;
        tracing::trace!(target: TARGET, frame = %hex::encode_upper(&frame), "to modem");
        self.link.send(&frame).map_err(|err| TransportError::io(err).with_detail(doing))?;
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; READ_CHUNK];
        loop {
            while let Some(frame) = self.reader.next_frame().map_err(|err| qmi_error(err, doing))? {
                tracing::trace!(target: TARGET, frame = %hex::encode_upper(&frame), "from modem");
                let message = QmiMessage::decode(&frame).map_err(|err| qmi_error(err, doing))?;
                if answers(&message, request) {
                    return Ok(message);
                }
                tracing::debug!(
                    target: TARGET, service = message.service, client = message.client,
                    message_id = message.message_id, transaction = message.transaction,
                    kind = ?message.kind(), "skipping a message that is not the response"
                );
            }
            let timed_out = || {
                TransportError::new(ErrorKind::Timeout).with_detail(format!(
                    "{doing}: no response to {} within {timeout:?}",
                    message_name(request)
                ))
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            let n = match self.link.receive(&mut buf, left) {
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::TimedOut => return Err(timed_out()),
                Err(err) => return Err(TransportError::io(err).with_detail(doing)),
            };
            let Some(chunk) = buf.get(..n) else {
                return Err(TransportError::new(ErrorKind::Io)
                    .with_detail(format!("{doing}: the link reported {n} bytes read")));
            };
            self.reader.push(chunk);
        }
    }

    /// lpac `select_sim_slot`: makes physical slot `wanted` active through logical slot 1.
    fn select_slot(&mut self, wanted: u8) -> Result<(), TransportError> {
        const DOING: &str = "reading the slot status";
        let transaction = self.next_uim_transaction();
        let response = self.transact(&uim::get_slot_status(self.client, transaction), DOING)?;
        match response.result(uim::message_name(uim::GET_SLOT_STATUS)) {
            Err(QmiError::Protocol { error, .. })
                if error == QmiProtocolError::NOT_SUPPORTED
                    || error == QmiProtocolError::INVALID_QMI_COMMAND =>
            {
                tracing::info!(target: TARGET, slot = wanted, %error, "no slot mapping: addressing the slot directly");
                self.slot = wanted;
                return Ok(());
            }
            result => result.map_err(|err| qmi_error(err, DOING))?,
        }
        let slots = uim::physical_slots(&response).map_err(|err| qmi_error(err, DOING))?;
        let Some(target) = slots.get(usize::from(wanted).wrapping_sub(1)) else {
            return Err(TransportError::new(ErrorKind::NoReader)
                .with_detail(format!("slot {wanted}: the modem has {} physical slots", slots.len())));
        };
        self.atr.clone_from(&target.atr);
        let active = slots.iter().position(uim::QmiPhysicalSlot::is_active).map(|index| index + 1);
        if active != Some(usize::from(wanted)) {
            tracing::info!(target: TARGET, slot = wanted, ?active, "switching the active slot");
            let transaction = self.next_uim_transaction();
            self.request(
                &uim::switch_slot(self.client, transaction, 1, wanted.into()),
                "switching the slot",
            )?;
            self.wait_for_card()?;
        }
        // lpac: "once the configured slot becomes active, it will be assigned as slot 1".
        self.slot = 1;
        Ok(())
    }

    /// Asks Get Card Status until a card is present, as lpac's `is_sim_available` polling
    /// (which waits for a ready USIM application: an eUICC without an enabled profile has none,
    /// so a present card is enough here).
    fn wait_for_card(&mut self) -> Result<(), TransportError> {
        const DOING: &str = "waiting for the card after the slot switch";
        for attempt in 0..self.options.card_ready_attempts {
            if attempt > 0 {
                std::thread::sleep(self.options.card_ready_interval);
            }
            let transaction = self.next_uim_transaction();
            let response = self.transact(&uim::get_card_status(self.client, transaction), DOING)?;
            if response.result(uim::message_name(uim::GET_CARD_STATUS)).is_ok()
                && uim::card_states(&response).is_ok_and(|states| states.contains(&uim::CARD_STATE_PRESENT))
            {
                return Ok(());
            }
        }
        Err(TransportError::new(ErrorKind::Timeout).with_detail(format!(
            "{DOING}: no card present after {} attempts",
            self.options.card_ready_attempts
        )))
    }

    /// Closes channel `number` with UIM Logical Channel.
    fn close_channel(&mut self, number: u8) -> Result<(), TransportError> {
        let transaction = self.next_uim_transaction();
        let request = uim::close_logical_channel(self.client, transaction, self.slot, number);
        self.request(&request, "closing a logical channel").map(drop)
    }
}

impl<L: ModemLink> Transport for QmiModem<L> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        const DOING: &str = "sending an APDU";
        let Some(&class) = command.first().filter(|_| command.len() >= 4) else {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{} bytes: shorter than CLA INS P1 P2", command.len())));
        };
        let channel = cla::channel(class).filter(|channel| self.channels.contains(channel));
        let transaction = self.next_uim_transaction();
        let request =
            uim::send_apdu(self.client, transaction, self.slot, command, channel).map_err(|err| {
                TransportError::new(ErrorKind::InvalidCommand).with_detail(DOING).with_source(err)
            })?;
        let answer = self.request(&request, DOING)?;
        let apdu = uim::apdu_response(&answer).map_err(|err| qmi_error(err, DOING))?;
        let room = response.len();
        let target = response
            .get_mut(..apdu.len())
            .ok_or_else(|| TransportError::response_too_long(apdu.len(), room))?;
        target.copy_from_slice(apdu);
        Ok(apdu.len())
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// UIM Power Off SIM then Power On SIM: QMI has no warm reset, both kinds power-cycle the
    /// card. The channels the modem had opened are gone.
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        tracing::debug!(target: TARGET, ?kind, "power-cycling the card");
        self.channels.clear();
        for on in [false, true] {
            let transaction = self.next_uim_transaction();
            self.request(&uim::power_sim(self.client, transaction, self.slot, on), "resetting the card")?;
        }
        Ok(())
    }

    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        const DOING: &str = "opening a logical channel";
        // Without an AID the card layer's MANAGE CHANNEL does the same through Send APDU.
        let Some(aid) = aid else { return Ok(ChannelOpening::Unsupported) };
        let transaction = self.next_uim_transaction();
        let request = uim::open_logical_channel(self.client, transaction, self.slot, aid).map_err(|err| {
            TransportError::new(ErrorKind::InvalidCommand).with_detail(DOING).with_source(err)
        })?;
        let response = self.transact(&request, DOING)?;
        let card_result = uim::card_result(&response).map_err(|err| qmi_error(err, DOING))?;
        match response.result(uim::message_name(uim::OPEN_LOGICAL_CHANNEL)) {
            Ok(()) => {}
            Err(QmiError::Protocol { error, .. }) if refuses_the_message(error) => {
                tracing::warn!(
                    target: TARGET, %error,
                    "the modem refuses Open Logical Channel: MANAGE CHANNEL through Send APDU instead"
                );
                return Ok(ChannelOpening::Unsupported);
            }
            Err(err @ QmiError::Protocol { .. }) => {
                return match card_result {
                    Some(sw) if sw != SW_SUCCESS => Ok(ChannelOpening::Refused { sw }),
                    _ => Err(qmi_error(err, DOING)),
                };
            }
            Err(err) => return Err(qmi_error(err, DOING)),
        }
        let number = uim::opened_channel(&response).map_err(|err| qmi_error(err, DOING))?;
        self.channels.push(number);
        let select_response = match uim::select_response(&response) {
            Ok(data) if data.is_some() || card_result.is_some() => {
                let mut raw = data.unwrap_or_default().to_vec();
                raw.extend_from_slice(&card_result.unwrap_or(SW_SUCCESS));
                Some(raw)
            }
            Ok(_) => None,
            Err(err) => {
                if let Err(close) = self.close_logical_channel(number) {
                    tracing::warn!(target: TARGET, channel = number, "closing the logical channel failed: {close}");
                }
                return Err(qmi_error(err, DOING));
            }
        };
        tracing::debug!(target: TARGET, channel = number, "logical channel opened");
        Ok(ChannelOpening::Opened { number, select_response })
    }

    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let Some(index) = self.channels.iter().position(|&channel| channel == number) else {
            return Ok(false);
        };
        self.channels.remove(index);
        self.close_channel(number)?;
        Ok(true)
    }
}

impl<L: ModemLink> Drop for QmiModem<L> {
    fn drop(&mut self) {
        if self.client == 0 {
            return;
        }
        for number in std::mem::take(&mut self.channels) {
            if let Err(err) = self.close_channel(number) {
                tracing::debug!(target: TARGET, channel = number, "closing the logical channel failed: {err}");
                if crate::modem::link_lost(&err) {
                    return;
                }
            }
        }
        let transaction = self.next_ctl_transaction();
        match self
            .request(&ctl::release_cid(transaction, SERVICE_UIM, self.client), "releasing the UIM client ID")
        {
            Ok(_) => tracing::debug!(target: TARGET, client = self.client, "UIM client ID released"),
            Err(err) => {
                tracing::debug!(target: TARGET, client = self.client, "releasing the client ID failed: {err}")
            }
        }
    }
}

/// Whether `message` is the response to `request`: same service, client, message ID and
/// transaction ID, flagged a response. The QMUX flags are not looked at: some firmware (and
/// libqmi's test fixtures) answers with `00` rather than `80`.
fn answers(message: &QmiMessage, request: &QmiMessage) -> bool {
    message.kind() == QmiMessageKind::Response
        && message.service == request.service
        && (message.service == SERVICE_CTL || message.client == request.client)
        && message.message_id == request.message_id
        && message.transaction == request.transaction
}

/// The name of `request` in errors.
fn message_name(request: &QmiMessage) -> &'static str {
    if request.is_control() {
        ctl::message_name(request.message_id)
    } else {
        uim::message_name(request.message_id)
    }
}

/// The protocol errors with which a modem refuses UIM Open Logical Channel as such, rather
/// than the card refusing the SELECT.
fn refuses_the_message(error: QmiProtocolError) -> bool {
    [QmiProtocolError::ACCESS_DENIED, QmiProtocolError::NOT_SUPPORTED, QmiProtocolError::INVALID_QMI_COMMAND]
        .contains(&error)
}

/// A [`TransportError`] for `err` while `doing`: `NoSim` is [`ErrorKind::NoCard`], a request
/// we could not encode [`ErrorKind::InvalidCommand`], anything else [`ErrorKind::Other`].
fn qmi_error(err: QmiError, doing: &'static str) -> TransportError {
    let kind = match &err {
        QmiError::Protocol { error, .. } if *error == QmiProtocolError::NO_SIM => ErrorKind::NoCard,
        QmiError::TooLong { .. } | QmiError::CtlTransaction(_) | QmiError::InvalidRequest { .. } => {
            ErrorKind::InvalidCommand
        }
        _ => ErrorKind::Other,
    };
    TransportError::new(kind).with_detail(doing).with_source(err)
}
