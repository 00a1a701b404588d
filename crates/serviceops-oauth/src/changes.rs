//! Changes (`CHG-n`): `/api/v1/change` (Motadata docs "POST Create Change" and "Search
//! Change", <https://docs.motadata.com/serviceops-docs/8.4/integration-docs/change-management-with-apis/change-apis/search-change>).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::objects::Resource;
use crate::request::{
    invalid, plain_text, required, set_name, set_optional_name, set_user, Body, Lookups,
};
use crate::store::{self, Kind};
use crate::wire::Change;
use rusqlite::Transaction;
use serde_json::Map;

/// The properties a change search may qualify on.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "subject",
    "description",
    "requesterEmail",
    "requesterName",
    "statusName",
    "priorityName",
    "urgencyName",
    "impactName",
    "riskType",
    "changeType",
    "categoryName",
    "departmentName",
    "locationName",
    "assigneeEmail",
    "technicianGroupName",
    "targetEnvironment",
    "tags",
    "startDate",
    "endDate",
    "createdTime",
    "updatedTime",
    "createdByName",
    "updatedByName",
];

impl Resource for Change {
    const KIND: Kind = Kind::Change;
    const FIELDS: &'static [&'static str] = FIELDS;

    fn owner(&self) -> Option<&str> {
        Some(&self.requester_email)
    }

    fn build(
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        caller: &Caller,
        now: i64,
    ) -> Result<Self, ApiError> {
        body.required("requesterEmail")?;
        let subject = body.required("subject")?.to_owned();
        let start_date = body
            .int("startDate")?
            .ok_or_else(|| required("startDate"))?;
        let end_date = body.int("endDate")?.ok_or_else(|| required("endDate"))?;
        let mut change = Change {
            id: 0,
            name: String::new(),
            subject,
            description: None,
            requester_email: String::new(),
            requester_name: None,
            status_name: lookups
                .reference
                .change_statuses
                .first()
                .cloned()
                .unwrap_or_else(|| "Open".into()),
            priority_name: "Low".into(),
            urgency_name: "Low".into(),
            impact_name: "Low".into(),
            risk_type: "Low".into(),
            change_type: "Minor".into(),
            category_name: None,
            department_name: None,
            location_name: None,
            assignee_email: None,
            technician_group_name: None,
            target_environment: None,
            tags: None,
            start_date,
            end_date,
            file_attachments: Vec::new(),
            created_time: now,
            updated_time: now,
            created_by_name: caller.user.name.clone(),
            updated_by_name: caller.user.name.clone(),
            custom_field: Map::new(),
        };
        change.apply(lookups, body, caller)?;
        Ok(change)
    }

    fn apply(
        &mut self,
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        _caller: &Caller,
    ) -> Result<(), ApiError> {
        let reference = &lookups.reference;
        if body.has("subject") {
            self.subject = body.required("subject")?.to_owned();
        }
        if body.has("description") {
            self.description = body.string("description")?.map(plain_text);
        }
        if body.has("requesterEmail") {
            let user = lookups.user("requesterEmail", body.required("requesterEmail")?)?;
            self.requester_email = user.email;
            self.requester_name = Some(user.name);
        }
        for (key, slot) in [
            ("startDate", &mut self.start_date),
            ("endDate", &mut self.end_date),
        ] {
            if body.has(key) {
                *slot = body.int(key)?.ok_or_else(|| required(key))?;
            }
        }
        if self.end_date < self.start_date {
            return Err(invalid("endDate", "must not be before startDate"));
        }
        let defaulted: [(&str, &[String], &mut String); 6] = [
            (
                "statusName",
                &reference.change_statuses,
                &mut self.status_name,
            ),
            (
                "priorityName",
                &reference.priorities,
                &mut self.priority_name,
            ),
            ("urgencyName", &reference.urgencies, &mut self.urgency_name),
            ("impactName", &reference.impacts, &mut self.impact_name),
            ("riskType", &reference.risk_types, &mut self.risk_type),
            ("changeType", &reference.change_types, &mut self.change_type),
        ];
        for (key, list, slot) in defaulted {
            set_name(lookups, body, key, list, slot)?;
        }
        let optional: [(&str, &[String], &mut Option<String>); 5] = [
            (
                "categoryName",
                &reference.categories,
                &mut self.category_name,
            ),
            (
                "departmentName",
                &reference.departments,
                &mut self.department_name,
            ),
            (
                "locationName",
                &reference.locations,
                &mut self.location_name,
            ),
            (
                "technicianGroupName",
                &reference.technician_groups,
                &mut self.technician_group_name,
            ),
            (
                "targetEnvironment",
                &reference.target_environments,
                &mut self.target_environment,
            ),
        ];
        for (key, list, slot) in optional {
            set_optional_name(lookups, body, key, list, slot)?;
        }
        set_user(
            lookups,
            body,
            "assigneeEmail",
            true,
            &mut self.assignee_email,
        )?;
        if body.has("tags") {
            self.tags = body.strings("tags")?;
        }
        if let Some(files) = body.attachments("fileAttachments")? {
            self.file_attachments = files;
        }
        self.custom_field =
            lookups.custom_fields(Some(&self.custom_field), body.value("customField"))?;
        Ok(())
    }

    fn number(&mut self, tx: &Transaction<'_>) -> Result<i64, ApiError> {
        self.id = store::take_sequence(tx, "nextId")?;
        self.name = format!("CHG-{}", store::take_sequence(tx, "nextTicketNumber")?);
        Ok(self.id)
    }

    fn touch(&mut self, now: i64, by: &str) {
        self.updated_time = now;
        by.clone_into(&mut self.updated_by_name);
    }
}
