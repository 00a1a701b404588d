//! Ops Manager: access-list entries (IP/CIDR), access-list, key and assignment bodies, paging
//! query parameters and the state document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsmgr_apikeys::fuzzing as ops;

fuzz_target!(|data: &[u8]| {
    let _ = ops::key_access_list_body(data);
    let _ = ops::user_access_list_body(data);
    let _ = ops::org_key_create_body(data);
    let _ = ops::org_key_update_body(data);
    let _ = ops::project_key_create_body(data);
    let _ = ops::project_key_assign_body(data);
    let _ = ops::state_document(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ops::access_entry(text);
        let _ = ops::paging_query(text);
    }
});
