//! The activation code string (GSMA SGP.22 §4.1).

use std::fmt;
use std::str::FromStr;

/// Longest MatchingID (AC_Token) accepted by [`ActivationCode`]: 255 bytes of UTF-8 (255 characters
/// of ASCII).
///
/// This is an implementation limit (no smaller limit could be sourced); it keeps a hostile QR code from
/// making the LPA send an arbitrarily long `matchingId` (a UTF8String in ctxParams1, SGP.22 §5.7.13) to
/// the eUICC.
pub const MAX_MATCHING_ID_LEN: usize = 255;

/// What SGP.22 §4.1.1 lets a MatchingID consist of: "alphanumeric characters and hyphens" (SGP.22
/// v2.2.2 §4.1.1 as OpenEUICC's `ActivationCode.kt` paraphrases it). Other characters are reported
/// by [`ActivationCode::warnings`], not refused: real SM-DP+ servers issue MatchingIDs with `_` and
/// `.`, and the public LPAs pass them on — pySim (`pySim/esim/__init__.py`, `ActivationCode`: only
/// `$` refused), euicc-go (`lpa/download.go`, `ParseActivationCode`) and lpac
/// (`src/applet/profile/download.c`: field 3 copied as given) check no character set.
fn in_matching_id_charset(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Longest host name (RFC 1035 §2.3.4: 253 characters without the root dot).
const MAX_HOST_LEN: usize = 253;
/// Longest DNS label (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;
/// Longest OID string accepted (implementation limit).
const MAX_OID_LEN: usize = 255;
/// Number of `$`-separated fields defined for AC_Format 1: format, address, token, OID, CC flag,
/// CI public key indicator, delete-notification-for-device-change (SGP.22 §4.1; the last two as parsed by
/// sysmocom's onomondo-ipa `src/ipa/libipa/activation_code.c`).
const MAX_FIELDS: usize = 7;

/// The QR code prefix (SGP.22 §4.1: "When provided in a QR code … SHALL be prefixed with `LPA:`").
const QR_PREFIX: &str = "LPA:";

/// The fields of an activation code, in their order in the string (SGP.22 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AcField {
    /// Field 1: `AC_Format`, always `1`.
    Format,
    /// Field 2: the SM-DP+ address (an FQDN).
    SmdpAddress,
    /// Field 3: `AC_Token`, the MatchingID (may be empty).
    MatchingId,
    /// Field 4: the SM-DP+ OID (may be empty).
    SmdpOid,
    /// Field 5: the Confirmation Code Required Flag (`1` or empty).
    CcRequired,
    /// Field 6: the eSIM CA RootCA public key indicator (opaque here).
    CiPublicKeyIndicator,
    /// Field 7: the delete-notification-for-device-change field (SGP.22 v3; opaque here).
    DeviceChange,
}

impl AcField {
    /// The 1-based position of the field in the `$`-separated string.
    pub fn position(self) -> usize {
        match self {
            AcField::Format => 1,
            AcField::SmdpAddress => 2,
            AcField::MatchingId => 3,
            AcField::SmdpOid => 4,
            AcField::CcRequired => 5,
            AcField::CiPublicKeyIndicator => 6,
            AcField::DeviceChange => 7,
        }
    }
}

impl fmt::Display for AcField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AcField::Format => "AC_Format",
            AcField::SmdpAddress => "SM-DP+ address",
            AcField::MatchingId => "MatchingID",
            AcField::SmdpOid => "SM-DP+ OID",
            AcField::CcRequired => "Confirmation Code Required Flag",
            AcField::CiPublicKeyIndicator => "CI public key indicator",
            AcField::DeviceChange => "delete notification for device change",
        })
    }
}

/// Why an activation code was rejected: which field and why (SGP.22 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActivationCodeError {
    /// The string is empty (after removing surrounding white space and the `LPA:` prefix).
    #[error("activation code is empty")]
    Empty,
    /// More `$`-separated fields than SGP.22 §4.1 defines.
    #[error(
        "activation code has {count} '$'-separated fields; at most {MAX_FIELDS} are defined (SGP.22 §4.1)"
    )]
    TooManyFields {
        /// Number of fields found.
        count: usize,
    },
    /// A mandatory field is absent.
    #[error("activation code field {} ({field}) is missing", field.position())]
    MissingField {
        /// The missing field.
        field: AcField,
    },
    /// A field is present but malformed.
    #[error("activation code field {} ({field}) is invalid: {reason}", field.position())]
    InvalidField {
        /// The offending field.
        field: AcField,
        /// Human-readable reason.
        reason: String,
    },
}

