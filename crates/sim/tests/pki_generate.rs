//! Test PKI generation: chain shape, SGP.22 §4.5.2 profile details, reproducibility, PEM/DER.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::pki::{
    CertifiedKey, ChainError, Curve, KeyUsages, PkiError, PrivateKey, RspCertificate, TrustStore,
};

use oxicard_euicc::pki::oid::RspRole;
use oxicard_sim::pki::{EuiccIdentityFiles, TestPki, TestPkiConfig};

const SEED: [u8; 32] = [7; 32];

fn pki() -> TestPki {
    TestPki::from_seed(SEED).unwrap()
}

#[test]
fn generated_chains_verify_with_their_roles() {
    let pki = pki();
    let store = pki.trust_store().unwrap();
    let ci_pkid = pki.ci().certificate().subject_key_identifier().unwrap().to_vec();
    assert_eq!(ci_pkid.len(), 20);
    assert_eq!(store.pkids(), vec![ci_pkid.clone()]);

    let euicc = store
        .verify(pki.euicc().certificate(), &[pki.eum().certificate().clone()], RspRole::Euicc, None)
        .unwrap();
    assert_eq!(euicc.ci_pkid, ci_pkid);
    assert_eq!(euicc.intermediates, 1);
    for (cert, role) in [
        (pki.dp_auth(), RspRole::DpAuth),
        (pki.dp_pb(), RspRole::DpPb),
        (pki.dp_tls(), RspRole::DpTls),
        (pki.eum(), RspRole::Eum),
    ] {
        let chain = store.verify(cert.certificate(), &[], role, None).unwrap();
        assert_eq!(chain.intermediates, 0);
        assert_eq!(&chain.public_key, cert.certificate().public_key());
    }
}

#[test]
fn profiles_follow_sgp22() {
    let pki = pki();
    let ci = pki.ci().certificate();
    assert!(ci.is_self_issued() && ci.is_ca());
    assert!(ci.allows(KeyUsages::KeyCertSign) && ci.allows(KeyUsages::CRLSign));
    assert_eq!(ci.roles(), vec![RspRole::Ci]);
    assert_eq!(ci.registered_id().unwrap().to_string(), "2.999.1");

    let eum = pki.eum().certificate();
    assert_eq!(eum.roles(), vec![RspRole::Eum]);
    assert!(eum.is_ca() && eum.allows(KeyUsages::KeyCertSign));
    assert_eq!(eum.permitted_eins(), vec!["89049032".to_string()]);
    assert_eq!(eum.authority_key_identifier().as_deref(), ci.subject_key_identifier());

    let euicc = pki.euicc().certificate();
    assert_eq!(euicc.eid().as_deref(), Some("89049032123451234512345678901235"));
    assert_eq!(euicc.roles(), vec![RspRole::Euicc]);
    assert!(euicc.allows(KeyUsages::DigitalSignature) && !euicc.allows(KeyUsages::KeyCertSign));
    assert!(!euicc.is_ca());
    assert_eq!(euicc.authority_key_identifier().as_deref(), eum.subject_key_identifier());

    for dp in [pki.dp_auth(), pki.dp_pb()] {
        assert_eq!(dp.certificate().registered_id().unwrap().to_string(), "2.999.10");
    }
    assert_eq!(pki.smdp_identity().unwrap().smdp_oid().unwrap().to_string(), "2.999.10");
    // id-rspRole-dp-pb = 2.23.146.1.2.1.5 (RSPDefinitions), DER 06 07 67 81 12 01 02 01 05.
    let pb_der = pki.dp_pb().certificate().der();
    assert!(pb_der.windows(9).any(|w| w == [0x06, 0x07, 0x67, 0x81, 0x12, 0x01, 0x02, 0x01, 0x05]));
}

#[test]
fn seeded_generation_is_reproducible_and_random_is_not() {
    let a = pki();
    let b = pki();
    assert_eq!(a.euicc().certificate().der(), b.euicc().certificate().der());
    assert_eq!(a.dp_tls().certificate().der(), b.dp_tls().certificate().der());
    let c = TestPki::generate(&TestPkiConfig::default()).unwrap();
    let d = TestPki::generate(&TestPkiConfig::default()).unwrap();
    assert_ne!(c.ci().certificate().der(), d.ci().certificate().der());
}

#[test]
fn brainpool_pki_verifies() {
    let config =
        TestPkiConfig { curve: Curve::BrainpoolP256r1, seed: Some(SEED), ..TestPkiConfig::default() };
    let pki = TestPki::generate(&config).unwrap();
    assert_eq!(pki.euicc().private_key().curve(), Curve::BrainpoolP256r1);
    let store = pki.trust_store().unwrap();
    store
        .verify(pki.euicc().certificate(), &[pki.eum().certificate().clone()], RspRole::Euicc, None)
        .unwrap();
    store.verify(pki.dp_pb().certificate(), &[], RspRole::DpPb, None).unwrap();
}

