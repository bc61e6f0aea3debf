//! Appearance templates: rows of text (with placeholders), images and spaces stacked from
//! top to bottom, an optional image beside them, an optional border and an optional seal laid
//! over the signature image. The built-in layouts are templates; callers give their own as
//! JSON (see the README's "Visible signatures" section for the format).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::AppearanceError;
use super::geometry::Anchor;
use crate::draw::{read_limited, Origin};

/// Largest template file read, in bytes.
pub const MAX_TEMPLATE_FILE: u64 = 1 << 20;
/// Most rows in a template.
pub const MAX_ROWS: usize = 64;
/// Longest row text, in characters.
pub const MAX_ROW_TEXT: usize = 2000;

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    #[default]
    Center,
    /// Flush right.
    Right,
}

/// Vertical alignment of the rows when no image row takes up the spare height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum VAlign {
    /// At the top.
    Top,
    /// Centred.
    #[default]
    Center,
    /// At the bottom.
    Bottom,
}

/// An sRGB colour written `#RRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub struct Color(pub [f64; 3]);

impl Color {
    /// Black.
    pub const BLACK: Color = Color([0.0, 0.0, 0.0]);

    /// From 8-bit components.
    pub const fn rgb8(r: u8, g: u8, b: u8) -> Color {
        Color([r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0])
    }
}

impl TryFrom<String> for Color {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| format!("colour \"{s}\" is not #RRGGBB"))?;
        let c = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .unwrap_or(0)
        };
        Ok(Color::rgb8(c(0), c(2), c(4)))
    }
}

/// Which image a template draws.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
#[non_exhaustive]
pub enum ImageRef {
    /// The signature image given with the appearance (`--image`).
    Signature,
    /// The seal image given with the appearance (`--seal-image`).
    Seal,
    /// A file; relative paths are relative to the template file.
    File(PathBuf),
}

impl From<String> for ImageRef {
    fn from(s: String) -> Self {
        match s.as_str() {
            "signature" => ImageRef::Signature,
            "seal" => ImageRef::Seal,
            _ => ImageRef::File(PathBuf::from(s)),
        }
    }
}

/// A border around the whole rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Border {
    /// Line width in points.
    #[serde(default = "one")]
    pub width: f64,
    /// Line colour; black when absent.
    #[serde(default)]
    pub color: Option<Color>,
}

/// An image beside the rows, filling the height.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SideImage {
    /// The image.
    pub image: ImageRef,
    /// Which side.
    #[serde(default)]
    pub side: Side,
    /// Fraction of the width it takes (0.1 to 0.7).
    #[serde(default = "side_fraction")]
    pub width: f64,
    /// Leave it out, instead of failing, when the image was not given.
    #[serde(default)]
    pub optional: bool,
}

/// Left or right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Side {
    /// On the left.
    #[default]
    Left,
    /// On the right.
    Right,
}

/// The organisation's seal drawn at its real size over the left part of the signature image
/// (Decree 30/2020, Appendix I: covering about a third of it), or centred when there is no
/// signature image.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SealOverlay {
    /// Fraction of the signature image's width the seal covers (0 to 1).
    #[serde(default = "third")]
    pub overlap: f64,
}

/// One row: exactly one of `text`, `image` or `space`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Row {
    /// Text with `{placeholders}`; `\n` breaks lines. A row whose placeholders are all empty
    /// is left out.
    #[serde(default)]
    pub text: Option<String>,
    /// An image that takes the height the text rows leave (shared by image rows), scaled to
    /// fit with its aspect kept.
    #[serde(default)]
    pub image: Option<ImageRef>,
    /// Vertical space in points (scaled with the text).
    #[serde(default)]
    pub space: Option<f64>,
    /// Bold text (the bold font, or a stroked outline when the caller's font has no bold).
    #[serde(default)]
    pub bold: bool,
    /// Text size in points; the template's `font_size` when absent.
    #[serde(default)]
    pub size: Option<f64>,
    /// Alignment; the template's when absent.
    #[serde(default)]
    pub align: Option<Align>,
    /// Text colour; the template's when absent.
    #[serde(default)]
    pub color: Option<Color>,
    /// Upper-case the text (Vietnamese letters included).
    #[serde(default)]
    pub uppercase: bool,
    /// For image rows: leave the row out, instead of failing, when the image was not given.
    #[serde(default)]
    pub optional: bool,
}

