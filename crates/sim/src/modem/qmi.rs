//! A simulated QMI modem: QMUX on a byte stream, the CTL service (client IDs per service) and
//! the UIM service in front of one card per physical slot, each any
//! [`Transport`] (the software eUICC, the simulated GlobalPlatform card, a PC/SC reader).
//!
//! The modem does on the card what a real one does: UIM Open Logical Channel is MANAGE CHANNEL
//! and SELECT (with GET RESPONSE), Logical Channel closes with MANAGE CHANNEL, Send APDU passes
//! the command and the response through as they are. Messages follow libqmi
//! `data/qmi-service-ctl.json` and `data/qmi-service-uim.json`, frames libqmi's `message_check`
//! (frames that break it are dropped, as libqmi drops them). Responses carry QMUX flags `80`,
//! the response flag, the request's transaction ID and the Result TLV first (libqmi
//! `qmi_message_response_new`).
//!
//! Error codes (libqmi `qmi-errors.h`): `InvalidClientId` for a client ID not allocated,
//! `ClientIdsExhausted` when a service has none left, `MissingArgument` / `MalformedMessage`
//! for a TLV missing or of the wrong layout, `NoSim` without a card, `InvalidArgument` for a
//! slot or channel that does not exist. Where firmware behaviour is not documented the choice
//! is marked unverified at the handler.
//!
//! The quirks of real modems are switched on with [`QmiQuirks`].

mod clients;
mod quirks;
mod uim;

use std::io::{self, Read, Write};
use std::time::Duration;

use oxicard_transport::Transport;
use oxicard_transport::modem::qmi::{
    QmiMessage, QmiMessageKind, QmiProtocolError, QmuxReader, SERVICE_CTL, SERVICE_UIM, ctl, uim as uim_codec,
};

use super::card::ModemCard;
use clients::ClientIds;
pub use quirks::QmiQuirks;

/// Where the log lines of the simulated modem go.
const TARGET: &str = "oxicard::sim::modem::qmi";
/// The pause between the pieces of a split frame ([`QmiQuirks::split_responses`]).
const SPLIT_PAUSE: Duration = Duration::from_millis(1);

/// The modem side of QMI over any byte stream, in front of the cards in its slots.
///
/// The software eUICC behind a modem that refuses UIM Open Logical Channel (lpac issue #221),
/// its EID read through the QMI transport of oxicard-transport:
///
/// ```
/// use oxicard_apdu::card::Card;
/// use oxicard_euicc::isdr::{Isdr, IsdrOptions};
/// use oxicard_sim::euicc::SoftEuicc;
/// use oxicard_sim::modem::qmi::{QmiQuirks, SimulatedQmiModem};
/// use oxicard_transport::modem::qmi::{QmiModem, QmiOptions};
/// use oxicard_transport::sim::SimulatorTransport;
///
/// let (host, modem_end) = std::os::unix::net::UnixStream::pair()?;
/// let mut modem = SimulatedQmiModem::new(Box::new(SimulatorTransport::new(SoftEuicc::new())))
///     .with_quirks(QmiQuirks::default().with_open_channel_access_denied());
/// let server = std::thread::spawn(move || modem.serve(modem_end).map(|()| modem));
///
/// let mut card = Card::new(QmiModem::open(host, QmiOptions::default())?);
/// let mut isdr = Isdr::open(&mut card, &IsdrOptions::default())?;
/// assert_eq!(isdr.eid()?.digits(), "89882119900000000000000000000005");
/// isdr.close()?;
/// drop(card); // releases the client ID and hangs up
///
/// let modem = server.join().map_err(|_| "the modem thread panicked")??;
/// assert_eq!(modem.allocated_client_ids(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SimulatedQmiModem {
    /// One card per physical slot, with the channels UIM Open Logical Channel opened on it.
    cards: Vec<ModemCard<()>>,
    /// The physical slot mapped to logical slot 1.
    active: usize,
    quirks: QmiQuirks,
    clients: ClientIds,
}

impl SimulatedQmiModem {
    /// A modem with one slot, holding `card`.
    pub fn new(card: Box<dyn Transport>) -> Self {
        Self::with_slots(vec![card])
    }

    /// A modem with one physical slot per card, slot 1 active (none: every UIM request fails
    /// with `NoSim`).
    pub fn with_slots(cards: Vec<Box<dyn Transport>>) -> Self {
        Self {
            cards: cards.into_iter().map(ModemCard::new).collect(),
            active: 0,
            quirks: QmiQuirks::default(),
            clients: ClientIds::default(),
        }
    }

