//! The software eUICC's logical channels as any host drives them, byte for byte: MANAGE CHANNEL
//! open by number (pySim) and by the card (lpac, euicc-go, the apdu crate), close, the class
//! byte of channels 0–3 and 4–19, commands on closed channels, secure messaging and chaining
//! bits, SELECT and GET RESPONSE per channel; then a property test of random channel traffic
//! against a model of the rules.
//!
//! Rules: ISO/IEC 7816-4:2020 §5.4.1 (class byte, Tables 2 and 3) and §11.1.2 (MANAGE CHANNEL);
//! the status words ISO leaves open are those of the Java Card runtime (Java Card Platform
//! Runtime Environment Specification, Classic Edition 3.x, §4.5.1 MANAGE CHANNEL OPEN and
//! §4.6.1 MANAGE CHANNEL CLOSE, "JCRE" below). Host vectors: pySim `pySim/commands.py`
//! (osmocom/pysim) `SimCardCommands.manage_channel` sends `CLA 70 P1 lchan_nr` — `00 70 00 01`
//! to open channel 1 and `00 70 80 01` to close it; an older version appended `00`
//! (`00 70 00 01 00`). lpac and euicc-go open with `00 70 00 00 01` and close with a trailing
//! Le `00 70 80 nn 00`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::Cla;
use oxicard_euicc::isdr::ISD_R_AID;
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc};
use oxicard_transport::sim::CardSimulator;
use proptest::prelude::*;

/// `6F { 84 AID, A5 { 9F65 01 FF }, E0 { 82 03 020202 } }`: the ISD-R's FCI.
const FCI: &str = "6F1F8410A0000005591010FFFFFFFF8900000100A5049F6501FFE0058203020202";
/// GetEID's answer (SGP.22 §5.7.20; pySim `tests/unittests/test_globalplatform.py`).
const EID: &str = "BF3E125A1089882119900000000000000000000005";
const AID: &str = "A0000005591010FFFFFFFF8900000100";

/// Sends one APDU (hex, spaces ignored) and returns the response as upper-case hex.
fn tx(euicc: &mut SoftEuicc, apdu: &str) -> String {
    let command = hex::decode(apdu.replace(' ', "")).unwrap();
    let mut response = Vec::new();
    euicc.process(&command, &mut response);
    hex::encode_upper(response)
}

/// A card with `channels` logical channels.
fn card(channels: u8) -> SoftEuicc {
    SoftEuicc::in_memory(EuiccConfig { logical_channels: channels, ..EuiccConfig::default() })
}

/// SELECT of the ISD-R with CLA `cla`, no FCI (P2 `0C`).
fn select(cla: &str) -> String {
    format!("{cla}A4040C10{AID}")
}

/// GetEID as one STORE DATA with CLA `cla` and Le `00`.
fn get_eid(cla: &str) -> String {
    format!("{cla}E2910006BF3E035C015A00")
}

#[test]
fn pysim_opens_and_closes_a_channel_by_number() {
    let mut euicc = card(3);
    // pySim `manage_channel(mode='open', lchan_nr=1)`: case 1, no data back.
    assert_eq!(tx(&mut euicc, "00700001"), "9000");
    assert_eq!(euicc.open_channels(), [0, 1]);
    assert_eq!(tx(&mut euicc, "00700001"), "6A86", "already open (JCRE §4.5.1 step 5)");
    // The older pySim form with P3 `00`: Le is ignored, still no data.
    assert_eq!(tx(&mut euicc, "0070000200"), "9000");
    assert_eq!(tx(&mut euicc, "00700003"), "9000");
    assert_eq!(tx(&mut euicc, "00700004"), "6A86", "beyond the card's three logical channels");
    assert_eq!(tx(&mut euicc, "00700013"), "6A86", "19: a valid number, but not on this card");
    assert_eq!(tx(&mut euicc, "00700014"), "6A81", "20: no such channel (JCRE §4.5.1 step 1)");
    assert_eq!(tx(&mut euicc, "007000FF"), "6A81");
    assert_eq!(euicc.open_channels(), [0, 1, 2, 3]);
    // pySim `manage_channel(mode='close', lchan_nr=1)`.
    assert_eq!(tx(&mut euicc, "00708001"), "9000");
    assert_eq!(tx(&mut euicc, "0070800100"), "6200", "closed already, pySim's older form");
    // The card then assigns the lowest free number.
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, "0070000001"), "6A81", "none free");
}

