//! A test PKI generated on the fly, following the SGP.22 §4.5.2 certificate profiles (and the
//! shape of the GSMA SGP.26 test certificates): CERT.CI (self-signed) → CERT.EUM →
//! CERT.EUICC.ECDSA, CERT.CI → CERT.DPauth.ECDSA / CERT.DPpb.ECDSA / CERT.DP.TLS, and
//! CERT.CI → CERT.DSauth.ECDSA (the SM-DS, SGP.22 §4.5.2.1.0.x, `id-rspRole-ds-auth`).
//!
//! Every key is derived from the seed and its own label, so adding a certificate never changes
//! the others for a given seed.
//!
//! Certificates are ecdsa-with-SHA256; SubjectKeyIdentifier = SHA-1 of the public key point
//! (RFC 5280 §4.2.1.2 method 1, as the SGP.26 CI); AuthorityKeyIdentifier = the issuer's SKI.
//! No CRL distribution points are written (nothing fetches CRLs here).

use std::net::{IpAddr, Ipv4Addr};

use der::asn1::{Ia5String, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Tag};
use oxicard_euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard_euicc::es10::Oid;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages, NameConstraints,
    certpolicy::PolicyInformation,
};
use x509_cert::name::Name;

use oxicard_euicc::pki::oid::{self, RspRole};
use oxicard_euicc::pki::{
    CertifiedKey, Curve, EuiccIdentity, PkiError, PrivateKey, PublicKey, RspCertificate, SmdpIdentity,
    SmdsIdentity, TrustStore,
};

/// The organisation of every generated subject.
const ORGANIZATION: &str = "oxicard test";
/// The country of generated subjects (`XX`: ISO 3166 user-assigned, no real country).
const COUNTRY: &str = "XX";
/// notBefore of every generated certificate (UTCTime, RFC 5280 §4.1.2.5.1).
const NOT_BEFORE: &[u8] = b"200401000000Z";
/// notAfter of CERT.CI and CERT.EUM (GeneralizedTime: years ≥ 2050, RFC 5280 §4.1.2.5).
const NOT_AFTER_CA: &[u8] = b"20550401000000Z";
/// notAfter of CERT.EUICC: "no well-defined expiration date" (RFC 5280 §4.1.2.5), as SGP.22 §4.5.2.1.0.3.
const NOT_AFTER_EUICC: &[u8] = b"99991231235959Z";
/// notAfter of the SM-DP+ certificates (UTCTime; TLS stacks check it against the clock).
const NOT_AFTER_DP: &[u8] = b"491231235959Z";

/// Parameters of a [`TestPki`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestPkiConfig {
    /// The curve of every key (SGP.22 §2.6.5).
    pub curve: Curve,
    /// With a seed, every key (and so every certificate, ECDSA being deterministic per RFC 6979)
    /// is the same on each run; without, keys are random. Test use only.
    pub seed: Option<[u8; 32]>,
    /// The EID in CERT.EUICC's subject serialNumber (32 digits); its first 8 digits become the
    /// EUM's permitted EIN prefix (nameConstraints, variant O).
    pub eid: String,
    /// subjectAltName registeredID of CERT.CI (SGP.26 test CI: `2.999.1`); `None` omits it.
    pub ci_oid: Option<Oid>,
    /// subjectAltName registeredID of CERT.EUM (`2.999.5`, an example-arc value); `None` omits it.
    pub eum_oid: Option<Oid>,
    /// The SM-DP+ OID: subjectAltName registeredID of CERT.DPauth / DPpb / DP.TLS (SGP.26 test
    /// SM-DP+: `2.999.10`); `None` omits it.
    pub smdp_oid: Option<Oid>,
    /// The SM-DS OID: subjectAltName registeredID of CERT.DSauth (`2.999.15`, an example-arc
    /// value); `None` omits it.
    pub smds_oid: Option<Oid>,
    /// dNSName entries of CERT.DP.TLS.
    pub tls_dns_names: Vec<String>,
    /// iPAddress entries of CERT.DP.TLS.
    pub tls_ip_addresses: Vec<IpAddr>,
}

