//! Search by qualification (`POST .../search/byqual`): the `qualDetails` body, its operators,
//! and paging (`?offset=0&size=25`) into `{"objectList": [...], "totalCount": n}`.

use crate::error::ApiError;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// Default page size when `size` is not given.
pub const DEFAULT_SIZE: usize = 25;

/// `offset` and `size` query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Objects skipped.
    pub offset: usize,
    /// Objects returned at most.
    pub size: usize,
}

impl Page {
    /// Parse `offset` and `size` from a query string.
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the parameter.
    pub fn from_query(query: &str) -> Result<Page, ApiError> {
        let mut page = Page {
            offset: 0,
            size: DEFAULT_SIZE,
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "offset" => &mut page.offset,
                "size" => &mut page.size,
                _ => continue,
            };
            *slot = value.parse().map_err(|_| {
                ApiError::Validation(format!("{key}: must be a non-negative integer"))
            })?;
        }
        Ok(page)
    }
}

/// A comparison operator of `RelationalQualificationRest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    NotEqual,
    In,
    NotIn,
    Contains,
    NotContains,
    StartWith,
    EndWith,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Between,
    IsBlank,
    IsNotBlank,
}

impl Op {
    fn parse(text: &str) -> Option<Op> {
        Some(match text.to_ascii_lowercase().as_str() {
            "equal" | "equals" => Op::Equal,
            "not_equal" | "not_equals" => Op::NotEqual,
            "in" => Op::In,
            "not_in" => Op::NotIn,
            "contains" => Op::Contains,
            "not_contains" => Op::NotContains,
            "start_with" | "starts_with" => Op::StartWith,
            "end_with" | "ends_with" => Op::EndWith,
            "greater_than" => Op::GreaterThan,
            "greater_than_or_equal" => Op::GreaterOrEqual,
            "less_than" => Op::LessThan,
            "less_than_or_equal" => Op::LessOrEqual,
            "between" => Op::Between,
            "is_blank" => Op::IsBlank,
            "is_not_blank" => Op::IsNotBlank,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Rel { field: String, op: Op, value: Value },
}

/// A parsed qualification; `None` matches everything.
#[derive(Debug, Clone)]
pub struct Query(Option<Node>);

fn bad(path: &str, why: &str) -> ApiError {
    ApiError::Validation(format!("{path}: {why}"))
}

/// The object key a qualification key names: `request.subject` → `subject`,
/// `.conversation.conversationType` → `conversationType`, `id` → `id`.
fn field_of(key: &str) -> String {
    key.trim_start_matches('.')
        .rsplit('.')
        .next()
        .unwrap_or(key)
        .to_owned()
}

fn text<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a str, ApiError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(&format!("{path}.{key}"), "is required"))
}

fn combinator(v: &Value, path: &str) -> Result<bool, ApiError> {
    match v.get("operator").and_then(Value::as_str) {
        None => Ok(true),
        Some(op) if op.eq_ignore_ascii_case("and") => Ok(true),
        Some(op) if op.eq_ignore_ascii_case("or") => Ok(false),
        Some(op) => Err(bad(
            &format!("{path}.operator"),
            &format!("unsupported operator {op:?}"),
        )),
    }
}

fn parse_node(v: &Value, path: &str) -> Result<Node, ApiError> {
    match text(v, "type", path)? {
        "FlatQualificationRest" => {
            let quals = v
                .get("quals")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&format!("{path}.quals"), "must be a list"))?;
            let nodes = quals
                .iter()
                .enumerate()
                .map(|(i, q)| parse_node(q, &format!("{path}.quals[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if combinator(v, path)? {
                Node::All(nodes)
            } else {
                Node::Any(nodes)
            })
        }
        "BinaryQualificationRest" => {
            let left = v
                .get("leftQual")
                .ok_or_else(|| bad(&format!("{path}.leftQual"), "is required"))?;
            let right = v
                .get("rightQual")
                .ok_or_else(|| bad(&format!("{path}.rightQual"), "is required"))?;
            let nodes = vec![
                parse_node(left, &format!("{path}.leftQual"))?,
                parse_node(right, &format!("{path}.rightQual"))?,
            ];
            Ok(if combinator(v, path)? {
                Node::All(nodes)
            } else {
                Node::Any(nodes)
            })
        }
        "RelationalQualificationRest" => {
            let left = v.get("leftOperand").unwrap_or(&Value::Null);
            let key = text(left, "key", &format!("{path}.leftOperand"))?;
            let op_text = text(v, "operator", path)?;
            let op = Op::parse(op_text).ok_or_else(|| {
                bad(
                    &format!("{path}.operator"),
                    &format!("unsupported operator {op_text:?}"),
                )
            })?;
            let value = v
                .get("rightOperand")
                .and_then(|r| r.get("value"))
                .and_then(|r| r.get("value"))
                .cloned()
                .unwrap_or(Value::Null);
            if value.is_null() && !matches!(op, Op::IsBlank | Op::IsNotBlank) {
                return Err(bad(
                    &format!("{path}.rightOperand.value.value"),
                    "is required",
                ));
            }
            if matches!(op, Op::In | Op::NotIn | Op::Between) && !value.is_array() {
                return Err(bad(
                    &format!("{path}.rightOperand.value.value"),
                    "must be a list",
                ));
            }
            Ok(Node::Rel {
                field: field_of(key),
                op,
                value,
            })
        }
        other => Err(bad(
            &format!("{path}.type"),
            &format!("unsupported qualification type {other:?}"),
        )),
    }
}

