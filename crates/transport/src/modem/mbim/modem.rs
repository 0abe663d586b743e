//! [`MbimModem`]: a [`Transport`] through the MS UICC Low Level Access service of an MBIM modem.

use std::borrow::Cow;
use std::thread;

use super::apdu;
use super::basic_connect::{
    CID_DEVICE_SLOT_MAPPINGS, CID_SUBSCRIBER_READY_STATUS, SlotMappings, SubscriberReadyStatus,
};
use super::config::{ClassBytePolicy, MbimOptions};
use super::error::{MbimError, ServiceName};
use super::fragment::MIN_CONTROL_TRANSFER;
use super::message::{CommandDone, CommandType};
use super::proxy_control::{CID_CONFIGURATION, Configuration};
use super::session::{Session, TARGET, protocol_error};
use super::status::Status;
use super::uicc::{
    ApduInfo, ApduRequest, AtrInfo, CID_APDU, CID_ATR, CID_CLOSE_CHANNEL, CID_OPEN_CHANNEL, CloseChannelInfo,
    CloseChannelRequest, MAX_APP_ID_LEN, MAX_CHANNEL, MAX_COMMAND_LEN, OpenChannelInfo, OpenChannelRequest,
};
use super::uuid::Uuid;
use crate::modem::{ModemLink, cla};
use crate::transport::{ChannelOpening, ResetKind, Transport};
use crate::{ErrorKind, TransportError};

/// A logical channel this transport opened.
#[derive(Clone, Debug)]
struct Channel {
    /// The number the card layer addresses it by (in the CLA of its commands).
    number: u8,
    /// The number the modem knows it by (differs from `number` only after a recovery).
    modem: u32,
    /// The AID it was opened to.
    aid: Option<Vec<u8>>,
    /// Whether an APDU succeeded on it (no recovery past that).
    used: bool,
}

/// The eUICC inside an MBIM modem, reached through the Microsoft UICC Low Level Access service
/// (Microsoft, "MB low level UICC access") on a [`ModemLink`] — a `/dev/cdc-wdm*` device or, in
/// tests, a socket.
///
/// [`MbimModem::open`] sends `OPEN` (and waits for `OPEN_DONE`), maps the configured SIM slot
/// (MS Basic Connect Extensions DEVICE_SLOT_MAPPINGS, waiting for SUBSCRIBER_READY_STATUS after
/// a switch; a modem without slot mapping, `NO_DEVICE_SUPPORT`, is fine for slot 0, as lpac PR
/// #416 has it) and reads the ATR. Channels are opened by the modem
/// ([`Transport::open_logical_channel`]: OPEN_CHANNEL, SELECT P2 [`MbimOptions::select_p2`],
/// channel group [`MbimOptions::channel_group`]); commands go as APDU on the channel their CLA
/// names, the modem following `61xx` with GET RESPONSE itself. Dropping the transport closes the
/// channels it opened, then the function (`CLOSE`); [`MbimModem::close`] does so reporting
/// errors.
///
/// The basic channel 0 is the modem's own: a command on it is refused without being sent.
pub struct MbimModem<L: ModemLink> {
    session: Session<L>,
    config: MbimOptions,
    channels: Vec<Channel>,
    atr: Vec<u8>,
    closed: bool,
}

impl<L: ModemLink> std::fmt::Debug for MbimModem<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbimModem")
            .field("config", &self.config)
            .field("channels", &self.channel_numbers())
            .field("atr", &hex::encode_upper(&self.atr))
            .finish_non_exhaustive()
    }
}

