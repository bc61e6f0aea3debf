//! The command line's side of kyso's write rule ([`kyso::output`]): `--force` (the same
//! flag on every command that writes), every file named on the command line counted as an
//! input that no output may be (keys, certificates, data, the documents), the early
//! preflight (before a password, PIN or network request), and the removal of temporary
//! files when the process is interrupted.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kyso::output::{Output, Overwrite, Target};

use crate::output::Failure;

/// Help text of `--force` (one wording everywhere).
pub const FORCE_HELP: &str =
    "Replace an existing output file (never an input, never through a symbolic link)";

/// An output file with the user's overwrite choice and the command line's files.
pub struct Out {
    path: PathBuf,
    overwrite: Overwrite,
    inputs: Vec<PathBuf>,
}

impl Out {
    /// An output the user named (`-o FILE`): that occurrence of FILE on the command line is
    /// the output, any other one is an input.
    pub fn named(path: &Path, force: bool) -> Self {
        let mut inputs = Vec::new();
        let mut skipped = false;
        for (arg, file) in command_line_files() {
            if !skipped && arg.as_os_str() == path.as_os_str() {
                skipped = true;
                continue;
            }
            inputs.push(file.clone());
        }
        Out {
            path: path.to_path_buf(),
            overwrite: Overwrite::from_force(force),
            inputs,
        }
    }

    /// An output kyso chose (FILE.p7s beside FILE, a name in an output directory): every
    /// file on the command line is an input.
    pub fn chosen(path: &Path, force: bool) -> Self {
        Out {
            path: path.to_path_buf(),
            overwrite: Overwrite::from_force(force),
            inputs: command_line_files()
                .iter()
                .map(|(_, f)| f.clone())
                .collect(),
        }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The library's target.
    pub fn target(&self) -> Target<'_> {
        Target::new(&self.path)
            .overwrite(self.overwrite)
            .also_inputs(&self.inputs)
    }

    /// The preflight alone, so that a command refuses before asking for a password or a
    /// PIN, signing or reaching the network; the library repeats it when it writes.
    pub fn check(&self) -> Result<(), Failure> {
        Output::check(self.target(), &[])?;
        Ok(())
    }
}

/// Every argument that names an existing regular file (for `--option=value`, the value),
/// with the argument as written.
fn command_line_files() -> &'static [(OsString, PathBuf)] {
    static FILES: OnceLock<Vec<(OsString, PathBuf)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut out = Vec::new();
        for arg in std::env::args_os().skip(1) {
            let value = arg
                .to_str()
                .filter(|a| a.starts_with("--"))
                .and_then(|a| a.split_once('='))
                .map(|(_, v)| OsString::from(v));
            let arg = value.unwrap_or(arg);
            let path = PathBuf::from(&arg);
            if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                out.push((arg, path));
            }
        }
        out
    })
}

/// On SIGINT, SIGTERM and SIGHUP: remove kyso's temporary files and exit with 128 + the
/// signal number (130, 143, 129). signal-hook runs the handler on an ordinary thread, so
/// it may take the library's lock and touch the file system (nothing async-signal-unsafe
/// runs in the signal handler itself).
#[cfg(unix)]
pub fn remove_temporaries_on_interrupt() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            kyso::output::remove_temporary_files();
            eprintln!("kyso: interrupted; unfinished output files removed");
            std::process::exit(128 + signal);
        }
    });
}

/// Elsewhere the default handling stays (an interrupt may leave a `.kyso-*.tmp` file).
#[cfg(not(unix))]
pub fn remove_temporaries_on_interrupt() {}
