//! Single mutations generated from the object graph: for every dictionary and array of
//! every object the walk reached, every key or element is removed, changed (type-aware),
//! made indirect, made direct, given the wrong type, and arrays get one element too few or
//! too many; display-relevant keys from a small vocabulary are added where missing.
//!
//! Nothing here knows the cases the difference analysis is known to miss: the list is
//! the product of the graph and these operations, in the walk's order.

use std::collections::BTreeSet;

use kyso::pdf::{Dict, Name, ObjRef, Object, PdfString};

use super::graph::{new_stream, rect_of, Snapshot};

/// First object number used as a placeholder for objects a mutation adds; renumbered to
/// the document's `/Size` and up when the update is written.
const PLACEHOLDER: u32 = 3_000_000_000;
/// Elements of one array mutated one by one (the first ones; long arrays such as glyph
/// widths would otherwise dominate the list).
const MAX_ELEMENTS: usize = 6;
/// Deepest nesting of direct dictionaries and arrays walked into.
const MAX_DEPTH: usize = 6;

/// One step from an object to a nested container.
#[derive(Clone, Debug)]
pub enum Step {
    /// A dictionary entry.
    Key(Vec<u8>),
    /// An array element.
    Index(usize),
}

/// What a mutation does at its place.
#[derive(Clone, Debug)]
pub enum Op {
    /// The dictionary entry is removed.
    Remove(Vec<u8>),
    /// The entry, element or whole object gets this value.
    Set(Slot, Object),
    /// The array loses its last element.
    Pop,
    /// The array gets one more element.
    Push(Object),
}

/// A place inside a container.
#[derive(Clone, Debug)]
pub enum Slot {
    /// A dictionary entry.
    Key(Vec<u8>),
    /// An array element.
    Index(usize),
    /// The object itself (a top-level number, name, …).
    Whole,
}

/// One mutation of one object of one variant.
#[derive(Clone, Debug)]
pub struct Mutation {
    /// Stable identifier: `base/seed/obj N/path/op`.
    pub id: String,
    /// The variant (base or seed) it applies to.
    pub variant: usize,
    /// The object redefined.
    pub obj: u32,
    /// From the object to the container changed.
    pub path: Vec<Step>,
    /// The change.
    pub op: Op,
    /// Objects the update adds (placeholders `PLACEHOLDER + k` in `op`).
    pub new_objects: Vec<Object>,
    /// What the changed container is (`widget`, `page`, `font`, …).
    pub category: String,
    /// The mutation without object numbers and indices: `category:key path/op`.
    pub group: String,
    /// For a change of a field's value (`/V`): the rectangles of its widgets, where a
    /// visible difference is form filling.
    pub value_rects: Vec<[f64; 4]>,
}

struct Gen<'a> {
    snap: &'a Snapshot,
    prefix: String,
    variant: usize,
    out: Vec<Mutation>,
}

/// Every mutation of the objects of `snap` (only those in `scope`, when given), ids
/// prefixed with `prefix`.
pub fn generate(
    snap: &Snapshot,
    scope: Option<&BTreeSet<u32>>,
    prefix: &str,
    variant: usize,
) -> Vec<Mutation> {
    let mut g = Gen {
        snap,
        prefix: prefix.to_string(),
        variant,
        out: Vec::new(),
    };
    for &num in &snap.order {
        if scope.is_some_and(|s| !s.contains(&num)) {
            continue;
        }
        match &snap.objects[&num] {
            Object::Dict(d) => g.dict(num, &[], d, None, 0),
            Object::Stream(s) => g.dict(num, &[], &s.dict, None, 0),
            Object::Array(a) => g.array(num, &[], a, None, 0),
            other => {
                let cat = "value".to_string();
                for (label, v) in changes(b"", other) {
                    g.push(
                        num,
                        &[],
                        Op::Set(Slot::Whole, v),
                        vec![],
                        &cat,
                        &label,
                        vec![],
                    );
                }
                if let Some(v) = wrong_type(other) {
                    g.push(
                        num,
                        &[],
                        Op::Set(Slot::Whole, v),
                        vec![],
                        &cat,
                        "type",
                        vec![],
                    );
                }
            }
        }
    }
    g.out
}

