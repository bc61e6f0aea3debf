//! Batch signing: many documents with one signer (one key load, one token login), continuing
//! past documents that cannot be signed, with an outcome per document.
//!
//! A failure of the signer itself (a token removed, a PIN locked) stops the batch: the
//! remaining documents are reported as not attempted rather than each failing the same way.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{sign_file, SignOptions};
use crate::output::{Overwrite, Target};
use crate::refusal::Refusal;
use crate::signer::Signer;
use crate::Error;

/// The most documents one batch plans (a directory with more is refused).
pub const MAX_BATCH: usize = 100_000;

/// One document to sign and where its signed copy goes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchItem {
    /// The PDF to sign (never modified).
    pub input: PathBuf,
    /// Where to write the signed PDF.
    pub output: PathBuf,
    /// Whether an existing file at `output` may be replaced (default: refused; an input is
    /// never replaced).
    pub overwrite: Overwrite,
}

impl BatchItem {
    /// An input and its output.
    pub fn new(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        BatchItem {
            input: input.into(),
            output: output.into(),
            overwrite: Overwrite::Refuse,
        }
    }

    /// Sets whether an existing output file may be replaced.
    pub fn overwrite(mut self, overwrite: Overwrite) -> Self {
        self.overwrite = overwrite;
        self
    }
}

/// What happened to one document.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchStatus {
    /// Signed and written.
    Signed,
    /// Not signed; nothing was written for it.
    Failed(Error),
    /// Not attempted because the signer failed on an earlier document.
    NotAttempted,
}

/// The outcome of one document.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchOutcome {
    /// The document.
    pub item: BatchItem,
    /// What happened.
    pub status: BatchStatus,
}

/// The outcomes of a batch, in input order.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BatchSummary {
    /// One outcome per item.
    pub outcomes: Vec<BatchOutcome>,
}

impl BatchSummary {
    /// How many documents were signed.
    pub fn signed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.status, BatchStatus::Signed))
            .count()
    }

    /// The documents that were not signed (failed or not attempted).
    pub fn not_signed(&self) -> impl Iterator<Item = &BatchOutcome> {
        self.outcomes
            .iter()
            .filter(|o| !matches!(o.status, BatchStatus::Signed))
    }

    /// Whether every document was signed.
    pub fn all_signed(&self) -> bool {
        self.not_signed().next().is_none()
    }
}

/// Signs every item with `signer` and `opts`, calling `on_outcome(index, total, outcome)`
/// after each document (for progress display).
pub fn sign_batch(
    items: &[BatchItem],
    signer: &dyn Signer,
    opts: &SignOptions,
    on_outcome: &mut dyn FnMut(usize, usize, &BatchOutcome),
) -> BatchSummary {
    let total = items.len();
    let mut summary = BatchSummary::default();
    let mut signer_failed = false;
    for (index, item) in items.iter().enumerate() {
        let status = if signer_failed {
            BatchStatus::NotAttempted
        } else {
            let target = Target::new(&item.output).overwrite(item.overwrite);
            match sign_file(&item.input, target, signer, opts) {
                Ok(()) => BatchStatus::Signed,
                Err(e) => {
                    signer_failed = matches!(e, Error::Signer(_) | Error::UnfitCertificate(_));
                    BatchStatus::Failed(e)
                }
            }
        };
        let outcome = BatchOutcome {
            item: item.clone(),
            status,
        };
        on_outcome(index, total, &outcome);
        summary.outcomes.push(outcome);
    }
    summary
}

/// Plans a batch: each input file, or each `*.pdf` file (any case) directly inside an input
/// directory in name order, is signed into `output_dir` under its own file name. Refuses two
/// inputs with the same file name (their outputs would collide).
pub fn plan(inputs: &[PathBuf], output_dir: &Path) -> Result<Vec<BatchItem>, Error> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(input).map_err(|e| Error::io(input, e))? {
                let path = entry.map_err(|e| Error::io(input, e))?.path();
                let is_pdf = path
                    .extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("pdf"));
                if is_pdf && path.is_file() {
                    found.push(path);
                }
                if found.len() > MAX_BATCH {
                    return Err(
                        Error::from(Refusal::TooManyFilesInDirectory { max: MAX_BATCH })
                            .with_path(input),
                    );
                }
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
        if files.len() > MAX_BATCH {
            return Err(Error::from(Refusal::TooManyDocuments { max: MAX_BATCH }));
        }
    }
    let mut names = BTreeSet::new();
    let mut items = Vec::with_capacity(files.len());
    for file in files {
        let name = file
            .file_name()
            .ok_or_else(|| Error::from(Refusal::NotAFileName).with_path(&file))?
            .to_owned();
        if !names.insert(name.clone()) {
            return Err(Error::from(Refusal::DuplicateOutputName {
                name: Path::new(&name).display().to_string(),
                output_dir: output_dir.to_path_buf(),
            }));
        }
        items.push(BatchItem::new(file, output_dir.join(name)));
    }
    Ok(items)
}
