//! `PUT /_standin/state` read as a stream: each request, service request, change and asset is
//! inserted as soon as it is parsed, so neither a `Value` of the document nor a `Vec` of its
//! objects is held (10^6 requests were 3.2 GB of resident memory as a `Vec`). The other
//! sections are small and read into the typed [`StateDoc`] (with no objects), then checked and
//! written as [`super::write`] does.
//!
//! The loader accepts exactly the documents [`super::load`] accepts, with the same checks: a
//! repeated object id is refused by the table's primary key, an id at or above
//! `sequences.nextId` by the largest id seen, and the conversations' and attachments' tickets
//! are looked up in the store once every object is in. On any refusal it answers `Ok(false)`
//! and nothing it wrote stays: auth-core rolls the transaction back and reads the document
//! again through [`super::load`], which gives the refusal its field and message, so a bad
//! document is refused exactly as before.

use super::{
    validate_head, validate_tail, write_head, write_tail, ConversationDoc, KnownObjects, Sequences,
    StateDoc,
};
use crate::store::{self, Kind, ObjectLoader};
use crate::wire::{Asset, Change, Request};
use auth_core::{read_once, required_field, ForEach, StateError};
use rusqlite::Transaction;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;

/// The document's top-level fields, as [`StateDoc`] names them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Clients,
    Users,
    Reference,
    CustomFields,
    Sequences,
    Requests,
    ServiceRequests,
    Changes,
    Assets,
    Conversations,
    Attachments,
}

/// Where the objects go as they are read.
struct ObjectSink<'c> {
    rows: ObjectLoader<'c>,
    /// The largest object id seen (checked against `sequences.nextId` at the end).
    max_id: Option<i64>,
    /// Whether the table refused an object (a repeated id).
    refused: bool,
    /// Why reading stopped, when it was the store.
    failed: Option<rusqlite::Error>,
}

impl ObjectSink<'_> {
    /// Insert the next object; `false` when it is refused or the store failed.
    fn take<T: Serialize>(&mut self, kind: Kind, id: i64, object: &T) -> bool {
        self.max_id = Some(self.max_id.map_or(id, |max| max.max(id)));
        match self.rows.push(kind, id, object) {
            Ok(()) => true,
            Err(err) => {
                self.fail(err);
                false
            }
        }
    }

    fn fail(&mut self, err: rusqlite::Error) {
        if store::is_constraint(&err) {
            self.refused = true;
        } else {
            self.failed = Some(err);
        }
    }
}

/// The objects of the store (all of the document's are written before they are looked up).
struct StoredObjects<'c> {
    conn: &'c rusqlite::Connection,
    /// A lookup failed (answered as unknown; the error is returned once the checks end).
    failed: RefCell<Option<rusqlite::Error>>,
}

impl KnownObjects for StoredObjects<'_> {
    fn ticket(&self, id: i64) -> Option<bool> {
        match store::object_kind(self.conn, id) {
            Ok(kind) => kind.map(|kind| {
                kind == Kind::Request.as_str() || kind == Kind::ServiceRequest.as_str()
            }),
            Err(err) => {
                self.failed.replace(Some(err));
                None
            }
        }
    }
}

