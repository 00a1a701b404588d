//! The fixture/state document: validation on load (naming the bad field) and dump.

use crate::store::{self, Kind};
use crate::wire::{
    Asset, Attachment, Change, Client, Conversation, CustomFieldDef, Reference, Request, User,
};
use auth_core::store::StoreError;
use auth_core::{parse_state, StateError};
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;

mod stream;

/// The id and ticket-number sequences.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sequences {
    /// The next object id (shared by every object type).
    pub next_id: i64,
    /// The next ticket number (shared by `INC-`, `SR-` and `CHG-` names).
    pub next_ticket_number: i64,
    /// The next conversation id.
    #[serde(default = "one")]
    pub next_conversation_id: i64,
    /// The next asset number (`HA-n`, `SA-n`, `NA-n`).
    #[serde(default = "one")]
    pub next_asset_number: i64,
}

fn one() -> i64 {
    1
}

/// A conversation with the id of its ticket.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConversationDoc {
    /// The ticket (request) it belongs to.
    pub ticket_id: i64,
    /// The conversation as the API returns it.
    pub conversation: Conversation,
}

/// The whole state of one instance, in the fixture format.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StateDoc {
    /// Registered OAuth clients.
    pub clients: Vec<Client>,
    /// Users with their API keys.
    pub users: Vec<User>,
    /// Reference data for `...Name` lookups.
    pub reference: Reference,
    /// Custom field definitions.
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldDef>,
    /// Sequences.
    pub sequences: Sequences,
    /// Requests (incidents).
    #[serde(default)]
    pub requests: Vec<Request>,
    /// Service requests.
    #[serde(default)]
    pub service_requests: Vec<Request>,
    /// Changes.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Assets.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// Conversations on tickets.
    #[serde(default)]
    pub conversations: Vec<ConversationDoc>,
    /// Files uploaded to requests (left out of the document when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

fn unique<'a>(
    seen: &mut HashSet<String>,
    value: &'a str,
    field: impl FnOnce() -> String,
) -> Result<&'a str, StateError> {
    if value.is_empty() {
        return Err(StateError::invalid(field(), "must not be empty"));
    }
    if !seen.insert(value.to_ascii_lowercase()) {
        return Err(StateError::invalid(field(), format!("duplicate {value:?}")));
    }
    Ok(value)
}

/// [`unique`] for numeric ids, without formatting each one.
fn unique_id(
    seen: &mut HashSet<i64>,
    id: i64,
    field: impl FnOnce() -> String,
) -> Result<(), StateError> {
    if seen.insert(id) {
        Ok(())
    } else {
        Err(StateError::invalid(
            field(),
            format!("duplicate {:?}", id.to_string()),
        ))
    }
}

/// The objects a document's conversations and attachments may name: which ids are objects
/// and which of them are tickets (requests and service requests).
trait KnownObjects {
    /// Whether `id` is an object of the document; `Some(true)` when it is a ticket.
    fn ticket(&self, id: i64) -> Option<bool>;
}

/// The objects of a typed document.
struct ObjectIds {
    objects: HashSet<i64>,
    tickets: HashSet<i64>,
}

impl KnownObjects for ObjectIds {
    fn ticket(&self, id: i64) -> Option<bool> {
        self.objects
            .contains(&id)
            .then(|| self.tickets.contains(&id))
    }
}

