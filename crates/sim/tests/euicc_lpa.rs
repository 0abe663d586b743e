//! The LPA of `oxicard-euicc` (`Isdr`) against the software eUICC, in process: every ES10
//! round trip with exact state checks and APDU counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_apdu::card::Card;
use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::{Es10Error, Isdr, IsdrOptions};
use oxicard_sim::euicc::{EuiccConfig, SoftEuicc, TestSigner};
use oxicard_transport::sim::SimulatorTransport;

type SimCard = Card<SimulatorTransport<SoftEuicc>>;

/// ICCID of euicc-go's identifier test (`v2/identifier.go`): `98 44 74 68 00 00 54 37 21 F8`.
const ICCID_A: &str = "8944478600004573128";
const ICCID_B: &str = "8944478600004573136";
const ICCID_C: &str = "8944478600004573144";
const SMDP: &str = "smdp.example.com";

/// The ISD-P AIDs the eUICC assigns, in installation order.
fn isdp_aid(n: u8) -> Vec<u8> {
    let mut aid = hex::decode("A0000005591010FFFFFFFF89000010").unwrap();
    aid[14] = 0x10 + n;
    aid.push(0x00);
    aid
}

fn iccid(digits: &str) -> Iccid {
    digits.parse().unwrap()
}

/// A profile with enable/disable/delete notifications to [`SMDP`] (as osmo-smdpp configures them).
fn profile(digits: &str, name: &str) -> ProfileInfo {
    {
        let mut profile_info = ProfileInfo::new(iccid(digits));
        profile_info.service_provider_name = Some("OXI".into());
        profile_info.profile_name = Some(name.into());
        profile_info.notification_configuration = Some(vec![NotificationConfigurationInformation::new(
            BitFlags::from_bits([
                notification_event::ENABLE,
                notification_event::DISABLE,
                notification_event::DELETE,
            ]),
            SMDP.into(),
        )]);
        profile_info
    }
}

fn card_with(euicc: SoftEuicc) -> SimCard {
    Card::new(SimulatorTransport::new(euicc))
}

/// An eUICC with profiles A (enabled) and B (disabled).
fn two_profiles() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    euicc
        .install_profile_for_tests({
            let mut profile_info = profile(ICCID_A, "A");
            profile_info.state = Some(ProfileState::Enabled);
            profile_info
        })
        .unwrap();
    euicc.install_profile_for_tests(profile(ICCID_B, "B")).unwrap();
    euicc
}

fn commands(isdr: &mut Isdr<&mut Card<SimulatorTransport<SoftEuicc>>>) -> u64 {
    isdr.card().transport().simulator().commands_seen()
}

fn sim<'a>(isdr: &'a mut Isdr<&mut Card<SimulatorTransport<SoftEuicc>>>) -> &'a SoftEuicc {
    isdr.card().transport().simulator()
}

fn states(euicc: &SoftEuicc) -> Vec<(String, ProfileState)> {
    euicc.state().profiles().iter().map(|p| (p.iccid.unwrap().digits(), p.state.unwrap())).collect()
}

#[test]
fn open_uses_one_manage_channel_and_one_select_and_close_one_more() {
    let mut card = card_with(SoftEuicc::new());
    let isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    assert_eq!(isdr.channel(), 1);
    assert!(isdr.is_logical_channel());
    isdr.close().unwrap();
    let euicc = card.transport().simulator();
    assert_eq!(euicc.commands_seen(), 3);
    assert_eq!(euicc.open_channels(), [0]);
}

#[test]
fn get_eid_is_one_apdu() {
    let mut card = card_with(SoftEuicc::new());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let before = commands(&mut isdr);
    assert_eq!(isdr.eid().unwrap().digits(), "89882119900000000000000000000005");
    assert_eq!(commands(&mut isdr) - before, 1);
}