impl Default for TestPkiConfig {
    /// NIST P-256, random keys, the SGP.26 test EID `89049032123451234512345678901235`,
    /// the SGP.26 CI / SM-DP+ OIDs, SM-DS OID `2.999.15`, TLS for `localhost` and `127.0.0.1`.
    fn default() -> Self {
        TestPkiConfig {
            curve: Curve::NistP256,
            seed: None,
            eid: "89049032123451234512345678901235".to_string(),
            ci_oid: "2.999.1".parse().ok(),
            eum_oid: "2.999.5".parse().ok(),
            smdp_oid: "2.999.10".parse().ok(),
            smds_oid: "2.999.15".parse().ok(),
            tls_dns_names: vec!["localhost".to_string()],
            tls_ip_addresses: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
        }
    }
}

impl TestPkiConfig {
    /// The default configuration with `seed` and an EID of its own, [`eid_for_seed`]: two
    /// identities generated from different seeds never share an EID, so the state of one never
    /// loads under the other.
    pub fn for_seed(seed: [u8; 32]) -> TestPkiConfig {
        TestPkiConfig { seed: Some(seed), eid: eid_for_seed(&seed), ..TestPkiConfig::default() }
    }
}

/// The first 18 digits of every EID [`eid_for_seed`] derives: those of the SGP.26 test EID
/// `89049032123451234512345678901235` (industry `89`, country `049`, issuer `032`, then the
/// version digits), so the EUM's permitted EIN `89049032` covers them.
const SEED_EID_PREFIX: &str = "890490321234512345";

/// An EID derived from a PKI seed: the first 18 digits of the SGP.26 test EID
/// (`890490321234512345`: the EUM's permitted EIN `89049032` covers it), twelve digits of
/// SHA-256(`"oxicard eid"` ‖ seed) (each byte mod 10), and the two check digits of SGP.29 §2.2
/// (ISO/IEC 7064 MOD 97-10, so the EID passes `Eid::check_digits_valid`).
pub fn eid_for_seed(seed: &[u8; 32]) -> String {
    let digest = Sha256::new().chain_update(b"oxicard eid").chain_update(seed).finalize();
    let mut digits = String::from(SEED_EID_PREFIX);
    digits.extend(digest.iter().take(12).map(|b| char::from(b'0' + b % 10)));
    digits.push_str("00");
    match oxicard_euicc::iccid::Eid::with_check_digits(&digits) {
        Ok(eid) => eid.digits(),
        // 32 decimal digits always make an EID; keep the digits should that ever change.
        Err(_) => digits,
    }
}

/// A generated SGP.22 test PKI.
#[derive(Clone, Debug)]
pub struct TestPki {
    config: TestPkiConfig,
    seed: [u8; 32],
    ci: CertifiedKey,
    eum: CertifiedKey,
    euicc: CertifiedKey,
    dp_auth: CertifiedKey,
    dp_pb: CertifiedKey,
    dp_tls: CertifiedKey,
    ds_auth: CertifiedKey,
}

