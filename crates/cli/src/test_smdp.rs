//! The test SM-DP+ of `sim smdp` and `demo`: the built profiles `TEST` and `TEST-CC`, and
//! the SAIP packages of a `--profiles` directory, read bounded.

use std::path::{Path, PathBuf};

use oxicard_euicc::iccid::Iccid;
use oxicard_sim::pki::TestPki;
use oxicard_sim::smdp::{ProfileBuilder, ProfileMetadata, ProfilePackage, TestSmdp, header_iccid};

use crate::error::CliError;
use crate::input::{MAX_PROFILE_DIR_ENTRIES, MAX_PROFILE_DIR_LEN, MAX_PROFILE_PACKAGE_LEN, read_input};

/// ICCID of the built `TEST` profile (the example ICCID of the oxicard-sim README).
pub(crate) const TEST_ICCID: &str = "8944478600004573128";
/// ICCID of the built `TEST-CC` profile (hand-made example).
const TEST_CC_ICCID: &str = "8944478600004573136";
/// Confirmation code of `TEST-CC`.
const TEST_CONFIRMATION_CODE: &str = "1234";

/// The built test profile with its ICCID.
fn built(iccid: &str, name: &str, address: &str) -> Result<ProfilePackage, CliError> {
    let iccid: Iccid =
        iccid.parse().map_err(|e| CliError::Sim(format!("ICCID: {}", crate::error::chain(&e))))?;
    Ok(ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, name, "oxicard", address)))
}

/// A profile package file of `sim smdp --profiles DIR`.
struct Package {
    /// The MatchingID: the file name without `.der`.
    matching_id: String,
    /// The file.
    path: PathBuf,
    /// Its content, a SAIP profile package (UPP).
    upp: Vec<u8>,
}

/// The profile packages `MATCHING-ID.der` of `dir`, read bounded: each a regular file of at
/// most [`MAX_PROFILE_PACKAGE_LEN`] bytes (a FIFO, device or directory named `*.der` is refused,
/// naming it), at most [`MAX_PROFILE_DIR_ENTRIES`] entries looked at and [`MAX_PROFILE_DIR_LEN`]
/// bytes of packages in all. Other entries are skipped.
fn profile_packages(dir: &Path) -> Result<Vec<Package>, CliError> {
    let unreadable = |e: std::io::Error| CliError::io("--profiles: cannot read", dir, &e);
    let mut packages = Vec::new();
    let mut total = 0u64;
    for (index, entry) in std::fs::read_dir(dir).map_err(unreadable)?.enumerate() {
        if index >= MAX_PROFILE_DIR_ENTRIES {
            return Err(CliError::Io(format!(
                "--profiles: {} has more than {MAX_PROFILE_DIR_ENTRIES} entries",
                dir.display()
            )));
        }
        let path = entry.map_err(unreadable)?.path();
        let Some(matching_id) = path
            .file_stem()
            .filter(|_| path.extension().is_some_and(|e| e == "der"))
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let upp = read_input("--profiles", &path, MAX_PROFILE_PACKAGE_LEN)?;
        total = total.saturating_add(u64::try_from(upp.len()).unwrap_or(u64::MAX));
        if total > MAX_PROFILE_DIR_LEN {
            return Err(CliError::Io(format!(
                "--profiles: the packages of {} are too large (over {MAX_PROFILE_DIR_LEN} bytes in all)",
                dir.display()
            )));
        }
        packages.push(Package { matching_id, path, upp });
    }
    Ok(packages)
}

/// A test SM-DP+ at `address` with `TEST`, `TEST-CC` and the packages of `dir`.
pub(crate) fn test_smdp(pki: &TestPki, address: &str, dir: Option<&Path>) -> Result<TestSmdp, CliError> {
    let identity = pki
        .smdp_identity()
        .map_err(|e| CliError::Sim(format!("SM-DP+ identity: {}", crate::error::chain(&e))))?;
    let mut smdp = TestSmdp::new(identity, address);
    smdp.add_profile("TEST", built(TEST_ICCID, "oxicard test profile", address)?);
    smdp.add_profile(
        "TEST-CC",
        built(TEST_CC_ICCID, "oxicard test profile (code)", address)?
            .with_confirmation_code(TEST_CONFIRMATION_CODE),
    );
    for package in dir.map(profile_packages).transpose()?.unwrap_or_default() {
        let Package { matching_id, path, upp } = package;
        let iccid = header_iccid(&upp)
            .map_err(|e| CliError::Sim(format!("{}: {}", path.display(), crate::error::chain(&e))))?;
        let package = ProfilePackage::new(upp, ProfileMetadata::new(iccid, &matching_id, "oxicard", address))
            .map_err(|e| CliError::Sim(format!("{}: {}", path.display(), crate::error::chain(&e))))?;
        smdp.add_profile(&matching_id, package);
    }
    Ok(smdp)
}
