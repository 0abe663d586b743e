//! Processes the pending notifications of an eUICC in a PC/SC reader (SGP.22 §3.5): each is
//! sent to its own `notificationAddress` with ES9+ HandleNotification and removed from the eUICC
//! only once that server acknowledged it; a failed one stays for the next run.
//!
//! ```sh
//! # just list them (no network)
//! cargo run --example euicc_notifications -- --reader "NAME" --list
//! # send them all
//! cargo run --example euicc_notifications -- --reader "NAME"
//! # send them but keep them on the eUICC; trust a test CI; reach a local test SM-DP+
//! cargo run --example euicc_notifications -- --reader "NAME" --keep --ca ci.pem \
//!     --connect-to testsmdpplus1.example.com=https://127.0.0.1:8443
//! ```
//!
//! Without `--reader` it says so and exits: the software eUICC comes later.

mod euicc_common;

use std::process::ExitCode;

use euicc_common::{Args, es9_client, list_readers, open_reader};
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::euicc::notify::{NotificationOptions, process_notifications};
use oxicard::transport::ErrorChain;

fn run(args: &Args) -> Result<(), String> {
    if args.flag("--list-readers") {
        return list_readers();
    }
    let mut card = open_reader(args)?;
    let mut isdr =
        Isdr::open(&mut card, &IsdrOptions::default()).map_err(|e| format!("ISD-R: {}", ErrorChain(&e)))?;
    if args.flag("--list") {
        for n in isdr.list_notifications(None).map_err(|e| ErrorChain(&e).to_string())? {
            let iccid = n.iccid.map(|i| i.to_string()).unwrap_or_default();
            println!("#{:<4} {:?} {} {iccid}", n.seq_number, n.operation, n.address);
        }
        return isdr.close().map_err(|e| ErrorChain(&e).to_string());
    }
    let mut es9 = es9_client(args)?;
    let options = NotificationOptions::default().with_remove(!args.flag("--keep"));
    let reports =
        process_notifications(&mut isdr, &mut es9, &options).map_err(|e| ErrorChain(&e).to_string())?;
    if reports.is_empty() {
        println!("no pending notification");
    }
    for report in &reports {
        println!("#{:<4} {:<32} {}", report.metadata.seq_number, report.metadata.address, report.outcome);
    }
    isdr.close().map_err(|e| ErrorChain(&e).to_string())?;
    let kept = reports.iter().filter(|r| !r.outcome.is_acknowledged()).count();
    if kept > 0 { Err(format!("{kept} notification(s) not delivered, kept for a retry")) } else { Ok(()) }
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
