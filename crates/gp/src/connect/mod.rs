//! The connect policy: one call from a card channel to a managed secure channel session with
//! the card's issuer security domain — the steps a GlobalPlatform host takes before any card
//! content management (GPC v2.3.1 §7.1, §11.9, Appendix H; Amendment D §7.1).
//!
//! [`connect`] selects the ISD ([`IsdSelection`]: an AID, the AID-less SELECT of GPC v2.3.1
//! §11.9.2.3, or the [`KNOWN_ISD_AIDS`](crate::KNOWN_ISD_AIDS)), reads the Card Recognition
//! Data (GET DATA `66`, Appendix H) and, when that does not tell, the Key Information Template
//! (GET DATA `E0`, §11.3.3.1), chooses the secure channel protocol and the highest security
//! level both the card's "i" parameter and the caller allow, diversifies the static keys with
//! the card's key diversification data when asked, and opens the session, checking the card's
//! cryptogram (and its pseudo-random challenge where "i" announces one) before EXTERNAL
//! AUTHENTICATE is sent. The [`ManagedSession`] it returns is a
//! [`CardChannel`](oxicard_apdu::card::CardChannel): every [`ops`](crate::ops) function runs
//! in it, and it tells what was chosen ([`SessionInfo`]).
//!
//! A card reached only through logical channels (an MBIM modem has no basic channel) is
//! connected the same way on a [`LogicalChannel`](oxicard_apdu::card::LogicalChannel).

mod choose;
mod error;
mod options;
mod session;

pub use self::choose::Evidence;
pub use self::error::ConnectError;
pub use self::options::{ConnectOptions, IsdSelection, Protocol};
pub use self::session::{ManagedSession, SessionInfo, connect};

#[cfg(test)]
mod tests;