fn key_str(k: &[u8]) -> String {
    String::from_utf8_lossy(k).into_owned()
}

fn path_str(path: &[Step], with_indices: bool) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                s.push('/');
                s.push_str(&key_str(k));
            }
            Step::Index(i) if with_indices => s.push_str(&format!("[{i}]")),
            Step::Index(_) => s.push_str("[]"),
        }
    }
    s
}

fn slot_str(slot: &Slot, with_indices: bool) -> String {
    match slot {
        Slot::Key(k) => format!("/{}", key_str(k)),
        Slot::Index(i) if with_indices => format!("[{i}]"),
        Slot::Index(_) => "[]".to_string(),
        Slot::Whole => "/=".to_string(),
    }
}

impl Gen<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        obj: u32,
        path: &[Step],
        op: Op,
        new_objects: Vec<Object>,
        category: &str,
        label: &str,
        value_rects: Vec<[f64; 4]>,
    ) {
        let slot = match &op {
            Op::Remove(k) => slot_str(&Slot::Key(k.clone()), true),
            Op::Set(s, _) => slot_str(s, true),
            Op::Pop | Op::Push(_) => String::new(),
        };
        let slot_group = match &op {
            Op::Remove(k) => slot_str(&Slot::Key(k.clone()), false),
            Op::Set(s, _) => slot_str(s, false),
            Op::Pop | Op::Push(_) => String::new(),
        };
        let id = format!(
            "{}/obj {obj}{}{slot}/{label}",
            self.prefix,
            path_str(path, true)
        );
        let mut keys = format!("{}{slot_group}", path_str(path, false));
        if keys.starts_with('/') {
            keys.remove(0);
        }
        let group = format!("{category}:{keys}/{label}");
        self.out.push(Mutation {
            id,
            variant: self.variant,
            obj,
            path: path.to_vec(),
            op,
            new_objects,
            category: category.to_string(),
            group,
            value_rects,
        });
    }

    /// The operations on one value at `slot` of the container at `path`.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        obj: u32,
        path: &[Step],
        slot: Slot,
        key: &[u8],
        v: &Object,
        cat: &str,
        value_rects: &[[f64; 4]],
    ) {
        let rects = || value_rects.to_vec();
        if let Slot::Key(k) = &slot {
            self.push(
                obj,
                path,
                Op::Remove(k.clone()),
                vec![],
                cat,
                "del",
                rects(),
            );
        }
        for (label, nv) in changes(key, v) {
            self.push(
                obj,
                path,
                Op::Set(slot.clone(), nv),
                vec![],
                cat,
                &label,
                rects(),
            );
        }
        match v {
            Object::Reference(r) => {
                if let Some(target) = self.snap.objects.get(&r.num) {
                    if !matches!(target, Object::Stream(_)) {
                        let op = Op::Set(slot.clone(), target.clone());
                        self.push(obj, path, op, vec![], cat, "direct", rects());
                    }
                }
            }
            Object::Null | Object::Stream(_) => {}
            other => {
                let op = Op::Set(slot.clone(), placeholder(0));
                self.push(obj, path, op, vec![other.clone()], cat, "ind", rects());
            }
        }
        if let Some(nv) = wrong_type(v) {
            self.push(
                obj,
                path,
                Op::Set(slot.clone(), nv),
                vec![],
                cat,
                "type",
                rects(),
            );
        }
    }

    fn dict(&mut self, obj: u32, path: &[Step], d: &Dict, parent_key: Option<&[u8]>, depth: usize) {
        let cat = category(d, parent_key);
        for (k, v) in d.iter() {
            let key = k.as_bytes().to_vec();
            let value_rects = if key == b"V" && matches!(cat.as_str(), "widget" | "field") {
                self.widget_rects(d)
            } else {
                Vec::new()
            };
            self.value(
                obj,
                path,
                Slot::Key(key.clone()),
                &key,
                v,
                &cat,
                &value_rects,
            );
            if depth < MAX_DEPTH {
                let mut sub = path.to_vec();
                sub.push(Step::Key(key.clone()));
                match v {
                    Object::Dict(nd) => self.dict(obj, &sub, nd, Some(&key), depth + 1),
                    Object::Array(a) => self.array(obj, &sub, a, Some(&key), depth + 1),
                    _ => {}
                }
            }
        }
        for (key, value, new_objects) in additions(&cat) {
            if !d.contains(key.as_bytes()) {
                let op = Op::Set(Slot::Key(key.as_bytes().to_vec()), value);
                self.push(obj, path, op, new_objects, &cat, "add", vec![]);
            }
        }
    }

    fn array(&mut self, obj: u32, path: &[Step], a: &[Object], key: Option<&[u8]>, depth: usize) {
        let cat = match key {
            Some(k) => format!("{}-array", key_str(k).to_lowercase()),
            None => "array".to_string(),
        };
        let key = key.unwrap_or(b"");
        if !a.is_empty() {
            self.push(obj, path, Op::Pop, vec![], &cat, "len-", vec![]);
        }
        let extra = a.last().cloned().unwrap_or(Object::Integer(0));
        self.push(obj, path, Op::Push(extra), vec![], &cat, "len+", vec![]);
        for (i, v) in a.iter().enumerate().take(MAX_ELEMENTS) {
            self.value(obj, path, Slot::Index(i), key, v, &cat, &[]);
            if depth < MAX_DEPTH {
                let mut sub = path.to_vec();
                sub.push(Step::Index(i));
                match v {
                    Object::Dict(nd) => self.dict(obj, &sub, nd, None, depth + 1),
                    Object::Array(na) => self.array(obj, &sub, na, Some(key), depth + 1),
                    _ => {}
                }
            }
        }
    }

    /// The rectangles of a field's widgets: its own `/Rect` (merged) or its kids'.
    fn widget_rects(&self, d: &Dict) -> Vec<[f64; 4]> {
        let mut out = Vec::new();
        if let Some(r) = d.get(b"Rect").and_then(|r| rect_of(self.snap, r)) {
            out.push(r);
        }
        if let Some(kids) = d.get(b"Kids").map(|k| self.snap.deref(k)) {
            for kid in kids.as_array().unwrap_or(&[]) {
                if let Some(r) = self
                    .snap
                    .dict(kid)
                    .and_then(|k| k.get(b"Rect"))
                    .and_then(|r| rect_of(self.snap, r))
                {
                    out.push(r);
                }
            }
        }
        out
    }
}

