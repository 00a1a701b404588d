//! The per-org key count behind `totalCount` follows every way keys come and go: inserts,
//! deletes, a state load, a reset, and a data file written before the count table existed.

use auth_core::store::clear;
use auth_core::{Product, Store};
use opsmgr_apikeys::store::count_keys_of_org;
use opsmgr_apikeys::OpsMgr;

const ORG: &str = "5953c5f380eef53887615f99";

fn count_by_scan(store: &Store, org: &str) -> u64 {
    store
        .read(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM api_key WHERE org_id = ?1",
                [org],
                |r| r.get(0),
            )
        })
        .unwrap()
}

fn add_key(store: &Store, n: u32) {
    store
        .write(|tx| {
            tx.execute(
                "INSERT INTO api_key (id, org_id, descr, public_key, private_key) VALUES (?1, ?2, 'k', ?3, 'p')",
                rusqlite::params![format!("6000000000000000{n:08x}"), ORG, format!("k{n:07}")],
            )
        })
        .unwrap();
}

#[test]
fn the_count_follows_inserts_deletes_loads_and_resets() {
    let store = Store::memory(OpsMgr::SCHEMA).unwrap();
    let fixtures: serde_json::Value = serde_json::from_str(OpsMgr::FIXTURES).unwrap();
    let env = auth_core::Env::new(Some(1), "opsmgr");
    let product = OpsMgr::new(&env, &Default::default());
    store
        .write(|tx| {
            product
                .load_state(tx, &fixtures, &env)
                .map_err(|e| rusqlite::Error::InvalidParameterName(e.to_string()))
        })
        .unwrap();
    let counted = |store: &Store| store.read(|c| count_keys_of_org(c, ORG)).unwrap();
    assert_eq!(counted(&store), count_by_scan(&store, ORG));
    let base = counted(&store);
    for n in 0..5 {
        add_key(&store, n);
    }
    assert_eq!(counted(&store), base + 5);
    store
        .write(|tx| tx.execute("DELETE FROM api_key WHERE public_key = 'k0000002'", []))
        .unwrap();
    assert_eq!(counted(&store), base + 4);
    assert_eq!(counted(&store), count_by_scan(&store, ORG));
    assert_eq!(
        store
            .read(|c| count_keys_of_org(c, "000000000000000000000000"))
            .unwrap(),
        0
    );
    store.write(clear).unwrap();
    assert_eq!(counted(&store), 0);
    assert!(store.is_empty().unwrap());
}

#[test]
fn a_data_file_from_before_the_count_table_is_counted_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("opsmgr.sqlite3");
    let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
    store
        .write(|tx| tx.execute("INSERT INTO org (id, name) VALUES (?1, 'o')", [ORG]))
        .unwrap();
    for n in 0..3 {
        add_key(&store, n);
    }
    // An older schema: no count table, no triggers.
    store
        .write(|tx| {
            tx.execute_batch(
                "DROP TRIGGER api_key_count_insert; DROP TRIGGER api_key_count_delete;
                 DROP TRIGGER api_key_count_move; DROP TABLE org_key_count;",
            )
        })
        .unwrap();
    drop(store);
    let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
    assert_eq!(store.read(|c| count_keys_of_org(c, ORG)).unwrap(), 3);
    drop(store);
    // Reopening a current file adds nothing.
    let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
    assert_eq!(store.read(|c| count_keys_of_org(c, ORG)).unwrap(), 3);
}
