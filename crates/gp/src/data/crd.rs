//! Card Recognition Data: tag `66` (Card Data) holding `73` (GPC v2.3.1 §H.2, Table H-1).

use oxicard_apdu::tlv::{Mode, Reader, Tag, Tlv};
use oxicard_secure_channel::scp03::IParameter;

use super::oid::arcs;
use crate::{DecodeError, DecodeErrorKind};

/// The GlobalPlatform OID arcs 1.2.840.114283 (GPC v2.3.1 §H.2).
pub const GP_OID: [u32; 4] = [1, 2, 840, 114_283];

/// One secure channel protocol the card supports: OID 1.2.840.114283.4.{scp}.{i}.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ScpInfo {
    /// The protocol number (`3` for SCP03).
    pub scp: u32,
    /// Its "i" parameter (`0x70`, …), when the OID carries one.
    pub i: Option<u32>,
}

impl ScpInfo {
    /// The value with the given members.
    pub fn new(scp: u32, i: Option<u32>) -> Self {
        Self { scp, i }
    }
}

/// Decoded Card Recognition Data (GPC v2.3.1 §H.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CardRecognitionData {
    /// Whether tag `06` holds the GlobalPlatform RID OID 1.2.840.114283.1.
    pub global_platform: bool,
    /// The card management type and version (tag `60`): the arcs after 1.2.840.114283.2,
    /// e.g. `[2, 3, 1]` for GP 2.3.1.
    pub card_management_version: Option<Vec<u32>>,
    /// The card identification scheme OID (tag `63`), all arcs.
    pub card_identification_scheme: Option<Vec<u32>>,
    /// Secure channel protocols (tags `64`), in card order.
    pub secure_channels: Vec<ScpInfo>,
    /// Card configuration details (tag `65`): the raw value.
    pub card_configuration_details: Option<Vec<u8>>,
    /// Card / chip details (tag `66`): the raw value.
    pub card_chip_details: Option<Vec<u8>>,
}

/// The arcs of the OID (`06`) inside a context object whose value starts at `value_offset`.
fn inner_oid(tlv: &Tlv<'_>) -> Result<Vec<u32>, DecodeError> {
    let oid = tlv.children().expect(Tag::from_u32_unchecked(0x06))?;
    arcs(oid.value(), oid.value_offset())
}

/// `arcs` without the GlobalPlatform prefix and the sub-arc `sub`, or `None` when not under it.
fn gp_suffix(arcs: &[u32], sub: u32) -> Option<&[u32]> {
    let rest = arcs.strip_prefix(&GP_OID[..])?;
    match rest.split_first() {
        Some((first, tail)) if *first == sub => Some(tail),
        _ => None,
    }
}

impl CardRecognitionData {
    /// Decodes the GET DATA `66` response (`66 { 73 { … } }`) or a bare `73` template (as in
    /// the ISD's FCI). Unknown tags inside `73` are skipped.
    pub fn parse(data: &[u8]) -> Result<Self, DecodeError> {
        let outer = Tlv::parse(data, Mode::Lenient)?;
        let template = match outer.tag().to_u32() {
            0x66 => outer.children().expect(Tag::from_u32_unchecked(0x73))?,
            0x73 => outer,
            _ => return Err(DecodeError::new(DecodeErrorKind::UnexpectedTag, 0)),
        };
        let mut crd = Self::default();
        let mut reader: Reader<'_> = template.children();
        while let Some(tlv) = reader.read()? {
            match tlv.tag().to_u32() {
                0x06 => {
                    let a = arcs(tlv.value(), tlv.value_offset())?;
                    crd.global_platform = gp_suffix(&a, 1).is_some_and(<[u32]>::is_empty);
                }
                0x60 => {
                    let a = inner_oid(&tlv)?;
                    let v = gp_suffix(&a, 2)
                        .ok_or(DecodeError::new(DecodeErrorKind::InvalidValue, tlv.value_offset()))?;
                    crd.card_management_version = Some(v.to_vec());
                }
                0x63 => crd.card_identification_scheme = Some(inner_oid(&tlv)?),
                0x64 => {
                    let a = inner_oid(&tlv)?;
                    let v = gp_suffix(&a, 4)
                        .ok_or(DecodeError::new(DecodeErrorKind::InvalidValue, tlv.value_offset()))?;
                    let (scp, i) = match v {
                        [scp] => (*scp, None),
                        [scp, i, ..] => (*scp, Some(*i)),
                        [] => {
                            return Err(DecodeError::new(DecodeErrorKind::InvalidValue, tlv.value_offset()));
                        }
                    };
                    crd.secure_channels.push(ScpInfo { scp, i });
                }
                0x65 => crd.card_configuration_details = Some(tlv.value().to_vec()),
                0x66 => crd.card_chip_details = Some(tlv.value().to_vec()),
                _ => {}
            }
        }
        Ok(crd)
    }

