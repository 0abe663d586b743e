//! Test support for the flow tests: a fake eUICC ([`euicc`]), an ES9+ test double ([`smdp`]) and
//! [`Wire`], a `Transport` wrapper that records every APDU and injects faults.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod euicc;
pub mod smdp;

use std::sync::{Arc, Mutex, MutexGuard};

use oxicard_apdu::card::Card;
use oxicard_transport::sim::SimulatorTransport;
use oxicard_transport::{ErrorKind, ResetKind, Transport, TransportError};

pub use euicc::{EuiccState, FakeEuicc, lock};
pub use smdp::{Es9Fault, FakeSmdp};

use oxicard_euicc::activation::{ActivationCode, DeviceInfo};
use oxicard_euicc::download::DownloadRequest;

/// The device of the flow tests: an IMEI (hence its TAC).
pub fn device() -> DeviceInfo {
    DeviceInfo::from_imei("356938035643809".parse().unwrap())
}

/// The download of the test double's profile: `LPA:1$smdp.example.com$<MATCHING_ID>`.
pub fn download_request() -> DownloadRequest {
    let code: ActivationCode = format!("LPA:1${}${}", smdp::SMDP, smdp::MATCHING_ID).parse().unwrap();
    DownloadRequest::new(&code, device())
}

/// The ES10 requests of a command log: the concatenated data of each STORE DATA sequence.
pub fn store_data_sequences(commands: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut requests = Vec::new();
    let mut current = Vec::new();
    for c in commands.iter().filter(|c| c[1] == 0xE2) {
        current.extend_from_slice(&c[5..5 + usize::from(c[4])]);
        if c[2] == 0x91 {
            requests.push(std::mem::take(&mut current));
        }
    }
    requests
}

/// What an injected fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAction {
    /// The transport fails on the request's first block (the card never sees it).
    TransportError,
    /// The request's first block is answered with this status word (the card never sees it).
    StatusWord(u16),
    /// The card processes the request, but the response data of its last block is corrupted
    /// (truncated to half; an empty response becomes a truncated `BF37` TLV).
    CorruptResponse,
}

/// A fault on the `occurrence`-th (from 0) ES10 request whose first STORE DATA block's data
/// starts with `prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub prefix: Vec<u8>,
    pub occurrence: usize,
    pub action: FaultAction,
}

/// The APDU log and the armed faults.
#[derive(Debug, Default)]
pub struct WireLog {
    /// Every command APDU sent.
    pub commands: Vec<Vec<u8>>,
    pub faults: Vec<Fault>,
    /// How many injected faults fired.
    pub fired: usize,
    corrupt_next_last_block: bool,
}

impl WireLog {
    /// STORE DATA commands sent.
    pub fn store_data_count(&self) -> usize {
        self.commands.iter().filter(|c| c.get(1) == Some(&0xE2)).count()
    }

    /// GET RESPONSE commands sent.
    pub fn get_response_count(&self) -> usize {
        self.commands.iter().filter(|c| c.get(1) == Some(&0xC0)).count()
    }
}

/// A recording, fault-injecting transport.
pub struct Wire<T> {
    inner: T,
    log: Arc<Mutex<WireLog>>,
}

impl<T> Wire<T> {
    pub fn new(inner: T) -> (Self, Arc<Mutex<WireLog>>) {
        let log = Arc::new(Mutex::new(WireLog::default()));
        (Self { inner, log: Arc::clone(&log) }, log)
    }
}

pub fn wire(log: &Arc<Mutex<WireLog>>) -> MutexGuard<'_, WireLog> {
    log.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Transport> Transport for Wire<T> {
    fn exchange(&mut self, command: &[u8], response: &mut [u8]) -> Result<usize, TransportError> {
        let mut log = wire(&self.log);
        log.commands.push(command.to_vec());
        let store_data = command.get(1) == Some(&0xE2);
        let first_block = store_data && command.get(3) == Some(&0x00);
        let last_block = store_data && command.get(2) == Some(&0x91);
        let mut action = None;
        if first_block {
            let data = command.get(5..).unwrap_or_default();
            if let Some(index) = log.faults.iter().position(|f| data.starts_with(&f.prefix)) {
                let fault = &mut log.faults[index];
                if fault.occurrence == 0 {
                    action = Some(log.faults.remove(index).action);
                    log.fired += 1;
                } else {
                    fault.occurrence -= 1;
                }
            }
        }
        match action {
            Some(FaultAction::TransportError) => {
                return Err(TransportError::new(ErrorKind::InjectedFault).with_detail("injected by the test"));
            }
            Some(FaultAction::StatusWord(sw)) => {
                response[..2].copy_from_slice(&sw.to_be_bytes());
                return Ok(2);
            }
            Some(FaultAction::CorruptResponse) => log.corrupt_next_last_block = true,
            None => {}
        }
        let corrupt = last_block && std::mem::take(&mut log.corrupt_next_last_block);
        drop(log);
        let len = self.inner.exchange(command, response)?;
        if !corrupt {
            return Ok(len);
        }
        let sw = [response[len - 2], response[len - 1]];
        let data_len = len - 2;
        let new_data: Vec<u8> = if data_len == 0 {
            vec![0xBF, 0x37, 0x10, 0xBF, 0x27]
        } else {
            response[..data_len / 2].to_vec()
        };
        response[..new_data.len()].copy_from_slice(&new_data);
        response[new_data.len()..new_data.len() + 2].copy_from_slice(&sw);
        Ok(new_data.len() + 2)
    }

    fn atr(&self) -> &[u8] {
        self.inner.atr()
    }

    fn reset(&mut self, kind: ResetKind) -> Result<(), TransportError> {
        self.inner.reset(kind)
    }
}

/// The pieces of a flow test.
pub struct Rig {
    pub card: Card<Wire<SimulatorTransport<FakeEuicc>>>,
    pub euicc: Arc<Mutex<EuiccState>>,
    pub wire: Arc<Mutex<WireLog>>,
    pub smdp: FakeSmdp,
}

impl Rig {
    pub fn new() -> Self {
        let fake = FakeEuicc::new();
        let euicc = fake.state();
        let (transport, wire) = Wire::new(SimulatorTransport::new(fake));
        Self { card: Card::new(transport), euicc, wire, smdp: FakeSmdp::new() }
    }
}
