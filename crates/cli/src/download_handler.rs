//! The LPA side of a profile download on the command line ([`DownloadHandler`]): the consent
//! prompt with the offered profile, the progress bar on a terminal, lpac's JSON progress
//! events, and the result as JSON data and text.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

use indicatif::{ProgressBar, ProgressStyle};
use oxicard_euicc::activation::ConfirmationCode;
use oxicard_euicc::download::{
    Consent, DownloadHandler, DownloadResult, DownloadStep, ProfileOffer, Progress,
};
use oxicard_euicc::es10::ProfileInfo;
use serde_json::{Value, json};

use crate::error::step_function;
use crate::input::{MAX_ANSWER_LEN, read_answer};
use crate::json;
use crate::output::{Out, printable};

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
            self.note(&format!("oxicard: {}; taken as no", crate::error::chain(&e)));
            None
        })
    }
}

/// The offered profile, for the consent prompt.
fn describe(metadata: Option<&ProfileInfo>, address: &str) -> String {
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
