//! Virtualisation APIs (vendor page "OpManager Plus REST API", group Devices):
//! listVirtualDevices, getVMWareHosts, getVMWareVMs, getVMWareDataStores,
//! getDataCenterDetails, getClusterDetails, getNutanixDetails, getNutanixVDisks, over the
//! state's `virtualization` inventory. A host that is also a monitored device (`esx-01`)
//! takes that device's status; a datacenter or cluster shows its worst host.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Virtualization, Vm, VmHost};
use crate::store;
use crate::wire::{self, ms, Reply};
use serde_json::{json, Value};

fn inventory(caller: &Caller) -> Result<Virtualization, OpmError> {
    Ok(caller
        .inst
        .store
        .read(|c| store::get::<Virtualization>(c, "inventory"))?
        .unwrap_or_default())
}

fn host_status(net: &Network, h: &VmHost) -> u8 {
    net.device(&h.name).map_or(5, |d| net.status(d))
}

/// `2026-11-23 12:00:00.000`.
fn stamp(at: i64) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
    );
    wire::datetime(at).format(&f).unwrap_or_default()
}

/// `Apr 22, 2023 21:52 PM`, as getVMWareHosts shows boot times.
fn uptime_text(at: i64) -> String {
    let f = time::macros::format_description!(
        "[month repr:short] [day], [year] [hour]:[minute] [period]"
    );
    wire::datetime(at).format(&f).unwrap_or_default()
}

fn worst(statuses: impl Iterator<Item = u8>) -> u8 {
    statuses.min().unwrap_or(7)
}

/// `GET /api/json/device/listVirtualDevices` (`virtualDeviceType`* `VMware` or `Nutanix`):
/// the hosts of that platform with their inventory.
pub(crate) async fn list_virtual_devices(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let kind = params.required("virtualDeviceType")?;
    let inv = inventory(&caller)?;
    let now = caller.inst.env.clock.now_ms();
    let rows: Vec<Value> = inv
        .hosts
        .iter()
        .filter(|h| h.platform.eq_ignore_ascii_case(kind))
        .map(|h| {
            let vms = inv.vms.iter().filter(|v| v.host == h.name).count();
            let stores = inv
                .datastores
                .iter()
                .filter(|d| d.hosts.contains(&h.name))
                .count();
            json!({
                "VENDOR_NAME": if h.platform == "VMware" { "VMware, Inc." } else { "Nutanix" },
                "BUILD_INFO": h.build,
                "CPU_PACKAGES": h.cpu_packages,
                "TotalDataStores": stores,
                "NUM_PNIC": h.num_pnic,
                "OS_TYPE": if h.platform == "VMware" { "vmnix-x86" } else { "ahv" },
                "CPU_MODEL": h.cpu_model,
                "MAINTENANCE_MODE": h.maintenance,
                "TotalVms": vms,
                "VCENTERDISPLAYNAME": inv.vcenter,
                "SYSUPTIME": stamp(ms(&h.boot_time)),
                "CONNECTION_STATUS": "connected",
                "CPU_THREADS": h.cpu_threads,
                "CPU_SPEED_MHZ": h.cpu_speed_mhz,
                "HARDWARE_VENDOR": h.hardware_vendor,
                "NUM_HBA": h.num_hba,
                "CPU_CORES": format!("{} x {:.2}GHz", h.cpu_cores, h.cpu_speed_mhz as f64 / 1000.0),
                "LASTUPDATEDTIME": stamp(now),
                "MEM_CAPACITY_MB": format!("{} GB", h.mem_capacity_mb / 1024),
                "VCENTERNAME": inv.vcenter,
                "UUID": h.uuid,
                "HARDWARE_MODEL": h.hardware_model,
                "ENTITYNAME": h.name,
                "POWER_STATE": "On",
            })
        })
        .collect();
    if rows.is_empty()
        && !["vmware", "nutanix", "hyperv", "xen"].contains(&kind.to_ascii_lowercase().as_str())
    {
        return Err(OpmError::Pattern("virtualDeviceType".into()));
    }
    Reply::json(rows)
}

/// `GET /api/json/device/getVMWareHosts` (`name`: the vCenter; all VMware hosts otherwise).
pub(crate) async fn get_vmware_hosts(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let inv = inventory(&caller)?;
    if let Some(n) = params.opt("name")? {
        if n != inv.vcenter {
            return Err(OpmError::UnknownDevice(n.to_owned()));
        }
    }
    let net = Network::read(&caller.inst)?;
    let rows: Vec<Value> = inv
        .hosts
        .iter()
        .filter(|h| h.platform == "VMware")
        .map(|h| {
            let s = host_status(&net, h);
            json!({
                "DISPLAYNAME": h.name,
                "STATUS_STR": wire::severity_name(s),
                "NUM_PNIC": h.num_pnic,
                "OS": "ESXServer",
                "OS_TYPE": "vmnix-x86",
                "SYSUPTIME": uptime_text(ms(&h.boot_time)),
                "CONNECTION_STATUS": "connected",
                "NAME": h.name,
                "VHOST_ID": h.id,
                "STATUS": s.to_string(),
                "CPU_SPEED_MHZ": h.cpu_speed_mhz,
                "MEM_CAPACITY_MB": h.mem_capacity_mb,
                "POWER_STATE": "On",
            })
        })
        .collect();
    Reply::json(rows)
}

