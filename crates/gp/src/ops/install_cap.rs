//! [`install_cap`]: a CAP file onto the card — the old version deleted first when asked, the
//! load file loaded, its applets installed and made selectable (GPC v2.3.1 §9.3, §11.2,
//! §11.5, §11.6), with DAP Blocks for security domains that verify them (§9.2.1, Appendix C.3)
//! and the confirmations the card returns decoded, their receipts verified when a receipt key is
//! given (§11.1.6, Appendix C.5).

use oxicard_apdu::Aid;
use oxicard_apdu::card::CardChannel;

use super::{Instance, OpError, delete, install, load_with_dap};
use crate::cap::{CapFile, HashAlgorithm, LoadOptions};
use crate::command::InstallParameters;
use crate::dap::{DapBlock, DapError, DapSigner};
use crate::receipt::{Confirmation, ReceiptContext, ReceiptError, ReceiptKey};
use crate::status::{Kind, Privileges, get_status};
use crate::status_word::Operation;
use crate::{DecodeError, GpError};

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
/// Block hash, the ISD as the associated security domain, no DAP Block, receipts decoded but
/// not verified).
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
    /// The DAP Blocks to compute: for each security domain (AID) that verifies DAPs, the key
    /// that signs the Load File Data Block hash (GPC v2.3.1 §9.2.1, Appendix C.3). With any,
    /// the hash is mandatory: SHA-256 when [`hash`](Self::hash) is `None`.
    pub dap: Vec<(Aid, DapSigner)>,
    /// The receipt key and the security domain AID the load receipt names (the associated
    /// security domain): with it, every confirmation must carry a receipt that verifies
    /// (GPC v2.3.1 Appendix C.5).
    pub receipt_key: Option<(ReceiptKey, Aid)>,
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
            dap: Vec::new(),
            receipt_key: None,
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

    /// The same options with `security_domain` as the associated security domain (`None`: the
    /// ISD).
    #[must_use]
    pub fn with_security_domain(mut self, security_domain: Option<Aid>) -> Self {
        self.security_domain = security_domain;
        self
    }

    /// The same options with one more DAP Block: `signer`'s signature, for the security domain
    /// `security_domain` (GPC v2.3.1 Table 11-58).
    #[must_use]
    pub fn with_dap(mut self, security_domain: Aid, signer: DapSigner) -> Self {
        self.dap.push((security_domain, signer));
        self
    }

    /// The same options verifying every receipt with `key`; `security_domain` is the AID the
    /// load receipt names (GPC v2.3.1 Table C-11).
    #[must_use]
    pub fn with_receipt_key(mut self, key: ReceiptKey, security_domain: Aid) -> Self {
        self.receipt_key = Some((key, security_domain));
        self
    }

    /// The Load File Data Block hash INSTALL [for load] carries: [`hash`](Self::hash), or
    /// SHA-256 when DAP Blocks make it mandatory (GPC v2.3.1 §9.2.2).
    pub fn effective_hash(&self) -> Option<HashAlgorithm> {
        match (self.hash, self.dap.is_empty()) {
            (None, false) => Some(HashAlgorithm::Sha256),
            (hash, _) => hash,
        }
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
    /// The last LOAD's response data: the load confirmation where the card generates one.
    pub load_receipt: Vec<u8>,
    /// The load confirmation, decoded (`None`: the card returned `00`, or, without a receipt
    /// key, something that does not decode).
    pub load_confirmation: Option<Confirmation>,
    /// The DELETE's confirmation when replacing, decoded as the load confirmation.
    pub delete_confirmation: Option<Confirmation>,
    /// Each INSTALL's confirmation, in the order of [`instances`](Self::instances).
    pub install_confirmations: Vec<Option<Confirmation>>,
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
    /// A DAP Block could not be computed (the key and the hash algorithm do not go together,
    /// or signing failed).
    #[error("computing a DAP Block")]
    Dap(#[source] DapError),
    /// With a receipt key: a confirmation does not decode, carries no receipt, or its receipt
    /// does not verify. The operation itself succeeded on the card.
    #[error("{step}: the receipt does not verify")]
    Receipt {
        /// What was confirmed.
        step: InstallStep,
        /// Why.
        #[source]
        source: ReceiptError,
    },
    /// A step failed: reading the card's load files, deleting the old package, loading, or
    /// installing (which one the source says).
    #[error("{step}")]
    Step {
        /// What was being done.
        step: InstallStep,
        /// The operation's error.
        #[source]
        source: OpError,
    },
}

/// A step of [`install_cap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstallStep {
    /// GET STATUS of the load files on the card.
    ReadingLoadFiles,
    /// DELETE of the package on the card, with its applications.
    Deleting,
    /// INSTALL [for load] and LOAD.
    Loading,
    /// INSTALL [for install and make selectable] of an applet.
    Installing,
}

