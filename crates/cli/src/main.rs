#![forbid(unsafe_code)]
//! `oxicard`: eSIM profiles on a software eUICC (the default, no hardware needed) or a PC/SC
//! reader, with human output or lpac-compatible JSON (`--json`). See the crate README for the
//! command table and the lpac JSON mapping.

mod backend;
mod cli;
mod commands;
mod demo;
mod download;
mod error;
mod json;
mod output;
mod simcmd;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{ChipCmd, Cli, Command, NotificationCmd, ProfileCmd, SimCmd};
use crate::error::CliError;
use crate::output::Out;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let out = Out::new(cli.global.json);
    if cli.global.verbose > 0 {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::TRACE)
            .with_target(true)
            .init();
    }
    match run(&cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            out.error(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

/// Dispatches one command.
fn run(cli: &Cli, out: &Out) -> Result<(), CliError> {
    let g = &cli.global;
    match &cli.command {
        Command::Readers => commands::readers(out),
        Command::Chip(ChipCmd::Info) => commands::chip_info(g, out),
        Command::Chip(ChipCmd::DefaultDp { address }) => commands::default_dp(g, out, address),
        Command::Chip(ChipCmd::MemoryReset(args)) => commands::memory_reset(g, out, args),
        Command::Profile(ProfileCmd::List) => commands::profile_list(g, out),
        Command::Profile(ProfileCmd::Enable { profile, refresh }) => {
            commands::profile_op(g, out, profile, commands::Op::Enable(*refresh))
        }
        Command::Profile(ProfileCmd::Disable { profile, refresh }) => {
            commands::profile_op(g, out, profile, commands::Op::Disable(*refresh))
        }
        Command::Profile(ProfileCmd::Delete { profile }) => {
            commands::profile_op(g, out, profile, commands::Op::Delete)
        }
        Command::Profile(ProfileCmd::Nickname { iccid, name }) => commands::nickname(g, out, iccid, name),
        Command::Profile(ProfileCmd::Download(args)) => download::run(g, out, args),
        Command::Notification(NotificationCmd::List) => commands::notification_list(g, out),
        Command::Notification(NotificationCmd::Process { keep, net }) => {
            commands::notification_process(g, out, *keep, net)
        }
        Command::Notification(NotificationCmd::Remove { seq }) => commands::notification_remove(g, out, *seq),
        Command::Sim(SimCmd::Init(args)) => simcmd::init(g, out, args),
        Command::Sim(SimCmd::Serve { port }) => simcmd::serve(g, out, *port),
        Command::Sim(SimCmd::Smdp(args)) => simcmd::smdp(g, out, args),
        Command::Demo => demo::run(out),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "oxicard", &mut std::io::stdout());
            Ok(())
        }
    }
}
