//! The simulators' state files: the software eUICC's state file and, beside it, its identity
//! (certificates, private key, test PKI seed), here; the simulated GP card's ([`gp`]); the lock
//! both are used under ([`lock`]).
//!
//! # Rules
//!
//! Everything happens under the state's lock ([`lock_state`](lock::lock_state)). The state file
//! is the commit point of an identity: a state exists only beside the complete identity whose EID
//! it records.
//!
//! - No state: the identity beside it is used when complete; when there is none, or when it is
//!   a generated one (`NAME.pki-seed` present) that is incomplete (an interrupted creation), a
//!   new one is generated; an incomplete imported identity is an error naming the missing
//!   files. Then the state is created.
//! - A state: it is loaded with its identity. Missing identity files are an error naming them;
//!   an identity of another EID is refused by the state itself. Nothing is created or removed.
//! - Only `sim init --force` removes a state, and only a file that is a software eUICC state
//!   (its `format`); it removes the state first, then writes the new identity, then creates the
//!   new state, so an interruption anywhere leaves either the old eUICC or no state at all.
//!
//! Identity files are written one by one atomically, each owner-only (`0600`) from its first
//! byte ([`write_atomically`]); a generated identity's seed comes first, so an interrupted
//! generation is recognised as ours and redone.

pub(crate) mod gp;
mod lock;

use std::fs;
use std::path::{Path, PathBuf};

use oxicard_euicc::pki::{CertifiedKey, EuiccIdentity, PrivateKey, RspCertificate, TrustStore};
use oxicard_sim::euicc::{EuiccConfig, STATE_FORMAT, SoftEuicc};
use oxicard_sim::pki::{EuiccIdentityFiles, MAX_IDENTITY_FILE_LEN, TestPki, TestPkiConfig};
use oxicard_sim::storage::{FollowLinks, StateError, StateLock, read_file, write_atomically};

use crate::cli::Global;
use crate::error::CliError;

use lock::{check_format, lock_state_of};

/// The files of one software eUICC: `NAME.json` (state) and, next to it, `NAME.cert.pem`,
/// `NAME.key.pem`, `NAME.eum.pem`, `NAME.ci.pem` and, for a generated identity, `NAME.pki-seed`
/// (the seed of the test PKI, from which `sim smdp` derives the SM-DP+ certificates).
#[derive(Clone, Debug)]
pub(crate) struct SimPaths {
    /// The state file.
    pub(crate) state: PathBuf,
    /// CERT.EUICC.ECDSA.
    pub(crate) cert: PathBuf,
    /// SK.EUICC.ECDSA (PKCS#8 PEM, mode 0600).
    pub(crate) key: PathBuf,
    /// CERT.EUM.ECDSA.
    pub(crate) eum: PathBuf,
    /// The trusted CI certificates (also the CA to trust for the test SM-DP+'s TLS).
    pub(crate) ci: PathBuf,
    /// The test PKI seed (hex), for a generated identity.
    pub(crate) seed: PathBuf,
}

impl SimPaths {
    /// The files next to `state`.
    pub(crate) fn new(state: PathBuf) -> Self {
        let stem = state.file_stem().map_or_else(|| "euicc".into(), |s| s.to_string_lossy().into_owned());
        let dir = state.parent().map(Path::to_path_buf).unwrap_or_default();
        let file = |suffix: &str| dir.join(format!("{stem}.{suffix}"));
        Self {
            cert: file("cert.pem"),
            key: file("key.pem"),
            eum: file("eum.pem"),
            ci: file("ci.pem"),
            seed: file("pki-seed"),
            state,
        }
    }

    /// `--sim=STATE`, else `<data dir>/oxicard/euicc.json`.
    pub(crate) fn from_global(global: &Global) -> Result<Self, CliError> {
        match global.sim.as_ref().and_then(Option::as_ref) {
            Some(path) => Ok(Self::new(path.clone())),
            None => {
                let dir = dirs::data_dir()
                    .ok_or_else(|| CliError::Sim("no user data directory; pass --sim=STATE".into()))?;
                Ok(Self::new(dir.join("oxicard").join("euicc.json")))
            }
        }
    }

