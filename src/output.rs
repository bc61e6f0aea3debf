//! How kyso writes files: one rule for every output.
//!
//! Every file kyso writes — signed PDFs, detached and enveloping signatures, extracted
//! attachments and content, dossier manifests, two-phase states — goes through
//! [`write_file`] (or [`Output`], its two halves):
//!
//! ```text
//! Output::check(target, inputs)     preflight, before any work is written:
//!                                     the directory exists (else "output directory DIR
//!                                     does not exist"), the target is not an input (same
//!                                     file: path, symbolic link or hard link), not a
//!                                     symbolic link, not a directory, and does not exist
//!                                     unless Overwrite::Replace
//!   ──> Output::write(|file| …)      a temporary file .kyso-XXXXXXXXXXXX.tmp beside the
//!                                     target (same file system), created like File::create
//!                                     would (mode 0666 less the umask), registered for
//!                                     removal on interrupt; the caller writes into it
//!   ──> fsync, the checks again, then rename (Replace) or link-and-unlink (Refuse: a file
//!       that appeared meanwhile is never clobbered), fsync of the directory (Unix)
//! ```
//!
//! On any error the temporary file is removed and the target is untouched. A process that
//! is interrupted (SIGINT, SIGTERM) calls [`remove_temporary_files`] from its signal
//! handling; the `kyso` command does (on Unix).
//!
//! Decisions:
//!
//! - **The library refuses by default** ([`Overwrite::Refuse`], also what `From<&Path>`
//!   gives): a signed document or an extracted original is a record; losing one silently is
//!   worse than a refusal. A caller that means to replace says [`Overwrite::Replace`]; the
//!   CLI passes the user's `--force`.
//! - **A symbolic link at the target is refused, even with `Replace`**: writing through it
//!   would put the output somewhere other than the path named (in a shared directory, a
//!   classic way to make a program overwrite another file), and replacing the link itself
//!   would silently change what the link's other users see. The clerk names the real file
//!   or removes the link.
//! - **Inputs are compared by identity** (device and inode on Unix), so a symbolic or hard
//!   link to an input is the input. Elsewhere, canonical paths are compared (hard links are
//!   then not recognised).
//! - New files get the permissions `File::create` would give (0666 less the umask), also
//!   when `Replace` replaces a file: the output is a new file, as with `cp --remove-destination`.
//!
//! Test hook: in debug builds only, the environment variable `KYSO_TEST_HOLD_TEMP_MS` makes
//! [`Output::write`] pause that many milliseconds (at most 60 000) right after creating its
//! temporary file, so that a test can interrupt a write in progress.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::Error;

/// Whether an existing file at the target may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Overwrite {
    /// An existing file is an error ([`OutputError::Exists`]); the default.
    #[default]
    Refuse,
    /// An existing regular file is replaced (atomically), unless it is an input.
    Replace,
}

impl Overwrite {
    /// `Replace` when `force` (the CLI's `--force`), else `Refuse`.
    pub fn from_force(force: bool) -> Self {
        if force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

/// Where to write, whether an existing file may be replaced, and files that must not be
/// written over besides the inputs the writing function knows of (the CLI passes every file
/// named on its command line: keys, certificates, data files).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    path: &'a Path,
    overwrite: Overwrite,
    inputs: &'a [PathBuf],
}

impl<'a> Target<'a> {
    /// `path`, refusing an existing file.
    pub fn new(path: &'a Path) -> Self {
        Target {
            path,
            overwrite: Overwrite::Refuse,
            inputs: &[],
        }
    }

    /// Sets whether an existing file may be replaced.
    pub fn overwrite(mut self, overwrite: Overwrite) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// More files the output must not be (compared by identity).
    pub fn also_inputs(mut self, inputs: &'a [PathBuf]) -> Self {
        self.inputs = inputs;
        self
    }

    /// The path to write.
    pub fn path(&self) -> &'a Path {
        self.path
    }

    /// Whether an existing file may be replaced.
    pub fn overwrite_choice(&self) -> Overwrite {
        self.overwrite
    }
}

