//! Named snapshots of a product's state: `POST /_standin/snapshots/{name}` saves the
//! addressed instance's state, `POST .../{name}/restore` puts it back, `GET` lists,
//! `DELETE` removes. Snapshots belong to the product (the main instance and its tenants
//! share them, so a tenant can start from one). In memory; with `--data-dir` each is also a
//! file `<data-dir>/snapshots/<product>/<name>.json`.

use crate::control::ControlError;
use crate::host::{Host, Inst};
use crate::product::Product;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Whether `name` may name a snapshot: 1–64 of `A-Z a-z 0-9 _ . -`, not starting with `.`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn check_name(name: &str) -> Result<(), ControlError> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(ControlError::BadRequest(format!(
            "snapshot name {name:?} must be 1-64 characters of A-Z a-z 0-9 _ . - and not start with '.'"
        )))
    }
}

/// Load persisted snapshots from `dir` (created if missing).
///
/// # Errors
/// A message if the directory or a file cannot be read.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, Arc<Value>>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        if !valid_name(name) {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.insert(name.to_owned(), Arc::new(doc));
    }
    Ok(out)
}

/// A snapshot by name.
///
/// # Errors
/// [`ControlError::NotFound`] if there is none.
pub fn get<P: Product>(host: &Host<P>, name: &str) -> Result<Arc<Value>, ControlError> {
    host.snapshots
        .lock()
        .get(name)
        .cloned()
        .ok_or_else(|| ControlError::NotFound(format!("no snapshot {name:?}")))
}

pub(crate) async fn list<P: Product>(host: web::Data<Host<P>>) -> HttpResponse {
    let names: Vec<Value> = host
        .snapshots
        .lock()
        .keys()
        .map(|name| json!({ "name": name }))
        .collect();
    HttpResponse::Ok().json(json!({ "product": P::NAME, "snapshots": names }))
}

pub(crate) async fn save<P: Product>(
    inst: Inst<P>,
    host: web::Data<Host<P>>,
    name: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    check_name(&name)?;
    let doc = inst.export_state()?;
    if let Some(dir) = &host.snapshot_dir {
        let text = serde_json::to_vec(&doc).map_err(|e| ControlError::Internal(e.to_string()))?;
        let tmp = dir.join(format!(".{name}.json.tmp"));
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, dir.join(format!("{name}.json"))))
            .map_err(|e| {
                ControlError::Internal(format!("cannot persist snapshot {name:?}: {e}"))
            })?;
    }
    host.snapshots.lock().insert(name.clone(), Arc::new(doc));
    Ok(HttpResponse::Created()
        .json(json!({ "snapshot": *name, "product": P::NAME, "tenant": inst.tenant })))
}

pub(crate) async fn restore<P: Product>(
    inst: Inst<P>,
    host: web::Data<Host<P>>,
    name: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    check_name(&name)?;
    let doc = get(&host, &name)?;
    inst.replace_state(&doc)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "restored": *name, "product": P::NAME, "tenant": inst.tenant })))
}

pub(crate) async fn delete<P: Product>(
    host: web::Data<Host<P>>,
    name: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    check_name(&name)?;
    if host.snapshots.lock().remove(name.as_str()).is_none() {
        return Err(ControlError::NotFound(format!("no snapshot {:?}", *name)));
    }
    if let Some(dir) = &host.snapshot_dir {
        let _ = std::fs::remove_file(dir.join(format!("{name}.json")));
    }
    Ok(HttpResponse::Ok().json(json!({ "deleted": *name, "product": P::NAME })))
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn snapshot_names_cannot_escape_the_directory() {
        assert!(valid_name("before-login_2.v1"));
        for bad in ["", "..", "../x", "a/b", ".hidden", "a b", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