#[test]
fn profiles_list_with_default_tags_search_and_tag_list() {
    let mut card = card_with(two_profiles());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let profiles = isdr.profiles().unwrap();
    assert_eq!(profiles.len(), 2);
    let a = &profiles[0];
    assert_eq!(a.iccid, Some(iccid(ICCID_A)));
    assert_eq!(a.isdp_aid.as_deref(), Some(&isdp_aid(0)[..]));
    assert_eq!(a.state, Some(ProfileState::Enabled));
    assert_eq!(a.profile_name.as_deref(), Some("A"));
    assert_eq!(a.service_provider_name.as_deref(), Some("OXI"));
    assert_eq!(a.class, Some(ProfileClass::Operational));
    assert_eq!(a.notification_configuration.as_ref().unwrap()[0].address, SMDP);
    assert_eq!(a.profile_size, None, "v3 profileSize is not in the default tag set");
    assert_eq!(profiles[1].isdp_aid.as_deref(), Some(&isdp_aid(1)[..]));
    assert_eq!(profiles[1].state, Some(ProfileState::Disabled));

    // Search by ICCID, tags 5A 9F70 only: exactly those members come back.
    let request = {
        let mut profile_info_list_request = ProfileInfoListRequest::default();
        profile_info_list_request.search = Some(ProfileSearch::Iccid(iccid(ICCID_B)));
        profile_info_list_request.tag_list = Some(vec![0x5A, 0x9F, 0x70]);
        profile_info_list_request
    };
    let found = isdr.profiles_with(&request).unwrap();
    assert_eq!(
        found,
        [{
            let mut profile_info = ProfileInfo::new(iccid(ICCID_B));
            profile_info.state = Some(ProfileState::Disabled);
            profile_info
        }]
    );
    // Exact bytes: BF2D { A0 { E3 { 5A iccid, 9F70 00 } } }.
    let der = isdr.es10(&request.to_der()).unwrap();
    assert_eq!(hex::encode_upper(der), "BF2D14A012E3105A0A984474680000543731F69F700100");

    // By AID and by class.
    let by_aid = {
        let mut profile_info_list_request = ProfileInfoListRequest::default();
        profile_info_list_request.search = Some(ProfileSearch::IsdpAid(isdp_aid(0)));
        profile_info_list_request
    };
    assert_eq!(isdr.profiles_with(&by_aid).unwrap().len(), 1);
    let tests = {
        let mut profile_info_list_request = ProfileInfoListRequest::default();
        profile_info_list_request.search = Some(ProfileSearch::ProfileClass(ProfileClass::Test));
        profile_info_list_request
    };
    assert_eq!(isdr.profiles_with(&tests).unwrap(), []);
    // A cut-off tag list is incorrectInputValues(1).
    let bad = {
        let mut profile_info_list_request = ProfileInfoListRequest::default();
        profile_info_list_request.tag_list = Some(vec![0x9F]);
        profile_info_list_request
    };
    assert_eq!(isdr.es10(&bad.to_der()).unwrap(), [0xBF, 0x2D, 0x03, 0x81, 0x01, 0x01]);
}

#[test]
fn a_long_profile_list_comes_through_get_response() {
    let mut euicc = SoftEuicc::new();
    for (index, digits) in [ICCID_A, ICCID_B, ICCID_C].iter().enumerate() {
        let mut p = profile(digits, &"N".repeat(60));
        p.icon_type = Some(IconType::Png);
        p.icon = Some(vec![index as u8; 50]);
        euicc.install_profile_for_tests(p).unwrap();
    }
    let mut card = card_with(euicc);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let request = ProfileInfoListRequest::default();
    let before = commands(&mut isdr);
    let der = isdr.es10(&request.to_der()).unwrap();
    let used = commands(&mut isdr) - before;
    assert!(der.len() > 256, "{}", der.len());
    // One STORE DATA (Le 256) and one GET RESPONSE per further 256 bytes.
    assert_eq!(used, 1 + (der.len() as u64 - 256).div_ceil(256));
    assert_eq!(ProfileInfoListResponse::from_der(&der).unwrap().result.unwrap().len(), 3);
    // With the icon asked for, the list is longer still, and complete.
    let with_icon = {
        let mut profile_info_list_request = ProfileInfoListRequest::default();
        profile_info_list_request.tag_list = Some(vec![0x5A, 0x94]);
        profile_info_list_request
    };
    let profiles = isdr.profiles_with(&with_icon).unwrap();
    assert_eq!(profiles[2].icon.as_deref(), Some(&[2u8; 50][..]));
}

