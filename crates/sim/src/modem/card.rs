//! [`ModemCard`]: what a modem does on the card behind it, the same for AT, QMI and MBIM — open
//! a logical channel (MANAGE CHANNEL, ISO/IEC 7816-4 §7.1.2) and select an application on it
//! (SELECT by DF name, §7.1.1, following `61xx` with GET RESPONSE, §7.6.1, and `6Cxx` with the
//! exact Le, §5.3.4), pass commands through (as they are, with their CLA moved to a channel, or
//! with `61xx` followed), close channels, and keep the channels it opened.
//!
//! What differs stays with each modem: which SELECT answers count as success, the SELECT's P2,
//! what it keeps per channel (an `AT+CCHO` session id, an MBIM channel group), whether `61xx`
//! reaches the host (AT and QMI pass it through, MBIM follows it), and MBIM's class byte rebuilt
//! from `Type` and `SecureMessaging`.

use std::collections::BTreeMap;

use oxicard_apdu::Cla;
use oxicard_transport::{ErrorKind, MAX_RESPONSE_LEN, Transport, TransportError};

/// INS of MANAGE CHANNEL (ISO/IEC 7816-4 §7.1.2).
const INS_MANAGE_CHANNEL: u8 = 0x70;
/// INS of SELECT (ISO/IEC 7816-4 §7.1.1).
const INS_SELECT: u8 = 0xA4;
/// INS of GET RESPONSE (ISO/IEC 7816-4 §7.6.1).
const INS_GET_RESPONSE: u8 = 0xC0;
/// SW1 SW2 of success (ISO/IEC 7816-4 §5.6).
pub(crate) const SW_SUCCESS: [u8; 2] = [0x90, 0x00];
/// SW1 SW2 "no precise diagnosis" (ISO/IEC 7816-4 §5.6): what a modem reports for a card that
/// gave no usable status word.
pub(crate) const SW_NO_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];
/// GET RESPONSE (or `6Cxx`) rounds followed for one command: 256 × 256 bytes cover any answer
/// to a short APDU, and a card answering `61xx` forever cannot hold the modem.
const MAX_ROUNDS: usize = 257;

/// What the card answered: the response data and SW1 SW2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CardAnswer {
    /// The response data.
    pub(crate) data: Vec<u8>,
    /// SW1 SW2.
    pub(crate) sw: [u8; 2],
}

impl CardAnswer {
    /// The answer as the card sends it: data ‖ SW1 SW2.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let mut bytes = self.data;
        bytes.extend_from_slice(&self.sw);
        bytes
    }
}

/// The SELECT a modem sends on a channel it opened: by DF name (`P1 04`), FCI asked for
/// (`Le 00`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Select<'a> {
    /// The application's AID.
    pub(crate) aid: &'a [u8],
    /// P2: `00` first occurrence with FCI (AT, QMI), the host's choice for MBIM.
    pub(crate) p2: u8,
    /// Which final status words of the SELECT count as success for this modem.
    pub(crate) accepts: fn([u8; 2]) -> bool,
}

/// Why [`ModemCard::open_channel`] opened no channel.
#[derive(Debug)]
pub(crate) enum OpenFailure {
    /// MANAGE CHANNEL open refused: the card's status word ([`SW_NO_DIAGNOSIS`] for a success
    /// without a channel number 1..=19).
    NoChannel([u8; 2]),
    /// The SELECT refused: its final status word. The channel was closed again.
    SelectRefused([u8; 2]),
    /// The card could not be reached, or the AID does not fit a short SELECT. A channel already
    /// opened was closed again.
    Card(TransportError),
}

/// The card behind a simulated modem, and the logical channels the modem opened on it, each with
/// what the modem keeps for it (`T`).
pub(crate) struct ModemCard<T> {
    card: Box<dyn Transport>,
    /// The channels the modem opened, by number.
    channels: BTreeMap<u8, T>,
    /// Room for one response.
    scratch: Vec<u8>,
}

impl<T: std::fmt::Debug> std::fmt::Debug for ModemCard<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModemCard").field("channels", &self.channels).finish_non_exhaustive()
    }
}

impl<T> ModemCard<T> {
    /// The modem in front of `card`, no channel open.
    pub(crate) fn new(card: Box<dyn Transport>) -> Self {
        Self { card, channels: BTreeMap::new(), scratch: vec![0; MAX_RESPONSE_LEN] }
    }

    /// The card's ATR.
    pub(crate) fn atr(&self) -> &[u8] {
        self.card.atr()
    }

