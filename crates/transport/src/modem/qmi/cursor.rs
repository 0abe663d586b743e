//! Reading the fields of a TLV value in order, each read checked against what is left.

/// The unread rest of a TLV value.
pub(crate) struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(value: &'a [u8]) -> Self {
        Self { rest: value }
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(head)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        Some(*head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[byte]| byte)
    }

    pub(crate) fn u16_le(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32_le(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// A byte array after a one-byte length (libqmi `"size-prefix-format" : "guint8"`).
    pub(crate) fn u8_prefixed(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.bytes(usize::from(len))
    }

    /// A byte array after a LE16 length (libqmi `"size-prefix-format" : "guint16"`).
    pub(crate) fn u16_prefixed(&mut self) -> Option<&'a [u8]> {
        let len = self.u16_le()?;
        self.bytes(usize::from(len))
    }

    /// Whether everything was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// `value` after a one-byte length; `None` beyond 255 bytes.
pub(crate) fn u8_prefixed(value: &[u8]) -> Option<Vec<u8>> {
    let len = u8::try_from(value.len()).ok()?;
    let mut out = Vec::with_capacity(1 + value.len());
    out.push(len);
    out.extend_from_slice(value);
    Some(out)
}

/// `value` after a LE16 length; `None` beyond 65 535 bytes.
pub(crate) fn u16_prefixed(value: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(value.len()).ok()?;
    let mut out = Vec::with_capacity(2 + value.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(value);
    Some(out)
}