fn validate(doc: &StateDoc, max_attachment_bytes: usize) -> Result<(), StateError> {
    validate_head(doc)?;
    let mut object_ids = HashSet::new();
    let ids = doc
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| ("requests", i, r.id))
        .chain(
            doc.service_requests
                .iter()
                .enumerate()
                .map(|(i, r)| ("serviceRequests", i, r.id)),
        )
        .chain(
            doc.changes
                .iter()
                .enumerate()
                .map(|(i, c)| ("changes", i, c.id)),
        )
        .chain(
            doc.assets
                .iter()
                .enumerate()
                .map(|(i, a)| ("assets", i, a.id)),
        );
    for (list, i, id) in ids {
        unique_id(&mut object_ids, id, || format!("{list}[{i}].id"))?;
        if id >= doc.sequences.next_id {
            return Err(StateError::invalid(
                format!("{list}[{i}].id"),
                "must be below sequences.nextId",
            ));
        }
    }
    let tickets = doc
        .requests
        .iter()
        .chain(&doc.service_requests)
        .map(|r| r.id)
        .collect();
    let known = ObjectIds {
        objects: object_ids,
        tickets,
    };
    validate_tail(doc, &known, max_attachment_bytes)
}

/// The checks of the clients and users.
fn validate_head(doc: &StateDoc) -> Result<(), StateError> {
    let mut seen = HashSet::new();
    for (i, c) in doc.clients.iter().enumerate() {
        unique(&mut seen, &c.client_id, || format!("clients[{i}].clientId"))?;
    }
    let (mut ids, mut logins, mut keys) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, u) in doc.users.iter().enumerate() {
        unique(&mut ids, &u.id.to_string(), || format!("users[{i}].id"))?;
        unique(&mut logins, &u.email, || format!("users[{i}].email"))?;
        if let Some(logon) = &u.logon_name {
            unique(&mut logins, logon, || format!("users[{i}].logonName"))?;
        }
        for (k, key) in u.api_keys.iter().enumerate() {
            unique(&mut keys, key, || format!("users[{i}].apiKeys[{k}]"))?;
        }
    }
    Ok(())
}

/// The checks of the attachments and conversations, against the document's `objects`.
fn validate_tail(
    doc: &StateDoc,
    objects: &impl KnownObjects,
    max_attachment_bytes: usize,
) -> Result<(), StateError> {
    let mut names = HashSet::new();
    for (i, a) in doc.attachments.iter().enumerate() {
        if objects.ticket(a.ticket_id) != Some(true) {
            return Err(StateError::invalid(
                format!("attachments[{i}].ticketId"),
                format!("no request with id {}", a.ticket_id),
            ));
        }
        unique(&mut names, &a.ref_file_name, || {
            format!("attachments[{i}].refFileName")
        })?;
        if a.data.len() > max_attachment_bytes {
            return Err(StateError::invalid(
                format!("attachments[{i}].data"),
                format!("larger than the limit of {max_attachment_bytes} bytes"),
            ));
        }
    }
    let mut conversation_ids = HashSet::new();
    for (i, c) in doc.conversations.iter().enumerate() {
        if objects.ticket(c.ticket_id).is_none() {
            return Err(StateError::invalid(
                format!("conversations[{i}].ticketId"),
                format!("no ticket with id {}", c.ticket_id),
            ));
        }
        let id = c.conversation.id;
        unique_id(&mut conversation_ids, id, || {
            format!("conversations[{i}].conversation.id")
        })?;
        if id >= doc.sequences.next_conversation_id {
            return Err(StateError::invalid(
                format!("conversations[{i}].conversation.id"),
                "must be below sequences.nextConversationId",
            ));
        }
    }
    Ok(())
}

/// Validate `doc` (attachments up to `max_attachment_bytes` each) and write it into the
/// emptied store.
///
/// # Errors
/// [`StateError::Invalid`] naming the field.
pub fn load(
    tx: &Transaction<'_>,
    doc: &Value,
    max_attachment_bytes: usize,
) -> Result<(), StateError> {
    // Only a bad document pays for tracking the path that names the bad field.
    let doc: StateDoc = match StateDoc::deserialize(doc) {
        Ok(parsed) => parsed,
        Err(_) => parse_state(doc)?,
    };
    write(tx, &doc, max_attachment_bytes)
}

