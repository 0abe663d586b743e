//! The DAP Block, Load File and confirmation decoders of `oxicard_gp` on arbitrary bytes: none
//! may panic, and whatever decodes encodes to bytes that decode to the same value (GPC v2.3.1
//! Table 11-58, §11.1.6). A DAP verifier (a fixed P-256 key) checks arbitrary signatures over
//! arbitrary hashes, and the PEM readers take arbitrary text, without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use oxicard_gp::dap::{DapBlock, DapVerifier, LoadFile};
use oxicard_gp::receipt::{Confirmation, ConfirmationData, ReceiptContext, ReceiptKey};

/// A P-256 public key generated for the fuzzer (not a published vector).
const P256_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsMxNuZEjRFX6+XU8PBLB8GVO/twG
jUHbxe23XVPJlCZNDaUiRsd7fb9Yb6LWci1TbBGHL6LbhYJCsonCjOvGDw==
-----END PUBLIC KEY-----
";

fuzz_target!(|data: &[u8]| {
    if let Ok(block) = DapBlock::decode(data) {
        assert_eq!(DapBlock::decode(&block.encode()).ok(), Some(block));
    }
    if let Ok(file) = LoadFile::decode(data) {
        let again = LoadFile::encode(&file.dap_blocks, file.data_block);
        assert_eq!(LoadFile::decode(&again).ok(), Some(file));
    }
    if let Ok(Some(confirmation)) = Confirmation::from_response(data) {
        let bytes = confirmation.to_response().ok();
        assert_eq!(
            bytes.and_then(|b| Confirmation::from_response(&b).ok().flatten()),
            Some(confirmation.clone())
        );
        if let Ok(key) = ReceiptKey::aes(&[0x4B; 16]) {
            let _ = confirmation.verify(&key, &ReceiptContext::Delete { aid: data });
        }
    }
    if let Ok(parsed) = ConfirmationData::decode(data) {
        assert_eq!(parsed.encode().ok().and_then(|b| ConfirmationData::decode(&b).ok()), Some(parsed));
    }
    if let (Some((&split, rest)), Ok(verifier)) = (data.split_first(), DapVerifier::from_pem(P256_PUB)) {
        let (hash, signature) = rest.split_at(usize::from(split).min(rest.len()));
        let _ = verifier.verify(hash, signature);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = DapVerifier::from_pem(text);
        let _ = oxicard_gp::dap::DapSigner::from_pem(text);
    }
});
