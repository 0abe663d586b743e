//! ES10a/b/c on the card side: one reassembled STORE DATA request in, one response TLV out
//! (SGP.22 §5.7), dispatched by the request's tag, with the request and response types of
//! `oxicard_euicc::es10`.
//!
//! Errors: a request that is no complete TLV, or whose tag is no ES10 function, is refused with
//! `6A80` (incorrect data; `6A88` for a well-formed TLV with an unknown tag). A known function
//! whose contents do not decode gets its own error code where SGP.22 gives it one
//! (`undefinedError(127)`, GetProfilesInfo `incorrectInputValues(1)`), `6A80` otherwise.

use oxicard_apdu::StatusWord;
use oxicard_euicc::asn1::{DecodeError, TlvHeader, tag_bytes};
use oxicard_euicc::es10::*;

use super::download::DownloadContext;
use super::notifications::{configured_address, other_notification};
use super::profiles::{default_tags, find, matches, split_tag_list, with_tags};
use super::{EuiccConfig, SoftEuicc, State, free_memory, take_seq_number};

/// Whether `tag` starts an ES8+ request handled by the download handler: AuthenticateServer
/// `BF38`, PrepareDownload `BF21`, CancelSession `BF41`, or a LoadBoundProfilePackage segment
/// (`BF36` header, `A0`–`A3` headers, `86`/`87`/`88` TLVs; SGP.22 §5.7.6, `es10::bpp`).
fn is_download(tag: &[u8]) -> bool {
    matches!(tag, [0xBF, 0x38] | [0xBF, 0x21] | [0xBF, 0x41] | [0xBF, 0x36] | [0xA0..=0xA3] | [0x86..=0x88])
}

/// An ES10 response TLV, or the status word that refuses the request.
type Outcome = Result<Vec<u8>, StatusWord>;

fn reply<M: Message>(message: M) -> Outcome {
    Ok(message.to_der())
}

/// Routes `request` to the method for the first request type whose tag matches.
macro_rules! route {
    ($self:ident, $tag:expr, $request:expr; $($ty:ty => $method:ident,)*) => {
        $(
            if $tag == tag_bytes(<$ty as Message>::TAG).as_slice() {
                return $self.$method(<$ty>::from_der($request));
            }
        )*
    };
}

impl SoftEuicc {
    /// Processes one reassembled ES10 request. State changes are written to the state file
    /// before this returns; if that fails they are undone and the answer is `6581` (memory
    /// failure, ISO/IEC 7816-4 §5.6).
    pub(crate) fn es10(&mut self, request: &[u8]) -> Outcome {
        self.es10_requests = self.es10_requests.saturating_add(1);
        let before = self.state.clone();
        let outcome = self.dispatch(request);
        if matches!(&outcome, Ok(answer) if !answer.is_empty()) {
            self.es10_answers = self.es10_answers.saturating_add(1);
        }
        if self.state != before && self.save().is_err() {
            self.state = before;
            return Err(StatusWord::MEMORY_FAILURE);
        }
        outcome
    }

    fn dispatch(&mut self, request: &[u8]) -> Outcome {
        let header = TlvHeader::parse(request).ok_or(StatusWord::WRONG_DATA)?;
        let tag = request.get(..header.tag_len).ok_or(StatusWord::WRONG_DATA)?;
        if is_download(tag) {
            let mut context = DownloadContext {
                config: &self.config,
                state: &mut self.state,
                signer: self.signer.as_ref(),
                challenge: &mut self.challenge,
            };
            return self.download.handle(request, &mut context);
        }
        if header.total_len() != request.len() {
            return Err(StatusWord::WRONG_DATA);
        }
        route! { self, tag, request;
            GetEuiccDataRequest => get_eid,
            GetEuiccInfo1Request => euicc_info1,
            GetEuiccInfo2Request => euicc_info2,
            EuiccConfiguredAddressesRequest => configured_addresses,
            SetDefaultDpAddressRequest => set_default_dp_address,
            ProfileInfoListRequest => profiles_info,
            EnableProfileRequest => enable_profile,
            DisableProfileRequest => disable_profile,
            DeleteProfileRequest => delete_profile,
            SetNicknameRequest => set_nickname,
            ListNotificationRequest => list_notification,
            RetrieveNotificationsListRequest => retrieve_notifications,
            NotificationSentRequest => remove_notification,
            EuiccMemoryResetRequest => memory_reset,
            GetRatRequest => get_rat,
            GetEuiccChallengeRequest => euicc_challenge,
            LoadCrlRequest => load_crl,
            LpaeActivationRequest => lpae_activation,
            VerifySmdsResponseRequest => verify_smds_response,
        }
        Err(StatusWord::REFERENCED_DATA_NOT_FOUND)
    }

