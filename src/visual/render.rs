//! One page to pixels, with hayro (pure Rust): white background, the page's crop box and
//! rotation, annotations drawn from their normal appearances (ISO 32000-2 §12.5.5) or left
//! out. The renderer's own limits: a page side is at most 65 535 pixels; kyso's are
//! tighter ([`super::VisualOptions`]).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hayro::hayro_interpret::font::{Glyph, GlyphRun};
use hayro::hayro_interpret::hayro_cmap::BfString;
use hayro::hayro_interpret::hayro_syntax::page::Page;
use hayro::hayro_interpret::hayro_syntax::Pdf;
use hayro::hayro_interpret::kurbo::{BezPath, Rect};
use hayro::hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image,
    ImageDrawProps, InterpreterCache, InterpreterSettings, InterpreterWarning, RenderContent,
    SoftMask, TransformExt,
};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{render, PixmapSettings, RenderCache, RenderSettings};

/// A rendered page: opaque RGBA rows, top to bottom, and the map between pixels and the
/// page's default user space.
pub(crate) struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    /// Default user space to pixel space (`[a b c d e f]`, PDF order).
    pub to_pixels: [f64; 6],
    /// Annotations whose appearance the renderer could not resolve (not drawn).
    pub unresolved_appearances: usize,
    /// Fonts the renderer could not load and images it could not decode (their text or
    /// picture not drawn, where another viewer may draw it).
    pub undrawn: usize,
}

impl Raster {
    /// The pixel at (x, y) as RGB.
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        match self.rgba.get(i..i + 3) {
            Some(p) => [p[0], p[1], p[2]],
            None => [255, 255, 255],
        }
    }

    /// A rectangle of user space as a pixel box `[x0, y0, x1, y1)` clamped to the raster.
    pub fn user_to_pixel_box(&self, r: [f64; 4]) -> Option<[u32; 4]> {
        let corners = [(r[0], r[1]), (r[0], r[3]), (r[2], r[1]), (r[2], r[3])];
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            let (px, py) = apply(&self.to_pixels, x, y);
            x0 = x0.min(px);
            y0 = y0.min(py);
            x1 = x1.max(px);
            y1 = y1.max(py);
        }
        if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
            return None;
        }
        let clamp = |v: f64, max: u32| v.clamp(0.0, max as f64) as u32;
        let b = [
            clamp(x0.floor(), self.width),
            clamp(y0.floor(), self.height),
            clamp(x1.ceil(), self.width),
            clamp(y1.ceil(), self.height),
        ];
        (b[0] < b[2] && b[1] < b[3]).then_some(b)
    }

    /// A pixel box back in default user space, `[x0, y0, x1, y1]` rounded to 0.1 pt.
    pub fn pixel_box_to_user(&self, b: [u32; 4]) -> [f64; 4] {
        let inv = invert(&self.to_pixels).unwrap_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let corners = [
            (b[0] as f64, b[1] as f64),
            (b[0] as f64, b[3] as f64),
            (b[2] as f64, b[1] as f64),
            (b[2] as f64, b[3] as f64),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in corners {
            let (ux, uy) = apply(&inv, x, y);
            x0 = x0.min(ux);
            y0 = y0.min(uy);
            x1 = x1.max(ux);
            y1 = y1.max(uy);
        }
        let r = |v: f64| (v * 10.0).round() / 10.0;
        [r(x0), r(y0), r(x1), r(y1)]
    }
}

