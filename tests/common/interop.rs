//! Running independent PDF tools on our output and parsing what they say.
//!
//! Each tool is a small handle found with `find()`, which applies the skip/require policy of
//! [`super::tool`]: `None` means "not installed, skip" (never when `KYSO_REQUIRE_INTEROP=1`).
//! Methods return `Err(String)` when the tool could not process the file at all (the message
//! holds its exit status and output); verdicts about signatures are parsed into structs that
//! keep the raw text for assertion messages.
//!
//! Output formats were taken from the versions pinned in `.ci/run`: qpdf 11.3, poppler 22.12
//! (`pdfsig`, `pdfinfo`), MuPDF 1.21 (`mutool`), pyHanko 0.38 with pyhanko-cli 0.6.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long any tool may run before it is killed.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(180);

/// What a finished tool run produced.
#[derive(Debug)]
pub struct ToolOutput {
    /// Exit status.
    pub status: ExitStatus,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl ToolOutput {
    /// A one-paragraph description for error messages.
    pub fn describe(&self) -> String {
        format!(
            "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `program args…` with a timeout, capturing both output streams.
pub fn run(program: &Path, args: &[&std::ffi::OsStr]) -> Result<ToolOutput, String> {
    let shown = format!(
        "{} {}",
        program.display(),
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let stdout = child.stdout.take().map(read_in_thread);
    let stderr = child.stderr.take().map(read_in_thread);
    let deadline = Instant::now() + TOOL_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{shown}: timed out after {TOOL_TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{shown}: wait failed: {e}")),
        }
    };
    let join = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(ToolOutput {
        status,
        stdout: join(stdout),
        stderr: join(stderr),
    })
}

/// Runs `program` (a name on `PATH`) with `args`, which must succeed; its standard output,
/// which must be UTF-8.
pub fn run_ok(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn read_in_thread<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

/// The first line of `program --version`-style output, for logs.
pub fn version_line(program: &Path, flag: &str) -> String {
    match run(program, &[os(flag)]) {
        Ok(out) => format!("{}{}", out.stdout, out.stderr)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned(),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// lopdf

/// Loads `path` with lopdf (an independent reader that merges all revisions).
pub fn lopdf_loads(path: &Path) -> Result<lopdf::Document, String> {
    lopdf::Document::load(path).map_err(|e| format!("lopdf cannot load {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// qpdf

/// The `qpdf` command.
#[derive(Debug, Clone)]
pub struct Qpdf {
    /// Path of the executable.
    pub path: PathBuf,
}

/// One entry of `qpdf --show-xref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QpdfXrefEntry {
    /// `uncompressed; offset = N`.
    Uncompressed {
        /// Byte offset of the object.
        offset: u64,
    },
    /// `compressed; stream = S, index = I`.
    Compressed {
        /// Number of the object stream.
        stream: u32,
        /// Index inside it.
        index: u32,
    },
}

impl Qpdf {
    /// Finds `qpdf` (see [`super::tool`]).
    pub fn find() -> Option<Self> {
        super::tool("qpdf").map(|path| Qpdf { path })
    }

    /// `qpdf --check`: Ok only when it exits 0 (errors exit 2, warnings 3; both fail here,
    /// since a warning means qpdf had to repair something).
    pub fn check(&self, pdf: &Path) -> Result<(), String> {
        let out = run(&self.path, &[os("--check"), pdf.as_os_str()])?;
        if out.status.success() && !out.stdout.contains("WARNING") {
            Ok(())
        } else {
            Err(format!(
                "qpdf --check {} failed: {}",
                pdf.display(),
                out.describe()
            ))
        }
    }

    /// `qpdf --show-xref`: the merged cross-reference table qpdf built, by `(num, gen)`.
    pub fn show_xref(&self, pdf: &Path) -> Result<BTreeMap<(u32, u16), QpdfXrefEntry>, String> {
        let out = run(&self.path, &[os("--show-xref"), pdf.as_os_str()])?;
        if !out.status.success() {
            return Err(format!("qpdf --show-xref failed: {}", out.describe()));
        }
        parse_qpdf_show_xref(&out.stdout)
    }

    /// Runs qpdf with arbitrary arguments; Err unless it exits 0.
    pub fn run(&self, args: &[&std::ffi::OsStr]) -> Result<ToolOutput, String> {
        let out = run(&self.path, args)?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!("qpdf failed: {}", out.describe()))
        }
    }
}

/// Parses `qpdf --show-xref` lines such as `1/0: uncompressed; offset = 414` and
/// `2/0: compressed; stream = 1, index = 0`.
pub fn parse_qpdf_show_xref(stdout: &str) -> Result<BTreeMap<(u32, u16), QpdfXrefEntry>, String> {
    let mut map = BTreeMap::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let bad = || format!("unexpected qpdf --show-xref line: {line:?}");
        let (id, rest) = line.split_once(": ").ok_or_else(bad)?;
        let (num, gen) = id.split_once('/').ok_or_else(bad)?;
        let key = (
            num.parse().map_err(|_| bad())?,
            gen.parse().map_err(|_| bad())?,
        );
        let entry = if let Some(off) = rest.strip_prefix("uncompressed; offset = ") {
            QpdfXrefEntry::Uncompressed {
                offset: off.trim().parse().map_err(|_| bad())?,
            }
        } else if let Some(rest) = rest.strip_prefix("compressed; stream = ") {
            let (stream, index) = rest.split_once(", index = ").ok_or_else(bad)?;
            QpdfXrefEntry::Compressed {
                stream: stream.trim().parse().map_err(|_| bad())?,
                index: index.trim().parse().map_err(|_| bad())?,
            }
        } else {
            return Err(bad());
        };
        map.insert(key, entry);
    }
    Ok(map)
}

// ---------------------------------------------------------------------------------------------
// poppler: pdfinfo, pdfsig

/// poppler's `pdfinfo` and `pdfsig`.
#[derive(Debug, Clone)]
pub struct Poppler {
    /// Path of `pdfinfo`.
    pub pdfinfo: PathBuf,
    /// Path of `pdfsig`.
    pub pdfsig: PathBuf,
}

/// What `pdfinfo` printed.
#[derive(Debug, Clone)]
pub struct PdfInfo {
    /// `Key: value` lines (`Pages`, `PDF version`, `Title`, …).
    pub fields: BTreeMap<String, String>,
    /// poppler's complaints on stderr (`Syntax Error: …`, `Syntax Warning: …`), one per line.
    pub diagnostics: Vec<String>,
    /// The raw standard output.
    pub raw: String,
}

impl PdfInfo {
    /// The page count, if printed.
    pub fn pages(&self) -> Option<u32> {
        self.fields.get("Pages").and_then(|p| p.parse().ok())
    }
}

/// One `Signature #N:` block of `pdfsig`.
#[derive(Debug, Clone, Default)]
pub struct PdfsigSignature {
    /// The number after `Signature #` (1-based).
    pub index: usize,
    /// `Signature Field Name`.
    pub field: Option<String>,
    /// `Signer Certificate Common Name`.
    pub signer_common_name: Option<String>,
    /// `Signature Type` (e.g. `adbe.pkcs7.detached`, `ETSI.CAdES.detached`).
    pub signature_type: Option<String>,
    /// `Signed Ranges: [a - b], [c - d]` as `(a, b)` pairs.
    pub signed_ranges: Vec<(u64, u64)>,
    /// `Total document signed` (as opposed to `Not total document signed`).
    pub total_document_signed: bool,
    /// The text after `Signature Validation: `.
    pub validation: Option<String>,
    /// True exactly when the validation text is `Signature is Valid.`.
    pub valid: bool,
    /// The text after `Certificate Validation: ` (absent with `-nocert`).
    pub certificate_validation: Option<String>,
    /// The block as printed.
    pub raw: String,
}

impl Poppler {
    /// Finds `pdfinfo` and `pdfsig` (see [`super::tool`]).
    pub fn find() -> Option<Self> {
        let pdfinfo = super::tool("pdfinfo")?;
        let pdfsig = super::tool("pdfsig")?;
        Some(Poppler { pdfinfo, pdfsig })
    }

    /// Runs `pdfinfo`; Err when it exits non-zero (it could not open the file).
    pub fn pdfinfo(&self, pdf: &Path) -> Result<PdfInfo, String> {
        let out = run(&self.pdfinfo, &[pdf.as_os_str()])?;
        if !out.status.success() {
            return Err(format!(
                "pdfinfo {} failed: {}",
                pdf.display(),
                out.describe()
            ));
        }
        let mut info = parse_pdfinfo(&out.stdout);
        info.diagnostics = diagnostics(&out.stderr);
        Ok(info)
    }

    /// Runs `pdfsig [-nocert] FILE`. poppler 22.12 exits 0 whatever the verdicts and 2 when
    /// the file has no signature (then `Ok(vec![])`); anything else is an Err.
    pub fn pdfsig(&self, pdf: &Path, nocert: bool) -> Result<Vec<PdfsigSignature>, String> {
        let mut args = Vec::new();
        if nocert {
            args.push(os("-nocert"));
        }
        args.push(pdf.as_os_str());
        let out = run(&self.pdfsig, &args)?;
        if out.stdout.contains("does not contain any signatures")
            || out.stderr.contains("does not contain any signatures")
        {
            return Ok(Vec::new());
        }
        if !out.status.success() {
            return Err(format!(
                "pdfsig {} failed: {}",
                pdf.display(),
                out.describe()
            ));
        }
        let sigs = parse_pdfsig(&out.stdout);
        if sigs.is_empty() {
            return Err(format!(
                "pdfsig printed no signature block: {}",
                out.describe()
            ));
        }
        Ok(sigs)
    }
}

fn diagnostics(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses `pdfinfo` output: `Key:   value` per line.
pub fn parse_pdfinfo(stdout: &str) -> PdfInfo {
    let fields = stdout
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    PdfInfo {
        fields,
        diagnostics: Vec::new(),
        raw: stdout.to_owned(),
    }
}

/// Parses `pdfsig` output (poppler 22.12):
///
/// ```text
/// Digital Signature Info of: FILE
/// Signature #1:
///   - Signature Field Name: Sig1
///   - Signer Certificate Common Name: Test Signer
///   - Signed Ranges: [0 - 2293], [9075 - 9763]
///   - Not total document signed
///   - Signature Validation: Signature is Valid.
///   - Certificate Validation: Certificate issuer isn't Trusted.
/// ```
pub fn parse_pdfsig(stdout: &str) -> Vec<PdfsigSignature> {
    let mut sigs: Vec<PdfsigSignature> = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("Signature #") {
            let index = rest.trim_end_matches(':').trim().parse().unwrap_or(0);
            sigs.push(PdfsigSignature {
                index,
                raw: format!("{line}\n"),
                ..Default::default()
            });
            continue;
        }
        let Some(sig) = sigs.last_mut() else {
            continue;
        };
        sig.raw.push_str(line);
        sig.raw.push('\n');
        let Some(item) = line.trim_start().strip_prefix("- ") else {
            continue;
        };
        let item = item.trim_end();
        match item {
            "Total document signed" => sig.total_document_signed = true,
            "Not total document signed" => sig.total_document_signed = false,
            _ => {}
        }
        let Some((key, value)) = item.split_once(": ") else {
            continue;
        };
        let value = value.trim().to_owned();
        match key {
            "Signature Field Name" => sig.field = Some(value),
            "Signer Certificate Common Name" => sig.signer_common_name = Some(value),
            "Signature Type" => sig.signature_type = Some(value),
            "Signed Ranges" => sig.signed_ranges = parse_ranges(&value),
            "Signature Validation" => {
                sig.valid = value == "Signature is Valid.";
                sig.validation = Some(value);
            }
            "Certificate Validation" => sig.certificate_validation = Some(value),
            _ => {}
        }
    }
    sigs
}

/// `[0 - 2293], [9075 - 9763]` → `[(0, 2293), (9075, 9763)]`; malformed pairs are dropped.
fn parse_ranges(s: &str) -> Vec<(u64, u64)> {
    s.split(',')
        .filter_map(|part| {
            let inner = part.trim().strip_prefix('[')?.strip_suffix(']')?;
            let (a, b) = inner.split_once('-')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// MuPDF

/// MuPDF's `mutool`.
#[derive(Debug, Clone)]
pub struct Mutool {
    /// Path of the executable.
    pub path: PathBuf,
}

/// One `Verifying signature N:` block of `mutool sign -v`.
#[derive(Debug, Clone, Default)]
pub struct MutoolSignature {
    /// The object number MuPDF prints after `Verifying signature`.
    pub object: u32,
    /// The `Distinguished name:` line.
    pub distinguished_name: Option<String>,
    /// The `Certificate error:` text (MuPDF checks no chain against our roots).
    pub certificate_error: Option<String>,
    /// The `Digest error:` text, if any.
    pub digest_error: Option<String>,
    /// True when MuPDF says the signature is valid (with or without later edits).
    pub digest_ok: bool,
    /// True for `The document is unchanged since signing.`.
    pub unchanged_since_signing: bool,
    /// The block as printed.
    pub raw: String,
}

impl Mutool {
    /// Finds `mutool` (see [`super::tool`]).
    pub fn find() -> Option<Self> {
        super::tool("mutool").map(|path| Mutool { path })
    }

    /// `mutool sign -v FILE`: digest and signature check of every signature (no chain).
    pub fn verify(&self, pdf: &Path) -> Result<Vec<MutoolSignature>, String> {
        let out = run(&self.path, &[os("sign"), os("-v"), pdf.as_os_str()])?;
        if !out.status.success() {
            return Err(format!("mutool sign -v failed: {}", out.describe()));
        }
        Ok(parse_mutool_verify(&out.stdout))
    }

    /// `mutool info FILE` must succeed.
    pub fn info(&self, pdf: &Path) -> Result<ToolOutput, String> {
        let out = run(&self.path, &[os("info"), pdf.as_os_str()])?;
        if out.status.success() {
            Ok(out)
        } else {
            Err(format!("mutool info failed: {}", out.describe()))
        }
    }
}

/// Parses `mutool sign -v` output (MuPDF 1.21; detail lines are indented with a tab):
///
/// ```text
/// Verifying signature 6:
///     Distinguished name: cn=Test Signer, o=, ou=, email=, c=
///     Certificate error: Self-signed certificate in chain.
///     The signature is valid but there have been edits since signing.
/// ```
pub fn parse_mutool_verify(stdout: &str) -> Vec<MutoolSignature> {
    let mut sigs: Vec<MutoolSignature> = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("Verifying signature ") {
            sigs.push(MutoolSignature {
                object: rest.trim_end_matches(':').trim().parse().unwrap_or(0),
                raw: format!("{line}\n"),
                ..Default::default()
            });
            continue;
        }
        let Some(sig) = sigs.last_mut() else {
            continue;
        };
        sig.raw.push_str(line);
        sig.raw.push('\n');
        let item = line.trim();
        if let Some(v) = item.strip_prefix("Distinguished name: ") {
            sig.distinguished_name = Some(v.to_owned());
        } else if let Some(v) = item.strip_prefix("Certificate error: ") {
            sig.certificate_error = Some(v.to_owned());
        } else if let Some(v) = item.strip_prefix("Digest error: ") {
            sig.digest_error = Some(v.to_owned());
        } else if item == "The document is unchanged since signing." {
            sig.digest_ok = true;
            sig.unchanged_since_signing = true;
        } else if item == "The signature is valid but there have been edits since signing." {
            sig.digest_ok = true;
        }
    }
    for sig in &mut sigs {
        if sig.digest_error.is_some() {
            sig.digest_ok = false;
        }
    }
    sigs
}

// ---------------------------------------------------------------------------------------------
// pyHanko

/// The `pyhanko` command line (PyPI `pyhanko` + `pyhanko-cli`).
#[derive(Debug, Clone)]
pub struct Pyhanko {
    /// Path of the executable.
    pub path: PathBuf,
}

/// pyHanko's verdict on the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyhankoTrust {
    /// `TRUSTED`: a path to the given root was found (and the signature is intact).
    Trusted,
    /// `UNTRUSTED`.
    Untrusted,
    /// `REVOKED`.
    Revoked,
}

/// How much of the file a signature covers, as pyHanko judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyhankoCoverage {
    /// `UNTOUCHED`: the byte range covers the whole file (`ENTIRE_FILE`).
    EntireFile,
    /// `EXTENDED…`: the signature covers its revision and later updates follow
    /// (`ENTIRE_REVISION`).
    EntireRevision,
    /// `NONSTANDARD_COVERAGE`: anything less (`CONTIGUOUS_BLOCK_FROM_START`, `UNCLEAR`).
    Nonstandard,
}

/// One signature as reported by `pyhanko sign validate`.
#[derive(Debug, Clone)]
pub struct PyhankoSummary {
    /// The signature field's name.
    pub field: String,
    /// SHA-256 fingerprint (hex) of the signer's certificate.
    pub fingerprint: String,
    /// pyHanko's bottom line: `The signature is judged VALID.` (intact, trusted, modifications
    /// allowed, seed values and timestamps fine).
    pub valid: bool,
    /// `INTACT` in the summary: the digest matches and the CMS signature verifies (pyHanko's
    /// command line reports the two together; pretty-print says "cryptographically sound").
    pub intact: bool,
    /// Certificate verdict; `None` when the signature is not intact (pyHanko then prints only
    /// `INVALID`).
    pub trust: Option<PyhankoTrust>,
    /// Coverage; `None` when not intact.
    pub coverage: Option<PyhankoCoverage>,
    /// The modification level after `EXTENDED_WITH_` (`LTA_UPDATES`, `FORM_FILLING`,
    /// `ANNOTATIONS`, `OTHER`), for signatures followed by updates.
    pub modification_level: Option<String>,
    /// `ACCEPTABLE_MODIFICATIONS` → `Some(true)`, `ILLEGAL_MODIFICATIONS` → `Some(false)`;
    /// `None` when neither is printed (untouched, or not intact).
    pub modifications_acceptable: Option<bool>,
    /// Every flag of the summary line after `INTACT:` (e.g. `TRUSTED`, `UNTOUCHED`,
    /// `TIMESTAMP_TOKEN<…>`).
    pub flags: Vec<String>,
    /// `An error occurred while validating this signature: …`, if pyHanko said so.
    pub error: Option<String>,
    /// The summary line and the pretty-printed report of this signature.
    pub raw: String,
}

/// One line of `pyhanko sign validate` without `--pretty-print`:
/// `FIELD:FINGERPRINT:INTACT:FLAG,FLAG…` or `FIELD:FINGERPRINT:INVALID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyhankoSummaryLine {
    /// Field name.
    pub field: String,
    /// Certificate fingerprint.
    pub fingerprint: String,
    /// `INTACT`.
    pub intact: bool,
    /// Flags after `INTACT:`.
    pub flags: Vec<String>,
    /// The line.
    pub raw: String,
}

/// One `Field N: NAME` section of `pyhanko sign validate --pretty-print`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyhankoPrettySection {
    /// Field name.
    pub field: String,
    /// `The signature is judged VALID.`
    pub valid: bool,
    /// The error message if validation raised one.
    pub error: Option<String>,
    /// The section text.
    pub raw: String,
}

/// Key material for [`Pyhanko::sign_pemder`]: PEM or DER files, key unencrypted.
#[derive(Debug, Clone, Copy)]
pub struct PemSigner<'a> {
    /// The private key.
    pub key: &'a Path,
    /// The signer's certificate.
    pub cert: &'a Path,
    /// Further certificates to embed (intermediates, root).
    pub chain: &'a [&'a Path],
}

impl Pyhanko {
    /// Finds `pyhanko` (see [`super::tool`]).
    pub fn find() -> Option<Self> {
        super::tool("pyhanko").map(|path| Pyhanko { path })
    }

    /// The Python that runs `pyhanko`: `python3` (or `python`) beside it (a virtual
    /// environment's or pyenv's `bin`), else the interpreter its `#!` line names, else
    /// `python3` on `PATH`.
    pub fn python(&self) -> Result<PathBuf, String> {
        if let Some(beside) = self.path.parent().and_then(|dir| {
            ["python3", "python"]
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
        }) {
            return Ok(beside);
        }
        let text = std::fs::read(&self.path).map_err(|e| e.to_string())?;
        let first = String::from_utf8_lossy(text.split(|b| *b == b'\n').next().unwrap_or_default())
            .into_owned();
        first
            .strip_prefix("#!")
            .map(|l| PathBuf::from(l.trim()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python"))
            })
            .or_else(|| super::find_on_path("python3"))
            .ok_or_else(|| format!("cannot find the Python that runs {}", self.path.display()))
    }

    /// Runs `script` (Python over pyHanko's library), written to the file `at`, with `args`;
    /// the non-empty lines it prints. `what` names the run in the error when it fails.
    pub fn run_script(
        &self,
        script: &str,
        at: &Path,
        args: &[&std::ffi::OsStr],
        what: &str,
    ) -> Result<Vec<String>, String> {
        let python = self.python()?;
        std::fs::write(at, script).map_err(|e| e.to_string())?;
        let mut all = vec![at.as_os_str()];
        all.extend_from_slice(args);
        let out = run(&python, &all)?;
        if !out.status.success() {
            return Err(format!("{what} failed: {}", out.describe()));
        }
        Ok(out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// `pyhanko sign validate --no-revocation-check --trust ROOT --trust-replace [EXTRA…]
    /// FILE`, run twice: once for the machine-readable summary lines (intact, trust, coverage,
    /// modification level) and once with `--pretty-print` for the bottom line. pyHanko exits 1
    /// when a signature is not valid; that is a verdict, not an error here.
    pub fn validate(
        &self,
        pdf: &Path,
        trust_root_pem: &Path,
        extra: &[&str],
    ) -> Result<Vec<PyhankoSummary>, String> {
        let summary = self.run_validate(pdf, trust_root_pem, extra, false)?;
        let pretty = self.run_validate(pdf, trust_root_pem, extra, true)?;
        let lines = parse_pyhanko_summary(&summary.stdout)?;
        let sections = parse_pyhanko_pretty(&pretty.stdout)?;
        if lines.len() != sections.len() {
            return Err(format!(
                "pyhanko summary lists {} signatures, pretty-print {}:\n{}\n{}",
                lines.len(),
                sections.len(),
                summary.describe(),
                pretty.describe()
            ));
        }
        lines
            .into_iter()
            .zip(sections)
            .map(|(line, section)| {
                if line.field != section.field {
                    return Err(format!(
                        "pyhanko outputs disagree on field order: {} vs {}",
                        line.field, section.field
                    ));
                }
                Ok(combine(line, section))
            })
            .collect()
    }

    fn run_validate(
        &self,
        pdf: &Path,
        root: &Path,
        extra: &[&str],
        pretty: bool,
    ) -> Result<ToolOutput, String> {
        let mut args = vec![
            os("sign"),
            os("validate"),
            os("--no-revocation-check"),
            os("--trust"),
            root.as_os_str(),
            os("--trust-replace"),
        ];
        if pretty {
            args.push(os("--pretty-print"));
        }
        args.extend(extra.iter().map(os));
        args.push(pdf.as_os_str());
        let out = run(&self.path, &args)?;
        let verdict_only_failure = out.status.code() == Some(1)
            && out.stderr.trim_end().ends_with("Error: Validation failed");
        if out.status.success() || verdict_only_failure {
            Ok(out)
        } else {
            Err(format!("pyhanko sign validate failed: {}", out.describe()))
        }
    }

    /// `pyhanko sign list FILE`: `(field, status)` pairs such as `("Sig1", "FILLED")`.
    pub fn list_fields(&self, pdf: &Path) -> Result<Vec<(String, String)>, String> {
        let out = run(&self.path, &[os("sign"), os("list"), pdf.as_os_str()])?;
        if !out.status.success() {
            return Err(format!("pyhanko sign list failed: {}", out.describe()));
        }
        Ok(out
            .stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match l.rsplit_once(':') {
                Some((f, s)) => (f.to_owned(), s.to_owned()),
                None => (l.to_owned(), String::new()),
            })
            .collect())
    }

    /// Signs `input` into `output` with a PEM key and certificate:
    /// `pyhanko sign addsig [EXTRA…] --field FIELD pemder --key K --cert C [--chain X…]
    /// --no-pass IN OUT`. `field` is a name or `PAGE/X1,Y1,X2,Y2/NAME` to create one.
    pub fn sign_pemder(
        &self,
        input: &Path,
        output: &Path,
        field: &str,
        signer: &PemSigner<'_>,
        extra: &[&str],
    ) -> Result<(), String> {
        let mut args = vec![os("sign"), os("addsig")];
        args.extend(extra.iter().map(os));
        args.extend([os("--field"), os(field), os("pemder"), os("--key")]);
        args.push(signer.key.as_os_str());
        args.push(os("--cert"));
        args.push(signer.cert.as_os_str());
        for c in signer.chain {
            args.push(os("--chain"));
            args.push(c.as_os_str());
        }
        args.push(os("--no-pass"));
        args.push(input.as_os_str());
        args.push(output.as_os_str());
        let out = run(&self.path, &args)?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("pyhanko sign addsig failed: {}", out.describe()))
        }
    }
}

fn combine(line: PyhankoSummaryLine, section: PyhankoPrettySection) -> PyhankoSummary {
    let has = |f: &str| line.flags.iter().any(|x| x == f);
    let trust = if !line.intact {
        None
    } else if has("TRUSTED") {
        Some(PyhankoTrust::Trusted)
    } else if has("REVOKED") {
        Some(PyhankoTrust::Revoked)
    } else if has("UNTRUSTED") {
        Some(PyhankoTrust::Untrusted)
    } else {
        None
    };
    let modification_level = line
        .flags
        .iter()
        .find_map(|f| f.strip_prefix("EXTENDED_WITH_"))
        .map(str::to_owned);
    let coverage = if has("UNTOUCHED") {
        Some(PyhankoCoverage::EntireFile)
    } else if has("EXTENDED") || modification_level.is_some() {
        Some(PyhankoCoverage::EntireRevision)
    } else if has("NONSTANDARD_COVERAGE") {
        Some(PyhankoCoverage::Nonstandard)
    } else {
        None
    };
    let modifications_acceptable = if has("ACCEPTABLE_MODIFICATIONS") {
        Some(true)
    } else if has("ILLEGAL_MODIFICATIONS") {
        Some(false)
    } else {
        None
    };
    PyhankoSummary {
        field: line.field,
        fingerprint: line.fingerprint,
        valid: section.valid,
        intact: line.intact,
        trust,
        coverage,
        modification_level,
        modifications_acceptable,
        flags: line.flags,
        error: section.error,
        raw: format!("{}\n{}", line.raw, section.raw),
    }
}

/// Parses the summary lines of `pyhanko sign validate` (no `--pretty-print`):
/// `Sig1:fc8a…bbc:INTACT:TRUSTED,EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS`,
/// `Sig2:fc8a…bbc:INVALID`. The field name may itself contain `:`, so the line is split at
/// the 64-hex-digit fingerprint.
pub fn parse_pyhanko_summary(stdout: &str) -> Result<Vec<PyhankoSummaryLine>, String> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let bad = || format!("unexpected pyhanko summary line: {line:?}");
            let (field, fingerprint, status) = split_at_fingerprint(line).ok_or_else(bad)?;
            let (intact, flags) = if status == "INVALID" {
                (false, Vec::new())
            } else if let Some(flags) = status.strip_prefix("INTACT:") {
                (true, split_flags(flags))
            } else {
                return Err(bad());
            };
            Ok(PyhankoSummaryLine {
                field: field.to_owned(),
                fingerprint: fingerprint.to_owned(),
                intact,
                flags,
                raw: line.to_owned(),
            })
        })
        .collect()
}

