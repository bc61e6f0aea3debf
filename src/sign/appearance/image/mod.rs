//! Images in appearances: PNG (decoded, transparency kept as a soft mask, or as a 1-bit
//! stencil mask under PDF/A-1) and JPEG (passed through as `/DCTDecode`).

mod jpeg;
mod png;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::{Dict, Name, ObjRef, Object, Stream, StreamData};
use crate::Error;

use super::error::{AppearanceError, Origin};
use super::pdfa::{ColorModel, Conformance};

#[cfg(test)]
pub(crate) use png::encode_rgba;

/// Largest image file read, in bytes.
pub const MAX_IMAGE_FILE: u64 = 32 << 20;
/// Largest PNG decoded, in pixels (width × height).
pub const MAX_IMAGE_PIXELS: u64 = 25_000_000;

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageSource {
    /// A PNG or JPEG file.
    File(PathBuf),
    /// PNG or JPEG bytes.
    Bytes(Arc<Vec<u8>>),
}

impl ImageSource {
    /// An image file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        ImageSource::File(path.into())
    }

    /// Image bytes (PNG or JPEG).
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        ImageSource::Bytes(Arc::new(bytes.into()))
    }
}

/// Decoded 8-bit samples.
#[derive(Debug, Clone)]
pub(crate) struct Raster {
    pub width: u32,
    pub height: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    pub color: Vec<u8>,
    /// Alpha, one byte per pixel; `None` when every pixel is opaque.
    pub alpha: Option<Vec<u8>>,
    /// Resolution in dots per inch, when the file gives one.
    pub dpi: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
enum Data {
    Raster(Raster),
    Jpeg {
        bytes: Arc<Vec<u8>>,
        info: jpeg::JpegInfo,
    },
}

/// An image read and checked, ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct LoadedImage {
    origin: Origin,
    data: Data,
}

impl LoadedImage {
    /// Reads and checks an image.
    pub fn load(source: &ImageSource) -> Result<Self, AppearanceError> {
        let (origin, bytes) = match source {
            ImageSource::File(p) => {
                let origin = Origin::File(p.clone());
                (
                    origin.clone(),
                    Arc::new(read_limited(p, MAX_IMAGE_FILE, "image")?),
                )
            }
            ImageSource::Bytes(b) => {
                if b.len() as u64 > MAX_IMAGE_FILE {
                    return Err(AppearanceError::TooLarge {
                        origin: Origin::Bytes,
                        role: "image",
                        len: b.len() as u64,
                        limit: MAX_IMAGE_FILE,
                    });
                }
                (Origin::Bytes, b.clone())
            }
        };
        let data = if bytes.starts_with(&png::SIGNATURE) {
            Data::Raster(png::decode(&bytes, &origin, MAX_IMAGE_PIXELS)?)
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            let info = jpeg::inspect(&bytes, &origin)?;
            Data::Jpeg { bytes, info }
        } else {
            return Err(AppearanceError::UnknownImageFormat { origin });
        };
        Ok(LoadedImage { origin, data })
    }

    /// Width and height in pixels.
    pub fn pixels(&self) -> (u32, u32) {
        match &self.data {
            Data::Raster(r) => (r.width, r.height),
            Data::Jpeg { info, .. } => (info.width, info.height),
        }
    }

    /// Width / height.
    pub fn aspect(&self) -> f64 {
        let (w, h) = self.pixels();
        f64::from(w) / f64::from(h)
    }

    /// Horizontal resolution in dots per inch, when the file records one.
    pub fn dpi(&self) -> Option<f64> {
        match &self.data {
            Data::Raster(r) => r.dpi.map(|d| d.0),
            Data::Jpeg { info, .. } => info.dpi.map(|d| d.0),
        }
    }

