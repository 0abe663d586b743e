//! lpac's JSON lines, byte for byte: values whose members keep the order they were added in,
//! printed as cJSON's `cJSON_PrintUnformatted` prints them (lpac `src/jprint.c`), one object
//! per line on stdout.
//!
//! cJSON escapes `"` and `\`, writes `\b \f \n \r \t` and every other byte below `0x20` as
//! `\u00xx` (lower-case hex), and leaves `/` and every byte from `0x7F` up as they are.
//! Integers print in decimal.

use std::io::Write as _;

/// A JSON value with ordered object members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// A whole number.
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in print order.
    Object(Vec<(&'static str, Json)>),
}

impl Json {
    /// A string, or `null` for `None` (lpac's `cJSON_AddStringOrNullToObject`).
    pub(crate) fn string_or_null<S: Into<String>>(value: Option<S>) -> Json {
        value.map_or(Json::Null, |s| Json::Str(s.into()))
    }

    /// An array of strings.
    pub(crate) fn strings<S: Into<String>>(values: impl IntoIterator<Item = S>) -> Json {
        Json::Array(values.into_iter().map(|s| Json::Str(s.into())).collect())
    }

    /// A whole number from an unsigned value (saturating: lpac's are 32-bit at most).
    pub(crate) fn uint(value: u64) -> Json {
        Json::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }

    /// The compact text.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Str(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A string as cJSON prints it.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Prints one line on stdout and flushes it (lpac `printf("%s\n")` then `fflush`): a consumer
/// reading line by line sees each progress line as it happens. A closed stdout is ignored, as
/// lpac's `printf` ignores it.
fn print_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// `{"type":TYPE,"payload":{"code":CODE,"message":MESSAGE,"data":DATA}}`.
pub(crate) fn envelope(kind: &str, code: i64, message: &str, data: Json) -> String {
    Json::Object(vec![
        ("type", Json::Str(kind.to_owned())),
        (
            "payload",
            Json::Object(vec![
                ("code", Json::Int(code)),
                ("message", Json::Str(message.to_owned())),
                ("data", data),
            ]),
        ),
    ])
    .to_text()
}

/// lpac `jprint_success`: code 0, message `success`.
pub(crate) fn success(data: Json) {
    print_line(&envelope("lpa", 0, "success", data));
}

/// lpac `jprint_error`: code -1, the failed function's name, a detail string (`""` when none).
pub(crate) fn error(function: &str, detail: &str) {
    print_line(&envelope("lpa", -1, function, Json::Str(detail.to_owned())));
}

/// lpac `jprint_progress` / `jprint_progress_obj`: code 0, the step's name, its data.
pub(crate) fn progress(step: &str, data: Json) {
    print_line(&envelope("progress", 0, step, data));
}

/// lpac's driver messages: `{"type":"driver","payload":PAYLOAD}`, no code or message.
pub(crate) fn driver(payload: Json) {
    print_line(&Json::Object(vec![("type", Json::Str("driver".into())), ("payload", payload)]).to_text());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn strings_are_escaped_as_cjson_escapes_them() {
        // cJSON 1.7 print_string_ptr: `/` and non-ASCII stay raw, control bytes `\u00xx`.
        let text = Json::Str("a/b \"q\" \\ é’ \u{1}\u{1f}\n\r\t\u{8}\u{c}\u{7f}".into()).to_text();
        assert_eq!(text, "\"a/b \\\"q\\\" \\\\ é’ \\u0001\\u001f\\n\\r\\t\\b\\f\u{7f}\"");
    }

    #[test]
    fn envelopes_keep_lpacs_key_order() {
        assert_eq!(
            envelope("lpa", 0, "success", Json::Null),
            r#"{"type":"lpa","payload":{"code":0,"message":"success","data":null}}"#
        );
        let data =
            Json::Object(vec![("z", Json::Int(-1)), ("a", Json::Array(vec![])), ("m", Json::Object(vec![]))]);
        assert_eq!(
            envelope("progress", 0, "x", data),
            r#"{"type":"progress","payload":{"code":0,"message":"x","data":{"z":-1,"a":[],"m":{}}}}"#
        );
        assert_eq!(Json::uint(u64::MAX).to_text(), i64::MAX.to_string());
    }

    /// The value serde_json reads back from `value`'s text.
    fn as_serde(value: &Json) -> serde_json::Value {
        match value {
            Json::Null => serde_json::Value::Null,
            Json::Int(n) => (*n).into(),
            Json::Str(s) => s.clone().into(),
            Json::Array(items) => items.iter().map(as_serde).collect(),
            Json::Object(members) => members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), as_serde(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }

    /// Any value: strings of any characters (controls, quotes, backslashes, non-ASCII), any
    /// integer, nested arrays and objects with distinct keys.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        const KEYS: [&str; 6] = ["iccid", "data", "a\"b", "é", "x\ny", ""];
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<i64>().prop_map(Json::Int),
            // Controls, quotes and backslashes as often as other characters (`any::<String>()`
            // draws from `\PC*`, which has no control characters).
            proptest::collection::vec(
                prop_oneof![proptest::char::range('\0', '\u{7f}'), Just('"'), Just('\\'), any::<char>()],
                0..16
            )
            .prop_map(|chars| Json::Str(chars.into_iter().collect()))
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                proptest::collection::vec(inner, 0..6)
                    .prop_map(|values| Json::Object(KEYS.iter().copied().zip(values).collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Whatever a card or server put in a string, the line is one line of valid JSON that
        /// reads back as the value printed.
        #[test]
        fn every_value_prints_as_json_that_reads_back(value in any_json()) {
            let text = value.to_text();
            proptest::prop_assert!(!text.contains('\n') && !text.chars().any(|c| u32::from(c) < 0x20), "{text:?}");
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(back, as_serde(&value));
        }
    }
}