/// Splits flags at commas outside `<…>` (timestamp flags nest `|`-separated lists there).
fn split_flags(s: &str) -> Vec<String> {
    let mut flags = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                flags.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        flags.push(cur);
    }
    flags
}

fn split_at_fingerprint(line: &str) -> Option<(&str, &str, &str)> {
    let bytes = line.as_bytes();
    // Scan for ":<64 hex>:" from the left; the first match after the field name wins.
    (0..bytes.len()).find_map(|i| {
        let candidate = bytes.get(i..i + 66)?;
        let ok = candidate.first() == Some(&b':')
            && candidate.last() == Some(&b':')
            && candidate
                .get(1..65)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if !ok {
            return None;
        }
        Some((
            line.get(..i)?,
            line.get(i + 1..i + 65)?,
            line.get(i + 66..)?,
        ))
    })
}

/// Parses `pyhanko sign validate --pretty-print` output into one section per field:
///
/// ```text
/// =============
/// Field 1: Sig1
/// =============
/// …
/// Bottom line
/// -----------
/// The signature is judged VALID.
/// ```
pub fn parse_pyhanko_pretty(stdout: &str) -> Result<Vec<PyhankoPrettySection>, String> {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut starts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let framed = i > 0
            && is_rule(lines.get(i - 1).copied(), line.len())
            && is_rule(lines.get(i + 1).copied(), line.len());
        if framed && line.starts_with("Field ") {
            starts.push(i);
        }
    }
    let mut sections = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |&next| next - 1);
        let header = lines.get(start).copied().unwrap_or_default();
        let field = header
            .split_once(": ")
            .map(|(_, name)| name.to_owned())
            .ok_or_else(|| format!("unexpected pyhanko section header {header:?}"))?;
        let body = lines.get(start + 2..end).unwrap_or_default();
        let raw = body.join("\n");
        let error = body.iter().find_map(|l| {
            l.strip_prefix("An error occurred while validating this signature: ")
                .map(str::to_owned)
        });
        let valid_line = body
            .iter()
            .any(|l| l.trim() == "The signature is judged VALID.");
        let invalid_line = body
            .iter()
            .any(|l| l.trim() == "The signature is judged INVALID.");
        if error.is_none() && valid_line == invalid_line {
            return Err(format!(
                "pyhanko section for {field} has no clear bottom line:\n{raw}"
            ));
        }
        sections.push(PyhankoPrettySection {
            field,
            valid: valid_line && !invalid_line && error.is_none(),
            error,
            raw: format!("{header}\n{raw}"),
        });
    }
    if sections.is_empty() && !stdout.trim().is_empty() {
        return Err(format!("no pyhanko section found in:\n{stdout}"));
    }
    Ok(sections)
}

fn is_rule(line: Option<&str>, len: usize) -> bool {
    line.is_some_and(|l| l.len() == len && !l.is_empty() && l.bytes().all(|b| b == b'='))
}
