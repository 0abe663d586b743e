//! Elliptic-curve keys: ECDSA with SHA-256 (SGP.22 §2.6.5, BSI TR-03111 §4.2.1) and ECKA-DH
//! (BSI TR-03111 §4.3.1, used by the BSP key agreement of SGP.22 §2.6.7) on NIST P-256 and
//! brainpoolP256r1.

use core::fmt;

use crate::asn1::Encoder;
use der::Decode;
use der::Tag;
use der::asn1::ObjectIdentifier;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::pkcs8::{EncodePrivateKey, LineEnding};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::elliptic_curve::zeroize::Zeroizing;
use sha2::{Digest, Sha256};

use super::error::PkiError;
use super::oid;
use super::signature::Tr03111Signature;

/// The two curves of SGP.22 §2.6.5 (an eUICC supports at least one; both are 256-bit, so
/// scalars, coordinates and signature halves are always 32 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 / secp256r1 (FIPS 186-4 §D.1.2.3).
    NistP256,
    /// brainpoolP256r1 (RFC 5639 §3.4).
    BrainpoolP256r1,
}

impl Curve {
    /// The `namedCurve` OID of the curve (RFC 5480 §2.1.1.1, RFC 5639 §4.1).
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Curve::NistP256 => oid::SECP256R1,
            Curve::BrainpoolP256r1 => oid::BRAINPOOL_P256R1,
        }
    }

    /// The curve named by `oid`.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Curve, PkiError> {
        [Curve::NistP256, Curve::BrainpoolP256r1]
            .into_iter()
            .find(|curve| curve.oid() == *oid)
            .ok_or_else(|| PkiError::UnsupportedCurve(oid.to_string()))
    }
}

/// Runs `$body` with `$k` bound to the inner key of whichever curve `$value` holds.
macro_rules! on_curve {
    ($value:expr, $ty:ident, $k:ident => $body:expr) => {
        match $value {
            $ty::NistP256($k) => $body,
            $ty::BrainpoolP256r1($k) => $body,
        }
    };
}

/// Builds the variant of `$ty` for `$curve`, with `$krate` naming that curve's crate (module).
macro_rules! for_curve {
    ($curve:expr, $ty:ident, |$krate:ident| $body:expr) => {
        match $curve {
            Curve::NistP256 => {
                use p256 as $krate;
                $ty::NistP256($body)
            }
            Curve::BrainpoolP256r1 => {
                use brainpool as $krate;
                $ty::BrainpoolP256r1($body)
            }
        }
    };
}

/// The brainpoolP256r1 key types under the names `p256` uses, for [`for_curve`].
mod brainpool {
    pub(super) type SecretKey = bp256::r1::SecretKey;
    pub(super) type PublicKey = bp256::elliptic_curve::PublicKey<bp256::BrainpoolP256r1>;
}

/// An EC private key (SK.EUICC.ECDSA, SK.DPauth.ECDSA, a one-time otSK, …).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrivateKey {
    /// On NIST P-256.
    NistP256(p256::SecretKey),
    /// On brainpoolP256r1.
    BrainpoolP256r1(bp256::r1::SecretKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey({:?}, public {})",
            self.curve(),
            hex::encode(self.public_key().to_uncompressed())
        )
    }
}

impl PrivateKey {
    /// A fresh random key from the system RNG.
    pub fn generate(curve: Curve) -> Result<PrivateKey, PkiError> {
        Ok(match curve {
            Curve::NistP256 => {
                PrivateKey::NistP256(p256::SecretKey::try_generate().map_err(|_| PkiError::Random)?)
            }
            Curve::BrainpoolP256r1 => PrivateKey::BrainpoolP256r1(
                bp256::r1::SecretKey::try_generate().map_err(|_| PkiError::Random)?,
            ),
        })
    }

