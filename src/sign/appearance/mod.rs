//! Visible signatures the way Vietnamese administrative documents show them (Decree
//! 30/2020/NĐ-CP, Appendix I): the official's signature (title, signature image, name), the
//! organisation's seal over it, the electronic copy or attachment stamp at the top right of
//! the first page, a portal block ("Người ký", "Cơ quan", "Thời gian ký"), or a template given
//! as JSON.
//!
//! Text is drawn with an embedded subset of a TrueType/OpenType font — DejaVu Serif, built in,
//! unless the caller gives a font file — as a Type0 font with `/ToUnicode`, so Vietnamese
//! names render and extract correctly. PNG images keep their transparency (a soft mask, or a
//! 1-bit mask when the document claims PDF/A-1); JPEG images pass through.
//!
//! Rectangles are given as the page is displayed (points from its lower-left corner, after
//! `/Rotate`); the appearance is turned with the page so that it reads upright. Everything is
//! checked — fonts, images, template, rectangle inside the page, text fitting — before any
//! byte of output is written.
//!
//! ```no_run
//! use kyso::draw::ImageSource;
//! use kyso::sign::appearance::{Appearance, Layout};
//! use kyso::sign::SignOptions;
//!
//! let opts = SignOptions::new().appearance(
//!     Appearance::new(Layout::Official)
//!         .image(ImageSource::file("chu-ky.png"))
//!         .title("Chủ tịch"),
//! );
//! # let _ = opts;
//! ```

mod error;
mod fields;
mod geometry;
mod layout;
mod template;

use std::collections::BTreeMap;
use std::str::FromStr;

use time::{OffsetDateTime, UtcOffset};

use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::{
    acroform::Field, pages, Dict, Document, Name, ObjRef, Object, Source, Stream, StreamData,
};
use crate::Error;

pub use error::AppearanceError;
pub use fields::{format_iso, format_vietnamese, PLACEHOLDERS};
pub use geometry::{Anchor, Rect};
pub use template::{
    Align, Border, Color, ImageRef, Row, SealOverlay, Side, SideImage, Template, VAlign, MAX_ROWS,
    MAX_ROW_TEXT, MAX_TEMPLATE_FILE,
};

use crate::draw::font::Font;
use crate::draw::image::LoadedImage;
use crate::draw::pdfa::{self, Conformance};
use crate::draw::{FontSource, ImageSource, Origin};
use fields::Values;
use geometry::{rotation_matrix, PageGeometry};
use layout::{Assets, BOLD_FONT, REGULAR_FONT};

/// Millimetres to points.
const MM: f64 = 72.0 / 25.4;
/// The seal's width when neither the caller nor the image file says: 36 mm.
pub const DEFAULT_SEAL_MM: f64 = 36.0;
/// Seal sizes an image's recorded resolution may give, in millimetres; outside this range
/// the resolution is taken to be an editor's default rather than the seal's real size.
const PLAUSIBLE_SEAL_MM: (f64, f64) = (20.0, 60.0);

/// Which layout to draw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Layout {
    /// Official's signature: title (chức vụ) above, the signature image (blue ink, transparent)
    /// centred, the full name below. Needs [`Appearance::image`].
    Official,
    /// Organisation's seal: the official's layout with the seal image (red, transparent) at
    /// its real size over the left third of the signature image. Without a signature image,
    /// the seal alone at its real size (an organisation signing after the official). Needs
    /// [`Appearance::seal_image`].
    Seal,
    /// Electronic copy or attachment stamp: copy form, document number, issuing body and
    /// signing time, 10 pt black text, at the top right of the page.
    CopyStamp,
    /// Portal block: "Người ký: …", "Cơ quan: …", "Thời gian ký: …" in a frame, with the
    /// signature image on the left when one is given.
    Portal,
    /// A caller's template.
    Custom(Box<Template>),
}

impl Layout {
    fn name(&self) -> &'static str {
        match self {
            Layout::Official => "official",
            Layout::Seal => "seal",
            Layout::CopyStamp => "copy-stamp",
            Layout::Portal => "portal",
            Layout::Custom(_) => "custom",
        }
    }
}

