//! Electronic forms: reading a PDF form (AcroForm), filling it from data, flattening it.
//!
//! Public services run on forms: an office publishes an application form (certified with
//! DocMDP P=2, "form filling and signing only"), a portal fills it from what the citizen
//! typed, the citizen or a clerk signs it. Filling must change the fields and nothing else,
//! so that the certification and any earlier signature stay valid:
//!
//! - [`list_fields`] reads every field of the last revision: full name, kind (text, check
//!   box, radio group, combo box, list box, signature; push buttons are skipped), value,
//!   options (choice options, the export values of check boxes and radio buttons), flags,
//!   `/MaxLen`, and the signature whose FieldMDP lock covers it.
//! - [`fill_file`] / [`fill_bytes`] apply [`FormValues`] (built in Rust or read from JSON)
//!   by one incremental update: each field's `/V`, a new appearance stream for every widget
//!   of a filled text or choice field (drawn with an embedded font subset, DejaVu Serif by
//!   default, so Vietnamese text renders and extracts), check boxes and radio buttons
//!   through their export values (`/V` and each widget's `/AS`), and `/NeedAppearances`
//!   removed (kept once the document is signed: removing it would change how the fields
//!   not filled are shown). Every problem with the data — unknown fields, wrong types, values that are not
//!   options, text over `/MaxLen`, read-only, locked, password and signature fields, glyphs
//!   the font lacks — is reported at once in [`FormError::Rejected`], before anything is
//!   written. A document certified with P=1 is refused; P=2 and P=3 allow filling.
//! - [`flatten_file`] / [`flatten_bytes`] draw the appearances into the pages and remove
//!   the fields — only for unsigned documents (flattening is a change no signature allows).
//!
//! ```
//! use kyso::form::{FormValues, FillOptions};
//!
//! let values = FormValues::new()
//!     .with("nguoi_nop.ho_ten", "Nguyễn Thị Hương")
//!     .with("dong_y", true)
//!     .with("giay_to", vec!["CCCD", "Sổ hộ khẩu"]);
//! assert_eq!(values.len(), 3);
//! let _opts = FillOptions::new();
//! // kyso::form::fill_file(Path::new("to-khai.pdf"), Path::new("da-dien.pdf"), &values, &_opts)?;
//! ```

mod da;
mod draw;
mod error;
mod fill;
mod flatten;
mod perms;
mod plan;
mod read;
mod update;
mod value;

use crate::pdf::{Document, Source};
use crate::Error;

pub use error::{FormError, Problem, ProblemKind, MAX_PROBLEMS_SHOWN};
pub use fill::{fill_bytes, fill_file, FillOptions, FillSummary};
pub use flatten::{flatten_bytes, flatten_file, flatten_file_with_password, FlattenSummary};
pub use read::{FieldFlags, FieldKind, FieldOption, FormField, MAX_OPTIONS};
pub use value::{FieldValue, FormValues, MAX_DATA_BYTES, MAX_VALUES};

/// The form fields of the document's last revision, in the order of the field tree; push
/// buttons and fields without a type are left out.
pub fn list_fields<S: Source>(doc: &Document<S>) -> Result<Vec<FormField>, Error> {
    Ok(read::list_fields(doc)?)
}

/// The DocMDP permission level of the document's certification (1, 2 or 3), or `None` when
/// it is not certified; read from the catalog's `/Perms` of the last revision.
pub fn certification_level<S: Source>(doc: &Document<S>) -> Result<Option<i64>, Error> {
    let rev = doc.last_revision();
    let catalog = doc.catalog(rev)?;
    Ok(perms::docmdp_level(doc, rev, &catalog)?)
}
