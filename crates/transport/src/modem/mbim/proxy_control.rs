//! libmbim's Proxy Control service: what a client says to ModemManager's `mbim-proxy` before
//! the proxy passes its messages on to a device.
//!
//! On the proxy's socket a client first sends CONFIGURATION (set) naming the device; the proxy
//! opens the device (or finds it open for another client) and answers `COMMAND_DONE` — after
//! a VERSION indication when it knows the device's MBIMEx version. Then the client sends
//! `OPEN`, which the proxy answers itself, and its commands (libmbim
//! `src/libmbim-glib/mbim-device.c` `device_open_context_step`: the proxy configuration step
//! comes before `OPEN`; `mbim-proxy.c` `process_internal_proxy_config`). A device the proxy
//! cannot open gets no answer: the proxy drops the client.
//!
//! Layout of CONFIGURATION: libmbim `data/mbim-service-proxy-control.json` (`DevicePath`, a
//! `string`; `Timeout`, a `guint32` in seconds), read back by `mbim-proxy.c` with the string's
//! (offset, size) pair at byte 0 and the timeout at byte 8; the string in UTF-16LE after the
//! 12 fixed bytes, padded to 4 bytes as libmbim's `_mbim_struct_builder_append_string` pads it.
//! damonto/wwan-go `mbim/proxy.go` `ProxyConfigRequest` builds the same fields (with a 30 s
//! timeout).

use super::error::MbimError;
use super::wire::{Fields, as_u32, pad4, push_u32};

/// Proxy Control CID 1, CONFIGURATION (set only).
pub const CID_CONFIGURATION: u32 = 1;
/// Proxy Control CID 2, VERSION (indication: the device's MBIM and MBIMEx versions).
pub const CID_VERSION: u32 = 2;

/// The fixed part of CONFIGURATION: `DevicePath` (offset, size) and `Timeout`.
const FIXED: usize = 12;
/// Where the path starts: right after the fixed part.
const PATH_OFFSET: u32 = 12;

/// The information buffer of CONFIGURATION (set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Configuration {
    /// `DevicePath`: the device the proxy is to open (`/dev/cdc-wdm0`).
    pub device_path: String,
    /// `Timeout`: how long the proxy may take to open the device, in seconds.
    pub timeout_secs: u32,
}

impl Configuration {
    /// The information buffer: offset 12 and size of the UTF-16LE path, the timeout, the path
    /// padded to 4 bytes.
    ///
    /// # Errors
    ///
    /// [`MbimError::TooLong`] for a path beyond a `u32` size.
    pub fn encode(&self) -> Result<Vec<u8>, MbimError> {
        let path: Vec<u8> = self.device_path.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let size = as_u32(path.len(), "Proxy Control CONFIGURATION DevicePath")?;
        let mut out = Vec::with_capacity(FIXED + path.len() + 3);
        // libmbim writes offset 0 for an empty string.
        push_u32(&mut out, if path.is_empty() { 0 } else { PATH_OFFSET });
        push_u32(&mut out, size);
        push_u32(&mut out, self.timeout_secs);
        out.extend_from_slice(&path);
        pad4(&mut out);
        Ok(out)
    }

    /// Reads an information buffer of CONFIGURATION (what a proxy receives).
    ///
    /// # Errors
    ///
    /// [`MbimError::Truncated`] / [`MbimError::OutOfBounds`] for a buffer whose fields or
    /// string do not fit it; [`MbimError::InvalidString`] for a path that is not UTF-16LE.
    pub fn decode(buffer: &[u8]) -> Result<Configuration, MbimError> {
        const WHAT: &str = "Proxy Control CONFIGURATION";
        let fields = Fields::new(buffer, WHAT);
        let timeout_secs = fields.u32(8)?;
        let path = fields.data(4, 0, FIXED)?;
        let (units, rest) = path.as_chunks::<2>();
        if !rest.is_empty() {
            return Err(MbimError::InvalidString { what: "Proxy Control CONFIGURATION DevicePath" });
        }
        let device_path = char::decode_utf16(units.iter().map(|unit| u16::from_le_bytes(*unit)))
            .collect::<Result<String, _>>()
            .map_err(|_| MbimError::InvalidString { what: "Proxy Control CONFIGURATION DevicePath" })?;
        Ok(Configuration { device_path, timeout_secs })
    }
}
