//! Why a font, an image or a piece of text could not be drawn. Raised while an appearance
//! (a visible signature, a filled form field) is prepared, before any byte of output is
//! written.

use std::fmt;
use std::path::PathBuf;

/// Where a font, image or template came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A file given by the caller.
    File(PathBuf),
    /// Bytes given by the caller.
    Bytes,
    /// A font built into kyso.
    BuiltIn(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Bytes => f.write_str("data given in memory"),
            Origin::BuiltIn(name) => write!(f, "built-in font {name}"),
        }
    }
}

/// Why a font, an image or a piece of text could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrawError {
    /// A font, image or template file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is larger than kyso accepts for its role.
    #[error("{origin}: {len} bytes is larger than the {limit}-byte limit for a {role}")]
    TooLarge {
        /// The file.
        origin: Origin,
        /// What it was meant to be (`font`, `image`, `template`).
        role: &'static str,
        /// Its length.
        len: u64,
        /// The limit.
        limit: u64,
    },
    /// The font could not be parsed or is of a kind kyso does not embed.
    #[error("{origin}: not a usable TrueType/OpenType font: {reason}")]
    Font {
        /// The font.
        origin: Origin,
        /// What was wrong.
        reason: String,
    },
    /// The font has no glyph for a character of the text.
    #[error("{origin}: the font has no glyph for {ch:?} (U+{:04X}) in \"{text}\"", u32::from(*ch))]
    MissingGlyph {
        /// The font.
        origin: Origin,
        /// The character.
        ch: char,
        /// The text it occurs in.
        text: String,
    },
    /// The image is not a PNG or JPEG file.
    #[error("{origin}: not a PNG or JPEG image")]
    UnknownImageFormat {
        /// The image.
        origin: Origin,
    },
    /// A PNG file is malformed or uses a feature kyso does not read.
    #[error("{origin}: PNG: {reason}{}", at(*offset))]
    Png {
        /// The image.
        origin: Origin,
        /// Byte offset of the problem, when known.
        offset: Option<u64>,
        /// What was wrong.
        reason: String,
    },
    /// A JPEG file is malformed or of a kind PDF cannot show.
    #[error("{origin}: JPEG: {reason}{}", at(*offset))]
    Jpeg {
        /// The image.
        origin: Origin,
        /// Byte offset of the problem, when known.
        offset: Option<u64>,
        /// What was wrong.
        reason: String,
    },
    /// An image has more pixels than kyso decodes.
    #[error("{origin}: {width}×{height} pixels is more than the {limit}-pixel limit")]
    ImageTooLarge {
        /// The image.
        origin: Origin,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The limit.
        limit: u64,
    },
    /// The text does not fit the rectangle even at the smallest font size.
    #[error(
        "the appearance text does not fit {width}×{height} pt even at {min_size} pt; use a \
         larger rectangle or shorter text"
    )]
    DoesNotFit {
        /// Rectangle width.
        width: f64,
        /// Rectangle height.
        height: f64,
        /// The smallest font size tried.
        min_size: f64,
    },
    /// What the document claims (PDF/A) forbids what the drawing needs.
    #[error("PDF/A: {0}")]
    PdfA(String),
}

fn at(offset: Option<u64>) -> String {
    match offset {
        Some(o) => format!(" (at byte {o})"),
        None => String::new(),
    }
}