fn apply(m: &[f64; 6], x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn invert(m: &[f64; 6]) -> Option<[f64; 6]> {
    let det = m[0] * m[3] - m[1] * m[2];
    if det.abs() < 1e-12 || !det.is_finite() {
        return None;
    }
    let (a, b, c, d) = (m[3] / det, -m[1] / det, -m[2] / det, m[0] / det);
    Some([a, b, c, d, -(a * m[4] + c * m[5]), -(b * m[4] + d * m[5])])
}

/// Why a page was not rendered.
#[derive(Debug)]
pub(crate) enum RenderFailure {
    /// The page would be larger than the pixel budget for one page.
    TooLarge { width: f64, height: f64 },
    /// The renderer stopped with a panic (a defect of the renderer on this input).
    Panicked,
}

/// An opened document for rendering.
pub(crate) struct Renderable {
    pdf: Pdf,
}

/// Why a document could not be opened for rendering.
/// An encrypted document opens with `password` (empty: the empty user password).
pub(crate) fn open(bytes: Vec<u8>, password: &str) -> Result<Renderable, String> {
    match catch_unwind(AssertUnwindSafe(|| Pdf::new_with_password(bytes, password))) {
        Ok(Ok(pdf)) => Ok(Renderable { pdf }),
        Ok(Err(hayro::hayro_interpret::hayro_syntax::LoadPdfError::Decryption(_))) => Err(
            "the renderer cannot decrypt this document (its encryption, or the password given)"
                .into(),
        ),
        Ok(Err(_)) => Err("the renderer could not read this revision".into()),
        Err(_) => Err("the renderer stopped on this revision (a defect in the renderer)".into()),
    }
}

impl Renderable {
    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Page `index` (0-based) at `dpi`; `annotations` draws the annotations' appearances.
    pub fn render(
        &self,
        index: usize,
        dpi: f32,
        annotations: bool,
        max_page_pixels: u64,
    ) -> Result<Option<Raster>, RenderFailure> {
        let Some(page) = self.pdf.pages().get(index) else {
            return Ok(None);
        };
        render_page(page, dpi, annotations, max_page_pixels).map(Some)
    }
}

impl Renderable {
    /// Glyphs of page `index` (0-based; annotations drawn) that should show and have no
    /// outline: text in a font whose program the renderer loads but cannot draw from, which
    /// another viewer may draw with a substitute font. `None` when the page is missing or
    /// the renderer stopped.
    pub fn blank_glyphs(&self, index: usize) -> Option<usize> {
        let page = self.pdf.pages().get(index)?;
        catch_unwind(AssertUnwindSafe(|| {
            let cache = InterpreterCache::new();
            let settings = InterpreterSettings {
                render_content: RenderContent::all(),
                ..InterpreterSettings::default()
            };
            let (w, h) = page.render_dimensions();
            let mut ctx = Context::new(
                page.initial_transform(true).to_kurbo(),
                Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
                &cache,
                page.xref(),
                settings,
            );
            let mut audit = GlyphAudit { blank: 0 };
            interpret_page(page, &mut ctx, &mut audit);
            audit.blank
        }))
        .ok()
    }
}

/// A device that draws nothing and counts the glyphs that would show but have no outline.
struct GlyphAudit {
    blank: usize,
}

impl<'a> Device<'a> for GlyphAudit {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, _: DrawProps<'a>, mode: &DrawMode) {
        if matches!(mode, DrawMode::Invisible) {
            return;
        }
        for g in run.glyphs() {
            if let Glyph::Outline(o) = &**g {
                // Only characters that are something: a code that maps to nothing (.notdef)
                // draws nothing in any viewer.
                let meaningful = match o.as_unicode() {
                    Some(BfString::Char(c)) => !c.is_whitespace() && !c.is_control(),
                    Some(BfString::String(t)) => {
                        t.chars().any(|c| !c.is_whitespace() && !c.is_control())
                    }
                    None => false,
                };
                if meaningful && o.outline().elements().is_empty() {
                    self.blank += 1;
                }
            }
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

fn render_page(
    page: &Page<'_>,
    dpi: f32,
    annotations: bool,
    max_page_pixels: u64,
) -> Result<Raster, RenderFailure> {
    let scale = dpi / 72.0;
    let (w, h) = page.render_dimensions();
    let (pw, ph) = ((w * scale) as f64, (h * scale) as f64);
    let too_large = RenderFailure::TooLarge {
        width: w as f64,
        height: h as f64,
    };
    if !(pw.is_finite() && ph.is_finite()) || pw < 1.0 || ph < 1.0 {
        return Err(too_large);
    }
    if pw > u16::MAX as f64 || ph > u16::MAX as f64 || pw * ph > max_page_pixels as f64 {
        return Err(too_large);
    }
    let unresolved = Arc::new(AtomicUsize::new(0));
    let undrawn = Arc::new(AtomicUsize::new(0));
    let counter = unresolved.clone();
    let undrawn_counter = undrawn.clone();
    let settings = InterpreterSettings {
        render_content: if annotations {
            RenderContent::all()
        } else {
            RenderContent::PAGE
        },
        warning_sink: Arc::new(move |w| match w {
            InterpreterWarning::UnresolvedAnnotationAppearance => {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                undrawn_counter.fetch_add(1, Ordering::Relaxed);
            }
        }),
        ..InterpreterSettings::default()
    };
    let pixmap = catch_unwind(AssertUnwindSafe(|| {
        let cache = RenderCache::new();
        render(
            page,
            &cache,
            &settings,
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: scale,
                y_scale: scale,
                bg_color: WHITE,
            },
        )
    }))
    .map_err(|_| RenderFailure::Panicked)?;
    let t = page.initial_transform(true).as_coeffs();
    let s = scale as f64;
    let to_pixels = [t[0] * s, t[1] * s, t[2] * s, t[3] * s, t[4] * s, t[5] * s];
    Ok(Raster {
        width: pixmap.width() as u32,
        height: pixmap.height() as u32,
        rgba: pixmap.data_as_u8_slice().to_vec(),
        to_pixels,
        unresolved_appearances: unresolved.load(Ordering::Relaxed),
        undrawn: undrawn.load(Ordering::Relaxed),
    })
}
