//! The eUICC side of a download, built by hand for the test SM-DP+ tests: the messages a real
//! eUICC returns (SGP.22 §5.7.13 AuthenticateServer, §5.7.5 PrepareDownload, §5.7.6 PIR,
//! §5.7.14 CancelSession), signed with the test PKI's eUICC key. Hand-built examples, not vectors.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use der::Tag;
use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::asn1::{Encoder, Fields, app, ctx, ctx_c, single};
use oxicard_euicc::es9::{
    AuthenticateClientRequest, AuthenticateClientResponse, GetBoundProfilePackageRequest,
    InitiateAuthenticationRequest, InitiateAuthenticationResponse, TransactionId,
};
use oxicard_euicc::es10::{
    AuthenticateResponseOk, AuthenticateServerResponse, BitFlags, CancelSessionReason, CancelSessionResponse,
    CancelSessionResponseOk, CtxParams1, EuiccInfo1, FinalResult, Message, NotificationMetadata,
    PrepareDownloadResponse, PrepareDownloadResponseOk, ProfileInstallationResult,
    ProfileInstallationResultData, Version, notification_event,
};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::pki::{Curve, EuiccIdentity, OneTimeKeyPair, SignedData};
use oxicard_secure_channel::bsp::{BspKeys, BspVerifier, SharedInfo};
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, ProfilePackage, TestSmdp};

/// The SM-DP+ address of the tests.
pub const ADDRESS: &str = "smdp.example.com";
/// The ICCID of the default test profile (the example ICCID of euicc-go's `v2/identifier.go` test).
pub const ICCID: &str = "8944478600004573128";
/// The ICCID of the MatchingID profile.
pub const ICCID2: &str = "8944478600004573136";
/// The euiccChallenge of the tests.
pub const CHALLENGE: [u8; 16] = [0xC1; 16];

pub fn pki() -> TestPki {
    TestPki::from_seed([7; 32]).unwrap()
}

pub fn package(iccid: &str, padding: usize) -> ProfilePackage {
    let iccid: Iccid = iccid.parse().unwrap();
    ProfileBuilder::new(iccid)
        .padding(padding)
        .package(ProfileMetadata::new(iccid, "Test", "oxicard", ADDRESS))
}

/// A server with the default profile (`""`), `MATCH-1` (2500-byte padding: three `86`
/// segments) and `CC-1` (confirmation code `1234`).
pub fn smdp(pki: &TestPki) -> TestSmdp {
    TestSmdp::new(pki.smdp_identity().unwrap(), ADDRESS)
        .with_profile("", package(ICCID, 0))
        .with_profile("MATCH-1", package(ICCID2, 2500))
        .with_profile("CC-1", package(ICCID2, 0).with_confirmation_code("1234"))
}

pub fn euicc_info1(pki: &TestPki) -> Vec<u8> {
    let ski = pki.ci().certificate().subject_key_identifier().unwrap().to_vec();
    EuiccInfo1::new(Version { major: 2, minor: 2, revision: 2 }, vec![ski.clone()], vec![ski]).to_der()
}

pub fn initiate_request(pki: &TestPki) -> InitiateAuthenticationRequest {
    InitiateAuthenticationRequest::new(ADDRESS.into(), CHALLENGE, euicc_info1(pki))
}

/// The fields of a `30` TLV.
pub fn fields(tlv: &[u8]) -> Fields<'_> {
    single(tlv, Tag::Sequence, "test").unwrap().fields("test").unwrap()
}

/// A minimal EUICCInfo2 for euiccSigned1 (the SM-DP+ does not read it): `BF22 { 81 profileVersion }`.
const EUICC_INFO2: [u8; 8] = [0xBF, 0x22, 0x05, 0x81, 0x03, 0x02, 0x03, 0x00];

/// What the eUICC keeps between the steps.
pub struct Euicc {
    pub identity: EuiccIdentity,
    pub euicc_signature1: Vec<u8>,
    pub otk: Option<OneTimeKeyPair>,
}

impl Euicc {
    pub fn new(pki: &TestPki) -> Euicc {
        Euicc { identity: pki.euicc_identity().unwrap(), euicc_signature1: Vec::new(), otk: None }
    }