impl Query {
    /// Parse a search body; an empty body or no `qualDetails` matches everything.
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the bad part.
    pub fn from_body(body: &[u8]) -> Result<Query, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Query(None));
        }
        let doc: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::Validation(format!("Request body is not valid JSON: {e}")))?;
        if !doc.is_object() {
            return Err(ApiError::Validation(
                "Request body must be a JSON object".into(),
            ));
        }
        match doc.get("qualDetails") {
            None | Some(Value::Null) => Ok(Query(None)),
            Some(q) => parse_node(q, "qualDetails").map(|n| Query(Some(n))),
        }
    }

    /// Whether the query has no qualification (matches everything).
    pub fn is_all(&self) -> bool {
        self.0.is_none()
    }

    /// Refuse a key the object type does not have (`fields`).
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the property.
    pub fn check_fields(&self, fields: &[&str]) -> Result<(), ApiError> {
        match self.fields().into_iter().find(|f| !fields.contains(f)) {
            Some(unknown) => Err(ApiError::Validation(format!(
                "qualDetails: unknown property {unknown:?}"
            ))),
            None => Ok(()),
        }
    }

    /// Whether `object` satisfies the qualification.
    pub fn matches(&self, object: &Value) -> bool {
        self.0.as_ref().is_none_or(|n| eval(n, object))
    }

    /// Every field named by the qualification, once each, in order of first mention (a
    /// qualification of 20,000 conditions on `subject` names one field, so projecting an
    /// object compares each of its keys with one name, not 20,000).
    fn fields(&self) -> Vec<&str> {
        fn walk<'a>(node: &'a Node, out: &mut Vec<&'a str>, seen: &mut HashSet<&'a str>) {
            match node {
                Node::All(nodes) | Node::Any(nodes) => {
                    nodes.iter().for_each(|n| walk(n, out, seen));
                }
                Node::Rel { field, .. } => {
                    if seen.insert(field) {
                        out.push(field);
                    }
                }
            }
        }
        let mut out = Vec::new();
        if let Some(node) = &self.0 {
            walk(node, &mut out, &mut HashSet::new());
        }
        out
    }
}

fn eval(node: &Node, object: &Value) -> bool {
    match node {
        Node::All(nodes) => nodes.iter().all(|n| eval(n, object)),
        Node::Any(nodes) => nodes.iter().any(|n| eval(n, object)),
        Node::Rel { field, op, value } => compare(object.get(field), *op, value),
    }
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string().to_lowercase(),
    }
}

fn scalar_eq(field: &Value, value: &Value) -> bool {
    match (field.as_f64(), value.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => as_text(field) == as_text(value),
    }
}

