//! The exact byte strings behind each SGP.22 signature (SGP.22 §5.6 / §5.7 function
//! descriptions; cross-checked against pySim's SM-DP+ `osmo-smdpp.py` and
//! `pySim/esim/es8p.py`). Inputs are the raw TLVs as sent or received: re-encoding a decoded structure could
//! change the bytes and break the signature.

use crate::asn1::{Encoder, Fields, app, ctx_c, single};
use der::Tag;

use super::error::PkiError;
use super::key::{PrivateKey, PublicKey};
use super::oid::RspRole;
use super::signature::{SIGNATURE_TAG, Tr03111Signature};

/// One SGP.22 signed message, given as raw TLVs; [`SignedData::message`] is the byte string
/// that is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedData<'a> {
    /// `serverSignature1` by SK.DPauth over the `serverSigned1` TLV (`30 …`), SGP.22 §5.6.1
    /// (ES9+.InitiateAuthentication) / §5.7.13 (AuthenticateServer); by SK.DSauth when an SM-DS
    /// signs it (ES11.InitiateAuthentication, §5.8.1), the same bytes.
    ServerSigned1 {
        /// The `serverSigned1` TLV.
        server_signed1: &'a [u8],
    },
    /// `euiccSignature1` by SK.EUICC over the `euiccSigned1` TLV (`30 …`), SGP.22 §5.7.13.
    EuiccSigned1 {
        /// The `euiccSigned1` TLV.
        euicc_signed1: &'a [u8],
    },
    /// `smdpSignature2` by SK.DPpb over `smdpSigned2` TLV ‖ `euiccSignature1` TLV
    /// (`5F37 40 …`, tag and length included), SGP.22 §5.6.2 / §5.7.5 (PrepareDownload).
    SmdpSigned2 {
        /// The `smdpSigned2` TLV.
        smdp_signed2: &'a [u8],
        /// The `euiccSignature1` TLV (`5F37 40 …`) of the same session.
        euicc_signature1: &'a [u8],
    },
    /// `euiccSignature2` by SK.EUICC over `euiccSigned2` TLV ‖ `smdpSignature2` TLV
    /// (`5F37 40 …`), SGP.22 §5.7.5.
    EuiccSigned2 {
        /// The `euiccSigned2` TLV.
        euicc_signed2: &'a [u8],
        /// The `smdpSignature2` TLV (`5F37 40 …`).
        smdp_signature2: &'a [u8],
    },
    /// `smdpSign` of InitialiseSecureChannel by SK.DPpb (SGP.22 §5.5.1, §2.5.3 ASN.1 comment):
    /// the members of the `BF23` TLV before `smdpSign` (`82 remoteOpId`, `80 transactionId`,
    /// `A6 controlRefTemplate`, `5F49 smdpOtpk`), followed by `5F49 euiccOtpk`.
    InitialiseSecureChannel {
        /// The whole `BF23` InitialiseSecureChannelRequest TLV (its `5F37` member, if present,
        /// is left out of the signed bytes).
        request: &'a [u8],
        /// otPK.EUICC as sent in PrepareDownload: the `5F49` **value** (65-byte point).
        euicc_otpk: &'a [u8],
    },
    /// `euiccSignPIR` by SK.EUICC over the `BF27` ProfileInstallationResultData TLV
    /// (SGP.22 §5.7.6 / §2.5.6.x).
    ProfileInstallationResultData {
        /// The `BF27` TLV.
        data: &'a [u8],
    },
    /// `euiccCancelSessionSignature` by SK.EUICC over the `30 …` EuiccCancelSessionSigned TLV
    /// (SGP.22 §5.7.14).
    EuiccCancelSessionSigned {
        /// The `euiccCancelSessionSigned` TLV.
        signed: &'a [u8],
    },
    /// `euiccNotificationSignature` by SK.EUICC over the `BF2F` tbsOtherNotification
    /// (NotificationMetadata) TLV of an OtherSignedNotification (SGP.22 §5.7.9 / §2.5.x).
    OtherNotification {
        /// The `BF2F` TLV.
        tbs_other_notification: &'a [u8],
    },
}