#[test]
fn enable_switches_the_enabled_profile_with_notifications() {
    let mut card = card_with(two_profiles());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let before = commands(&mut isdr);
    isdr.enable_profile(iccid(ICCID_B), false).unwrap();
    assert_eq!(commands(&mut isdr) - before, 1);
    assert_eq!(
        states(sim(&mut isdr)),
        [(ICCID_A.into(), ProfileState::Disabled), (ICCID_B.into(), ProfileState::Enabled)]
    );
    // Disable of A (seq 1), then enable of B (seq 2), both to the SM-DP+.
    let list = isdr.list_notifications(None).unwrap();
    assert_eq!(
        list,
        [
            {
                let mut notification_metadata = NotificationMetadata::new(
                    1,
                    BitFlags::from_bits([notification_event::DISABLE]),
                    SMDP.into(),
                );
                notification_metadata.iccid = Some(iccid(ICCID_A));
                notification_metadata
            },
            {
                let mut notification_metadata = NotificationMetadata::new(
                    2,
                    BitFlags::from_bits([notification_event::ENABLE]),
                    SMDP.into(),
                );
                notification_metadata.iccid = Some(iccid(ICCID_B));
                notification_metadata
            },
        ]
    );
    // Errors: enabling the enabled one, an unknown ICCID, by AID.
    let err = isdr.enable_profile(iccid(ICCID_B), false).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::ProfileNotInDisabledState))
    ));
    let err = isdr.enable_profile(iccid(ICCID_C), false).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::IccidOrAidNotFound))
    ));
    isdr.enable_profile(ProfileIdentifier::IsdpAid(isdp_aid(0)), true).unwrap();
    assert_eq!(sim(&mut isdr).state().enabled_profile().unwrap().iccid, Some(iccid(ICCID_A)));
    assert_eq!(sim(&mut isdr).state().next_seq_number(), 5);
}

#[test]
fn disable_and_delete_follow_the_v2_state_rules() {
    let mut card = card_with(two_profiles());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let err = isdr.delete_profile(iccid(ICCID_A)).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::DeleteProfile(DeleteProfileError::ProfileNotInDisabledState))
    ));
    let err = isdr.disable_profile(iccid(ICCID_B), false).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::DisableProfile(DisableProfileError::ProfileNotInEnabledState))
    ));
    isdr.disable_profile(iccid(ICCID_A), false).unwrap();
    assert_eq!(sim(&mut isdr).state().enabled_profile(), None);
    isdr.delete_profile(iccid(ICCID_A)).unwrap();
    let err = isdr.delete_profile(iccid(ICCID_A)).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::DeleteProfile(DeleteProfileError::IccidOrAidNotFound))
    ));
    assert_eq!(states(sim(&mut isdr)), [(ICCID_B.into(), ProfileState::Disabled)]);
    let ops: Vec<_> = isdr
        .list_notifications(None)
        .unwrap()
        .into_iter()
        .map(|m| (m.seq_number, m.operation.iter().collect::<Vec<_>>(), m.iccid.unwrap().digits()))
        .collect();
    assert_eq!(
        ops,
        [
            (1, vec![notification_event::DISABLE], ICCID_A.to_string()),
            (2, vec![notification_event::DELETE], ICCID_A.to_string())
        ]
    );
    // Only delete notifications, by operation filter.
    let deletes = isdr.list_notifications(Some(BitFlags::from_bits([notification_event::DELETE]))).unwrap();
    assert_eq!(deletes.iter().map(|m| m.seq_number).collect::<Vec<_>>(), [2]);
}

