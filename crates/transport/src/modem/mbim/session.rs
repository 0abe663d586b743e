//! One open MBIM function: transaction ids, sending (fragmented to `MaxControlTransfer`),
//! receiving (messages cut from the byte stream, fragments reassembled), and matching each
//! `COMMAND_DONE` to its command by `TransactionId`, skipping `INDICATE_STATUS`.

use std::time::{Duration, Instant};

use super::error::{MbimError, ServiceName};
use super::fragment::{Assembler, MAX_MESSAGE_LEN, MIN_CONTROL_TRANSFER};
use super::message::{Command, CommandDone, CommandType, Message};
use super::status::ProtocolError;
use super::stream::FrameBuffer;
use super::uuid::Uuid;
use crate::modem::ModemLink;
use crate::{ErrorKind, TransportError};

/// Tracing target of the MBIM transport.
pub(crate) const TARGET: &str = "oxicard::modem::mbim";

/// The link and the message state of one function.
pub(crate) struct Session<L> {
    link: L,
    frames: FrameBuffer,
    assembler: Assembler,
    read_buf: Vec<u8>,
    last_tid: u32,
    max_control_transfer: u32,
}

impl<L: ModemLink> Session<L> {
    /// A session on `link`, sending fragments of at most `max_control_transfer` bytes.
    pub(crate) fn new(link: L, max_control_transfer: u32) -> Self {
        Self {
            link,
            frames: FrameBuffer::new(MAX_MESSAGE_LEN),
            assembler: Assembler::new(),
            read_buf: vec![0; usize::try_from(max_control_transfer).unwrap_or(4096).max(4096)],
            last_tid: 0,
            max_control_transfer,
        }
    }

    /// The next transaction id: 1, 2, …, never 0 (0 is the id of unsolicited indications).
    pub(crate) fn next_tid(&mut self) -> u32 {
        self.last_tid = self.last_tid.checked_add(1).unwrap_or(1);
        self.last_tid
    }

    /// Sends `message`, split into fragments as needed.
    pub(crate) fn send(&mut self, message: &Message) -> Result<(), TransportError> {
        let fragments = message
            .encode_fragments(self.max_control_transfer)
            .map_err(|err| protocol_error("encoding an MBIM message", err))?;
        for fragment in fragments {
            self.link
                .send(&fragment)
                .map_err(|err| TransportError::io(err).with_detail("sending an MBIM message to the modem"))?;
        }
        Ok(())
    }

    /// The next whole message from the function, waiting until `deadline`.
    pub(crate) fn receive(
        &mut self,
        deadline: Instant,
        waiting_for: &str,
    ) -> Result<Message, TransportError> {
        loop {
            while let Some(frame) =
                self.frames.next_message().map_err(|err| protocol_error("reading from the modem", err))?
            {
                let whole = self
                    .assembler
                    .push(&frame)
                    .map_err(|err| protocol_error("reassembling fragments", err))?;
                if let Some(whole) = whole {
                    return Message::decode(&whole)
                        .map_err(|err| protocol_error("reading a message of the modem", err));
                }
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(TransportError::new(ErrorKind::Timeout)
                    .with_detail(format!("no answer of the modem to {waiting_for}")));
            }
            let received = self.link.receive(&mut self.read_buf, remaining).map_err(|err| {
                TransportError::io(err)
                    .with_detail(format!("waiting for the modem's answer to {waiting_for}"))
            })?;
            let bytes = self.read_buf.get(..received).ok_or_else(|| {
                TransportError::new(ErrorKind::Io)
                    .with_detail("the modem link reported more bytes than it read")
            })?;
            self.frames.extend(bytes);
        }
    }

    /// Sends a `COMMAND` and returns the `COMMAND_DONE` of its transaction, whatever its
    /// status; indications and answers to other transactions are skipped.
    ///
    /// A function that answers `FUNCTION_ERROR` `MAX_TRANSFER` takes shorter messages than the
    /// `MaxControlTransfer` we announced (its USB `wMaxControlMessage`, which a host reading a
    /// device node cannot see without an ioctl): the command goes again in fragments of half
    /// the size, down to the 64 bytes every function takes, and the session
    /// keeps the smaller size.
    pub(crate) fn command(
        &mut self,
        service: Uuid,
        cid: u32,
        command_type: CommandType,
        information_buffer: Vec<u8>,
        timeout: Duration,
    ) -> Result<CommandDone, TransportError> {
        let deadline = Instant::now() + timeout;
        // Built once: a retry only changes the transaction id.
        let mut message =
            Message::Command(Command { transaction_id: 0, service, cid, command_type, information_buffer });
        loop {
            let transaction_id = self.next_tid();
            if let Message::Command(command) = &mut message {
                command.transaction_id = transaction_id;
            }
            match self.command_once(&message, service, cid, deadline) {
                Err(Refused::TooLong) if self.max_control_transfer > MIN_CONTROL_TRANSFER => {
                    self.max_control_transfer = (self.max_control_transfer / 2).max(MIN_CONTROL_TRANSFER);
                    tracing::debug!(
                        target: TARGET,
                        "MBIM function refused a long message: fragments of {} bytes from now on",
                        self.max_control_transfer
                    );
                }
                Err(Refused::TooLong) => {
                    return Err(protocol_error(
                        "the modem refused the command",
                        MbimError::FunctionError { transaction_id, error: ProtocolError::MAX_TRANSFER },
                    ));
                }
                Err(Refused::Other(err)) => return Err(err),
                Ok(done) => return Ok(done),
            }
        }
    }

