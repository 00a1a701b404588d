//! jqGrid-style paging of OpManager's list APIs: `page`, `rows`, `sortByColumn`,
//! `sortByType` (`asc`/`desc`) in; `{"total": pages, "page", "records": rows in all,
//! "rows": [...]}` out.
//!
//! [`Paging::parse`] validates the parameters (in the order the vendor reports them:
//! `page`, `rows`, `sortByType`, `sortByColumn`); [`Paging::window`] says which rows a page
//! shows, so a list that needs no sorting renders only those.

use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::compare_cells;
use serde::Serialize;
use serde_json::Value;

/// Validated paging and sorting parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging<'c> {
    /// The page asked for (1-based).
    pub page: i64,
    /// Rows per page (`None`: all rows in one page).
    pub per_page: Option<i64>,
    /// The sort column (one of the list's columns, as spelled there) and whether descending.
    pub sort: Option<(&'c str, bool)>,
}

/// Which rows of a list one page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Number of pages (`total`).
    pub total: usize,
    /// Rows before the page.
    pub skip: usize,
    /// Rows per page.
    pub take: usize,
}

impl<'c> Paging<'c> {
    /// Validate `page`, `rows`, `sortByType` and `sortByColumn`; `columns` are the sortable keys.
    ///
    /// # Errors
    /// Bad `page`/`rows` (type, range), bad `sortByType`, unknown `sortByColumn`.
    pub fn parse(params: &Params, columns: &[&'c str]) -> Result<Self, OpmError> {
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
        let sort = match params.opt("sortByColumn")? {
            None => None,
            Some(column) => Some((
                *columns
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(column))
                    .ok_or_else(|| OpmError::Pattern("sortByColumn".into()))?,
                descending,
            )),
        };
        Ok(Paging {
            page,
            per_page,
            sort,
        })
    }

    /// The page's window over `records` rows.
    pub fn window(&self, records: usize) -> Window {
        let take = self
            .per_page
            .and_then(|r| usize::try_from(r).ok())
            .unwrap_or(records.max(1));
        let skip = usize::try_from(self.page - 1)
            .unwrap_or(usize::MAX)
            .saturating_mul(take);
        Window {
            total: records.div_ceil(take),
            skip,
            take,
        }
    }
}

/// One page of a list, serialised as `{"total", "page", "records", "rows"}`.
#[derive(Debug, Serialize)]
pub struct Page<R> {
    /// Number of pages.
    pub total: usize,
    /// The page shown.
    pub page: i64,
    /// Rows in all.
    pub records: usize,
    /// The page's rows.
    pub rows: Vec<R>,
}

/// Page `items` (already filtered), rendering only the rows shown. When a sort column is
/// given, every item's cell of that column (`cell`) is computed once and the items are
/// sorted stably by [`compare_cells`].
///
/// # Errors
/// As [`Paging::parse`].
pub fn page_with<T, R>(
    mut items: Vec<T>,
    params: &Params,
    columns: &[&str],
    cell: impl Fn(&T, &str) -> Value,
    render: impl Fn(T) -> R,
) -> Result<Page<R>, OpmError> {
    let paging = Paging::parse(params, columns)?;
    if let Some((column, descending)) = paging.sort {
        let mut keyed: Vec<(Value, T)> = items.into_iter().map(|t| (cell(&t, column), t)).collect();
        keyed.sort_by(|a, b| {
            let ord = compare_cells(&a.0, &b.0);
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
        items = keyed.into_iter().map(|(_, t)| t).collect();
    }
    let records = items.len();
    let w = paging.window(records);
    let rows = items
        .into_iter()
        .skip(w.skip)
        .take(w.take)
        .map(render)
        .collect();
    Ok(Page {
        total: w.total,
        page: paging.page,
        records,
        rows,
    })
}

/// Sort and page `rows` (already filtered); `columns` are the sortable keys.
///
/// # Errors
/// Bad `page`/`rows` (type, range), unknown `sortByColumn`, bad `sortByType`.
pub fn page(rows: Vec<Value>, params: &Params, columns: &[&str]) -> Result<Value, OpmError> {
    let page = page_with(
        rows,
        params,
        columns,
        |row, column| row[column].clone(),
        |row| row,
    )?;
    Ok(serde_json::json!({
        "total": page.total,
        "page": page.page,
        "records": page.records,
        "rows": page.rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paging(page: i64, per_page: Option<i64>) -> Paging<'static> {
        Paging {
            page,
            per_page,
            sort: None,
        }
    }

    #[test]
    fn window_covers_first_last_and_beyond_the_last_page() {
        let w = |p, r, n| paging(p, r).window(n);
        assert_eq!(
            w(1, Some(100), 1000),
            Window {
                total: 10,
                skip: 0,
                take: 100
            }
        );
        assert_eq!(
            w(10, Some(100), 1000),
            Window {
                total: 10,
                skip: 900,
                take: 100
            }
        );
        assert_eq!(
            w(11, Some(100), 1000),
            Window {
                total: 10,
                skip: 1000,
                take: 100
            }
        );
        assert_eq!(
            w(3, Some(100), 250),
            Window {
                total: 3,
                skip: 200,
                take: 100
            }
        );
        assert_eq!(
            w(1, None, 26),
            Window {
                total: 1,
                skip: 0,
                take: 26
            }
        );
        assert_eq!(
            w(1, None, 0),
            Window {
                total: 0,
                skip: 0,
                take: 1
            }
        );
        assert_eq!(w(i64::MAX, Some(i64::MAX), 5).skip, usize::MAX);
    }
}
