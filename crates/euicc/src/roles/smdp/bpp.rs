//! Building the Bound Profile Package (SGP.22 §2.5.5 `BoundProfilePackage`, §5.6.2 step "generate
//! the BPP"): InitialiseSecureChannel signed with SK.DPpb, then the BSP-protected ConfigureISDP,
//! StoreMetadata, ReplaceSessionKeys and profile element segments (SGP.22 §2.6.4; byte layout as
//! pySim's `pySim/esim/es8p.py` and `pySim/esim/bsp.py` build it).

use oxicard_secure_channel::bsp::{
    BspKeys, BspProtector, KEY_LEN_AES128, KEY_TYPE_AES, REPLACE_SESSION_KEYS_LEN, SegmentTag, SharedInfo,
    protected_len, segmented_len,
};

use crate::asn1::{Encoder, app, ctx, ctx_c};
use crate::pki::{OneTimeKeyPair, PkiError, SignedData, SmdpIdentity};

/// `remoteOpId` installBoundProfilePackage(1) (SGP.22 §2.5.5 `RemoteOpId`).
const REMOTE_OP_INSTALL_BPP: u8 = 1;

/// The ConfigureISDP request the SM-DP+ sends: `BF24 00` (no dpProprietaryData), as in the
/// third-party SM-DP+ trace of pySim `tests/unittests/test_esim_bsp.py` `BSP_Test_mode51`
/// (segment 1 plaintext).
const CONFIGURE_ISDP: [u8; 3] = [0xBF, 0x24, 0x00];

/// What goes into one BPP (SGP.22 §5.6.2).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct BppInput<'a> {
    /// The RSP session's TransactionID (binary).
    pub transaction_id: &'a [u8],
    /// The hostId of the control reference template (1..16 bytes).
    pub host_id: &'a [u8],
    /// The EID (16 bytes) from CERT.EUICC, for the BSP shared info.
    pub eid: &'a [u8; 16],
    /// otPK.EUICC (the `5F49` value of euiccSigned2).
    pub euicc_otpk: &'a [u8],
    /// The `BF25` StoreMetadataRequest.
    pub metadata: &'a [u8],
    /// The UPP (profile elements).
    pub upp: &'a [u8],
    /// A random PPK set to switch to with ReplaceSessionKeys, if any.
    pub ppk: Option<&'a BspKeys>,
    /// otSK.DP / otPK.DP, on the curve of CERT.DPpb.
    pub dp_otk: &'a OneTimeKeyPair,
}

impl<'a> BppInput<'a> {
    /// The value with the given members; `ppk` is absent or empty (set it as fields).
    pub fn new(
        transaction_id: &'a [u8],
        host_id: &'a [u8],
        eid: &'a [u8; 16],
        euicc_otpk: &'a [u8],
        metadata: &'a [u8],
        upp: &'a [u8],
        dp_otk: &'a OneTimeKeyPair,
    ) -> Self {
        Self { transaction_id, host_id, eid, euicc_otpk, metadata, upp, ppk: None, dp_otk }
    }
}

