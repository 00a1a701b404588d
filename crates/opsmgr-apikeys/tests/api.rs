//! The endpoints behind the front door, the wire conventions and the state document.

mod support;

use serde_json::json;
use support::*;

#[actix_web::test]
async fn the_state_round_trips_and_a_bad_document_names_the_field() {
    let srv = server();
    let doc = srv.host.main.export_state().unwrap();
    srv.host.main.replace_state(&doc).unwrap();
    assert_eq!(srv.host.main.export_state().unwrap(), doc);

    for (change, field) in [
        (
            json!({"orgs": [{"id": "nothex", "name": "x"}], "projects": [], "apiKeys": []}),
            "orgs[0].id",
        ),
        (
            json!({"orgs": [], "projects": [], "apiKeys": [], "extra": 1}),
            "extra",
        ),
    ] {
        let err = srv.host.main.replace_state(&change).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let mut bad = doc.clone();
    bad["apiKeys"][0]["publicKey"] = json!("UPPERCASE");
    assert_eq!(
        srv.host.main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].publicKey")
    );
    let mut bad = doc.clone();
    bad["apiKeys"][0]["roles"][1]["groupId"] = json!(OTHER_GROUP);
    assert_eq!(
        srv.host.main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].roles[1]")
    );
    let mut bad = doc.clone();
    bad["apiKeys"][0]["accessList"][0]["cidrBlock"] = json!("300.0.0.1/32");
    assert_eq!(
        srv.host.main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].accessList[0].cidrBlock")
    );
    assert_eq!(
        srv.host.main.export_state().unwrap(),
        doc,
        "a bad document changes nothing"
    );
}