    /// A key derived deterministically from `seed` and `label` (for reproducible tests only):
    /// the first SHA-256(`label` ‖ `00` ‖ `seed` ‖ counter) that is a valid scalar.
    pub fn derive(curve: Curve, seed: &[u8], label: &str) -> Result<PrivateKey, PkiError> {
        for counter in 0u32..64 {
            let mut hash = Sha256::new();
            hash.update(label.as_bytes());
            hash.update([0]);
            hash.update(seed);
            hash.update(counter.to_be_bytes());
            let candidate = Zeroizing::new(<[u8; 32]>::from(hash.finalize()));
            if let Ok(key) = PrivateKey::from_bytes(curve, &candidate[..]) {
                return Ok(key);
            }
        }
        Err(PkiError::Key("no valid scalar derived"))
    }

    /// The key whose scalar is the 32 big-endian bytes `bytes` (BSI TR-03111 §3.1.2 OS2I).
    pub fn from_bytes(curve: Curve, bytes: &[u8]) -> Result<PrivateKey, PkiError> {
        let bad = |_| PkiError::Key("scalar out of range or not 32 bytes");
        Ok(for_curve!(curve, PrivateKey, |c| c::SecretKey::from_slice(bytes).map_err(bad)?))
    }

    /// The scalar as 32 big-endian bytes.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        on_curve!(self, PrivateKey, k => out.copy_from_slice(&k.to_bytes()));
        out
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        match self {
            PrivateKey::NistP256(_) => Curve::NistP256,
            PrivateKey::BrainpoolP256r1(_) => Curve::BrainpoolP256r1,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::NistP256(k) => PublicKey::NistP256(k.public_key()),
            PrivateKey::BrainpoolP256r1(k) => PublicKey::BrainpoolP256r1(k.public_key()),
        }
    }

    /// Decodes a DER private key: PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5915 §3) or SEC1
    /// `ECPrivateKey` (RFC 5915 §3, SEC1 §C.4). The curve comes from the key's parameters; a SEC1
    /// key without parameters is taken as NIST P-256 first, then brainpoolP256r1.
    pub fn from_der(der: &[u8]) -> Result<PrivateKey, PkiError> {
        if let Ok(key) = p256::SecretKey::from_der(der) {
            return Ok(PrivateKey::NistP256(key));
        }
        bp256::r1::SecretKey::from_der(der)
            .map(PrivateKey::BrainpoolP256r1)
            .map_err(|_| PkiError::Key("not a PKCS#8 or SEC1 EC private key on a supported curve"))
    }

    /// Decodes a PEM private key: the first `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1)
    /// block of `pem` (RFC 7468 §10, §13); other blocks (such as OpenSSL's `EC PARAMETERS`) are
    /// skipped.
    pub fn from_pem(pem: &str) -> Result<PrivateKey, PkiError> {
        let der = super::pem::pem_block(pem, &["PRIVATE KEY", "EC PRIVATE KEY"])?;
        PrivateKey::from_der(&der)
    }

    /// Decodes a PEM (when `bytes` are PEM text) or DER private key.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<PrivateKey, PkiError> {
        match super::pem::as_pem(bytes) {
            Some(pem) => PrivateKey::from_pem(pem),
            None => PrivateKey::from_der(bytes),
        }
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER (RFC 5208), with the curve OID as parameters.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        let doc = on_curve!(self, PrivateKey, k => k.to_pkcs8_der()).map_err(|_| PkiError::Key("PKCS#8"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The key as a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, RFC 7468 §10).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, PkiError> {
        on_curve!(self, PrivateKey, k => k.to_pkcs8_pem(LineEnding::LF)).map_err(|_| PkiError::Key("PKCS#8"))
    }

    /// The key as SEC1 `ECPrivateKey` DER (RFC 5915 §3), with parameters and public key.
    pub fn to_sec1_der(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        on_curve!(self, PrivateKey, k => k.to_sec1_der()).map_err(PkiError::Der)
    }

    /// ECDSA signature with SHA-256 over `message` (FIPS 186-4 §6.4, deterministic nonce per
    /// RFC 6979 §3.2), in the TR-03111 plain form of SGP.22 `5F37` fields.
    pub fn sign(&self, message: &[u8]) -> Tr03111Signature {
        use ecdsa::signature::Signer;
        let mut out = [0u8; 64];
        on_curve!(self, PrivateKey, k => {
            let signature: ecdsa::Signature<_> = ecdsa::SigningKey::from(k).sign(message);
            out.copy_from_slice(&signature.to_bytes());
        });
        Tr03111Signature::from_bytes(out)
    }

    /// ECKA-DH (BSI TR-03111 §4.3.1): the x-coordinate of `self · peer`, 32 bytes. This is the
    /// shared secret `ShS` of the BSP key derivation (SGP.22 §2.6.7.1 / §5.7.6).
    pub fn ecka(&self, peer: &PublicKey) -> Result<SharedSecret, PkiError> {
        let mut out = Zeroizing::new([0u8; 32]);
        match (self, peer) {
            (PrivateKey::NistP256(sk), PublicKey::NistP256(pk)) => {
                let shared = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                out.copy_from_slice(shared.raw_secret_bytes());
            }
            (PrivateKey::BrainpoolP256r1(sk), PublicKey::BrainpoolP256r1(pk)) => {
                let shared =
                    bp256::elliptic_curve::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
                out.copy_from_slice(shared.raw_secret_bytes());
            }
            _ => return Err(PkiError::CurveMismatch),
        }
        Ok(SharedSecret(out))
    }
}