/// The hosts `name` narrows to: a host, or the vCenter / nothing for all VMware hosts.
fn hosts_named<'i>(
    inv: &'i Virtualization,
    name: Option<&str>,
) -> Result<Vec<&'i VmHost>, OpmError> {
    let all = inv.hosts.iter().filter(|h| h.platform == "VMware");
    match name {
        None => Ok(all.collect()),
        Some(n) if n == inv.vcenter => Ok(all.collect()),
        Some(n) => {
            let list: Vec<&VmHost> = all.filter(|h| h.name == n).collect();
            if list.is_empty() {
                Err(OpmError::UnknownDevice(n.to_owned()))
            } else {
                Ok(list)
            }
        }
    }
}

fn vm_row(v: &Vm, host: &VmHost) -> Value {
    json!({
        "VM_CONNECTIONSTATE": "connected",
        "DISPLAYNAME": v.name,
        "STATUS_STR": wire::severity_name(if v.powered_on { v.status } else { 7 }),
        "VM_ID": v.id,
        "VIRTUAL_TYPE": format!("{}-VM", host.platform),
        "NUM_ETHERNET": 1,
        "VM_POWERSTATE": if v.powered_on { "On" } else { "Off" },
        "MAX_CPU_MHZ": v.num_vcpu * host.cpu_speed_mhz,
        "IPADDRESS": v.ip_address,
        "OS_NAME": v.os_name,
        "NUM_VDISK": v.disks_gb.len().max(1),
        "NAME": v.name,
        "VHOST_ID": host.id,
        "MEMORY_MB": v.memory_mb,
        "STATUS": if v.powered_on { v.status } else { 7 }.to_string(),
        "MOID": v.id + 30_000,
        "MAX_MEMORY_MB": v.memory_mb,
        "IS_ORPHANED": "false",
        "NUM_VCPU": v.num_vcpu,
    })
}

