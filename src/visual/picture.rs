//! The picture a clerk looks at: the signed revision, the page as it is now, and the page
//! now with every differing region outlined, side by side under a legend (English or
//! Vietnamese, drawn with DejaVu Sans), written as PNG.

use ab_glyph_rasterizer::{point, Point, Rasterizer};
use ttf_parser::{Face, OutlineBuilder};

use super::compare::PixelBox;
use super::render::Raster;
use crate::report::Lang;

/// What an outline's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Attributed to a permitted change (green).
    Explained,
    /// Attributed, but covering signed page content (orange).
    Overlap,
    /// Unexplained, over blank space (magenta).
    Unexplained,
    /// Unexplained, over signed content (red).
    ContentChanged,
}

impl Mark {
    fn colour(self) -> [u8; 3] {
        match self {
            Mark::Explained => [0, 150, 60],
            Mark::Overlap => [230, 130, 0],
            Mark::Unexplained => [190, 0, 190],
            Mark::ContentChanged => [220, 0, 0],
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match self {
            Mark::Explained => lang.pick("permitted change", "thay đổi được phép"),
            Mark::Overlap => lang.pick(
                "permitted change over signed content",
                "thay đổi được phép che nội dung đã ký",
            ),
            Mark::Unexplained => lang.pick("unexplained", "không rõ nguyên nhân"),
            Mark::ContentChanged => {
                lang.pick("signed content changed", "nội dung đã ký bị thay đổi")
            }
        }
    }
}

const GAP: u32 = 12;
const LINE: u32 = 18;
const MAX_PICTURE_SIDE: u32 = 16_384;

/// A canvas of opaque RGB pixels.
struct Canvas {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32, fill: [u8; 3]) -> Self {
        let mut rgb = Vec::with_capacity(width as usize * height as usize * 3);
        for _ in 0..width as usize * height as usize {
            rgb.extend_from_slice(&fill);
        }
        Canvas { width, height, rgb }
    }

    fn blend(&mut self, x: u32, y: u32, c: [u8; 3], alpha: f32) {
        if x >= self.width || y >= self.height {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        if let Some(p) = self.rgb.get_mut(i..i + 3) {
            for (dst, src) in p.iter_mut().zip(c) {
                let v = *dst as f32 * (1.0 - alpha) + src as f32 * alpha;
                *dst = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }

    fn put(&mut self, x: u32, y: u32, c: [u8; 3]) {
        self.blend(x, y, c, 1.0);
    }

    fn paste(&mut self, r: &Raster, ox: u32, oy: u32, fade: bool) {
        for y in 0..r.height {
            for x in 0..r.width {
                let mut p = r.rgb(x, y);
                if fade {
                    // The page dimmed, so that the outlines stand out.
                    for c in &mut p {
                        *c = 255 - (255 - *c) / 3;
                    }
                }
                self.put(ox + x, oy + y, p);
            }
        }
    }

    fn outline(&mut self, b: PixelBox, ox: u32, oy: u32, c: [u8; 3]) {
        // Two pixels wide, one outside the box, so that small regions stay visible.
        let x0 = (ox + b[0]).saturating_sub(2);
        let y0 = (oy + b[1]).saturating_sub(2);
        let x1 = ox + b[2] + 1;
        let y1 = oy + b[3] + 1;
        for x in x0..=x1 {
            for t in 0..2 {
                self.put(x, y0 + t, c);
                self.put(x, y1.saturating_sub(t), c);
            }
        }
        for y in y0..=y1 {
            for t in 0..2 {
                self.put(x0 + t, y, c);
                self.put(x1.saturating_sub(t), y, c);
            }
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, c: [u8; 3]) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.put(xx, yy, c);
            }
        }
    }

    /// Text in DejaVu Sans at `size` pixels, baseline at `y`; returns the advance.
    fn text(&mut self, face: &Face<'_>, s: &str, x: u32, y: u32, size: f32) -> u32 {
        let scale = size / face.units_per_em() as f32;
        let mut pen = x as f32;
        for ch in s.chars() {
            let Some(gid) = face.glyph_index(ch) else {
                pen += size / 2.0;
                continue;
            };
            let advance = face.glyph_hor_advance(gid).unwrap_or(0) as f32 * scale;
            if let Some(bb) = face.glyph_bounding_box(gid) {
                let w = ((bb.x_max - bb.x_min) as f32 * scale).ceil() as usize + 2;
                let h = ((bb.y_max - bb.y_min) as f32 * scale).ceil() as usize + 2;
                if w < 256 && h < 256 {
                    let mut b = Builder {
                        r: Rasterizer::new(w, h),
                        scale,
                        dx: bb.x_min as f32,
                        top: bb.y_max as f32,
                        last: point(0.0, 0.0),
                        start: point(0.0, 0.0),
                    };
                    face.outline_glyph(gid, &mut b);
                    let gx = pen + bb.x_min as f32 * scale;
                    let gy = y as f32 - bb.y_max as f32 * scale;
                    b.r.for_each_pixel_2d(|px, py, a| {
                        let (tx, ty) = (gx + px as f32, gy + py as f32);
                        if tx >= 0.0 && ty >= 0.0 && a > 0.0 {
                            self.blend(tx as u32, ty as u32, [0, 0, 0], a.min(1.0));
                        }
                    });
                }
            }
            pen += advance;
        }
        (pen - x as f32).max(0.0) as u32
    }

    fn png(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().ok()?;
            w.write_image_data(&self.rgb).ok()?;
            w.finish().ok()?;
        }
        Some(out)
    }
}

