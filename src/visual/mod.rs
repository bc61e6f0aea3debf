//! What changed, as people see it (issue 23; feature `visual`): each signed revision
//! rendered and compared with the final document, page by page.
//!
//! The difference analysis ([`crate::diff`]) judges objects; this module judges pixels, as a
//! second, independent line of evidence behind it. For every signature with later
//! revisions, the bytes up to its revision's `%%EOF` and the whole file are rendered with
//! hayro (pure Rust, no system library) at a modest resolution, compared pixel by pixel, and
//! the differing pixels grouped into regions, reported in the page's default user space:
//!
//! - inside the `/Rect` of an annotation added or changed after the signature (a later
//!   signature's widget, a filled field's widget, an added annotation) a region is
//!   attributed to that change (`visual.explained`); when it also covers page content of
//!   the signed revision it is `visual.overlap` (a warning, as EU DSS reports it);
//! - elsewhere it is unexplained: over blank space `visual.unexplained` (a warning), over
//!   signed page content `visual.content_changed` (an error: never TOTAL-PASSED);
//! - a page added is `visual.unexplained`, a page removed `visual.content_changed`.
//!
//! Budgets (pages, pixels, time per document, [`VisualOptions`]) bound the work; beyond
//! them, or when a revision cannot be rendered, the signature's report says the comparison
//! was skipped (`visual.skipped`), never silently. It runs only when asked
//! (`kyso verify --visual`): plain verification does not render.
//!
//! Sub-modules, one job each: `render` (hayro), `changes` (the annotations changed since a
//! revision, from kyso's reader), `compare` (pixels to regions), `picture` (the PNG a clerk
//! looks at).

mod changes;
mod compare;
mod isolate;
mod picture;
mod render;

pub use isolate::{worker_main, Isolation, CLI_WORKER_ARG};

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::budget::{DocumentBudget, DocumentMeter};
use crate::pdf::{Budget, Document, Password};
use crate::report::{
    Code, Finding, Lang, RegionCause, VerificationReport, VisualGap, VisualRegion, VisualReport,
    VisualStatus,
};

use compare::{PixelBox, Tolerance};
use picture::Mark;
use render::{RenderFailure, Renderable};

/// Limits and settings of the visual comparison.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VisualOptions {
    /// Resolution of the renderings (dots per inch; 72 is one pixel per point).
    pub dpi: f32,
    /// Pages rendered per document, all signatures together (each compared page costs
    /// three renderings at most: signed, now, signed content without annotations).
    pub max_pages: usize,
    /// Pixels rendered per document, all renderings together.
    pub max_pixels: u64,
    /// Pixels of one rendering (a page larger than this is not rendered).
    pub max_page_pixels: u64,
    /// Time for the whole document; past it the signatures not yet compared are skipped.
    pub time_limit: Duration,
    /// Largest file compared (the renderer holds the file and each signed revision in
    /// memory).
    pub max_file_bytes: u64,
    /// Address space of the renderer's process, bytes ([`Isolation::Process`] only: a
    /// thread shares its process's memory).
    pub max_memory: u64,
    /// Where the rendering runs: a thread of this process (the default) or a child process
    /// the operating system bounds ([`Isolation`]).
    pub isolation: Isolation,
    /// Whether the comparison is required (a policy that enables it,
    /// [`crate::verify::Policy::visual`]): a comparison that could not be made — a budget, a
    /// renderer that stopped, a page it cannot draw — is then also the error
    /// `visual.not_comparable` (INDETERMINATE), so that a later revision made too heavy to
    /// render cannot turn the check off. Otherwise it is the warning `visual.skipped` only.
    pub required: bool,
    /// The password of an encrypted document (the user's or the owner's, as for
    /// verification); `None`: the empty user password only. The renderer is given it as
    /// UTF-8 text, so a password that is not UTF-8 opens the document for kyso's reader but
    /// not for the renderer (the comparison is then skipped).
    pub password: Option<Password>,
    /// Differing pixels over signed content that make an unexplained region an error
    /// (fewer: a warning), and an attributed one an overlap.
    pub min_content_pixels: u64,
    /// Also make the side-by-side pictures ([`Picture`]).
    pub pictures: bool,
    /// Language of the pictures' legend.
    pub lang: Lang,
    /// Put before the pictures' file names (the CLI uses the input's name, so that the
    /// pictures of several files can share a directory).
    pub name_prefix: String,
}

