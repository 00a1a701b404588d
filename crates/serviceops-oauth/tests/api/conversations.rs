//! Conversations on a request, and service requests.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn by_type(value: &str) -> Value {
    json!({"qualDetails": {"type": "FlatQualificationRest", "quals": [
        {"type": "RelationalQualificationRest",
         "leftOperand": {"type": "PropertyOperandRest", "key": ".conversation.conversationType"},
         "operator": "equal",
         "rightOperand": {"type": "ValueOperandRest", "value": {"type": "EnumValueRest", "value": value}}}]}})
}

#[actix_web::test]
async fn a_technician_adds_a_note_and_finds_it_by_type() {
    let srv = start().await;
    srv.control(
        "/clock",
        json!({"set": "2025-07-16T16:33:00Z", "freeze": true}),
    )
    .await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/65/conversation",
            &auth,
            &json!({"conversationType": "Note", "details": "<p>Please take this request on priority.</p>"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        created,
        json!({"id": 3, "conversationType": "note", "details": "<p>Please take this request on priority.</p>",
               "createdByName": "Tim", "createdByEmail": "tim@acme.com",
               "createdTime": "Wed, Jul 16, 2025 04:33 pm", "updatedTime": "Wed, Jul 16, 2025 04:33 pm",
               "subject": "[INC-46]: Incident Summary", "conversationState": "published",
               "emailIds": [], "ccEmailIds": [], "updatable": true, "deletable": true, "fileAttachments": []})
    );
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/65/conversation/search/byqual",
            &auth,
            &by_type("note"),
        )
        .await;
    assert_eq!(res.status(), 200);
    let found: Value = res.json().await.unwrap();
    assert_eq!(found, json!({"objectList": [created], "totalCount": 1}));
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/64/conversation/search/byqual",
            &auth,
            &json!({}),
        )
        .await;
    let found: Value = res.json().await.unwrap();
    assert_eq!(found["totalCount"], 2);
}

#[actix_web::test]
async fn requesters_see_and_write_only_replies_on_their_own_requests() {
    let srv = start().await;
    let rita = srv.bearer("rita", "789").await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/64/conversation/search/byqual",
            &rita,
            &json!({}),
        )
        .await;
    let found: Value = res.json().await.unwrap();
    assert_eq!(found["totalCount"], 1, "the internal note is hidden");
    assert_eq!(
        found["objectList"][0]["conversationType"],
        "technician_to_requester"
    );
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/64/conversation",
            &rita,
            &json!({"conversationType": "note", "details": "x"}),
        )
        .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/64/conversation",
            &rita,
            &json!({"conversationType": "requestor_to_technician", "details": "<p>Any news?</p>"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/65/conversation/search/byqual",
            &rita,
            &json!({}),
        )
        .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
}