impl TestPki {
    /// Generates the seven certificates of `config`.
    pub fn generate(config: &TestPkiConfig) -> Result<TestPki, PkiError> {
        let seed = match config.seed {
            Some(seed) => seed,
            None => *PrivateKey::generate(Curve::NistP256)?.to_bytes(),
        };
        let key = |label: &str| PrivateKey::derive(config.curve, &seed, label);

        let ci_key = key("ci")?;
        let ci_name = name(&[(oid::AT_COMMON_NAME, "oxicard test CI")], true);
        let ci = issue(
            &Issuer::SelfSigned(&ci_key),
            &ci_name,
            &ci_key,
            CertProfile::Ci { oid: config.ci_oid.clone() },
        )?;

        let eum_key = key("eum")?;
        let eum_name = name(&[(oid::AT_COMMON_NAME, "oxicard test EUM")], true);
        let ein = config.eid.get(..8).ok_or(PkiError::Certificate("EID shorter than 8 digits"))?;
        let eum_profile = CertProfile::Eum { oid: config.eum_oid.clone(), ein: ein.to_string() };
        let eum = issue(&Issuer::Ca(&ci), &eum_name, &eum_key, eum_profile)?;

        let pki_smdp = |label: &str, profile: CertProfile| -> Result<CertifiedKey, PkiError> {
            let dp_key = key(label)?;
            let cn = match profile {
                CertProfile::DpTls { .. } => config.tls_dns_names.first().map_or("localhost", String::as_str),
                _ => "oxicard test SM-DP+",
            };
            issue(&Issuer::Ca(&ci), &name(&[(oid::AT_COMMON_NAME, cn)], true), &dp_key, profile)
        };
        let dp_auth =
            pki_smdp("dp-auth", CertProfile::Dp { role: RspRole::DpAuth, oid: config.smdp_oid.clone() })?;
        let dp_pb = pki_smdp("dp-pb", CertProfile::Dp { role: RspRole::DpPb, oid: config.smdp_oid.clone() })?;
        let dp_tls = pki_smdp(
            "dp-tls",
            CertProfile::DpTls {
                oid: config.smdp_oid.clone(),
                dns_names: config.tls_dns_names.clone(),
                ip_addresses: config.tls_ip_addresses.clone(),
            },
        )?;

        let ds_profile = CertProfile::Dp { role: RspRole::DsAuth, oid: config.smds_oid.clone() };
        let ds_name = name(&[(oid::AT_COMMON_NAME, "oxicard test SM-DS")], true);
        let ds_auth = issue(&Issuer::Ca(&ci), &ds_name, &key("ds-auth")?, ds_profile)?;

        let euicc = issue_euicc(&eum, config.curve, &seed, &config.eid)?;
        Ok(TestPki { config: config.clone(), seed, ci, eum, euicc, dp_auth, dp_pb, dp_tls, ds_auth })
    }

    /// [`TestPki::generate`] with the default configuration and `seed` (reproducible).
    pub fn from_seed(seed: [u8; 32]) -> Result<TestPki, PkiError> {
        TestPki::generate(&TestPkiConfig { seed: Some(seed), ..TestPkiConfig::default() })
    }

    /// Issues another CERT.EUICC.ECDSA under this PKI's EUM (key derived from the PKI seed and
    /// the EID). The EID should start with the EUM's permitted EIN (the configured EID's first
    /// 8 digits) for an SM-DP+ to accept it.
    pub fn issue_euicc(&self, eid: &str) -> Result<CertifiedKey, PkiError> {
        issue_euicc(&self.eum, self.config.curve, &self.seed, eid)
    }

    /// The configuration used.
    pub fn config(&self) -> &TestPkiConfig {
        &self.config
    }

    /// CERT.CI and SK.CI.
    pub fn ci(&self) -> &CertifiedKey {
        &self.ci
    }

    /// CERT.EUM and SK.EUM.
    pub fn eum(&self) -> &CertifiedKey {
        &self.eum
    }

    /// CERT.EUICC.ECDSA and SK.EUICC.ECDSA.
    pub fn euicc(&self) -> &CertifiedKey {
        &self.euicc
    }

    /// CERT.DPauth.ECDSA and SK.DPauth.ECDSA.
    pub fn dp_auth(&self) -> &CertifiedKey {
        &self.dp_auth
    }

    /// CERT.DPpb.ECDSA and SK.DPpb.ECDSA.
    pub fn dp_pb(&self) -> &CertifiedKey {
        &self.dp_pb
    }

    /// CERT.DP.TLS and its key: a TLS server certificate for the configured names, issued
    /// directly by the CI (trust anchor for the client: [`TestPki::ci`]'s certificate).
    pub fn dp_tls(&self) -> &CertifiedKey {
        &self.dp_tls
    }

