//! [`DeviceLink`]: a modem device opened by path — a serial port (`/dev/ttyUSB2`,
//! `/dev/ttyACM0`), a pseudo-terminal, or a cdc-wdm character device — with raw mode and the
//! serial settings of [`SerialSettings`] on terminals, and reads that wait with `poll(2)` up to a
//! deadline.
//!
//! Serial settings follow POSIX termios (`cfmakeraw`, `CLOCAL | CREAD`, `CSIZE`, `PARENB`,
//! `CSTOPB`, `CRTSCTS`, `IXON | IXOFF`), through `rustix::termios`. The defaults (115 200 baud,
//! 8N1, no flow control) are those lpac's AT backend sets (`driver/apdu/at_cmd_unix.c`,
//! `at_device_open`).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fs::{FileType, Mode, OFlags, fstat, open};
use rustix::io::Errno;
use rustix::termios::{
    ControlModes, InputModes, OptionalActions, QueueSelector, SpecialCodeIndex, isatty, tcflush, tcgetattr,
    tcsetattr,
};

use super::ModemLink;

/// Character size (termios `CSIZE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataBits {
    /// `CS5`.
    Five,
    /// `CS6`.
    Six,
    /// `CS7`.
    Seven,
    /// `CS8`, the default.
    Eight,
}

/// Parity (termios `PARENB`, `PARODD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parity {
    /// No parity bit, the default.
    None,
    /// Odd parity.
    Odd,
    /// Even parity.
    Even,
}

/// Stop bits (termios `CSTOPB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopBits {
    /// One stop bit, the default.
    One,
    /// Two stop bits.
    Two,
}

/// Flow control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FlowControl {
    /// None, the default (a modem's USB serial function ignores it).
    None,
    /// RTS/CTS (termios `CRTSCTS`).
    Hardware,
    /// XON/XOFF (termios `IXON | IXOFF`).
    Software,
}

/// The serial-port settings [`DeviceLink::open_with`] applies to a terminal device (ignored
/// for other character devices). The default is 115 200 baud, 8N1, no flow control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SerialSettings {
    /// Bits per second, in and out (termios `cfsetspeed`).
    pub baud_rate: u32,
    /// Character size.
    pub data_bits: DataBits,
    /// Parity.
    pub parity: Parity,
    /// Stop bits.
    pub stop_bits: StopBits,
    /// Flow control.
    pub flow_control: FlowControl,
}

impl Default for SerialSettings {
    fn default() -> Self {
        Self {
            baud_rate: 115_200,
            data_bits: DataBits::Eight,
            parity: Parity::None,
            stop_bits: StopBits::One,
            flow_control: FlowControl::None,
        }
    }
}

impl SerialSettings {
    /// The same settings at `baud_rate` bits per second.
    #[must_use]
    pub fn with_baud_rate(mut self, baud_rate: u32) -> Self {
        self.baud_rate = baud_rate;
        self
    }

    /// The same settings with `data_bits`.
    #[must_use]
    pub fn with_data_bits(mut self, data_bits: DataBits) -> Self {
        self.data_bits = data_bits;
        self
    }

    /// The same settings with `parity`.
    #[must_use]
    pub fn with_parity(mut self, parity: Parity) -> Self {
        self.parity = parity;
        self
    }

    /// The same settings with `stop_bits`.
    #[must_use]
    pub fn with_stop_bits(mut self, stop_bits: StopBits) -> Self {
        self.stop_bits = stop_bits;
        self
    }

    /// The same settings with `flow_control`.
    #[must_use]
    pub fn with_flow_control(mut self, flow_control: FlowControl) -> Self {
        self.flow_control = flow_control;
        self
    }
}

/// A modem device opened by path: a serial port, a pseudo-terminal or a cdc-wdm device.
///
/// Opened read-write, `O_NOCTTY` (the device never becomes our controlling terminal),
/// close-on-exec and non-blocking; a terminal is put in raw mode with the
/// [`SerialSettings`] and its stale input flushed. [`receive`](ModemLink::receive) waits with
/// `poll(2)` up to its timeout. The device is closed when the link is dropped.
#[derive(Debug)]
pub struct DeviceLink {
    file: File,
    path: PathBuf,
    terminal: bool,
    write_timeout: Duration,
}

impl DeviceLink {
    /// How long [`send`](ModemLink::send) waits for room in the device's output buffer before
    /// giving up, by default.
    pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

