//! The card layer: ISO/IEC 7816-4 transmission rules over any [`Transport`].
//!
//! [`Card::transmit`] sends one logical command and returns one logical response.
//! Between the two it does what the card's transmission protocol and size limits require:
//!
//! - **GET RESPONSE** on `61xx` until the card is done (ISO/IEC 7816-4 §7.6.1; ETSI TS 102 221
//!   §7.3.1.1.4), with the total bounded by [`CardConfig::max_response_len`];
//! - **re-send with the exact Le** on `6Cxx`;
//! - **command chaining** (CLA b5, ISO/IEC 7816-4 §5.3.3) when the data does not fit a
//!   short APDU and extended length is not used;
//! - **extended length** (§5.1) when the card supports it (ATR card capabilities, or configuration);
//! - **logical channels** (MANAGE CHANNEL, §7.1.2) with a [`LogicalChannel`] handle that
//!   closes itself, and the channel number carried in every CLA;
//! - **SELECT** by AID with FCI parsing ([`Fci`]).
//!
//! Status words are returned, not judged: a `6A82` is a response like any other.
//! Only the layer's own operations (SELECT, MANAGE CHANNEL) turn error statuses into
//! [`CardError::Status`].
//!
//! Above this layer everything sends commands through one trait, [`CardChannel`]: the basic
//! channel of a [`Card`], a [`LogicalChannel`], an SCP03 session of `oxicard-secure-channel`,
//! and `&mut` or `Box` of any of them. Sessions own their channel or borrow it
//! (`LogicalChannel<Card<T>>`, `LogicalChannel<&mut Card<T>>`), so they can live in a struct.

mod channel;
mod config;
mod error;
mod exchange;
mod select;

pub use channel::{CardChannel, LogicalChannel, OpenedChannel};
pub use config::{CardConfig, ExtendedLength, GetResponseCla};
pub use error::CardError;
pub use select::{Fci, Occurrence, SelectResponse};

use alloc::vec::Vec;
use config::Capabilities;
use oxicard_transport::{ResetKind, Transport};

use crate::{CommandView, Response, StatusWord};

/// A card behind a [`Transport`], speaking ISO/IEC 7816-4.
///
/// The card owns its transport and two buffers sized once, so that
/// [`transmit_into`](Self::transmit_into) allocates nothing in the steady state.
pub struct Card<T> {
    transport: T,
    config: CardConfig,
    caps: Capabilities,
    command_buf: Vec<u8>,
    response_buf: Vec<u8>,
    response_len: usize,
}

impl<T: Transport> Card<T> {
    /// A card on `transport` with the default [`CardConfig`].
    pub fn new(transport: T) -> Self {
        Self::with_config(transport, CardConfig::default())
    }

    /// A card on `transport` with `config`.
    pub fn with_config(transport: T, config: CardConfig) -> Self {
        let caps = Capabilities::resolve(&config, transport.atr());
        Self {
            transport,
            config,
            caps,
            command_buf: alloc::vec![0; oxicard_transport::MAX_COMMAND_LEN],
            response_buf: alloc::vec![0; oxicard_transport::MAX_RESPONSE_LEN],
            response_len: 0,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &CardConfig {
        &self.config
    }

    /// Whether commands may use extended length on this card.
    pub fn uses_extended_length(&self) -> bool {
        self.caps.extended_length
    }

    /// The card's ATR, as the transport last saw it.
    pub fn atr(&self) -> &[u8] {
        self.transport.atr()
    }

    /// The transport, for operations this layer does not cover.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably. Exchanges made here bypass this layer.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Resets the card and re-reads its capabilities from the new ATR.
    pub fn reset(&mut self, kind: ResetKind) -> Result<(), CardError> {
        self.transport.reset(kind)?;
        self.caps = Capabilities::resolve(&self.config, self.transport.atr());
        Ok(())
    }

    /// Re-establishes the link after a reset by another process or a re-insertion
    /// ([`Transport::reconnect`]); logical channels and selections are lost.
    pub fn reconnect(&mut self) -> Result<(), CardError> {
        self.transport.reconnect()?;
        self.caps = Capabilities::resolve(&self.config, self.transport.atr());
        Ok(())
    }

    /// SELECT by AID on the basic channel ([`CardChannel::select`], without importing the trait).
    pub fn select(&mut self, aid: &[u8]) -> Result<SelectResponse, CardError> {
        CardChannel::select(self, aid)
    }

    /// Sends `command` as it is (its CLA carries the channel) and returns the
    /// complete response.
    pub fn transmit(&mut self, command: &CommandView<'_>) -> Result<Response, CardError> {
        let mut data = Vec::new();
        let sw = self.transmit_into(command, &mut data)?;
        Ok(Response::new(data, sw))
    }

    /// Sends `command` as it is; the response data replaces the contents of
    /// `data` and the final status word is returned. Reusing `data` across
    /// calls makes the exchange allocation-free.
    pub fn transmit_into(
        &mut self,
        command: &CommandView<'_>,
        data: &mut Vec<u8>,
    ) -> Result<StatusWord, CardError> {
        data.clear();
        exchange::transmit(self, command, data)
    }
}

impl<T> core::fmt::Debug for Card<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Card")
            .field("config", &self.config)
            .field("extended_length", &self.caps.extended_length)
            .field("command_chaining", &self.caps.command_chaining)
            .finish_non_exhaustive()
    }
}