impl<'a> From<&'a Path> for Target<'a> {
    fn from(path: &'a Path) -> Self {
        Target::new(path)
    }
}

impl<'a> From<&'a PathBuf> for Target<'a> {
    fn from(path: &'a PathBuf) -> Self {
        Target::new(path)
    }
}

/// Why kyso did not write an output file. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The directory the output should go into does not exist.
    #[error("output directory {} does not exist", dir.display())]
    NoDirectory {
        /// The directory.
        dir: PathBuf,
    },
    /// What should be the output's directory is not a directory.
    #[error("{} is not a directory, so {} cannot be written", dir.display(), path.display())]
    NotADirectory {
        /// The would-be directory.
        dir: PathBuf,
        /// The output.
        path: PathBuf,
    },
    /// The output exists and replacing it was not asked for.
    #[error("{} already exists (--force replaces it)", path.display())]
    Exists {
        /// The output.
        path: PathBuf,
    },
    /// The output is one of the command's inputs (the same path, a symbolic link or a hard
    /// link to it).
    #[error("{}", is_input_message(path, input))]
    IsInput {
        /// The output.
        path: PathBuf,
        /// The input it is.
        input: PathBuf,
    },
    /// The output is a symbolic link.
    #[error(
        "{} is a symbolic link; kyso neither writes through a link nor replaces one (name \
         the file itself, or remove the link)",
        path.display()
    )]
    Symlink {
        /// The output.
        path: PathBuf,
    },
    /// The output exists and is a directory or another special file.
    #[error("{} exists and is not a regular file", path.display())]
    NotAFile {
        /// The output.
        path: PathBuf,
    },
    /// The process is being interrupted: no new file is started.
    #[error("{}: interrupted; nothing was written", path.display())]
    Interrupted {
        /// The output.
        path: PathBuf,
    },
}

fn is_input_message(path: &Path, input: &Path) -> String {
    if path == input {
        format!(
            "{} is the input file; kyso never writes over a file it reads",
            path.display()
        )
    } else {
        format!(
            "{} is the input file {} (the same file under another name or through a link); \
             kyso never writes over a file it reads",
            path.display(),
            input.display()
        )
    }
}

/// A target that passed the preflight: [`Output::write`] writes it.
#[derive(Debug)]
pub struct Output<'a> {
    target: Target<'a>,
    inputs: Vec<PathBuf>,
}

impl<'a> Output<'a> {
    /// The preflight: refuses (writing nothing) an output whose directory is missing, that
    /// is one of `inputs` or of the target's own inputs, a symbolic link, not a regular
    /// file, or that exists when [`Overwrite::Refuse`].
    pub fn check(target: impl Into<Target<'a>>, inputs: &[&Path]) -> Result<Self, Error> {
        let target = target.into();
        let out = Output {
            target,
            inputs: inputs.iter().map(|p| p.to_path_buf()).collect(),
        };
        out.check_directory()?;
        out.check_existing()?;
        Ok(out)
    }

