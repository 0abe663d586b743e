//! [`SimulatedModem`]: any of the three simulated modems, chosen by protocol, with quirks named
//! as a command line names them (`oxicard sim modem --at --quirk csim-only`).

use std::io::{self, Read, Write};
use std::time::Duration;

use oxicard_transport::Transport;
use oxicard_transport::modem::ModemProtocol;

use super::at::{AtQuirks, CchoReply, SessionIds, SimulatedAtModem, TestCommands};
use super::mbim::{MbimQuirks, SimulatedMbimModem};
use super::qmi::{QmiQuirks, SimulatedQmiModem};

/// Why [`SimulatedModem::new`] could not make a modem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulatedModemError {
    /// A quirk name the protocol does not know.
    #[error("{protocol} modems have no quirk {name:?}; they have: {known}")]
    UnknownQuirk {
        /// The protocol (`at`, `qmi`, `mbim`).
        protocol: &'static str,
        /// The name given.
        name: String,
        /// The names there are, comma-separated.
        known: String,
    },
    /// A protocol no simulated modem speaks.
    #[error("no simulated modem speaks {0}")]
    Protocol(&'static str),
}

/// The quirk names of `protocol`'s simulated modem, each with what it does and who does it.
pub fn quirk_names(protocol: ModemProtocol) -> &'static [(&'static str, &'static str)] {
    match protocol {
        ModemProtocol::At => AT_QUIRKS,
        ModemProtocol::Qmi => QMI_QUIRKS,
        ModemProtocol::Mbim => MBIM_QUIRKS,
        _ => &[],
    }
}

const AT_QUIRKS: &[(&str, &str)] = &[
    ("stuck-echo", "echo stays on after ATE0 (SIMCom A7672)"),
    ("garbled-echo", "the echo loses its first character (FM350-GL, lpac issue #179)"),
    ("test-commands-error", "=? test commands answer ERROR (Sierra EM7590, Quectel EM05-G)"),
    ("test-commands-silent", "=? test commands get no answer at all (FM350-GL, lpac PR #442)"),
    ("ccho-compact", "+CCHO:1 without a space (SIMCom style, lpac PR #238)"),
    ("ccho-bare", "+CCHO answers a bare session id, as 27.007 §8.45 shows it (FM350-GL)"),
    ("opaque-session-ids", "16-hex-digit session ids (Sierra MC7455, lpac issue #138)"),
    ("no-space-after-colon", "+CGLA:4,\"611A\" (SIMCom A7908E, lpac PR #238)"),
    ("urc", "an unsolicited +CREG line before every answer"),
    ("csim-only", "no +CCHO/+CGLA/+CCHC, only +CSIM (Dell DW5821e, lpac issue #164)"),
    ("verbose-errors", "+CME ERROR as text even after AT+CMEE=1 (Sierra EM9191, lpac issue #187)"),
    ("slow-store-data", "STORE DATA answered after 2 s"),
    ("no-cchc", "+CCHC answers ERROR (Sierra EM9191, lpac issue #187)"),
    ("cchc-line", "+CCHC answers a +CCHC line before OK (lpac issue #143)"),
];

const QMI_QUIRKS: &[(&str, &str)] = &[
    ("host-flags", "QMUX flags 00 instead of 80 on frames to the host (libqmi test fixtures)"),
    (
        "open-channel-access-denied",
        "Open Logical Channel fails AccessDenied (SIM7600G-H, LE910C4, lpac issue #221)",
    ),
    ("slot-status-not-supported", "Get Slot Status fails NotSupported (older firmware, lpac qmi.c)"),
    ("split-responses", "each frame written in pieces"),
    ("batch-responses", "all frames of an answer in one write"),
    ("indications", "a UIM Slot Status indication before each response"),
    ("stale-responses", "a stale response to the previous transaction before each response"),
];

const MBIM_QUIRKS: &[(&str, &str)] = &[
    ("fragments", "wMaxControlMessage of 64 bytes: every longer message is fragmented"),
    (
        "invalid-channel-first-apdu",
        "the first APDU fails MS_INVALID_LOGICAL_CHANNEL (Fibocom L860-GL, lpac issue #114)",
    ),
    ("open-channel-failure", "OPEN_CHANNEL fails FAILURE (Quectel EM05-G, lpac issue #300)"),
    ("slot-mapping-unsupported", "DEVICE_SLOT_MAPPINGS fails NO_DEVICE_SUPPORT (EM7590, lpac PR #416)"),
    ("store-data-without-le-empty", "a STORE DATA without Le answers 9000 and no data (lpac issue #118)"),
    ("indications", "an INDICATE_STATUS before every COMMAND_DONE"),
];

/// One simulated modem of any protocol, in front of a card.
#[non_exhaustive]
pub enum SimulatedModem {
    /// An AT modem.
    At(SimulatedAtModem),
    /// A QMI modem.
    Qmi(SimulatedQmiModem),
    /// An MBIM modem.
    Mbim(SimulatedMbimModem),
}

impl std::fmt::Debug for SimulatedModem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::At(_) => "SimulatedModem::At",
            Self::Qmi(_) => "SimulatedModem::Qmi",
            Self::Mbim(_) => "SimulatedModem::Mbim",
        })
    }
}

