//! Talks to a card: by default an in-process simulated card, or a card in a
//! PC/SC reader (`--reader NAME`; `--list` lists the readers).
//!
//! ```sh
//! cargo run --example hello_card
//! cargo run --example hello_card -- --list
//! cargo run --example hello_card -- --reader "Virtual PCD 00 00"
//! ```
//!
//! It prints the ATR and what it says, selects the GSMA ISD-R, and reads a
//! long object through GET RESPONSE on a logical channel: the ISO/IEC 7816-4
//! rules the card layer handles.

use std::process::ExitCode;

use oxicard::apdu::atr::Atr;
use oxicard::apdu::card::{Card, CardChannel, CardError};
use oxicard::apdu::testcard::TestCard;
use oxicard::apdu::{CommandView, StatusWord};
use oxicard::transport::ErrorChain;
use oxicard::transport::Transport;
use oxicard::transport::sim::SimulatorTransport;

/// GSMA SGP.02/SGP.22 ISD-R AID.
const ISD_R: [u8; 16] =
    [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn run<T: Transport>(card: &mut Card<T>) -> Result<(), CardError> {
    println!("ATR        {}", hex(card.atr()));
    match Atr::parse(card.atr()) {
        Ok(atr) => {
            let protocols: Vec<String> =
                (0..16).filter(|&t| atr.offers_protocol(t)).map(|t| format!("T={t}")).collect();
            println!("protocols  {}", protocols.join(", "));
            if let Some(caps) = atr.card_capabilities() {
                println!(
                    "caps       command chaining: {}, extended length: {}",
                    caps.command_chaining(),
                    caps.extended_length()
                );
            }
        }
        Err(err) => println!("ATR does not parse: {err}"),
    }
    match card.select(&ISD_R) {
        Ok(selected) => {
            println!("ISD-R      selected ({})", selected.sw);
            if let Some(fci) = selected.fci {
                println!("FCI        {}", hex(fci.as_bytes()));
            }
        }
        Err(CardError::Status { sw, .. }) => println!("ISD-R      not on this card ({sw})"),
        Err(err) => return Err(err),
    }
    let mut channel = card.open_channel()?;
    println!("channel    {} opened", channel.number());
    // GET DATA of a long object: the layer follows 61xx with GET RESPONSE.
    let response = channel.transmit(&CommandView::new(0x00, 0xCA, 0x01, 0x02).with_ne(256))?;
    if response.sw() == StatusWord::SUCCESS {
        println!(
            "GET DATA   {} bytes through GET RESPONSE on channel {}",
            response.data().len(),
            channel.number()
        );
    } else {
        println!("GET DATA   {}", response.sw());
    }
    channel.close()?;
    println!("channel    closed");
    Ok(())
}

#[cfg(feature = "pcsc")]
fn with_reader(args: &[String]) -> Option<Result<(), String>> {
    use oxicard::transport::pcsc::{ConnectOptions, PcscContext};
    let list = args.iter().any(|a| a == "--list");
    let reader = args.iter().position(|a| a == "--reader").map(|i| args.get(i + 1).cloned());
    if !list && reader.is_none() {
        return None;
    }
    Some((|| {
        let context = PcscContext::establish().map_err(|e| ErrorChain(&e).to_string())?;
        if list {
            for name in context.list_readers().map_err(|e| ErrorChain(&e).to_string())? {
                println!("{name}");
            }
            return Ok(());
        }
        let name = reader.flatten().ok_or("--reader needs a reader name")?;
        let transport =
            context.connect(&name, &ConnectOptions::default()).map_err(|e| ErrorChain(&e).to_string())?;
        run(&mut Card::new(transport)).map_err(|e| ErrorChain(&e).to_string())
    })())
}

#[cfg(not(feature = "pcsc"))]
fn with_reader(args: &[String]) -> Option<Result<(), String>> {
    args.iter()
        .any(|a| a == "--reader" || a == "--list")
        .then(|| Err("built without the `pcsc` feature: only the simulated card is available".to_owned()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = with_reader(&args).unwrap_or_else(|| {
        println!("card       in-process simulated card (oxicard_apdu::testcard)");
        run(&mut Card::new(SimulatorTransport::new(TestCard::new()))).map_err(|e| ErrorChain(&e).to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
