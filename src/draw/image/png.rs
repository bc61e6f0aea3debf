//! A small PNG reader (ISO/IEC 15948): chunks with CRC checks, zlib through `flate2` with the
//! exact decompressed size as the budget, the five row filters, Adam7 interlacing, every
//! colour type and bit depth, `tRNS` transparency and the `pHYs` resolution.
//!
//! The result is 8-bit samples (grey or RGB) and, when some pixel is not opaque, an 8-bit
//! alpha plane: what a PDF image XObject and its soft mask hold. 16-bit samples keep their
//! high byte; palettes are expanded to RGB.

use std::io::Read;

use super::Raster;
use crate::draw::{DrawError, Origin};

/// The eight bytes every PNG file starts with.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// Most chunks read from one file.
const MAX_CHUNKS: usize = 100_000;

/// Adam7 passes: first column, first row, column step, row step.
const ADAM7: [(u32, u32, u32, u32); 7] = [
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
];

/// The header (`IHDR`).
#[derive(Debug, Clone, Copy)]
struct Header {
    width: u32,
    height: u32,
    bit_depth: u8,
    color_type: u8,
    interlaced: bool,
}

impl Header {
    /// Samples per pixel.
    fn channels(&self) -> usize {
        match self.color_type {
            2 => 3,
            4 => 2,
            6 => 4,
            _ => 1,
        }
    }

    fn bits_per_pixel(&self) -> usize {
        self.channels() * usize::from(self.bit_depth)
    }

    /// Bytes of one row of `width` pixels, without the filter byte.
    fn row_bytes(&self, width: u32) -> Option<usize> {
        (width as usize)
            .checked_mul(self.bits_per_pixel())?
            .checked_add(7)
            .map(|b| b / 8)
    }
}

