//! The visual comparison's part of a signature report: the signed revision rendered and
//! compared with the final document, page by page (filled by `kyso::visual`, feature
//! `visual`; absent from a report made without it).

use serde::{Deserialize, Serialize};

/// Whether the pages were compared.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VisualStatus {
    /// Every page was rendered and compared; [`VisualReport::regions`] lists the differences.
    Compared,
    /// The comparison did not run or did not finish (budget, encryption, a page the renderer
    /// could not draw): [`VisualReport::reason`] says why. Never a pass.
    Skipped,
}

/// What a differing region is, as far as kyso can tell.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RegionCause {
    /// The appearance of a signature field signed or changed after this signature.
    SignatureAppearance,
    /// The appearance of a form field filled in (or changed) after this signature.
    FormField,
    /// An annotation added or changed after this signature.
    Annotation,
    /// No change the difference analysis found explains it.
    Unexplained,
}

/// One region of a page that looks different now than in the signed revision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct VisualRegion {
    /// The page, 1-based.
    pub page: usize,
    /// The region's bounding box in the page's default user space: `[x0, y0, x1, y1]`
    /// (points, origin bottom left, as `/Rect`).
    pub rect: [f64; 4],
    /// Pixels that differ inside it (at [`VisualReport::dpi`]).
    pub pixels: u64,
    /// What it is attributed to.
    pub cause: RegionCause,
    /// The annotation or field it is attributed to, as `num gen R`, when attributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The fully qualified field name, for a field's widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Whether the difference analysis judged the changes after this signature allowed (an
    /// attributed region whose change was not allowed is still shown, the structural
    /// finding decides).
    pub permitted: bool,
    /// Pixels of the region where the signed revision showed something: for a region
    /// explained by a permitted change, its page content (content stream, annotations left
    /// out: what the new appearance covers); otherwise the signed revision as displayed,
    /// annotations included (what the change altered).
    pub over_signed_content: u64,
    /// For a permitted later signature's or annotation's region: pixels of signed page
    /// content within 10 points of it (a drawing beside signed text may complete it: "100"
    /// made "100 000"); any makes the region `visual.overlap`.
    #[serde(default)]
    pub near_signed_content: u64,
}

/// A part of a page whose comparison would prove nothing: the renderer cannot draw
/// something there that appeared after the signature (a font, an image, an appearance), or a
/// field changed after signing has no appearance of its own (a viewer draws its value).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct VisualGap {
    /// The page, 1-based.
    pub page: usize,
    /// Where, in the page's default user space (the whole page when the renderer does not
    /// say).
    pub rect: [f64; 4],
    /// The annotation, as `num gen R`, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Why.
    pub reason: String,
    /// A field whose appearance viewers build themselves (no appearance of its own, or
    /// `/NeedAppearances`): its value is in the report's field list, so this is the warning
    /// `visual.viewer_rebuilds`; any other gap is the error `visual.not_comparable`.
    #[serde(default)]
    pub viewer_rebuilds: bool,
}

/// The outcome of the visual comparison of one signature's revision with the final document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct VisualReport {
    /// Compared or skipped.
    pub status: VisualStatus,
    /// Why the comparison was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Resolution of the renderings, dots per inch.
    pub dpi: f32,
    /// The revision compared (0-based), as [`super::SignatureReport::signed_revision`].
    pub signed_revision: usize,
    /// Pages of the signed revision.
    pub pages_signed: usize,
    /// Pages of the final document.
    pub pages_now: usize,
    /// Pages (1-based) the final document has beyond the signed revision's.
    #[serde(default)]
    pub pages_added: Vec<usize>,
    /// Pages (1-based) of the signed revision the final document no longer has.
    #[serde(default)]
    pub pages_removed: Vec<usize>,
    /// The regions that differ, page by page.
    #[serde(default)]
    pub regions: Vec<VisualRegion>,
    /// Parts of pages that could not be compared (`visual.not_comparable`, an error).
    #[serde(default)]
    pub not_comparable: Vec<VisualGap>,
    /// The pictures written (`kyso verify --visual-diff DIR`), file names within DIR.
    #[serde(default)]
    pub images: Vec<String>,
    /// Changed pages whose picture was not made: the document's pictures reached their
    /// size limit (128 MiB).
    #[serde(default)]
    pub pictures_left_out: usize,
    /// Annotations whose appearance the renderer could not resolve in either rendering
    /// (not drawn, so not compared).
    #[serde(default)]
    pub unresolved_appearances: usize,
    /// Milliseconds spent rendering and comparing for this signature.
    pub millis: u64,
}

impl VisualReport {
    /// A report saying the comparison was skipped, and why.
    pub fn skipped(signed_revision: usize, dpi: f32, reason: impl Into<String>) -> Self {
        VisualReport {
            status: VisualStatus::Skipped,
            reason: Some(reason.into()),
            dpi,
            signed_revision,
            pages_signed: 0,
            pages_now: 0,
            pages_added: Vec::new(),
            pages_removed: Vec::new(),
            regions: Vec::new(),
            not_comparable: Vec::new(),
            images: Vec::new(),
            pictures_left_out: 0,
            unresolved_appearances: 0,
            millis: 0,
        }
    }

    /// An empty report of a comparison that ran.
    pub fn compared(
        signed_revision: usize,
        dpi: f32,
        pages_signed: usize,
        pages_now: usize,
    ) -> Self {
        VisualReport {
            status: VisualStatus::Compared,
            pages_signed,
            pages_now,
            ..VisualReport::skipped(signed_revision, dpi, "")
        }
        .without_reason()
    }

    fn without_reason(mut self) -> Self {
        self.reason = None;
        self
    }
}