    /// AuthenticateServer's answer: euiccSigned1 with the echoed transactionId / serverAddress /
    /// serverChallenge of serverSigned1, ctxParams1 with `matching_id`.
    pub fn authenticate_server(
        &mut self,
        init: &InitiateAuthenticationResponse,
        matching_id: Option<&str>,
    ) -> AuthenticateClientRequest {
        let server = fields(&init.server_signed1);
        let tx = server.req(ctx(0), "tx").unwrap().value().to_vec();
        let challenge = server.req(ctx(4), "sc").unwrap().value().to_vec();
        let address = server.req(ctx(3), "addr").unwrap().utf8().unwrap();
        self.authenticate_server_with(&init.transaction_id, &tx, &address, &challenge, matching_id)
    }

    pub fn authenticate_server_with(
        &mut self,
        transaction_id: &TransactionId,
        tx: &[u8],
        address: &str,
        challenge: &[u8],
        matching_id: Option<&str>,
    ) -> AuthenticateClientRequest {
        let ctx_params = CtxParams1::new(
            matching_id.map(str::to_string),
            DeviceInfo::from_tac("35290611".parse().unwrap()),
        );
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), tx);
            e.utf8(ctx(3), address);
            e.tlv(ctx(4), challenge);
            e.raw(&EUICC_INFO2);
            e.raw(&ctx_params.to_der());
        });
        let euicc_signed1 = e.finish();
        let signature =
            self.identity.sign(&SignedData::EuiccSigned1 { euicc_signed1: &euicc_signed1 }).unwrap().to_tlv();
        self.euicc_signature1 = signature.clone();
        let response = AuthenticateServerResponse::new(Ok(AuthenticateResponseOk::new(
            euicc_signed1,
            signature,
            self.identity.certificate().der().to_vec(),
            self.identity.eum_certificate().der().to_vec(),
        )));
        AuthenticateClientRequest::new(transaction_id.clone(), response.to_der())
    }

    /// PrepareDownload's answer: a fresh otPK.EUICC, hashCc of `code` when given.
    pub fn prepare_download(
        &mut self,
        auth: &AuthenticateClientResponse,
        transaction_id: &TransactionId,
        code: Option<&str>,
    ) -> GetBoundProfilePackageRequest {
        let otk = OneTimeKeyPair::generate(Curve::NistP256).unwrap();
        let request = self.prepare_download_with(auth, transaction_id, code, otk.public_uncompressed());
        self.otk = Some(otk);
        request
    }

    /// PrepareDownload's answer with a given otPK.EUICC (the `5F49` value).
    pub fn prepare_download_with(
        &self,
        auth: &AuthenticateClientResponse,
        transaction_id: &TransactionId,
        code: Option<&str>,
        euicc_otpk: &[u8],
    ) -> GetBoundProfilePackageRequest {
        let tx = transaction_id.as_bytes();
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), tx);
            e.tlv(app(73), euicc_otpk);
            if let Some(code) = code {
                e.tlv(Tag::OctetString, &oxicard_euicc::activation::hash_confirmation_code(code, tx));
            }
        });
        let euicc_signed2 = e.finish();
        let signature = self
            .identity
            .sign(&SignedData::EuiccSigned2 {
                euicc_signed2: &euicc_signed2,
                smdp_signature2: &auth.smdp_signature2,
            })
            .unwrap()
            .to_tlv();
        let response =
            PrepareDownloadResponse::new(Ok(PrepareDownloadResponseOk::new(euicc_signed2, signature)));
        GetBoundProfilePackageRequest::new(transaction_id.clone(), response.to_der())
    }

    /// The signed PIR (`BF37`) of a successful installation.
    pub fn pir(&self, pki: &TestPki, transaction_id: &TransactionId, iccid: &str) -> Vec<u8> {
        let data = {
            let mut profile_installation_result_data = ProfileInstallationResultData::new(
                transaction_id.as_bytes().to_vec(),
                {
                    let mut notification_metadata = NotificationMetadata::new(
                        1,
                        BitFlags::from_bits([notification_event::INSTALL]),
                        ADDRESS.into(),
                    );
                    notification_metadata.iccid = Some(iccid.parse().unwrap());
                    notification_metadata
                },
                FinalResult::Success {
                    aid: hex::decode("A0000005591010FFFFFFFF8900001000").unwrap(),
                    sima_response: vec![0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00],
                },
            );
            profile_installation_result_data.smdp_oid = pki.dp_pb().certificate().registered_id();
            profile_installation_result_data
        }
        .to_der();
        let signature =
            self.identity.sign(&SignedData::ProfileInstallationResultData { data: &data }).unwrap().to_tlv();
        let data = ProfileInstallationResultData::from_der(&data).unwrap();
        ProfileInstallationResult::new(data, &signature).as_der().to_vec()
    }

    /// CancelSession's signed answer (`BF41 A0 …`).
    pub fn cancel(&self, pki: &TestPki, tx: &[u8], reason: CancelSessionReason) -> Vec<u8> {
        let oid = pki.dp_auth().certificate().registered_id().unwrap();
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), tx);
            e.tlv(ctx(1), oid.as_der_contents());
            e.int(ctx(2), reason.code());
        });
        let signed = e.finish();
        let signature =
            self.identity.sign(&SignedData::EuiccCancelSessionSigned { signed: &signed }).unwrap().to_tlv();
        CancelSessionResponse::new(Ok(CancelSessionResponseOk::new(signed, signature))).to_der()
    }
}

