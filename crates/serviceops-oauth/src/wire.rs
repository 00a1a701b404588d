//! Wire and fixture types with ServiceOps' exact field names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user's role: what it may do with requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and updates only its own requests.
    Requester,
    /// Reads and updates every request.
    Technician,
    /// Everything.
    Admin,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Technician => "technician",
            Role::Admin => "admin",
        }
    }

    /// Parse the stored name.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "requester" => Some(Role::Requester),
            "technician" => Some(Role::Technician),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A registered REST-integration client (Admin > Automation > Integrations > Rest Integration).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Client {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// The one scope the client's tokens carry.
    pub scope: String,
}

/// A ServiceOps user (requester or technician).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Numeric id.
    pub id: i64,
    /// Display name (`requesterName`).
    pub name: String,
    /// E-mail, the password grant's `username`.
    pub email: String,
    /// Logon name, also accepted as `username` and `requesterEmail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logon_name: Option<String>,
    /// Password of the password grant.
    pub password: String,
    /// Role.
    pub role: Role,
    /// A disabled user can neither log in nor refresh.
    pub enabled: bool,
    /// Portal API keys, as the portal shows them (URL-encoded).
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_no: Option<String>,
    /// Location (reference data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// Department (reference data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
}

/// The reference data that `...Name` fields are validated against.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reference {
    /// `priorityName`.
    pub priorities: Vec<String>,
    /// `urgencyName`.
    pub urgencies: Vec<String>,
    /// `impactName`.
    pub impacts: Vec<String>,
    /// `statusName`.
    pub statuses: Vec<String>,
    /// `categoryName`.
    pub categories: Vec<String>,
    /// `departmentName`.
    pub departments: Vec<String>,
    /// `locationName`.
    pub locations: Vec<String>,
    /// `supportLevel`.
    pub support_levels: Vec<String>,
    /// `technicianGroupName`.
    pub technician_groups: Vec<String>,
    /// `source`.
    pub sources: Vec<String>,
    /// `serviceName` of service requests.
    #[serde(default)]
    pub services: Vec<String>,
    /// `serviceCategoryName` of service requests.
    #[serde(default)]
    pub service_categories: Vec<String>,
    /// `statusName` of changes.
    #[serde(default)]
    pub change_statuses: Vec<String>,
    /// `riskType` of changes.
    #[serde(default)]
    pub risk_types: Vec<String>,
    /// `changeType` of changes.
    #[serde(default)]
    pub change_types: Vec<String>,
    /// `targetEnvironment` of changes.
    #[serde(default)]
    pub target_environments: Vec<String>,
    /// `assetTypeName` of assets.
    #[serde(default)]
    pub asset_types: Vec<String>,
    /// `statusName` of assets.
    #[serde(default)]
    pub asset_statuses: Vec<String>,
}

/// The type of a custom field, which fixes its default and accepted values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CustomFieldType {
    /// Free text, default `""`.
    Text,
    /// A number, default `0.0`.
    Number,
    /// Epoch milliseconds, default `0`.
    Datetime,
    /// A list of the options, default `[]`.
    MultiSelect,
    /// A list of the options, default `[]`.
    Checkbox,
}

/// A custom field definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomFieldDef {
    /// The label, the key in `customField`.
    pub name: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: CustomFieldType,
    /// Allowed values of list types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl CustomFieldDef {
    /// The value a new object gets when the field is not sent.
    pub fn default_value(&self) -> Value {
        match self.kind {
            CustomFieldType::Text => Value::from(""),
            CustomFieldType::Number => Value::from(0.0),
            CustomFieldType::Datetime => Value::from(0),
            CustomFieldType::MultiSelect | CustomFieldType::Checkbox => Value::Array(Vec::new()),
        }
    }
}

/// A file attached to a request (uploaded beforehand; only the reference is kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileAttachment {
    /// The upload's reference name.
    pub ref_file_name: String,
    /// The original file name.
    pub real_name: String,
}

