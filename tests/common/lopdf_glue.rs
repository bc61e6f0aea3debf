//! Glue standing in for our reader in tests: where a file's last cross-reference section is,
//! what kind it is, and its trailer (read with lopdf), to start an [`IncrementalUpdate`].

use kyso::pdf::{Dict, Name, ObjRef, Object, PdfString};
use kyso::pdf::{IncrementalUpdate, XrefStyle};

/// The value after the last `startxref`.
pub fn last_startxref(pdf: &[u8]) -> u64 {
    let at = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref present");
    let digits: String = pdf[at + 9..]
        .iter()
        .map(|&b| b as char)
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

/// The kind of the cross-reference section at `startxref`.
pub fn section_style(pdf: &[u8], startxref: u64) -> XrefStyle {
    if pdf[startxref as usize..].starts_with(b"xref") {
        XrefStyle::Table
    } else {
        XrefStyle::Stream
    }
}

/// A lopdf object as ours (no streams).
pub fn from_lopdf(o: &lopdf::Object) -> Object {
    match o {
        lopdf::Object::Null => Object::Null,
        lopdf::Object::Boolean(b) => Object::Bool(*b),
        lopdf::Object::Integer(i) => Object::Integer(*i),
        lopdf::Object::Real(r) => Object::Real(f64::from(*r)),
        lopdf::Object::Name(n) => Object::Name(Name::new(n.clone())),
        lopdf::Object::String(s, lopdf::StringFormat::Hexadecimal) => {
            Object::String(PdfString::hex(s.clone()))
        }
        lopdf::Object::String(s, _) => Object::String(PdfString::literal(s.clone())),
        lopdf::Object::Array(a) => Object::Array(a.iter().map(from_lopdf).collect()),
        lopdf::Object::Dictionary(d) => Object::Dict(dict_from_lopdf(d)),
        lopdf::Object::Reference((n, g)) => Object::Reference(ObjRef::new(*n, *g)),
        other => panic!("unexpected object in a trailer or test dictionary: {other:?}"),
    }
}

/// A lopdf dictionary as ours.
pub fn dict_from_lopdf(d: &lopdf::Dictionary) -> Dict {
    let mut out = Dict::new();
    for (k, v) in d.iter() {
        out.set(Name::new(k.clone()), from_lopdf(v));
    }
    out
}

/// Starts an update of `pdf` the way the signing code will, with lopdf reading the trailer.
pub fn begin_update(pdf: &[u8]) -> (IncrementalUpdate, lopdf::Document) {
    let doc = lopdf::Document::load_mem(pdf).expect("base loads in lopdf");
    let startxref = last_startxref(pdf);
    let style = section_style(pdf, startxref);
    let trailer = dict_from_lopdf(&doc.trailer);
    let ends_with_eol = matches!(pdf.last(), Some(b'\n' | b'\r'));
    let update =
        IncrementalUpdate::new(pdf.len() as u64, startxref, style, &trailer, ends_with_eol)
            .expect("update starts");
    (update, doc)
}