#[actix_web::test]
async fn bad_conversations_are_refused_and_deleting_the_request_removes_them() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    for (body, message) in [
        (json!({"details": "x"}), "conversationType is required"),
        (json!({"conversationType": "note"}), "details is required"),
        (
            json!({"conversationType": "note", "details": ""}),
            "details is required",
        ),
        (
            json!({"conversationType": "gossip", "details": "x"}),
            "conversationType: \"gossip\" does not exist",
        ),
        (
            json!({"conversationType": "note", "details": "x", "emailIds": ["nope"]}),
            "emailIds: \"nope\" is not an e-mail address",
        ),
        (
            json!({"conversationType": "note", "details": "x", "conversationState": "secret"}),
            "conversationState: \"secret\" does not exist",
        ),
    ] {
        let res = srv
            .send(
                Method::POST,
                "/api/v1/request/64/conversation",
                &auth,
                &body,
            )
            .await;
        assert_eq!(
            assert_business_error(res, 400, "validation_failed").await,
            message
        );
    }
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/999/conversation",
            &auth,
            &json!({"conversationType": "note", "details": "x"}),
        )
        .await;
    assert_business_error(res, 404, "entity_not_found").await;

    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &auth,
            &json!({"statusName": "Resolved"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        srv.state().await["conversations"].as_array().unwrap().len(),
        2,
        "an update keeps them"
    );
    let res = srv
        .send(Method::DELETE, "/api/v1/request/64", &auth, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(srv.state().await["conversations"], json!([]));
}

#[actix_web::test]
async fn service_requests_share_the_ticket_sequence_and_the_request_endpoints() {
    let srv = start().await;
    let auth = format!("Apikey {}", CREDS.api_key);
    let res = srv
        .send(
            Method::POST,
            "/api/v1/service_catalog/servicerequest",
            &auth,
            &json!({"requester": "paulsn", "serviceName": "HW 1", "serviceCategoryName": "Hardware",
                    "priorityName": "Low", "locationName": "Ahmedabad"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let sr: Value = res.json().await.unwrap();
    assert_eq!(
        (sr["id"].clone(), sr["name"].clone()),
        (json!(69), json!("SR-49"))
    );
    assert_eq!(sr["subject"], "---");
    assert_eq!(sr["requesterEmail"], "snehashis.paul@motadata.com");
    let incident: Value = srv
        .send(
            Method::POST,
            "/api/v1/request",
            &auth,
            &json!({"subject": "x", "requesterEmail": "tim"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(incident["name"], "INC-50", "one ticket sequence");

    assert_eq!(srv.get("/api/v1/request/69", &auth).await.status(), 200);
    assert_eq!(
        srv.get("/api/v1/service_catalog/servicerequest/69", &auth)
            .await
            .status(),
        200
    );
    let res = srv
        .get(
            &format!("/api/v1/service_catalog/servicerequest/{}", incident["id"]),
            &auth,
        )
        .await;
    let message = assert_business_error(res, 404, "entity_not_found").await;
    assert!(message.starts_with("Service Request with id"));
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/service_catalog/servicerequest/69",
            &auth,
            &json!({"statusName": "Closed"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let found: Value = srv
        .send(
            Method::POST,
            "/api/v1/service_catalog/servicerequest/search/byqual",
            &auth,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        found["totalCount"], 2,
        "the fixture's SR-47 and the new one"
    );

    for (body, message) in [
        (json!({"serviceName": "HW 1"}), "requester is required"),
        (json!({"requester": "paulsn"}), "serviceName is required"),
        (
            json!({"requester": "paulsn", "serviceName": "Pony"}),
            "serviceName: \"Pony\" does not exist",
        ),
    ] {
        let res = srv
            .send(
                Method::POST,
                "/api/v1/service_catalog/servicerequest",
                &auth,
                &body,
            )
            .await;
        assert_eq!(
            assert_business_error(res, 400, "validation_failed").await,
            message
        );
    }
    let res = srv
        .send(
            Method::DELETE,
            "/api/v1/service_catalog/servicerequest/69",
            &auth,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(srv.get("/api/v1/request/69", &auth).await.status(), 404);
}

#[actix_web::test]
async fn changes_take_notes_and_collaboration_only() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/change/67/conversation",
            &auth,
            &json!({"conversationType": "collaborate", "details": "<p>CAB on Monday</p>", "subject": "CAB"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["subject"], "CAB");
    assert_eq!(created["updatable"], false);
    let res = srv
        .send(
            Method::POST,
            "/api/v1/change/67/conversation",
            &auth,
            &json!({"conversationType": "technician_to_requester", "details": "x"}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
    let note = srv
        .send(
            Method::POST,
            "/api/v1/change/67/conversation",
            &auth,
            &json!({"conversationType": "note", "details": "n"}),
        )
        .await;
    let note: Value = note.json().await.unwrap();
    assert_eq!(note["subject"], "[CHG-48]: Upgrade the mail server");
    let found: Value = srv
        .send(
            Method::POST,
            "/api/v1/change/67/conversation/search/byqual",
            &auth,
            &by_type("note"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["totalCount"], 1);
    let res = srv
        .send(
            Method::POST,
            "/api/v1/change/64/conversation/search/byqual",
            &auth,
            &json!({}),
        )
        .await;
    let message = assert_business_error(res, 404, "entity_not_found").await;
    assert_eq!(
        message, "Change with id 64 not found",
        "a request is not a change"
    );
    let rita = srv.bearer("rita", "789").await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/change/67/conversation/search/byqual",
            &rita,
            &json!({}),
        )
        .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
}

#[actix_web::test]
async fn notes_can_be_updated_and_conversations_deleted() {
    let srv = start().await;
    srv.control(
        "/clock",
        json!({"set": "2025-07-16T18:30:00Z", "freeze": true}),
    )
    .await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64/conversation/1",
            &auth,
            &json!({"conversationType": "note", "details": "<p>Updated</p>", "subject": "Progress Update"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["details"], "<p>Updated</p>");
    assert_eq!(updated["subject"], "Progress Update");
    assert_eq!(updated["updatedTime"], "Wed, Jul 16, 2025 06:30 pm");
    assert_eq!(updated["createdTime"], "Wed, Aug 27, 2025 01:20 pm");

    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64/conversation/2",
            &auth,
            &json!({"details": "x"}),
        )
        .await;
    let message = assert_business_error(res, 400, "validation_failed").await;
    assert_eq!(message, "conversationType: only notes can be updated");
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64/conversation/1",
            &auth,
            &json!({"conversationType": "collaborate"}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/65/conversation/1",
            &auth,
            &json!({"details": "x"}),
        )
        .await;
    let message = assert_business_error(res, 404, "entity_not_found").await;
    assert_eq!(
        message, "Conversation with id 1 not found",
        "not this request's"
    );

    let rita = srv.bearer("rita", "789").await;
    let res = srv
        .send(
            Method::DELETE,
            "/api/v1/request/64/conversation/1",
            &rita,
            &json!({}),
        )
        .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let res = srv
        .send(
            Method::DELETE,
            "/api/v1/request/64/conversation/2",
            &auth,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let found: Value = srv
        .send(
            Method::POST,
            "/api/v1/request/64/conversation/search/byqual",
            &auth,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["totalCount"], 1);
    let res = srv
        .send(
            Method::DELETE,
            "/api/v1/request/64/conversation/2",
            &auth,
            &json!({}),
        )
        .await;
    assert_business_error(res, 404, "entity_not_found").await;
}