    /// The four identity files: what each is, and where.
    fn identity_files(&self) -> [(&'static str, &Path); 4] {
        [
            ("certificate", self.cert.as_path()),
            ("private key", self.key.as_path()),
            ("EUM certificate", self.eum.as_path()),
            ("CI certificates", self.ci.as_path()),
        ]
    }

    /// The identity files that are not there.
    fn missing_identity_files(&self) -> Vec<&Path> {
        self.identity_files().into_iter().map(|(_, path)| path).filter(|path| !path.exists()).collect()
    }

    /// The seed of a generated identity, `None` when there is no seed file.
    fn seed(&self) -> Result<Option<[u8; 32]>, CliError> {
        let bytes = match read_file(&self.seed, 256, FollowLinks::No) {
            Ok(bytes) => bytes,
            Err(oxicard_sim::storage::FileError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            Err(e) => return Err(CliError::Sim(format!("test PKI seed {}", crate::error::chain(&e)))),
        };
        let bad = |why: &str| CliError::Sim(format!("test PKI seed {}: {why}", self.seed.display()));
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not text"))?;
        let bytes = hex::decode(text.trim()).map_err(|_| bad("not hex"))?;
        bytes.try_into().map(Some).map_err(|_| bad("not 32 bytes"))
    }

    /// The test PKI of a generated identity: the SM-DP+ and SM-DS certificates of `sim smdp` and
    /// `sim smds` derive from it.
    fn test_pki_of(&self, seed: [u8; 32]) -> Result<TestPki, CliError> {
        TestPki::generate(&TestPkiConfig::for_seed(seed))
            .map_err(|e| CliError::Sim(format!("test PKI: {}", crate::error::chain(&e))))
    }

    /// Loads the identity.
    fn identity(&self) -> Result<EuiccIdentity, CliError> {
        EuiccIdentity::from_files(&self.cert, &self.key, &self.eum, std::slice::from_ref(&self.ci)).map_err(
            |e| {
                CliError::Sim(format!(
                    "software eUICC identity beside {}: {}",
                    self.state.display(),
                    crate::error::chain(&e)
                ))
            },
        )
    }

    /// Generates a test identity with an EID of its own (seed first, see the module docs).
    fn generate(&self) -> Result<EuiccIdentity, CliError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| CliError::Sim(format!("random seed: {e}")))?;
        write(&self.seed, hex::encode(seed).as_bytes())?;
        let pki = self.test_pki_of(seed)?;
        self.write_identity(
            pki.euicc(),
            pki.eum().certificate(),
            std::slice::from_ref(pki.ci().certificate()),
        )?;
        self.identity()
    }