/// What the eUICC recovers from a BPP: the ConfigureISDP, StoreMetadata and profile element
/// plaintexts, whether ReplaceSessionKeys was present, and the hostId.
pub struct OpenedBpp {
    pub configure_isdp: Vec<u8>,
    pub metadata: Vec<u8>,
    pub replaced_keys: bool,
    pub upp: Vec<u8>,
    pub profile_segments: usize,
}

/// Opens a BPP as the eUICC would (SGP.22 §5.7.6): verifies smdpSign of InitialiseSecureChannel
/// with CERT.DPpb, ECKA with otSK.EUICC, BSP keys from hostId and the EID, then verifies and
/// decrypts every segment in order with [`BspVerifier`].
pub fn open_bpp(pki: &TestPki, euicc: &Euicc, bpp: &[u8]) -> OpenedBpp {
    let otk = euicc.otk.as_ref().unwrap();
    let outer = single(bpp, ctx_c(54), "BF36").unwrap();
    let parts = outer.fields("BF36").unwrap();
    let init = parts.req(ctx_c(35), "BF23").unwrap();
    let init_fields = init.fields("BF23").unwrap();
    assert_eq!(init_fields.req(ctx(2), "remoteOpId").unwrap().value(), &[0x01]);
    let crt = init_fields.req(ctx_c(6), "crt").unwrap().fields("crt").unwrap();
    assert_eq!(crt.req(ctx(0), "keyType").unwrap().value(), &[0x88]);
    assert_eq!(crt.req(ctx(1), "keyLen").unwrap().value(), &[0x10]);
    let host_id = crt.req(ctx(4), "hostId").unwrap().value();
    let dp_otpk = init_fields.req(app(73), "otPK.DP").unwrap().value();
    let sign = init_fields.req(app(55), "smdpSign").unwrap().raw();
    SignedData::InitialiseSecureChannel { request: init.raw(), euicc_otpk: otk.public_uncompressed() }
        .verify_tlv(pki.dp_pb().certificate().public_key(), sign)
        .unwrap();

    let shared = otk.agree(dp_otpk).unwrap();
    let eid = hex::decode(euicc.identity.eid()).unwrap();
    let keys = BspKeys::derive(shared.as_bytes(), &SharedInfo::new(host_id, &eid).unwrap()).unwrap();
    let mut verifier = BspVerifier::new(&keys).unwrap();
    let open_all = |verifier: &mut BspVerifier, container: &[u8]| -> (Vec<u8>, usize) {
        let mut plain = Vec::new();
        let mut count = 0;
        for segment in Fields::parse(container, "segments").unwrap().iter() {
            let mut out = vec![0u8; segment.raw().len()];
            let verified = verifier.verify(segment.raw(), &mut out).unwrap();
            plain.extend_from_slice(&out[..verified.len]);
            count += 1;
        }
        (plain, count)
    };
    let (configure_isdp, _) = open_all(&mut verifier, parts.req(ctx_c(0), "A0").unwrap().value());
    let (metadata, _) = open_all(&mut verifier, parts.req(ctx_c(1), "A1").unwrap().value());
    let replaced_keys = match parts.opt(ctx_c(2), "A2") {
        Some(a2) => {
            verifier.verify_replace_session_keys(a2.value()).unwrap();
            true
        }
        None => false,
    };
    let (upp, profile_segments) = open_all(&mut verifier, parts.req(ctx_c(3), "A3").unwrap().value());
    OpenedBpp { configure_isdp, metadata, replaced_keys, upp, profile_segments }
}