fn placeholder(k: u32) -> Object {
    Object::Reference(ObjRef::new(PLACEHOLDER + k, 0))
}

fn name(s: &str) -> Object {
    Object::Name(Name::from(s))
}

fn string(s: &[u8]) -> Object {
    Object::String(PdfString::literal(s.to_vec()))
}

fn nums(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|n| Object::Real(*n)).collect())
}

/// What a dictionary is, for grouping.
fn category(d: &Dict, parent_key: Option<&[u8]>) -> String {
    let subtype = d.get_name(b"Subtype");
    let c = match d.get_name(b"Type") {
        Some(b"Catalog") => "catalog",
        Some(b"Pages") => "pages",
        Some(b"Page") => "page",
        Some(b"Font") => "font",
        Some(b"FontDescriptor") => "fontdesc",
        Some(b"XObject") if subtype == Some(b"Image") => "image",
        Some(b"XObject") => "xobject",
        Some(b"Annot") if subtype == Some(b"Widget") => "widget",
        Some(b"Annot") => "annot",
        Some(b"OCG") => "ocg",
        _ if d.contains(b"Fields") => "acroform",
        _ if subtype == Some(b"Widget") => "widget",
        _ if d.contains(b"FT") || (d.contains(b"T") && d.contains(b"Kids")) => "field",
        _ if subtype == Some(b"Form") => "xobject",
        _ if d.contains(b"Rect") => "annot",
        _ if d.contains(b"BaseFont") => "font",
        _ if d.contains(b"T") && (d.contains(b"V") || d.contains(b"Parent")) => "field",
        _ => "",
    };
    if !c.is_empty() {
        return c.to_string();
    }
    match parent_key {
        Some(k) => key_str(k).to_lowercase(),
        None => "dict".to_string(),
    }
}

