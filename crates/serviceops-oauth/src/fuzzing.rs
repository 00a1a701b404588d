//! Entry points for fuzzing the parsers of client bytes: thin wrappers over the internal
//! functions the handlers use. Not part of the API.

use crate::auth::{self, Caller};
use crate::qual::{Page, Query};
use crate::requests::{self, REQUESTS};
use crate::store::{self, Kind};
use crate::wire::User;
use crate::{request, Product, ServiceOps};
use auth_core::credentials::{bearer, percent_decode, scheme_token};
use auth_core::jwt::JwtKeys;
use auth_core::Store;
use serde_json::Value;
use std::sync::OnceLock;

/// An in-memory store holding the default fixture, and its technician `tim@acme.com`;
/// `None` if the embedded fixture does not load (every entry point then reports "refused").
fn fixture() -> Option<&'static (Store, Caller)> {
    static FIXTURE: OnceLock<Option<(Store, Caller)>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let store = Store::memory(ServiceOps::SCHEMA).ok()?;
            let doc: Value = serde_json::from_str(ServiceOps::FIXTURES).ok()?;
            store.write(|tx| crate::state::load(tx, &doc, 0)).ok()?;
            let user: User = store
                .read(|c| store::find_user_by_login(c, "tim@acme.com"))
                .ok()??;
            Some((store, Caller { user }))
        })
        .as_ref()
}

/// A write whose changes are always rolled back.
enum Rollback {
    Done(bool),
    Sql,
}

impl From<rusqlite::Error> for Rollback {
    fn from(_: rusqlite::Error) -> Self {
        Rollback::Sql
    }
}

/// The search body of `POST .../search/byqual` (qualification JSON), run against the
/// fixture's requests; whether it was accepted.
pub fn qualification(data: &[u8]) -> bool {
    let Ok(query) = Query::from_body(data) else {
        return false;
    };
    let Some((store, caller)) = fixture() else {
        return false;
    };
    let page = Page {
        offset: 0,
        size: 25,
    };
    store
        .read(|c| requests::search(c, REQUESTS, caller, &query, page))
        .is_ok()
}

/// The `offset`/`size` query string of a search; whether it was accepted.
pub fn page_query(query: &str) -> bool {
    Page::from_query(query).is_ok()
}

/// The token endpoint's body: the first line is the Content-Type header value
/// (e.g. `multipart/form-data; boundary=x` or `application/x-www-form-urlencoded`), the
/// rest the body. Returns the `grant_type` parameter if the body parsed.
pub fn token_body(data: &[u8]) -> Option<String> {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or_default();
    let _ = request::multipart(&content_type, body);
    let params = request::parse_params("", &content_type, body).ok()?;
    params.get("grant_type").map(str::to_owned)
}

/// The token endpoint's query string (Spring also reads parameters from it).
pub fn token_query(query: &str) -> Option<String> {
    let params = request::parse_params(query, "", b"").ok()?;
    params.get("grant_type").map(str::to_owned)
}

/// An `Authorization` header value on the resource server: the unverified principal
/// hint, then `Bearer` (JWT verification against a fixed key) or `Apikey` (compared with
/// each fixture key, as sent and percent-decoded). Whether it names a valid credential.
pub fn authorization(header: &str) -> bool {
    static KEYS: OnceLock<JwtKeys> = OnceLock::new();
    let _ = auth::header_hint(header);
    if let Some(token) = bearer(header) {
        let keys = KEYS.get_or_init(|| JwtKeys::hs256(&[7u8; 32]));
        return auth::access_claims(keys, token, 1_700_000_000).is_ok();
    }
    if let Some(key) = scheme_token(header, "Apikey") {
        let decoded = percent_decode(key);
        let Some((store, _)) = fixture() else {
            return false;
        };
        let keys = store.read(store::api_keys).unwrap_or_default();
        return keys
            .iter()
            .any(|(stored, _)| auth::key_matches(stored, key, &decoded));
    }
    false
}

/// A request JSON body as `POST /api/v1/request`, `PATCH /api/v1/request/64` and
/// `POST .../servicerequest` validate it for the fixture's technician (rolled back);
/// whether the create was accepted.
pub fn request_body(data: &[u8]) -> bool {
    let Ok(map) = request::parse_object(data) else {
        return false;
    };
    let Some((store, caller)) = fixture() else {
        return false;
    };
    let outcome = store.write(|tx| -> Result<(), Rollback> {
        let created = requests::create(tx, Kind::Request, caller, &map, 0).is_ok();
        let _ = requests::create(tx, Kind::ServiceRequest, caller, &map, 0);
        let _ = requests::update(tx, REQUESTS, caller, 64, &map, 0);
        Err(Rollback::Done(created))
    });
    matches!(outcome, Err(Rollback::Done(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzing_entry_points_accept_good_input_and_survive_garbage() {
        let qual = br#"{"qualDetails": {"type": "FlatQualificationRest", "quals": [
            {"type": "RelationalQualificationRest",
             "leftOperand": {"type": "PropertyOperandRest", "key": "request.subject"},
             "operator": "contains",
             "rightOperand": {"type": "ValueOperandRest",
                              "value": {"type": "StringValueRest", "value": "down"}}}]}}"#;
        assert!(qualification(qual));
        assert!(!qualification(b"{\"qualDetails\": 1}"));
        assert!(page_query("offset=1&size=2"));
        assert!(!page_query("size=-1"));
        assert_eq!(
            token_body(b"application/x-www-form-urlencoded\ngrant_type=password").as_deref(),
            Some("password")
        );
        assert_eq!(
            token_body(
                b"multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n--b--\r\n"
            )
            .as_deref(),
            Some("refresh_token")
        );
        assert_eq!(token_query("grant_type=x").as_deref(), Some("x"));
        assert!(authorization(
            "Apikey s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D"
        ));
        assert!(!authorization("Bearer a.b.c"));
        assert!(request_body(
            br#"{"subject": "s", "requesterEmail": "tim@acme.com"}"#
        ));
        assert!(!request_body(b"[]"));
        assert!(request_body(
            br#"{"subject": "s", "requesterEmail": "tim@acme.com"}"#
        ));
    }
}
