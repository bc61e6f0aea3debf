//! How the rules read the values they judge: the one way, resolving and fail-closed.
//!
//! A viewer follows references wherever a value may stand (ISO 32000-2 §7.3.10: any object
//! in a dictionary or array may be an indirect reference), so a rule that reads `/Rect`,
//! `/F`, `/Subtype` or `/FT` as written would see "absent" where a viewer sees a value, and
//! an attacker who writes `/Rect 62 0 R` would get a visible widget counted as invisible.
//! Every such read goes through [`View`]: references are followed (within the document's
//! reference-chain budget), arrays element by element, and a value that is present but
//! cannot be read as the expected type comes back as [`Read::Bad`], for the caller to count
//! as visible, changed or not allowed — never as absent.
//!
//! The rules (`rules.rs`, `mdp.rs`) do not call the raw accessors of [`Dict`] and [`Object`]
//! (`get_name`, `get_int`, `as_array`, …); a unit test below reads their source and fails
//! if one appears, so that the next rule cannot bring the bug back.

use crate::pdf::{Dict, Document, Object, Source};

/// A value as a rule reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Read<T> {
    /// The key is absent (or its value is `null`, which ISO 32000-2 §7.3.9 makes the same).
    Absent,
    /// The value, of the expected type.
    Value(T),
    /// Present, but not readable as the expected type (or a reference that could not be
    /// followed): fail closed.
    Bad,
}

impl<T> Read<T> {
    /// The value, if it was read.
    pub(super) fn value(self) -> Option<T> {
        match self {
            Read::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// An annotation's `/Rect` as a viewer would draw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Area {
    /// No `/Rect` (the key is required, §12.5.2): MuPDF still draws the appearance.
    Absent,
    /// Four numbers spanning this area (possibly zero).
    Of(f64),
    /// A `/Rect` that is not four numbers: some viewer may still draw it.
    Unreadable,
}

/// Annotation flags that keep an annotation off the screen (§12.5.3): Hidden (bit 2) and
/// NoView (bit 6).
const NOT_SHOWN: i64 = 2 | 32;

/// Revision `rev` of `doc`, for reading values.
pub(super) struct View<'a, S: Source> {
    doc: &'a Document<S>,
    rev: usize,
}

impl<S: Source> Clone for View<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Source> Copy for View<'_, S> {}

impl<'a, S: Source> View<'a, S> {
    /// Values as revision `rev` of `doc` has them.
    pub(super) fn new(doc: &'a Document<S>, rev: usize) -> Self {
        View { doc, rev }
    }

    /// `o` with references followed; `None` when a reference cannot be followed (a budget,
    /// an unreadable object).
    pub(super) fn resolve(&self, o: &Object) -> Option<Object> {
        match o {
            Object::Reference(_) => self.doc.resolve(self.rev, o).ok(),
            direct => Some(direct.clone()),
        }
    }

    /// `/key` of `d`, resolved: absent (or null), or the direct value, or `Bad` when a
    /// reference could not be followed.
    pub(super) fn value(&self, d: &Dict, key: &[u8]) -> Read<Object> {
        match d.get(key).map(|o| self.resolve(o)) {
            None | Some(Some(Object::Null)) => Read::Absent,
            Some(Some(o)) => Read::Value(o),
            Some(None) => Read::Bad,
        }
    }

    fn typed<T>(&self, d: &Dict, key: &[u8], f: impl FnOnce(Object) -> Option<T>) -> Read<T> {
        match self.value(d, key) {
            Read::Value(o) => f(o).map_or(Read::Bad, Read::Value),
            Read::Absent => Read::Absent,
            Read::Bad => Read::Bad,
        }
    }

    /// `/key` as a name.
    pub(super) fn name(&self, d: &Dict, key: &[u8]) -> Read<Vec<u8>> {
        self.typed(d, key, |o| match o {
            Object::Name(n) => Some(n.as_bytes().to_vec()),
            _ => None,
        })
    }

