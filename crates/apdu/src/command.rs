//! Command APDUs: the four cases in short and extended form (ISO/IEC 7816-4 §5.1,
//! §5.2; ISO/IEC 7816-3 §12.1.2 for the decoding rules).
//!
//! A command is a 4-byte header `CLA INS P1 P2` and an optional body:
//!
//! | case | body (short)   | body (extended)            |
//! |------|----------------|----------------------------|
//! | 1    | –              | –                          |
//! | 2    | `Le`           | `00 Le1 Le2`               |
//! | 3    | `Lc data`      | `00 Lc1 Lc2 data`          |
//! | 4    | `Lc data Le`   | `00 Lc1 Lc2 data Le1 Le2`  |
//!
//! Nc (data length) is 1..=255 short, 1..=65 535 extended. Ne (expected
//! response length) is 1..=256 short (`Le = 00` means 256), 1..=65 536 extended
//! (`Le = 0000` means 65 536).

use alloc::vec::Vec;

use crate::error::{Error, ErrorKind};

/// The case of a command APDU (ISO/IEC 7816-4 §5.1, Table 1; ISO/IEC 7816-3 §12.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// No data, no Le: `CLA INS P1 P2`.
    Case1,
    /// No data, short Le: `CLA INS P1 P2 Le`.
    Case2Short,
    /// Data, no Le, short Lc: `CLA INS P1 P2 Lc data`.
    Case3Short,
    /// Data and Le, short: `CLA INS P1 P2 Lc data Le`.
    Case4Short,
    /// No data, extended Le: `CLA INS P1 P2 00 Le1 Le2`.
    Case2Extended,
    /// Data, no Le, extended Lc: `CLA INS P1 P2 00 Lc1 Lc2 data`.
    Case3Extended,
    /// Data and Le, extended: `CLA INS P1 P2 00 Lc1 Lc2 data Le1 Le2`.
    Case4Extended,
}

impl Case {
    /// `true` for the extended-length cases 2E, 3E and 4E.
    pub const fn is_extended(self) -> bool {
        matches!(self, Self::Case2Extended | Self::Case3Extended | Self::Case4Extended)
    }
}

/// A command APDU borrowing its data (ISO/IEC 7816-4 §5.1).
///
/// Built with [`CommandView::new`] and the `with_*` methods, or parsed from
/// bytes with [`CommandView::parse`]. `ne` is the maximum number of response
/// bytes expected (Ne): 0 means "no Le field", 1..=65 536 otherwise.
///
/// The form (short or extended) follows from the lengths: extended when
/// Nc > 255 or Ne > 256, or when forced with [`CommandView::with_extended`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandView<'a> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    ne: u32,
    force_extended: bool,
}

/// Offset of the first body byte (Lc or Le) in an encoded command.
const BODY: usize = 4;

impl<'a> CommandView<'a> {
    /// Most data bytes a short command carries: 255 (ISO/IEC 7816-4 §5.1).
    pub const MAX_SHORT_NC: usize = 255;
    /// Largest Ne a short Le field encodes: 256, as `00` (ISO/IEC 7816-4 §5.1).
    pub const MAX_SHORT_NE: u32 = 256;
    /// Most data bytes any command carries: 65 535 (ISO/IEC 7816-4 §5.1).
    pub const MAX_NC: usize = 65_535;
    /// Largest Ne: 65 536, as extended `0000` (ISO/IEC 7816-4 §5.1).
    pub const MAX_NE: u32 = 65_536;

