//! `sim init | serve | modem | smdp | smds | show`: the software eUICC, the simulated GP card in the
//! vpcd reader, and the test servers.

mod init;
mod modem;
mod serve;
mod show;
mod smdp;
mod smds;

pub(crate) use init::init;
pub(crate) use modem::modem;
pub(crate) use serve::serve;
pub(crate) use show::show;
pub(crate) use smdp::smdp;
pub(crate) use smds::smds;
