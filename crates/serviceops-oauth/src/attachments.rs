//! Attachments of requests: upload (multipart/form-data, one part named `file`), list,
//! download and delete, under `/api/v1/request/{id}/attachment`. An uploaded file joins the
//! request's `fileAttachments` as `{refFileName, realName}` (the shape of the vendor's
//! "POST Create a Request" documentation) and leaves it when deleted; deleting the request
//! deletes its files. Access follows the request: whoever may read it may list and download,
//! whoever may update it may upload, technicians and admins may delete.

use crate::auth::{ApiUser, Caller};
use crate::error::ApiError;
use crate::qual;
use crate::request::{Id, RefFileName, RequestScope, Segment};
use crate::requests::{read, REQUESTS};
use crate::store;
use crate::wire::{Attachment, FileAttachment, Reply};
use actix_web::web::Payload;
use actix_web::HttpRequest;
use futures_util::StreamExt as _;

/// The multipart part that carries the file.
const FILE_PART: &str = "file";

/// A file read from an upload body: its name, type and bytes.
struct Upload {
    real_name: String,
    content_type: String,
    data: Vec<u8>,
}

fn bad_upload(why: &str) -> ApiError {
    ApiError::Validation(format!("file: {why}"))
}

/// Read the `file` part of a multipart body, refusing it once it grows past `max` bytes
/// (other parts are read and dropped, within the same bound).
async fn read_upload(req: &HttpRequest, payload: Payload, max: usize) -> Result<Upload, ApiError> {
    let is_multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(bad_upload("the body must be multipart/form-data"));
    }
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    let mut upload = None;
    let mut total = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| bad_upload("the multipart body cannot be read"))?;
        let is_file = part.name() == Some(FILE_PART) && upload.is_none();
        let real_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let content_type = part.content_type().map_or_else(
            || "application/octet-stream".to_owned(),
            ToString::to_string,
        );
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| bad_upload("the multipart body cannot be read"))?;
            total = total.saturating_add(chunk.len());
            if total > max {
                return Err(ApiError::TooLarge);
            }
            if is_file {
                data.extend_from_slice(&chunk);
            }
        }
        if is_file {
            let real_name = real_name
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| bad_upload("the part has no filename"))?;
            upload = Some(Upload {
                real_name,
                content_type,
                data,
            });
        }
    }
    upload.ok_or_else(|| bad_upload("is required"))
}

/// The stored name of a new file: a fresh id, keeping the original extension.
fn ref_file_name(id: &str, real_name: &str) -> String {
    match real_name.rsplit_once('.') {
        Some((_, ext))
            if !ext.is_empty()
                && ext.len() <= 16
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!("{id}.{ext}")
        }
        _ => id.to_owned(),
    }
}

fn not_found(ref_file_name: &str) -> ApiError {
    ApiError::NotFound(format!("Attachment with name {ref_file_name} not found"))
}

/// `POST /api/v1/request/{id}/attachment` (multipart, part `file`): 200 + the request's new
/// `fileAttachments` entry.
pub async fn upload_attachment(
    caller: ApiUser,
    id: Id<RequestScope>,
    body: Payload,
) -> Result<Reply, ApiError> {
    // Refuse an unknown or foreign request before reading the body.
    caller.read(|c| read(c, REQUESTS, &caller, id.0))?;
    let max = caller.inst().product.max_attachment_bytes;
    let upload = caller.traced(read_upload(caller.req(), body, max).await)?;
    let uuid = caller.inst().env.ids.uuid();
    let now = caller.now_ms();
    let entry = caller.write(|tx| attach(tx, &caller, id.0, &uuid, upload, now))?;
    Ok(Reply::json(entry))
}

/// Add `upload` to request `id` (as `caller` may update it) under a name made from `uuid`.
fn attach(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    id: i64,
    uuid: &str,
    upload: Upload,
    now: i64,
) -> Result<FileAttachment, ApiError> {
    let entry = FileAttachment {
        ref_file_name: ref_file_name(uuid, &upload.real_name),
        real_name: upload.real_name,
    };
    let attachment = Attachment {
        ticket_id: id,
        ref_file_name: entry.ref_file_name.clone(),
        real_name: entry.real_name.clone(),
        content_type: upload.content_type,
        created_time: now,
        data: upload.data,
    };
    let (kind, mut request) = read(tx, REQUESTS, caller, id)?;
    request.file_attachments.push(entry.clone());
    request.updated_time = now;
    request.updated_by_name.clone_from(&caller.user.name);
    store::put_object(tx, kind, id, &request)?;
    store::insert_attachment(tx, &attachment)?;
    Ok(entry)
}

/// `GET /api/v1/request/{id}/attachment`: `{"objectList": [fileAttachments...], "totalCount"}`.
pub async fn list_attachments(caller: ApiUser, id: Id<RequestScope>) -> Result<Reply, ApiError> {
    let (_, request) = caller.read(|c| read(c, REQUESTS, &caller, id.0))?;
    let total = request.file_attachments.len();
    let list = request
        .file_attachments
        .into_iter()
        .map(|f| serde_json::to_value(f).unwrap_or_default())
        .collect();
    Ok(Reply::json(qual::listing(list, total)))
}

/// `GET /api/v1/request/{id}/attachment/{refFileName}`: the file, as uploaded.
pub async fn download_attachment(
    caller: ApiUser,
    id: Id<RequestScope>,
    name: Segment<RefFileName>,
) -> Result<Reply, ApiError> {
    let file = caller.read(|c| {
        read(c, REQUESTS, &caller, id.0)?;
        store::find_attachment(c, id.0, &name.0)?.ok_or_else(|| not_found(&name.0))
    })?;
    Ok(Reply::file(&file.content_type, file.real_name, file.data))
}

/// `DELETE /api/v1/request/{id}/attachment/{refFileName}`: 200, empty body; the entry leaves
/// the request's `fileAttachments`. Technicians and admins only.
pub async fn delete_attachment(
    caller: ApiUser,
    id: Id<RequestScope>,
    name: Segment<RefFileName>,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    caller.write(|tx| detach(tx, &caller, id.0, &name.0, now))?;
    Ok(Reply::empty())
}

/// Delete attachment `name` of request `id` as `caller` (technicians and admins).
fn detach(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    id: i64,
    name: &str,
    now: i64,
) -> Result<(), ApiError> {
    let (kind, mut request) = read(tx, REQUESTS, caller, id)?;
    if !caller.sees_all() {
        return Err(ApiError::AccessDenied);
    }
    if !store::delete_attachment(tx, id, name)? {
        return Err(not_found(name));
    }
    request.file_attachments.retain(|f| f.ref_file_name != name);
    request.updated_time = now;
    request.updated_by_name.clone_from(&caller.user.name);
    store::put_object(tx, kind, id, &request)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_keep_a_plain_extension_only() {
        assert_eq!(ref_file_name("u", "report.pdf"), "u.pdf");
        assert_eq!(ref_file_name("u", "archive.tar.gz"), "u.gz");
        assert_eq!(ref_file_name("u", "noext"), "u");
        assert_eq!(ref_file_name("u", "odd.p/df"), "u");
        assert_eq!(ref_file_name("u", "dot."), "u");
    }
}
