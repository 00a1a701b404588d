//! A lenient JSON reader in the spirit of `org.json` (what PMP parses INPUT_DATA with).
//!
//! Real clients send Python reprs (`{'operation': {'Details': {'X': True}}}`) and hand-typed
//! curl bodies, so besides JSON this accepts single-quoted strings, unquoted keys and values,
//! `=`/`=>` for `:`, `;` for `,`, missing or trailing commas and Python's `True`/`False`/`None`.
//! Every scalar except `null` becomes a JSON string: PMP reads every field as a string.
//!
//! Reading is one pass over the text: every character is looked at a bounded number of times,
//! nesting is refused beyond [`MAX_DEPTH`] as soon as it is reached, and arrays named by a
//! [`Cap`] stop growing once their outcome is decided (see [`parse_capped`]).

use serde_json::{Map, Value};
use std::collections::HashSet;

/// Why the text is not even leniently JSON (byte offset where reading stopped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub usize);

/// Deepest nesting of objects and arrays read; one more level is refused where it opens.
pub const MAX_DEPTH: usize = 64;

/// A limit on the distinct entries of some arrays, counted while they are read.
///
/// An array under an object key for which `applies` says yes keeps its entries until its
/// fate is sealed: the first entry without a key (`key_of` gives `None`) or the entry that
/// brings `limit + 1` distinct keys (compared ASCII case-insensitively). After the first the
/// array keeps only that entry's predecessors; after the second only one later keyless entry
/// is still kept. Whoever checks the array afterwards, in order, reaching the same verdict
/// (refuse at the first keyless entry; refuse when more than `limit` distinct keys), gets
/// the same answer from the shortened array as from the whole one, at a cost bounded by
/// `limit`. The rest of the text is still read (its syntax decides the answer first).
pub struct Cap<'a> {
    /// Whether the array under this object key is capped.
    pub applies: &'a dyn Fn(&str) -> bool,
    /// An entry's distinct key, `None` when the entry has none.
    pub key_of: &'a dyn Fn(&Value) -> Option<String>,
    /// Most distinct keys that can be accepted.
    pub limit: usize,
}

/// Parse `text` leniently.
///
/// # Errors
/// [`ParseError`] with the position where reading stopped.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    read(text, None)
}

/// Parse `text` leniently, shortening the arrays `cap` names while they are read.
///
/// # Errors
/// [`ParseError`] with the position where reading stopped.
pub fn parse_capped(text: &str, cap: &Cap<'_>) -> Result<Value, ParseError> {
    read(text, Some(cap))
}

fn read(text: &str, cap: Option<&Cap<'_>>) -> Result<Value, ParseError> {
    let mut p = Parser { text, pos: 0, cap };
    let value = p.value(0, false)?;
    p.skip_ws();
    if p.pos < p.text.len() {
        return Err(ParseError(p.pos));
    }
    Ok(value)
}

struct Parser<'t, 'c> {
    text: &'t str,
    /// Byte offset, always on a character boundary.
    pos: usize,
    cap: Option<&'c Cap<'c>>,
}