    /// CERT.DSauth.ECDSA and SK.DSauth.ECDSA (the SM-DS signs serverSigned1 with it, SGP.22
    /// §3.6.1 / §5.8.1).
    pub fn ds_auth(&self) -> &CertifiedKey {
        &self.ds_auth
    }

    /// A trust store holding this PKI's CI.
    pub fn trust_store(&self) -> Result<TrustStore, PkiError> {
        TrustStore::new(vec![self.ci.certificate().clone()])
    }

    /// The software eUICC's identity (CERT.EUICC + key, CERT.EUM, trusting this CI).
    pub fn euicc_identity(&self) -> Result<EuiccIdentity, PkiError> {
        EuiccIdentity::new(self.euicc.clone(), self.eum.certificate().clone(), self.trust_store()?)
    }

    /// The test SM-DS's identity (DSauth, and CERT.DP.TLS as its TLS certificate: both servers
    /// of this PKI run on the same host names; trusting this CI).
    pub fn smds_identity(&self) -> Result<SmdsIdentity, PkiError> {
        SmdsIdentity::new(self.ds_auth.clone(), Some(self.dp_tls.clone()), self.trust_store()?)
    }

    /// The test SM-DP+'s identity (DPauth, DPpb, DPtls, trusting this CI).
    pub fn smdp_identity(&self) -> Result<SmdpIdentity, PkiError> {
        SmdpIdentity::new(
            self.dp_auth.clone(),
            self.dp_pb.clone(),
            Some(self.dp_tls.clone()),
            self.trust_store()?,
        )
    }
}

/// CERT.EUICC.ECDSA for `eid` under `eum`, key derived from `seed` and the EID.
fn issue_euicc(eum: &CertifiedKey, curve: Curve, seed: &[u8], eid: &str) -> Result<CertifiedKey, PkiError> {
    if eid.len() != 32 || !eid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PkiError::Certificate("EID must be 32 decimal digits"));
    }
    let euicc_key = PrivateKey::derive(curve, seed, &format!("euicc {eid}"))?;
    let subject = name(&[(oid::AT_COMMON_NAME, "oxicard test eUICC"), (oid::AT_SERIAL_NUMBER, eid)], false);
    issue(&Issuer::Ca(eum), &subject, &euicc_key, CertProfile::Euicc)
}

