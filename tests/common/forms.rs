//! A registration form (tờ khai) built with lopdf, for the form tests: text fields (single
//! line with automatic size, comb, multi-line, read-only, one with `/MaxLen`), two check
//! boxes (one whose export value comes from `/Opt`), a radio group, a combo box, a
//! multi-select list box and an empty signature field, on one A4 page with printed labels.
//!
//! Options add `/NeedAppearances true`, a stand-in certification (a catalog `/Perms
//! /DocMDP` whose signature dictionary carries a DocMDP transform with the given P but no
//! real signature: enough for kyso's refusal check, not for a verifier) and a stand-in
//! FieldMDP lock (a signature field with a `/V` and a `/Lock`).

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// Field names, as the data gives them.
pub mod names {
    pub const HO_TEN: &str = "nguoi_nop.ho_ten";
    pub const SO_CCCD: &str = "nguoi_nop.so_cccd";
    pub const DIA_CHI: &str = "dia_chi";
    pub const MA_HO_SO: &str = "ma_ho_so";
    pub const GHI_CHU: &str = "ghi_chu";
    pub const DONG_Y: &str = "dong_y";
    pub const BUU_DIEN: &str = "nhan_qua_buu_dien";
    pub const GIOI_TINH: &str = "gioi_tinh";
    pub const TINH_THANH: &str = "tinh_thanh";
    pub const GIAY_TO: &str = "giay_to";
    pub const CHU_KY: &str = "chu_ky_cong_dan";
}

/// The value `ma_ho_so` (read-only) holds.
pub const MA_HO_SO_VALUE: &str = "HS-2024-0001";

/// The options of `giay_to`.
pub const GIAY_TO_OPTIONS: [&str; 4] = [
    "Căn cước công dân",
    "Sổ hộ khẩu",
    "Giấy khai sinh",
    "Ảnh 3x4",
];

/// `(export, display)` options of `tinh_thanh`.
pub const TINH_THANH_OPTIONS: [(&str, &str); 3] = [
    ("HN", "Hà Nội"),
    ("HUE", "Thừa Thiên Huế"),
    ("HCM", "Thành phố Hồ Chí Minh"),
];

/// Variations of the form.
#[derive(Debug, Clone, Default)]
pub struct FormSpec {
    /// `/NeedAppearances true` in the AcroForm.
    pub need_appearances: bool,
    /// A stand-in DocMDP certification with this P.
    pub certified: Option<i64>,
    /// A stand-in signed signature field `khoa` whose `/Lock` includes these fields.
    pub lock: Option<Vec<String>>,
}

/// A text string: ASCII as is, anything else UTF-16BE with a byte-order mark.
pub fn text(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

fn rect(x1: f64, y1: f64, x2: f64, y2: f64) -> Object {
    Object::Array(vec![
        Object::Real(x1 as f32),
        Object::Real(y1 as f32),
        Object::Real(x2 as f32),
        Object::Real(y2 as f32),
    ])
}

fn mk() -> Object {
    Object::Dictionary(dictionary! {
        "BC" => vec![Object::Real(0.2), Object::Real(0.2), Object::Real(0.5)],
        "BG" => vec![Object::Real(0.95), Object::Real(0.95), Object::Real(1.0)],
    })
}

/// A form XObject of `w`×`h` drawing `content`.
fn xobject(doc: &mut Document, w: f64, h: f64, content: &str) -> ObjectId {
    doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => rect(0.0, 0.0, w, h),
            "Resources" => Dictionary::new(),
        },
        content.as_bytes().to_vec(),
    ))
}

/// `/AP << /N << /on … /Off … >> >>` of a `size`×`size` button.
fn button_ap(doc: &mut Document, on: &[u8], size: f64, radio: bool) -> Object {
    let frame = format!(
        "0.95 0.95 1 rg 0 0 {size} {size} re f 0.2 0.2 0.5 RG 1 w 0.5 0.5 {s} {s} re S\n",
        s = size - 1.0
    );
    let mark = if radio {
        let c = size / 2.0;
        let r = size / 4.0;
        format!(
            "0 g {} {c} m {c} {} l {} {c} l {c} {} l h f\n",
            c + r,
            c + r,
            c - r,
            c - r
        )
    } else {
        format!(
            "0 G 1.5 w 3 {} m {} 3 l {} {} l S\n",
            size / 2.0,
            size / 2.5,
            size - 3.0,
            size - 3.0
        )
    };
    let on_ref = xobject(doc, size, size, &format!("{frame}{mark}"));
    let off_ref = xobject(doc, size, size, &frame);
    let mut states = Dictionary::new();
    states.set(on.to_vec(), on_ref);
    states.set("Off", off_ref);
    Object::Dictionary(dictionary! { "N" => states })
}

