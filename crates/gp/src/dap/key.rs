//! DAP keys: [`DapSigner`] (a private key from PEM) and [`DapVerifier`] (its public key), and
//! the signature schemes of GPC v2.3.1 Appendix C.3.

use core::fmt;
use std::path::Path;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _, LineEnding};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{Pkcs1v15Sign, Pss};
use sha1::Digest as _;
use zeroize::Zeroizing;

use super::DapBlock;
use crate::cap::HashAlgorithm;
use oxicard_apdu::Aid;

/// The smallest RSA modulus accepted, in bytes: 1024 bits (GPC v2.3.1 Table C-1).
const RSA_MIN_BYTES: usize = 128;

/// The most bytes of PEM text read from a file: far more than any RSA-4096 key needs.
const MAX_PEM_LEN: u64 = 64 * 1024;

/// How a DAP is computed over the Load File Data Block Hash (GPC v2.3.1 Appendix C.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DapScheme {
    /// RSA Scheme 1 (GPC v2.3.1 §B.3.1.1): RSASSA-PKCS1-v1_5 with SHA-1, for 1024-bit keys.
    /// The default for a 1024-bit key.
    RsaPkcs1v15Sha1,
    /// RSASSA-PKCS1-v1_5 with SHA-256: not in GPC v2.3.1, but what GlobalPlatformPro
    /// (`DAPSigner.java`) signs with a 1024-bit key when the LFDBH is SHA-256.
    RsaPkcs1v15Sha256,
    /// RSA Scheme 2 (GPC v2.3.1 §B.3.2.1): RSASSA-PSS with SHA-256, MGF1 with SHA-256, a 32-byte
    /// salt and the trailer `BC`, for keys longer than 1024 bits. The default for those.
    RsaPssSha256,
    /// ECDSA (GPC v2.3.1 §B.4.3, Table B-3) on P-256 with SHA-256; the signature is `r || s`,
    /// 64 bytes (the plain format of BSI TR-03111). Signing is deterministic (RFC 6979).
    EcdsaP256Sha256,
}

impl DapScheme {
    /// Every scheme.
    pub const ALL: [DapScheme; 4] =
        [Self::RsaPkcs1v15Sha1, Self::RsaPkcs1v15Sha256, Self::RsaPssSha256, Self::EcdsaP256Sha256];

    /// A short name: `rsa-pkcs1-sha1`, `rsa-pkcs1-sha256`, `rsa-pss-sha256`, `ecdsa-p256-sha256`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1v15Sha1 => "rsa-pkcs1-sha1",
            Self::RsaPkcs1v15Sha256 => "rsa-pkcs1-sha256",
            Self::RsaPssSha256 => "rsa-pss-sha256",
            Self::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        }
    }

    /// The scheme of [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The hash the scheme itself applies to the LFDBH.
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1v15Sha1 => HashAlgorithm::Sha1,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// Whether an LFDBH computed with `lfdbh` may go with this scheme: it must be at least as
    /// strong as the scheme's own hash (GPC v2.3.1 Table C-3).
    pub fn accepts_lfdbh(self, lfdbh: HashAlgorithm) -> bool {
        match self.hash() {
            HashAlgorithm::Sha1 => true,
            _ => lfdbh != HashAlgorithm::Sha1,
        }
    }

    fn is_rsa(self) -> bool {
        !matches!(self, Self::EcdsaP256Sha256)
    }

    /// This scheme for an RSA key (`rsa`) or an EC key: an RSA scheme for RSA, ECDSA for EC,
    /// else [`DapError::SchemeMismatch`].
    fn for_key(self, rsa: bool) -> Result<Self, DapError> {
        if rsa == self.is_rsa() { Ok(self) } else { Err(DapError::SchemeMismatch { scheme: self }) }
    }
}

