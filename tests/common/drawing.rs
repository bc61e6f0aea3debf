//! Test images drawn in code: a blue-ink handwritten-looking signature and a red round seal
//! with its text set along the ring, both PNG with transparency. Nothing here is copied from
//! an image; the seal's letters are DejaVu glyph outlines rasterised below.
//!
//! The rasteriser is deliberately simple: anti-aliased strokes by distance to segments, and
//! polygon fill (non-zero winding) by 4×4 supersampling.

use std::io::Write as _;

use ttf_parser::{Face, OutlineBuilder};

/// An RGBA canvas with straight (non-premultiplied) alpha.
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    /// Coverage-weighted colour, 0..=1, per pixel: r, g, b, a.
    px: Vec<[f32; 4]>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            px: vec![[0.0; 4]; (width * height) as usize],
        }
    }

    /// Paints `color` (with `alpha`) over pixel (x, y) with coverage `c`.
    fn blend(&mut self, x: i64, y: i64, color: [f32; 3], alpha: f32, c: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) || c <= 0.0 {
            return;
        }
        let p = &mut self.px[(y as u32 * self.width + x as u32) as usize];
        let a = (alpha * c.min(1.0)).clamp(0.0, 1.0);
        let out_a = a + p[3] * (1.0 - a);
        if out_a > 0.0 {
            for k in 0..3 {
                p[k] = (color[k] * a + p[k] * p[3] * (1.0 - a)) / out_a;
            }
        }
        p[3] = out_a;
    }

    /// A round-capped stroke through `points` whose width goes from `w0` to `w1` along it.
    pub fn stroke(&mut self, points: &[(f64, f64)], w0: f64, w1: f64, color: [f32; 3], alpha: f32) {
        let n = points.len().max(2) - 1;
        let mut cover = vec![0f32; self.px.len()];
        for (i, seg) in points.windows(2).enumerate() {
            let (a, b) = (seg[0], seg[1]);
            let t = i as f64 / n as f64;
            let half = (w0 + (w1 - w0) * t) / 2.0;
            let (minx, maxx) = (a.0.min(b.0) - half - 1.0, a.0.max(b.0) + half + 1.0);
            let (miny, maxy) = (a.1.min(b.1) - half - 1.0, a.1.max(b.1) + half + 1.0);
            for y in (miny.floor() as i64)..=(maxy.ceil() as i64) {
                for x in (minx.floor() as i64)..=(maxx.ceil() as i64) {
                    if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
                        continue;
                    }
                    let d = dist_to_segment((x as f64 + 0.5, y as f64 + 0.5), a, b);
                    let c = (half - d + 0.5).clamp(0.0, 1.0) as f32;
                    let slot = &mut cover[(y as u32 * self.width + x as u32) as usize];
                    *slot = slot.max(c);
                }
            }
        }
        self.apply(&cover, color, alpha);
    }

    /// Fills the polygons (non-zero winding) with 4×4 samples per pixel.
    pub fn fill(&mut self, polygons: &[Vec<(f64, f64)>], color: [f32; 3], alpha: f32) {
        let mut cover = vec![0f32; self.px.len()];
        let edges: Vec<((f64, f64), (f64, f64))> = polygons
            .iter()
            .flat_map(|p| (0..p.len()).map(move |i| (p[i], p[(i + 1) % p.len()])))
            .collect();
        let (mut miny, mut maxy) = (f64::MAX, f64::MIN);
        for (a, _) in &edges {
            miny = miny.min(a.1);
            maxy = maxy.max(a.1);
        }
        if edges.is_empty() {
            return;
        }
        const S: usize = 4;
        let y0 = (miny.floor().max(0.0)) as u32;
        let y1 = (maxy.ceil().min(f64::from(self.height))) as u32;
        for py in y0..y1 {
            for sy in 0..S {
                let y = f64::from(py) + (sy as f64 + 0.5) / S as f64;
                // Crossings with their winding direction.
                let mut xs: Vec<(f64, i32)> = edges
                    .iter()
                    .filter_map(|&(a, b)| {
                        if (a.1 <= y && b.1 > y) || (b.1 <= y && a.1 > y) {
                            let t = (y - a.1) / (b.1 - a.1);
                            Some((a.0 + t * (b.0 - a.0), if b.1 > a.1 { 1 } else { -1 }))
                        } else {
                            None
                        }
                    })
                    .collect();
                xs.sort_by(|p, q| p.0.total_cmp(&q.0));
                let mut wind = 0;
                for pair in xs.windows(2) {
                    wind += pair[0].1;
                    if wind == 0 {
                        continue;
                    }
                    let (xa, xb) = (pair[0].0, pair[1].0);
                    for sx in 0..(S * self.width as usize) {
                        let x = (sx as f64 + 0.5) / S as f64;
                        if x >= xa && x < xb {
                            cover[(py * self.width) as usize + sx / S] += 1.0 / (S * S) as f32;
                        }
                    }
                }
            }
        }
        self.apply(&cover, color, alpha);
    }

    fn apply(&mut self, cover: &[f32], color: [f32; 3], alpha: f32) {
        for (i, &c) in cover.iter().enumerate() {
            if c > 0.0 {
                let (x, y) = (i as u32 % self.width, i as u32 / self.width);
                self.blend(i64::from(x), i64::from(y), color, alpha, c);
            }
        }
    }

    /// The canvas as a PNG (RGBA, 8 bits), with a `pHYs` chunk when `dpi` is given.
    pub fn png(&self, dpi: Option<f64>) -> Vec<u8> {
        let mut rgba = Vec::with_capacity(self.px.len() * 4);
        for p in &self.px {
            rgba.extend(p.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8));
        }
        encode_png(self.width, self.height, &rgba, dpi)
    }
}