    /// The card itself (to reset it).
    pub(crate) fn transport_mut(&mut self) -> &mut dyn Transport {
        self.card.as_mut()
    }

    /// The card back.
    pub(crate) fn into_transport(self) -> Box<dyn Transport> {
        self.card
    }

    /// Sends `command` as it is; the answer as the card gave it (`61xx` included).
    ///
    /// # Errors
    ///
    /// The card's transport errors; an answer shorter than a status word.
    pub(crate) fn transmit(&mut self, command: &[u8]) -> Result<CardAnswer, TransportError> {
        let len = self.card.transmit(command, &mut self.scratch)?;
        let answer = self
            .scratch
            .get(..len)
            .ok_or_else(|| TransportError::response_too_long(len, MAX_RESPONSE_LEN))?;
        let Some((data, sw)) = answer.split_last_chunk::<2>() else {
            return Err(TransportError::new(ErrorKind::Other)
                .with_detail(format!("the card answered {len} bytes, no SW1 SW2")));
        };
        Ok(CardAnswer { data: data.to_vec(), sw: *sw })
    }

    /// Sends `command`, following `61xx` with GET RESPONSE in the command's class (Microsoft, "MB
    /// low level UICC access": "a GET RESPONSE with the same class byte repeatedly until all the
    /// data has been received"): the whole answer.
    ///
    /// # Errors
    ///
    /// As [`transmit`](Self::transmit).
    pub(crate) fn transmit_chained(&mut self, command: &[u8]) -> Result<CardAnswer, TransportError> {
        self.collect(command.to_vec(), false)
    }

    /// Sends `command`, then GET RESPONSE after `61xx` and, with `exact_le`, the command again
    /// with the exact Le after `6Cxx`; the data of every part and the last status word.
    fn collect(&mut self, mut command: Vec<u8>, exact_le: bool) -> Result<CardAnswer, TransportError> {
        let Some(&cla) = command.first() else {
            return Err(TransportError::new(ErrorKind::InvalidCommand).with_detail("an empty command APDU"));
        };
        let mut data = Vec::new();
        let mut answer = self.transmit(&command)?;
        for _ in 0..MAX_ROUNDS {
            data.append(&mut answer.data);
            match answer.sw {
                [0x61, available] => command = vec![cla, INS_GET_RESPONSE, 0x00, 0x00, available],
                [0x6C, exact] if exact_le => {
                    if let Some(le) = command.last_mut() {
                        *le = exact;
                    }
                }
                _ => break,
            }
            answer = self.transmit(&command)?;
        }
        data.append(&mut answer.data);
        Ok(CardAnswer { data, sw: answer.sw })
    }

    /// Opens a logical channel for the modem: MANAGE CHANNEL open (`00 70 00 00 01`) on the
    /// basic channel, then `select` on the new channel, if any; the channel is kept with `tag`.
    /// Returns the channel and the SELECT's whole answer (`90 00` and no data without one).
    ///
    /// # Errors
    ///
    /// See [`OpenFailure`]; a channel whose SELECT failed is closed again.
    pub(crate) fn open_channel(
        &mut self,
        select: Option<Select<'_>>,
        tag: T,
    ) -> Result<(u8, CardAnswer), OpenFailure> {
        let lc = match select.map(|select| u8::try_from(select.aid.len())).transpose() {
            Ok(lc) => lc,
            Err(_) => {
                return Err(OpenFailure::Card(
                    TransportError::new(ErrorKind::InvalidCommand)
                        .with_detail("an AID of more than 255 bytes does not fit a short SELECT"),
                ));
            }
        };
        let opened =
            self.transmit(&[0x00, INS_MANAGE_CHANNEL, 0x00, 0x00, 0x01]).map_err(OpenFailure::Card)?;
        let channel = match (opened.sw, opened.data.as_slice()) {
            (SW_SUCCESS, &[channel @ 1..=Cla::MAX_CHANNEL]) => channel,
            (SW_SUCCESS, _) => return Err(OpenFailure::NoChannel(SW_NO_DIAGNOSIS)),
            (sw, _) => return Err(OpenFailure::NoChannel(sw)),
        };
        let answer = match select.zip(lc) {
            None => CardAnswer { data: Vec::new(), sw: SW_SUCCESS },
            Some((select, lc)) => match self.select(channel, &select, lc) {
                Ok(answer) if (select.accepts)(answer.sw) => answer,
                Ok(answer) => {
                    let _ = self.manage_channel_close(channel);
                    return Err(OpenFailure::SelectRefused(answer.sw));
                }
                Err(err) => {
                    let _ = self.manage_channel_close(channel);
                    return Err(OpenFailure::Card(err));
                }
            },
        };
        self.channels.insert(channel, tag);
        Ok((channel, answer))
    }

