//! Response APDUs: a data field of Nr bytes followed by the status word SW1 SW2
//! (ISO/IEC 7816-4 §5.1, §5.6).

use alloc::vec::Vec;

use crate::error::{Error, ErrorKind};
use crate::status::StatusWord;

/// A response APDU borrowing its data field (ISO/IEC 7816-4 §5.1): `data SW1 SW2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseView<'a> {
    data: &'a [u8],
    sw: StatusWord,
}

impl<'a> ResponseView<'a> {
    /// A response of `data` and status word `sw`.
    pub const fn new(data: &'a [u8], sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits `bytes` into the data field and the trailing status word
    /// (ISO/IEC 7816-4 §5.1).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Truncated`] (offset = input length) for fewer than 2 bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(Self { data, sw: StatusWord::new(*sw1, *sw2) }),
            _ => Err(Error::new(ErrorKind::Truncated, bytes.len())),
        }
    }

    /// The response data field (may be empty).
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The status word SW1 SW2.
    pub const fn sw(&self) -> StatusWord {
        self.sw
    }

    /// The encoded length: data plus 2.
    pub const fn encoded_len(&self) -> usize {
        self.data.len() + 2
    }

    /// Writes `data SW1 SW2` to the start of `buf`; returns the number of bytes written.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BufferTooSmall`] (offset = the length needed).
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.encoded_len();
        let out = buf.get_mut(..len).ok_or(Error::new(ErrorKind::BufferTooSmall, len))?;
        let (data, sw) = out.split_at_mut(self.data.len());
        data.copy_from_slice(self.data);
        sw.copy_from_slice(&self.sw.to_bytes());
        Ok(len)
    }

    /// The encoding `data SW1 SW2` in a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }

    /// An owned copy.
    pub fn to_response(&self) -> Response {
        Response::new(self.data.to_vec(), self.sw)
    }
}

/// An owned response APDU (ISO/IEC 7816-4 §5.1): `data SW1 SW2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    data: Vec<u8>,
    sw: StatusWord,
}

impl Response {
    /// A response of `data` and status word `sw`.
    pub const fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Parses `data SW1 SW2` (see [`ResponseView::parse`]) and copies the data.
    ///
    /// # Errors
    ///
    /// Those of [`ResponseView::parse`].
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        ResponseView::parse(bytes).map(|view| view.to_response())
    }

    /// The response data field.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The status word SW1 SW2.
    pub const fn sw(&self) -> StatusWord {
        self.sw
    }

    /// Takes the data field.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The data field and the status word.
    pub fn into_parts(self) -> (Vec<u8>, StatusWord) {
        (self.data, self.sw)
    }

    /// The borrowed view.
    pub fn as_view(&self) -> ResponseView<'_> {
        ResponseView::new(&self.data, self.sw)
    }

    /// The encoded length: data plus 2.
    pub fn encoded_len(&self) -> usize {
        self.as_view().encoded_len()
    }

    /// See [`ResponseView::encode_into`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BufferTooSmall`] (offset = the length needed).
    pub fn encode_into(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.as_view().encode_into(buf)
    }

    /// The encoding `data SW1 SW2` in a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_view().to_vec()
    }
}

impl From<ResponseView<'_>> for Response {
    fn from(view: ResponseView<'_>) -> Self {
        view.to_response()
    }
}