impl Default for VisualOptions {
    fn default() -> Self {
        VisualOptions {
            dpi: 72.0,
            max_pages: 2_000,
            max_pixels: 2_000_000_000,
            max_page_pixels: 16_000_000,
            time_limit: Duration::from_secs(60),
            max_file_bytes: 256 * 1024 * 1024,
            max_memory: 2 * 1024 * 1024 * 1024,
            isolation: Isolation::Thread,
            required: false,
            password: None,
            min_content_pixels: 1,
            pictures: false,
            lang: Lang::En,
            name_prefix: String::new(),
        }
    }
}

/// One side-by-side picture: signed revision | now | differences outlined.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Picture {
    /// Index of the signature in the report.
    pub signature: usize,
    /// Page, 1-based.
    pub page: usize,
    /// The file name kyso proposes (`<prefix>sig<N>-page<P>.png`), also listed in the
    /// report.
    pub file_name: String,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

/// Renders, for every signature of `report` whose revision is followed by later ones, the
/// signed revision and the final document, compares them, and records the outcome in the
/// signature's [`crate::report::SignatureReport::visual`] and findings (the verdict and the
/// summary recomputed). `bytes` are the file the report is about.
///
/// Returns the pictures when [`VisualOptions::pictures`] is set (their names are already in
/// the report). The work runs where [`VisualOptions::isolation`] says, bounded by
/// [`VisualOptions::time_limit`]: past it the report says the comparison was skipped (a
/// worker thread is left to finish alone; a child process is killed).
pub fn examine(
    bytes: &[u8],
    report: &mut VerificationReport,
    opts: &VisualOptions,
) -> Vec<Picture> {
    let wanted: Vec<Candidate> = report
        .signatures
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let rev = s.signed_revision?;
            (s.modifications.later_revisions > 0).then_some(Candidate {
                signature: i,
                revision: rev,
                permitted: s.modifications.allowed,
            })
        })
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    if bytes.len() as u64 > opts.max_file_bytes {
        let why = format!(
            "the file ({} bytes) is larger than the visual comparison's limit of {} bytes",
            bytes.len(),
            opts.max_file_bytes
        );
        let outcomes = wanted.iter().map(|c| skipped(c, opts, &why)).collect();
        return merge(report, outcomes, opts);
    }
    let outcomes = match &opts.isolation {
        Isolation::Thread => on_thread(bytes, &wanted, opts),
        Isolation::Process { program, args } => {
            isolate::in_child(program, args, bytes, &wanted, opts)
        }
    };
    let outcomes =
        outcomes.unwrap_or_else(|why| wanted.iter().map(|c| skipped(c, opts, &why)).collect());
    merge(report, outcomes, opts)
}

/// Runs the comparison on a worker thread, waiting at most the time budget.
fn on_thread(
    bytes: &[u8],
    wanted: &[Candidate],
    opts: &VisualOptions,
) -> Result<Vec<Outcome>, String> {
    let (tx, rx) = mpsc::channel();
    let shared: Arc<Vec<u8>> = Arc::new(bytes.to_vec());
    let worker_opts = opts.clone();
    let worker_wanted = wanted.to_vec();
    let deadline = Instant::now() + opts.time_limit;
    std::thread::Builder::new()
        .name("kyso-visual".into())
        .spawn(move || {
            let _ = tx.send(run(&shared, &worker_wanted, &worker_opts, deadline));
        })
        .map_err(|e| format!("no thread for the renderer: {e}"))?;
    rx.recv_timeout(opts.time_limit + Duration::from_millis(500))
        .map_err(|_| {
            format!(
                "the time budget of {} s for the visual comparison ran out",
                opts.time_limit.as_secs()
            )
        })
}