#[test]
fn policy_rules_refuse_disable_and_delete() {
    let mut euicc = SoftEuicc::new();
    let mut locked = profile(ICCID_A, "A");
    locked.state = Some(ProfileState::Enabled);
    locked.policy_rules = Some(BitFlags::from_bits([ppr::PPR1, ppr::PPR2]));
    euicc.install_profile_for_tests(locked).unwrap();
    let mut undeletable = profile(ICCID_B, "B");
    undeletable.policy_rules = Some(BitFlags::from_bits([ppr::PPR2]));
    euicc.install_profile_for_tests(undeletable).unwrap();
    let mut card = card_with(euicc);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let err = isdr.disable_profile(iccid(ICCID_A), false).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::DisableProfile(DisableProfileError::DisallowedByPolicy))
    ));
    // Enabling B would disable A, which PPR1 forbids.
    let err = isdr.enable_profile(iccid(ICCID_B), false).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::EnableProfile(EnableProfileError::DisallowedByPolicy))
    ));
    let err = isdr.delete_profile(iccid(ICCID_B)).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::DeleteProfile(DeleteProfileError::DisallowedByPolicy))
    ));
    assert!(sim(&mut isdr).state().notifications().is_empty());
}

#[test]
fn profiles_without_notification_configuration_generate_none() {
    let mut euicc = SoftEuicc::new();
    euicc.install_profile_for_tests(ProfileInfo::new(iccid(ICCID_A))).unwrap();
    let mut card = card_with(euicc);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.enable_profile(iccid(ICCID_A), false).unwrap();
    isdr.disable_profile(iccid(ICCID_A), false).unwrap();
    isdr.delete_profile(iccid(ICCID_A)).unwrap();
    assert_eq!(isdr.list_notifications(None).unwrap(), []);
    assert_eq!(sim(&mut isdr).state().next_seq_number(), 1);
}

#[test]
fn notifications_are_retrieved_signed_and_removed() {
    let mut card = card_with(two_profiles());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.disable_profile(iccid(ICCID_A), false).unwrap();
    let all = isdr.retrieve_notifications(None).unwrap();
    assert_eq!(all.len(), 1);
    let PendingNotification::OtherSignedNotification(other) = &all[0] else { panic!("{:?}", all[0]) };
    let tbs = other.metadata().to_der();
    // 30 { BF2F tbs, 5F37 40 sig(BF2F), 30 00, 30 00 } with the test signer.
    let mut expected = vec![0x30, (tbs.len() + 3 + 64 + 4) as u8];
    expected.extend_from_slice(&tbs);
    expected.extend_from_slice(&[0x5F, 0x37, 0x40]);
    expected.extend_from_slice(&TestSigner::signature(&tbs));
    expected.extend_from_slice(&[0x30, 0x00, 0x30, 0x00]);
    assert_eq!(other.as_der(), expected);
    assert_eq!(
        hex::encode_upper(&tbs),
        // BF2F { 80 01, 81 05 20 (disable), 0C smdp.example.com, 5A iccid }
        "BF2F25800101810205200C10736D64702E6578616D706C652E636F6D5A0A984474680000543721F8"
    );
    // By sequence number; an unknown one is noResultAvailable(1).
    let one = isdr.retrieve_notifications(Some(NotificationSearch::SeqNumber(1))).unwrap();
    assert_eq!(one, all);
    let err = isdr.retrieve_notifications(Some(NotificationSearch::SeqNumber(9))).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::RetrieveNotificationsList(
            RetrieveNotificationsListError::NoResultAvailable
        ))
    ));
    isdr.remove_notification(1).unwrap();
    let err = isdr.remove_notification(1).unwrap_err();
    assert!(matches!(
        err,
        Es10Error::Rejected(Rejection::RemoveNotificationFromList(NotificationSentError::NothingToDelete))
    ));
    assert_eq!(isdr.retrieve_notifications(None).unwrap(), []);
    // Sequence numbers are never reused.
    isdr.enable_profile(iccid(ICCID_A), false).unwrap();
    assert_eq!(isdr.list_notifications(None).unwrap()[0].seq_number, 2);
}

