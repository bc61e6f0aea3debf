//! A one-page Vietnamese administrative document (a decision of a provincial People's
//! Committee) built with lopdf, to sign with visible appearances: Vietnamese text in DejaVu
//! Serif embedded whole as Type0 fonts with `/ToUnicode`, laid out on the page as displayed so
//! that rotated pages read upright, with options for `/Rotate`, a non-zero MediaBox origin, a
//! PDF/A claim with an output intent, and an empty signature field.

use std::collections::BTreeMap;

use lopdf::{dictionary, Document, Object, Stream};
use ttf_parser::Face;

/// What the document looks like.
#[derive(Debug, Clone)]
pub struct DocSpec {
    /// Page size as displayed (A4 portrait by default).
    pub displayed: (f64, f64),
    /// `/Rotate`.
    pub rotate: i64,
    /// Lower-left corner of the MediaBox.
    pub origin: (f64, f64),
    /// Claim PDF/A `part` (XMP) with an output intent of `components` (1, 3 or 4).
    pub pdfa: Option<(u8, u8)>,
    /// An empty signature field: name and rectangle as displayed (x, y, w, h).
    pub empty_field: Option<(String, [f64; 4])>,
    /// The empty field's widget is a separate object (a kid of the field) instead of being
    /// merged with it.
    pub separate_widget: bool,
    /// Draw the decision's text (else a nearly blank page).
    pub body: bool,
}

impl Default for DocSpec {
    fn default() -> Self {
        DocSpec {
            displayed: (595.28, 841.89),
            rotate: 0,
            origin: (0.0, 0.0),
            pdfa: None,
            empty_field: None,
            separate_widget: false,
            body: true,
        }
    }
}

/// One embedded font: its bytes, the glyphs used and their text.
struct EmbeddedFont {
    data: &'static [u8],
    used: BTreeMap<u16, String>,
}

impl EmbeddedFont {
    fn face(&self) -> Face<'static> {
        Face::parse(self.data, 0).unwrap()
    }

    fn width(&self, text: &str, size: f64) -> f64 {
        let f = self.face();
        let upem = f64::from(f.units_per_em());
        text.chars()
            .map(|c| f64::from(f.glyph_hor_advance(f.glyph_index(c).unwrap()).unwrap()))
            .sum::<f64>()
            * size
            / upem
    }

    fn encode(&mut self, text: &str) -> String {
        let f = self.face();
        let mut hex = String::new();
        for c in text.chars() {
            let g = f
                .glyph_index(c)
                .unwrap_or_else(|| panic!("no glyph for {c:?}"))
                .0;
            self.used.entry(g).or_insert_with(|| c.to_string());
            hex.push_str(&format!("{g:04X}"));
        }
        hex
    }
}

struct Page {
    fonts: [EmbeddedFont; 2],
    content: String,
}

impl Page {
    /// Text at (x, baseline y), `align` 0 left, 1 centre on x, 2 right-aligned at x.
    fn text(&mut self, bold: bool, size: f64, x: f64, y: f64, align: u8, text: &str) {
        let f = &mut self.fonts[usize::from(bold)];
        let w = f.width(text, size);
        let x = match align {
            1 => x - w / 2.0,
            2 => x - w,
            _ => x,
        };
        let hex = f.encode(text);
        let name = if bold { "FB" } else { "FR" };
        self.content.push_str(&format!(
            "BT /{name} {size} Tf 1 0 0 1 {x:.2} {y:.2} Tm <{hex}> Tj ET\n"
        ));
    }

    fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64) {
        self.content
            .push_str(&format!("0.6 w {x0:.2} {y0:.2} m {x1:.2} {y1:.2} l S\n"));
    }
}

