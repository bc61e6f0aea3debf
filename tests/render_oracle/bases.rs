//! The signed documents the mutations start from (bases), and the honest updates made on
//! each (seeds): filling a field, a markup annotation, a new visible signature field, a
//! second signature, an `/Info` change, a `/DSS`.

use std::collections::BTreeMap;

use kyso::form::{fill_bytes, list_fields, FieldKind, FieldValue, FillOptions, FormValues};
use kyso::pdf::{Dict, Document, Name, ObjRef, Object, PdfString};
use kyso::sign::appearance::{Appearance, Layout, Rect};
use kyso::sign::{sign_bytes, DocMdpPermission, SignOptions};
use time::OffsetDateTime;

use super::graph::{new_stream, rect_of, Snapshot};
use crate::common;
use crate::common::attacks::{form_doc, sign};
use crate::common::forms::{names, registration_form, FormSpec};
use crate::common::pki::TestPki;
use crate::render::PageRect;

/// A signed document.
pub struct Base {
    /// Short name, the first part of every mutation id.
    pub name: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// Whether its signatures permit form filling (not under DocMDP P1): a visible change
    /// of a field's value inside the field's widgets is then allowed.
    pub fill_allowed: bool,
}

/// A base, or a base with one honest update.
pub struct Variant {
    /// Index of the base.
    pub base: usize,
    /// `plain` or `seed:NAME`.
    pub seed: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// Where the seed's own change may show when the signature accepts it: the rectangles
    /// of the widgets it fills or the annotation it adds (in points, every page).
    pub free: Vec<PageRect>,
}

/// Every base, each already checked to verify TOTAL-PASSED by the caller.
pub fn bases(pki: &TestPki, now: OffsetDateTime) -> Vec<Base> {
    let a = pki.rsa2048.signer();
    let b = pki.p256.signer();
    let dossier = form_doc();
    let certified = |p: DocMdpPermission| sign(&dossier, &a, now, |o| o.certify(p));
    let plain_form = registration_form(&FormSpec::default());
    let need_form = registration_form(&FormSpec {
        need_appearances: true,
        ..FormSpec::default()
    });
    let filled = fill_bytes(&plain_form, &form_values(), &FillOptions::new())
        .unwrap_or_else(|e| panic!("filling the registration form: {e}"));
    let filled_need = set_need_appearances(&filled);
    let visible = sign(
        &common::sample_pdf(common::SampleXref::Table),
        &b,
        now,
        |o| {
            o.appearance(Appearance::new(Layout::Portal).rect(Rect::new(300.0, 80.0, 260.0, 100.0)))
        },
    );
    vec![
        Base {
            name: "approval",
            bytes: sign(&dossier, &a, now, |o| o),
            fill_allowed: true,
        },
        Base {
            name: "p1",
            bytes: certified(DocMdpPermission::NoChanges),
            fill_allowed: false,
        },
        Base {
            name: "p2",
            bytes: certified(DocMdpPermission::FormFilling),
            fill_allowed: true,
        },
        Base {
            name: "p3",
            bytes: certified(DocMdpPermission::Annotations),
            fill_allowed: true,
        },
        Base {
            name: "text-visible-sig",
            bytes: visible,
            fill_allowed: true,
        },
        Base {
            name: "form-noap",
            bytes: sign(&plain_form, &a, now, |o| o),
            fill_allowed: true,
        },
        Base {
            name: "form-noap-p2",
            bytes: sign(&plain_form, &a, now, |o| {
                o.certify(DocMdpPermission::FormFilling)
            }),
            fill_allowed: true,
        },
        Base {
            name: "form-needapp",
            bytes: sign(&need_form, &a, now, |o| o),
            fill_allowed: true,
        },
        Base {
            name: "form-ap-p2",
            bytes: sign(&filled, &a, now, |o| {
                o.certify(DocMdpPermission::FormFilling)
            }),
            fill_allowed: true,
        },
        Base {
            name: "form-ap-needapp",
            bytes: sign(&filled_need, &b, now, |o| o),
            fill_allowed: true,
        },
    ]
}

/// Values for every fillable field of the registration form.
fn form_values() -> FormValues {
    FormValues::new()
        .with(format!("nguoi_nop.{}", "ho_ten"), "Nguyen Van An")
        .with(format!("nguoi_nop.{}", "so_cccd"), "001234567890")
        .with(names::DIA_CHI, "So 1 Trang Tien, Hoan Kiem")
        .with(names::GHI_CHU, "khong")
        .with(names::DONG_Y, true)
        .with(names::BUU_DIEN, true)
        .with(names::GIOI_TINH, "Nam")
        .with(names::TINH_THANH, "HN")
        .with(
            names::GIAY_TO,
            FieldValue::List(vec!["Sổ hộ khẩu".to_string()]),
        )
}