#[test]
fn nickname_set_changed_and_cleared() {
    let mut card = card_with(two_profiles());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.set_nickname(iccid(ICCID_B), "travel").unwrap();
    assert_eq!(isdr.profiles().unwrap()[1].nickname.as_deref(), Some("travel"));
    isdr.set_nickname(iccid(ICCID_B), "").unwrap();
    assert_eq!(isdr.profiles().unwrap()[1].nickname, None);
    let err = isdr.set_nickname(iccid(ICCID_C), "x").unwrap_err();
    assert!(matches!(err, Es10Error::Rejected(Rejection::SetNickname(SetNicknameError::IccidNotFound))));
    // 65 bytes, past the LPA's own check: undefinedError(127).
    let request = SetNicknameRequest::new(iccid(ICCID_B), "n".repeat(65));
    assert_eq!(isdr.es10(&request.to_der()).unwrap(), [0xBF, 0x29, 0x03, 0x80, 0x01, 0x7F]);
}

#[test]
fn memory_reset_by_option() {
    let config =
        EuiccConfig { default_dp_address: Some("factory.example.com".into()), ..EuiccConfig::default() };
    let mut euicc = SoftEuicc::in_memory(config);
    euicc
        .install_profile_for_tests({
            let mut profile_info = profile(ICCID_A, "A");
            profile_info.state = Some(ProfileState::Enabled);
            profile_info
        })
        .unwrap();
    euicc
        .install_profile_for_tests({
            let mut profile_info = profile(ICCID_B, "T");
            profile_info.class = Some(ProfileClass::Test);
            profile_info
        })
        .unwrap();
    let mut card = card_with(euicc);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    isdr.set_default_dp_address(SMDP).unwrap();

    let nothing = |r: Result<(), Es10Error>| {
        matches!(
            r,
            Err(Es10Error::Rejected(Rejection::EuiccMemoryReset(EuiccMemoryResetError::NothingToDelete)))
        )
    };
    assert!(nothing(isdr.memory_reset(BitFlags::from_bits([reset_options::DELETE_PROVISIONING_PROFILES]))));
    isdr.memory_reset(BitFlags::from_bits([reset_options::DELETE_OPERATIONAL_PROFILES])).unwrap();
    assert_eq!(states(sim(&mut isdr)), [(ICCID_B.into(), ProfileState::Disabled)]);
    assert!(nothing(isdr.memory_reset(BitFlags::from_bits([reset_options::DELETE_OPERATIONAL_PROFILES]))));
    isdr.memory_reset(BitFlags::from_bits([reset_options::DELETE_FIELD_LOADED_TEST_PROFILES])).unwrap();
    assert_eq!(states(sim(&mut isdr)), []);
    assert_eq!(isdr.configured_addresses().unwrap().default_dp_address.as_deref(), Some(SMDP));
    isdr.memory_reset(BitFlags::from_bits([reset_options::RESET_DEFAULT_SMDP_ADDRESS])).unwrap();
    assert_eq!(
        isdr.configured_addresses().unwrap().default_dp_address.as_deref(),
        Some("factory.example.com")
    );
    assert!(nothing(isdr.memory_reset(BitFlags::from_bits([0, 1, 2]))));
    // No notification for a memory reset.
    assert_eq!(isdr.list_notifications(None).unwrap(), []);
}

