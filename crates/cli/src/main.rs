#![forbid(unsafe_code)]
//! `oxicard`: eSIM profiles on a software eUICC (the default, no hardware needed) or a PC/SC
//! reader, with human output or lpac-compatible JSON (`--json`). See the crate README for the
//! command table and the lpac JSON mapping.

mod backend;
mod cli;
mod commands;
mod demo;
mod discover;
mod download;
mod error;
mod gp;
mod input;
mod json;
mod net;
mod output;
mod simcmd;
mod simstate;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{ChipCmd, Cli, Command, NotificationCmd, ProfileCmd, SimCmd};
use crate::error::CliError;
use crate::output::Out;

fn main() -> ExitCode {
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return usage_error(&error),
    };
    command_line_beats_environment(&mut cli, &matches);
    for warning in secret_warnings(&command, &matches) {
        eprintln!("oxicard: warning: {warning}");
    }
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

/// `--reader` and `--sim` name different cards: given both, the one typed on the command line
/// wins over the one from the environment (`OXICARD_SIM`, `OXICARD_READER`), as a script's
/// exported default should; both typed (or both from the environment) stay an error.
fn command_line_beats_environment(cli: &mut Cli, matches: &ArgMatches) {
    let source = |id: &str| matches.value_source(id);
    match (source("reader"), source("sim")) {
        (Some(ValueSource::CommandLine), Some(ValueSource::EnvVariable)) => cli.global.sim = None,
        (Some(ValueSource::EnvVariable), Some(ValueSource::CommandLine)) => cli.global.reader = None,
        _ => {}
    }
}

/// What is said about each secret given on the command line: every option whose environment
/// value is hidden (`hide_env_values`: the `gp` keys, the confirmation code) is a secret, and
/// its value is visible to other local users when it came from the command line rather than
/// from its environment variable.
fn secret_warnings(command: &clap::Command, matches: &ArgMatches) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut level = Some((command, matches));
    while let Some((command, matches)) = level {
        for arg in command.get_arguments().filter(|a| a.is_hide_env_values_set()) {
            let id = arg.get_id().as_str();
            let typed = matches.ids().any(|present| present == id)
                && matches.value_source(id) == Some(ValueSource::CommandLine);
            if !typed {
                continue;
            }
            let warning = format!(
                "--{} on the command line is visible to other local users (ps, /proc); use {}{}",
                arg.get_long().unwrap_or(id),
                arg.get_env().map_or_else(|| "an environment variable".into(), |e| e.to_string_lossy()),
                instead_of_the_option(id),
            );
            // A global option is defined again on each subcommand level it reaches.
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        level = matches.subcommand().and_then(|(name, sub)| command.find_subcommand(name).zip(Some(sub)));
    }
    warnings
}

/// Where else a secret can come from, besides its environment variable.
fn instead_of_the_option(id: &str) -> &'static str {
    match id {
        "key" | "key_enc" | "key_mac" | "key_dek" => " or --key-file",
        "confirmation_code" => " or the prompt",
        _ => "",
    }
}

/// A command line clap refused: help and version as clap prints them; otherwise clap's first
/// line as the one-line error (and the JSON error object when `--json` is on the line).
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    }
    let json = std::env::args_os().any(|a| a == "--json");
    let rendered = error.render().to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line").trim_start_matches("error: ");
    // clap puts the missing arguments on the lines after "…were not provided:".
    let detail: Vec<&str> = lines
        .take_while(|l| {
            !l.starts_with("Usage:") && !l.starts_with("tip:") && !l.starts_with("For more information")
        })
        .collect();
    let message = if detail.is_empty() { first.to_string() } else { format!("{first} {}", detail.join(" ")) };
    let error = CliError::Usage(format!("{message} (see --help)"));
    Out::new(json).error(&error);
    ExitCode::from(error.exit_code())
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
        Command::Profile(ProfileCmd::Discover(args)) => discover::run(g, out, args),
        Command::Notification(NotificationCmd::List) => commands::notification_list(g, out),
        Command::Notification(NotificationCmd::Process { keep, net }) => {
            commands::notification_process(g, out, *keep, net)
        }
        Command::Notification(NotificationCmd::Remove { seq }) => commands::notification_remove(g, out, *seq),
        Command::Notification(NotificationCmd::Dump { file, force }) => {
            commands::notification_dump(g, out, file, *force)
        }
        Command::Notification(NotificationCmd::Replay { file, net }) => {
            commands::notification_replay(out, file, net)
        }
        Command::Sim(SimCmd::Init(args)) => simcmd::init(g, out, args),
        Command::Gp(args) => gp::run(g, out, args),
        Command::Sim(SimCmd::Serve { port, gp }) => simcmd::serve(g, out, *port, *gp),
        Command::Sim(SimCmd::Smdp(args)) => simcmd::smdp(g, out, args),
        Command::Sim(SimCmd::Smds(args)) => discover::smds(g, out, args),
        Command::Sim(SimCmd::Show { iccid }) => simcmd::show(g, out, iccid),
        Command::Demo => demo::run(out),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "oxicard", &mut std::io::stdout());
            Ok(())
        }
    }
}