/// Decodes a PNG file. `max_pixels` bounds width × height.
pub(crate) fn decode(data: &[u8], origin: &Origin, max_pixels: u64) -> Result<Raster, DrawError> {
    let err = |offset: Option<usize>, reason: String| DrawError::Png {
        origin: origin.clone(),
        offset: offset.map(|o| o as u64),
        reason,
    };
    if data.get(..8) != Some(&SIGNATURE[..]) {
        return Err(err(Some(0), "no PNG signature".into()));
    }
    let mut pos = 8usize;
    let mut header: Option<Header> = None;
    let mut palette: Option<&[u8]> = None;
    let mut trns: Option<&[u8]> = None;
    let mut idat: Vec<u8> = Vec::new();
    let mut ppm: Option<(u32, u32)> = None;
    let mut ended = false;
    for _ in 0..MAX_CHUNKS {
        let at = pos;
        let len = data
            .get(pos..pos + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| err(Some(at), "the file ends inside a chunk header".into()))?;
        if len > 0x7fff_ffff {
            return Err(err(Some(at), format!("chunk length {len} is too large")));
        }
        let len = len as usize;
        let kind_at = pos + 4;
        let body_at = pos + 8;
        let end = body_at
            .checked_add(len)
            .ok_or_else(|| err(Some(at), "chunk length overflows".into()))?;
        let kind: [u8; 4] = data
            .get(kind_at..body_at)
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| err(Some(at), "the file ends inside a chunk header".into()))?;
        let body = data
            .get(body_at..end)
            .ok_or_else(|| err(Some(at), "the file ends inside a chunk".into()))?;
        let stored_crc = data
            .get(end..end + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| err(Some(end), "the file ends before a chunk's CRC".into()))?;
        let mut crc = flate2::Crc::new();
        crc.update(&kind);
        crc.update(body);
        if crc.sum() != stored_crc {
            return Err(err(
                Some(at),
                format!("CRC mismatch in chunk {}", String::from_utf8_lossy(&kind)),
            ));
        }
        pos = end + 4;
        if header.is_none() && &kind != b"IHDR" {
            return Err(err(Some(at), "the first chunk is not IHDR".into()));
        }
        match &kind {
            b"IHDR" => {
                if header.is_some() {
                    return Err(err(Some(at), "a second IHDR chunk".into()));
                }
                header = Some(parse_header(body).map_err(|r| err(Some(at), r))?);
            }
            b"PLTE" => {
                if body.is_empty() || body.len() % 3 != 0 || body.len() > 256 * 3 {
                    return Err(err(Some(at), "a palette of invalid length".into()));
                }
                palette = Some(body);
            }
            b"tRNS" => trns = Some(body),
            b"pHYs" => {
                if let (Some(x), Some(y), Some(1)) =
                    (body.get(0..4), body.get(4..8), body.get(8).copied())
                {
                    let x = u32::from_be_bytes([x[0], x[1], x[2], x[3]]);
                    let y = u32::from_be_bytes([y[0], y[1], y[2], y[3]]);
                    if x > 0 && y > 0 {
                        ppm = Some((x, y));
                    }
                }
            }
            b"IDAT" => {
                if idat.len().saturating_add(body.len()) > data.len() {
                    return Err(err(Some(at), "too much image data".into()));
                }
                idat.extend_from_slice(body);
            }
            b"IEND" => {
                ended = true;
                break;
            }
            _ => {
                // Bit 5 of the first byte clear: a critical chunk this reader cannot skip.
                if kind[0] & 0x20 == 0 {
                    return Err(err(
                        Some(at),
                        format!("unknown critical chunk {}", String::from_utf8_lossy(&kind)),
                    ));
                }
            }
        }
    }
    if !ended {
        return Err(err(None, "no IEND chunk".into()));
    }
    let h = header.ok_or_else(|| err(None, "no IHDR chunk".into()))?;
    let pixels = u64::from(h.width) * u64::from(h.height);
    if pixels > max_pixels {
        return Err(DrawError::ImageTooLarge {
            origin: origin.clone(),
            width: h.width,
            height: h.height,
            limit: max_pixels,
        });
    }
    if h.color_type == 3 && palette.is_none() {
        return Err(err(
            None,
            "an indexed-colour image without a palette".into(),
        ));
    }
    if idat.is_empty() {
        return Err(err(None, "no image data (IDAT)".into()));
    }

    let passes: Vec<(u32, u32, u32, u32, u32, u32)> = if h.interlaced {
        ADAM7
            .iter()
            .map(|&(x0, y0, dx, dy)| {
                let w = if h.width > x0 {
                    (h.width - x0).div_ceil(dx)
                } else {
                    0
                };
                let hh = if h.height > y0 {
                    (h.height - y0).div_ceil(dy)
                } else {
                    0
                };
                (x0, y0, dx, dy, w, hh)
            })
            .collect()
    } else {
        vec![(0, 0, 1, 1, h.width, h.height)]
    };
    let mut expected = 0usize;
    for &(_, _, _, _, w, hh) in &passes {
        if w == 0 || hh == 0 {
            continue;
        }
        let row = h
            .row_bytes(w)
            .ok_or_else(|| err(None, "image too large".into()))?;
        expected = (row + 1)
            .checked_mul(hh as usize)
            .and_then(|n| n.checked_add(expected))
            .ok_or_else(|| err(None, "image too large".into()))?;
    }
    let mut raw = Vec::with_capacity(expected);
    flate2::read::ZlibDecoder::new(&idat[..])
        .take(expected as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| err(None, format!("image data does not inflate: {e}")))?;
    if raw.len() != expected {
        return Err(err(
            None,
            format!(
                "image data inflates to {} bytes, {expected} expected",
                raw.len()
            ),
        ));
    }

    let n = pixels as usize;
    let color_channels = if matches!(h.color_type, 0 | 4) { 1 } else { 3 };
    let mut color = vec![0u8; n * color_channels];
    let mut alpha = vec![255u8; n];
    let mut off = 0usize;
    let bpp = h.bits_per_pixel().div_ceil(8).max(1);
    for &(x0, y0, dx, dy, w, hh) in &passes {
        if w == 0 || hh == 0 {
            continue;
        }
        let row_len = h
            .row_bytes(w)
            .ok_or_else(|| err(None, "image too large".into()))?;
        let mut prior = vec![0u8; row_len];
        for r in 0..hh {
            let filter = *raw
                .get(off)
                .ok_or_else(|| err(None, "truncated image data".into()))?;
            let row = raw
                .get_mut(off + 1..off + 1 + row_len)
                .ok_or_else(|| err(None, "truncated image data".into()))?;
            unfilter(filter, row, &prior, bpp).map_err(|reason| err(None, reason))?;
            prior.copy_from_slice(row);
            off += 1 + row_len;
            let y = y0 + r * dy;
            for c in 0..w {
                let x = x0 + c * dx;
                let index = y as usize * h.width as usize + x as usize;
                put_pixel(
                    &h, &prior, c as usize, palette, trns, &mut color, &mut alpha, index,
                )
                .map_err(|reason| err(None, reason))?;
            }
        }
    }
    let alpha = if alpha.iter().all(|&a| a == 255) {
        None
    } else {
        Some(alpha)
    };
    let dpi = ppm.map(|(x, y)| (f64::from(x) * 0.0254, f64::from(y) * 0.0254));
    Ok(Raster {
        width: h.width,
        height: h.height,
        channels: color_channels as u8,
        color,
        alpha,
        dpi,
    })
}