/// A file uploaded to a request: what the store and the state document keep (the API shows
/// only its [`FileAttachment`] entry and, on download, its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attachment {
    /// The request it belongs to.
    pub ticket_id: i64,
    /// The stored name (`refFileName` in `fileAttachments`).
    pub ref_file_name: String,
    /// The uploaded file's name (`realName`).
    pub real_name: String,
    /// The part's `Content-Type` (`application/octet-stream` when it had none).
    pub content_type: String,
    /// Epoch milliseconds.
    pub created_time: i64,
    /// The bytes; base64 (standard alphabet, padded) in the state document.
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
}

/// Bytes as a base64 string in JSON.
mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|_| serde::de::Error::custom("data is not base64"))
    }
}

/// A request (incident, `INC-n`) or a service request (`SR-n`), as the API returns it.
/// Absent keys are omitted, never `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Numeric id.
    pub id: i64,
    /// `INC-n` / `SR-n`.
    pub name: String,
    /// Subject.
    pub subject: String,
    /// Description (plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The requester's e-mail.
    pub requester_email: String,
    /// The requester's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_name: Option<String>,
    /// Status.
    pub status_name: String,
    /// Priority.
    pub priority_name: String,
    /// Urgency.
    pub urgency_name: String,
    /// Impact.
    pub impact_name: String,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// Assigned technician's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_email: Option<String>,
    /// Technician group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician_group_name: Option<String>,
    /// Service (service requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// Service category (service requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_category_name: Option<String>,
    /// Where the request came from.
    pub source: String,
    /// Spam flag.
    pub spam: bool,
    /// Support tier.
    pub support_level: String,
    /// Cc e-mails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc_email_set: Option<Vec<String>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Attachments.
    #[serde(default)]
    pub file_attachments: Vec<FileAttachment>,
    /// Epoch milliseconds.
    pub created_time: i64,
    /// Epoch milliseconds.
    pub updated_time: i64,
    /// Who created it.
    pub created_by_name: String,
    /// Who last updated it.
    pub updated_by_name: String,
    /// Custom fields by label.
    #[serde(default)]
    pub custom_field: Map<String, Value>,
}

/// A conversation on a ticket (note, collaboration, reply), as the API returns it.
/// Its times are display strings (`Wed, Jul 16, 2025 04:33 pm`), unlike the tickets'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Conversation {
    /// Numeric id (its own sequence).
    pub id: i64,
    /// `note`, `collaborate`, `requestor_to_technician`, `technician_to_requester`.
    pub conversation_type: String,
    /// HTML as sent.
    pub details: String,
    /// Author's name.
    pub created_by_name: String,
    /// Author's e-mail.
    pub created_by_email: String,
    /// Display time.
    pub created_time: String,
    /// Display time.
    pub updated_time: String,
    /// Subject; `[INC-n]: <ticket subject>` when not sent.
    pub subject: String,
    /// `published` or `draft`.
    pub conversation_state: String,
    /// Recipients.
    #[serde(default)]
    pub email_ids: Vec<String>,
    /// Cc recipients.
    #[serde(default)]
    pub cc_email_ids: Vec<String>,
    /// Whether it may still be edited.
    pub updatable: bool,
    /// Whether it may be deleted.
    pub deletable: bool,
    /// Attachments.
    #[serde(default)]
    pub file_attachments: Vec<FileAttachment>,
}

/// A change (`CHG-n`), as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    /// Numeric id (the sequence shared with requests).
    pub id: i64,
    /// `CHG-n`.
    pub name: String,
    /// Subject.
    pub subject: String,
    /// Description (plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The requester's e-mail.
    pub requester_email: String,
    /// The requester's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_name: Option<String>,
    /// Status.
    pub status_name: String,
    /// Priority.
    pub priority_name: String,
    /// Urgency.
    pub urgency_name: String,
    /// Impact.
    pub impact_name: String,
    /// Low / Medium / High.
    pub risk_type: String,
    /// Minor / Standard / Significant / Major / Emergency.
    pub change_type: String,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_name: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// Assigned technician's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_email: Option<String>,
    /// Technician group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician_group_name: Option<String>,
    /// Production / Development / Test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_environment: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Planned start, epoch milliseconds.
    pub start_date: i64,
    /// Planned end, epoch milliseconds.
    pub end_date: i64,
    /// Attachments.
    #[serde(default)]
    pub file_attachments: Vec<FileAttachment>,
    /// Epoch milliseconds.
    pub created_time: i64,
    /// Epoch milliseconds.
    pub updated_time: i64,
    /// Who created it.
    pub created_by_name: String,
    /// Who last updated it.
    pub updated_by_name: String,
    /// Custom fields by label.
    #[serde(default)]
    pub custom_field: Map<String, Value>,
}