impl SimulatedModem {
    /// A `protocol` modem in front of `card`, with the quirks named in `quirks`
    /// ([`quirk_names`]).
    ///
    /// # Errors
    ///
    /// [`SimulatedModemError::UnknownQuirk`] for a name the protocol does not have.
    pub fn new(
        protocol: ModemProtocol,
        card: Box<dyn Transport>,
        quirks: &[&str],
    ) -> Result<Self, SimulatedModemError> {
        let unknown = |name: &str| SimulatedModemError::UnknownQuirk {
            protocol: protocol.as_str(),
            name: name.to_owned(),
            known: quirk_names(protocol).iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
        };
        Ok(match protocol {
            ModemProtocol::At => {
                let mut q = AtQuirks::default();
                for &name in quirks {
                    q = match name {
                        "stuck-echo" => q.with_stuck_echo(),
                        "garbled-echo" => q.with_garbled_echo(),
                        "test-commands-error" => q.with_test_commands(TestCommands::Error),
                        "test-commands-silent" => q.with_test_commands(TestCommands::Silent),
                        "ccho-compact" => q.with_ccho_reply(CchoReply::Compact),
                        "ccho-bare" => q.with_ccho_reply(CchoReply::Bare),
                        "opaque-session-ids" => {
                            q.session_ids = SessionIds::Opaque;
                            q
                        }
                        "no-space-after-colon" => q.without_space_after_colon(),
                        "urc" => q.with_unsolicited("+CREG: 1,\"25FF\",\"0A1B\",7"),
                        "csim-only" => q.csim_only(),
                        "verbose-errors" => q.with_verbose_errors(),
                        "slow-store-data" => q.with_store_data_delay(Duration::from_secs(2)),
                        "no-cchc" => q.without_cchc(),
                        "cchc-line" => q.with_cchc_line(),
                        other => return Err(unknown(other)),
                    };
                }
                Self::At(SimulatedAtModem::new(card).with_quirks(q))
            }
            ModemProtocol::Qmi => {
                let mut q = QmiQuirks::default();
                for &name in quirks {
                    q = match name {
                        "host-flags" => q.with_host_flags_in_responses(),
                        "open-channel-access-denied" => q.with_open_channel_access_denied(),
                        "slot-status-not-supported" => q.with_slot_status_not_supported(),
                        "split-responses" => q.with_split_responses(),
                        "batch-responses" => q.with_batch_responses(),
                        "indications" => q.with_indication_before_response(),
                        "stale-responses" => q.with_stale_response_before(),
                        other => return Err(unknown(other)),
                    };
                }
                Self::Qmi(SimulatedQmiModem::new(card).with_quirks(q))
            }
            ModemProtocol::Mbim => {
                let mut q = MbimQuirks::default();
                for &name in quirks {
                    q = match name {
                        "fragments" => q.with_max_control_transfer(64),
                        "invalid-channel-first-apdu" => q.with_invalid_channel_on_first_apdu(),
                        "open-channel-failure" => q.with_open_channel_failure(),
                        "slot-mapping-unsupported" => q.with_slot_mapping_unsupported(),
                        "store-data-without-le-empty" => q.with_store_data_without_le_empty(),
                        "indications" => q.with_indications(),
                        other => return Err(unknown(other)),
                    };
                }
                Self::Mbim(SimulatedMbimModem::new(card).with_quirks(q))
            }
            other => return Err(SimulatedModemError::Protocol(other.as_str())),
        })
    }

    /// Serves `stream` (a pseudo-terminal's master, a socket) until it ends.
    ///
    /// # Errors
    ///
    /// The stream's read and write errors other than its end.
    pub fn serve<S: Read + Write>(&mut self, stream: S) -> io::Result<()> {
        match self {
            Self::At(modem) => modem.serve(stream),
            Self::Qmi(modem) => modem.serve(stream),
            Self::Mbim(modem) => modem.serve(stream),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use oxicard_transport::sim::SimulatorTransport;

    use super::*;
    use crate::euicc::SoftEuicc;

    fn card() -> Box<dyn Transport> {
        Box::new(SimulatorTransport::new(SoftEuicc::new()))
    }

    #[test]
    fn every_listed_quirk_is_known_and_unknown_ones_are_named() {
        for protocol in [ModemProtocol::At, ModemProtocol::Qmi, ModemProtocol::Mbim] {
            for (name, _) in quirk_names(protocol) {
                assert!(SimulatedModem::new(protocol, card(), &[name]).is_ok(), "{protocol:?} {name}");
            }
        }
        let error = SimulatedModem::new(ModemProtocol::Qmi, card(), &["csim-only"]).unwrap_err();
        assert!(matches!(&error, SimulatedModemError::UnknownQuirk { protocol: "qmi", .. }), "{error:?}");
        assert!(
            error.to_string().starts_with("qmi modems have no quirk \"csim-only\"; they have: host-flags, ")
        );
    }

    #[test]
    fn quirks_reach_the_modem() {
        let SimulatedModem::At(at) =
            SimulatedModem::new(ModemProtocol::At, card(), &["csim-only", "ccho-bare"]).unwrap()
        else {
            panic!("another protocol")
        };
        assert!(at.quirks().csim_only);
        assert_eq!(at.quirks().ccho_reply, CchoReply::Bare);
        let SimulatedModem::Mbim(mbim) =
            SimulatedModem::new(ModemProtocol::Mbim, card(), &["fragments"]).unwrap()
        else {
            panic!("another protocol")
        };
        assert_eq!(mbim.quirks().max_control_transfer, 64);
    }
}
