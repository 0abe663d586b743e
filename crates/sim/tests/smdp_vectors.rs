//! The test SM-DP+'s BPP against published bytes: with otSK.DP, otPK.EUICC, hostId, EID, metadata
//! and PPK of pySim's "mode51" test (values captured from a third-party SM-DP+; pySim
//! `tests/unittests/test_esim.py` `TestECKA.test_mode51` and `tests/unittests/test_esim_bsp.py`
//! `BSP_Test_mode51.test_ciphering`), the BPP's
//! ConfigureISDP, StoreMetadata and ReplaceSessionKeys segments equal the captured ones byte for
//! byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod smdp_common;

use oxicard_euicc::asn1::{app, ctx_c, single};
use oxicard_euicc::es10::ProfileClass;
use oxicard_euicc::pki::{Curve, PrivateKey};
use oxicard_secure_channel::bsp::BspKeys;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, TestSmdp};
use smdp_common::*;

/// pySim `TestECKA.test_mode51`: otPK.EUICC.
const EUICC_OTPK: &str = "0400f7b8d71403f21d84b00cd9e561178d737d3f4d065e62fee279271298dd4f07\
                          4794ab791b9939d4461296efe388aa26731064263af988b7d2c4d77da44801b5";
/// pySim `TestECKA.test_mode51`: otSK.DP.
const DP_OTSK: &str = "fb68a38ccedb69e15cbe03c256228998ac398587e5dc7117f948145c839d61a4";
/// pySim `TestECKA.test_mode51`: otPK.DP.
const DP_OTPK: &str = "04a27e2bdbd94dcf67d4c9ae5cb149d9d0f093be7a16dc41ec9db0318e4db72d09\
                       234a7d7631979a5d150eec40afe17ce41673df9d2f2e4246d60051c74eba7964";
/// pySim `BSP_Test_mode51` segment 1: ConfigureISDP `BF2400`, tag 87, counter 1.
const SEGMENT_87_CONFIGURE: &str = "8718f6fe031e4b9cfe87c8e1e62f3fde85c49412d7722a6a2d89";
/// pySim `BSP_Test_mode51` segment 2: StoreMetadata, tag 88, counter 2.
const SEGMENT_88_METADATA: &str = "8838bf252d5a0a98001032547698103214910947534d415f54455354921147534d41\
                                   5f544553545f50524f46494c459501008a62cc9adbb5ccbc";
/// pySim `BSP_Test_mode51` segment 3: ReplaceSessionKeys, tag 87, counter 3.
const SEGMENT_87_RSK: &str = "8748a14c800a001992351cd46ad2945654674369701d82b7b46567652bc8fbed234939fc57\
                              fba748015525fd6c651e9d3d1330652d42a0cfad950e912122af4ec5362d3c0bc535729c40";

#[test]
fn bpp_segments_match_the_mode51_capture() {
    let pki = pki();
    // The default test PKI's EID is the one of the capture (89049032123451234512345678901235).
    assert_eq!(pki.euicc_identity().unwrap().eid(), "89049032123451234512345678901235");
    let iccid = "89000123456789012341".parse().unwrap();
    let metadata = ProfileMetadata {
        iccid,
        service_provider_name: "GSMA_TEST".into(),
        profile_name: "GSMA_TEST_PROFILE".into(),
        profile_class: Some(ProfileClass::Test),
        notifications: Vec::new(),
    };
    let mut smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS)
        .with_profile("", ProfileBuilder::new(iccid).package(metadata));
    smdp.set_host_id(&[0x80; 8]);
    let ppk = BspKeys::new(
        &hex::decode("000102030405060708090a0b0c0d0e0f").unwrap(),
        &hex::decode("010102030405060708090a0b0c0d0e0f").unwrap(),
        &hex::decode("020102030405060708090a0b0c0d0e0f").unwrap(),
    )
    .unwrap();
    let otsk = PrivateKey::from_bytes(Curve::NistP256, &hex::decode(DP_OTSK).unwrap()).unwrap();
    smdp.set_fixed_bpp_keys(Some(otsk), Some(ppk));

    let mut euicc = Euicc::new(&pki);
    let init = smdp.initiate_authentication(&initiate_request(&pki)).unwrap();
    let auth = smdp.authenticate_client(&euicc.authenticate_server(&init, None)).unwrap();
    let request =
        euicc.prepare_download_with(&auth, &init.transaction_id, None, &hex::decode(EUICC_OTPK).unwrap());
    let bpp = smdp.get_bound_profile_package(&request).unwrap().bound_profile_package;

    let parts = single(&bpp, ctx_c(54), "BF36").unwrap().fields("BF36").unwrap();
    let init_fields = parts.req(ctx_c(35), "BF23").unwrap().fields("BF23").unwrap();
    assert_eq!(hex::encode(init_fields.req(app(73), "otPK.DP").unwrap().value()), DP_OTPK);
    assert_eq!(hex::encode(parts.req(ctx_c(0), "A0").unwrap().value()), SEGMENT_87_CONFIGURE);
    assert_eq!(hex::encode(parts.req(ctx_c(1), "A1").unwrap().value()), SEGMENT_88_METADATA);
    assert_eq!(hex::encode(parts.req(ctx_c(2), "A2").unwrap().value()), SEGMENT_87_RSK);
}