struct Builder {
    r: Rasterizer,
    scale: f32,
    dx: f32,
    top: f32,
    last: Point,
    start: Point,
}

impl Builder {
    fn p(&self, x: f32, y: f32) -> Point {
        point(
            (x - self.dx) * self.scale + 1.0,
            (self.top - y) * self.scale + 1.0,
        )
    }
}

impl OutlineBuilder for Builder {
    fn move_to(&mut self, x: f32, y: f32) {
        self.last = self.p(x, y);
        self.start = self.last;
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.p(x, y);
        self.r.draw_line(self.last, p);
        self.last = p;
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (c, p) = (self.p(x1, y1), self.p(x, y));
        self.r.draw_quad(self.last, c, p);
        self.last = p;
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (c1, c2, p) = (self.p(x1, y1), self.p(x2, y2), self.p(x, y));
        self.r.draw_cubic(self.last, c1, c2, p);
        self.last = p;
    }
    fn close(&mut self) {
        if self.last != self.start {
            self.r.draw_line(self.last, self.start);
        }
        self.last = self.start;
    }
}

/// The side-by-side picture of one page, as PNG; `None` when it would be too large or could
/// not be encoded.
pub(crate) fn compose(
    signed: &Raster,
    now: &Raster,
    marks: &[(PixelBox, Mark)],
    title: &str,
    lang: Lang,
) -> Option<Vec<u8>> {
    let page_w = signed.width.max(now.width);
    let page_h = signed.height.max(now.height);
    let header = LINE * 4;
    let width = (page_w * 3 + GAP * 4).max(640);
    let height = page_h + header + GAP * 2;
    if width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE {
        return None;
    }
    let mut c = Canvas::new(width, height, [236, 236, 236]);
    let face = Face::parse(dejavu::sans::regular(), 0).ok();
    if let Some(face) = &face {
        c.text(face, title, GAP, LINE, 13.0);
        let cols = [
            lang.pick("signed revision", "phiên bản đã ký"),
            lang.pick("now", "hiện tại"),
            lang.pick("differences", "khác biệt"),
        ];
        for (i, label) in cols.iter().enumerate() {
            c.text(
                face,
                label,
                GAP + i as u32 * (page_w + GAP),
                LINE * 4 - 4,
                13.0,
            );
        }
        let mut x = GAP;
        for m in [
            Mark::Explained,
            Mark::Overlap,
            Mark::Unexplained,
            Mark::ContentChanged,
        ] {
            c.rect(x, LINE * 2 - 10, 12, 12, m.colour());
            x += 16;
            x += c.text(face, m.label(lang), x, LINE * 2, 12.0) + GAP;
        }
    }
    let top = header + GAP / 2;
    c.paste(signed, GAP, top, false);
    c.paste(now, GAP * 2 + page_w, top, false);
    let third = GAP * 3 + page_w * 2;
    c.paste(now, third, top, true);
    for (b, m) in marks {
        c.outline(*b, third, top, m.colour());
    }
    c.png()
}