/// Why a BPP could not be built. The error of the step that failed is the source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BppError {
    /// otPK.EUICC is not a point of the DPpb curve (the eUICC's fault: SGP.22 §5.6.2 8.1 / 6.1).
    #[error("otPK.EUICC")]
    EuiccKey(#[source] PkiError),
    /// InitialiseSecureChannel could not be signed with SK.DPpb (SGP.22 §5.5.1).
    #[error("signing InitialiseSecureChannel")]
    Signing(#[source] PkiError),
    /// The BSP (SGP.22 §2.6.4) failed: deriving the session keys or protecting a segment.
    #[error("BSP: {step}")]
    Bsp {
        /// What was being done: `deriving the session keys`, `protecting the profile elements`, …
        step: &'static str,
        /// The BSP's error.
        source: oxicard_secure_channel::Error,
    },
}

/// The `BF36` BoundProfilePackage TLV (SGP.22 §2.5.5) of `input`, bound with SK.DPpb of
/// `identity`: ECKA of otSK.DP with otPK.EUICC, the BSP session keys (§2.6.4.2),
/// InitialiseSecureChannel signed over its members and otPK.EUICC (§5.5.1), then the protected
/// ConfigureISDP (`A0`), StoreMetadata (`A1`), ReplaceSessionKeys (`A2`, with a PPK set) and
/// profile elements (`A3`).
pub fn bound_profile_package(identity: &SmdpIdentity, input: &BppInput<'_>) -> Result<Vec<u8>, BppError> {
    let bsp = |step: &'static str| move |source| BppError::Bsp { step, source };
    let dp_otk = input.dp_otk;
    let shared = dp_otk.agree(input.euicc_otpk).map_err(BppError::EuiccKey)?;
    let info = SharedInfo::new(input.host_id, input.eid).map_err(bsp("deriving the session keys"))?;
    let keys = BspKeys::derive(shared.as_bytes(), &info).map_err(bsp("deriving the session keys"))?;

    let init = |signature: Option<&[u8]>| {
        let mut e = Encoder::new();
        e.nested(ctx_c(35), |e| {
            e.tlv(ctx(2), &[REMOTE_OP_INSTALL_BPP]);
            e.tlv(ctx(0), input.transaction_id);
            e.nested(ctx_c(6), |e| {
                e.tlv(ctx(0), &[KEY_TYPE_AES]);
                e.tlv(ctx(1), &[KEY_LEN_AES128]);
                e.tlv(ctx(4), input.host_id);
            });
            e.tlv(app(73), dp_otk.public_uncompressed());
            if let Some(signature) = signature {
                e.raw(signature);
            }
        });
        e.finish()
    };
    let unsigned = init(None);
    let signature = identity
        .sign(&SignedData::InitialiseSecureChannel { request: &unsigned, euicc_otpk: input.euicc_otpk })
        .map_err(BppError::Signing)?;
    let initialise = init(Some(&signature.to_tlv()));

    let mut protector = BspProtector::new(&keys).map_err(bsp("deriving the session keys"))?;
    let configure = protect(&mut protector, SegmentTag::Encrypted87, &CONFIGURE_ISDP)
        .map_err(bsp("protecting ConfigureISDP"))?;
    let metadata = protect(&mut protector, SegmentTag::MacOnly88, input.metadata)
        .map_err(bsp("protecting StoreMetadata"))?;
    let replace = match input.ppk {
        Some(ppk) => {
            let len = protected_len(SegmentTag::Encrypted87, REPLACE_SESSION_KEYS_LEN).unwrap_or(128);
            let mut out = vec![0u8; len];
            let n = protector
                .replace_session_keys(ppk, &mut out)
                .map_err(bsp("protecting ReplaceSessionKeys"))?;
            out.truncate(n);
            Some(out)
        }
        None => None,
    };
    let elements = protect(&mut protector, SegmentTag::ProfileElements86, input.upp)
        .map_err(bsp("protecting the profile elements"))?;

    let mut e = Encoder::new();
    e.nested(ctx_c(54), |e| {
        e.raw(&initialise);
        e.tlv(ctx_c(0), &configure);
        e.tlv(ctx_c(1), &metadata);
        e.opt(replace.as_ref(), |e, r| e.tlv(ctx_c(2), r));
        e.tlv(ctx_c(3), &elements);
    });
    Ok(e.finish())
}

/// `plain` cut into segments of `tag` and protected in order (SGP.22 §2.6.4.3: ≤ 1020 bytes each).
fn protect(
    protector: &mut BspProtector,
    tag: SegmentTag,
    plain: &[u8],
) -> Result<Vec<u8>, oxicard_secure_channel::Error> {
    let mut out = vec![0u8; segmented_len(tag, plain.len())];
    let n = protector.protect_segmented(tag, plain, &mut out)?;
    out.truncate(n);
    Ok(out)
}