impl FromStr for Layout {
    type Err = String;
    /// `official`, `seal`, `copy-stamp` or `portal`.
    fn from_str(s: &str) -> Result<Layout, String> {
        match s {
            "official" => Ok(Layout::Official),
            "seal" => Ok(Layout::Seal),
            "copy-stamp" => Ok(Layout::CopyStamp),
            "portal" => Ok(Layout::Portal),
            _ => Err(format!(
                "\"{s}\" is not official, seal, copy-stamp or portal"
            )),
        }
    }
}

/// How the signing time is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TimeStyle {
    /// `dd/MM/yyyy HH:mm:ss +07:00`.
    #[default]
    Vietnamese,
    /// ISO 8601 with offset: `yyyy-MM-ddTHH:mm:ss+07:00`.
    Iso8601,
}

/// A visible signature: layout, images, font, place, and the values to show. Start from
/// [`Appearance::new`] and chain the setters; set it with
/// [`SignOptions::appearance`](crate::sign::SignOptions::appearance).
///
/// Values not given are taken from the signer's certificate (name from the CN, organisation
/// from O, title from the title attribute) and the signing options (`/Name`, reason,
/// location, time).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Appearance {
    /// The layout.
    pub layout: Layout,
    /// The signature image (PNG with transparency, or JPEG).
    pub image: Option<ImageSource>,
    /// The seal image (PNG with transparency, or JPEG).
    pub seal_image: Option<ImageSource>,
    /// The text font. Default: DejaVu Serif, built in.
    pub font: FontSource,
    /// The bold font. Default: the built-in font's bold face; for a caller's font without a
    /// bold face, bold text is the regular font filled and outlined.
    pub bold_font: Option<FontSource>,
    /// Where, on the page as displayed, in points from its lower-left corner. Default: the
    /// layout's size at [`Appearance::position`].
    pub rect: Option<Rect>,
    /// Which corner, when no rectangle is given. Default: top right for the copy stamp,
    /// bottom right otherwise.
    pub position: Option<Anchor>,
    /// Distance from the page edges for [`Appearance::position`], in points. Default 20.
    pub margin: f64,
    /// The signer's title (chức vụ); `\n` starts a new line (for example
    /// `"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"`).
    pub title: Option<String>,
    /// The signer's name as shown.
    pub signer_name: Option<String>,
    /// The organisation (cơ quan).
    pub organization: Option<String>,
    /// The document's number and symbol (số và ký hiệu), for the copy stamp.
    pub document_number: Option<String>,
    /// The copy form (hình thức sao), for the copy stamp: `SAO Y`, `SAO LỤC`, `TRÍCH SAO`.
    pub copy_form: Option<String>,
    /// The offset the time is shown in. Default +07:00 (Vietnam).
    pub time_offset: UtcOffset,
    /// How the time is written.
    pub time_style: TimeStyle,
    /// The seal's real width in millimetres. Default: from the image's recorded resolution
    /// when that gives 20–60 mm, else 36 mm.
    pub seal_diameter_mm: Option<f64>,
}

impl Appearance {
    /// An appearance with this layout and the defaults.
    pub fn new(layout: Layout) -> Self {
        Appearance {
            layout,
            image: None,
            seal_image: None,
            font: FontSource::DejaVuSerif,
            bold_font: None,
            rect: None,
            position: None,
            margin: 20.0,
            title: None,
            signer_name: None,
            organization: None,
            document_number: None,
            copy_form: None,
            time_offset: UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC),
            time_style: TimeStyle::Vietnamese,
            seal_diameter_mm: None,
        }
    }

    /// Sets the signature image.
    pub fn image(mut self, image: ImageSource) -> Self {
        self.image = Some(image);
        self
    }

    /// Sets the seal image.
    pub fn seal_image(mut self, image: ImageSource) -> Self {
        self.seal_image = Some(image);
        self
    }

    /// Sets the text font (and, unless set separately, no bold face: see
    /// [`Appearance::bold_font`]).
    pub fn font(mut self, font: FontSource) -> Self {
        self.font = font;
        self
    }

    /// Sets the bold font.
    pub fn bold_font(mut self, font: FontSource) -> Self {
        self.bold_font = Some(font);
        self
    }

    /// Places the appearance at `rect` (points, page as displayed).
    pub fn rect(mut self, rect: Rect) -> Self {
        self.rect = Some(rect);
        self
    }

    /// Places the appearance at a corner of the page.
    pub fn position(mut self, anchor: Anchor) -> Self {
        self.position = Some(anchor);
        self
    }

    /// Sets the distance from the page edges for [`Appearance::position`].
    pub fn margin(mut self, points: f64) -> Self {
        self.margin = points;
        self
    }

    /// Sets the title (chức vụ).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the name shown.
    pub fn signer_name(mut self, name: impl Into<String>) -> Self {
        self.signer_name = Some(name.into());
        self
    }

    /// Sets the organisation shown.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Sets the document number and symbol.
    pub fn document_number(mut self, number: impl Into<String>) -> Self {
        self.document_number = Some(number.into());
        self
    }

    /// Sets the copy form.
    pub fn copy_form(mut self, form: impl Into<String>) -> Self {
        self.copy_form = Some(form.into());
        self
    }

    /// Sets the offset the time is shown in.
    pub fn time_offset(mut self, offset: UtcOffset) -> Self {
        self.time_offset = offset;
        self
    }

    /// Sets how the time is written.
    pub fn time_style(mut self, style: TimeStyle) -> Self {
        self.time_style = style;
        self
    }

    /// Sets the seal's real width in millimetres.
    pub fn seal_diameter_mm(mut self, mm: f64) -> Self {
        self.seal_diameter_mm = Some(mm);
        self
    }
}

