//! `profile download`: the activation code of the arguments, consent (prompt or `--yes`), and
//! the download (SGP.22 §3.1.3) with a progress bar or lpac's JSON progress events.

use std::io::IsTerminal as _;

use oxicard_euicc::activation::{AcField, ActivationCode, ActivationCodeError, ConfirmationCode};
use oxicard_euicc::download::{DownloadRequest, download};

use crate::backend::with_isdr;
use crate::cli::{DownloadArgs, Global};
use crate::download_handler::{CliHandler, result_data};
use crate::error::CliError;
use crate::net::es9_client;
use crate::output::{Out, printable};
use crate::parse::device_info;

/// The activation code of the arguments. A MatchingID outside SGP.22 §4.1.1's character set is
/// taken as given, with a warning on stderr (also under `--json`); a refused `--address` or
/// `--matching-id` is a usage error naming that option.
fn activation_code(args: &DownloadArgs) -> Result<ActivationCode, CliError> {
    let (code, from_options) = match (args.code.as_ref().or(args.activation_code.as_ref()), &args.address) {
        (Some(code), _) => (code.parse::<ActivationCode>()?, false),
        (None, Some(address)) => {
            let matching_id = args.matching_id.as_deref().unwrap_or("");
            let code = ActivationCode::new(address, matching_id)
                .map_err(|e| option_error(&e, address, matching_id))?;
            (code, true)
        }
        (None, None) => {
            return Err(CliError::Usage(
                "profile download: give an activation code (LPA:1$ADDRESS$MATCHING-ID) or --address".into(),
            ));
        }
    };
    for warning in code.warnings() {
        let text = match warning.field() {
            AcField::MatchingId if from_options => {
                format!("--matching-id {:?}: {}", code.matching_id(), warning.reason())
            }
            _ => warning.to_string(),
        };
        eprintln!("oxicard: warning: {}", printable(&text));
    }
    Ok(code)
}

/// The usage error of `--address A --matching-id M` that [`ActivationCode::new`] refused,
/// naming the option.
fn option_error(error: &ActivationCodeError, address: &str, matching_id: &str) -> CliError {
    let reason = match error {
        ActivationCodeError::InvalidField { reason, .. } => reason.clone(),
        other => other.to_string(),
    };
    match error.field() {
        Some(AcField::MatchingId) => CliError::Usage(format!("--matching-id {matching_id:?}: {reason}")),
        Some(AcField::SmdpAddress) => CliError::Usage(format!("--address {address:?}: {reason}")),
        _ => CliError::Usage(format!("--address/--matching-id: {error}")),
    }
}

/// The download request of the arguments.
fn request(args: &DownloadArgs) -> Result<DownloadRequest, CliError> {
    let code = activation_code(args)?;
    let device = device_info(args.imei.as_deref())?;
    let mut request = DownloadRequest::new(&code, device);
    if let Some(cc) = &args.confirmation_code {
        request = request.with_confirmation_code(ConfirmationCode::new(cc.clone()));
    }
    Ok(request)
}

/// `profile download`.
pub(crate) fn run(g: &Global, out: &Out, args: &DownloadArgs) -> Result<(), CliError> {
    let request = request(args)?;
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "profile download needs consent: stdin is not a terminal, pass --yes to accept the offered profile"
                .into(),
        ));
    }
    let mut es9 = es9_client(&args.net)?;
    let mut handler = CliHandler::new(out, args.yes);
    let result =
        with_isdr(g, |isdr| download(isdr, &mut es9, &request, &mut handler).map_err(CliError::Download));
    handler.finish(result.is_ok());
    let (data, text) = result_data(&result?);
    out.success(data, &text);
    Ok(())
}