/// The field's scalar values: itself, or its items for list fields (`tags`).
fn scalars(field: &Value) -> Vec<&Value> {
    match field {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn any_scalar(field: Option<&Value>, test: impl Fn(&Value) -> bool) -> bool {
    field.is_some_and(|f| scalars(f).into_iter().any(test))
}

fn number(field: Option<&Value>, test: impl Fn(f64) -> bool) -> bool {
    field.and_then(Value::as_f64).is_some_and(test)
}

fn compare(field: Option<&Value>, op: Op, value: &Value) -> bool {
    let list = value.as_array().map(Vec::as_slice).unwrap_or_default();
    // Only the text operators need the value as text (for `in` it would be the whole list).
    let needle = || as_text(value);
    let bound = value.as_f64();
    match op {
        Op::IsBlank => is_blank(field),
        Op::IsNotBlank => !is_blank(field),
        Op::Equal => any_scalar(field, |f| scalar_eq(f, value)),
        Op::NotEqual => !any_scalar(field, |f| scalar_eq(f, value)),
        Op::In => any_scalar(field, |f| list.iter().any(|v| scalar_eq(f, v))),
        Op::NotIn => !any_scalar(field, |f| list.iter().any(|v| scalar_eq(f, v))),
        Op::Contains => {
            let needle = needle();
            any_scalar(field, |f| as_text(f).contains(&needle))
        }
        Op::NotContains => {
            let needle = needle();
            !any_scalar(field, |f| as_text(f).contains(&needle))
        }
        Op::StartWith => {
            let needle = needle();
            any_scalar(field, |f| as_text(f).starts_with(&needle))
        }
        Op::EndWith => {
            let needle = needle();
            any_scalar(field, |f| as_text(f).ends_with(&needle))
        }
        Op::GreaterThan => bound.is_some_and(|b| number(field, |f| f > b)),
        Op::GreaterOrEqual => bound.is_some_and(|b| number(field, |f| f >= b)),
        Op::LessThan => bound.is_some_and(|b| number(field, |f| f < b)),
        Op::LessOrEqual => bound.is_some_and(|b| number(field, |f| f <= b)),
        Op::Between => match (
            list.first().and_then(Value::as_f64),
            list.get(1).and_then(Value::as_f64),
        ) {
            (Some(lo), Some(hi)) => number(field, |f| lo <= f && f <= hi),
            _ => false,
        },
    }
}

/// The top-level keys of a JSON object that a projection keeps.
struct Keep<'f>(&'f [&'f str]);

impl<'de> serde::de::DeserializeSeed<'de> for Keep<'_> {
    type Value = Map<String, Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Keep<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if self.0.contains(&key.as_ref()) {
                // Last duplicate wins, as when decoding the whole object.
                out.insert(key.into_owned(), map.next_value()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// The JSON object `text` with only the keys the query names: what [`Query::matches`]
/// needs, without decoding the rest.
///
/// # Errors
/// If `text` is not a JSON object.
pub fn projection(query: &Query, text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::DeserializeSeed as _;
    let fields = query.fields();
    let mut de = serde_json::Deserializer::from_str(text);
    let map = Keep(&fields).deserialize(&mut de)?;
    de.end()?;
    Ok(Value::Object(map))
}

/// Filter `objects` by `query` (whose keys must be among `fields`), then page them.
///
/// # Errors
/// [`ApiError::Validation`] for a key the object type does not have.
pub fn page(
    query: &Query,
    fields: &[&str],
    objects: impl Iterator<Item = Value>,
    page: Page,
) -> Result<Value, ApiError> {
    query.check_fields(fields)?;
    let mut pager = Pager::new(page);
    for object in objects.filter(|o| query.matches(o)) {
        pager.push(object);
    }
    Ok(pager.finish())
}

/// `{"objectList": [...], "totalCount": n}`.
pub fn listing(list: Vec<Value>, total: usize) -> Value {
    json!({"objectList": list, "totalCount": total})
}

/// Counts matching objects and keeps only those of one page, so a search holds one page
/// in memory whatever the number of matches.
#[derive(Debug)]
pub struct Pager {
    page: Page,
    total: usize,
    list: Vec<Value>,
}

impl Pager {
    /// An empty pager for `page`.
    pub fn new(page: Page) -> Pager {
        Pager {
            page,
            total: 0,
            list: Vec::new(),
        }
    }

    /// Whether the next matching object falls on the page (else [`Pager::skip`] it).
    pub fn wants_next(&self) -> bool {
        self.total >= self.page.offset && self.list.len() < self.page.size
    }

    /// Count a matching object that is not on the page.
    pub fn skip(&mut self) {
        self.total += 1;
    }

    /// The next matching object, in order.
    pub fn push(&mut self, object: Value) {
        if self.total >= self.page.offset && self.list.len() < self.page.size {
            self.list.push(object);
        }
        self.total += 1;
    }

    /// The search result body.
    pub fn finish(self) -> Value {
        listing(self.list, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(key: &str, op: &str, value: Value) -> Value {
        json!({"type": "RelationalQualificationRest",
               "leftOperand": {"type": "PropertyOperandRest", "key": key},
               "operator": op,
               "rightOperand": {"type": "ValueOperandRest", "value": {"type": "StringValueRest", "value": value}}})
    }

    fn query(quals: Vec<Value>) -> Query {
        let body = json!({"qualDetails": {"type": "FlatQualificationRest", "quals": quals}});
        Query::from_body(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn operators_compare_as_documented() {
        let obj = json!({"id": 5, "subject": "Email Server is Down", "tags": ["mail", "p1"]});
        let yes = [
            rel("request.subject", "equal", json!("Email Server is Down")),
            rel("request.subject", "contains", json!("server")),
            rel("request.subject", "start_with", json!("email")),
            rel("request.subject", "end_with", json!("DOWN")),
            rel("id", "in", json!([4, 5])),
            rel("id", "not_in", json!([1])),
            rel("id", "greater_than", json!(4)),
            rel("id", "less_than", json!(6)),
            rel("id", "between", json!([5, 9])),
            rel("request.tags", "equal", json!("p1")),
            rel("request.description", "is_blank", Value::Null),
            rel("request.subject", "not_equal", json!("x")),
        ];
        for q in yes {
            assert!(query(vec![q.clone()]).matches(&obj), "{q}");
        }
        assert!(!query(vec![rel("id", "greater_than", json!(5))]).matches(&obj));
        assert!(!query(vec![rel("request.subject", "is_blank", Value::Null)]).matches(&obj));
    }

    #[test]
    fn bad_qualifications_name_the_part() {
        let body = json!({"qualDetails": {"type": "FlatQualificationRest", "quals": [
            rel("request.subject", "resembles", json!("x"))]}});
        let err = Query::from_body(body.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("qualDetails.quals[0].operator"));
        assert!(Query::from_body(b"[1]").is_err());
        assert!(Query::from_body(b"").unwrap().matches(&json!({})));
    }

    #[test]
    fn a_projection_keeps_the_named_keys_and_matches_as_the_whole_object() {
        let q = query(vec![
            rel("request.subject", "contains", json!("down")),
            rel("tags", "equal", json!("p1")),
        ]);
        let text = r#"{"id":5,"subject":"x","tags":["p1"],"customField":{"a":[1,{"b":null}]},"subject":"Server \u0064own"}"#;
        let whole: Value = serde_json::from_str(text).unwrap();
        let part = projection(&q, text).unwrap();
        assert_eq!(part, json!({"subject": "Server down", "tags": ["p1"]}));
        assert_eq!(q.matches(&part), q.matches(&whole));
        assert!(q.matches(&part));
        assert!(projection(&q, "[1]").is_err());
        assert!(projection(&q, "{} x").is_err());
    }

    #[test]
    fn paging_parses_and_refuses_garbage() {
        assert_eq!(
            Page::from_query("offset=10&size=5").unwrap(),
            Page {
                offset: 10,
                size: 5
            }
        );
        assert!(Page::from_query("size=-1").is_err());
    }
}
