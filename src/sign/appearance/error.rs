//! Why a visible signature could not be prepared. Every one of these is raised before any
//! byte of the output is written.

use crate::draw::DrawError;

/// Why a visible signature could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppearanceError {
    /// A template is not valid JSON of the expected shape.
    #[error("{origin}: template: {reason}")]
    Template {
        /// The template.
        origin: crate::draw::Origin,
        /// What was wrong (serde's message, with line and column).
        reason: String,
    },
    /// A template names a placeholder kyso does not know.
    #[error("unknown placeholder {{{name}}} in \"{text}\"; known: {known}")]
    UnknownPlaceholder {
        /// The placeholder without braces.
        name: String,
        /// The text it occurs in.
        text: String,
        /// The known placeholders.
        known: String,
    },
    /// The layout needs an image that was not given.
    #[error("the {layout} appearance needs {what}")]
    MissingImage {
        /// The layout.
        layout: String,
        /// Which image (`a signature image (--image)`, …).
        what: &'static str,
    },
    /// A rectangle is empty, negative or not finite.
    #[error("invalid rectangle {rect}: {reason}")]
    InvalidRect {
        /// The rectangle as given.
        rect: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// The rectangle does not lie inside the visible page.
    #[error(
        "rectangle {rect} is outside page {page}, which is {width}×{height} pt as displayed \
         (x and y from its lower-left corner)"
    )]
    OutsidePage {
        /// The rectangle as given.
        rect: String,
        /// The page (1-based).
        page: usize,
        /// Displayed page width, in points.
        width: f64,
        /// Displayed page height, in points.
        height: f64,
    },
    /// The page's boxes or rotation cannot be used.
    #[error("page {page}: {reason}")]
    Page {
        /// The page (1-based).
        page: usize,
        /// What was wrong.
        reason: String,
    },
    /// The seal at its real size does not fit the rectangle.
    #[error(
        "the seal ({diameter:.0} pt at its real size) does not fit {width:.0}×{height:.0} pt \
         beside the signature image; use a larger rectangle"
    )]
    SealDoesNotFit {
        /// Seal diameter in points.
        diameter: f64,
        /// Rectangle width.
        width: f64,
        /// Rectangle height.
        height: f64,
    },
    /// The existing field cannot show an appearance, or placement options conflict with it.
    #[error("field \"{field}\": {reason}")]
    Field {
        /// The field's name.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// An option value is out of range.
    #[error("{0}")]
    Option(String),
    /// A font, image or text could not be drawn.
    #[error(transparent)]
    Draw(#[from] DrawError),
}