impl fmt::Display for DapScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a DAP key cannot be read, or a DAP not be made or verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DapError {
    /// The PEM text is not a key this module reads (what is wrong: label, encoding, curve,
    /// size). Never carries key material.
    #[error("DAP key: {0}")]
    Key(&'static str),
    /// The key file could not be read.
    #[error("DAP key file: {0}")]
    Read(std::io::ErrorKind),
    /// The scheme asked for does not fit the key (an RSA scheme for an EC key, or the reverse).
    #[error("the DAP scheme {scheme} does not fit this key")]
    SchemeMismatch {
        /// The scheme asked for.
        scheme: DapScheme,
    },
    /// The LFDBH is not a SHA-1 (20 bytes) or SHA-256 (32 bytes) hash.
    #[error("a Load File Data Block Hash of {0} bytes is neither SHA-1 nor SHA-256")]
    HashLength(usize),
    /// The LFDBH is weaker than the scheme's hash (GPC v2.3.1 Table C-3).
    #[error("a {lfdbh:?} Load File Data Block Hash is weaker than {scheme} requires (GPC v2.3.1 Table C-3)")]
    WeakHash {
        /// The scheme.
        scheme: DapScheme,
        /// The LFDBH's algorithm.
        lfdbh: HashAlgorithm,
    },
    /// The private key operation failed (e.g. no randomness for the PSS salt).
    #[error("computing the DAP signature failed")]
    Signing,
    /// The signature does not verify with the key over this LFDBH.
    #[error("the DAP signature does not verify")]
    BadSignature,
}

/// The LFDBH's algorithm, by its length.
fn lfdbh_algorithm(lfdbh: &[u8]) -> Result<HashAlgorithm, DapError> {
    match lfdbh.len() {
        20 => Ok(HashAlgorithm::Sha1),
        32 => Ok(HashAlgorithm::Sha256),
        n => Err(DapError::HashLength(n)),
    }
}

/// `scheme` checked against the LFDBH: its length, then Table C-3.
fn check_lfdbh(scheme: DapScheme, lfdbh: &[u8]) -> Result<(), DapError> {
    let algorithm = lfdbh_algorithm(lfdbh)?;
    if scheme.accepts_lfdbh(algorithm) {
        Ok(())
    } else {
        Err(DapError::WeakHash { scheme, lfdbh: algorithm })
    }
}

/// The PEM text from its `-----BEGIN` line on (files may carry a preamble, e.g. the bag
/// attributes OpenSSL writes), and its label.
fn pem_label(pem: &str) -> Result<(&str, &str), DapError> {
    let start = pem.find("-----BEGIN ").ok_or(DapError::Key("no PEM `-----BEGIN` line"))?;
    let (_, text) = pem.split_at_checked(start).ok_or(DapError::Key("no PEM `-----BEGIN` line"))?;
    let label = rsa::pkcs8::der::pem::decode_label(text.as_bytes())
        .map_err(|_| DapError::Key("malformed PEM encapsulation boundary"))?;
    Ok((text, label))
}

/// The default scheme for an RSA key of `bytes` modulus bytes (GPC v2.3.1 §B.3).
fn rsa_default_scheme(bytes: usize) -> DapScheme {
    if bytes == RSA_MIN_BYTES { DapScheme::RsaPkcs1v15Sha1 } else { DapScheme::RsaPssSha256 }
}

fn rsa_size_checked(size: usize) -> Result<usize, DapError> {
    if size < RSA_MIN_BYTES {
        Err(DapError::Key("RSA keys shorter than 1024 bits are not accepted (GPC v2.3.1 Table C-1)"))
    } else {
        Ok(size)
    }
}

#[derive(Clone)]
enum PrivateKey {
    Rsa(rsa::PrivateKey),
    Ec(p256::ecdsa::SigningKey),
}

/// A DAP signing key — an RSA private key (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`
/// PEM, at least 1024 bits) or an EC P-256 private key (SEC 1 `EC PRIVATE KEY` or PKCS#8 PEM) —
/// and its [`DapScheme`].
///
/// The key is zeroized when dropped (the RustCrypto key types do it) and prints as
/// `[redacted]`; text read by [`DapSigner::from_pem_file`] is zeroized too. Encrypted PEM is
/// not read: decrypt it first.
#[derive(Clone)]
pub struct DapSigner {
    key: PrivateKey,
    scheme: DapScheme,
}

impl fmt::Debug for DapSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DapSigner")
            .field("scheme", &self.scheme)
            .field("key", &format_args!("[redacted]"))
            .finish()
    }
}

/// Two signers are equal when their public keys and schemes are.
impl PartialEq for DapSigner {
    fn eq(&self, other: &Self) -> bool {
        self.verifier() == other.verifier()
    }
}

impl Eq for DapSigner {}

