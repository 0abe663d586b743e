//! The one error type of the command: a one-line human message, an lpac-style function name for
//! the JSON error object, and an exit code.
//!
//! A variant that wraps a library error says what the command was doing and keeps the library
//! error as its source; [`CliError::message`] is the whole chain on one line.

use oxicard_apdu::card::CardError;
use oxicard_euicc::activation::ActivationCodeError;
use oxicard_euicc::discovery::DiscoveryError;
use oxicard_euicc::download::{DownloadError, DownloadStep};
use oxicard_euicc::es9::Es9Error;
use oxicard_euicc::isdr::Es10Error;
use oxicard_gp::GpError;
use oxicard_gp::ops::OpError;
use oxicard_gp::status_word::{Operation, StatusMeaning, explain};
use oxicard_secure_channel::scp02::Scp02Error;
use oxicard_secure_channel::scp03::Scp03Error;
use oxicard_transport::{ErrorChain, TransportError};

/// A GlobalPlatform command's error status word and what it means for that command
/// ([`oxicard_gp::status_word`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct GpStatus {
    /// The command, e.g. `INSTALL [for load]`.
    pub(crate) operation: &'static str,
    /// The status word, its meaning, the hint and the specification table.
    pub(crate) meaning: StatusMeaning,
}

impl GpStatus {
    /// The first GP status refusal in `error` or its causes: a card management command
    /// ([`GpError::Status`], also inside an [`OpError`]), SELECT or MANAGE CHANNEL
    /// ([`CardError::Status`]), an SCP03 or SCP02 handshake step ([`Scp03Error::Status`],
    /// [`Scp02Error::Status`]).
    pub(crate) fn find(error: &(dyn std::error::Error + 'static)) -> Option<GpStatus> {
        let mut next = Some(error);
        while let Some(e) = next {
            if let Some(status) = Self::of(e) {
                return Some(status);
            }
            next = e.source();
        }
        None
    }

    fn of(e: &(dyn std::error::Error + 'static)) -> Option<GpStatus> {
        let gp = e.downcast_ref::<GpError>().or_else(|| match e.downcast_ref::<OpError>() {
            Some(OpError::Card(gp)) => Some(gp),
            _ => None,
        });
        if let Some(gp @ GpError::Status { operation, .. }) = gp {
            return gp.status_meaning().map(|meaning| GpStatus { operation, meaning });
        }
        if let Some(CardError::Status { operation, sw }) = e.downcast_ref::<CardError>() {
            return Some(GpStatus { operation, meaning: explain(Operation::from_name(operation), *sw) });
        }
        // (A session's error inside a `CardError::SecureChannel` is its source.)
        let (operation, sw) = match (e.downcast_ref::<Scp03Error>(), e.downcast_ref::<Scp02Error>()) {
            (Some(Scp03Error::Status { step, sw }), _) => (Operation::from(*step), *sw),
            (_, Some(Scp02Error::Status { step, sw })) => (Operation::from(*step), *sw),
            _ => return None,
        };
        Some(GpStatus { operation: operation.name(), meaning: explain(Some(operation), sw) })
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Wrong or missing arguments.
    #[error("{0}")]
    Usage(String),
    /// `--reader NAME` names no reader.
    #[error("unknown reader {name:?}: {detail}")]
    UnknownReader {
        /// The name given.
        name: String,
        /// The readers there are, or why none could be listed.
        detail: String,
    },
    /// `--reader NAME` is part of several readers' names (and none is named exactly that).
    #[error("reader name {name:?} matches {} readers: {}; give the whole name", .readers.len(), .readers.join(", "))]
    AmbiguousReader {
        /// The name given.
        name: String,
        /// The readers whose names contain it.
        readers: Vec<String>,
    },
    /// Another application reset the card during the command (PC/SC `SCARD_W_RESET_CARD`):
    /// what the command had selected, opened or authenticated on it is gone. Nothing is
    /// retried: the command may have been cut short.
    #[error(
        "{function}: the card in reader {reader:?} was reset by another application; nothing was \
         retried (check the card's state, then run the command again)"
    )]
    CardReset {
        /// lpac's name of the function that failed (as in the error without the reset).
        function: &'static str,
        /// The reader.
        reader: String,
    },
    /// A command failed on a software card that could not save its state: the cause of the
    /// failure is the state file, not the card.
    #[error("{function}: {card} could not save its state: {cause}")]
    SimSave {
        /// lpac's name of the function that failed (as in the error without the save failure).
        function: &'static str,
        /// Which software card: "the software eUICC", "the simulated GP card".
        card: &'static str,
        /// Why the state could not be saved (the state error, naming the file).
        cause: String,
    },
    /// The activation code does not parse (the message names the field).
    #[error("bad activation code")]
    ActivationCode(#[from] ActivationCodeError),
    /// A download failed: the step and the cause (server refusal, wrong confirmation code…);
    /// [`CliError::message`] adds what was done after the failure.
    #[error(transparent)]
    Download(Box<DownloadError>),
    /// A discovery failed: the step and the cause (SM-DS unreachable or refusing…).
    #[error(transparent)]
    Discovery(Box<DiscoveryError>),
    /// An ES10 function failed.
    #[error("{function}")]
    Es10 {
        /// lpac's name of the function.
        function: &'static str,
        /// The cause.
        source: Es10Error,
    },
    /// The card could not be reached.
    #[error("{context}")]
    Transport {
        /// What we were doing.
        context: String,
        /// The cause.
        source: TransportError,
    },
    /// The ES9+ client could not be built.
    #[error("cannot set up the ES9+ client")]
    Es9(#[from] Es9Error),
    /// A GlobalPlatform operation failed (the secure channel, the card's answer, the input).
    #[error("{detail}")]
    Gp {
        /// The JSON error message: `gp_<operation>` or `scp03_open`.
        function: &'static str,
        /// What failed.
        detail: String,
    },
    /// The card refused a GlobalPlatform command with an error status word: the message says
    /// what it means for that command; the JSON error object also carries the status word,
    /// its meaning and the hint as fields ([`GpStatus`]).
    #[error("{detail}")]
    GpStatus {
        /// The JSON error message, as for [`CliError::Gp`].
        function: &'static str,
        /// What failed (naming the command, the status word and its meaning once).
        detail: String,
        /// The command and what its status word means.
        status: GpStatus,
    },
    /// Software eUICC, PKI or test SM-DP+ trouble.
    #[error("{0}")]
    Sim(String),
    /// A simulator's state file could not be locked, read or written (the message names the
    /// file and the cause).
    #[error(transparent)]
    State(#[from] oxicard_sim::storage::StateError),
    /// Pending notifications could not be dumped or replayed (`notification dump | replay`): a
    /// notification the eUICC did not return, a dump file that is not one (the message names
    /// the file, the line and what is wrong with it).
    #[error("{detail}")]
    Notification {
        /// lpac's name of the function that failed (`es10b_retrieve_notifications_list`,
        /// `parse_notification`).
        function: &'static str,
        /// What failed.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
}

impl CliError {
    /// An ES10 failure in lpac's function `function`.
    pub(crate) fn es10(function: &'static str) -> impl FnOnce(Es10Error) -> CliError {
        move |source| CliError::Es10 { function, source }
    }

    /// The one line a user is shown: the message and each cause in turn
    /// ([`ErrorChain`]), and for a download what was done after the failure
    /// ([`DownloadError::report`]).
    pub(crate) fn message(&self) -> String {
        match self {
            CliError::Download(error) => error.report(),
            other => chain(other),
        }
    }

    /// An I/O error on `path`.
    pub(crate) fn io(what: &str, path: &std::path::Path, error: &std::io::Error) -> CliError {
        CliError::Io(format!("{what} {}: {error}", path.display()))
    }

    /// The `message` of the JSON error object: lpac's name of the failed function where there
    /// is one.
    pub(crate) fn function(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "invalid_argument",
            CliError::UnknownReader { .. } => "reader_not_found",
            CliError::AmbiguousReader { .. } => "reader_ambiguous",
            CliError::CardReset { function, .. } | CliError::SimSave { function, .. } => function,
            CliError::ActivationCode(_) => "activation_code",
            CliError::Download(e) => step_function(e.step),
            CliError::Discovery(e) => crate::json::discovery_function(e.step),
            CliError::Es10 { function, .. } => function,
            CliError::Transport { .. } => "euicc_init",
            CliError::Es9(_) => "es9p_init",
            CliError::Gp { function, .. }
            | CliError::GpStatus { function, .. }
            | CliError::Notification { function, .. } => function,
            CliError::Sim(_) | CliError::State(_) => "sim",
            CliError::Io(_) => "io",
        }
    }

    /// For a GP command the card refused: the status word and what it means.
    pub(crate) fn gp_status(&self) -> Option<&GpStatus> {
        match self {
            CliError::GpStatus { status, .. } => Some(status),
            _ => None,
        }
    }

    /// A failed GP operation as the command's error (`function` as the JSON message): with
    /// its status word when the card refused a command ([`CliError::GpStatus`]).
    pub(crate) fn gp(
        function: &'static str,
        detail: String,
        error: &(dyn std::error::Error + 'static),
    ) -> CliError {
        match GpStatus::find(error) {
            Some(status) => CliError::GpStatus { function, detail, status },
            None => CliError::Gp { function, detail },
        }
    }

    /// Exit code: 2 for usage errors (as clap), 1 otherwise.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::ActivationCode(_) => 2,
            _ => 1,
        }
    }
}

/// `error` and each of its causes on one line (`SetNickname failed: iccidNotFound (1)`): what to
/// put in a message built from a library error, whose own message says only what its layer
/// was doing.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    ErrorChain(error).to_string()
}

/// lpac's function name of a download step (`type":"progress"` messages and download errors).
pub(crate) fn step_function(step: DownloadStep) -> &'static str {
    match step {
        DownloadStep::GetEuiccInfo1 | DownloadStep::GetEuiccChallenge => "es10b_get_euicc_challenge_and_info",
        DownloadStep::InitiateAuthentication => "es9p_initiate_authentication",
        DownloadStep::AuthenticateServer => "es10b_authenticate_server",
        DownloadStep::AuthenticateClient => "es9p_authenticate_client",
        DownloadStep::Consent => "es8p_metadata_parse",
        DownloadStep::PrepareDownload => "es10b_prepare_download",
        DownloadStep::GetBoundProfilePackage => "es9p_get_bound_profile_package",
        DownloadStep::LoadBoundProfilePackage => "es10b_load_bound_profile_package",
        DownloadStep::HandleNotification => "es9p_handle_notification",
        _ => "download",
    }
}