fn dist_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

/// An 8-bit RGBA PNG (filter 0 rows), with `pHYs` when `dpi` is given.
pub fn encode_png(width: u32, height: u32, rgba: &[u8], dpi: Option<f64>) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    if let Some(dpi) = dpi {
        let ppm = (dpi / 0.0254).round() as u32;
        let mut phys = Vec::new();
        phys.extend_from_slice(&ppm.to_be_bytes());
        phys.extend_from_slice(&ppm.to_be_bytes());
        phys.push(1);
        chunk(&mut out, b"pHYs", &phys);
    }
    let mut raw = Vec::with_capacity(rgba.len() + height as usize);
    for row in rgba.chunks(width as usize * 4) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&raw).unwrap();
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Blue ballpoint ink.
const INK: [f32; 3] = [0.05, 0.15, 0.62];
/// Seal red.
const SEAL_RED: [f32; 3] = [0.86, 0.07, 0.09];

/// A smooth curve through `points` (Catmull-Rom), `steps` samples per span.
fn spline(points: &[(f64, f64)], steps: usize) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for i in 0..points.len().saturating_sub(1) {
        let p0 = points[i.saturating_sub(1)];
        let (p1, p2) = (points[i], points[i + 1]);
        let p3 = points[(i + 2).min(points.len() - 1)];
        for s in 0..steps {
            let t = s as f64 / steps as f64;
            let (t2, t3) = (t * t, t * t * t);
            let f = |a: f64, b: f64, c: f64, d: f64| {
                0.5 * (2.0 * b
                    + (-a + c) * t
                    + (2.0 * a - 5.0 * b + 4.0 * c - d) * t2
                    + (-a + 3.0 * b - 3.0 * c + d) * t3)
            };
            out.push((f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1)));
        }
    }
    if let Some(last) = points.last() {
        out.push(*last);
    }
    out
}

