//! Conversations on a request or a change: `POST /api/v1/{request|change}/{id}/conversation`
//! and `POST /api/v1/{request|change}/{id}/conversation/search/byqual`.

use crate::auth::{ApiUser, Caller};
use crate::error::ApiError;
use crate::objects;
use crate::qual::{self, Page};
use crate::request::{invalid, Body, ConversationScope, Id, JsonBody, RequestScope, Search};
use crate::requests::{read, REQUESTS};
use crate::store;
use crate::wire::{Change, Conversation, Reply};
use rusqlite::Transaction;
use serde_json::{Map, Value};
use time::macros::format_description;

/// The conversation types and whether a requester may see and write them.
const TYPES: [(&str, bool); 4] = [
    ("note", false),
    ("collaborate", false),
    ("requestor_to_technician", true),
    ("technician_to_requester", true),
];

/// The properties a conversation search may qualify on.
pub const CONVERSATION_FIELDS: &[&str] = &[
    "id",
    "conversationType",
    "details",
    "createdByName",
    "createdByEmail",
    "subject",
    "conversationState",
    "emailIds",
    "ccEmailIds",
    "updatable",
    "deletable",
];

/// ServiceOps' display time, e.g. `Wed, Jul 16, 2025 04:33 pm` (UTC).
pub fn display_time(ms: i64) -> String {
    auth_core::clock::datetime_from_ms(ms)
        .format(format_description!(
            "[weekday repr:short], [month repr:short] [day], [year] [hour repr:12]:[minute] [period case:lower]"
        ))
        .unwrap_or_default()
}

/// The ticket a conversation hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    /// A request or service request.
    Request,
    /// A change (notes and collaboration only).
    Change,
}

impl Parent {
    fn allows(self, conversation_type: &str) -> bool {
        match self {
            Parent::Request => true,
            Parent::Change => matches!(conversation_type, "note" | "collaborate"),
        }
    }

    /// The ticket's display name and subject, as `caller` may see it.
    fn load(
        self,
        conn: &rusqlite::Connection,
        caller: &Caller,
        id: i64,
    ) -> Result<(String, String), ApiError> {
        match self {
            Parent::Request => {
                let (_, ticket) = read(conn, REQUESTS, caller, id)?;
                Ok((ticket.name, ticket.subject))
            }
            Parent::Change => {
                let change: Change = objects::read(conn, caller, id)?;
                Ok((change.name, change.subject))
            }
        }
    }
}

fn visible_to_requester(conversation_type: &str) -> bool {
    TYPES
        .iter()
        .any(|(t, requester)| *t == conversation_type && *requester)
}

fn parse_state(state: &str) -> Result<String, ApiError> {
    ["published", "draft"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(state))
        .map(str::to_owned)
        .ok_or_else(|| invalid("conversationState", &format!("{state:?} does not exist")))
}

fn emails(body: &Body<'_>, key: &str) -> Result<Vec<String>, ApiError> {
    let list = body.strings(key)?.unwrap_or_default();
    if let Some(bad) = list.iter().find(|e| !e.contains('@')) {
        return Err(invalid(key, &format!("{bad:?} is not an e-mail address")));
    }
    Ok(list)
}

