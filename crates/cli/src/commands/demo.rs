//! `demo`: the whole story in one process — a software eUICC (in memory), a test SM-DP+ on
//! 127.0.0.1 over HTTPS with a generated test PKI, download (with a progress bar on a terminal),
//! list, enable, notifications, disable, delete, list.

use oxicard_apdu::card::Card;
use oxicard_euicc::activation::{ActivationCode, DeviceInfo, Tac};
use oxicard_euicc::download::{DownloadRequest, download};
use oxicard_euicc::es10::ProfileIdentifier;
use oxicard_euicc::isdr::{Isdr, IsdrOptions};
use oxicard_euicc::notify::dump::operation_name;
use oxicard_euicc::notify::{NotificationOptions, process_notifications};
use oxicard_sim::euicc::SoftEuicc;
use oxicard_sim::pki::{TestPki, TestPkiConfig};
use oxicard_sim::smdp::SmdpServer;
use oxicard_transport::sim::SimulatorTransport;
use serde_json::{Value, json};

use crate::download_handler::{CliHandler, result_data};
use crate::error::CliError;
use crate::json;
use crate::output::Out;
use crate::profile_table::profile_table;
use crate::test_smdp::{TEST_ICCID, test_smdp};

/// The SM-DP+ address of the demo (reached on 127.0.0.1 through an address override).
const DEMO_ADDRESS: &str = "smdp.oxicard.test";

/// One step: a progress line in JSON, a heading in text.
fn step(out: &Out, n: u32, name: &str, data: Value, text: &str) {
    out.progress(name, data);
    out.say(&format!("[{n}] {text}"));
}

/// `demo`.
pub(crate) fn run(out: &Out) -> Result<(), CliError> {
    let sim = |e: &(dyn std::error::Error + 'static)| CliError::Sim(crate::error::chain(e));
    let pki = TestPki::generate(&TestPkiConfig::default()).map_err(|e| sim(&e))?;
    let identity = pki.euicc_identity().map_err(|e| sim(&e))?;
    let eid = identity.eid();
    let mut card = Card::new(SimulatorTransport::new(SoftEuicc::from_identity(identity)));
    step(out, 1, "create_euicc", json!({ "eidValue": eid }), &format!("software eUICC created, EID {eid}"));

    let smdp = test_smdp(&pki, DEMO_ADDRESS, None)?;
    let server = SmdpServer::start(smdp, "127.0.0.1:0", Some(pki.dp_tls())).map_err(|e| sim(&e))?;
    let mut es9 = server.client(pki.ci().certificate().der())?;
    let url = server.base_url();
    step(
        out,
        2,
        "start_smdp",
        json!({ "address": DEMO_ADDRESS, "baseUrl": url }),
        &format!("test SM-DP+ {DEMO_ADDRESS} listening at {url} (HTTPS, test PKI)"),
    );

    let mut isdr = Isdr::open(&mut card, &IsdrOptions::default()).map_err(CliError::es10("euicc_init"))?;
    let code: ActivationCode = format!("LPA:1${DEMO_ADDRESS}$TEST").parse()?;
    let request = DownloadRequest::new(&code, DeviceInfo::from_tac(Tac::DEFAULT));
    step(
        out,
        3,
        "download",
        json!({ "activationCode": code.to_qr_string() }),
        &format!("downloading {}", code.to_qr_string()),
    );
    let mut handler = CliHandler::new(out, true);
    let result = download(&mut isdr, &mut es9, &request, &mut handler).map_err(CliError::Download);
    handler.finish(result.is_ok());
    let (data, text) = result_data(&result?);
    step(out, 3, "download_done", data, &text);

    let list = |isdr: &mut Isdr<_>, n: u32, out: &Out| -> Result<(), CliError> {
        let profiles = isdr.profiles().map_err(CliError::es10("es10c_get_profiles_info"))?;
        let data = Value::Array(profiles.iter().map(json::profile).collect());
        step(out, n, "profile_list", data, "profiles:");
        out.say(profile_table(&profiles).trim_end());
        Ok(())
    };
    list(&mut isdr, 4, out)?;

    let iccid = TEST_ICCID.parse().map_err(|e| sim(&e))?;
    isdr.enable_profile(ProfileIdentifier::Iccid(iccid), false)
        .map_err(CliError::es10("es10c_enable_profile"))?;
    step(out, 5, "profile_enable", json!({ "iccid": TEST_ICCID }), &format!("enabled {TEST_ICCID}"));

    let process = |isdr: &mut Isdr<_>, n: u32, es9: &mut _, out: &Out| -> Result<(), CliError> {
        let reports = process_notifications(isdr, es9, &NotificationOptions::default())
            .map_err(CliError::es10("es10b_list_notification"))?;
        let data: Vec<Value> = reports.iter().map(|r| json::notification(&r.metadata)).collect();
        step(out, n, "notification_process", Value::Array(data), "notifications sent to the SM-DP+:");
        for r in &reports {
            out.say(&format!(
                "    #{} {} → {}: {}",
                r.metadata.seq_number,
                operation_name(&r.metadata.operation),
                r.metadata.address,
                r.outcome
            ));
        }
        Ok(())
    };
    process(&mut isdr, 6, &mut es9, out)?;

    isdr.disable_profile(ProfileIdentifier::Iccid(iccid), false)
        .map_err(CliError::es10("es10c_disable_profile"))?;
    step(out, 7, "profile_disable", json!({ "iccid": TEST_ICCID }), &format!("disabled {TEST_ICCID}"));
    isdr.delete_profile(ProfileIdentifier::Iccid(iccid)).map_err(CliError::es10("es10c_delete_profile"))?;
    step(out, 8, "profile_delete", json!({ "iccid": TEST_ICCID }), &format!("deleted {TEST_ICCID}"));
    process(&mut isdr, 9, &mut es9, out)?;
    list(&mut isdr, 10, out)?;
    isdr.close().map_err(CliError::es10("euicc_fini"))?;

    let received = server.smdp().notifications().len();
    out.success(
        json!({ "eidValue": eid, "iccid": TEST_ICCID, "notificationsReceived": received }),
        &format!("demo complete: the SM-DP+ received {received} notifications"),
    );
    Ok(())
}
