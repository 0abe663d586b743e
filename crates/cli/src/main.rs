#![forbid(unsafe_code)]
//! `oxicard`: eSIM profiles on a software eUICC (the default, no hardware needed) or a PC/SC
//! reader, with human output or lpac-compatible JSON (`--json`). See the crate README for the
//! command table and the lpac JSON mapping.
//!
//! The source: [`commands`] has one module per command group, each using only the glue
//! modules beside it (the options in [`cli`], [`output`] and [`json`], the card in
//! [`backend`], the simulators' files in [`simstate`], …), never another group; this file
//! parses the command line and reports the outcome.

mod backend;
mod cli;
mod commands;
mod download_handler;
mod error;
mod input;
mod json;
mod lpac;
mod net;
mod output;
mod parse;
mod profile_table;
mod serving;
mod simstate;
mod test_smdp;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::error::CliError;
use crate::output::Out;

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let program = args.next().unwrap_or_default();
    if lpac::invoked_as_lpac(std::path::Path::new(&program)) {
        let rest: Vec<std::ffi::OsString> = args.collect();
        return lpac::main(&program.to_string_lossy(), &rest);
    }
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return usage_error(&error),
    };
    if let cli::Command::Lpac { args } = &cli.command {
        return lpac::main("lpac", args);
    }
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
    match commands::run(&cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            out.error(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

/// `--reader`, `--at`, `--qmi`, `--mbim` and `--sim` name different cards: when one is typed on
/// the command line, those that came from the environment (`OXICARD_READER`, `OXICARD_AT`, …,
/// `OXICARD_SIM`) give way, as a script's exported default should; two typed (or two from the
/// environment) stay an error.
fn command_line_beats_environment(cli: &mut Cli, matches: &ArgMatches) {
    let source = |id: &str| matches.value_source(id);
    let typed =
        ["reader", "at", "qmi", "mbim", "sim"].iter().any(|id| source(id) == Some(ValueSource::CommandLine));
    if !typed {
        return;
    }
    let from_env = |id: &str| source(id) == Some(ValueSource::EnvVariable);
    let g = &mut cli.global;
    if from_env("reader") {
        g.reader = None;
    }
    if from_env("at") {
        g.at = None;
    }
    if from_env("qmi") {
        g.qmi = None;
    }
    if from_env("mbim") {
        g.mbim = None;
    }
    if from_env("sim") {
        g.sim = None;
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
