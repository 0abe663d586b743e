//! lpac's environment variables (lpac `docs/ENVVARS.md`, `src/lpac.c`, `utils/lpac/utils.c`):
//! the APDU backend and its device, the HTTP backend, the ISD-R AID, the ES10x segment size and
//! the debug switches, with lpac's deprecated names still read (and warned about, as lpac
//! warns).

use std::path::PathBuf;

use oxicard_transport::modem::ModemProtocol;

/// Where lpac mode finds the eUICC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// `LPAC_APDU=pcsc` (lpac's default): a PC/SC reader chosen by index
    /// (`LPAC_APDU_PCSC_DRV_IFID`) or name (`LPAC_APDU_PCSC_DRV_NAME`), skipping readers whose
    /// name contains one of `LPAC_APDU_PCSC_DRV_IGNORE_NAME`.
    Pcsc {
        /// The reader's index in the reader list.
        index: Option<usize>,
        /// A part of the reader's name.
        name: Option<String>,
        /// Parts of names of readers never chosen.
        ignore: Vec<String>,
    },
    /// `LPAC_APDU=at|at_csim|qmi|uqmi|mbim`: the eUICC behind a modem.
    Modem {
        /// The modem's protocol.
        protocol: ModemProtocol,
        /// Its device.
        device: PathBuf,
        /// The SIM slot (QMI, MBIM), from 1.
        slot: Option<u8>,
        /// `LPAC_APDU_MBIM_USE_PROXY`: `Some(true)` through mbim-proxy only, `Some(false)` the
        /// device only, `None` the proxy when one listens.
        proxy: Option<bool>,
    },
    /// `LPAC_APDU=oxicard_sim`, or `OXICARD_SIM` without `LPAC_APDU` (an oxicard addition):
    /// the software eUICC.
    Simulator,
}

/// lpac mode's settings from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    /// The APDU backend.
    pub(crate) backend: Backend,
    /// `LPAC_CUSTOM_ISD_R_AID`, decoded.
    pub(crate) isd_r_aid: Option<Vec<u8>>,
    /// `LPAC_CUSTOM_ES10X_MSS`: the STORE DATA segment size.
    pub(crate) segment_size: Option<u16>,
    /// `LPAC_APDU_DEBUG` (or `LIBEUICC_DEBUG_APDU`): APDUs traced on stderr.
    pub(crate) apdu_debug: bool,
    /// `LPAC_HTTP_DEBUG` (or `LIBEUICC_DEBUG_HTTP`): HTTP traced on stderr.
    pub(crate) http_debug: bool,
}

/// Why the environment cannot be used; lpac says these on stderr (drivers) or as the
/// `euicc_init` error (AID, segment size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EnvError {
    /// `LPAC_APDU` names a backend oxicard does not have (lpac: `No APDU driver found`).
    NoApduDriver(String),
    /// `LPAC_HTTP` names a backend oxicard does not have (lpac: `No HTTP driver found`).
    NoHttpDriver(String),
    /// A bad `LPAC_CUSTOM_ISD_R_AID` (lpac: `invalid custom ISD-R applet id given`).
    IsdRAid,
    /// A bad `LPAC_CUSTOM_ES10X_MSS` (lpac: `invalid custom ES10x MSS given`).
    SegmentSize,
    /// A bad number in a device variable.
    Number(&'static str, String),
}

/// The environment, read through `get` (a variable's value, `None` when unset or empty), with
/// `warn` told each deprecated name in use.
pub(crate) struct Env<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
    warn: &'a dyn Fn(&str),
}

impl<'a> Env<'a> {
    /// Reads through `get`, warning through `warn`.
    pub(crate) fn new(get: &'a dyn Fn(&str) -> Option<String>, warn: &'a dyn Fn(&str)) -> Self {
        Self { get, warn }
    }

    /// A variable, empty counting as unset (lpac `getenv` then a length check).
    fn var(&self, name: &str) -> Option<String> {
        (self.get)(name).filter(|v| !v.is_empty())
    }

    /// `name`, else its deprecated `old` name with lpac's warning (`set_deprecated_env_name`).
    fn var_or_old(&self, name: &str, old: &str) -> Option<String> {
        if let Some(value) = self.var(name) {
            return Some(value);
        }
        let value = self.var(old)?;
        (self.warn)(&format!("WARNING: Please use '{name}' instead of '{old}'"));
        Some(value)
    }

    /// A boolean as lpac reads one (`getenv_or_default_bool`): `1 y on yes true` / `0 n off no
    /// false`, any case; another value warns and gives `default`.
    fn boolean(&self, name: &str, old: Option<&str>, default: bool) -> bool {
        let value = match old {
            Some(old) => self.var_or_old(name, old),
            None => self.var(name),
        };
        let Some(value) = value else { return default };
        match value.to_ascii_lowercase().as_str() {
            "1" | "y" | "on" | "yes" | "true" => true,
            "0" | "n" | "off" | "no" | "false" => false,
            _ => {
                (self.warn)(&format!(
                    "WARNING: Invalid value '{value}' for environment variable '{name}', falling back to default ({default})"
                ));
                default
            }
        }
    }