    /// A case 1 command `CLA INS P1 P2`: no data, no Le.
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self { cla, ins, p1, p2, data: &[], ne: 0, force_extended: false }
    }

    /// The same command with `data` as its data field (Nc = `data.len()`).
    #[must_use]
    pub const fn with_data(self, data: &'a [u8]) -> Self {
        Self { data, ..self }
    }

    /// The same command expecting up to `ne` response bytes (0 = no Le field).
    /// Checked when encoding: more than 65 536 is [`ErrorKind::NeTooLarge`].
    #[must_use]
    pub const fn with_ne(self, ne: u32) -> Self {
        Self { ne, ..self }
    }

    /// The same command with another class byte.
    #[must_use]
    pub const fn with_cla(self, cla: u8) -> Self {
        Self { cla, ..self }
    }

    /// The same command, forced into the extended form (`true`) even when the
    /// lengths fit the short form, or back to the automatic choice (`false`).
    #[must_use]
    pub const fn with_extended(self, force: bool) -> Self {
        Self { force_extended: force, ..self }
    }

    /// The class byte CLA.
    pub const fn cla(&self) -> u8 {
        self.cla
    }

    /// The instruction byte INS.
    pub const fn ins(&self) -> u8 {
        self.ins
    }

    /// Parameter byte P1.
    pub const fn p1(&self) -> u8 {
        self.p1
    }

    /// Parameter byte P2.
    pub const fn p2(&self) -> u8 {
        self.p2
    }

    /// The command data field (Nc bytes; empty for cases 1 and 2).
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Ne, the maximum number of response data bytes expected; 0 if there is no Le field.
    pub const fn ne(&self) -> u32 {
        self.ne
    }

    /// The header `CLA INS P1 P2`.
    pub const fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// `true` if the extended form was forced ([`CommandView::with_extended`],
    /// or parsed from an extended encoding).
    pub const fn is_extended_forced(&self) -> bool {
        self.force_extended
    }

    /// `true` if the command uses (or, for case 1, would use) the extended
    /// form: forced, Nc > 255 or Ne > 256 (ISO/IEC 7816-4 §5.1). A case 1
    /// command has no body, so its encoding is the same in both forms.
    pub const fn is_extended(&self) -> bool {
        self.force_extended || self.data.len() > Self::MAX_SHORT_NC || self.ne > Self::MAX_SHORT_NE
    }

    /// The case (ISO/IEC 7816-4 §5.1, Table 1).
    pub const fn case(&self) -> Case {
        let extended = self.is_extended();
        match (self.data.is_empty(), self.ne == 0, extended) {
            (true, true, _) => Case::Case1,
            (true, false, false) => Case::Case2Short,
            (true, false, true) => Case::Case2Extended,
            (false, true, false) => Case::Case3Short,
            (false, true, true) => Case::Case3Extended,
            (false, false, false) => Case::Case4Short,
            (false, false, true) => Case::Case4Extended,
        }
    }

    /// The number of bytes [`CommandView::encode_into`] writes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::DataTooLong`] if Nc > 65 535, [`ErrorKind::NeTooLarge`] if
    /// Ne > 65 536 (both at offset 4, where the body starts).
    pub const fn encoded_len(&self) -> Result<usize, Error> {
        let nc = self.data.len();
        if nc > Self::MAX_NC {
            return Err(Error::new(ErrorKind::DataTooLong, BODY));
        }
        if self.ne > Self::MAX_NE {
            return Err(Error::new(ErrorKind::NeTooLarge, BODY));
        }
        let len = BODY
            + match self.case() {
                Case::Case1 => 0,
                Case::Case2Short => 1,
                Case::Case2Extended => 3,
                Case::Case3Short => 1 + nc,
                Case::Case3Extended => 3 + nc,
                Case::Case4Short => 2 + nc,
                Case::Case4Extended => 5 + nc,
            };
        Ok(len)
    }

    /// Encodes the command into the start of `buf` and returns the number of
    /// bytes written (ISO/IEC 7816-4 §5.1).
    ///
    /// Short form: `Lc` one byte, `Le` one byte with 256 as `00`. Extended
    /// form: `Lc` as `00 Lc1 Lc2`; `Le` as `Le1 Le2` after the data (case 4E)
    /// or `00 Le1 Le2` (case 2E), with 65 536 as `00 00`.
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::encoded_len`], and [`ErrorKind::BufferTooSmall`]
    /// (offset = the length needed) if `buf` is too short.
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.encoded_len()?;
        let out = buf.get_mut(..len).ok_or(Error::new(ErrorKind::BufferTooSmall, len))?;
        let mut w = Cursor { out, pos: 0 };
        w.put(&self.header());
        let nc = self.data.len();
        match self.case() {
            Case::Case1 => {}
            Case::Case2Short => w.put(&[short_le(self.ne)]),
            Case::Case2Extended => {
                w.put(&[0]);
                w.put(&extended_le(self.ne));
            }
            Case::Case3Short | Case::Case4Short => {
                // nc is 1..=255 here: the short form was chosen.
                w.put(&[u8::try_from(nc).unwrap_or(0)]);
                w.put(self.data);
                if self.ne != 0 {
                    w.put(&[short_le(self.ne)]);
                }
            }
            Case::Case3Extended | Case::Case4Extended => {
                // nc is 1..=65 535 here: checked by encoded_len.
                w.put(&[0]);
                w.put(&u16::try_from(nc).unwrap_or(0).to_be_bytes());
                w.put(self.data);
                if self.ne != 0 {
                    w.put(&extended_le(self.ne));
                }
            }
        }
        Ok(w.pos)
    }

    /// The encoding in a new vector (see [`CommandView::encode_into`]).
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::encoded_len`].
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = alloc::vec![0; self.encoded_len()?];
        let len = self.encode_into(&mut out)?;
        out.truncate(len);
        Ok(out)
    }

    /// Parses one complete command APDU, strictly (ISO/IEC 7816-4 §5.1;
    /// decoding per ISO/IEC 7816-3 §12.1.3):
    ///
    /// - fewer than 4 bytes: [`ErrorKind::Truncated`] at the input length;
    /// - 4 bytes: case 1;
    /// - 5 bytes: case 2S, `Le = 00` meaning 256;
    /// - byte 4 ≠ `00` is a short Lc: case 3S if exactly Lc bytes follow,
    ///   case 4S if Lc + 1; fewer is [`ErrorKind::InvalidLength`] at 4, more
    ///   is [`ErrorKind::TrailingData`] after the Le byte;
    /// - byte 4 = `00` and more than 5 bytes is the extended form: 7 bytes
    ///   is case 2E (`0000` meaning 65 536; 6 bytes is
    ///   [`ErrorKind::Truncated`] at 6); otherwise bytes 5–6 are Lc, which
    ///   must not be `0000` ([`ErrorKind::ZeroLc`] at 4); case 3E if exactly
    ///   Lc bytes follow, case 4E if Lc + 2. Fewer is
    ///   [`ErrorKind::InvalidLength`] at 4, a 1-byte Le is
    ///   [`ErrorKind::InvalidLength`] at its offset, more is
    ///   [`ErrorKind::TrailingData`] after the Le field.
    ///
    /// Extended encodings parse with the extended form forced, so that
    /// `parse(x)?.to_vec()? == x` for every accepted `x`.
    ///
    /// # Errors
    ///
    /// As listed above; the offset is where the problem is in `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return Err(Error::new(ErrorKind::Truncated, bytes.len()));
        };
        let command = Self::new(*cla, *ins, *p1, *p2);
        match body {
            [] => Ok(command),
            [le] => Ok(command.with_ne(decode_short_le(*le))),
            [0, rest @ ..] => parse_extended_body(command, rest),
            [lc, rest @ ..] => {
                let nc = usize::from(*lc);
                let (data, after) =
                    rest.split_at_checked(nc).ok_or(Error::new(ErrorKind::InvalidLength, BODY))?;
                let command = command.with_data(data);
                match after {
                    [] => Ok(command),
                    [le] => Ok(command.with_ne(decode_short_le(*le))),
                    _ => Err(Error::new(ErrorKind::TrailingData, BODY + 2 + nc)),
                }
            }
        }
    }

    /// An owned copy of the command.
    pub fn to_command(&self) -> Command {
        Command::from(*self)
    }
}

