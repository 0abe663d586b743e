//! Simulated modems: the modem side of AT (3GPP TS 27.007), QMI (QMUX, UIM service) and MBIM
//! (MS UICC Low Level Access), each in front of any card behind a
//! [`Transport`](oxicard_transport::Transport) — the software eUICC, the simulated
//! GlobalPlatform card or a PC/SC reader — with the quirks of real modems switchable, served on
//! a pseudo-terminal ([`pty`]) or any byte stream.

mod any;
pub mod at;
mod card;
pub mod mbim;
pub mod pty;
pub mod qmi;

pub use any::{SimulatedModem, SimulatedModemError, quirk_names};