/// The file with `/NeedAppearances true` set in its AcroForm by one update.
fn set_need_appearances(pdf: &[u8]) -> Vec<u8> {
    let snap = Snapshot::read(pdf);
    let mut e = Edit::new(&snap);
    let form = snap.catalog().get(b"AcroForm").unwrap().as_ref().unwrap();
    e.dict_mut(form.num)
        .set("NeedAppearances", Object::Bool(true));
    e.finish(None)
}

/// A seed's file and where its own change may show.
type Seed = (Vec<u8>, Vec<PageRect>);

/// Every variant of every base: the plain base, then each seed that applies.
pub fn variants(bases: &[Base], pki: &TestPki, now: OffsetDateTime) -> Vec<Variant> {
    let mut out = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        out.push(Variant {
            base: i,
            seed: "plain",
            bytes: base.bytes.clone(),
            free: Vec::new(),
        });
        let seeds: [(&'static str, Option<Seed>); 6] = [
            ("seed:fill", seed_fill(&base.bytes)),
            ("seed:annot", Some(seed_annotation(&base.bytes))),
            (
                "seed:newsig",
                Some((seed_signature_field(&base.bytes), Vec::new())),
            ),
            ("seed:sig2", seed_second_signature(&base.bytes, pki, now)),
            ("seed:info", Some((seed_info(&base.bytes), Vec::new()))),
            ("seed:dss", Some((seed_dss(&base.bytes, pki), Vec::new()))),
        ];
        for (seed, made) in seeds {
            if let Some((bytes, free)) = made {
                out.push(Variant {
                    base: i,
                    seed,
                    bytes,
                    free,
                });
            }
        }
    }
    out
}

/// The first text field that is not read-only gets a new value and appearance (kyso's
/// form filler); `None` when there is none or the filler refuses (P1).
fn seed_fill(pdf: &[u8]) -> Option<Seed> {
    let doc = Document::open(pdf).unwrap();
    let field = list_fields(&doc)
        .unwrap()
        .into_iter()
        .find(|f| f.kind == FieldKind::Text && !f.flags.read_only)?;
    let values = FormValues::new().with(field.name.clone(), "ORACLE 42");
    let filled = fill_bytes(pdf, &values, &FillOptions::new()).ok()?;
    let snap = Snapshot::read(&filled);
    let free = snap
        .last_defined
        .iter()
        .filter_map(|n| snap.objects.get(n)?.as_dict())
        .filter(|d| d.get_name(b"Subtype") == Some(b"Widget"))
        .filter_map(|d| rect_of(&snap, d.get(b"Rect")?))
        .collect();
    Some((filled, free))
}

fn name(s: &str) -> Object {
    Object::Name(Name::from(s))
}

fn nums(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|n| Object::Real(*n)).collect())
}

fn dict(entries: Vec<(&str, Object)>) -> Dict {
    let mut d = Dict::new();
    for (k, v) in entries {
        d.set(k, v);
    }
    d
}

fn form_xobject(bbox: [f64; 4], content: &str, font: bool) -> Object {
    let mut d = dict(vec![
        ("Type", name("XObject")),
        ("Subtype", name("Form")),
        ("BBox", nums(&bbox)),
    ]);
    if font {
        let helv = dict(vec![
            ("Type", name("Font")),
            ("Subtype", name("Type1")),
            ("BaseFont", name("Helvetica")),
        ]);
        let fonts = dict(vec![("FH", Object::Dict(helv))]);
        d.set(
            "Resources",
            Object::Dict(dict(vec![("Font", Object::Dict(fonts))])),
        );
    }
    new_stream(d, content.as_bytes())
}

/// A `/Square` markup annotation with its appearance on the first page.
fn seed_annotation(pdf: &[u8]) -> (Vec<u8>, Vec<PageRect>) {
    let snap = Snapshot::read(pdf);
    let page = snap.first_page();
    let mut e = Edit::new(&snap);
    let rect = [100.0, 300.0, 250.0, 380.0];
    let ap = e.add(form_xobject(
        [0.0, 0.0, 150.0, 80.0],
        "1 0 0 RG 2 w 1 1 148 78 re S",
        false,
    ));
    let annot = e.add(Object::Dict(dict(vec![
        ("Type", name("Annot")),
        ("Subtype", name("Square")),
        ("Rect", nums(&rect)),
        ("C", nums(&[1.0, 0.0, 0.0])),
        (
            "Contents",
            Object::String(PdfString::literal(&b"oracle note"[..])),
        ),
        ("P", Object::Reference(page)),
        ("F", Object::Integer(4)),
        ("AP", Object::Dict(dict(vec![("N", Object::Reference(ap))]))),
    ])));
    e.push_ref(page.num, &[b"Annots"], annot);
    (e.finish(None), vec![rect])
}

