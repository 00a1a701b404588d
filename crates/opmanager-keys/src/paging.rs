//! jqGrid-style paging of OpManager's list APIs: `page`, `rows`, `sortByColumn`,
//! `sortByType` (`asc`/`desc`) in; `{"total": pages, "page", "records": rows in all,
//! "rows": [...]}` out.

use crate::call::Params;
use crate::error::OpmError;
use crate::network::compare_cells;
use serde_json::{json, Value};

/// Sort and page `rows` (already filtered); `columns` are the sortable keys.
///
/// # Errors
/// Bad `page`/`rows` (type, range), unknown `sortByColumn`, bad `sortByType`.
pub fn page(mut rows: Vec<Value>, params: &Params, columns: &[&str]) -> Result<Value, OpmError> {
    let page = params.int("page")?.unwrap_or(1);
    if page < 1 {
        return Err(OpmError::Range("page".into(), 1, i64::from(i32::MAX)));
    }
    let per_page = params.int("rows")?;
    if per_page.is_some_and(|r| r < 1) {
        return Err(OpmError::Range("rows".into(), 1, i64::from(i32::MAX)));
    }
    let descending = match params.opt("sortByType")? {
        None => false,
        Some(t) if t.eq_ignore_ascii_case("asc") => false,
        Some(t) if t.eq_ignore_ascii_case("desc") => true,
        Some(_) => return Err(OpmError::Pattern("sortByType".into())),
    };
    if let Some(column) = params.opt("sortByColumn")? {
        let column = columns
            .iter()
            .find(|c| c.eq_ignore_ascii_case(column))
            .ok_or_else(|| OpmError::Pattern("sortByColumn".into()))?;
        rows.sort_by(|a, b| {
            let ord = compare_cells(&a[*column], &b[*column]);
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
    let records = rows.len();
    let per_page = per_page
        .and_then(|r| usize::try_from(r).ok())
        .unwrap_or(records.max(1));
    let total = records.div_ceil(per_page);
    let skip = usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(per_page);
    let shown: Vec<Value> = rows.into_iter().skip(skip).take(per_page).collect();
    Ok(json!({"total": total, "page": page, "records": records, "rows": shown}))
}
