//! oxicard: smart cards and eSIMs from Rust.
//!
//! This facade re-exports the workspace crates:
//!
//! - [`transport`]: raw APDU exchange (PC/SC, scripted mock, simulators, vpcd bridge).
//! - [`apdu`]: ISO/IEC 7816-4 codec, status words, BER-TLV and the card layer.
//! - [`secure_channel`]: GlobalPlatform SCP03 (host and card side, over the card layer) and the
//!   SGP.22 BSP (Bound Profile Package protection).
//! - [`gp`]: GlobalPlatform card management (GET STATUS, CAP load files, INSTALL, DELETE, PUT KEY).
//! - [`euicc`]: the GSMA SGP.22 LPA (ISD-R access, ES10a/b/c, ES9+/ES11, download, notifications).
//! - `sim` (feature `sim`): the software eUICC, the test SM-DP+ and SM-DS, the test PKI and the
//!   simulated GlobalPlatform card.
//!
//! # Five jobs
//!
//! | job | shown in | the code below runs against |
//! |---|---|---|
//! | [send an APDU over PC/SC](#1-send-an-apdu-over-pcsc) | [`transport`](transport#sending-an-apdu-over-pcsc), [`apdu`](apdu#a-card-in-a-reader) | the software eUICC |
//! | [open SCP03 and send wrapped commands](#2-open-scp03-and-send-wrapped-commands) | [`secure_channel`](secure_channel#opening-scp03-and-sending-wrapped-commands) | the simulated GlobalPlatform card |
//! | [list and enable profiles on a reader](#3-list-and-enable-profiles-on-a-reader) | [`euicc`](euicc#listing-and-enabling-profiles-on-a-reader) | the software eUICC |
//! | [download a profile with your own HTTP client](#4-download-a-profile-with-your-own-http-client) | [`euicc`](euicc#bringing-your-own-http-client), [`euicc`](euicc#driving-a-download-without-blocking) | the software eUICC and the test SM-DP+, in process |
//! | [load and install a CAP](#5-load-and-install-a-cap) | [`gp`](gp#loading-and-installing-a-cap) | the simulated GlobalPlatform card |
//!
//! Each job is a function written once for any card channel
//! ([`apdu::card::CardChannel`]: a card, a logical channel, an SCP03 session). Each example
//! compiles the function's use on a card in a PC/SC reader (`on_reader`, feature `pcsc`: it is
//! compiled, not called, as it needs a reader) and runs the same function against an in-process
//! simulator of `oxicard::sim` (feature `sim`), asserting what the card answered.
//!
//! ## 1. Send an APDU over PC/SC
//!
//! [`apdu::card::Card`] over a [`transport::pcsc::PcscCard`] sends a command and returns the
//! complete response: GET RESPONSE after `61xx`, the repeat after `6Cxx`, command chaining and
//! extended length (ISO/IEC 7816-4 §5) are handled below `transmit`. Here a SELECT by DF name
//! (§11.2.2) of the GSMA ISD-R (SGP.22 §2.2.3):
//!
//! ```
//! use oxicard::apdu::card::{Card, CardChannel, CardError};
//! use oxicard::apdu::{CommandView, Response, StatusWord};
//! use oxicard::sim::euicc::SoftEuicc;
//! use oxicard::transport::pcsc::{ConnectOptions, PcscContext};
//! use oxicard::transport::sim::SimulatorTransport;
//!
//! const ISD_R: [u8; 16] =
//!     [0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00];
//!
//! fn select_isd_r(card: &mut impl CardChannel) -> Result<Response, CardError> {
//!     card.transmit(&CommandView::new(0x00, 0xA4, 0x04, 0x00).with_data(&ISD_R).with_ne(256))
//! }
//!
//! fn on_reader() -> Result<(), Box<dyn std::error::Error>> {
//!     let context = PcscContext::establish()?;
//!     let reader = context.list_readers()?.into_iter().next().ok_or("no PC/SC reader")?;
//!     let mut card = Card::new(context.connect(&reader, &ConnectOptions::default())?);
//!     let response = select_isd_r(&mut card)?;
//!     println!("{reader}: SW {}, data {:02X?}", response.sw(), response.data());
//!     Ok(())
//! }
//!
//! let mut card = Card::new(SimulatorTransport::new(SoftEuicc::new()));
//! assert_eq!(select_isd_r(&mut card)?.sw(), StatusWord::SUCCESS);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The raw [`transport::Transport`] underneath (bytes in, bytes out, nothing interpreted) has
//! its own example in [`transport`](transport#sending-an-apdu-over-pcsc).
//!
//! ## 2. Open SCP03 and send wrapped commands
//!
//! [`secure_channel::scp03::Scp03Session`] opens SCP03 (GP Card Specification v2.3 Amendment D:
//! INITIALIZE UPDATE, the card cryptogram checked, EXTERNAL AUTHENTICATE) on the selected
//! security domain and wraps every command sent through it; it is a card channel itself. Here
//! a GET STATUS of the ISD (GPC v2.3.1 §11.4) at security level `33` (C-DECRYPTION, C-MAC,
//! R-MAC, R-ENCRYPTION):
//!
//! ```
//! use oxicard::apdu::card::{Card, CardChannel};
//! use oxicard::apdu::{CommandView, StatusWord};
//! use oxicard::secure_channel::scp03::{OpenOptions, Scp03Session, SecurityLevel, StaticKeys};
//! use oxicard::sim::gp::{DEFAULT_ISD_AID, GpCard};
//! use oxicard::transport::pcsc::{ConnectOptions, PcscContext};
//! use oxicard::transport::sim::SimulatorTransport;
//!
//! type Error = Box<dyn std::error::Error>;
//!
//! /// The ISD's GET STATUS entry (tag E3), under SCP03.
//! fn isd_status(card: &mut impl CardChannel, isd: &[u8], keys: &StaticKeys) -> Result<Vec<u8>, Error> {
//!     card.select(isd)?;
//!     let level = SecurityLevel::C_DEC_C_MAC_R_MAC_R_ENC;
//!     let mut session = Scp03Session::open(card, keys, level, &OpenOptions::new().with_aid(isd)?)?;
//!     let get_status = CommandView::new(0x80, 0xF2, 0x80, 0x02).with_data(&[0x4F, 0x00]).with_ne(256);
//!     let response = session.transmit(&get_status)?; // wrapped, sent, unwrapped
//!     if response.sw() != StatusWord::SUCCESS {
//!         return Err(format!("GET STATUS: {}", response.sw()).into());
//!     }
//!     Ok(response.into_data())
//! }
//!
//! fn on_reader(isd: &[u8], keys: &StaticKeys) -> Result<(), Error> {
//!     let context = PcscContext::establish()?;
//!     let reader = context.list_readers()?.into_iter().next().ok_or("no PC/SC reader")?;
//!     let mut card = Card::new(context.connect(&reader, &ConnectOptions::default())?);
//!     println!("{:02X?}", isd_status(&mut card, isd, keys)?);
//!     Ok(())
//! }
//!
//! // The simulated card's key set: version 30, ENC 40…40, MAC 41…41, DEK 42…42.
//! let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16])?;
//! let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys.clone())));
//! let entry = isd_status(&mut card, &DEFAULT_ISD_AID, &keys)?;
//! assert_eq!(entry[..12], [0xE3, entry[1], 0x4F, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## 3. List and enable profiles on a reader
//!
//! [`euicc::isdr::Isdr`] opens the ISD-R of an eUICC on a logical channel of its own and sends
//! each ES10 function as a STORE DATA sequence: GetProfilesInfo (SGP.22 §5.7.15),
//! EnableProfile (§5.7.16). The software eUICC below first gets a profile from the test SM-DP+
//! (hidden lines: job 4 shows them):
//!
//! ```
//! use oxicard::apdu::card::{Card, CardChannel};
//! use oxicard::euicc::es10::{ProfileInfo, ProfileState};
//! use oxicard::euicc::iccid::Iccid;
//! use oxicard::euicc::isdr::{Es10Error, Isdr, IsdrOptions};
//! use oxicard::transport::pcsc::{ConnectOptions, PcscContext};
//! # use oxicard::sim::euicc::SoftEuicc;
//! # use oxicard::transport::sim::SimulatorTransport;
//! # use oxicard::euicc::activation::{ActivationCode, DeviceInfo};
//! # use oxicard::euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
//! # use oxicard::sim::pki::TestPki;
//! # use oxicard::sim::smdp::{InProcessClient, ProfileBuilder, ProfileMetadata, TestSmdp};
//!
//! /// Lists the profiles, enables `iccid`, and returns the list as it is then.
//! fn list_and_enable(channel: impl CardChannel, iccid: Iccid) -> Result<Vec<ProfileInfo>, Es10Error> {
//!     let mut isdr = Isdr::open(channel, &IsdrOptions::default())?;
//!     for profile in isdr.profiles()? {
//!         let state = profile.state.map_or("?", |s| s.asn1_name());
//!         println!("{:?} {state} {:?}", profile.iccid, profile.profile_name);
//!     }
//!     isdr.enable_profile(iccid, true)?; // refreshFlag: the device reloads the new profile
//!     let profiles = isdr.profiles()?;
//!     isdr.close()?;
//!     Ok(profiles)
//! }
//!
//! fn on_reader(iccid: Iccid) -> Result<(), Box<dyn std::error::Error>> {
//!     let context = PcscContext::establish()?;
//!     let reader = context.list_readers()?.into_iter().next().ok_or("no PC/SC reader")?;
//!     let mut card = Card::new(context.connect(&reader, &ConnectOptions::default())?);
//!     list_and_enable(&mut card, iccid)?;
//!     Ok(())
//! }
//!
//! let iccid: Iccid = "8944478600004573128".parse()?;
//! # let pki = TestPki::from_seed([7; 32])?;
//! # let profile = ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "Test", "oxicard", "smdp.example.com"));
//! # let mut es9 = InProcessClient::new(TestSmdp::new(pki.smdp_identity()?, "smdp.example.com").with_profile("MATCH-1", profile));
//! # let mut card = Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity()?)));
//! # let code: ActivationCode = "LPA:1$smdp.example.com$MATCH-1".parse()?;
//! # let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse()?));
//! # let mut isdr = Isdr::open(&mut card, &IsdrOptions::default())?;
//! # download(&mut isdr, &mut es9, &request, &mut |_: &ProfileOffer<'_>| Consent::Accept(None))?;
//! # isdr.close()?;
//! // `card`: the software eUICC (`SoftEuicc`) with the profile `iccid` downloaded, disabled.
//! let profiles = list_and_enable(&mut card, iccid)?;
//! assert_eq!((profiles[0].iccid, profiles[0].state), (Some(iccid), Some(ProfileState::Enabled)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 4. Download a profile with your own HTTP client
//!
//! The LPA's ES9+ client ([`euicc::es9::RspClient`]) builds the URLs, headers and JSON of
//! SGP.22 §6.5 and checks every answer; the HTTP request itself goes through any
//! [`euicc::es9::HttpClient`], one method. The default is `HttpEs9Client` (feature `http`,
//! ureq + rustls); below, a client of one's own hands each request to the test SM-DP+ in the
//! same process, where a platform's client (Android, iOS, a modem's, `reqwest`, `hyper`) would
//! POST it over TLS. [`euicc::download::download`] runs the whole download (SGP.22 §3.1.3) and
//! asks the handler for the user's consent:
//!
//! ```
//! use oxicard::apdu::card::{Card, CardChannel};
//! use oxicard::euicc::activation::{ActivationCode, DeviceInfo};
//! use oxicard::euicc::download::{Consent, DownloadRequest, ProfileOffer, download};
//! use oxicard::euicc::es9::{HttpClient, HttpError, HttpRequest, HttpResponse, RspClient};
//! use oxicard::euicc::isdr::{Isdr, IsdrOptions};
//! use oxicard::sim::euicc::SoftEuicc;
//! use oxicard::sim::pki::TestPki;
//! use oxicard::sim::smdp::{ProfileBuilder, ProfileMetadata, RspServer, TestSmdp};
//! use oxicard::transport::pcsc::{ConnectOptions, PcscContext};
//! use oxicard::transport::sim::SimulatorTransport;
//!
//! type Error = Box<dyn std::error::Error>;
//!
//! /// One's own HTTP client: here a test SM-DP+ at `https://smdp.example.com`, in process.
//! struct MyHttp(TestSmdp);
//!
//! impl HttpClient for MyHttp {
//!     fn post(&mut self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
//!         let Some(path) = request.url.strip_prefix("https://smdp.example.com/") else {
//!             return Err(HttpError::transport(format!("no route to {}", request.url)));
//!         };
//!         let answer = self.0.handle_request(&format!("/{path}"), request.header("X-Admin-Protocol"), &request.body);
//!         Ok(match answer.status {
//!             200 => HttpResponse::json(answer.body),
//!             status => HttpResponse::new(status, answer.body),
//!         })
//!     }
//! }
//!
//! /// Downloads the profile of `code` onto the eUICC behind `channel`.
//! fn download_with(channel: impl CardChannel, http: impl HttpClient, code: &str) -> Result<(), Error> {
//!     let code: ActivationCode = code.parse()?; // LPA:1$<SM-DP+ address>$<MatchingID> (SGP.22 §4.1)
//!     let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse()?));
//!     let mut isdr = Isdr::open(channel, &IsdrOptions::default())?;
//!     let mut ask = |offer: &ProfileOffer<'_>| {
//!         println!("install {:?}?", offer.metadata.as_ref().and_then(|m| m.profile_name.as_deref()));
//!         Consent::Accept(None) // Consent::refuse() cancels the session on both sides
//!     };
//!     let installed = download(&mut isdr, &mut RspClient::new(http), &request, &mut ask)?;
//!     println!("installed {:?}", installed.iccid);
//!     Ok(isdr.close()?)
//! }
//!
//! fn on_reader(http: impl HttpClient, code: &str) -> Result<(), Error> {
//!     let context = PcscContext::establish()?;
//!     let reader = context.list_readers()?.into_iter().next().ok_or("no PC/SC reader")?;
//!     download_with(Card::new(context.connect(&reader, &ConnectOptions::default())?), http, code)
//! }
//!
//! // A test PKI (CI, EUM, eUICC, SM-DP+), an SM-DP+ with one profile, an eUICC that trusts its CI.
//! let pki = TestPki::from_seed([7; 32])?;
//! let iccid = "8944478600004573128".parse()?;
//! let profile = ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "Test", "oxicard", "smdp.example.com"));
//! let smdp = TestSmdp::new(pki.smdp_identity()?, "smdp.example.com").with_profile("MATCH-1", profile);
//! let mut card = Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity()?)));
//!
//! download_with(&mut card, MyHttp(smdp), "LPA:1$smdp.example.com$MATCH-1")?;
//! let installed = card.transport().simulator().state().profiles();
//! assert_eq!(installed[0].iccid, Some(iccid));
//! # Ok::<(), Error>(())
//! ```
//!
//! Without blocking (an async runtime, an event loop, a UI thread): a
//! [`euicc::download::DownloadSession`] is the same download as a sans-IO state machine. It
//! says what it needs next — an ES10 exchange with the eUICC, an HTTP exchange, the consent —
//! and takes the answer, however the caller obtained it (an `await`, a callback, a modem):
//!
//! ```
//! use oxicard::euicc::download::{Consent, DownloadEvent, DownloadSession};
//! use oxicard::euicc::es9::{HttpClient, RspConfig};
//! # use oxicard::apdu::card::Card;
//! # use oxicard::euicc::activation::{ActivationCode, DeviceInfo};
//! # use oxicard::euicc::download::DownloadRequest;
//! # use oxicard::euicc::isdr::{Isdr, IsdrOptions};
//! # use oxicard::sim::euicc::SoftEuicc;
//! # use oxicard::sim::pki::TestPki;
//! # use oxicard::sim::smdp::{InProcessClient, ProfileBuilder, ProfileMetadata, TestSmdp};
//! # use oxicard::transport::sim::SimulatorTransport;
//! # let pki = TestPki::from_seed([7; 32])?;
//! # let iccid = "8944478600004573128".parse()?;
//! # let profile = ProfileBuilder::new(iccid).package(ProfileMetadata::new(iccid, "Test", "oxicard", "smdp.example.com"));
//! # let (_, mut http) = InProcessClient::new(TestSmdp::new(pki.smdp_identity()?, "smdp.example.com").with_profile("MATCH-1", profile)).into_parts();
//! # let mut card = Card::new(SimulatorTransport::new(SoftEuicc::from_identity(pki.euicc_identity()?)));
//! # let mut isdr = Isdr::open(&mut card, &IsdrOptions::default())?;
//! # let code: ActivationCode = "LPA:1$smdp.example.com$MATCH-1".parse()?;
//! # let request = DownloadRequest::new(&code, DeviceInfo::from_tac("35290611".parse()?));
//! // `isdr`, `http` (any HttpClient) and `request` as above.
//! let mut session = DownloadSession::new(RspConfig::new(), &request);
//! let installed = loop {
//!     match session.next_event() {
//!         DownloadEvent::Progress(progress) => println!("{:?}", progress.step),
//!         DownloadEvent::Es10(exchange) => exchange.perform(&mut isdr), // or exchange.answer(…)
//!         DownloadEvent::Http(exchange) => {
//!             let answer = http.post(exchange.request()); // or an async client's, awaited
//!             exchange.answer(answer);
//!         }
//!         DownloadEvent::Consent(exchange) => exchange.answer(Consent::Accept(None)),
//!         DownloadEvent::Done(result) => break result?,
//!     }
//! };
//! assert_eq!(installed.iccid, Some(iccid));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 5. Load and install a CAP
//!
//! [`gp::ops`] over an SCP03 session: INSTALL [for load] with the hash of the Load File Data
//! Block, LOAD blocks sized for the session, INSTALL [for install and make selectable] of each
//! applet (GPC v2.3.1 §11.5, §11.6). The CAP file is osmocom's HelloSTK applet, kept in the
//! repository (`crates/gp/testdata`):
//!
//! ```
//! use oxicard::apdu::card::{Card, CardChannel};
//! use oxicard::gp::cap::CapFile;
//! use oxicard::gp::connect::{ConnectOptions, connect};
//! use oxicard::gp::ops::{InstallCapOptions, install_cap};
//! use oxicard::gp::status::{Kind, get_status};
//! use oxicard::secure_channel::scp03::StaticKeys;
//! use oxicard::sim::gp::{DEFAULT_ISD_AID, GpCard};
//! use oxicard::transport::pcsc::{ConnectOptions as PcscOptions, PcscContext};
//! use oxicard::transport::sim::SimulatorTransport;
//!
//! type Error = Box<dyn std::error::Error>;
//!
//! /// Connects to the ISD (the known ISD AIDs, the protocol and the highest level the card
//! /// allows), loads `cap`, installs its applets; returns the applications on the card then.
//! fn load_and_install(card: &mut impl CardChannel, keys: &StaticKeys, cap: &CapFile) -> Result<Vec<Vec<u8>>, Error> {
//!     let mut session = connect(card, keys, &ConnectOptions::new())?;
//!     install_cap(&mut session, cap, &InstallCapOptions::default())?;
//!     Ok(get_status(&mut session, Kind::Applications)?.into_iter().map(|entry| entry.aid).collect())
//! }
//!
//! fn on_reader(keys: &StaticKeys, cap: &CapFile) -> Result<(), Error> {
//!     let context = PcscContext::establish()?;
//!     let reader = context.list_readers()?.into_iter().next().ok_or("no PC/SC reader")?;
//!     let mut card = Card::new(context.connect(&reader, &PcscOptions::default())?);
//!     println!("{:02X?}", load_and_install(&mut card, keys, cap)?);
//!     Ok(())
//! }
//!
//! let cap = CapFile::from_zip(&std::fs::read("crates/gp/testdata/hellostk.cap")?)?;
//! let keys = StaticKeys::new(0x30, &[0x40; 16], &[0x41; 16], &[0x42; 16])?;
//! let mut card = Card::new(SimulatorTransport::new(GpCard::new(&DEFAULT_ISD_AID, keys.clone())));
//!
//! let applications = load_and_install(&mut card, &keys, &cap)?;
//! assert!(applications.iter().any(|aid| *aid == cap.applet_aids()[0]));
//! assert_eq!(card.transport().simulator().load_files().last().map(|f| f.aid.clone()), Some(cap.package_aid().to_vec()));
//! # Ok::<(), Error>(())
//! ```
//!
//! The example `gp_update_applet` does the same and replaces an older version of the package
//! first (DELETE of the package and its applications).
//!
//! # Features
//!
//! Default features: `pcsc` and `http`. Off by default: `modem`, `sim` and the SGP.22 roles.
//!
//! | feature | default | what it enables | what it pulls |
//! |---|---|---|---|
//! | `pcsc` | yes | [`transport::pcsc`]: PC/SC readers (`PcscContext`, `PcscCard`, transactions) and the vpcd test bed | the `pcsc` crate; pcsc-lite (`libpcsclite`) at build time on Linux, WinSCard / PCSC.framework elsewhere |
//! | `modem` | no | `transport::modem` (Unix): the eUICC inside a cellular modem, by AT commands on a serial port, QMI or MBIM on `/dev/cdc-wdm*` | rustix (termios, poll) |
//! | `http` | yes | `euicc::es9::HttpEs9Client`, the default ES9+/ES11 HTTPS client (GSMA CI and web roots, `--ca`, connect-to) | ureq, rustls (ring), webpki-root-certs |
//! | `pki` | no | [`euicc`]'s `pki`: RSP certificates and chains (SGP.22 §4.5), ECDSA / ECKA on P-256 and brainpoolP256r1 | p256, bp256, ecdsa, x509-cert (RustCrypto) |
//! | `euicc-role` | no | `pki` and `euicc::roles::euicc`, the eUICC side of the ES10b download functions | `pki`'s |
//! | `smdp-role` | no | `pki` and `euicc::roles::smdp`, the SM-DP+ side of ES9+ | `pki`'s, subtle |
//! | `sim` | no | `oxicard::sim`: the software eUICC, the test SM-DP+ / SM-DS, the test PKI, SAIP packages, the simulated GlobalPlatform card; with `euicc-role` and `smdp-role` | `oxicard-sim`: serde, serde_json, getrandom, rustls, the `pki` crates |
//!
//! Without any feature the facade still has the codec, the card layer, SCP03 and BSP, the
//! GlobalPlatform operations and the whole LPA over any [`euicc::es9::HttpClient`] and any
//! [`transport::Transport`].
//!
//! The features of the crates underneath, for those who depend on them directly:
//!
//! | crate | feature | default | what it enables | what it pulls |
//! |---|---|---|---|---|
//! | `oxicard-transport` | `std` | yes | nothing more: the transport layer does I/O (kept for a future `no_std` split) | — |
//! | `oxicard-transport` | `pcsc` | yes | `pcsc` and `testbed` | the `pcsc` crate, pcsc-lite |
//! | `oxicard-transport` | `modem` | no | `modem`: AT, QMI and MBIM transports (Unix) | rustix |
//! | `oxicard-apdu` | `std` | yes | the card layer (`card`, `testcard`) and `std::error::Error`; without it the codec is `no_std` + `alloc` | oxicard-transport, thiserror, tracing |
//! | `oxicard-secure-channel` | `std` | yes | `scp03::Scp03Session` over the card layer, host challenges from the OS RNG, the SCP03 card simulator (`testcard`); without it the SCP03 and BSP core is `no_std` and allocation-free | oxicard-apdu, oxicard-transport, getrandom, thiserror |
//! | `oxicard-euicc` | `http` | yes | `es9::HttpEs9Client` | ureq, rustls (ring), webpki-root-certs |
//! | `oxicard-euicc` | `pki` | no | `pki` | p256, bp256, ecdsa, x509-cert |
//! | `oxicard-euicc` | `euicc-role` | no | `pki`, `roles::euicc` | `pki`'s, oxicard-secure-channel (its `no_std` BSP core) |
//! | `oxicard-euicc` | `smdp-role` | no | `pki`, `roles::smdp` | `pki`'s, oxicard-secure-channel, subtle |
//!
//! `oxicard-gp` and `oxicard-sim` have no features (the simulators turn on the euicc roles they
//! need); `oxicard-cli` is the `oxicard` binary, built with everything.
#![forbid(unsafe_code)]

pub use oxicard_apdu as apdu;
pub use oxicard_euicc as euicc;
pub use oxicard_gp as gp;
pub use oxicard_secure_channel as secure_channel;
#[cfg(feature = "sim")]
pub use oxicard_sim as sim;
pub use oxicard_transport as transport;
