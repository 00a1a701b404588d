//! The records of the state document, one type per kind, with the fixture's field names.

use crate::store::Record;
use serde::{Deserialize, Serialize};

/// The edition of the OpManager installation being faked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Standard edition.
    Standard,
    /// Professional edition (the default).
    #[default]
    Professional,
    /// Enterprise edition, central server.
    Central,
    /// Enterprise edition, probe server: users synced from the central server have no
    /// permanent REST access.
    Probe,
}

/// Instance-wide settings of the installation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Meta {
    /// The edition.
    pub edition: Edition,
    /// Whether Two-Factor Authentication is configured (enabling REST access then needs an OTP).
    pub tfa_enabled: bool,
}

impl Record for Meta {
    const TABLE: &'static str = "meta";
    fn key(&self) -> String {
        "instance".to_owned()
    }
}

/// A user's role in User Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Administrator.
    Administrator,
    /// Operator: may act on alarms and events, not on the device inventory.
    Operator,
    /// Read-only user: reads only.
    ReadOnly,
}

/// An OpManager user and its REST API key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Access to all modules and devices (only such an administrator may grant REST access).
    pub full_access: bool,
    /// Whether REST API access is enabled.
    pub rest_api_enabled: bool,
    /// The REST API key (32 lowercase hex characters).
    pub api_key: String,
    /// Synced from the central server (probe edition).
    #[serde(default)]
    pub synced_from_central: bool,
    /// Base32 TOTP secret of the user's authenticator (TFA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
}

impl Record for User {
    const TABLE: &'static str = "users";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// An Enterprise-edition probe server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// Probe id.
    #[serde(rename = "probeID")]
    pub probe_id: i64,
    /// Probe name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Host name the central server reaches the probe at (`natName`).
    pub nat_name: String,
    /// Port of the probe's web server (`natPort`).
    pub nat_port: u16,
    /// `http` or `https` (`natProtocol`).
    pub nat_protocol: String,
    /// Whether the probe is connected to the central server.
    pub connected: bool,
    /// Last contact (RFC 3339).
    pub last_contact: String,
    /// Contact person.
    pub contact_person: String,
    /// Contact e-mail.
    pub contact_email: String,
}

impl Record for Probe {
    const TABLE: &'static str = "probes";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// Hardware inventory of a device (getDeviceInfo).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Hardware {
    /// Operating system.
    pub operating_system: String,
    /// MAC address.
    pub mac_address: String,
    /// Software version.
    pub software_version: String,
    /// Serial number.
    pub serial_number: String,
    /// Service tag.
    pub service_tag: String,
    /// Model.
    pub model: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Disk in GB.
    pub hdd: String,
    /// Memory in MB.
    pub ram: String,
}

/// A monitored device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Device {
    /// Managed object id.
    pub moid: i64,
    /// Device name (its key: host name or IP address as discovered).
    pub device_name: String,
    /// Display name.
    pub display_name: String,
    /// IP address.
    pub ip_address: String,
    /// DNS name.
    pub dns_name: String,
    /// Device type (`Cisco 2900 IS Series`, `Windows 2019`, ...).
    #[serde(rename = "type")]
    pub device_type: String,
    /// Vendor.
    pub vendor_name: String,
    /// Category (`Router`, `Switch`, `Server`, `Firewall`, `Desktop`, ...).
    pub category: String,
    /// Monitored over SNMP.
    #[serde(rename = "isSNMP")]
    pub is_snmp: bool,
    /// Whether the device is managed (unmanaged devices have status 7).
    pub managed: bool,
    /// When it was added (RFC 3339).
    pub added_time: String,
    /// Business views / device groups it belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The probe monitoring it (Enterprise edition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// SNMP sysDescr.
    #[serde(default)]
    pub sys_description: Detail<String>,
    /// Last response time in ms.
    pub response_time_ms: i64,
    /// Packet loss in percent.
    pub packet_loss: f64,
    /// Availability today in percent.
    pub availability: f64,
    /// Hardware inventory.
    #[serde(default)]
    pub hardware: Detail<Hardware>,
    /// Values of the device notes' custom fields, by field name (`Building`, `Floor`, ...).
    #[serde(default, skip_serializing_if = "Detail::is_empty_map")]
    pub custom_fields: Detail<std::collections::BTreeMap<String, String>>,
}

