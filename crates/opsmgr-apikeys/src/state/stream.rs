//! `PUT /_standin/state` read as a stream: the API keys are checked and inserted a chunk
//! at a time as they are parsed, so neither a `Value` of the document nor a `Vec` of all its
//! keys is held (10^6 keys held as a `Vec` were 2.0 GB of resident memory for a 472 MB
//! document). The other sections are small and read into the typed [`StateDoc`] (with no
//! keys), then checked and written as [`super::write`] does, in the same order: orgs and
//! projects (written before the first chunk of keys), keys, then the rest.
//!
//! The loader accepts exactly the documents [`super::load`] accepts, with the same checks
//! ([`write_parents`], [`write_keys`], [`write_rest`]). On any refusal it answers `Ok(false)`
//! and nothing it wrote stays: auth-core rolls the transaction back and reads the document
//! again through [`super::load`], which gives the refusal its field and message. A document
//! whose `apiKeys` come before its `orgs` or `projects` and are more than one chunk is also
//! read that way (the keys' checks need them): accepted the same, only not streamed.

use super::{
    with_counts, write_keys, write_parents, write_rest, Ids, KeyDoc, OrgDoc, Parents, ProjectDoc,
    StateDoc,
};
use auth_core::{read_once, required_field, ForEach, StateError};
use rusqlite::Transaction;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::Deserialize;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::fmt;

/// Keys checked and written at a time.
const CHUNK: usize = 1024;

/// The document's top-level fields, as [`StateDoc`] names them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Orgs,
    Projects,
    ApiKeys,
    Users,
    Clusters,
    Hosts,
    AlertConfigs,
    Alerts,
    Events,
    GlobalApiKeys,
    GlobalAccessList,
    Teams,
}

/// Why a streamed load stopped.
enum Stop {
    /// The document is refused (or cannot be streamed): read it the other way.
    Refused,
    /// The store failed.
    Failed(StateError),
}

/// Where the keys go as they are read.
struct KeySink<'x, 't> {
    tx: &'t Transaction<'t>,
    /// The orgs and projects, once read.
    orgs: &'x OnceCell<Vec<OrgDoc>>,
    projects: &'x OnceCell<Vec<ProjectDoc>>,
    /// The orgs and projects written, before the first chunk of keys.
    parents: Option<Parents<'x>>,
    ids: Ids,
    public_keys: HashSet<[u8; 8]>,
    /// Keys read and not yet written.
    chunk: Vec<KeyDoc>,
    /// Keys written.
    written: usize,
    stop: Option<Stop>,
}

impl KeySink<'_, '_> {
    /// Take the next key; `false` when reading should stop (`stop` says why).
    fn take(&mut self, key: KeyDoc) -> bool {
        self.chunk.push(key);
        self.chunk.len() < CHUNK || self.flush()
    }

    /// Check and write the pending keys, and before the first the orgs and projects.
    fn flush(&mut self) -> bool {
        if self.parents.is_none() {
            let (Some(orgs), Some(projects)) = (self.orgs.get(), self.projects.get()) else {
                self.stop = Some(Stop::Refused);
                return false;
            };
            match write_parents(self.tx, orgs, projects, &mut self.ids) {
                Ok(parents) => self.parents = Some(parents),
                Err(err) => {
                    self.halt(err);
                    return false;
                }
            }
        }
        let Some(parents) = &self.parents else {
            return false;
        };
        let written = write_keys(
            self.tx,
            &self.chunk,
            self.written,
            parents,
            &mut self.ids,
            &mut self.public_keys,
        );
        self.written += self.chunk.len();
        self.chunk.clear();
        match written {
            Ok(()) => true,
            Err(err) => {
                self.halt(err);
                false
            }
        }
    }

    fn halt(&mut self, err: StateError) {
        self.stop = Some(match err {
            StateError::Invalid { .. } => Stop::Refused,
            err => Stop::Failed(err),
        });
    }
}

/// Load the document in `json` into the (emptied) store inside `tx`; `Ok(false)` when it is
/// refused (bad JSON, a wrong field, a failed check): nothing is then to be kept.
///
/// # Errors
/// Store errors.
pub(super) fn load(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    // The UTF-8 checked once for the whole text, not again for every string (JSON text that is
    // not UTF-8 is refused by the `Value` reading too).
    let Ok(text) = std::str::from_utf8(json) else {
        return Ok(false);
    };
    with_counts(tx, || load_in(tx, text))
}

