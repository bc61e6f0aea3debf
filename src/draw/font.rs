//! Fonts for appearance text: parsing and metrics (`ttf-parser`), glyph subsets (`subsetter`)
//! embedded as composite fonts — Type0 with `/Identity-H`, a CIDFontType2 (TrueType
//! outlines) or CIDFontType0 (CFF outlines) descendant, a `/ToUnicode` CMap so that copied and
//! extracted text is right, `/W` widths read back from the embedded subset and a `/CIDSet`.
//!
//! Character codes in content streams are two-byte CIDs; a CID is the glyph's number in the
//! subset (`/CIDToGIDMap /Identity`), handed out in the order glyphs are first used.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId, Tag};

use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::{Dict, Name, ObjRef, Object, PdfString, Stream, StreamData};
use crate::Error;

use super::{deflate, read_limited, DrawError, Origin};

/// Largest font file read, in bytes.
pub const MAX_FONT_FILE: u64 = 64 << 20;

/// Where a font comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FontSource {
    /// DejaVu Serif, built in (from the `dejavu` crate): a serif face close in spirit to
    /// Times New Roman, with every Vietnamese letter.
    DejaVuSerif,
    /// DejaVu Serif Bold, built in.
    DejaVuSerifBold,
    /// A TrueType or OpenType file (`.ttf`, `.otf`; the first face of a collection).
    File(PathBuf),
    /// TrueType or OpenType bytes.
    Bytes(Arc<Vec<u8>>),
}