/// A part of a device only three operations show (getDeviceInfo, getDeviceCompleteDetails,
/// getDeviceNotes: the hardware inventory, sysDescr, the custom fields). A device read from
/// the store has it; the read snapshot leaves it out ([`Detail::left_out`]) to keep 10^6
/// devices small, and those operations read their device from the store. Serialised as the
/// value itself; a part left out does not serialise (an error, never a default that would
/// overwrite the stored one if a snapshot's device were written back).
#[derive(Debug, Clone)]
pub struct Detail<T>(Option<Box<T>>);

impl<T> Detail<T> {
    /// A part held.
    pub fn new(value: T) -> Self {
        Detail(Some(Box::new(value)))
    }

    /// A part not held (a snapshot's device).
    pub fn left_out() -> Self {
        Detail(None)
    }

    /// The part, if held.
    pub fn get(&self) -> Option<&T> {
        self.0.as_deref()
    }
}

impl<T: Default> Detail<T> {
    /// The part to change (its default if it was left out).
    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl Detail<std::collections::BTreeMap<String, String>> {
    /// Whether there are no custom fields (left out is not none: it does not serialise).
    pub fn is_empty_map(&self) -> bool {
        self.get().is_some_and(std::collections::BTreeMap::is_empty)
    }
}

impl<T: Default> Default for Detail<T> {
    /// The default part, held (a field missing from a document).
    fn default() -> Self {
        Detail::new(T::default())
    }
}

impl<T: Serialize> Serialize for Detail<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.get() {
            Some(value) => value.serialize(serializer),
            None => Err(serde::ser::Error::custom(
                "a device of the read snapshot has no details to write",
            )),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Detail<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Detail::new)
    }
}

impl Device {
    /// A device added by addDevice: standin does no SNMP discovery, so it is of unknown
    /// category, type and vendor until the state says otherwise.
    pub fn discovered(moid: i64, name: &str, ip: std::net::IpAddr, added_time: String) -> Self {
        Device {
            moid,
            device_name: name.to_owned(),
            display_name: name.to_owned(),
            ip_address: ip.to_string(),
            dns_name: name.to_owned(),
            device_type: "Unknown".into(),
            vendor_name: "Unknown".into(),
            category: "Unknown".into(),
            is_snmp: false,
            managed: true,
            added_time,
            groups: Vec::new(),
            probe: None,
            sys_description: Detail::default(),
            response_time_ms: 0,
            packet_loss: 0.0,
            availability: 100.0,
            hardware: Detail::default(),
            custom_fields: Detail::default(),
        }
    }
}

impl Record for Device {
    const TABLE: &'static str = "devices";
    fn key(&self) -> String {
        self.device_name.clone()
    }
}

/// A network interface of a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Interface {
    /// Managed object id.
    pub moid: i64,
    /// The device it belongs to.
    pub device_name: String,
    /// Interface name (`IF-10.0.0.1-3`).
    pub name: String,
    /// Display name (`Gi0/1-Gi0/1`).
    pub display_name: String,
    /// SNMP ifIndex.
    pub if_index: i64,
    /// Interface type (`Ethernet`, `PPP`, ...).
    pub if_type: String,
    /// Severity number (1 Critical .. 5 Clear, 7 Unmanaged).
    pub status: u8,
    /// Interface IP address, if any.
    #[serde(default)]
    pub ip_address: String,
    /// Speed in bits per second.
    pub speed_bps: i64,
    /// MAC address (`physAddress`), if known.
    #[serde(default)]
    pub mac_address: String,
    /// Values of the interface notes' custom fields, by field name (`Circuit ID`, `SLA`, ...).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom_fields: std::collections::BTreeMap<String, String>,
}

impl Record for Interface {
    const TABLE: &'static str = "interfaces";
    fn key(&self) -> String {
        self.moid.to_string()
    }
}

/// A performance or service monitor associated with a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitor {
    /// The device.
    pub device_name: String,
    /// `performance`, `service`, `process`, `windowsService`, `url`.
    pub kind: MonitorKind,
    /// Monitor name (`CPUUtilization`; the service name of a Windows service).
    pub name: String,
    /// Display name (`CPU Utilization`).
    pub display_name: String,
    /// Severity number.
    pub status: u8,
    /// Last polled value (performance: the measure; service and URL: response time in ms).
    pub value: f64,
    /// Unit of `value` (`Percentage`, `ms`).
    pub unit: String,
    /// Poll interval in minutes.
    pub interval: i64,
    /// `SNMP`, `WMI`, `CLI`, `TCP`, `HTTP`.
    pub protocol: String,
    /// Whether a threshold is configured.
    pub threshold_enabled: bool,
    /// When the value was last collected (RFC 3339).
    pub last_collected: String,
    /// Poll id.
    pub poll_id: i64,
    /// What is monitored: the TCP port, the process path or the URL (empty otherwise).
    #[serde(default)]
    pub target: String,
}

/// The monitor families of getDeviceAssociatedMonitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MonitorKind {
    /// performanceMonitors.
    Performance,
    /// serviceMonitors.
    Service,
    /// processMonitors.
    Process,
    /// windowsServiceMonitors.
    WindowsService,
    /// urlMonitors.
    Url,
}

impl Record for Monitor {
    const TABLE: &'static str = "monitors";
    fn key(&self) -> String {
        format!("{}/{}", self.device_name, self.name)
    }
}

/// Where an alarm came from (the `alertType` families of listAlarms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmSource {
    /// Status / performance polling.
    Poll,
    /// Windows event log rules.
    EventLog,
    /// Syslog rules.
    Syslog,
    /// SNMP traps.
    Trap,
    /// Network Configuration Manager.
    #[serde(rename = "NCM")]
    Ncm,
    /// NetFlow Analyzer.
    #[serde(rename = "NFA")]
    Nfa,
    /// URL monitors.
    Web,
    /// Firewall Analyzer.
    #[serde(rename = "FWA")]
    Fwa,
    /// Storage monitoring.
    Storage,
    /// Applications Manager.
    #[serde(rename = "APM")]
    Apm,
}

/// A note added to an alarm.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Note {
    /// Who added it.
    pub by: String,
    /// When (RFC 3339).
    pub time: String,
    /// The text.
    pub text: String,
}

/// An alarm, keyed by its entity (`3_CPUUSAGE`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alarm {
    /// Alarm id.
    pub alarm_id: i64,
    /// Entity: the key clients act on.
    pub entity: String,
    /// The device it is raised on.
    pub device_name: String,
    /// Message.
    pub message: String,
    /// Severity number (1 Critical, 2 Trouble, 3 Attention, 4 Service Down, 5 Clear).
    pub severity: u8,
    /// Last change (RFC 3339).
    pub mod_time: String,
    /// Who acknowledged it, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Where it came from.
    pub source: AlarmSource,
    /// The event type that raised it (`Threshold`, `Device Down`, ...).
    pub event_type: String,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<Note>,
}

impl Record for Alarm {
    const TABLE: &'static str = "alarms";
    fn key(&self) -> String {
        self.entity.clone()
    }
}

/// An event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Event {
    /// Event id.
    pub id: i64,
    /// Device name the event is about.
    pub source: String,
    /// Entity of the alarm it belongs to.
    pub entity: String,
    /// Severity number.
    pub severity: u8,
    /// Text.
    pub message: String,
    /// Event type (`Threshold`, `Device Down`, ...).
    pub event_type: String,
    /// Alarm code.
    pub alarm_code: String,
    /// When (RFC 3339).
    pub time: String,
}

impl Record for Event {
    const TABLE: &'static str = "events";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// How often a downtime schedule recurs (updateDowntimeSchedule `recurrence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recurrence {
    /// Once, from `start` to `end`.
    OnceOnly,
    /// Every day, at the times of `start` and `end`.
    Daily,
    /// Every week, on the weekdays and times of `start` and `end`.
    Weekly,
    /// Every month, on the days and times of `start` and `end`.
    Monthly,
}

/// A downtime schedule: its devices are "On Maintenance" while it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DowntimeSchedule {
    /// Schedule id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Recurrence.
    pub recurrence: Recurrence,
    /// The devices it covers.
    #[serde(default)]
    pub devices: Vec<String>,
    /// First start (RFC 3339).
    pub start: String,
    /// First end (RFC 3339).
    pub end: String,
}

impl Record for DowntimeSchedule {
    const TABLE: &'static str = "downtime_schedules";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A business view: the devices whose `groups` hold its name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BusinessView {
    /// Name (as in the devices' `groups` and listDevices' `bvName`).
    pub name: String,
}

impl Record for BusinessView {
    const TABLE: &'static str = "business_views";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// What a logical group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupType {
    /// Devices (by device name).
    Device,
    /// Interfaces (by interface name).
    Interface,
}

/// A logical group (Settings > Configuration > Groups).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogicalGroup {
    /// Group id (the MOID suffix of its `groupName`).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// What it holds.
    pub group_type: GroupType,
    /// Device or interface names.
    #[serde(default)]
    pub members: Vec<String>,
}