#[test]
fn tampered_certificate_is_rejected() {
    let pki = pki();
    let store = pki.trust_store().unwrap();
    let mut der = pki.dp_auth().certificate().der().to_vec();
    // Flip one bit of the subject public key (inside tbsCertificate, still a valid point? no matter:
    // pick the last byte of the signature instead, which keeps the DER well-formed).
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let tampered = RspCertificate::from_der(&der).unwrap();
    assert_eq!(
        store.verify(&tampered, &[], RspRole::DpAuth, None).unwrap_err(),
        ChainError::BadSignature { depth: 0 }
    );
}

#[test]
fn wrong_role_and_untrusted_ci_are_rejected() {
    let pki = pki();
    let store = pki.trust_store().unwrap();
    assert_eq!(
        store.verify(pki.dp_pb().certificate(), &[], RspRole::DpAuth, None).unwrap_err(),
        ChainError::WrongRole { expected: RspRole::DpAuth, found: vec![RspRole::DpPb] }
    );
    // DPauth is not an EUM: it cannot stand in as the eUICC's issuer.
    assert!(
        store
            .verify(pki.euicc().certificate(), &[pki.dp_auth().certificate().clone()], RspRole::Euicc, None)
            .is_err()
    );
    // The eUICC chain without its EUM.
    assert_eq!(
        store.verify(pki.euicc().certificate(), &[], RspRole::Euicc, None).unwrap_err(),
        ChainError::UnknownIssuer { depth: 0 }
    );
    let other = TestPki::from_seed([8; 32]).unwrap();
    let other_store = other.trust_store().unwrap();
    assert_eq!(
        other_store.verify(pki.dp_auth().certificate(), &[], RspRole::DpAuth, None).unwrap_err(),
        ChainError::UnknownIssuer { depth: 0 }
    );
    assert!(TrustStore::new(vec![pki.dp_auth().certificate().clone()]).is_err(), "a DP cert is no CI");
}

#[test]
fn validity_window_is_checked_when_asked() {
    use std::time::{Duration, UNIX_EPOCH};
    let pki = pki();
    let store = pki.trust_store().unwrap();
    let cert = pki.dp_auth().certificate();
    // 2030-01-01 inside, 2019-01-01 before notBefore 2020-04-01, 2050-01-01 after notAfter 2049-12-31.
    let at = |secs: u64| Some(UNIX_EPOCH + Duration::from_secs(secs));
    store.verify(cert, &[], RspRole::DpAuth, at(1_893_456_000)).unwrap();
    assert_eq!(
        store.verify(cert, &[], RspRole::DpAuth, at(1_546_300_800)).unwrap_err(),
        ChainError::Expired { depth: 0 }
    );
    assert_eq!(
        store.verify(cert, &[], RspRole::DpAuth, at(2_524_608_000)).unwrap_err(),
        ChainError::Expired { depth: 0 }
    );
}

#[test]
fn pem_and_der_round_trip() {
    let pki = pki();
    let cert = pki.euicc().certificate();
    let pem = cert.to_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(RspCertificate::from_pem(&pem).unwrap().der(), cert.der());
    assert_eq!(RspCertificate::from_pem_or_der(cert.der()).unwrap().der(), cert.der());

    let key = pki.euicc().private_key();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let sec1 = key.to_sec1_der().unwrap();
    let pkcs8_pem = key.to_pkcs8_pem().unwrap();
    for bytes in [&pkcs8[..], &sec1[..], pkcs8_pem.as_bytes()] {
        assert_eq!(&PrivateKey::from_pem_or_der(bytes).unwrap(), key);
    }
    let pair = CertifiedKey::from_pem_or_der(pem.as_bytes(), pkcs8_pem.as_bytes()).unwrap();
    assert_eq!(pair.certificate().der(), cert.der());
    assert!(matches!(
        CertifiedKey::from_pem_or_der(pem.as_bytes(), &pki.eum().private_key().to_pkcs8_der().unwrap()),
        Err(PkiError::Key(_))
    ));
}

