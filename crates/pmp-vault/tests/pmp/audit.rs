//! The audit trail's storage: records read back exactly as written (live, through the state
//! document, after a reset), old names kept, a data file of the old layout migrated.

use crate::common::*;
use serde_json::{json, Value};
use standin_testkit::Standin;

fn input(details: Value) -> String {
    json!({"operation": {"Details": details}}).to_string()
}

/// `GET /audit` as the auditor: its `Details`, newest first.
async fn trail(pmp: &Pmpd) -> Vec<Value> {
    let op = pmp.get("/audit", AUDITOR).await;
    ok(&op);
    let rows = op["Details"].as_array().cloned().unwrap_or_default();
    assert_eq!(op["totalRows"], json!(rows.len()));
    rows
}

/// What `GET /audit` must say of the state document's record `a` (`N/A` for empty names).
fn listed(a: &Value) -> Value {
    let or_na = |k: &str| {
        let s = a[k].as_str().unwrap();
        json!(if s.is_empty() { "N/A" } else { s })
    };
    json!({
        "Audit ID": a["id"].to_string(),
        "Operation Type": a["operation"],
        "Resource Name": or_na("resourceName"),
        "Resource ID": a["resourceId"].to_string(),
        "User Account": or_na("accountName"),
        "User Account ID": a["accountId"].to_string(),
        "User Name": or_na("userName"),
        "User's Full Name": or_na("fullName"),
        "Operated by": or_na("userName"),
        "Client Type": "REST API",
        "IP Address": a["ip"],
        "Reason": a["reason"],
        "Ticket ID": a["ticketId"],
        "Status": a["status"],
    })
}

/// `row` without its two time fields (checked apart).
fn untimed(row: &Value) -> Value {
    let mut row = row.clone();
    let map = row.as_object_mut().unwrap();
    map.remove("Time Stamp");
    map.remove("TIME");
    row
}

/// Records that share and differ in every stored string: repeats, empty strings, a status
/// neither `Success` nor `Failed`, case-only differences, non-ASCII, large ids, id gaps.
fn crafted() -> Vec<Value> {
    let rec = |id: i64, at: &str, user: &str, op: &str, status: &str, res: &str, acc: &str| {
        json!({
            "id": id, "at": at, "userName": user, "fullName": format!("{user} full"),
            "operation": op, "status": status, "resourceName": res, "accountName": acc,
            "resourceId": if res.is_empty() { 0 } else { 303 },
            "accountId": if acc.is_empty() { 0 } else { 307 },
            "ticketId": "", "reason": "", "ip": "127.0.0.1",
        })
    };
    let mut v = vec![
        rec(
            1,
            "2024-03-12T05:45:44.835Z",
            "admin",
            "GET PASSWORD",
            "Success",
            "MSSQLServer",
            "system",
        ),
        rec(
            2,
            "2024-03-12T05:45:45Z",
            "admin",
            "GET PASSWORD",
            "Success",
            "MSSQLServer",
            "system",
        ),
        rec(
            4,
            "2024-03-12T05:45:46.001Z",
            "Admin",
            "GET PASSWORD",
            "Failed",
            "MSSQLServer",
            "system",
        ),
        rec(
            5,
            "2024-03-12T05:45:47Z",
            "pmpapi",
            "GET_RESOURCES",
            "Success",
            "",
            "",
        ),
        rec(
            9,
            "2024-03-12T05:45:48Z",
            "zoë",
            "CHANGE PASSWORD",
            "Pending Ünusual",
            "Ресурс",
            "root",
        ),
        rec(
            10,
            "2024-03-12T05:45:49Z",
            "admin",
            "GET PASSWORD",
            "Success",
            "MSSQLServer",
            "system",
        ),
    ];
    v[1]["reason"] = json!("quarterly rotation");
    v[1]["ticketId"] = json!("T-100");
    v[2]["reason"] = json!("Reason is mandatory to retrieve the password");
    v[3]["fullName"] = json!("");
    v[3]["ip"] = json!("::1");
    v[4]["resourceId"] = json!(9_007_199_254_740_993_i64);
    v[4]["accountId"] = json!(-1);
    v[4]["reason"] = json!("quarterly rotation");
    v[4]["ticketId"] = json!("t-100");
    v[5]["ticketId"] = json!("T-100");
    v
}

