//! One filter form for the request journal, taken by both [`Server::requests_where`] and
//! [`Server::wait_for`](crate::Server::wait_for).
//!
//! [`Server::requests_where`]: crate::Server::requests_where

use serde_json::{Map, Value};

/// A request-journal filter: the fields `method`, `path` (a prefix, or a pattern with `*`),
/// `status`, `operation`, `principal`, `since` (an RFC 3339 instant), and for
/// [`Server::requests_where`](crate::Server::requests_where) also `limit`.
///
/// Every form below means the same filter, and both journal calls take any of them:
///
/// ```
/// use standin_testkit::{Filter, json};
/// let a = Filter::from(&[("status", "418"), ("path", "/api")]);
/// let b = Filter::from(json!({"status": 418, "path": "/api"}));
/// let c = Filter::from(json!({"status": "418", "path": "/api"}));
/// let d = Filter::new().field("status", 418).field("path", "/api");
/// assert!(a == b && b == c && c == d);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    fields: Vec<(String, String)>,
    /// Why the filter cannot be used (a JSON value that is not an object).
    invalid: Option<String>,
}

impl Filter {
    /// An empty filter: every request.
    pub fn new() -> Self {
        Filter::default()
    }

    /// Add (or replace) one field.
    pub fn field(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        let value = value.to_string();
        match self.fields.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name.to_owned(), value)),
        }
        self
    }

    /// The fields as query pairs (`GET /_standin/requests`).
    pub(crate) fn query(&self) -> Result<Vec<(&str, &str)>, String> {
        self.check()?;
        Ok(self
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect())
    }

    /// The fields as a JSON body (`POST /_standin/requests/wait`): `status` as a number.
    pub(crate) fn body(&self) -> Result<Map<String, Value>, String> {
        self.check()?;
        let mut map = Map::new();
        for (name, value) in &self.fields {
            let json = match (name.as_str(), value.parse::<u64>()) {
                ("status", Ok(number)) => Value::from(number),
                _ => Value::String(value.clone()),
            };
            map.insert(name.clone(), json);
        }
        Ok(map)
    }

    fn check(&self) -> Result<(), String> {
        match &self.invalid {
            Some(why) => Err(why.clone()),
            None => Ok(()),
        }
    }
}

impl From<&[(&str, &str)]> for Filter {
    fn from(pairs: &[(&str, &str)]) -> Self {
        pairs.iter().fold(Filter::new(), |filter, (name, value)| {
            filter.field(name, value)
        })
    }
}

impl<const N: usize> From<&[(&str, &str); N]> for Filter {
    fn from(pairs: &[(&str, &str); N]) -> Self {
        Filter::from(&pairs[..])
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Filter {
    fn from(pairs: [(&str, &str); N]) -> Self {
        Filter::from(&pairs[..])
    }
}

impl From<Vec<(&str, &str)>> for Filter {
    fn from(pairs: Vec<(&str, &str)>) -> Self {
        Filter::from(&pairs[..])
    }
}

/// A JSON object: strings, numbers and booleans as values, `null` meaning "not set".
impl From<Value> for Filter {
    fn from(value: Value) -> Self {
        Filter::from(&value)
    }
}

impl From<&Value> for Filter {
    fn from(value: &Value) -> Self {
        let Value::Object(map) = value else {
            return Filter {
                fields: Vec::new(),
                invalid: Some(format!("a journal filter is a JSON object, not {value}")),
            };
        };
        let mut filter = Filter::new();
        for (name, value) in map {
            filter = match value {
                Value::Null => filter,
                Value::String(text) => filter.field(name, text),
                other => filter.field(name, other),
            };
        }
        filter
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_status_is_sent_as_a_number_to_wait_and_as_text_to_the_list() {
        let filter = Filter::from(json!({"status": "418", "path": null, "method": "GET"}));
        assert_eq!(
            filter.query().unwrap(),
            [("status", "418"), ("method", "GET")]
        );
        assert_eq!(
            Value::Object(filter.body().unwrap()),
            json!({"status": 418, "method": "GET"})
        );
    }

    #[test]
    fn a_filter_that_is_not_an_object_is_refused_saying_so() {
        let filter = Filter::from(json!(["status", 418]));
        assert!(filter.query().unwrap_err().contains("JSON object"));
        assert!(filter.body().is_err());
    }

    #[test]
    fn a_repeated_field_keeps_the_last_value() {
        let filter = Filter::from(&[("status", "401"), ("status", "403")]);
        assert_eq!(filter.query().unwrap(), [("status", "403")]);
    }
}
