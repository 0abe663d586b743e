//! Lists the profiles of an eUICC in a PC/SC reader (SGP.22 ES10c GetProfilesInfo §5.7.15, with
//! GetEID §5.7.20 and GetEuiccConfiguredAddresses §5.7.3).
//!
//! ```sh
//! cargo run --example euicc_list_profiles -- --list-readers
//! cargo run --example euicc_list_profiles -- --reader "Identiv uTrust 3700 F [CCID Interface] 00 00"
//! ```
//!
//! On the wire: MANAGE CHANNEL, SELECT of the ISD-R on the new channel, one STORE DATA per
//! function (`81 E2 91 00 …`, plus GET RESPONSE when the card has more to say), MANAGE CHANNEL
//! close. Without `--reader` it says so and exits: the software eUICC comes later.

mod euicc_common;

use std::process::ExitCode;

use euicc_common::{Args, list_readers, open_reader};
use oxicard::euicc::isdr::{Isdr, IsdrOptions};
use oxicard::transport::ErrorChain;

fn run(args: &Args) -> Result<(), String> {
    if args.flag("--list-readers") {
        return list_readers();
    }
    let mut card = open_reader(args)?;
    let mut isdr =
        Isdr::open(&mut card, &IsdrOptions::default()).map_err(|e| format!("ISD-R: {}", ErrorChain(&e)))?;
    println!("EID        {}", isdr.eid().map_err(|e| ErrorChain(&e).to_string())?);
    match isdr.configured_addresses() {
        Ok(addresses) => println!("addresses  {addresses:?}"),
        Err(err) => println!("addresses  not available ({})", ErrorChain(&err)),
    }
    let profiles = isdr.profiles().map_err(|e| ErrorChain(&e).to_string())?;
    println!("{} profile(s)", profiles.len());
    for profile in &profiles {
        let iccid = profile.iccid.map_or_else(|| "?".to_owned(), |i| i.to_string());
        let state = profile.state.map_or_else(|| "?".to_owned(), |s| s.asn1_name().to_owned());
        println!(
            "  {iccid:<20} {state:<8} {:<12} {:<24} {}{}",
            profile.class().asn1_name(),
            profile.service_provider_name.as_deref().unwrap_or("-"),
            profile.profile_name.as_deref().unwrap_or("-"),
            profile.nickname.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
        );
    }
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
