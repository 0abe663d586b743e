//! GlobalPlatform SCP03 (GP Card Specification v2.3 Amendment D): session setup,
//! secure messaging for both roles, and key-material helpers.
//!
//! - [`Handshake`] → [`Authenticating`] → [`HostSession`]: the host side.
//! - [`CardHandshake`] → [`CardSession`]: the card side.
//! - [`kdf`], [`SessionKeys`], [`pseudo_random_card_challenge`]: the derivations.
//! - [`encrypt_key_data`], [`key_check_value`]: key material for PUT KEY.
//! - With the `std` feature: [`Scp03Session`], the host side over the `oxicard-apdu`
//!   card layer.

mod card;
#[cfg(feature = "std")]
mod channel;
#[cfg(feature = "std")]
mod channel_error;
mod cryptogram;
mod dek;
mod handshake;
mod host;
mod init_update;
mod kdf;
mod keys;
mod params;
mod session;
pub(crate) mod wire;

pub use self::card::{CardChallenge, CardHandshake, CardSession};
#[cfg(feature = "std")]
pub use self::channel::{OpenOptions, Scp03Session};
#[cfg(feature = "std")]
pub use self::channel_error::{Scp03Error, Step, status_meaning};
pub use self::cryptogram::{Challenge, Cryptogram, pseudo_random_card_challenge};
pub use self::dek::{decrypt_key_data, encrypt_key_data, key_check_value};
pub use self::handshake::{Authenticating, Handshake};
pub use self::host::HostSession;
pub use self::init_update::{
    INS_EXTERNAL_AUTHENTICATE, INS_INITIALIZE_UPDATE, InitializeUpdateResponse, SCP03,
    initialize_update_command,
};
pub use self::kdf::{DerivationConstant, MAX_OUTPUT, kdf};
pub use self::keys::{SecretKey, StaticKeys};
pub use self::params::{IParameter, Mode, SecurityLevel};
pub use self::session::{DEFAULT_COUNTER_LIMIT, SessionKeys, SessionState};
