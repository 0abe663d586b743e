//! Downloads a profile onto an eUICC in a PC/SC reader from an activation code (SGP.22 §3.1.3):
//! shows the offered profile and asks before installing, asks for the confirmation code when the
//! SM-DP+ requires one, draws a progress bar, and sends the installation result back.
//!
//! ```sh
//! cargo run --example euicc_download -- --reader "NAME" 'LPA:1$smdp.example.com$04386-AGYFT-A74Y8-3F815'
//! # options: --imei 356938035643809 (default: TAC 35290611 only), --confirmation-code CODE,
//! #          --yes (no question), --ca ci.pem, --connect-to smdp.example.com=https://127.0.0.1:8443
//! ```
//!
//! On any failure after the session started, the session is cancelled on the eUICC and on the
//! SM-DP+, and the error names the step. Without `--reader` it says so and exits: the software
//! eUICC comes later.

mod euicc_common;

use std::io::{BufRead, Write};
use std::process::ExitCode;

use euicc_common::{Args, es9_client, list_readers, open_reader};
use oxicard::euicc::activation::{ActivationCode, ConfirmationCode, DeviceInfo};
use oxicard::euicc::download::{Consent, DownloadHandler, DownloadRequest, ProfileOffer, Progress, download};
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::transport::ErrorChain;

/// Asks on the terminal, draws the progress bar on stderr.
struct Terminal {
    yes: bool,
    have_code: bool,
}

fn ask(question: &str) -> String {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    line.trim().to_owned()
}

impl DownloadHandler for Terminal {
    fn consent(&mut self, offer: &ProfileOffer<'_>) -> Consent {
        eprintln!();
        println!("SM-DP+ {} offers:", offer.smdp_address);
        if let Some(m) = &offer.metadata {
            let iccid = m.iccid.map(|i| i.to_string()).unwrap_or_default();
            println!("  ICCID     {iccid}");
            println!("  provider  {}", m.service_provider_name.as_deref().unwrap_or("-"));
            println!("  name      {}", m.profile_name.as_deref().unwrap_or("-"));
            println!("  class     {}", m.class().asn1_name());
        }
        if !self.yes && !ask("Install it? [y/N] ").eq_ignore_ascii_case("y") {
            return Consent::refuse();
        }
        if offer.confirmation_code_required && !self.have_code {
            return Consent::Accept(Some(ConfirmationCode::new(ask("Confirmation code: "))));
        }
        Consent::Accept(None)
    }

    fn progress(&mut self, progress: &Progress) {
        let percent = (progress.bytes_sent * 100).checked_div(progress.bytes_total).unwrap_or(0);
        let bar = "#".repeat(percent / 5);
        eprint!("\r[{bar:<20}] {percent:>3}% {:<32}", progress.step.name());
    }
}

fn run(args: &Args) -> Result<(), String> {
    if args.flag("--list-readers") {
        return list_readers();
    }
    let mut card = open_reader(args)?;
    let options = ["--reader", "--imei", "--confirmation-code", "--ca", "--connect-to"];
    let code = args.positional(&options).pop().ok_or("give the activation code (LPA:1$…)")?;
    let code: ActivationCode = code.parse().map_err(|e| format!("activation code: {}", ErrorChain(&e)))?;
    let device = match args.value("--imei") {
        Some(imei) => DeviceInfo::from_imei(imei.parse().map_err(|e| format!("--imei: {}", ErrorChain(&e)))?),
        None => DeviceInfo::from_tac("35290611".parse().map_err(|e| format!("TAC: {}", ErrorChain(&e)))?),
    };
    let mut request = DownloadRequest::new(&code, device);
    let confirmation = args
        .value("--confirmation-code")
        .or_else(|| code.confirmation_code_required().then(|| ask("Confirmation code: ")));
    let have_code = confirmation.is_some();
    if let Some(cc) = confirmation {
        request = request.with_confirmation_code(ConfirmationCode::new(cc));
    }

    let mut es9 = es9_client(args)?;
    let mut isdr =
        Isdr::open(&mut card, &IsdrOptions::default()).map_err(|e| format!("ISD-R: {}", ErrorChain(&e)))?;
    let mut terminal = Terminal { yes: args.flag("--yes"), have_code };
    let result = download(&mut isdr, &mut es9, &request, &mut terminal);
    eprintln!();
    let done = result.map_err(|e| e.report())?;
    println!(
        "installed ICCID {} in ISD-P {}; installation result notification: {}",
        done.iccid.map(|i| i.to_string()).unwrap_or_default(),
        done.isdp_aid.iter().map(|b| format!("{b:02X}")).collect::<String>(),
        done.notification
    );
    isdr.close().map_err(|e| ErrorChain(&e).to_string())
}

fn main() -> ExitCode {
    match run(&Args::from_env()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