/// The decision's text, laid out on an A4 page as displayed.
fn decision(p: &mut Page, w: f64, h: f64) {
    let left_c = 155.0;
    let right_c = w - 165.0;
    let mut y = h - 72.0;
    p.text(false, 12.5, left_c, y, 1, "ỦY BAN NHÂN DÂN");
    p.text(
        true,
        12.0,
        right_c,
        y,
        1,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    );
    y -= 15.0;
    p.text(true, 12.5, left_c, y, 1, "TỈNH THỪA THIÊN HUẾ");
    p.text(true, 12.5, right_c, y, 1, "Độc lập - Tự do - Hạnh phúc");
    y -= 4.0;
    p.line(left_c - 28.0, y, left_c + 28.0, y);
    p.line(right_c - 80.0, y, right_c + 80.0, y);
    y -= 20.0;
    p.text(false, 12.5, left_c, y, 1, "Số: 123/QĐ-UBND");
    p.text(
        false,
        12.5,
        right_c,
        y,
        1,
        "Thừa Thiên Huế, ngày 15 tháng 3 năm 2024",
    );
    y -= 44.0;
    p.text(true, 14.0, w / 2.0, y, 1, "QUYẾT ĐỊNH");
    y -= 17.0;
    p.text(
        true,
        13.5,
        w / 2.0,
        y,
        1,
        "Về việc cấp giấy phép xây dựng nhà ở riêng lẻ",
    );
    y -= 4.0;
    p.line(w / 2.0 - 45.0, y, w / 2.0 + 45.0, y);
    y -= 26.0;
    p.text(
        true,
        13.5,
        w / 2.0,
        y,
        1,
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỪA THIÊN HUẾ",
    );
    y -= 26.0;
    let x = 85.0;
    for line in [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của",
        "Chính phủ về công tác văn thư;",
        "Xét đề nghị của Giám đốc Sở Xây dựng tại Tờ trình số 45/TTr-SXD.",
    ] {
        p.text(false, 12.5, x + 20.0, y, 0, line);
        y -= 17.0;
    }
    y -= 8.0;
    p.text(true, 13.5, w / 2.0, y, 1, "QUYẾT ĐỊNH:");
    y -= 24.0;
    for (label, lines) in [
        (
            "Điều 1. ",
            &[
                "Cấp giấy phép xây dựng cho ông Trần Văn Đức, thường trú tại",
                "phường Phú Hội, thành phố Huế, được xây dựng nhà ở riêng lẻ theo hồ sơ",
                "đã được thẩm định.",
            ][..],
        ),
        (
            "Điều 2. ",
            &["Quyết định này có hiệu lực kể từ ngày ký."][..],
        ),
        (
            "Điều 3. ",
            &[
                "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Xây dựng",
                "và ông Trần Văn Đức chịu trách nhiệm thi hành Quyết định này./.",
            ][..],
        ),
    ] {
        p.text(true, 12.5, x + 20.0, y, 0, label);
        let after = x + 20.0 + p.fonts[1].width(label, 12.5);
        for (i, line) in lines.iter().enumerate() {
            p.text(false, 12.5, if i == 0 { after } else { x }, y, 0, line);
            y -= 17.0;
        }
    }
    // Recipients, bottom left; the signature block goes bottom right.
    let mut y = 250.0;
    p.text(true, 11.5, x, y, 0, "Nơi nhận:");
    for line in ["- Như Điều 3;", "- Sở Xây dựng;", "- Lưu: VT."] {
        y -= 13.0;
        p.text(false, 10.5, x, y, 0, line);
    }
}

