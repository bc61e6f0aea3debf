//! `kyso verify --visual` / `--visual-diff DIR` (and a policy that enables the comparison):
//! each file's signed revisions rendered and compared (kyso::visual) in a child process of
//! this executable, the pictures written by kyso's write rule under names unique in the run.

use std::collections::HashSet;
use std::path::Path;

use kyso::pdf::Password;
use kyso::report::{Lang, VerificationReport};

use crate::output::{report_failure, Failure};

/// The renderer in a child process of this executable (`kyso __visual-worker`), bounded by
/// the operating system; on a thread when the executable cannot be found.
pub(crate) fn worker_isolation() -> kyso::visual::Isolation {
    match std::env::current_exe() {
        Ok(exe) => kyso::visual::Isolation::process(exe, &[kyso::visual::CLI_WORKER_ARG]),
        Err(_) => kyso::visual::Isolation::Thread,
    }
}

/// The visual comparison of the files of one `kyso verify` run.
pub(crate) struct VisualRun<'a> {
    dir: Option<&'a Path>,
    force: bool,
    lang: Lang,
    password: Option<Password>,
    required: bool,
    /// Picture name prefixes given out in this run: two inputs never share one (two files
    /// named alike in different folders, or whose names differ only in letters a file name
    /// keeps as '_').
    prefixes: HashSet<String>,
}

impl<'a> VisualRun<'a> {
    /// Pictures into `dir` when given; `required`: a policy asks for the comparison.
    pub fn new(
        dir: Option<&'a Path>,
        force: bool,
        lang: Lang,
        password: Option<Password>,
        required: bool,
    ) -> Self {
        VisualRun {
            dir,
            force,
            lang,
            password,
            required,
            prefixes: HashSet::new(),
        }
    }

    /// Compares `path`'s signed revisions and writes its pictures. A file that cannot be
    /// read again or a picture that cannot be written is said on standard error (false: exit
    /// code 2); the report keeps what the comparison found and names only pictures written.
    pub fn run(&mut self, path: &Path, r: &mut VerificationReport) -> bool {
        let lang = self.lang;
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                report_failure(&format!(
                    "{}: {}: {e}",
                    path.display(),
                    lang.pick(
                        "cannot read the file again for the visual comparison",
                        "không đọc lại được tệp để so sánh hình ảnh"
                    )
                ));
                return false;
            }
        };
        let mut opts = kyso::visual::VisualOptions::default();
        opts.pictures = self.dir.is_some();
        opts.lang = lang;
        opts.name_prefix = self.unique_prefix(path);
        opts.isolation = worker_isolation();
        opts.password = self.password.clone();
        opts.required = self.required;
        let pictures = kyso::visual::examine(&bytes, r, &opts);
        let Some(dir) = self.dir else {
            return true;
        };
        if pictures.is_empty() {
            return true;
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            report_failure(&format!("{}: {e}", dir.display()));
            return false;
        }
        let mut written = true;
        for p in pictures {
            let out = crate::writes::Out::chosen(&dir.join(&p.file_name), self.force);
            match kyso::output::write_bytes(out.target(), &[path], &p.png) {
                Ok(()) => eprintln!(
                    "{} {}",
                    lang.pick("picture:", "hình so sánh:"),
                    out.path().display()
                ),
                Err(e) => {
                    written = false;
                    report_failure(&Failure::about_in(out.path(), e, lang).0);
                    for s in &mut r.signatures {
                        if let Some(v) = &mut s.visual {
                            v.images.retain(|n| *n != p.file_name);
                        }
                    }
                }
            }
        }
        written
    }

    /// The input's name as a picture prefix, made unique in this run with a counter.
    fn unique_prefix(&mut self, path: &Path) -> String {
        let base = picture_prefix(path);
        let mut prefix = base.clone();
        let mut n = 2;
        while !self.prefixes.insert(prefix.clone()) {
            prefix = format!("{base}{n}-");
            n += 1;
        }
        prefix
    }
}

/// The input's file name, reduced to letters (Vietnamese ones included), digits, '-' and
/// '_', and a '-'.
fn picture_prefix(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if clean.is_empty() {
        String::new()
    } else {
        format!("{clean}-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two inputs never share a prefix: same names in two folders, names that differ only
    /// in characters a file name keeps as '_'.
    #[test]
    fn picture_prefixes_are_unique_in_a_run() {
        let mut run = VisualRun::new(None, false, Lang::En, None, false);
        assert_eq!(run.unique_prefix(Path::new("a/hồ sơ.pdf")), "hồ_sơ-");
        assert_eq!(run.unique_prefix(Path::new("b/hồ sơ.pdf")), "hồ_sơ-2-");
        assert_eq!(run.unique_prefix(Path::new("c/hồ-sơ?.pdf")), "hồ-sơ_-");
        assert_eq!(run.unique_prefix(Path::new("c/hồ-sơ*.pdf")), "hồ-sơ_-2-");
        assert_eq!(run.unique_prefix(Path::new("d/hồ sơ.pdf")), "hồ_sơ-3-");
    }
}
