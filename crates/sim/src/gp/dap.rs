//! DAP verification and receipts of the simulated card (GPC v2.3.1 §9.2.1, §9.3.5, §11.1.6,
//! Appendix C.3, C.5).
//!
//! - With a DAP key ([`GpCard::with_dap_key`]) the ISD has the DAP Verification privilege
//!   (GET STATUS shows it) and the Load File must carry a DAP Block naming the ISD whose
//!   signature verifies over the Load File Data Block Hash of INSTALL [for load]; the hash then
//!   is mandatory. A missing block, a missing hash, a hash weaker than the scheme allows
//!   (Table C-3) or a signature that does not verify: `6982` (security status not satisfied,
//!   a general error condition of §11.1.3 — the LOAD errors of Table 11-60 have none for DAP).
//!   A Load File that does not decode (a DAP Block without `4F` / `C3`, no `C4`, a ciphered
//!   `D4`): `6A80`. DAP Blocks naming another security domain, or any DAP Block on a card without
//!   a DAP key, are not verified (no such security domain with the DAP Verification privilege,
//!   §9.3.5), but still need the hash.
//! - With a receipt key ([`GpCard::with_receipt_key`]) the ISD confirms the last LOAD,
//!   INSTALL [for install (and make selectable)] and DELETE [card content] with a confirmation
//!   (Table 11-13): a receipt over the confirmation data and the operation's AIDs
//!   (Tables C-11, C-12, C-15), the confirmation counter (then incremented, never wrapping) and
//!   the key diversification data as the security domain unique data; GET DATA `C2` returns the
//!   counter. (GPC v2.3.1 asks this of a security domain with the Delegated Management privilege;
//!   the simulator's ISD does it when given the key.) Without one it answers `00`.

use oxicard_apdu::StatusWord;
use oxicard_gp::dap::{DapScheme, DapVerifier, LoadFile};
use oxicard_gp::receipt::{Confirmation, ConfirmationData, ReceiptAlgorithm, ReceiptContext, ReceiptKey};
use oxicard_gp::status::Privileges;
use serde::{Deserialize, Serialize};

use super::{GpCard, SW_SECURITY, SW_WRONG_DATA};

/// The DAP Verification privilege: byte 1, b7 (GPC v2.3.1 Table 11-8).
const DAP_VERIFICATION: u8 = 0x40;

/// What the ISD verifies and confirms, kept with the card's persistent state.
#[derive(Clone, Debug, Default)]
pub(super) struct ContentSecurity {
    dap: Option<DapVerifier>,
    receipt: Option<(ReceiptKey, u16)>,
}

