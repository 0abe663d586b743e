//! `lpac profile list|enable|disable|nickname|delete` (lpac `src/applet/profile/`).

use oxicard_euicc::es10::{ProfileIdentifier, Rejection};
use oxicard_euicc::iccid::Iccid;
use oxicard_euicc::isdr::Es10Error;

use super::json::{self, Json};
use super::{Euicc, Failed, Outcome, done, fail, shapes, sub_command, unknown};

/// The `profile` applets.
const APPLETS: &[&str] = &["list", "enable", "disable", "nickname", "delete", "download", "discovery"];

/// Runs `profile ARGS` on the opened eUICC.
pub(crate) fn run(euicc: &mut Euicc<'_, '_>, args: &[String]) -> Outcome {
    let (command, operands) = sub_command(args);
    match command {
        Some("list") => list(euicc),
        Some(name @ ("enable" | "disable")) => switch(euicc, name, operands),
        Some("delete") => delete(euicc, operands),
        Some("nickname") => nickname(euicc, operands),
        Some("download") => super::download::run(euicc, operands),
        Some("discovery") => super::discovery::run(euicc, operands),
        other => Err(unknown("profile", APPLETS, other)),
    }
}

/// `profile list`: GetProfilesInfo.
fn list(euicc: &mut Euicc<'_, '_>) -> Outcome {
    let profiles = euicc.profiles().map_err(|_| fail("es10c_get_profiles_info", ""))?;
    json::success(Json::Array(profiles.iter().map(shapes::profile).collect()));
    Ok(())
}

/// lpac's reading of a profile argument: 32 characters are an ISD-P AID in hex, anything else
/// an ICCID; `None` when it is neither (lpac's `-1`).
fn identifier(text: &str) -> Option<ProfileIdentifier> {
    if text.len() == 32 {
        return hex::decode(text).ok().map(ProfileIdentifier::IsdpAid);
    }
    text.parse::<Iccid>().ok().map(ProfileIdentifier::Iccid)
}

/// lpac's text for a failed Enable/Disable/DeleteProfile result code (`-1`: not sent or no
/// answer).
fn reason(code: i64, state: &'static str, four: &'static str) -> &'static str {
    match code {
        1 => "iccid or aid not found",
        2 => state,
        3 => "disallowed by policy",
        4 => four,
        -1 => "internal error, maybe illegal iccid/aid coding",
        _ => "unknown",
    }
}

/// The result code of a profile operation's failure; `-1` when the eUICC gave none.
fn code(error: &Es10Error) -> i64 {
    match error {
        Es10Error::Rejected(Rejection::EnableProfile(e)) => e.code(),
        Es10Error::Rejected(Rejection::DisableProfile(e)) => e.code(),
        Es10Error::Rejected(Rejection::DeleteProfile(e)) => e.code(),
        _ => -1,
    }
}

/// `profile enable|disable ID [REFRESH]`: REFRESH a number, non-zero asks for the refresh
/// (lpac `atoi`, default 0).
fn switch(euicc: &mut Euicc<'_, '_>, name: &str, operands: &[String]) -> Outcome {
    let Some(text) = operands.first() else {
        println!("Usage: {name} [iccid/aid] [refreshflag]\n\t[refreshflag]: optional");
        return Err(Failed);
    };
    let refresh = operands.get(1).is_some_and(|flag| atoi(flag) != 0);
    let enable = name == "enable";
    let (function, state, four) = if enable {
        ("es10c_enable_profile", "profile not in disabled state", "wrong profile reenabling")
    } else {
        ("es10c_disable_profile", "profile not in enabled state", "unknown")
    };
    let Some(profile) = identifier(text) else { return Err(fail(function, reason(-1, state, four))) };
    let result =
        if enable { euicc.enable_profile(profile, refresh) } else { euicc.disable_profile(profile, refresh) };
    done(result, function, |e| reason(code(e), state, four))
}

/// `profile delete ID`.
fn delete(euicc: &mut Euicc<'_, '_>, operands: &[String]) -> Outcome {
    let Some(text) = operands.first() else {
        println!("Usage: delete [iccid/aid]");
        return Err(Failed);
    };
    let state = "profile not in disabled state";
    let Some(profile) = identifier(text) else {
        return Err(fail("es10c_delete_profile", reason(-1, state, "unknown")));
    };
    done(euicc.delete_profile(profile), "es10c_delete_profile", |e| reason(code(e), state, "unknown"))
}

/// `profile nickname ICCID [NAME]`: without NAME, the nickname is cleared.
fn nickname(euicc: &mut Euicc<'_, '_>, operands: &[String]) -> Outcome {
    let Some(text) = operands.first() else {
        println!("Usage: nickname [iccid] [new_name]\n\t[new_name]: optional");
        return Err(Failed);
    };
    let Ok(iccid) = text.parse::<Iccid>() else { return Err(fail("es10c_set_nickname", "unknown")) };
    let name = operands.get(1).map_or("", String::as_str);
    done(euicc.set_nickname(iccid, name), "es10c_set_nickname", |error| match error {
        Es10Error::Rejected(Rejection::SetNickname(e)) if e.code() == 1 => "iccid not found",
        _ => "unknown",
    })
}

/// C's `atoi`: optional blanks and sign, then digits; anything else ends the number (0 when
/// there is none).
pub(crate) fn atoi(text: &str) -> i64 {
    let text = text.trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = digits
        .chars()
        .map_while(|c| c.to_digit(10))
        .fold(0i64, |n, d| n.saturating_mul(10).saturating_add(i64::from(d)));
    sign * value
}