    /// Checks that the image can be drawn under `conf` (before anything is written).
    pub fn check(&self, conf: &Conformance) -> Result<(), AppearanceError> {
        if let Data::Jpeg { info, .. } = &self.data {
            if conf.strict_colors() {
                let model = jpeg_model(info.components);
                if model != conf.model {
                    return Err(AppearanceError::PdfA(format!(
                        "{}: a {} JPEG cannot be shown in a document whose output intent is {}; \
                         use a PNG (kyso converts its colours)",
                        self.origin,
                        model.space(),
                        conf.model.space()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Writes the image XObject (and its mask) into `update`.
    pub fn write(
        &self,
        update: &mut IncrementalUpdate,
        conf: &Conformance,
    ) -> Result<ObjRef, Error> {
        self.check(conf)?;
        let r = update.allocate()?;
        let mut dict = Dict::new();
        dict.set("Type", Object::Name(Name::from("XObject")));
        dict.set("Subtype", Object::Name(Name::from("Image")));
        let data = match &self.data {
            Data::Jpeg { bytes, info } => {
                dict.set("Width", info.width);
                dict.set("Height", info.height);
                dict.set(
                    "ColorSpace",
                    Object::Name(Name::from(jpeg_model(info.components).space())),
                );
                dict.set("BitsPerComponent", 8i64);
                if info.components == 4 && info.adobe {
                    dict.set(
                        "Decode",
                        Object::Array(
                            [1i64, 0]
                                .repeat(4)
                                .into_iter()
                                .map(Object::Integer)
                                .collect(),
                        ),
                    );
                }
                dict.set("Filter", Object::Name(Name::from("DCTDecode")));
                bytes.as_ref().clone()
            }
            Data::Raster(raster) => {
                let model = if conf.strict_colors() {
                    conf.model
                } else if raster.channels == 1 {
                    ColorModel::Gray
                } else {
                    ColorModel::Rgb
                };
                let samples = convert_samples(raster, model);
                dict.set("Width", raster.width);
                dict.set("Height", raster.height);
                dict.set("ColorSpace", Object::Name(Name::from(model.space())));
                dict.set("BitsPerComponent", 8i64);
                dict.set("Filter", Object::Name(Name::from("FlateDecode")));
                if let Some(alpha) = &raster.alpha {
                    let mask = if conf.allows_soft_mask() {
                        soft_mask(update, raster, alpha)?
                    } else {
                        stencil_mask(update, raster, alpha)?
                    };
                    let key = if conf.allows_soft_mask() {
                        "SMask"
                    } else {
                        "Mask"
                    };
                    dict.set(key, mask);
                }
                deflate(&samples)?
            }
        };
        update.put(
            r,
            &Object::Stream(Stream {
                dict,
                data: StreamData::Memory(data),
            }),
        )?;
        Ok(r)
    }
}

fn jpeg_model(components: u8) -> ColorModel {
    match components {
        1 => ColorModel::Gray,
        4 => ColorModel::Cmyk,
        _ => ColorModel::Rgb,
    }
}

/// The raster's colour samples in `model`.
fn convert_samples(r: &Raster, model: ColorModel) -> Vec<u8> {
    let native = if r.channels == 1 {
        ColorModel::Gray
    } else {
        ColorModel::Rgb
    };
    if native == model {
        return r.color.clone();
    }
    let step = usize::from(r.channels.max(1));
    let mut out = Vec::with_capacity(r.color.len() / step * 4);
    for px in r.color.chunks(step) {
        let rgb = match px {
            [g] => [f64::from(*g) / 255.0; 3],
            [r, g, b] => [
                f64::from(*r) / 255.0,
                f64::from(*g) / 255.0,
                f64::from(*b) / 255.0,
            ],
            _ => [0.0; 3],
        };
        out.extend(
            model
                .convert(rgb)
                .into_iter()
                .map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8),
        );
    }
    out
}

/// An 8-bit grey soft mask.
fn soft_mask(update: &mut IncrementalUpdate, r: &Raster, alpha: &[u8]) -> Result<ObjRef, Error> {
    let m = update.allocate()?;
    let mut d = Dict::new();
    d.set("Type", Object::Name(Name::from("XObject")));
    d.set("Subtype", Object::Name(Name::from("Image")));
    d.set("Width", r.width);
    d.set("Height", r.height);
    d.set("ColorSpace", Object::Name(Name::from("DeviceGray")));
    d.set("BitsPerComponent", 8i64);
    d.set("Filter", Object::Name(Name::from("FlateDecode")));
    update.put(
        m,
        &Object::Stream(Stream {
            dict: d,
            data: StreamData::Memory(deflate(alpha)?),
        }),
    )?;
    Ok(m)
}

/// A 1-bit stencil mask for PDF/A-1, which forbids soft masks: a pixel is painted where its
/// alpha is at least one half (sample 0), masked out elsewhere (sample 1).
fn stencil_mask(update: &mut IncrementalUpdate, r: &Raster, alpha: &[u8]) -> Result<ObjRef, Error> {
    let width = r.width as usize;
    let row_bytes = width.div_ceil(8);
    let mut bits = vec![0u8; row_bytes * r.height as usize];
    for (i, &a) in alpha.iter().enumerate() {
        if a < 128 {
            let (y, x) = (i / width.max(1), i % width.max(1));
            if let Some(b) = bits.get_mut(y * row_bytes + x / 8) {
                *b |= 0x80 >> (x % 8);
            }
        }
    }
    let m = update.allocate()?;
    let mut d = Dict::new();
    d.set("Type", Object::Name(Name::from("XObject")));
    d.set("Subtype", Object::Name(Name::from("Image")));
    d.set("Width", r.width);
    d.set("Height", r.height);
    d.set("ImageMask", true);
    d.set("BitsPerComponent", 1i64);
    d.set("Filter", Object::Name(Name::from("FlateDecode")));
    update.put(
        m,
        &Object::Stream(Stream {
            dict: d,
            data: StreamData::Memory(deflate(&bits)?),
        }),
    )?;
    Ok(m)
}

/// zlib/deflate for `/FlateDecode` streams.
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let compressed = z.write_all(data).and_then(|()| z.finish());
    compressed.map_err(|e| Error::Write(crate::pdf::WriteError::Compress(e)))
}

/// Reads a file of at most `limit` bytes.
pub(crate) fn read_limited(
    path: &std::path::Path,
    limit: u64,
    role: &'static str,
) -> Result<Vec<u8>, AppearanceError> {
    use std::io::Read;
    let read_err = |source| AppearanceError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut out = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(read_err)?;
    if out.len() as u64 > limit {
        return Err(AppearanceError::TooLarge {
            origin: Origin::File(path.to_path_buf()),
            role,
            len: out.len() as u64,
            limit,
        });
    }
    Ok(out)
}
