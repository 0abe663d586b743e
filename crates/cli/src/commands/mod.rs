//! The commands, one module per command group. A command module depends only on the glue
//! modules beside `commands` (options, output, backends, parsing, …) and on its own group's
//! submodules, never on another group (`tests/layout.rs` checks it); this module dispatches.

mod chip;
mod demo;
mod discover;
mod download;
mod gp;
mod notification;
mod profile;
mod readers;
mod sim;

use clap::CommandFactory as _;

use crate::cli::{ChipCmd, Cli, Command, NotificationCmd, ProfileCmd, SimCmd};
use crate::error::CliError;
use crate::output::Out;

/// Runs the command of `cli`.
pub(crate) fn run(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let g = &cli.global;
    match &cli.command {
        Command::Readers => readers::run(out),
        Command::Devices => readers::devices(out),
        Command::Chip(ChipCmd::Info) => chip::info(g, out),
        Command::Chip(ChipCmd::DefaultDp { address }) => chip::default_dp(g, out, address),
        Command::Chip(ChipCmd::MemoryReset(args)) => chip::memory_reset(g, out, args),
        Command::Profile(ProfileCmd::List) => profile::list(g, out),
        Command::Profile(ProfileCmd::Enable { profile, refresh }) => {
            profile::operate(g, out, profile, profile::Op::Enable(*refresh))
        }
        Command::Profile(ProfileCmd::Disable { profile, refresh }) => {
            profile::operate(g, out, profile, profile::Op::Disable(*refresh))
        }
        Command::Profile(ProfileCmd::Delete { profile }) => {
            profile::operate(g, out, profile, profile::Op::Delete)
        }
        Command::Profile(ProfileCmd::Nickname { iccid, name }) => profile::nickname(g, out, iccid, name),
        Command::Profile(ProfileCmd::Download(args)) => download::run(g, out, args),
        Command::Profile(ProfileCmd::Discover(args)) => discover::run(g, out, args),
        Command::Notification(NotificationCmd::List) => notification::list(g, out),
        Command::Notification(NotificationCmd::Process { keep, net }) => {
            notification::process(g, out, *keep, net)
        }
        Command::Notification(NotificationCmd::Remove { seq }) => notification::remove(g, out, *seq),
        Command::Notification(NotificationCmd::Dump { file, force }) => {
            notification::dump(g, out, file, *force)
        }
        Command::Notification(NotificationCmd::Replay { file, net }) => notification::replay(out, file, net),
        Command::Sim(SimCmd::Init(args)) => sim::init(g, out, args),
        Command::Gp(args) => gp::run(g, out, args),
        Command::Sim(SimCmd::Serve { port, gp }) => sim::serve(g, out, *port, *gp),
        Command::Sim(SimCmd::Modem(args)) => sim::modem(g, out, args),
        Command::Sim(SimCmd::Smdp(args)) => sim::smdp(g, out, args),
        Command::Sim(SimCmd::Smds(args)) => sim::smds(g, out, args),
        Command::Sim(SimCmd::Show { iccid }) => sim::show(g, out, iccid),
        Command::Demo => demo::run(out),
        // Dispatched by `main` before any other command.
        Command::Lpac { .. } => Ok(()),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "oxicard", &mut std::io::stdout());
            Ok(())
        }
    }
}
