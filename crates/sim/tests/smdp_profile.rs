//! Profile packages of the test SM-DP+: the StoreMetadataRequest (`BF25`, SGP.22 §5.5.3) decodes
//! back with the LPA's decoder (property test), UPP checks (SAIP decoding, EF.ICCID), UPP files, and arbitrary
//! requests to the JSON binding never panic (property test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::download::decode_profile_metadata;
use oxicard_euicc::es10::{BitFlags, ProfileClass};
use oxicard_euicc::iccid::Iccid;
use oxicard_sim::pki::TestPki;
use oxicard_sim::saip::{Package, PeKind, Problem, iccid_to_reading_order};
use oxicard_sim::smdp::{
    ProfileBuilder, ProfileError, ProfileMetadata, ProfilePackage, TestSmdp, header_iccid,
};
use proptest::prelude::*;

#[test]
fn metadata_bytes() {
    // A StoreMetadataRequest produced with asn1tools from the SGP.22 v2 RSPDefinitions module
    // (pySim `pySim/esim/asn1/rsp/rsp.asn`): `BF2524 5A0A984474680000543721F8 91025350 9202504E
    // 950102 B60B 3009 800204F0 8103612E62`.
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let metadata = ProfileMetadata {
        iccid,
        service_provider_name: "SP".into(),
        profile_name: "PN".into(),
        profile_class: Some(ProfileClass::Operational),
        notifications: vec![(BitFlags::from_bits([0, 1, 2, 3]), "a.b".into())],
    };
    assert_eq!(
        hex::encode_upper(metadata.to_der()),
        "BF25245A0A984474680000543721F8910253509202504E950102B60B3009800204F08103612E62"
    );
}

#[test]
fn upp_outline_is_checked() {
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let metadata = ProfileMetadata::new(iccid, "n", "s", "smdp.example.com");
    let upp = ProfileBuilder::new(iccid).build();
    assert!(ProfilePackage::new(upp.clone(), metadata.clone()).is_ok());
    let invalid = |upp: Vec<u8>| match ProfilePackage::new(upp, metadata.clone()) {
        Err(ProfileError::Package(error)) => (error.index, error.kind, error.problem),
        other => panic!("{other:?}"),
    };
    // Not starting with a ProfileHeader: the End PE alone.
    let end = Package::decode(&upp).unwrap().elements().last().unwrap().raw.to_vec();
    assert_eq!(invalid(end), (0, Some(PeKind::End), Problem::HeaderNotFirst));
    // Truncated: the End PE is cut.
    let pes = Package::decode(&upp).unwrap().elements().len();
    assert_eq!(invalid(upp[..upp.len() - 1].to_vec()), (pes - 1, None, Problem::Truncated));
    // A primitive element after the End PE.
    assert_eq!(invalid([&upp[..], &[0x80, 0x00]].concat()), (pes, None, Problem::TrailingBytes(2)));
    assert_eq!(invalid(Vec::new()), (0, None, Problem::Empty));
    // EF.ICCID that is not the header's: the ProfileHeader names 8944478600004573136 instead.
    let mut other_header = upp.clone();
    let at = other_header.windows(10).position(|w| w == iccid_to_reading_order(&iccid)).unwrap();
    other_header[at + 8..at + 10].copy_from_slice(&[0x13, 0x6F]);
    assert_eq!(
        ProfilePackage::new(other_header, metadata.clone()),
        Err(ProfileError::EfIccidMismatch {
            header: "8944478600004573136".parse().unwrap(),
            ef_iccid: Some(iccid)
        })
    );

    // The metadata names another ICCID than the ProfileHeader.
    let other = ProfileMetadata::new("8944478600004573136".parse().unwrap(), "n", "s", "smdp.example.com");
    assert_eq!(
        ProfilePackage::new(upp.clone(), other),
        Err(ProfileError::IccidMismatch { header: iccid, metadata: "8944478600004573136".parse().unwrap() })
    );
    // Metadata from the header.
    assert_eq!(header_iccid(&upp), Ok(iccid));
    let derived = ProfilePackage::from_upp(upp.clone(), "n", "s", "smdp.example.com").unwrap();
    assert_eq!(derived.metadata, metadata);

    let path = std::env::temp_dir().join(format!("oxicard-smdp-upp-{}.der", std::process::id()));
    std::fs::write(&path, &upp).unwrap();
    let package = ProfilePackage::from_file(&path, metadata.clone()).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(package.upp, upp);
    assert_eq!(package.confirmation_code, None);
    let error = ProfilePackage::from_file(&path, metadata).unwrap_err();
    match &error {
        ProfileError::Io { source, .. } => assert_eq!(source.kind(), std::io::ErrorKind::NotFound),
        other => panic!("{other:?}"),
    }
    // The file, then the I/O error as the source.
    let messages = oxicard_transport::ErrorChain(&error).messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0], format!("cannot read the profile package {}", path.display()));
}

fn iccid_digits() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, 19..=20).prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
}

proptest! {
    #[test]
    fn metadata_decodes_with_the_lpa_decoder(
        digits in iccid_digits(),
        spn in "[ -~]{0,32}",
        name in "[ -~]{0,64}",
        class in proptest::option::of(0i64..3),
        bits in proptest::collection::btree_set(0usize..4, 1..4),
        address in "[a-z]{1,20}\\.example",
    ) {
        let iccid: Iccid = digits.parse().unwrap();
        let metadata = ProfileMetadata {
            iccid,
            service_provider_name: spn.clone(),
            profile_name: name.clone(),
            profile_class: class.map(ProfileClass::from_code),
            notifications: vec![(BitFlags::from_bits(bits.iter().copied()), address.clone())],
        };
        let info = decode_profile_metadata(&metadata.to_der()).unwrap();
        prop_assert_eq!(info.iccid, Some(iccid));
        prop_assert_eq!(info.service_provider_name, Some(spn));
        prop_assert_eq!(info.profile_name, Some(name));
        prop_assert_eq!(info.class, class.map(ProfileClass::from_code));
        let nci = info.notification_configuration.unwrap();
        prop_assert_eq!(nci.len(), 1);
        prop_assert_eq!(&nci[0].address, &address);
        prop_assert_eq!(nci[0].operation.iter().collect::<Vec<_>>(), bits.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn built_packages_are_valid_saip(digits in iccid_digits(), padding in 0usize..3000) {
        let iccid: Iccid = digits.parse().unwrap();
        let upp = ProfileBuilder::new(iccid).padding(padding).build();
        let metadata = ProfileMetadata::new(iccid, "n", "s", "a.example");
        prop_assert!(ProfilePackage::new(upp, metadata).is_ok());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_requests_never_panic(
        function in prop::sample::select(vec![
            "initiateAuthentication", "authenticateClient", "getBoundProfilePackage",
            "handleNotification", "cancelSession", "x",
        ]),
        member in "[a-zA-Z]{1,30}",
        value in "[A-Za-z0-9+/=]{0,200}",
        raw in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let pki = TestPki::from_seed([3; 32]).unwrap();
        let mut smdp = TestSmdp::new(pki.smdp_identity().unwrap(), "smdp.example.com");
        let path = format!("/gsma/rsp2/es9plus/{function}");
        for body in [
            raw.clone(),
            format!("{{\"{member}\":\"{value}\",\"transactionId\":\"{value}\"}}").into_bytes(),
            format!("{{\"transactionId\":\"00\",\"{member}\":\"{value}\"}}").into_bytes(),
        ] {
            let answer = smdp.handle_request(&path, Some("gsma/rsp/v2.2.2"), &body);
            prop_assert!([200, 204, 400, 404].contains(&answer.status));
        }
    }
}
