//! Form field values as short text for the change records: what a field held before and
//! after a revision filled it.
//!
//! A text string is its text; a name (a button's state, a choice) is written `/Name`; an
//! array (a multi-select list's choices) is its elements in brackets, each quoted; an
//! absent value is the empty text. The result is bounded: past [`MAX_VALUE_CHARS`]
//! characters the text is cut and a marker says how many characters were left out, so a
//! hostile value cannot flood a report.

use crate::pdf::Object;

/// The most characters of a value a change record keeps.
pub const MAX_VALUE_CHARS: usize = 200;

/// The most elements of an array value that are written out.
const MAX_ELEMENTS: usize = 64;

/// `value` as text, cut at [`MAX_VALUE_CHARS`] characters with a marker.
pub fn value_text(value: &Object) -> String {
    let mut out = String::new();
    write_value(&mut out, value, true);
    bounded(out)
}

fn write_value(out: &mut String, value: &Object, top: bool) {
    match value {
        Object::Null => {}
        Object::String(s) if top => out.push_str(&s.to_text()),
        Object::String(s) => {
            out.push('"');
            out.push_str(&s.to_text());
            out.push('"');
        }
        Object::Name(n) => {
            out.push('/');
            out.push_str(&String::from_utf8_lossy(n.as_bytes()));
        }
        Object::Array(items) if top => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i == MAX_ELEMENTS || out.chars().count() > MAX_VALUE_CHARS {
                    out.push_str(", …");
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, false);
            }
            out.push(']');
        }
        other => {
            out.push('(');
            out.push_str(other.kind());
            out.push(')');
        }
    }
}

/// `s` cut at [`MAX_VALUE_CHARS`] characters, with `… [N more characters]` when cut.
fn bounded(s: String) -> String {
    let total = s.chars().count();
    if total <= MAX_VALUE_CHARS {
        return s;
    }
    let mut cut: String = s.chars().take(MAX_VALUE_CHARS).collect();
    cut.push_str(&format!("… [{} more characters]", total - MAX_VALUE_CHARS));
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{Name, PdfString};

    fn text(s: &str) -> Object {
        Object::String(PdfString::text(s))
    }

    #[test]
    fn values_read_as_text() {
        assert_eq!(value_text(&Object::Null), "");
        assert_eq!(value_text(&text("Nguyễn Thị Hương")), "Nguyễn Thị Hương");
        assert_eq!(value_text(&Object::Name(Name::from("Nu"))), "/Nu");
        assert_eq!(
            value_text(&Object::Array(vec![
                text("Căn cước công dân"),
                text("Giấy khai sinh")
            ])),
            "[\"Căn cước công dân\", \"Giấy khai sinh\"]"
        );
        assert_eq!(value_text(&Object::Integer(7)), "(integer)");
    }

    #[test]
    fn long_values_are_cut_with_a_marker() {
        let long = "ễ".repeat(MAX_VALUE_CHARS + 50);
        let t = value_text(&text(&long));
        assert!(t.starts_with(&"ễ".repeat(MAX_VALUE_CHARS)));
        assert!(t.ends_with("… [50 more characters]"), "{t}");
        assert_eq!(t.chars().count(), MAX_VALUE_CHARS + 22);

        let many = Object::Array((0..1000).map(|i| text(&format!("lựa chọn {i}"))).collect());
        let t = value_text(&many);
        assert!(t.chars().count() < MAX_VALUE_CHARS + 40, "{t}");
        assert!(t.contains("more characters]"), "{t}");
    }
}