#[test]
fn card_assigned_open_wants_le_one() {
    let mut euicc = card(3);
    assert_eq!(tx(&mut euicc, "00700000"), "6C01", "no Le (ISO/IEC 7816-4 §11.1.2: Le 01)");
    assert_eq!(tx(&mut euicc, "0070000000"), "6C01", "Le 00 is 256");
    assert_eq!(tx(&mut euicc, "0070000002"), "6C01");
    assert_eq!(euicc.open_channels(), [0], "nothing opened by a refused command");
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, "007000000101"), "6700", "no command data field");
    assert_eq!(tx(&mut euicc, "00700000010100"), "6700");
    assert_eq!(euicc.open_channels(), [0, 1]);
}

#[test]
fn close_rules() {
    let mut euicc = card(3);
    assert_eq!(tx(&mut euicc, "00708000"), "6A81", "the basic channel never closes (JCRE §4.6.1 step 4)");
    assert_eq!(tx(&mut euicc, "00708014"), "6A81", "no channel 20");
    assert_eq!(tx(&mut euicc, "00708002"), "6200", "not open: a warning (JCRE §4.6.1)");
    assert_eq!(tx(&mut euicc, "00708005"), "6200", "beyond the card's channels: not open either");
    assert_eq!(tx(&mut euicc, "00704000"), "6A81", "P1 neither 00 nor 80");
    assert_eq!(tx(&mut euicc, "00700100"), "6A81");
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, "0070000001"), "029000");
    assert_eq!(tx(&mut euicc, "007080010101"), "6700", "a command data field");
    // Channel 2 closes channel 1, then itself.
    assert_eq!(tx(&mut euicc, "02708001"), "9000");
    assert_eq!(tx(&mut euicc, "02708002"), "9000");
    assert_eq!(tx(&mut euicc, "02708002"), "6881", "channel 2 is gone: nothing can be sent on it");
    assert_eq!(euicc.open_channels(), [0]);
}

#[test]
fn a_channel_opened_from_a_logical_channel_starts_with_its_selection() {
    let mut euicc = card(3);
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, &select("01")), "9000");
    // MANAGE CHANNEL sent on channel 1 opens channel 2 with the ISD-R selected.
    assert_eq!(tx(&mut euicc, "0170000001"), "029000");
    assert_eq!(tx(&mut euicc, &get_eid("82")), format!("{EID}9000"));
    // Sent on the basic channel, with nothing selected (the eUICC has no default application).
    assert_eq!(tx(&mut euicc, "0070000001"), "039000");
    assert_eq!(tx(&mut euicc, &get_eid("83")), "6D00");
    // By number from channel 1, too.
    assert_eq!(tx(&mut euicc, "01700003"), "6A86", "channel 3 is open");
    assert_eq!(tx(&mut euicc, "01708003"), "9000");
    assert_eq!(tx(&mut euicc, "01700003"), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("83")), format!("{EID}9000"));
    // Closing drops the selection: reopened from the basic channel, nothing is selected.
    assert_eq!(tx(&mut euicc, "00708002"), "9000");
    assert_eq!(tx(&mut euicc, "00700002"), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("82")), "6D00");
    // MANAGE CHANNEL on a channel that is not open.
    assert_eq!(tx(&mut euicc, "00708003"), "9000");
    assert_eq!(tx(&mut euicc, "0370000001"), "6881");
    assert_eq!(tx(&mut euicc, "03700003"), "6881");
    // What is selected on the basic channel does not carry over to a channel opened from it.
    assert_eq!(tx(&mut euicc, &select("00")), "9000");
    assert_eq!(tx(&mut euicc, "00700003"), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("83")), "6D00");
    assert_eq!(tx(&mut euicc, &get_eid("80")), format!("{EID}9000"));
}

