//! The option parsing of lpac's applets: POSIX `getopt` as glibc does it (options may follow
//! operands; `--` ends them; `-ab` groups flags; `-sVALUE` or `-s VALUE`).

/// One parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Options in order: the letter and its argument.
    pub(crate) options: Vec<(char, Option<String>)>,
    /// The operands.
    pub(crate) operands: Vec<String>,
}

impl Parsed {
    /// Whether flag `letter` was given.
    pub(crate) fn flag(&self, letter: char) -> bool {
        self.options.iter().any(|(l, _)| *l == letter)
    }
}

/// Parses `args` with the getopt specification `spec` (`"s:m:ph"`: a letter followed by `:`
/// takes an argument). An unknown option or a missing argument is `Err` with glibc's message
/// (`invalid option -- 'x'`, `option requires an argument -- 's'`).
pub(crate) fn parse(args: &[String], spec: &str) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            parsed.operands.extend(args.by_ref().cloned());
            break;
        }
        let Some(letters) = arg.strip_prefix('-').filter(|l| !l.is_empty()) else {
            parsed.operands.push(arg.clone());
            continue;
        };
        for (at, letter) in letters.char_indices() {
            let Some(position) = spec.find(letter).filter(|_| letter != ':') else {
                return Err(format!("invalid option -- '{letter}'"));
            };
            if !spec[position + letter.len_utf8()..].starts_with(':') {
                parsed.options.push((letter, None));
                continue;
            }
            let attached = &letters[at + letter.len_utf8()..];
            let value = if attached.is_empty() {
                args.next().cloned().ok_or_else(|| format!("option requires an argument -- '{letter}'"))?
            } else {
                attached.to_owned()
            };
            parsed.options.push((letter, Some(value)));
            break;
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_after_operands_grouped_flags_and_attached_values() {
        let p = parse(&args(&["12", "-r", "13", "-ar"]), "arh?").unwrap();
        assert_eq!(p.operands, ["12", "13"]);
        assert!(p.flag('a') && p.flag('r') && !p.flag('h'));
        let p = parse(&args(&["-sSMDP", "-m", "M-1", "--", "-c"]), "s:m:c:").unwrap();
        assert_eq!(p.options, [('s', Some("SMDP".into())), ('m', Some("M-1".into()))]);
        assert_eq!(p.operands, ["-c"]);
        assert_eq!(parse(&args(&["-x"]), "ah?").unwrap_err(), "invalid option -- 'x'");
        assert_eq!(parse(&args(&["-s"]), "s:").unwrap_err(), "option requires an argument -- 's'");
        assert_eq!(parse(&args(&["-:"]), "s:").unwrap_err(), "invalid option -- ':'");
        assert_eq!(parse(&args(&["-"]), "s:").unwrap().operands, ["-"]);
    }

    proptest::proptest! {
        /// Any command line: no panic; options are letters of the specification with an
        /// argument exactly when it takes one; operands keep their order; without a `-`
        /// argument everything is an operand.
        #[test]
        fn any_command_line_parses_as_getopt_would(
            list in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("--".to_owned()),
                    proptest::strategy::Just("-".to_owned()),
                    "-[a-z:?é]{1,4}",
                    "[a-z0-9é-]{0,6}",
                ],
                0..8,
            )
        ) {
            let spec = "s:m:arh?";
            if let Ok(parsed) = parse(&list, spec) {
                for (letter, value) in &parsed.options {
                    let takes = spec.find(*letter).is_some_and(|p| spec[p + letter.len_utf8()..].starts_with(':'));
                    proptest::prop_assert!(*letter != ':' && spec.contains(*letter));
                    proptest::prop_assert_eq!(value.is_some(), takes);
                }
                let mut rest = list.iter();
                for operand in &parsed.operands {
                    proptest::prop_assert!(rest.any(|arg| arg == operand), "{operand} out of order");
                }
            }
            if list.iter().all(|arg| !arg.starts_with('-')) {
                proptest::prop_assert_eq!(parse(&list, spec).unwrap().operands, list);
            }
        }
    }
}
