//! SCP03 keys of the `gp` commands: from options, environment variables or a key file, never
//! printed. Errors name the option and what is wrong with it, never the value.

use std::path::Path;

use oxicard_apdu::Aid;
use oxicard_gp::keys::TEST_KEY;
use oxicard_secure_channel::scp03::{SecretKey, SecurityLevel, StaticKeys};
use zeroize::Zeroizing;

use crate::cli::{GpAuth, GpPutKeyArgs};
use crate::error::CliError;
use crate::input::{MAX_KEY_FILE_LEN, read_input};

/// A key in hex (spaces and colons allowed), 16, 24 or 32 bytes. The error names `what` only.
pub(crate) fn parse_key(what: &str, text: &str) -> Result<SecretKey, CliError> {
    let cleaned = Zeroizing::new(text.chars().filter(|c| !matches!(c, ' ' | ':')).collect::<String>());
    let bytes = Zeroizing::new(
        hex::decode(cleaned.as_bytes())
            .map_err(|_| CliError::Usage(format!("{what}: not a hex key (value not shown)")))?,
    );
    SecretKey::from_slice(&bytes).map_err(|_| {
        CliError::Usage(format!("{what}: an AES key has 16, 24 or 32 bytes, not {}", bytes.len()))
    })
}

/// A byte in hex (`30`, `0x30`).
pub(crate) fn parse_byte(what: &str, text: &str) -> Result<u8, CliError> {
    let digits = text.trim().trim_start_matches("0x").trim_start_matches("0X");
    u8::from_str_radix(digits, 16).map_err(|_| CliError::Usage(format!("{what}: {text:?} is not a hex byte")))
}

/// An AID in hex, 5 to 16 bytes (ISO/IEC 7816-5).
pub(crate) fn parse_aid(what: &str, text: &str) -> Result<Aid, CliError> {
    text.trim().parse::<Aid>().map_err(|e| match e.kind {
        oxicard_apdu::ErrorKind::InvalidLength => {
            CliError::Usage(format!("{what}: an AID has 5 to 16 bytes, not {}", e.offset))
        }
        _ => CliError::Usage(format!("{what}: {text:?} is not hex")),
    })
}

/// What a key file gives.
#[derive(Default)]
struct KeyFile {
    key: Option<SecretKey>,
    enc: Option<SecretKey>,
    mac: Option<SecretKey>,
    dek: Option<SecretKey>,
    kvn: Option<u8>,
}

/// Reads a key file: `name=HEX` lines (`key`, `enc`, `mac`, `dek`, `kvn`), `#` comments, blank
/// lines. Errors give the file and line number, never the line.
fn read_key_file(path: &Path) -> Result<KeyFile, CliError> {
    let bytes = Zeroizing::new(read_input("--key-file", path, MAX_KEY_FILE_LEN)?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| CliError::Usage(format!("--key-file: {} is not text", path.display())))?;
    let mut file = KeyFile::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", path.display(), number + 1);
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("{at}: expected NAME=HEX (key, enc, mac, dek, kvn)")))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        let slot = match name.as_str() {
            "key" => &mut file.key,
            "enc" => &mut file.enc,
            "mac" => &mut file.mac,
            "dek" => &mut file.dek,
            "kvn" => {
                file.kvn = Some(parse_byte(&at, value)?);
                continue;
            }
            _ => return Err(CliError::Usage(format!("{at}: unknown name (key, enc, mac, dek, kvn)"))),
        };
        *slot = Some(parse_key(&at, value)?);
    }
    Ok(file)
}

/// ENC, MAC, DEK: each from its own option, else the one-for-all option, else `fallback`.
fn three(
    names: [&str; 4],
    one: Option<&String>,
    each: [Option<&String>; 3],
    fallback: [Option<&SecretKey>; 3],
) -> Result<[SecretKey; 3], CliError> {
    let one = one.map(|t| parse_key(names[0], t)).transpose()?;
    let mut keys = Vec::with_capacity(3);
    for ((name, own), fallback) in names.iter().skip(1).zip(each).zip(fallback) {
        let key = match own {
            Some(text) => parse_key(name, text)?,
            None => match (&one, fallback) {
                (Some(one), _) => one.clone(),
                (None, Some(key)) => key.clone(),
                (None, None) => {
                    SecretKey::from_slice(&TEST_KEY).map_err(|_| CliError::Usage("the GP test key".into()))?
                }
            },
        };
        keys.push(key);
    }
    keys.try_into().map_err(|_| CliError::Usage("three keys".into()))
}