impl<L: ModemLink> MbimModem<L> {
    /// Opens the MBIM function on `link`: `OPEN`, the slot mapping, the ATR query.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCommand`] for a `max_control_transfer` below 64; the link's errors;
    /// `OPEN_DONE` or a slot mapping refused; the SIM not ready after a slot switch. The
    /// function is closed again on every error after `OPEN_DONE`.
    pub fn open(link: L, config: MbimOptions) -> Result<Self, TransportError> {
        if config.max_control_transfer < MIN_CONTROL_TRANSFER {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail("MBIM MaxControlTransfer must be at least 64 bytes")
                .with_source(MbimError::MaxControlTransfer {
                    value: config.max_control_transfer,
                    min: MIN_CONTROL_TRANSFER,
                }));
        }
        Self::start(link, config, None)
    }

    /// Opens the MBIM function through ModemManager's `mbim-proxy` on `link` (a connection to
    /// the proxy's socket, [`MBIM_PROXY_SOCKET`](crate::modem::MBIM_PROXY_SOCKET)): Proxy
    /// Control CONFIGURATION naming `device_path` with a timeout of
    /// [`PROXY_TIMEOUT_SECS`](Self::PROXY_TIMEOUT_SECS), its `COMMAND_DONE` status checked,
    /// then what [`open`](Self::open) does — libmbim's order (`src/libmbim-glib/mbim-device.c`
    /// `device_open_context_step`; see [`proxy_control`](super::proxy_control)).
    ///
    /// # Errors
    ///
    /// Those of [`open`](Self::open); [`ErrorKind::InvalidCommand`] for a path that is not
    /// UTF-8 (MBIM strings are UTF-16); CONFIGURATION refused as [`ErrorKind::Other`] with the
    /// status; a proxy that hangs up without answering (libmbim's `mbim-proxy` does so when it
    /// cannot open the device, and to users other than root and the one it was built for) as
    /// [`ErrorKind::Io`] naming the device.
    pub fn open_via_proxy(
        link: L,
        device_path: &std::path::Path,
        config: MbimOptions,
    ) -> Result<Self, TransportError> {
        let Some(path) = device_path.to_str() else {
            return Err(TransportError::new(ErrorKind::InvalidCommand).with_detail(format!(
                "the device path {} is not UTF-8: mbim-proxy takes it as a UTF-16 string",
                device_path.display()
            )));
        };
        Self::start(link, config, Some(path))
    }

    /// The `Timeout` sent in Proxy Control CONFIGURATION: how long `mbim-proxy` may take to
    /// open the device, in seconds (30, as damonto/wwan-go `mbim/proxy.go`
    /// `configureProxy`). The answer is awaited that long plus [`MbimOptions::timeout`].
    pub const PROXY_TIMEOUT_SECS: u32 = 30;

    /// [`open`](Self::open), after Proxy Control CONFIGURATION for `proxy_device` when given.
    fn start(link: L, config: MbimOptions, proxy_device: Option<&str>) -> Result<Self, TransportError> {
        let mut session = Session::new(link, config.max_control_transfer);
        if let Some(path) = proxy_device {
            configure_proxy(&mut session, path, config.timeout)?;
        }
        session.open(config.timeout)?;
        // From here on, dropping `modem` (on any error below) sends CLOSE.
        let mut modem = Self { session, config, channels: Vec::new(), atr: Vec::new(), closed: false };
        if let Some(slot) = modem.config.slot {
            modem.map_slot(slot)?;
        }
        modem.atr = modem.query_atr()?;
        Ok(modem)
    }

    /// The settings in use.
    pub fn config(&self) -> &MbimOptions {
        &self.config
    }

    /// The numbers of the logical channels this transport opened and has not closed.
    pub fn channel_numbers(&self) -> Vec<u8> {
        self.channels.iter().map(|channel| channel.number).collect()
    }

    /// Closes the channels this transport opened, then the function (`CLOSE`), reporting the
    /// first failure (dropping does the same, ignoring failures).
    pub fn close(mut self) -> Result<(), TransportError> {
        self.shutdown()
    }

    /// MS Basic Connect Extensions DEVICE_SLOT_MAPPINGS: query, and set `slot` for executor 0
    /// when another one is mapped, then wait for the SIM to be ready (lpac `select_sim_slot`).
    fn map_slot(&mut self, slot: u32) -> Result<(), TransportError> {
        let service = Uuid::MS_BASIC_CONNECT_EXTENSIONS;
        let timeout = self.config.timeout;
        let done = self.session.command(
            service,
            CID_DEVICE_SLOT_MAPPINGS,
            CommandType::Query,
            Vec::new(),
            timeout,
        )?;
        if done.status == Status::NO_DEVICE_SUPPORT && slot == 0 {
            tracing::debug!(target: TARGET, "no slot mapping (single-slot modem): using slot 0");
            return Ok(());
        }
        let current = SlotMappings::decode(&success(done)?)
            .map_err(|err| protocol_error("reading the modem's slot mappings", err))?;
        if current.slots.first() == Some(&slot) {
            return Ok(());
        }
        tracing::info!(target: TARGET, slot, "mapping SIM slot");
        let request = SlotMappings { slots: vec![slot] }
            .encode()
            .map_err(|err| protocol_error("encoding the slot mapping", err))?;
        let done =
            self.session.command(service, CID_DEVICE_SLOT_MAPPINGS, CommandType::Set, request, timeout)?;
        let mapped = SlotMappings::decode(&success(done)?)
            .map_err(|err| protocol_error("reading the modem's slot mappings", err))?;
        if mapped.slots.first() != Some(&slot) {
            return Err(TransportError::new(ErrorKind::NoCard)
                .with_detail(format!("the modem did not map SIM slot {slot} (mapped: {:?})", mapped.slots)));
        }
        self.wait_ready()
    }

    /// Basic Connect SUBSCRIBER_READY_STATUS until initialized or "no eSIM profile".
    fn wait_ready(&mut self) -> Result<(), TransportError> {
        let mut last = None;
        for poll in 0..self.config.ready_polls.max(1) {
            if poll > 0 {
                thread::sleep(self.config.ready_interval);
            }
            let done = self.session.command(
                Uuid::BASIC_CONNECT,
                CID_SUBSCRIBER_READY_STATUS,
                CommandType::Query,
                Vec::new(),
                self.config.timeout,
            )?;
            if done.status.is_success()
                && let Ok(status) = SubscriberReadyStatus::decode(&done.information_buffer)
            {
                if status.ready_state.is_ready() {
                    return Ok(());
                }
                last = Some(status.ready_state.0);
            }
        }
        Err(TransportError::new(ErrorKind::NoCard).with_detail(format!(
            "the SIM did not become ready after the slot switch (last ready state {last:?})"
        )))
    }

    /// MS UICC Low Level Access ATR; empty when the modem does not give it.
    fn query_atr(&mut self) -> Result<Vec<u8>, TransportError> {
        let done = self.session.command(
            Uuid::MS_UICC_LOW_LEVEL_ACCESS,
            CID_ATR,
            CommandType::Query,
            Vec::new(),
            self.config.timeout,
        )?;
        if !done.status.is_success() {
            tracing::debug!(target: TARGET, status = %done.status, "no ATR from the modem");
            return Ok(Vec::new());
        }
        AtrInfo::decode(&done.information_buffer)
            .map(|info| info.atr)
            .map_err(|err| protocol_error("reading the modem's ATR", err))
    }

    /// OPEN_CHANNEL to `aid`: the `COMMAND_DONE`.
    fn open_channel(&mut self, aid: &[u8]) -> Result<CommandDone, TransportError> {
        let request = OpenChannelRequest {
            app_id: aid.to_vec(),
            select_p2: u32::from(self.config.select_p2),
            channel_group: self.config.channel_group,
        }
        .encode()
        .map_err(|err| protocol_error("encoding OPEN_CHANNEL", err))?;
        self.session.command(
            Uuid::MS_UICC_LOW_LEVEL_ACCESS,
            CID_OPEN_CHANNEL,
            CommandType::Set,
            request,
            self.config.timeout,
        )
    }

    /// The number the card layer will address a channel the modem calls `modem` by: the
    /// same, unless a recovered channel already goes by it.
    fn visible_number(&self, modem: u32) -> Option<u8> {
        let taken = |number: u8| self.channels.iter().any(|channel| channel.number == number);
        u8::try_from(modem)
            .ok()
            .filter(|number| !taken(*number))
            .or_else(|| (1..=MAX_CHANNEL as u8).find(|number| !taken(*number)))
    }

    /// CLOSE_CHANNEL of the modem's channel `modem`.
    fn close_channel(&mut self, modem: u32) -> Result<(), TransportError> {
        let request = CloseChannelRequest { channel: modem, channel_group: self.config.channel_group }
            .encode()
            .map_err(|err| protocol_error("encoding CLOSE_CHANNEL", err))?;
        let done = self.session.command(
            Uuid::MS_UICC_LOW_LEVEL_ACCESS,
            CID_CLOSE_CHANNEL,
            CommandType::Set,
            request,
            self.config.timeout,
        )?;
        if done.status == Status::MS_INVALID_LOGICAL_CHANNEL {
            tracing::debug!(target: TARGET, channel = modem, "channel already closed by the modem");
            return Ok(());
        }
        let info = CloseChannelInfo::decode(&success(done)?)
            .map_err(|err| protocol_error("reading CLOSE_CHANNEL's answer", err))?;
        if info.status != [0x90, 0x00] {
            tracing::warn!(
                target: TARGET, channel = modem, sw = %hex::encode_upper(info.status),
                "MANAGE CHANNEL close refused by the card"
            );
        }
        Ok(())
    }

    /// Sends `command` (CLA already checked) as APDU on the modem's channel `modem`.
    fn send_apdu(&mut self, modem: u32, command: &[u8], class: u8) -> Result<CommandDone, TransportError> {
        let class_byte_type = match self.config.class_byte_type {
            ClassBytePolicy::Always(class_byte_type) => class_byte_type,
            _ => apdu::class_byte_type(class),
        };
        let request = ApduRequest {
            channel: modem,
            secure_messaging: apdu::secure_messaging(class),
            class_byte_type,
            command: command.to_vec(),
        }
        .encode()
        .map_err(|err| protocol_error("encoding APDU", err))?;
        self.session.command(
            Uuid::MS_UICC_LOW_LEVEL_ACCESS,
            CID_APDU,
            CommandType::Set,
            request,
            self.config.apdu_timeout,
        )
    }

    /// A channel lost before its first APDU: opened again to the same AID, under the same
    /// number for the card layer. `true` when that worked.
    fn recover_channel(&mut self, index: usize) -> Result<bool, TransportError> {
        let Some(Channel { aid: Some(aid), number, .. }) = self.channels.get(index).cloned() else {
            return Ok(false);
        };
        tracing::info!(target: TARGET, channel = number, "channel lost by the modem before its first APDU: opening it again");
        let done = self.open_channel(&aid)?;
        if !done.status.is_success() {
            return Ok(false);
        }
        let info = opened_channel(&done.information_buffer)?;
        if let Some(channel) = self.channels.get_mut(index) {
            channel.modem = info.channel;
        }
        Ok(true)
    }

    /// Closes every channel still open, then the function.
    fn shutdown(&mut self) -> Result<(), TransportError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let mut result = Ok(());
        for channel in std::mem::take(&mut self.channels) {
            if let Err(err) = self.close_channel(channel.modem) {
                tracing::debug!(target: TARGET, channel = channel.number, "closing channel failed: {err}");
                if crate::modem::link_lost(&err) {
                    // Nothing more reaches the modem: no further deadline to wait out.
                    return Err(err);
                }
                if result.is_ok() {
                    result = Err(err);
                }
            }
        }
        let closed = self.session.close(self.config.timeout);
        result.and(closed)
    }
}

