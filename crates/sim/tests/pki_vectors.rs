//! Published vectors: RFC 6979 ECDSA, the GSMA SGP.26 test certificates (as shipped by pysim),
//! and the pysim "mode51" ECKA values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::pki::{
    Curve, OneTimeKeyPair, PrivateKey, PublicKey, RspCertificate, Tr03111Signature, TrustStore,
};

use oxicard_euicc::pki::oid::RspRole;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// RFC 6979 Appendix A.2.5 (NIST P-256), private key x and public key (Ux, Uy).
const RFC6979_X: &str = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
const RFC6979_UX: &str = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
const RFC6979_UY: &str = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

#[test]
fn rfc6979_a25_p256_sha256_deterministic_signatures() {
    let key = PrivateKey::from_bytes(Curve::NistP256, &h(RFC6979_X)).unwrap();
    let point = h(&format!("04{RFC6979_UX}{RFC6979_UY}"));
    assert_eq!(key.public_key().to_uncompressed().to_vec(), point);
    // RFC 6979 A.2.5, "With SHA-256, message = "sample"" and "= "test"": (r, s).
    for (message, r, s) in [
        (
            &b"sample"[..],
            "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
            "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
        ),
        (
            &b"test"[..],
            "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
            "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
        ),
    ] {
        let expected = h(&format!("{r}{s}"));
        let signature = key.sign(message);
        assert_eq!(signature.as_bytes().to_vec(), expected);
        let public = PublicKey::from_sec1_bytes(Curve::NistP256, &point).unwrap();
        public.verify(message, &signature).unwrap();
        public.verify_der(message, &signature.to_der()).unwrap();
        assert!(public.verify(b"other", &signature).is_err());
        let mut flipped = *signature.as_bytes();
        flipped[63] ^= 1;
        assert!(public.verify(message, &Tr03111Signature::from_bytes(flipped)).is_err());
    }
}

/// GSMA SGP.26 v3 test CI (NIST), osmocom/pysim `smdpp-data/certs/CertificateIssuer/CERT_CI_ECDSA_NIST.pem`
/// (commit 5bbb144a319393e0b2bdd06f403905f28528e459; README: "files taken from SGP.26 v3").
const SGP26_CI_NIST: &str = "-----BEGIN CERTIFICATE-----
MIICUDCCAfegAwIBAgIJALh086v6bETTMAoGCCqGSM49BAMCMEQxEDAOBgNVBAMM
B1Rlc3QgQ0kxETAPBgNVBAsMCFRFU1RDRVJUMRAwDgYDVQQKDAdSU1BURVNUMQsw
CQYDVQQGEwJJVDAgFw0yMDA0MDEwODI3NTFaGA8yMDU1MDQwMTA4Mjc1MVowRDEQ
MA4GA1UEAwwHVGVzdCBDSTERMA8GA1UECwwIVEVTVENFUlQxEDAOBgNVBAoMB1JT
UFRFU1QxCzAJBgNVBAYTAklUMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAElAZX
pnPcKI+J1S6opHcEmSeR+cNLADbmM+LQy6lFTWXbMusXmBeZ0vJDiO4rlcEJRUbJ
eQHOrrqWUJGaLiDSKaOBzzCBzDAdBgNVHQ4EFgQU9UFyvfmKldZcvriKOKHBHYAK
hcMwDwYDVR0TAQH/BAUwAwEB/zAXBgNVHSABAf8EDTALMAkGB2eBEgECAQAwDgYD
VR0PAQH/BAQDAgEGMA4GA1UdEQQHMAWIA4g3ATBhBgNVHR8EWjBYMCqgKKAmhiRo
dHRwOi8vY2kudGVzdC5leGFtcGxlLmNvbS9DUkwtQS5jcmwwKqAooCaGJGh0dHA6
Ly9jaS50ZXN0LmV4YW1wbGUuY29tL0NSTC1CLmNybDAKBggqhkjOPQQDAgNHADBE
AiBSdWqvwgIKbOy/Ll88IIklEP8pdR0pi9OwFdlgWk/mfQIgV5goNuTSBd3S5sPB
tFWTf2tuSTtgL9G2bDV0iak192s=
-----END CERTIFICATE-----
";

