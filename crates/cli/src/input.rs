//! What the command reads from files and stdin, always bounded: regular files only, each kind
//! with a size limit checked before reading (a FIFO or a device is refused without being
//! opened, see [`oxicard_sim::storage::read_file`]), and stdin a line at a time up to a length.
//!
//! What cards and servers send is bounded where it is received: a card's response by
//! `CardConfig::max_response_len` (64 KiB), an ES9+ / ES11 body by the HTTP client (16 MiB),
//! a vpcd frame by its 2-byte length, a request to the test SM-DP+ / SM-DS by the server
//! (16 KiB of head, 1 MiB of body).

use std::io::{BufRead, Read as _};
use std::path::Path;

use oxicard_sim::storage::{FileError, FollowLinks, read_file};

use crate::error::CliError;

/// The largest CAP file `gp install` reads: 4 MiB. A CAP file holds at most the twelve
/// components of JCVM v3.1 chapter 6, each at most 65 538 bytes (a 3-byte header with a `u2`
/// size: 786 456 bytes in all, less once compressed), plus its manifest and directory.
pub(crate) const MAX_CAP_FILE_LEN: u64 = 4 * 1024 * 1024;

/// The largest `--ca` file: 1 MiB, a PEM bundle of several hundred certificates (a
/// system-wide bundle of all public web roots is about 220 KB).
pub(crate) const MAX_CA_FILE_LEN: u64 = 1024 * 1024;

/// The largest `--key-file`: 64 KiB. It holds five `name=HEX` lines of at most 64 hex digits
/// and comments; anything larger is not a key file.
pub(crate) const MAX_KEY_FILE_LEN: u64 = 64 * 1024;

/// The largest profile package (`sim smdp --profiles DIR`, `MATCHING-ID.der`): 2 MiB. A
/// SAIP profile package is tens to hundreds of KB (the GSMA TS.48 test profiles are about
/// 20 KB); an eUICC has about a megabyte for all its profiles.
pub(crate) const MAX_PROFILE_PACKAGE_LEN: u64 = 2 * 1024 * 1024;

/// The most entries of a `--profiles` directory looked at: 256 (a test SM-DP+ serves a
/// handful of profiles). A directory with more is refused rather than cut short.
pub(crate) const MAX_PROFILE_DIR_ENTRIES: usize = 256;

/// The most bytes of profile packages one `--profiles` directory may hold: 64 MiB (the test
/// SM-DP+ keeps them all in memory).
pub(crate) const MAX_PROFILE_DIR_LEN: u64 = 64 * 1024 * 1024;

/// The largest dump file `notification replay` reads: 4 MiB. One notification is at most a few
/// KiB (an OtherSignedNotification carries CERT.EUICC and CERT.EUM, about 1.5 KiB; base64 adds a
/// third), and an eUICC keeps tens of them: 4 MiB is over a thousand.
pub(crate) const MAX_NOTIFICATION_DUMP_LEN: u64 = 4 * 1024 * 1024;

/// The longest answer read at a prompt (a confirmation code, `y`): 256 bytes. SGP.22 gives a
/// confirmation code no length; it is typed by hand, and a line longer than this is no answer.
pub(crate) const MAX_ANSWER_LEN: usize = 256;

/// Reads the regular file `path` that `option` names (`--ca`, `--key-file`, `CAP`), at most
/// `limit` bytes. The error names the option and the file and says what is wrong: `--ca:
/// /tmp/x is a FIFO, not a regular file`, `CAP: big.cap is too large (over 4194304 bytes)`,
/// `--key-file: cannot read keys.txt: no such file`.
pub(crate) fn read_input(option: &str, path: &Path, limit: u64) -> Result<Vec<u8>, CliError> {
    read_file(path, limit, FollowLinks::Yes).map_err(|error| {
        CliError::Io(match error {
            FileError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
                format!("{option}: cannot read {}: no such file", path.display())
            }
            FileError::Io { path, source } => format!("{option}: cannot read {}: {source}", path.display()),
            other => format!("{option}: {other}"),
        })
    })
}

/// Why no answer was read at a prompt.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AnswerError {
    /// The line is longer than the limit (the rest of it is left unread).
    #[error("the answer is longer than {limit} bytes")]
    TooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Reading failed.
    #[error("cannot read the answer: {0}")]
    Io(#[from] std::io::Error),
}

/// One line of `input` without its line end and surrounding white space, read up to `limit`
/// bytes: a longer line is [`AnswerError::TooLong`] after `limit + 1` bytes, whatever follows
/// (an endless input without line ends included). `None` at the end of input.
pub(crate) fn read_answer(input: &mut impl BufRead, limit: usize) -> Result<Option<String>, AnswerError> {
    let mut line = Vec::new();
    let most = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = input.by_ref().take(most).read_until(b'\n', &mut line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && line.len() > limit {
        return Err(AnswerError::TooLong { limit });
    }
    Ok(Some(String::from_utf8_lossy(&line).trim().to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::BufReader;

    use super::*;

    #[test]
    fn answers_are_lines_up_to_the_limit() {
        let mut input = BufReader::new(&b" 1234 \r\ny\nlast"[..]);
        assert_eq!(read_answer(&mut input, 8).unwrap().as_deref(), Some("1234"));
        assert_eq!(read_answer(&mut input, 8).unwrap().as_deref(), Some("y"));
        assert_eq!(read_answer(&mut input, 8).unwrap().as_deref(), Some("last"));
        assert_eq!(read_answer(&mut input, 8).unwrap(), None);
        // Exactly the limit, with and without the line end.
        assert_eq!(
            read_answer(&mut BufReader::new(&b"12345678\n"[..]), 8).unwrap().as_deref(),
            Some("12345678")
        );
        assert_eq!(
            read_answer(&mut BufReader::new(&b"12345678"[..]), 8).unwrap().as_deref(),
            Some("12345678")
        );
        let error = read_answer(&mut BufReader::new(&b"123456789\n"[..]), 8).unwrap_err();
        assert_eq!(error.to_string(), "the answer is longer than 8 bytes");
    }

    /// An endless source of zero bytes (as `< /dev/zero`) that counts what was read.
    struct Zeros {
        read: usize,
    }

    impl std::io::Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(0);
            self.read += buf.len();
            Ok(buf.len())
        }
    }

    #[test]
    fn an_endless_input_is_read_only_up_to_the_limit() {
        let mut endless = BufReader::with_capacity(64, Zeros { read: 0 });
        let error = read_answer(&mut endless, MAX_ANSWER_LEN).unwrap_err();
        assert!(matches!(error, AnswerError::TooLong { limit: MAX_ANSWER_LEN }), "{error}");
        // Read: the limit and one byte, rounded up to the buffer.
        assert_eq!(endless.get_ref().read, (MAX_ANSWER_LEN + 1).div_ceil(64) * 64);
    }
}
