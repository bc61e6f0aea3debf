//! What the input document claims about PDF/A, and what that allows an appearance to use.
//!
//! The claim is read from the catalog's XMP metadata (`pdfaid:part`); the colour model from
//! the PDF/A output intent's ICC profile (`/N`: 1 grey, 3 RGB, 4 CMYK). kyso never changes the
//! claim (an incremental update leaves the metadata alone); it only draws with what the claim
//! allows: PDF/A-1 forbids soft masks, so transparent images get a 1-bit `/Mask` there, and
//! device colours must match the output intent.

use crate::pdf::{Dict, Document, Object, Source};
use crate::Error;

/// The device colour space appearances draw in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorModel {
    Gray,
    Rgb,
    Cmyk,
}

impl ColorModel {
    /// The colour space name.
    pub fn space(self) -> &'static str {
        match self {
            ColorModel::Gray => "DeviceGray",
            ColorModel::Rgb => "DeviceRGB",
            ColorModel::Cmyk => "DeviceCMYK",
        }
    }

    /// Components of an RGB colour (each 0..=1) in this model.
    pub fn convert(self, rgb: [f64; 3]) -> Vec<f64> {
        let [r, g, b] = rgb;
        match self {
            ColorModel::Rgb => vec![r, g, b],
            ColorModel::Gray => vec![0.299 * r + 0.587 * g + 0.114 * b],
            ColorModel::Cmyk => {
                let k = 1.0 - r.max(g).max(b);
                if k >= 1.0 {
                    vec![0.0, 0.0, 0.0, 1.0]
                } else {
                    let d = 1.0 - k;
                    vec![(1.0 - r - k) / d, (1.0 - g - k) / d, (1.0 - b - k) / d, k]
                }
            }
        }
    }

    /// The fill (`rg`, `g`, `k`) or stroke (`RG`, `G`, `K`) operator.
    pub fn operator(self, stroke: bool) -> &'static str {
        match (self, stroke) {
            (ColorModel::Rgb, false) => "rg",
            (ColorModel::Rgb, true) => "RG",
            (ColorModel::Gray, false) => "g",
            (ColorModel::Gray, true) => "G",
            (ColorModel::Cmyk, false) => "k",
            (ColorModel::Cmyk, true) => "K",
        }
    }
}

/// What the document claims and what the appearance may therefore use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conformance {
    /// `pdfaid:part` of the XMP metadata, when the document claims PDF/A.
    pub pdfa_part: Option<u8>,
    /// The colour model to draw in.
    pub model: ColorModel,
}

impl Conformance {
    /// Soft masks (`/SMask`) are allowed: everything but PDF/A-1.
    pub fn allows_soft_mask(&self) -> bool {
        self.pdfa_part != Some(1)
    }

    /// The device colour spaces must match the output intent.
    pub fn strict_colors(&self) -> bool {
        self.pdfa_part.is_some()
    }
}

/// Largest XMP packet examined, decoded.
const MAX_XMP: usize = 4 << 20;

/// Reads the claim from revision `rev` of `doc`.
pub(crate) fn conformance<S: Source>(doc: &Document<S>, rev: usize) -> Result<Conformance, Error> {
    let catalog = doc.catalog(rev)?;
    let pdfa_part = match catalog
        .get(b"Metadata")
        .map(|m| doc.resolve(rev, m))
        .transpose()?
    {
        Some(Object::Stream(s)) => {
            let xmp = doc.decode_stream(rev, &s)?;
            xmp.get(..MAX_XMP.min(xmp.len())).and_then(pdfa_part)
        }
        _ => None,
    };
    let mut model = ColorModel::Rgb;
    if pdfa_part.is_some() {
        if let Some(n) = output_intent_components(doc, rev, &catalog)? {
            model = match n {
                1 => ColorModel::Gray,
                4 => ColorModel::Cmyk,
                _ => ColorModel::Rgb,
            };
        }
    }
    Ok(Conformance { pdfa_part, model })
}

/// `/N` of the PDF/A output intent's destination profile.
fn output_intent_components<S: Source>(
    doc: &Document<S>,
    rev: usize,
    catalog: &Dict,
) -> Result<Option<i64>, Error> {
    let Some(intents) = catalog
        .get(b"OutputIntents")
        .map(|o| doc.resolve(rev, o))
        .transpose()?
    else {
        return Ok(None);
    };
    let Some(items) = intents.as_array() else {
        return Ok(None);
    };
    for item in items.iter().take(64) {
        let Some(intent) = doc.resolve_dict(rev, item)? else {
            continue;
        };
        if intent.get_name(b"S") != Some(b"GTS_PDFA1") {
            continue;
        }
        if let Some(Object::Stream(p)) = intent
            .get(b"DestOutputProfile")
            .map(|p| doc.resolve(rev, p))
            .transpose()?
        {
            return Ok(p.dict.get_int(b"N"));
        }
    }
    Ok(None)
}

/// `pdfaid:part` from an XMP packet, as an attribute (`pdfaid:part="1"`) or an element
/// (`<pdfaid:part>1</pdfaid:part>`).
fn pdfa_part(xmp: &[u8]) -> Option<u8> {
    let key = b"pdfaid:part";
    let mut from = 0;
    while let Some(i) = find(xmp.get(from..)?, key) {
        let after = from + i + key.len();
        let rest = xmp.get(after..)?;
        let value = match rest.first() {
            Some(b'=') => rest.get(1..).and_then(|r| {
                let quote = *r.first()?;
                (quote == b'"' || quote == b'\'').then(|| r.get(1..))?
            }),
            Some(b'>') => rest.get(1..),
            _ => None,
        };
        if let Some(d) = value
            .and_then(|v| v.iter().find(|b| !b.is_ascii_whitespace()))
            .filter(|d| d.is_ascii_digit())
        {
            return Some(d - b'0');
        }
        from = after;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pdfa_part_in_both_forms() {
        assert_eq!(
            pdfa_part(br#"<rdf:Description pdfaid:part="1" pdfaid:conformance="B"/>"#),
            Some(1)
        );
        assert_eq!(pdfa_part(b"<pdfaid:part>2</pdfaid:part>"), Some(2));
        assert_eq!(pdfa_part(b"<pdfaid:part> 3 </pdfaid:part>"), Some(3));
        assert_eq!(
            pdfa_part(b"xmlns:pdfaid='http://www.aiim.org/pdfa/ns/id/'"),
            None
        );
        assert_eq!(pdfa_part(b"nothing"), None);
    }

    #[test]
    fn converts_colours() {
        assert_eq!(
            ColorModel::Cmyk.convert([0.0, 0.0, 0.0]),
            vec![0.0, 0.0, 0.0, 1.0]
        );
        assert_eq!(
            ColorModel::Cmyk.convert([1.0, 0.0, 0.0]),
            vec![0.0, 1.0, 1.0, 0.0]
        );
        assert_eq!(ColorModel::Gray.convert([1.0, 1.0, 1.0]).len(), 1);
    }
}