/// The body after the `00` that opens an extended body (ISO/IEC 7816-4 §5.1).
fn parse_extended_body<'a>(command: CommandView<'a>, rest: &'a [u8]) -> Result<CommandView<'a>, Error> {
    let command = command.with_extended(true);
    let [hi, lo, rest @ ..] = rest else {
        // Offset 4 + 1 + rest.len(): the end of the input.
        return Err(Error::new(ErrorKind::Truncated, BODY + 1 + rest.len()));
    };
    let value = u16::from_be_bytes([*hi, *lo]);
    if rest.is_empty() {
        // Case 2E: `00 Le1 Le2`.
        return Ok(command.with_ne(decode_extended_le(value)));
    }
    if value == 0 {
        return Err(Error::new(ErrorKind::ZeroLc, BODY));
    }
    let nc = usize::from(value);
    let (data, after) = rest.split_at_checked(nc).ok_or(Error::new(ErrorKind::InvalidLength, BODY))?;
    let command = command.with_data(data);
    let le_at = BODY + 3 + nc;
    match after {
        [] => Ok(command),
        [hi, lo] => Ok(command.with_ne(decode_extended_le(u16::from_be_bytes([*hi, *lo])))),
        [_] => Err(Error::new(ErrorKind::InvalidLength, le_at)),
        _ => Err(Error::new(ErrorKind::TrailingData, le_at + 2)),
    }
}

/// Short Le: `00` means 256.
const fn decode_short_le(le: u8) -> u32 {
    if le == 0 { 256 } else { le as u32 }
}

/// Extended Le: `0000` means 65 536.
const fn decode_extended_le(le: u16) -> u32 {
    if le == 0 { 65_536 } else { le as u32 }
}

