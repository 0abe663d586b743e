//! ES10 decoding (SGP.22 §5.7): every message decoder on arbitrary bytes must return, never
//! panic; whatever decodes must re-encode to DER that decodes to the same value, and the BPP
//! splitter's segments must cover an accepted package byte for byte, in order.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxicard_euicc::es10::*;

/// Decodes `data` as `M`; on success checks `decode(encode(m)) == m` and that the encoding is stable.
fn check<M: Message + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(message) = M::from_der(data) {
        let der = message.to_der();
        let again = M::from_der(&der).expect("re-encoded message decodes");
        assert_eq!(again, message, "{} round trip", M::NAME);
        assert_eq!(again.to_der(), der, "{} encoding is stable", M::NAME);
    }
}

macro_rules! check_all {
    ($data:expr; $($ty:ty),* $(,)?) => { $( check::<$ty>($data); )* };
}

fuzz_target!(|data: &[u8]| {
    check_all!(data;
        GetEuiccDataRequest, GetEuiccDataResponse, GetEuiccInfo1Request, EuiccInfo1, GetEuiccInfo2Request,
        EuiccInfo2, EuiccConfiguredAddressesRequest, EuiccConfiguredAddresses, SetDefaultDpAddressRequest,
        SetDefaultDpAddressResponse, ProfileInfoListRequest, ProfileInfoListResponse, EnableProfileRequest,
        EnableProfileResponse, DisableProfileRequest, DisableProfileResponse, DeleteProfileRequest,
        DeleteProfileResponse, SetNicknameRequest, SetNicknameResponse, ListNotificationRequest,
        ListNotificationResponse, RetrieveNotificationsListRequest, RetrieveNotificationsListResponse,
        NotificationSentRequest, NotificationSentResponse, NotificationMetadata, EuiccMemoryResetRequest,
        EuiccMemoryResetResponse, GetRatRequest, GetRatResponse, GetEuiccChallengeRequest,
        GetEuiccChallengeResponse, AuthenticateServerRequest, AuthenticateServerResponse, PrepareDownloadRequest,
        PrepareDownloadResponse, CancelSessionRequest, CancelSessionResponse, ProfileInstallationResultData,
        ProfileInstallationResult, LoadCrlRequest, LoadCrlResponse, LpaeActivationRequest, LpaeActivationResponse,
        VerifySmdsResponseRequest, VerifySmdsResponseResponse,
    );
    if let Ok(notification) = PendingNotification::from_der(data) {
        assert_eq!(notification.as_der(), data);
        let _ = notification.metadata();
    }
    if let Ok(segments) = bpp::segments(data) {
        let joined: Vec<u8> = segments.iter().flat_map(|s| s.bytes.iter().copied()).collect();
        assert_eq!(joined, data, "segments cover the BPP in order");
    }
});