/// An appearance with everything loaded and checked, waiting for its page.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    appearance: Appearance,
    template: Template,
    layout_name: &'static str,
    values: Values,
    assets: Assets,
}

/// Loads fonts, images and template values for one signature. Nothing is written.
pub(crate) fn prepare(
    ap: &Appearance,
    opts: &crate::sign::SignOptions,
    certificate_der: &[u8],
    signing_time: OffsetDateTime,
) -> Result<Prepared, AppearanceError> {
    if !(ap.margin.is_finite() && (0.0..=1000.0).contains(&ap.margin)) {
        return Err(AppearanceError::Option(format!(
            "margin {} is not between 0 and 1000 pt",
            ap.margin
        )));
    }
    if let Some(mm) = ap.seal_diameter_mm {
        if !(mm.is_finite() && (5.0..=200.0).contains(&mm)) {
            return Err(AppearanceError::Option(format!(
                "seal diameter {mm} mm is not between 5 and 200 mm"
            )));
        }
    }
    if let Some(r) = &ap.rect {
        r.check()?;
    }
    let template = match &ap.layout {
        Layout::Official => Template::official(),
        Layout::Seal if ap.image.is_some() => Template::seal(),
        Layout::Seal => Template::seal_only(),
        Layout::CopyStamp => Template::copy_stamp(),
        Layout::Portal => Template::portal(),
        Layout::Custom(t) => {
            t.validate(&Origin::Bytes)?;
            t.as_ref().clone()
        }
    };
    let regular = Font::load(&ap.font)?;
    let bold = match &ap.bold_font {
        Some(b) => Some(Font::load(b)?),
        None => ap
            .font
            .built_in_bold()
            .map(|b| Font::load(&b))
            .transpose()?,
    };
    let signature = ap.image.as_ref().map(LoadedImage::load).transpose()?;
    let seal = ap.seal_image.as_ref().map(LoadedImage::load).transpose()?;
    let mut files = BTreeMap::new();
    let named = template
        .rows
        .iter()
        .filter_map(|r| r.image.as_ref())
        .chain(template.side_image.as_ref().map(|s| &s.image));
    for r in named {
        if let ImageRef::File(p) = r {
            if !files.contains_key(p) {
                files.insert(p.clone(), LoadedImage::load(&ImageSource::File(p.clone()))?);
            }
        }
    }
    let seal_width = seal_width(ap, seal.as_ref());
    let values = Values::gather(ap, opts, certificate_der, signing_time)?;
    Ok(Prepared {
        appearance: ap.clone(),
        layout_name: ap.layout.name(),
        template,
        values,
        assets: Assets {
            regular,
            bold,
            signature,
            seal,
            files,
            seal_width,
        },
    })
}

/// The seal's width in points at its real size.
fn seal_width(ap: &Appearance, seal: Option<&LoadedImage>) -> f64 {
    if let Some(mm) = ap.seal_diameter_mm {
        return mm * MM;
    }
    if let Some(img) = seal {
        if let Some(dpi) = img.dpi().filter(|d| *d > 0.0) {
            let mm = f64::from(img.pixels().0) / dpi * 25.4;
            if (PLAUSIBLE_SEAL_MM.0..=PLAUSIBLE_SEAL_MM.1).contains(&mm) {
                return mm * MM;
            }
        }
    }
    DEFAULT_SEAL_MM * MM
}