/// Short Le for Ne in 1..=256: 256 is `00` (the truncation is the encoding).
const fn short_le(ne: u32) -> u8 {
    (ne & 0xFF) as u8
}

/// Extended Le for Ne in 1..=65 536: 65 536 is `0000` (the truncation is the encoding).
const fn extended_le(ne: u32) -> [u8; 2] {
    ((ne & 0xFFFF) as u16).to_be_bytes()
}

/// Sequential writer into a buffer already checked to be exactly long enough.
struct Cursor<'b> {
    out: &'b mut [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        if let Some(dst) = self.out.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }
}

/// An owned command APDU (ISO/IEC 7816-4 §5.1); see [`CommandView`] for the
/// borrowed form and the encoding rules.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Command {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
    ne: u32,
    force_extended: bool,
}

impl Command {
    /// A case 1 command `CLA INS P1 P2`: no data, no Le.
    pub const fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self { cla, ins, p1, p2, data: Vec::new(), ne: 0, force_extended: false }
    }

    /// The same command with `data` as its data field.
    #[must_use]
    pub fn with_data(self, data: impl Into<Vec<u8>>) -> Self {
        Self { data: data.into(), ..self }
    }

    /// The same command expecting up to `ne` response bytes (0 = no Le field).
    #[must_use]
    pub fn with_ne(self, ne: u32) -> Self {
        Self { ne, ..self }
    }

    /// The same command with another class byte.
    #[must_use]
    pub fn with_cla(self, cla: u8) -> Self {
        Self { cla, ..self }
    }

    /// The same command, forced into the extended form or not (see
    /// [`CommandView::with_extended`]).
    #[must_use]
    pub fn with_extended(self, force: bool) -> Self {
        Self { force_extended: force, ..self }
    }

    /// The borrowed view of this command.
    pub fn as_view(&self) -> CommandView<'_> {
        CommandView {
            cla: self.cla,
            ins: self.ins,
            p1: self.p1,
            p2: self.p2,
            data: &self.data,
            ne: self.ne,
            force_extended: self.force_extended,
        }
    }

    /// The class byte CLA.
    pub const fn cla(&self) -> u8 {
        self.cla
    }

    /// The instruction byte INS.
    pub const fn ins(&self) -> u8 {
        self.ins
    }

    /// Parameter byte P1.
    pub const fn p1(&self) -> u8 {
        self.p1
    }

    /// Parameter byte P2.
    pub const fn p2(&self) -> u8 {
        self.p2
    }

    /// The command data field.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the data field out of the command.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Ne; 0 if there is no Le field.
    pub const fn ne(&self) -> u32 {
        self.ne
    }

    /// The header `CLA INS P1 P2`.
    pub const fn header(&self) -> [u8; 4] {
        [self.cla, self.ins, self.p1, self.p2]
    }

    /// See [`CommandView::is_extended`].
    pub fn is_extended(&self) -> bool {
        self.as_view().is_extended()
    }

    /// See [`CommandView::case`].
    pub fn case(&self) -> Case {
        self.as_view().case()
    }

    /// See [`CommandView::encoded_len`].
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::encoded_len`].
    pub fn encoded_len(&self) -> Result<usize, Error> {
        self.as_view().encoded_len()
    }

    /// See [`CommandView::encode_into`].
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::encode_into`].
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.as_view().encode_into(buf)
    }

    /// See [`CommandView::to_vec`].
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::encoded_len`].
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        self.as_view().to_vec()
    }

    /// Parses one complete command APDU (see [`CommandView::parse`]) and copies it.
    ///
    /// # Errors
    ///
    /// Those of [`CommandView::parse`].
    pub fn parse(bytes: &[u8]) -> Result<Command, Error> {
        CommandView::parse(bytes).map(Command::from)
    }
}

impl From<CommandView<'_>> for Command {
    fn from(view: CommandView<'_>) -> Self {
        Self {
            cla: view.cla,
            ins: view.ins,
            p1: view.p1,
            p2: view.p2,
            data: view.data.to_vec(),
            ne: view.ne,
            force_extended: view.force_extended,
        }
    }
}

impl From<&CommandView<'_>> for Command {
    fn from(view: &CommandView<'_>) -> Self {
        Command::from(*view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_writes_sequentially() {
        let mut buf = [0u8; 4];
        let mut w = Cursor { out: &mut buf, pos: 0 };
        w.put(&[1, 2]);
        w.put(&[3, 4]);
        assert_eq!(w.pos, 4);
        assert_eq!(buf, [1, 2, 3, 4]);
    }
}