    /// [`command`](Self::command) once, with the fragment size of the moment: sends `message`
    /// (a `COMMAND` of `service` and `cid`) and waits for its `COMMAND_DONE`.
    fn command_once(
        &mut self,
        message: &Message,
        service: Uuid,
        cid: u32,
        deadline: Instant,
    ) -> Result<CommandDone, Refused> {
        let transaction_id = message.transaction_id();
        let what = format!("{} CID {cid} (transaction {transaction_id})", ServiceName(service));
        self.send(message)?;
        loop {
            match self.receive(deadline, &what)? {
                Message::CommandDone(done) if done.transaction_id == transaction_id => {
                    if done.service != service || done.cid != cid {
                        return Err(Refused::Other(protocol_error(
                            "matching the modem's answer",
                            MbimError::WrongCommandDone {
                                transaction_id,
                                service: ServiceName(service),
                                cid,
                                got_service: ServiceName(done.service),
                                got_cid: done.cid,
                            },
                        )));
                    }
                    return Ok(done);
                }
                Message::FunctionError { transaction_id: tid, error: ProtocolError::MAX_TRANSFER }
                    if tid == transaction_id =>
                {
                    return Err(Refused::TooLong);
                }
                Message::FunctionError { transaction_id: tid, error }
                    if tid == transaction_id || tid == 0 =>
                {
                    return Err(Refused::Other(protocol_error(
                        "the modem refused the command",
                        MbimError::FunctionError { transaction_id: tid, error },
                    )));
                }
                other => skipped(&other),
            }
        }
    }

    /// Sends `OPEN` and waits for its `OPEN_DONE`.
    pub(crate) fn open(&mut self, timeout: Duration) -> Result<(), TransportError> {
        let transaction_id = self.next_tid();
        let deadline = Instant::now() + timeout;
        self.send(&Message::Open { transaction_id, max_control_transfer: self.max_control_transfer })?;
        loop {
            match self.receive(deadline, "MBIM OPEN")? {
                Message::OpenDone { transaction_id: tid, status } if tid == transaction_id => {
                    return if status.is_success() {
                        Ok(())
                    } else {
                        Err(protocol_error(
                            "opening the MBIM function",
                            MbimError::Refused { message: "OPEN_DONE", status },
                        ))
                    };
                }
                Message::FunctionError { transaction_id: tid, error }
                    if tid == transaction_id || tid == 0 =>
                {
                    return Err(protocol_error(
                        "opening the MBIM function",
                        MbimError::FunctionError { transaction_id: tid, error },
                    ));
                }
                other => skipped(&other),
            }
        }
    }

    /// Sends `CLOSE` and waits for its `CLOSE_DONE`.
    pub(crate) fn close(&mut self, timeout: Duration) -> Result<(), TransportError> {
        let transaction_id = self.next_tid();
        let deadline = Instant::now() + timeout;
        self.send(&Message::Close { transaction_id })?;
        loop {
            match self.receive(deadline, "MBIM CLOSE")? {
                Message::CloseDone { transaction_id: tid, status } if tid == transaction_id => {
                    return if status.is_success() {
                        Ok(())
                    } else {
                        Err(protocol_error(
                            "closing the MBIM function",
                            MbimError::Refused { message: "CLOSE_DONE", status },
                        ))
                    };
                }
                Message::FunctionError { transaction_id: tid, error }
                    if tid == transaction_id || tid == 0 =>
                {
                    return Err(protocol_error(
                        "closing the MBIM function",
                        MbimError::FunctionError { transaction_id: tid, error },
                    ));
                }
                other => skipped(&other),
            }
        }
    }
}

/// Why one try of a command failed.
enum Refused {
    /// `FUNCTION_ERROR` `MAX_TRANSFER`: the message was longer than the function takes.
    TooLong,
    /// Anything else.
    Other(TransportError),
}

impl From<TransportError> for Refused {
    fn from(err: TransportError) -> Self {
        Self::Other(err)
    }
}

/// Logs a message that answers nothing we wait for.
fn skipped(message: &Message) {
    match message {
        Message::IndicateStatus(indication) => tracing::trace!(
            target: TARGET,
            service = %ServiceName(indication.service),
            cid = indication.cid,
            "indication skipped"
        ),
        other => tracing::debug!(
            target: TARGET,
            message_type = ?other.message_type(),
            transaction_id = other.transaction_id(),
            "message of another transaction skipped"
        ),
    }
}

/// A protocol failure: what was being done, the [`MbimError`] as the cause.
pub(crate) fn protocol_error(doing: &'static str, err: MbimError) -> TransportError {
    let kind = match &err {
        MbimError::Status { status, .. } if *status == super::status::Status::SIM_NOT_INSERTED => {
            ErrorKind::NoCard
        }
        _ => ErrorKind::Other,
    };
    TransportError::new(kind).with_detail(doing).with_source(err)
}