    /// The path to write.
    pub fn path(&self) -> &'a Path {
        self.target.path
    }

    /// The target, with its overwrite choice and extra inputs.
    pub fn target(&self) -> Target<'a> {
        self.target
    }

    /// Has `write` fill a temporary file beside the target, then fsyncs it and moves it to
    /// the target (the preflight is repeated first). On any error the temporary file is
    /// removed and the target is untouched. Errors `write` returns should name the target
    /// (`Error::io(output.path(), e)`), never the temporary file.
    pub fn write<T>(self, write: impl FnOnce(&mut File) -> Result<T, Error>) -> Result<T, Error> {
        let mut tmp = TempFile::beside(self.target.path)?;
        hold_for_tests();
        let value = match tmp.file.as_mut() {
            Some(file) => write(file)?,
            None => return Err(Error::io(self.target.path, io::ErrorKind::Other.into())),
        };
        self.commit(tmp)?;
        Ok(value)
    }

    /// Writes `bytes` (see [`Output::write`]).
    pub fn write_bytes(self, bytes: &[u8]) -> Result<(), Error> {
        use std::io::Write;
        let path = self.target.path;
        self.write(|f| f.write_all(bytes).map_err(|e| Error::io(path, e)))
    }

    fn check_directory(&self) -> Result<(), Error> {
        let path = self.target.path;
        if path.file_name().is_none() {
            return Err(OutputError::NotAFile {
                path: path.to_path_buf(),
            }
            .into());
        }
        let dir = parent_dir(path);
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(OutputError::NotADirectory {
                dir: dir.to_path_buf(),
                path: path.to_path_buf(),
            }
            .into()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OutputError::NoDirectory {
                dir: dir.to_path_buf(),
            }
            .into()),
            Err(e) => Err(Error::io(dir, e)),
        }
    }

    /// The checks on what is at the target now.
    fn check_existing(&self) -> Result<(), Error> {
        let path = self.target.path;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let inputs = self.inputs.iter().chain(self.target.inputs);
        if let Some(input) = same_file_as(path, inputs) {
            return Err(OutputError::IsInput {
                path: path.to_path_buf(),
                input: input.to_path_buf(),
            }
            .into());
        }
        if meta.file_type().is_symlink() {
            return Err(OutputError::Symlink {
                path: path.to_path_buf(),
            }
            .into());
        }
        if !meta.is_file() {
            return Err(OutputError::NotAFile {
                path: path.to_path_buf(),
            }
            .into());
        }
        if self.target.overwrite == Overwrite::Refuse {
            return Err(OutputError::Exists {
                path: path.to_path_buf(),
            }
            .into());
        }
        Ok(())
    }

    /// fsync, the checks again, then the move into place.
    fn commit(&self, mut tmp: TempFile) -> Result<(), Error> {
        let path = self.target.path;
        if let Some(file) = tmp.file.take() {
            file.sync_all().map_err(|e| Error::io(path, e))?;
        }
        self.check_existing()?;
        match self.target.overwrite {
            Overwrite::Replace => {
                std::fs::rename(&tmp.path, path).map_err(|e| Error::io(path, e))?;
                tmp.disown();
            }
            // A second name for the complete file, which fails if the target appeared
            // meanwhile; the temporary name is removed when `tmp` is dropped.
            Overwrite::Refuse => match std::fs::hard_link(&tmp.path, path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(OutputError::Exists {
                        path: path.to_path_buf(),
                    }
                    .into());
                }
                // A file system without hard links: the check above, then a rename.
                Err(_) => {
                    std::fs::rename(&tmp.path, path).map_err(|e| Error::io(path, e))?;
                    tmp.disown();
                }
            },
        }
        drop(tmp);
        sync_directory(parent_dir(path));
        Ok(())
    }
}

/// Preflight, temporary file, `write`, fsync, move into place: [`Output::check`] then
/// [`Output::write`].
pub fn write_file<'a, T>(
    target: impl Into<Target<'a>>,
    inputs: &[&Path],
    write: impl FnOnce(&mut File) -> Result<T, Error>,
) -> Result<T, Error> {
    Output::check(target, inputs)?.write(write)
}

/// Writes `bytes` to `target` by the same rule as [`write_file`].
pub fn write_bytes<'a>(
    target: impl Into<Target<'a>>,
    inputs: &[&Path],
    bytes: &[u8],
) -> Result<(), Error> {
    Output::check(target, inputs)?.write_bytes(bytes)
}

/// A temporary file beside an output, for a result that another step reads before the
/// output is written (`sign --level b-lt`: the signed file, then its validation data).
/// Registered like the writers' temporary files: removed when dropped and by
/// [`remove_temporary_files`]. Write it with [`Target::overwrite`]`(`[`Overwrite::Replace`]`)`.
#[derive(Debug)]
pub struct Staging(TempFile);

impl Staging {
    /// An empty file beside `target` (in the same directory).
    pub fn beside(target: &Path) -> Result<Self, Error> {
        let mut tmp = TempFile::beside(target)?;
        tmp.file = None;
        Ok(Staging(tmp))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0.path
    }
}