fn create(
    tx: &Transaction<'_>,
    parent: Parent,
    caller: &Caller,
    ticket_id: i64,
    map: &Map<String, Value>,
    now: i64,
) -> Result<Conversation, ApiError> {
    let (ticket_name, ticket_subject) = parent.load(tx, caller, ticket_id)?;
    let body = Body(map);
    let given_type = body.required("conversationType")?;
    let conversation_type = TYPES
        .iter()
        .map(|(t, _)| *t)
        .find(|t| t.eq_ignore_ascii_case(given_type) && parent.allows(t))
        .ok_or_else(|| {
            invalid(
                "conversationType",
                &format!("{given_type:?} does not exist"),
            )
        })?;
    if !caller.sees_all() && conversation_type != "requestor_to_technician" {
        return Err(ApiError::AccessDenied);
    }
    let details = body.required("details")?.to_owned();
    let state = match body.string("conversationState")? {
        None => "published".to_owned(),
        Some(s) if s.eq_ignore_ascii_case("published") => "published".to_owned(),
        Some(s) if s.eq_ignore_ascii_case("draft") => "draft".to_owned(),
        Some(s) => {
            return Err(invalid(
                "conversationState",
                &format!("{s:?} does not exist"),
            ))
        }
    };
    let subject = match body.string("subject")? {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => format!("[{ticket_name}]: {ticket_subject}"),
    };
    let conversation = Conversation {
        id: store::take_sequence(tx, "nextConversationId")?,
        conversation_type: conversation_type.to_owned(),
        details,
        created_by_name: caller.user.name.clone(),
        created_by_email: caller.user.email.clone(),
        created_time: display_time(now),
        updated_time: display_time(now),
        subject,
        conversation_state: state,
        email_ids: emails(&body, "emailIds")?,
        cc_email_ids: emails(&body, "ccEmailIds")?,
        updatable: conversation_type == "note",
        deletable: true,
        file_attachments: body.attachments("fileAttachments")?.unwrap_or_default(),
    };
    store::put_conversation(tx, ticket_id, &conversation)?;
    Ok(conversation)
}

/// Conversation `conversation_id` of ticket `ticket_id` (404 otherwise), after the ticket's
/// own access check.
fn find(
    conn: &rusqlite::Connection,
    parent: Parent,
    caller: &Caller,
    ticket_id: i64,
    conversation_id: i64,
) -> Result<Conversation, ApiError> {
    parent.load(conn, caller, ticket_id)?;
    match store::get_conversation(conn, conversation_id)? {
        Some((ticket, conversation)) if ticket == ticket_id => {
            if caller.sees_all() || visible_to_requester(&conversation.conversation_type) {
                Ok(conversation)
            } else {
                Err(ApiError::AccessDenied)
            }
        }
        _ => Err(ApiError::NotFound(format!(
            "Conversation with id {conversation_id} not found"
        ))),
    }
}

/// Update a note: `details`, `subject`, `conversationState`, recipients, attachments.
fn update(
    tx: &Transaction<'_>,
    parent: Parent,
    caller: &Caller,
    ids: (i64, i64),
    map: &Map<String, Value>,
    now: i64,
) -> Result<Conversation, ApiError> {
    let (ticket_id, conversation_id) = ids;
    let mut conversation = find(tx, parent, caller, ticket_id, conversation_id)?;
    if !caller.sees_all() {
        return Err(ApiError::AccessDenied);
    }
    if !conversation.updatable {
        return Err(invalid("conversationType", "only notes can be updated"));
    }
    let body = Body(map);
    if let Some(given) = body.string("conversationType")? {
        if !given.eq_ignore_ascii_case(&conversation.conversation_type) {
            return Err(invalid("conversationType", "cannot be changed"));
        }
    }
    if body.has("details") {
        conversation.details = body.required("details")?.to_owned();
    }
    if body.has("subject") {
        conversation.subject = body.required("subject")?.to_owned();
    }
    if let Some(state) = body.string("conversationState")? {
        conversation.conversation_state = parse_state(state)?;
    }
    if body.has("emailIds") {
        conversation.email_ids = emails(&body, "emailIds")?;
    }
    if body.has("ccEmailIds") {
        conversation.cc_email_ids = emails(&body, "ccEmailIds")?;
    }
    if let Some(files) = body.attachments("fileAttachments")? {
        conversation.file_attachments = files;
    }
    conversation.updated_time = display_time(now);
    store::put_conversation(tx, ticket_id, &conversation)?;
    Ok(conversation)
}

fn search(
    conn: &rusqlite::Connection,
    parent: Parent,
    caller: &Caller,
    ticket_id: i64,
    query: &qual::Query,
    page: Page,
) -> Result<Value, ApiError> {
    parent.load(conn, caller, ticket_id)?;
    let all = store::conversations(conn, Some(ticket_id))?;
    let visible = all
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| caller.sees_all() || visible_to_requester(&c.conversation_type))
        .map(|c| serde_json::to_value(c).unwrap_or(Value::Null));
    qual::page(query, CONVERSATION_FIELDS, visible, page)
}

