//! Lays a template out in a box and writes the appearance's content stream.
//!
//! Text rows keep their sizes when they fit; otherwise every size shrinks by the same factor
//! until the text fits, never below the template's `min_font_size`. Image rows share the height
//! the text leaves (at least a quarter of the box), each image scaled to fit with its aspect
//! kept. The seal, at its real size, goes over the left part of the signature image and on top
//! of everything else.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::error::AppearanceError;
use super::fields::{substitute, Values};
use super::template::{Align, Color, ImageRef, SealOverlay, Side, Template, VAlign};
use crate::draw::font::Font;
use crate::draw::image::LoadedImage;
use crate::draw::pdfa::ColorModel;
use crate::draw::text::wrap;
use crate::draw::DrawError;

/// Fonts and images available to a layout.
#[derive(Debug, Clone)]
pub(crate) struct Assets {
    pub regular: Font,
    /// `None`: bold rows are drawn with the regular font, filled and stroked.
    pub bold: Option<Font>,
    pub signature: Option<LoadedImage>,
    pub seal: Option<LoadedImage>,
    pub files: BTreeMap<PathBuf, LoadedImage>,
    /// Width of the seal at its real size, in points.
    pub seal_width: f64,
}

impl Assets {
    fn image(&self, r: &ImageRef) -> Option<&LoadedImage> {
        match r {
            ImageRef::Signature => self.signature.as_ref(),
            ImageRef::Seal => self.seal.as_ref(),
            ImageRef::File(p) => self.files.get(p),
        }
    }
}

/// A laid-out appearance: the content stream and the image resources it names.
#[derive(Debug, Clone)]
pub(crate) struct Drawing {
    pub content: Vec<u8>,
    /// `(resource name, image)`, in order of first use.
    pub images: Vec<(String, ImageRef)>,
}

/// Text shrinks down to this fraction of its size to stay on one line before it wraps.
const NO_WRAP_SCALE: f64 = 0.8;

/// Resource names of the two fonts.
pub(crate) const REGULAR_FONT: &str = "F1";
pub(crate) const BOLD_FONT: &str = "F2";

#[derive(Debug, Clone, Copy)]
struct Area {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

#[derive(Debug, Clone)]
enum Item {
    Border {
        width: f64,
        color: Color,
    },
    Text {
        bold: bool,
        size: f64,
        x: f64,
        y: f64,
        color: Color,
        text: String,
    },
    Image {
        image: ImageRef,
        area: Area,
    },
}

enum Resolved {
    Text {
        text: String,
        bold: bool,
        size: f64,
        align: Align,
        color: Color,
    },
    Image {
        image: ImageRef,
        align: Align,
    },
    Space(f64),
}

struct LaidText {
    lines: Vec<String>,
    bold: bool,
    size: f64,
    align: Align,
    color: Color,
}

enum Laid {
    Text(LaidText),
    Image { image: ImageRef, align: Align },
    Space(f64),
}

/// Lays `t` out in a `w`×`h` box with `values`, drawing in `model`. `layout` names the layout
/// in errors.
pub(crate) fn draw(
    t: &Template,
    values: &Values,
    w: f64,
    h: f64,
    assets: &mut Assets,
    model: ColorModel,
    layout: &str,
) -> Result<Drawing, AppearanceError> {
    let fail = Failures {
        w,
        h,
        min_size: t.min_font_size,
        layout,
    };
    let (inner, mut items) = frame(t, w, h, &fail)?;
    let (area, side_item) = place_side_image(t, assets, inner, &fail)?;
    let rows = resolve_rows(t, values, assets, &fail)?;
    let (laid, used) = shrink_until_fit(t, &rows, area, assets, &fail)?;
    let mut images = place_rows(t, laid, area, used, assets, &mut items)?;
    if let Some(s) = side_item {
        images.items.insert(0, s);
        images.signature = images.signature.map(|i| i + 1);
    }
    if let Some(overlay) = &t.seal {
        place_seal(overlay, assets, inner, &mut images, &fail)?;
    }
    items.extend(images.items);
    render(&items, w, h, assets, model)
}

/// The errors [`draw`] raises, with what they report.
struct Failures<'a> {
    w: f64,
    h: f64,
    min_size: f64,
    layout: &'a str,
}

