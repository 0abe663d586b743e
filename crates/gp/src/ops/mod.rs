//! Card management operations over any [`CardChannel`] — a card, a logical channel, an SCP03
//! session, owned or borrowed — each sends the commands of
//! [`command`] and checks the status words (GPC v2.3.1 §11). Tracing records
//! the operation and the command header only, never command data (keys, load files).

use oxicard_apdu::Aid;
use oxicard_apdu::card::CardChannel;
use oxicard_apdu::{Command, StatusWord};

mod install_cap;

pub use self::install_cap::{
    Applets, InstallCapError, InstallCapOptions, InstallStep, InstalledCap, install_cap,
};

use crate::GpError;
use crate::cap::{CapFile, HashAlgorithm, LoadOptions};
use crate::command::{self, CardLifeCycle, CommandError, InstallParameters, PutKey, check_put_key_response};
use crate::dap::DapBlock;
use crate::data::get_data_command;
use crate::status::Privileges;
use crate::status_word::Operation;

/// A failed operation: the card's or the command builder's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpError {
    /// The command could not be built.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The card or the channel failed.
    #[error(transparent)]
    Card(#[from] GpError),
}

/// Sends `command` and returns its response data, unless the status word is not `9000`
/// ([`GpError::Status`]). `operation` names the command in errors and traces: an
/// [`Operation::name`] gives the error its meaning and hint.
pub fn send(
    card: &mut (impl CardChannel + ?Sized),
    operation: &'static str,
    command: &Command,
) -> Result<Vec<u8>, GpError> {
    let view = command.as_view();
    tracing::debug!(operation, ins = view.ins(), p1 = view.p1(), p2 = view.p2(), nc = view.data().len());
    let response = card.transmit(&view)?;
    let sw = response.sw();
    if sw != StatusWord::SUCCESS {
        tracing::debug!(operation, %sw, "refused");
        return Err(GpError::Status { operation, sw });
    }
    Ok(response.into_data())
}

/// GET DATA for `tag` (see [`data::tags`](crate::data::tags)): the response data, to decode
/// with the [`data`](crate::data) types.
pub fn get_data(card: &mut (impl CardChannel + ?Sized), tag: u16) -> Result<Vec<u8>, GpError> {
    let command = Command::from(get_data_command(tag));
    send(card, Operation::GetData.name(), &command)
}

/// Loads `cap` into the security domain `security_domain_aid` (empty: the ISD): INSTALL
/// [for load] with the Load File Data Block hash when `hash` is given, then LOAD in blocks
/// sized by [`CardChannel::max_command_data`] (less under SCP03). Returns the last LOAD's response data: the load
/// receipt where the card generates one (GPC v2.3.1 §11.6.3), else empty or `00`.
pub fn load(
    card: &mut (impl CardChannel + ?Sized),
    cap: &CapFile,
    security_domain_aid: &[u8],
    options: LoadOptions,
    hash: Option<HashAlgorithm>,
) -> Result<Vec<u8>, OpError> {
    load_blocks(card, cap, security_domain_aid, options, hash, &[])
}

/// [`load`] with DAP Blocks (GPC v2.3.1 §9.2.1, Appendix C.3): the Load File starts with them,
/// before the `C4` Load File Data Block (Table 11-58), and INSTALL [for load] carries the Load
/// File Data Block hash computed with `hash`, mandatory with a DAP Block (§9.2.2). Each block's
/// signature must be over that hash: see
/// [`DapSigner::dap_block`](crate::dap::DapSigner::dap_block). Decode the response with
/// [`Confirmation::from_response`](crate::receipt::Confirmation::from_response).
pub fn load_with_dap(
    card: &mut (impl CardChannel + ?Sized),
    cap: &CapFile,
    security_domain_aid: &[u8],
    options: LoadOptions,
    hash: HashAlgorithm,
    dap_blocks: &[DapBlock],
) -> Result<Vec<u8>, OpError> {
    load_blocks(card, cap, security_domain_aid, options, Some(hash), dap_blocks)
}