    /// Reads and checks an identity to import from PEM or DER files (nothing is written).
    fn load_import(import: &Import<'_>) -> Result<Imported, CliError> {
        let read = |option: &str, p: &Path| {
            read_file(p, MAX_IDENTITY_FILE_LEN, FollowLinks::Yes)
                .map_err(|e| CliError::Sim(format!("{option}: {}", crate::error::chain(&e))))
        };
        let bad = |what: &str, e: &(dyn std::error::Error + 'static)| {
            CliError::Sim(format!("{what}: {}", crate::error::chain(e)))
        };
        let euicc = CertifiedKey::new(
            RspCertificate::from_pem_or_der(&read("--cert", import.cert)?).map_err(|e| bad("--cert", &e))?,
            PrivateKey::from_pem_or_der(&read("--key", import.key)?).map_err(|e| bad("--key", &e))?,
        )
        .map_err(|e| bad("--cert/--key", &e))?;
        let eum =
            RspCertificate::from_pem_or_der(&read("--eum", import.eum)?).map_err(|e| bad("--eum", &e))?;
        let mut cis = Vec::new();
        for path in import.cis {
            let bytes = read("--ci", path)?;
            match std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN ")) {
                Some(pem) => cis.extend(RspCertificate::all_from_pem(pem).map_err(|e| bad("--ci", &e))?),
                None => cis.push(RspCertificate::from_der(&bytes).map_err(|e| bad("--ci", &e))?),
            }
        }
        // The same checks as loading it later (chain to a CI), before anything is replaced.
        let trust = TrustStore::new(cis.clone()).map_err(|e| bad("--ci", &e))?;
        EuiccIdentity::new(euicc.clone(), eum.clone(), trust).map_err(|e| bad("identity", &e))?;
        Ok(Imported { euicc, eum, cis })
    }

    /// Writes an imported identity (the seed of a generated one goes first).
    fn import(&self, imported: &Imported) -> Result<EuiccIdentity, CliError> {
        remove_if_present(&self.seed)?;
        self.write_identity(&imported.euicc, &imported.eum, &imported.cis)?;
        self.identity()
    }

    fn write_identity(
        &self,
        euicc: &CertifiedKey,
        eum: &RspCertificate,
        cis: &[RspCertificate],
    ) -> Result<(), CliError> {
        let pem = |c: &RspCertificate| {
            c.to_pem().map_err(|e| CliError::Sim(format!("PEM: {}", crate::error::chain(&e))))
        };
        let key = zeroize::Zeroizing::new(
            euicc
                .private_key()
                .to_pkcs8_pem()
                .map_err(|e| CliError::Sim(format!("PEM: {}", crate::error::chain(&e))))?
                .to_string(),
        );
        write(&self.key, key.as_bytes())?;
        write(&self.cert, pem(euicc.certificate())?.as_bytes())?;
        write(&self.eum, pem(eum)?.as_bytes())?;
        let mut ci = String::new();
        for c in cis {
            ci.push_str(&pem(c)?);
        }
        write(&self.ci, ci.as_bytes())
    }

    /// The identity a new state gets (no state at the path; see the module docs).
    fn identity_for_new_state(&self) -> Result<EuiccIdentity, CliError> {
        let missing = self.missing_identity_files();
        if missing.len() == self.identity_files().len() {
            return self.generate();
        }
        let generated = self.seed()?.is_some();
        if missing.is_empty() {
            match self.identity() {
                Ok(identity) => return Ok(identity),
                Err(_) if generated => return self.generate(),
                Err(e) => return Err(e),
            }
        }
        if generated {
            return self.generate();
        }
        Err(CliError::Sim(format!(
            "the software eUICC identity beside {} is incomplete: {} missing (restore {}, or run `oxicard sim init --force`)",
            self.state.display(),
            list(&missing),
            if missing.len() == 1 { "it" } else { "them" },
        )))
    }

    /// The identity of the existing state: every file must be there.
    fn identity_of_state(&self) -> Result<EuiccIdentity, CliError> {
        let missing = self.missing_identity_files();
        if !missing.is_empty() {
            return Err(CliError::Sim(format!(
                "the software eUICC state {} has no identity: {} missing (restore {} beside it; `oxicard sim init --force` starts over and loses its profiles)",
                self.state.display(),
                list(&missing),
                if missing.len() == 1 { "it" } else { "them" },
            )));
        }
        self.identity()
    }

    /// Locks the state, refusing first (before a lock file is created beside it) a path that is
    /// a link, not a regular file, or a file that is not a software eUICC state.
    fn lock(&self) -> Result<StateLock, CliError> {
        lock_state_of(&self.state, STATE_FORMAT, "software eUICC")
    }

    /// Under `lock`: the identity of the state (see the module docs).
    fn prepare(&self, lock: &StateLock) -> Result<EuiccIdentity, CliError> {
        if lock.state_present()? {
            check_format(&self.state, STATE_FORMAT, "software eUICC")?;
            self.identity_of_state()
        } else {
            self.identity_for_new_state()
        }
    }

    /// Opens the software eUICC for one command (locked until dropped), creating it with a
    /// generated identity on first use.
    pub(crate) fn open(&self) -> Result<SoftEuicc, CliError> {
        let lock = self.lock()?;
        let identity = self.prepare(&lock)?;
        open_locked(lock, identity)
    }

    /// The identity and the test PKI of a generated identity, for the test servers (`sim smdp`,
    /// `sim smds`); created as [`SimPaths::open`] would.
    pub(crate) fn servers_pki(&self) -> Result<(EuiccIdentity, TestPki), CliError> {
        let lock = self.lock()?;
        let identity = self.prepare(&lock)?;
        let seed = self.seed()?.ok_or_else(|| {
            CliError::Sim(format!(
                "{} has no test PKI seed (imported identity?): run `oxicard sim init --force`",
                self.state.display()
            ))
        })?;
        Ok((identity, self.test_pki_of(seed)?))
    }

    /// `sim init`: a new software eUICC, generated or imported. An existing one (state or
    /// identity) is replaced only with `force`, and only when its state is a software eUICC
    /// state. Returns the opened eUICC.
    pub(crate) fn init(&self, force: bool, import: Option<&Import<'_>>) -> Result<SoftEuicc, CliError> {
        let lock = self.lock()?;
        let present = lock.state_present()?;
        let identity_present = self.missing_identity_files().len() < self.identity_files().len();
        if (present || identity_present) && !force {
            return Err(CliError::Sim(format!(
                "a software eUICC already exists at {} (use --force to replace it; its profiles are lost)",
                self.state.display()
            )));
        }
        // An identity to import is read and checked before anything is removed.
        let imported = import.map(Self::load_import).transpose()?;
        if present {
            check_format(&self.state, STATE_FORMAT, "software eUICC")?;
            remove_if_present(&self.state)?;
        }
        let identity = match &imported {
            Some(imported) => self.import(imported)?,
            None => self.generate()?,
        };
        open_locked(lock, identity)
    }
}