/// A `/Square` annotation at `rect` on the first page whose appearance runs `ops`, with
/// Helvetica as `/FH` or, when `broken_font`, a TrueType font `/F9` whose embedded program
/// is garbage (a renderer may load it and draw nothing; others substitute a font).
#[allow(dead_code)] // used by tests/visual.rs, not by render_oracle itself
pub fn annotation_drawing(pdf: &[u8], rect: [f64; 4], ops: &str, broken_font: bool) -> Vec<u8> {
    annotation_with(pdf, rect, Some(ops), broken_font, Vec::new())
}

/// As [`annotation_drawing`], with `extra` entries in the annotation's dictionary, and
/// without an appearance when `ops` is `None` (a viewer then draws one itself).
#[allow(dead_code)] // used by tests/visual.rs, not by render_oracle itself
pub fn annotation_with(
    pdf: &[u8],
    rect: [f64; 4],
    ops: Option<&str>,
    broken_font: bool,
    extra: Vec<(&str, Object)>,
) -> Vec<u8> {
    let snap = Snapshot::read(pdf);
    let page = snap.first_page();
    let mut e = Edit::new(&snap);
    let bbox = [0.0, 0.0, rect[2] - rect[0], rect[3] - rect[1]];
    let mut ap = form_xobject(bbox, ops.unwrap_or(""), !broken_font);
    if broken_font {
        let program = e.add(new_stream(
            Dict::new(),
            &b"\x00\x01\x00\x00not a font".repeat(4),
        ));
        let descriptor = e.add(Object::Dict(dict(vec![
            ("Type", name("FontDescriptor")),
            ("FontName", name("Helvetica")),
            ("Flags", Object::Integer(32)),
            ("FontBBox", nums(&[0.0, -200.0, 1000.0, 900.0])),
            ("ItalicAngle", Object::Integer(0)),
            ("Ascent", Object::Integer(718)),
            ("Descent", Object::Integer(-207)),
            ("CapHeight", Object::Integer(718)),
            ("StemV", Object::Integer(88)),
            ("FontFile2", Object::Reference(program)),
        ])));
        let font = e.add(Object::Dict(dict(vec![
            ("Type", name("Font")),
            ("Subtype", name("TrueType")),
            ("BaseFont", name("Helvetica")),
            ("FirstChar", Object::Integer(48)),
            ("LastChar", Object::Integer(48)),
            ("Widths", nums(&[556.0])),
            ("Encoding", name("WinAnsiEncoding")),
            ("FontDescriptor", Object::Reference(descriptor)),
        ])));
        let fonts = dict(vec![("F9", Object::Reference(font))]);
        if let Object::Stream(st) = &mut ap {
            st.dict.set(
                "Resources",
                Object::Dict(dict(vec![("Font", Object::Dict(fonts))])),
            );
        }
    }
    let mut entries = vec![
        ("Type", name("Annot")),
        ("Subtype", name("Square")),
        ("Rect", nums(&rect)),
        ("C", nums(&[1.0, 1.0, 1.0])),
        ("IC", nums(&[1.0, 1.0, 1.0])),
        ("P", Object::Reference(page)),
        ("F", Object::Integer(4)),
    ];
    if ops.is_some() {
        let ap = e.add(ap);
        entries.push(("AP", Object::Dict(dict(vec![("N", Object::Reference(ap))]))));
    }
    entries.extend(extra);
    let annot = e.add(Object::Dict(dict(entries)));
    e.push_ref(page.num, &[b"Annots"], annot);
    e.finish(None)
}

/// A new, empty signature field whose widget paints an opaque box with text over the top of
/// the first page.
fn seed_signature_field(pdf: &[u8]) -> Vec<u8> {
    let snap = Snapshot::read(pdf);
    let page = snap.first_page();
    let media = snap
        .objects
        .get(&page.num)
        .and_then(Object::as_dict)
        .and_then(|d| d.get(b"MediaBox"))
        .and_then(|m| rect_of(&snap, m))
        .unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let (w, h) = (media[2], media[3]);
    let rect = [60.0, h - 110.0, w - 60.0, h - 40.0];
    let mut e = Edit::new(&snap);
    let ap = e.add(form_xobject(
        [0.0, 0.0, w - 120.0, 70.0],
        "1 g 0 0 1000 70 re f 0 g BT /FH 20 Tf 6 25 Td (Ho so so 2026-001: phi 0 dong) Tj ET",
        true,
    ));
    let widget = e.add(Object::Dict(dict(vec![
        ("Type", name("Annot")),
        ("Subtype", name("Widget")),
        ("FT", name("Sig")),
        ("T", Object::String(PdfString::literal(&b"OracleSig"[..]))),
        ("Rect", nums(&rect)),
        ("P", Object::Reference(page)),
        ("F", Object::Integer(4)),
        ("AP", Object::Dict(dict(vec![("N", Object::Reference(ap))]))),
    ])));
    e.push_ref(page.num, &[b"Annots"], widget);
    e.push_ref(snap.root.num, &[b"AcroForm", b"Fields"], widget);
    e.finish(None)
}