impl Record for LogicalGroup {
    const TABLE: &'static str = "logical_groups";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// What a dashboard widget shows (its `widgetUniqueName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WidgetKind {
    /// `widget.name.topnavail`: devices by availability (last 24 hours).
    #[serde(rename = "widget.name.topnavail")]
    DevicesByAvailability,
    /// `widget.name.infrasnap`: devices per category and status.
    #[serde(rename = "widget.name.infrasnap")]
    InfrastructureSnapshot,
    /// `widget.name.downdevices`: the down (Critical) devices.
    #[serde(rename = "widget.name.downdevices")]
    DownDevices,
    /// `widget.name.recentalarms`: the newest active alarms.
    #[serde(rename = "widget.name.recentalarms")]
    RecentAlarms,
}

/// A widget placed on a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Widget {
    /// The placed widget's id (getWidgetData's `widgetID`).
    pub id: i64,
    /// The widget type's id.
    pub widget_id: i64,
    /// Name.
    pub name: String,
    /// What it shows.
    pub kind: WidgetKind,
    /// Column, row, width, height on the dashboard grid.
    pub x: i64,
    /// Row.
    pub y: i64,
    /// Width in columns.
    pub width: i64,
    /// Height in rows.
    pub height: i64,
}

/// A dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dashboard {
    /// Dashboard id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Whether it is the default dashboard.
    #[serde(default)]
    pub is_default: bool,
    /// Its widgets.
    #[serde(default)]
    pub widgets: Vec<Widget>,
}

impl Record for Dashboard {
    const TABLE: &'static str = "dashboards";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// A device credential (addLinuxCredential). The password is checked, never stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Credential {
    /// Credential name.
    pub name: String,
    /// Kind (`Linux`).
    pub kind: String,
    /// Login user.
    pub user_name: String,
    /// `SSH` or `Telnet`.
    pub protocol: String,
    /// Port.
    pub port: i64,
    /// Description.
    #[serde(default)]
    pub description: String,
}

impl Record for Credential {
    const TABLE: &'static str = "credentials";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// A discovery profile (addDiscoveryProfile / editDiscoveryProfile, v1 and v2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiscoveryProfile {
    /// Profile name.
    pub name: String,
    /// First address of the range.
    pub start_ip: String,
    /// Last address of the range.
    pub end_ip: String,
    /// Credentials to try.
    #[serde(default)]
    pub credentials: Vec<String>,
}

impl Record for DiscoveryProfile {
    const TABLE: &'static str = "discovery_profiles";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// A subnet added to IPAM (ipam/addSubnet); listSubnets also shows the subnets of the
/// devices' addresses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Subnet {
    /// Network address (`10.20.0.0`).
    pub address: String,
    /// Netmask (`255.255.255.0`).
    pub netmask: String,
    /// Display name.
    pub name: String,
}

impl Record for Subnet {
    const TABLE: &'static str = "subnets";
    fn key(&self) -> String {
        self.address.clone()
    }
}

/// A switch added to the Switch Port Mapper (spm/addSwitch).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpmSwitch {
    /// The device.
    pub device_name: String,
}

impl Record for SpmSwitch {
    const TABLE: &'static str = "spm_switches";
    fn key(&self) -> String {
        self.device_name.clone()
    }
}

/// A file imported through one of the NCM import/upload URLs: what standin keeps of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileImport {
    /// Import id.
    pub id: i64,
    /// The operation (`importSSHKey`, `importDevices`, ...).
    pub operation: String,
    /// The file name given, if any.
    #[serde(default)]
    pub file_name: String,
    /// Bytes of the file content.
    pub bytes: usize,
    /// Non-empty lines of the file content.
    pub lines: usize,
    /// Who imported it.
    pub by: String,
    /// When (RFC 3339).
    pub time: String,
}

impl Record for FileImport {
    const TABLE: &'static str = "file_imports";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A notification profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NotificationProfile {
    /// Profile id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Action (`Send Email`, `Run Program`, `Send SMS`, `Webhook`, ...).
    pub profile_type: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Global (applies to every device) or device-specific.
    pub global: bool,
    /// The devices it is associated with.
    #[serde(default)]
    pub devices: Vec<String>,
    /// Id of its criteria.
    pub criteria_id: i64,
}

impl Record for NotificationProfile {
    const TABLE: &'static str = "notification_profiles";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A business hour rule (reports' business hours).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BusinessRule {
    /// Rule id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The time configuration from Monday to Sunday, as the client sent it.
    pub time_settings: String,
}