/// The static keys to authenticate with: options and environment (`--key`, `--key-enc`,
/// `--key-mac`, `--key-dek`, `--kvn`), then the key file, then the GlobalPlatform test key and
/// KVN `00` (the card's default key set).
pub(crate) fn static_keys(auth: &GpAuth) -> Result<StaticKeys, CliError> {
    let file = auth.key_file.as_deref().map(read_key_file).transpose()?.unwrap_or_default();
    let [enc, mac, dek] = three(
        ["--key", "--key-enc", "--key-mac", "--key-dek"],
        auth.key.as_ref(),
        [auth.key_enc.as_ref(), auth.key_mac.as_ref(), auth.key_dek.as_ref()],
        [
            file.enc.as_ref().or(file.key.as_ref()),
            file.mac.as_ref().or(file.key.as_ref()),
            file.dek.as_ref().or(file.key.as_ref()),
        ],
    )?;
    let kvn = match &auth.kvn {
        Some(text) => parse_byte("--kvn", text)?,
        None => file.kvn.unwrap_or(0),
    };
    StaticKeys::new(kvn, enc.as_bytes(), mac.as_bytes(), dek.as_bytes())
        .map_err(|e| CliError::Usage(format!("keys: {e}")))
}

/// The new key set of `gp put-key` (ENC, MAC, DEK); one of the options is required.
pub(crate) fn new_keys(args: &GpPutKeyArgs) -> Result<[SecretKey; 3], CliError> {
    if args.new_key.is_none() && (args.new_enc.is_none() || args.new_mac.is_none() || args.new_dek.is_none())
    {
        return Err(CliError::Usage(
            "gp put-key: give --new-key, or all of --new-enc, --new-mac and --new-dek".into(),
        ));
    }
    three(
        ["--new-key", "--new-enc", "--new-mac", "--new-dek"],
        args.new_key.as_ref(),
        [args.new_enc.as_ref(), args.new_mac.as_ref(), args.new_dek.as_ref()],
        [None, None, None],
    )
}

/// `--level`: `auto` (`None`: decided from the card's "i") or a hex level byte.
pub(crate) fn parse_level(text: &str) -> Result<Option<SecurityLevel>, CliError> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let byte = parse_byte("--level", text)?;
    SecurityLevel::from_byte(byte).map(Some).map_err(|_| {
        CliError::Usage(format!("--level: {byte:02X} is not an SCP03 level (01, 03, 11, 13, 31, 33)"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_errors_never_show_the_value() {
        let secret = "00112233445566778899AABBCCDDEEFZ";
        let error = parse_key("--key", secret).err().unwrap().to_string();
        assert_eq!(error, "--key: not a hex key (value not shown)");
        let error = parse_key("--key", "0011").err().unwrap().to_string();
        assert_eq!(error, "--key: an AES key has 16, 24 or 32 bytes, not 2");
        assert_eq!(parse_key("k", "40 41:42 434445464748494A4B4C4D4E4F").unwrap().as_bytes(), TEST_KEY);
    }

    #[test]
    fn precedence_option_then_file_then_test_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, "# card 7\nkey = 505152535455565758595A5B5C5D5E5F\nmac=606162636465666768696A6B6C6D6E6F\nkvn=31\n")
            .unwrap();
        let auth = GpAuth {
            key_file: Some(path.clone()),
            key_dek: Some("707172737475767778797A7B7C7D7E7F".into()),
            level: "auto".into(),
            ..GpAuth::default()
        };
        let keys = static_keys(&auth).unwrap();
        assert_eq!(keys.kvn(), 0x31);
        assert_eq!(keys.enc().as_bytes()[0], 0x50);
        assert_eq!(keys.mac().as_bytes()[0], 0x60);
        assert_eq!(keys.dek().unwrap().as_bytes()[0], 0x70);

        let none = static_keys(&GpAuth { level: "auto".into(), ..GpAuth::default() }).unwrap();
        assert_eq!((none.kvn(), none.enc().as_bytes()), (0, &TEST_KEY[..]));

        std::fs::write(&path, "enc=SECRETSECRET\n").unwrap();
        let error = static_keys(&auth).err().unwrap().to_string();
        assert!(error.ends_with(":1: not a hex key (value not shown)"), "{error}");
        assert!(!error.contains("SECRET"));
    }

    #[test]
    fn levels() {
        assert_eq!(parse_level("auto").unwrap(), None);
        assert_eq!(parse_level("33").unwrap(), Some(SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC));
        assert_eq!(parse_level("0x01").unwrap(), Some(SecurityLevel::C_MAC));
        assert!(parse_level("02").is_err());
    }
}
