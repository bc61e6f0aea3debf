//! Two renderings of a page compared pixel by pixel; the differing pixels grouped into
//! regions: those inside an annotation changed after signing go to that annotation — unless
//! the page content itself (annotations left out) differs there, which no annotation
//! explains — the rest are grouped by proximity (8-connected cells of a coarse grid).
//!
//! Renderings of the same content by the same renderer are identical, so the tolerances are
//! tight: a channel that moves by more than 2 differs, and anything not white is ink (a
//! light-grey "VOID" counts as much as black text).

use super::render::Raster;

/// A pixel box `[x0, y0, x1, y1)`.
pub(crate) type PixelBox = [u32; 4];

/// One group of differing pixels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PixelRegion {
    pub bbox: PixelBox,
    pub pixels: u64,
    /// Differing pixels where the signed page content (annotations left out) was not blank.
    pub over_content: u64,
    /// Differing pixels where the signed revision as displayed (annotations drawn) was not
    /// blank.
    pub over_signed: u64,
    /// Pixels of what the signer saw (annotations drawn; the attributed annotation's own box
    /// left out when it existed then: its old appearance is its own) within
    /// [`Tolerance::near`] of the region's box: what a new appearance drawn beside signed
    /// text may complete ("100" made "100 000"). Counted for attributed regions.
    pub near_content: u64,
    /// Index of the changed annotation the pixels belong to; `None`: unexplained.
    pub annotation: Option<usize>,
}

/// How two renderings are compared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tolerance {
    /// A pixel differs when a channel differs by more than this.
    pub channel: u8,
    /// A pixel of the signed content is "ink" when a channel is below this.
    pub ink_below: u8,
    /// Side of the grid cells that group unexplained pixels.
    pub cell: u32,
    /// At most this many unexplained regions per page (the largest kept, the rest merged).
    pub max_regions: usize,
    /// Pixels around an attributed region in which signed page content counts as near it.
    pub near: u32,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            channel: 2,
            ink_below: 250,
            cell: 8,
            max_regions: 64,
            near: 10,
        }
    }
}

impl Tolerance {
    /// The tolerance at `dpi` (the nearness is 10 points whatever the resolution: a word
    /// space and the side bearings at 24 points).
    pub fn at_dpi(dpi: f32) -> Self {
        Tolerance {
            near: ((10.0 * dpi / 72.0).ceil() as u32).max(1),
            ..Tolerance::default()
        }
    }
}

fn differs(a: [u8; 3], b: [u8; 3], tol: u8) -> bool {
    a.iter().zip(b).any(|(x, y)| x.abs_diff(y) > tol)
}

fn ink(p: [u8; 3], below: u8) -> bool {
    p.iter().any(|c| *c < below)
}

fn grow(b: &mut Option<PixelBox>, x: u32, y: u32) {
    match b {
        None => *b = Some([x, y, x + 1, y + 1]),
        Some(b) => {
            b[0] = b[0].min(x);
            b[1] = b[1].min(y);
            b[2] = b[2].max(x + 1);
            b[3] = b[3].max(y + 1);
        }
    }
}

