//! The default appearance string `/DA` (ISO 32000-2 §12.7.4.3): font size and colour of a
//! field's text. The font it names is not used: its encoding rarely covers Vietnamese, so
//! kyso draws with its own embedded font at the size and in the colour `/DA` gives.

/// A colour of a content stream or of `/MK`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Colour {
    Gray(f64),
    Rgb(f64, f64, f64),
    Cmyk(f64, f64, f64, f64),
}

impl Colour {
    /// The operator that sets it as the fill colour.
    pub fn fill(&self) -> String {
        match *self {
            Colour::Gray(g) => format!("{} g", num(g)),
            Colour::Rgb(r, g, b) => format!("{} {} {} rg", num(r), num(g), num(b)),
            Colour::Cmyk(c, m, y, k) => format!("{} {} {} {} k", num(c), num(m), num(y), num(k)),
        }
    }

    /// The operator that sets it as the stroke colour.
    pub fn stroke(&self) -> String {
        match *self {
            Colour::Gray(g) => format!("{} G", num(g)),
            Colour::Rgb(r, g, b) => format!("{} {} {} RG", num(r), num(g), num(b)),
            Colour::Cmyk(c, m, y, k) => format!("{} {} {} {} K", num(c), num(m), num(y), num(k)),
        }
    }

    /// A colour from an `/MK` array of 1, 3 or 4 components; `None` for an empty array
    /// (transparent) or anything else.
    pub fn from_components(c: &[f64]) -> Option<Colour> {
        let clamp = |v: f64| {
            if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        match *c {
            [g] => Some(Colour::Gray(clamp(g))),
            [r, g, b] => Some(Colour::Rgb(clamp(r), clamp(g), clamp(b))),
            [c, m, y, k] => Some(Colour::Cmyk(clamp(c), clamp(m), clamp(y), clamp(k))),
            _ => None,
        }
    }
}

/// What kyso takes from `/DA`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DefaultAppearance {
    /// Font size; 0 means "auto" (fit the box).
    pub size: f64,
    /// Text colour.
    pub colour: Colour,
}

impl Default for DefaultAppearance {
    fn default() -> Self {
        DefaultAppearance {
            size: 0.0,
            colour: Colour::Gray(0.0),
        }
    }
}

/// Most tokens read from a `/DA` string.
const MAX_TOKENS: usize = 256;

/// Reads the last `Tf` size and the last fill colour (`g`, `rg`, `k`) of a `/DA` string;
/// anything it cannot read keeps the default (auto size, black).
pub(crate) fn parse(da: &[u8]) -> DefaultAppearance {
    let mut out = DefaultAppearance::default();
    let text = String::from_utf8_lossy(da);
    let mut operands: Vec<f64> = Vec::new();
    for token in text.split_ascii_whitespace().take(MAX_TOKENS) {
        if let Ok(v) = token.parse::<f64>() {
            operands.push(v);
            continue;
        }
        let last = |n: usize| {
            operands
                .len()
                .checked_sub(n)
                .and_then(|i| operands.get(i..))
        };
        match token {
            "Tf" => {
                if let Some(&[size]) = last(1) {
                    if size.is_finite() && (0.0..=1000.0).contains(&size) {
                        out.size = size;
                    }
                }
            }
            "g" | "rg" | "k" => {
                let n = match token {
                    "g" => 1,
                    "rg" => 3,
                    _ => 4,
                };
                if let Some(c) = last(n).and_then(Colour::from_components) {
                    out.colour = c;
                }
            }
            _ => {}
        }
        if !token.starts_with('/') {
            operands.clear();
        }
    }
    out
}

/// A number for a content stream: at most three decimals, no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let mut t = format!("{v:.3}");
    if t.contains('.') {
        let keep = t.trim_end_matches('0').trim_end_matches('.').len();
        t.truncate(keep);
    }
    if t == "-0" {
        t = "0".to_string();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_and_colour() {
        let da = parse(b"/Helv 10 Tf 0 0 1 rg");
        assert_eq!(da.size, 10.0);
        assert_eq!(da.colour, Colour::Rgb(0.0, 0.0, 1.0));
        let da = parse(b"0.5 g /F1 0 Tf");
        assert_eq!(da.size, 0.0);
        assert_eq!(da.colour, Colour::Gray(0.5));
        assert_eq!(parse(b"garbage Tf rg"), DefaultAppearance::default());
        assert_eq!(parse(b"/F 1e999 Tf").size, 0.0);
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(1.23456), "1.235");
    }
}
