//! Appearance streams for filled fields (ISO 32000-2 §12.7.4.3, variable text): the widget's
//! background and border from `/MK` and `/BS`, then the value inside `/Tx BMC … EMC`, drawn
//! with the embedded font at the `/DA` size (0 = fit the box), aligned by `/Q`; multi-line
//! fields wrap at spaces, comb fields put one character in each of `/MaxLen` cells, list
//! boxes show their options with the chosen ones highlighted. Buttons without appearance
//! states get a drawn check mark or dot.

use crate::draw::font::Font;
use crate::draw::text::wrap;
use crate::draw::DrawError;
use crate::pdf::{Dict, Document, Object, PdfError, Source};

use super::da::{num, Colour, DefaultAppearance};

/// The resource name of the embedded font in every appearance stream kyso writes.
pub(crate) const FONT_RESOURCE: &str = "KysoF1";

/// Largest automatic font size (a `/DA` size of 0), in points.
const MAX_AUTO_SIZE: f64 = 12.0;
/// Smallest automatic font size; text that does not fit at it is clipped, as viewers do.
const MIN_AUTO_SIZE: f64 = 4.0;
/// Highlight of chosen list box options (the colour viewers commonly use).
const SELECTION: Colour = Colour::Rgb(0.6, 0.75, 0.86);

/// The widget's box and decoration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frame {
    /// Width and height of the appearance's box (after `/MK /R`: a quarter turn swaps them).
    pub width: f64,
    pub height: f64,
    /// `/MK /R`: 0, 90, 180 or 270.
    pub rotation: i64,
    pub border_width: f64,
    pub border: Option<Colour>,
    pub background: Option<Colour>,
    pub dashed: bool,
}

impl Frame {
    /// Reads `/Rect`, `/MK` (`/R`, `/BC`, `/BG`) and `/BS` (`/W`, `/S`) of a widget.
    pub fn of<S: Source>(doc: &Document<S>, rev: usize, widget: &Dict) -> Result<Frame, PdfError> {
        let numbers = |o: Option<&Object>| -> Result<Vec<f64>, PdfError> {
            Ok(match o.map(|o| doc.resolve(rev, o)).transpose()? {
                Some(Object::Array(a)) => a.iter().filter_map(Object::as_number).collect(),
                _ => Vec::new(),
            })
        };
        let rect = numbers(widget.get(b"Rect"))?;
        let (w, h) = match rect.as_slice() {
            [x1, y1, x2, y2] => ((x2 - x1).abs(), (y2 - y1).abs()),
            _ => (0.0, 0.0),
        };
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        let (w, h) = (finite(w), finite(h));
        let mk = widget
            .get(b"MK")
            .map(|m| doc.resolve_dict(rev, m))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let rotation = mk.get_int(b"R").unwrap_or(0).rem_euclid(360);
        let rotation = if rotation % 90 == 0 { rotation } else { 0 };
        let border = Colour::from_components(&numbers(mk.get(b"BC"))?);
        let background = Colour::from_components(&numbers(mk.get(b"BG"))?);
        let bs = widget
            .get(b"BS")
            .map(|b| doc.resolve_dict(rev, b))
            .transpose()?
            .flatten()
            .unwrap_or_default();
        let border_width = bs
            .get(b"W")
            .and_then(Object::as_number)
            .filter(|w| w.is_finite() && *w >= 0.0)
            .unwrap_or(1.0)
            .min(w.min(h) / 4.0);
        let (width, height) = if rotation == 90 || rotation == 270 {
            (h, w)
        } else {
            (w, h)
        };
        Ok(Frame {
            width,
            height,
            rotation,
            border_width,
            border,
            background,
            dashed: bs.get_name(b"S") == Some(b"D"),
        })
    }

    /// `/BBox` of the appearance.
    pub fn bbox(&self) -> [f64; 4] {
        [0.0, 0.0, self.width, self.height]
    }

    /// `/Matrix` that turns the appearance with `/MK /R`, if it is turned.
    pub fn matrix(&self) -> Option<[f64; 6]> {
        match self.rotation {
            90 => Some([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]),
            180 => Some([-1.0, 0.0, 0.0, -1.0, 0.0, 0.0]),
            270 => Some([0.0, -1.0, 1.0, 0.0, 0.0, 0.0]),
            _ => None,
        }
    }

    /// The border's width when one is drawn, else 0.
    fn drawn_border(&self) -> f64 {
        if self.border.is_some() {
            self.border_width
        } else {
            0.0
        }
    }