impl Prepared {
    /// Draws the appearance of a new widget on page `page_no` (1-based, `page_ref`): sets its
    /// `/Rect` and `/AP` and writes the appearance's objects into `update`.
    pub(crate) fn attach_to_new_widget<S: Source>(
        mut self,
        doc: &Document<S>,
        rev: usize,
        update: &mut IncrementalUpdate,
        page_ref: ObjRef,
        page_no: usize,
        widget: &mut Dict,
    ) -> Result<(), Error> {
        let geometry = PageGeometry::read(doc, rev, page_ref, page_no)?;
        let conformance = pdfa::conformance(doc, rev)?;
        let rect = match self.appearance.rect {
            Some(r) => r,
            None => {
                let (w, h) = self.default_size();
                let anchor = self
                    .appearance
                    .position
                    .or(self.template.position)
                    .unwrap_or(Anchor::BottomRight);
                geometry.anchored(anchor, w, h, self.appearance.margin)
            }
        };
        geometry.check_inside(&rect, page_no)?;
        let form = self.write_form(
            update,
            rect.width,
            rect.height,
            geometry.matrix(),
            &conformance,
        )?;
        let user = geometry.user_rect(&rect);
        widget.set(
            "Rect",
            Object::Array(user.iter().map(|v| Object::Real(round3(*v))).collect()),
        );
        widget.set("AP", Object::Dict(normal_appearance(form)));
        Ok(())
    }

    /// Draws the appearance into an existing empty field's widget. `field_dict` is the field
    /// dictionary the caller writes; when the widget is a separate object it is written here.
    pub(crate) fn attach_to_field<S: Source>(
        mut self,
        doc: &Document<S>,
        rev: usize,
        update: &mut IncrementalUpdate,
        field: &Field,
        field_dict: &mut Dict,
    ) -> Result<(), Error> {
        let field_err = |reason: String| AppearanceError::Field {
            field: field.name.clone(),
            reason,
        };
        if self.appearance.rect.is_some() || self.appearance.position.is_some() {
            return Err(field_err(
                "the field has its own widget; a rectangle or position cannot move it (leave \
                 them out, or sign a new field)"
                    .into(),
            )
            .into());
        }
        let widget_ref = *field
            .widgets
            .first()
            .ok_or_else(|| field_err("the field has no widget to show an appearance in".into()))?;
        let merged = field.id == Some(widget_ref);
        let mut widget = if merged {
            field_dict.clone()
        } else {
            match doc.get(rev, widget_ref)? {
                Some(Object::Dict(d)) => d,
                _ => return Err(field_err("its widget is not a dictionary".into()).into()),
            }
        };
        let user = geometry::read_box(doc, rev, &widget, b"Rect")?
            .ok_or_else(|| field_err("its widget has no /Rect".into()))?;
        let (uw, uh) = (user[2] - user[0], user[3] - user[1]);
        if uw < 1.0 || uh < 1.0 {
            return Err(field_err(
                "its widget is invisible (an empty /Rect) and cannot be moved without changing \
                 the form; sign without an appearance, or sign a new field"
                    .into(),
            )
            .into());
        }
        let rotate = match widget_page(doc, rev, &widget, widget_ref)? {
            Some((page_ref, page_no)) => PageGeometry::read(doc, rev, page_ref, page_no)?.rotate,
            None => 0,
        };
        let (w, h) = if rotate % 180 == 90 {
            (uh, uw)
        } else {
            (uw, uh)
        };
        let conformance = pdfa::conformance(doc, rev)?;
        let form = self.write_form(update, w, h, rotation_matrix(rotate), &conformance)?;
        widget.set("AP", Object::Dict(normal_appearance(form)));
        // Printed, and neither hidden nor invisible (PDF/A wants printed widgets).
        let flags = widget.get_int(b"F").unwrap_or(0);
        widget.set("F", (flags | 4) & !(1 | 2 | 32));
        if merged {
            *field_dict = widget;
        } else {
            update.put(widget_ref, &Object::Dict(widget))?;
        }
        Ok(())
    }

