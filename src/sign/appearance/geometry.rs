//! Where an appearance goes on its page.
//!
//! Callers give rectangles as they see the page: in points, from the lower-left corner of the
//! page as displayed (after `/Rotate`, within the crop box). This module turns them into the
//! widget's `/Rect` in default user space — which is unrotated and may have a non-zero origin
//! — and gives the appearance stream a `/Matrix` that turns its content with the page, so it
//! reads upright.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::pdf::{Dict, Document, ObjRef, Object, Source};
use crate::Error;

use super::error::AppearanceError;

/// A rectangle in points: lower-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Distance from the left edge.
    pub x: f64,
    /// Distance from the bottom edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// A rectangle from its lower-left corner and size.
    pub fn new(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// Finite, with a positive size no larger than 14400 pt.
    pub(crate) fn check(&self) -> Result<(), AppearanceError> {
        let bad = |reason| AppearanceError::InvalidRect {
            rect: self.to_string(),
            reason,
        };
        if ![self.x, self.y, self.width, self.height]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(bad("not a finite number"));
        }
        if self.width <= 0.0 || self.height <= 0.0 {
            return Err(bad("width and height must be positive"));
        }
        if self.width > 14_400.0 || self.height > 14_400.0 {
            return Err(bad("larger than 14400 pt"));
        }
        Ok(())
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{},{}", self.x, self.y, self.width, self.height)
    }
}

impl FromStr for Rect {
    type Err = String;
    /// `x,y,w,h` in points.
    fn from_str(s: &str) -> Result<Rect, String> {
        let parts: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("\"{s}\" is not x,y,w,h in points"))?;
        match parts.as_slice() {
            [x, y, w, h] => Ok(Rect::new(*x, *y, *w, *h)),
            _ => Err(format!("\"{s}\" is not x,y,w,h in points")),
        }
    }
}

/// A corner of the displayed page to place the appearance at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Anchor {
    /// Top right (where the decree puts copy and attachment stamps).
    TopRight,
    /// Top left.
    TopLeft,
    /// Bottom right.
    BottomRight,
    /// Bottom left.
    BottomLeft,
}

impl FromStr for Anchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Anchor, String> {
        match s {
            "top-right" => Ok(Anchor::TopRight),
            "top-left" => Ok(Anchor::TopLeft),
            "bottom-right" => Ok(Anchor::BottomRight),
            "bottom-left" => Ok(Anchor::BottomLeft),
            _ => Err(format!(
                "\"{s}\" is not top-right, top-left, bottom-right or bottom-left"
            )),
        }
    }
}

/// Most `/Parent` levels followed for inherited page attributes.
const MAX_INHERIT_DEPTH: usize = 64;

/// A page's visible box and rotation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PageGeometry {
    /// Visible box (crop box within the media box) in user space: llx, lly, urx, ury.
    pub bbox: [f64; 4],
    /// `/Rotate`, normalised to 0, 90, 180 or 270.
    pub rotate: u16,
}

impl PageGeometry {
    /// Reads the page's boxes and rotation, inherited through `/Parent`.
    pub fn read<S: Source>(
        doc: &Document<S>,
        rev: usize,
        page_ref: ObjRef,
        page_no: usize,
    ) -> Result<PageGeometry, Error> {
        let bad = |reason: String| AppearanceError::Page {
            page: page_no,
            reason,
        };
        let mut media = None;
        let mut crop = None;
        let mut rotate = None;
        let mut seen = HashSet::new();
        let mut node = Some(page_ref);
        for _ in 0..MAX_INHERIT_DEPTH {
            let Some(r) = node else { break };
            if !seen.insert(r) {
                break;
            }
            let Some(d) = doc.resolve_dict(rev, &Object::Reference(r))? else {
                break;
            };
            if media.is_none() {
                media = read_box(doc, rev, &d, b"MediaBox")?;
            }
            if crop.is_none() {
                crop = read_box(doc, rev, &d, b"CropBox")?;
            }
            if rotate.is_none() {
                if let Some(o) = d.get(b"Rotate") {
                    rotate = doc.resolve(rev, o)?.as_int();
                }
            }
            node = d.get(b"Parent").and_then(Object::as_ref);
        }
        let media = media.ok_or_else(|| bad("no usable /MediaBox".into()))?;
        let bbox = match crop.and_then(|c| intersect(c, media)) {
            Some(b) => b,
            None => media,
        };
        if bbox[2] - bbox[0] <= 0.0 || bbox[3] - bbox[1] <= 0.0 {
            return Err(bad("the page box is empty".into()).into());
        }
        let r = rotate.unwrap_or(0).rem_euclid(360);
        if r % 90 != 0 {
            return Err(bad(format!("/Rotate {r} is not a multiple of 90")).into());
        }
        Ok(PageGeometry {
            bbox,
            rotate: r as u16,
        })
    }