impl Record for BusinessRule {
    const TABLE: &'static str = "business_rules";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// What a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReportKind {
    /// The alarms of the period.
    AllAlerts,
    /// Each device's availability over the period.
    Availability,
    /// Each device's CPU utilisation over the period.
    CpuUtilization,
    /// Each device's memory utilisation over the period.
    MemoryUtilization,
    /// The downtime schedules.
    DowntimeSchedules,
}

/// A report of the Reports module.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Report {
    /// Report id (`reportID`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Category (`System`, `Health and Performance`, ...).
    pub category: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// What it shows.
    pub kind: ReportKind,
    /// A custom report.
    #[serde(default)]
    pub custom: bool,
    /// Marked as a favourite.
    #[serde(default)]
    pub favourite: bool,
}

impl Record for Report {
    const TABLE: &'static str = "reports";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A monitor template of the catalog (Settings > Monitoring): what addPerformanceMonitors,
/// associateProcessMonitor and associateServiceMonitor create monitors from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MonitorTemplate {
    /// Template id (`GRAPHID`, `templateId`).
    pub id: i64,
    /// `performance`, `process` or `service`.
    pub kind: MonitorKind,
    /// Name (`CPUUtilization`, `sqlservr.exe`, `MSSQL`).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// `SNMP`, `WMI`, `CLI`, `TCP`.
    pub protocol: String,
    /// Unit of the value (`Percentage`, `ms`, empty).
    #[serde(default)]
    pub unit: String,
    /// Poll interval in minutes.
    pub interval: i64,
    /// Group of getPerformanceMonitors (`General Monitors`, `Performance Monitors`).
    #[serde(default)]
    pub group: String,
    /// The TCP port of a service, the path of a process.
    #[serde(default)]
    pub target: String,
    /// The value a new monitor starts from.
    #[serde(default)]
    pub typical_value: f64,
}

impl Record for MonitorTemplate {
    const TABLE: &'static str = "monitor_templates";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A script monitor template.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScriptMonitor {
    /// Script id.
    pub id: i64,
    /// Its graph id.
    pub graph_id: i64,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

impl Record for ScriptMonitor {
    const TABLE: &'static str = "script_monitors";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// A virtualisation host (VMware ESXi or Nutanix AHV).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VmHost {
    /// Host id (`VHOST_ID`).
    pub id: i64,
    /// Name (the monitored device's name when it is one).
    pub name: String,
    /// `VMware` or `Nutanix`.
    pub platform: String,
    /// Cluster.
    pub cluster: String,
    /// Build (`VMware ESXi 8.0.2 build-22380479`).
    pub build: String,
    /// CPU model.
    pub cpu_model: String,
    /// CPU sockets, cores per socket, threads, MHz.
    pub cpu_packages: i64,
    /// Cores in all.
    pub cpu_cores: i64,
    /// Threads.
    pub cpu_threads: i64,
    /// Clock speed.
    pub cpu_speed_mhz: i64,
    /// Memory.
    pub mem_capacity_mb: i64,
    /// Physical NICs.
    pub num_pnic: i64,
    /// HBAs.
    pub num_hba: i64,
    /// Hardware vendor and model.
    pub hardware_vendor: String,
    /// Model.
    pub hardware_model: String,
    /// UUID.
    pub uuid: String,
    /// Booted at (RFC 3339).
    pub boot_time: String,
    /// In maintenance mode.
    #[serde(default)]
    pub maintenance: bool,
}

/// A virtual machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Vm {
    /// VM id (`VM_ID`).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its host.
    pub host: String,
    /// Powered on.
    pub powered_on: bool,
    /// Guest OS.
    pub os_name: String,
    /// Memory.
    pub memory_mb: i64,
    /// vCPUs.
    pub num_vcpu: i64,
    /// IP address (empty when powered off).
    #[serde(default)]
    pub ip_address: String,
    /// Severity number.
    pub status: u8,
    /// Virtual disks (Nutanix: their capacity in GB each).
    #[serde(default)]
    pub disks_gb: Vec<i64>,
    /// UUID.
    pub uuid: String,
}

/// A datastore.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Datastore {
    /// Datastore id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `VMFS`, `NFS`.
    pub filesystem: String,
    /// Capacity and free space.
    pub capacity_mb: i64,
    /// Free space.
    pub free_mb: i64,
    /// The hosts mounting it.
    pub hosts: Vec<String>,
}