    /// Width and height when the caller gives no rectangle.
    fn default_size(&self) -> (f64, f64) {
        let t = &self.template;
        match (t.width, t.height) {
            (Some(w), Some(h)) => (w, h),
            _ => {
                // The seal alone: its real size.
                let w = self.assets.seal_width;
                let aspect = self.assets.seal.as_ref().map_or(1.0, LoadedImage::aspect);
                let h = if aspect > 0.0 { w / aspect } else { w };
                (
                    t.width.unwrap_or(w + 2.0 * t.padding),
                    t.height.unwrap_or(h + 2.0 * t.padding),
                )
            }
        }
    }

    /// Lays the template out in a `w`×`h` box and writes the form XObject with its fonts and
    /// images.
    fn write_form(
        &mut self,
        update: &mut IncrementalUpdate,
        w: f64,
        h: f64,
        matrix: [f64; 6],
        conformance: &Conformance,
    ) -> Result<ObjRef, Error> {
        for img in [&self.assets.signature, &self.assets.seal]
            .into_iter()
            .flatten()
            .chain(self.assets.files.values())
        {
            img.check(conformance)?;
        }
        let drawing = layout::draw(
            &self.template,
            &self.values,
            w,
            h,
            &mut self.assets,
            conformance.model,
            self.layout_name,
        )?;
        let mut fonts = Dict::new();
        if self.assets.regular.is_used() {
            fonts.set(REGULAR_FONT, self.assets.regular.write(update)?);
        }
        if let Some(b) = self.assets.bold.as_ref().filter(|b| b.is_used()) {
            fonts.set(BOLD_FONT, b.write(update)?);
        }
        let mut xobjects = Dict::new();
        for (name, r) in &drawing.images {
            let img = match r {
                ImageRef::Signature => self.assets.signature.as_ref(),
                ImageRef::Seal => self.assets.seal.as_ref(),
                ImageRef::File(p) => self.assets.files.get(p),
            };
            if let Some(img) = img {
                xobjects.set(name.as_str(), img.write(update, conformance)?);
            }
        }
        let mut resources = Dict::new();
        if !fonts.is_empty() {
            resources.set("Font", Object::Dict(fonts));
        }
        if !xobjects.is_empty() {
            resources.set("XObject", Object::Dict(xobjects));
        }
        resources.set(
            "ProcSet",
            Object::Array(
                ["PDF", "Text", "ImageB", "ImageC"]
                    .iter()
                    .map(|n| Object::Name(Name::from(*n)))
                    .collect(),
            ),
        );
        let mut d = Dict::new();
        d.set("Type", Object::Name(Name::from("XObject")));
        d.set("Subtype", Object::Name(Name::from("Form")));
        d.set("FormType", 1i64);
        d.set(
            "BBox",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(0),
                Object::Real(round3(w)),
                Object::Real(round3(h)),
            ]),
        );
        if matrix != rotation_matrix(0) {
            d.set(
                "Matrix",
                Object::Array(matrix.iter().map(|v| Object::Real(*v)).collect()),
            );
        }
        d.set("Resources", Object::Dict(resources));
        d.set("Filter", Object::Name(Name::from("FlateDecode")));
        let r = update.allocate()?;
        update.put(
            r,
            &Object::Stream(Stream {
                dict: d,
                data: StreamData::Memory(crate::draw::deflate(&drawing.content)?),
            }),
        )?;
        Ok(r)
    }
}

/// `<< /N form >>`.
fn normal_appearance(form: ObjRef) -> Dict {
    let mut ap = Dict::new();
    ap.set("N", form);
    ap
}

/// The page a widget is on: its `/P`, else the page whose `/Annots` lists it.
fn widget_page<S: Source>(
    doc: &Document<S>,
    rev: usize,
    widget: &Dict,
    widget_ref: ObjRef,
) -> Result<Option<(ObjRef, usize)>, Error> {
    let page_refs = pages(doc, rev)?;
    if let Some(p) = widget.get(b"P").and_then(Object::as_ref) {
        if let Some(i) = page_refs.iter().position(|r| *r == p) {
            return Ok(Some((p, i + 1)));
        }
    }
    for (i, p) in page_refs.iter().enumerate() {
        let Some(page) = doc.resolve_dict(rev, &Object::Reference(*p))? else {
            continue;
        };
        let annots = match page.get(b"Annots") {
            Some(a) => doc.resolve(rev, a)?,
            None => continue,
        };
        if annots
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o.as_ref() == Some(widget_ref)))
        {
            return Ok(Some((*p, i + 1)));
        }
    }
    Ok(None)
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
