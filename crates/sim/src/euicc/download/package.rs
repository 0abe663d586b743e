//! The software eUICC's Profile Package interpreter (SGP.22 §5.7.6 LoadProfileElements, SAIP
//! v3.3.1 §8): what it checks in the UnprotectedProfilePackage before the eUICC role of
//! `oxicard_euicc::roles::euicc` installs the profile, and the `simaResponse` of a refusal:
//! `EUICCResponse` DER of the SAIP module (`PE_Definitions-3.3.1`, SAIP v3.3.1 §8.11), telling
//! which PE failed and why.
//!
//! `EUICCResponse ::= SEQUENCE { peStatus SEQUENCE OF PEStatus, profileInstallationAborted NULL
//! OPTIONAL, statusMessage UTF8String (SIZE (2..64)) OPTIONAL }` and `PEStatus ::= SEQUENCE {
//! status INTEGER, identification UInt15 OPTIONAL, additional-information UInt8 OPTIONAL, offset
//! UInt31 OPTIONAL }`, automatically tagged: an aborted installation of PE 5 for bad values is
//! `30 0C A0 08 30 06 80 01 03 81 01 05 81 00` (encoded with asn1tools over the module).

use der::Tag;
use oxicard_euicc::asn1::{Encoder, ctx, ctx_c};
use oxicard_euicc::es10::ErrorReason;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::roles::euicc::PackageRefusal;

use crate::saip::{Package, PeKind, Problem};

/// The UPP must be a package a real eUICC installs (SGP.22 §5.7.6, SAIP v3.3.1 §8):
///
/// - every PE decodes against `PE_Definitions-3.3.1`, the ProfileHeader first, PE-End last
///   ([`Package::decode`]), else `installFailedDueToPEProcessingError(12)`;
/// - the ProfileHeader's major version is one the eUICC supports: 2 up to `supported_major`, the
///   major of its EUICCInfo2 `profileVersion` (SAIP 2.x packages decode with the v3 module),
///   else `installFailedDueToPEProcessingError(12)` with `unsupported-profile-version(31)`;
/// - the ProfileHeader `iccid` (reading order) is the metadata's ICCID `expected`, and EF.ICCID
///   of the MF PE (nibble-swapped, ETSI TS 102 221 §13.2) holds it too, else
///   `installFailedDueToIccidMismatch(13)` (v3 `installFailedDueToDataMismatch`) with
///   `bad-values(3)`.
///
/// Each refusal keeps a `simaResponse` naming the PE (`PEStatus`, SAIP v3.3.1 §8.11).
pub(super) fn check(upp: &[u8], expected: Iccid, supported_major: u8) -> Result<(), PackageRefusal> {
    let pe_error = ErrorReason::InstallFailedDueToPeProcessingError;
    let mismatch = ErrorReason::InstallFailedDueToIccidMismatch;
    let checked = match Package::decode(upp) {
        Err(error) => Err((PeStatus::of(&error.problem), error.identification, error.to_string(), pe_error)),
        Ok(package) => {
            let header = package.header();
            let mf = package.first(PeKind::Mf).and_then(|e| e.identification);
            if !(2..=supported_major).contains(&header.major_version) {
                let message = format!("SAIP {}.{} not supported", header.major_version, header.minor_version);
                Err((PeStatus::UnsupportedProfileVersion, None, message, pe_error))
            } else if header.iccid != expected {
                let message = format!("ICCID {}, metadata {expected}", header.iccid);
                Err((PeStatus::BadValues, None, message, mismatch))
            } else if package.ef_iccid() != Some(header.iccid) {
                Err((PeStatus::BadValues, mf, "EF.ICCID is not the ProfileHeader's ICCID".into(), mismatch))
            } else {
                Ok(())
            }
        }
    };
    checked.map_err(|(status, identification, message, reason)| {
        let mut package_refusal = PackageRefusal::new(reason);
        package_refusal.sima_response = Some(aborted(status, identification, &message));
        package_refusal
    })
}

/// `PEStatus.status` values (SAIP v3.3.1 `PEStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PeStatus {
    /// `pe-not-supported(1)`: a PE of an unknown kind.
    PeNotSupported = 1,
    /// `bad-values(3)`: a value breaks its constraint, or data that must agree do not.
    BadValues = 3,
    /// `invalid-request-format(5)`: the DER, the tags or the PE sequence are wrong.
    InvalidRequestFormat = 5,
    /// `unsupported-profile-version(31)`: the ProfileHeader version is not supported.
    UnsupportedProfileVersion = 31,
}

impl PeStatus {
    /// The status a decoding problem is reported with.
    fn of(problem: &Problem) -> PeStatus {
        match problem {
            Problem::UnknownElement(_) => PeStatus::PeNotSupported,
            Problem::Size { .. }
            | Problem::OutOfRange { .. }
            | Problem::IntegerEncoding
            | Problem::NullContents
            | Problem::Oid
            | Problem::Utf8
            | Problem::Iccid(_) => PeStatus::BadValues,
            _ => PeStatus::InvalidRequestFormat,
        }
    }
}

/// The most characters of `statusMessage` (SIZE (2..64)).
const MAX_MESSAGE: usize = 64;

/// An EUICCResponse for an installation aborted at the PE `identification` (absent for the
/// ProfileHeader, which has none) with `status`, and `message` (cut to 64 characters; left out
/// when shorter than 2).
fn aborted(status: PeStatus, identification: Option<u16>, message: &str) -> Vec<u8> {
    let message: String = message.chars().take(MAX_MESSAGE).collect();
    let mut e = Encoder::new();
    e.nested(Tag::Sequence, |e| {
        e.nested(ctx_c(0), |e| {
            e.nested(Tag::Sequence, |e| {
                e.int(ctx(0), status as i64);
                e.opt(identification.as_ref(), |e, id| e.int(ctx(1), i64::from(*id)));
            });
        });
        e.tlv(ctx(1), &[]);
        if message.chars().count() >= 2 {
            e.utf8(ctx(2), &message);
        }
    });
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aborted_response_bytes() {
        // asn1tools over PE_Definitions-3.3.1: EUICCResponse {peStatus [{status 3, identification
        // 5}], profileInstallationAborted NULL} = 300C A008 3006 800103 810105 8100.
        assert_eq!(
            hex::encode_upper(aborted(PeStatus::BadValues, Some(5), "")),
            "300CA00830068001038101058100"
        );
        // {peStatus [{status 31}], profileInstallationAborted NULL, statusMessage "ab"}, same tool.
        assert_eq!(
            hex::encode_upper(aborted(PeStatus::UnsupportedProfileVersion, None, "ab")),
            "300DA005300380011F810082026162"
        );
    }
}
