//! The control routes `/_standin/opmanager/...`: users, REST access with TFA, keys, probe
//! resync — and their effect on the API front door.

use crate::common::*;
use serde_json::json;

const LIST: &str = "/api/json/device/listDevices";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

impl Srv {
    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, self.url(&format!("/_standin/opmanager{path}")));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn cpost(&self, path: &str, body: Value) -> (u16, Value) {
        self.control(reqwest::Method::POST, path, Some(body)).await
    }

    async fn cget(&self, path: &str) -> (u16, Value) {
        self.control(reqwest::Method::GET, path, None).await
    }

    /// The key of `user` as stored (the state document).
    async fn key_of(&self, user: &str) -> String {
        let state = self.state().await;
        state["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == user)
            .unwrap()["apiKey"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn enable_by(by: &str) -> Value {
    json!({"enabled": true, "by": by})
}

#[actix_web::test]
async fn a_new_user_has_rest_access_disabled_until_an_administrator_enables_it() {
    let srv = Srv::start().await;
    let (status, user) = srv
        .cpost("/users", json!({"name": "nightshift", "role": "Operator"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(user["restApiEnabled"], false);
    let key = srv.key_of("nightshift").await;
    assert_eq!(key.len(), 32);
    assert!(key
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));

    let (_, view) = srv.cget("/users/nightshift/key").await;
    assert_eq!(view, json!({"message": "Contact the administrator user"}));
    assert_eq!(
        errorcode(&srv.get_as(LIST, &key).await),
        "REST_API_ACCESS_DISABLED"
    );

    let (status, user) = srv
        .cpost("/users/nightshift/rest-access", enable_by("admin"))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["restApiEnabled"], true);
    let (_, view) = srv.cget("/users/nightshift/key").await;
    assert_eq!(view["apiKey"], key);
    assert_eq!(srv.get_as(LIST, &key).await["records"], 26);

    let (status, _) = srv
        .cpost(
            "/users/nightshift/rest-access",
            json!({"enabled": false, "by": "admin"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        errorcode(&srv.get_as(LIST, &key).await),
        "REST_API_ACCESS_DISABLED"
    );
}

#[actix_web::test]
async fn only_an_administrator_with_full_access_may_enable_rest_access() {
    let srv = Srv::start().await;
    for by in [
        "operator",
        "servicedesk",
        "noc-viewer",
        "netadmin",
        "nobody",
    ] {
        let (status, body) = srv
            .cpost("/users/operator/rest-access", enable_by(by))
            .await;
        assert_eq!(status, 403, "{by}");
        assert_eq!(body["error"], "forbidden");
    }
    assert_eq!(
        errorcode(&srv.get_as(LIST, OPERATOR_KEY).await),
        "REST_API_ACCESS_DISABLED"
    );
    let (status, _) = srv
        .cpost("/users/operator/rest-access", enable_by("admin"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(srv.get_as(LIST, OPERATOR_KEY).await["records"], 26);
}

#[actix_web::test]
async fn with_tfa_configured_enabling_needs_a_valid_otp_on_the_instance_clock() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let (status, body) = srv.cpost("/tfa", json!({"enabled": true})).await;
    assert_eq!((status, body), (200, json!({"tfaEnabled": true})));
    let now = auth_core::clock::parse_rfc3339_ms("2026-11-23T12:00:00Z").unwrap() / 1000;
    let otp = opmanager_keys::totp_at(TOTP_SECRET, now).unwrap();
    let stale = opmanager_keys::totp_at(TOTP_SECRET, now - 300).unwrap();

    for body in [
        enable_by("admin"),
        json!({"enabled": true, "by": "admin", "otp": "000000"}),
        json!({"enabled": true, "by": "admin", "otp": stale}),
    ] {
        let (status, err) = srv.cpost("/users/operator/rest-access", body.clone()).await;
        assert_eq!(status, 403, "{body}");
        assert!(err["message"].as_str().unwrap().contains("OTP"));
    }
    assert_eq!(
        errorcode(&srv.get_as(LIST, OPERATOR_KEY).await),
        "REST_API_ACCESS_DISABLED"
    );
    let (status, _) = srv
        .cpost(
            "/users/operator/rest-access",
            json!({"enabled": true, "by": "admin", "otp": otp}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(srv.get_as(LIST, OPERATOR_KEY).await["records"], 26);
    // Disabling needs no OTP.
    let (status, _) = srv
        .cpost(
            "/users/operator/rest-access",
            json!({"enabled": false, "by": "admin"}),
        )
        .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_regenerated_key_replaces_the_old_one_at_once() {
    let srv = Srv::start().await;
    let (status, body) = srv.cpost("/users/admin/key/regenerate", json!({})).await;
    assert_eq!(status, 200);
    let new_key = body["apiKey"].as_str().unwrap().to_owned();
    assert_ne!(new_key, ADMIN_KEY);
    assert_eq!(new_key.len(), 32);
    assert_eq!(
        errorcode(&srv.get_as(LIST, ADMIN_KEY).await),
        "INVALID_API_KEY"
    );
    assert_eq!(srv.get_as(LIST, &new_key).await["records"], 26);
    let (_, view) = srv.cget("/users/admin/key").await;
    assert_eq!(view["apiKey"], new_key.as_str());
}

#[actix_web::test]
async fn on_a_probe_synced_users_lose_rest_access_at_resync_but_probe_users_keep_it() {
    let srv = Srv::start().await;
    let (status, _) = srv.cpost("/resync", json!({})).await;
    assert_eq!(status, 400, "resync only on a probe");

    let mut state = srv.state().await;
    state["edition"] = json!("probe");
    state["users"].as_array_mut().unwrap().push(json!({
        "name": "central-noc", "role": "Operator", "fullAccess": false,
        "restApiEnabled": false, "apiKey": "c0ffee00c0ffee00c0ffee00c0ffee00",
        "syncedFromCentral": true
    }));
    srv.put_state(&state).await;
    let (_, local) = srv
        .cpost("/users", json!({"name": "probe-ops", "role": "Operator"}))
        .await;
    assert_eq!(local["restApiAccessPermanent"], true);
    let local_key = srv.key_of("probe-ops").await;

    for user in ["central-noc", "probe-ops"] {
        let (status, view) = srv
            .cpost(&format!("/users/{user}/rest-access"), enable_by("admin"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(view["restApiAccessPermanent"], user == "probe-ops");
    }
    let synced_key = "c0ffee00c0ffee00c0ffee00c0ffee00";
    assert_eq!(srv.get_as(LIST, synced_key).await["records"], 26);

    let (status, body) = srv.cpost("/resync", json!({})).await;
    assert_eq!(
        (status, body),
        (200, json!({"restApiAccessRevoked": ["central-noc"]}))
    );
    assert_eq!(
        errorcode(&srv.get_as(LIST, synced_key).await),
        "REST_API_ACCESS_DISABLED"
    );
    assert_eq!(srv.get_as(LIST, &local_key).await["records"], 26);
    assert_eq!(srv.get(LIST).await["records"], 26);
}

#[actix_web::test]
async fn control_routes_refuse_bad_bodies_and_unknown_users() {
    let srv = Srv::start().await;
    for body in [
        json!({"name": "x"}),
        json!({"name": "x", "role": "God"}),
        json!({"name": "", "role": "Operator"}),
        json!({"name": "<b>x</b>", "role": "Operator"}),
        json!({"name": "x", "role": "Operator", "colour": "red"}),
        json!({"name": "admin", "role": "Operator"}),
        json!({"name": "x", "role": "Operator", "totpSecret": "not base32!"}),
    ] {
        let (status, err) = srv.cpost("/users", body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["error"], "bad_request");
    }
    let (status, _) = srv.cget("/users/ghost/key").await;
    assert_eq!(status, 404);
    let (status, _) = srv.cpost("/users/ghost/key/regenerate", json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = srv
        .cpost("/users/ghost/rest-access", enable_by("admin"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = srv
        .cpost(
            "/users/operator/rest-access",
            json!({"enabled": "yes", "by": "admin"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, users) = srv.cget("/users").await;
    assert_eq!(status, 200);
    assert_eq!(users.as_array().unwrap().len(), 5);
    assert!(users[0].get("apiKey").is_none(), "keys are not listed");
}

#[actix_web::test]
async fn a_regenerated_key_and_a_new_user_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let start = || async { Srv::on(Standin::opmanager().data_dir(dir.path()).start().await) };
    let srv = start().await;
    let (_, body) = srv.cpost("/users/admin/key/regenerate", json!({})).await;
    let new_key = body["apiKey"].as_str().unwrap().to_owned();
    srv.cpost("/users", json!({"name": "nightshift", "role": "Operator"}))
        .await;
    drop(srv); // stops it

    let srv = start().await;
    assert_eq!(
        errorcode(&srv.get_as(LIST, ADMIN_KEY).await),
        "INVALID_API_KEY"
    );
    assert_eq!(srv.get_as(LIST, &new_key).await["records"], 26);
    let (status, _) = srv.cget("/users/nightshift/key").await;
    assert_eq!(status, 200);
}

#[test]
fn a_bad_fixture_file_is_refused_naming_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_str(<OpManager as auth_core::Product>::FIXTURES).unwrap();
    doc["alarms"][2]["deviceName"] = json!("no-such-device");
    std::fs::write(dir.path().join("opmanager.json"), doc.to_string()).unwrap();
    let err = auth_core::server::prepare::<OpManager>(
        std::sync::Arc::new(auth_core::CommonOptions {
            fixtures_dir: Some(dir.path().to_owned()),
            ..auth_core::CommonOptions::default()
        }),
        0,
        None,
        Settings::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("opmanager.json") && err.contains("alarms[2].deviceName"),
        "{err}"
    );
}