#[test]
fn addresses_info_rat_and_challenge() {
    let mut card = card_with(SoftEuicc::new());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let addresses = isdr.configured_addresses().unwrap();
    assert_eq!(addresses.default_dp_address, None);
    assert_eq!(addresses.root_ds_address, "lpa.ds.gsma.com");
    isdr.set_default_dp_address(SMDP).unwrap();
    assert_eq!(isdr.configured_addresses().unwrap().default_dp_address.as_deref(), Some(SMDP));
    isdr.set_default_dp_address("").unwrap();
    assert_eq!(isdr.configured_addresses().unwrap().default_dp_address, None);

    let info1 = isdr.euicc_info1().unwrap();
    // BF20 { 82 020202, A9 { 04 14 SKI }, AA { 04 14 SKI } }: EUICCInfo1 (SGP.22 §5.7.8).
    assert_eq!(
        hex::encode_upper(&info1.der),
        [
            "BF2035",
            "8203020202",
            "A916041481370F5125D0B1D408D4C3B232E6D25E795BEBFB",
            "AA16041481370F5125D0B1D408D4C3B232E6D25E795BEBFB"
        ]
        .concat()
    );
    let info2 = isdr.euicc_info2().unwrap();
    assert_eq!(info2.ext_card_resource.installed_applications(), Some(0));
    assert_eq!(info2.ext_card_resource.free_non_volatile_memory(), Some(1024 * 1024));
    assert!(info2.rsp_capability.contains(rsp_capability::ADDITIONAL_PROFILE));
    assert_eq!(isdr.rat().unwrap(), []);

    let one = isdr.euicc_challenge().unwrap();
    let two = isdr.euicc_challenge().unwrap();
    assert_ne!(one, two);
}

#[test]
fn free_memory_decreases_with_installed_profiles() {
    let config =
        EuiccConfig { total_memory: 100_000, default_profile_size: 40_000, ..EuiccConfig::default() };
    let mut euicc = SoftEuicc::in_memory(config);
    euicc.install_profile_for_tests(profile(ICCID_A, "A")).unwrap();
    euicc
        .install_profile_for_tests({
            let mut profile_info = profile(ICCID_B, "B");
            profile_info.profile_size = Some(50_000);
            profile_info
        })
        .unwrap();
    assert_eq!(
        euicc.install_profile_for_tests(profile(ICCID_C, "C")),
        Err(oxicard_euicc::roles::euicc::InstallRefusal::InsufficientMemory)
    );
    assert_eq!(
        euicc.install_profile_for_tests(profile(ICCID_A, "A")),
        Err(oxicard_euicc::roles::euicc::InstallRefusal::IccidAlreadyExists)
    );
    let mut card = card_with(euicc);
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let info2 = isdr.euicc_info2().unwrap();
    assert_eq!(info2.ext_card_resource.installed_applications(), Some(2));
    assert_eq!(info2.ext_card_resource.free_non_volatile_memory(), Some(10_000));
    assert!(!info2.rsp_capability.contains(rsp_capability::ADDITIONAL_PROFILE));
    isdr.delete_profile(iccid(ICCID_B)).unwrap();
    let info2 = isdr.euicc_info2().unwrap();
    assert_eq!(info2.ext_card_resource.free_non_volatile_memory(), Some(60_000));
    assert!(info2.rsp_capability.contains(rsp_capability::ADDITIONAL_PROFILE));
}

#[test]
fn small_segments_and_get_response_cla_80() {
    use oxicard_apdu::card::{CardConfig, GetResponseCla};
    let config = CardConfig::default().with_get_response_cla(GetResponseCla::SameAsCommand);
    let mut card = Card::with_config(SimulatorTransport::new(two_profiles()), config);
    let options = IsdrOptions::default().with_segment_size(16);
    let mut isdr = Isdr::open(&mut card, &options).unwrap();
    // SetNickname of 27 + 2 + 10 bytes: 3 blocks of 16.
    let request = SetNicknameRequest::new(iccid(ICCID_A), "a longer nickname here!!!!".into());
    let blocks = request.to_der().len().div_ceil(16) as u64;
    let before = commands(&mut isdr);
    isdr.set_nickname(iccid(ICCID_A), "a longer nickname here!!!!").unwrap();
    assert_eq!(commands(&mut isdr) - before, blocks);
    assert_eq!(isdr.profiles().unwrap()[0].nickname.as_deref(), Some("a longer nickname here!!!!"));
}

#[test]
fn download_functions_answer_undefined_error_for_now() {
    let mut card = card_with(SoftEuicc::new());
    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).unwrap();
    let response = isdr.cancel_session(&[0x01, 0x02], CancelSessionReason::EndUserRejection).unwrap();
    assert_eq!(response.der, [0xBF, 0x41, 0x03, 0x81, 0x01, 0x7F]);
}