/// A cluster of hosts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VmCluster {
    /// Name.
    pub name: String,
    /// Its datacenter.
    pub datacenter: String,
    /// DRS and HA.
    pub drs: bool,
    /// HA.
    pub ha: bool,
    /// Networks.
    pub networks: i64,
}

/// The virtualisation inventory: one vCenter's datacenters, clusters, hosts, VMs and
/// datastores, and the Nutanix hosts and VMs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Virtualization {
    /// vCenter name.
    #[serde(default)]
    pub vcenter: String,
    /// Datacenters (name, networks).
    #[serde(default)]
    pub datacenters: Vec<String>,
    /// Clusters.
    #[serde(default)]
    pub clusters: Vec<VmCluster>,
    /// Hosts.
    #[serde(default)]
    pub hosts: Vec<VmHost>,
    /// VMs.
    #[serde(default)]
    pub vms: Vec<Vm>,
    /// Datastores.
    #[serde(default)]
    pub datastores: Vec<Datastore>,
}

impl Record for Virtualization {
    const TABLE: &'static str = "virtualization";
    fn key(&self) -> String {
        "inventory".to_owned()
    }
}

/// A wireless access point of a controller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessPoint {
    /// Name.
    pub name: String,
    /// The controller device.
    pub controller: String,
    /// IP and MAC address.
    pub ip_address: String,
    /// MAC address.
    pub mac_address: String,
    /// Channels.
    pub channels: String,
    /// Severity number (7: not monitored).
    pub status: u8,
    /// Advanced monitoring enabled.
    pub advanced: bool,
}

/// A wireless client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WirelessClient {
    /// MAC address.
    pub mac_address: String,
    /// SSID.
    pub ssid: String,
    /// Access point.
    pub ap: String,
    /// Typical traffic in bytes per second.
    pub bytes_per_sec: f64,
}

/// The wireless inventory of the controllers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Wireless {
    /// Access points.
    #[serde(default)]
    pub access_points: Vec<AccessPoint>,
    /// SSIDs (name, controller).
    #[serde(default)]
    pub ssids: Vec<Ssid>,
    /// Clients.
    #[serde(default)]
    pub clients: Vec<WirelessClient>,
}

/// An SSID served by a controller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ssid {
    /// Name.
    pub name: String,
    /// Controller device.
    pub controller: String,
}

impl Record for Wireless {
    const TABLE: &'static str = "wireless";
    fn key(&self) -> String {
        "inventory".to_owned()
    }
}

/// A host name the fake network's DNS knows (addDevice resolves names only from these,
/// never from real DNS).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostName {
    /// Host name or FQDN (matched case-insensitively).
    pub name: String,
    /// Its address.
    pub ip_address: String,
}

impl Record for HostName {
    const TABLE: &'static str = "host_names";
    fn key(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_and_write_as_the_plain_fields_and_a_left_out_one_never_writes() {
        let text = r#"{"moid":1,"deviceName":"a","displayName":"a","ipAddress":"10.0.0.1",
            "dnsName":"a","type":"t","vendorName":"v","category":"c","isSNMP":true,
            "managed":true,"addedTime":"2026-01-01T00:00:00Z","responseTimeMs":1,
            "packetLoss":0.0,"availability":100.0,"sysDescription":"IOS",
            "hardware":{"operatingSystem":"o","macAddress":"m","softwareVersion":"s",
            "serialNumber":"n","serviceTag":"t","model":"x","manufacturer":"y","hdd":"1",
            "ram":"2"},"customFields":{"Building":"B7"}}"#;
        let device: Device = serde_json::from_str(text).unwrap();
        assert_eq!(device.hardware.get().map(|h| h.model.as_str()), Some("x"));
        let again: serde_json::Value = serde_json::to_value(&device).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        for field in ["sysDescription", "hardware", "customFields"] {
            assert_eq!(again[field], original[field], "{field}");
        }
        // Missing details are their defaults, held; no custom fields are not written.
        let bare = Device::discovered(2, "b", "10.0.0.2".parse().unwrap(), "x".into());
        let bare = serde_json::to_value(&bare).unwrap();
        assert_eq!(bare["sysDescription"], "");
        assert_eq!(bare["hardware"]["model"], "");
        assert!(bare.get("customFields").is_none());
        let mut left = device;
        left.hardware = Detail::left_out();
        assert!(serde_json::to_string(&left).is_err());
        left.hardware = Detail::default();
        left.custom_fields = Detail::left_out();
        assert!(serde_json::to_string(&left).is_err());
    }
}
