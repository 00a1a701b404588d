//! Dumping the store as the state document.

use super::*;
use std::collections::HashMap;

fn opt_rfc(ms: Option<i64>) -> Option<String> {
    ms.map(auth_core::clock::rfc3339_ms)
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], f)?;
    Ok(rows.collect::<Result<Vec<T>, _>>()?)
}

/// The whole state in the fixture format.
///
/// # Errors
/// Store errors.
pub fn dump(conn: &Connection) -> Result<Value, StoreError> {
    let state = State {
        policies: dump_policies(conn)?,
        users: dump_users(conn)?,
        resource_groups: dump_resource_groups(conn)?,
        resources: dump_resources(conn)?,
        shares: dump_shares(conn)?,
        tickets: collect(conn, "SELECT id FROM tickets ORDER BY rowid", |r| r.get(0))?,
        requests: dump_requests(conn)?,
        audit: dump_audit(conn)?,
        certificates: pki::dump_certificates(conn)?,
        ssh_keys: pki::dump_ssh_keys(conn)?,
    };
    serde_json::to_value(state)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

/// The resources with their accounts (each resource's in id order).
fn dump_resources(conn: &Connection) -> Result<Vec<ResourceDoc>, StoreError> {
    let mut by_resource: HashMap<i64, Vec<AccountDoc>> = HashMap::new();
    for (rid, account) in account_rows(conn)? {
        by_resource.entry(rid).or_default().push(account);
    }
    let mut resources = resource_rows(conn)?;
    for res in &mut resources {
        res.accounts = by_resource.remove(&res.id).unwrap_or_default();
    }
    Ok(resources)
}

fn resource_rows(conn: &Connection) -> Result<Vec<ResourceDoc>, StoreError> {
    collect(
        conn,
        "SELECT r.id, r.name, r.description, r.type, r.dns_name, r.domain_name, r.department,
       r.location, r.url, u.user_name, r.password_policy, r.group_name, r.unreachable,
       r.reason_mandatory, r.custom_fields
     FROM resources r JOIN users u ON u.id = r.owner_id ORDER BY r.id",
        |r| {
            let fields: String = r.get(14)?;
            Ok(ResourceDoc {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                r#type: r.get(3)?,
                dns_name: r.get(4)?,
                domain_name: r.get(5)?,
                department: r.get(6)?,
                location: r.get(7)?,
                url: r.get(8)?,
                owner: r.get(9)?,
                password_policy: r.get(10)?,
                group: r.get(11)?,
                unreachable: r.get(12)?,
                reason_mandatory: r.get(13)?,
                custom_fields: fields_from(&fields),
                accounts: Vec::new(),
            })
        },
    )
}

fn account_rows(conn: &Connection) -> Result<Vec<(i64, AccountDoc)>, StoreError> {
    collect(
        conn,
        "SELECT id, resource_id, name, password, notes, password_policy, reason_required,
       ticket_required, access_control, checkout_minutes, favourite, custom_fields,
       last_accessed, last_modified, file_name, file_data FROM accounts ORDER BY id",
        |r| {
            let file_name: Option<String> = r.get(14)?;
            let file_data: Option<Vec<u8>> = r.get(15)?;
            let fields: String = r.get(11)?;
            Ok((
                r.get::<_, i64>(1)?,
                AccountDoc {
                    id: r.get(0)?,
                    name: r.get(2)?,
                    password: r.get(3)?,
                    notes: r.get(4)?,
                    password_policy: r.get(5)?,
                    reason_required: r.get(6)?,
                    ticket_required: r.get(7)?,
                    access_control: r.get(8)?,
                    checkout_minutes: r.get(9)?,
                    favourite: r.get(10)?,
                    custom_fields: fields_from(&fields),
                    last_accessed: opt_rfc(r.get(12)?),
                    last_modified: opt_rfc(r.get(13)?),
                    file: file_name.map(|name| FileDoc {
                        name,
                        base64: base64::engine::general_purpose::STANDARD
                            .encode(file_data.unwrap_or_default()),
                    }),
                },
            ))
        },
    )
}

fn dump_policies(conn: &Connection) -> Result<Vec<PolicyDoc>, StoreError> {
    collect(
        conn,
        "SELECT p.name, min_length, max_length, uppercase, lowercase, digits, special,
       COALESCE(g.max_age_days, 0) FROM policies p LEFT JOIN policy_ages g ON g.name = p.name
       ORDER BY p.rowid",
        |r| {
            Ok(PolicyDoc {
                name: r.get(0)?,
                min_length: r.get(1)?,
                max_length: r.get(2)?,
                uppercase: r.get(3)?,
                lowercase: r.get(4)?,
                digits: r.get(5)?,
                special: r.get(6)?,
                max_age_days: r.get(7)?,
            })
        },
    )
}

fn dump_users(conn: &Connection) -> Result<Vec<UserDoc>, StoreError> {
    collect(
    conn,
    "SELECT id, user_name, first_name, last_name, full_name, email, department, location, role,
       super_admin, api_user, host_name, auth_token, expiry_date, locked, password FROM users ORDER BY id",
    |r| {
        let role: String = r.get(8)?;
        Ok(UserDoc {
            id: r.get(0)?,
            user_name: r.get(1)?,
            first_name: r.get(2)?,
            last_name: r.get(3)?,
            full_name: r.get(4)?,
            email: r.get(5)?,
            department: r.get(6)?,
            location: r.get(7)?,
            role: Role::parse(&role).unwrap_or(Role::PasswordUser),
            super_admin: r.get(9)?,
            api_user: r.get(10)?,
            host_name: r.get(11)?,
            auth_token: r.get(12)?,
            expiry_date: r.get(13)?,
            locked: r.get(14)?,
            password: r.get(15)?,
        })
    },
    )
}

fn dump_resource_groups(conn: &Connection) -> Result<Vec<String>, StoreError> {
    collect(
        conn,
        "SELECT name FROM resource_groups ORDER BY rowid",
        |r| r.get(0),
    )
}

fn dump_shares(conn: &Connection) -> Result<Vec<ShareDoc>, StoreError> {
    collect(
        conn,
        "SELECT resource_id, account_id, user_id, access FROM shares ORDER BY id",
        |r| {
            let access: String = r.get(3)?;
            Ok(ShareDoc {
                resource_id: r.get(0)?,
                account_id: r.get(1)?,
                user_id: r.get(2)?,
                access: Access::parse(&access).unwrap_or(Access::View),
            })
        },
    )
}

fn dump_requests(conn: &Connection) -> Result<Vec<RequestDoc>, StoreError> {
    collect(
        conn,
        "SELECT id, account_id, user_id, status, reason, requested_at, checked_out_at, expires_at,
       w.start_at, w.end_at FROM requests LEFT JOIN request_windows w ON w.request_id = id
     ORDER BY id",
        |r| {
            let status: String = r.get(3)?;
            Ok(RequestDoc {
                id: r.get(0)?,
                account_id: r.get(1)?,
                user_id: r.get(2)?,
                status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Rejected),
                reason: r.get(4)?,
                requested_at: auth_core::clock::rfc3339_ms(r.get(5)?),
                checked_out_at: opt_rfc(r.get(6)?),
                expires_at: opt_rfc(r.get(7)?),
                start_time: opt_rfc(r.get(8)?),
                end_time: opt_rfc(r.get(9)?),
            })
        },
    )
}

fn dump_audit(conn: &Connection) -> Result<Vec<AuditDoc>, StoreError> {
    let trail = crate::store::audit_trail(conn, false)?;
    Ok(trail.into_iter().map(|(_, doc)| doc).collect())
}
