//! A minimal "SM-DP+ in a test" for the download tests: it builds the ES9+ side of each step
//! (serverSigned1 + serverSignature1, smdpSigned2 + smdpSignature2, a Bound Profile Package)
//! with the test PKI's SM-DP+ identity, the `SignedData` byte strings and the BSP protector.
//! Message layouts: SGP.22 §5.7.13, §5.7.5, §5.7.6 (signed bytes as pySim's `osmo-smdpp.py`
//! signs them) and §2.6.4 (BSP). The profile
//! data (ICCID, names, the UPP) are hand-built examples, not vectors.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use der::Tag;
use oxicard_apdu::card::Card;
use oxicard_euicc::activation::DeviceInfo;
use oxicard_euicc::asn1::{Encoder, app, ctx, ctx_c};
use oxicard_euicc::es10::{AuthenticateServerRequest, CtxParams1, PrepareDownloadRequest};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::pki::{
    EuiccIdentity, OneTimeKeyPair, PublicKey, SignedData, SmdpIdentity, Tr03111Signature,
};
use oxicard_secure_channel::bsp::{BspKeys, BspProtector, SegmentTag, SharedInfo, segmented_len};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::TestPki;
use oxicard_transport::sim::SimulatorTransport;
use sha2::{Digest, Sha256};

/// The software eUICC behind the APDU layer.
pub type SimCard = Card<SimulatorTransport<SoftEuicc>>;

/// The SM-DP+ address of the tests.
pub const SMDP_ADDRESS: &str = "smdp.example.com";
/// The transactionId of the tests (16 bytes).
pub const TRANSACTION_ID: [u8; 16] = [0x11; 16];
/// The serverChallenge of the tests.
pub const SERVER_CHALLENGE: [u8; 16] = [0x22; 16];
/// The ICCID of the test profile (the example ICCID of euicc-go's `v2/identifier.go` test).
pub const ICCID: &str = "8944478600004573128";
/// The host identifier of the InitialiseSecureChannel CRT (pySim mode51 uses 8 bytes).
pub const HOST_ID: [u8; 8] = [0x80; 8];

/// The reproducible test PKI of the download tests.
pub fn pki() -> TestPki {
    TestPki::from_seed([0x5D; 32]).unwrap()
}

/// A software eUICC with the test PKI's identity, behind the APDU layer.
pub fn card(pki: &TestPki) -> SimCard {
    card_with(pki.euicc_identity().unwrap())
}

/// A software eUICC with `identity`, behind the APDU layer.
pub fn card_with(identity: EuiccIdentity) -> SimCard {
    Card::new(SimulatorTransport::new(SoftEuicc::from_identity(identity)))
}

/// The EID of `pki`'s eUICC, as bytes.
pub fn eid(pki: &TestPki) -> [u8; 16] {
    hex::decode(&pki.config().eid).unwrap().try_into().unwrap()
}

/// AuthenticateServer and PrepareDownload with `smdp`'s genuine requests; returns otPK.EUICC.
pub fn authenticate_and_prepare(
    isdr: &mut oxicard_euicc::isdr::Isdr<impl oxicard_apdu::card::CardChannel>,
    smdp: &TestSmdp,
) -> Vec<u8> {
    let challenge = isdr.euicc_challenge().unwrap();
    let ok =
        isdr.authenticate_server(&smdp.authenticate_request(&challenge)).unwrap().response.result.unwrap();
    let prepared = isdr.prepare_download(&smdp.prepare_request(&ok.euicc_signature1, None)).unwrap();
    prepared.response.result.unwrap().euicc_otpk().unwrap()
}

/// The eUICC of `card`.
pub fn euicc(card: &SimCard) -> &SoftEuicc {
    card.transport().simulator()
}

/// The ICCID of the test profile.
pub fn iccid() -> Iccid {
    ICCID.parse().unwrap()
}

/// The test SM-DP+: identity and per-session knobs.
pub struct TestSmdp {
    pub identity: SmdpIdentity,
    pub transaction_id: Vec<u8>,
    pub address: String,
    /// Whether smdpSigned2 says a confirmation code is required.
    pub cc_required: bool,
    /// Whether the BPP carries ReplaceSessionKeys (`A2`).
    pub replace_session_keys: bool,
    /// The ICCID of the metadata and of the ProfileHeader.
    pub iccid: Iccid,
    /// otSK.DP of the last BPP.
    pub one_time_key: Option<OneTimeKeyPair>,
}