    /// GetEID (SGP.22 §5.7.20): the tag list must ask for `5A`.
    fn get_eid(&mut self, request: Result<GetEuiccDataRequest, DecodeError>) -> Outcome {
        let request = request.map_err(|_| StatusWord::WRONG_DATA)?;
        if !request.tag_list.contains(&0x5A) {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        reply(GetEuiccDataResponse::new(self.config.eid))
    }

    /// GetEUICCInfo, EUICCInfo1 (SGP.22 §5.7.8).
    fn euicc_info1(&mut self, request: Result<GetEuiccInfo1Request, DecodeError>) -> Outcome {
        request.map_err(|_| StatusWord::WRONG_DATA)?;
        let info2 = &self.config.info2;
        reply(EuiccInfo1::new(
            info2.svn,
            info2.ci_pkids_for_verification.clone(),
            info2.ci_pkids_for_signing.clone(),
        ))
    }

    /// GetEUICCInfo, EUICCInfo2 (SGP.22 §5.7.8), with the free memory of now.
    fn euicc_info2(&mut self, request: Result<GetEuiccInfo2Request, DecodeError>) -> Outcome {
        request.map_err(|_| StatusWord::WRONG_DATA)?;
        reply(self.euicc_info2_now())
    }

    /// GetEuiccConfiguredAddresses (SGP.22 §5.7.3).
    fn configured_addresses(
        &mut self,
        request: Result<EuiccConfiguredAddressesRequest, DecodeError>,
    ) -> Outcome {
        request.map_err(|_| StatusWord::WRONG_DATA)?;
        reply({
            let mut euicc_configured_addresses = EuiccConfiguredAddresses::default();
            euicc_configured_addresses.default_dp_address = self.state.default_dp_address.clone();
            euicc_configured_addresses.root_ds_address = self.config.root_ds_address.clone();
            euicc_configured_addresses
        })
    }

    /// SetDefaultDpAddress (SGP.22 §5.7.4): an empty address removes it; a v3 allowedCiPKId
    /// this eUICC cannot verify is `unsupportedCiPKId(8)`.
    fn set_default_dp_address(
        &mut self,
        request: Result<SetDefaultDpAddressRequest, DecodeError>,
    ) -> Outcome {
        let result = match request {
            Err(_) => Err(SetDefaultDpAddressError::UndefinedError),
            Ok(request)
                if request
                    .allowed_ci_pkid
                    .as_ref()
                    .is_some_and(|id| !self.config.info2.ci_pkids_for_verification.contains(id)) =>
            {
                Err(SetDefaultDpAddressError::UnsupportedCiPKId)
            }
            Ok(request) => {
                self.state.default_dp_address = Some(request.address).filter(|a| !a.is_empty());
                Ok(())
            }
        };
        reply(SetDefaultDpAddressResponse::new(result))
    }

    /// GetProfilesInfo (SGP.22 §5.7.15): search criteria, tag list (default: every tag but
    /// the icon).
    fn profiles_info(&mut self, request: Result<ProfileInfoListRequest, DecodeError>) -> Outcome {
        let incorrect = ProfileInfoListResponse::new(Err(ProfileInfoListError::IncorrectInputValues));
        let Ok(request) = request else { return reply(incorrect) };
        let tags = match &request.tag_list {
            None => default_tags(),
            Some(list) => match split_tag_list(list) {
                Some(tags) => tags,
                None => return reply(incorrect),
            },
        };
        let profiles = self
            .state
            .profiles
            .iter()
            .filter(|p| matches(p, request.search.as_ref()))
            .map(|p| with_tags(p, &tags))
            .collect();
        reply(ProfileInfoListResponse::new(Ok(profiles)))
    }

    /// EnableProfile (SGP.22 §5.7.16, v2 single enabled profile): the target must exist (1)
    /// and be disabled (2); the enabled profile is disabled first unless its PPR1 forbids it
    /// (3). Disable and enable notifications per the profiles' configurations, in that order.
    fn enable_profile(&mut self, request: Result<EnableProfileRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(EnableProfileError::UndefinedError),
            Ok(request) => self.enable(&request.profile),
        };
        reply(EnableProfileResponse::new(result))
    }