fn parse_header(body: &[u8]) -> Result<Header, String> {
    if body.len() != 13 {
        return Err("IHDR is not 13 bytes long".into());
    }
    let width = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
    let height = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
    let (bit_depth, color_type) = (body[8], body[9]);
    if width == 0 || height == 0 || width > 0x7fff_ffff || height > 0x7fff_ffff {
        return Err(format!("invalid size {width}×{height}"));
    }
    let depth_ok = match color_type {
        0 => matches!(bit_depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(bit_depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(bit_depth, 8 | 16),
        _ => return Err(format!("invalid colour type {color_type}")),
    };
    if !depth_ok {
        return Err(format!(
            "bit depth {bit_depth} is not allowed with colour type {color_type}"
        ));
    }
    if body[10] != 0 || body[11] != 0 {
        return Err("unknown compression or filter method".into());
    }
    let interlaced = match body[12] {
        0 => false,
        1 => true,
        m => return Err(format!("unknown interlace method {m}")),
    };
    Ok(Header {
        width,
        height,
        bit_depth,
        color_type,
        interlaced,
    })
}

/// Reverses one row's filter in place; `prior` is the previous unfiltered row of the pass
/// (zeros for the first).
fn unfilter(filter: u8, row: &mut [u8], prior: &[u8], bpp: usize) -> Result<(), String> {
    let len = row.len();
    match filter {
        0 => {}
        1 => {
            for i in bpp..len {
                row[i] = row[i].wrapping_add(row[i - bpp]);
            }
        }
        2 => {
            for (b, p) in row.iter_mut().zip(prior) {
                *b = b.wrapping_add(*p);
            }
        }
        3 => {
            for i in 0..len {
                let left = if i >= bpp { u16::from(row[i - bpp]) } else { 0 };
                let up = u16::from(prior.get(i).copied().unwrap_or(0));
                row[i] = row[i].wrapping_add(((left + up) / 2) as u8);
            }
        }
        4 => {
            for i in 0..len {
                let a = if i >= bpp { row[i - bpp] } else { 0 };
                let b = prior.get(i).copied().unwrap_or(0);
                let c = if i >= bpp {
                    prior.get(i - bpp).copied().unwrap_or(0)
                } else {
                    0
                };
                row[i] = row[i].wrapping_add(paeth(a, b, c));
            }
        }
        f => return Err(format!("unknown row filter {f}")),
    }
    Ok(())
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Sample `i` (0-based, counting every channel) of an unfiltered row.
fn sample(row: &[u8], i: usize, depth: u8) -> Result<u16, String> {
    let short = || "truncated row".to_string();
    match depth {
        16 => {
            let hi = *row.get(2 * i).ok_or_else(short)?;
            let lo = *row.get(2 * i + 1).ok_or_else(short)?;
            Ok(u16::from_be_bytes([hi, lo]))
        }
        8 => row.get(i).map(|&b| u16::from(b)).ok_or_else(short),
        d => {
            let d = usize::from(d);
            let bit = i * d;
            let byte = *row.get(bit / 8).ok_or_else(short)?;
            let shift = 8 - d - bit % 8;
            Ok(u16::from((byte >> shift) & ((1u8 << d) - 1)))
        }
    }
}

/// A sample scaled to 8 bits.
fn to8(v: u16, depth: u8) -> u8 {
    match depth {
        16 => (v >> 8) as u8,
        8 => v as u8,
        d => (u32::from(v) * 255 / ((1u32 << d) - 1)) as u8,
    }
}

/// Writes pixel `c` of `row` at `index` of the output planes.
#[allow(clippy::too_many_arguments)]
fn put_pixel(
    h: &Header,
    row: &[u8],
    c: usize,
    palette: Option<&[u8]>,
    trns: Option<&[u8]>,
    color: &mut [u8],
    alpha: &mut [u8],
    index: usize,
) -> Result<(), String> {
    let d = h.bit_depth;
    let ch = h.channels();
    let s = |k: usize| sample(row, c * ch + k, d);
    let key = |k: usize| -> Option<u16> {
        trns.and_then(|t| t.get(2 * k..2 * k + 2))
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let out_of_range = || "pixel outside the image".to_string();
    let a: u8 = match h.color_type {
        0 => {
            let g = s(0)?;
            *color.get_mut(index).ok_or_else(out_of_range)? = to8(g, d);
            if key(0) == Some(g) {
                0
            } else {
                255
            }
        }
        2 => {
            let (r, g, b) = (s(0)?, s(1)?, s(2)?);
            let px = color
                .get_mut(index * 3..index * 3 + 3)
                .ok_or_else(out_of_range)?;
            px.copy_from_slice(&[to8(r, d), to8(g, d), to8(b, d)]);
            if (key(0), key(1), key(2)) == (Some(r), Some(g), Some(b)) {
                0
            } else {
                255
            }
        }
        3 => {
            let i = usize::from(s(0)?);
            let rgb = palette
                .and_then(|p| p.get(i * 3..i * 3 + 3))
                .ok_or_else(|| format!("palette index {i} outside the palette"))?;
            color
                .get_mut(index * 3..index * 3 + 3)
                .ok_or_else(out_of_range)?
                .copy_from_slice(rgb);
            trns.and_then(|t| t.get(i)).copied().unwrap_or(255)
        }
        4 => {
            *color.get_mut(index).ok_or_else(out_of_range)? = to8(s(0)?, d);
            to8(s(1)?, d)
        }
        _ => {
            let px = color
                .get_mut(index * 3..index * 3 + 3)
                .ok_or_else(out_of_range)?;
            px.copy_from_slice(&[to8(s(0)?, d), to8(s(1)?, d), to8(s(2)?, d)]);
            to8(s(3)?, d)
        }
    };
    *alpha.get_mut(index).ok_or_else(out_of_range)? = a;
    Ok(())
}

/// Test helper: encodes an 8-bit RGBA raster as a PNG (filter 0 on every row). Also used by
/// the test image generator.
#[cfg(test)]
pub(crate) fn encode_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    use std::io::Write;
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = SIGNATURE.to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let mut raw = Vec::new();
    for row in rgba.chunks(width as usize * 4) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::Bytes
    }

    #[test]
    fn rgba_round_trip_with_alpha() {
        let rgba = [
            255, 0, 0, 255, 0, 255, 0, 128, //
            0, 0, 255, 0, 10, 20, 30, 255,
        ];
        let png = encode_rgba(2, 2, &rgba);
        let r = decode(&png, &origin(), 1_000).unwrap();
        assert_eq!((r.width, r.height, r.channels), (2, 2, 3));
        assert_eq!(r.color, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
        assert_eq!(r.alpha.unwrap(), [255, 128, 0, 255]);
    }

    #[test]
    fn opaque_images_have_no_alpha_plane() {
        let png = encode_rgba(1, 1, &[1, 2, 3, 255]);
        assert!(decode(&png, &origin(), 10).unwrap().alpha.is_none());
    }

    #[test]
    fn filters_are_reversed() {
        // Sub, Up, Average and Paeth against a hand computation.
        let prior = [10u8, 20, 30, 40];
        let mut row = [1u8, 2, 3, 4];
        unfilter(1, &mut row, &prior, 1).unwrap();
        assert_eq!(row, [1, 3, 6, 10]);
        let mut row = [1u8, 2, 3, 4];
        unfilter(2, &mut row, &prior, 1).unwrap();
        assert_eq!(row, [11, 22, 33, 44]);
        let mut row = [1u8, 2, 3, 4];
        unfilter(3, &mut row, &prior, 1).unwrap();
        assert_eq!(
            row,
            [6, 2 + (6 + 20) / 2, 3 + (15 + 30) / 2, 4 + (25 + 40) / 2]
        );
        let mut row = [1u8, 0, 0, 0];
        unfilter(4, &mut row, &[0, 0, 0, 0], 1).unwrap();
        assert_eq!(row, [1, 1, 1, 1]);
        assert!(unfilter(5, &mut [0u8], &[0], 1).is_err());
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let png = encode_rgba(3, 2, &[7u8; 24]);
        for cut in 0..png.len() {
            let _ = decode(&png[..cut], &origin(), 100);
        }
        let mut bad = png.clone();
        let last = bad.len() - 20;
        bad[last] ^= 0xff;
        assert!(decode(&bad, &origin(), 100).is_err());
        for i in 8..png.len() {
            let mut m = png.clone();
            m[i] = m[i].wrapping_add(1);
            let _ = decode(&m, &origin(), 100);
        }
        assert!(matches!(
            decode(&png, &origin(), 5),
            Err(DrawError::ImageTooLarge { .. })
        ));
    }

    #[test]
    fn low_bit_depths_scale_to_eight_bits() {
        assert_eq!(sample(&[0b1011_0000], 0, 1).unwrap(), 1);
        assert_eq!(sample(&[0b1011_0000], 1, 1).unwrap(), 0);
        assert_eq!(sample(&[0b1011_0000], 1, 2).unwrap(), 3);
        assert_eq!(to8(3, 2), 255);
        assert_eq!(to8(1, 1), 255);
        assert_eq!(to8(0xabcd, 16), 0xab);
    }
}