impl Failures<'_> {
    fn does_not_fit(&self) -> AppearanceError {
        AppearanceError::from(DrawError::DoesNotFit {
            width: round2(self.w),
            height: round2(self.h),
            min_size: self.min_size,
        })
    }

    fn missing(&self, image: &ImageRef) -> AppearanceError {
        AppearanceError::MissingImage {
            layout: self.layout.to_string(),
            what: image_role(image),
        }
    }

    fn seal_too_big(&self, diameter: f64) -> AppearanceError {
        AppearanceError::SealDoesNotFit {
            diameter,
            width: self.w,
            height: self.h,
        }
    }
}

/// The area inside the padding and the border, and the border's item when it has one.
fn frame(
    t: &Template,
    w: f64,
    h: f64,
    fail: &Failures,
) -> Result<(Area, Vec<Item>), AppearanceError> {
    let border = t.border.filter(|b| b.width > 0.0);
    let inset = t.padding + border.map_or(0.0, |b| b.width);
    let inner = Area {
        x: inset,
        y: inset,
        w: w - 2.0 * inset,
        h: h - 2.0 * inset,
    };
    if inner.w < 1.0 || inner.h < 1.0 {
        return Err(fail.does_not_fit());
    }
    let mut items = Vec::new();
    if let Some(b) = border {
        items.push(Item::Border {
            width: b.width,
            color: b.color.unwrap_or(Color::BLACK),
        });
    }
    Ok((inner, items))
}

/// The image beside the rows, when the template has one: the area left for the rows and the
/// image's item.
fn place_side_image(
    t: &Template,
    assets: &Assets,
    inner: Area,
    fail: &Failures,
) -> Result<(Area, Option<Item>), AppearanceError> {
    let Some(si) = &t.side_image else {
        return Ok((inner, None));
    };
    let Some(img) = assets.image(&si.image) else {
        return if si.optional {
            Ok((inner, None))
        } else {
            Err(fail.missing(&si.image))
        };
    };
    let iw = inner.w * si.width;
    let gap = (inner.w * 0.03).min(4.0);
    let (side, rest_x) = match si.side {
        Side::Left => (inner.x, inner.x + iw + gap),
        Side::Right => (inner.x + inner.w - iw, inner.x),
    };
    let area = Area {
        x: rest_x,
        w: inner.w - iw - gap,
        ..inner
    };
    let slot = Area {
        x: side,
        w: iw,
        ..inner
    };
    let item = Item::Image {
        image: si.image.clone(),
        area: fit(img.aspect(), slot, Align::Center),
    };
    Ok((area, Some(item)))
}

/// The template's rows with their values substituted; empty texts and optional images that
/// were not given are left out.
fn resolve_rows(
    t: &Template,
    values: &Values,
    assets: &Assets,
    fail: &Failures,
) -> Result<Vec<Resolved>, AppearanceError> {
    let default_color = t.color.unwrap_or(Color::BLACK);
    let mut rows = Vec::new();
    for row in &t.rows {
        if let Some(text) = &row.text {
            let Some(mut s) = substitute(text, values)? else {
                continue;
            };
            if row.uppercase {
                s = s.to_uppercase();
            }
            let s = s.trim().to_string();
            if s.is_empty() {
                continue;
            }
            rows.push(Resolved::Text {
                text: s,
                bold: row.bold,
                size: row.size.unwrap_or(t.font_size),
                align: row.align.unwrap_or(t.align),
                color: row.color.unwrap_or(default_color),
            });
        } else if let Some(image) = &row.image {
            if assets.image(image).is_some() {
                rows.push(Resolved::Image {
                    image: image.clone(),
                    align: row.align.unwrap_or(t.align),
                });
            } else if !row.optional {
                return Err(fail.missing(image));
            }
        } else if let Some(s) = row.space {
            rows.push(Resolved::Space(s));
        }
    }
    Ok(rows)
}

/// One attempt at laying the rows out at a scale.
enum Trial {
    /// Every text row was laid out; `fits` is false when one was wider than the area.
    Laid {
        laid: Vec<Laid>,
        used: f64,
        fits: bool,
    },
    /// A text row would be smaller than the template's minimum size.
    BelowMinimum,
}