    /// Width and height of the page as displayed.
    pub fn displayed_size(&self) -> (f64, f64) {
        let w = self.bbox[2] - self.bbox[0];
        let h = self.bbox[3] - self.bbox[1];
        if self.rotate % 180 == 90 {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// A `w`×`h` rectangle at `anchor`, `margin` points from the two nearest edges.
    pub fn anchored(&self, anchor: Anchor, w: f64, h: f64, margin: f64) -> Rect {
        let (pw, ph) = self.displayed_size();
        let (x, y) = match anchor {
            Anchor::TopRight => (pw - margin - w, ph - margin - h),
            Anchor::TopLeft => (margin, ph - margin - h),
            Anchor::BottomRight => (pw - margin - w, margin),
            Anchor::BottomLeft => (margin, margin),
        };
        Rect::new(x, y, w, h)
    }

    /// Refuses a rectangle that is not inside the displayed page (0.5 pt of tolerance).
    pub fn check_inside(&self, r: &Rect, page_no: usize) -> Result<(), AppearanceError> {
        r.check()?;
        let (pw, ph) = self.displayed_size();
        let eps = 0.5;
        if r.x < -eps || r.y < -eps || r.x + r.width > pw + eps || r.y + r.height > ph + eps {
            return Err(AppearanceError::OutsidePage {
                rect: r.to_string(),
                page: page_no,
                width: pw,
                height: ph,
            });
        }
        Ok(())
    }

    /// The widget's `/Rect` (user space) for a rectangle given as displayed.
    pub fn user_rect(&self, r: &Rect) -> [f64; 4] {
        let [llx, lly, urx, ury] = self.bbox;
        let map = |x: f64, y: f64| -> (f64, f64) {
            match self.rotate {
                90 => (urx - y, lly + x),
                180 => (urx - x, ury - y),
                270 => (llx + y, ury - x),
                _ => (llx + x, lly + y),
            }
        };
        let (ax, ay) = map(r.x, r.y);
        let (bx, by) = map(r.x + r.width, r.y + r.height);
        [ax.min(bx), ay.min(by), ax.max(bx), ay.max(by)]
    }

    /// The appearance stream's `/Matrix`: its content (drawn upright in a box of the
    /// displayed size) turned with the page.
    pub fn matrix(&self) -> [f64; 6] {
        rotation_matrix(self.rotate)
    }
}

/// The `/Matrix` that turns content drawn upright by `rotate` degrees counter-clockwise,
/// undoing a page rotation of `rotate` degrees clockwise.
pub(crate) fn rotation_matrix(rotate: u16) -> [f64; 6] {
    match rotate {
        90 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
        270 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
    }
}

/// A rectangle array (four numbers, any corner order), normalised.
pub(crate) fn read_box<S: Source>(
    doc: &Document<S>,
    rev: usize,
    d: &Dict,
    key: &[u8],
) -> Result<Option<[f64; 4]>, Error> {
    let Some(o) = d.get(key) else {
        return Ok(None);
    };
    let Object::Array(items) = doc.resolve(rev, o)? else {
        return Ok(None);
    };
    if items.len() != 4 {
        return Ok(None);
    }
    let mut v = [0.0f64; 4];
    for (slot, item) in v.iter_mut().zip(&items) {
        match doc.resolve(rev, item)?.as_number() {
            Some(n) if n.is_finite() => *slot = n,
            _ => return Ok(None),
        }
    }
    Ok(Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ]))
}

fn intersect(a: [f64; 4], b: [f64; 4]) -> Option<[f64; 4]> {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    (r[2] > r[0] && r[3] > r[1]).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo(rotate: u16) -> PageGeometry {
        PageGeometry {
            bbox: [100.0, 200.0, 700.0, 1000.0],
            rotate,
        }
    }

    #[test]
    fn displayed_rectangles_map_to_user_space() {
        let r = Rect::new(10.0, 20.0, 100.0, 50.0);
        assert_eq!(geo(0).user_rect(&r), [110.0, 220.0, 210.0, 270.0]);
        // Rotate 90: the displayed page is 800 wide, 600 high; its lower-left corner is the
        // user-space lower-right corner.
        assert_eq!(geo(90).displayed_size(), (800.0, 600.0));
        assert_eq!(geo(90).user_rect(&r), [630.0, 210.0, 680.0, 310.0]);
        assert_eq!(geo(180).user_rect(&r), [590.0, 930.0, 690.0, 980.0]);
        assert_eq!(geo(270).user_rect(&r), [120.0, 890.0, 170.0, 990.0]);
    }

    #[test]
    fn anchors_and_bounds() {
        let g = geo(0);
        let r = g.anchored(Anchor::TopRight, 100.0, 50.0, 20.0);
        assert_eq!(r, Rect::new(480.0, 730.0, 100.0, 50.0));
        g.check_inside(&r, 1).unwrap();
        let out = Rect::new(550.0, 10.0, 100.0, 50.0);
        assert!(matches!(
            g.check_inside(&out, 1),
            Err(AppearanceError::OutsidePage { .. })
        ));
        assert!(Rect::new(0.0, 0.0, -1.0, 5.0).check().is_err());
        assert!(Rect::new(f64::NAN, 0.0, 1.0, 5.0).check().is_err());
        assert_eq!(
            "1,2, 3,4".parse::<Rect>().unwrap(),
            Rect::new(1.0, 2.0, 3.0, 4.0)
        );
        assert!("1,2,3".parse::<Rect>().is_err());
    }
}