/// Records each signature's outcome in the report and re-decides its verdict.
fn merge(
    report: &mut VerificationReport,
    outcomes: Vec<Outcome>,
    opts: &VisualOptions,
) -> Vec<Picture> {
    let mut pictures = Vec::new();
    for mut o in outcomes {
        // The names are the caller's, whatever the worker said: a picture belongs to its
        // outcome's signature and is named from the caller's prefix.
        o.pictures.retain(|p| p.signature == o.signature);
        for p in &mut o.pictures {
            p.file_name = picture_name(&opts.name_prefix, p.signature, p.page);
        }
        o.report.images = o.pictures.iter().map(|p| p.file_name.clone()).collect();
        if let Some(sig) = report.signatures.get_mut(o.signature) {
            sig.findings.extend(findings_of(&o.report, opts));
            sig.visual = Some(o.report);
            crate::verify::verdict::decide(sig);
        }
        pictures.extend(o.pictures);
    }
    report.update_summary();
    pictures
}

#[derive(Debug, Clone)]
struct Candidate {
    signature: usize,
    revision: usize,
    permitted: bool,
}

/// One signature's comparison: its report (the findings follow from it, [`findings_of`])
/// and pictures.
struct Outcome {
    signature: usize,
    report: VisualReport,
    pictures: Vec<Picture>,
}

fn skipped(c: &Candidate, opts: &VisualOptions, why: &str) -> Outcome {
    Outcome {
        signature: c.signature,
        report: VisualReport::skipped(c.revision, opts.dpi, why),
        pictures: Vec::new(),
    }
}

/// The findings a signature's visual report calls for.
fn findings_of(v: &VisualReport, opts: &VisualOptions) -> Vec<Finding> {
    match v.status {
        VisualStatus::Compared => judge(v, opts),
        _ => {
            let why = v.reason.as_deref().unwrap_or("no reason was given");
            let mut out = vec![Finding::new(
                Code::VisualSkipped,
                format!("the signed revision was not compared visually: {why}"),
            )
            .detail(crate::report::DetailLabel::Technical, why)];
            if opts.required {
                out.push(
                    Finding::new(
                        Code::VisualNotComparable,
                        format!(
                            "the visual comparison the policy requires could not be made: {why}"
                        ),
                    )
                    .remark(
                        "chính sách kiểm tra yêu cầu so sánh hình ảnh nhưng không thực hiện được",
                    )
                    .detail(crate::report::DetailLabel::Technical, why),
                );
            }
            out
        }
    }
}

/// What one document's comparison has spent.
struct Spent {
    pages: usize,
    pixels: u64,
    /// Bytes of the pictures made so far.
    picture_bytes: usize,
}

/// Largest total of one document's pictures; beyond it no more are made (the report counts
/// those left out).
const MAX_PICTURE_BYTES: usize = 128 << 20;

/// A picture's file name: `<prefix>sig<N>-page<P>.png` (1-based).
fn picture_name(prefix: &str, signature: usize, page: usize) -> String {
    format!("{prefix}sig{}-page{page}.png", signature + 1)
}

