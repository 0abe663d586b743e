//! Finding the Issuer Security Domain (GPC v2.3.1 §7.1, §11.9).

use oxicard_apdu::card::{CardChannel, CardError, SelectResponse};
use oxicard_apdu::{Aid, StatusWord};

use crate::connect::{ConnectError, IsdSelection};
use crate::status_word::Operation;

/// AIDs cards use for their ISD, tried in order by [`select_isd`]: the GlobalPlatform default
/// `A000000151000000` (GPC v2.3.1 §H.1.3), its 7-byte form `A0000001510000` (seen on cards,
/// e.g. GlobalPlatformPro TestParseTags.testParseISD), and the Visa OpenPlatform card manager
/// `A000000003000000`.
pub const KNOWN_ISD_AIDS: [Aid; 3] = [
    Aid::from_array([0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00]),
    Aid::from_array([0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00]),
    Aid::from_array([0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00]),
];

/// `6283`: the ISD was selected but the card is locked (GPC v2.3.1 §11.9.3).
pub const SW_CARD_LOCKED: StatusWord = StatusWord::new(0x62, 0x83);

/// Selects the ISD as `selection` says: the AID given, the AID-less SELECT (GPC v2.3.1
/// §11.9.2.3), or the first of [`KNOWN_ISD_AIDS`] the card accepts. Returns the ISD's AID (the
/// one in the FCI when it names one of 5 to 16 bytes) and the SELECT response (its status word
/// may be [`SW_CARD_LOCKED`]).
///
/// # Errors
///
/// [`ConnectError::Select`] with the card's refusal (the last one for the known AIDs) or the
/// channel's failure; [`ConnectError::NoIsdAid`] when an AID-less SELECT's FCI names no AID.
pub fn select_isd<C: CardChannel + ?Sized>(
    channel: &mut C,
    selection: IsdSelection,
) -> Result<(Aid, SelectResponse), ConnectError> {
    let fci_aid = |response: &SelectResponse| {
        response.fci.as_ref().and_then(|fci| fci.aid()).and_then(|aid| Aid::new(aid).ok())
    };
    let given;
    let candidates: &[Aid] = match selection {
        IsdSelection::Default => {
            let response = channel.select(&[]).map_err(ConnectError::Select)?;
            let aid = fci_aid(&response).ok_or(ConnectError::NoIsdAid)?;
            tracing::debug!(%aid, sw = %response.sw, "ISD selected without an AID");
            return Ok((aid, response));
        }
        IsdSelection::Aid(aid) => {
            given = [aid];
            &given
        }
        IsdSelection::Known => &KNOWN_ISD_AIDS,
    };
    let mut last = CardError::Status { operation: Operation::Select.name(), sw: StatusWord::new(0x6A, 0x82) };
    for candidate in candidates {
        match channel.select(candidate) {
            Ok(response) => {
                let found = fci_aid(&response).unwrap_or(*candidate);
                tracing::debug!(aid = %found, sw = %response.sw, "ISD selected");
                return Ok((found, response));
            }
            Err(e @ CardError::Status { .. }) => last = e,
            Err(e) => return Err(ConnectError::Select(e)),
        }
    }
    Err(ConnectError::Select(last))
}

#[cfg(test)]
mod tests {
    use oxicard_apdu::card::Card;
    use oxicard_secure_channel::scp03::{IParameter, StaticKeys};
    use oxicard_secure_channel::testcard::{Scp03TestCard, Scp03TestCardConfig};
    use oxicard_transport::sim::SimulatorTransport;

    use super::*;

    fn card(aid: &[u8]) -> Card<SimulatorTransport<Scp03TestCard>> {
        // Hand-made example keys (not a published vector).
        let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16]).unwrap();
        let mut config = Scp03TestCardConfig::new(keys, IParameter::from_byte(0x70).unwrap());
        config.aid = aid.to_vec();
        Card::new(SimulatorTransport::new(Scp03TestCard::new(config)))
    }

    #[test]
    fn finds_known_aids() {
        let visa = KNOWN_ISD_AIDS[2];
        let mut c = card(&visa);
        let (aid, response) = select_isd(&mut c, IsdSelection::Known).unwrap();
        assert_eq!(aid, visa);
        assert_eq!(response.sw, StatusWord::SUCCESS);
        let mut c = card(&[0xA0, 0, 0, 0, 0x18, 0x43, 0x4D, 0x00]);
        assert!(matches!(
            select_isd(&mut c, IsdSelection::Known),
            Err(ConnectError::Select(CardError::Status { .. }))
        ));
        let other = Aid::from_array([0xA0, 0, 0, 0, 0x18, 0x43, 0x4D, 0x00]);
        let (aid, _) = select_isd(&mut c, IsdSelection::Aid(other)).unwrap();
        assert_eq!(aid, other);
    }
}