/// Load the document in `json` into the (emptied) store inside `tx`, attachments up to
/// `max_attachment_bytes` each; `Ok(false)` when it is refused (bad JSON, a wrong field, a
/// failed check): nothing is then to be kept.
///
/// # Errors
/// Store errors.
pub(super) fn load(
    tx: &Transaction<'_>,
    json: &[u8],
    max_attachment_bytes: usize,
) -> Result<bool, StateError> {
    // The UTF-8 checked once for the whole text, not again for every string (JSON text that is
    // not UTF-8 is refused by the `Value` reading too).
    let Ok(text) = std::str::from_utf8(json) else {
        return Ok(false);
    };
    let mut sink = ObjectSink {
        rows: ObjectLoader::new(tx)?,
        max_id: None,
        refused: false,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Document { sink: &mut sink }.deserialize(&mut de);
    let ObjectSink {
        rows,
        max_id,
        mut refused,
        mut failed,
    } = sink;
    if parsed.is_ok() && failed.is_none() && !refused {
        if let Err(err) = rows.finish() {
            if store::is_constraint(&err) {
                refused = true;
            } else {
                failed = Some(err);
            }
        }
    }
    if let Some(err) = failed {
        return Err(err.into());
    }
    let Ok(doc) = parsed else {
        return Ok(false);
    };
    if refused || de.end().is_err() {
        return Ok(false);
    }
    if max_id.is_some_and(|id| id >= doc.sequences.next_id) || validate_head(&doc).is_err() {
        return Ok(false);
    }
    let stored = StoredObjects {
        conn: tx,
        failed: RefCell::new(None),
    };
    let tail = validate_tail(&doc, &stored, max_attachment_bytes);
    if let Some(err) = stored.failed.into_inner() {
        return Err(err.into());
    }
    if tail.is_err() {
        return Ok(false);
    }
    write_head(tx, &doc)?;
    write_tail(tx, &doc)?;
    Ok(true)
}

/// The whole document: a [`StateDoc`] whose objects went to the sink.
struct Document<'s, 'c> {
    sink: &'s mut ObjectSink<'c>,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = StateDoc;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<StateDoc, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = StateDoc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct StateDoc")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StateDoc, A::Error> {
        let (mut clients, mut users, mut reference) = (None, None, None);
        let (mut custom_fields, mut sequences) = (None, None::<Sequences>);
        let (mut conversations, mut attachments) = (None::<Vec<ConversationDoc>>, None);
        let mut lists = [false; 4];
        while let Some(field) = map.next_key::<Field>()? {
            let m = &mut map;
            let sink = &mut *self.sink;
            match field {
                Field::Clients => read_once(&mut clients, m, "clients")?,
                Field::Users => read_once(&mut users, m, "users")?,
                Field::Reference => read_once(&mut reference, m, "reference")?,
                Field::CustomFields => read_once(&mut custom_fields, m, "customFields")?,
                Field::Sequences => read_once(&mut sequences, m, "sequences")?,
                Field::Requests => {
                    objects(m, &mut lists[0], "requests", |r: Request| {
                        sink.take(Kind::Request, r.id, &r)
                    })?;
                }
                Field::ServiceRequests => {
                    objects(m, &mut lists[1], "serviceRequests", |r: Request| {
                        sink.take(Kind::ServiceRequest, r.id, &r)
                    })?;
                }
                Field::Changes => objects(m, &mut lists[2], "changes", |c: Change| {
                    sink.take(Kind::Change, c.id, &c)
                })?,
                Field::Assets => objects(m, &mut lists[3], "assets", |a: Asset| {
                    sink.take(Kind::Asset, a.id, &a)
                })?,
                Field::Conversations => read_once(&mut conversations, m, "conversations")?,
                Field::Attachments => read_once(&mut attachments, m, "attachments")?,
            }
        }
        Ok(StateDoc {
            clients: required_field(clients, "clients")?,
            users: required_field(users, "users")?,
            reference: required_field(reference, "reference")?,
            custom_fields: custom_fields.unwrap_or_default(),
            sequences: required_field(sequences, "sequences")?,
            requests: Vec::new(),
            service_requests: Vec::new(),
            changes: Vec::new(),
            assets: Vec::new(),
            conversations: conversations.unwrap_or_default(),
            attachments: attachments.unwrap_or_default(),
        })
    }
}

