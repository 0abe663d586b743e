//! An error and its causes on one line.

use std::error::Error as StdError;
use std::fmt;

/// An error and every cause behind it ([`source`](StdError::source), then its source, …),
/// shown on one line joined by `": "`.
///
/// The errors of oxicard say once what went wrong: the `Display` of an error that wraps
/// another says what its own layer was doing and leaves the cause to `source()`. Printing the
/// error alone (`{}`) therefore gives the outermost step only; `ErrorChain` gives the whole
/// story, as a user should see it. A cause whose message is the same as the one before it (an
/// error of another library that repeats its source) is shown once.
///
/// ```
/// use oxicard_transport::{ErrorChain, TransportError};
///
/// let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "vpcd closed the socket");
/// let error = TransportError::io(eof).with_detail("reading a vpcd frame length");
///
/// assert_eq!(error.to_string(), "card removed: reading a vpcd frame length");
/// assert_eq!(
///     ErrorChain(&error).to_string(),
///     "card removed: reading a vpcd frame length: vpcd closed the socket"
/// );
/// assert_eq!(
///     ErrorChain(&error).messages(),
///     ["card removed: reading a vpcd frame length", "vpcd closed the socket"]
/// );
/// ```
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn StdError + 'static));

impl<'a> ErrorChain<'a> {
    /// The error, then each of its causes in turn.
    pub fn errors(&self) -> impl Iterator<Item = &'a (dyn StdError + 'static)> + use<'a> {
        std::iter::successors(Some(self.0), |&error: &&'a (dyn StdError + 'static)| error.source())
    }

    /// The message of the error and of each cause, outermost first, a cause whose message is
    /// the same as the one before it left out: what [`Display`](fmt::Display) joins.
    ///
    /// A test of an error's wording can check with it that no message repeats its cause's:
    /// `for pair in messages.windows(2) { assert!(!pair[0].contains(&pair[1])) }`.
    pub fn messages(&self) -> Vec<String> {
        let mut messages: Vec<String> = Vec::new();
        for error in self.errors() {
            let message = error.to_string();
            if messages.last() != Some(&message) {
                messages.push(message);
            }
        }
        messages
    }
}

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut previous: Option<String> = None;
        for error in self.errors() {
            let message = error.to_string();
            if previous.as_ref() == Some(&message) {
                continue;
            }
            if previous.is_some() {
                f.write_str(": ")?;
            }
            f.write_str(&message)?;
            previous = Some(message);
        }
        Ok(())
    }
}

impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.messages()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<dyn StdError + 'static>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref()
        }
    }

    fn layer(message: &'static str, source: Option<Layer>) -> Layer {
        Layer(message, source.map(|s| Box::new(s) as Box<dyn StdError>))
    }

    #[test]
    fn joins_every_cause_outermost_first() {
        let error = layer("SetNickname failed", Some(layer("transport", Some(layer("eof", None)))));
        assert_eq!(ErrorChain(&error).to_string(), "SetNickname failed: transport: eof");
        assert_eq!(ErrorChain(&error).errors().count(), 3);
        assert_eq!(format!("{:?}", ErrorChain(&error)), r#"["SetNickname failed", "transport", "eof"]"#);
    }

    #[test]
    fn a_cause_repeating_the_message_before_it_is_shown_once() {
        let error = layer("a", Some(layer("b", Some(layer("b", Some(layer("c", None)))))));
        assert_eq!(ErrorChain(&error).to_string(), "a: b: c");
        assert_eq!(ErrorChain(&error).messages(), ["a", "b", "c"]);
        assert_eq!(ErrorChain(&error).errors().count(), 4);
    }

    #[test]
    fn an_error_without_a_cause_is_its_message() {
        let error = layer("alone", None);
        assert_eq!(ErrorChain(&error).to_string(), "alone");
        assert_eq!(ErrorChain(&error).messages(), ["alone"]);
    }
}
