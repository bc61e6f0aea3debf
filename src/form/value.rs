//! Form data: field names to values, built in Rust or read from JSON.
//!
//! JSON form data is one object whose keys are full field names:
//!
//! ```json
//! {
//!     "nguoi_nop.ho_ten": "Nguyễn Thị Hương",
//!     "dong_y": true,
//!     "gioi_tinh": "Nu",
//!     "tinh_thanh": "Huế",
//!     "giay_to": ["CCCD", "So ho khau"]
//! }
//! ```
//!
//! Strings fill text fields and choose an option; `true`/`false` turn a check box on or off
//! (an export value string works too); an export value chooses a radio button; an array
//! chooses several options of a multi-select list. A key given twice, `null`, numbers and
//! objects are problems reported with the others when the data is applied.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::error::{FormError, Problem, ProblemKind};

/// Largest form data accepted, in bytes (16 MiB).
pub const MAX_DATA_BYTES: usize = 16 << 20;

/// Most values in one form data set.
pub const MAX_VALUES: usize = 100_000;

/// A value for one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FieldValue {
    /// Text of a text field; the option of a combo box or list box (export value or
    /// displayed text); the export value of a check box or radio button.
    Text(String),
    /// A check box on (`true`) or off (`false`); `false` also clears a radio group.
    Bool(bool),
    /// The options of a multi-select list box.
    List(Vec<String>),
}

impl From<&str> for FieldValue {
    fn from(s: &str) -> Self {
        FieldValue::Text(s.to_string())
    }
}

impl From<String> for FieldValue {
    fn from(s: String) -> Self {
        FieldValue::Text(s)
    }
}

impl From<bool> for FieldValue {
    fn from(b: bool) -> Self {
        FieldValue::Bool(b)
    }
}

impl From<Vec<String>> for FieldValue {
    fn from(v: Vec<String>) -> Self {
        FieldValue::List(v)
    }
}

impl From<Vec<&str>> for FieldValue {
    fn from(v: Vec<&str>) -> Self {
        FieldValue::List(v.into_iter().map(str::to_string).collect())
    }
}

/// One entry of the data: a usable value, or the JSON type that cannot be one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Value(FieldValue),
    BadType(&'static str),
}

/// Values for form fields, by full field name, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    entries: Vec<(String, Entry)>,
    /// Keys the JSON data repeated.
    repeated: Vec<String>,
}

impl FormValues {
    /// No values.
    pub fn new() -> Self {
        FormValues::default()
    }

    /// Sets the value of field `name` (its full name), replacing an earlier value.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<FieldValue>) -> &mut Self {
        let name = name.into();
        let entry = Entry::Value(value.into());
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = entry,
            None => self.entries.push((name, entry)),
        }
        self
    }

    /// [`FormValues::set`] for chaining.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<FieldValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Reads JSON form data (see the [module documentation](crate::form)). Syntax errors and a
    /// top level that is not an object are errors at once; a key given twice and values of
    /// the wrong type are kept and reported, with every other problem, when the data is
    /// applied.
    pub fn from_json(bytes: &[u8]) -> Result<FormValues, FormError> {
        if bytes.len() > MAX_DATA_BYTES {
            return Err(FormError::DataTooLarge {
                len: bytes.len(),
                limit: MAX_DATA_BYTES,
            });
        }
        let syntax = |e: serde_json::Error| FormError::InvalidJson {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        };
        // First as a plain value, for syntax errors and the top-level type.
        let top: serde_json::Value = serde_json::from_slice(bytes).map_err(syntax)?;
        if !top.is_object() {
            return Err(FormError::NotAnObject {
                found: json_kind(&top),
            });
        }
        // Then in order, keeping repeated keys.
        let ordered: Ordered = serde_json::from_slice(bytes).map_err(syntax)?;
        let mut out = FormValues::new();
        for (name, value) in ordered.0 {
            if out.entries.iter().any(|(n, _)| *n == name) {
                if !out.repeated.contains(&name) {
                    out.repeated.push(name);
                }
                continue;
            }
            out.entries.push((name, entry_of(value)));
        }
        Ok(out)
    }

    /// Number of fields given.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no field is given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The usable values, in order (values of a wrong JSON type left out).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FieldValue)> {
        self.entries.iter().filter_map(|(n, e)| match e {
            Entry::Value(v) => Some((n.as_str(), v)),
            Entry::BadType(_) => None,
        })
    }

    pub(crate) fn entries(&self) -> &[(String, Entry)] {
        &self.entries
    }

    /// Problems found while reading the data (repeated keys).
    pub(crate) fn reading_problems(&self) -> Vec<Problem> {
        self.repeated
            .iter()
            .map(|n| Problem::new(n.clone(), ProblemKind::GivenTwice))
            .collect()
    }
}

impl<K: Into<String>, V: Into<FieldValue>> FromIterator<(K, V)> for FormValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = FormValues::new();
        for (k, v) in iter {
            out.set(k, v);
        }
        out
    }
}

fn entry_of(value: serde_json::Value) -> Entry {
    use serde_json::Value;
    match value {
        Value::String(s) => Entry::Value(FieldValue::Text(s)),
        Value::Bool(b) => Entry::Value(FieldValue::Bool(b)),
        Value::Array(items) => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => list.push(s),
                    other => {
                        return Entry::BadType(match other {
                            Value::Null => "an array holding null",
                            Value::Bool(_) => "an array holding a boolean",
                            Value::Number(_) => "an array holding a number",
                            Value::Array(_) => "an array holding an array",
                            _ => "an array holding an object",
                        })
                    }
                }
            }
            Entry::Value(FieldValue::List(list))
        }
        other => Entry::BadType(json_kind(&other)),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its " at line L column C" suffix (reported separately).
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_string(),
        None => msg.to_string(),
    }
}

/// A JSON object's entries in order, repeated keys included.
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object mapping field names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    if out.len() >= MAX_VALUES {
                        return Err(de::Error::custom(format!("more than {MAX_VALUES} values")));
                    }
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_order_types_and_repeated_keys() {
        let v = FormValues::from_json(
            r#"{"b": "Nguyễn", "a": true, "c": ["x", "y"], "n": 42, "b": "again", "z": null}"#
                .as_bytes(),
        )
        .unwrap();
        let names: Vec<&str> = v.entries().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["b", "a", "c", "n", "z"]);
        assert_eq!(v.entries()[0].1, Entry::Value("Nguyễn".into()));
        assert_eq!(v.entries()[3].1, Entry::BadType("a number"));
        assert_eq!(v.entries()[4].1, Entry::BadType("null"));
        assert_eq!(
            v.reading_problems(),
            vec![Problem::new("b", ProblemKind::GivenTwice)]
        );
        assert_eq!(v.iter().count(), 3);
    }

    #[test]
    fn syntax_errors_and_wrong_top_level_are_errors() {
        match FormValues::from_json(b"{\n  \"a\": \"x\",\n  \"b\" 1\n}") {
            Err(FormError::InvalidJson { line, column, .. }) => {
                assert_eq!(line, 3);
                assert!(column > 0);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            FormValues::from_json(b"[1, 2]"),
            Err(FormError::NotAnObject { found: "an array" })
        ));
    }

    #[test]
    fn set_replaces() {
        let v = FormValues::new().with("a", "1").with("a", true);
        assert_eq!(v.len(), 1);
        assert_eq!(v.iter().next(), Some(("a", &FieldValue::Bool(true))));
    }
}