/// The form, saved with a classic cross-reference table.
pub fn registration_form(spec: &FormSpec) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let helv = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let labels = [
        (72, 790, 16, "TO KHAI DANG KY (registration form)"),
        (72, 745, 10, "Ho va ten:"),
        (72, 715, 10, "So CCCD:"),
        (72, 680, 10, "Dia chi:"),
        (72, 625, 10, "Ma ho so:"),
        (72, 600, 10, "Gioi tinh:"),
        (150, 600, 10, "Nam"),
        (220, 600, 10, "Nu"),
        (72, 570, 10, "Dong y:"),
        (250, 570, 10, "Nhan qua buu dien:"),
        (72, 540, 10, "Tinh/thanh:"),
        (72, 500, 10, "Giay to:"),
        (72, 410, 10, "Ghi chu:"),
        (350, 130, 10, "Chu ky cong dan"),
    ];
    let mut content = String::new();
    for (x, y, size, t) in labels {
        content.push_str(&format!("BT /F1 {size} Tf {x} {y} Td ({t}) Tj ET\n"));
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));

    let mut fields: Vec<Object> = Vec::new();
    let mut annots: Vec<Object> = Vec::new();
    let widget = |extra: Dictionary| -> Dictionary {
        let mut d = dictionary! {
            "Type" => "Annot",
            "Subtype" => "Widget",
            "F" => 4,
            "P" => page_id,
        };
        for (k, v) in extra.into_iter() {
            d.set(k, v);
        }
        d
    };

    // nguoi_nop (a parent) with ho_ten and so_cccd.
    let parent_id = doc.new_object_id();
    let ho_ten = doc.add_object(widget(dictionary! {
        "FT" => "Tx",
        "Parent" => parent_id,
        "T" => text("ho_ten"),
        "Ff" => 2,
        "DA" => text("/Helv 0 Tf 0 g"),
        "Rect" => rect(150.0, 738.0, 450.0, 758.0),
        "MK" => mk(),
    }));
    let so_cccd = doc.add_object(widget(dictionary! {
        "FT" => "Tx",
        "Parent" => parent_id,
        "T" => text("so_cccd"),
        "Ff" => 1 << 24,
        "MaxLen" => 12,
        "DA" => text("/Helv 12 Tf 0 g"),
        "Rect" => rect(150.0, 708.0, 390.0, 728.0),
        "MK" => mk(),
    }));
    doc.objects.insert(
        parent_id,
        Object::Dictionary(dictionary! {
            "T" => text("nguoi_nop"),
            "Kids" => vec![ho_ten.into(), so_cccd.into()],
        }),
    );
    fields.push(parent_id.into());
    annots.extend([ho_ten.into(), so_cccd.into()]);

    // A field merged with its widget, listed in /Fields and the page's /Annots.
    let add = |doc: &mut Document, d: Dictionary, lists: (&mut Vec<Object>, &mut Vec<Object>)| {
        let id = doc.add_object(widget(d));
        lists.0.push(id.into());
        lists.1.push(id.into());
        id
    };
    add(
        &mut doc,
        dictionary! {
            "FT" => "Tx",
            "T" => text(names::DIA_CHI),
            "Ff" => 1 << 12,
            "DA" => text("/Helv 10 Tf 0 0 0.5 rg"),
            "Rect" => rect(150.0, 640.0, 450.0, 700.0),
            "MK" => mk(),
        },
        (&mut fields, &mut annots),
    );
    add(
        &mut doc,
        dictionary! {
            "FT" => "Tx",
            "T" => text(names::MA_HO_SO),
            "Ff" => 1,
            "V" => text(MA_HO_SO_VALUE),
            "DA" => text("/Helv 10 Tf 0 g"),
            "Rect" => rect(150.0, 618.0, 300.0, 636.0),
        },
        (&mut fields, &mut annots),
    );
    add(
        &mut doc,
        dictionary! {
            "FT" => "Tx",
            "T" => text(names::GHI_CHU),
            "MaxLen" => 20,
            "Q" => 1,
            "DA" => text("/Helv 0 Tf 0 g"),
            "Rect" => rect(150.0, 400.0, 450.0, 422.0),
            "MK" => mk(),
        },
        (&mut fields, &mut annots),
    );
    let ap = button_ap(&mut doc, b"Co", 14.0, false);
    add(
        &mut doc,
        dictionary! {
            "FT" => "Btn",
            "T" => text(names::DONG_Y),
            "V" => "Off",
            "AS" => "Off",
            "DA" => text("/ZaDb 0 Tf 0 g"),
            "Rect" => rect(150.0, 566.0, 164.0, 580.0),
            "AP" => ap,
        },
        (&mut fields, &mut annots),
    );
    let ap = button_ap(&mut doc, b"0", 14.0, false);
    add(
        &mut doc,
        dictionary! {
            "FT" => "Btn",
            "T" => text(names::BUU_DIEN),
            "Opt" => vec![text("Có")],
            "AS" => "Off",
            "Rect" => rect(350.0, 566.0, 364.0, 580.0),
            "AP" => ap,
        },
        (&mut fields, &mut annots),
    );

    // gioi_tinh: a radio group whose two buttons are separate widgets.
    let radio_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (state, x) in [(&b"Nam"[..], 175.0), (&b"Nu"[..], 240.0)] {
        let ap = button_ap(&mut doc, state, 12.0, true);
        let id = doc.add_object(widget(dictionary! {
            "Parent" => radio_id,
            "AS" => "Off",
            "Rect" => rect(x, 598.0, x + 12.0, 610.0),
            "AP" => ap,
            "MK" => dictionary! { "CA" => text("l") },
        }));
        kids.push(Object::from(id));
        annots.push(id.into());
    }
    doc.objects.insert(
        radio_id,
        Object::Dictionary(dictionary! {
            "FT" => "Btn",
            "T" => text(names::GIOI_TINH),
            "Ff" => (1 << 15) | (1 << 14),
            "Kids" => kids,
        }),
    );
    fields.push(radio_id.into());

    add(
        &mut doc,
        dictionary! {
            "FT" => "Ch",
            "T" => text(names::TINH_THANH),
            "Ff" => 1 << 17,
            "Opt" => TINH_THANH_OPTIONS
                .iter()
                .map(|(e, d)| Object::Array(vec![text(e), text(d)]))
                .collect::<Vec<_>>(),
            "DA" => text("/Helv 0 Tf 0 g"),
            "Rect" => rect(150.0, 534.0, 450.0, 552.0),
            "MK" => mk(),
        },
        (&mut fields, &mut annots),
    );
    add(
        &mut doc,
        dictionary! {
            "FT" => "Ch",
            "T" => text(names::GIAY_TO),
            "Ff" => 1 << 21,
            "Opt" => GIAY_TO_OPTIONS.iter().map(|o| text(o)).collect::<Vec<_>>(),
            "DA" => text("/Helv 11 Tf 0 g"),
            "Rect" => rect(150.0, 440.0, 450.0, 520.0),
            "MK" => mk(),
        },
        (&mut fields, &mut annots),
    );
    add(
        &mut doc,
        dictionary! {
            "FT" => "Sig",
            "T" => text(names::CHU_KY),
            "Rect" => rect(350.0, 60.0, 550.0, 120.0),
        },
        (&mut fields, &mut annots),
    );
    if let Some(locked) = &spec.lock {
        let sig = doc.add_object(dictionary! {
            "Type" => "Sig",
            "Filter" => "Adobe.PPKLite",
            "SubFilter" => "ETSI.CAdES.detached",
        });
        add(
            &mut doc,
            dictionary! {
                "FT" => "Sig",
                "T" => text("khoa"),
                "V" => sig,
                "Lock" => dictionary! {
                    "Type" => "SigFieldLock",
                    "Action" => "Include",
                    "Fields" => locked.iter().map(|f| text(f)).collect::<Vec<_>>(),
                },
                "Rect" => rect(0.0, 0.0, 0.0, 0.0),
            },
            (&mut fields, &mut annots),
        );
    }

    doc.objects.insert(
        page_id,
        Object::Dictionary(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => helv } },
            "Annots" => annots,
        }),
    );
    super::lopdf_pages(&mut doc, pages_id, &[page_id]);
    let mut acroform = dictionary! {
        "Fields" => fields,
        "DA" => text("/Helv 0 Tf 0 g"),
        "DR" => dictionary! { "Font" => dictionary! { "Helv" => helv } },
    };
    if spec.need_appearances {
        acroform.set("NeedAppearances", true);
    }
    let acroform_id = doc.add_object(acroform);
    let mut catalog = dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "AcroForm" => acroform_id,
    };
    if let Some(p) = spec.certified {
        let sig = doc.add_object(dictionary! {
            "Type" => "Sig",
            "Filter" => "Adobe.PPKLite",
            "SubFilter" => "ETSI.CAdES.detached",
            "Reference" => vec![Object::Dictionary(dictionary! {
                "Type" => "SigRef",
                "TransformMethod" => "DocMDP",
                "TransformParams" => dictionary! {
                    "Type" => "TransformParams",
                    "P" => p,
                    "V" => "1.2",
                },
            })],
        });
        catalog.set("Perms", dictionary! { "DocMDP" => sig });
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    super::lopdf_id(&mut doc, b"kyso-form-id-001");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