impl ActivationCodeError {
    /// The field the error is about, if any.
    pub fn field(&self) -> Option<AcField> {
        match self {
            ActivationCodeError::Empty | ActivationCodeError::TooManyFields { .. } => None,
            ActivationCodeError::MissingField { field } | ActivationCodeError::InvalidField { field, .. } => {
                Some(*field)
            }
        }
    }

    fn invalid(field: AcField, reason: impl Into<String>) -> Self {
        ActivationCodeError::InvalidField { field, reason: reason.into() }
    }
}

/// Something an accepted activation code does that SGP.22 §4.1 does not allow, but that the LPA
/// passes on as given because real servers do it (see [`ActivationCode::warnings`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ActivationCodeWarning {
    /// The MatchingID has characters outside SGP.22 §4.1.1's set (`0-9`, `A-Z`, `a-z`, `-`).
    MatchingIdCharacters {
        /// The characters outside the set, each once, in order of first appearance.
        characters: Vec<char>,
    },
}

impl ActivationCodeWarning {
    /// The field the warning is about.
    pub fn field(&self) -> AcField {
        match self {
            ActivationCodeWarning::MatchingIdCharacters { .. } => AcField::MatchingId,
        }
    }

    /// What is unusual about the field, without naming it (for callers that name it their own
    /// way, e.g. a command-line option).
    pub fn reason(&self) -> String {
        match self {
            ActivationCodeWarning::MatchingIdCharacters { characters } => {
                let list: Vec<String> = characters.iter().map(|c| format!("{c:?}")).collect();
                format!(
                    "{} outside the SGP.22 §4.1.1 set (0-9, A-Z, a-z, '-'); sent to the SM-DP+ as given",
                    list.join(", ")
                )
            }
        }
    }
}

impl fmt::Display for ActivationCodeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field();
        write!(f, "activation code field {} ({field}): {}", field.position(), self.reason())
    }
}

/// A parsed activation code, AC_Format 1 (GSMA SGP.22 §4.1).
///
/// ```text
/// [LPA:]1$<SM-DP+ address>$<MatchingID>[$<SM-DP+ OID>[$<CC required "1">[$<CI PK indicator>[$<device change>]]]]
/// ```
///
/// Parsing ([`FromStr`]) accepts the `LPA:` prefix in any case (as lpac does) and ignores surrounding
/// white space; empty trailing fields mean "absent". Formatting ([`Display`](fmt::Display)) writes the
/// shortest equivalent string without the prefix; [`ActivationCode::to_qr_string`] adds `LPA:`.
///
/// Validation per field:
/// - SM-DP+ address: an FQDN (RFC 1035 labels: letters, digits, `-`, 1–63 characters, not starting or
///   ending with `-`; at most 253 characters) with an optional `:port` (test servers use one);
/// - MatchingID: empty or up to [`MAX_MATCHING_ID_LEN`] bytes, no control character, no white space
///   at its start or end (and, from
///   [`ActivationCode::new`], no `$`). Characters outside SGP.22 §4.1.1's set (`0-9 A-Z a-z -`) are
///   accepted and reported by [`ActivationCode::warnings`]: servers issue MatchingIDs with `_` and `.`;
/// - SM-DP+ OID: empty or dotted decimal with at least two arcs, no leading zeros, first arc 0–2 and
///   second arc < 40 under arcs 0 and 1 (ITU-T X.660);
/// - Confirmation Code Required Flag: empty or `1`;
/// - fields 6 and 7 are kept opaque (printable ASCII).
///
/// ```
/// use oxicard_euicc::activation::ActivationCode;
/// let ac: ActivationCode = "LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1".parse()?;
/// assert_eq!(ac.smdp_address(), "SMDP.GSMA.COM");
/// assert_eq!(ac.matching_id(), "04386-AGYFT-A74Y8-3F815");
/// assert!(ac.confirmation_code_required());
/// assert_eq!(ac.to_string(), "1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1");
/// # Ok::<(), oxicard_euicc::activation::ActivationCodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActivationCode {
    smdp_address: String,
    matching_id: String,
    smdp_oid: Option<String>,
    cc_required: bool,
    ci_public_key_indicator: Option<String>,
    device_change: Option<String>,
}