/// Read one of the object lists, each object to `take` as it is parsed (a second
/// occurrence of the list is an error, as in the derived reader).
fn objects<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    seen: &mut bool,
    name: &'static str,
    take: impl FnMut(T) -> bool,
) -> Result<(), A::Error> {
    if std::mem::replace(seen, true) {
        return Err(de::Error::duplicate_field(name));
    }
    map.next_value_seed(ForEach::new(take))
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::Product;
    use serde_json::{json, Value};

    /// Attachments' limit in these tests: the fixture's of 5 bytes fits.
    const MAX_ATTACHMENT: usize = 16;

    /// A store with the schema, for one load.
    fn fresh() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::ServiceOps::SCHEMA).unwrap();
        conn
    }

    /// The store's dump after the streaming load of `text`, or `None` if it was refused.
    fn streamed_text(text: &str) -> Option<Value> {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        if !load(&tx, text.as_bytes(), MAX_ATTACHMENT).unwrap() {
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
        super::super::load(&tx, doc, MAX_ATTACHMENT).ok()?;
        tx.commit().unwrap();
        Some(super::super::dump(&conn).unwrap())
    }

    /// The fixture with a few more objects of every kind, a conversation and an attachment.
    fn fixture() -> Value {
        let mut doc: Value = serde_json::from_str(crate::ServiceOps::FIXTURES).unwrap();
        let next = doc["sequences"]["nextId"].as_i64().unwrap();
        for (list, n) in [("requests", 3), ("serviceRequests", 2), ("changes", 2)] {
            let template = doc[list][0].clone();
            for k in 0..n {
                let mut o = template.clone();
                o["id"] = json!(next + 10 * k + list.len() as i64);
                doc[list].as_array_mut().unwrap().push(o);
            }
        }
        doc["sequences"]["nextId"] = json!(next + 100);
        let ticket = doc["serviceRequests"][0]["id"].clone();
        let mut conversation = doc["conversations"][0].clone();
        conversation["ticketId"] = ticket.clone();
        conversation["conversation"]["id"] = json!(doc["sequences"]["nextConversationId"]);
        doc["conversations"]
            .as_array_mut()
            .unwrap()
            .push(conversation);
        doc["sequences"]["nextConversationId"] =
            json!(doc["sequences"]["nextConversationId"].as_i64().unwrap() + 1);
        doc["attachments"] = json!([{"refFileName": "ref-1", "ticketId": ticket,
            "realName": "a.txt", "contentType": "text/plain", "createdTime": 1,
            "data": "aGVsbG8="}]);
        doc
    }

    #[test]
    fn the_fixture_loads_the_same_streamed_and_typed() {
        let doc = fixture();
        let streamed = streamed(&doc).expect("the fixture is accepted");
        assert_eq!(Some(streamed.clone()), typed(&doc));
        assert!(streamed["attachments"]
            .as_array()
            .is_some_and(|a| a.len() == 1));
        assert!(streamed["requests"].as_array().unwrap().len() >= 4);
        // Round trip: the dump loads to itself.
        assert_eq!(self::streamed(&streamed), Some(streamed));
    }

    #[test]
    fn field_order_does_not_matter() {
        let doc = fixture();
        let reversed: serde_json::Map<String, Value> = doc
            .as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let reversed = Value::Object(reversed);
        assert_eq!(streamed(&reversed), typed(&doc));
        assert!(typed(&doc).is_some());
    }

    #[test]
    fn every_refusal_of_the_typed_loader_is_a_refusal_here() {
        let base = fixture();
        type Edit = Box<dyn Fn(&mut Value)>;
        let edits: Vec<Edit> = vec![
            Box::new(|d| d["requests"][1]["id"] = d["requests"][0]["id"].clone()),
            Box::new(|d| d["changes"][0]["id"] = d["requests"][0]["id"].clone()),
            Box::new(|d| d["assets"][0]["id"] = d["serviceRequests"][1]["id"].clone()),
            Box::new(|d| d["requests"][2]["id"] = d["sequences"]["nextId"].clone()),
            Box::new(|d| d["sequences"]["nextId"] = json!(2)),
            Box::new(|d| d["requests"][0]["colour"] = json!("red")),
            Box::new(|d| d["requests"] = json!({})),
            Box::new(|d| d["requests"] = Value::Null),
            Box::new(|d| d["colour"] = json!("red")),
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("sequences");
            }),
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("users");
            }),
            Box::new(|d| d["users"][1]["email"] = d["users"][0]["email"].clone()),
            Box::new(|d| d["clients"][0]["clientId"] = json!("")),
            // A conversation on no object; an attachment on a change (not a ticket).
            Box::new(|d| d["conversations"][0]["ticketId"] = json!(987_654)),
            Box::new(|d| d["attachments"][0]["ticketId"] = d["changes"][0]["id"].clone()),
            Box::new(|d| d["attachments"][0]["ticketId"] = json!(987_654)),
            Box::new(|d| {
                let id = d["sequences"]["nextConversationId"].clone();
                d["conversations"][0]["conversation"]["id"] = id;
            }),
            Box::new(|d| d["attachments"][0]["data"] = json!("x".repeat(24))),
        ];
        for (n, edit) in edits.iter().enumerate() {
            let mut doc = base.clone();
            edit(&mut doc);
            assert_eq!(typed(&doc), None, "edit {n} is refused by the typed loader");
            assert_eq!(streamed(&doc), None, "edit {n} is refused streamed");
        }
        // Objects before the sequences that bound their ids, and conversations and
        // attachments before the tickets they name, are accepted once those are read.
        let mut reordered = serde_json::Map::new();
        for key in [
            "attachments",
            "conversations",
            "requests",
            "serviceRequests",
        ] {
            reordered.insert(key.into(), base[key].clone());
        }
        for (k, v) in base.as_object().unwrap() {
            reordered.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let reordered = Value::Object(reordered);
        assert!(typed(&base).is_some());
        assert_eq!(streamed(&reordered), typed(&base));
    }

    #[test]
    fn duplicate_fields_trailing_text_and_bad_utf8_are_refused() {
        let text = serde_json::to_string(&fixture()).unwrap();
        assert!(streamed_text(&text).is_some());
        let inner = text.strip_suffix('}').unwrap();
        for field in ["requests", "changes", "users", "sequences"] {
            let repeated = format!("{inner}, \"{field}\": []}}");
            assert_eq!(streamed_text(&repeated), None, "{field} twice");
        }
        assert_eq!(streamed_text(&format!("{text} x")), None);
        assert_eq!(streamed_text("{\"clients\": "), None);
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        assert!(!load(&tx, b"{\"clients\": [\xff]}", MAX_ATTACHMENT).unwrap());
    }

    #[test]
    fn a_refused_load_leaves_the_insert_trigger_to_the_rollback() {
        // The loader drops the count trigger; a refusal returns before it is made again, and
        // the rollback brings it back with the rest.
        let mut conn = fresh();
        let mut doc = fixture();
        doc["requests"][1]["id"] = doc["requests"][0]["id"].clone();
        let tx = conn.transaction().unwrap();
        assert!(!load(&tx, doc.to_string().as_bytes(), MAX_ATTACHMENT).unwrap());
        tx.rollback().unwrap();
        let triggers: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'object_count_insert'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(triggers, 1);
        let objects: i64 = conn
            .query_row("SELECT COUNT(*) FROM object", [], |r| r.get(0))
            .unwrap();
        assert_eq!(objects, 0);
    }
}