fn load_blocks(
    card: &mut (impl CardChannel + ?Sized),
    cap: &CapFile,
    security_domain_aid: &[u8],
    options: LoadOptions,
    hash: Option<HashAlgorithm>,
    dap_blocks: &[DapBlock],
) -> Result<Vec<u8>, OpError> {
    let digest = hash.map(|h| cap.load_file_data_block_hash(h, options)).unwrap_or_default();
    let install = command::install_for_load_command(&cap.package_aid(), security_domain_aid, &digest, &[])?;
    send(card, Operation::InstallForLoad.name(), &install)?;
    let load_file = cap.load_file_with_dap(options, dap_blocks);
    let blocks = command::load_commands(&load_file, card.max_command_data())?;
    let mut receipt = Vec::new();
    for block in &blocks {
        receipt = send(card, Operation::Load.name(), block)?;
    }
    Ok(receipt)
}

/// What INSTALL [for install and make selectable] creates: the application `application`
/// from the Executable Module `module` of the Executable Load File `load_file` (GPC v2.3.1
/// §11.5.2.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Instance {
    /// The Executable Load File (package) AID.
    pub load_file: Aid,
    /// The Executable Module (applet class) AID.
    pub module: Aid,
    /// The application (instance) AID.
    pub application: Aid,
}

impl Instance {
    /// The application of `module` in `load_file` under the module's own AID.
    pub const fn of(load_file: Aid, module: Aid) -> Self {
        Self { load_file, module, application: module }
    }

    /// The same instance under the application AID `application`.
    #[must_use]
    pub const fn named(mut self, application: Aid) -> Self {
        self.application = application;
        self
    }
}

/// INSTALL [for install and make selectable] of `instance`. Returns the response data: the
/// install receipt where the card generates one (GPC v2.3.1 §11.5.3).
pub fn install(
    card: &mut (impl CardChannel + ?Sized),
    instance: &Instance,
    privileges: Privileges,
    parameters: &InstallParameters,
) -> Result<Vec<u8>, OpError> {
    let c = command::install_for_install_command(
        &instance.load_file,
        &instance.module,
        &instance.application,
        privileges,
        parameters,
        true,
    )?;
    Ok(send(card, Operation::InstallAndMakeSelectable.name(), &c)?)
}

/// DELETE of `aid`, with its related objects when `and_related`. Returns the response data:
/// the delete receipt where the card generates one (GPC v2.3.1 §11.2.3).
pub fn delete(
    card: &mut (impl CardChannel + ?Sized),
    aid: &Aid,
    and_related: bool,
) -> Result<Vec<u8>, OpError> {
    Ok(send(card, Operation::Delete.name(), &command::delete_command(aid, and_related)?)?)
}

/// SET STATUS locking or unlocking the application or security domain `aid`.
pub fn set_application_lock(
    card: &mut (impl CardChannel + ?Sized),
    aid: &Aid,
    lock: bool,
) -> Result<(), OpError> {
    send(card, Operation::SetStatus.name(), &command::set_application_lock_command(aid, lock)?)?;
    Ok(())
}

/// SET STATUS of the card life cycle.
pub fn set_card_life_cycle(
    card: &mut (impl CardChannel + ?Sized),
    state: CardLifeCycle,
) -> Result<(), GpError> {
    send(card, Operation::SetStatus.name(), &command::set_card_life_cycle_command(state)).map(drop)
}

/// Sends `put_key` and checks the card's answer (new KVN and key check values);
/// a different answer is [`GpError::Mismatch`].
pub fn put_key(card: &mut (impl CardChannel + ?Sized), put_key: &PutKey) -> Result<(), GpError> {
    let answer = send(card, Operation::PutKey.name(), &put_key.command)?;
    if check_put_key_response(put_key, &answer) {
        Ok(())
    } else {
        Err(GpError::Mismatch { operation: Operation::PutKey.name() })
    }
}

#[cfg(test)]
mod tests;
