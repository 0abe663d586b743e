//! Command chaining (ISO/IEC 7816-4 §5.3.3): one long command sent as several
//! short ones, all but the last with the chaining bit b5 of CLA set.
//!
//! [`split`] cuts a command into its parts; [`Reassembler`] (the card side, or a
//! simulator) joins them again.

use alloc::vec::Vec;
use core::iter::FusedIterator;

use crate::cla::Cla;
use crate::command::{Command, CommandView};
use crate::error::{Error, ErrorKind};

/// Splits `command` into short-form parts carrying at most `max_data` data
/// bytes each (ISO/IEC 7816-4 §5.3.3).
///
/// All parts but the last have the CLA chaining bit set and no Le field; the
/// last one keeps the original CLA and Ne. A command without data yields one
/// part: the command itself, in short form.
///
/// # Errors
///
/// - [`ErrorKind::InvalidValue`] (offset 0) if `max_data` is not in 1..=255,
///   or if the command needs several parts and its CLA with the chaining bit
///   would be the invalid `FF` (CLA `EF`);
/// - [`ErrorKind::NeTooLarge`] (offset 4) if Ne > 256: the last part is short;
/// - [`ErrorKind::DataTooLong`] (offset 4) if Nc > 65 535.
pub fn split<'a>(command: &CommandView<'a>, max_data: usize) -> Result<Chain<'a>, Error> {
    if !(1..=CommandView::MAX_SHORT_NC).contains(&max_data) {
        return Err(Error::new(ErrorKind::InvalidValue, 0));
    }
    if command.ne() > CommandView::MAX_SHORT_NE {
        return Err(Error::new(ErrorKind::NeTooLarge, 4));
    }
    if command.data().len() > CommandView::MAX_NC {
        return Err(Error::new(ErrorKind::DataTooLong, 4));
    }
    let remaining = command.data().len().div_ceil(max_data).max(1);
    if remaining > 1 && !Cla(command.cla()).with_chaining(true).is_valid() {
        // CLA EF: with the chaining bit it would be the invalid FF.
        return Err(Error::new(ErrorKind::InvalidValue, 0));
    }
    Ok(Chain { command: command.with_extended(false), rest: command.data(), max_data, remaining })
}

/// The parts of a chained command, from [`split`].
#[derive(Clone, Debug)]
pub struct Chain<'a> {
    /// The whole command, short form.
    command: CommandView<'a>,
    /// The data not yet handed out.
    rest: &'a [u8],
    max_data: usize,
    /// Parts still to come.
    remaining: usize,
}

impl<'a> Iterator for Chain<'a> {
    type Item = CommandView<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.remaining {
            0 => None,
            1 => {
                self.remaining = 0;
                Some(self.command.with_data(core::mem::take(&mut self.rest)))
            }
            _ => {
                self.remaining -= 1;
                let (part, rest) = self.rest.split_at(self.max_data.min(self.rest.len()));
                self.rest = rest;
                let cla = Cla(self.command.cla()).with_chaining(true).0;
                Some(self.command.with_cla(cla).with_data(part).with_ne(0))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Chain<'_> {}

impl FusedIterator for Chain<'_> {}

/// Joins the parts of a chained command (ISO/IEC 7816-4 §5.3.3), as a card does.
///
/// Feed every received command to [`Reassembler::push`]: parts with the CLA
/// chaining bit are buffered; the first part without it completes the command.
/// Le fields of intermediate parts are ignored.
#[derive(Clone, Debug, Default)]
pub struct Reassembler {
    max_len: usize,
    data: Vec<u8>,
    /// Header of the first part, CLA without the chaining bit; `None` when idle.
    header: Option<[u8; 4]>,
}

impl Reassembler {
    /// A reassembler accepting at most `max_len` bytes of joined command data.
    pub const fn new(max_len: usize) -> Self {
        Self { max_len, data: Vec::new(), header: None }
    }

    /// Takes one part. Returns `Ok(None)` while the chain continues, and the
    /// whole command (CLA without the chaining bit, Ne of the last part) when
    /// a part without the chaining bit arrives. A lone unchained command
    /// comes back as it is.
    ///
    /// # Errors
    ///
    /// Both reset the reassembler:
    /// - [`ErrorKind::ChainingMismatch`] if the header (CLA without the
    ///   chaining bit, INS, P1, P2) differs from the first part's; the offset
    ///   is the first differing header byte;
    /// - [`ErrorKind::DataTooLong`] if the joined data would exceed `max_len`
    ///   (offset `max_len`).
    pub fn push(&mut self, part: &CommandView<'_>) -> Result<Option<Command>, Error> {
        let cla = Cla(part.cla());
        let header = part.with_cla(cla.with_chaining(false).0).header();
        if let Some(first) = self.header
            && let Some(at) = first.iter().zip(header.iter()).position(|(a, b)| a != b)
        {
            self.reset();
            return Err(Error::new(ErrorKind::ChainingMismatch, at));
        }
        if self.data.len().saturating_add(part.data().len()) > self.max_len {
            self.reset();
            return Err(Error::new(ErrorKind::DataTooLong, self.max_len));
        }
        if cla.is_chained() {
            self.header = Some(header);
            self.data.extend_from_slice(part.data());
            return Ok(None);
        }
        if self.header.take().is_none() {
            return Ok(Some(part.to_command()));
        }
        self.data.extend_from_slice(part.data());
        let [cla, ins, p1, p2] = header;
        let whole = Command::new(cla, ins, p1, p2)
            .with_data(core::mem::take(&mut self.data))
            .with_ne(part.ne())
            .with_extended(part.is_extended_forced());
        Ok(Some(whole))
    }

    /// `true` if no chain is in progress.
    pub const fn is_idle(&self) -> bool {
        self.header.is_none()
    }

    /// Drops a chain in progress.
    pub fn reset(&mut self) {
        self.data.clear();
        self.header = None;
    }

    /// The number of data bytes buffered from the chain in progress.
    pub fn buffered_len(&self) -> usize {
        self.data.len()
    }

    /// The limit on the joined data, given to [`Reassembler::new`].
    pub const fn max_len(&self) -> usize {
        self.max_len
    }
}