/// Who signs a certificate being issued.
enum Issuer<'a> {
    /// The subject key itself (CERT.CI).
    SelfSigned(&'a PrivateKey),
    /// A CA certificate and its key.
    Ca(&'a CertifiedKey),
}

/// The SGP.22 §4.5.2 certificate profile to apply.
enum CertProfile {
    Ci { oid: Option<Oid> },
    Eum { oid: Option<Oid>, ein: String },
    Euicc,
    Dp { role: RspRole, oid: Option<Oid> },
    DpTls { oid: Option<Oid>, dns_names: Vec<String>, ip_addresses: Vec<IpAddr> },
}

/// Builds, signs and parses one certificate.
fn issue(
    issuer: &Issuer<'_>,
    subject: &[u8],
    subject_key: &PrivateKey,
    profile: CertProfile,
) -> Result<CertifiedKey, PkiError> {
    let public = subject_key.public_key();
    let ski = key_identifier(&public);
    let (issuer_name, issuer_key, aki) = match issuer {
        Issuer::SelfSigned(key) => (subject.to_vec(), *key, None),
        Issuer::Ca(ca) => (
            ca.certificate().subject_der()?,
            ca.private_key(),
            Some(ca.certificate().subject_key_identifier().map(<[u8]>::to_vec).unwrap_or_default()),
        ),
    };

    let mut extensions = Vec::new();
    if let Some(aki) = &aki {
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }.
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| e.tlv(ctx(0), aki));
        extensions.push(extension(oid::AUTHORITY_KEY_IDENTIFIER, false, e.finish()));
    }
    extensions.push(extension(oid::SUBJECT_KEY_IDENTIFIER, false, OctetString::new(ski.to_vec())?.to_der()?));
    let (not_after, ca) = match &profile {
        CertProfile::Ci { .. } | CertProfile::Eum { .. } => (NOT_AFTER_CA, true),
        CertProfile::Euicc => (NOT_AFTER_EUICC, false),
        CertProfile::Dp { .. } | CertProfile::DpTls { .. } => (NOT_AFTER_DP, false),
    };
    let usage = match &profile {
        CertProfile::Ci { .. } => KeyUsages::KeyCertSign | KeyUsages::CRLSign,
        CertProfile::Eum { .. } => KeyUsages::KeyCertSign.into(),
        _ => KeyUsages::DigitalSignature.into(),
    };
    extensions.push(extension(oid::KEY_USAGE, true, KeyUsage(usage).to_der()?));
    let role = match &profile {
        CertProfile::Ci { .. } => RspRole::Ci,
        CertProfile::Eum { .. } => RspRole::Eum,
        CertProfile::Euicc => RspRole::Euicc,
        CertProfile::Dp { role, .. } => *role,
        CertProfile::DpTls { .. } => RspRole::DpTls,
    };
    let policies = CertificatePolicies(vec![PolicyInformation {
        policy_identifier: role.oid(),
        policy_qualifiers: None,
    }]);
    // Critical as in SGP.22 §4.5.2, except on the TLS certificate, which generic TLS stacks
    // (webpki) must accept: they reject unknown critical extensions.
    let tls = matches!(profile, CertProfile::DpTls { .. });
    extensions.push(extension(oid::CERTIFICATE_POLICIES, !tls, policies.to_der()?));
    if ca {
        let path_len = if matches!(profile, CertProfile::Eum { .. }) { Some(0) } else { None };
        let constraints = BasicConstraints { ca: true, path_len_constraint: path_len };
        extensions.push(extension(oid::BASIC_CONSTRAINTS, true, constraints.to_der()?));
    }
    // subjectAltName ::= SEQUENCE OF GeneralName (RFC 5280 §4.2.1.6): dNSName [2] IA5String,
    // iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER (all IMPLICIT), encoded by
    // hand because `der`'s OID type cannot hold `2.999.x`.
    let mut alt_names = Encoder::new();
    let registered_id = match &profile {
        CertProfile::Ci { oid } | CertProfile::Eum { oid, .. } | CertProfile::Dp { oid, .. } => oid.as_ref(),
        CertProfile::DpTls { oid, dns_names, ip_addresses } => {
            for dns in dns_names {
                alt_names.tlv(ctx(2), Ia5String::new(dns)?.as_bytes());
            }
            for ip in ip_addresses {
                match ip {
                    IpAddr::V4(v4) => alt_names.tlv(ctx(7), &v4.octets()),
                    IpAddr::V6(v6) => alt_names.tlv(ctx(7), &v6.octets()),
                }
            }
            oid.as_ref()
        }
        CertProfile::Euicc => None,
    };
    if let Some(oid) = registered_id {
        alt_names.tlv(ctx(8), oid.as_der_contents());
    }
    let alt_names = alt_names.finish();
    if !alt_names.is_empty() {
        let mut e = Encoder::new();
        e.tlv(Tag::Sequence, &alt_names);
        extensions.push(extension(oid::SUBJECT_ALT_NAME, false, e.finish()));
    }
    if let CertProfile::Eum { ein, .. } = &profile {
        let base = Name::from_der(&name(&[(oid::AT_SERIAL_NUMBER, ein)], false))?;
        let subtree = GeneralSubtree { base: GeneralName::DirectoryName(base), minimum: 0, maximum: None };
        let constraints =
            NameConstraints { permitted_subtrees: Some(vec![subtree]), excluded_subtrees: None };
        extensions.push(extension(oid::NAME_CONSTRAINTS, true, constraints.to_der()?));
    }
    if tls {
        let eku = ExtendedKeyUsage(vec![oid::KP_SERVER_AUTH, oid::KP_CLIENT_AUTH]);
        extensions.push(extension(oid::EXT_KEY_USAGE, true, eku.to_der()?));
    }

    let algorithm = {
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| e.tlv(Tag::ObjectIdentifier, oid::ECDSA_WITH_SHA256.as_bytes()));
        e.finish()
    };
    let mut tbs = Encoder::new();
    tbs.nested(Tag::Sequence, |e| {
        e.nested(ctx_c(0), |e| e.tlv(Tag::Integer, &[2])); // version v3
        e.tlv(Tag::Integer, &serial_number(&public));
        e.raw(&algorithm);
        e.raw(&issuer_name);
        e.nested(Tag::Sequence, |e| {
            e.raw(&time(NOT_BEFORE));
            e.raw(&time(not_after));
        });
        e.raw(subject);
        e.raw(&public.to_spki_der());
        e.nested(ctx_c(3), |e| e.nested(Tag::Sequence, |e| extensions.iter().for_each(|x| e.raw(x))));
    });
    let tbs = tbs.finish();
    let signature = issuer_key.sign(&tbs).to_der();
    let mut cert = Encoder::new();
    cert.nested(Tag::Sequence, |e| {
        e.raw(&tbs);
        e.raw(&algorithm);
        e.tlv(Tag::BitString, &[&[0u8][..], &signature].concat());
    });
    CertifiedKey::new(RspCertificate::from_der(&cert.finish())?, subject_key.clone())
}