impl<L: ModemLink> Drop for MbimModem<L> {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::debug!(target: TARGET, "closing the MBIM function failed: {err}");
        }
    }
}

impl<L: ModemLink> Transport for MbimModem<L> {
    /// `false`: the UICC low-level access service carries APDUs on channels it opened only.
    fn has_basic_channel(&self) -> bool {
        false
    }

    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let &[class, _, _, _, ..] = command else {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{} bytes is no command APDU", command.len())));
        };
        let number = match cla::channel(class) {
            Some(0) => {
                return Err(TransportError::new(ErrorKind::InvalidCommand).with_detail(
                    "MBIM UICC access carries APDUs on logical channels opened through the modem only, not on the basic channel",
                ));
            }
            Some(number) => number,
            None => {
                return Err(TransportError::new(ErrorKind::InvalidCommand).with_detail(format!(
                    "class byte {class:02X} names no logical channel (ISO/IEC 7816-4 §5.4.1): MBIM UICC access \
                     carries APDUs on logical channels opened through the modem only"
                )));
            }
        };
        // Copied only when `Le = 00` is appended (`send_apdu` copies it into the request anyway).
        let apdu: Cow<'_, [u8]> = if self.config.store_data_le && apdu::is_store_data_without_le(command) {
            Cow::Owned([command, &[0x00]].concat())
        } else {
            Cow::Borrowed(command)
        };
        if apdu.len() > MAX_COMMAND_LEN {
            return Err(TransportError::new(ErrorKind::InvalidCommand).with_detail(format!(
                "{}-byte APDU: MBIM UICC access carries at most 261 bytes",
                apdu.len()
            )));
        }
        let index = self.channels.iter().position(|channel| channel.number == number);
        let modem = index.and_then(|index| self.channels.get(index)).map_or(u32::from(number), |c| c.modem);
        let mut done = self.send_apdu(modem, &apdu, class)?;
        if done.status == Status::MS_INVALID_LOGICAL_CHANNEL
            && self.config.recover_lost_channel
            && let Some(index) = index.filter(|index| self.channels.get(*index).is_some_and(|c| !c.used))
            && self.recover_channel(index)?
        {
            let modem = self.channels.get(index).map_or(u32::from(number), |c| c.modem);
            done = self.send_apdu(modem, &apdu, class)?;
        }
        if done.status == Status::MS_INVALID_LOGICAL_CHANNEL
            && let Some(index) = index
        {
            // The modem no longer knows the channel: nothing left to close.
            self.channels.remove(index);
        }
        let info =
            ApduInfo::decode(&success(done)?).map_err(|err| protocol_error("reading APDU's answer", err))?;
        if let Some(channel) = index.and_then(|index| self.channels.get_mut(index)) {
            channel.used = true;
        }
        let answer = info.response_apdu();
        let capacity = response.len();
        let out = response
            .get_mut(..answer.len())
            .ok_or_else(|| TransportError::response_too_long(answer.len(), capacity))?;
        out.copy_from_slice(&answer);
        Ok(answer.len())
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// MBIM UICC access has no card reset of its own (`MBIM_CID_MS_UICC_RESET` switches the
    /// pass-through mode): [`ErrorKind::Other`].
    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        Err(TransportError::new(ErrorKind::Other)
            .with_detail(format!("no {kind:?} reset through MBIM UICC low level access")))
    }

    /// OPEN_CHANNEL: MANAGE CHANNEL and SELECT by the modem. `MS_SELECT_FAILED` and
    /// `MS_NO_LOGICAL_CHANNELS` are [`ChannelOpening::Refused`] with the card's status word.
    /// Without an AID the modem is asked for a channel with an empty AppId (Microsoft allows
    /// `AppIdSize` 0; what a modem selects then is not specified).
    fn open_logical_channel(&mut self, aid: Option<&[u8]>) -> Result<ChannelOpening, TransportError> {
        let app_id = aid.unwrap_or_default();
        if app_id.len() > MAX_APP_ID_LEN {
            return Err(TransportError::new(ErrorKind::InvalidCommand)
                .with_detail(format!("{}-byte AID: OPEN_CHANNEL carries at most 32", app_id.len())));
        }
        let done = self.open_channel(app_id)?;
        if done.status == Status::MS_SELECT_FAILED || done.status == Status::MS_NO_LOGICAL_CHANNELS {
            let info = OpenChannelInfo::decode(&done.information_buffer)
                .map_err(|err| protocol_error("reading OPEN_CHANNEL's answer", err))?;
            tracing::debug!(target: TARGET, status = %done.status, sw = %hex::encode_upper(info.status), "OPEN_CHANNEL refused");
            return Ok(ChannelOpening::Refused { sw: info.status });
        }
        let info = opened_channel(&success(done)?)?;
        let Some(number) = self.visible_number(info.channel) else {
            // Every number taken: give the channel back.
            let _ = self.close_channel(info.channel);
            return Err(TransportError::new(ErrorKind::Other).with_detail("all 19 logical channels in use"));
        };
        self.channels.push(Channel {
            number,
            modem: info.channel,
            aid: aid.map(<[u8]>::to_vec),
            used: false,
        });
        let select_response = aid.map(|_| {
            let mut select = info.response;
            select.extend_from_slice(&info.status);
            select
        });
        Ok(ChannelOpening::Opened { number, select_response })
    }

    /// CLOSE_CHANNEL for a channel this transport opened (`false` for any other).
    fn close_logical_channel(&mut self, number: u8) -> Result<bool, TransportError> {
        let Some(index) = self.channels.iter().position(|channel| channel.number == number) else {
            return Ok(false);
        };
        let channel = self.channels.remove(index);
        self.close_channel(channel.modem)?;
        Ok(true)
    }
}

