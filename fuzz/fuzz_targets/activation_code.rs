//! Activation code parsing (GSMA SGP.22 §4.1): arbitrary strings never panic; whatever is accepted formats
//! to a string that parses back to the same value, and formatting is stable.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_euicc::activation::ActivationCode;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(ac) = s.parse::<ActivationCode>() else { return };
    let formatted = ac.to_string();
    let again: ActivationCode = formatted.parse().expect("formatted activation code re-parses");
    assert_eq!(again, ac);
    assert_eq!(again.to_string(), formatted);
    let qr: ActivationCode = ac.to_qr_string().parse().expect("QR form re-parses");
    assert_eq!(qr, ac);
});