impl FontSource {
    /// A font file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        FontSource::File(path.into())
    }

    /// The bold face that goes with a built-in face; `None` for caller fonts.
    pub(crate) fn built_in_bold(&self) -> Option<FontSource> {
        match self {
            FontSource::DejaVuSerif | FontSource::DejaVuSerifBold => {
                Some(FontSource::DejaVuSerifBold)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
enum FontData {
    Static(&'static [u8]),
    Shared(Arc<Vec<u8>>),
}

impl FontData {
    fn bytes(&self) -> &[u8] {
        match self {
            FontData::Static(b) => b,
            FontData::Shared(b) => b,
        }
    }
}

/// A parsed font and the glyphs used so far.
#[derive(Debug, Clone)]
pub(crate) struct Font {
    origin: Origin,
    data: FontData,
    units_per_em: f64,
    ascender: f64,
    descender: f64,
    cff: bool,
    /// Glyph → CID (its number in the subset); CID 0 is `.notdef`.
    remapper: GlyphRemapper,
    /// CID → the text it stands for, for `/ToUnicode`.
    unicode: BTreeMap<u16, String>,
}

impl Font {
    /// Reads and checks a font.
    pub fn load(source: &FontSource) -> Result<Font, DrawError> {
        let (origin, data) = match source {
            FontSource::DejaVuSerif => (
                Origin::BuiltIn("DejaVu Serif"),
                FontData::Static(dejavu::serif::regular()),
            ),
            FontSource::DejaVuSerifBold => (
                Origin::BuiltIn("DejaVu Serif Bold"),
                FontData::Static(dejavu::serif::bold()),
            ),
            FontSource::File(p) => (
                Origin::File(p.clone()),
                FontData::Shared(Arc::new(read_limited(p, MAX_FONT_FILE, "font")?)),
            ),
            FontSource::Bytes(b) => {
                if b.len() as u64 > MAX_FONT_FILE {
                    return Err(DrawError::TooLarge {
                        origin: Origin::Bytes,
                        role: "font",
                        len: b.len() as u64,
                        limit: MAX_FONT_FILE,
                    });
                }
                (Origin::Bytes, FontData::Shared(b.clone()))
            }
        };
        let bad = |reason: String| DrawError::Font {
            origin: origin.clone(),
            reason,
        };
        let face = Face::parse(data.bytes(), 0).map_err(|e| bad(e.to_string()))?;
        let cff = face.tables().cff.is_some();
        if face.tables().glyf.is_none() && !cff {
            return Err(bad(
                "it has neither TrueType (glyf) nor CFF outlines (CFF2 and bitmap-only fonts \
                 are not supported)"
                    .into(),
            ));
        }
        if face.is_variable() {
            return Err(bad(
                "variable fonts are not supported; use a static instance".into(),
            ));
        }
        if face.permissions() == Some(ttf_parser::Permissions::Restricted) {
            return Err(bad(
                "its licence flags (OS/2 fsType) forbid embedding it in documents".into(),
            ));
        }
        if face.tables().os2.is_some() && !face.is_subsetting_allowed() {
            return Err(bad(
                "its licence flags (OS/2 fsType) forbid embedding a subset of it".into(),
            ));
        }
        let upem = f64::from(face.units_per_em());
        if !(16.0..=16384.0).contains(&upem) {
            return Err(bad(format!("units per em {upem} is out of range")));
        }
        let ascender = f64::from(face.ascender());
        let descender = f64::from(face.descender());
        // `.notdef` is CID 0.
        let remapper = GlyphRemapper::new();
        Ok(Font {
            origin,
            units_per_em: upem,
            ascender: ascender / upem,
            descender: descender / upem,
            cff,
            data,
            remapper,
            unicode: BTreeMap::new(),
        })
    }

    fn face(&self) -> Result<Face<'_>, DrawError> {
        Face::parse(self.data.bytes(), 0).map_err(|e| DrawError::Font {
            origin: self.origin.clone(),
            reason: e.to_string(),
        })
    }

    /// Ascender as a fraction of the font size.
    pub fn ascender(&self) -> f64 {
        self.ascender
    }

    /// Descender (negative) as a fraction of the font size.
    pub fn descender(&self) -> f64 {
        self.descender
    }

    /// Glyphs of `text` with their advances in text-space units (1 = the font size).
    /// Characters the font lacks are an error; control characters are not allowed.
    pub fn shape(&self, text: &str) -> Result<Vec<(GlyphId, char, f64)>, DrawError> {
        let face = self.face()?;
        let mut out = Vec::with_capacity(text.len());
        for ch in text.chars() {
            let missing = || DrawError::MissingGlyph {
                origin: self.origin.clone(),
                ch,
                text: text.to_string(),
            };
            if ch.is_control() {
                return Err(missing());
            }
            let gid = face.glyph_index(ch).ok_or_else(missing)?;
            let advance = f64::from(face.glyph_hor_advance(gid).unwrap_or(0)) / self.units_per_em;
            out.push((gid, ch, advance));
        }
        Ok(out)
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f64) -> Result<f64, DrawError> {
        Ok(self.shape(text)?.iter().map(|g| g.2).sum::<f64>() * size)
    }

    /// The two-byte codes (CIDs) that show `text`, recording the glyphs for the subset.
    pub fn encode(&mut self, text: &str) -> Result<Vec<u8>, DrawError> {
        let glyphs = self.shape(text)?;
        let mut out = Vec::with_capacity(glyphs.len() * 2);
        for (gid, ch, _) in glyphs {
            if self.remapper.num_gids() >= u16::MAX - 1 {
                return Err(DrawError::Font {
                    origin: self.origin.clone(),
                    reason: "too many distinct glyphs".into(),
                });
            }
            let cid = self.remapper.remap(gid.0);
            self.unicode.entry(cid).or_insert_with(|| ch.to_string());
            out.extend_from_slice(&cid.to_be_bytes());
        }
        Ok(out)
    }

    /// True once some text has been encoded with this font.
    pub fn is_used(&self) -> bool {
        !self.unicode.is_empty()
    }

    /// Subsets the font to the glyphs used and writes the Type0 font with its descendant,
    /// descriptor, font program, `/ToUnicode` and `/CIDSet`. Returns the Type0 font.
    pub fn write(&self, update: &mut IncrementalUpdate) -> Result<ObjRef, Error> {
        let bad = |reason: String| DrawError::Font {
            origin: self.origin.clone(),
            reason,
        };
        let source = self.data.bytes();
        let remapper = self.remapper.clone();
        // subsetter is third-party code fed a caller's file: a panic inside it becomes an
        // error instead of taking the process down.
        let subset = std::panic::catch_unwind(move || subsetter::subset(source, 0, &remapper))
            .map_err(|_| bad("the subsetter failed on this font".into()))?
            .map_err(|e| bad(format!("cannot subset: {e}")))?;
        let sub_face =
            Face::parse(&subset, 0).map_err(|e| bad(format!("the subset does not parse: {e}")))?;
        let glyph_count = sub_face.number_of_glyphs();
        let sub_upem = f64::from(sub_face.units_per_em());
        let face = self.face()?;

        let base_name = format!("{}+{}", self.subset_tag(), postscript_name(&face));
        let scale = |v: f64| (v * 1000.0 / self.units_per_em).round() as i64;

        // Font program.
        let program = update.allocate()?;
        let mut program_dict = Dict::new();
        program_dict.set("Filter", Object::Name(Name::from("FlateDecode")));
        let program_bytes = if self.cff {
            let cff = sub_face
                .raw_face()
                .table(Tag::from_bytes(b"CFF "))
                .ok_or_else(|| bad("the subset lost its CFF table".into()))?
                .to_vec();
            program_dict.set("Subtype", Object::Name(Name::from("CIDFontType0C")));
            cff
        } else {
            program_dict.set("Length1", subset.len() as i64);
            subset.clone()
        };
        update.put(
            program,
            &Object::Stream(Stream {
                dict: program_dict,
                data: StreamData::Memory(deflate(&program_bytes)?),
            }),
        )?;

        // CIDSet: every CID of the subset (CID = GID).
        let cid_set = update.allocate()?;
        let mut bits = vec![0u8; usize::from(glyph_count).div_ceil(8)];
        for cid in 0..usize::from(glyph_count) {
            if let Some(b) = bits.get_mut(cid / 8) {
                *b |= 0x80 >> (cid % 8);
            }
        }
        let mut cid_set_dict = Dict::new();
        cid_set_dict.set("Filter", Object::Name(Name::from("FlateDecode")));
        update.put(
            cid_set,
            &Object::Stream(Stream {
                dict: cid_set_dict,
                data: StreamData::Memory(deflate(&bits)?),
            }),
        )?;

        // Descriptor.
        let bbox = face.global_bounding_box();
        let descriptor = update.allocate()?;
        let mut d = Dict::new();
        d.set("Type", Object::Name(Name::from("FontDescriptor")));
        d.set("FontName", Object::Name(Name::from(base_name.as_str())));
        // Symbolic (bit 3): glyphs are addressed by CID, not by a standard encoding.
        d.set("Flags", 4i64);
        d.set(
            "FontBBox",
            Object::Array(vec![
                Object::Integer(scale(f64::from(bbox.x_min))),
                Object::Integer(scale(f64::from(bbox.y_min))),
                Object::Integer(scale(f64::from(bbox.x_max))),
                Object::Integer(scale(f64::from(bbox.y_max))),
            ]),
        );
        d.set("ItalicAngle", Object::Real(f64::from(face.italic_angle())));
        d.set("Ascent", scale(f64::from(face.ascender())));
        d.set("Descent", scale(f64::from(face.descender())));
        d.set(
            "CapHeight",
            scale(f64::from(face.capital_height().unwrap_or(face.ascender()))),
        );
        let weight = f64::from(face.weight().to_number());
        // The usual estimate of the dominant vertical stem from the weight class.
        d.set(
            "StemV",
            (10.0 + 220.0 * ((weight - 50.0) / 900.0).powi(2)).round() as i64,
        );
        d.set("CIDSet", cid_set);
        d.set(if self.cff { "FontFile3" } else { "FontFile2" }, program);
        update.put(descriptor, &Object::Dict(d))?;

        // Widths of every glyph of the subset, as the embedded program has them.
        let widths: Vec<Object> = (0..glyph_count)
            .map(|g| {
                let adv = f64::from(sub_face.glyph_hor_advance(GlyphId(g)).unwrap_or(0));
                Object::Integer((adv * 1000.0 / sub_upem).round() as i64)
            })
            .collect();

        let cid_font = update.allocate()?;
        let mut c = Dict::new();
        c.set("Type", Object::Name(Name::from("Font")));
        c.set(
            "Subtype",
            Object::Name(Name::from(if self.cff {
                "CIDFontType0"
            } else {
                "CIDFontType2"
            })),
        );
        c.set("BaseFont", Object::Name(Name::from(base_name.as_str())));
        let mut info = Dict::new();
        info.set("Registry", Object::String(PdfString::literal("Adobe")));
        info.set("Ordering", Object::String(PdfString::literal("Identity")));
        info.set("Supplement", 0i64);
        c.set("CIDSystemInfo", Object::Dict(info));
        c.set("FontDescriptor", descriptor);
        c.set(
            "W",
            Object::Array(vec![Object::Integer(0), Object::Array(widths)]),
        );
        if !self.cff {
            c.set("CIDToGIDMap", Object::Name(Name::from("Identity")));
        }
        update.put(cid_font, &Object::Dict(c))?;

        let to_unicode = update.allocate()?;
        let mut tu = Dict::new();
        tu.set("Filter", Object::Name(Name::from("FlateDecode")));
        update.put(
            to_unicode,
            &Object::Stream(Stream {
                dict: tu,
                data: StreamData::Memory(deflate(&to_unicode_cmap(&self.unicode))?),
            }),
        )?;

        let type0 = update.allocate()?;
        let mut t = Dict::new();
        t.set("Type", Object::Name(Name::from("Font")));
        t.set("Subtype", Object::Name(Name::from("Type0")));
        t.set("BaseFont", Object::Name(Name::from(base_name.as_str())));
        t.set("Encoding", Object::Name(Name::from("Identity-H")));
        t.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid_font)]),
        );
        t.set("ToUnicode", to_unicode);
        update.put(type0, &Object::Dict(t))?;
        Ok(type0)
    }

    /// Six capital letters that name this subset (ISO 32000-2 §9.9.2), derived from the
    /// glyphs it holds.
    fn subset_tag(&self) -> String {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(self.origin.to_string().as_bytes());
        for (cid, text) in &self.unicode {
            ctx.update(&cid.to_be_bytes());
            ctx.update(text.as_bytes());
        }
        let digest = ctx.finish();
        digest
            .as_ref()
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect()
    }
}

