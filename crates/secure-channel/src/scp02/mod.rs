//! GlobalPlatform SCP02 (GP Card Specification v2.3.1 Appendix E; deprecated there, but
//! still the Issuer Security Domain protocol of many UICCs and older eUICCs): 3DES session
//! setup, secure messaging for both roles, and key-material helpers.
//!
//! - [`Handshake`] → [`Authenticating`] → [`HostSession`]: the host side, explicit
//!   initiation; [`HostSession::implicit`] for implicit initiation.
//! - [`CardHandshake`] → [`CardSession`]: the card side; [`CardSession::implicit`].
//! - [`IParameter`] ("i", Table E-1), [`SecurityLevel`] (Table E-11).
//! - [`session_key`], [`SessionKeys`], [`card_cryptogram`], [`host_cryptogram`],
//!   [`pseudo_random_card_challenge`], [`implicit_icv`]: the derivations.
//! - [`encrypt_key_data`], [`key_check_value`], [`put_key_command`]: PUT KEY with DES keys.
//! - [`diversify`]: static keys from a master key (EMV CPS v1.1, VISA2).
//! - With the `std` feature: [`Scp02Session`], the host side over the `oxicard-apdu` card
//!   layer.
//!
//! # Interpretations
//!
//! Where the specification is silent or the public implementations disagree, this module
//! follows the GP Card Spec text and says so where it applies:
//!
//! - **C-DECRYPTION of a command without data**: the host encrypts one padding block
//!   (§B.1.3 always pads; pySim and kaoh/globalplatform do so, GlobalPlatformPro sends no
//!   block); the card accepts both.
//! - **R-MAC with an error status word**: the R-MAC is computed over `Li = 00` and chained
//!   (§E.4.5); the card side sends the SW alone, the host side accepts the SW alone or with
//!   the R-MAC.
//! - **Logical channels**: MACs are computed as on channel 0 (§E.4.4, §E.4.5); on the wire
//!   the CLA keeps the channel: `84`–`87`, `E0`–`EF` (§11.1.4).
//! - **Short APDUs only** (§11.1.5): at most 247 plain data bytes with C-MAC, 239 with
//!   C-DECRYPTION.
//! - BEGIN / END R-MAC SESSION (§E.5.3, §E.5.4) are not implemented: R-MAC comes with the
//!   security level of EXTERNAL AUTHENTICATE.

mod card;
#[cfg(feature = "std")]
mod channel;
#[cfg(feature = "std")]
mod channel_error;
mod cryptogram;
mod dek;
mod des;
mod diversify;
mod handshake;
mod host;
mod init_update;
mod kdf;
mod keys;
mod params;
mod session;
mod wire;

pub use self::card::{CardChallenge, CardHandshake, CardSession};
#[cfg(feature = "std")]
pub use self::channel::{OpenOptions, Scp02Session};
#[cfg(feature = "std")]
pub use self::channel_error::{Scp02Error, Step, status_meaning};
pub use self::cryptogram::{card_cryptogram, host_cryptogram, implicit_icv, pseudo_random_card_challenge};
pub use self::dek::{
    DES_KEY_FIELD_LEN, INS_PUT_KEY, KEY_TYPE_DES, decrypt_key_data, des_key_field, encrypt_key_data,
    key_check_value, parse_des_key_field, put_key_command,
};
pub use self::diversify::{Diversification, KeyType, diversify, diversify_key};
pub use self::handshake::{Authenticating, Handshake};
pub use self::host::HostSession;
pub use self::init_update::{
    INS_EXTERNAL_AUTHENTICATE, INS_INITIALIZE_UPDATE, InitializeUpdateResponse, SCP02,
    initialize_update_command,
};
pub use self::kdf::{DerivationConstant, session_key};
pub use self::keys::{SecretKey, StaticKeys};
pub use self::params::{IParameter, Initiation, SecurityLevel};
pub use self::session::{SessionKeys, SessionState};
