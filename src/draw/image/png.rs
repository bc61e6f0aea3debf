//! PNG images (ISO/IEC 15948), decoded with image-rs's `png` crate under kyso's limits: the
//! pixel budget is checked on the header before any image data is decoded, and the crate's
//! own buffers are bounded by [`png::Limits`]. Every colour type and bit depth, Adam7
//! interlacing, `tRNS` transparency and the `pHYs` resolution are read.
//!
//! The result is 8-bit samples (grey or RGB) and, when some pixel is not opaque, an 8-bit
//! alpha plane: what a PDF image XObject and its soft mask hold. 16-bit samples keep their
//! high byte; lower depths scale to 8 bits; palettes are expanded to RGB.

use std::io::Cursor;

use png::{ColorType, Decoder, Limits, Transformations, Unit};

use super::Raster;
use crate::draw::{DrawError, Origin};

/// The eight bytes every PNG file starts with.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// Bytes per pixel of the widest raw format (RGBA, 16 bits per sample): the crate's buffers
/// for an image within the pixel budget never need more than this many bytes per pixel.
const MAX_RAW_BYTES_PER_PIXEL: u64 = 8;

/// Decodes a PNG file. `max_pixels` bounds width × height.
pub(crate) fn decode(data: &[u8], origin: &Origin, max_pixels: u64) -> Result<Raster, DrawError> {
    let err = |offset: Option<u64>, reason: String| DrawError::Png {
        origin: origin.clone(),
        offset,
        reason,
    };
    if data.get(..8) != Some(&SIGNATURE[..]) {
        return Err(err(Some(0), "no PNG signature".into()));
    }
    let limits = Limits {
        bytes: usize::try_from(max_pixels.saturating_mul(MAX_RAW_BYTES_PER_PIXEL))
            .unwrap_or(usize::MAX),
    };
    let mut decoder = Decoder::new_with_limits(Cursor::new(data), limits);
    // Text and ICC profiles are not used: not decompressed at all.
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    // Palettes and low depths to 8 bits, tRNS to an alpha channel, 16 bits to the high byte.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let bad = |e: png::DecodingError| err(None, e.to_string());
    let mut reader = decoder.read_info().map_err(bad)?;
    let (width, height, dpi) = {
        let info = reader.info();
        let dpi = info
            .pixel_dims
            .filter(|d| d.unit == Unit::Meter && d.xppu > 0 && d.yppu > 0)
            .map(|d| (f64::from(d.xppu) * 0.0254, f64::from(d.yppu) * 0.0254));
        (info.width, info.height, dpi)
    };
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(DrawError::ImageTooLarge {
            origin: origin.clone(),
            width,
            height,
            limit: max_pixels,
        });
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| err(None, "image too large".into()))?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(bad)?;
    // Up to IEND: a file cut after its image data is refused like any other truncated file.
    reader.finish().map_err(bad)?;
    let samples = buf
        .get(..frame.buffer_size())
        .ok_or_else(|| err(None, "truncated image data".into()))?;
    let (color, alpha, channels) = split_alpha(samples, frame.color_type)
        .ok_or_else(|| err(None, format!("unexpected output {:?}", frame.color_type)))?;
    let alpha = alpha.filter(|a| a.iter().any(|&v| v != 255));
    Ok(Raster {
        width,
        height,
        channels,
        color,
        alpha,
        dpi,
    })
}

/// 8-bit samples of `kind` as colour samples (grey or RGB), an alpha plane when the format
/// has one, and the number of colour channels.
fn split_alpha(samples: &[u8], kind: ColorType) -> Option<(Vec<u8>, Option<Vec<u8>>, u8)> {
    let (channels, with_alpha) = match kind {
        ColorType::Grayscale => (1, false),
        ColorType::GrayscaleAlpha => (1, true),
        ColorType::Rgb => (3, false),
        ColorType::Rgba => (3, true),
        ColorType::Indexed => return None,
    };
    if !with_alpha {
        return Some((samples.to_vec(), None, channels));
    }
    let step = usize::from(channels) + 1;
    let pixels = samples.len() / step;
    let mut color = Vec::with_capacity(pixels * usize::from(channels));
    let mut alpha = Vec::with_capacity(pixels);
    for px in samples.chunks_exact(step) {
        let (c, a) = px.split_at(usize::from(channels));
        color.extend_from_slice(c);
        alpha.extend_from_slice(a);
    }
    Some((color, Some(alpha), channels))
}

