//! What the `subjectCode` and `reasonCode` of a failed ES9+/ES11 call mean (the `statusCodeData`
//! of the response header, SGP.22 §6.5.1.4; the codes each function returns are listed with its
//! HTTP binding, SGP.22 §6.5.2, and its description, §5.6.1–§5.6.5 and §5.8.1–§5.8.2).
//!
//! A status code is a pair: the subject code says *what* the status is about (`8.2.6`, the
//! MatchingID), the reason code *why* (`3.8`, refused). Three tables, looked up in this order by
//! [`StatusCode`](super::StatusCode)'s `Display`:
//!
//! - [`STATUS_CODES`]: the pairs the SGP.22 function tables define, with their meaning
//!   (`8.2.6`/`3.8`: "MatchingID (AC_Token or EventID) refused");
//! - [`SUBJECT_CODES`] and [`REASON_CODES`]: each code alone (`8.2.1`: profile ICCID; `4.2`:
//!   execution error), so a pair no table lists (a server's own combination, a later SGP.22
//!   version) is still named part by part.
//!
//! The pair meanings were cross-checked with lpac (`euicc/es9p_errors.c`) and osmo-smdpp (the
//! codes it answers); the reason code names are the ones SGP.22 shares with SGP.02 (access,
//! format, conditions of use, processing, transport and security errors). Meanings are
//! paraphrased.

/// One row of the pair table: subject code, reason code, meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusCodeInfo {
    /// `subjectCode`.
    pub subject_code: &'static str,
    /// `reasonCode`.
    pub reason_code: &'static str,
    /// What the pair means.
    pub meaning: &'static str,
}

const fn sc(subject_code: &'static str, reason_code: &'static str, meaning: &'static str) -> StatusCodeInfo {
    StatusCodeInfo { subject_code, reason_code, meaning }
}

/// The ES9+/ES11 status codes an LPA can receive (SGP.22 §5.6.1–§5.6.5, §5.8.1–§5.8.2 status code
/// tables), as collected by lpac `euicc/es9p_errors.c` and osmo-smdpp (`osmo-smdpp.py`); meanings
/// paraphrased.
pub const STATUS_CODES: &[StatusCodeInfo] = &[
    sc("8.1", "4.8", "the eUICC has insufficient memory for this profile"),
    sc("8.1", "6.1", "the eUICC signature or the serverChallenge is invalid"),
    sc("8.1.1", "2.2", "EID missing for this order (SM-DS address given or MatchingID empty)"),
    sc("8.1.1", "3.1", "a different EID is already associated with this ICCID"),
    sc("8.1.1", "3.8", "EID does not match the expected value"),
    sc("8.1.2", "6.1", "EUM certificate invalid"),
    sc("8.1.2", "6.3", "EUM certificate expired"),
    sc("8.1.3", "6.1", "eUICC certificate invalid"),
    sc("8.1.3", "6.3", "eUICC certificate expired"),
    sc("8.2", "1.2", "profile not yet released"),
    sc("8.2", "3.7", "bound profile package not available for a new binding"),
    sc("8.2.1", "1.2", "caller not allowed to perform this function on the target profile"),
    sc("8.2.1", "3.1", "a different EID is associated with this ICCID"),
    sc("8.2.1", "3.3", "the profile identified by the ICCID is not available"),
    sc("8.2.1", "3.5", "the target profile cannot be released"),
    sc("8.2.1", "3.9", "profile (ICCID) unknown to the SM-DP+"),
    sc("8.2.5", "1.2", "caller not allowed to perform this function on the profile type"),
    sc("8.2.5", "3.7", "no more profiles available for the requested profile type"),
    sc("8.2.5", "3.8", "profile type does not match the profile identified by the ICCID"),
    sc("8.2.5", "3.9", "profile type unknown to the SM-DP+"),
    sc("8.2.5", "4.3", "no eligible profile for this eUICC/device"),
    sc("8.2.6", "3.1", "a different MatchingID is associated with this ICCID"),
    sc("8.2.6", "3.3", "conflicting MatchingID"),
    sc("8.2.6", "3.8", "MatchingID (AC_Token or EventID) refused"),
    sc("8.2.7", "2.2", "confirmation code missing"),
    sc("8.2.7", "3.8", "confirmation code refused"),
    sc("8.2.7", "6.4", "maximum number of confirmation code retries exceeded"),
    sc("8.8", "3.1", "the SM-DP+ OID is invalid"),
    sc("8.8", "3.10", "the SM-DP+ OID is invalid (osmo-smdpp)"),
    sc("8.8.1", "3.8", "invalid SM-DP+ address"),
    sc("8.8.2", "3.1", "none of the proposed CI public key identifiers is supported by the SM-DP+"),
    sc("8.8.3", "3.1", "the eUICC's specification version number is not supported by the SM-DP+"),
    sc("8.8.4", "3.7", "the SM-DP+ has no CERT.DPauth signed by a CI public key the eUICC supports"),
    sc("8.8.5", "4.1", "the download order has expired"),
    sc("8.8.5", "6.4", "maximum number of retries for the download order exceeded"),
    sc("8.9", "4.2", "the root SM-DS raised an error"),
    sc("8.9", "5.1", "the root SM-DS was unavailable"),
    sc("8.9.1", "3.8", "invalid SM-DS address"),
    sc("8.9.2", "3.1", "none of the proposed CI public key identifiers is supported by the SM-DS"),
    sc("8.9.3", "3.1", "the eUICC's specification version number is not supported by the SM-DS"),
    sc("8.9.4", "3.7", "the SM-DS has no CERT.DSauth signed by a CI public key the eUICC supports"),
    sc("8.9.5", "3.3", "the event record already exists in the SM-DS (EventID duplicated)"),
    sc("8.9.5", "3.9", "no event with this EventID exists for the EID"),
    sc("8.10.1", "3.9", "the RSP session identified by the TransactionID is unknown"),
    sc("8.11.1", "3.9", "unknown CI public key: the EUM certificate's CI is not a trusted root"),
    sc("1.2.1", "2.1", "unsupported Content-Type (osmo-smdpp)"),
    sc("1.2.2", "2.1", "unsupported X-Admin-Protocol (osmo-smdpp)"),
];

