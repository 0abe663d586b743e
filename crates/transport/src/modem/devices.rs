//! Finding the devices a modem offers: serial ports for AT commands, cdc-wdm and WWAN control
//! ports for QMI and MBIM, as the Linux kernel names them.
//!
//! - USB serial ports are `/dev/ttyUSB*` (drivers `option`, `qcserial`, …) and `/dev/ttyACM*`
//!   (`cdc_acm`); the WWAN subsystem (`drivers/net/wwan`) names its ports `/dev/wwanNatM`,
//!   `/dev/wwanNqmiM`, `/dev/wwanNmbimM` by the protocol they carry.
//! - USB control devices are `/dev/cdc-wdmN`; the protocol is the driver bound to the interface:
//!   `qmi_wwan` speaks QMI, `cdc_mbim` MBIM (`/sys/class/usbmisc/cdc-wdmN/device/driver`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The protocol a modem device speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ModemProtocol {
    /// AT commands (3GPP TS 27.007) on a serial port.
    At,
    /// QMI (QMUX framing) on a control device.
    Qmi,
    /// MBIM on a control device.
    Mbim,
}

impl ModemProtocol {
    /// The protocol's name as the CLI option spells it: `at`, `qmi`, `mbim`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::At => "at",
            Self::Qmi => "qmi",
            Self::Mbim => "mbim",
        }
    }
}

/// A device that may lead to a modem's eUICC.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModemDevice {
    /// Its path, e.g. `/dev/ttyUSB2` or `/dev/cdc-wdm0`.
    pub path: PathBuf,
    /// The protocol it speaks, when its name or driver tells (`None`: a cdc-wdm device whose
    /// driver is unknown).
    pub protocol: Option<ModemProtocol>,
    /// The kernel driver bound to it, when sysfs says (`option`, `qmi_wwan`, `cdc_mbim`, …).
    pub driver: Option<String>,
}

/// The modem devices of this machine: [`list_devices_in`] on `/dev` and `/sys`.
pub fn list_devices() -> io::Result<Vec<ModemDevice>> {
    list_devices_in(Path::new("/dev"), Path::new("/sys"))
}

/// The modem devices under `dev`, with their drivers from the sysfs tree `sys`, sorted by path
/// (`ttyUSB2` before `ttyUSB10`). A missing `sys` only leaves the drivers unknown.
pub fn list_devices_in(dev: &Path, sys: &Path) -> io::Result<Vec<ModemDevice>> {
    let mut devices = Vec::new();
    for entry in fs::read_dir(dev)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((class, protocol)) = classify(name) else { continue };
        let driver = driver_of(sys, class, name);
        let protocol = protocol.or(match driver.as_deref() {
            Some("qmi_wwan") => Some(ModemProtocol::Qmi),
            Some("cdc_mbim") => Some(ModemProtocol::Mbim),
            _ => None,
        });
        devices.push(ModemDevice { path: entry.path(), protocol, driver });
    }
    devices.sort_by_cached_key(|d| natural_key(&d.path));
    Ok(devices)
}

/// The sysfs class of a device name and the protocol the name alone tells, or `None` for a
/// name that is not a modem port.
fn classify(name: &str) -> Option<(&'static str, Option<ModemProtocol>)> {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if numbered("ttyUSB") || numbered("ttyACM") {
        return Some(("tty", Some(ModemProtocol::At)));
    }
    if numbered("cdc-wdm") {
        return Some(("usbmisc", None));
    }
    // WWAN ports: wwan<N><type><M>, type `at`, `qmi`, `mbim` (other types — `qcdm`,
    // `firehose`, `xmmrpc` — are not for us).
    let rest = name.strip_prefix("wwan")?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let kind = rest.trim_end_matches(|c: char| c.is_ascii_digit());
    let protocol = match kind {
        "at" => ModemProtocol::At,
        "qmi" => ModemProtocol::Qmi,
        "mbim" => ModemProtocol::Mbim,
        _ => return None,
    };
    (rest.len() > kind.len()).then_some(("wwan", Some(protocol)))
}

/// The name of the driver bound to `name`'s device in sysfs (`/sys/class/CLASS/NAME/device/driver`
/// is a link to the driver's directory).
fn driver_of(sys: &Path, class: &str, name: &str) -> Option<String> {
    let link = fs::read_link(sys.join("class").join(class).join(name).join("device/driver")).ok()?;
    link.file_name()?.to_str().map(str::to_owned)
}

/// A sort key that orders the digit runs of a path by value.
fn natural_key(path: &Path) -> Vec<(String, u64)> {
    let text = path.to_string_lossy();
    let mut key = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut number = u64::from(c.to_digit(10).unwrap_or(0));
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                number = number.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            key.push((std::mem::take(&mut word), number));
        } else {
            word.push(c);
        }
    }
    key.push((word, 0));
    key
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn finds_serial_cdc_wdm_and_wwan_ports_with_their_drivers() {
        let root = std::env::temp_dir().join(format!("oxicard-devices-{}", std::process::id()));
        let (dev, sys) = (root.join("dev"), root.join("sys"));
        fs::create_dir_all(&dev).unwrap();
        for name in [
            "ttyUSB10",
            "ttyUSB2",
            "ttyACM0",
            "cdc-wdm0",
            "cdc-wdm1",
            "cdc-wdm2",
            "wwan0at0",
            "wwan0mbim0",
            "wwan0qmi0",
            "wwan0qcdm0",
            "ttyS0",
            "tty1",
            "null",
            "ttyUSB",
        ] {
            fs::write(dev.join(name), b"").unwrap();
        }
        for (class, name, driver) in [
            ("tty", "ttyUSB2", "option"),
            ("usbmisc", "cdc-wdm0", "qmi_wwan"),
            ("usbmisc", "cdc-wdm1", "cdc_mbim"),
        ] {
            let device = sys.join("class").join(class).join(name).join("device");
            fs::create_dir_all(&device).unwrap();
            symlink(format!("../../../bus/usb/drivers/{driver}"), device.join("driver")).unwrap();
        }
        let found: Vec<(String, Option<&str>, Option<String>)> = list_devices_in(&dev, &sys)
            .unwrap()
            .into_iter()
            .map(|d| {
                (
                    d.path.file_name().unwrap().to_string_lossy().into_owned(),
                    d.protocol.map(ModemProtocol::as_str),
                    d.driver,
                )
            })
            .collect();
        fs::remove_dir_all(&root).unwrap();
        let expected: Vec<(String, Option<&str>, Option<String>)> = vec![
            ("cdc-wdm0".into(), Some("qmi"), Some("qmi_wwan".into())),
            ("cdc-wdm1".into(), Some("mbim"), Some("cdc_mbim".into())),
            ("cdc-wdm2".into(), None, None),
            ("ttyACM0".into(), Some("at"), None),
            ("ttyUSB2".into(), Some("at"), Some("option".into())),
            ("ttyUSB10".into(), Some("at"), None),
            ("wwan0at0".into(), Some("at"), None),
            ("wwan0mbim0".into(), Some("mbim"), None),
            ("wwan0qmi0".into(), Some("qmi"), None),
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn a_missing_dev_directory_is_an_error() {
        let missing = Path::new("/nonexistent-oxicard-dev");
        assert_eq!(list_devices_in(missing, missing).unwrap_err().kind(), io::ErrorKind::NotFound);
    }
}