#[actix_web::test]
async fn the_state_document_round_trips_every_audit_record_exactly() {
    let pmp = start().await;
    let mut doc = pmp.state().await;
    doc["audit"] = Value::Array(crafted());
    pmp.put_state(doc.clone()).await;
    let dumped = pmp.state().await;
    assert_eq!(dumped["audit"], doc["audit"]);

    // GET /audit: newest first, names as loaded (N/A for empty ones), the times from `at`.
    let rows = trail(&pmp).await;
    let want: Vec<Value> = crafted().iter().rev().map(listed).collect();
    let got: Vec<Value> = rows.iter().map(untimed).collect();
    assert_eq!(got, want);
    assert_eq!(rows[5]["TIME"], "1710222344835");
    assert_eq!(rows[5]["Time Stamp"], "2024-03-12 05:45:44.835");

    // The next live record takes the next id; loading the dump again changes nothing.
    let after = pmp.state().await;
    assert_eq!(after["audit"].as_array().unwrap().last().unwrap()["id"], 11);
    pmp.put_state(after.clone()).await;
    assert_eq!(pmp.state().await, after);

    // A document that fails half-way through its audit list changes nothing.
    let mut bad = after.clone();
    bad["audit"].as_array_mut().unwrap().push(json!({
        "id": 99, "at": "not a time", "userName": "x", "operation": "y", "status": "Success",
    }));
    assert!(pmp.srv.set_state(bad).await.is_err());
    assert_eq!(pmp.state().await, after);

    // Reset: the fixtures' empty trail, ids from 1 again.
    pmp.srv.reset().await;
    assert_eq!(pmp.state().await["audit"], json!([]));
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    let audit = pmp.state().await["audit"].clone();
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!(audit[0]["id"], 1);
    assert_eq!(audit[0]["resourceName"], "MSSQLServer");
}