/// SGP.26 test CI (brainpoolP256r1), pysim `smdpp-data/certs/CertificateIssuer/CERT_CI_ECDSA_BRP.pem` (same commit).
const SGP26_CI_BRP: &str = "-----BEGIN CERTIFICATE-----
MIICUTCCAfigAwIBAgIJALh086v6bETTMAoGCCqGSM49BAMCMEQxEDAOBgNVBAMM
B1Rlc3QgQ0kxETAPBgNVBAsMCFRFU1RDRVJUMRAwDgYDVQQKDAdSU1BURVNUMQsw
CQYDVQQGEwJJVDAgFw0yMDA0MDEwODI3NTFaGA8yMDU1MDQwMTA4Mjc1MVowRDEQ
MA4GA1UEAwwHVGVzdCBDSTERMA8GA1UECwwIVEVTVENFUlQxEDAOBgNVBAoMB1JT
UFRFU1QxCzAJBgNVBAYTAklUMFowFAYHKoZIzj0CAQYJKyQDAwIIAQEHA0IABCeH
tNVu2CSp5r4E4Yh/a5i6/rjHY/UoN/cBE+k2Tt2+E5vAx95+Fo8eXNDBhTT8UGTm
T2htxTMnyn8dzqhaKZSjgc8wgcwwHQYDVR0OBBYEFMC8cLo2kp1DtGf/V1cFMOV6
uPzYMA8GA1UdEwEB/wQFMAMBAf8wFwYDVR0gAQH/BA0wCzAJBgdngRIBAgEAMA4G
A1UdDwEB/wQEAwIBBjAOBgNVHREEBzAFiAOINwEwYQYDVR0fBFowWDAqoCigJoYk
aHR0cDovL2NpLnRlc3QuZXhhbXBsZS5jb20vQ1JMLUEuY3JsMCqgKKAmhiRodHRw
Oi8vY2kudGVzdC5leGFtcGxlLmNvbS9DUkwtQi5jcmwwCgYIKoZIzj0EAwIDRwAw
RAIgPYrf0CKl0FBMUaHx5xS1duTDbQ4wBZN3qKBeNniuux0CIHBek2vLfoANAdtt
f5u5Ce6DVC2oIfpn5UnS24F3oMqM
-----END CERTIFICATE-----
";

/// SGP.26 SM-DP+ TLS certificate (NIST) issued by the test CI, pysim
/// `smdpp-data/certs/DPtls/CERT_S_SM_DP_TLS_NIST.pem` (commit 15df7cbf884f5db55c274a0951b577ce071ec7c2).
const SGP26_DP_TLS_NIST: &str = "-----BEGIN CERTIFICATE-----
MIICgzCCAiigAwIBAgIBCTAKBggqhkjOPQQDAjBEMRAwDgYDVQQDDAdUZXN0IENJ
MREwDwYDVQQLDAhURVNUQ0VSVDEQMA4GA1UECgwHUlNQVEVTVDELMAkGA1UEBhMC
SVQwHhcNMjMwNjA5MTkwNDQyWhcNMjQwNzExMTkwNDQyWjAzMQ0wCwYDVQQKDARB
Q01FMSIwIAYDVQQDDBl0ZXN0c21kcHBsdXMxLmV4YW1wbGUuY29tMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEKCQwdc6O/R+uZ2g5QH2ybkzLQ3CUYhybOWEz8bJL
tQG4/k6yTT4NOS8lP28blGJws8opLjTbb3qHs6X2rJRfCKOCARowggEWMA4GA1Ud
DwEB/wQEAwIHgDAgBgNVHSUBAf8EFjAUBggrBgEFBQcDAQYIKwYBBQUHAwIwFAYD
VR0gBA0wCzAJBgdngRIBAgEDMB0GA1UdDgQWBBQn/vHyKRh+x4Pt9uApZKRRjVfU
qTAfBgNVHSMEGDAWgBT1QXK9+YqV1ly+uIo4ocEdgAqFwzApBgNVHREEIjAgghl0
ZXN0c21kcHBsdXMxLmV4YW1wbGUuY29tiAOINwowYQYDVR0fBFowWDAqoCigJoYk
aHR0cDovL2NpLnRlc3QuZXhhbXBsZS5jb20vQ1JMLUEuY3JsMCqgKKAmhiRodHRw
Oi8vY2kudGVzdC5leGFtcGxlLmNvbS9DUkwtQi5jcmwwCgYIKoZIzj0EAwIDSQAw
RgIhAMYj2oCxhmErKTLwD3NNMlmSKgPIEShxMyXyciG3eB4WAiEAraCppAmhuDnb
Mu3/1kzH5LCzAQ+HEWWeLwXvQ3BLtgI=
-----END CERTIFICATE-----
";