impl ActivationCode {
    /// An activation code for `smdp_address` and `matching_id` (which may be empty), both validated
    /// (SGP.22 §4.1). A MatchingID outside the SGP.22 §4.1.1 character set is accepted; see
    /// [`warnings`](Self::warnings).
    pub fn new(smdp_address: &str, matching_id: &str) -> Result<Self, ActivationCodeError> {
        validate_address(smdp_address).map_err(|r| ActivationCodeError::invalid(AcField::SmdpAddress, r))?;
        validate_matching_id(matching_id)
            .map_err(|r| ActivationCodeError::invalid(AcField::MatchingId, r))?;
        Ok(ActivationCode {
            smdp_address: smdp_address.to_owned(),
            matching_id: matching_id.to_owned(),
            smdp_oid: None,
            cc_required: false,
            ci_public_key_indicator: None,
            device_change: None,
        })
    }

    /// Checks an SM-DP+ address alone, with the rules [`ActivationCode::new`] applies to field 2
    /// (SGP.22 §4.1): an FQDN of RFC 1035 labels (letters, digits, inner `-`; at most 63
    /// characters each, 253 in all) with an optional `:port` in 1..=65535; no IPv6 literal. For
    /// an address that comes without a MatchingID, such as the default SM-DP+ address of
    /// ES10a.SetDefaultDpAddress (SGP.22 §5.7.4); the error is
    /// [`ActivationCodeError::InvalidField`] for [`AcField::SmdpAddress`], with the reason.
    ///
    /// ```
    /// use oxicard_euicc::activation::{AcField, ActivationCode};
    ///
    /// assert!(ActivationCode::check_smdp_address("smdp.example.com:8443").is_ok());
    /// let error = ActivationCode::check_smdp_address("smdp..example.com").unwrap_err();
    /// assert_eq!(error.field(), Some(AcField::SmdpAddress));
    /// ```
    pub fn check_smdp_address(address: &str) -> Result<(), ActivationCodeError> {
        validate_address(address).map_err(|r| ActivationCodeError::invalid(AcField::SmdpAddress, r))
    }

    /// Sets (or with `None` clears) the SM-DP+ OID, validated.
    pub fn with_smdp_oid(mut self, oid: Option<&str>) -> Result<Self, ActivationCodeError> {
        self.smdp_oid = match oid {
            None | Some("") => None,
            Some(o) => {
                validate_oid(o).map_err(|r| ActivationCodeError::invalid(AcField::SmdpOid, r))?;
                Some(o.to_owned())
            }
        };
        Ok(self)
    }

    /// Sets the Confirmation Code Required Flag.
    pub fn with_confirmation_code_required(mut self, required: bool) -> Self {
        self.cc_required = required;
        self
    }

    /// The SM-DP+ address (field 2): where ES9+ requests go.
    pub fn smdp_address(&self) -> &str {
        &self.smdp_address
    }

    /// The MatchingID / AC_Token (field 3); empty when the code carries none.
    pub fn matching_id(&self) -> &str {
        &self.matching_id
    }

    /// The SM-DP+ OID (field 4), if present. The LPA compares it with the OID in the SM-DP+ certificate.
    pub fn smdp_oid(&self) -> Option<&str> {
        self.smdp_oid.as_deref()
    }

    /// Whether the Confirmation Code Required Flag (field 5) is set.
    pub fn confirmation_code_required(&self) -> bool {
        self.cc_required
    }

    /// Field 6, the eSIM CA RootCA public key indicator, kept verbatim.
    pub fn ci_public_key_indicator(&self) -> Option<&str> {
        self.ci_public_key_indicator.as_deref()
    }

    /// Field 7 (SGP.22 v3, delete notification for device change), kept verbatim.
    pub fn device_change(&self) -> Option<&str> {
        self.device_change.as_deref()
    }

    /// The string for a QR code: [`Display`](fmt::Display) output prefixed with `LPA:` (SGP.22 §4.1).
    pub fn to_qr_string(&self) -> String {
        format!("{QR_PREFIX}{self}")
    }

    /// What this accepted code does that SGP.22 §4.1 does not allow (empty for a conforming code):
    /// today a MatchingID with characters outside the §4.1.1 set. The LPA sends the code as given; a
    /// user interface should show these, since a mistyped code looks the same.
    ///
    /// ```
    /// use oxicard_euicc::activation::{AcField, ActivationCode};
    /// let ac: ActivationCode = "LPA:1$smdp.example.com$ORDER_42.A".parse()?;
    /// let warnings = ac.warnings();
    /// assert_eq!(warnings.len(), 1);
    /// assert_eq!(warnings[0].field(), AcField::MatchingId);
    /// assert!(warnings[0].to_string().contains("'_', '.'"));
    /// # Ok::<(), oxicard_euicc::activation::ActivationCodeError>(())
    /// ```
    pub fn warnings(&self) -> Vec<ActivationCodeWarning> {
        let mut characters: Vec<char> = Vec::new();
        for c in self.matching_id.chars().filter(|c| !in_matching_id_charset(*c)) {
            if !characters.contains(&c) {
                characters.push(c);
            }
        }
        if characters.is_empty() {
            Vec::new()
        } else {
            vec![ActivationCodeWarning::MatchingIdCharacters { characters }]
        }
    }
}

