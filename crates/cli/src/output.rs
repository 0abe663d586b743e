//! Output: human text, or lpac's JSON envelope `{"type":…,"payload":{"code","message","data"}}`.

use serde_json::Value;

use crate::error::{CliError, GpStatus};

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
    /// `{"type":"lpa","payload":{"code":-1,"message":function,"data":message}}` on stdout, and
    /// for a GP command the card refused the status word's fields after `data`
    /// ([`error_envelope`]).
    pub(crate) fn error(&self, error: &CliError) {
        let message = one_line(&error.message());
        if self.json {
            println!("{}", error_envelope(error.function(), &message, error.gp_status()));
        }
        eprintln!("oxicard: error: {}", printable(&message));
    }
}

/// lpac's JSON envelope, keys in lpac's order (`type`, `payload`; `code`, `message`, `data`).
pub(crate) fn envelope(kind: &str, code: i64, message: &str, data: &Value) -> String {
    envelope_with(kind, code, message, data, "")
}

/// [`envelope`] with `more` (`,"key":value…`) after `data` in the payload.
fn envelope_with(kind: &str, code: i64, message: &str, data: &Value, more: &str) -> String {
    format!(
        r#"{{"type":{},"payload":{{"code":{code},"message":{},"data":{data}{more}}}}}"#,
        Value::from(kind),
        Value::from(message)
    )
}

/// lpac's error object, and for a GP command the card refused (`status`) its status word
/// after `data`: `"sw"` (`"6A84"`), `"operation"` (`"LOAD"`), `"meaning"` (GPC v2.3.1 §11's
/// wording), `"hint"` (what to check or do, `null` when the command does not make the cause
/// clear) and `"reference"` (the specification table).
pub(crate) fn error_envelope(function: &str, message: &str, status: Option<&GpStatus>) -> String {
    let more = status.map_or(String::new(), |GpStatus { operation, meaning }| {
        format!(
            r#","sw":{},"operation":{},"meaning":{},"hint":{},"reference":{}"#,
            Value::from(format!("{:04X}", meaning.sw.to_u16())),
            Value::from(*operation),
            Value::from(meaning.meaning),
            meaning.hint.map_or(Value::Null, Value::from),
            Value::from(meaning.reference),
        )
    });
    envelope_with("lpa", -1, function, &Value::from(message), &more)
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

    /// A GP refusal's fields come after `data`, inside the payload; other errors keep lpac's
    /// shape.
    #[test]
    fn gp_status_fields_follow_data() {
        use oxicard_apdu::StatusWord;
        use oxicard_gp::status_word::{Operation, explain};
        let meaning = explain(Some(Operation::Load), StatusWord::from_u16(0x6A84));
        let status = GpStatus { operation: "LOAD", meaning };
        let line = error_envelope("gp_load", "LOAD failed: 6A84 (…)", Some(&status));
        assert_eq!(
            line,
            concat!(
                r#"{"type":"lpa","payload":{"code":-1,"message":"gp_load","data":"LOAD failed: 6A84 (…)","#,
                r#""sw":"6A84","operation":"LOAD","meaning":"not enough memory space","#,
                r#""hint":"delete unused applications or load files to make room","#,
                r#""reference":"GPC v2.3.1 Table 11-60"}}"#
            )
        );
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["payload"]["sw"], "6A84");
        let meaning = explain(Some(Operation::StoreData), StatusWord::from_u16(0x6A80));
        let line = error_envelope("x", "m", Some(&GpStatus { operation: "STORE DATA", meaning }));
        assert_eq!(serde_json::from_str::<Value>(&line).unwrap()["payload"]["hint"], Value::Null);
        assert_eq!(error_envelope("io", "m", None), envelope("lpa", -1, "io", &Value::from("m")));
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