impl DapSigner {
    /// Reads a private key from PEM text, with the default scheme for the key: RSA-1024
    /// [`RsaPkcs1v15Sha1`](DapScheme::RsaPkcs1v15Sha1), longer RSA keys
    /// [`RsaPssSha256`](DapScheme::RsaPssSha256), P-256
    /// [`EcdsaP256Sha256`](DapScheme::EcdsaP256Sha256).
    pub fn from_pem(pem: &str) -> Result<Self, DapError> {
        let (text, label) = pem_label(pem)?;
        let key = match label {
            "RSA PRIVATE KEY" => PrivateKey::Rsa(
                rsa::PrivateKey::from_pkcs1_pem(text)
                    .map_err(|_| DapError::Key("malformed PKCS#1 RSA private key"))?,
            ),
            "PRIVATE KEY" => match rsa::PrivateKey::from_pkcs8_pem(text) {
                Ok(key) => PrivateKey::Rsa(key),
                Err(_) => PrivateKey::Ec(p256::ecdsa::SigningKey::from_pkcs8_pem(text).map_err(|_| {
                    DapError::Key("a PKCS#8 private key that is neither RSA (1024 bits or more) nor EC P-256")
                })?),
            },
            "EC PRIVATE KEY" => {
                let secret = p256::SecretKey::from_sec1_pem(text)
                    .map_err(|_| DapError::Key("not a SEC 1 EC private key on P-256"))?;
                PrivateKey::Ec(p256::ecdsa::SigningKey::from(&secret))
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err(DapError::Key("encrypted PEM is not supported: decrypt it first"));
            }
            _ => {
                return Err(DapError::Key(
                    "not a private key PEM (RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY)",
                ));
            }
        };
        let scheme = match &key {
            PrivateKey::Rsa(k) => rsa_default_scheme(rsa_size_checked(k.size())?),
            PrivateKey::Ec(_) => DapScheme::EcdsaP256Sha256,
        };
        Ok(Self { key, scheme })
    }

    /// [`DapSigner::from_pem`] of the file `path` (at most 64 KiB; the text read is zeroized).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, DapError> {
        use std::io::Read as _;
        let file = std::fs::File::open(path).map_err(|e| DapError::Read(e.kind()))?;
        let mut bytes = Zeroizing::new(Vec::new());
        file.take(MAX_PEM_LEN).read_to_end(&mut bytes).map_err(|e| DapError::Read(e.kind()))?;
        let text = core::str::from_utf8(&bytes).map_err(|_| DapError::Key("PEM text is not UTF-8"))?;
        Self::from_pem(text)
    }

    /// The same key with `scheme`: any RSA scheme for an RSA key (for cards that deviate from
    /// the defaults), [`EcdsaP256Sha256`](DapScheme::EcdsaP256Sha256) for an EC key.
    pub fn with_scheme(mut self, scheme: DapScheme) -> Result<Self, DapError> {
        self.scheme = scheme.for_key(matches!(self.key, PrivateKey::Rsa(_)))?;
        Ok(self)
    }

    /// The scheme.
    pub fn scheme(&self) -> DapScheme {
        self.scheme
    }

    /// The public key and scheme, for the card's side.
    pub fn verifier(&self) -> DapVerifier {
        let key = match &self.key {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            PrivateKey::Ec(k) => PublicKey::Ec(*k.verifying_key()),
        };
        DapVerifier { key, scheme: self.scheme }
    }

    /// The Load File Data Block Signature over `lfdbh` (GPC v2.3.1 Appendix C.3): the LFDBH as
    /// the message of the scheme, which hashes it again.
    ///
    /// # Errors
    ///
    /// [`DapError::HashLength`] / [`DapError::WeakHash`] for an LFDBH the scheme cannot go with,
    /// [`DapError::Signing`] when the private key operation fails.
    pub fn sign(&self, lfdbh: &[u8]) -> Result<Vec<u8>, DapError> {
        check_lfdbh(self.scheme, lfdbh)?;
        let signed = match (&self.key, self.scheme) {
            (PrivateKey::Rsa(k), DapScheme::RsaPkcs1v15Sha1) => {
                k.sign(Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(lfdbh))
            }
            (PrivateKey::Rsa(k), DapScheme::RsaPkcs1v15Sha256) => {
                k.sign(Pkcs1v15Sign::new::<sha2::Sha256>(), &sha2::Sha256::digest(lfdbh))
            }
            (PrivateKey::Rsa(k), DapScheme::RsaPssSha256) => {
                k.sign(Pss::<sha2::Sha256>::new(), &sha2::Sha256::digest(lfdbh))
            }
            (PrivateKey::Ec(k), DapScheme::EcdsaP256Sha256) => {
                let signature: p256::ecdsa::Signature = k.try_sign(lfdbh).map_err(|_| DapError::Signing)?;
                return Ok(signature.to_bytes().to_vec());
            }
            (_, scheme) => return Err(DapError::SchemeMismatch { scheme }),
        };
        signed.map_err(|_| DapError::Signing)
    }

    /// The DAP Block for `security_domain` with the signature over `lfdbh`.
    pub fn dap_block(&self, security_domain: Aid, lfdbh: &[u8]) -> Result<DapBlock, DapError> {
        Ok(DapBlock::new(security_domain, self.sign(lfdbh)?))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PublicKey {
    Rsa(rsa::PublicKey),
    Ec(p256::ecdsa::VerifyingKey),
}

/// A DAP verification key (GPC v2.3.1 Appendix C.1.2) and its [`DapScheme`]: what a security
/// domain with the DAP Verification privilege holds. Read from a `PUBLIC KEY`
/// (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1) PEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DapVerifier {
    key: PublicKey,
    scheme: DapScheme,
}