/// Removes every temporary file kyso has open in this process and stops new ones from
/// being created (a writer started afterwards fails with [`OutputError::Interrupted`]).
/// Returns how many were removed.
///
/// For the end of an interrupted process: call it from the thread that handles SIGINT and
/// SIGTERM (not from an async signal handler: it takes a lock), then exit. The `kyso`
/// command does this on Unix and exits with 128 + the signal number.
pub fn remove_temporary_files() -> usize {
    let mut live = registry();
    live.closing = true;
    let mut removed = 0;
    for path in live.paths.drain(..) {
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Temporary files in use, and whether the process is closing.
struct Registry {
    paths: Vec<PathBuf>,
    closing: bool,
}

static LIVE: Mutex<Registry> = Mutex::new(Registry {
    paths: Vec::new(),
    closing: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A registered temporary file: removed (and unregistered) when dropped, unless disowned
/// after it was moved into place.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    file: Option<File>,
    owned: bool,
}

impl TempFile {
    /// `.kyso-XXXXXXXXXXXX.tmp` in the directory of `target`, created exclusively (never an
    /// existing file or link) with the permissions a new file gets.
    fn beside(target: &Path) -> Result<Self, Error> {
        let dir = parent_dir(target);
        for _ in 0..32 {
            let path = dir.join(format!(".kyso-{:012x}.tmp", random_48()));
            // Created under the registry's lock, so an interrupt either sees it registered
            // or stops it from being created.
            let mut live = registry();
            if live.closing {
                return Err(OutputError::Interrupted {
                    path: target.to_path_buf(),
                }
                .into());
            }
            match create_new(&path) {
                Ok(file) => {
                    live.paths.push(path.clone());
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                        owned: true,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(OutputError::NoDirectory {
                        dir: dir.to_path_buf(),
                    }
                    .into())
                }
                Err(e) => return Err(Error::io(target, e)),
            }
        }
        Err(Error::io(
            target,
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                "no free temporary file name beside it",
            ),
        ))
    }

    /// The file is in place under its final name: forget it.
    fn disown(&mut self) {
        self.owned = false;
        unregister(&self.path);
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.file = None;
        if self.owned {
            let _ = std::fs::remove_file(&self.path);
            unregister(&self.path);
        }
    }
}

fn unregister(path: &Path) {
    let mut live = registry();
    if let Some(i) = live.paths.iter().position(|p| p == path) {
        live.paths.swap_remove(i);
    }
}

/// A new file, mode 0666 less the umask on Unix (what `File::create` gives).
fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o666);
    }
    options.open(path)
}

/// 48 bits that differ between calls and processes (names, not secrets: the file is
/// created exclusively whatever its name).
fn random_48() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish() & 0xffff_ffff_ffff
}

/// The directory of `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The first of `inputs` that is the same file as `path` (following links).
fn same_file_as<'p>(path: &Path, inputs: impl Iterator<Item = &'p PathBuf>) -> Option<&'p Path> {
    let target = FileId::of(path)?;
    inputs
        .filter(|i| FileId::of(i).as_ref() == Some(&target))
        .map(PathBuf::as_path)
        .next()
}

/// What makes two paths the same file.
#[derive(PartialEq, Eq)]
struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

impl FileId {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileId((m.dev(), m.ino())))
    }

    #[cfg(not(unix))]
    fn of(path: &Path) -> Option<Self> {
        std::fs::canonicalize(path).ok().map(FileId)
    }
}

