//! A lenient JSON reader in the spirit of `org.json` (what PMP parses INPUT_DATA with).
//!
//! Real clients send Python reprs (`{'operation': {'Details': {'X': True}}}`) and hand-typed
//! curl bodies, so besides JSON this accepts single-quoted strings, unquoted keys and values,
//! `=`/`=>` for `:`, `;` for `,`, missing or trailing commas and Python's `True`/`False`/`None`.
//! Every scalar except `null` becomes a JSON string: PMP reads every field as a string.

use serde_json::{Map, Value};

/// Why the text is not even leniently JSON (position in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub usize);

/// Parse `text` leniently.
///
/// # Errors
/// [`ParseError`] with the position where reading stopped.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser { chars, pos: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(ParseError(p.pos));
    }
    Ok(value)
}

const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError(self.pos));
        }
        self.skip_ws();
        match self.peek() {
            Some('{') => self.object(depth),
            Some('[') => self.array(depth),
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
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                None => return Err(ParseError(self.pos)),
                Some(q @ ('"' | '\'')) => {
                    let key = self.quoted(q)?;
                    self.colon()?;
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                }
                Some(_) => {
                    let key = self.bare()?;
                    self.colon()?;
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            match self.peek() {
                Some(']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(ParseError(self.pos)),
                Some(_) => items.push(self.value(depth + 1)?),
            }
        }
    }

    fn skip_separators(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c.is_whitespace() || c == ',' || c == ';')
        {
            self.pos += 1;
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
            self.pos += 1;
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(ParseError(self.pos));
                    };
                    self.pos += 1;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex: String = self.chars.iter().skip(self.pos).take(4).collect();
                            let code = u32::from_str_radix(&hex, 16)
                                .ok()
                                .filter(|_| hex.len() == 4)
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
            self.pos += 1;
        }
        let word: String = self
            .chars
            .get(start..self.pos)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        let word = word.trim().to_owned();
        if word.is_empty() {
            return Err(ParseError(self.pos));
        }
        Ok(word)
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
    fn refuses_unterminated_and_too_deep_input() {
        assert!(parse("{\"a\":\"b").is_err());
        assert!(parse("{\"a\":").is_err());
        assert!(parse("").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
        assert!(parse("{} extra").is_err());
    }
}