impl ContentSecurity {
    /// The Load File Data Block of the reassembled LOAD data, once its DAP Blocks are checked
    /// against the LFDBH of INSTALL [for load] (see the [module documentation](self)).
    pub(super) fn check_load_file<'a>(
        &self,
        isd_aid: &[u8],
        lfdbh: &[u8],
        load_file: &'a [u8],
    ) -> Result<&'a [u8], StatusWord> {
        let parsed = LoadFile::decode(load_file).map_err(|_| SW_WRONG_DATA)?;
        if !parsed.dap_blocks.is_empty() && lfdbh.is_empty() {
            return Err(SW_SECURITY);
        }
        if let Some(verifier) = &self.dap {
            let block = parsed.dap_block_for(isd_aid).ok_or(SW_SECURITY)?;
            verifier.verify(lfdbh, &block.signature).map_err(|_| SW_SECURITY)?;
        }
        Ok(parsed.data_block)
    }

    /// The response data confirming a successful operation: a confirmation with its receipt
    /// when there is a receipt key, else `00`.
    pub(super) fn confirm(&mut self, kdd: &[u8], context: ReceiptContext<'_>) -> Vec<u8> {
        let Some((key, counter)) = self.receipt.as_mut() else { return std::vec![0x00] };
        let data = ConfirmationData { counter: *counter, sd_unique_data: kdd.to_vec(), ..Default::default() };
        let Ok(receipt) = key.receipt(&data, &context) else { return std::vec![0x00] };
        match (Confirmation { receipt, data }).to_response() {
            Ok(response) => {
                *counter = counter.saturating_add(1);
                response
            }
            Err(_) => std::vec![0x00],
        }
    }

    /// The ISD's privileges: `base`, with DAP Verification when there is a DAP key.
    pub(super) fn isd_privileges(&self, base: Privileges) -> Privileges {
        let [a, b, c] = base.to_bytes();
        let a = if self.dap.is_some() { a | DAP_VERIFICATION } else { a };
        Privileges::from_bytes([a, b, c])
    }

    /// GET DATA `C2`: the confirmation counter (GPC v2.3.1 §11.3.2.1), with a receipt key.
    pub(super) fn confirmation_counter_object(&self) -> Option<Vec<u8>> {
        let (_, counter) = self.receipt.as_ref()?;
        let [hi, lo] = counter.to_be_bytes();
        Some(std::vec![0xC2, 0x02, hi, lo])
    }

    /// The state file's fields.
    pub(super) fn to_file(&self) -> (Option<DapKeyFile>, Option<ReceiptKeyFile>) {
        let dap = self.dap.as_ref().map(|v| DapKeyFile { pem: v.to_pem(), scheme: v.scheme().name().into() });
        let receipt = self.receipt.as_ref().map(|(key, counter)| ReceiptKeyFile {
            algorithm: match key.algorithm() {
                ReceiptAlgorithm::Des => "des".into(),
                _ => "aes".into(),
            },
            key: hex::encode_upper(key.as_bytes()),
            counter: *counter,
        });
        (dap, receipt)
    }

    /// From the state file's fields; the error names what is wrong.
    pub(super) fn from_file(
        dap: Option<&DapKeyFile>,
        receipt: Option<&ReceiptKeyFile>,
    ) -> Result<Self, String> {
        let dap = match dap {
            None => None,
            Some(file) => {
                let scheme = DapScheme::from_name(&file.scheme)
                    .ok_or_else(|| format!("dapKey.scheme: unknown scheme {:?}", file.scheme))?;
                let verifier = DapVerifier::from_pem(&file.pem).map_err(|e| format!("dapKey.pem: {e}"))?;
                Some(verifier.with_scheme(scheme).map_err(|e| format!("dapKey.scheme: {e}"))?)
            }
        };
        let receipt = match receipt {
            None => None,
            Some(file) => {
                let bytes = zeroize::Zeroizing::new(
                    hex::decode(&file.key).map_err(|_| "receiptKey.key: not hex".to_owned())?,
                );
                let key = match file.algorithm.as_str() {
                    "aes" => ReceiptKey::aes(&bytes),
                    "des" => ReceiptKey::des(&bytes),
                    other => return Err(format!("receiptKey.algorithm: {other:?} is not aes or des")),
                }
                .map_err(|e| format!("receiptKey.key: {e}"))?;
                Some((key, file.counter))
            }
        };
        Ok(Self { dap, receipt })
    }
}

/// The DAP key in the state file: its public key PEM and scheme name.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct DapKeyFile {
    pem: String,
    scheme: String,
}

/// The receipt key in the state file: `aes` or `des`, the key in hex, the confirmation counter.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ReceiptKeyFile {
    algorithm: String,
    key: String,
    counter: u16,
}

impl GpCard {
    /// The same card whose ISD has the DAP Verification privilege with the verification key
    /// `key` (GPC v2.3.1 Appendix C.1.2): LOAD then needs a DAP Block naming the ISD that
    /// verifies (see the `dap.rs` rules in the module documentation).
    pub fn with_dap_key(mut self, key: DapVerifier) -> Self {
        self.content.dap = Some(key);
        self
    }

    /// The same card confirming LOAD, INSTALL and DELETE with receipts under `key`, the
    /// confirmation counter starting at 0 (GPC v2.3.1 Appendix C.5).
    pub fn with_receipt_key(mut self, key: ReceiptKey) -> Self {
        self.content.receipt = Some((key, 0));
        self
    }

    /// The DAP verification key, if the ISD has one.
    pub fn dap_key(&self) -> Option<&DapVerifier> {
        self.content.dap.as_ref()
    }

    /// The confirmation counter, if the ISD generates receipts.
    pub fn confirmation_counter(&self) -> Option<u16> {
        self.content.receipt.as_ref().map(|(_, counter)| *counter)
    }
}
