//! `profile download`: activation code, consent prompt, progress bar or JSON progress events.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

use indicatif::{ProgressBar, ProgressStyle};
use oxicard_euicc::activation::{
    AcField, ActivationCode, ActivationCodeError, ConfirmationCode, DeviceInfo, Imei,
};
use oxicard_euicc::download::{
    Consent, DownloadHandler, DownloadRequest, DownloadResult, DownloadStep, ProfileOffer, Progress, download,
};
use oxicard_euicc::es10::ProfileInfo;
use serde_json::{Value, json};

use crate::backend::with_isdr;
use crate::cli::{DownloadArgs, Global};
use crate::error::{CliError, step_function};
use crate::input::{MAX_ANSWER_LEN, read_answer};
use crate::json;
use crate::net::es9_client;
use crate::output::{Out, printable};

/// The default TAC sent in DeviceInfo when no IMEI is given (an example TAC, the one of the
/// oxicard-sim README flow).
const DEFAULT_TAC: &str = "35290611";

/// Consent and progress of one download on the command line.
pub(crate) struct CliHandler<'o> {
    out: &'o Out,
    yes: bool,
    bar: Option<ProgressBar>,
}

impl<'o> CliHandler<'o> {
    /// Accepts without asking when `yes`; a progress bar when stderr is a terminal (text mode).
    pub(crate) fn new(out: &'o Out, yes: bool) -> Self {
        let bar = (!out.is_json() && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(1);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg:32} [{bar:30}] {bytes}/{total_bytes}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        });
        Self { out, yes, bar }
    }

    /// Leaves the bar in its final state: complete after a success, as it stopped otherwise.
    pub(crate) fn finish(&self, ok: bool) {
        if let Some(bar) = &self.bar {
            if ok {
                bar.finish_with_message("installed");
            } else {
                bar.abandon_with_message("failed");
            }
        }
    }

    fn note(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{}", printable(text))),
            None => eprintln!("{}", printable(text)),
        }
    }

    /// Asks `prompt` on stderr and reads one line of stdin, at most [`MAX_ANSWER_LEN`] bytes;
    /// `None` at the end of input or when the line is too long or unreadable (said on stderr).
    fn ask(&self, prompt: &str) -> Option<String> {
        let read = || {
            eprint!("{}", printable(prompt));
            let _ = std::io::stderr().flush();
            read_answer(&mut std::io::stdin().lock(), MAX_ANSWER_LEN)
        };
        let answer = match &self.bar {
            Some(bar) => bar.suspend(read),
            None => read(),
        };
        answer.unwrap_or_else(|e| {
            self.note(&format!("oxicard: {e}; taken as no"));
            None
        })
    }
}

/// The offered profile, for the consent prompt.
pub(crate) fn describe(metadata: Option<&ProfileInfo>, address: &str) -> String {
    let mut t = format!("SM-DP+ {address} offers a profile:\n");
    match metadata {
        None => t.push_str("  (no metadata)\n"),
        Some(p) => {
            let row = |t: &mut String, k: &str, v: Option<String>| {
                if let Some(v) = v {
                    let _ = writeln!(t, "  {k:<18}{v}");
                }
            };
            row(&mut t, "ICCID", p.iccid.map(|i| i.to_string()));
            row(&mut t, "provider", p.service_provider_name.clone());
            row(&mut t, "name", p.profile_name.clone());
            row(&mut t, "class", p.class.map(|c| c.asn1_name().to_string()));
        }
    }
    t
}

impl DownloadHandler for CliHandler<'_> {
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
        let metadata = offer.metadata.as_ref();
        self.out.progress("es8p_metadata_parse", metadata.map_or(Value::Null, json::profile));
        let description = describe(metadata, offer.smdp_address);
        if self.yes {
            // No prompt: the offer goes with the results on stdout, stderr stays for errors.
            match &self.bar {
                Some(bar) => bar.suspend(|| self.out.say(description.trim_end())),
                None => self.out.say(description.trim_end()),
            }
            return Consent::Accept(None);
        }
        self.note(description.trim_end());
        let mut code = None;
        if offer.confirmation_code_required {
            let Some(typed) = self.ask("Confirmation code: ") else { return Consent::refuse() };
            code = (!typed.is_empty()).then(|| ConfirmationCode::new(typed));
        }
        let answer = self.ask("Download and install this profile? [y/N] ").unwrap_or_default();
        if answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes") {
            Consent::Accept(code)
        } else {
            Consent::refuse()
        }
    }

    fn progress(&mut self, progress: &Progress) {
        if progress.step == DownloadStep::Consent {
            // The consent step's event is the `es8p_metadata_parse` line with the metadata.
            return;
        }
        self.out.progress(
            step_function(progress.step),
            json!({ "step": progress.step.name(), "bytesSent": progress.bytes_sent, "bytesTotal": progress.bytes_total }),
        );
        if let Some(bar) = &self.bar {
            bar.set_message(progress.step.name());
            if progress.bytes_total > 0 {
                bar.set_length(progress.bytes_total as u64);
                bar.set_position(progress.bytes_sent as u64);
            }
            bar.tick();
        }
    }
}

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

/// The DeviceInfo of `--imei`, or with the default TAC only (`profile download`, `profile
/// discover`).
pub(crate) fn device_info(imei: Option<&str>) -> Result<DeviceInfo, CliError> {
    Ok(match imei {
        Some(imei) => {
            let imei: Imei =
                imei.parse().map_err(|e| CliError::Usage(format!("bad --imei {imei:?}: {e}")))?;
            DeviceInfo::from_imei(imei)
        }
        None => DeviceInfo::from_tac(
            DEFAULT_TAC.parse().map_err(|e| CliError::Usage(format!("default TAC: {e}")))?,
        ),
    })
}

/// The download request of the arguments.
pub(crate) fn request(args: &DownloadArgs) -> Result<DownloadRequest, CliError> {
    let code = activation_code(args)?;
    let device = device_info(args.imei.as_deref())?;
    let mut request = DownloadRequest::new(&code, device);
    if let Some(cc) = &args.confirmation_code {
        request = request.with_confirmation_code(ConfirmationCode::new(cc.clone()));
    }
    Ok(request)
}

/// The result as JSON data and text.
pub(crate) fn result_data(result: &DownloadResult) -> (Value, String) {
    let m = result.metadata.as_ref();
    let data = json!({
        "iccid": result.iccid.map(|i| i.to_string()),
        "isdpAid": hex::encode_upper(&result.isdp_aid),
        "serviceProviderName": m.and_then(|m| m.service_provider_name.clone()),
        "profileName": m.and_then(|m| m.profile_name.clone()),
        "notification": result.notification.to_string(),
    });
    let text = format!(
        "installed profile {} (ISD-P {}); install notification: {}",
        result.iccid.map(|i| i.to_string()).unwrap_or_default(),
        hex::encode_upper(&result.isdp_aid),
        result.notification
    );
    (data, text)
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