#[test]
fn channels_4_to_19_use_the_further_interindustry_class() {
    let mut euicc = card(19);
    // Channel 19: CLA 4F (ISO), CF (GlobalPlatform): b4..b1 = 19 - 4.
    assert_eq!(tx(&mut euicc, "00700013"), "9000");
    assert_eq!(tx(&mut euicc, &select("4F")), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("CF")), format!("{EID}9000"));
    // Without Le: 61 15, then GET RESPONSE on channel 19 with either class.
    assert_eq!(tx(&mut euicc, "CFE2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, "CFC0000005"), "BF3E125A106110");
    assert_eq!(tx(&mut euicc, "4FC0000010"), "898821199000000000000000000000059000");
    // Channel 4 (CLA 40 / C0): opened, nothing selected.
    assert_eq!(tx(&mut euicc, "00700004"), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("C0")), "6D00");
    assert_eq!(tx(&mut euicc, &format!("40A4040010{AID}00")), format!("{FCI}9000"));
    assert_eq!(tx(&mut euicc, &get_eid("C0")), format!("{EID}9000"));
    // The card assigns the lowest free numbers, past 3 too.
    for expected in [1, 2, 3, 5, 6] {
        assert_eq!(tx(&mut euicc, "0070000001"), format!("{expected:02X}9000"));
    }
    assert_eq!(tx(&mut euicc, &get_eid("C1")), "6D00", "channel 5 is open, nothing selected");
    // MANAGE CHANNEL from channel 19 opens one with its selection; 19 closes itself.
    assert_eq!(tx(&mut euicc, "4F70000001"), "079000");
    assert_eq!(tx(&mut euicc, &get_eid("C3")), format!("{EID}9000"));
    assert_eq!(tx(&mut euicc, "4F708013"), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("CF")), "6881");
    // Every channel open: 19 of them, then none free.
    let mut opened = euicc.open_channels().len();
    while tx(&mut euicc, "0070000001").ends_with("9000") {
        opened += 1;
    }
    assert_eq!(opened, 20);
    assert_eq!(tx(&mut euicc, "0070000001"), "6A81");
    assert_eq!(euicc.open_channels(), (0..=19).collect::<Vec<u8>>());
}

#[test]
fn every_command_on_a_closed_channel_is_6881() {
    let mut euicc = card(19);
    for apdu in [
        select("01"),
        get_eid("81"),
        "81C0000000".to_owned(),
        "0170000001".to_owned(),
        "01708001".to_owned(),
        "81AA00000AA9088100820101830107".to_owned(),
        "01B0000000".to_owned(),
        select("40"),
        get_eid("C5"),
        "4FC0000000".to_owned(),
        // Secure messaging or chaining bits do not change that.
        select("05"),
        select("61"),
        get_eid("91"),
    ] {
        assert_eq!(tx(&mut euicc, &apdu), "6881", "{apdu}");
    }
}

#[test]
fn secure_messaging_and_chaining_bits_are_refused() {
    let mut euicc = card(19);
    assert_eq!(tx(&mut euicc, "00700004"), "9000");
    // First interindustry / GP classes: b4 b3 = 01 (proprietary / GP SM), 10, 11 (ISO SM).
    for cla in ["04", "08", "0C", "84", "88", "8C", "05", "87"] {
        let expected = if cla == "05" || cla == "87" { "6881" } else { "6882" };
        assert_eq!(tx(&mut euicc, &select(cla)), expected, "SELECT CLA {cla}");
        assert_eq!(tx(&mut euicc, &format!("{cla}70000001")), expected, "MANAGE CHANNEL CLA {cla}");
        assert_eq!(tx(&mut euicc, &format!("{cla}C0000000")), expected, "GET RESPONSE CLA {cla}");
    }
    // Further classes: b6 is SM (channel 4: 60 / E0).
    assert_eq!(tx(&mut euicc, &select("60")), "6882");
    assert_eq!(tx(&mut euicc, &get_eid("E0")), "6882");
    assert_eq!(tx(&mut euicc, "6070800400"), "6882");
    // Chaining: b5 in both codings.
    assert_eq!(tx(&mut euicc, &select("10")), "6884");
    assert_eq!(tx(&mut euicc, &select("50")), "6884");
    assert_eq!(tx(&mut euicc, &get_eid("90")), "6884");
    // The refused command on channel 0 dropped the STORE DATA sequence it interrupted.
    assert_eq!(tx(&mut euicc, &select("00")), "9000");
    assert_eq!(tx(&mut euicc, "80E2110002BF3E"), "9000");
    assert_eq!(tx(&mut euicc, "84E2110102035C"), "6882");
    assert_eq!(tx(&mut euicc, "80E2910202015A00"), "6985");
    // Nothing was opened by the refused MANAGE CHANNELs.
    assert_eq!(euicc.open_channels(), [0, 4]);
}