/// Where a capped array stands.
enum Fate {
    Open,
    OverLimit,
    Sealed,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn bump(&mut self, c: char) {
        self.pos += c.len_utf8();
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.bump(c);
        }
    }

    fn value(&mut self, depth: usize, capped: bool) -> Result<Value, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError(self.pos));
        }
        self.skip_ws();
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth, capped),
            Some(q @ ('"' | '\'')) => self.quoted(q).map(Value::String),
            Some(_) => {
                let word = self.bare()?;
                Ok(match word.as_str() {
                    "null" | "None" | "NULL" => Value::Null,
                    "True" | "TRUE" => Value::String("true".into()),
                    "False" | "FALSE" => Value::String("false".into()),
                    _ => Value::String(word),
                })
            }
            None => Err(ParseError(self.pos)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.pos += 1; // '{'
        let mut map = Map::new();
        loop {
            self.skip_separators();
            let key = match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                None => return Err(ParseError(self.pos)),
                Some(q @ ('"' | '\'')) => self.quoted(q)?,
                Some(_) => self.bare()?,
            };
            self.colon()?;
            let capped = self.cap.is_some_and(|cap| (cap.applies)(&key));
            let value = self.value(depth + 1, capped)?;
            map.insert(key, value);
        }
    }

    fn array(&mut self, depth: usize, capped: bool) -> Result<Value, ParseError> {
        self.pos += 1; // '['
        let cap = self.cap.filter(|_| capped);
        let mut items = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut fate = Fate::Open;
        loop {
            self.skip_separators();
            match self.peek() {
                Some(']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(ParseError(self.pos)),
                Some(_) => {
                    let item = self.value(depth + 1, false)?;
                    let Some(cap) = cap else {
                        items.push(item);
                        continue;
                    };
                    match ((cap.key_of)(&item), &fate) {
                        (_, Fate::Sealed) | (Some(_), Fate::OverLimit) => {}
                        (None, _) => {
                            items.push(item);
                            fate = Fate::Sealed;
                        }
                        (Some(key), Fate::Open) => {
                            seen.insert(key.to_ascii_lowercase());
                            items.push(item);
                            if seen.len() > cap.limit {
                                fate = Fate::OverLimit;
                            }
                        }
                    }
                }
            }
        }
    }

    fn skip_separators(&mut self) {
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_whitespace() || *c == ',' || *c == ';')
        {
            self.bump(c);
        }
    }

    fn colon(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(':') => self.pos += 1,
            Some('=') => {
                self.pos += 1;
                if self.peek() == Some('>') {
                    self.pos += 1;
                }
            }
            _ => return Err(ParseError(self.pos)),
        }
        Ok(())
    }

    fn quoted(&mut self, quote: char) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError(self.pos));
            };
            self.bump(c);
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(ParseError(self.pos));
                    };
                    self.bump(e);
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let code = self
                                .text
                                .get(self.pos..self.pos + 4)
                                .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                                .ok_or(ParseError(self.pos))?;
                            self.pos += 4;
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn bare(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(
                c,
                ',' | ':' | ']' | '}' | '[' | '{' | ';' | '=' | '"' | '\''
            ) {
                break;
            }
            self.bump(c);
        }
        let word = self.text.get(start..self.pos).unwrap_or_default().trim();
        if word.is_empty() {
            return Err(ParseError(self.pos));
        }
        Ok(word.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_strict_json_with_scalars_as_strings() {
        let v = parse(r#"{"a":{"b":1,"c":true,"d":null,"e":[1,"x"]}}"#).unwrap();
        assert_eq!(v, json!({"a":{"b":"1","c":"true","d":null,"e":["1","x"]}}));
    }

    #[test]
    fn reads_python_reprs() {
        let v = parse("{'operation': {'Details': {'ISAPIUSER': True, 'X': None, 'N': 'it''s'}}}");
        assert!(v.is_err(), "adjacent quoted strings are not one string");
        let v = parse("{'operation': {'Details': {'ISAPIUSER': True, 'X': None}}}").unwrap();
        assert_eq!(
            v,
            json!({"operation":{"Details":{"ISAPIUSER":"true","X":null}}})
        );
    }

    #[test]
    fn reads_unquoted_keys_missing_and_trailing_commas() {
        let v = parse("{ operation : { Details : { REASON : 'x' \n TICKETID:\"7\", } } }").unwrap();
        assert_eq!(
            v,
            json!({"operation":{"Details":{"REASON":"x","TICKETID":"7"}}})
        );
    }

    #[test]
    fn non_ascii_text_is_read_by_characters() {
        let v = parse("{'n': 'Grüße', kéy: café , 'u': '\\u00e9x'}").unwrap();
        assert_eq!(v, json!({"n": "Grüße", "kéy": "café", "u": "éx"}));
        assert!(parse("{'u': '\\u00'}").is_err());
        assert!(parse("{'u': '\\u00é'}").is_err());
    }

    fn label(item: &Value) -> Option<String> {
        item.get("L").and_then(Value::as_str).map(str::to_owned)
    }

    fn capped(text: &str) -> Result<Value, ParseError> {
        let cap = Cap {
            applies: &|key| key == "F",
            key_of: &label,
            limit: 2,
        };
        parse_capped(text, &cap)
    }

    #[test]
    fn a_capped_array_keeps_what_decides_its_verdict() {
        // Within the limit, and repeated keys: everything is kept.
        let v = capped("{F:[{L:a},{L:A},{L:b},{L:a}], G:[{L:x},{L:y},{L:z}]}").unwrap();
        assert_eq!(v["F"].as_array().map(Vec::len), Some(4));
        assert_eq!(v["G"].as_array().map(Vec::len), Some(3), "G is not capped");
        // Over the limit: up to the first entry over it, then only a later keyless entry.
        let v = capped("{F:[{L:a},{L:b},{L:c},{L:d},{L:a},{X:1},{X:2},{L:e}]}").unwrap();
        assert_eq!(v["F"], json!([{"L":"a"},{"L":"b"},{"L":"c"},{"X":"1"}]));
        // A keyless entry seals the array at once.
        let v = capped("{F:[{L:a},{X:1},{L:b},{L:c},{L:d}]}").unwrap();
        assert_eq!(v["F"], json!([{"L":"a"},{"X":"1"}]));
        // Dropped entries are still read: bad syntax after them is refused.
        assert!(capped("{F:[{L:a},{L:b},{L:c},{L:d},{L:}]}").is_err());
        let many = format!("{{F:[{}]}}", "{L:q},".repeat(100_000));
        let v = capped(&many).unwrap();
        assert_eq!(v["F"].as_array().map(Vec::len), Some(100_000));
    }

    #[test]
    fn refuses_unterminated_and_too_deep_input() {
        assert!(parse("{\"a\":\"b").is_err());
        assert!(parse("{\"a\":").is_err());
        assert!(parse("").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
        assert!(parse("{} extra").is_err());
    }
}