impl TestSmdp {
    pub fn new(pki: &TestPki) -> TestSmdp {
        TestSmdp {
            identity: pki.smdp_identity().unwrap(),
            transaction_id: TRANSACTION_ID.to_vec(),
            address: SMDP_ADDRESS.to_string(),
            cc_required: false,
            replace_session_keys: true,
            iccid: iccid(),
            one_time_key: None,
        }
    }

    /// `serverSigned1 = 30 { 80 transactionId, 81 euiccChallenge, 83 serverAddress,
    /// 84 serverChallenge }` (SGP.22 §5.6.1).
    pub fn server_signed1(&self, challenge: &[u8; 16]) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &self.transaction_id);
            e.tlv(ctx(1), challenge);
            e.utf8(ctx(3), &self.address);
            e.tlv(ctx(4), &SERVER_CHALLENGE);
        });
        e.finish()
    }

    /// The AuthenticateServer request for `challenge`, signed by SK.DPauth of `signer`
    /// (normally this SM-DP+'s identity).
    pub fn authenticate_request_signed_by(
        &self,
        challenge: &[u8; 16],
        signer: &SmdpIdentity,
    ) -> AuthenticateServerRequest {
        let server_signed1 = self.server_signed1(challenge);
        let signature = signer.sign(&SignedData::ServerSigned1 { server_signed1: &server_signed1 }).unwrap();
        let mut pkid = Encoder::new();
        pkid.tlv(Tag::OctetString, &signer.ci_pkid().unwrap());
        {
            let mut authenticate_server_request = AuthenticateServerRequest::new(
                server_signed1,
                signature.to_tlv(),
                signer.auth().certificate().der().to_vec(),
                CtxParams1::new(
                    Some("TEST-MATCHING-ID".into()),
                    DeviceInfo::from_tac("35290611".parse().unwrap()),
                ),
            );
            authenticate_server_request.euicc_ci_pkid_to_be_used = Some(pkid.finish());
            authenticate_server_request
        }
    }

    pub fn authenticate_request(&self, challenge: &[u8; 16]) -> AuthenticateServerRequest {
        self.authenticate_request_signed_by(challenge, &self.identity)
    }

    /// `smdpSigned2 = 30 { 80 transactionId, 01 ccRequiredFlag }` (SGP.22 §5.6.2).
    pub fn smdp_signed2(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(Tag::Sequence, |e| {
            e.tlv(ctx(0), &self.transaction_id);
            e.boolean(Tag::Boolean, self.cc_required);
        });
        e.finish()
    }

    /// The PrepareDownload request after the eUICC's `euiccSignature1` TLV.
    pub fn prepare_request(
        &self,
        euicc_signature1: &[u8],
        hash_cc: Option<[u8; 32]>,
    ) -> PrepareDownloadRequest {
        let smdp_signed2 = self.smdp_signed2();
        let signature = self
            .identity
            .sign(&SignedData::SmdpSigned2 { smdp_signed2: &smdp_signed2, euicc_signature1 })
            .unwrap();
        {
            let mut prepare_download_request = PrepareDownloadRequest::new(
                smdp_signed2,
                signature.to_tlv(),
                self.identity.pb().certificate().der().to_vec(),
            );
            prepare_download_request.hash_cc = hash_cc;
            prepare_download_request
        }
    }

    /// hashCc = SHA-256(SHA-256(code) ‖ transactionId) (SGP.22 §5.7.5; lpac `euicc/es10b.c`).
    pub fn hash_cc(&self, code: &str) -> [u8; 32] {
        let inner = Sha256::digest(code.as_bytes());
        let mut outer = Sha256::new();
        outer.update(inner);
        outer.update(&self.transaction_id);
        outer.finalize().into()
    }

    /// The StoreMetadataRequest `BF25 { 5A iccid, 91 spn, 92 name, B6 { 30 { 80 install|enable|
    /// disable|delete, 81 address } } }` (SGP.22 §5.5.3; hand-built example).
    pub fn metadata(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.nested(ctx_c(37), |e| {
            e.tlv(app(26), self.iccid.as_bytes());
            e.utf8(ctx(17), "OXI");
            e.utf8(ctx(18), "Test profile");
            e.nested(ctx_c(22), |e| {
                e.nested(Tag::Sequence, |e| {
                    // operation BIT STRING: install(0) enable(1) disable(2) delete(3).
                    e.tlv(ctx(0), &[0x04, 0xF0]);
                    e.utf8(ctx(1), &self.address);
                });
            });
        });
        e.finish()
    }

    /// The UPP: the test SM-DP+'s built SAIP package for the ICCID (header ICCID in reading
    /// order, EF.ICCID nibble-swapped) with a `nonStandard` PE of `padding` filler bytes
    /// (`ProfileBuilder`, a hand-built example).
    pub fn upp(&self, padding: usize) -> Vec<u8> {
        oxicard_sim::smdp::ProfileBuilder::new(self.iccid).padding(padding).build()
    }

    /// The Bound Profile Package for the eUICC's otPK (`5F49` value) and its EID:
    /// `BF36 { BF23 (signed by SK.DPpb), A0 { 87 ConfigureISDP }, A1 { 88 metadata },
    /// [A2 { 87 ReplaceSessionKeys }], A3 { 86… } }`.
    pub fn bpp(&mut self, euicc_otpk: &[u8], eid: &[u8; 16], upp: &[u8]) -> Vec<u8> {
        let curve = self.identity.pb().private_key().curve();
        let one_time_key = OneTimeKeyPair::generate(curve).unwrap();
        let mut unsigned = Encoder::new();
        unsigned.nested(ctx_c(35), |e| {
            e.tlv(ctx(2), &[0x01]);
            e.tlv(ctx(0), &self.transaction_id);
            e.nested(ctx_c(6), |e| {
                e.tlv(ctx(0), &[0x88]);
                e.tlv(ctx(1), &[0x10]);
                e.tlv(ctx(4), &HOST_ID);
            });
            e.tlv(app(73), one_time_key.public_uncompressed());
        });
        let unsigned = unsigned.finish();
        let signature = self
            .identity
            .sign(&SignedData::InitialiseSecureChannel { request: &unsigned, euicc_otpk })
            .unwrap();
        let init = with_member(&unsigned, &signature.to_tlv());

        let peer = PublicKey::from_sec1_bytes(curve, euicc_otpk).unwrap();
        let shared = one_time_key.private_key().ecka(&peer).unwrap();
        let keys = BspKeys::derive(shared.as_bytes(), &SharedInfo::new(&HOST_ID, eid).unwrap()).unwrap();
        let mut protector = BspProtector::new(&keys).unwrap();
        let protect = |p: &mut BspProtector, tag: SegmentTag, plain: &[u8]| {
            let mut out = vec![0u8; segmented_len(tag, plain.len())];
            let n = p.protect_segmented(tag, plain, &mut out).unwrap();
            out.truncate(n);
            out
        };
        let configure = protect(&mut protector, SegmentTag::Encrypted87, &[0xBF, 0x24, 0x00]);
        let metadata = protect(&mut protector, SegmentTag::MacOnly88, &self.metadata());
        let rsk = self.replace_session_keys.then(|| {
            let ppk = BspKeys::new(&[0x01; 16], &[0x02; 16], &[0x03; 16]).unwrap();
            let mut out = vec![0u8; 128];
            let n = protector.replace_session_keys(&ppk, &mut out).unwrap();
            out.truncate(n);
            out
        });
        let elements = protect(&mut protector, SegmentTag::ProfileElements86, upp);
        self.one_time_key = Some(one_time_key);

        let mut e = Encoder::new();
        e.nested(ctx_c(54), |e| {
            e.raw(&init);
            e.tlv(ctx_c(0), &configure);
            e.tlv(ctx_c(1), &metadata);
            e.opt(rsk.as_ref(), |e, rsk| e.tlv(ctx_c(2), rsk));
            e.tlv(ctx_c(3), &elements);
        });
        e.finish()
    }
}

/// `tlv` (one constructed TLV) with `member` appended to its value.
pub fn with_member(tlv: &[u8], member: &[u8]) -> Vec<u8> {
    let field = oxicard_euicc::asn1::single(tlv, Tag::Sequence, "x")
        .or_else(|_| oxicard_euicc::asn1::single(tlv, ctx_c(35), "x"))
        .unwrap();
    let mut value = field.value().to_vec();
    value.extend_from_slice(member);
    let mut e = Encoder::new();
    e.tlv(field.tag(), &value);
    e.finish()
}

/// Verifies a `5F37` signature TLV of the eUICC over `data` with CERT.EUICC of `identity`.
pub fn verify_euicc(identity: &EuiccIdentity, data: &SignedData<'_>, signature_tlv: &[u8]) {
    let signature = Tr03111Signature::from_tlv(signature_tlv).unwrap();
    data.verify(identity.certificate().public_key(), &signature).unwrap();
}
