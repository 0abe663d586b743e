//! What the download benches share: the test SM-DP+ offering one padded profile, and a download
//! of it over an opened ISD-R.
#![allow(dead_code)]

use oxicard::apdu::card::CardChannel;
use oxicard::euicc::activation::{ActivationCode, DeviceInfo};
use oxicard::euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
use oxicard::euicc::es9::HttpEs9Client;
use oxicard::euicc::iccid::Iccid;
use oxicard::euicc::isdr::Isdr;
use oxicard::sim::pki::TestPki;
use oxicard::sim::smdp::{ProfileBuilder, ProfileMetadata, SmdpServer, TestSmdp};

/// The SM-DP+ address of the benches.
pub(crate) const ADDRESS: &str = "smdp.example.com";

/// The test SM-DP+ on loopback (HTTPS when `tls`) offering a profile padded to `profile_len`
/// bytes under MatchingID `BENCH`, and a client trusting its CI.
pub(crate) fn server(pki: &TestPki, profile_len: usize, tls: bool) -> (SmdpServer, HttpEs9Client) {
    let iccid: Iccid = "8944478600004573128".parse().unwrap();
    let package = ProfileBuilder::new(iccid)
        .padding(profile_len)
        .package(ProfileMetadata::new(iccid, "bench", "oxicard", ADDRESS));
    let smdp = TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS).with_profile("BENCH", package);
    let server = SmdpServer::start(smdp, "127.0.0.1:0", tls.then(|| pki.dp_tls())).unwrap();
    let client = server.client(pki.ci().certificate().der()).unwrap();
    (server, client)
}

/// Downloads the `BENCH` profile onto the eUICC behind `isdr`, accepting it.
pub(crate) fn download_profile<C: CardChannel>(isdr: &mut Isdr<C>, client: &mut HttpEs9Client) {
    let code: ActivationCode = format!("1${ADDRESS}$BENCH").parse().unwrap();
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse().unwrap()));
    let mut accept = |_: &ProfileOffer<'_>| Consent::Accept(None);
    let result = download(isdr, client, &request, &mut accept).unwrap();
    assert!(result.iccid.is_some());
}