impl fmt::Display for ActivationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let optional: [&str; 4] = [
            self.smdp_oid.as_deref().unwrap_or(""),
            if self.cc_required { "1" } else { "" },
            self.ci_public_key_indicator.as_deref().unwrap_or(""),
            self.device_change.as_deref().unwrap_or(""),
        ];
        write!(f, "1${}${}", self.smdp_address, self.matching_id)?;
        // Write optional fields up to the last non-empty one; earlier empty ones stay as "$$".
        let used = optional.iter().rposition(|s| !s.is_empty()).map_or(0, |i| i + 1);
        for field in optional.iter().take(used) {
            write!(f, "${field}")?;
        }
        Ok(())
    }
}

impl FromStr for ActivationCode {
    type Err = ActivationCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
        let s = match s.get(..QR_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(QR_PREFIX) => s.get(QR_PREFIX.len()..).unwrap_or(""),
            _ => s,
        };
        if s.is_empty() {
            return Err(ActivationCodeError::Empty);
        }
        let fields: Vec<&str> = s.split('$').collect();
        if fields.len() > MAX_FIELDS {
            return Err(ActivationCodeError::TooManyFields { count: fields.len() });
        }
        let field = |i: usize| fields.get(i).copied();

        match field(0) {
            Some("1") => {}
            Some(other) => {
                return Err(ActivationCodeError::invalid(
                    AcField::Format,
                    format!("{other:?} is not supported; only \"1\" is defined"),
                ));
            }
            None => return Err(ActivationCodeError::Empty),
        }
        let address = field(1).ok_or(ActivationCodeError::MissingField { field: AcField::SmdpAddress })?;
        if address.is_empty() {
            return Err(ActivationCodeError::MissingField { field: AcField::SmdpAddress });
        }
        let matching_id = field(2).ok_or(ActivationCodeError::MissingField { field: AcField::MatchingId })?;
        let mut ac = ActivationCode::new(address, matching_id)?.with_smdp_oid(field(3))?;
        ac.cc_required = match field(4) {
            None | Some("") => false,
            Some("1") => true,
            Some(other) => {
                return Err(ActivationCodeError::invalid(
                    AcField::CcRequired,
                    format!("{other:?}: must be \"1\" or empty"),
                ));
            }
        };
        ac.ci_public_key_indicator = opaque(AcField::CiPublicKeyIndicator, field(5))?;
        ac.device_change = opaque(AcField::DeviceChange, field(6))?;
        Ok(ac)
    }
}

/// An opaque trailing field: empty means absent; otherwise printable ASCII without `$`.
fn opaque(which: AcField, value: Option<&str>) -> Result<Option<String>, ActivationCodeError> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => {
            if let Some(c) = v.chars().find(|c| !c.is_ascii_graphic() || *c == '$') {
                return Err(ActivationCodeError::invalid(which, format!("character {c:?} is not allowed")));
            }
            Ok(Some(v.to_owned()))
        }
    }
}

/// FQDN with an optional `:port`.
pub(crate) fn validate_address(address: &str) -> Result<(), String> {
    if address.is_empty() {
        return Err("empty".into());
    }
    let host = match address.rsplit_once(':') {
        Some((host, port)) => {
            if host.contains(':') || host.starts_with('[') {
                return Err("IPv6 literals are not allowed; use a host name".into());
            }
            let valid_port = !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && !port.starts_with('0')
                && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
            if !valid_port {
                return Err(format!("port {port:?} is not a number in 1..=65535"));
            }
            host
        }
        None => address,
    };
    if host.is_empty() {
        return Err("host name is empty".into());
    }
    if host.len() > MAX_HOST_LEN {
        return Err(format!("host name has {} characters; at most {MAX_HOST_LEN} are allowed", host.len()));
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err(format!("empty label in {host:?}"));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(format!("label {label:?} is longer than {MAX_LABEL_LEN} characters"));
        }
        if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(format!("character {c:?} is not allowed in a host name (letters, digits, '-')"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label {label:?} starts or ends with '-'"));
        }
    }
    Ok(())
}