impl InstallStep {
    /// The command whose answer this step reads.
    pub const fn operation(self) -> Operation {
        match self {
            Self::ReadingLoadFiles => Operation::GetStatus,
            Self::Deleting => Operation::Delete,
            Self::Loading => Operation::Load,
            Self::Installing => Operation::InstallAndMakeSelectable,
        }
    }
}

impl core::fmt::Display for InstallStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::ReadingLoadFiles => "reading the card's load files",
            Self::Deleting => "deleting the package on the card",
            Self::Loading => "loading the package",
            Self::Installing => "installing an applet",
        })
    }
}

fn step(step: InstallStep) -> impl FnOnce(OpError) -> InstallCapError {
    move |source| InstallCapError::Step { step, source }
}

/// The confirmation in `response`, its receipt verified for `context` when `options` has a
/// receipt key; without one, a confirmation that does not decode is `None`.
fn confirmation(
    options: &InstallCapOptions,
    step: InstallStep,
    response: &[u8],
    context: ReceiptContext<'_>,
) -> Result<Option<Confirmation>, InstallCapError> {
    let decoded = Confirmation::from_response(response);
    let Some((key, _)) = &options.receipt_key else { return Ok(decoded.ok().flatten()) };
    let malformed = |error: DecodeError| InstallCapError::Step {
        step,
        source: OpError::Card(GpError::Decode { operation: step.operation().name(), error }),
    };
    let confirmation = decoded.map_err(malformed)?;
    let receipt = |source| InstallCapError::Receipt { step, source };
    confirmation
        .as_ref()
        .ok_or(ReceiptError::NoReceipt)
        .and_then(|c| c.verify(key, &context))
        .map_err(receipt)?;
    Ok(confirmation)
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
    let package = cap.package_aid();
    let instances_asked: Vec<Instance> = match &options.applets {
        Applets::None => Vec::new(),
        Applets::All => cap.applet_aids().iter().map(|applet| Instance::of(package, *applet)).collect(),
        Applets::One { applet, instance } => {
            if !cap.applet_aids().contains(applet) {
                return Err(InstallCapError::NotAnApplet(*applet));
            }
            vec![Instance::of(package, *applet).named(instance.unwrap_or(*applet))]
        }
    };
    let on_card = get_status(card, Kind::LoadFiles)
        .map_err(|e| step(InstallStep::ReadingLoadFiles)(OpError::from(e)))?
        .iter()
        .any(|entry| entry.aid == package.as_bytes());
    if on_card && !options.replace {
        return Err(InstallCapError::AlreadyPresent(package));
    }
    let hash = options.effective_hash();
    let dap_blocks = dap_blocks(cap, options, hash)?;
    let mut delete_confirmation = None;
    if on_card {
        let deleting = InstallStep::Deleting;
        let response = delete(card, &package, true).map_err(step(deleting))?;
        let context = ReceiptContext::Delete { aid: package.as_bytes() };
        delete_confirmation = confirmation(options, deleting, &response, context)?;
    }
    let domain = options.security_domain.as_ref().map_or(&[][..], Aid::as_bytes);
    let loading = InstallStep::Loading;
    let load_receipt = match hash {
        Some(hash) => load_with_dap(card, cap, domain, options.load, hash, &dap_blocks),
        None => super::load(card, cap, domain, options.load, None),
    }
    .map_err(step(loading))?;
    let receipt_domain = options.receipt_key.as_ref().map_or(domain, |(_, sd)| sd.as_bytes());
    let context = ReceiptContext::Load { load_file: package.as_bytes(), security_domain: receipt_domain };
    let load_confirmation = confirmation(options, loading, &load_receipt, context)?;
    let mut instances = Vec::with_capacity(instances_asked.len());
    let mut install_confirmations = Vec::with_capacity(instances_asked.len());
    for instance in instances_asked {
        let installing = InstallStep::Installing;
        let response =
            install(card, &instance, options.privileges, &options.parameters).map_err(step(installing))?;
        let context = ReceiptContext::Install {
            load_file: package.as_bytes(),
            application: instance.application.as_bytes(),
        };
        install_confirmations.push(confirmation(options, installing, &response, context)?);
        instances.push(instance.application);
    }
    Ok(InstalledCap {
        package,
        replaced: on_card,
        instances,
        load_receipt,
        load_confirmation,
        delete_confirmation,
        install_confirmations,
    })
}

/// The DAP Blocks of `options.dap`, each signing the Load File Data Block hash computed with
/// `hash` (present whenever there are signers: [`InstallCapOptions::effective_hash`]).
fn dap_blocks(
    cap: &CapFile,
    options: &InstallCapOptions,
    hash: Option<HashAlgorithm>,
) -> Result<Vec<DapBlock>, InstallCapError> {
    let Some(hash) = hash.filter(|_| !options.dap.is_empty()) else { return Ok(Vec::new()) };
    let lfdbh = cap.load_file_data_block_hash(hash, options.load);
    options
        .dap
        .iter()
        .map(|(domain, signer)| signer.dap_block(*domain, &lfdbh).map_err(InstallCapError::Dap))
        .collect()
}
