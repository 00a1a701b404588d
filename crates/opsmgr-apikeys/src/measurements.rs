//! Measurements of a host, of one of its disk partitions and of one of its databases
//! (Ops Manager API reference, "Measurements":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/measurements/>):
//! `granularity` (`PT10S`, `PT1M`, `PT5M`, `PT1H`, `P1D`) and either `period` (an ISO-8601
//! duration ending now) or `start` and `end`; `m` (repeatable) picks metrics, all of the
//! family by default.
//!
//! There is no monitored process behind standin, so the series are synthetic but
//! deterministic: one data point per granularity step on the instance clock, whose value
//! depends only on the host, the metric, the partition or database and the step's time,
//! within a range typical of a healthy deployment. The same request on the same clock
//! answers the same bytes.

use crate::auth::Caller;
use crate::deployments::host_of_path;
use crate::error::OpsMgrError;
use crate::request::{query_values, Call};
use crate::store::HostRow;
use crate::wire::{self, Reply};
use auth_core::clock::rfc3339_ms;
use serde_json::{json, Map, Value};

/// A documented metric: name, units, and the range its synthetic values stay in.
struct Metric(&'static str, &'static str, f64, f64);

/// Host metrics (the names and units of "Get Host Measurements").
#[rustfmt::skip]
const HOST_METRICS: &[Metric] = &[
    Metric("ASSERT_REGULAR", "SCALAR_PER_SECOND", 0.0, 0.1),
    Metric("ASSERT_WARNING", "SCALAR_PER_SECOND", 0.0, 0.1),
    Metric("ASSERT_MSG", "SCALAR_PER_SECOND", 0.0, 0.1),
    Metric("ASSERT_USER", "SCALAR_PER_SECOND", 0.0, 0.5),
    Metric("CACHE_BYTES_READ_INTO", "BYTES_PER_SECOND", 0.0, 2.0e6),
    Metric("CACHE_BYTES_WRITTEN_FROM", "BYTES_PER_SECOND", 0.0, 1.0e6),
    Metric("CACHE_DIRTY_BYTES", "BYTES", 1.0e6, 2.0e7),
    Metric("CACHE_USED_BYTES", "BYTES", 5.0e8, 9.0e8),
    Metric("CONNECTIONS", "SCALAR", 20.0, 60.0),
    Metric("CURSORS_TOTAL_OPEN", "SCALAR", 0.0, 10.0),
    Metric("CURSORS_TOTAL_TIMED_OUT", "SCALAR_PER_SECOND", 0.0, 0.01),
    Metric("DB_DATA_SIZE_TOTAL", "BYTES", 4.0e9, 4.1e9),
    Metric("DB_STORAGE_TOTAL", "BYTES", 2.0e9, 2.1e9),
    Metric("DOCUMENT_METRICS_RETURNED", "SCALAR_PER_SECOND", 50.0, 400.0),
    Metric("DOCUMENT_METRICS_INSERTED", "SCALAR_PER_SECOND", 1.0, 40.0),
    Metric("DOCUMENT_METRICS_UPDATED", "SCALAR_PER_SECOND", 1.0, 30.0),
    Metric("DOCUMENT_METRICS_DELETED", "SCALAR_PER_SECOND", 0.0, 5.0),
    Metric("EXTRA_INFO_PAGE_FAULTS", "SCALAR_PER_SECOND", 0.0, 1.0),
    Metric("GLOBAL_LOCK_CURRENT_QUEUE_TOTAL", "SCALAR", 0.0, 2.0),
    Metric("GLOBAL_LOCK_CURRENT_QUEUE_READERS", "SCALAR", 0.0, 1.0),
    Metric("GLOBAL_LOCK_CURRENT_QUEUE_WRITERS", "SCALAR", 0.0, 1.0),
    Metric("MEMORY_RESIDENT", "MEGABYTES", 900.0, 1100.0),
    Metric("MEMORY_VIRTUAL", "MEGABYTES", 2000.0, 2200.0),
    Metric("NETWORK_BYTES_IN", "BYTES_PER_SECOND", 1.0e4, 2.0e5),
    Metric("NETWORK_BYTES_OUT", "BYTES_PER_SECOND", 2.0e4, 4.0e5),
    Metric("NETWORK_NUM_REQUESTS", "SCALAR_PER_SECOND", 10.0, 200.0),
    Metric("OPCOUNTER_CMD", "SCALAR_PER_SECOND", 10.0, 100.0),
    Metric("OPCOUNTER_QUERY", "SCALAR_PER_SECOND", 5.0, 80.0),
    Metric("OPCOUNTER_UPDATE", "SCALAR_PER_SECOND", 1.0, 30.0),
    Metric("OPCOUNTER_DELETE", "SCALAR_PER_SECOND", 0.0, 5.0),
    Metric("OPCOUNTER_GETMORE", "SCALAR_PER_SECOND", 0.0, 20.0),
    Metric("OPCOUNTER_INSERT", "SCALAR_PER_SECOND", 1.0, 40.0),
    Metric("OPCOUNTER_REPL_CMD", "SCALAR_PER_SECOND", 0.0, 5.0),
    Metric("OPCOUNTER_REPL_UPDATE", "SCALAR_PER_SECOND", 0.0, 30.0),
    Metric("OPCOUNTER_REPL_DELETE", "SCALAR_PER_SECOND", 0.0, 5.0),
    Metric("OPCOUNTER_REPL_INSERT", "SCALAR_PER_SECOND", 0.0, 40.0),
    Metric("OPERATIONS_SCAN_AND_ORDER", "SCALAR_PER_SECOND", 0.0, 1.0),
    Metric("OP_EXECUTION_TIME_READS", "MILLISECONDS", 0.2, 3.0),
    Metric("OP_EXECUTION_TIME_WRITES", "MILLISECONDS", 0.2, 4.0),
    Metric("OP_EXECUTION_TIME_COMMANDS", "MILLISECONDS", 0.1, 2.0),
    // The oplog window, in seconds: om-health-check 0.8.0 reads it so
    // (`om_health_check/baseline.py`, `_UNIT_CONVERSIONS`: "OM returns SECONDS", divided by
    // 3600 against its 24 h threshold). MongoDB's "Measurement Types" page names the metric
    // without its units, and no source we hold serves it in hours. About three days, as a
    // right-sized oplog keeps.
    Metric("OPLOG_MASTER_TIME", "SECONDS", 252_000.0, 259_200.0),
    Metric("OPLOG_MASTER_LAG_TIME_DIFF", "SECONDS", 0.0, 2.0),
    Metric("OPLOG_REPLICATION_LAG_TIME", "SECONDS", 0.0, 2.0),
    Metric("OPLOG_RATE_GB_PER_HOUR", "GIGABYTES_PER_HOUR", 0.01, 0.2),
    Metric("PROCESS_NORMALIZED_CPU_USER", "PERCENT", 1.0, 12.0),
    Metric("PROCESS_NORMALIZED_CPU_KERNEL", "PERCENT", 0.5, 4.0),
    Metric("PROCESS_NORMALIZED_CPU_CHILDREN_USER", "PERCENT", 0.0, 0.5),
    Metric("PROCESS_NORMALIZED_CPU_CHILDREN_KERNEL", "PERCENT", 0.0, 0.5),
    Metric("QUERY_EXECUTOR_SCANNED", "SCALAR_PER_SECOND", 50.0, 500.0),
    Metric("QUERY_EXECUTOR_SCANNED_OBJECTS", "SCALAR_PER_SECOND", 50.0, 500.0),
    Metric("QUERY_TARGETING_SCANNED_PER_RETURNED", "SCALAR", 1.0, 2.0),
    Metric("QUERY_TARGETING_SCANNED_OBJECTS_PER_RETURNED", "SCALAR", 1.0, 2.0),
    Metric("SWAP_USAGE_USED", "KILOBYTES", 0.0, 1024.0),
    Metric("SWAP_USAGE_FREE", "KILOBYTES", 2.0e6, 2.1e6),
    Metric("SYSTEM_MEMORY_AVAILABLE", "KILOBYTES", 4.0e6, 5.0e6),
    Metric("SYSTEM_MEMORY_FREE", "KILOBYTES", 1.0e6, 2.0e6),
    Metric("SYSTEM_MEMORY_USED", "KILOBYTES", 3.0e6, 4.0e6),
    Metric("SYSTEM_NETWORK_IN", "BYTES_PER_SECOND", 1.0e4, 3.0e5),
    Metric("SYSTEM_NETWORK_OUT", "BYTES_PER_SECOND", 2.0e4, 5.0e5),
    Metric("SYSTEM_NORMALIZED_CPU_USER", "PERCENT", 2.0, 15.0),
    Metric("SYSTEM_NORMALIZED_CPU_KERNEL", "PERCENT", 0.5, 5.0),
    Metric("SYSTEM_NORMALIZED_CPU_NICE", "PERCENT", 0.0, 0.2),
    Metric("SYSTEM_NORMALIZED_CPU_IOWAIT", "PERCENT", 0.0, 2.0),
    Metric("SYSTEM_NORMALIZED_CPU_IRQ", "PERCENT", 0.0, 0.2),
    Metric("SYSTEM_NORMALIZED_CPU_SOFTIRQ", "PERCENT", 0.0, 0.5),
    Metric("SYSTEM_NORMALIZED_CPU_GUEST", "PERCENT", 0.0, 0.1),
    Metric("SYSTEM_NORMALIZED_CPU_STEAL", "PERCENT", 0.0, 0.5),
    Metric("TICKETS_AVAILABLE_READS", "SCALAR", 120.0, 128.0),
    Metric("TICKETS_AVAILABLE_WRITES", "SCALAR", 120.0, 128.0),
];