fn run(
    bytes: &[u8],
    wanted: &[Candidate],
    opts: &VisualOptions,
    deadline: Instant,
) -> Vec<Outcome> {
    let meter = DocumentMeter::start(DocumentBudget::default().deadline(None));
    let doc =
        match Document::open_with_password(bytes, Budget::default(), meter, opts.password.as_ref())
        {
            Ok(d) => d,
            Err(e) => {
                let why = format!("the document could not be read for rendering: {e}");
                return wanted.iter().map(|c| skipped(c, opts, &why)).collect();
            }
        };
    let password = match &opts.password {
        None => String::new(),
        Some(p) => match std::str::from_utf8(p.as_bytes()) {
            Ok(t) => t.to_owned(),
            Err(_) => {
                let why = "the password is not UTF-8 text, which the renderer needs";
                return wanted.iter().map(|c| skipped(c, opts, why)).collect();
            }
        },
    };
    let now = match render::open(bytes.to_vec(), &password) {
        Ok(r) => r,
        Err(why) => return wanted.iter().map(|c| skipped(c, opts, &why)).collect(),
    };
    let last = doc.last_revision();
    let mut spent = Spent {
        pages: 0,
        pixels: 0,
        picture_bytes: 0,
    };
    wanted
        .iter()
        .map(|c| {
            let started = Instant::now();
            let mut o = match one(
                &doc, bytes, &now, &password, last, c, opts, deadline, &mut spent,
            ) {
                Ok(o) => o,
                Err(why) => skipped(c, opts, &why),
            };
            o.report.millis = started.elapsed().as_millis() as u64;
            o
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn one(
    doc: &Document<&[u8]>,
    bytes: &[u8],
    now: &Renderable,
    password: &str,
    last: usize,
    c: &Candidate,
    opts: &VisualOptions,
    deadline: Instant,
    spent: &mut Spent,
) -> Result<Outcome, String> {
    let end = doc
        .revisions()
        .get(c.revision)
        .map(|r| r.end as usize)
        .ok_or("the signed revision is not among the document's revisions")?;
    let signed_bytes = bytes
        .get(..end)
        .ok_or("the signed revision ends past the file")?
        .to_vec();
    let signed = render::open(signed_bytes, password)?;
    // A page tree kyso cannot read attributes nothing: every region stays unexplained.
    let changed = changes::changed_annotations(doc, c.revision, last).unwrap_or_default();
    let (ps, pn) = (signed.page_count(), now.page_count());
    if spent.pages + ps.min(pn) * 2 > opts.max_pages {
        return Err(format!(
            "the page budget ({} renderings per document) would be exceeded: {} and {} pages",
            opts.max_pages, ps, pn
        ));
    }
    let mut report = VisualReport::compared(c.revision, opts.dpi, ps, pn);
    let mut pictures = Vec::new();
    let tol = Tolerance::at_dpi(opts.dpi);
    let render_one = |r: &Renderable, page: usize, annots: bool, spent: &mut Spent| {
        if Instant::now() > deadline {
            return Err(format!(
                "the time budget of {} s ran out at page {}",
                opts.time_limit.as_secs(),
                page + 1
            ));
        }
        if spent.pages >= opts.max_pages {
            return Err(format!(
                "the page budget ({} renderings per document) ran out at page {}",
                opts.max_pages,
                page + 1
            ));
        }
        let raster = r
            .render(page, opts.dpi, annots, opts.max_page_pixels)
            .map_err(|e| match e {
                RenderFailure::TooLarge { width, height } => format!(
                    "page {} ({width:.0} × {height:.0} pt) is larger than the per-page pixel \
                     budget at {} dpi",
                    page + 1,
                    opts.dpi
                ),
                RenderFailure::Panicked => format!(
                    "the renderer stopped on page {} (a defect in the renderer)",
                    page + 1
                ),
            })?
            .ok_or_else(|| format!("page {} could not be found", page + 1))?;
        spent.pages += 1;
        spent.pixels += raster.width as u64 * raster.height as u64;
        if spent.pixels > opts.max_pixels {
            return Err(format!(
                "the pixel budget ({} pixels per document) ran out at page {}",
                opts.max_pixels,
                page + 1
            ));
        }
        Ok(raster)
    };
    for page in 0..ps.max(pn) {
        if page >= pn {
            report.pages_removed.push(page + 1);
            continue;
        }
        if page >= ps {
            report.pages_added.push(page + 1);
            continue;
        }
        let s = render_one(&signed, page, true, spent)?;
        let n = render_one(now, page, true, spent)?;
        report.unresolved_appearances += s.unresolved_appearances + n.unresolved_appearances;
        let annots = changed.get(&page).map(Vec::as_slice).unwrap_or_default();
        // What the renderer cannot draw now and could when signed, and changed fields that a
        // viewer draws itself: identical pixels would prove nothing there (checked first).
        report
            .not_comparable
            .extend(gaps(page, &s, &n, annots, &now_user_rect(&n)));
        // Text that would show but has no outline (a font program the renderer loads and
        // cannot draw from): looked for where a later change draws.
        if !annots.is_empty() {
            let before = signed.blank_glyphs(page).unwrap_or(0);
            let after = now.blank_glyphs(page).unwrap_or(usize::MAX);
            if after > before {
                report.not_comparable.push(VisualGap {
                    page: page + 1,
                    rect: now_user_rect(&n),
                    object: None,
                    viewer_rebuilds: false,
                    reason: if after == usize::MAX {
                        "the renderer stopped while reading the text of this page".into()
                    } else {
                        format!(
                            "{} character(s) in a font the renderer cannot draw appear on this \
                             page after the signature (another viewer may draw them with a \
                             substitute font)",
                            after - before
                        )
                    },
                });
            }
        }
        if s.rgba == n.rgba && s.width == n.width {
            continue;
        }
        let mut regions = Vec::new();
        if s.width != n.width || s.height != n.height {
            let content = render_one(&signed, page, false, spent)?;
            regions.push(compare::PixelRegion {
                bbox: [0, 0, n.width, n.height],
                pixels: n.width as u64 * n.height as u64,
                over_content: compare::ink_pixels(&content, tol),
                over_signed: compare::ink_pixels(&s, tol),
                near_content: 0,
                annotation: None,
            });
        } else {
            let content = render_one(&signed, page, false, spent)?;
            let boxes: Vec<(PixelBox, bool)> = annots
                .iter()
                .map(|a| {
                    let b = n
                        .user_to_pixel_box(a.rect)
                        .map(|b| {
                            [
                                b[0].saturating_sub(1),
                                b[1].saturating_sub(1),
                                b[2] + 1,
                                b[3] + 1,
                            ]
                        })
                        .unwrap_or([0, 0, 0, 0]);
                    (b, a.existed)
                })
                .collect();
            let content_now = render_one(now, page, false, spent)?;
            regions = compare::compare(&s, &n, Some(&content), Some(&content_now), &boxes, tol);
        }
        let mut marks = Vec::new();
        for r in &regions {
            let attributed = r.annotation.and_then(|i| annots.get(i));
            let permitted = attributed.is_some() && c.permitted;
            // Every change is judged on what the signer saw (annotations included): a
            // permitted one that alters it overlaps (DSS' check, by pixels). A later
            // signature's or annotation's drawing beside signed page content counts too:
            // it may complete it ("100" made "100 000"); a field's value is meant to sit
            // beside its printed label, so not for fields.
            let covered = r.over_signed;
            let beside = match attributed {
                Some(a) if permitted && a.cause != RegionCause::FormField => r.near_content,
                _ => 0,
            };
            let over = covered >= opts.min_content_pixels || beside > 0;
            let mark = match (permitted, over) {
                (true, false) => Mark::Explained,
                (true, true) => Mark::Overlap,
                (false, false) => Mark::Unexplained,
                (false, true) => Mark::ContentChanged,
            };
            marks.push((r.bbox, mark));
            report.regions.push(VisualRegion {
                page: page + 1,
                rect: n.pixel_box_to_user(r.bbox),
                pixels: r.pixels,
                cause: attributed.map_or(RegionCause::Unexplained, |a| a.cause),
                object: attributed.map(|a| a.object.clone()),
                field: attributed.and_then(|a| a.field.clone()),
                permitted,
                over_signed_content: covered,
                near_signed_content: beside,
            });
        }
        if opts.pictures && !regions.is_empty() {
            if spent.picture_bytes >= MAX_PICTURE_BYTES {
                report.pictures_left_out += 1;
                continue;
            }
            let name = picture_name(&opts.name_prefix, c.signature, page + 1);
            let title = format!(
                "{} {} — {} {} — {} {}",
                opts.lang.pick("signature", "chữ ký"),
                c.signature + 1,
                opts.lang.pick("page", "trang"),
                page + 1,
                opts.lang.pick("signed revision", "phiên bản đã ký"),
                c.revision + 1
            );
            if let Some(png) = picture::compose(&s, &n, &marks, &title, opts.lang) {
                spent.picture_bytes += png.len();
                report.images.push(name.clone());
                pictures.push(Picture {
                    signature: c.signature,
                    page: page + 1,
                    file_name: name,
                    png,
                });
            }
        }
    }
    Ok(Outcome {
        signature: c.signature,
        report,
        pictures,
    })
}

/// The page's box in default user space (the whole rendering).
fn now_user_rect(r: &render::Raster) -> [f64; 4] {
    r.pixel_box_to_user([0, 0, r.width, r.height])
}

/// The parts of page `page` (0-based) whose comparison would prove nothing: fonts or images
/// the renderer cannot draw now but could in the signed revision (a co-signature's
/// appearance in a broken font, which other viewers draw with a substitute), appearances it
/// cannot resolve, and visible annotations changed after signing that viewers may show
/// otherwise: without an appearance of their own (a viewer draws one), with optional
/// content, NoRotate on a rotated page, odd flags, fields under `/NeedAppearances`.
fn gaps(
    page: usize,
    s: &render::Raster,
    n: &render::Raster,
    annots: &[changes::ChangedAnnotation],
    whole: &[f64; 4],
) -> Vec<VisualGap> {
    let mut out = Vec::new();
    let counts = [
        (
            s.undrawn,
            n.undrawn,
            "font(s) or image(s) the renderer cannot draw appear on this page after the \
             signature (another viewer may draw them)",
        ),
        (
            s.unresolved_appearances,
            n.unresolved_appearances,
            "annotation appearance(s) the renderer cannot resolve appear on this page after \
             the signature",
        ),
    ];
    for (signed, now, what) in counts {
        if now > signed {
            out.push(VisualGap {
                page: page + 1,
                rect: *whole,
                object: None,
                viewer_rebuilds: false,
                reason: format!("{} {what}", now - signed),
            });
        }
    }
    for a in annots.iter().filter(|a| a.visible) {
        let what = match &a.field {
            Some(f) => format!("the field \"{f}\""),
            None => format!("the annotation {}", a.object),
        };
        let field = a.cause == RegionCause::FormField;
        let why = if let Some(why) = a.viewer_dependent {
            Some(why)
        } else if !a.has_appearance && a.cause != RegionCause::SignatureAppearance {
            Some("it has no appearance of its own (a viewer draws one itself)")
        } else {
            None
        };
        if let Some(why) = why {
            out.push(VisualGap {
                page: page + 1,
                rect: a.rect,
                object: Some(a.object.clone()),
                reason: format!("{what}, changed after the signature: {why}"),
                // A field's value is in the report; only its drawing is the viewer's.
                viewer_rebuilds: field && a.viewer_dependent_is_rebuild(),
            });
        }
    }
    out
}

/// The findings of one signature's comparison, each with its specifics as details (page,
/// region, pixels, the annotation or field) for renderings in other languages.
fn judge(v: &VisualReport, opts: &VisualOptions) -> Vec<Finding> {
    use crate::report::DetailLabel as L;
    let mut out = Vec::new();
    let fmt_rect = |r: &[f64; 4]| format!("[{} {} {} {}]", r[0], r[1], r[2], r[3]);
    let (mut explained, mut unexplained) = (0usize, 0usize);
    for r in &v.regions {
        let over = r.over_signed_content >= opts.min_content_pixels || r.near_signed_content > 0;
        let what = match (&r.object, &r.field) {
            (Some(o), Some(f)) => format!("{o} (field \"{f}\")"),
            (Some(o), None) => o.clone(),
            _ => String::new(),
        };
        let attributed = r.cause != RegionCause::Unexplained;
        // Drawn by an annotation whose change the difference analysis did not allow: the
        // picture says where, but nothing permitted explains it.
        let why = if attributed {
            format!("it is drawn by {what}, whose change after signing is not allowed")
        } else {
            "no change the difference analysis found explains it".to_string()
        };
        let with_cause = |mut f: Finding| {
            if let Some(o) = &r.object {
                f = f.detail(L::Object, o);
            }
            if let Some(n) = &r.field {
                f = f.detail(L::Field, n);
            }
            f
        };
        // An attributed region whose change was not allowed names what draws it.
        let not_allowed = |f: Finding| {
            if attributed {
                with_cause(f.remark(
                    "vùng này do một chú thích hoặc trường vẽ, nhưng thay đổi đó sau khi ký \
                     không được phép",
                ))
            } else {
                f
            }
        };
        let located = |f: Finding| {
            f.detail(L::Page, r.page)
                .detail(L::Region, fmt_rect(&r.rect))
        };
        let permitted = attributed && r.permitted;
        match (permitted, over) {
            (false, true) => {
                unexplained += 1;
                let f = located(Finding::new(
                    Code::VisualContentChanged,
                    format!(
                        "page {}: the region {} looks different from the signed revision over \
                         {} pixel(s) of signed content, and {why}",
                        r.page,
                        fmt_rect(&r.rect),
                        r.over_signed_content
                    ),
                ))
                .detail(L::Pixels, r.over_signed_content);
                out.push(not_allowed(f))
            }
            (false, false) => {
                unexplained += 1;
                let f = located(Finding::new(
                    Code::VisualUnexplained,
                    format!(
                        "page {}: the region {} ({} pixel(s)) looks different from the signed \
                         revision, and {why}",
                        r.page,
                        fmt_rect(&r.rect),
                        r.pixels
                    ),
                ))
                .detail(L::Pixels, r.pixels);
                out.push(not_allowed(f))
            }
            (_, true) => {
                explained += 1;
                let how = if r.over_signed_content >= opts.min_content_pixels {
                    format!(
                        "changes {} pixel(s) of what the signer saw",
                        r.over_signed_content
                    )
                } else {
                    format!(
                        "draws right beside what the signer saw ({} pixel(s) of it within 10 \
                         points), which it may complete or alter",
                        r.near_signed_content
                    )
                };
                let mut f = with_cause(located(Finding::new(
                    Code::VisualOverlap,
                    format!(
                        "page {}: the appearance of {what} at {} {how}",
                        r.page,
                        fmt_rect(&r.rect)
                    ),
                )))
                .detail(L::Pixels, r.over_signed_content.max(r.near_signed_content));
                if r.over_signed_content < opts.min_content_pixels {
                    f = f.remark("hình được vẽ sát cạnh nội dung đã ký, có thể bổ sung hoặc làm sai lệch nội dung đó");
                }
                out.push(f)
            }
            (_, false) => explained += 1,
        }
    }
    let page_changes = [
        (
            &v.pages_removed,
            Code::VisualContentChanged,
            "of the signed revision is no longer in the document",
            "trang này của phiên bản đã ký không còn trong tài liệu",
        ),
        (
            &v.pages_added,
            Code::VisualUnexplained,
            "was added after the signature",
            "trang này được thêm vào sau khi ký",
        ),
    ];
    for (pages, code, en, vi) in page_changes {
        for p in pages {
            out.push(
                Finding::new(code, format!("page {p} {en}"))
                    .remark(vi)
                    .detail(L::Page, p),
            );
        }
    }
    for g in &v.not_comparable {
        let mut f = Finding::new(
            if g.viewer_rebuilds {
                Code::VisualViewerRebuilds
            } else {
                Code::VisualNotComparable
            },
            format!(
                "page {}: {}: what a viewer shows there was not compared",
                g.page, g.reason
            ),
        )
        .detail(L::Page, g.page)
        .detail(L::Region, fmt_rect(&g.rect))
        .detail(L::Technical, &g.reason);
        if let Some(o) = &g.object {
            f = f.detail(L::Object, o);
        }
        out.push(f);
    }
    if unexplained == 0
        && v.pages_removed.is_empty()
        && v.pages_added.is_empty()
        && v.not_comparable.is_empty()
    {
        let f = Finding::new(
            Code::VisualExplained,
            if explained == 0 {
                format!(
                    "the {} page(s) look exactly as in the signed revision (at {} dpi)",
                    v.pages_now, v.dpi
                )
            } else {
                format!(
                    "the {} page(s) look as in the signed revision except {explained} region(s) \
                     where a later signature, field or annotation draws (at {} dpi)",
                    v.pages_now, v.dpi
                )
            },
        );
        let f = if v.pages_now > 0 {
            f.detail(L::Page, format!("1–{}", v.pages_now))
        } else {
            f
        };
        out.push(if explained == 0 {
            f.remark("không có vùng nào khác")
        } else {
            f.detail(L::Count, explained)
        });
    }
    out
}