/// The font's PostScript name (name ID 6), reduced to the characters a PDF name may hold
/// without escapes; `KysoFont` when it has none.
fn postscript_name(face: &Face<'_>) -> String {
    let from_table = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| {
            n.to_string().or_else(|| {
                n.name
                    .iter()
                    .all(|b| b.is_ascii_graphic())
                    .then(|| String::from_utf8_lossy(n.name).into_owned())
            })
        })
        .unwrap_or_default();
    let clean: String = from_table
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(63)
        .collect();
    if clean.is_empty() {
        "KysoFont".to_string()
    } else {
        clean
    }
}

/// A `/ToUnicode` CMap mapping each two-byte CID to its text (UTF-16BE).
pub(crate) fn to_unicode_cmap(map: &BTreeMap<u16, String>) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &String)> = map.iter().collect();
    for chunk in entries.chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (cid, text) in chunk {
            s.push_str(&format!("<{cid:04X}> <"));
            for unit in text.encode_utf16() {
                s.push_str(&format!("{unit:04X}"));
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_font_covers_vietnamese() {
        let f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let text = "Nguyễn Thị Hương, Thừa Thiên Huế, đ ư ơ Ư Ơ Đ ạ ả ấ ầ ẩ ẫ ậ";
        assert!(f.width(text, 10.0).unwrap() > 100.0);
        assert!(f.ascender() > 0.5 && f.descender() < 0.0);
    }

    #[test]
    fn missing_glyphs_and_control_characters_are_errors() {
        let f = Font::load(&FontSource::DejaVuSerif).unwrap();
        assert!(matches!(
            f.width("chữ 漢", 10.0),
            Err(DrawError::MissingGlyph { ch: '漢', .. })
        ));
        assert!(f.width("a\u{7}", 10.0).is_err());
    }

    #[test]
    fn cids_are_dense_and_map_back_to_text() {
        let mut f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let codes = f.encode("ơơư").unwrap();
        assert_eq!(codes, [0, 1, 0, 1, 0, 2]);
        let cmap = String::from_utf8(to_unicode_cmap(&f.unicode)).unwrap();
        assert!(cmap.contains("<0001> <01A1>"), "{cmap}");
        assert!(cmap.contains("<0002> <01B0>"), "{cmap}");
    }

    #[test]
    fn mutated_fonts_give_errors_or_fonts_never_panics() {
        use crate::pdf::incremental::{IncrementalUpdate, XrefStyle};
        let good = dejavu::serif::regular();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut written = 0;
        for _ in 0..40 {
            let mut bytes = good.to_vec();
            for _ in 0..(1 + next() % 64) {
                // Past the table directory, which a change makes unreadable at once.
                let at = 512 + (next() as usize) % (bytes.len() - 512);
                bytes[at] = next() as u8;
            }
            let Ok(mut f) = Font::load(&FontSource::Bytes(Arc::new(bytes))) else {
                continue;
            };
            if f.encode("Nguyễn Thị Hương").is_err() {
                continue;
            }
            let mut trailer = Dict::new();
            trailer.set("Size", 5i64);
            trailer.set("Root", ObjRef::new(1, 0));
            let mut u =
                IncrementalUpdate::new(1000, 900, XrefStyle::Table, &trailer, true).unwrap();
            if f.write(&mut u).is_ok() {
                written += 1;
            }
        }
        // Most mutations leave a font that subsets; the point is that none panics.
        assert!(written > 0);
    }

    #[test]
    fn corrupt_fonts_are_errors() {
        let good = dejavu::serif::regular();
        let r = Font::load(&FontSource::Bytes(Arc::new(b"not a font at all".to_vec())));
        assert!(matches!(r, Err(DrawError::Font { .. })));
        // A truncated font parses its directory but not its tables.
        let cut = Arc::new(good[..2000].to_vec());
        assert!(Font::load(&FontSource::Bytes(cut)).is_err());
    }
}