/// Shrinks the text until the rows fit `area` and leave each image row its minimum height:
/// first each text on one line, shrinking down to [`NO_WRAP_SCALE`]; then wrapped, shrinking
/// down to the minimum size. The laid-out rows and the height their text and spaces use.
fn shrink_until_fit(
    t: &Template,
    rows: &[Resolved],
    area: Area,
    assets: &Assets,
    fail: &Failures,
) -> Result<(Vec<Laid>, f64), AppearanceError> {
    let image_rows = rows
        .iter()
        .filter(|r| matches!(r, Resolved::Image { .. }))
        .count();
    let min_image = (area.h * 0.25).max(8.0);
    let mut scale = 1.0f64;
    let mut wrapping = false;
    loop {
        match lay_out_at(t, rows, area.w, assets, scale, wrapping)? {
            Trial::BelowMinimum if wrapping => return Err(fail.does_not_fit()),
            Trial::BelowMinimum => scale = 0.0,
            Trial::Laid { laid, used, fits } => {
                let spare = area.h - used;
                if fits && spare >= image_rows as f64 * min_image - 1e-6 {
                    return Ok((laid, used));
                }
            }
        }
        scale *= 0.96;
        if !wrapping && scale < NO_WRAP_SCALE {
            wrapping = true;
            scale = 1.0;
        } else if scale < 0.05 {
            return Err(fail.does_not_fit());
        }
    }
}

/// Lays every row out with text sizes times `scale`, on one line each or wrapped to `width`.
fn lay_out_at(
    t: &Template,
    rows: &[Resolved],
    width: f64,
    assets: &Assets,
    scale: f64,
    wrapping: bool,
) -> Result<Trial, AppearanceError> {
    let mut laid = Vec::with_capacity(rows.len());
    let mut used = 0.0;
    let mut fits = true;
    for r in rows {
        match r {
            Resolved::Text {
                text,
                bold,
                size,
                align,
                color,
            } => {
                let size = size * scale;
                if size + 1e-9 < t.min_font_size {
                    return Ok(Trial::BelowMinimum);
                }
                let font = pick(assets, *bold);
                match text_lines(font, text, size, width, wrapping)? {
                    Some(lines) => {
                        used += lines.len() as f64 * size * t.line_height;
                        laid.push(Laid::Text(LaidText {
                            lines,
                            bold: *bold,
                            size,
                            align: *align,
                            color: *color,
                        }));
                    }
                    None => fits = false,
                }
            }
            Resolved::Image { image, align } => laid.push(Laid::Image {
                image: image.clone(),
                align: *align,
            }),
            Resolved::Space(s) => {
                used += s * scale;
                laid.push(Laid::Space(s * scale));
            }
        }
    }
    Ok(Trial::Laid { laid, used, fits })
}

/// `text` as lines no wider than `width` at `size`: wrapped, or its own lines (`\n`) when not
/// `wrapping`; `None` when it does not fit.
fn text_lines(
    font: &Font,
    text: &str,
    size: f64,
    width: f64,
    wrapping: bool,
) -> Result<Option<Vec<String>>, DrawError> {
    if wrapping {
        return wrap(font, text, size, width);
    }
    let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let mut widest = 0.0f64;
    for l in &lines {
        widest = widest.max(font.width(l, size)?);
    }
    Ok((widest <= width).then_some(lines))
}

/// Image items in drawing order, and which one is the signature image (the seal goes over it).
struct Images {
    items: Vec<Item>,
    signature: Option<usize>,
}

/// Places the laid-out rows from the top of `area`: text items go into `items`; image rows
/// share the height the text leaves and are returned apart, to be drawn over the text.
fn place_rows(
    t: &Template,
    laid: Vec<Laid>,
    area: Area,
    used: f64,
    assets: &Assets,
    items: &mut Vec<Item>,
) -> Result<Images, AppearanceError> {
    let image_rows = laid
        .iter()
        .filter(|r| matches!(r, Laid::Image { .. }))
        .count();
    let spare = area.h - used;
    let image_h = if image_rows > 0 {
        spare / image_rows as f64
    } else {
        0.0
    };
    let mut y = area.y + area.h;
    if image_rows == 0 {
        y -= match t.valign {
            VAlign::Top => 0.0,
            VAlign::Center => spare / 2.0,
            VAlign::Bottom => spare,
        };
    }
    let mut images = Images {
        items: Vec::new(),
        signature: None,
    };
    for row in laid {
        match row {
            Laid::Text(lt) => place_text(t, lt, area, &mut y, assets, items)?,
            Laid::Image { image, align } => {
                let slot = Area {
                    x: area.x,
                    y: y - image_h,
                    w: area.w,
                    h: image_h,
                };
                if let Some(img) = assets.image(&image) {
                    if image == ImageRef::Signature && images.signature.is_none() {
                        images.signature = Some(images.items.len());
                    }
                    images.items.push(Item::Image {
                        image: image.clone(),
                        area: fit(img.aspect(), slot, align),
                    });
                }
                y -= image_h;
            }
            Laid::Space(s) => y -= s,
        }
    }
    Ok(images)
}