    /// A slot number (from 1).
    fn slot(&self, name: &'static str, old: &str) -> Result<Option<u8>, EnvError> {
        self.var_or_old(name, old)
            .map(|v| v.trim().parse::<u8>().ok().filter(|&s| s >= 1).ok_or(EnvError::Number(name, v)))
            .transpose()
    }

    /// The settings.
    pub(crate) fn settings(&self) -> Result<Settings, EnvError> {
        match self.var("LPAC_HTTP").as_deref() {
            None | Some("curl" | "winhttp") => {}
            Some(other) => return Err(EnvError::NoHttpDriver(other.to_owned())),
        }
        let backend = self.backend()?;
        let isd_r_aid = match self.var("LPAC_CUSTOM_ISD_R_AID") {
            None => None,
            Some(hex) => {
                let aid = hex::decode(&hex).map_err(|_| EnvError::IsdRAid)?;
                // lpac takes 1..=16 bytes; an ISO/IEC 7816-5 AID has 5 to 16.
                if !(5..=16).contains(&aid.len()) {
                    return Err(EnvError::IsdRAid);
                }
                Some(aid)
            }
        };
        let segment_size = match self.var("LPAC_CUSTOM_ES10X_MSS") {
            None => None,
            Some(text) => match text.trim().parse::<u16>() {
                Ok(0) => None,
                // lpac takes 6..=255; a download's largest request needs blocks of 8 bytes or
                // more in 256 STORE DATA commands, so 6 and 7 count as 8.
                Ok(size @ 6..=255) => Some(size.max(8)),
                _ => return Err(EnvError::SegmentSize),
            },
        };
        Ok(Settings {
            backend,
            isd_r_aid,
            segment_size,
            apdu_debug: self.boolean("LPAC_APDU_DEBUG", Some("LIBEUICC_DEBUG_APDU"), false),
            http_debug: self.boolean("LPAC_HTTP_DEBUG", Some("LIBEUICC_DEBUG_HTTP"), false),
        })
    }