    /// The modem with the quirks `quirks`.
    #[must_use]
    pub fn with_quirks(mut self, quirks: QmiQuirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// The quirks switched on.
    pub fn quirks(&self) -> &QmiQuirks {
        &self.quirks
    }

    /// The physical slot (from 1) mapped to logical slot 1; 0 without slots.
    pub fn active_slot(&self) -> u8 {
        if self.cards.is_empty() { 0 } else { u8::try_from(self.active + 1).unwrap_or(u8::MAX) }
    }

    /// How many client IDs are allocated, all services together: 0 once every host released
    /// its own.
    pub fn allocated_client_ids(&self) -> usize {
        self.clients.len()
    }

    /// The logical channels UIM Open Logical Channel opened and no one closed yet, slot 1's
    /// first.
    pub fn open_channels(&self) -> Vec<u8> {
        self.cards.iter().flat_map(ModemCard::channel_numbers).collect()
    }

    /// The cards, slot 1 first.
    pub fn into_cards(self) -> Vec<Box<dyn Transport>> {
        self.cards.into_iter().map(ModemCard::into_transport).collect()
    }

    /// Answers the requests arriving on `stream` until it ends (EOF), frame by frame; frames
    /// that break the QMUX rules are dropped.
    ///
    /// # Errors
    ///
    /// I/O errors of the stream other than the peer going away.
    pub fn serve<S: Read + Write>(&mut self, mut stream: S) -> io::Result<()> {
        let mut reader = QmuxReader::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) if peer_gone(&err) => return Ok(()),
                Err(err) => return Err(err),
            };
            let Some(chunk) = buf.get(..n) else { return Err(io::Error::other("a read past the buffer")) };
            reader.push(chunk);
            loop {
                match reader.next_frame() {
                    Ok(Some(frame)) => {
                        let answer = self.handle(&frame);
                        match self.write_frames(&mut stream, &answer) {
                            Err(err) if peer_gone(&err) => return Ok(()),
                            result => result?,
                        }
                    }
                    Ok(None) => break,
                    Err(err) => tracing::debug!(target: TARGET, "dropping bytes: {err}"),
                }
            }
        }
    }

    /// The frames answering one frame from the host: the response, preceded by what the
    /// quirks add. Nothing for a frame that breaks the QMUX rules or is not a request.
    pub fn handle(&mut self, frame: &[u8]) -> Vec<Vec<u8>> {
        let request = match QmiMessage::decode(frame) {
            Ok(request) if request.kind() == QmiMessageKind::Request => request,
            Ok(_) => return Vec::new(),
            Err(err) => {
                tracing::debug!(target: TARGET, "dropping a frame: {err}");
                return Vec::new();
            }
        };
        let response = match request.service {
            SERVICE_CTL => self.ctl(&request),
            service if !self.clients.is_allocated(service, request.client) => {
                QmiMessage::response_to(&request, QmiProtocolError::INVALID_CLIENT_ID)
            }
            SERVICE_UIM => self.uim(&request),
            _ => QmiMessage::response_to(&request, QmiProtocolError::INVALID_QMI_COMMAND),
        };
        let mut messages = Vec::new();
        if self.quirks.indication_before_response && request.service == SERVICE_UIM {
            messages.push(QmiMessage::indication(
                SERVICE_UIM,
                request.client,
                uim_codec::SLOT_STATUS_INDICATION,
            ));
        }
        if self.quirks.stale_response_before {
            let mut earlier = request.clone();
            earlier.transaction = if request.is_control() {
                u16::from(u8::try_from(request.transaction).unwrap_or(0).wrapping_sub(1))
            } else {
                request.transaction.wrapping_sub(1)
            };
            messages.push(QmiMessage::response_to(&earlier, QmiProtocolError::INTERNAL));
        }
        messages.push(response);
        messages
            .into_iter()
            .filter_map(|mut message| {
                if self.quirks.host_flags_in_responses {
                    message.qmux_flags = 0;
                }
                message.encode().map_err(|err| tracing::warn!(target: TARGET, "cannot encode: {err}")).ok()
            })
            .collect()
    }

    /// Answers a CTL request: Allocate CID, Release CID, Sync; anything else `NotSupported`
    /// (as libqmi's QRTR endpoint, `qmi-endpoint-qrtr.c`, answers what it does not handle).
    fn ctl(&mut self, request: &QmiMessage) -> QmiMessage {
        let fail = |error| QmiMessage::response_to(request, error);
        let info = request.tlv(ctl::TLV_ALLOCATION_INFO);
        match (request.message_id, info) {
            (ctl::ALLOCATE_CID, Some(&[service])) => match self.clients.allocate(service) {
                Some(client) => QmiMessage::response_to(request, QmiProtocolError::NONE)
                    .with_tlv(ctl::TLV_ALLOCATION_INFO, [service, client]),
                None => fail(QmiProtocolError::CLIENT_IDS_EXHAUSTED),
            },
            (ctl::RELEASE_CID, Some(&[service, client])) => {
                if self.clients.release(service, client) {
                    QmiMessage::response_to(request, QmiProtocolError::NONE)
                        .with_tlv(ctl::TLV_ALLOCATION_INFO, [service, client])
                } else {
                    fail(QmiProtocolError::INVALID_CLIENT_ID)
                }
            }
            (ctl::ALLOCATE_CID | ctl::RELEASE_CID, Some(_)) => fail(QmiProtocolError::MALFORMED_MESSAGE),
            (ctl::ALLOCATE_CID | ctl::RELEASE_CID, None) => fail(QmiProtocolError::MISSING_ARGUMENT),
            (ctl::SYNC, _) => QmiMessage::response_to(request, QmiProtocolError::NONE),
            _ => fail(QmiProtocolError::NOT_SUPPORTED),
        }
    }

    /// Writes the frames of one answer as the quirks say: one write each or all in one, whole
    /// or in pieces.
    fn write_frames<W: Write>(&self, out: &mut W, frames: &[Vec<u8>]) -> io::Result<()> {
        let units = if self.quirks.batch_responses { vec![frames.concat()] } else { frames.to_vec() };
        for unit in units.iter().filter(|unit| !unit.is_empty()) {
            if self.quirks.split_responses {
                // One byte, then two (the length straddles two reads), then the rest in halves.
                let (first, rest) = unit.split_at(unit.len().min(1));
                let (second, rest) = rest.split_at(rest.len().min(2));
                let (third, fourth) = rest.split_at(rest.len() / 2);
                for piece in [first, second, third, fourth].into_iter().filter(|piece| !piece.is_empty()) {
                    out.write_all(piece)?;
                    out.flush()?;
                    std::thread::sleep(SPLIT_PAUSE);
                }
            } else {
                out.write_all(unit)?;
                out.flush()?;
            }
        }
        Ok(())
    }
}

/// Whether `err` says the host end went away.
fn peer_gone(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof
    )
}
