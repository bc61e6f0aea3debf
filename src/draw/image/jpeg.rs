//! The facts of a JPEG file that a `/DCTDecode` image XObject needs, read from its markers:
//! size and components from the start-of-frame segment, and whether an Adobe `APP14`
//! segment is present (Adobe writes CMYK inverted). The compressed data is passed through
//! untouched.

use crate::draw::{DrawError, Origin};

/// What the image dictionary needs to know about a JPEG.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct JpegInfo {
    pub width: u32,
    pub height: u32,
    /// 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK/YCCK).
    pub components: u8,
    /// An Adobe `APP14` segment is present.
    pub adobe: bool,
    /// Resolution from a JFIF `APP0` segment in dots per inch, when it gives one.
    pub dpi: Option<(f64, f64)>,
}

/// Most marker segments examined before the frame header.
const MAX_SEGMENTS: usize = 10_000;

/// Reads the markers up to the start-of-frame segment.
pub(crate) fn inspect(data: &[u8], origin: &Origin) -> Result<JpegInfo, DrawError> {
    let err = |offset: usize, reason: String| DrawError::Jpeg {
        origin: origin.clone(),
        offset: Some(offset as u64),
        reason,
    };
    if data.get(..2) != Some(&[0xff, 0xd8][..]) {
        return Err(err(0, "no start-of-image marker".into()));
    }
    let mut pos = 2usize;
    let mut adobe = false;
    let mut dpi = None;
    for _ in 0..MAX_SEGMENTS {
        // Fill bytes (0xFF) may precede a marker.
        let mut marker_at = pos;
        while data.get(marker_at) == Some(&0xff) && data.get(marker_at + 1) == Some(&0xff) {
            marker_at += 1;
        }
        let (Some(0xff), Some(&marker)) = (data.get(marker_at), data.get(marker_at + 1)) else {
            return Err(err(marker_at, "expected a marker".into()));
        };
        pos = marker_at + 2;
        if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
            continue; // standalone markers
        }
        if marker == 0xd9 || marker == 0xda {
            return Err(err(
                marker_at,
                "no frame header before the image data".into(),
            ));
        }
        let len = data
            .get(pos..pos + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or_else(|| err(pos, "the file ends inside a segment".into()))?;
        if len < 2 {
            return Err(err(pos, format!("segment length {len}")));
        }
        let body = data
            .get(pos + 2..pos + len)
            .ok_or_else(|| err(pos, "the file ends inside a segment".into()))?;
        match marker {
            0xc0..=0xc2 => {
                let precision = *body
                    .first()
                    .ok_or_else(|| err(pos, "short frame header".into()))?;
                if precision != 8 {
                    return Err(err(
                        pos,
                        format!("{precision}-bit samples; PDF readers expect 8"),
                    ));
                }
                let (Some(h), Some(w), Some(&n)) = (body.get(1..3), body.get(3..5), body.get(5))
                else {
                    return Err(err(pos, "short frame header".into()));
                };
                let height = u32::from(u16::from_be_bytes([h[0], h[1]]));
                let width = u32::from(u16::from_be_bytes([w[0], w[1]]));
                if width == 0 || height == 0 {
                    return Err(err(pos, "zero width or height".into()));
                }
                if !matches!(n, 1 | 3 | 4) {
                    return Err(err(pos, format!("{n} colour components")));
                }
                return Ok(JpegInfo {
                    width,
                    height,
                    components: n,
                    adobe,
                    dpi,
                });
            }
            0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                return Err(err(
                    marker_at,
                    "lossless, hierarchical or arithmetic-coded JPEG; use a baseline or \
                     progressive JPEG, or a PNG"
                        .into(),
                ));
            }
            0xee if body.starts_with(b"Adobe") => adobe = true,
            0xe0 if body.starts_with(b"JFIF\0") => {
                if let (Some(&units), Some(x), Some(y)) =
                    (body.get(7), body.get(8..10), body.get(10..12))
                {
                    let x = f64::from(u16::from_be_bytes([x[0], x[1]]));
                    let y = f64::from(u16::from_be_bytes([y[0], y[1]]));
                    dpi = match units {
                        1 if x > 0.0 && y > 0.0 => Some((x, y)),
                        2 if x > 0.0 && y > 0.0 => Some((x * 2.54, y * 2.54)),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
        pos += len;
    }
    Err(err(pos, "too many segments before the frame header".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal marker sequence: SOI, JFIF APP0 at 300 dpi, SOF0 for 40×30 with 3
    /// components, then SOS.
    fn sample() -> Vec<u8> {
        let mut v = vec![0xff, 0xd8];
        v.extend_from_slice(&[0xff, 0xe0, 0, 16]);
        v.extend_from_slice(b"JFIF\0");
        v.extend_from_slice(&[1, 1, 1, 0x01, 0x2c, 0x01, 0x2c, 0, 0]);
        v.extend_from_slice(&[0xff, 0xc0, 0, 17, 8, 0, 30, 0, 40, 3]);
        v.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        v.extend_from_slice(&[0xff, 0xda, 0, 2]);
        v
    }

    #[test]
    fn reads_the_frame_header() {
        let info = inspect(&sample(), &Origin::Bytes).unwrap();
        assert_eq!((info.width, info.height, info.components), (40, 30, 3));
        assert!(!info.adobe);
        assert_eq!(info.dpi, Some((300.0, 300.0)));
    }

    #[test]
    fn truncations_and_bad_kinds_are_errors() {
        let s = sample();
        for cut in 0..s.len() - 4 {
            assert!(inspect(&s[..cut], &Origin::Bytes).is_err(), "cut at {cut}");
        }
        let mut arith = s.clone();
        arith[21] = 0xc9;
        assert!(inspect(&arith, &Origin::Bytes).is_err());
        let mut twelve = s;
        twelve[24] = 12;
        assert!(inspect(&twelve, &Origin::Bytes).is_err());
    }
}