    fn enable(&mut self, id: &ProfileIdentifier) -> Result<(), EnableProfileError> {
        let target = find(&self.state.profiles, id).ok_or(EnableProfileError::IccidOrAidNotFound)?;
        let profiles = &self.state.profiles;
        if profiles.get(target).and_then(|p| p.state) != Some(ProfileState::Disabled) {
            return Err(EnableProfileError::ProfileNotInDisabledState);
        }
        let current = profiles.iter().position(|p| p.state == Some(ProfileState::Enabled));
        if let Some(current) = current.and_then(|i| profiles.get(i))
            && current.policy_rules.as_ref().is_some_and(|r| r.contains(ppr::PPR1))
        {
            return Err(EnableProfileError::DisallowedByPolicy);
        }
        let mut changes = Vec::new();
        if let Some(current) = current {
            changes.push((current, ProfileState::Disabled, notification_event::DISABLE));
        }
        changes.push((target, ProfileState::Enabled, notification_event::ENABLE));
        self.switch(&changes).map_err(|()| EnableProfileError::UndefinedError)
    }

    /// Sets each `(profile, state)` with the notification of `bit`; all or nothing.
    fn switch(&mut self, changes: &[(usize, ProfileState, usize)]) -> Result<(), ()> {
        let mut next = self.state.clone();
        for &(index, state, bit) in changes {
            let profile = next.profiles.get_mut(index).ok_or(())?;
            profile.state = Some(state);
            let profile = profile.clone();
            self.notify(&mut next, &profile, bit)?;
        }
        self.state = next;
        Ok(())
    }

    /// Adds the notification of operation `bit` on `profile` to `state`, if the profile's
    /// configuration asks for one.
    fn notify(&self, state: &mut super::State, profile: &ProfileInfo, bit: usize) -> Result<(), ()> {
        let Some(address) = configured_address(profile, bit) else { return Ok(()) };
        let seq_number = take_seq_number(state);
        let notification = other_notification(self.signer.as_ref(), profile, bit, seq_number, address)
            .map_err(|err| tracing::error!(target: "oxicard::sim", "{err}"))?;
        state.notifications.push(notification);
        Ok(())
    }