/// Places the lines of one text row below `y`, aligned in `area`, and moves `y` down.
fn place_text(
    t: &Template,
    lt: LaidText,
    area: Area,
    y: &mut f64,
    assets: &Assets,
    items: &mut Vec<Item>,
) -> Result<(), AppearanceError> {
    let font = pick(assets, lt.bold);
    let (asc, desc) = (font.ascender(), font.descender());
    let line_h = lt.size * t.line_height;
    for line in lt.lines {
        let lw = font.width(&line, lt.size)?;
        let x = match lt.align {
            Align::Left => area.x,
            Align::Center => area.x + (area.w - lw) / 2.0,
            Align::Right => area.x + area.w - lw,
        };
        let baseline = *y - line_h / 2.0 - (asc + desc) / 2.0 * lt.size;
        items.push(Item::Text {
            bold: lt.bold,
            size: lt.size,
            x,
            y: baseline,
            color: lt.color,
            text: line,
        });
        *y -= line_h;
    }
    Ok(())
}

/// The seal at its real size, on top: over the left part of the signature image (which is
/// scaled down or moved so that both fit), or centred when there is no signature image.
fn place_seal(
    overlay: &SealOverlay,
    assets: &Assets,
    inner: Area,
    images: &mut Images,
    fail: &Failures,
) -> Result<(), AppearanceError> {
    let (w, h) = (fail.w, fail.h);
    let seal = assets
        .seal
        .as_ref()
        .ok_or_else(|| fail.missing(&ImageRef::Seal))?;
    let d = assets.seal_width;
    let dh = d / seal.aspect();
    if dh > h + 0.5 || d > w + 0.5 {
        return Err(fail.seal_too_big(d));
    }
    let seal_area = match images.signature.and_then(|i| images.items.get_mut(i)) {
        Some(Item::Image { area: sig, .. }) => {
            seal_beside_signature(overlay, sig, inner.x + inner.w, (d, dh), h)
                .ok_or_else(|| fail.seal_too_big(d))?
        }
        _ => Area {
            x: (w - d) / 2.0,
            y: (h - dh) / 2.0,
            w: d,
            h: dh,
        },
    };
    images.items.push(Item::Image {
        image: ImageRef::Seal,
        area: seal_area,
    });
    Ok(())
}

/// Where a `d`×`dh` seal goes over the signature image `sig` in a box of height `h` whose
/// content ends at `right_limit`, adjusting `sig`; `None` when they cannot fit side by side.
fn seal_beside_signature(
    overlay: &SealOverlay,
    sig: &mut Area,
    right_limit: f64,
    (d, dh): (f64, f64),
    h: f64,
) -> Option<Area> {
    // The seal (width d) and the part of the signature it does not cover must fit side by
    // side; a wider signature image is scaled down, about its centre.
    let widest = (right_limit - d) / (1.0 - overlay.overlap).max(1e-6);
    if sig.w > widest {
        if widest < 10.0 {
            return None;
        }
        let k = widest / sig.w;
        let (cx, cy) = (sig.x + sig.w / 2.0, sig.y + sig.h / 2.0);
        sig.w *= k;
        sig.h *= k;
        sig.x = cx - sig.w / 2.0;
        sig.y = cy - sig.h / 2.0;
    }
    let mut left = sig.x + sig.w * overlay.overlap - d;
    if left < 0.0 {
        // Move the signature image right so that the seal stays inside.
        sig.x -= left;
        left = 0.0;
    }
    if sig.x + sig.w > right_limit + 0.5 {
        sig.x = right_limit - sig.w;
        left = sig.x + sig.w * overlay.overlap - d;
    }
    let bottom = (sig.y + sig.h / 2.0 - dh / 2.0).clamp(0.0, (h - dh).max(0.0));
    Some(Area {
        x: left,
        y: bottom,
        w: d,
        h: dh,
    })
}

