//! Parses arbitrary bytes as a command APDU (ISO/IEC 7816-4 §5.1): whatever is
//! accepted must encode back to exactly the input, and the owned `Command`
//! must agree with the borrowed view.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_apdu::{Command, CommandView, ResponseView};

fuzz_target!(|data: &[u8]| {
    let view = CommandView::parse(data);
    let owned = Command::parse(data);
    assert_eq!(view.is_ok(), owned.is_ok());
    match (view, owned) {
        (Ok(view), Ok(owned)) => {
            let encoded = view.to_vec().expect("an accepted command encodes");
            assert_eq!(encoded, data);
            assert_eq!(view.encoded_len(), Ok(data.len()));
            assert_eq!(owned.to_vec().expect("an accepted command encodes"), data);
            assert_eq!(owned.as_view(), view);
            let mut buf = vec![0u8; data.len()];
            assert_eq!(view.encode_into(&mut buf), Ok(data.len()));
            assert_eq!(buf, data);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert!(a.offset <= data.len().max(7));
        }
        _ => unreachable!(),
    }
    if let Ok(response) = ResponseView::parse(data) {
        assert_eq!(response.to_vec(), data);
    }
});
