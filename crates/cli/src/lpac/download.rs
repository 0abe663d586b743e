//! `lpac profile download` (lpac `src/applet/profile/download.c`): lpac's options and its
//! reading of the activation code, a progress line as each step starts (its data the SM-DP+
//! address), the offered profile as `es8p_meatadata_parse` (lpac's spelling), `-p`'s
//! `preview` question, and on any failure the two cancel-session lines before the error.

use std::io::Read as _;

use oxicard_euicc::activation::{ActivationCode, ConfirmationCode};
use oxicard_euicc::download::{
    Consent, DownloadError, DownloadErrorKind, DownloadHandler, DownloadRequest, DownloadStep, ProfileOffer,
    Progress, download,
};
use oxicard_euicc::es10::{BppCommandId, ErrorReason};

use super::json::{self, Json};
use super::{Euicc, Failed, Outcome, getopt, shapes, status};
use crate::parse::device_info;

/// lpac's `-h` text.
const HELP: &str = "Usage: download [OPTIONS]\n\t -s SM-DP+ Domain\n\t -m Matching ID\n\t -i IMEI\n\t -c Confirmation Code (Password)\n\t -a Activation Code (e.g: 'LPA:***')\n\t -p Interactive preview profile\n\t -h This help info";

/// What the command line asks for.
#[derive(Debug, Default)]
struct Options {
    smdp: Option<String>,
    matching_id: Option<String>,
    imei: Option<String>,
    confirmation_code: Option<String>,
    preview: bool,
}

/// A failure before any session: the SM-DP+ address known by then, lpac's function name and
/// detail.
type Early = (Option<String>, &'static str, &'static str);

/// The options of `args`, the activation code read as lpac reads it (SGP.22 §4.1 fields split
/// at `$`, empty fields kept): format `1` (or empty), the SM-DP+ address, the MatchingID (letters,
/// digits and `-` only), the OID (ignored), the confirmation-code flag (`1` or empty: `-c` is
/// needed).
fn options(parsed: &getopt::Parsed) -> Result<Options, Early> {
    let mut options = Options::default();
    let mut code = None;
    for (letter, value) in &parsed.options {
        let value = value.clone();
        match letter {
            's' => options.smdp = value,
            'm' => options.matching_id = value,
            'i' => options.imei = value,
            'c' => options.confirmation_code = value,
            'a' => code = value,
            'p' => options.preview = true,
            _ => {}
        }
    }
    let Some(code) = code else { return Ok(options) };
    let code = match code.split_at_checked(4) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("LPA:") => rest.to_owned(),
        _ => code,
    };
    for (index, field) in code.split('$').enumerate() {
        // lpac: `strncmp(field, "1", strlen(field)) == 0`, true for "" and "1".
        let one_or_empty = field.is_empty() || field == "1";
        match index {
            0 if !one_or_empty => return Err((options.smdp, "activation_code", "invalid")),
            1 => options.smdp = Some(field.to_owned()),
            2 => {
                if !field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    let detail = "invalid format, contains character not alphanumeric or dash";
                    return Err((options.smdp, "matching_id", detail));
                }
                options.matching_id = Some(field.to_owned());
            }
            4 if one_or_empty && options.confirmation_code.is_none() => {
                return Err((options.smdp, "confirmation_code", "required"));
            }
            _ => {}
        }
    }
    Ok(options)
}

/// `profile download [-s SMDP] [-m ID] [-i IMEI] [-c CODE] [-a CODE] [-p]`.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let parsed = super::options("download", args, "s:m:i:c:a:ph?", HELP)?;
    let options = match options(&parsed) {
        Ok(options) => options,
        Err((smdp, function, detail)) => return Err(cancelled_then(smdp.as_deref(), function, detail)),
    };
    let smdp = match options.smdp.clone() {
        Some(smdp) => smdp,
        None => {
            json::progress("es10a_get_euicc_configured_addresses", Json::Null);
            match euicc.configured_addresses() {
                Ok(addresses) => addresses.default_dp_address.unwrap_or_default(),
                Err(_) => return Err(cancelled_then(None, "es10a_get_euicc_configured_addresses", "")),
            }
        }
    };
    if smdp.is_empty() {
        return Err(cancelled_then(None, "smdp", "empty"));
    }
    let Ok(code) = ActivationCode::new(&smdp, options.matching_id.as_deref().unwrap_or_default()) else {
        return Err(cancelled_then(Some(&smdp), "es9p_initiate_authentication", "HTTP transport failed"));
    };
    let Ok(device) = device_info(options.imei.as_deref()) else {
        return Err(cancelled_then(Some(&smdp), "es10b_authenticate_server", ""));
    };
    let mut request = DownloadRequest::new(&code, device);
    if let Some(cc) = options.confirmation_code.as_ref().filter(|c| !c.is_empty()) {
        request = request.with_confirmation_code(ConfirmationCode::new(cc.clone()));
    }
    let mut es9 = match super::es9_client() {
        Ok(client) => client,
        Err(_) => {
            return Err(cancelled_then(Some(&smdp), "es9p_initiate_authentication", "HTTP transport failed"));
        }
    };
    let mut handler = Handler {
        smdp: &smdp,
        preview: options.preview,
        has_code: request.confirmation_code.is_some(),
        last: None,
        refused: None,
    };
    match download(euicc, &mut es9, &request, &mut handler) {
        Ok(result) => {
            let seq = result.installation_result.data().notification_metadata.seq_number;
            json::success(result_json(seq, None));
            Ok(())
        }
        Err(error) => Err(failed(&smdp, &error, handler.refused)),
    }
}