/// The hard limits of a MatchingID, which protect the eUICC and keep the activation code
/// unambiguous: at most [`MAX_MATCHING_ID_LEN`] bytes, no control character, no `$` (the field
/// separator of SGP.22 §4.1). The character set of §4.1.1 is only a warning
/// ([`ActivationCode::warnings`]).
fn validate_matching_id(id: &str) -> Result<(), String> {
    if id.len() > MAX_MATCHING_ID_LEN {
        return Err(format!("{} bytes; at most {MAX_MATCHING_ID_LEN} are allowed", id.len()));
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!("control character {c:?} is not allowed"));
    }
    if id.contains('$') {
        return Err("'$' is not allowed: it separates the fields of an activation code (SGP.22 §4.1)".into());
    }
    // Surrounding white space of an activation code is not part of it (a QR scanner or a
    // copy-paste adds it), so a MatchingID cannot start or end with white space.
    if id.starts_with(|c: char| c.is_ascii_whitespace()) || id.ends_with(|c: char| c.is_ascii_whitespace()) {
        return Err("white space at the start or end is not allowed".into());
    }
    Ok(())
}

/// Dotted-decimal OBJECT IDENTIFIER value (ITU-T X.660 §A.2 / X.690 §8.19 constraints on arcs 1 and 2).
fn validate_oid(oid: &str) -> Result<(), String> {
    if oid.len() > MAX_OID_LEN {
        return Err(format!("{} characters; at most {MAX_OID_LEN} are allowed", oid.len()));
    }
    let mut arcs = Vec::new();
    for arc in oid.split('.') {
        if arc.is_empty() {
            return Err(format!("empty arc in {oid:?}"));
        }
        if !arc.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("arc {arc:?} is not a decimal number"));
        }
        if arc.len() > 1 && arc.starts_with('0') {
            return Err(format!("arc {arc:?} has a leading zero"));
        }
        let value: u128 = arc.parse().map_err(|_| format!("arc {arc:?} is too large"))?;
        arcs.push(value);
    }
    match arcs.as_slice() {
        [] | [_] => Err("an OID needs at least two arcs".into()),
        [first, ..] if *first > 2 => Err(format!("first arc {first} is not 0, 1 or 2")),
        [first, second, ..] if *first < 2 && *second > 39 => {
            Err(format!("second arc {second} must be below 40 under arc {first}"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_rules() {
        assert!(validate_oid("1.3.6.1.4.1.31746").is_ok());
        assert!(validate_oid("2.999.10").is_ok());
        assert!(validate_oid("1").is_err());
        assert!(validate_oid("3.1").is_err());
        assert!(validate_oid("1.40").is_err());
        assert!(validate_oid("1.3.06").is_err());
        assert!(validate_oid("1..3").is_err());
        assert!(validate_oid("1.3.a").is_err());
    }

    #[test]
    fn address_rules() {
        assert!(validate_address("SMDP.GSMA.COM").is_ok());
        assert!(validate_address("localhost:8443").is_ok());
        assert!(validate_address("a-b.example").is_ok());
        assert!(validate_address("-a.example").is_err());
        assert!(validate_address("a_b.example").is_err());
        assert!(validate_address("example.com.").is_err());
        assert!(validate_address("example.com:0").is_err());
        assert!(validate_address("example.com:65536").is_err());
        assert!(validate_address("[::1]:443").is_err());
        assert!(validate_address(&"a".repeat(64)).is_err());
    }

    /// The address alone: the same rules and reasons as field 2 of a code, under that field.
    #[test]
    fn smdp_address_checked_alone() {
        assert_eq!(ActivationCode::check_smdp_address("smdp.example.com:8443"), Ok(()));
        let invalid = |reason: &str| ActivationCodeError::InvalidField {
            field: AcField::SmdpAddress,
            reason: reason.to_owned(),
        };
        assert_eq!(ActivationCode::check_smdp_address("a..b"), Err(invalid("empty label in \"a..b\"")));
        assert_eq!(
            ActivationCode::check_smdp_address("x.com:0"),
            Err(invalid("port \"0\" is not a number in 1..=65535"))
        );
        assert_eq!(ActivationCode::check_smdp_address(""), Err(invalid("empty")));
        assert_eq!(
            ActivationCode::check_smdp_address("-x.com").map_err(|e| e.field()),
            ActivationCode::new("-x.com", "M").map(drop).map_err(|e| e.field())
        );
    }
}
