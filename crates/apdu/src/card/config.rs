//! How the card layer talks to a card.

use crate::atr::Atr;

/// Whether to use extended-length APDUs (ISO/IEC 7816-4 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExtendedLength {
    /// Use them when the ATR's card capabilities announce them.
    #[default]
    FromAtr,
    /// Always allowed.
    Supported,
    /// Never: long data goes through command chaining, long responses through `61xx`.
    Unsupported,
}

/// The CLA of GET RESPONSE (ISO/IEC 7816-4 §7.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum GetResponseCla {
    /// Interindustry `00` with the channel of the command (ISO/IEC 7816-4, ETSI TS 102 221).
    #[default]
    Interindustry,
    /// The CLA of the command it continues, without chaining (pySim's choice; lpac and
    /// euicc-go send `80` to the ISD-R this way).
    SameAsCommand,
}

/// Settings of a [`Card`](super::Card).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardConfig {
    /// Largest total response (data of all GET RESPONSE rounds) accepted; default 64 KiB.
    pub max_response_len: usize,
    /// Largest number of `61xx`/`6Cxx` follow-up exchanges for one command; default 300.
    pub max_rounds: usize,
    /// Extended length use; default [`ExtendedLength::FromAtr`].
    pub extended_length: ExtendedLength,
    /// Whether the card supports command chaining (CLA b5) for data above 255 bytes. `None`
    /// (the default) takes the ATR's card capabilities, and assumes yes when the ATR says nothing.
    pub command_chaining: Option<bool>,
    /// CLA of GET RESPONSE; default [`GetResponseCla::Interindustry`].
    pub get_response_cla: GetResponseCla,
}

impl CardConfig {
    /// Sets [`max_response_len`](Self::max_response_len).
    #[must_use]
    pub fn with_max_response_len(mut self, max_response_len: usize) -> Self {
        self.max_response_len = max_response_len;
        self
    }

    /// Sets [`max_rounds`](Self::max_rounds).
    #[must_use]
    pub fn with_max_rounds(mut self, max_rounds: usize) -> Self {
        self.max_rounds = max_rounds;
        self
    }

    /// Sets [`extended_length`](Self::extended_length).
    #[must_use]
    pub fn with_extended_length(mut self, extended_length: ExtendedLength) -> Self {
        self.extended_length = extended_length;
        self
    }

    /// Sets [`command_chaining`](Self::command_chaining).
    #[must_use]
    pub fn with_command_chaining(mut self, command_chaining: Option<bool>) -> Self {
        self.command_chaining = command_chaining;
        self
    }

    /// Sets [`get_response_cla`](Self::get_response_cla).
    #[must_use]
    pub fn with_get_response_cla(mut self, get_response_cla: GetResponseCla) -> Self {
        self.get_response_cla = get_response_cla;
        self
    }
}

impl Default for CardConfig {
    fn default() -> Self {
        Self {
            max_response_len: 65_536,
            max_rounds: 300,
            extended_length: ExtendedLength::FromAtr,
            command_chaining: None,
            get_response_cla: GetResponseCla::Interindustry,
        }
    }
}

/// What the layer concluded from the configuration and the ATR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Capabilities {
    pub(crate) extended_length: bool,
    pub(crate) command_chaining: bool,
}

impl Capabilities {
    pub(crate) fn resolve(config: &CardConfig, atr: &[u8]) -> Self {
        let caps = Atr::parse(atr).ok().and_then(|atr| atr.card_capabilities());
        let extended_length = match config.extended_length {
            ExtendedLength::Supported => true,
            ExtendedLength::Unsupported => false,
            ExtendedLength::FromAtr => caps.is_some_and(|c| c.extended_length()),
        };
        let command_chaining =
            config.command_chaining.unwrap_or_else(|| caps.is_none_or(|c| c.command_chaining()));
        Self { extended_length, command_chaining }
    }
}