/// An asset, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Asset {
    /// Numeric id (the sequence shared with tickets).
    pub id: i64,
    /// Asset name.
    pub name: String,
    /// View-only display id (`HA-1`, `SA-2`, `NA-3`).
    pub asset_id: String,
    /// Asset type, e.g. `hardware$computer`.
    pub asset_type_name: String,
    /// `HardwareAsset`, `SoftwareAsset` or `NonITAsset`.
    #[serde(rename = "type")]
    pub asset_kind: String,
    /// Status.
    pub status_name: String,
    /// Impact.
    pub impact_name: String,
    /// Vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    /// Product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_name: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    /// The user's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_by_email: Option<String>,
    /// The managing technician's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by_email: Option<String>,
    /// IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Epoch milliseconds.
    pub created_time: i64,
    /// Epoch milliseconds.
    pub updated_time: i64,
    /// Who created it.
    pub created_by_name: String,
    /// Who last updated it.
    pub updated_by_name: String,
    /// Custom fields by label.
    #[serde(default)]
    pub custom_field: Map<String, Value>,
    /// The type-specific property record (`ComputerProperty`, `SoftwareProperty`); left out
    /// while the asset has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asset_property_list: Vec<Map<String, Value>>,
}

/// A successful answer, rendered as ServiceOps renders it: 200 with the object as JSON (no
/// envelope around it), an empty 200, or a file.
pub struct Reply(actix_web::HttpResponse);

impl Reply {
    /// 200 + `body` as JSON.
    pub fn json(body: impl Serialize) -> Reply {
        Reply(actix_web::HttpResponse::Ok().json(body))
    }

    /// 200 + `text`, already JSON.
    pub fn json_text(text: String) -> Reply {
        Reply(
            actix_web::HttpResponse::Ok()
                .insert_header(actix_web::http::header::ContentType::json())
                .body(text),
        )
    }

    /// 200, empty body (deletes).
    pub fn empty() -> Reply {
        Reply(actix_web::HttpResponse::Ok().finish())
    }

    /// 200 + the file `data` as uploaded: its content type, `Content-Disposition: attachment`
    /// with its name.
    pub fn file(content_type: &str, real_name: String, data: Vec<u8>) -> Reply {
        use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
        let disposition = ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(real_name)],
        };
        Reply(
            actix_web::HttpResponse::Ok()
                .insert_header((actix_web::http::header::CONTENT_TYPE, content_type))
                .insert_header(disposition)
                .body(data),
        )
    }

    /// A response built elsewhere (the token endpoint's, with its cache headers).
    pub fn raw(resp: actix_web::HttpResponse) -> Reply {
        Reply(resp)
    }
}

impl actix_web::Responder for Reply {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        self.0
    }
}

/// The claims of access and refresh tokens, in the vendor's order. The legacy profile
/// (the vendor's "Getting Started with REST API" example) sets `grant_type` and `authorities`; the 2025 profile (captured from a
/// real server) sets the `login_*`
/// claims and `tenantIdentifier` instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// 2025: single-sign-on id (0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_sso_id: Option<i64>,
    /// Legacy: the grant that first issued the token (`password`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    /// Legacy: the user's e-mail; 2025: `uuid36-<uuid>`.
    pub user_name: String,
    /// The client's scope.
    pub scope: Vec<String>,
    /// Refresh tokens only: the `jti` of the access token issued with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ati: Option<String>,
    /// 2025: `normal_login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_source: Option<String>,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Legacy: Spring authorities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorities: Option<Vec<String>>,
    /// 2025: MSP portal id (0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_msp_portal_id: Option<i64>,
    /// Token id.
    pub jti: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// 2025: the tenant.
    #[serde(
        default,
        rename = "tenantIdentifier",
        skip_serializing_if = "Option::is_none"
    )]
    pub tenant_identifier: Option<String>,
    /// 2026: the user's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// 2026: `http://<host>/api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// 2026: the client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// 2026: not before, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// 2026: issued at, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
}