/// An EC public key (PK.EUICC.ECDSA from a certificate, an otPK, …).
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// On NIST P-256.
    NistP256(p256::PublicKey),
    /// On brainpoolP256r1.
    BrainpoolP256r1(bp256::elliptic_curve::PublicKey<bp256::BrainpoolP256r1>),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({:?}, {})", self.curve(), hex::encode(self.to_uncompressed()))
    }
}

impl PublicKey {
    /// Decodes a SEC1 point (SEC1 §2.3.4: uncompressed `04 ‖ X ‖ Y`, 65 bytes, or compressed,
    /// 33 bytes) on `curve`; rejects points not on the curve and the identity.
    pub fn from_sec1_bytes(curve: Curve, bytes: &[u8]) -> Result<PublicKey, PkiError> {
        let bad = |_| PkiError::Key("not a valid point of the curve");
        Ok(for_curve!(curve, PublicKey, |c| c::PublicKey::from_sec1_bytes(bytes).map_err(bad)?))
    }

    /// The uncompressed point `04 ‖ X ‖ Y` (SEC1 §2.3.3), 65 bytes: the form of otPK.EUICC /
    /// otPK.DP in `5F49` (SGP.22 §5.7.5, §5.7.6) and of the key in X.509 SPKIs.
    pub fn to_uncompressed(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        on_curve!(self, PublicKey, k => out.copy_from_slice(k.to_sec1_point(false).as_bytes()));
        out
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        match self {
            PublicKey::NistP256(_) => Curve::NistP256,
            PublicKey::BrainpoolP256r1(_) => Curve::BrainpoolP256r1,
        }
    }