    /// DisableProfile (SGP.22 §5.7.17): must exist (1), be enabled (2), PPR1 not set (3).
    fn disable_profile(&mut self, request: Result<DisableProfileRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(DisableProfileError::UndefinedError),
            Ok(request) => self.disable(&request.profile),
        };
        reply(DisableProfileResponse::new(result))
    }

    fn disable(&mut self, id: &ProfileIdentifier) -> Result<(), DisableProfileError> {
        let index = find(&self.state.profiles, id).ok_or(DisableProfileError::IccidOrAidNotFound)?;
        let profile = self.state.profiles.get(index).ok_or(DisableProfileError::IccidOrAidNotFound)?;
        if profile.state != Some(ProfileState::Enabled) {
            return Err(DisableProfileError::ProfileNotInEnabledState);
        }
        if profile.policy_rules.as_ref().is_some_and(|r| r.contains(ppr::PPR1)) {
            return Err(DisableProfileError::DisallowedByPolicy);
        }
        self.switch(&[(index, ProfileState::Disabled, notification_event::DISABLE)])
            .map_err(|()| DisableProfileError::UndefinedError)
    }

    /// DeleteProfile (SGP.22 §5.7.18): must exist (1), be disabled (2), PPR2 not set (3).
    fn delete_profile(&mut self, request: Result<DeleteProfileRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(DeleteProfileError::UndefinedError),
            Ok(request) => self.delete(&request.profile),
        };
        reply(DeleteProfileResponse::new(result))
    }

    fn delete(&mut self, id: &ProfileIdentifier) -> Result<(), DeleteProfileError> {
        let index = find(&self.state.profiles, id).ok_or(DeleteProfileError::IccidOrAidNotFound)?;
        let profile = self.state.profiles.get(index).ok_or(DeleteProfileError::IccidOrAidNotFound)?;
        if profile.state != Some(ProfileState::Disabled) {
            return Err(DeleteProfileError::ProfileNotInDisabledState);
        }
        if profile.policy_rules.as_ref().is_some_and(|r| r.contains(ppr::PPR2)) {
            return Err(DeleteProfileError::DisallowedByPolicy);
        }
        let profile = profile.clone();
        let mut next = self.state.clone();
        next.remove_profile(index);
        self.notify(&mut next, &profile, notification_event::DELETE)
            .map_err(|()| DeleteProfileError::UndefinedError)?;
        self.state = next;
        Ok(())
    }

    /// SetNickname (SGP.22 §5.7.21): ICCID unknown is `iccidNotFound(1)`; more than 64 bytes
    /// is `undefinedError(127)`; an empty nickname removes it.
    fn set_nickname(&mut self, request: Result<SetNicknameRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(SetNicknameError::UndefinedError),
            Ok(request) if request.nickname.len() > 64 => Err(SetNicknameError::UndefinedError),
            Ok(request) => {
                let id = ProfileIdentifier::Iccid(request.iccid);
                match find(&self.state.profiles, &id).and_then(|i| self.state.profiles.get_mut(i)) {
                    None => Err(SetNicknameError::IccidNotFound),
                    Some(profile) => {
                        profile.nickname = Some(request.nickname).filter(|n| !n.is_empty());
                        Ok(())
                    }
                }
            }
        };
        reply(SetNicknameResponse::new(result))
    }

    /// The pending notifications whose operation is one of `operations` (all when `None`).
    fn notifications_of<'a>(
        &'a self,
        operations: Option<&'a BitFlags>,
    ) -> impl Iterator<Item = &'a PendingNotification> + 'a {
        self.state.notifications.iter().filter(move |n| {
            operations.is_none_or(|ops| n.metadata().operation.iter().any(|bit| ops.contains(bit)))
        })
    }

    /// ListNotification (SGP.22 §5.7.9).
    fn list_notification(&mut self, request: Result<ListNotificationRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(ListNotificationError::UndefinedError),
            Ok(request) => {
                Ok(self.notifications_of(request.operations.as_ref()).map(|n| n.metadata().clone()).collect())
            }
        };
        reply(ListNotificationResponse::new(result))
    }

    /// RetrieveNotificationsList (SGP.22 §5.7.10): with search criteria that match nothing,
    /// `noResultAvailable(1)` (v2 module).
    fn retrieve_notifications(
        &mut self,
        request: Result<RetrieveNotificationsListRequest, DecodeError>,
    ) -> Outcome {
        let result = match request {
            Err(_) => Err(RetrieveNotificationsListError::UndefinedError),
            Ok(RetrieveNotificationsListRequest { search: None, .. }) => Ok(self.state.notifications.clone()),
            Ok(RetrieveNotificationsListRequest { search: Some(search), .. }) => {
                let found: Vec<_> = match &search {
                    NotificationSearch::SeqNumber(seq) => self
                        .state
                        .notifications
                        .iter()
                        .filter(|n| n.metadata().seq_number == *seq)
                        .cloned()
                        .collect(),
                    NotificationSearch::Operations(ops) => {
                        self.notifications_of(Some(ops)).cloned().collect()
                    }
                    // A criterion of a later SGP.22 version: nothing this card keeps matches it.
                    _ => Vec::new(),
                };
                if found.is_empty() {
                    Err(RetrieveNotificationsListError::NoResultAvailable)
                } else {
                    Ok(found)
                }
            }
        };
        reply(RetrieveNotificationsListResponse::new(result))
    }

    /// RemoveNotificationFromList (SGP.22 §5.7.11): `nothingToDelete(1)` for an unknown number.
    fn remove_notification(&mut self, request: Result<NotificationSentRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(NotificationSentError::UndefinedError),
            Ok(request) => {
                let before = self.state.notifications.len();
                self.state.notifications.retain(|n| n.metadata().seq_number != request.seq_number);
                if self.state.notifications.len() == before {
                    Err(NotificationSentError::NothingToDelete)
                } else {
                    Ok(())
                }
            }
        };
        reply(NotificationSentResponse::new(result))
    }

    /// eUICCMemoryReset (SGP.22 §5.7.19): deletes the operational (bit 0), test (bit 1; all
    /// test profiles count as field-loaded) and v3 provisioning (bit 4) profiles, enabled or
    /// not, and resets the default SM-DP+ address to its configured initial value (bit 2).
    /// Nothing done is `nothingToDelete(1)`. No notification is generated and pending ones are
    /// kept (**UNVERIFIED** against a real eUICC).
    fn memory_reset(&mut self, request: Result<EuiccMemoryResetRequest, DecodeError>) -> Outcome {
        let result = match request {
            Err(_) => Err(EuiccMemoryResetError::UndefinedError),
            Ok(request) => {
                let options = &request.options;
                let doomed = |p: &ProfileInfo| match p.class() {
                    ProfileClass::Operational => options.contains(reset_options::DELETE_OPERATIONAL_PROFILES),
                    ProfileClass::Test => options.contains(reset_options::DELETE_FIELD_LOADED_TEST_PROFILES),
                    ProfileClass::Provisioning => {
                        options.contains(reset_options::DELETE_PROVISIONING_PROFILES)
                    }
                    _ => false,
                };
                let before = self.state.profiles.len();
                self.state.retain_profiles(|p| !doomed(p));
                let mut changed = self.state.profiles.len() != before;
                if options.contains(reset_options::RESET_DEFAULT_SMDP_ADDRESS)
                    && self.state.default_dp_address != self.config.default_dp_address
                {
                    self.state.default_dp_address = self.config.default_dp_address.clone();
                    changed = true;
                }
                if changed { Ok(()) } else { Err(EuiccMemoryResetError::NothingToDelete) }
            }
        };
        reply(EuiccMemoryResetResponse::new(result))
    }

    /// GetRAT (SGP.22 §5.7.22): the configured rules.
    fn get_rat(&mut self, request: Result<GetRatRequest, DecodeError>) -> Outcome {
        request.map_err(|_| StatusWord::WRONG_DATA)?;
        reply({
            let mut get_rat_response = GetRatResponse::default();
            get_rat_response.rules = self.config.rat.clone();
            get_rat_response
        })
    }

    /// GetEUICCChallenge (SGP.22 §5.7.7): 16 fresh random bytes; starts a new RSP session and
    /// discards the previous one (as pySim's eUICC model does; SGP.22 §3.1.3).
    fn euicc_challenge(&mut self, request: Result<GetEuiccChallengeRequest, DecodeError>) -> Outcome {
        request.map_err(|_| StatusWord::WRONG_DATA)?;
        let mut challenge = [0u8; 16];
        getrandom::fill(&mut challenge).map_err(|err| {
            tracing::error!(target: "oxicard::sim", "no randomness: {err}");
            StatusWord::EXECUTION_ERROR
        })?;
        self.challenge = Some(challenge);
        self.download.reset_session();
        reply(GetEuiccChallengeResponse::new(challenge))
    }

    /// LoadCRL (v2 §5.7.12): CRLs are not supported (rspCapability `crlSupport` is not set):
    /// `undefinedError(127)`.
    fn load_crl(&mut self, _: Result<LoadCrlRequest, DecodeError>) -> Outcome {
        reply(LoadCrlResponse::new(Err(LoadCrlError::UndefinedError)))
    }

    /// LpaeActivation (SGP.22 §5.7.x): no LPAe: `notSupported(1)`.
    fn lpae_activation(&mut self, _: Result<LpaeActivationRequest, DecodeError>) -> Outcome {
        reply(LpaeActivationResponse::new(Err(LpaeActivationError::NotSupported)))
    }

    /// VerifySmdsResponse (v3): no v3 session: `noSession(4)`.
    fn verify_smds_response(&mut self, _: Result<VerifySmdsResponseRequest, DecodeError>) -> Outcome {
        reply(VerifySmdsResponseResponse::new(Err(VerifySmdsResponseError::NoSession)))
    }

    /// EUICCInfo2 from the configuration with the memory of now: `extCardResource` counts the
    /// installed profiles and the free memory (ETSI TS 102 226 §8.2.1.7.2), `rspCapability`
    /// has `additionalProfile` while a profile of the default size still fits.
    pub(crate) fn euicc_info2_now(&self) -> EuiccInfo2 {
        euicc_info2_of(&self.config, &self.state)
    }
}

/// EUICCInfo2 of `config` with the memory of `state` (see [`SoftEuicc::euicc_info2_now`]); also
/// the `euiccInfo2` of euiccSigned1 (SGP.22 §5.7.13).
pub(crate) fn euicc_info2_of(config: &EuiccConfig, state: &State) -> EuiccInfo2 {
    let mut info = config.info2.clone();
    let free = free_memory(config, state);
    let mut resource = Vec::new();
    let mut push = |tag: u8, value: u64| {
        let bytes = value.to_be_bytes();
        // Leading zero bytes dropped, the last byte always kept.
        let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        let (_, significant) = bytes.split_at(skip);
        resource.push(tag);
        resource.push(significant.len() as u8);
        resource.extend_from_slice(significant);
    };
    push(0x81, state.profiles.len() as u64);
    push(0x82, free);
    push(0x83, config.free_volatile_memory);
    info.ext_card_resource = ExtCardResource(resource);
    if free >= config.default_profile_size {
        info.rsp_capability.insert(rsp_capability::ADDITIONAL_PROFILE);
    } else {
        info.rsp_capability.remove(rsp_capability::ADDITIONAL_PROFILE);
    }
    info
}