/// A handwritten-looking signature in blue ink: a tall looped capital, a slanted run of
/// connected small letters, a closing flourish that sweeps back under the name, and a dot.
/// 480×240 pixels at 300 dpi, transparent background.
pub fn signature_png() -> Vec<u8> {
    let (w, h) = (480u32, 240u32);
    let mut c = Canvas::new(w, h);
    // Slant to the right, as a hand writes.
    let slant = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
        pts.iter()
            .map(|&(x, y)| (x + 30.0 + 0.32 * (150.0 - y), y))
            .collect()
    };
    // The capital: up-stroke, a loop at the top, a long down-stroke ending in a hook that
    // leads into the small letters.
    let capital = spline(
        &slant(&[
            (40.0, 150.0),
            (70.0, 118.0),
            (96.0, 62.0),
            (104.0, 28.0),
            (88.0, 22.0),
            (80.0, 48.0),
            (88.0, 108.0),
            (96.0, 160.0),
            (92.0, 190.0),
            (74.0, 196.0),
            (70.0, 176.0),
            (100.0, 150.0),
            (140.0, 128.0),
        ]),
        18,
    );
    c.stroke(&capital, 5.5, 4.5, INK, 0.95);
    // Small letters: loops and arches of uneven height, connected.
    let mut run = vec![(140.0, 128.0)];
    let letters: &[(f64, f64, bool)] = &[
        // (width, height, looped)
        (30.0, 38.0, true),
        (26.0, 22.0, false),
        (24.0, 20.0, false),
        (34.0, 58.0, true),
        (24.0, 18.0, false),
        (28.0, 24.0, true),
        (22.0, 19.0, false),
        (26.0, 21.0, false),
    ];
    let mut x = 140.0;
    let base = 150.0;
    for (i, &(lw, lh, looped)) in letters.iter().enumerate() {
        let wobble = ((i * 7 % 5) as f64 - 2.0) * 2.5;
        if looped {
            // An ascender loop: up on the right, back over to the left, down.
            run.push((x + lw * 0.55, base - lh * 0.55 + wobble));
            run.push((x + lw * 0.75, base - lh));
            run.push((x + lw * 0.35, base - lh * 0.85));
            run.push((x + lw * 0.45, base - lh * 0.3));
            run.push((x + lw * 0.7, base + 1.0));
        } else {
            // An arch: up, over, down.
            run.push((x + lw * 0.3, base - lh + wobble));
            run.push((x + lw * 0.6, base - lh * 0.8));
            run.push((x + lw * 0.85, base - 2.0));
        }
        x += lw;
    }
    // Closing flourish: out to the right, then a long sweep back to the left under the name.
    run.extend_from_slice(&[
        (x + 22.0, base - 12.0),
        (x + 40.0, base - 30.0),
        (x + 34.0, base - 8.0),
        (x - 40.0, base + 34.0),
        (x - 170.0, base + 50.0),
        (x - 260.0, base + 42.0),
        (x - 290.0, base + 30.0),
    ]);
    let run = spline(&slant(&run), 14);
    let n = run.len() as f64;
    // Pressure: heavier in the middle of the word, light at the end of the flourish.
    for (i, seg) in run.windows(2).enumerate() {
        let t = i as f64 / n;
        let width = 3.2 + 2.6 * (t * std::f64::consts::PI * 1.6).sin().max(0.0) * (1.0 - t);
        c.stroke(seg, width, width, INK, 0.95);
    }
    // The dot.
    let dot = slant(&[(x - 60.0, base - 70.0), (x - 55.0, base - 73.0)]);
    c.stroke(&dot, 6.0, 5.0, INK, 0.95);
    c.png(Some(300.0))
}

/// Collects a glyph outline as flattened polygons in font units.
struct Flatten {
    polys: Vec<Vec<(f64, f64)>>,
    cur: Vec<(f64, f64)>,
    last: (f64, f64),
}

impl OutlineBuilder for Flatten {
    fn move_to(&mut self, x: f32, y: f32) {
        if self.cur.len() > 2 {
            self.polys.push(std::mem::take(&mut self.cur));
        }
        self.cur.clear();
        self.last = (f64::from(x), f64::from(y));
        self.cur.push(self.last);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.last = (f64::from(x), f64::from(y));
        self.cur.push(self.last);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (p0, p1, p2) = (
            self.last,
            (f64::from(x1), f64::from(y1)),
            (f64::from(x), f64::from(y)),
        );
        for i in 1..=8 {
            let t = i as f64 / 8.0;
            let u = 1.0 - t;
            self.cur.push((
                u * u * p0.0 + 2.0 * u * t * p1.0 + t * t * p2.0,
                u * u * p0.1 + 2.0 * u * t * p1.1 + t * t * p2.1,
            ));
        }
        self.last = p2;
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p0 = self.last;
        let (p1, p2, p3) = (
            (f64::from(x1), f64::from(y1)),
            (f64::from(x2), f64::from(y2)),
            (f64::from(x), f64::from(y)),
        );
        for i in 1..=10 {
            let t = i as f64 / 10.0;
            let u = 1.0 - t;
            let f = |a: f64, b: f64, c: f64, d: f64| {
                u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
            };
            self.cur
                .push((f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1)));
        }
        self.last = p3;
    }
    fn close(&mut self) {
        if self.cur.len() > 2 {
            self.polys.push(std::mem::take(&mut self.cur));
        }
        self.cur.clear();
    }
}

