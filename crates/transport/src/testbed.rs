//! A PC/SC test bed without hardware: the `vsmartcard-vpcd` virtual readers of a
//! running `pcscd`, with a [`CardSimulator`] of yours inserted as the card.
//!
//! A test double: compiled with the features `test-util` and `pcsc` only, which tests enable
//! through their dev-dependency (`features = ["test-util", "pcsc"]`).
//!
//! ```text
//! your code -> PcscCard -> libpcsclite -> pcscd -> vpcd driver --TCP--> VirtualCard(simulator)
//! ```
//!
//! `scripts/pcsc-stack.sh start` (in the oxicard repository) starts such a `pcscd`. The
//! driver offers two slots: `Virtual PCD 00 00` (the card connects to port 35963) and
//! `Virtual PCD 00 01` (port 35964). A slot holds one card at a time, so
//! [`VirtualReader::open`] takes a process-wide lock on its slot, and
//! [`VirtualReader::insert`] waits until `pcscd` has noticed that the previous card is
//! gone before the next one connects (otherwise the first exchange with the new card
//! fails with `SCARD_E_NOT_TRANSACTED`).

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::pcsc::{ConnectOptions, PcscCard, PcscContext};
use crate::sim::CardSimulator;
use crate::vpcd::{DEFAULT_PORT, VirtualCard};
use crate::{ErrorKind, TransportError};

/// How long to wait for `pcscd` to see a card arrive or leave.
const PRESENCE_TIMEOUT: Duration = Duration::from_secs(10);

/// Number of slots of the vpcd driver.
pub const SLOTS: u8 = 2;

/// One lock per slot: one card session per slot and process at a time.
static SLOT_LOCKS: [Mutex<()>; SLOTS as usize] = [Mutex::new(()), Mutex::new(())];

/// Exclusive use of one vpcd slot of the running `pcscd`.
pub struct VirtualReader {
    context: PcscContext,
    name: String,
    port: u16,
    _lock: MutexGuard<'static, ()>,
}

impl VirtualReader {
    /// Takes slot `slot` (0 or 1), waiting for other users in this process to release it.
    ///
    /// Fails with [`ErrorKind::NoService`] when no `pcscd` runs and with
    /// [`ErrorKind::NoReader`] when it runs without the vpcd readers.
    pub fn open(slot: u8) -> Result<Self, TransportError> {
        let lock = SLOT_LOCKS
            .get(usize::from(slot))
            .ok_or_else(|| {
                TransportError::new(ErrorKind::NoReader).with_detail(format!("vpcd has no slot {slot}"))
            })?
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let context = PcscContext::establish()?;
        let name = format!("Virtual PCD 00 {slot:02}");
        if !context.list_readers()?.contains(&name) {
            return Err(TransportError::new(ErrorKind::NoReader)
                .with_detail(format!("pcscd runs without the reader {name:?} (vsmartcard-vpcd)")));
        }
        Ok(Self { context, name, port: DEFAULT_PORT + u16::from(slot), _lock: lock })
    }

    /// Slot `slot` for a test: `Ok(None)` when the PC/SC stack or the vpcd readers are missing
    /// (the reason goes to stderr, the test skips), except under `CI=true`, where the error is
    /// returned so that the test fails instead of passing without having run.
    pub fn open_for_test(slot: u8) -> Result<Option<Self>, TransportError> {
        match Self::open(slot) {
            Ok(reader) => Ok(Some(reader)),
            Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
                eprintln!("skipped: no PC/SC stack with vpcd ({err}); run scripts/pcsc-stack.sh start");
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// The PC/SC name of the reader, e.g. `Virtual PCD 00 00`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The TCP port on which the vpcd driver waits for this slot's card.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PC/SC context the reader was found with.
    pub fn context(&self) -> &PcscContext {
        &self.context
    }

    /// Inserts `card`: waits until the slot is empty, connects the simulator to the
    /// driver and waits until `pcscd` reports the card present.
    pub fn insert<S: CardSimulator + 'static>(&self, card: S) -> Result<VirtualCard<S>, TransportError> {
        self.context.wait_for_empty(&self.name, PRESENCE_TIMEOUT)?;
        let card = VirtualCard::spawn(card, self.port)?;
        self.context.wait_for_card(&self.name, PRESENCE_TIMEOUT)?;
        Ok(card)
    }

    /// Removes `card` and waits until `pcscd` has noticed; returns the simulator.
    pub fn remove<S: CardSimulator + 'static>(&self, card: VirtualCard<S>) -> Result<S, TransportError> {
        let simulator = card.remove()?;
        self.context.wait_for_empty(&self.name, PRESENCE_TIMEOUT)?;
        Ok(simulator)
    }

    /// Connects to the card in this reader.
    pub fn connect(&self, options: &ConnectOptions) -> Result<PcscCard, TransportError> {
        self.context.connect(&self.name, options)
    }
}

impl core::fmt::Debug for VirtualReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualReader").field("name", &self.name).field("port", &self.port).finish()
    }
}
