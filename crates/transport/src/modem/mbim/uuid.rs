//! Service UUIDs. MBIM sends a UUID as its 16 bytes in the order they are written
//! (`C2F6588E-F037-…` goes out as `C2 F6 58 8E F0 37 …`), not in the mixed-endian GUID layout:
//! libmbim `src/libmbim-glib/mbim-uuid.c` (the `MbimUuid` constants), and the service id bytes of
//! the libmbim test vectors (`test-message-builder.c`, `test-message-parser.c`).

use std::fmt;

/// A service UUID, as its bytes on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// Basic Connect, `A289CC33-BCBB-8B4F-B6B0-133EC2AAE6DF` (USB MBIM 1.0 §10.1; libmbim
    /// `mbim-uuid.c` `uuid_basic_connect`).
    pub const BASIC_CONNECT: Uuid = Uuid([
        0xA2, 0x89, 0xCC, 0x33, 0xBC, 0xBB, 0x8B, 0x4F, 0xB6, 0xB0, 0x13, 0x3E, 0xC2, 0xAA, 0xE6, 0xDF,
    ]);

    /// Microsoft Basic Connect Extensions, `3D01DCC5-FEF5-4D05-0D3A-BEF7058E9AAF` (libmbim
    /// `mbim-uuid.c` `uuid_ms_basic_connect_extensions`).
    pub const MS_BASIC_CONNECT_EXTENSIONS: Uuid = Uuid([
        0x3D, 0x01, 0xDC, 0xC5, 0xFE, 0xF5, 0x4D, 0x05, 0x0D, 0x3A, 0xBE, 0xF7, 0x05, 0x8E, 0x9A, 0xAF,
    ]);

    /// Microsoft Low-Level UICC Access, `C2F6588E-F037-4BC9-8665-F4D44BD09367` (Microsoft, "MB low
    /// level UICC access", `UUID_MS_UICC_LOW_LEVEL`; libmbim `mbim-uuid.c`
    /// `uuid_ms_uicc_low_level_access`).
    pub const MS_UICC_LOW_LEVEL_ACCESS: Uuid = Uuid([
        0xC2, 0xF6, 0x58, 0x8E, 0xF0, 0x37, 0x4B, 0xC9, 0x86, 0x65, 0xF4, 0xD4, 0x4B, 0xD0, 0x93, 0x67,
    ]);

    /// libmbim's Proxy Control, `838CF7FB-8D0D-4D7F-871E-D71DBEFBB39B`: no modem service, the
    /// messages a client exchanges with ModemManager's `mbim-proxy` (libmbim
    /// `data/mbim-service-proxy-control.json`, `mbim-uuid.c` `uuid_proxy_control`).
    pub const PROXY_CONTROL: Uuid = Uuid([
        0x83, 0x8C, 0xF7, 0xFB, 0x8D, 0x0D, 0x4D, 0x7F, 0x87, 0x1E, 0xD7, 0x1D, 0xBE, 0xFB, 0xB3, 0x9B,
    ]);

    /// The name of a service this crate speaks, if it is one.
    pub fn service_name(&self) -> Option<&'static str> {
        match *self {
            Self::BASIC_CONNECT => Some("Basic Connect"),
            Self::MS_BASIC_CONNECT_EXTENSIONS => Some("MS Basic Connect Extensions"),
            Self::MS_UICC_LOW_LEVEL_ACCESS => Some("MS UICC Low Level Access"),
            Self::PROXY_CONTROL => Some("Proxy Control"),
            _ => None,
        }
    }
}

/// The canonical form, `C2F6588E-F037-4BC9-8665-F4D44BD09367`.
impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, byte) in self.0.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.service_name() {
            Some(name) => write!(f, "Uuid({self}, {name})"),
            None => write!(f, "Uuid({self})"),
        }
    }
}