/// Makes a rename durable (Unix; elsewhere, and on file systems that refuse, nothing).
fn sync_directory(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// See the module documentation: a pause for tests that interrupt a write (debug builds).
fn hold_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("KYSO_TEST_HOLD_TEMP_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporaries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".kyso-"))
            .collect()
    }

    #[test]
    fn writes_a_new_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        write_bytes(&p, &[], b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn refuses_an_existing_file_unless_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        std::fs::write(&p, b"old").unwrap();
        let err = write_bytes(&p, &[], b"new").unwrap_err();
        assert!(
            matches!(err, Error::Output(OutputError::Exists { .. })),
            "{err}"
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        write_bytes(Target::new(&p).overwrite(Overwrite::Replace), &[], b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        let r: Result<(), Error> = write_file(&p, &[], |f| {
            use std::io::Write;
            f.write_all(b"partial").unwrap();
            Err(Error::Internal { what: "test" })
        });
        assert!(r.is_err());
        assert!(!p.exists());
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn a_file_appearing_during_the_write_is_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        let err = write_file(&p, &[], |_| {
            std::fs::write(&p, b"someone else's").unwrap();
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, Error::Output(OutputError::Exists { .. })));
        assert_eq!(std::fs::read(&p).unwrap(), b"someone else's");
        assert!(temporaries(dir.path()).is_empty());
    }

    #[test]
    fn the_input_is_never_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pdf");
        std::fs::write(&input, b"input").unwrap();
        let replace = |p: &Path| {
            write_bytes(
                Target::new(p).overwrite(Overwrite::Replace),
                &[&input],
                b"x",
            )
            .unwrap_err()
        };
        // The same path, and the same file under another spelling.
        for p in [input.clone(), dir.path().join(".").join("in.pdf")] {
            assert!(matches!(
                replace(&p),
                Error::Output(OutputError::IsInput { .. })
            ));
        }
        #[cfg(unix)]
        {
            let link = dir.path().join("link.pdf");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(matches!(
                replace(&link),
                Error::Output(OutputError::IsInput { .. })
            ));
            let hard = dir.path().join("hard.pdf");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(matches!(
                replace(&hard),
                Error::Output(OutputError::IsInput { .. })
            ));
        }
        // The extra inputs of a target count too.
        let extra = [input.clone()];
        let err = write_bytes(
            Target::new(&input)
                .overwrite(Overwrite::Replace)
                .also_inputs(&extra),
            &[],
            b"x",
        )
        .unwrap_err();
        assert!(matches!(err, Error::Output(OutputError::IsInput { .. })));
        assert_eq!(std::fs::read(&input).unwrap(), b"input");
    }

    #[test]
    #[cfg(unix)]
    fn a_symbolic_link_is_refused_even_when_replacing() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"keep").unwrap();
        let link = dir.path().join("out.pdf");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let dangling = dir.path().join("dangling.pdf");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for p in [&link, &dangling] {
            for o in [Overwrite::Refuse, Overwrite::Replace] {
                let err = write_bytes(Target::new(p).overwrite(o), &[], b"x").unwrap_err();
                assert!(
                    matches!(err, Error::Output(OutputError::Symlink { .. })),
                    "{err}"
                );
            }
        }
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep");
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-dir");
        let err = write_bytes(&missing.join("out.pdf"), &[], b"x").unwrap_err();
        let text = err.to_string();
        assert_eq!(
            text,
            format!("output directory {} does not exist", missing.display())
        );
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let err = write_bytes(&file.join("out.pdf"), &[], b"x").unwrap_err();
        assert!(matches!(
            err,
            Error::Output(OutputError::NotADirectory { .. })
        ));
        let err = write_bytes(dir.path(), &[], b"x").unwrap_err();
        assert!(matches!(err, Error::Output(OutputError::NotAFile { .. })));
    }

    #[test]
    #[cfg(unix)]
    fn permissions_are_those_of_a_normal_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours");
        write_bytes(&ours, &[], b"x").unwrap();
        let normal = dir.path().join("normal");
        File::create(&normal).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&normal));
        // Replacing gives a new file with the same permissions, not the old file's.
        std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_bytes(Target::new(&ours).overwrite(Overwrite::Replace), &[], b"y").unwrap();
        assert_eq!(mode(&ours), mode(&normal));
    }

    #[test]
    fn staging_files_go_away() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.pdf");
        let staging = Staging::beside(&out).unwrap();
        let path = staging.path().to_path_buf();
        write_bytes(
            Target::new(&path).overwrite(Overwrite::Replace),
            &[],
            b"staged",
        )
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"staged");
        drop(staging);
        assert!(!path.exists());
        assert!(temporaries(dir.path()).is_empty());
    }
}
