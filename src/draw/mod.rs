//! Drawing in PDF content: fonts, text layout and images, shared by visible signatures
//! ([`crate::sign::appearance`]) and filled form fields ([`crate::form`]).
//!
//! - Fonts: a TrueType/OpenType font (DejaVu Serif built in, or the caller's file) embedded as
//!   a subset Type0 font with `/ToUnicode`, so Vietnamese text renders and extracts correctly.
//! - Text layout: greedy line breaking at spaces.
//! - Images: PNG (decoded by the `png` crate under kyso's limits; transparency kept as a soft
//!   mask, or a 1-bit mask when the document claims PDF/A-1) and JPEG (passed through).
//! - What a PDF/A claim of the document allows (soft masks, device colour space).
//!
//! Every input is checked — size limits, parse, glyph coverage — before any byte of output is
//! written; failures are [`DrawError`]s.

mod error;
pub(crate) mod font;
pub(crate) mod image;
pub(crate) mod pdfa;
pub(crate) mod text;

use crate::Error;

pub use error::{DrawError, Origin};
pub use font::{FontSource, MAX_FONT_FILE};
pub use image::{ImageSource, MAX_IMAGE_FILE, MAX_IMAGE_PIXELS};

/// zlib/deflate at the best level for the streams drawing writes (font programs, images,
/// appearances: written once, read many times).
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(crate::pdf::incremental::deflate(
        data,
        flate2::Compression::best(),
    )?)
}

/// Reads a file of at most `limit` bytes; `role` names what it is for in the error.
pub(crate) fn read_limited(
    path: &std::path::Path,
    limit: u64,
    role: &'static str,
) -> Result<Vec<u8>, DrawError> {
    use std::io::Read;
    let read_err = |source| DrawError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut out = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(read_err)?;
    if out.len() as u64 > limit {
        return Err(DrawError::TooLarge {
            origin: Origin::File(path.to_path_buf()),
            role,
            len: out.len() as u64,
            limit,
        });
    }
    Ok(out)
}