    /// Background and border.
    fn decoration(&self, out: &mut String) {
        let (w, h) = (self.width, self.height);
        if let Some(bg) = self.background {
            out.push_str(&format!(
                "q {} 0 0 {} {} re f Q\n",
                bg.fill(),
                num(w),
                num(h)
            ));
        }
        let b = self.drawn_border();
        if let (Some(bc), true) = (self.border, b > 0.0) {
            out.push_str(&format!(
                "q {} {} w {}{} {} {} {} re S Q\n",
                bc.stroke(),
                num(b),
                if self.dashed { "[3] 0 d " } else { "" },
                num(b / 2.0),
                num(b / 2.0),
                num(w - b),
                num(h - b)
            ));
        }
    }
}

/// What a text-like appearance shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content<'a> {
    /// One line (text field, combo box).
    Line(&'a str),
    /// Wrapped lines (multi-line text field).
    Lines(&'a str),
    /// One character per cell (comb text field with `/MaxLen` cells).
    Comb(&'a str, u32),
    /// A list box: every option from `top`, the chosen ones highlighted.
    List {
        options: &'a [String],
        selected: &'a [usize],
        top: usize,
    },
}

/// The content stream of a text-like appearance.
pub(crate) fn text_appearance(
    font: &mut Font,
    frame: &Frame,
    da: &DefaultAppearance,
    quadding: i64,
    content: Content<'_>,
) -> Result<Vec<u8>, DrawError> {
    let (w, h) = (frame.width, frame.height);
    let b = frame.drawn_border();
    let pad = b + 2.0;
    let inner_w = (w - 2.0 * pad).max(0.0);
    let inner_h = (h - 2.0 * b - 2.0).max(0.0);
    let line_h = font.ascender() - font.descender();

    let mut s = String::new();
    frame.decoration(&mut s);
    s.push_str("/Tx BMC\nq\n");
    s.push_str(&format!(
        "{} {} {} {} re W n\n",
        num(b),
        num(b),
        num((w - 2.0 * b).max(0.0)),
        num((h - 2.0 * b).max(0.0))
    ));
    let x_for = |width: f64| match quadding {
        1 => pad + (inner_w - width) / 2.0,
        2 => w - pad - width,
        _ => pad,
    };
    // (x, y, text) of each run to show, and the size.
    let mut runs: Vec<(f64, f64, String)> = Vec::new();
    let size;
    match content {
        Content::Line(text) => {
            size = if da.size > 0.0 {
                da.size
            } else {
                let by_height = (inner_h / line_h).min(MAX_AUTO_SIZE);
                let at_one = font.width(text, 1.0)?;
                let by_width = if at_one > 0.0 {
                    inner_w / at_one
                } else {
                    f64::MAX
                };
                by_height.min(by_width).max(MIN_AUTO_SIZE)
            };
            let y = (h - line_h * size) / 2.0 - font.descender() * size;
            runs.push((x_for(font.width(text, size)?), y, text.to_string()));
        }
        Content::Lines(text) => {
            let fits = |lines: usize, size: f64| lines as f64 * line_h * size <= inner_h;
            let (chosen, lines) = if da.size > 0.0 {
                let lines = wrap(font, text, da.size, inner_w)?.ok_or(too_much(frame, da.size))?;
                (da.size, lines)
            } else {
                let mut size = MAX_AUTO_SIZE;
                loop {
                    let lines = wrap(font, text, size, inner_w)?;
                    match lines {
                        Some(lines) if fits(lines.len(), size) || size <= MIN_AUTO_SIZE => {
                            break (size, lines)
                        }
                        None if size <= MIN_AUTO_SIZE => {
                            return Err(too_much(frame, size));
                        }
                        _ => size -= 0.5,
                    }
                }
            };
            size = chosen;
            let top = h - b - 2.0;
            for (i, line) in lines.into_iter().enumerate() {
                let y = top - font.ascender() * size - i as f64 * line_h * size;
                runs.push((x_for(font.width(&line, size)?), y, line));
            }
        }
        Content::Comb(text, cells) => {
            let cells = f64::from(cells.max(1));
            let cell = w / cells;
            let chars: Vec<char> = text.chars().collect();
            size = if da.size > 0.0 {
                da.size
            } else {
                let mut widest = 0.0f64;
                for ch in &chars {
                    widest = widest.max(font.width(&ch.to_string(), 1.0)?);
                }
                let by_width = if widest > 0.0 {
                    0.9 * cell / widest
                } else {
                    f64::MAX
                };
                (inner_h / line_h)
                    .min(MAX_AUTO_SIZE)
                    .min(by_width)
                    .max(MIN_AUTO_SIZE)
            };
            let used = chars.len() as f64;
            let first = match quadding {
                1 => ((cells - used) / 2.0).floor().max(0.0),
                2 => (cells - used).max(0.0),
                _ => 0.0,
            };
            let y = (h - line_h * size) / 2.0 - font.descender() * size;
            for (i, ch) in chars.iter().enumerate() {
                let t = ch.to_string();
                let cw = font.width(&t, size)?;
                let x = (first + i as f64) * cell + (cell - cw) / 2.0;
                runs.push((x, y, t));
            }
        }
        Content::List {
            options,
            selected,
            top,
        } => {
            size = if da.size > 0.0 {
                da.size
            } else {
                MAX_AUTO_SIZE
            };
            let step = line_h * size;
            let mut y_top = h - b - 1.0;
            for (i, option) in options.iter().enumerate().skip(top) {
                if y_top < b {
                    break;
                }
                if selected.contains(&i) {
                    s.push_str(&format!(
                        "q {} {} {} {} {} re f Q\n",
                        SELECTION.fill(),
                        num(b),
                        num(y_top - step),
                        num((w - 2.0 * b).max(0.0)),
                        num(step)
                    ));
                }
                let y = y_top - font.ascender() * size;
                runs.push((x_for(font.width(option, size)?), y, option.clone()));
                y_top -= step;
            }
        }
    }
    s.push_str(&format!(
        "BT\n/{FONT_RESOURCE} {} Tf\n{}\n",
        num(size),
        da.colour.fill()
    ));
    for (x, y, text) in runs {
        if text.is_empty() {
            continue;
        }
        let codes = font.encode(&text)?;
        s.push_str(&format!(
            "1 0 0 1 {} {} Tm <{}> Tj\n",
            num(x),
            num(y),
            crate::util::hex(&codes)
        ));
    }
    s.push_str("ET\nQ\nEMC\n");
    Ok(s.into_bytes())
}

fn too_much(frame: &Frame, size: f64) -> DrawError {
    DrawError::DoesNotFit {
        width: frame.width,
        height: frame.height,
        min_size: size,
    }
}

/// The on-state appearance of a button without one: a check mark (check box) or a dot
/// (radio button), in the `/DA` colour, over the frame.
pub(crate) fn button_on(frame: &Frame, da: &DefaultAppearance, radio: bool) -> Vec<u8> {
    let mut s = String::new();
    frame.decoration(&mut s);
    let (w, h) = (frame.width, frame.height);
    let side = w.min(h);
    let (cx, cy) = (w / 2.0, h / 2.0);
    if radio {
        // A circle of radius side/4 from four Bézier arcs.
        let r = side / 4.0;
        let k = 0.5523 * r;
        s.push_str(&format!(
            "q {} {} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c f Q\n",
            da.colour.fill(),
            num(cx + r), num(cy),
            num(cx + r), num(cy + k), num(cx + k), num(cy + r), num(cx), num(cy + r),
            num(cx - k), num(cy + r), num(cx - r), num(cy + k), num(cx - r), num(cy),
            num(cx - r), num(cy - k), num(cx - k), num(cy - r), num(cx), num(cy - r),
            num(cx + k), num(cy - r), num(cx + r), num(cy - k), num(cx + r), num(cy),
        ));
    } else {
        let u = side / 10.0;
        s.push_str(&format!(
            "q {} {} w 1 J 1 j {} {} m {} {} l {} {} l S Q\n",
            da.colour.stroke(),
            num(u),
            num(cx - 3.0 * u),
            num(cy),
            num(cx - u),
            num(cy - 2.5 * u),
            num(cx + 3.0 * u),
            num(cy + 2.5 * u)
        ));
    }
    s.into_bytes()
}

/// The off-state appearance of a button without one: the frame alone.
pub(crate) fn button_off(frame: &Frame) -> Vec<u8> {
    let mut s = String::new();
    frame.decoration(&mut s);
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::FontSource;

    fn frame(w: f64, h: f64) -> Frame {
        Frame {
            width: w,
            height: h,
            rotation: 0,
            border_width: 1.0,
            border: Some(Colour::Gray(0.0)),
            background: None,
            dashed: false,
        }
    }

    fn text(font: &mut Font, f: &Frame, size: f64, q: i64, c: Content<'_>) -> String {
        let da = DefaultAppearance {
            size,
            colour: Colour::Gray(0.0),
        };
        String::from_utf8(text_appearance(font, f, &da, q, c).unwrap()).unwrap()
    }

    fn sizes(s: &str) -> Vec<f64> {
        s.lines()
            .filter(|l| l.ends_with(" Tf"))
            .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
            .collect()
    }

    fn xs(s: &str) -> Vec<f64> {
        s.lines()
            .filter(|l| l.ends_with(" Tj"))
            .map(|l| l.split(' ').nth(4).unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn auto_size_fits_height_and_width() {
        let mut f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let s = text(
            &mut f,
            &frame(300.0, 20.0),
            0.0,
            0,
            Content::Line("Nguyễn Thị Hương"),
        );
        let size = sizes(&s)[0];
        assert!(size > 10.0 && size <= 12.0, "{size}");
        let s = text(
            &mut f,
            &frame(60.0, 20.0),
            0.0,
            0,
            Content::Line("Nguyễn Thị Hương"),
        );
        let small = sizes(&s)[0];
        assert!(small < size);
        assert!(f.width("Nguyễn Thị Hương", small).unwrap() <= 54.0 + 0.01);
        assert!(s.contains("/Tx BMC") && s.contains("EMC"));
    }

    #[test]
    fn alignment_moves_the_text() {
        let mut f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let fr = frame(200.0, 20.0);
        let l = xs(&text(&mut f, &fr, 10.0, 0, Content::Line("Huế")))[0];
        let c = xs(&text(&mut f, &fr, 10.0, 1, Content::Line("Huế")))[0];
        let r = xs(&text(&mut f, &fr, 10.0, 2, Content::Line("Huế")))[0];
        assert!(l < c && c < r, "{l} {c} {r}");
        let tw = f.width("Huế", 10.0).unwrap();
        assert!((r + tw - (200.0 - 3.0)).abs() < 0.01, "{r} {tw}");
    }

    #[test]
    fn multiline_wraps_and_comb_uses_cells() {
        let mut f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let s = text(
            &mut f,
            &frame(120.0, 80.0),
            10.0,
            0,
            Content::Lines("Số 1 đường Lê Lợi, phường Phú Hội, thành phố Huế"),
        );
        assert!(s.matches(" Tj").count() >= 3, "{s}");
        let s = text(
            &mut f,
            &frame(120.0, 20.0),
            0.0,
            0,
            Content::Comb("0123", 12),
        );
        let x = xs(&s);
        assert_eq!(x.len(), 4);
        for pair in x.windows(2) {
            assert!((pair[1] - pair[0] - 10.0).abs() < 0.5, "{x:?}");
        }
    }

    #[test]
    fn frames_read_rect_turn_border_and_colours() {
        use crate::pdf::testing::classic;
        let pdf = classic(
            &[
                "<< /Type /Catalog >>",
                "<< /Rect [10 20 110 40] /MK << /R 90 /BC [1 0 0] /BG [] >> /BS << /W 2 /S /D >> >>",
                "<< /Rect [0 0 50 10] /MK << /R 45 >> >>",
            ],
            "",
        );
        let doc = Document::open(pdf.as_slice()).unwrap();
        let widget = |n| match doc.get(0, crate::pdf::ObjRef::new(n, 0)).unwrap() {
            Some(Object::Dict(d)) => d,
            other => panic!("{other:?}"),
        };
        let f = Frame::of(&doc, 0, &widget(2)).unwrap();
        assert_eq!((f.width, f.height, f.rotation), (20.0, 100.0, 90));
        assert_eq!(f.matrix(), Some([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]));
        assert_eq!(f.border, Some(Colour::Rgb(1.0, 0.0, 0.0)));
        assert_eq!(f.background, None);
        assert_eq!(f.border_width, 2.0);
        assert!(f.dashed);
        // A turn that is not a multiple of 90 is ignored; no /BS gives a 1 pt border.
        let f = Frame::of(&doc, 0, &widget(3)).unwrap();
        assert_eq!(
            (f.width, f.height, f.rotation, f.border_width),
            (50.0, 10.0, 0, 1.0)
        );
        assert_eq!(f.matrix(), None);
    }

    #[test]
    fn list_highlights_the_chosen_options() {
        let mut f = Font::load(&FontSource::DejaVuSerif).unwrap();
        let options = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        let s = text(
            &mut f,
            &frame(100.0, 60.0),
            10.0,
            0,
            Content::List {
                options: &options,
                selected: &[1],
                top: 0,
            },
        );
        assert_eq!(s.matches("0.6 0.75 0.86 rg").count(), 1);
        assert_eq!(s.matches(" Tj").count(), 3);
    }
}
