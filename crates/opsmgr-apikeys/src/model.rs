//! Ops Manager's vocabulary: identifiers, role names, key material and access-list
//! addresses, with the rules of the reference pages (ObjectId ids, 8-letter public keys, the
//! role lists of "Organization Roles" and "Project Roles").

use ipnet::IpNet;
use std::net::IpAddr;

/// Organization roles valid in Ops Manager (reference list "Organization Roles").
pub const ORG_ROLES: [&str; 4] = [
    "ORG_OWNER",
    "ORG_MEMBER",
    "ORG_GROUP_CREATOR",
    "ORG_READ_ONLY",
];

/// Project roles valid in Ops Manager (reference list "Project Roles"; `GROUP_CHARTS_ADMIN` is
/// in the on-prem list, not in `pyomsdk`'s `GroupRole` enum).
pub const GROUP_ROLES: [&str; 10] = [
    "GROUP_OWNER",
    "GROUP_READ_ONLY",
    "GROUP_DATA_ACCESS_ADMIN",
    "GROUP_DATA_ACCESS_READ_WRITE",
    "GROUP_DATA_ACCESS_READ_ONLY",
    "GROUP_MONITORING_ADMIN",
    "GROUP_BACKUP_ADMIN",
    "GROUP_AUTOMATION_ADMIN",
    "GROUP_USER_ADMIN",
    "GROUP_CHARTS_ADMIN",
];

/// Global roles (users and global keys only).
pub const GLOBAL_ROLES: [&str; 6] = [
    "GLOBAL_OWNER",
    "GLOBAL_READ_ONLY",
    "GLOBAL_AUTOMATION_ADMIN",
    "GLOBAL_BACKUP_ADMIN",
    "GLOBAL_MONITORING_ADMIN",
    "GLOBAL_USER_ADMIN",
];

/// Cloud Manager / Atlas billing roles that Ops Manager refuses with `BILLING_UNSUPPORTED`.
pub const BILLING_ROLES: [&str; 2] = ["ORG_BILLING_ADMIN", "GROUP_BILLING_ADMIN"];

/// Atlas-only project roles (not valid in Ops Manager).
pub const ATLAS_ROLES: [&str; 1] = ["GROUP_CLUSTER_MANAGER"];

/// What kind of role a role name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    /// An organization role.
    Org,
    /// A project role.
    Group,
    /// A global role.
    Global,
    /// A billing role (Cloud Manager only).
    Billing,
    /// A known name that Ops Manager does not have (Atlas).
    Foreign,
    /// Not a role name at all.
    Unknown,
}

/// Classify a role name.
pub fn role_kind(name: &str) -> RoleKind {
    if ORG_ROLES.contains(&name) {
        RoleKind::Org
    } else if GROUP_ROLES.contains(&name) {
        RoleKind::Group
    } else if GLOBAL_ROLES.contains(&name) {
        RoleKind::Global
    } else if BILLING_ROLES.contains(&name) {
        RoleKind::Billing
    } else if ATLAS_ROLES.contains(&name) {
        RoleKind::Foreign
    } else {
        RoleKind::Unknown
    }
}

/// One role assignment: exactly one of `org_id` / `group_id`, or neither for a global role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// The organization, for an organization role.
    pub org_id: Option<String>,
    /// The project, for a project role.
    pub group_id: Option<String>,
    /// The role name.
    pub name: String,
}

/// Whether `id` is an ObjectId in text form (24 hex digits).
pub fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `key` is a public key: 8 lowercase ASCII letters.
pub fn is_public_key(key: &str) -> bool {
    key.len() == 8 && key.bytes().all(|b| b.is_ascii_lowercase())
}

/// The redacted form of a private key: `********-****-****-` plus its last 12 characters.
pub fn redact(secret: &str) -> String {
    let skip = secret.chars().count().saturating_sub(12);
    let tail: String = secret.chars().skip(skip).collect();
    format!("********-****-****-{tail}")
}

/// An access-list address: the network and how it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The network (`/32` or `/128` for a single address).
    pub net: IpNet,
    /// The single IP, when the entry was added by `ipAddress`.
    pub ip: Option<IpAddr>,
}

impl Address {
    /// An entry given as a single IP address.
    pub fn from_ip(text: &str) -> Option<Address> {
        let ip: IpAddr = text.trim().parse().ok()?;
        Some(Address {
            net: IpNet::from(ip),
            ip: Some(ip),
        })
    }

    /// An entry given as a CIDR block (a bare IP is taken as its /32 or /128).
    pub fn from_cidr(text: &str) -> Option<Address> {
        let text = text.trim();
        let net = match text.parse::<IpNet>() {
            Ok(net) => net,
            Err(_) => IpNet::from(text.parse::<IpAddr>().ok()?),
        };
        Some(Address { net, ip: None })
    }

    /// The `cidrBlock` text.
    pub fn cidr_text(&self) -> String {
        self.net.to_string()
    }
}

/// The path segment naming an entry in links: the bare IP for a single address, otherwise
/// the CIDR with `/` escaped as `%2F`.
pub fn entry_segment(cidr: &str) -> String {
    match cidr.parse::<IpNet>() {
        Ok(net) if net.prefix_len() == net.max_prefix_len() => net.addr().to_string(),
        _ => cidr.replace('/', "%2F"),
    }
}

/// Parse a path segment (already percent-decoded) naming an entry: an IP or a CIDR block.
pub fn parse_entry(segment: &str) -> Option<IpNet> {
    Address::from_cidr(segment).map(|a| a.net)
}

/// The peer address with IPv4-mapped IPv6 addresses turned back into IPv4.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_the_last_twelve_characters() {
        assert_eq!(
            redact("9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3"),
            "********-****-****-71f4b2a9e6c3"
        );
        assert_eq!(redact("short"), "********-****-****-short");
    }

    #[test]
    fn entry_segments_use_the_bare_ip_for_single_addresses() {
        assert_eq!(entry_segment("127.0.0.1/32"), "127.0.0.1");
        assert_eq!(entry_segment("::1/128"), "::1");
        assert_eq!(entry_segment("192.0.2.0/24"), "192.0.2.0%2F24");
    }

    #[test]
    fn roles_are_classified() {
        assert_eq!(role_kind("ORG_OWNER"), RoleKind::Org);
        assert_eq!(role_kind("GROUP_CHARTS_ADMIN"), RoleKind::Group);
        assert_eq!(role_kind("ORG_BILLING_ADMIN"), RoleKind::Billing);
        assert_eq!(role_kind("GROUP_CLUSTER_MANAGER"), RoleKind::Foreign);
        assert_eq!(role_kind("nope"), RoleKind::Unknown);
    }

    #[test]
    fn ids_and_public_keys_are_checked() {
        assert!(is_object_id("5953c5f380eef53887615f99"));
        assert!(!is_object_id("5953c5f380eef53887615f9"));
        assert!(!is_object_id("5953c5f380eef53887615fzz"));
        assert!(is_public_key("qzvhwmtx"));
        assert!(!is_public_key("qzvhwmt1"));
    }
}