    /// Opens the device at `path` with the default [`SerialSettings`].
    ///
    /// # Errors
    ///
    /// The error of `open(2)` (with the path in its message), an
    /// [`io::ErrorKind::InvalidInput`] error for a path that is neither a character device nor
    /// a terminal (a regular file, a directory, a FIFO…), or the error of setting up the
    /// terminal.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::open_with(path, &SerialSettings::default())
    }

    /// Opens the device at `path`, applying `settings` when it is a terminal.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); also an unsupported baud rate.
    pub fn open_with(path: impl AsRef<Path>, settings: &SerialSettings) -> io::Result<Self> {
        let path = path.as_ref();
        let flags = OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd: OwnedFd = open(path, flags, Mode::empty())
            .map_err(|errno| with_path(io::Error::from(errno), "opening", path))?;
        let terminal = isatty(&fd);
        if !terminal {
            let stat = fstat(&fd).map_err(|errno| with_path(io::Error::from(errno), "examining", path))?;
            let kind = FileType::from_raw_mode(stat.st_mode);
            if !kind.is_char_device() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{}: not a modem device (a {}, neither a character device nor a terminal)",
                        path.display(),
                        file_type_name(kind)
                    ),
                ));
            }
        }
        if terminal {
            configure_terminal(&fd, settings)
                .map_err(|errno| with_path(io::Error::from(errno), "configuring the serial port", path))?;
        }
        Ok(Self {
            file: File::from(fd),
            path: path.to_path_buf(),
            terminal,
            write_timeout: Self::DEFAULT_WRITE_TIMEOUT,
        })
    }

    /// The same link, waiting at most `timeout` for room in the device's output buffer
    /// ([`DEFAULT_WRITE_TIMEOUT`](Self::DEFAULT_WRITE_TIMEOUT) by default).
    #[must_use]
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The path the device was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the device is a terminal (a serial port or a pseudo-terminal): raw mode and the
    /// [`SerialSettings`] were applied.
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Waits until `events` are ready on the device or `deadline` passes (`Ok(false)`).
    fn wait(&self, events: PollFlags, deadline: Instant) -> io::Result<bool> {
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            // A timeout beyond what `Timespec` holds waits the longest it can.
            let timeout = Timespec::try_from(remaining).unwrap_or(Timespec { tv_sec: i64::MAX, tv_nsec: 0 });
            let mut fds = [PollFd::new(&self.file, events)];
            match poll(&mut fds, Some(&timeout)) {
                Ok(0) => {
                    if Instant::now() >= deadline {
                        return Ok(false);
                    }
                }
                // Ready, or hung up / in error: the read or write that follows says which.
                Ok(_) => return Ok(true),
                Err(Errno::INTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
    }
}

/// The device's descriptor, to wait on it with other descriptors or to inspect its settings.
impl AsFd for DeviceLink {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl ModemLink for DeviceLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + self.write_timeout;
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.file.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    let Some((_, tail)) = rest.split_at_checked(n) else {
                        return Err(io::Error::other("the device reported more bytes written than given"));
                    };
                    rest = tail;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !self.wait(PollFlags::OUT, deadline)? {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!(
                                "{}: no room to write within {:?}",
                                self.path.display(),
                                self.write_timeout
                            ),
                        ));
                    }
                }
                Err(e) => return Err(peer_gone(e)),
            }
        }
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = Instant::now() + timeout;
        loop {
            if !self.wait(PollFlags::IN, deadline)? {
                return Err(io::ErrorKind::TimedOut.into());
            }
            match self.file.read(buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => return Ok(n),
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {
                    if Instant::now() >= deadline {
                        return Err(io::ErrorKind::TimedOut.into());
                    }
                }
                Err(e) => return Err(peer_gone(e)),
            }
        }
    }
}

