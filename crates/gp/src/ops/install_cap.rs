//! [`install_cap`]: a CAP file onto the card — the old version deleted first when asked, the
//! load file loaded, its applets installed and made selectable (GPC v2.3.1 §9.3, §11.2,
//! §11.5, §11.6).

use oxicard_apdu::Aid;
use oxicard_apdu::card::CardChannel;

use super::{OpError, delete, install, load};
use crate::cap::{CapFile, HashAlgorithm, LoadOptions};
use crate::command::InstallParameters;
use crate::status::{Kind, Privileges, get_status};

/// Which applets of the CAP file [`install_cap`] installs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Applets {
    /// Every applet, each under its own AID. The default.
    #[default]
    All,
    /// None: the load file only.
    None,
    /// One applet, as the instance AID given (its own AID when `None`).
    One {
        /// The applet (module) AID: one of the CAP file's.
        applet: Aid,
        /// The application (instance) AID.
        instance: Option<Aid>,
    },
}

/// What [`install_cap`] does beyond loading (the default: refuse a package already on the
/// card, install every applet without privileges or parameters, a SHA-256 Load File Data
/// Block hash, the ISD as the associated security domain).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallCapOptions {
    /// Delete the package on the card, with its applications, before loading. Without it a
    /// package already on the card is [`InstallCapError::AlreadyPresent`].
    pub replace: bool,
    /// Which applets.
    pub applets: Applets,
    /// The privileges of each application (GPC v2.3.1 §11.1.2).
    pub privileges: Privileges,
    /// The install parameters of each application.
    pub parameters: InstallParameters,
    /// The Load File Data Block hash in INSTALL [for load] (GPC v2.3.1 §11.5.2.3.2), or none.
    pub hash: Option<HashAlgorithm>,
    /// The security domain to associate the load file with; `None`: the ISD.
    pub security_domain: Option<Aid>,
    /// How the load file is built from the CAP file.
    pub load: LoadOptions,
}

impl Default for InstallCapOptions {
    fn default() -> Self {
        Self {
            replace: false,
            applets: Applets::All,
            privileges: Privileges::NONE,
            parameters: InstallParameters::default(),
            hash: Some(HashAlgorithm::Sha256),
            security_domain: None,
            load: LoadOptions::default(),
        }
    }
}

impl InstallCapOptions {
    /// The same options, replacing a package already on the card.
    #[must_use]
    pub fn with_replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// The same options with `applets`.
    #[must_use]
    pub fn with_applets(mut self, applets: Applets) -> Self {
        self.applets = applets;
        self
    }

    /// The same options with `privileges` for each application.
    #[must_use]
    pub fn with_privileges(mut self, privileges: Privileges) -> Self {
        self.privileges = privileges;
        self
    }

    /// The same options with `parameters` for each application.
    #[must_use]
    pub fn with_parameters(mut self, parameters: InstallParameters) -> Self {
        self.parameters = parameters;
        self
    }

    /// The same options with the Load File Data Block hash `hash` (or none).
    #[must_use]
    pub fn with_hash(mut self, hash: Option<HashAlgorithm>) -> Self {
        self.hash = hash;
        self
    }
}

/// What [`install_cap`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstalledCap {
    /// The package (load file) AID.
    pub package: Aid,
    /// Whether a package of that AID was deleted first.
    pub replaced: bool,
    /// The applications installed and made selectable, in order.
    pub instances: Vec<Aid>,
    /// The last LOAD's response data: the load receipt where the card generates one.
    pub load_receipt: Vec<u8>,
}

/// Why [`install_cap`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallCapError {
    /// The package is on the card and replacing it was not asked.
    #[error("package {0} is already on the card")]
    AlreadyPresent(Aid),
    /// The applet asked for is not one of the CAP file's.
    #[error("{0} is not an applet of the CAP file")]
    NotAnApplet(Aid),
    /// The CAP file names a package or applet AID that is not 5 to 16 bytes.
    #[error("the CAP file's AID {0:02X?} is not 5 to 16 bytes")]
    InvalidAid(Vec<u8>),
    /// A step failed: reading the card's load files, deleting the old package, loading, or
    /// installing (which one the source says).
    #[error("{step}")]
    Step {
        /// What was being done, e.g. `"loading the package"`.
        step: &'static str,
        /// The operation's error.
        #[source]
        source: OpError,
    },
}

fn step(step: &'static str) -> impl FnOnce(OpError) -> InstallCapError {
    move |source| InstallCapError::Step { step, source }
}

/// Loads `cap` and installs its applets as `options` say, in the session `card` (GET STATUS
/// of the load files first, DELETE of the old package with its applications when replacing,
/// INSTALL [for load] and LOAD, INSTALL [for install and make selectable] per applet).
///
/// Replacing is "delete, then load": a package cannot be loaded beside one of the same AID, so
/// a failure after the DELETE leaves the card without either version; the error says which
/// step failed.
///
/// # Errors
///
/// [`InstallCapError`].
pub fn install_cap(
    card: &mut (impl CardChannel + ?Sized),
    cap: &CapFile,
    options: &InstallCapOptions,
) -> Result<InstalledCap, InstallCapError> {
    let aid = |bytes: &[u8]| Aid::new(bytes).map_err(|_| InstallCapError::InvalidAid(bytes.to_vec()));
    let package = aid(cap.package_aid())?;
    let applets: Vec<(Aid, Aid)> = match &options.applets {
        Applets::None => Vec::new(),
        Applets::All => cap.applet_aids().iter().map(|a| aid(a).map(|a| (a, a))).collect::<Result<_, _>>()?,
        Applets::One { applet, instance } => {
            if !cap.applet_aids().iter().any(|a| a.as_slice() == applet.as_bytes()) {
                return Err(InstallCapError::NotAnApplet(*applet));
            }
            vec![(*applet, instance.unwrap_or(*applet))]
        }
    };
    let on_card = get_status(card, Kind::LoadFiles)
        .map_err(|e| step("reading the card's load files")(OpError::from(e)))?
        .iter()
        .any(|entry| entry.aid == package.as_bytes());
    if on_card && !options.replace {
        return Err(InstallCapError::AlreadyPresent(package));
    }
    if on_card {
        delete(card, &package, true).map_err(step("deleting the package on the card"))?;
    }
    let domain = options.security_domain.as_ref().map_or(&[][..], Aid::as_bytes);
    let load_receipt =
        load(card, cap, domain, options.load, options.hash).map_err(step("loading the package"))?;
    let mut instances = Vec::with_capacity(applets.len());
    for (applet, instance) in applets {
        install(card, &package, &applet, &instance, options.privileges, &options.parameters)
            .map_err(step("installing an applet"))?;
        instances.push(instance);
    }
    Ok(InstalledCap { package, replaced: on_card, instances, load_receipt })
}
