//! PMP's front door: the AUTHTOKEN of a user, the API user's host binding and expiry date.
//!
//! Spec §1.1: the token is read from the `AUTHTOKEN` header, the query, the form body, and
//! as `APP_AUTHTOKEN` (header or query), first present wins. A token belongs to a user; an
//! API user may only call from its `HOSTNAME` (`localhost` matches loopback callers) and only
//! until the end of its `EXPIRYDATE` (UTC, instance clock). Locked users are refused at once.

use crate::error::{MSG_BAD_TOKEN, MSG_EXPIRED, MSG_WRONG_HOST};
use crate::input::Input;
use crate::state::Role;
use actix_web::HttpRequest;
use auth_core::credentials::header;
use auth_core::Instance;
use rusqlite::OptionalExtension;
use std::net::IpAddr;

/// Message for a locked user's token.
pub const MSG_LOCKED: &str = "User account is locked. Authentication failed.";

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// User id.
    pub id: i64,
    /// User name.
    pub user_name: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Access scope "All Passwords in the System".
    pub super_admin: bool,
}

impl Caller {
    /// Whether the caller sees every password in the system (super admin scope, which only
    /// Administrators and Password Administrators can hold).
    pub fn sees_all(&self) -> bool {
        self.super_admin && matches!(self.role, Role::Administrator | Role::PasswordAdministrator)
    }

    /// Administrator or Password Administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::Administrator | Role::PasswordAdministrator)
    }
}

/// Why the front door refused; the user is named when the token was known.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The client-visible message.
    pub message: &'static str,
    /// For the journal (never the token).
    pub reason: String,
    /// The token's user (name, full name), when the token was right.
    pub user: Option<(String, String)>,
}

/// The presented token, if any (spec §1.1 order).
pub fn token(req: &HttpRequest, input: &Input) -> Option<String> {
    header(req, "AUTHTOKEN")
        .map(str::to_owned)
        .or_else(|| input.param("AUTHTOKEN").map(str::to_owned))
        .or_else(|| header(req, "APP_AUTHTOKEN").map(str::to_owned))
        .or_else(|| input.param("APP_AUTHTOKEN").map(str::to_owned))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The token from the header or the query only (no body read), for cheap principal hints.
pub fn token_hint(req: &HttpRequest) -> Option<String> {
    header(req, "AUTHTOKEN")
        .map(str::to_owned)
        .or_else(|| auth_core::credentials::query_param(req, "AUTHTOKEN").map(|c| c.into_owned()))
        .map(|t| t.trim().to_owned())
}

/// Whether a caller at `peer` may use an API user bound to `host`.
pub fn host_matches(host: &str, peer: Option<IpAddr>) -> bool {
    let Some(peer) = peer.map(|ip| ip.to_canonical()) else {
        return false;
    };
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.localdomain")
    {
        return peer.is_loopback();
    }
    host.parse::<IpAddr>()
        .is_ok_and(|h| h.to_canonical() == peer)
}

/// Today's date (UTC) on the instance clock as `yyyy-mm-dd`.
pub fn today<P: auth_core::Product>(inst: &Instance<P>) -> String {
    let date = inst.env.clock.now().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

struct Row {
    id: i64,
    user_name: String,
    full_name: String,
    role: String,
    super_admin: bool,
    api_user: bool,
    host_name: Option<String>,
    token: String,
    expiry: Option<String>,
    locked: bool,
}

/// Authenticate the request.
///
/// # Errors
/// A [`Refusal`] with PMP's message.
pub fn authenticate(
    inst: &Instance<crate::Pmp>,
    req: &HttpRequest,
    input: &Input,
) -> Result<Caller, Refusal> {
    let refuse = |reason: &str| Refusal {
        message: MSG_BAD_TOKEN,
        reason: reason.to_owned(),
        user: None,
    };
    let Some(token) = token(req, input) else {
        return Err(refuse("no AUTHTOKEN header, query or form parameter"));
    };
    let row = inst
        .store
        .read(|c| {
            c.prepare_cached(
                "SELECT id, user_name, role, super_admin, api_user, host_name, auth_token,
                        expiry_date, locked, full_name FROM users WHERE auth_token = ?1",
            )?
            .query_row([&token], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    user_name: r.get(1)?,
                    role: r.get(2)?,
                    super_admin: r.get(3)?,
                    api_user: r.get(4)?,
                    host_name: r.get(5)?,
                    token: r.get(6)?,
                    expiry: r.get(7)?,
                    locked: r.get(8)?,
                    full_name: r.get(9)?,
                })
            })
            .optional()
        })
        .map_err(|_| refuse("store error while looking up the token"))?;
    let Some(row) = row.filter(|r| auth_core::secret::ct_eq_str(&r.token, &token)) else {
        return Err(refuse("the AUTHTOKEN belongs to no user"));
    };
    if row.locked {
        return Err(Refusal {
            message: MSG_LOCKED,
            reason: format!("user {} is locked", row.user_name),
            user: Some((row.user_name, row.full_name)),
        });
    }
    if row.api_user {
        let host = row.host_name.as_deref().unwrap_or_default();
        let peer = req.peer_addr().map(|a| a.ip());
        if !host_matches(host, peer) {
            return Err(Refusal {
                message: MSG_WRONG_HOST,
                reason: format!(
                    "API user {} is bound to host {host:?}, request came from {}",
                    row.user_name,
                    peer.map(|p| p.to_string())
                        .unwrap_or_else(|| "an unknown address".into())
                ),
                user: Some((row.user_name, row.full_name)),
            });
        }
    }
    if let Some(expiry) = &row.expiry {
        let today = today(inst);
        if today.as_str() > expiry.as_str() {
            return Err(Refusal {
                message: MSG_EXPIRED,
                reason: format!("the API key of {} expired on {expiry}", row.user_name),
                user: Some((row.user_name, row.full_name)),
            });
        }
    }
    Ok(Caller {
        id: row.id,
        role: Role::parse(&row.role).unwrap_or(Role::PasswordUser),
        user_name: row.user_name,
        full_name: row.full_name,
        super_admin: row.super_admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_matches_loopback_only() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let other: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(host_matches("localhost", Some(v4)));
        assert!(host_matches("LOCALHOST", Some(v6)));
        assert!(host_matches("localhost", Some(mapped)));
        assert!(!host_matches("localhost", Some(other)));
        assert!(host_matches("10.1.2.3", Some(other)));
        assert!(!host_matches("buildhost.example.com", Some(v4)));
        assert!(!host_matches("localhost", None));
    }
}