    /// Decodes a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7) with algorithm `id-ecPublicKey`
    /// and a named curve (RFC 5480 §2.1.1).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, PkiError> {
        let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(der)?;
        PublicKey::from_spki(&spki)
    }

    /// Decodes a parsed `SubjectPublicKeyInfo` (RFC 5480 §2.1.1), e.g. a certificate's.
    pub fn from_spki(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, PkiError> {
        if spki.algorithm.oid != oid::EC_PUBLIC_KEY {
            return Err(PkiError::UnsupportedCurve(spki.algorithm.oid.to_string()));
        }
        let params = spki.algorithm.parameters.as_ref().ok_or(PkiError::Key("EC key without named curve"))?;
        let curve = Curve::from_oid(&params.decode_as::<ObjectIdentifier>()?)?;
        let point = spki.subject_public_key.as_bytes().ok_or(PkiError::Key("public key BIT STRING"))?;
        PublicKey::from_sec1_bytes(curve, point)
    }

    /// The `SubjectPublicKeyInfo` DER (RFC 5480 §2.1.1: `id-ecPublicKey`, named curve,
    /// uncompressed point).
    pub fn to_spki_der(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        let point = self.to_uncompressed();
        e.nested(Tag::Sequence, |e| {
            e.nested(Tag::Sequence, |e| {
                e.tlv(Tag::ObjectIdentifier, oid::EC_PUBLIC_KEY.as_bytes());
                e.tlv(Tag::ObjectIdentifier, self.curve().oid().as_bytes());
            });
            let mut bits = Vec::with_capacity(66);
            bits.push(0);
            bits.extend_from_slice(&point);
            e.tlv(Tag::BitString, &bits);
        });
        e.finish()
    }

    /// Verifies an ECDSA/SHA-256 signature in TR-03111 plain form over `message`
    /// (FIPS 186-4 §6.4.2).
    pub fn verify(&self, message: &[u8], signature: &Tr03111Signature) -> Result<(), PkiError> {
        use ecdsa::signature::Verifier;
        let bytes = signature.as_bytes();
        let ok = on_curve!(self, PublicKey, k => ecdsa::Signature::from_slice(bytes)
            .is_ok_and(|s| ecdsa::VerifyingKey::from(k).verify(message, &s).is_ok()));
        if ok { Ok(()) } else { Err(PkiError::InvalidSignature) }
    }

    /// Verifies a DER `ECDSA-Sig-Value` (RFC 5480 §2.2.3, as in X.509) over `message`.
    pub fn verify_der(&self, message: &[u8], der_signature: &[u8]) -> Result<(), PkiError> {
        self.verify(message, &Tr03111Signature::from_der(der_signature)?)
    }
}

/// The ECKA-DH shared secret `ShS` (BSI TR-03111 §4.3.1: the x-coordinate, 32 bytes), zeroized
/// on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret(Zeroizing<[u8; 32]>);

impl SharedSecret {
    /// The 32 bytes of the x-coordinate.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(…)")
    }
}

/// A one-time key pair for the BSP key agreement: otSK.EUICC / otPK.EUICC generated in
/// PrepareDownload, otSK.DP / otPK.DP generated by the SM-DP+ (SGP.22 §3.1.3.2, §5.7.5), on the
/// curve of CERT.DPpb.
#[derive(Clone, Debug)]
pub struct OneTimeKeyPair {
    secret: PrivateKey,
    public: [u8; 65],
}

impl OneTimeKeyPair {
    /// A fresh random key pair on `curve`.
    pub fn generate(curve: Curve) -> Result<OneTimeKeyPair, PkiError> {
        Ok(OneTimeKeyPair::from_private(PrivateKey::generate(curve)?))
    }

    /// The key pair of a known private key (tests, reused otSK for a re-offered BPP).
    pub fn from_private(secret: PrivateKey) -> OneTimeKeyPair {
        let public = secret.public_key().to_uncompressed();
        OneTimeKeyPair { secret, public }
    }

    /// otPK as the uncompressed point `04 ‖ X ‖ Y` (65 bytes), the value of the `5F49` TLV.
    pub fn public_uncompressed(&self) -> &[u8; 65] {
        &self.public
    }

    /// The private half.
    pub fn private_key(&self) -> &PrivateKey {
        &self.secret
    }

    /// ECKA-DH with the peer's one-time public key given as a SEC1 point (the `5F49` value):
    /// the shared secret `ShS` of SGP.22 §2.6.7.1.
    pub fn agree(&self, peer_point: &[u8]) -> Result<SharedSecret, PkiError> {
        let peer = PublicKey::from_sec1_bytes(self.secret.curve(), peer_point)?;
        self.secret.ecka(&peer)
    }
}
