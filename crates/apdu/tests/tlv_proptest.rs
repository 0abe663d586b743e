//! Property tests of the BER-TLV reader and writer (X.690 §8.1, §10.1).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::tlv::{self, Class, MAX_TAG_NUMBER, Mode, Reader, Tag, Tlv, Writer};
use proptest::prelude::*;

/// A BER-TLV tree as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Primitive(Tag, Vec<u8>),
    Constructed(Tag, Vec<Node>),
}

fn tag(constructed: bool) -> impl Strategy<Value = Tag> {
    let class = prop_oneof![
        Just(Class::Universal),
        Just(Class::Application),
        Just(Class::ContextSpecific),
        Just(Class::Private)
    ];
    let number = prop_oneof![0u32..31, 31u32..128, 128u32..(1 << 14), (1u32 << 14)..=MAX_TAG_NUMBER];
    (class, number).prop_map(move |(class, number)| Tag::new(class, constructed, number).unwrap())
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..8),
        2 => prop::collection::vec(any::<u8>(), 120..140),
        1 => prop::collection::vec(any::<u8>(), 250..300),
    ]
}

fn tree() -> impl Strategy<Value = Node> {
    let leaf = (tag(false), value()).prop_map(|(t, v)| Node::Primitive(t, v));
    leaf.prop_recursive(8, 96, 6, |inner| {
        (tag(true), prop::collection::vec(inner, 0..6)).prop_map(|(t, c)| Node::Constructed(t, c))
    })
}

fn write(w: &mut Writer, node: &Node) {
    match node {
        Node::Primitive(tag, value) => w.primitive(*tag, value),
        Node::Constructed(tag, children) => {
            w.constructed(*tag, |w| children.iter().for_each(|c| write(w, c)))
        }
    }
}

/// The naive reference encoder (copies each level): DER lengths, X.690 §8.1.3.
fn reference(node: &Node) -> Vec<u8> {
    let (tag, content) = match node {
        Node::Primitive(tag, value) => (*tag, value.clone()),
        Node::Constructed(tag, children) => (*tag, children.iter().flat_map(reference).collect()),
    };
    let mut out = tag.to_u32().to_be_bytes()[4 - tag.encoded_len()..].to_vec();
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend(content);
    out
}

fn read(tlv: &Tlv<'_>) -> Node {
    if tlv.is_constructed() {
        Node::Constructed(tlv.tag(), tlv.children().map(|c| read(&c.unwrap())).collect())
    } else {
        Node::Primitive(tlv.tag(), tlv.value().to_vec())
    }
}

/// Re-encodes every top-level object of an accepted buffer.
fn rewrite(bytes: &[u8], mode: Mode) -> Vec<u8> {
    let mut w = Writer::new();
    for item in Reader::new(bytes, mode) {
        w.reencode(&item.unwrap()).unwrap();
    }
    w.finish()
}

/// Accepted in DER ⇒ re-encoding reproduces the input; accepted leniently ⇒
/// the re-encoding is accepted and is a fixed point. Never panics either way.
fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    if tlv::validate(bytes, Mode::Der).is_ok() {
        prop_assert!(tlv::validate(bytes, Mode::Lenient).is_ok());
        prop_assert_eq!(rewrite(bytes, Mode::Der), bytes);
    }
    if tlv::validate(bytes, Mode::Lenient).is_ok() {
        let once = rewrite(bytes, Mode::Lenient);
        prop_assert!(tlv::validate(&once, Mode::Lenient).is_ok());
        prop_assert_eq!(rewrite(&once, Mode::Lenient), once.clone());
    }
    let _ = Tlv::parse(bytes, Mode::Lenient);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn writer_then_parse_gives_the_same_tree(nodes in prop::collection::vec(tree(), 1..4)) {
        let mut w = Writer::new();
        nodes.iter().for_each(|n| write(&mut w, n));
        let bytes = w.finish();
        let expected: Vec<u8> = nodes.iter().flat_map(reference).collect();
        prop_assert_eq!(&bytes, &expected);
        tlv::validate(&bytes, Mode::Der).unwrap();
        let parsed: Vec<Node> = Reader::new(&bytes, Mode::Der).map(|t| read(&t.unwrap())).collect();
        prop_assert_eq!(&parsed, &nodes);
        prop_assert_eq!(rewrite(&bytes, Mode::Der), bytes);
    }

    #[test]
    fn arbitrary_bytes_accepted_in_der_rewrite_exactly(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
        check_bytes(&bytes)?;
    }

    #[test]
    fn mutated_encodings(node in tree(), index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = reference(&node);
        let i = index.index(bytes.len());
        bytes[i] = byte;
        check_bytes(&bytes)?;
        bytes.truncate(i);
        check_bytes(&bytes)?;
    }

    #[test]
    fn tag_roundtrip(t in prop_oneof![tag(false), tag(true)]) {
        let mut buf = [0u8; 4];
        let n = t.encode_into(&mut buf).unwrap();
        prop_assert_eq!(Tag::from_bytes(&buf[..n]).unwrap(), (t, n));
        prop_assert_eq!(Tag::new(t.class(), t.is_constructed(), t.number()).unwrap(), t);
        prop_assert!(t.is_valid());
    }
}