    /// True when `/key` is the name `want` (read as [`View::name`]).
    pub(super) fn name_is(&self, d: &Dict, key: &[u8], want: &[u8]) -> bool {
        matches!(self.name(d, key), Read::Value(n) if n == want)
    }

    /// `/key` as an integer.
    pub(super) fn int(&self, d: &Dict, key: &[u8]) -> Read<i64> {
        self.typed(d, key, |o| match o {
            Object::Integer(i) => Some(i),
            _ => None,
        })
    }

    /// `/key` as a boolean.
    pub(super) fn boolean(&self, d: &Dict, key: &[u8]) -> Read<bool> {
        self.typed(d, key, |o| match o {
            Object::Bool(b) => Some(b),
            _ => None,
        })
    }

    /// `/key` as a dictionary (a stream's dictionary does not count).
    pub(super) fn dict(&self, d: &Dict, key: &[u8]) -> Read<Dict> {
        self.typed(d, key, |o| match o {
            Object::Dict(d) => Some(d),
            _ => None,
        })
    }

    /// `o` (an element or a value) as a dictionary, resolved.
    pub(super) fn dict_of(&self, o: &Object) -> Option<Dict> {
        match self.resolve(o)? {
            Object::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// `/key` as an array, each element resolved; `Bad` when it is another type or an
    /// element cannot be followed. At most the tree-node budget of elements.
    pub(super) fn array(&self, d: &Dict, key: &[u8]) -> Read<Vec<Object>> {
        match self.value(d, key) {
            Read::Value(Object::Array(items)) => {
                if items.len() > self.doc.budget().max_tree_nodes {
                    return Read::Bad;
                }
                let resolved: Option<Vec<Object>> = items.iter().map(|i| self.resolve(i)).collect();
                resolved.map_or(Read::Bad, Read::Value)
            }
            Read::Value(_) | Read::Bad => Read::Bad,
            Read::Absent => Read::Absent,
        }
    }

    /// `/key` as an array of elements kept as written (references stay references), for
    /// rules that follow each element themselves.
    pub(super) fn elements(&self, d: &Dict, key: &[u8]) -> Read<Vec<Object>> {
        self.typed(d, key, |o| match o {
            Object::Array(items) => Some(items),
            _ => None,
        })
    }

    /// `/key` as an array of numbers.
    pub(super) fn numbers(&self, d: &Dict, key: &[u8]) -> Read<Vec<f64>> {
        match self.array(d, key) {
            Read::Value(items) => items
                .iter()
                .map(Object::as_number)
                .collect::<Option<Vec<f64>>>()
                .map_or(Read::Bad, Read::Value),
            Read::Absent => Read::Absent,
            Read::Bad => Read::Bad,
        }
    }

    /// The area of the annotation `d`'s `/Rect`.
    pub(super) fn area(&self, d: &Dict) -> Area {
        match self.numbers(d, b"Rect") {
            Read::Absent => Area::Absent,
            Read::Value(n) => match n.as_slice() {
                [x1, y1, x2, y2] => Area::Of(((x2 - x1) * (y2 - y1)).abs()),
                _ => Area::Unreadable,
            },
            Read::Bad => Area::Unreadable,
        }
    }

    /// True when a viewer may draw the annotation `d`: a `/Rect` with an area, or one that
    /// cannot be read or is missing (MuPDF draws a widget without `/Rect`), and flags that
    /// do not hide it (flags that cannot be read hide nothing).
    pub(super) fn shown(&self, d: &Dict) -> bool {
        let placed = match self.area(d) {
            Area::Of(a) => a > 0.0,
            Area::Absent | Area::Unreadable => true,
        };
        // Flags outside 32 bits are not flags to every viewer (poppler then takes none):
        // they hide nothing.
        let hidden = match self.int(d, b"F") {
            Read::Value(f) if i32::try_from(f).is_ok() => f & NOT_SHOWN != 0,
            Read::Value(_) | Read::Absent | Read::Bad => false,
        };
        placed && !hidden
    }
}

/// `/key` of `d` as written, references not followed: only for questions about the form
/// of the file itself (is this entry a reference, and to which object; is a key present),
/// never for what a value means.
pub(super) fn written<'d>(d: &'d Dict, key: &[u8]) -> Option<&'d Object> {
    d.get(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules must not read values with the raw accessors: each of these would see an
    /// indirect value as absent or as the wrong type.
    #[test]
    fn the_rules_read_values_only_through_the_view() {
        const RAW: &[&str] = &[
            ".get_name(",
            ".get_int(",
            ".as_array(",
            ".as_name(",
            ".as_number(",
            ".as_int(",
            ".as_dict(",
            ".get(b\"",
            ".contains(b\"",
            ".is_type(",
        ];
        for (file, src) in [
            ("rules.rs", include_str!("rules.rs")),
            ("mdp.rs", include_str!("mdp.rs")),
        ] {
            let code = src.split("#[cfg(test)]").next().unwrap_or(src);
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or("");
                for raw in RAW {
                    assert!(
                        !line.contains(raw),
                        "{file}:{}: `{raw}` reads a value without resolving it; use \
                         read::View",
                        n + 1
                    );
                }
            }
        }
    }