/// Proxy Control CONFIGURATION (set) naming `path`: `mbim-proxy` opens the device for us.
fn configure_proxy<L: ModemLink>(
    session: &mut Session<L>,
    path: &str,
    timeout: std::time::Duration,
) -> Result<(), TransportError> {
    let request =
        Configuration { device_path: path.to_owned(), timeout_secs: MbimModem::<L>::PROXY_TIMEOUT_SECS }
            .encode()
            .map_err(|err| protocol_error("encoding the mbim-proxy configuration", err))?;
    let wait = std::time::Duration::from_secs(MbimModem::<L>::PROXY_TIMEOUT_SECS.into()) + timeout;
    let done = session
        .command(Uuid::PROXY_CONTROL, CID_CONFIGURATION, CommandType::Set, request, wait)
        .map_err(|err| crate::modem::proxy::hung_up(err, "mbim-proxy", path))?;
    if !done.status.is_success() {
        return Err(protocol_error(
            "mbim-proxy refused the device",
            MbimError::Status { service: ServiceName(done.service), cid: done.cid, status: done.status },
        ));
    }
    tracing::debug!(target: TARGET, device = path, "mbim-proxy opened the device");
    Ok(())
}

/// The answer of an OPEN_CHANNEL that succeeded, its channel checked (1 to [`MAX_CHANNEL`]).
fn opened_channel(information_buffer: &[u8]) -> Result<OpenChannelInfo, TransportError> {
    const DOING: &str = "reading OPEN_CHANNEL's answer";
    let info = OpenChannelInfo::decode(information_buffer).map_err(|err| protocol_error(DOING, err))?;
    if !(1..=MAX_CHANNEL).contains(&info.channel) {
        return Err(protocol_error(DOING, MbimError::InvalidChannel(info.channel)));
    }
    Ok(info)
}

/// The information buffer of a successful `COMMAND_DONE`; any other status is an error naming
/// the command and the status.
fn success(done: CommandDone) -> Result<Vec<u8>, TransportError> {
    if done.status.is_success() {
        Ok(done.information_buffer)
    } else {
        Err(protocol_error(
            "the modem refused the command",
            MbimError::Status { service: ServiceName(done.service), cid: done.cid, status: done.status },
        ))
    }
}