    /// The first SCP03 entry's "i" parameter, if the card lists SCP03.
    pub fn scp03_i(&self) -> Option<u32> {
        self.secure_channels.iter().find(|s| s.scp == 3).and_then(|s| s.i)
    }

    /// The first SCP03 entry's "i" as the secure channel's [`IParameter`] (Amendment D §5.1:
    /// mode, challenge, R-MAC / R-ENC support), if the card lists SCP03 with an "i" that is one
    /// (a byte with a defined combination of bits).
    pub fn scp03_parameter(&self) -> Option<IParameter> {
        IParameter::from_byte(u8::try_from(self.scp03_i()?).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // GlobalPlatformPro TestParseTags.testOther (first object): a GP 2.1.1 card with SCP02 i=15.
    const GP211: &str = "664C734A06072A864886FC6B01600C060A2A864886FC6B02020101630906072A864886FC6B03640B06092A864886FC6B040215650B06092B8510864864020103660C060A2B060104012A026E0102";
    // GlobalPlatformPro TestParseTags.testOther (second object): GP 2.2 with SCP03 i=70 and a
    // second `64` whose OID ends in the non-minimal arc `80 00`.
    const GP22: &str = "6657735506072A864886FC6B01600B06092A864886FC6B020202630906072A864886FC6B03640B06092A864886FC6B040370640B06092A864886FC6B048000650A06082A864886FC6B0504660C060A2B060104012A026E0103";

    #[test]
    fn gp211_scp02() {
        let crd = CardRecognitionData::parse(&hex::decode(GP211).unwrap()).unwrap();
        assert!(crd.global_platform);
        assert_eq!(crd.card_management_version.as_deref(), Some(&[2, 1, 1][..]));
        assert_eq!(crd.card_identification_scheme.as_deref(), Some(&[1, 2, 840, 114_283, 3][..]));
        assert_eq!(crd.secure_channels, [ScpInfo { scp: 2, i: Some(0x15) }]);
        assert_eq!(crd.scp03_i(), None);
        assert_eq!(crd.scp03_parameter(), None);
        assert_eq!(crd.card_configuration_details.unwrap(), hex::decode("06092B8510864864020103").unwrap());
        assert_eq!(crd.card_chip_details.unwrap(), hex::decode("060A2B060104012A026E0102").unwrap());
    }

    #[test]
    fn gp22_scp03() {
        let crd = CardRecognitionData::parse(&hex::decode(GP22).unwrap()).unwrap();
        assert_eq!(crd.card_management_version.as_deref(), Some(&[2, 2][..]));
        assert_eq!(crd.secure_channels, [ScpInfo { scp: 3, i: Some(0x70) }, ScpInfo { scp: 0, i: None }]);
        assert_eq!(crd.scp03_i(), Some(0x70));
        assert_eq!(crd.scp03_parameter(), Some(IParameter::S8_PSEUDO_RANDOM_RMAC_RENC));
        // The bare 73 template (as the FCI carries it) decodes the same.
        let bytes = hex::decode(GP22).unwrap();
        assert_eq!(CardRecognitionData::parse(&bytes[2..]).unwrap(), crd);
    }

    /// An "i" that is no SCP03 "i" parameter: wider than a byte, or R-ENC without R-MAC
    /// (b7 b6 = `10`, undefined in Amendment D §5.1).
    #[test]
    fn scp03_parameter_only_when_defined() {
        let mut crd =
            CardRecognitionData { secure_channels: vec![ScpInfo::new(3, Some(0x170))], ..Default::default() };
        assert_eq!((crd.scp03_i(), crd.scp03_parameter()), (Some(0x170), None));
        crd.secure_channels = vec![ScpInfo::new(3, Some(0x40))];
        assert_eq!((crd.scp03_i(), crd.scp03_parameter()), (Some(0x40), None));
        crd.secure_channels = vec![ScpInfo::new(2, Some(0x15)), ScpInfo::new(3, Some(0x60))];
        assert_eq!(crd.scp03_parameter().map(|i| i.byte()), Some(0x60));
    }

    #[test]
    fn malformed() {
        let mut bytes = hex::decode(GP211).unwrap();
        bytes[0] = 0x67;
        assert_eq!(
            CardRecognitionData::parse(&bytes).unwrap_err(),
            DecodeError::new(DecodeErrorKind::UnexpectedTag, 0)
        );
        let bytes = hex::decode(GP211).unwrap();
        assert_eq!(CardRecognitionData::parse(&bytes[..20]).unwrap_err().kind, DecodeErrorKind::Tlv);
    }
}
