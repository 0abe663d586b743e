//! A pseudo-terminal pair for a simulated modem: the modem serves the master side, a host opens
//! the slave path as it would a modem's serial port (`/dev/ttyUSB2`). POSIX `posix_openpt`,
//! `grantpt`, `unlockpt`, `ptsname`, through `rustix::pty`.
//!
//! The slave side is in raw mode (`cfmakeraw`: no echo, no CR/LF translation, no line
//! editing), so bytes cross unchanged both ways. The pair keeps a slave descriptor of its own
//! open while it lives: without one, the master reads `EIO` between two hosts (Linux
//! `pty_close` marks the other side closed), and the raw mode could not be set before the
//! first host arrives. Dropping the [`Pty`] closes it; once every host has closed the slave
//! too, reads on the master end (`EIO`, which [`SimulatedAtModem::serve`](super::at::SimulatedAtModem::serve)
//! takes as the end).

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use rustix::termios::{OptionalActions, tcgetattr, tcsetattr};

/// A pseudo-terminal pair: the master for the simulated modem, the slave path for the host.
#[derive(Debug)]
pub struct Pty {
    master: File,
    slave_path: PathBuf,
    /// Held open so the pair stays usable between hosts (see the module docs).
    _slave: File,
}

impl Pty {
    /// Opens a new pair with the slave in raw mode.
    ///
    /// # Errors
    ///
    /// The errors of `posix_openpt`, `grantpt`, `unlockpt`, `ptsname`, opening the slave and
    /// setting its mode.
    pub fn open() -> io::Result<Self> {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
        grantpt(&master)?;
        unlockpt(&master)?;
        let name = ptsname(&master, Vec::new())?;
        let slave_path = PathBuf::from(std::ffi::OsStr::from_bytes(name.as_bytes()));
        let slave =
            rustix::fs::open(&slave_path, OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())?;
        let mut termios = tcgetattr(&slave)?;
        termios.make_raw();
        tcsetattr(&slave, OptionalActions::Now, &termios)?;
        Ok(Self { master: File::from(master), slave_path, _slave: File::from(slave) })
    }

    /// The slave's path (`/dev/pts/N`): what a host opens as the modem's serial port.
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// The master side, for the simulated modem (a second descriptor of it).
    ///
    /// # Errors
    ///
    /// The error of duplicating the descriptor.
    pub fn master(&self) -> io::Result<File> {
        self.master.try_clone()
    }

    /// The master side and the slave's path; the pair's own slave descriptor is closed, so the
    /// master reads `EIO` whenever no host has the slave open.
    pub fn into_parts(self) -> (File, PathBuf) {
        (self.master, self.slave_path)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn bytes_cross_unchanged_both_ways() {
        let pty = Pty::open().unwrap();
        assert!(pty.slave_path().starts_with("/dev/pts") || pty.slave_path().starts_with("/dev"));
        let mut master = pty.master().unwrap();
        let mut host = std::fs::OpenOptions::new().read(true).write(true).open(pty.slave_path()).unwrap();
        // CR, LF, ^C, ^D and DEL would all be cooked by a terminal in canonical mode.
        let bytes = b"AT\r\n\x03\x04\x7F\r";
        host.write_all(bytes).unwrap();
        let mut got = [0u8; 8];
        master.read_exact(&mut got).unwrap();
        assert_eq!(&got, bytes);
        master.write_all(b"\r\nOK\r\n").unwrap();
        let mut got = [0u8; 6];
        host.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"\r\nOK\r\n");
    }
}