/// Disk partition metrics ("Get Measurements of One Disk of One Host").
#[rustfmt::skip]
const DISK_METRICS: &[Metric] = &[
    Metric("DISK_PARTITION_IOPS_READ", "SCALAR_PER_SECOND", 5.0, 200.0),
    Metric("DISK_PARTITION_IOPS_WRITE", "SCALAR_PER_SECOND", 5.0, 150.0),
    Metric("DISK_PARTITION_IOPS_TOTAL", "SCALAR_PER_SECOND", 10.0, 350.0),
    Metric("DISK_PARTITION_UTILIZATION", "PERCENT", 1.0, 20.0),
    Metric("DISK_PARTITION_LATENCY_READ", "MILLISECONDS", 0.2, 3.0),
    Metric("DISK_PARTITION_LATENCY_WRITE", "MILLISECONDS", 0.2, 4.0),
    Metric("DISK_PARTITION_SPACE_FREE", "BYTES", 6.0e10, 6.1e10),
    Metric("DISK_PARTITION_SPACE_USED", "BYTES", 3.9e10, 4.0e10),
    Metric("DISK_PARTITION_SPACE_PERCENT_FREE", "PERCENT", 60.0, 61.0),
    Metric("DISK_PARTITION_SPACE_PERCENT_USED", "PERCENT", 39.0, 40.0),
];