#[test]
fn sgp26_ci_certificates_are_trusted_cis() {
    let nist = RspCertificate::from_pem(SGP26_CI_NIST).unwrap();
    // The SKI the certificate carries = SHA-1 of the public key point (RFC 5280 §4.2.1.2 (1)).
    assert_eq!(
        hex::encode(nist.subject_key_identifier().unwrap()),
        "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
    );
    assert_eq!(nist.roles(), vec![RspRole::Ci]);
    assert_eq!(nist.registered_id().unwrap().to_string(), "2.999.1");
    assert_eq!(nist.public_key().curve(), Curve::NistP256);
    nist.verify_signed_by(nist.public_key()).unwrap();

    let brp = RspCertificate::from_pem(SGP26_CI_BRP).unwrap();
    assert_eq!(brp.public_key().curve(), Curve::BrainpoolP256r1);
    assert_eq!(
        hex::encode(brp.subject_key_identifier().unwrap()),
        "c0bc70ba36929d43b467ff57570530e57ab8fcd8"
    );
    brp.verify_signed_by(brp.public_key()).unwrap();

    let store = TrustStore::new(vec![nist.clone(), brp]).unwrap();
    assert_eq!(store.pkids().len(), 2);
    assert_eq!(store.by_pkid(&h("f54172bdf98a95d65cbeb88a38a1c11d800a85c3")).unwrap(), &nist);
    assert_eq!(nist.to_pem().unwrap(), SGP26_CI_NIST);
}

#[test]
fn sgp26_dp_tls_chains_to_the_sgp26_ci() {
    let ci = RspCertificate::from_pem(SGP26_CI_NIST).unwrap();
    let tls = RspCertificate::from_pem(SGP26_DP_TLS_NIST).unwrap();
    assert_eq!(tls.authority_key_identifier().unwrap(), ci.subject_key_identifier().unwrap());
    assert_eq!(tls.registered_id().unwrap().to_string(), "2.999.10");
    let store = TrustStore::new(vec![ci]).unwrap();
    let chain = store.verify(&tls, &[], RspRole::DpTls, None).unwrap();
    assert_eq!(hex::encode(chain.ci_pkid), "f54172bdf98a95d65cbeb88a38a1c11d800a85c3");
    // Its validity ended 2024-07-11 19:04:42Z.
    let after = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_735_689_600); // 2025-01-01
    assert!(store.verify(&tls, &[], RspRole::DpTls, Some(after)).is_err());
    // Against the brainpool CI (same subject name, other key) the signature must fail.
    let brp_store = TrustStore::new(vec![RspCertificate::from_pem(SGP26_CI_BRP).unwrap()]).unwrap();
    assert!(brp_store.verify(&tls, &[], RspRole::DpTls, None).is_err());
}

