//! Form updates through the one update lifecycle ([`crate::pdf::update`]): begin an update
//! of the last revision, and write input ‖ update to the output.

use std::path::Path;

use crate::output::Target;
use crate::pdf::update;
use crate::pdf::{Document, FileSource};
use crate::Error;

pub(crate) use crate::pdf::update::{begin, Begun};

/// Opens `input`, has `make` compute the update, and writes input + update to `output` by
/// kyso's write rule ([`crate::output`]; never over `input`).
pub(crate) fn rewrite_file<'a, T>(
    input: &Path,
    output: impl Into<Target<'a>>,
    password: Option<&crate::pdf::Password>,
    make: impl FnOnce(&Document<FileSource>) -> Result<(Vec<u8>, T), Error>,
) -> Result<T, Error> {
    let opened = update::open_with_password(input, output, &[], password)?;
    let (bytes, result) = make(opened.doc()).map_err(|e| e.with_path(input))?;
    opened.commit(&bytes)?;
    Ok(result)
}