fn image_role(r: &ImageRef) -> &'static str {
    match r {
        ImageRef::Signature => "a signature image (--image)",
        ImageRef::Seal => "a seal image (--seal-image)",
        ImageRef::File(_) => "the image file the template names",
    }
}

fn pick(assets: &Assets, bold: bool) -> &Font {
    match (&assets.bold, bold) {
        (Some(b), true) => b,
        _ => &assets.regular,
    }
}

/// The largest box of aspect `aspect` inside `slot`, aligned horizontally, centred
/// vertically.
fn fit(aspect: f64, slot: Area, align: Align) -> Area {
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        1.0
    };
    let w = slot.w.min(slot.h * aspect);
    let h = w / aspect;
    let x = match align {
        Align::Left => slot.x,
        Align::Center => slot.x + (slot.w - w) / 2.0,
        Align::Right => slot.x + slot.w - w,
    };
    Area {
        x,
        y: slot.y + (slot.h - h) / 2.0,
        w,
        h,
    }
}

fn render(
    items: &[Item],
    w: f64,
    h: f64,
    assets: &mut Assets,
    model: ColorModel,
) -> Result<Drawing, AppearanceError> {
    let mut s = String::new();
    let mut images: Vec<(String, ImageRef)> = Vec::new();
    let color = |c: &Color, stroke: bool| -> String {
        let comps: Vec<String> = model.convert(c.0).into_iter().map(num).collect();
        format!("{} {}", comps.join(" "), model.operator(stroke))
    };
    let synthetic_bold = assets.bold.is_none();
    let _ = writeln!(s, "q 0 0 {} {} re W n", num(w), num(h));
    for item in items {
        match item {
            Item::Border { width, color: c } => {
                let half = width / 2.0;
                let _ = writeln!(
                    s,
                    "q {} w {} {} {} {} {} re S Q",
                    num(*width),
                    color(c, true),
                    num(half),
                    num(half),
                    num(w - width),
                    num(h - width)
                );
            }
            Item::Text {
                bold,
                size,
                x,
                y,
                color: c,
                text,
            } => {
                let (font, name) = match (&mut assets.bold, *bold) {
                    (Some(b), true) => (b, BOLD_FONT),
                    _ => (&mut assets.regular, REGULAR_FONT),
                };
                let codes = font.encode(text)?;
                let _ = write!(s, "BT /{name} {} Tf {} ", num(*size), color(c, false));
                if *bold && synthetic_bold {
                    let _ = write!(s, "{} 2 Tr {} w ", color(c, true), num(size * 0.03));
                }
                let _ = write!(s, "1 0 0 1 {} {} Tm <", num(*x), num(*y));
                for b in codes {
                    let _ = write!(s, "{b:02X}");
                }
                let _ = writeln!(s, "> Tj ET");
            }
            Item::Image { image, area } => {
                let name = match images.iter().find(|(_, r)| r == image) {
                    Some((n, _)) => n.clone(),
                    None => {
                        let n = format!("Im{}", images.len() + 1);
                        images.push((n.clone(), image.clone()));
                        n
                    }
                };
                let _ = writeln!(
                    s,
                    "q {} 0 0 {} {} {} cm /{name} Do Q",
                    num(area.w),
                    num(area.h),
                    num(area.x),
                    num(area.y)
                );
            }
        }
    }
    s.push_str("Q\n");
    Ok(Drawing {
        content: s.into_bytes(),
        images,
    })
}