#[test]
fn classes_the_card_does_not_know() {
    let mut euicc = card(3);
    // FF invalid; 20–3F reserved (ISO/IEC 7816-4 §5.4.1); A0–BF not a GlobalPlatform class
    // (A0 is the GSM SIM class, not the ISD-R's).
    for cla in ["FF", "20", "3F", "A0", "A4", "B0", "BF"] {
        assert_eq!(tx(&mut euicc, &select(cla)), "6E00", "CLA {cla}");
        assert_eq!(tx(&mut euicc, &format!("{cla}70000001")), "6E00", "CLA {cla}");
    }
    // MANAGE CHANNEL and SELECT are interindustry, STORE DATA is GlobalPlatform.
    assert_eq!(tx(&mut euicc, "8070000001"), "6E00");
    assert_eq!(tx(&mut euicc, &select("80")), "6E00");
    assert_eq!(tx(&mut euicc, &get_eid("00")), "6E00");
    assert_eq!(euicc.open_channels(), [0]);
}

#[test]
fn get_response_belongs_to_its_channel() {
    let mut euicc = card(3);
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, &select("01")), "9000");
    // GetEID without Le on channel 1; SELECT without Le on channel 0: two pending answers.
    assert_eq!(tx(&mut euicc, "81E2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, &format!("00A4040010{AID}")), "6121");
    // A command on channel 0 leaves channel 1's answer, and the other way round.
    assert_eq!(tx(&mut euicc, "80AA00000AA9088100820101830107"), "9000", "channel 0's answer is gone");
    assert_eq!(tx(&mut euicc, "00C0000021"), "6985");
    assert_eq!(tx(&mut euicc, "01C0000015"), format!("{EID}9000"), "ISO class on channel 1");
    assert_eq!(tx(&mut euicc, "01C0000015"), "6985");
    // Both pending, fetched in the opposite order.
    assert_eq!(tx(&mut euicc, "81E2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, &format!("00A4040010{AID}")), "6121");
    assert_eq!(tx(&mut euicc, "02C0000015"), "6881", "not on a closed channel");
    assert_eq!(tx(&mut euicc, "80C0000021"), format!("{FCI}9000"));
    assert_eq!(tx(&mut euicc, "81C0000015"), format!("{EID}9000"));
    // Closing a channel drops its pending answer.
    assert_eq!(tx(&mut euicc, "81E2910006BF3E035C015A"), "6115");
    assert_eq!(tx(&mut euicc, "00708001"), "9000");
    assert_eq!(tx(&mut euicc, "00700001"), "9000");
    assert_eq!(tx(&mut euicc, "81C0000015"), "6985");
}

#[test]
fn select_on_each_channel_and_a_failed_select_keeps_the_selection() {
    let mut euicc = card(3);
    assert_eq!(tx(&mut euicc, "0070000001"), "019000");
    assert_eq!(tx(&mut euicc, &format!("01A4040010{AID}00")), format!("{FCI}9000"));
    // Another AID on channel 1: not found, the ISD-R stays selected there.
    assert_eq!(tx(&mut euicc, "01A4040008A00000015100000000"), "6A82");
    assert_eq!(tx(&mut euicc, "01A4040010A0000005591010FFFFFFFF890005050000"), "6A82");
    assert_eq!(tx(&mut euicc, &get_eid("81")), format!("{EID}9000"));
    // The basic channel has nothing selected.
    assert_eq!(tx(&mut euicc, &get_eid("80")), "6D00");
}

#[test]
fn a_card_without_logical_channels() {
    let mut euicc = card(0);
    assert_eq!(tx(&mut euicc, "0070000001"), "6881", "JCRE §4.5.1 step 3");
    assert_eq!(tx(&mut euicc, "00700001"), "6881");
    assert_eq!(tx(&mut euicc, "00708001"), "6881");
    assert_eq!(tx(&mut euicc, &select("00")), "9000");
    assert_eq!(tx(&mut euicc, &get_eid("80")), format!("{EID}9000"));
}

#[test]
fn reset_closes_every_logical_channel() {
    let mut euicc = card(19);
    assert_eq!(tx(&mut euicc, "00700001"), "9000");
    assert_eq!(tx(&mut euicc, "00700013"), "9000");
    assert_eq!(euicc.open_channels(), [0, 1, 19]);
    euicc.reset();
    assert_eq!(euicc.open_channels(), [0]);
    assert_eq!(tx(&mut euicc, &select("4F")), "6881");
}

// --- Random channel traffic against a model of the rules -------------------------------------

/// What the model keeps per open channel.
#[derive(Clone, Debug, Default)]
struct ModelChannel {
    selected: bool,
    pending: Vec<u8>,
}

/// The channel rules of the card, as the module docs of `euicc::apdu` state them.
#[derive(Debug)]
struct Model {
    limit: u8,
    channels: Vec<Option<ModelChannel>>,
}

impl Model {
    fn new(limit: u8) -> Self {
        let mut channels = vec![None; 20];
        channels[0] = Some(ModelChannel::default());
        Model { limit, channels }
    }

    fn open(&self) -> Vec<u8> {
        (0u8..20).filter(|n| self.channels[usize::from(*n)].is_some()).collect()
    }

    /// Answers data (handing out at most `ne`, keeping the rest) with `9000`.
    fn respond(&mut self, channel: u8, data: &[u8], ne: usize) -> Vec<u8> {
        let state = self.channels[usize::from(channel)].as_mut().unwrap();
        let now = data.len().min(ne);
        let mut out = data[..now].to_vec();
        state.pending = data[now..].to_vec();
        if state.pending.is_empty() {
            out.extend_from_slice(&[0x90, 0x00]);
        } else {
            out.extend_from_slice(&[0x61, state.pending.len().min(255) as u8]);
        }
        out
    }

    /// The card's answer to `op`, the model updated.
    fn answer(&mut self, op: &ChannelOp) -> Vec<u8> {
        let sw = |sw: u16| sw.to_be_bytes().to_vec();
        let channel = op.channel();
        let Some(state) = self.channels[usize::from(channel)].as_mut() else { return sw(0x6881) };
        if !matches!(op, ChannelOp::GetResponse { .. }) {
            state.pending.clear();
        }
        if op.secure_messaging() {
            return sw(0x6882);
        }
        match *op {
            ChannelOp::Manage { origin, p1, p2, le, data, .. } => {
                if !matches!(p1, 0x00 | 0x80) || p2 > 19 {
                    return sw(0x6A81);
                }
                if self.limit == 0 {
                    return sw(0x6881);
                }
                if data {
                    return sw(0x6700);
                }
                let inherit = origin != 0 && self.channels[usize::from(origin)].as_ref().unwrap().selected;
                match (p1, p2) {
                    (0x00, 0) => {
                        if le != Some(1) {
                            return sw(0x6C01);
                        }
                        let Some(n) = (1..=self.limit).find(|n| self.channels[usize::from(*n)].is_none())
                        else {
                            return sw(0x6A81);
                        };
                        self.channels[usize::from(n)] =
                            Some(ModelChannel { selected: inherit, pending: Vec::new() });
                        vec![n, 0x90, 0x00]
                    }
                    (0x00, n) => {
                        if n > self.limit || self.channels[usize::from(n)].is_some() {
                            return sw(0x6A86);
                        }
                        self.channels[usize::from(n)] =
                            Some(ModelChannel { selected: inherit, pending: Vec::new() });
                        sw(0x9000)
                    }
                    (_, 0) => sw(0x6A81),
                    (_, n) => match self.channels[usize::from(n)].take() {
                        Some(_) => sw(0x9000),
                        None => sw(0x6200),
                    },
                }
            }
            ChannelOp::Select { isdr, le, .. } => {
                if !isdr {
                    return sw(0x6A82);
                }
                state.selected = true;
                let fci = hex::decode(FCI).unwrap();
                self.respond(channel, &fci, if le { 256 } else { 0 })
            }
            ChannelOp::GetEid { le, .. } => {
                if !state.selected {
                    return sw(0x6D00);
                }
                let eid = hex::decode(EID).unwrap();
                self.respond(channel, &eid, if le { 256 } else { 0 })
            }
            ChannelOp::GetResponse { le, .. } => {
                if state.pending.is_empty() {
                    return sw(0x6985);
                }
                let ne = if le == 0 { 256 } else { usize::from(le) };
                let take = ne.min(state.pending.len());
                let mut out: Vec<u8> = state.pending.drain(..take).collect();
                if state.pending.is_empty() {
                    out.extend_from_slice(&[0x90, 0x00]);
                } else {
                    out.extend_from_slice(&[0x61, state.pending.len().min(255) as u8]);
                }
                out
            }
        }
    }
}

/// One command of the random traffic; `sm`: with a secure messaging indication.
#[derive(Clone, Debug)]
enum ChannelOp {
    Manage { origin: u8, p1: u8, p2: u8, le: Option<u8>, data: bool, sm: bool },
    Select { channel: u8, isdr: bool, le: bool, sm: bool },
    GetEid { channel: u8, le: bool, sm: bool },
    GetResponse { channel: u8, le: u8, sm: bool },
}

impl ChannelOp {
    fn channel(&self) -> u8 {
        match *self {
            ChannelOp::Manage { origin, .. } => origin,
            ChannelOp::Select { channel, .. }
            | ChannelOp::GetEid { channel, .. }
            | ChannelOp::GetResponse { channel, .. } => channel,
        }
    }

    fn secure_messaging(&self) -> bool {
        match *self {
            ChannelOp::Manage { sm, .. }
            | ChannelOp::Select { sm, .. }
            | ChannelOp::GetEid { sm, .. }
            | ChannelOp::GetResponse { sm, .. } => sm,
        }
    }

    /// The class byte: `base` on the op's channel (ISO/IEC 7816-4 §5.4.1), SM as asked.
    fn cla(&self, base: u8) -> u8 {
        Cla(base).with_channel(self.channel()).unwrap().with_secure_messaging(self.secure_messaging()).0
    }

    fn apdu(&self) -> Vec<u8> {
        match *self {
            ChannelOp::Manage { p1, p2, le, data, .. } => {
                let mut apdu = vec![self.cla(0x00), 0x70, p1, p2];
                if data {
                    apdu.extend_from_slice(&[0x01, 0x01]);
                }
                apdu.extend(le);
                apdu
            }
            ChannelOp::Select { isdr, le, .. } => {
                let aid: &[u8] =
                    if isdr { &ISD_R_AID } else { &[0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00] };
                let mut apdu = vec![self.cla(0x00), 0xA4, 0x04, 0x00, aid.len() as u8];
                apdu.extend_from_slice(aid);
                if le {
                    apdu.push(0x00);
                }
                apdu
            }
            ChannelOp::GetEid { le, .. } => {
                let mut apdu =
                    vec![self.cla(0x80), 0xE2, 0x91, 0x00, 0x06, 0xBF, 0x3E, 0x03, 0x5C, 0x01, 0x5A];
                if le {
                    apdu.push(0x00);
                }
                apdu
            }
            ChannelOp::GetResponse { le, .. } => vec![self.cla(0x80), 0xC0, 0x00, 0x00, le],
        }
    }
}

fn channel_op() -> impl Strategy<Value = ChannelOp> {
    let channel = prop_oneof![3 => 0..4u8, 1 => 4..=19u8];
    let sm = prop::bool::weighted(0.05);
    prop_oneof![
        4 => (
            channel.clone(),
            prop_oneof![8 => Just(0x00u8), 8 => Just(0x80u8), 1 => any::<u8>()],
            prop_oneof![4 => Just(0u8), 8 => 1..=19u8, 1 => 20..=0x20u8, 1 => any::<u8>()],
            prop_oneof![4 => Just(Some(1u8)), 1 => Just(None), 1 => any::<u8>().prop_map(Some)],
            prop::bool::weighted(0.05),
            sm,
        )
            .prop_map(|(origin, p1, p2, le, data, sm)| ChannelOp::Manage { origin, p1, p2, le, data, sm }),
        2 => (channel.clone(), prop::bool::weighted(0.8), any::<bool>(), sm)
            .prop_map(|(channel, isdr, le, sm)| ChannelOp::Select { channel, isdr, le, sm }),
        2 => (channel.clone(), any::<bool>(), sm)
            .prop_map(|(channel, le, sm)| ChannelOp::GetEid { channel, le, sm }),
        2 => (channel, any::<u8>(), sm).prop_map(|(channel, le, sm)| ChannelOp::GetResponse { channel, le, sm }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random channel traffic (any origin channel, P1/P2/Le, SM bits, SELECT, STORE DATA, GET
    /// RESPONSE) on cards of 0 to 19 logical channels: the card never panics, answers exactly
    /// what the model of the rules predicts, and its open channels are the model's.
    #[test]
    fn channel_traffic_follows_the_model(limit in 0..=19u8, ops in proptest::collection::vec(channel_op(), 1..60)) {
        let mut euicc = card(limit);
        let mut model = Model::new(limit);
        for op in &ops {
            let apdu = op.apdu();
            let mut response = Vec::new();
            euicc.process(&apdu, &mut response);
            let expected = model.answer(op);
            prop_assert_eq!(
                hex::encode_upper(&response), hex::encode_upper(&expected), "{:?} = {}", op, hex::encode_upper(&apdu)
            );
            prop_assert_eq!(euicc.open_channels(), model.open());
        }
    }
}