/// The PDF bytes.
pub fn vn_document(spec: &DocSpec) -> Vec<u8> {
    let (dw, dh) = spec.displayed;
    let (ox, oy) = spec.origin;
    let rot = spec.rotate.rem_euclid(360);
    let (mw, mh) = if rot % 180 == 90 { (dh, dw) } else { (dw, dh) };
    let (llx, lly, urx, ury) = (ox, oy, ox + mw, oy + mh);
    // Content is drawn as displayed; this matrix maps it to user space.
    let cm = match rot {
        90 => [0.0, 1.0, -1.0, 0.0, urx, lly],
        180 => [-1.0, 0.0, 0.0, -1.0, urx, ury],
        270 => [0.0, -1.0, 1.0, 0.0, llx, ury],
        _ => [1.0, 0.0, 0.0, 1.0, llx, lly],
    };
    let mut page = Page {
        fonts: [
            EmbeddedFont {
                data: dejavu::serif::regular(),
                used: BTreeMap::new(),
            },
            EmbeddedFont {
                data: dejavu::serif::bold(),
                used: BTreeMap::new(),
            },
        ],
        content: String::new(),
    };
    if spec.body {
        decision(&mut page, dw, dh);
    } else {
        page.text(
            false,
            12.0,
            72.0,
            dh - 72.0,
            0,
            "Trang thử nghiệm (test page)",
        );
    }
    let content = format!(
        "q {} {} {} {} {} {} cm\n{}Q\n",
        cm[0], cm[1], cm[2], cm[3], cm[4], cm[5], page.content
    );

    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut font_ids = Vec::new();
    for (i, f) in page.fonts.iter().enumerate() {
        let face = f.face();
        let upem = f64::from(face.units_per_em());
        let name = if i == 0 {
            "DejaVuSerif"
        } else {
            "DejaVuSerif-Bold"
        };
        let file = doc.add_object(Stream::new(
            dictionary! { "Length1" => f.data.len() as i64 },
            f.data.to_vec(),
        ));
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(name.as_bytes().to_vec()),
            "Flags" => 4,
            "FontBBox" => vec![(-800).into(), (-400).into(), 2000.into(), 1200.into()],
            "ItalicAngle" => 0,
            "Ascent" => 928,
            "Descent" => -236,
            "CapHeight" => 729,
            "StemV" => 80,
            "FontFile2" => file,
        });
        let mut w: Vec<Object> = Vec::new();
        for g in f.used.keys() {
            let adv = f64::from(face.glyph_hor_advance(ttf_parser::GlyphId(*g)).unwrap());
            w.push(i64::from(*g).into());
            w.push(vec![((adv * 1000.0 / upem).round() as i64).into()].into());
        }
        let cid = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "W" => w,
            "CIDToGIDMap" => "Identity",
        });
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def \
             1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        cmap.push_str(&format!("{} beginbfchar\n", f.used.len()));
        for (g, t) in &f.used {
            let units: String = t.encode_utf16().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{g:04X}> <{units}>\n"));
        }
        cmap.push_str("endbfchar endcmap CMapName currentdict /CMap defineresource pop end end\n");
        let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
        font_ids.push(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid.into()],
            "ToUnicode" => to_unicode,
        }));
    }
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let mut page_dict = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![llx.into(), lly.into(), urx.into(), ury.into()],
        "Contents" => content_id,
        "Resources" => dictionary! {
            "Font" => dictionary! { "FR" => font_ids[0], "FB" => font_ids[1] },
        },
    };
    if rot != 0 {
        page_dict.set("Rotate", spec.rotate);
    }
    let page_id = doc.new_object_id();
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if let Some((name, r)) = &spec.empty_field {
        // The field's rectangle is given as displayed; map its corners to user space.
        let map = |x: f64, y: f64| -> (f64, f64) {
            (cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5])
        };
        let (ax, ay) = map(r[0], r[1]);
        let (bx, by) = map(r[0] + r[2], r[1] + r[3]);
        let rect: Vec<Object> = [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
            .iter()
            // Whole numbers as integers: kyso's modification rules (as of this writing) see
            // `318.0` rewritten as `318` as a changed /Rect (reported to the lead).
            .map(|v| {
                if v.fract() == 0.0 {
                    Object::Integer(*v as i64)
                } else {
                    Object::Real(*v as f32)
                }
            })
            .collect();
        let (field, widget) = if spec.separate_widget {
            let field = doc.new_object_id();
            let widget = doc.add_object(dictionary! {
                "Type" => "Annot",
                "Subtype" => "Widget",
                "F" => 4,
                "Rect" => rect,
                "P" => page_id,
                "Parent" => field,
            });
            doc.objects.insert(
                field,
                Object::Dictionary(dictionary! {
                    "FT" => "Sig",
                    "T" => Object::string_literal(name.as_str()),
                    "Kids" => vec![widget.into()],
                }),
            );
            (field, widget)
        } else {
            let field = doc.add_object(dictionary! {
                "Type" => "Annot",
                "Subtype" => "Widget",
                "FT" => "Sig",
                "T" => Object::string_literal(name.as_str()),
                "F" => 4,
                "Rect" => rect,
                "P" => page_id,
            });
            (field, field)
        };
        page_dict.set("Annots", vec![widget.into()]);
        catalog.set("AcroForm", dictionary! { "Fields" => vec![field.into()] });
    }
    doc.objects.insert(page_id, Object::Dictionary(page_dict));
    super::lopdf_pages(&mut doc, pages_id, &[page_id]);
    if let Some((part, n)) = spec.pdfa {
        let xmp = format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
             xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             <rdf:Description rdf:about=\"\" \
             xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" pdfaid:part=\"{part}\" \
             pdfaid:conformance=\"B\"/></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
        );
        let metadata = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp.into_bytes(),
        ));
        // Not a real ICC profile: the tests only read its /N.
        let profile = doc.add_object(Stream::new(
            dictionary! { "N" => i64::from(n) },
            vec![0u8; 128],
        ));
        catalog.set("Metadata", metadata);
        catalog.set(
            "OutputIntents",
            vec![Object::Dictionary(dictionary! {
                "Type" => "OutputIntent",
                "S" => "GTS_PDFA1",
                "OutputConditionIdentifier" => Object::string_literal("test"),
                "DestOutputProfile" => profile,
            })],
        );
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    super::lopdf_id(&mut doc, b"kyso-vn-document");
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