impl Row {
    fn text(t: &str) -> Row {
        Row {
            text: Some(t.to_string()),
            ..Row::default()
        }
    }

    fn bold(mut self) -> Row {
        self.bold = true;
        self
    }

    fn upper(mut self) -> Row {
        self.uppercase = true;
        self
    }

    fn image(i: ImageRef) -> Row {
        Row {
            image: Some(i),
            ..Row::default()
        }
    }
}

/// A template: rows of text (with placeholders), images and spaces stacked from top to
/// bottom, an optional image beside them, an optional border and an optional seal laid over
/// the signature image. The built-in layouts are templates ([`Template::official`], …);
/// [`Template::from_json`] and [`Template::from_file`] read a caller's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Template {
    /// Width in points when the caller gives no rectangle.
    #[serde(default)]
    pub width: Option<f64>,
    /// Height in points when the caller gives no rectangle.
    #[serde(default)]
    pub height: Option<f64>,
    /// Where on the page when the caller gives no rectangle or position.
    #[serde(default)]
    pub position: Option<Anchor>,
    /// Default text size in points (shrunk, down to `min_font_size`, until the text fits).
    #[serde(default = "ten")]
    pub font_size: f64,
    /// Smallest text size before giving up.
    #[serde(default = "six")]
    pub min_font_size: f64,
    /// Line height as a multiple of the text size.
    #[serde(default = "line_height")]
    pub line_height: f64,
    /// Default alignment.
    #[serde(default)]
    pub align: Align,
    /// Vertical alignment when no image row takes the spare height.
    #[serde(default)]
    pub valign: VAlign,
    /// Space inside the rectangle, in points.
    #[serde(default = "padding")]
    pub padding: f64,
    /// Default text colour (black when absent).
    #[serde(default)]
    pub color: Option<Color>,
    /// A border.
    #[serde(default)]
    pub border: Option<Border>,
    /// An image beside the rows.
    #[serde(default)]
    pub side_image: Option<SideImage>,
    /// The seal over the signature image.
    #[serde(default)]
    pub seal: Option<SealOverlay>,
    /// The rows, top to bottom.
    #[serde(default)]
    pub rows: Vec<Row>,
}

fn one() -> f64 {
    1.0
}
fn ten() -> f64 {
    10.0
}
fn six() -> f64 {
    6.0
}
fn line_height() -> f64 {
    1.25
}
fn padding() -> f64 {
    3.0
}
fn side_fraction() -> f64 {
    0.3
}
fn third() -> f64 {
    1.0 / 3.0
}