fn load_in(tx: &Transaction<'_>, text: &str) -> Result<bool, StateError> {
    let (orgs, projects) = (OnceCell::new(), OnceCell::new());
    let mut sink = KeySink {
        tx,
        orgs: &orgs,
        projects: &projects,
        parents: None,
        ids: Ids::default(),
        public_keys: HashSet::new(),
        chunk: Vec::with_capacity(CHUNK),
        written: 0,
        stop: None,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Document { sink: &mut sink }.deserialize(&mut de);
    if parsed.is_ok() && sink.stop.is_none() {
        sink.flush();
    }
    match sink.stop.take() {
        Some(Stop::Failed(err)) => return Err(err),
        Some(Stop::Refused) => return Ok(false),
        None => {}
    }
    let Ok(state) = parsed else {
        return Ok(false);
    };
    if de.end().is_err() {
        return Ok(false);
    }
    let Some(parents) = &sink.parents else {
        return Ok(false);
    };
    match write_rest(tx, &state, parents, &mut sink.ids, &mut sink.public_keys) {
        Ok(()) => Ok(true),
        Err(StateError::Invalid { .. }) => Ok(false),
        Err(err) => Err(err),
    }
}

/// The whole document: a [`StateDoc`] whose orgs and projects went to the sink's cells and
/// whose keys went to the sink.
struct Document<'s, 'x, 't> {
    sink: &'s mut KeySink<'x, 't>,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_, '_> {
    type Value = StateDoc;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<StateDoc, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// Set a cell once (a second occurrence of the field is an error, as in the derived reader).
fn set_once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    cell: &OnceCell<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if cell.get().is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    let value = map.next_value()?;
    cell.set(value)
        .map_err(|_| de::Error::duplicate_field(name))
}

impl<'de> Visitor<'de> for Document<'_, '_, '_> {
    type Value = StateDoc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct StateDoc")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StateDoc, A::Error> {
        let mut keys = false;
        let (mut users, mut clusters, mut hosts) = (None, None, None);
        let (mut alert_configs, mut alerts, mut events) = (None, None, None);
        let (mut global_api_keys, mut global_access_list, mut teams) = (None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            let m = &mut map;
            match field {
                Field::Orgs => set_once(self.sink.orgs, m, "orgs")?,
                Field::Projects => set_once(self.sink.projects, m, "projects")?,
                Field::ApiKeys => {
                    if std::mem::replace(&mut keys, true) {
                        return Err(de::Error::duplicate_field("apiKeys"));
                    }
                    let sink = &mut *self.sink;
                    m.next_value_seed(ForEach::new(|key: KeyDoc| sink.take(key)))?;
                }
                Field::Users => read_once(&mut users, m, "users")?,
                Field::Clusters => read_once(&mut clusters, m, "clusters")?,
                Field::Hosts => read_once(&mut hosts, m, "hosts")?,
                Field::AlertConfigs => read_once(&mut alert_configs, m, "alertConfigs")?,
                Field::Alerts => read_once(&mut alerts, m, "alerts")?,
                Field::Events => read_once(&mut events, m, "events")?,
                Field::GlobalApiKeys => read_once(&mut global_api_keys, m, "globalApiKeys")?,
                Field::GlobalAccessList => {
                    read_once(&mut global_access_list, m, "globalAccessList")?;
                }
                Field::Teams => read_once(&mut teams, m, "teams")?,
            }
        }
        required_field::<_, A::Error>(self.sink.orgs.get(), "orgs")?;
        required_field::<_, A::Error>(self.sink.projects.get(), "projects")?;
        if !keys {
            return Err(de::Error::missing_field("apiKeys"));
        }
        Ok(StateDoc {
            orgs: Vec::new(),
            projects: Vec::new(),
            api_keys: Vec::new(),
            users: users.unwrap_or_default(),
            clusters: clusters.unwrap_or_default(),
            hosts: hosts.unwrap_or_default(),
            alert_configs: alert_configs.unwrap_or_default(),
            alerts: alerts.unwrap_or_default(),
            events: events.unwrap_or_default(),
            global_api_keys: global_api_keys.unwrap_or_default(),
            global_access_list: global_access_list.unwrap_or_default(),
            teams: teams.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::Product;
    use serde_json::{json, Value};

    /// A store with the schema, for one load.
    fn fresh() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::OpsMgr::SCHEMA).unwrap();
        conn
    }

    /// The store's dump after the streaming load of `text`, or `None` if it was refused.
    fn streamed_text(text: &str) -> Option<Value> {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        if !load(&tx, text.as_bytes()).unwrap() {
            return None;
        }
        tx.commit().unwrap();
        Some(super::super::dump(&conn).unwrap())
    }

    fn streamed(doc: &Value) -> Option<Value> {
        streamed_text(&serde_json::to_string(doc).unwrap())
    }

    /// The same through the `Value` loader.
    fn typed(doc: &Value) -> Option<Value> {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        super::super::load(&tx, doc).ok()?;
        tx.commit().unwrap();
        Some(super::super::dump(&conn).unwrap())
    }

    /// The fixture with `n` more keys like its first, in the second org.
    fn with_keys(n: usize) -> Value {
        let mut doc: Value = serde_json::from_str(crate::OpsMgr::FIXTURES).unwrap();
        let org = doc["orgs"][1]["id"].clone();
        let project = doc["projects"][1]["id"].clone();
        let template = doc["apiKeys"][0].clone();
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        for i in 0..n {
            let mut key = template.clone();
            key["id"] = json!(format!("7000000000000000{i:08x}"));
            key["orgId"] = org.clone();
            key["publicKey"] = json!(format!("k{:07}", i)
                .chars()
                .map(|c| c.to_digit(10).map_or(c, |d| (b'a' + d as u8) as char))
                .collect::<String>());
            key["roles"] = json!([{"orgId": org, "roleName": "ORG_READ_ONLY"},
                {"groupId": project, "roleName": "GROUP_READ_ONLY"}]);
            keys.push(key);
        }
        doc
    }

    /// `doc` with `first` moved to the front.
    fn leading(doc: &Value, first: &[&str]) -> Value {
        let mut out = serde_json::Map::new();
        for key in first {
            out.insert((*key).into(), doc[*key].clone());
        }
        for (k, v) in doc.as_object().unwrap() {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Value::Object(out)
    }

    #[test]
    fn the_fixture_and_more_than_a_chunk_of_keys_load_the_same_streamed_and_typed() {
        for n in [0, 3, CHUNK - 1, CHUNK, 2 * CHUNK + 5] {
            let doc = with_keys(n);
            let streamed = streamed(&doc).expect("accepted");
            assert_eq!(streamed["apiKeys"].as_array().unwrap().len(), n + 1);
            assert_eq!(Some(streamed.clone()), typed(&doc), "{n} keys");
            // Round trip: the dump loads to itself.
            assert_eq!(self::streamed(&streamed), Some(streamed), "{n} keys");
        }
    }

    #[test]
    fn the_counts_kept_by_triggers_are_written_and_the_triggers_made_again() {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        let doc = with_keys(CHUNK + 1);
        assert!(load(&tx, doc.to_string().as_bytes()).unwrap());
        tx.commit().unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let org = doc["orgs"][1]["id"].as_str().unwrap().to_owned();
        let n: i64 = conn
            .query_row(
                "SELECT n FROM org_key_count WHERE org_id = ?1",
                [&org],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, CHUNK as i64 + 1);
        assert_eq!(
            count("SELECT COUNT(*) FROM project_key"),
            count("SELECT COUNT(DISTINCT g.group_id || ' ' || k.seq) FROM grant_role g JOIN api_key k ON k.id = g.holder WHERE g.group_id IS NOT NULL")
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ('api_key_count_insert', 'grant_role_project_insert')"),
            2
        );
    }

    #[test]
    fn a_refused_load_counts_nothing_and_the_rollback_brings_the_triggers_back() {
        let mut conn = fresh();
        let mut doc = with_keys(CHUNK + 3);
        doc["apiKeys"][CHUNK + 2]["id"] = doc["apiKeys"][1]["id"].clone();
        let tx = conn.transaction().unwrap();
        assert!(!load(&tx, doc.to_string().as_bytes()).unwrap());
        let counted: i64 = tx
            .query_row("SELECT COUNT(*) FROM org_key_count", [], |r| r.get(0))
            .unwrap();
        assert_eq!(counted, 0, "no counts written for a refused load");
        tx.rollback().unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM api_key"), 0);
        assert_eq!(
            count("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ('api_key_count_insert', 'grant_role_project_insert')"),
            2
        );
    }

    #[test]
    fn field_order_does_not_matter() {
        let doc = with_keys(5);
        let reversed: serde_json::Map<String, Value> = doc
            .as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(streamed(&Value::Object(reversed)), typed(&doc));
        assert!(typed(&doc).is_some());
        // More than a chunk of keys before the orgs cannot be checked as they come: refused
        // here, so the caller reads it the other way, which accepts it.
        let doc = with_keys(CHUNK);
        let early = leading(&doc, &["apiKeys"]);
        assert_eq!(streamed(&early), None);
        assert!(typed(&early).is_some());
        // Keys after the orgs and projects but before everything else stream.
        let early = leading(&doc, &["projects", "orgs", "apiKeys"]);
        assert_eq!(streamed(&early), typed(&doc));
    }

    #[test]
    fn every_refusal_of_the_typed_loader_is_a_refusal_here() {
        // Refusals in the first chunk and in a later one.
        for n in [2, CHUNK + 3] {
            let base = with_keys(n);
            let last = n; // index of the last key
            type Edit = Box<dyn Fn(&mut Value)>;
            let edits: Vec<Edit> = vec![
                Box::new(move |d| d["apiKeys"][last]["id"] = d["apiKeys"][1]["id"].clone()),
                Box::new(move |d| d["apiKeys"][last]["id"] = d["orgs"][0]["id"].clone()),
                Box::new(move |d| d["apiKeys"][last]["id"] = json!("7000000000000000000000ZZ")),
                Box::new(move |d| {
                    d["apiKeys"][last]["publicKey"] = d["apiKeys"][0]["publicKey"].clone();
                }),
                Box::new(move |d| {
                    d["globalApiKeys"][0]["publicKey"] = d["apiKeys"][last]["publicKey"].clone();
                }),
                Box::new(move |d| d["globalApiKeys"][0]["id"] = d["apiKeys"][last]["id"].clone()),
                Box::new(move |d| d["users"][0]["id"] = d["apiKeys"][last]["id"].clone()),
                Box::new(move |d| d["apiKeys"][last]["orgId"] = json!("5953c5f380eef53887615fff")),
                Box::new(move |d| {
                    // A project role on a project of another org than the key's.
                    d["apiKeys"][last]["roles"][1]["groupId"] = d["projects"][0]["id"].clone();
                }),
                Box::new(move |d| d["apiKeys"][last]["desc"] = json!("")),
                Box::new(move |d| d["apiKeys"][last]["privateKey"] = json!("")),
                Box::new(move |d| {
                    d["apiKeys"][last]["accessList"][0]["cidrBlock"] = json!("127.0.0.01/32");
                }),
                Box::new(move |d| d["apiKeys"][last]["colour"] = json!("red")),
                Box::new(|d| d["projects"][1]["orgId"] = json!("5953c5f380eef53887615fff")),
                Box::new(|d| d["orgs"][1]["name"] = json!(" ")),
                Box::new(|d| d["hosts"][1]["id"] = d["hosts"][0]["id"].clone()),
                Box::new(|d| d["teams"][0]["userIds"] = json!(["5953c5f380eef53887615000"])),
                Box::new(|d| d["apiKeys"] = json!({})),
                Box::new(|d| d["colour"] = json!("red")),
                Box::new(|d| {
                    d.as_object_mut().unwrap().remove("apiKeys");
                }),
                Box::new(|d| {
                    d.as_object_mut().unwrap().remove("projects");
                }),
            ];
            for (k, edit) in edits.iter().enumerate() {
                let mut doc = base.clone();
                edit(&mut doc);
                assert_eq!(
                    typed(&doc),
                    None,
                    "{n} keys, edit {k} is refused by the typed loader"
                );
                assert_eq!(
                    streamed(&doc),
                    None,
                    "{n} keys, edit {k} is refused streamed"
                );
            }
        }
    }

    #[test]
    fn duplicate_fields_trailing_text_and_bad_utf8_are_refused() {
        let text = with_keys(3).to_string();
        assert!(streamed_text(&text).is_some());
        let inner = text.strip_suffix('}').unwrap();
        for field in ["orgs", "projects", "apiKeys", "users", "teams"] {
            let repeated = format!("{inner}, \"{field}\": []}}");
            assert_eq!(streamed_text(&repeated), None, "{field} twice");
        }
        assert_eq!(streamed_text(&format!("{text} x")), None);
        assert_eq!(streamed_text("{\"orgs\": "), None);
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        assert!(!load(&tx, b"{\"orgs\": [\xff]}").unwrap());
    }
}
