//! GlobalPlatform decoders on arbitrary bytes: GET DATA objects, GET STATUS responses in both
//! formats, CAP archives and components, the card-side INSTALL / DELETE / PUT KEY parsers.
//! None may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_gp::cap::{CapFile, Component, LoadOptions};
use oxicard_gp::command::{DeleteRequest, InstallRequest, PutKeyRequest};
use oxicard_gp::data::{CardRecognitionData, Cin, Cplc, Iin, KeyInformationTemplate, SequenceCounter};
use oxicard_gp::status::{Kind, parse_legacy, parse_tlv};
use oxicard_secure_channel::scp03::SecretKey;

fuzz_target!(|data: &[u8]| {
    let _ = Cplc::parse(data);
    let _ = CardRecognitionData::parse(data);
    let _ = KeyInformationTemplate::parse(data);
    let _ = Iin::parse(data);
    let _ = Cin::parse(data);
    let _ = SequenceCounter::parse(data);
    if let Some((&p1, rest)) = data.split_first() {
        let _ = InstallRequest::parse(p1, rest);
    }
    let _ = DeleteRequest::parse(data);
    if let Ok(dek) = SecretKey::from_slice(&[0x42; 16]) {
        let _ = PutKeyRequest::parse(data, &dek).map(|r| r.response());
    }
    for kind in [Kind::IssuerSecurityDomain, Kind::Applications, Kind::LoadFiles, Kind::LoadFilesAndModules] {
        if let Ok(entries) = parse_tlv(kind, data) {
            for e in entries {
                let _ = e.life_cycle();
            }
        }
        if let Ok(entries) = parse_legacy(kind, data) {
            for e in entries {
                let _ = e.life_cycle();
            }
        }
    }
    if let Ok(cap) = CapFile::from_zip(data) {
        let _ = cap.load_file(LoadOptions::default());
    }
    // The first byte picks a component; the rest is its bytes, next to the other components
    // built from the same input, so the Header and Applet readers see arbitrary contents.
    if let Some((&pick, rest)) = data.split_first() {
        let parts = Component::ALL.into_iter().map(|c| {
            let mut bytes = vec![c.tag()];
            bytes.extend_from_slice(&u16::try_from(rest.len()).unwrap_or(0).to_be_bytes());
            bytes.extend_from_slice(rest);
            (c, if c.tag() == pick { rest.to_vec() } else { bytes })
        });
        if let Ok(cap) = CapFile::from_components(parts) {
            let _ = cap.load_file_data_block(LoadOptions::default().with_descriptor(true).with_debug(true));
        }
    }
});