    /// `select` (its AID `lc` bytes long) on `channel`, `61xx` and `6Cxx` followed.
    fn select(&mut self, channel: u8, select: &Select<'_>, lc: u8) -> Result<CardAnswer, TransportError> {
        let cla = Cla::INTERINDUSTRY.with_channel(channel).map_err(|err| {
            TransportError::new(ErrorKind::InvalidCommand).with_detail(format!("channel {channel}: {err}"))
        })?;
        let mut command = vec![cla.0, INS_SELECT, 0x04, select.p2, lc];
        command.extend_from_slice(select.aid);
        command.push(0x00);
        self.collect(command, true)
    }

    /// Closes `channel` if the modem opened it: forgotten, and MANAGE CHANNEL close
    /// (`00 70 80 nn`) sent; the card's status word. `None` (nothing sent) for a channel the
    /// modem did not open.
    pub(crate) fn close_channel(&mut self, channel: u8) -> Option<Result<[u8; 2], TransportError>> {
        self.channels.remove(&channel)?;
        Some(self.manage_channel_close(channel))
    }

    /// MANAGE CHANNEL close of `channel`; the card's status word.
    fn manage_channel_close(&mut self, channel: u8) -> Result<[u8; 2], TransportError> {
        Ok(self.transmit(&[0x00, INS_MANAGE_CHANNEL, 0x80, channel])?.sw)
    }

    /// Forgets `channel` without a word to the card (the host closed it with MANAGE CHANNEL
    /// through the modem); whether the modem had opened it.
    pub(crate) fn forget_channel(&mut self, channel: u8) -> bool {
        self.channels.remove(&channel).is_some()
    }

    /// Forgets the channels without a word to the card (its power went off).
    pub(crate) fn forget_channels(&mut self) {
        self.channels.clear();
    }

    /// Whether the modem opened `channel` and has not closed it.
    pub(crate) fn is_open(&self, channel: u8) -> bool {
        self.channels.contains_key(&channel)
    }

    /// The channels the modem opened and has not closed, by number, with what it keeps for each.
    pub(crate) fn channels(&self) -> impl Iterator<Item = (u8, &T)> {
        self.channels.iter().map(|(channel, tag)| (*channel, tag))
    }

    /// The numbers of the channels the modem opened and has not closed, in order.
    pub(crate) fn channel_numbers(&self) -> Vec<u8> {
        self.channels.keys().copied().collect()
    }
}