/// Type-aware changes of a value: `(label, new value)`.
fn changes(key: &[u8], v: &Object) -> Vec<(String, Object)> {
    match v {
        Object::Integer(n) => vec![
            ("chg+".into(), Object::Integer(n + 37)),
            ("chg0".into(), Object::Integer(if *n != 0 { 0 } else { 4 })),
        ],
        Object::Real(r) => vec![
            ("chg*".into(), Object::Real(r * 1.5 + 10.0)),
            (
                "chg0".into(),
                Object::Real(if *r != 0.0 { 0.0 } else { 4.0 }),
            ),
        ],
        Object::Bool(b) => vec![("chg".into(), Object::Bool(!b))],
        Object::Name(n) => other_names(key, n.as_bytes())
            .into_iter()
            .map(|alt| (format!("chg:{alt}"), name(&alt)))
            .collect(),
        Object::String(s) => {
            let b = &s.bytes;
            let mut out = vec![("chg".into(), string(&[b.as_slice(), b"X"].concat()))];
            let text = String::from_utf8_lossy(b);
            let tokens: Vec<&str> = text.split_whitespace().collect();
            if let Some(tf) = tokens.iter().position(|t| *t == "Tf") {
                if tf >= 1 {
                    let mut sized: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
                    sized[tf - 1] = "40".into();
                    out.push(("chg:da-size".into(), string(sized.join(" ").as_bytes())));
                }
                out.push((
                    "chg:da-colour".into(),
                    string(format!("{text} 1 0 0 rg").as_bytes()),
                ));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Other plausible names for `/key cur`.
fn other_names(key: &[u8], cur: &[u8]) -> Vec<String> {
    let cur_s = key_str(cur);
    let list: Vec<&str> = match (key, cur) {
        (b"Subtype", b"Widget") => vec!["FreeText", "Link"],
        (
            b"Subtype",
            b"Text" | b"Square" | b"Circle" | b"FreeText" | b"Link" | b"Stamp" | b"Ink"
            | b"Highlight",
        ) => vec!["Widget"],
        (b"Subtype", b"Form") => vec!["Image"],
        (b"Subtype", b"Image") => vec!["Form"],
        (b"Subtype", b"Type1" | b"TrueType" | b"Type0") => vec!["Type3"],
        (b"FT", b"Tx") => vec!["Btn", "Sig"],
        (b"FT", b"Btn" | b"Ch") => vec!["Tx"],
        (b"FT", b"Sig") => vec!["Tx"],
        (b"BaseFont", _) if !cur.starts_with(b"Courier") => vec!["Courier"],
        (b"Encoding", b"WinAnsiEncoding") => vec!["MacRomanEncoding"],
        (b"Encoding", _) => vec!["WinAnsiEncoding"],
        (b"Filter", b"FlateDecode") => vec!["ASCIIHexDecode"],
        (b"Filter", _) => vec!["FlateDecode"],
        (b"AS" | b"V", b"Off") => vec!["On"],
        (b"AS" | b"V", _) => vec!["Off"],
        _ => vec![],
    };
    if list.is_empty() {
        vec![format!("{cur_s}X")]
    } else {
        list.into_iter().map(String::from).collect()
    }
}

/// The value with another type, if there is one to give.
fn wrong_type(v: &Object) -> Option<Object> {
    Some(match v {
        Object::Integer(n) => string(n.to_string().as_bytes()),
        Object::Real(r) => string(format!("{r}").as_bytes()),
        Object::String(s) => {
            let clean: Vec<u8> = s
                .bytes
                .iter()
                .copied()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            if clean.is_empty() {
                name("X")
            } else {
                Object::Name(Name::new(clean))
            }
        }
        Object::Name(n) => string(n.as_bytes()),
        Object::Bool(b) => Object::Integer(i64::from(*b)),
        Object::Array(a) => a.first().cloned().unwrap_or(Object::Null),
        Object::Dict(d) => Object::Array(vec![Object::Dict(d.clone())]),
        Object::Reference(r) => Object::Array(vec![Object::Reference(*r)]),
        Object::Null | Object::Stream(_) => return None,
    })
}

/// An opaque form XObject that paints forged text.
fn forged_appearance() -> Object {
    let mut font = Dict::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name("Type1"));
    font.set("BaseFont", name("Helvetica"));
    let mut fonts = Dict::new();
    fonts.set("FH", Object::Dict(font));
    let mut res = Dict::new();
    res.set("Font", Object::Dict(fonts));
    let mut d = Dict::new();
    d.set("Type", name("XObject"));
    d.set("Subtype", name("Form"));
    d.set("BBox", nums(&[0.0, 0.0, 400.0, 60.0]));
    d.set("Resources", Object::Dict(res));
    new_stream(
        d,
        b"1 g 0 0 400 60 re f 1 0 0 rg BT /FH 30 Tf 5 20 Td (FORGED) Tj ET",
    )
}

/// Display-relevant keys added where missing: `(key, value, new objects)` for a dictionary
/// of category `cat`.
fn additions(cat: &str) -> Vec<(&'static str, Object, Vec<Object>)> {
    let dict = |entries: Vec<(&str, Object)>| {
        let mut d = Dict::new();
        for (k, v) in entries {
            d.set(k, v);
        }
        Object::Dict(d)
    };
    let da = || string(b"/Helv 40 Tf 1 0 0 rg");
    match cat {
        "widget" | "field" | "annot" => vec![
            ("F", Object::Integer(2), vec![]),
            (
                "AP",
                dict(vec![("N", placeholder(0))]),
                vec![forged_appearance()],
            ),
            ("DA", da(), vec![]),
            ("Q", Object::Integer(2), vec![]),
            (
                "MK",
                dict(vec![
                    ("BG", nums(&[1.0, 0.0, 0.0])),
                    ("BC", nums(&[0.0, 0.0, 1.0])),
                ]),
                vec![],
            ),
            ("FT", name("Sig"), vec![]),
            ("Rect", nums(&[60.0, 600.0, 560.0, 760.0]), vec![]),
            (
                "Opt",
                Object::Array(vec![string(b"AAA"), string(b"BBB")]),
                vec![],
            ),
            (
                "BS",
                dict(vec![("W", Object::Integer(6)), ("S", name("D"))]),
                vec![],
            ),
            (
                "Border",
                Object::Array(vec![
                    Object::Integer(0),
                    Object::Integer(0),
                    Object::Integer(6),
                ]),
                vec![],
            ),
            ("C", nums(&[1.0, 0.0, 0.0]), vec![]),
            ("CA", Object::Real(0.3), vec![]),
            ("OC", placeholder(0), vec![ocg()]),
        ],
        "acroform" => vec![
            ("NeedAppearances", Object::Bool(true), vec![]),
            ("DA", da(), vec![]),
            ("Q", Object::Integer(2), vec![]),
        ],
        "page" => vec![
            ("Rotate", Object::Integer(90), vec![]),
            ("CropBox", nums(&[0.0, 0.0, 300.0, 300.0]), vec![]),
        ],
        "xobject" => vec![
            ("Matrix", nums(&[0.5, 0.0, 0.0, 0.5, 0.0, 0.0]), vec![]),
            ("BBox", nums(&[0.0, 0.0, 10.0, 10.0]), vec![]),
            ("OC", placeholder(0), vec![ocg()]),
        ],
        _ => vec![],
    }
}

fn ocg() -> Object {
    let mut d = Dict::new();
    d.set("Type", name("OCG"));
    d.set("Name", string(b"oracle"));
    Object::Dict(d)
}

/// The file with mutation `m` of `snap`'s objects as one incremental update: appended to
/// `snap` itself, or, when `parent` is given (`snap` is `parent` plus one unsigned update),
/// written into that update instead, so that the mutated object and the rest of the update
/// are judged as one change.
pub fn apply(snap: &Snapshot, parent: Option<&Snapshot>, m: &Mutation) -> Vec<u8> {
    let mut top = snap.objects[&m.obj].clone();
    {
        let mut cur: &mut Object = &mut top;
        for step in &m.path {
            cur = match (cur, step) {
                (Object::Dict(d), Step::Key(k)) => d.get_mut(k).expect("path"),
                (Object::Stream(s), Step::Key(k)) => s.dict.get_mut(k).expect("path"),
                (Object::Array(a), Step::Index(i)) => &mut a[*i],
                _ => panic!("{}: path does not lead to a container", m.id),
            };
        }
        match (&m.op, cur) {
            (Op::Remove(k), Object::Dict(d)) => {
                d.remove(k);
            }
            (Op::Remove(k), Object::Stream(s)) => {
                s.dict.remove(k);
            }
            (Op::Set(Slot::Key(k), v), Object::Dict(d)) => d.set(Name::new(k.clone()), v.clone()),
            (Op::Set(Slot::Key(k), v), Object::Stream(s)) => {
                s.dict.set(Name::new(k.clone()), v.clone())
            }
            (Op::Set(Slot::Index(i), v), Object::Array(a)) => a[*i] = v.clone(),
            (Op::Set(Slot::Whole, v), whole) => *whole = v.clone(),
            (Op::Pop, Object::Array(a)) => {
                a.pop();
            }
            (Op::Push(v), Object::Array(a)) => a.push(v.clone()),
            (op, _) => panic!("{}: {op:?} does not fit its container", m.id),
        }
    }
    let base = snap.size;
    let top = renumber(top, base);
    let mut objects: Vec<(u32, Object)> = match parent {
        Some(_) => snap
            .update_objects
            .iter()
            .filter(|(n, _)| **n != m.obj)
            .map(|(n, o)| (*n, o.clone()))
            .chain(std::iter::once((m.obj, top)))
            .collect(),
        None => vec![(m.obj, top)],
    };
    for (k, o) in m.new_objects.iter().enumerate() {
        objects.push((base + k as u32, renumber(o.clone(), base)));
    }
    match parent {
        Some(p) => p.append(&objects, snap.info),
        None => snap.append(&objects, None),
    }
}

/// Placeholders `PLACEHOLDER + k` become `base + k`.
fn renumber(o: Object, base: u32) -> Object {
    match o {
        Object::Reference(r) if r.num >= PLACEHOLDER => {
            Object::Reference(ObjRef::new(base + (r.num - PLACEHOLDER), 0))
        }
        Object::Array(a) => Object::Array(a.into_iter().map(|i| renumber(i, base)).collect()),
        Object::Dict(d) => {
            let mut out = Dict::new();
            for (k, v) in d.iter() {
                out.set(k.clone(), renumber(v.clone(), base));
            }
            Object::Dict(out)
        }
        Object::Stream(mut s) => {
            let mut out = Dict::new();
            for (k, v) in s.dict.iter() {
                out.set(k.clone(), renumber(v.clone(), base));
            }
            s.dict = out;
            Object::Stream(s)
        }
        other => other,
    }
}