/// Test helper: encodes an 8-bit RGBA raster as a PNG. Also used by the test image generator.
#[cfg(test)]
pub(crate) fn encode_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    tests::encode(
        width,
        height,
        ColorType::Rgba,
        png::BitDepth::Eight,
        rgba,
        |_| {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use png::{BitDepth, Encoder, Filter};

    fn origin() -> Origin {
        Origin::Bytes
    }

    /// A PNG made by the `png` encoder; `setup` sets palette, tRNS, filter, resolution.
    pub(super) fn encode(
        width: u32,
        height: u32,
        color: ColorType,
        depth: BitDepth,
        data: &[u8],
        setup: impl FnOnce(&mut Encoder<'_, &mut Vec<u8>>),
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = Encoder::new(&mut out, width, height);
            e.set_color(color);
            e.set_depth(depth);
            setup(&mut e);
            let mut w = e.write_header().unwrap();
            w.write_image_data(data).unwrap();
        }
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }

    /// An Adam7-interlaced 8-bit RGB PNG written by hand (ISO/IEC 15948 §8.2: seven passes,
    /// each a reduced image of filtered rows); the `png` encoder only writes progressive files.
    fn interlaced_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
        use std::io::Write;
        const ADAM7: [(u32, u32, u32, u32); 7] = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        let mut raw = Vec::new();
        for (x0, y0, dx, dy) in ADAM7 {
            let cols: Vec<u32> = (x0..width).step_by(dx as usize).collect();
            if cols.is_empty() {
                continue;
            }
            for y in (y0..height).step_by(dy as usize) {
                raw.push(0); // filter: none
                for &x in &cols {
                    let i = ((y * width + x) * 3) as usize;
                    raw.extend_from_slice(&rgb[i..i + 3]);
                }
            }
        }
        let mut out = SIGNATURE.to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 1]);
        chunk(&mut out, b"IHDR", &ihdr);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&raw).unwrap();
        chunk(&mut out, b"IDAT", &z.finish().unwrap());
        chunk(&mut out, b"IEND", &[]);
        out
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
    fn every_row_filter_is_reversed() {
        // ISO/IEC 15948 §9.2: None, Sub, Up, Average, Paeth.
        let rgba: Vec<u8> = (0..4 * 5 * 3).map(|i| (i * 37 % 251) as u8).collect();
        for filter in [
            Filter::NoFilter,
            Filter::Sub,
            Filter::Up,
            Filter::Avg,
            Filter::Paeth,
        ] {
            let png = encode(5, 3, ColorType::Rgba, BitDepth::Eight, &rgba, |e| {
                e.set_filter(filter)
            });
            let r = decode(&png, &origin(), 100).unwrap();
            let color: Vec<u8> = rgba.chunks(4).flat_map(|p| p[..3].to_vec()).collect();
            let alpha: Vec<u8> = rgba.chunks(4).map(|p| p[3]).collect();
            assert_eq!(r.color, color, "{filter:?}");
            assert_eq!(r.alpha.unwrap(), alpha, "{filter:?}");
        }
    }

    #[test]
    fn sixteen_bit_samples_keep_their_high_byte() {
        // Two 16-bit grey+alpha pixels: 0xABCD at alpha 0xFFFF, 0x1234 at alpha 0x8001.
        let data = [0xab, 0xcd, 0xff, 0xff, 0x12, 0x34, 0x80, 0x01];
        let png = encode(
            2,
            1,
            ColorType::GrayscaleAlpha,
            BitDepth::Sixteen,
            &data,
            |_| {},
        );
        let r = decode(&png, &origin(), 10).unwrap();
        assert_eq!((r.channels, r.color.clone()), (1, vec![0xab, 0x12]));
        assert_eq!(r.alpha.unwrap(), [0xff, 0x80]);
        // 16-bit RGB with a tRNS key: the key is compared on all 16 bits (§11.3.2.1), so
        // 0x0102 is transparent and 0x01FF (same high byte) is not.
        let data = [
            0x01, 0x02, 0x01, 0x02, 0x01, 0x02, //
            0x01, 0xff, 0x01, 0xff, 0x01, 0xff,
        ];
        let png = encode(2, 1, ColorType::Rgb, BitDepth::Sixteen, &data, |e| {
            e.set_trns(vec![0x01, 0x02, 0x01, 0x02, 0x01, 0x02])
        });
        let r = decode(&png, &origin(), 10).unwrap();
        assert_eq!(r.color, [1, 1, 1, 1, 1, 1]);
        assert_eq!(r.alpha.unwrap(), [0, 255]);
    }

    #[test]
    fn palettes_with_transparency_expand_to_rgb_and_alpha() {
        // 2-bit indices 0, 1, 2, 3 into a four-entry palette; tRNS gives entries 0 and 1
        // alpha 0 and 100, the others are opaque (§11.3.2.1).
        let palette = vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 200, 210, 220];
        let png = encode(
            4,
            1,
            ColorType::Indexed,
            BitDepth::Two,
            &[0b0001_1011],
            |e| {
                e.set_palette(palette.clone());
                e.set_trns(vec![0, 100]);
            },
        );
        let r = decode(&png, &origin(), 10).unwrap();
        assert_eq!(r.channels, 3);
        assert_eq!(r.color, palette);
        assert_eq!(r.alpha.unwrap(), [0, 100, 255, 255]);
    }

    #[test]
    fn low_bit_depths_scale_to_eight_bits() {
        // §13.12: a sample of depth d scales by 255 / (2^d - 1).
        let png = encode(
            8,
            1,
            ColorType::Grayscale,
            BitDepth::One,
            &[0b1011_0000],
            |_| {},
        );
        let r = decode(&png, &origin(), 10).unwrap();
        assert_eq!(r.color, [255, 0, 255, 255, 0, 0, 0, 0]);
        let png = encode(
            4,
            1,
            ColorType::Grayscale,
            BitDepth::Two,
            &[0b1011_0001],
            |_| {},
        );
        assert_eq!(
            decode(&png, &origin(), 10).unwrap().color,
            [170, 255, 0, 85]
        );
        let png = encode(2, 1, ColorType::Grayscale, BitDepth::Four, &[0x3f], |_| {});
        assert_eq!(decode(&png, &origin(), 10).unwrap().color, [51, 255]);
    }

    #[test]
    fn interlaced_images_decode_like_progressive_ones() {
        // 10×9 so that every Adam7 pass (§8.2) has pixels, some partial.
        let (w, h) = (10u32, 9u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 256) as u8).collect();
        let r = decode(&interlaced_rgb(w, h, &rgb), &origin(), 1_000).unwrap();
        let progressive = encode(w, h, ColorType::Rgb, BitDepth::Eight, &rgb, |_| {});
        let p = decode(&progressive, &origin(), 1_000).unwrap();
        assert_eq!((r.width, r.height, r.channels), (w, h, 3));
        assert_eq!(r.color, rgb);
        assert_eq!(r.color, p.color);
        assert!(r.alpha.is_none());
    }

    #[test]
    fn the_recorded_resolution_is_read() {
        let png = encode(1, 1, ColorType::Rgb, BitDepth::Eight, &[1, 2, 3], |e| {
            e.set_pixel_dims(Some(png::PixelDimensions {
                xppu: 11811, // 300 dpi
                yppu: 11811,
                unit: Unit::Meter,
            }))
        });
        let (x, y) = decode(&png, &origin(), 10).unwrap().dpi.unwrap();
        assert!(
            (x - 300.0).abs() < 0.01 && (y - 300.0).abs() < 0.01,
            "{x} {y}"
        );
    }

    #[test]
    fn corrupt_files_are_errors_not_panics() {
        let png = encode_rgba(3, 2, &[7u8; 24]);
        for cut in 0..png.len() {
            assert!(decode(&png[..cut], &origin(), 100).is_err(), "cut at {cut}");
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
    fn the_pixel_budget_is_checked_before_decoding() {
        // A header promising 100 000 × 100 000 pixels and a few bytes of data: refused from
        // the header, without allocating for the image.
        let mut out = SIGNATURE.to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(
            &mut out,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut out, b"IEND", &[]);
        assert!(matches!(
            decode(&out, &origin(), crate::draw::MAX_IMAGE_PIXELS),
            Err(DrawError::ImageTooLarge {
                width: 100_000,
                height: 100_000,
                ..
            })
        ));
    }
}