/// `text` set along a circle of radius `r` around (cx, cy), centred on the angle `mid`
/// (radians, 0 = right, counter-clockwise, y up), letters upright pointing outward when
/// `outward`, or reading along the bottom (pointing inward) otherwise.
#[allow(clippy::too_many_arguments)]
fn text_on_circle(
    c: &mut Canvas,
    face: &Face<'_>,
    text: &str,
    size_px: f64,
    cx: f64,
    cy: f64,
    r: f64,
    mid: f64,
    outward: bool,
) {
    let scale = size_px / f64::from(face.units_per_em());
    let glyphs: Vec<_> = text
        .chars()
        .map(|ch| {
            let g = face.glyph_index(ch).unwrap();
            (
                g,
                f64::from(face.glyph_hor_advance(g).unwrap()) * scale * 1.05,
            )
        })
        .collect();
    let total: f64 = glyphs.iter().map(|g| g.1).sum();
    let span = total / r;
    // Reading direction: clockwise along the top, counter-clockwise along the bottom.
    let dir = if outward { -1.0 } else { 1.0 };
    let mut angle = mid - dir * span / 2.0;
    let mut polys = Vec::new();
    for (g, adv) in glyphs {
        let centre_angle = angle + dir * adv / r / 2.0;
        let mut f = Flatten {
            polys: Vec::new(),
            cur: Vec::new(),
            last: (0.0, 0.0),
        };
        face.outline_glyph(g, &mut f);
        // Glyph-local: x in [0, adv], baseline at 0, y up. Rotate so that the glyph's up is
        // the outward (or inward) normal, and place its centre on the circle.
        let (normal_x, normal_y) = if outward {
            (centre_angle.cos(), centre_angle.sin())
        } else {
            (-centre_angle.cos(), -centre_angle.sin())
        };
        // Tangent (reading direction) is the normal turned clockwise.
        let (tx, ty) = (normal_y, -normal_x);
        let base_r = if outward { r } else { r + size_px * 0.72 };
        let (bx, by) = (
            cx + base_r * centre_angle.cos(),
            cy + base_r * centre_angle.sin(),
        );
        for poly in f.polys {
            let mapped = poly
                .into_iter()
                .map(|(x, y)| {
                    let (lx, ly) = (x * scale - adv / 2.0 / 1.05, y * scale);
                    let (ux, uy) = (bx + lx * tx + ly * normal_x, by + lx * ty + ly * normal_y);
                    // Canvas y grows downward.
                    (ux, f64::from(c.height) - uy)
                })
                .collect();
            polys.push(mapped);
        }
        angle += dir * adv / r;
    }
    c.fill(&polys, SEAL_RED, 0.93);
}

/// A red round seal: double outer ring, the organisation's name along the top, the place
/// along the bottom, a five-pointed star between two inner rings. 600×600 pixels recorded at
/// 36 mm wide (pHYs), transparent background.
pub fn seal_png() -> Vec<u8> {
    let size = 600u32;
    let mut c = Canvas::new(size, size);
    let (cx, cy) = (300.0, 300.0);
    let circle = |r: f64| -> Vec<(f64, f64)> {
        (0..=360)
            .map(|i| {
                let a = f64::from(i) / 360.0 * std::f64::consts::TAU;
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect()
    };
    c.stroke(&circle(288.0), 14.0, 14.0, SEAL_RED, 0.93);
    c.stroke(&circle(268.0), 4.0, 4.0, SEAL_RED, 0.93);
    c.stroke(&circle(150.0), 5.0, 5.0, SEAL_RED, 0.93);
    let face = Face::parse(dejavu::sans::bold(), 0).unwrap();
    // Canvas coordinates for the text: y up from the bottom, so flip cy (symmetric here).
    text_on_circle(
        &mut c,
        &face,
        "ỦY BAN NHÂN DÂN",
        46.0,
        cx,
        cy,
        196.0,
        std::f64::consts::FRAC_PI_2,
        true,
    );
    text_on_circle(
        &mut c,
        &face,
        "TỈNH THỪA THIÊN HUẾ",
        40.0,
        cx,
        cy,
        196.0,
        -std::f64::consts::FRAC_PI_2,
        false,
    );
    // The star.
    let star: Vec<(f64, f64)> = (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { 118.0 } else { 47.0 };
            let a = -std::f64::consts::FRAC_PI_2 + f64::from(i) * std::f64::consts::PI / 5.0;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    c.fill(&[star], SEAL_RED, 0.93);
    // 600 px across 36 mm.
    c.png(Some(600.0 / (36.0 / 25.4)))
}
