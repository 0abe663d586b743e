//! Property tests: codec round trips and decoders that never panic.

// Helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_gp::cap::CapFile;
use oxicard_gp::command::{StoreDataEncryption, StoreDataStructure, load_commands, store_data_commands};
use oxicard_gp::data::{CardRecognitionData, Cplc, CplcDate, KeyComponent, KeyInfo, KeyInformationTemplate};
use oxicard_gp::status::{Kind, Privileges, RegistryEntry, parse_legacy, parse_tlv};
use proptest::prelude::*;

proptest! {
    #[test]
    fn privileges_round_trip(bytes in any::<[u8; 3]>()) {
        let p = Privileges::from_bytes(bytes);
        prop_assert_eq!(p.to_bytes(), bytes);
        // Every named bit is reported; only the 4 RFU bits of byte 3 are unnamed.
        let named = p.names().count() as u32;
        prop_assert_eq!(named, (u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2] & 0xF0])).count_ones());
    }

    #[test]
    fn load_blocks_reassemble(data in proptest::collection::vec(any::<u8>(), 0..3000), size in 1usize..300) {
        match load_commands(&data, size) {
            Ok(cmds) => {
                let joined: Vec<u8> = cmds.iter().flat_map(|c| c.data().to_vec()).collect();
                prop_assert_eq!(joined, data);
                for (i, c) in cmds.iter().enumerate() {
                    let bytes = c.to_vec().unwrap();
                    prop_assert_eq!(bytes[2], if i + 1 == cmds.len() { 0x80 } else { 0x00 });
                    prop_assert_eq!(usize::from(bytes[3]), i);
                    prop_assert!(c.data().len() <= size.min(255));
                }
            }
            Err(_) => prop_assert!(data.len().div_ceil(size.min(255)) > 256),
        }
    }

    #[test]
    fn store_data_reassembles(data in proptest::collection::vec(any::<u8>(), 0..2000), size in 8usize..255) {
        let cmds = store_data_commands(&data, StoreDataEncryption::None, StoreDataStructure::BerTlv, size).unwrap();
        let joined: Vec<u8> = cmds.iter().flat_map(|c| c.data().to_vec()).collect();
        prop_assert_eq!(joined, data);
    }

    #[test]
    fn cplc_dates(digit in 0u8..10, day in 1u16..=365, reference in 2000u16..2100) {
        let bcd = [(digit << 4) | (day / 100) as u8, ((((day / 10) % 10) << 4) | (day % 10)) as u8];
        let (year, month, dom) = CplcDate(bcd).resolve(reference).unwrap();
        prop_assert_eq!(year % 10, u16::from(digit));
        prop_assert!(year <= reference && reference - year < 10);
        prop_assert!((1..=12).contains(&month) && (1..=31).contains(&dom));
    }

    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Cplc::parse(&data);
        let _ = CardRecognitionData::parse(&data);
        let _ = KeyInformationTemplate::parse(&data);
        let _ = parse_tlv(Kind::Applications, &data);
        let _ = parse_legacy(Kind::LoadFilesAndModules, &data);
        let _ = CapFile::from_zip(&data);
    }
}

fn aid() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 5..=16)
}

prop_compose! {
    fn entry(kind: Kind)(
        aid in aid(),
        life in any::<u8>(),
        privileges in proptest::option::of(any::<[u8; 3]>()),
        load_file in proptest::option::of(aid()),
        version in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..4)),
        modules in proptest::collection::vec(aid(), 0..4),
        security_domain in proptest::option::of(aid()),
        implicit_selection in proptest::collection::vec(any::<u8>(), 0..4),
    ) -> RegistryEntry {
        let mut e = RegistryEntry::new(kind, aid);
        e.life_cycle_state = life;
        e.privileges = privileges.map(Privileges::from_bytes);
        e.load_file = load_file;
        e.version = version;
        e.modules = modules;
        e.security_domain = security_domain;
        e.implicit_selection = implicit_selection;
        e
    }
}

proptest! {
    #[test]
    fn registry_tlv_round_trip(entries in proptest::collection::vec(entry(Kind::Applications), 0..5)) {
        let bytes: Vec<u8> = entries.iter().flat_map(RegistryEntry::to_tlv).collect();
        prop_assert_eq!(parse_tlv(Kind::Applications, &bytes).unwrap(), entries);
    }

    #[test]
    fn registry_legacy_round_trip(entries in proptest::collection::vec(entry(Kind::LoadFilesAndModules), 0..5)) {
        let bytes: Vec<u8> = entries.iter().flat_map(RegistryEntry::to_legacy).collect();
        let parsed = parse_legacy(Kind::LoadFilesAndModules, &bytes).unwrap();
        prop_assert_eq!(parsed.len(), entries.len());
        for (p, e) in parsed.iter().zip(&entries) {
            prop_assert_eq!((&p.aid, p.life_cycle_state, &p.modules), (&e.aid, e.life_cycle_state, &e.modules));
        }
    }

    #[test]
    fn cplc_round_trip(bytes in any::<[u8; 42]>()) {
        let cplc = Cplc::parse(&bytes).unwrap();
        let encoded = cplc.to_bytes();
        prop_assert_eq!(&encoded[3..], &bytes[..]);
        prop_assert_eq!(Cplc::parse(&encoded).unwrap(), cplc);
    }

    #[test]
    fn key_information_round_trip(
        keys in proptest::collection::vec(
            (any::<u8>(), any::<u8>(), proptest::collection::vec((any::<u8>(), any::<u8>()), 1..3)), 0..6)
    ) {
        let mut kit = KeyInformationTemplate::default();
        kit.keys = keys
            .into_iter()
            .map(|(id, version, comps)| {
                // Basic format: a type FF would read as the extended format.
                let components = comps
                    .into_iter()
                    .map(|(t, l)| KeyComponent::new(if t == 0xFF { 0x88 } else { t }, u16::from(l)))
                    .collect();
                KeyInfo::new(id, version, components)
            })
            .collect();
        prop_assert_eq!(KeyInformationTemplate::parse(&kit.to_bytes()).unwrap(), kit);
    }
}