/// Raw mode, receiver on, modem control lines ignored, then `settings`; stale input dropped.
fn configure_terminal(fd: &OwnedFd, settings: &SerialSettings) -> rustix::io::Result<()> {
    let mut termios = tcgetattr(fd)?;
    termios.make_raw();
    let control = &mut termios.control_modes;
    control.insert(ControlModes::CLOCAL | ControlModes::CREAD);
    control.remove(
        ControlModes::CSIZE
            | ControlModes::PARENB
            | ControlModes::PARODD
            | ControlModes::CSTOPB
            | ControlModes::CRTSCTS,
    );
    control.insert(match settings.data_bits {
        DataBits::Five => ControlModes::CS5,
        DataBits::Six => ControlModes::CS6,
        DataBits::Seven => ControlModes::CS7,
        DataBits::Eight => ControlModes::CS8,
    });
    match settings.parity {
        Parity::None => {}
        Parity::Odd => control.insert(ControlModes::PARENB | ControlModes::PARODD),
        Parity::Even => control.insert(ControlModes::PARENB),
    }
    if settings.stop_bits == StopBits::Two {
        control.insert(ControlModes::CSTOPB);
    }
    termios.input_modes.remove(InputModes::IXON | InputModes::IXOFF | InputModes::IXANY);
    match settings.flow_control {
        FlowControl::None => {}
        FlowControl::Hardware => termios.control_modes.insert(ControlModes::CRTSCTS),
        FlowControl::Software => termios.input_modes.insert(InputModes::IXON | InputModes::IXOFF),
    }
    // Reads wait in poll(2); a read returns what is there.
    termios.special_codes[SpecialCodeIndex::VMIN] = 1;
    termios.special_codes[SpecialCodeIndex::VTIME] = 0;
    termios.set_speed(settings.baud_rate)?;
    tcsetattr(fd, OptionalActions::Now, &termios)?;
    tcflush(fd, QueueSelector::IFlush)
}

/// `err` with what we were doing and the path in its message, its kind kept.
fn with_path(err: io::Error, doing: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{doing} {}: {err}", path.display()))
}

/// A read or write error meaning the other end went away (`EIO` from a pseudo-terminal whose
/// master closed, a USB device unplugged) as [`io::ErrorKind::UnexpectedEof`].
fn peer_gone(err: io::Error) -> io::Error {
    if err.raw_os_error() == Some(Errno::IO.raw_os_error()) {
        io::Error::new(io::ErrorKind::UnexpectedEof, err)
    } else {
        err
    }
}

/// A name for a file type, for error messages.
fn file_type_name(kind: FileType) -> &'static str {
    match kind {
        FileType::RegularFile => "regular file",
        FileType::Directory => "directory",
        FileType::Symlink => "symbolic link",
        FileType::Fifo => "FIFO",
        FileType::Socket => "socket",
        FileType::CharacterDevice => "character device",
        FileType::BlockDevice => "block device",
        _ => "file of unknown type",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn refuses_a_regular_file() {
        let path = std::env::temp_dir().join(format!("oxicard-link-test-{}", std::process::id()));
        std::fs::write(&path, b"not a modem").unwrap();
        let err = DeviceLink::open(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            format!(
                "{}: not a modem device (a regular file, neither a character device nor a terminal)",
                path.display()
            )
        );
    }

    #[test]
    fn refuses_a_directory() {
        let err = DeviceLink::open(std::env::temp_dir()).unwrap_err();
        // open(2) with O_RDWR refuses a directory itself (EISDIR).
        assert!(err.to_string().starts_with("opening "), "{err}");
    }

    #[test]
    fn a_missing_path_names_the_path() {
        let err = DeviceLink::open("/nonexistent/ttyUSB9").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with("opening /nonexistent/ttyUSB9: "), "{err}");
    }

    #[test]
    fn a_character_device_that_is_no_terminal_is_accepted() {
        // /dev/null: a character device like /dev/cdc-wdm0, no termios.
        let mut link = DeviceLink::open("/dev/null").unwrap();
        assert!(!link.is_terminal());
        link.send(b"AT\r\n").unwrap();
        let mut buf = [0u8; 8];
        // /dev/null reads end of file at once.
        let err = link.receive(&mut buf, Duration::from_millis(10)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn default_settings_are_115200_8n1_without_flow_control() {
        let settings = SerialSettings::default();
        assert_eq!(settings.baud_rate, 115_200);
        assert_eq!(settings.data_bits, DataBits::Eight);
        assert_eq!(settings.parity, Parity::None);
        assert_eq!(settings.stop_bits, StopBits::One);
        assert_eq!(settings.flow_control, FlowControl::None);
        let changed = settings.with_baud_rate(9600).with_parity(Parity::Even).with_stop_bits(StopBits::Two);
        assert_eq!(
            (changed.baud_rate, changed.parity, changed.stop_bits),
            (9600, Parity::Even, StopBits::Two)
        );
    }
}