/// A second approval signature by kyso (invisible); `None` where kyso refuses (P1).
fn seed_second_signature(pdf: &[u8], pki: &TestPki, now: OffsetDateTime) -> Option<Seed> {
    let signer = pki.p256.signer();
    sign_bytes(pdf, &signer, &SignOptions::new().signing_time(now))
        .ok()
        .map(|b| (b, Vec::new()))
}

/// The document information dictionary rewritten (or added).
fn seed_info(pdf: &[u8]) -> Vec<u8> {
    let snap = Snapshot::read(pdf);
    let mut e = Edit::new(&snap);
    let info = Object::Dict(dict(vec![
        (
            "Title",
            Object::String(PdfString::literal(&b"Oracle title"[..])),
        ),
        (
            "ModDate",
            Object::String(PdfString::literal(&b"D:20261201120000Z"[..])),
        ),
    ]));
    match snap.info {
        Some(r) => {
            e.set(r.num, info);
            e.finish(None)
        }
        None => {
            let r = e.add(info);
            e.finish(Some(r))
        }
    }
}

/// A document security store holding the signer's certificate.
fn seed_dss(pdf: &[u8], pki: &TestPki) -> Vec<u8> {
    let snap = Snapshot::read(pdf);
    let mut e = Edit::new(&snap);
    let cert = e.add(new_stream(Dict::new(), &pki.rsa2048.cert_der));
    let dss = e.add(Object::Dict(dict(vec![(
        "Certs",
        Object::Array(vec![Object::Reference(cert)]),
    )])));
    e.dict_mut(snap.root.num).set("DSS", Object::Reference(dss));
    e.finish(None)
}

/// Objects redefined and added by one update under construction.
struct Edit<'a> {
    snap: &'a Snapshot,
    changed: BTreeMap<u32, Object>,
    next: u32,
}

impl<'a> Edit<'a> {
    fn new(snap: &'a Snapshot) -> Self {
        Edit {
            snap,
            changed: BTreeMap::new(),
            next: snap.size,
        }
    }

    fn obj_mut(&mut self, num: u32) -> &mut Object {
        let snap = self.snap;
        self.changed
            .entry(num)
            .or_insert_with(|| snap.objects.get(&num).cloned().expect("object reached"))
    }

    fn dict_mut(&mut self, num: u32) -> &mut Dict {
        match self.obj_mut(num) {
            Object::Dict(d) => d,
            Object::Stream(s) => &mut s.dict,
            other => panic!("object {num} is a {}", other.kind()),
        }
    }

    fn set(&mut self, num: u32, o: Object) {
        self.changed.insert(num, o);
    }

    fn add(&mut self, o: Object) -> ObjRef {
        let r = ObjRef::new(self.next, 0);
        self.next += 1;
        self.changed.insert(r.num, o);
        r
    }

    /// Appends `r` to the array at `keys` below object `holder`, following references
    /// (an array or dictionary on the way may be its own object); a missing array is made.
    fn push_ref(&mut self, holder: u32, keys: &[&[u8]], r: ObjRef) {
        let mut num = holder;
        let mut rest: Vec<&[u8]> = keys.to_vec();
        loop {
            // Find the first reference on the way, if any.
            let mut cur: &Object = match self.changed.get(&num) {
                Some(o) => o,
                None => &self.snap.objects[&num],
            };
            let mut jump = None;
            for (i, k) in rest.iter().enumerate() {
                let next = cur.as_dict().and_then(|d| d.get(k));
                match next {
                    Some(Object::Reference(t)) => {
                        jump = Some((i, t.num));
                        break;
                    }
                    Some(o) => cur = o,
                    None => break,
                }
            }
            if let Some((i, t)) = jump {
                num = t;
                rest = rest[i + 1..].to_vec();
                continue;
            }
            // No reference left: edit in place.
            let mut o = self.obj_mut(num);
            for k in &rest {
                o = match o {
                    Object::Dict(d) => {
                        if d.get(k).is_none() {
                            d.set(Name::new(k.to_vec()), Object::Array(Vec::new()));
                        }
                        d.get_mut(k).unwrap()
                    }
                    other => panic!("cannot reach {:?} in a {}", k, other.kind()),
                };
            }
            match o {
                Object::Array(a) => a.push(Object::Reference(r)),
                other => panic!("expected an array, found a {}", other.kind()),
            }
            return;
        }
    }

    fn finish(self, info: Option<ObjRef>) -> Vec<u8> {
        let objects: Vec<(u32, Object)> = self.changed.into_iter().collect();
        self.snap.append(&objects, info)
    }
}