/// A number for a content stream: at most three decimals, no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let mut t = format!("{v:.3}");
    if t.contains('.') {
        let keep = t.trim_end_matches('0').trim_end_matches('.').len();
        t.truncate(keep);
    }
    if t == "-0" {
        t = "0".to_string();
    }
    t
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::image::encode_rgba;
    use crate::draw::{FontSource, ImageSource};

    fn assets(signature: bool, seal: bool) -> Assets {
        let img = |w: u32, h: u32| {
            LoadedImage::load(&ImageSource::bytes(encode_rgba(
                w,
                h,
                &vec![0u8; (w * h * 4) as usize],
            )))
            .unwrap()
        };
        Assets {
            regular: Font::load(&FontSource::DejaVuSerif).unwrap(),
            bold: Some(Font::load(&FontSource::DejaVuSerifBold).unwrap()),
            signature: signature.then(|| img(60, 30)),
            seal: seal.then(|| img(40, 40)),
            files: BTreeMap::new(),
            seal_width: 100.0,
        }
    }

    fn values() -> Values {
        Values::default()
            .with("signer", "Nguyễn Thị Hương")
            .with("title", "Chủ tịch")
            .with("organization", "Ủy ban nhân dân tỉnh Thừa Thiên Huế")
            .with("time", "15/03/2024 09:30:00 +07:00")
    }

    fn content(d: &Drawing) -> String {
        String::from_utf8(d.content.clone()).unwrap()
    }

    #[test]
    fn official_layout_orders_title_image_name() {
        let mut a = assets(true, false);
        let d = draw(
            &Template::official(),
            &values(),
            200.0,
            120.0,
            &mut a,
            ColorModel::Rgb,
            "official",
        )
        .unwrap();
        let c = content(&d);
        assert_eq!(d.images, vec![("Im1".to_string(), ImageRef::Signature)]);
        let title = c.find("/F2 12 Tf").unwrap();
        let image = c.find("/Im1 Do").unwrap();
        assert!(title < image, "{c}");
        assert_eq!(c.matches("/F2 12 Tf").count(), 2, "{c}");
        assert!(a.bold.as_ref().unwrap().is_used());
        assert!(!a.regular.is_used());
    }

    #[test]
    fn text_shrinks_to_fit_and_fails_below_the_minimum() {
        let mut a = assets(false, false);
        let d = draw(
            &Template::portal(),
            &values(),
            200.0,
            40.0,
            &mut a,
            ColorModel::Rgb,
            "portal",
        )
        .unwrap();
        assert!(!content(&d).contains(" 10 Tf"), "{}", content(&d));
        let e = draw(
            &Template::portal(),
            &values(),
            60.0,
            20.0,
            &mut a,
            ColorModel::Rgb,
            "portal",
        )
        .unwrap_err();
        assert!(matches!(
            e,
            AppearanceError::Draw(DrawError::DoesNotFit { .. })
        ));
    }

    #[test]
    fn seal_covers_the_left_third_of_the_signature() {
        let mut a = assets(true, true);
        let d = draw(
            &Template::seal(),
            &values(),
            240.0,
            145.0,
            &mut a,
            ColorModel::Rgb,
            "seal",
        )
        .unwrap();
        let c = content(&d);
        let cm = |name: &str| -> Vec<f64> {
            let line = c
                .lines()
                .find(|l| l.ends_with(&format!("/{name} Do Q")))
                .unwrap();
            line.split(' ')
                .skip(1)
                .take(6)
                .map(|v| v.parse().unwrap())
                .collect()
        };
        let sig = cm("Im1");
        let seal = cm("Im2");
        assert_eq!(seal[0], 100.0);
        let covered = seal[4] + seal[0] - sig[4];
        assert!((covered - sig[0] / 3.0).abs() < 0.01, "{c}");
        assert!(c.rfind("/Im2 Do").unwrap() > c.rfind("/Im1 Do").unwrap());
        // A wide signature image is narrowed so that the seal fits beside it.
        assert!(sig[4] + sig[0] <= 240.0 - 3.0 + 0.01, "{c}");
        assert!(seal[4] >= -0.01, "{c}");
        // Too small a box for the seal at its real size.
        let e = draw(
            &Template::seal(),
            &values(),
            240.0,
            90.0,
            &mut a,
            ColorModel::Rgb,
            "seal",
        );
        assert!(matches!(e, Err(AppearanceError::SealDoesNotFit { .. })));
    }

    #[test]
    fn missing_images_are_named() {
        let mut a = assets(false, false);
        let e = draw(
            &Template::official(),
            &values(),
            200.0,
            120.0,
            &mut a,
            ColorModel::Rgb,
            "official",
        )
        .unwrap_err();
        assert!(e.to_string().contains("--image"), "{e}");
    }

    #[test]
    fn numbers() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(1.23456), "1.235");
    }
}
