//! The whole route table of the ServiceOps API: one line per operation, in the order the
//! router tries them. Each handler lives in the module of its resource family; changes and
//! assets share the generic handlers of [`objects`] over their [`objects::Resource`] impls.
//! The product's control routes (`/_standin/serviceops/...`) are in [`crate::control`].

use crate::wire::{Asset, Change};
use crate::{attachments, conversations, objects, requests, token, users};
use actix_web::http::Method;
use auth_core::{op, OpRoute};

/// Every API operation: method, path, operation name (journal, faults), handler.
#[rustfmt::skip]
pub(crate) fn routes() -> Vec<OpRoute> {
    vec![
        op(Method::POST, "/api/oauth/token", "serviceops.token", token::post_token),
        op(Method::POST, "/api/v1/request", "serviceops.create_request", requests::create_request),
        op(Method::POST, "/api/v1/request/search/byqual", "serviceops.search_requests", requests::search_requests),
        op(Method::GET, "/api/v1/request/{id}", "serviceops.get_request", requests::get_request),
        op(Method::PATCH, "/api/v1/request/{id}", "serviceops.update_request", requests::update_request),
        op(Method::DELETE, "/api/v1/request/{id}", "serviceops.delete_request", requests::delete_request),
        op(Method::POST, "/api/v1/service_catalog/servicerequest", "serviceops.create_service_request", requests::create_service_request),
        op(Method::POST, "/api/v1/service_catalog/servicerequest/search/byqual", "serviceops.search_service_requests", requests::search_service_requests),
        op(Method::GET, "/api/v1/service_catalog/servicerequest/{id}", "serviceops.get_service_request", requests::get_service_request),
        op(Method::PATCH, "/api/v1/service_catalog/servicerequest/{id}", "serviceops.update_service_request", requests::update_service_request),
        op(Method::DELETE, "/api/v1/service_catalog/servicerequest/{id}", "serviceops.delete_service_request", requests::delete_service_request),
        op(Method::POST, "/api/v1/request/{id}/attachment", "serviceops.upload_attachment", attachments::upload_attachment),
        op(Method::GET, "/api/v1/request/{id}/attachment", "serviceops.list_attachments", attachments::list_attachments),
        op(Method::GET, "/api/v1/request/{id}/attachment/{refFileName}", "serviceops.download_attachment", attachments::download_attachment),
        op(Method::DELETE, "/api/v1/request/{id}/attachment/{refFileName}", "serviceops.delete_attachment", attachments::delete_attachment),
        op(Method::POST, "/api/v1/request/{id}/conversation", "serviceops.create_conversation", conversations::create_conversation),
        op(Method::POST, "/api/v1/request/{id}/conversation/search/byqual", "serviceops.search_conversations", conversations::search_conversations),
        op(Method::POST, "/api/v1/change/{id}/conversation", "serviceops.create_change_conversation", conversations::create_change_conversation),
        op(Method::POST, "/api/v1/change/{id}/conversation/search/byqual", "serviceops.search_change_conversations", conversations::search_change_conversations),
        op(Method::PATCH, "/api/v1/request/{id}/conversation/{conversationId}", "serviceops.update_conversation", conversations::update_conversation),
        op(Method::DELETE, "/api/v1/request/{id}/conversation/{conversationId}", "serviceops.delete_conversation", conversations::delete_conversation),
        op(Method::PATCH, "/api/v1/change/{id}/conversation/{conversationId}", "serviceops.update_change_conversation", conversations::update_change_conversation),
        op(Method::DELETE, "/api/v1/change/{id}/conversation/{conversationId}", "serviceops.delete_change_conversation", conversations::delete_change_conversation),
        op(Method::POST, "/api/v1/change", "serviceops.create_change", objects::create::<Change>),
        op(Method::POST, "/api/v1/change/search/byqual", "serviceops.search_changes", objects::search::<Change>),
        op(Method::GET, "/api/v1/change/{id}", "serviceops.get_change", objects::get::<Change>),
        op(Method::PATCH, "/api/v1/change/{id}", "serviceops.update_change", objects::update::<Change>),
        op(Method::DELETE, "/api/v1/change/{id}", "serviceops.delete_change", objects::delete::<Change>),
        op(Method::POST, "/api/v1/asset", "serviceops.create_asset", objects::create::<Asset>),
        op(Method::POST, "/api/v1/asset/search/byqual", "serviceops.search_assets", objects::search::<Asset>),
        op(Method::GET, "/api/v1/asset/{id}", "serviceops.get_asset", objects::get::<Asset>),
        op(Method::PATCH, "/api/v1/asset/{id}", "serviceops.update_asset", objects::update::<Asset>),
        op(Method::DELETE, "/api/v1/asset/{id}", "serviceops.delete_asset", objects::delete::<Asset>),
        op(Method::POST, "/api/v1/requester", "serviceops.create_requester", users::create_requester),
        op(Method::POST, "/api/v1/requester/search/byqual", "serviceops.search_requesters", users::search_requesters),
        op(Method::GET, "/api/v1/requester/{id}", "serviceops.get_requester", users::get_requester),
        op(Method::PATCH, "/api/v1/requester/{id}", "serviceops.update_requester", users::update_requester),
        op(Method::DELETE, "/api/v1/requester/{id}", "serviceops.delete_requester", users::delete_requester),
        op(Method::POST, "/api/v1/technician", "serviceops.create_technician", users::create_technician),
        op(Method::POST, "/api/v1/technician/search/byqual", "serviceops.search_technicians", users::search_technicians),
        op(Method::GET, "/api/v1/technician/{id}", "serviceops.get_technician", users::get_technician),
        op(Method::PATCH, "/api/v1/technician/{id}", "serviceops.update_technician", users::update_technician),
        op(Method::DELETE, "/api/v1/technician/{id}", "serviceops.delete_technician", users::delete_technician),
    ]
}