/// One `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`
/// (RFC 5280 §4.1).
fn extension(id: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.tlv(Tag::ObjectIdentifier, id.as_bytes());
        if critical {
            e.tlv(Tag::Boolean, &[0xFF]);
        }
        e.tlv(Tag::OctetString, &value);
    });
    e.finish()
}

/// A `Name` (RFC 5280 §4.1.2.4): one attribute per RDN, UTF8String values (PrintableString for
/// serialNumber, X.520), then `O`, and `C` (PrintableString) when `with_country`.
fn name(attributes: &[(ObjectIdentifier, &str)], with_country: bool) -> Vec<u8> {
    let mut all: Vec<(ObjectIdentifier, Tag, &str)> =
        vec![(oid::AT_ORGANIZATION, Tag::Utf8String, ORGANIZATION)];
    all.extend(attributes.iter().map(|(id, value)| {
        let tag = if *id == oid::AT_SERIAL_NUMBER { Tag::PrintableString } else { Tag::Utf8String };
        (*id, tag, *value)
    }));
    if with_country {
        all.push((oid::AT_COUNTRY, Tag::PrintableString, COUNTRY));
    }
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        for (id, tag, value) in &all {
            e.nested(Tag::Set, |e| {
                e.nested(Tag::Sequence, |e| {
                    e.tlv(Tag::ObjectIdentifier, id.as_bytes());
                    e.tlv(*tag, value.as_bytes());
                });
            });
        }
    });
    e.finish()
}

/// UTCTime for 13-character values, GeneralizedTime for 15 (RFC 5280 §4.1.2.5).
fn time(value: &[u8]) -> Vec<u8> {
    let tag = if value.len() == 13 { Tag::UtcTime } else { Tag::GeneralizedTime };
    let mut e = Encoder::new();
    e.tlv(tag, value);
    e.finish()
}

/// SubjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1).
fn key_identifier(public: &PublicKey) -> [u8; 20] {
    Sha1::digest(public.to_uncompressed()).into()
}

/// A positive 8-byte serial number derived from the public key (unique per key, reproducible).
fn serial_number(public: &PublicKey) -> Vec<u8> {
    let hash = Sha256::digest(public.to_uncompressed());
    let [first, b1, b2, b3, b4, b5, b6, b7, ..]: [u8; 32] = hash.into();
    std::vec![(first & 0x7F) | 0x40, b1, b2, b3, b4, b5, b6, b7]
}
