//! The CTL service (service `00`, client `00`): client IDs for the other services (libqmi
//! `data/qmi-service-ctl.json`).
//!
//! A client ID is allocated per service and the modem has few of them (error
//! `ClientIdsExhausted`): every one allocated must be released.

use super::cursor::Cursor;
use super::message::SERVICE_CTL;
use super::{QmiError, QmiMessage};

/// Allocate CID ("Get Client ID"): TLV `01` service (u8) → TLV `01` {service, CID}.
pub const ALLOCATE_CID: u16 = 0x0022;
/// Release CID: TLV `01` {service, CID} → TLV `01` {service, CID}.
pub const RELEASE_CID: u16 = 0x0023;
/// Sync: no TLVs.
pub const SYNC: u16 = 0x0027;

/// The TLV of Allocate CID and Release CID, in both directions.
pub const TLV_ALLOCATION_INFO: u8 = 0x01;

/// The name of a CTL message in errors.
pub fn message_name(message_id: u16) -> &'static str {
    match message_id {
        ALLOCATE_CID => "CTL Allocate CID",
        RELEASE_CID => "CTL Release CID",
        SYNC => "CTL Sync",
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