#[test]
fn identities_load_from_files() {
    let pki = pki();
    let dir = std::env::temp_dir().join(format!("oxicard-pki-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let cert = write("euicc.pem", pki.euicc().certificate().to_pem().unwrap().as_bytes());
    let key = write("euicc.key", &pki.euicc().private_key().to_sec1_der().unwrap());
    let eum = write("eum.der", pki.eum().certificate().der());
    let ci = write("ci.pem", pki.ci().certificate().to_pem().unwrap().as_bytes());
    let identity = oxicard_euicc::pki::EuiccIdentity::from_files(&cert, &key, &eum, &[ci]).unwrap();
    assert_eq!(identity, pki.euicc_identity().unwrap());
    assert_eq!(identity.eid(), "89049032123451234512345678901235");
    let pkid = pki.ci().certificate().subject_key_identifier().unwrap().to_vec();
    assert_eq!(identity.ci_pkids_for_signing(), vec![pkid.clone()]);
    assert_eq!(identity.ci_pkids_for_verification(), vec![pkid]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn smdp_verifies_euicc_chain_and_ein() {
    let pki = pki();
    let smdp = pki.smdp_identity().unwrap();
    smdp.verify_euicc_chain(pki.euicc().certificate(), pki.eum().certificate(), None).unwrap();
    let outside = pki.issue_euicc("89001012012341234012345678901224").unwrap();
    assert!(matches!(
        smdp.verify_euicc_chain(outside.certificate(), pki.eum().certificate(), None),
        Err(PkiError::Certificate(_))
    ));
}

/// Adding the SM-DS certificates changed no existing derivation: for a given seed every
/// pre-existing certificate is byte-identical (SHA-256 of the DER recorded from the generator
/// before CERT.DSauth existed, P-256 and brainpoolP256r1).
#[test]
fn existing_certificates_are_unchanged_by_the_smds_role() {
    use sha2::{Digest, Sha256};
    let fingerprints = |pki: &TestPki| -> Vec<String> {
        [pki.ci(), pki.eum(), pki.euicc(), pki.dp_auth(), pki.dp_pb(), pki.dp_tls()]
            .iter()
            .map(|c| hex::encode(Sha256::digest(c.certificate().der())))
            .collect()
    };
    let brainpool = TestPki::generate(&TestPkiConfig {
        curve: Curve::BrainpoolP256r1,
        seed: Some(SEED),
        ..TestPkiConfig::default()
    })
    .unwrap();
    assert_eq!(
        fingerprints(&pki()),
        [
            "e4e473eff15e15cded0c436c5e8a8f6b7ad015dbf102838cd6782bb0fd46649f",
            "31f00220beff258196dfd0bc1ae4d9a83a0c3d2134c4220ab20e41d7884b482e",
            "e27f2723990e3f790473574031a6d8247d5b0c7e863a1b287fe1a2d365bdb7fa",
            "94a653d17ab4d955e33e53b41d38b922a27f3b4d94ad0c39e720f753800f1928",
            "9533252b5b53374c6e3d0ae3181ddde56a3fd27c3a055ca6f294d1541b62281a",
            "6bf931b62ed7fe30adc8a0637bceb1ca97ed5c2ff84ac832216eb379265026fd",
        ]
    );
    assert_eq!(
        fingerprints(&brainpool),
        [
            "cf9117511c8c31b1d9c2a0abfbd477d6adc78ed15d33eff46da36faba9fdc9b0",
            "988f50affe116a403238c65bec905443ac5db3b6ca2685e86e21e5f8342d4090",
            "01b20199e2962bf7d04d9c09e45454fbfd61c85fd06df1d56a205f8d2bd9e822",
            "6882dcd5227a10a8fbfad0631f572c9995304678fbb03086dc9a1f142e22218a",
            "5f2063970348ccf69edbde517b8e6eb82adb40f400a6c483c1a1337926f51170",
            "149243a45bf16af78d81e2bc99b1248a8a9bcd545b6f81d47aeb6677b9011caa",
        ]
    );
    // CERT.DSauth: issued by the CI with the ds-auth role and the SM-DS OID as registeredID.
    let ds = pki().ds_auth().certificate().clone();
    let chain = pki().trust_store().unwrap().verify(&ds, &[], RspRole::DsAuth, None).unwrap();
    assert_eq!(chain.intermediates, 0);
    assert_eq!(ds.roles(), [RspRole::DsAuth]);
    assert_eq!(ds.registered_id().map(|o| o.to_string()), Some("2.999.15".to_string()));
}

#[test]
fn every_seed_has_an_eid_of_its_own() {
    use oxicard_euicc::iccid::Eid;
    use oxicard_sim::pki::eid_for_seed;
    let eids: Vec<String> = (0..=255u8).map(|b| eid_for_seed(&[b; 32])).collect();
    for eid in &eids {
        assert_eq!(eid.len(), 32);
        assert!(eid.starts_with("890490321234512345"), "{eid}");
        let parsed: Eid = eid.parse().unwrap();
        assert!(parsed.check_digits_valid(), "{eid}");
    }
    let mut unique = eids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), eids.len(), "two seeds share an EID");
    // Deterministic, and what the generated CERT.EUICC carries.
    assert_eq!(eid_for_seed(&SEED), eid_for_seed(&SEED));
    let own = TestPki::generate(&TestPkiConfig::for_seed(SEED)).unwrap();
    assert_eq!(own.euicc_identity().unwrap().eid(), eid_for_seed(&SEED));
    // The seed's other certificates are those of `from_seed`: only the eUICC's differs.
    let plain = pki();
    assert_eq!(own.ci().certificate().der(), plain.ci().certificate().der());
    assert_eq!(own.dp_auth().certificate().der(), plain.dp_auth().certificate().der());
    assert_ne!(own.euicc().certificate().der(), plain.euicc().certificate().der());
}