impl DapVerifier {
    /// Reads a public key from PEM text, with the same default scheme as
    /// [`DapSigner::from_pem`].
    pub fn from_pem(pem: &str) -> Result<Self, DapError> {
        let (text, label) = pem_label(pem)?;
        let key = match label {
            "RSA PUBLIC KEY" => PublicKey::Rsa(
                rsa::PublicKey::from_pkcs1_pem(text)
                    .map_err(|_| DapError::Key("malformed PKCS#1 RSA public key"))?,
            ),
            "PUBLIC KEY" => match rsa::PublicKey::from_public_key_pem(text) {
                Ok(key) => PublicKey::Rsa(key),
                Err(_) => {
                    PublicKey::Ec(p256::ecdsa::VerifyingKey::from_public_key_pem(text).map_err(|_| {
                        DapError::Key("a public key that is neither RSA (1024 bits or more) nor EC P-256")
                    })?)
                }
            },
            _ => return Err(DapError::Key("not a public key PEM (PUBLIC KEY, RSA PUBLIC KEY)")),
        };
        let scheme = match &key {
            PublicKey::Rsa(k) => rsa_default_scheme(rsa_size_checked(k.size())?),
            PublicKey::Ec(_) => DapScheme::EcdsaP256Sha256,
        };
        Ok(Self { key, scheme })
    }

    /// The same key with `scheme` (as [`DapSigner::with_scheme`]).
    pub fn with_scheme(mut self, scheme: DapScheme) -> Result<Self, DapError> {
        self.scheme = scheme.for_key(matches!(self.key, PublicKey::Rsa(_)))?;
        Ok(self)
    }

    /// The scheme.
    pub fn scheme(&self) -> DapScheme {
        self.scheme
    }

    /// The key as a `PUBLIC KEY` (SubjectPublicKeyInfo) PEM, lines ending in LF.
    pub fn to_pem(&self) -> String {
        let pem = match &self.key {
            PublicKey::Rsa(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::Ec(k) => k.to_public_key_pem(LineEnding::LF),
        };
        // Encoding a key that decoded (or was derived from one) does not fail.
        pem.unwrap_or_default()
    }

    /// Checks `signature` over `lfdbh` (GPC v2.3.1 §9.3.5: "verify that the DAP matches with
    /// the Load File Data Block Hash received in the load request").
    ///
    /// # Errors
    ///
    /// [`DapError::HashLength`] / [`DapError::WeakHash`] for an LFDBH the scheme cannot go with
    /// (Table C-3), [`DapError::BadSignature`] when the signature does not verify.
    pub fn verify(&self, lfdbh: &[u8], signature: &[u8]) -> Result<(), DapError> {
        check_lfdbh(self.scheme, lfdbh)?;
        let verified = match (&self.key, self.scheme) {
            (PublicKey::Rsa(k), DapScheme::RsaPkcs1v15Sha1) => {
                k.verify(Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(lfdbh), signature).is_ok()
            }
            (PublicKey::Rsa(k), DapScheme::RsaPkcs1v15Sha256) => {
                k.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), &sha2::Sha256::digest(lfdbh), signature).is_ok()
            }
            (PublicKey::Rsa(k), DapScheme::RsaPssSha256) => {
                k.verify(Pss::<sha2::Sha256>::new(), &sha2::Sha256::digest(lfdbh), signature).is_ok()
            }
            (PublicKey::Ec(k), DapScheme::EcdsaP256Sha256) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| k.verify(lfdbh, &signature).is_ok()),
            (_, scheme) => return Err(DapError::SchemeMismatch { scheme }),
        };
        if verified { Ok(()) } else { Err(DapError::BadSignature) }
    }
}
