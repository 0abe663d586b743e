#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The CLI as a thin shell (issue 13 §7): `src/commands/` has one module per command group,
//! and a group depends only on the glue modules beside `commands` and on its own submodules,
//! never on another group; the glue never depends on the commands.
//!
//! Every `.rs` file under `src/` is read and its paths are checked after comments, string and
//! character literals are dropped (so prose and messages that mention a module are not uses
//! of it). A path is resolved from the module the file is: `crate::…` from the crate root,
//! `super::…` from the file's parent module, `use` trees with braces expanded. Then:
//!
//! - in `commands/G.rs` or `commands/G/…`, a path that reaches `commands` must go on into `G`
//!   (`crate::commands::gp::…` from `commands/gp/info.rs` is its own group; `super::Selected`
//!   from there is `commands::gp::Selected`, the same group; `super::x` from `commands/chip.rs`
//!   is `commands::x`, the registry or another group);
//! - in a glue module (any other file but `main.rs`), no path reaches `commands`.
//!
//! `main.rs` (the crate root) and `commands/mod.rs` (which declares the groups and dispatches
//! to them) are the two files that name the groups.

use std::path::{Path, PathBuf};

/// What matters of Rust source for paths.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    /// `::`.
    PathSep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

/// The tokens of `source` without comments, string, byte-string, raw-string and character
/// literals, and lifetimes.
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        match c {
            _ if c.is_whitespace() => i += 1,
            '/' if at(i + 1) == Some('/') => {
                while at(i).is_some_and(|c| c != '\n') {
                    i += 1;
                }
            }
            '/' if at(i + 1) == Some('*') => {
                let mut depth = 0;
                while let Some(c) = at(i) {
                    if c == '/' && at(i + 1) == Some('*') {
                        depth += 1;
                        i += 2;
                    } else if c == '*' && at(i + 1) == Some('/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i),
            '\'' => {
                // A character literal ('a', '\n', '"', '→') or a lifetime ('a, 'static).
                if at(i + 1) == Some('\\') {
                    i += 2;
                    while at(i).is_some_and(|c| c != '\'') {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == Some('\'') {
                    i += 3;
                } else {
                    i += 1;
                    while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        i += 1;
                    }
                    out.push(Token::Other);
                }
            }
            ':' if at(i + 1) == Some(':') => {
                out.push(Token::PathSep);
                i += 2;
            }
            '{' => {
                out.push(Token::Open);
                i += 1;
            }
            '}' => {
                out.push(Token::Close);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            '*' => {
                out.push(Token::Star);
                i += 1;
            }
            _ if c.is_ascii_digit() => {
                while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    i += 1;
                }
                out.push(Token::Other);
            }
            _ if c.is_alphabetic() || c == '_' => {
                let start = i;
                while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let prefix = matches!(word.as_str(), "r" | "b" | "br" | "c" | "cr");
                match at(i) {
                    Some('"') if prefix => i = skip_string(&chars, i),
                    Some('#') if prefix && matches!(at(i + 1), Some('#' | '"')) => {
                        i = skip_raw_string(&chars, i)
                    }
                    Some('\'') if word == "b" => {
                        // A byte literal b'x' / b'\x00'.
                        i += 1;
                        if at(i) == Some('\\') {
                            i += 1;
                        }
                        i += 1;
                        while at(i).is_some_and(|c| c != '\'') {
                            i += 1;
                        }
                        i += 1;
                    }
                    Some('#') if word == "r" => {
                        // A raw identifier r#name.
                        i += 1;
                        let start = i;
                        while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            i += 1;
                        }
                        out.push(Token::Ident(chars[start..i].iter().collect()));
                    }
                    _ => out.push(Token::Ident(word)),
                }
            }
            _ => {
                out.push(Token::Other);
                i += 1;
            }
        }
    }
    out
}

/// The index after the string literal whose `"` is at `i` (escapes honoured).
fn skip_string(chars: &[char], mut i: usize) -> usize {
    i += 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// The index after the raw string literal whose first `#` is at `i` (`r#"…"#`, `r##"…"##`).
fn skip_raw_string(chars: &[char], mut i: usize) -> usize {
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    i += 1; // the opening quote
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// The paths of the path tree starting at `i` (an identifier), braces expanded, and the index
/// after it.
fn path_tree(toks: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    match toks.get(i) {
        Some(Token::Ident(name)) => prefix.push(name.clone()),
        _ => return (vec![prefix], i),
    }
    i += 1;
    while toks.get(i) == Some(&Token::PathSep) {
        i += 1;
        match toks.get(i) {
            Some(Token::Ident(name)) => {
                prefix.push(name.clone());
                i += 1;
            }
            Some(Token::Star) => {
                prefix.push("*".into());
                return (vec![prefix], i + 1);
            }
            Some(Token::Open) => {
                let (subtrees, next) = tree_list(toks, i);
                let paths = subtrees
                    .into_iter()
                    .map(|sub| {
                        prefix.iter().cloned().chain(sub.into_iter().filter(|s| s != "self")).collect()
                    })
                    .collect();
                return (paths, next);
            }
            _ => break,
        }
    }
    (vec![prefix], i)
}

/// The paths of `{ tree, tree, … }` whose `{` is at `i`, and the index after its `}`.
fn tree_list(toks: &[Token], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut paths = Vec::new();
    i += 1;
    loop {
        match toks.get(i) {
            None => return (paths, i),
            Some(Token::Close) => return (paths, i + 1),
            Some(Token::Comma) => i += 1,
            Some(Token::Open) => {
                let (sub, next) = tree_list(toks, i);
                paths.extend(sub);
                i = next;
            }
            Some(Token::Ident(_)) => {
                let (sub, next) = path_tree(toks, i);
                paths.extend(sub);
                i = next;
                // `as NAME` and anything else up to the next item.
                while !matches!(toks.get(i), None | Some(Token::Comma | Token::Close)) {
                    i += 1;
                }
            }
            Some(_) => i += 1,
        }
    }
}

/// Every path of `source` that starts at `crate` or `super`, as written (braces expanded).
fn crate_paths(source: &str) -> Vec<Vec<String>> {
    let toks = tokens(source);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let starts = matches!(&toks[i], Token::Ident(n) if n == "crate" || n == "super")
            && (i == 0 || toks[i - 1] != Token::PathSep)
            && toks.get(i + 1) == Some(&Token::PathSep);
        if starts {
            let (found, next) = path_tree(&toks, i);
            paths.extend(found);
            i = next;
        } else {
            i += 1;
        }
    }
    paths
}

/// The module a source file is, from its path under `src/`: `commands/gp/info.rs` is
/// `commands::gp::info`, `commands/gp/mod.rs` is `commands::gp`, `main.rs` the root.
fn module_of(relative: &Path) -> Vec<String> {
    let mut module: Vec<String> =
        relative.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    if matches!(module.last().map(String::as_str), Some("mod" | "main")) {
        module.pop();
    }
    module
}

/// `path` (as written in `module`) from the crate root; `None` when it climbs above the root.
fn absolute(module: &[String], path: &[String]) -> Option<Vec<String>> {
    match path.first().map(String::as_str) {
        Some("crate") => Some(path[1..].to_vec()),
        Some("super") => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = module.len().checked_sub(ups)?;
            Some(module[..base].iter().chain(&path[ups..]).cloned().collect())
        }
        _ => None,
    }
}

/// What is wrong with the paths of the module `module` (its `source`), one line each.
fn violations(module: &[String], source: &str) -> Vec<String> {
    let own_group = match module {
        [] => return Vec::new(),                                          // main.rs
        [first] if first == "commands" => return Vec::new(),              // the registry
        [first, group, ..] if first == "commands" => Some(group.clone()), // a command module
        _ => None,                                                        // glue
    };
    let mut found = Vec::new();
    for path in crate_paths(source) {
        let Some(resolved) = absolute(module, &path) else { continue };
        if resolved.first().map(String::as_str) != Some("commands") {
            continue;
        }
        let written = path.join("::");
        match &own_group {
            Some(group) if resolved.get(1) == Some(group) => {}
            Some(group) => found.push(format!(
                "`{written}` (= crate::{}) leaves the command group `{group}`",
                resolved.join("::")
            )),
            None => found.push(format!("`{written}`: a glue module depends on the commands")),
        }
    }
    found
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn command_groups_use_only_glue_and_glue_never_commands() {
    let src = src();
    let files = rust_files(&src);
    let mut problems = Vec::new();
    let mut groups = std::collections::BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = module_of(relative);
        if let [first, group, ..] = module.as_slice()
            && first == "commands"
        {
            groups.insert(group.clone());
        }
        let source = std::fs::read_to_string(file).unwrap();
        for problem in violations(&module, &source) {
            problems.push(format!("{}: {problem}", relative.display()));
        }
    }
    // The walk saw the layout it checks: the command groups under src/commands/.
    let expected =
        ["chip", "demo", "discover", "download", "gp", "notification", "profile", "readers", "sim"];
    assert_eq!(groups.iter().map(String::as_str).collect::<Vec<_>>(), expected, "command groups");
    assert!(problems.is_empty(), "layout violations:\n{}", problems.join("\n"));
}

fn module(path: &str) -> Vec<String> {
    module_of(Path::new(path))
}

/// The checker finds each kind of crossing, and nothing in comments, strings or a group's own
/// submodules.
#[test]
fn the_checker_sees_crossings_and_only_them() {
    let chip = module("commands/chip.rs");
    assert_eq!(chip, ["commands", "chip"]);
    assert_eq!(violations(&chip, "use crate::commands::profile::list;").len(), 1);
    assert_eq!(violations(&chip, "use crate::{cli::Global, commands::{profile, chip::x}};").len(), 1);
    assert_eq!(violations(&chip, "use crate :: commands :: *;").len(), 1);
    assert_eq!(violations(&chip, "use crate::commands;").len(), 1);
    assert_eq!(violations(&chip, "fn f() { super::profile::list(g, out) }").len(), 1);
    assert_eq!(violations(&chip, "use super::*;").len(), 1);
    assert_eq!(violations(&chip, "use crate::commands::chip::helper;"), Vec::<String>::new());
    assert_eq!(violations(&chip, "pub(super) fn f() {}"), Vec::<String>::new());

    let info = module("commands/gp/info.rs");
    assert_eq!(violations(&info, "use super::session::{Selected, with_session};"), Vec::<String>::new());
    assert_eq!(violations(&info, "use super::super::super::cli::Global;"), Vec::<String>::new());
    assert_eq!(violations(&info, "use super::super::profile::list;").len(), 1);
    assert_eq!(violations(&info, "use super::super::run;").len(), 1);
    assert_eq!(violations(&module("commands/gp/mod.rs"), "use super::demo;").len(), 1);

    let glue = module("simstate/gp.rs");
    assert_eq!(violations(&glue, "use crate::commands::gp::keys;").len(), 1);
    assert_eq!(violations(&glue, "use super::super::commands::gp;").len(), 1);
    assert_eq!(violations(&glue, "use super::lock::lock_state_of;"), Vec::<String>::new());
    assert_eq!(violations(&module("main.rs"), "use crate::commands::run;"), Vec::<String>::new());
    assert_eq!(violations(&module("commands/mod.rs"), "use crate::commands::chip;"), Vec::<String>::new());

    // Prose, messages and literals are not paths.
    let quiet = r###"
        // use crate::commands::profile;
        /* use crate::commands::profile; /* nested */ */
        /// [`crate::commands::profile`]
        const A: &str = "crate::commands::profile";
        const B: &str = r#"super::profile "quoted" "#;
        const C: char = '"';
        const D: u8 = b'"';
        fn f<'a>(x: &'a str) -> &'a str { x }
        use crate::cli::Global;
    "###;
    assert_eq!(violations(&chip, quiet), Vec::<String>::new());
    assert_eq!(crate_paths(quiet), [["crate", "cli", "Global"]]);
}