impl Template {
    /// Parses a JSON template; `origin` names it in errors.
    pub fn from_json(json: &[u8], origin: Origin) -> Result<Template, AppearanceError> {
        let t: Template = serde_json::from_slice(json).map_err(|e| AppearanceError::Template {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        t.validate(&origin)?;
        Ok(t)
    }

    /// Reads a JSON template file. Relative image paths are resolved against its directory.
    pub fn from_file(path: &Path) -> Result<Template, AppearanceError> {
        let origin = Origin::File(path.to_path_buf());
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            return Err(AppearanceError::Template {
                origin,
                reason: "templates are JSON (kyso reads no TOML); see the README".into(),
            });
        }
        let bytes = read_limited(path, MAX_TEMPLATE_FILE, "template")?;
        let mut t = Template::from_json(&bytes, origin)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let resolve = |r: &mut ImageRef| {
            if let ImageRef::File(p) = r {
                if p.is_relative() {
                    *p = dir.join(&*p);
                }
            }
        };
        for row in &mut t.rows {
            if let Some(i) = row.image.as_mut() {
                resolve(i);
            }
        }
        if let Some(s) = t.side_image.as_mut() {
            resolve(&mut s.image);
        }
        Ok(t)
    }

    /// Checks ranges and that every row has exactly one kind.
    pub fn validate(&self, origin: &Origin) -> Result<(), AppearanceError> {
        let bad = |reason: String| AppearanceError::Template {
            origin: origin.clone(),
            reason,
        };
        let in_range = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
        for (name, v) in [("width", self.width), ("height", self.height)] {
            if let Some(v) = v {
                if !in_range(v, 1.0, 14_400.0) {
                    return Err(bad(format!("{name} {v} is not between 1 and 14400 pt")));
                }
            }
        }
        if !in_range(self.font_size, 1.0, 200.0) || !in_range(self.min_font_size, 1.0, 200.0) {
            return Err(bad("font sizes must be between 1 and 200 pt".into()));
        }
        if self.min_font_size > self.font_size {
            return Err(bad("min_font_size is larger than font_size".into()));
        }
        if !in_range(self.line_height, 0.8, 3.0) {
            return Err(bad("line_height must be between 0.8 and 3".into()));
        }
        if !in_range(self.padding, 0.0, 200.0) {
            return Err(bad("padding must be between 0 and 200 pt".into()));
        }
        if let Some(b) = &self.border {
            if !in_range(b.width, 0.0, 20.0) {
                return Err(bad("border width must be between 0 and 20 pt".into()));
            }
        }
        if let Some(s) = &self.side_image {
            if !in_range(s.width, 0.1, 0.7) {
                return Err(bad("side_image width must be between 0.1 and 0.7".into()));
            }
        }
        if let Some(s) = &self.seal {
            if !in_range(s.overlap, 0.0, 1.0) {
                return Err(bad("seal overlap must be between 0 and 1".into()));
            }
        }
        if self.rows.len() > MAX_ROWS {
            return Err(bad(format!("more than {MAX_ROWS} rows")));
        }
        for (i, row) in self.rows.iter().enumerate() {
            let kinds = [row.text.is_some(), row.image.is_some(), row.space.is_some()];
            if kinds.iter().filter(|k| **k).count() != 1 {
                return Err(bad(format!(
                    "row {} must have exactly one of \"text\", \"image\" and \"space\"",
                    i + 1
                )));
            }
            if let Some(t) = &row.text {
                if t.chars().count() > MAX_ROW_TEXT {
                    return Err(bad(format!(
                        "row {} is longer than {MAX_ROW_TEXT} characters",
                        i + 1
                    )));
                }
            }
            if let Some(s) = row.size {
                if !in_range(s, 1.0, 200.0) {
                    return Err(bad(format!(
                        "row {}: size must be between 1 and 200 pt",
                        i + 1
                    )));
                }
            }
            if let Some(s) = row.space {
                if !in_range(s, 0.0, 1000.0) {
                    return Err(bad(format!(
                        "row {}: space must be between 0 and 1000 pt",
                        i + 1
                    )));
                }
            }
        }
        Ok(())
    }

    /// Official's signature (chữ ký số của người có thẩm quyền): the title above, the
    /// signature image centred, the full name below.
    pub fn official() -> Template {
        Template {
            width: Some(200.0),
            height: Some(120.0),
            position: Some(Anchor::BottomRight),
            font_size: 12.0,
            rows: vec![
                Row::text("{title}").bold().upper(),
                Row::image(ImageRef::Signature),
                Row::text("{signer}").bold(),
            ],
            ..Template::base()
        }
    }

    /// Organisation's seal (chữ ký số của cơ quan, tổ chức) over the official's block: the
    /// official's layout with the seal over the left third of the signature image.
    pub fn seal() -> Template {
        Template {
            width: Some(240.0),
            height: Some(145.0),
            seal: Some(SealOverlay { overlap: third() }),
            ..Template::official()
        }
    }

    /// The seal alone at its real size, for an organisation's signature added after the
    /// official's.
    pub fn seal_only() -> Template {
        Template {
            width: None,
            height: None,
            padding: 0.0,
            seal: Some(SealOverlay { overlap: third() }),
            position: Some(Anchor::BottomRight),
            ..Template::base()
        }
    }

    /// Electronic copy or attachment stamp (bản sao điện tử, văn bản kèm theo): text only,
    /// 10 pt black, at the top right of the first page: copy form, document number, issuing
    /// body, signing time.
    pub fn copy_stamp() -> Template {
        Template {
            width: Some(230.0),
            height: Some(58.0),
            position: Some(Anchor::TopRight),
            align: Align::Left,
            valign: VAlign::Top,
            padding: 2.0,
            line_height: 1.2,
            rows: vec![
                Row::text("{copy_form}"),
                Row::text("{document_number}"),
                Row::text("{organization}"),
                Row::text("{time}"),
            ],
            ..Template::base()
        }
    }

    /// Portal block: "Người ký:", "Cơ quan:", "Thời gian ký:" in a frame, with the signature
    /// image on the left when one is given.
    pub fn portal() -> Template {
        Template {
            width: Some(250.0),
            height: Some(60.0),
            position: Some(Anchor::BottomRight),
            align: Align::Left,
            padding: 4.0,
            line_height: 1.3,
            color: Some(Color::rgb8(0xb0, 0x10, 0x10)),
            border: Some(Border {
                width: 1.0,
                color: Some(Color::rgb8(0xb0, 0x10, 0x10)),
            }),
            side_image: Some(SideImage {
                image: ImageRef::Signature,
                side: Side::Left,
                width: 0.28,
                optional: true,
            }),
            rows: vec![
                Row::text("Người ký: {signer}").bold(),
                Row::text("Cơ quan: {organization}"),
                Row::text("Thời gian ký: {time}"),
            ],
            ..Template::base()
        }
    }

    fn base() -> Template {
        Template {
            width: None,
            height: None,
            position: None,
            font_size: ten(),
            min_font_size: six(),
            line_height: line_height(),
            align: Align::Center,
            valign: VAlign::Center,
            padding: padding(),
            color: None,
            border: None,
            side_image: None,
            seal: None,
            rows: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_templates_validate() {
        for t in [
            Template::official(),
            Template::seal(),
            Template::seal_only(),
            Template::copy_stamp(),
            Template::portal(),
        ] {
            t.validate(&Origin::Bytes).unwrap();
        }
    }

    #[test]
    fn parses_json_templates() {
        let json = r##"{
            "width": 220, "height": 70, "font_size": 11, "align": "left",
            "border": {"width": 0.5, "color": "#1F3A93"},
            "side_image": {"image": "signature", "side": "right", "width": 0.3},
            "rows": [
                {"text": "Ký bởi: {signer}", "bold": true, "color": "#C00000"},
                {"space": 2},
                {"text": "Ngày ký: {time}", "size": 9, "align": "right"}
            ]
        }"##;
        let t = Template::from_json(json.as_bytes(), Origin::Bytes).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.side_image.unwrap().side, Side::Right);
        assert_eq!(t.rows[0].color, Some(Color::rgb8(0xc0, 0, 0)));
    }

    #[test]
    fn bad_templates_are_explained() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"rows": [{"text": "a", "image": "seal"}]}"#,
                "exactly one",
            ),
            (r#"{"rows": [{"txt": "a"}]}"#, "unknown field"),
            (r#"{"font_size": 500, "rows": []}"#, "font sizes"),
            (r##"{"color": "#12", "rows": []}"##, "#RRGGBB"),
            (r#"{"rows": [}"#, "line 1"),
        ];
        for (json, needle) in cases {
            let e = Template::from_json(json.as_bytes(), Origin::Bytes).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
        }
    }
}