    fn doc(objects: &[&str]) -> Document<Vec<u8>> {
        Document::open(crate::pdf::testing::classic(objects, "")).unwrap()
    }

    #[test]
    fn indirect_values_are_followed_and_wrong_types_are_bad() {
        // ISO 32000-2 §7.3.10: any value may be an indirect reference.
        let d = doc(&["<< /Type /Catalog >>", "[10 20 110 70]", "20", "/Widget"]);
        let v = View::new(&d, 0);
        let mut w = Dict::new();
        w.set("Rect", Object::Reference(crate::pdf::ObjRef::new(2, 0)));
        w.set("Subtype", Object::Reference(crate::pdf::ObjRef::new(4, 0)));
        assert_eq!(v.area(&w), Area::Of(5000.0));
        assert!(v.name_is(&w, b"Subtype", b"Widget"));
        assert!(v.shown(&w));

        let mut w = Dict::new();
        w.set(
            "Rect",
            Object::Array(vec![
                Object::Integer(0),
                Object::Reference(crate::pdf::ObjRef::new(3, 0)),
                Object::Integer(100),
                Object::Integer(100),
            ]),
        );
        assert_eq!(v.area(&w), Area::Of(8000.0));

        // Five numbers, a string, a name: not a rectangle, so possibly drawn.
        let mut w = Dict::new();
        w.set("Rect", Object::Array((0..5).map(Object::Integer).collect()));
        assert_eq!(v.area(&w), Area::Unreadable);
        assert!(v.shown(&w));
        w.set("Rect", Object::Name("R".into()));
        assert!(v.shown(&w));

        // Hidden only with a readable flag; an unreadable one hides nothing.
        w.set(
            "Rect",
            Object::Array((1..=4).map(Object::Integer).collect()),
        );
        w.set("F", Object::Integer(2));
        assert!(!v.shown(&w));
        w.set("F", Object::Real(2.0));
        assert!(v.shown(&w));
        w.set("F", Object::Reference(crate::pdf::ObjRef::new(3, 0)));
        assert!(
            v.shown(&w),
            "20 (Print, NoRotate) has neither bit 2 nor bit 32 set"
        );
        assert_eq!(v.int(&w, b"F"), Read::Value(20));

        // Flags beyond 32 bits: poppler takes none of them (2^32 + 2 is not "hidden").
        w.set("F", Object::Integer((1i64 << 32) + 2));
        assert!(v.shown(&w));
        w.set("F", Object::Integer(-(1i64 << 32) + 2));
        assert!(v.shown(&w));
        w.set("F", Object::Integer(-1));
        assert!(!v.shown(&w), "-1 has every bit set, Hidden among them");

        // No /Rect: MuPDF still draws the widget's appearance.
        let w = Dict::new();
        assert_eq!(v.area(&w), Area::Absent);
        assert!(v.shown(&w));
    }
}
