//! Arbitrary APDU sequences against the software eUICC: well-formed ES10 traffic cut into
//! random blocks, mixed with reordered blocks, GET RESPONSE, channel juggling, resets and raw
//! garbage. The card never panics, always answers a status word, and keeps its invariants
//! (at most one enabled profile, unique ICCIDs/AIDs, notification sequence numbers increasing
//! and never reused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use oxicard_euicc::es10::*;
use oxicard_euicc::iccid::Iccid;
use oxicard_sim::euicc::SoftEuicc;
use oxicard_transport::sim::CardSimulator;
use proptest::prelude::*;

const ICCIDS: [&str; 3] = ["8944478600004573128", "8944478600004573136", "8944478600004573144"];

fn iccid(index: usize) -> Iccid {
    ICCIDS[index % ICCIDS.len()].parse().unwrap()
}

fn euicc() -> SoftEuicc {
    let mut euicc = SoftEuicc::new();
    for (index, _) in ICCIDS.iter().enumerate() {
        euicc
            .install_profile_for_tests({
                let mut profile_info = ProfileInfo::new(iccid(index));
                profile_info.state =
                    Some(if index == 0 { ProfileState::Enabled } else { ProfileState::Disabled });
                profile_info.notification_configuration =
                    Some(vec![NotificationConfigurationInformation::new(
                        BitFlags::from_bits([1, 2, 3]),
                        "smdp.example.com".into(),
                    )]);
                profile_info
            })
            .unwrap();
    }
    euicc.reset();
    euicc
}

/// An ES10 request of the kinds that change or read state.
fn request() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0..3usize, any::<bool>()).prop_map(|(i, refresh)| EnableProfileRequest::new(
            iccid(i).into(),
            refresh
        )
        .to_der()),
        (0..3usize).prop_map(|i| DisableProfileRequest::new(iccid(i).into(), false).to_der()),
        (0..3usize).prop_map(|i| DeleteProfileRequest::new(iccid(i).into()).to_der()),
        (0..3usize, "[a-z]{0,70}")
            .prop_map(|(i, nickname)| SetNicknameRequest::new(iccid(i), nickname).to_der()),
        (0..8u64).prop_map(|seq_number| {
            let mut notification_sent_request = NotificationSentRequest::default();
            notification_sent_request.seq_number = seq_number;
            notification_sent_request
        }
        .to_der()),
        (0..32usize).prop_map(|bits| {
            let mut euicc_memory_reset_request = EuiccMemoryResetRequest::default();
            euicc_memory_reset_request.options = BitFlags::from_bits((0..5).filter(|b| bits & (1 << b) != 0));
            euicc_memory_reset_request
        }
        .to_der()),
        Just(ProfileInfoListRequest::default().to_der()),
        Just(RetrieveNotificationsListRequest::default().to_der()),
        Just(ListNotificationRequest::default().to_der()),
        Just(GetEuiccInfo2Request.to_der()),
        Just(GetEuiccChallengeRequest.to_der()),
        "[a-z.]{0,20}".prop_map(|address| {
            let mut set_default_dp_address_request = SetDefaultDpAddressRequest::default();
            set_default_dp_address_request.address = address;
            set_default_dp_address_request
        }
        .to_der()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Select(u8),
    Open,
    Close(u8),
    /// A request in blocks of `size`, P2 of block `skew` shifted by one (0: none).
    Es10 {
        channel: u8,
        request: Vec<u8>,
        size: usize,
        skew: usize,
        le: bool,
    },
    GetResponse(u8, u8),
    Reset,
    Raw(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..4u8).prop_map(Op::Select),
        1 => Just(Op::Open),
        1 => (0..5u8).prop_map(Op::Close),
        6 => (0..4u8, request(), 1..=255usize, 0..4usize, any::<bool>())
            .prop_map(|(channel, request, size, skew, le)| Op::Es10 { channel, request, size, skew, le }),
        1 => (0..4u8, any::<u8>()).prop_map(|(c, le)| Op::GetResponse(c, le)),
        1 => Just(Op::Reset),
        1 => proptest::collection::vec(any::<u8>(), 0..30).prop_map(Op::Raw),
    ]
}

fn cla(base: u8, channel: u8) -> u8 {
    base | channel
}

/// The APDUs of `op`.
fn apdus(op: &Op) -> Vec<Vec<u8>> {
    match op {
        Op::Select(c) => {
            let mut apdu = vec![cla(0x00, *c), 0xA4, 0x04, 0x00, 0x10];
            apdu.extend_from_slice(&oxicard_euicc::isdr::ISD_R_AID);
            apdu.push(0x00);
            vec![apdu]
        }
        Op::Open => vec![vec![0x00, 0x70, 0x00, 0x00, 0x01]],
        Op::Close(n) => vec![vec![0x00, 0x70, 0x80, *n]],
        Op::Es10 { channel, request, size, skew, le } => {
            let chunks: Vec<_> = request.chunks(*size).collect();
            let count = chunks.len();
            chunks
                .iter()
                .enumerate()
                .map(|(index, chunk)| {
                    let last = index + 1 == count;
                    let block = if *skew != 0 && index == *skew { index + 1 } else { index };
                    let mut apdu = vec![
                        cla(0x80, *channel),
                        0xE2,
                        if last { 0x91 } else { 0x11 },
                        block as u8,
                        chunk.len() as u8,
                    ];
                    apdu.extend_from_slice(chunk);
                    if last && *le {
                        apdu.push(0x00);
                    }
                    apdu
                })
                .collect()
        }
        Op::GetResponse(c, le) => vec![vec![cla(0x80, *c), 0xC0, 0x00, 0x00, *le]],
        Op::Reset => Vec::new(),
        Op::Raw(bytes) => vec![bytes.clone()],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_apdu_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        let mut euicc = euicc();
        let mut counter = euicc.state().next_seq_number();
        for op in &ops {
            if matches!(op, Op::Reset) {
                euicc.reset();
            }
            for apdu in apdus(op) {
                let mut response = Vec::new();
                euicc.process(&apdu, &mut response);
                prop_assert!(response.len() >= 2, "{apdu:02X?} got {response:02X?}");
                prop_assert!(response.len() <= 258);
                prop_assert_eq!(euicc.state().check(), Ok(()));
                let now = euicc.state().next_seq_number();
                prop_assert!(now >= counter, "the sequence counter went back");
                counter = now;
                prop_assert!(euicc.state().profiles().iter().filter(|p| p.state == Some(ProfileState::Enabled)).count() <= 1);
            }
        }
    }
}