/// A subject or reason code and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeName {
    /// The code, e.g. `8.2.6` or `3.8`.
    pub code: &'static str,
    /// Its name, e.g. "MatchingID" or "refused".
    pub name: &'static str,
}

const fn cn(code: &'static str, name: &'static str) -> CodeName {
    CodeName { code, name }
}

/// Subject codes: what a status is about (the subjects of the SGP.22 ES9+/ES11 status code
/// tables; `1.x` are the generic function requester/provider subjects).
pub const SUBJECT_CODES: &[CodeName] = &[
    cn("1", "generic"),
    cn("1.1", "function requester"),
    cn("1.2", "function provider"),
    cn("1.2.1", "Content-Type of the request"),
    cn("1.2.2", "X-Admin-Protocol of the request"),
    cn("1.6", "function"),
    cn("8.1", "eUICC"),
    cn("8.1.1", "EID"),
    cn("8.1.2", "EUM certificate"),
    cn("8.1.3", "eUICC certificate"),
    cn("8.2", "profile"),
    cn("8.2.1", "profile ICCID"),
    cn("8.2.5", "profile type"),
    cn("8.2.6", "MatchingID"),
    cn("8.2.7", "confirmation code"),
    cn("8.8", "SM-DP+"),
    cn("8.8.1", "SM-DP+ address"),
    cn("8.8.2", "SM-DP+ security configuration (CI public keys)"),
    cn("8.8.3", "SM-DP+ supported specification versions"),
    cn("8.8.4", "SM-DP+ certificate"),
    cn("8.8.5", "download order"),
    cn("8.9", "SM-DS"),
    cn("8.9.1", "SM-DS address"),
    cn("8.9.2", "SM-DS security configuration (CI public keys)"),
    cn("8.9.3", "SM-DS supported specification versions"),
    cn("8.9.4", "SM-DS certificate"),
    cn("8.9.5", "event record"),
    cn("8.10", "RSP session"),
    cn("8.10.1", "TransactionID"),
    cn("8.11", "certificate issuer (CI)"),
    cn("8.11.1", "CI public key"),
];

/// Reason codes: why (the reason codes SGP.22 uses, shared with SGP.02). The first number is
/// the class: 1 access, 2 format, 3 conditions of use, 4 processing, 5 transport, 6 security.
pub const REASON_CODES: &[CodeName] = &[
    cn("1", "access error"),
    cn("1.1", "unknown (identification or authentication)"),
    cn("1.2", "not allowed (authorisation)"),
    cn("2", "format error"),
    cn("2.1", "invalid"),
    cn("2.2", "mandatory element missing"),
    cn("2.3", "conditional element missing"),
    cn("3", "conditions of use not satisfied"),
    cn("3.1", "unsupported"),
    cn("3.3", "already in use (uniqueness)"),
    cn("3.5", "cannot be released"),
    cn("3.7", "unavailable"),
    cn("3.8", "refused"),
    cn("3.9", "unknown"),
    cn("3.10", "invalid association"),
    cn("3.11", "value has changed"),
    cn("4", "processing error"),
    cn("4.1", "expired"),
    cn("4.2", "execution error"),
    cn("4.3", "stopped on warning"),
    cn("4.8", "insufficient memory"),
    cn("4.10", "time to live expired"),
    cn("5", "transport error"),
    cn("5.1", "inaccessible"),
    cn("6", "security error"),
    cn("6.1", "verification failed"),
    cn("6.3", "expired"),
    cn("6.4", "maximum number of attempts exceeded"),
];

/// Looks a subject/reason pair up in [`STATUS_CODES`].
pub fn status_code_meaning(subject_code: &str, reason_code: &str) -> Option<&'static str> {
    STATUS_CODES
        .iter()
        .find(|c| c.subject_code == subject_code && c.reason_code == reason_code)
        .map(|c| c.meaning)
}

/// The name of a subject code ([`SUBJECT_CODES`]); for a code not listed, the name of its
/// nearest listed parent (`8.2.9` → "profile"), `None` when there is none.
pub fn subject_code_name(code: &str) -> Option<&'static str> {
    nearest(SUBJECT_CODES, code)
}

/// The name of a reason code ([`REASON_CODES`]); for a code not listed, the name of its class
/// (`3.12` → "conditions of use not satisfied"), `None` when there is none.
pub fn reason_code_name(code: &str) -> Option<&'static str> {
    nearest(REASON_CODES, code)
}

/// The entry of `table` for `code`, else for its nearest dotted prefix.
fn nearest(table: &[CodeName], code: &str) -> Option<&'static str> {
    let mut code = code.trim();
    loop {
        if let Some(entry) = table.iter().find(|c| c.code == code) {
            return Some(entry.name);
        }
        code = code.rsplit_once('.')?.0;
    }
}