/// Database metrics ("Get Measurements of One Database of One Host").
#[rustfmt::skip]
const DATABASE_METRICS: &[Metric] = &[
    Metric("DATABASE_AVERAGE_OBJECT_SIZE", "BYTES", 300.0, 320.0),
    Metric("DATABASE_COLLECTION_COUNT", "SCALAR", 12.0, 12.0),
    Metric("DATABASE_DATA_SIZE", "BYTES", 1.0e9, 1.01e9),
    Metric("DATABASE_STORAGE_SIZE", "BYTES", 5.0e8, 5.1e8),
    Metric("DATABASE_INDEX_SIZE", "BYTES", 1.0e8, 1.01e8),
    Metric("DATABASE_INDEX_COUNT", "SCALAR", 30.0, 30.0),
    Metric("DATABASE_EXTENT_COUNT", "SCALAR", 0.0, 0.0),
    Metric("DATABASE_OBJECT_COUNT", "SCALAR", 3.2e6, 3.3e6),
    Metric("DATABASE_VIEW_COUNT", "SCALAR", 0.0, 0.0),
];

/// The granularities the reference lists, in seconds.
const GRANULARITIES: [(&str, i64); 5] = [
    ("PT10S", 10),
    ("PT1M", 60),
    ("PT5M", 300),
    ("PT1H", 3600),
    ("P1D", 86_400),
];