/// The files of an imported identity (`sim init --cert --key --eum --ci`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Import<'a> {
    /// CERT.EUICC.ECDSA.
    pub(crate) cert: &'a Path,
    /// SK.EUICC.ECDSA.
    pub(crate) key: &'a Path,
    /// CERT.EUM.ECDSA.
    pub(crate) eum: &'a Path,
    /// The trusted CI certificates.
    pub(crate) cis: &'a [PathBuf],
}

/// An identity read for import, checked, not yet written.
struct Imported {
    euicc: CertifiedKey,
    eum: RspCertificate,
    cis: Vec<RspCertificate>,
}

/// Paths as a list for a message.
fn list(paths: &[&Path]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Removes `path` if it is there (and syncs its directory, so the removal is durable before
/// anything else is written).
fn remove_if_present(path: &Path) -> Result<(), CliError> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(CliError::io("cannot remove", path, &e)),
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| CliError::io("cannot sync", dir, &e))
}

/// The software eUICC in the state `lock` guards, with `identity`.
fn open_locked(lock: StateLock, identity: EuiccIdentity) -> Result<SoftEuicc, CliError> {
    // The software eUICC takes short and extended APDUs (`--extended`), and says so in its ATR.
    let config = EuiccConfig::for_identity(&identity).with_extended_length();
    let path = lock.state_path().to_owned();
    match SoftEuicc::open_locked(lock, config) {
        Ok(euicc) => Ok(euicc.with_identity(identity)),
        Err(e @ StateError::EidMismatch { .. }) => Err(CliError::Sim(format!(
            "{e}: the identity files beside {} are another eUICC's (restore this state's own, or `oxicard sim init --force`)",
            path.display()
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Writes an identity file atomically, owner-only from its first byte.
fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    write_atomically(path, bytes)
        .map_err(|e| CliError::Sim(format!("software eUICC identity: {}", crate::error::chain(&e))))
}
