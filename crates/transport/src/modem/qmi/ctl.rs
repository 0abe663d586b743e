//! The CTL service (service `00`, client `00`): client IDs for the other services (libqmi
//! `data/qmi-service-ctl.json`).
//!
//! A client ID is allocated per service and the modem has few of them (error
//! `ClientIdsExhausted`): every one allocated must be released.
//!
//! [`internal_proxy_open`] is no modem message: it is the first message a client of
//! ModemManager's `qmi-proxy` sends on the proxy's socket, naming the device the proxy is to
//! open for it (libqmi `data/qmi-service-ctl.json`, "Internal Proxy Open"; sent by libqmi
//! `src/libqmi-glib/qmi-endpoint-qmux.c` `setup_proxy`).

use super::cursor::Cursor;
use super::message::SERVICE_CTL;
use super::{QmiError, QmiMessage};

/// Allocate CID ("Get Client ID"): TLV `01` service (u8) → TLV `01` {service, CID}.
pub const ALLOCATE_CID: u16 = 0x0022;
/// Release CID: TLV `01` {service, CID} → TLV `01` {service, CID}.
pub const RELEASE_CID: u16 = 0x0023;
/// Sync: no TLVs.
pub const SYNC: u16 = 0x0027;
/// Internal Proxy Open, libqmi's own CTL message to its `qmi-proxy`: TLV `01` the device path
/// → Result TLV only (libqmi `data/qmi-service-ctl.json`, id `0xFF00`).
pub const INTERNAL_PROXY_OPEN: u16 = 0xFF00;

/// The TLV of Allocate CID and Release CID, in both directions.
pub const TLV_ALLOCATION_INFO: u8 = 0x01;
/// The TLV of Internal Proxy Open: the device path, its bytes as they are, no length prefix
/// and no terminating NUL inside the value (libqmi `data/qmi-service-ctl.json`, "Device Path",
/// format `string` with no `size-prefix-format`; the 20-byte path of libqmi
/// `src/libqmi-glib/test/test-fixture.c` goes as a TLV of length `0x14`).
pub const TLV_DEVICE_PATH: u8 = 0x01;

/// The name of a CTL message in errors.
pub fn message_name(message_id: u16) -> &'static str {
    match message_id {
        ALLOCATE_CID => "CTL Allocate CID",
        RELEASE_CID => "CTL Release CID",
        SYNC => "CTL Sync",
        INTERNAL_PROXY_OPEN => "CTL Internal Proxy Open",
        _ => "CTL request",
    }
}

/// Allocate CID for `service`, transaction `transaction`.
pub fn allocate_cid(transaction: u8, service: u8) -> QmiMessage {
    QmiMessage::request(SERVICE_CTL, 0, transaction.into(), ALLOCATE_CID)
        .with_tlv(TLV_ALLOCATION_INFO, [service])
}

/// Release CID `client` of `service`.
pub fn release_cid(transaction: u8, service: u8, client: u8) -> QmiMessage {
    QmiMessage::request(SERVICE_CTL, 0, transaction.into(), RELEASE_CID)
        .with_tlv(TLV_ALLOCATION_INFO, [service, client])
}

/// Sync.
pub fn sync(transaction: u8) -> QmiMessage {
    QmiMessage::request(SERVICE_CTL, 0, transaction.into(), SYNC)
}

/// Internal Proxy Open naming `device_path` (its bytes as the proxy is to `open()` them),
/// transaction `transaction`. A path longer than a TLV can carry fails when the message is
/// encoded ([`QmiError::TooLong`]).
pub fn internal_proxy_open(transaction: u8, device_path: &[u8]) -> QmiMessage {
    QmiMessage::request(SERVICE_CTL, 0, transaction.into(), INTERNAL_PROXY_OPEN)
        .with_tlv(TLV_DEVICE_PATH, device_path)
}

/// The {service, CID} pair of an Allocate CID or Release CID response.
///
/// # Errors
///
/// [`QmiError::MissingTlv`] / [`QmiError::InvalidTlv`] when TLV `01` is absent or not two bytes.
pub fn allocation_info(response: &QmiMessage) -> Result<(u8, u8), QmiError> {
    let message = message_name(response.message_id);
    let value = response
        .tlv(TLV_ALLOCATION_INFO)
        .ok_or(QmiError::MissingTlv { message, tlv: TLV_ALLOCATION_INFO })?;
    let mut cursor = Cursor::new(value);
    match (cursor.array::<2>(), cursor.is_empty()) {
        (Some([service, client]), true) => Ok((service, client)),
        _ => Err(QmiError::InvalidTlv { message, tlv: TLV_ALLOCATION_INFO, what: "not {service, CID}" }),
    }
}
