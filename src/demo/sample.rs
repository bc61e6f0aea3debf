//! A sample dossier PDF built with lopdf.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, SaveOptions, Stream, StringFormat};

use crate::Error;

/// Options for [`sample_dossier`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SampleOptions {
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Write a cross-reference stream with object streams instead of a classic table.
    pub xref_stream: bool,
    /// Extra bytes of (incompressible) filler stream to make the file larger, for benches.
    pub padding_bytes: usize,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            pages: 1,
            xref_stream: false,
            padding_bytes: 0,
        }
    }
}

impl SampleOptions {
    /// Sets the number of pages.
    pub fn pages(mut self, n: usize) -> Self {
        self.pages = n.max(1);
        self
    }

    /// Chooses a cross-reference stream with object streams.
    pub fn xref_stream(mut self, yes: bool) -> Self {
        self.xref_stream = yes;
        self
    }

    /// Adds about `n` bytes of filler.
    pub fn padding_bytes(mut self, n: usize) -> Self {
        self.padding_bytes = n;
        self
    }
}

const LINES: [&str; 8] = [
    "UY BAN NHAN DAN PHUONG BEN NGHE",
    "CONG HOA XA HOI CHU NGHIA VIET NAM - Doc lap - Tu do - Hanh phuc",
    "",
    "HO SO DE NGHI CAP GIAY PHEP XAY DUNG",
    "(Application for a construction permit - sample dossier)",
    "",
    "Nguoi nop (applicant): Le Thi Hoa, 12 Nguyen Hue, Ben Nghe, Quan 1",
    "Kem theo (attached): ban ve thiet ke, giay chung nhan quyen su dung dat",
];

/// Builds an unsigned sample dossier. The page text is ASCII (the standard fonts cannot draw
/// Vietnamese diacritics); the document title in the info dictionary is full Vietnamese.
pub fn sample_dossier(opts: &SampleOptions) -> Result<Vec<u8>, Error> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });

    let mut kids = Vec::new();
    for page_no in 1..=opts.pages.max(1) {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("TL", vec![18.into()]),
            Operation::new("Td", vec![60.into(), 780.into()]),
        ];
        for line in LINES {
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(line.as_bytes().to_vec())],
            ));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new(
            "Tj",
            vec![Object::string_literal(format!(
                "Trang {page_no} / {}",
                opts.pages.max(1)
            ))],
        ));
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops }
            .encode()
            .map_err(|e| Error::Demo(format!("sample content: {e}")))?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id,
            "Resources" => resources_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    if opts.padding_bytes > 0 {
        // Pseudo-random bytes do not compress, so the file really grows by this much.
        let mut filler = Vec::with_capacity(opts.padding_bytes);
        let mut x: u32 = 0x2545_F491;
        while filler.len() < opts.padding_bytes {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            filler.extend_from_slice(&x.to_le_bytes());
        }
        filler.truncate(opts.padding_bytes);
        let id = doc.add_object(Stream::new(dictionary! {}, filler).with_compression(false));
        // Keep it reachable so that tools that garbage-collect keep it.
        if let Ok(Object::Dictionary(res)) = doc.get_object_mut(resources_id) {
            res.set("KysoFiller", id);
        }
    }
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Lang" => Object::string_literal("vi-VN"),
    });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::String(
            crate::pdf::object::encode_text_string("Hồ sơ đề nghị cấp giấy phép xây dựng"),
            StringFormat::Hexadecimal,
        ),
        "Producer" => Object::string_literal("kyso demo"),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    doc.trailer.set(
        "ID",
        vec![
            Object::String(b"kyso-demo-dossier".to_vec(), StringFormat::Hexadecimal),
            Object::String(b"kyso-demo-dossier".to_vec(), StringFormat::Hexadecimal),
        ],
    );

    let mut out = Vec::new();
    let save = if opts.xref_stream {
        doc.save_with_options(
            &mut out,
            SaveOptions::builder()
                .use_xref_streams(true)
                .use_object_streams(true)
                .build(),
        )
    } else {
        doc.save_to(&mut out)
    };
    save.map_err(|e| Error::Demo(format!("sample PDF: {e}")))?;
    Ok(out)
}