/// [`load`] from the document's JSON text, read as a stream ([`stream`]: each object is
/// inserted as it is parsed; no `Value` of the document, no `Vec` of its objects); `Ok(false)`
/// when it is refused, so the caller rolls back and reads it through [`load`] for the message
/// naming the field.
///
/// # Errors
/// [`StateError::Invalid`] naming the field.
pub fn load_json(
    tx: &Transaction<'_>,
    json: &[u8],
    max_attachment_bytes: usize,
) -> Result<bool, StateError> {
    stream::load(tx, json, max_attachment_bytes)
}

/// Validate a typed document and write it into the emptied store.
fn write(
    tx: &Transaction<'_>,
    doc: &StateDoc,
    max_attachment_bytes: usize,
) -> Result<(), StateError> {
    validate(doc, max_attachment_bytes)?;
    write_head(tx, doc)?;
    let mut objects = store::ObjectLoader::new(tx)?;
    for r in &doc.requests {
        objects.push(Kind::Request, r.id, r)?;
    }
    for r in &doc.service_requests {
        objects.push(Kind::ServiceRequest, r.id, r)?;
    }
    for c in &doc.changes {
        objects.push(Kind::Change, c.id, c)?;
    }
    for a in &doc.assets {
        objects.push(Kind::Asset, a.id, a)?;
    }
    objects.finish()?;
    write_tail(tx, doc)
}

/// Write the clients, users, reference data, custom fields and sequences.
fn write_head(tx: &Transaction<'_>, doc: &StateDoc) -> Result<(), StateError> {
    for c in &doc.clients {
        store::insert_client(tx, c)?;
    }
    for u in &doc.users {
        store::insert_user(tx, u)?;
    }
    store::put_config(
        tx,
        "reference",
        &serde_json::to_string(&doc.reference).unwrap_or_default(),
    )?;
    store::put_config(
        tx,
        "customFields",
        &serde_json::to_string(&doc.custom_fields).unwrap_or_default(),
    )?;
    tx.prepare_cached(
        "INSERT INTO sequence (name, next) VALUES ('nextId', ?1), ('nextTicketNumber', ?2),
         ('nextConversationId', ?3), ('nextAssetNumber', ?4)",
    )?
    .execute(params![
        doc.sequences.next_id,
        doc.sequences.next_ticket_number,
        doc.sequences.next_conversation_id,
        doc.sequences.next_asset_number
    ])?;
    Ok(())
}

/// Write the conversations and attachments (after the objects they belong to).
fn write_tail(tx: &Transaction<'_>, doc: &StateDoc) -> Result<(), StateError> {
    for c in &doc.conversations {
        store::put_conversation(tx, c.ticket_id, &c.conversation)?;
    }
    for a in &doc.attachments {
        store::insert_attachment(tx, a)?;
    }
    Ok(())
}

/// The whole state in the fixture format.
///
/// # Errors
/// Store errors.
pub fn dump(conn: &Connection) -> Result<Value, StoreError> {
    let clients = store::clients(conn)?;
    let users = store::users(conn)?;
    let reference: Reference = store::config(conn, "reference")?;
    let custom_fields: Vec<CustomFieldDef> = store::config(conn, "customFields")?;
    let sequences = Sequences {
        next_id: store::sequence(conn, "nextId")?,
        next_ticket_number: store::sequence(conn, "nextTicketNumber")?,
        next_conversation_id: store::sequence(conn, "nextConversationId")?,
        next_asset_number: store::sequence(conn, "nextAssetNumber")?,
    };
    let doc = StateDoc {
        clients,
        users,
        reference,
        custom_fields,
        sequences,
        requests: store::objects(conn, Kind::Request)?,
        service_requests: store::objects(conn, Kind::ServiceRequest)?,
        changes: store::objects(conn, Kind::Change)?,
        assets: store::objects(conn, Kind::Asset)?,
        conversations: store::conversations(conn, None)?
            .into_iter()
            .map(|(ticket_id, conversation)| ConversationDoc {
                ticket_id,
                conversation,
            })
            .collect(),
        attachments: store::attachments(conn)?,
    };
    Ok(serde_json::to_value(doc).unwrap_or(Value::Null))
}
