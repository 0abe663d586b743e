//! Profile lookup and the GetProfilesInfo view (SGP.22 §5.7.15): search criteria and tag lists.

use oxicard_euicc::es10::{ProfileIdentifier, ProfileInfo, ProfileSearch};

/// The ProfileInfo tags this eUICC knows, as their BER bytes (SGP.22 §5.7.15).
const KNOWN_TAGS: [&[u8]; 13] = [
    &[0x5A],
    &[0x4F],
    &[0x9F, 0x70],
    &[0x90],
    &[0x91],
    &[0x92],
    &[0x93],
    &[0x94],
    &[0x95],
    &[0xB6],
    &[0xB7],
    &[0xB8],
    &[0x99],
];

/// The tags returned when the request has no tag list: every v2 tag except the icon `94`
/// (SGP.22 §5.7.15 does not specify the default set; this one leaves out only the icon, the
/// one large field).
pub(crate) fn default_tags() -> Vec<Vec<u8>> {
    KNOWN_TAGS.iter().filter(|t| **t != [0x94]).map(|t| t.to_vec()).collect()
}

/// Splits a `tagList` (concatenated BER tags, X.690 §8.1.2) into its tags; `None` when a
/// multi-byte tag is cut off.
pub(crate) fn split_tag_list(list: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut tags = Vec::new();
    let mut rest = list;
    while let Some((&first, tail)) = rest.split_first() {
        let mut len = 1;
        if first & 0x1F == 0x1F {
            // Subsequent octets while bit 8 is set, then the last one.
            let more = tail.iter().position(|b| b & 0x80 == 0)?;
            len += more + 1;
        }
        let (tag, after) = rest.split_at_checked(len)?;
        tags.push(tag.to_vec());
        rest = after;
    }
    Some(tags)
}

/// `profile` reduced to the members whose tags are in `tags`.
pub(crate) fn with_tags(profile: &ProfileInfo, tags: &[Vec<u8>]) -> ProfileInfo {
    let has = |tag: &[u8]| tags.iter().any(|t| t.as_slice() == tag);
    {
        let mut profile_info = ProfileInfo::default();
        profile_info.iccid = keep(has(&[0x5A]), &profile.iccid);
        profile_info.isdp_aid = keep(has(&[0x4F]), &profile.isdp_aid);
        profile_info.state = keep(has(&[0x9F, 0x70]), &profile.state);
        profile_info.nickname = keep(has(&[0x90]), &profile.nickname);
        profile_info.service_provider_name = keep(has(&[0x91]), &profile.service_provider_name);
        profile_info.profile_name = keep(has(&[0x92]), &profile.profile_name);
        profile_info.icon_type = keep(has(&[0x93]), &profile.icon_type);
        profile_info.icon = keep(has(&[0x94]), &profile.icon);
        profile_info.class = keep(has(&[0x95]), &profile.class);
        profile_info.notification_configuration = keep(has(&[0xB6]), &profile.notification_configuration);
        profile_info.owner = keep(has(&[0xB7]), &profile.owner);
        profile_info.dp_proprietary_data = keep(has(&[0xB8]), &profile.dp_proprietary_data);
        profile_info.policy_rules = keep(has(&[0x99]), &profile.policy_rules);
        profile_info
    }
}

/// `value` if `wanted`.
fn keep<T: Clone>(wanted: bool, value: &Option<T>) -> Option<T> {
    if wanted { value.clone() } else { None }
}

/// Whether `profile` matches the search criteria of GetProfilesInfo.
pub(crate) fn matches(profile: &ProfileInfo, search: Option<&ProfileSearch>) -> bool {
    match search {
        None => true,
        Some(ProfileSearch::IsdpAid(aid)) => profile.isdp_aid.as_ref() == Some(aid),
        Some(ProfileSearch::Iccid(iccid)) => profile.iccid.as_ref() == Some(iccid),
        Some(ProfileSearch::ProfileClass(class)) => profile.class() == *class,
        // A criterion of a later SGP.22 version: nothing matches what the card cannot evaluate.
        Some(_) => false,
    }
}

/// The index of the profile an Enable/Disable/Delete request names.
pub(crate) fn find(profiles: &[ProfileInfo], id: &ProfileIdentifier) -> Option<usize> {
    profiles.iter().position(|p| match id {
        ProfileIdentifier::IsdpAid(aid) => p.isdp_aid.as_ref() == Some(aid),
        ProfileIdentifier::Iccid(iccid) => p.iccid.as_ref() == Some(iccid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists_split_on_ber_tag_boundaries() {
        // A GetProfilesInfo tag list (SGP.22 §5.7.15): `5A 4F 9F70`.
        assert_eq!(
            split_tag_list(&[0x5A, 0x4F, 0x9F, 0x70]).unwrap(),
            vec![vec![0x5A], vec![0x4F], vec![0x9F, 0x70]]
        );
        assert_eq!(split_tag_list(&[0xBF, 0x81, 0x22]).unwrap(), vec![vec![0xBF, 0x81, 0x22]]);
        assert_eq!(split_tag_list(&[]).unwrap(), Vec::<Vec<u8>>::new());
        assert!(split_tag_list(&[0x5A, 0x9F]).is_none());
        assert!(split_tag_list(&[0x9F, 0x81]).is_none());
    }
}