fn delete_in(
    tx: &Transaction<'_>,
    parent: Parent,
    caller: &Caller,
    (ticket_id, conversation_id): (i64, i64),
) -> Result<(), ApiError> {
    let conversation = find(tx, parent, caller, ticket_id, conversation_id)?;
    if !caller.sees_all() || !conversation.deletable {
        return Err(ApiError::AccessDenied);
    }
    store::delete_conversation(tx, conversation_id)?;
    Ok(())
}

/// `POST /api/v1/request/{id}/conversation`: 200 + the conversation.
pub async fn create_conversation(
    caller: ApiUser,
    id: Id<RequestScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let created = caller.write(|tx| create(tx, Parent::Request, &caller, id.0, &body.0, now))?;
    Ok(Reply::json(created))
}

/// `POST /api/v1/request/{id}/conversation/search/byqual?offset=&size=`.
pub async fn search_conversations(
    caller: ApiUser,
    id: Id<RequestScope>,
    search: Search,
) -> Result<Reply, ApiError> {
    let (query, page) = (&search.query, search.page);
    let found = caller.read(|c| self::search(c, Parent::Request, &caller, id.0, query, page))?;
    Ok(Reply::json(found))
}

/// `PATCH /api/v1/request/{id}/conversation/{conversationId}`: update a note.
pub async fn update_conversation(
    caller: ApiUser,
    id: Id<RequestScope>,
    conversation: Id<ConversationScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let (ids, now) = ((id.0, conversation.0), caller.now_ms());
    let updated = caller.write(|tx| update(tx, Parent::Request, &caller, ids, &body.0, now))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/request/{id}/conversation/{conversationId}`: 200, empty body.
pub async fn delete_conversation(
    caller: ApiUser,
    id: Id<RequestScope>,
    conversation: Id<ConversationScope>,
) -> Result<Reply, ApiError> {
    caller.write(|tx| delete_in(tx, Parent::Request, &caller, (id.0, conversation.0)))?;
    Ok(Reply::empty())
}

/// `POST /api/v1/change/{id}/conversation`: 200 + the conversation (notes and collaboration only).
pub async fn create_change_conversation(
    caller: ApiUser,
    id: Id<Change>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let created = caller.write(|tx| create(tx, Parent::Change, &caller, id.0, &body.0, now))?;
    Ok(Reply::json(created))
}

/// `POST /api/v1/change/{id}/conversation/search/byqual?offset=&size=`.
pub async fn search_change_conversations(
    caller: ApiUser,
    id: Id<Change>,
    search: Search,
) -> Result<Reply, ApiError> {
    let (query, page) = (&search.query, search.page);
    let found = caller.read(|c| self::search(c, Parent::Change, &caller, id.0, query, page))?;
    Ok(Reply::json(found))
}

/// `PATCH /api/v1/change/{id}/conversation/{conversationId}`: update a note.
pub async fn update_change_conversation(
    caller: ApiUser,
    id: Id<Change>,
    conversation: Id<ConversationScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let (ids, now) = ((id.0, conversation.0), caller.now_ms());
    let updated = caller.write(|tx| update(tx, Parent::Change, &caller, ids, &body.0, now))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/change/{id}/conversation/{conversationId}`: 200, empty body.
pub async fn delete_change_conversation(
    caller: ApiUser,
    id: Id<Change>,
    conversation: Id<ConversationScope>,
) -> Result<Reply, ApiError> {
    caller.write(|tx| delete_in(tx, Parent::Change, &caller, (id.0, conversation.0)))?;
    Ok(Reply::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_time_matches_the_vendor_format() {
        // 2025-07-16T16:33:00Z
        assert_eq!(
            display_time(1_752_683_580_000),
            "Wed, Jul 16, 2025 04:33 pm"
        );
    }
}