/// Most data points one metric may carry in one answer (a day at one minute is 1,440).
pub const MAX_POINTS: i64 = 2_000;

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/measurements`.
pub(crate) async fn get_host_measurements(
    caller: Caller,
    call: Call,
) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let series = Series::of(&call, HOST_METRICS)?;
    Ok(Reply::ok(series.render(&call, &host, None)))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/disks/{PARTITION-NAME}/measurements`.
pub(crate) async fn get_disk_measurements(
    caller: Caller,
    call: Call,
) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let name = call.segment("partition");
    if !host.disks.contains(&name) {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    let series = Series::of(&call, DISK_METRICS)?;
    Ok(Reply::ok(series.render(
        &call,
        &host,
        Some(("partitionName", &name)),
    )))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/databases/{DATABASE-NAME}/measurements`.
pub(crate) async fn get_database_measurements(
    caller: Caller,
    call: Call,
) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let name = call.segment("database");
    if !host.databases.contains(&name) {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    let series = Series::of(&call, DATABASE_METRICS)?;
    Ok(Reply::ok(series.render(
        &call,
        &host,
        Some(("databaseName", &name)),
    )))
}

/// The window and metrics a measurements request asks for.
struct Series {
    granularity: (&'static str, i64),
    start: i64,
    end: i64,
    metrics: Vec<&'static Metric>,
}

impl Series {
    /// Read `granularity`, `period` | `start`+`end`, and `m`.
    ///
    /// # Errors
    /// `INVALID_QUERY_PARAMETER` naming the first bad parameter.
    fn of(call: &Call, family: &'static [Metric]) -> Result<Self, OpsMgrError> {
        let granularity = call
            .query("granularity")
            .and_then(|g| GRANULARITIES.into_iter().find(|(name, _)| *name == g))
            .ok_or(OpsMgrError::InvalidQueryParameter("granularity"))?;
        let now = call.inst.env.clock.now_secs();
        let (start, end) = match (call.query("period"), call.query("start"), call.query("end")) {
            (Some(period), None, None) => {
                let secs =
                    duration_secs(&period).ok_or(OpsMgrError::InvalidQueryParameter("period"))?;
                (now.saturating_sub(secs), now)
            }
            (None, Some(start), Some(end)) => {
                let start = timestamp(&start).ok_or(OpsMgrError::InvalidQueryParameter("start"))?;
                let end = timestamp(&end).ok_or(OpsMgrError::InvalidQueryParameter("end"))?;
                if end < start {
                    return Err(OpsMgrError::InvalidQueryParameter("end"));
                }
                (start, end)
            }
            (Some(_), _, _) | (None, None, None) => {
                return Err(OpsMgrError::InvalidQueryParameter("period"))
            }
            (None, Some(_), None) => return Err(OpsMgrError::InvalidQueryParameter("end")),
            (None, None, Some(_)) => return Err(OpsMgrError::InvalidQueryParameter("start")),
        };
        if (end - start) / granularity.1 > MAX_POINTS {
            return Err(OpsMgrError::InvalidQueryParameter("granularity"));
        }
        let wanted = query_values(&call.req, "m");
        let metrics = if wanted.is_empty() {
            family.iter().collect()
        } else {
            let mut picked: Vec<&'static Metric> = Vec::new();
            for name in &wanted {
                let metric = family
                    .iter()
                    .find(|m| m.0 == name)
                    .ok_or(OpsMgrError::InvalidQueryParameter("m"))?;
                if !picked.iter().any(|m| m.0 == metric.0) {
                    picked.push(metric);
                }
            }
            picked
        };
        Ok(Series {
            granularity,
            start,
            end,
            metrics,
        })
    }

    /// The measurements document: `start`/`end` of the window, one series per metric.
    fn render(&self, call: &Call, host: &HostRow, child: Option<(&str, &str)>) -> Value {
        let step = self.granularity.1;
        let first = self.start.div_euclid(step).saturating_mul(step);
        let first = if first < self.start {
            first + step
        } else {
            first
        };
        let salt = child.map(|(_, name)| name).unwrap_or_default();
        let measurements: Vec<Value> = self
            .metrics
            .iter()
            .map(|metric| {
                let points: Vec<Value> = (0..)
                    .map(|i: i64| first + i * step)
                    .take_while(|t| *t <= self.end)
                    .map(|t| {
                        json!({
                            "timestamp": rfc3339_ms(t.saturating_mul(1000)),
                            "value": value(metric, &host.id, salt, t),
                        })
                    })
                    .collect();
                json!({"dataPoints": points, "name": metric.0, "units": metric.1})
            })
            .collect();
        let mut href = format!("{}{}", call.central(), call.req.path());
        if !call.req.query_string().is_empty() {
            href.push('?');
            href.push_str(call.req.query_string());
        }
        let mut out = Map::new();
        if let Some((field, name)) = child {
            out.insert(field.into(), json!(name));
        }
        out.insert(
            "end".into(),
            json!(rfc3339_ms(self.end.saturating_mul(1000))),
        );
        out.insert("granularity".into(), json!(self.granularity.0));
        out.insert("groupId".into(), json!(host.group_id));
        out.insert("hostId".into(), json!(host.id));
        out.insert("links".into(), json!([wire::self_link(href)]));
        out.insert("measurements".into(), Value::Array(measurements));
        out.insert(
            "processId".into(),
            json!(format!("{}:{}", host.hostname, host.port)),
        );
        out.insert(
            "start".into(),
            json!(rfc3339_ms(self.start.saturating_mul(1000))),
        );
        Value::Object(out)
    }
}

/// A metric's value at `t`: a hash of host, metric, partition/database and time mapped into
/// the metric's range, rounded to two decimals.
fn value(metric: &Metric, host_id: &str, salt: &str, t: i64) -> f64 {
    // FNV-1a, 64 bit: stable across platforms and releases.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in host_id
        .bytes()
        .chain(metric.0.bytes())
        .chain(salt.bytes())
        .chain(t.to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    #[allow(clippy::cast_precision_loss)]
    let frac = (h >> 11) as f64 / (1u64 << 53) as f64;
    let v = metric.2 + (metric.3 - metric.2) * frac;
    (v * 100.0).round() / 100.0
}

/// An ISO-8601 duration in whole seconds: `P[nW][nD][T[nH][nM][nS]]` (no years or months,
/// whose length depends on the date), at most a year.
fn duration_secs(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut any = false;
    let mut add = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut number = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let idx = units.iter().position(|(u, _)| *u == c)?;
            if number.is_empty() || number.len() > 6 || idx < last {
                return None;
            }
            let n: i64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(units[idx].1)?)?;
            number.clear();
            last = idx + 1;
            any = true;
        }
        number.is_empty().then_some(())
    };
    add(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(time) = time {
        add(time, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    (any && total > 0 && total <= 366 * 86_400).then_some(total)
}

/// An ISO-8601 timestamp, in seconds.
fn timestamp(text: &str) -> Option<i64> {
    auth_core::clock::parse_rfc3339_ms(text).map(|ms| ms.div_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_iso_8601_without_years_or_months() {
        assert_eq!(duration_secs("P1D"), Some(86_400));
        assert_eq!(duration_secs("PT1H"), Some(3600));
        assert_eq!(duration_secs("P1DT12H30M5S"), Some(131_405));
        assert_eq!(duration_secs("P2W"), Some(1_209_600));
        for bad in [
            "",
            "P",
            "PT",
            "1D",
            "P1Y",
            "P1M",
            "PT1D",
            "PT1M1H",
            "P0D",
            "P9999999D",
            "P1.5D",
        ] {
            assert_eq!(duration_secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_are_deterministic_and_inside_the_metric_range() {
        let metric = &HOST_METRICS[0];
        for t in 0..200 {
            let v = value(metric, "a", "", t * 60);
            assert_eq!(v, value(metric, "a", "", t * 60));
            assert!((metric.2..=metric.3).contains(&v), "{v}");
        }
        assert_ne!(value(metric, "a", "", 60), value(metric, "b", "", 60));
    }
}
