//! Entry points for fuzzing the parsers of client bytes: thin wrappers over the real
//! functions, with no behaviour of their own. Each returns whether the input was accepted
//! (a few also assert an invariant of the result, e.g. a parsed CIDR parses back the same).

use crate::{access, model, org_keys, project_keys, wire};

const GROUP: &str = "5953c5f380eef53887615f9a";

/// An access-list entry in a path segment (IP or CIDR, already percent-decoded).
pub fn access_entry(text: &str) -> bool {
    let net = model::parse_entry(text);
    if let Some(net) = net {
        // The canonical text must parse back to the same network.
        let again = model::parse_entry(&net.to_string());
        assert_eq!(again, Some(net), "{text:?}");
        let _ = model::entry_segment(&net.to_string());
    }
    let _ = model::Address::from_ip(text);
    net.is_some()
}

/// The body of `POST /orgs/{ORG-ID}/apiKeys/{ID}/accessList` (a key's list).
pub fn key_access_list_body(body: &[u8]) -> bool {
    access::additions(body, false).is_ok()
}

/// The body of `POST /users/{USER-ID}/accessList` (a user's list: CIDR in `ipAddress`).
pub fn user_access_list_body(body: &[u8]) -> bool {
    access::additions(body, true).is_ok()
}

/// `pageNum`, `itemsPerPage`, `includeCount` (and `pretty`, `envelope`) of a raw query
/// string.
pub fn paging_query(query: &str) -> bool {
    let _ = wire::Format::of_query(query);
    match wire::Paging::of_query(query) {
        Ok(paging) => {
            assert!((1..=wire::MAX_ITEMS_PER_PAGE).contains(&paging.items_per_page));
            assert!(paging.page_num >= 1);
            let _ = paging.offset();
            true
        }
        Err(_) => false,
    }
}

/// The body of `POST /orgs/{ORG-ID}/apiKeys`.
pub fn org_key_create_body(body: &[u8]) -> bool {
    org_keys::create_body(body).is_ok()
}

/// The body of `PATCH /orgs/{ORG-ID}/apiKeys/{ID}`.
pub fn org_key_update_body(body: &[u8]) -> bool {
    org_keys::update_body(body).is_ok()
}

/// The body of `POST /groups/{GROUP-ID}/apiKeys`.
pub fn project_key_create_body(body: &[u8]) -> bool {
    project_keys::create_body(body, GROUP).is_ok()
}

/// The body of `PATCH`/`POST /groups/{GROUP-ID}/apiKeys/{ID}`.
pub fn project_key_assign_body(body: &[u8]) -> bool {
    project_keys::assign_body(body, GROUP).is_ok()
}

/// A state document (`PUT /_standin/state`), loaded into a fresh in-memory store.
pub fn state_document(body: &[u8]) -> bool {
    use auth_core::Product;
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let Ok(store) = auth_core::Store::memory(crate::OpsMgr::SCHEMA) else {
        return false;
    };
    store.write(|tx| crate::state::load(tx, &doc)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpsMgr;
    use auth_core::Product;

    #[test]
    fn the_fuzzing_entry_points_accept_good_input_and_refuse_bad() {
        assert!(access_entry("192.0.2.0/24"));
        assert!(access_entry("::1"));
        assert!(!access_entry("300.1.1.1"));
        assert!(key_access_list_body(br#"[{"cidrBlock":"10.0.0.0/8"}]"#));
        assert!(!key_access_list_body(br#"{"cidrBlock":"10.0.0.0/8"}"#));
        assert!(user_access_list_body(br#"[{"ipAddress":"10.0.0.0/8"}]"#));
        assert!(!key_access_list_body(br#"[{"ipAddress":"10.0.0.0/8"}]"#));
        assert!(paging_query("pageNum=2&itemsPerPage=500&pretty=true"));
        assert!(!paging_query("pageNum=1&pageNum=0"));
        assert!(paging_query("pageNum=0&pageNum=3"));
        assert!(org_key_create_body(
            br#"{"desc":"d","roles":["ORG_MEMBER"]}"#
        ));
        assert!(!org_key_create_body(b"{"));
        assert!(org_key_update_body(br#"{"desc":"d"}"#));
        assert!(project_key_create_body(
            br#"{"desc":"d","roles":["GROUP_OWNER"]}"#
        ));
        assert!(!project_key_assign_body(br#"{"roles":["ORG_OWNER"]}"#));
        assert!(state_document(OpsMgr::FIXTURES.as_bytes()));
        assert!(!state_document(b"[]"));
    }
}
