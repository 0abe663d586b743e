//! Output: human text, or lpac's JSON envelope `{"type":…,"payload":{"code","message","data"}}`.

use serde_json::Value;

use crate::error::CliError;

/// Where results go: stdout as text or as lpac JSON lines; errors also as one line on stderr.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Out {
    json: bool,
}

impl Out {
    /// JSON output when `json`.
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
    }

    /// Whether `--json` is in force.
    pub(crate) fn is_json(&self) -> bool {
        self.json
    }

    /// The final success: `{"type":"lpa","payload":{"code":0,"message":"success","data":data}}`,
    /// or `human` as text.
    pub(crate) fn success(&self, data: Value, human: &str) {
        if self.json {
            println!("{}", envelope("lpa", 0, "success", &data));
        } else if !human.is_empty() {
            println!("{}", printable(human.trim_end()));
        }
    }

    /// A progress event: `{"type":"progress","payload":{"code":0,"message":message,"data":data}}`
    /// (JSON mode only).
    pub(crate) fn progress(&self, message: &str, data: Value) {
        if self.json {
            println!("{}", envelope("progress", 0, message, &data));
        }
    }

    /// A human line on stdout (text mode only).
    pub(crate) fn say(&self, line: &str) {
        if !self.json {
            println!("{}", printable(line));
        }
    }

    /// The failure: one line on stderr, the error and each of its causes
    /// ([`CliError::message`]); in JSON mode also
    /// `{"type":"lpa","payload":{"code":-1,"message":function,"data":message}}` on stdout.
    pub(crate) fn error(&self, error: &CliError) {
        let message = one_line(&error.message());
        if self.json {
            println!("{}", envelope("lpa", -1, error.function(), &Value::String(message.clone())));
        }
        eprintln!("oxicard: error: {}", printable(&message));
    }
}

/// lpac's JSON envelope, keys in lpac's order (`type`, `payload`; `code`, `message`, `data`).
pub(crate) fn envelope(kind: &str, code: i64, message: &str, data: &Value) -> String {
    format!(
        r#"{{"type":{},"payload":{{"code":{code},"message":{},"data":{data}}}}}"#,
        Value::from(kind),
        Value::from(message)
    )
}

/// `text` safe for a terminal: control characters other than line breaks and tabs (an escape
/// sequence in a profile name or an SM-DS event from a hostile server) are shown as `\u{1b}`.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// `text` with line breaks folded to spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// lpac's documented envelope (lpac `docs/USAGE.md`: `{"type":"lpa","payload":{"code":0,
    /// "message":"success","data":…}}`), keys in its order.
    #[test]
    fn envelope_has_lpac_shape_and_order() {
        assert_eq!(
            envelope("lpa", 0, "success", &json!(null)),
            r#"{"type":"lpa","payload":{"code":0,"message":"success","data":null}}"#
        );
        assert_eq!(
            envelope("progress", 0, "es10b_load_bound_profile_package", &json!({"bytesSent": 1})),
            r#"{"type":"progress","payload":{"code":0,"message":"es10b_load_bound_profile_package","data":{"bytesSent":1}}}"#
        );
        assert_eq!(
            envelope("lpa", -1, "activation_code", &Value::from("bad \"x\"")),
            r#"{"type":"lpa","payload":{"code":-1,"message":"activation_code","data":"bad \"x\""}}"#
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\tb\nc"), "a\tb\nc");
        assert_eq!(printable("\u{1b}[2Jevil\u{7}"), "\\u{1b}[2Jevil\\u{7}");
    }

    #[test]
    fn one_line_folds_breaks() {
        assert_eq!(one_line("a\n  b\r\nc "), "a b c");
    }
}
