//! The software eUICC's files: the state file and, beside it, its identity (certificates,
//! private key, test PKI seed).

use std::fs;
use std::path::{Path, PathBuf};

use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_sim::pki::{CertifiedKey, EuiccIdentity, PrivateKey, RspCertificate, TestPki};
use oxicard_sim::storage::StateLock;

use crate::cli::Global;
use crate::error::CliError;

/// How long a command waits for another process to release a state file: `OXICARD_LOCK_WAIT`
/// seconds, default 30.
fn lock_wait() -> Result<std::time::Duration, CliError> {
    match std::env::var("OXICARD_LOCK_WAIT") {
        Err(_) => Ok(std::time::Duration::from_secs(30)),
        Ok(text) => text
            .trim()
            .parse::<u64>()
            .map(std::time::Duration::from_secs)
            .map_err(|_| CliError::Usage(format!("OXICARD_LOCK_WAIT={text:?}: not a number of seconds"))),
    }
}

/// Locks the state file `path` of a simulator (software eUICC or GP card) for this command,
/// creating its directory when missing; while another process holds it, says so on stderr
/// and waits up to [`lock_wait`].
pub(crate) fn lock_state(path: &Path) -> Result<StateLock, CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| CliError::io("cannot create", dir, &e))?;
    }
    let wait = lock_wait()?;
    let lock = StateLock::acquire_with(path, wait, |holder| {
        eprintln!(
            "oxicard: waiting up to {} s for {} (in use by {})",
            wait.as_secs(),
            crate::output::printable(&path.display().to_string()),
            crate::output::printable(holder.unwrap_or("another process"))
        );
    })?;
    Ok(lock)
}

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

    /// Whether an identity was created.
    pub(crate) fn exists(&self) -> bool {
        self.cert.exists()
    }

    /// The test PKI of a generated identity.
    pub(crate) fn test_pki(&self) -> Result<TestPki, CliError> {
        let text = fs::read_to_string(&self.seed).map_err(|_| {
            CliError::Sim(format!(
                "{} has no test PKI seed (imported identity?): run `oxicard sim init --force`",
                self.state.display()
            ))
        })?;
        let bytes = hex::decode(text.trim()).map_err(|e| CliError::Sim(format!("bad PKI seed: {e}")))?;
        let seed: [u8; 32] =
            bytes.try_into().map_err(|_| CliError::Sim("bad PKI seed: not 32 bytes".into()))?;
        TestPki::from_seed(seed).map_err(|e| CliError::Sim(format!("test PKI: {e}")))
    }

    /// Loads the identity.
    pub(crate) fn identity(&self) -> Result<EuiccIdentity, CliError> {
        EuiccIdentity::from_files(&self.cert, &self.key, &self.eum, std::slice::from_ref(&self.ci))
            .map_err(|e| CliError::Sim(format!("software eUICC identity: {e}")))
    }

    /// Creates a generated test identity (and forgets the old state).
    pub(crate) fn create_generated(&self) -> Result<EuiccIdentity, CliError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| CliError::Sim(format!("random seed: {e}")))?;
        let pki = TestPki::from_seed(seed).map_err(|e| CliError::Sim(format!("test PKI: {e}")))?;
        self.write_identity(
            pki.euicc(),
            pki.eum().certificate(),
            std::slice::from_ref(pki.ci().certificate()),
        )?;
        write(&self.seed, hex::encode(seed).as_bytes(), true)?;
        self.identity()
    }

    /// Imports an identity from PEM or DER files (and forgets the old state).
    pub(crate) fn create_imported(
        &self,
        cert: &Path,
        key: &Path,
        eum: &Path,
        cis: &[PathBuf],
    ) -> Result<EuiccIdentity, CliError> {
        let read = |p: &Path| fs::read(p).map_err(|e| CliError::io("cannot read", p, &e));
        let bad = |what: &str, e: &dyn std::fmt::Display| CliError::Sim(format!("{what}: {e}"));
        let euicc = CertifiedKey::new(
            RspCertificate::from_pem_or_der(&read(cert)?).map_err(|e| bad("--cert", &e))?,
            PrivateKey::from_pem_or_der(&read(key)?).map_err(|e| bad("--key", &e))?,
        )
        .map_err(|e| bad("--cert/--key", &e))?;
        let eum = RspCertificate::from_pem_or_der(&read(eum)?).map_err(|e| bad("--eum", &e))?;
        let mut ci_certs = Vec::new();
        for path in cis {
            let bytes = read(path)?;
            match std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN ")) {
                Some(pem) => ci_certs.extend(RspCertificate::all_from_pem(pem).map_err(|e| bad("--ci", &e))?),
                None => ci_certs.push(RspCertificate::from_der(&bytes).map_err(|e| bad("--ci", &e))?),
            }
        }
        self.write_identity(&euicc, &eum, &ci_certs)?;
        let _ = fs::remove_file(&self.seed);
        self.identity()
    }

    fn write_identity(
        &self,
        euicc: &CertifiedKey,
        eum: &RspCertificate,
        cis: &[RspCertificate],
    ) -> Result<(), CliError> {
        if let Some(dir) = self.state.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| CliError::io("cannot create", dir, &e))?;
        }
        let pem = |c: &RspCertificate| c.to_pem().map_err(|e| CliError::Sim(format!("PEM: {e}")));
        let key = euicc.private_key().to_pkcs8_pem().map_err(|e| CliError::Sim(format!("PEM: {e}")))?;
        write(&self.key, key.as_bytes(), true)?;
        write(&self.cert, pem(euicc.certificate())?.as_bytes(), false)?;
        write(&self.eum, pem(eum)?.as_bytes(), false)?;
        let mut ci = String::new();
        for c in cis {
            ci.push_str(&pem(c)?);
        }
        write(&self.ci, ci.as_bytes(), false)?;
        match fs::remove_file(&self.state) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(CliError::io("cannot remove old state", &self.state, &e))
            }
            _ => Ok(()),
        }
    }

    /// Opens the software eUICC, creating it with a generated identity on first use.
    pub(crate) fn open(&self) -> Result<SoftEuicc, CliError> {
        let identity = if self.exists() { self.identity()? } else { self.create_generated()? };
        open_with_identity(&self.state, identity)
    }
}

/// The software eUICC in `state` with `identity`.
pub(crate) fn open_with_identity(state: &Path, identity: EuiccIdentity) -> Result<SoftEuicc, CliError> {
    let config = EuiccConfig::for_identity(&identity);
    SoftEuicc::open_with(state, config)
        .map(|e| e.with_identity(identity))
        .map_err(|e| CliError::Sim(format!("software eUICC state {}: {e}", state.display())))
}

/// Writes `bytes` to `path`, owner-only when `secret`.
fn write(path: &Path, bytes: &[u8], secret: bool) -> Result<(), CliError> {
    fs::write(path, bytes).map_err(|e| CliError::io("cannot write", path, &e))?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| CliError::io("cannot protect", path, &e))?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    Ok(())
}