/// `GET /api/json/device/getVMWareVMs` (`name`: a host or the vCenter; `type`).
pub(crate) async fn get_vmware_vms(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let inv = inventory(&caller)?;
    params.opt("type")?;
    let hosts = hosts_named(&inv, params.opt("name")?)?;
    let rows: Vec<Value> = inv
        .vms
        .iter()
        .filter_map(|v| {
            hosts
                .iter()
                .find(|h| h.name == v.host)
                .map(|h| vm_row(v, h))
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/device/getVMWareDataStores` (`name`: a host or the vCenter; `type`).
pub(crate) async fn get_vmware_datastores(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let inv = inventory(&caller)?;
    params.opt("type")?;
    let hosts = hosts_named(&inv, params.opt("name")?)?;
    let rows: Vec<Value> = inv
        .datastores
        .iter()
        .filter(|d| d.hosts.iter().any(|h| hosts.iter().any(|x| &x.name == h)))
        .map(|d| {
            json!({
                "HostCount": d.hosts.len(),
                "DATASTORENAME": d.name,
                "Datastore_ID": d.id,
                "FILESYSTEM_TYPE": d.filesystem,
                "CAPACITY_MB": d.capacity_mb,
                "DATASTORE_URL": format!("ds:///vmfs/volumes/{:08x}-{:08x}/", d.id, d.capacity_mb),
                "MOID": d.id + 40_000,
                "FREESPACE_MB": d.free_mb,
                "deviceName": format!("{}_datastore-{}", inv.vcenter, d.id),
                "IS_ACCESSIBLE": "5",
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/device/getDataCenterDetails` (`moID`: not needed, one vCenter).
pub(crate) async fn get_data_center_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    params.int("moID")?;
    let inv = inventory(&caller)?;
    let net = Network::read(&caller.inst)?;
    let rows: Vec<Value> = inv
        .datacenters
        .iter()
        .map(|dc| {
            let clusters: Vec<_> = inv
                .clusters
                .iter()
                .filter(|c| &c.datacenter == dc)
                .collect();
            let hosts: Vec<&VmHost> = inv
                .hosts
                .iter()
                .filter(|h| clusters.iter().any(|c| c.name == h.cluster))
                .collect();
            let s = worst(hosts.iter().map(|h| host_status(&net, h)));
            let stores = inv
                .datastores
                .iter()
                .filter(|d| d.hosts.iter().any(|x| hosts.iter().any(|h| &h.name == x)))
                .count();
            json!({
                "NO_OF_DATASTORES": stores,
                "STATUS_STR": wire::severity_name(s),
                "STATUS": s.to_string(),
                "NO_OF_NETWORKS": clusters.iter().map(|c| c.networks).sum::<i64>(),
                "ENTITY_NAME": dc,
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/device/getClusterDetails` (`moID`: not needed).
pub(crate) async fn get_cluster_details(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    params.int("moID")?;
    let inv = inventory(&caller)?;
    let net = Network::read(&caller.inst)?;
    let rows: Vec<Value> = inv
        .clusters
        .iter()
        .map(|c| {
            let hosts: Vec<&VmHost> = inv.hosts.iter().filter(|h| h.cluster == c.name).collect();
            let s = worst(hosts.iter().map(|h| host_status(&net, h)));
            let cpu: i64 = hosts.iter().map(|h| h.cpu_cores * h.cpu_speed_mhz).sum();
            let mem: i64 = hosts.iter().map(|h| h.mem_capacity_mb).sum();
            let stores = inv
                .datastores
                .iter()
                .filter(|d| d.hosts.iter().any(|x| hosts.iter().any(|h| &h.name == x)))
                .count();
            json!({
                "NO_OF_DATASTORES": stores,
                "STATUS_STR": wire::severity_name(s),
                "STATUS": s.to_string(),
                "NO_OF_NETWORKS": c.networks,
                "EFFECTIVE_CPU": cpu * 9 / 10,
                "NO_OF_HOSTS": hosts.len(),
                "TOTAL_CPU_GHZ": cpu / 1000,
                "DRS_ENABLED": c.drs,
                "DAS_ENABLED": c.ha,
                "EFFECTIVE_MEMORY": mem * 8 / 10,
                "ENTITY_NAME": c.name,
                "TOTAL_MEMORY_GB": mem / 1024,
            })
        })
        .collect();
    Reply::json(rows)
}

fn nutanix_vm<'i>(inv: &'i Virtualization, name: &str) -> Result<(&'i Vm, &'i VmHost), OpmError> {
    inv.vms
        .iter()
        .filter(|v| v.name == name)
        .find_map(|v| {
            inv.hosts
                .iter()
                .find(|h| h.name == v.host && h.platform == "Nutanix")
                .map(|h| (v, h))
        })
        .ok_or_else(|| OpmError::UnknownDevice(name.to_owned()))
}

/// `GET /api/json/device/getNutanixDetails` (`deviceName`*: a Nutanix VM; `entityType`).
pub(crate) async fn get_nutanix_details(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let name = params.required("deviceName")?;
    params.opt("entityType")?;
    let inv = inventory(&caller)?;
    let (v, h) = nutanix_vm(&inv, name)?;
    let s = if v.powered_on { v.status } else { 7 };
    Reply::json(json!({
        "DISPLAYNAME": v.name,
        "clusterMoName": h.cluster,
        "hostName": h.name,
        "VCPUCOUNT": v.num_vcpu,
        "VM_ID": v.id,
        "statusStr": wire::severity_name(s),
        "TOOLSMOUNTED": false,
        "TOOLSVERSION": "1.2.0.3",
        "VM_POWERSTATE": if v.powered_on { "Powered On" } else { "Powered Off" },
        "DISKCAPACITY": v.disks_gb.iter().sum::<i64>().to_string(),
        "IPADDRESS": v.ip_address,
        "uuid": v.uuid,
        "deviceName": v.name,
        "MEMORYCAPACITY": (v.memory_mb / 1024).to_string(),
        "statusNum": s,
        "ISCONTROLLERVM": "False",
        "STATUS": format!("<img alt=\"\" src=\"/images/devices/status{s}.gif\">&nbsp;{}", wire::severity_name(s)),
        "NOOFNETWORKADAPTERS": 1,
        "clusterName": h.cluster,
        "hostMoName": h.name,
        "MOID": v.id + 30_000,
        "MEMRESERVEDCAPACITY": (v.memory_mb / 1024).to_string(),
        "ENTITYNAME": v.name,
    }))
}

/// `GET /api/json/device/getNutanixVDisks` (`name`*: a Nutanix VM).
pub(crate) async fn get_nutanix_vdisks(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    let inv = inventory(&caller)?;
    let (v, h) = nutanix_vm(&inv, name)?;
    let rows: Vec<Value> = v
        .disks_gb
        .iter()
        .zip(1..)
        .map(|(gb, i): (&i64, i64)| {
            let uuid = format!("{}-{i:04}", v.uuid.get(..23).unwrap_or(&v.uuid));
            json!({
                "CAPACITY": gb.to_string(),
                "NFSFILEPATH": format!("/{}/.acropolis/vmdisk/{uuid}", h.cluster),
                "VDISK_ID": i,
                "DISKADDRESS": format!("scsi.{}", i - 1),
                "UUID": uuid,
            })
        })
        .collect();
    Reply::json(rows)
}
