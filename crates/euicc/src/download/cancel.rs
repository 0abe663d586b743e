//! Cancelling an RSP session on both sides (SGP.22 §3.1.3 "Cancel Session", ES10b.CancelSession
//! §5.7.14, ES9+.CancelSession §5.6.5).

use oxicard_apdu::card::CardChannel;
use oxicard_transport::ErrorChain;

use crate::es9::{
    self, HttpClient, HttpError, HttpRequest, HttpResponse, RspClient, RspConfig, RspFunction, TransactionId,
    decode_answer,
};
use crate::es10::{self, CancelSessionReason, CancelSessionResponse, Message};
use crate::isdr::{Es10Error, Isdr, read_answer};
use crate::sans_io::{AwaitEs10, AwaitHttp, Step, drive};

use super::CancelReport;

/// The cancellation as a part of a sans-IO flow.
pub(crate) type CancelStep = Step<CancelEs10, CancelHttp, CancelReport>;

/// The cancellation waiting on the eUICC's CancelSession.
#[derive(Debug)]
pub(crate) struct CancelEs10 {
    address: String,
    transaction_id: TransactionId,
    reason: CancelSessionReason,
}

/// The cancellation waiting on the SM-DP+'s CancelSession.
#[derive(Debug)]
pub(crate) struct CancelHttp {
    reason: CancelSessionReason,
    euicc: CancelSessionResponse,
    request: es9::CancelSessionRequestEs9,
}

/// Starts cancelling the session `transaction_id` with `reason`: ES10b CancelSession
/// (`BF41 {80 txId, 81 reason}`), then ES9+ CancelSession to `address`.
pub(crate) fn start(
    address: &str,
    transaction_id: &TransactionId,
    reason: CancelSessionReason,
) -> CancelStep {
    tracing::info!(target: "oxicard::euicc", %transaction_id, %reason, "cancelling the RSP session");
    let request = es10::CancelSessionRequest { transaction_id: transaction_id.as_bytes().to_vec(), reason };
    let then = CancelEs10 { address: address.to_owned(), transaction_id: transaction_id.clone(), reason };
    Step::Es10(request.to_der(), then)
}

impl AwaitEs10 for CancelEs10 {
    type Http = CancelHttp;
    type Output = CancelReport;

    fn resume(self, config: &RspConfig, answer: Result<Vec<u8>, Es10Error>) -> CancelStep {
        let reason = self.reason;
        match read_answer::<es10::CancelSessionRequest>(answer) {
            Ok(answer) => {
                let request = es9::CancelSessionRequestEs9 {
                    transaction_id: self.transaction_id,
                    cancel_session_response: answer.der,
                };
                let sent = config.request(RspFunction::Es9CancelSession, &self.address, &request);
                let then = CancelHttp { reason, euicc: answer.response, request };
                match sent {
                    Ok(sent) => Step::Http(sent, then),
                    Err(error) => Step::Done(then.report(Err(error))),
                }
            }
            Err(error) => {
                tracing::warn!(target: "oxicard::euicc", "ES10b CancelSession failed: {}", ErrorChain(&error));
                Step::Done(CancelReport { reason, euicc: Err(error), server: None })
            }
        }
    }
}

impl AwaitHttp for CancelHttp {
    type Es10 = CancelEs10;
    type Output = CancelReport;

    fn resume(self, _: &RspConfig, sent: HttpRequest, answer: Result<HttpResponse, HttpError>) -> CancelStep {
        let server = decode_answer(&self.request, &sent, answer);
        Step::Done(self.report(server))
    }
}

impl CancelHttp {
    /// The report, with the SM-DP+'s answer.
    fn report(self, server: Result<(), es9::Es9Error>) -> CancelReport {
        if let Err(error) = &server {
            tracing::warn!(target: "oxicard::euicc", "ES9+ CancelSession failed: {}", ErrorChain(error));
        }
        CancelReport { reason: self.reason, euicc: Ok(self.euicc), server: Some(server) }
    }
}

/// Cancels the session `transaction_id`: ES10b CancelSession (`BF41 {80 txId, 81 reason}`) on the
/// eUICC, then ES9+ CancelSession to the SM-DP+ at `address` with the eUICC's response exactly as
/// it came (its signed `cancelSessionResponseOk`, or its error code: the CHOICE is forwarded
/// either way, as lpac does).
///
/// Nothing is sent to the SM-DP+ when the eUICC did not answer (there is no signed response to
/// forward); the report says so. The same steps a failed [`download`](super::download) and a
/// [`DownloadSession`](super::DownloadSession) take.
pub fn cancel_session<T, C>(
    isdr: &mut Isdr<T>,
    es9: &mut RspClient<C>,
    address: &str,
    transaction_id: &TransactionId,
    reason: CancelSessionReason,
) -> CancelReport
where
    T: CardChannel,
    C: HttpClient + ?Sized,
{
    drive(start(address, transaction_id, reason), es9, isdr)
}