/// `command` with the channel bits of its CLA set to `channel` (ISO/IEC 7816-4 §5.4.1, through
/// [`Cla::with_channel`]); unchanged when the CLA is `FF` or `channel` above 19.
pub(crate) fn on_channel(command: &[u8], channel: u8) -> Vec<u8> {
    let mut moved = command.to_vec();
    if let Some(cla) = moved.first_mut()
        && let Ok(class) = Cla(*cla).with_channel(channel)
    {
        *cla = class.0;
    }
    moved
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use oxicard_transport::mock::{MockHandle, MockTransport};

    use super::*;

    /// The ISD-R AID (SGP.22 §2.2.3).
    const ISD_R: &str = "A0000005591010FFFFFFFF8900000100";

    fn h(hex: &str) -> Vec<u8> {
        hex::decode(hex).unwrap()
    }

    /// A modem in front of a card that expects exactly the `> command` / `< response` lines of
    /// `script` ([`MockTransport::from_script`]), and the card's handle.
    fn modem(script: &str) -> (ModemCard<&'static str>, MockHandle) {
        let card = MockTransport::from_script(script).unwrap();
        let handle = card.handle();
        (ModemCard::new(Box::new(card)), handle)
    }

    fn isd_r() -> Select<'static> {
        static AID: [u8; 16] =
            [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];
        Select { aid: &AID, p2: 0x00, accepts: |sw| sw == SW_SUCCESS }
    }

    #[test]
    fn open_selects_on_the_new_channel_following_get_response_and_exact_le() {
        // Channel 5 (further coding: the SELECT in class `41`); `61 02`, then `6C 01` on the GET
        // RESPONSE, then the last byte; P2 as given.
        let (mut modem, card) = modem(&format!(
            "> 0070000001\n< 059000\n> 41A4040C10{ISD_R}00\n< 6102\n> 41C0000002\n< AABB6C01\n\
             > 41C0000001\n< CC9000\n> 00708005\n< 9000"
        ));
        let select = Select { p2: 0x0C, ..isd_r() };
        let (channel, answer) = modem.open_channel(Some(select), "session").unwrap();
        assert_eq!(channel, 5);
        assert_eq!(answer, CardAnswer { data: h("AABBCC"), sw: SW_SUCCESS });
        assert_eq!(modem.channels().collect::<Vec<_>>(), [(5, &"session")]);
        assert!(modem.is_open(5));
        assert_eq!(modem.close_channel(5).unwrap().unwrap(), SW_SUCCESS);
        assert!(modem.close_channel(5).is_none(), "closed already: nothing sent");
        card.verify().unwrap();
    }

    #[test]
    fn a_refused_select_closes_the_channel_again() {
        let (mut modem, card) =
            modem(&format!("> 0070000001\n< 019000\n> 01A4040010{ISD_R}00\n< 6A82\n> 00708001\n< 9000"));
        assert!(matches!(
            modem.open_channel(Some(isd_r()), "x"),
            Err(OpenFailure::SelectRefused([0x6A, 0x82]))
        ));
        assert!(modem.channel_numbers().is_empty());
        card.verify().unwrap();
        // The card gone during the SELECT: closed again too.
        let mut card = MockTransport::new();
        card.expect(h("0070000001")).respond(h("029000"));
        card.expect(h(&format!("02A4040010{ISD_R}00"))).fail(ErrorKind::CardRemoved);
        card.expect(h("00708002")).respond(h("9000"));
        let handle = card.handle();
        let mut modem = ModemCard::new(Box::new(card));
        assert!(matches!(modem.open_channel(Some(isd_r()), "x"), Err(OpenFailure::Card(_))));
        assert!(modem.channel_numbers().is_empty());
        handle.verify().unwrap();
    }

    #[test]
    fn a_refused_manage_channel_and_a_channel_without_select() {
        let (mut modem, card) = modem("> 0070000001\n< 6A81\n> 0070000001\n< 9000\n> 0070000001\n< 039000");
        assert!(matches!(modem.open_channel(None, "x"), Err(OpenFailure::NoChannel([0x6A, 0x81]))));
        assert!(matches!(modem.open_channel(None, "x"), Err(OpenFailure::NoChannel(SW_NO_DIAGNOSIS))));
        let (channel, answer) = modem.open_channel(None, "y").unwrap();
        assert_eq!((channel, answer), (3, CardAnswer { data: Vec::new(), sw: SW_SUCCESS }));
        assert_eq!(modem.channel_numbers(), [3]);
        modem.forget_channels();
        assert!(!modem.is_open(3));
        card.verify().unwrap();
    }

    #[test]
    fn pass_through_as_is_or_with_get_response_in_the_same_class() {
        // lpac issue #143's GetEUICCChallenge on channel 1, `81E2910003BF2E00`.
        let (mut modem, card) = modem(
            "> 81E2910003BF2E00\n< 6102\n> 81E2910003BF2E00\n< 6102\n> 81C0000002\n< AABB9000\n\
             > 81CA00FF00\n< 6C05",
        );
        assert_eq!(modem.transmit(&h("81E2910003BF2E00")).unwrap().into_bytes(), h("6102"));
        assert_eq!(modem.transmit_chained(&h("81E2910003BF2E00")).unwrap().into_bytes(), h("AABB9000"));
        // `6Cxx` reaches the host: only the modem's own SELECT is repeated with the exact Le.
        assert_eq!(modem.transmit_chained(&h("81CA00FF00")).unwrap().sw, [0x6C, 0x05]);
        card.verify().unwrap();
    }

    #[test]
    fn cla_channel_bits_follow_the_channel() {
        // lpac sends its own index (issue #143: `81E2…`); the modem's channel replaces it.
        assert_eq!(on_channel(&[0x81, 0xE2, 0x91, 0x00], 2), [0x82, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0x80, 0xE2, 0x91, 0x00], 1), [0x81, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0x81, 0xE2, 0x91, 0x00], 5), [0xC1, 0xE2, 0x91, 0x00]);
        assert_eq!(on_channel(&[0xFF, 0xE2], 1), [0xFF, 0xE2]);
    }
}