/// Compares `signed` with `now` (same size: the caller checks). `content` is the signed
/// page without its annotations (what "signed content" means) and `content_now` the final
/// page without them: where those two differ, the page content changed, and the pixels are
/// never attributed to an annotation. `boxes` are the pixel boxes of the annotations
/// changed since, in the order the regions name them, with whether each existed in the
/// signed revision.
pub(crate) fn compare(
    signed: &Raster,
    now: &Raster,
    content: Option<&Raster>,
    content_now: Option<&Raster>,
    boxes: &[(PixelBox, bool)],
    tol: Tolerance,
) -> Vec<PixelRegion> {
    let (w, h) = (signed.width, signed.height);
    let cell = tol.cell.max(1);
    let (cw, ch) = (w.div_ceil(cell), h.div_ceil(cell));
    let mut cells = vec![false; cw as usize * ch as usize];
    let mut attributed: Vec<(Option<PixelBox>, u64, u64, u64)> = vec![(None, 0, 0, 0); boxes.len()];
    let is_content = |x: u32, y: u32| {
        content
            .filter(|c| c.width == w && c.height == h)
            .is_some_and(|c| ink(c.rgb(x, y), tol.ink_below))
    };
    // Page content that changed: no annotation explains it.
    let content_changed = |x: u32, y: u32| match (content, content_now) {
        (Some(a), Some(b)) if a.width == w && b.width == w && a.height == h && b.height == h => {
            differs(a.rgb(x, y), b.rgb(x, y), tol.channel)
        }
        _ => false,
    };
    let mut any_unattributed = false;
    let row = w as usize * 4;
    let same_row = |y: u32| {
        let r = y as usize * row..(y as usize + 1) * row;
        matches!((signed.rgba.get(r.clone()), now.rgba.get(r)), (Some(a), Some(b)) if a == b)
    };
    for y in 0..h {
        if same_row(y) {
            continue;
        }
        for x in 0..w {
            if !differs(signed.rgb(x, y), now.rgb(x, y), tol.channel) {
                continue;
            }
            let inside = if content_changed(x, y) {
                None
            } else {
                boxes
                    .iter()
                    .position(|(b, _)| x >= b[0] && x < b[2] && y >= b[1] && y < b[3])
            };
            match inside.and_then(|i| attributed.get_mut(i)) {
                Some(slot) => {
                    grow(&mut slot.0, x, y);
                    slot.1 += 1;
                    slot.2 += u64::from(is_content(x, y));
                    slot.3 += u64::from(ink(signed.rgb(x, y), tol.ink_below));
                }
                None => {
                    any_unattributed = true;
                    if let Some(c) = cells.get_mut(((y / cell) * cw + x / cell) as usize) {
                        *c = true;
                    }
                }
            }
        }
    }
    let mut out: Vec<PixelRegion> = attributed
        .into_iter()
        .enumerate()
        .filter_map(|(i, (bbox, pixels, over, shown))| {
            let bbox = bbox?;
            Some(PixelRegion {
                bbox,
                pixels,
                over_content: over,
                over_signed: shown,
                near_content: {
                    let own = boxes.get(i).and_then(|(b, existed)| existed.then_some(*b));
                    ink_near(signed, bbox, own, tol)
                },
                annotation: Some(i),
            })
        })
        .collect();
    if !any_unattributed {
        return out;
    }
    // Connected groups of marked cells (8-neighbourhood).
    let mut label = vec![usize::MAX; cells.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for start in 0..cells.len() {
        if !cells[start] || label[start] != usize::MAX {
            continue;
        }
        let id = groups.len();
        let mut members = Vec::new();
        let mut stack = vec![start];
        label[start] = id;
        while let Some(i) = stack.pop() {
            members.push(i);
            let (cx, cy) = ((i as u32) % cw, (i as u32) / cw);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let j = (ny as u32 * cw + nx as u32) as usize;
                    if cells.get(j) == Some(&true) && label.get(j) == Some(&usize::MAX) {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        groups.push(members);
    }
    // Each group's exact pixels: bounding box, count, signed content under them.
    let mut regions: Vec<PixelRegion> = Vec::with_capacity(groups.len());
    for members in &groups {
        let mut bbox = None;
        let (mut pixels, mut over, mut shown) = (0u64, 0u64, 0u64);
        for &i in members {
            let (cx, cy) = ((i as u32) % cw, (i as u32) / cw);
            for y in cy * cell..((cy + 1) * cell).min(h) {
                if same_row(y) {
                    continue;
                }
                for x in cx * cell..((cx + 1) * cell).min(w) {
                    if !differs(signed.rgb(x, y), now.rgb(x, y), tol.channel) {
                        continue;
                    }
                    if !content_changed(x, y)
                        && boxes
                            .iter()
                            .any(|(b, _)| x >= b[0] && x < b[2] && y >= b[1] && y < b[3])
                    {
                        continue;
                    }
                    grow(&mut bbox, x, y);
                    pixels += 1;
                    over += u64::from(is_content(x, y));
                    shown += u64::from(ink(signed.rgb(x, y), tol.ink_below));
                }
            }
        }
        if let Some(bbox) = bbox {
            regions.push(PixelRegion {
                bbox,
                pixels,
                over_content: over,
                over_signed: shown,
                near_content: 0,
                annotation: None,
            });
        }
    }
    regions.sort_by_key(|r| std::cmp::Reverse(r.pixels));
    if regions.len() > tol.max_regions {
        let rest = regions.split_off(tol.max_regions.saturating_sub(1));
        let mut merged: Option<PixelRegion> = None;
        for r in rest {
            match &mut merged {
                None => merged = Some(r),
                Some(m) => {
                    m.bbox = [
                        m.bbox[0].min(r.bbox[0]),
                        m.bbox[1].min(r.bbox[1]),
                        m.bbox[2].max(r.bbox[2]),
                        m.bbox[3].max(r.bbox[3]),
                    ];
                    m.pixels += r.pixels;
                    m.over_content += r.over_content;
                    m.over_signed += r.over_signed;
                }
            }
        }
        regions.extend(merged);
    }
    out.extend(regions);
    out
}

/// Ink pixels of `shown` in `bbox` grown by [`Tolerance::near`] on every side, those inside
/// `own` left out.
fn ink_near(shown: &Raster, bbox: PixelBox, own: Option<PixelBox>, tol: Tolerance) -> u64 {
    let content = shown;
    let d = tol.near;
    let (x0, y0) = (bbox[0].saturating_sub(d), bbox[1].saturating_sub(d));
    let x1 = bbox[2].saturating_add(d).min(content.width);
    let y1 = bbox[3].saturating_add(d).min(content.height);
    let mut n = 0u64;
    for y in y0..y1 {
        for x in x0..x1 {
            if own.is_some_and(|b| x >= b[0] && x < b[2] && y >= b[1] && y < b[3]) {
                continue;
            }
            n += u64::from(ink(content.rgb(x, y), tol.ink_below));
        }
    }
    n
}

/// Pixels of `raster` that hold ink (the whole page as one region when a page has gone
/// or changed size).
pub(crate) fn ink_pixels(raster: &Raster, tol: Tolerance) -> u64 {
    raster
        .rgba
        .chunks_exact(4)
        .filter(|p| p.iter().take(3).any(|c| *c < tol.ink_below))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raster(w: u32, h: u32, dots: &[(u32, u32)]) -> Raster {
        let mut rgba = vec![255u8; (w * h * 4) as usize];
        for (x, y) in dots {
            let i = ((y * w + x) * 4) as usize;
            rgba[i..i + 3].copy_from_slice(&[0, 0, 0]);
        }
        Raster {
            width: w,
            height: h,
            rgba,
            to_pixels: [1.0, 0.0, 0.0, -1.0, 0.0, h as f64],
            unresolved_appearances: 0,
            undrawn: 0,
        }
    }

    /// Identical renderings have no region; a change inside a changed annotation's box is
    /// attributed to it, one outside is not, and two distant changes are two regions.
    #[test]
    fn regions_are_attributed_or_grouped() {
        let signed = raster(100, 100, &[(5, 5)]);
        assert!(compare(&signed, &signed, None, None, &[], Tolerance::default()).is_empty());
        let now = raster(100, 100, &[(5, 5), (50, 50), (51, 51), (90, 10)]);
        let boxes = [([45, 45, 60, 60], false)];
        let regions = compare(
            &signed,
            &now,
            Some(&signed),
            Some(&signed),
            &boxes,
            Tolerance::default(),
        );
        assert_eq!(regions.len(), 2);
        assert_eq!(regions[0].annotation, Some(0));
        assert_eq!(regions[0].bbox, [50, 50, 52, 52]);
        assert_eq!(regions[0].pixels, 2);
        assert_eq!(regions[1].annotation, None);
        assert_eq!(regions[1].bbox, [90, 10, 91, 11]);
        // A pixel of signed content erased is "over content".
        let erased = raster(100, 100, &[]);
        let regions = compare(
            &signed,
            &erased,
            Some(&signed),
            Some(&erased),
            &[],
            Tolerance::default(),
        );
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].over_content, 1);
        assert_eq!(regions[0].over_signed, 1);
    }

    /// A change of the page content itself is never attributed to an annotation whose box
    /// covers it (a co-signature's widget as large as the page); ink drawn right beside
    /// signed content is near it; a very light mark (a grey "VOID") counts as ink.
    #[test]
    fn page_content_changes_are_never_attributed_and_light_ink_counts() {
        let content = raster(100, 100, &[(20, 20)]);
        let content_now = raster(100, 100, &[]);
        // The page content lost its mark; a widget over the whole page draws at (40, 40).
        let signed = raster(100, 100, &[(20, 20)]);
        let now = raster(100, 100, &[(40, 40)]);
        let page = [([0, 0, 100, 100], false)];
        let tol = Tolerance::default();
        let regions = compare(
            &signed,
            &now,
            Some(&content),
            Some(&content_now),
            &page,
            tol,
        );
        let erased = regions.iter().find(|r| r.bbox == [20, 20, 21, 21]).unwrap();
        assert_eq!(erased.annotation, None);
        let drawn = regions.iter().find(|r| r.annotation == Some(0)).unwrap();
        assert_eq!(drawn.bbox, [40, 40, 41, 41]);
        assert_eq!(drawn.near_content, 0);
        // Drawn two pixels from signed ink: near it.
        let now = raster(100, 100, &[(20, 20), (22, 20)]);
        let regions = compare(&signed, &now, Some(&content), Some(&content), &page, tol);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].annotation, Some(0));
        assert_eq!(regions[0].near_content, 1);
        // Light grey (240) erased: differs, and it was ink.
        let mut grey = raster(100, 100, &[]);
        let i = (10 * 100 + 10) * 4;
        grey.rgba[i..i + 3].copy_from_slice(&[240, 240, 240]);
        let white = raster(100, 100, &[]);
        let regions = compare(&grey, &white, Some(&grey), Some(&white), &[], tol);
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].over_signed, 1);
    }
}