#[actix_web::test]
async fn live_records_read_back_identically_from_the_trail_and_the_state() {
    let pmp = start().await;
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2021-12-01T21:00:00Z", "freeze": true})),
    )
    .await;
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    failed(
        &pmp.get("/resources/304/accounts/310/password", ADMIN).await,
        "GET PASSWORD",
        "Reason is mandatory to retrieve the password",
    );
    ok(&pmp.get("/resources", ADMIN).await);
    failed(
        &pmp.get("/resources", REMOTE).await,
        "Authentication",
        "User is not allowed to access from this host",
    );
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    let first = trail(&pmp).await;

    let state = pmp.state().await;
    let audit = state["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 6, "five requests and the first GET /audit");
    let ids: Vec<i64> = audit.iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let ops: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| {
            (
                a["operation"].as_str().unwrap(),
                a["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("GET PASSWORD", "Success"),
            ("GET PASSWORD", "Failed"),
            ("GET RESOURCES", "Success"),
            ("GET RESOURCES", "Failed"),
            ("GET PASSWORD", "Success"),
            ("GET_AUDIT", "Success"),
        ]
    );
    for k in [
        "userName",
        "fullName",
        "resourceName",
        "accountName",
        "ip",
        "resourceId",
    ] {
        assert_eq!(audit[0][k], audit[4][k], "{k}");
    }
    assert_eq!(audit[0]["resourceName"], "MSSQLServer");
    assert_eq!(audit[0]["accountName"], "system");
    assert_eq!(audit[1]["accountName"], "root");
    assert_eq!(
        audit[1]["reason"],
        "Reason is mandatory to retrieve the password"
    );
    assert_eq!(audit[3]["userName"], "remoteapi");
    assert_eq!(audit[0]["at"], "2021-12-01T21:00:00Z");

    // The trail (read before its own record) says the same of the first five, newest first.
    let want: Vec<Value> = audit[..5].iter().rev().map(listed).collect();
    let got: Vec<Value> = first.iter().map(untimed).collect();
    assert_eq!(got, want);
    assert!(first.iter().all(|r| r["TIME"] == "1638392400000"));

    // The password read also set the account's LAST ACCESSED TIME (same statement).
    let d = pmp.get("/resources/303/accounts/307", ADMIN).await["Details"].clone();
    assert_eq!(d["LAST ACCESSED TIME"], "Dec 1, 2021 09:00 PM");
}

#[actix_web::test]
async fn a_renamed_resource_keeps_its_old_name_in_older_records() {
    let pmp = start().await;
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    ok(&pmp
        .call(
            "PUT",
            "/resources/303",
            ADMIN,
            Some(&input(json!({"RESOURCENAME": "MSSQLServer-renamed"}))),
        )
        .await);
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    let reads: Vec<String> = pmp.state().await["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["operation"] == "GET PASSWORD")
        .map(|a| a["resourceName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(reads, ["MSSQLServer", "MSSQLServer-renamed"]);
    let rows = trail(&pmp).await;
    let names: Vec<&str> = rows
        .iter()
        .filter(|r| r["Operation Type"] == "GET PASSWORD")
        .map(|r| r["Resource Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["MSSQLServer-renamed", "MSSQLServer"]);
}

/// The audit part of the schema before the compact trail (the whole strings in each row).
const OLD_AUDIT_SCHEMA: &str = "
CREATE TABLE audit (
    id            INTEGER PRIMARY KEY,
    at_ms         INTEGER NOT NULL,
    user_name     TEXT NOT NULL,
    full_name     TEXT NOT NULL DEFAULT '',
    operation     TEXT NOT NULL,
    status        TEXT NOT NULL,
    resource_name TEXT NOT NULL DEFAULT '',
    account_name  TEXT NOT NULL DEFAULT '',
    resource_id   INTEGER NOT NULL DEFAULT 0,
    account_id    INTEGER NOT NULL DEFAULT 0,
    ticket_id     TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT ''
);
CREATE VIEW audit_with_access AS
    SELECT at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip,
           0 AS accessed_id, 0 AS accessed_at
    FROM audit WHERE 0;
CREATE TRIGGER audit_with_access_insert INSTEAD OF INSERT ON audit_with_access
BEGIN
    UPDATE accounts SET last_accessed = NEW.accessed_at WHERE id = NEW.accessed_id;
    INSERT INTO audit (at_ms, user_name, full_name, operation, status, resource_name,
                       account_name, resource_id, account_id, ticket_id, reason, ip)
    VALUES (NEW.at_ms, NEW.user_name, NEW.full_name, NEW.operation, NEW.status,
            NEW.resource_name, NEW.account_name, NEW.resource_id, NEW.account_id,
            NEW.ticket_id, NEW.reason, NEW.ip);
END;
";

fn tables(conn: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit%' ORDER BY name")
        .unwrap();
    let names = stmt.query_map([], |r| r.get(0)).unwrap();
    names.collect::<Result<_, _>>().unwrap()
}

#[actix_web::test]
async fn a_data_file_with_the_old_audit_table_is_migrated_keeping_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pmp.sqlite3");
    let start = || async {
        Pmpd {
            srv: Standin::pmp()
                .tls(false)
                .explain(true)
                .data_dir(dir.path())
                .start()
                .await,
            http: reqwest::Client::new(),
        }
    };
    let pmp = start().await;
    let fixtures_state = pmp.state().await;
    drop(pmp);

    // Make the file what the binary before the compact trail wrote: its audit table, view
    // and trigger, with records (ids with gaps, shared and empty strings).
    {
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.execute_batch(
            "DROP VIEW audit_entry; DROP VIEW audit_log_with_access; DROP TABLE audit_log; DROP TABLE audit_subject;
             DROP TABLE audit_text;",
        )
        .unwrap();
        conn.execute_batch(OLD_AUDIT_SCHEMA).unwrap();
        let mut insert = conn
            .prepare(
                "INSERT INTO audit (id, at_ms, user_name, full_name, operation, status,
                   resource_name, account_name, resource_id, account_id, ticket_id, reason, ip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .unwrap();
        for a in crafted() {
            let at = time::OffsetDateTime::parse(
                a["at"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap();
            let ms = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap();
            let s = |k: &str| a[k].as_str().unwrap().to_owned();
            insert
                .execute(rusqlite::params![
                    a["id"].as_i64().unwrap(),
                    ms,
                    s("userName"),
                    s("fullName"),
                    s("operation"),
                    s("status"),
                    s("resourceName"),
                    s("accountName"),
                    a["resourceId"].as_i64().unwrap(),
                    a["accountId"].as_i64().unwrap(),
                    s("ticketId"),
                    s("reason"),
                    s("ip"),
                ])
                .unwrap();
        }
        assert_eq!(
            tables(&conn),
            ["audit", "audit_with_access", "audit_with_access_insert"]
        );
    }

    let pmp = start().await;
    let state = pmp.state().await;
    assert_eq!(state["audit"], Value::Array(crafted()));
    let mut rest = state.clone();
    rest["audit"] = json!([]);
    assert_eq!(rest, fixtures_state, "the rest of the state is as it was");
    let rows = trail(&pmp).await;
    let want: Vec<Value> = crafted().iter().rev().map(listed).collect();
    assert_eq!(rows.iter().map(untimed).collect::<Vec<_>>(), want);
    // New records follow the migrated ones, a password read still sets the access time.
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    let audit = pmp.state().await["audit"].clone();
    let ids: Vec<i64> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 4, 5, 9, 10, 11, 12]);
    let migrated = pmp.state().await;
    drop(pmp);

    {
        let conn = rusqlite::Connection::open(&file).unwrap();
        assert_eq!(
            tables(&conn),
            [
                "audit_entry",
                "audit_entry_insert",
                "audit_log",
                "audit_log_with_access",
                "audit_log_with_access_insert",
                "audit_subject",
                "audit_text",
            ]
        );
        let last: Option<i64> = conn
            .query_row(
                "SELECT last_accessed FROM accounts WHERE id = 307",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(last.is_some());
    }
    // Opening it again (already migrated) changes nothing.
    let pmp = start().await;
    assert_eq!(pmp.state().await, migrated);
}

#[actix_web::test]
async fn each_tenant_keeps_its_own_trail() {
    let pmp = start().await;
    let tenant = pmp.srv.tenant().await;
    let read = |url: String| {
        let http = pmp.http.clone();
        async move {
            let res = http
                .get(format!(
                    "{url}/restapi/json/v1/resources/303/accounts/307/password"
                ))
                .header("AUTHTOKEN", ADMIN)
                .send()
                .await
                .unwrap();
            ok(&op_of(res).await).clone()
        }
    };
    read(tenant.url.clone()).await;
    read(tenant.url.clone()).await;
    // The main instance interns the same strings in its own store, from scratch.
    read(pmp.srv.url().to_owned()).await;
    let main = pmp.state().await["audit"].clone();
    assert_eq!(main.as_array().unwrap().len(), 1);
    assert_eq!(main[0]["id"], 1);
    assert_eq!(main[0]["resourceName"], "MSSQLServer");
    let res = pmp
        .http
        .get(format!("{}/_standin/state", tenant.url))
        .send()
        .await
        .unwrap();
    let state: Value = res.json().await.unwrap();
    let ids: Vec<&Value> = state["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&json!(1), &json!(2)]);
    assert_eq!(state["audit"][1]["accountName"], "system");
    pmp.srv.delete_tenant(&tenant).await;
}
