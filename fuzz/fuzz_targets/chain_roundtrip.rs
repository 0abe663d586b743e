//! Builds a command from the fuzz input, splits it for command chaining
//! (ISO/IEC 7816-4 §5.3.3) with a fuzzed part size, sends every part through
//! the encoder and the parser, reassembles, and checks the result is the
//! original command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_apdu::chain::{Reassembler, split};
use oxicard_apdu::{Cla, CommandView, ErrorKind};

fuzz_target!(|input: &[u8]| {
    let Some((&[cla, ins, p1, p2, max, ne_byte], data)) = input.split_first_chunk::<6>() else { return };
    // The original must not carry the chaining bit: its last part keeps its CLA.
    let cla = Cla(cla).with_chaining(false).0;
    let ne = u32::from(ne_byte) * 2; // 0..=510: some above 256 to hit NeTooLarge
    let max_data = usize::from(max); // 0..=255: 0 is refused
    let command = CommandView::new(cla, ins, p1, p2).with_data(data).with_ne(ne);
    let chain = match split(&command, max_data) {
        Ok(chain) => chain,
        Err(e) => {
            assert!(
                (e.kind == ErrorKind::InvalidValue && (max_data == 0 || cla == 0xEF))
                    || (ne > 256 && e.kind == ErrorKind::NeTooLarge)
            );
            return;
        }
    };
    let count = chain.len();
    assert_eq!(count, data.len().div_ceil(max_data).max(1));
    let mut reassembler = Reassembler::new(data.len());
    let mut whole = None;
    for (i, part) in chain.enumerate() {
        assert!(part.data().len() <= max_data);
        assert_eq!(Cla(part.cla()).is_chained(), i + 1 < count);
        let bytes = part.to_vec().expect("a short part encodes");
        let parsed = CommandView::parse(&bytes).expect("a part parses");
        let out = reassembler.push(&parsed).expect("parts of one chain reassemble");
        assert_eq!(out.is_some(), i + 1 == count);
        whole = out;
    }
    let whole = whole.expect("the last part completes the command");
    assert_eq!(whole.header(), command.header());
    assert_eq!(whole.data(), data);
    assert_eq!(whole.ne(), ne);
    assert!(reassembler.is_idle());
});
