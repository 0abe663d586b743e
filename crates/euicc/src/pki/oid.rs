//! Object identifiers of the SGP.22 PKI.
//!
//! Role OIDs: SGP.22 v2 §4.5.2 certificate policies (`id-rspRole` arc `2.23.146.1.2.1`, ASN.1 in
//! `RSPDefinitions` `id-rspRole-*`), the v3 (variants A/B/C) role arcs from the SGP.22 v3 ASN.1
//! module; curve OIDs from RFC 5480 §2.1.1.1 (secp256r1) and RFC 5639 §4.1 (brainpoolP256r1);
//! extension OIDs from RFC 5280 §4.2.1.

use der::asn1::ObjectIdentifier;

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / NIST P-256 (RFC 5480 §2.1.1.1).
pub const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `brainpoolP256r1` (RFC 5639 §4.1).
pub const BRAINPOOL_P256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");
/// `ecdsa-with-SHA256` (RFC 5758 §3.2), the certificate signature algorithm of SGP.22 §4.5.2.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// `id-ce-subjectKeyIdentifier` (RFC 5280 §4.2.1.2).
pub const SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// `id-ce-keyUsage` (RFC 5280 §4.2.1.3).
pub const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// `id-ce-subjectAltName` (RFC 5280 §4.2.1.6).
pub const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// `id-ce-basicConstraints` (RFC 5280 §4.2.1.9).
pub const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-ce-nameConstraints` (RFC 5280 §4.2.1.10).
pub const NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
/// `id-ce-cRLDistributionPoints` (RFC 5280 §4.2.1.13).
pub const CRL_DISTRIBUTION_POINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
/// `id-ce-certificatePolicies` (RFC 5280 §4.2.1.4).
pub const CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
/// `id-ce-authorityKeyIdentifier` (RFC 5280 §4.2.1.1).
pub const AUTHORITY_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
/// `id-ce-extKeyUsage` (RFC 5280 §4.2.1.12).
pub const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// `id-kp-serverAuth` (RFC 5280 §4.2.1.12).
pub const KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// `id-kp-clientAuth` (RFC 5280 §4.2.1.12).
pub const KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// `id-at-commonName` (X.520, RFC 5280 Appendix A).
pub const AT_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// `id-at-serialNumber` (X.520): carries the EID in CERT.EUICC (SGP.22 §4.5.2.1.0.3).
pub const AT_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// `id-at-countryName` (X.520).
pub const AT_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// `id-at-organizationName` (X.520).
pub const AT_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
/// `id-at-organizationalUnitName` (X.520).
pub const AT_ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");

/// An SGP.22 certificate role, identified by the certificate policy OID of its certificate
/// (SGP.22 §4.5.2; `id-rspRole-*` in `RSPDefinitions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RspRole {
    /// GSMA Certificate Issuer (CERT.CI), the root.
    Ci,
    /// eUICC Manufacturer (CERT.EUM), signs eUICC certificates.
    Eum,
    /// The eUICC (CERT.EUICC.ECDSA).
    Euicc,
    /// SM-DP+ TLS server (CERT.DP.TLS).
    DpTls,
    /// SM-DP+ authentication (CERT.DPauth.ECDSA): signs serverSigned1.
    DpAuth,
    /// SM-DP+ profile binding (CERT.DPpb.ECDSA): signs smdpSigned2 and InitialiseSecureChannel.
    DpPb,
    /// SM-DS TLS server (CERT.DS.TLS).
    DsTls,
    /// SM-DS authentication (CERT.DSauth.ECDSA).
    DsAuth,
}

impl RspRole {
    /// Every role.
    pub const ALL: [RspRole; 8] = [
        RspRole::Ci,
        RspRole::Eum,
        RspRole::Euicc,
        RspRole::DpTls,
        RspRole::DpAuth,
        RspRole::DpPb,
        RspRole::DsTls,
        RspRole::DsAuth,
    ];

    /// The SGP.22 v2 policy OID (`id-rspRole-ci` `2.23.146.1.2.1.0` … `id-rspRole-ds-auth`
    /// `2.23.146.1.2.1.7`), the one this module puts into generated certificates.
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            RspRole::Ci => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0"),
            RspRole::Euicc => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.1"),
            RspRole::Eum => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.2"),
            RspRole::DpTls => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.3"),
            RspRole::DpAuth => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.4"),
            RspRole::DpPb => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.5"),
            RspRole::DsTls => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.6"),
            RspRole::DsAuth => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.7"),
        }
    }

    /// The SGP.22 v3 (variants A/B/C) policy OID of the role (`id-rspRole-eum-v3`
    /// `2.23.146.1.2.1.0.0.0`, …), accepted on verification. `Ci` keeps `2.23.146.1.2.1.0`.
    pub const fn oid_v3(self) -> ObjectIdentifier {
        match self {
            RspRole::Ci => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0"),
            RspRole::Eum => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.0.0"),
            RspRole::Euicc => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.0.0.0.0"),
            RspRole::DpTls => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.1.0"),
            RspRole::DpAuth => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.1.1"),
            RspRole::DpPb => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.1.2"),
            RspRole::DsTls => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.2.0"),
            RspRole::DsAuth => ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0.2.1"),
        }
    }

    /// The role whose v2 or v3 policy OID is `oid`, if any.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<RspRole> {
        RspRole::ALL.into_iter().find(|role| role.oid() == *oid || role.oid_v3() == *oid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_oids_round_trip() {
        for role in RspRole::ALL {
            assert_eq!(RspRole::from_oid(&role.oid()), Some(role));
            assert_eq!(RspRole::from_oid(&role.oid_v3()), Some(role));
        }
        // SGP.22 RSPDefinitions: id-rspRole-dp-pb OBJECT IDENTIFIER ::= {id-rspRole 5}.
        assert_eq!(RspRole::DpPb.oid().as_bytes(), [0x67, 0x81, 0x12, 0x01, 0x02, 0x01, 0x05]);
    }
}
