//! Command-line values several commands take, parsed into the library's types: a bad value is
//! a usage error (exit code 2) saying what was wrong with it.

use oxicard_euicc::activation::{DeviceInfo, Imei, Tac};
use oxicard_euicc::es10::{ProfileIdentifier, ProfileIdentifierError};
use oxicard_euicc::iccid::Iccid;

use crate::error::CliError;

/// An ICCID (`profile nickname`, `sim show`).
pub(crate) fn parse_iccid(text: &str) -> Result<Iccid, CliError> {
    text.parse().map_err(|e| CliError::Usage(format!("bad ICCID {text:?}: {e}")))
}

/// An ICCID (digits) or an ISD-P AID (hex), as [`ProfileIdentifier`]'s `FromStr` tells them
/// apart (`profile enable | disable | delete`).
pub(crate) fn parse_profile(text: &str) -> Result<ProfileIdentifier, CliError> {
    text.parse().map_err(|e| match e {
        ProfileIdentifierError::Iccid(e) => CliError::Usage(format!("bad ICCID {text:?}: {e}")),
        ProfileIdentifierError::NotHex => {
            CliError::Usage(format!("{text:?} is neither an ICCID nor an ISD-P AID in hex"))
        }
        other => CliError::Usage(format!("{text:?}: {other}")),
    })
}

/// The DeviceInfo of `--imei`, or without one the TAC lpac sends ([`Tac::DEFAULT`], 35290611)
/// (`profile download`, `profile discover`).
pub(crate) fn device_info(imei: Option<&str>) -> Result<DeviceInfo, CliError> {
    Ok(match imei {
        Some(imei) => {
            let imei: Imei =
                imei.parse().map_err(|e| CliError::Usage(format!("bad --imei {imei:?}: {e}")))?;
            DeviceInfo::from_imei(imei)
        }
        None => DeviceInfo::from_tac(Tac::DEFAULT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages the commands gave before the parsing moved into the library.
    #[test]
    fn usage_errors_name_the_value() {
        let message = |r: Result<ProfileIdentifier, CliError>| r.err().map(|e| e.to_string());
        assert_eq!(
            message(parse_profile("xyz")).as_deref(),
            Some("\"xyz\" is neither an ICCID nor an ISD-P AID in hex")
        );
        assert_eq!(
            message(parse_profile("894F")).as_deref(),
            Some("bad ICCID \"894F\": not a decimal digit at position 3")
        );
        assert!(matches!(parse_profile("8944478600004573128"), Ok(ProfileIdentifier::Iccid(_))));
        let error = parse_iccid("12a").err().map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("bad ICCID \"12a\": not a decimal digit at position 2"));
        let device = device_info(None).ok().map(|d| d.tac);
        assert_eq!(device.as_deref(), Some(&[0x35, 0x29, 0x06, 0x11][..]));
    }
}
