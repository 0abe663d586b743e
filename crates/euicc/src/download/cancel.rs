//! Cancelling an RSP session on both sides (SGP.22 §3.1.3 "Cancel Session", ES10b.CancelSession
//! §5.7.14, ES9+.CancelSession §5.6.5).

use oxicard_transport::Transport;

use crate::es9::{CancelSessionRequest, Es9Client, TransactionId};
use crate::es10::CancelSessionReason;
use crate::isdr::Isdr;

use super::CancelReport;

/// Cancels the session `transaction_id`: ES10b CancelSession (`BF41 {80 txId, 81 reason}`) on the
/// eUICC, then ES9+ CancelSession to the SM-DP+ at `address` with the eUICC's response exactly as
/// it came (its signed `cancelSessionResponseOk`, or its error code: the CHOICE is forwarded
/// either way, as lpac does).
///
/// Nothing is sent to the SM-DP+ when the eUICC did not answer (there is no signed response to
/// forward); the report says so.
pub fn cancel_session<T, C>(
    isdr: &mut Isdr<'_, T>,
    es9: &mut C,
    address: &str,
    transaction_id: &TransactionId,
    reason: CancelSessionReason,
) -> CancelReport
where
    T: Transport,
    C: Es9Client + ?Sized,
{
    tracing::info!(target: "oxicard::euicc", %transaction_id, %reason, "cancelling the RSP session");
    match isdr.cancel_session(transaction_id.as_bytes(), reason) {
        Ok(answer) => {
            let request = CancelSessionRequest {
                transaction_id: transaction_id.clone(),
                cancel_session_response: answer.der,
            };
            let server = es9.cancel_session(address, &request);
            if let Err(error) = &server {
                tracing::warn!(target: "oxicard::euicc", "ES9+ CancelSession failed: {error}");
            }
            CancelReport { reason, euicc: Ok(answer.response), server: Some(server) }
        }
        Err(error) => {
            tracing::warn!(target: "oxicard::euicc", "ES10b CancelSession failed: {error}");
            CancelReport { reason, euicc: Err(error), server: None }
        }
    }
}