/// SGP.26 SK.DPauth (NIST) as OpenSSL writes it (EC PARAMETERS block, then SEC1), pysim
/// `smdpp-data/certs/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem`, and its public key
/// `PK_S_SM_DPauth_ECDSA_NIST.pem` (commit 5bbb144a319393e0b2bdd06f403905f28528e459).
const SGP26_SK_DPAUTH: &str = "-----BEGIN EC PARAMETERS-----
BggqhkjOPQMBBw==
-----END EC PARAMETERS-----
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIAp8wcJE5gxSzVt4B6uMNgwmUkYBUH3KvF3VmLWmFtXVoAoGCCqGSM49
AwEHoUQDQgAETf7U9GlHkb8Wlc6gMHo1tBgBlpU4e7dbfSRHtrUgnwRFrk5eUhzR
OIjXX+B8hYAiKuINuqwdd812MEmTQhvXOQ==
-----END EC PRIVATE KEY-----
";
const SGP26_PK_DPAUTH: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETf7U9GlHkb8Wlc6gMHo1tBgBlpU4\
e7dbfSRHtrUgnwRFrk5eUhzROIjXX+B8hYAiKuINuqwdd812MEmTQhvXOQ==";

#[test]
fn sgp26_dpauth_key_loads_from_openssl_pem() {
    use base64::Engine;
    let key = PrivateKey::from_pem(SGP26_SK_DPAUTH).unwrap();
    assert_eq!(key.curve(), Curve::NistP256);
    let spki = base64::engine::general_purpose::STANDARD.decode(SGP26_PK_DPAUTH).unwrap();
    let public = PublicKey::from_spki_der(&spki).unwrap();
    assert_eq!(key.public_key(), public);
    assert_eq!(public.to_spki_der(), spki);
}

/// pysim `tests/unittests/test_esim.py` `TestECKA.test_mode51` (values captured from a
/// third-party SM-DP+): otSK.DP with otPK.EUICC gives ShS; otPK.DP is otSK.DP's point.
#[test]
fn ecka_mode51_vector() {
    let ot_sk_dp = PrivateKey::from_bytes(
        Curve::NistP256,
        &h("fb68a38ccedb69e15cbe03c256228998ac398587e5dc7117f948145c839d61a4"),
    )
    .unwrap();
    let ot_pk_euicc = h("04 00f7b8d71403f21d84b00cd9e561178d737d3f4d065e62fee279271298dd4f07
                            4794ab791b9939d4461296efe388aa26731064263af988b7d2c4d77da44801b5");
    let ot_pk_dp = h("04 a27e2bdbd94dcf67d4c9ae5cb149d9d0f093be7a16dc41ec9db0318e4db72d09
                         234a7d7631979a5d150eec40afe17ce41673df9d2f2e4246d60051c74eba7964");
    let dp = OneTimeKeyPair::from_private(ot_sk_dp);
    assert_eq!(dp.public_uncompressed().to_vec(), ot_pk_dp);
    let shared = dp.agree(&ot_pk_euicc).unwrap();
    assert_eq!(
        shared.as_bytes().to_vec(),
        h("c9a993dd4879a8f7161f2085410edd4f9652f1df37be097ba96ba2ca6be528fe")
    );
}

#[test]
fn ecka_both_sides_agree_on_each_curve() {
    for curve in [Curve::NistP256, Curve::BrainpoolP256r1] {
        let euicc = OneTimeKeyPair::generate(curve).unwrap();
        let dp = OneTimeKeyPair::generate(curve).unwrap();
        assert_eq!(euicc.public_uncompressed()[0], 0x04);
        let a = euicc.agree(dp.public_uncompressed()).unwrap();
        let b = dp.agree(euicc.public_uncompressed()).unwrap();
        assert_eq!(a, b);
    }
    let p256 = OneTimeKeyPair::generate(Curve::NistP256).unwrap();
    // A point of the other curve is (almost surely) not on P-256, or a mismatch is reported.
    let bp = OneTimeKeyPair::generate(Curve::BrainpoolP256r1).unwrap();
    assert!(
        p256.private_key()
            .ecka(&PublicKey::from_sec1_bytes(Curve::BrainpoolP256r1, bp.public_uncompressed()).unwrap())
            .is_err()
    );
    assert!(p256.agree(&[0x04; 65]).is_err());
}