    fn backend(&self) -> Result<Backend, EnvError> {
        let driver = self.var("LPAC_APDU");
        let modem = |protocol, device: Option<String>, default: &str, slot| Backend::Modem {
            protocol,
            device: PathBuf::from(device.unwrap_or_else(|| default.to_owned())),
            slot,
            proxy: None,
        };
        Ok(match driver.as_deref() {
            None if self.var("OXICARD_SIM").is_some() => Backend::Simulator,
            Some("oxicard_sim") => Backend::Simulator,
            None | Some("pcsc") => Backend::Pcsc {
                index: match self.var_or_old("LPAC_APDU_PCSC_DRV_IFID", "DRIVER_IFID") {
                    None => None,
                    Some(v) => match v.trim().parse::<i64>() {
                        Ok(i) if i < 0 => None,
                        Ok(i) => Some(
                            usize::try_from(i).map_err(|_| EnvError::Number("LPAC_APDU_PCSC_DRV_IFID", v))?,
                        ),
                        Err(_) => return Err(EnvError::Number("LPAC_APDU_PCSC_DRV_IFID", v)),
                    },
                },
                name: self.var_or_old("LPAC_APDU_PCSC_DRV_NAME", "DRIVER_NAME"),
                ignore: self
                    .var("LPAC_APDU_PCSC_DRV_IGNORE_NAME")
                    .map(|v| v.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect())
                    .unwrap_or_default(),
            },
            Some("at" | "at_csim") => modem(
                ModemProtocol::At,
                self.var_or_old("LPAC_APDU_AT_DEVICE", "AT_DEVICE"),
                "/dev/ttyUSB0",
                None,
            ),
            Some("qmi" | "uqmi") => modem(
                ModemProtocol::Qmi,
                self.var_or_old("LPAC_APDU_QMI_DEVICE", "QMI_DEVICE"),
                "/dev/cdc-wdm0",
                self.slot("LPAC_APDU_QMI_UIM_SLOT", "UIM_SLOT")?,
            ),
            Some("mbim") => Backend::Modem {
                protocol: ModemProtocol::Mbim,
                device: PathBuf::from(
                    self.var("LPAC_APDU_MBIM_DEVICE").unwrap_or_else(|| "/dev/cdc-wdm0".into()),
                ),
                slot: self.slot("LPAC_APDU_MBIM_UIM_SLOT", "UIM_SLOT")?,
                proxy: self
                    .var("LPAC_APDU_MBIM_USE_PROXY")
                    .map(|_| self.boolean("LPAC_APDU_MBIM_USE_PROXY", None, false)),
            },
            Some(other) => return Err(EnvError::NoApduDriver(other.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> (Result<Settings, EnvError>, Vec<String>) {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let warnings = RefCell::new(Vec::new());
        let get = |name: &str| map.get(name).cloned();
        let warn = |w: &str| warnings.borrow_mut().push(w.to_owned());
        let result = Env::new(&get, &warn).settings();
        (result, warnings.into_inner())
    }

    #[test]
    fn pcsc_is_the_default_and_old_names_are_read_with_lpacs_warning() {
        let (s, w) = settings(&[]);
        assert_eq!(s.unwrap().backend, Backend::Pcsc { index: None, name: None, ignore: vec![] });
        assert!(w.is_empty());
        let (s, w) = settings(&[("DRIVER_IFID", "1"), ("LPAC_APDU_PCSC_DRV_IGNORE_NAME", "Yubi;;Hello")]);
        assert_eq!(
            s.unwrap().backend,
            Backend::Pcsc { index: Some(1), name: None, ignore: vec!["Yubi".into(), "Hello".into()] }
        );
        assert_eq!(w, ["WARNING: Please use 'LPAC_APDU_PCSC_DRV_IFID' instead of 'DRIVER_IFID'"]);
        let (s, _) = settings(&[("LPAC_APDU_PCSC_DRV_IFID", "-1")]);
        assert_eq!(s.unwrap().backend, Backend::Pcsc { index: None, name: None, ignore: vec![] });
    }

    #[test]
    fn modems_as_lpac_names_them() {
        let (s, w) = settings(&[("LPAC_APDU", "at"), ("AT_DEVICE", "/dev/ttyUSB2")]);
        assert_eq!(
            s.unwrap().backend,
            Backend::Modem {
                protocol: ModemProtocol::At,
                device: "/dev/ttyUSB2".into(),
                slot: None,
                proxy: None
            }
        );
        assert_eq!(w.len(), 1);
        let (s, _) = settings(&[("LPAC_APDU", "qmi"), ("LPAC_APDU_QMI_UIM_SLOT", "2")]);
        assert_eq!(
            s.unwrap().backend,
            Backend::Modem {
                protocol: ModemProtocol::Qmi,
                device: "/dev/cdc-wdm0".into(),
                slot: Some(2),
                proxy: None
            }
        );
        let (s, _) = settings(&[
            ("LPAC_APDU", "mbim"),
            ("LPAC_APDU_MBIM_DEVICE", "/dev/wwan0mbim0"),
            ("LPAC_APDU_MBIM_USE_PROXY", "TRUE"),
        ]);
        assert_eq!(
            s.unwrap().backend,
            Backend::Modem {
                protocol: ModemProtocol::Mbim,
                device: "/dev/wwan0mbim0".into(),
                slot: None,
                proxy: Some(true)
            }
        );
        assert_eq!(
            settings(&[("LPAC_APDU", "gbinder_hidl")]).0,
            Err(EnvError::NoApduDriver("gbinder_hidl".into()))
        );
        assert_eq!(settings(&[("LPAC_HTTP", "stdio")]).0, Err(EnvError::NoHttpDriver("stdio".into())));
        assert_eq!(
            settings(&[("LPAC_APDU", "qmi"), ("UIM_SLOT", "0")]).0,
            Err(EnvError::Number("LPAC_APDU_QMI_UIM_SLOT", "0".into()))
        );
    }

    #[test]
    fn custom_aid_segment_size_and_debug() {
        let (s, _) = settings(&[
            ("LPAC_CUSTOM_ISD_R_AID", "A0000005591010FFFFFFFF8900000177"),
            ("LPAC_CUSTOM_ES10X_MSS", "6"),
        ]);
        let s = s.unwrap();
        assert_eq!(s.isd_r_aid.unwrap()[15], 0x77);
        assert_eq!(s.segment_size, Some(8));
        assert_eq!(settings(&[("LPAC_CUSTOM_ISD_R_AID", "A00")]).0, Err(EnvError::IsdRAid));
        assert_eq!(settings(&[("LPAC_CUSTOM_ES10X_MSS", "256")]).0, Err(EnvError::SegmentSize));
        assert_eq!(settings(&[("LPAC_CUSTOM_ES10X_MSS", "0")]).0.unwrap().segment_size, None);
        let (s, w) = settings(&[("LIBEUICC_DEBUG_APDU", "1"), ("LPAC_HTTP_DEBUG", "maybe")]);
        let s = s.unwrap();
        assert!(s.apdu_debug && !s.http_debug);
        assert_eq!(
            w[1],
            "WARNING: Invalid value 'maybe' for environment variable 'LPAC_HTTP_DEBUG', falling back to default (false)"
        );
        assert_eq!(settings(&[("OXICARD_SIM", "/tmp/e.json")]).0.unwrap().backend, Backend::Simulator);
    }
}
