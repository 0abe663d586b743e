//! The profile table of `profile list` and `demo`, one line per profile.

use std::fmt::Write as _;

use oxicard_euicc::es10::ProfileInfo;

/// One line per profile under a header; "no profiles" for none.
pub(crate) fn profile_table(profiles: &[ProfileInfo]) -> String {
    if profiles.is_empty() {
        return "no profiles".into();
    }
    let mut t = format!(
        "{:<22} {:<9} {:<12} {:<16} {:<20} {}\n",
        "ICCID", "STATE", "CLASS", "PROVIDER", "NAME", "NICKNAME"
    );
    for p in profiles {
        let _ = writeln!(
            t,
            "{:<22} {:<9} {:<12} {:<16} {:<20} {}",
            p.iccid.map(|i| i.to_string()).unwrap_or_default(),
            p.state.map(|s| s.asn1_name()).unwrap_or("?"),
            p.class.map(|c| c.asn1_name()).unwrap_or("?"),
            p.service_provider_name.as_deref().unwrap_or(""),
            p.profile_name.as_deref().unwrap_or(""),
            p.nickname.as_deref().unwrap_or(""),
        );
    }
    t
}
