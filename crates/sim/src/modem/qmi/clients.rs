//! The client IDs the simulated modem has allocated, per service (CTL Allocate CID / Release
//! CID, libqmi `data/qmi-service-ctl.json`).

use std::collections::BTreeSet;

/// The client IDs one service can have: 1 to 254 here (0 is CTL's own, `FF` is libqmi's
/// `QMI_CID_BROADCAST`).
const MAX_CLIENT: u8 = 254;

/// Allocated (service, client ID) pairs.
#[derive(Clone, Debug, Default)]
pub(super) struct ClientIds {
    allocated: BTreeSet<(u8, u8)>,
}

impl ClientIds {
    /// The lowest free client ID of `service`, now allocated; `None` when all are taken.
    pub(super) fn allocate(&mut self, service: u8) -> Option<u8> {
        let client = (1..=MAX_CLIENT).find(|client| !self.allocated.contains(&(service, *client)))?;
        self.allocated.insert((service, client));
        Some(client)
    }

    /// Releases `client` of `service`; `false` when it was not allocated.
    pub(super) fn release(&mut self, service: u8, client: u8) -> bool {
        self.allocated.remove(&(service, client))
    }

    /// Whether `client` of `service` is allocated.
    pub(super) fn is_allocated(&self, service: u8, client: u8) -> bool {
        self.allocated.contains(&(service, client))
    }

    /// How many client IDs are allocated, all services together.
    pub(super) fn len(&self) -> usize {
        self.allocated.len()
    }
}