/// lpac's error path: the cancel-session lines (data: the SM-DP+ address, `null` before one is
/// known), then the error line.
fn cancelled_then(smdp: Option<&str>, function: &str, detail: &str) -> Failed {
    let address = Json::string_or_null(smdp);
    json::progress("es10b_cancel_session", address.clone());
    json::progress("es9p_cancel_session", address);
    super::fail(function, detail)
}

/// lpac's names of the BPP command and error reason (`euicc/tostr.c`).
fn bpp_command_name(command: Option<BppCommandId>) -> &'static str {
    match command.map(BppCommandId::code) {
        Some(0) => "initialise_secure_channel",
        Some(1) => "configure_isdp",
        Some(2) => "store_metadata",
        Some(3) => "store_metadata2",
        Some(4) => "replace_session_keys",
        Some(5) => "load_profile_elements",
        _ => "unknown",
    }
}

fn error_reason_name(reason: Option<ErrorReason>) -> &'static str {
    match reason.map(ErrorReason::code) {
        Some(1) => "incorrect_input_values",
        Some(2) => "invalid_signature",
        Some(3) => "invalid_transaction_id",
        Some(4) => "unsupported_crt_values",
        Some(5) => "unsupported_remote_operation_type",
        Some(6) => "unsupported_profile_class",
        Some(7) => "scp03t_structure_error",
        Some(8) => "scp03t_security_error",
        Some(9) => "install_failed_due_to_iccid_already_exists_on_euicc",
        Some(10) => "install_failed_due_to_insufficient_memory_for_profile",
        Some(11) => "install_failed_due_to_interruption",
        Some(12) => "install_failed_due_to_pe_processing_error",
        Some(13) => "install_failed_due_to_data_mismatch",
        Some(14) => "test_profile_install_failed_due_to_invalid_naa_key",
        Some(15) => "ppr_not_allowed",
        Some(127) => "install_failed_due_to_unknown_error",
        _ => "unknown",
    }
}

/// `{seqNumber, bppCommandId, errorReason}` (lpac `build_download_result_json`; a success has
/// neither command nor reason: `unknown`).
fn result_json(seq: u64, error: Option<(BppCommandId, ErrorReason)>) -> Json {
    Json::Object(vec![
        ("seqNumber", Json::uint(seq)),
        ("bppCommandId", Json::Str(bpp_command_name(error.map(|e| e.0)).into())),
        ("errorReason", Json::Str(error_reason_name(error.map(|e| e.1)).into())),
    ])
}

/// A failed download as lpac reports it.
fn failed(smdp: &str, error: &DownloadError, refused: Option<(&'static str, &'static str)>) -> Failed {
    if let Some((function, detail)) = refused {
        return cancelled_then(Some(smdp), function, detail);
    }
    let function = crate::error::step_function(error.step);
    match &error.kind {
        DownloadErrorKind::Installation(installation) => {
            let pair = (installation.command, installation.reason);
            let seq = error.installation.as_ref().and_then(|c| c.seq_number).unwrap_or(0);
            json::progress("es10b_load_bound_profile_package:result", result_json(seq, Some(pair)));
            let detail = format!("{},{}", bpp_command_name(Some(pair.0)), error_reason_name(Some(pair.1)));
            cancelled_then(Some(smdp), "es10b_load_bound_profile_package", &detail)
        }
        DownloadErrorKind::Server(server) => cancelled_then(Some(smdp), function, &status::message(server)),
        _ => cancelled_then(Some(smdp), function, ""),
    }
}

/// Progress and consent as lpac prints and asks them.
struct Handler<'s> {
    smdp: &'s str,
    preview: bool,
    has_code: bool,
    /// The last progress message printed (GetEUICCInfo1 and GetEUICCChallenge are one line).
    last: Option<&'static str>,
    /// Why consent was refused, when it was lpac's decision rather than the user's.
    refused: Option<(&'static str, &'static str)>,
}

impl DownloadHandler for Handler<'_> {
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
        if let Some(metadata) = &offer.metadata {
            json::progress("es8p_meatadata_parse", shapes::metadata(metadata));
            if self.preview {
                json::progress("preview", Json::Str("y/n".into()));
                let mut byte = [0u8; 1];
                let answer = std::io::stdin().read(&mut byte).ok().filter(|&n| n == 1).map(|_| byte[0]);
                if !matches!(answer, Some(b'y' | b'Y')) {
                    self.refused = Some(("cancelled", ""));
                    return Consent::refuse();
                }
            }
        }
        if offer.confirmation_code_required && !self.has_code {
            // lpac does not send PrepareDownload without the code it needs.
            self.refused = Some(("es10b_prepare_download", ""));
            return Consent::refuse();
        }
        Consent::Accept(None)
    }

    fn progress(&mut self, progress: &Progress) {
        if matches!(progress.step, DownloadStep::Consent | DownloadStep::HandleNotification) {
            return;
        }
        let message = crate::error::step_function(progress.step);
        if self.last != Some(message) {
            self.last = Some(message);
            json::progress(message, Json::Str(self.smdp.to_owned()));
        }
    }
}