/// `[APPLICATION 73]` (`5F49`): one-time public keys.
const TAG_OTPK: Tag = app(73);

impl SignedData<'_> {
    /// The role whose key makes this signature (SGP.22 §2.6.x: DPauth signs serverSigned1,
    /// DPpb signs smdpSigned2 and InitialiseSecureChannel, the eUICC the rest).
    pub fn signer_role(&self) -> RspRole {
        match self {
            SignedData::ServerSigned1 { .. } => RspRole::DpAuth,
            SignedData::SmdpSigned2 { .. } | SignedData::InitialiseSecureChannel { .. } => RspRole::DpPb,
            SignedData::EuiccSigned1 { .. }
            | SignedData::EuiccSigned2 { .. }
            | SignedData::ProfileInstallationResultData { .. }
            | SignedData::EuiccCancelSessionSigned { .. }
            | SignedData::OtherNotification { .. } => RspRole::Euicc,
        }
    }

    /// The exact bytes that are signed. Each TLV is checked to be exactly one TLV with its
    /// expected tag (`30`, `BF27`, `BF2F`, `BF23`; signatures `5F37` with 64 bytes).
    pub fn message(&self) -> Result<Vec<u8>, PkiError> {
        Ok(match *self {
            SignedData::ServerSigned1 { server_signed1: tlv }
            | SignedData::EuiccSigned1 { euicc_signed1: tlv }
            | SignedData::EuiccCancelSessionSigned { signed: tlv } => {
                single(tlv, Tag::Sequence, "signed data")?;
                tlv.to_vec()
            }
            SignedData::SmdpSigned2 { smdp_signed2: signed, euicc_signature1: signature }
            | SignedData::EuiccSigned2 { euicc_signed2: signed, smdp_signature2: signature } => {
                single(signed, Tag::Sequence, "signed data")?;
                Tr03111Signature::from_tlv(signature)?;
                [signed, signature].concat()
            }
            SignedData::ProfileInstallationResultData { data } => {
                single(data, ctx_c(39), "ProfileInstallationResultData")?;
                data.to_vec()
            }
            SignedData::OtherNotification { tbs_other_notification } => {
                single(tbs_other_notification, ctx_c(47), "NotificationMetadata")?;
                tbs_other_notification.to_vec()
            }
            SignedData::InitialiseSecureChannel { request, euicc_otpk } => {
                let outer = single(request, ctx_c(35), "InitialiseSecureChannelRequest")?;
                let fields = Fields::parse(outer.value(), "InitialiseSecureChannelRequest")?;
                let mut e = Encoder::new();
                for field in fields.iter().filter(|f| f.tag() != SIGNATURE_TAG) {
                    e.raw(field.raw());
                }
                e.tlv(TAG_OTPK, euicc_otpk);
                e.finish()
            }
        })
    }

    /// Signs [`SignedData::message`] with `key` (ECDSA/SHA-256, TR-03111 plain format).
    pub fn sign(&self, key: &PrivateKey) -> Result<Tr03111Signature, PkiError> {
        Ok(key.sign(&self.message()?))
    }

    /// Verifies `signature` (plain `r ‖ s`) over [`SignedData::message`] with `key`.
    pub fn verify(&self, key: &PublicKey, signature: &Tr03111Signature) -> Result<(), PkiError> {
        key.verify(&self.message()?, signature)
    }

    /// Verifies a signature given as its SGP.22 TLV (`5F37 40 ‖ r ‖ s`).
    pub fn verify_tlv(&self, key: &PublicKey, signature_tlv: &[u8]) -> Result<(), PkiError> {
        self.verify(key, &Tr03111Signature::from_tlv(signature_tlv)?)
    }
}
