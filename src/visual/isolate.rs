//! Where the renderer runs: a thread of this process, or a child process that the operating
//! system bounds.
//!
//! The renderer (hayro) reads everything a hostile file can throw at it — content streams,
//! fonts, images, nested forms — and offers no way to be interrupted and no limit on what it
//! decompresses. On a thread, kyso catches its panics and stops waiting at the time budget,
//! but a page it cannot finish keeps its thread busy until it ends, and its memory is the
//! process's. In a child process ([`Isolation::Process`]) the work gets an address-space
//! limit and a CPU-time limit of its own, is killed at the deadline and with its parent, and
//! whatever happens to it (out of memory, a crash, a stack overflow) is a `visual.skipped`
//! finding, never the verifier's end. The CLI and `kyso serve` always use a child process.
//!
//! The child is any program that calls [`worker_main`] (the kyso CLI does with the argument
//! [`CLI_WORKER_ARG`]). Protocol on its standard input and output, both private to this
//! module and versioned by the kyso executable itself: a length-prefixed JSON job then the
//! file; a length-prefixed JSON reply then the pictures' bytes.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Candidate, Outcome, Picture, VisualOptions};
use crate::pdf::Password;
use crate::report::{Lang, VisualReport};

/// The argument after which the kyso CLI runs [`worker_main`] (`kyso __visual-worker`; not
/// listed in its help).
pub const CLI_WORKER_ARG: &str = "__visual-worker";

/// Where the visual comparison's rendering runs.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Isolation {
    /// A worker thread of this process (the library's default): panics are caught and the
    /// time budget is kept, but a page the renderer cannot finish keeps its thread busy until
    /// it ends, and memory is not bounded beyond [`VisualOptions::max_file_bytes`] and the
    /// pixel budgets. Fit for a command that ends after one file; a long-running service
    /// should use [`Isolation::Process`].
    #[default]
    Thread,
    /// A child process: `program` run with `args`, which must call [`worker_main`]. Its
    /// address space is limited to [`VisualOptions::max_memory`], its CPU time to the time
    /// budget, it is killed at the deadline and when its parent dies (Linux), and anything
    /// that ends it early makes the comparison `visual.skipped`.
    Process {
        /// The program (the kyso CLI: `std::env::current_exe()`).
        program: PathBuf,
        /// Its arguments (the kyso CLI: [`CLI_WORKER_ARG`]).
        args: Vec<String>,
    },
}

impl Isolation {
    /// A child process running `program args…` ([`Isolation::Process`]).
    pub fn process(program: impl Into<PathBuf>, args: &[&str]) -> Self {
        Isolation::Process {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

/// Largest job header (the options and the list of signatures), bytes.
const MAX_JOB_HEADER: u64 = 1 << 20;
/// Largest reply header (the reports), bytes.
const MAX_REPLY_HEADER: u64 = 64 << 20;
/// Largest total of the pictures' bytes in a reply.
const MAX_REPLY_PICTURES: u64 = 1 << 30;
/// Time the child gets beyond the time budget to start and to send its reply.
const GRACE: Duration = Duration::from_secs(3);

/// The options the child needs, as sent.
#[derive(Serialize, Deserialize)]
struct Job {
    wanted: Vec<WireCandidate>,
    dpi: f32,
    max_pages: usize,
    max_pixels: u64,
    max_page_pixels: u64,
    time_limit_ms: u64,
    max_memory: u64,
    min_content_pixels: u64,
    pictures: bool,
    vietnamese: bool,
    name_prefix: String,
    file_len: u64,
    /// The document's password, over the private pipe (never in the arguments or the
    /// environment, which other users may read).
    password: Option<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
struct WireCandidate {
    signature: usize,
    revision: usize,
    permitted: bool,
}

impl From<&Candidate> for WireCandidate {
    fn from(c: &Candidate) -> Self {
        WireCandidate {
            signature: c.signature,
            revision: c.revision,
            permitted: c.permitted,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Reply {
    outcomes: Vec<WireOutcome>,
}

#[derive(Serialize, Deserialize)]
struct WireOutcome {
    signature: usize,
    report: VisualReport,
    pictures: Vec<WirePicture>,
}

#[derive(Serialize, Deserialize)]
struct WirePicture {
    page: usize,
    file_name: String,
    len: u64,
}

impl Job {
    fn options(&self) -> VisualOptions {
        VisualOptions {
            dpi: self.dpi,
            max_pages: self.max_pages,
            max_pixels: self.max_pixels,
            max_page_pixels: self.max_page_pixels,
            time_limit: Duration::from_millis(self.time_limit_ms),
            max_file_bytes: self.file_len,
            max_memory: self.max_memory,
            min_content_pixels: self.min_content_pixels,
            pictures: self.pictures,
            lang: if self.vietnamese { Lang::Vi } else { Lang::En },
            name_prefix: self.name_prefix.clone(),
            isolation: Isolation::Thread,
            required: false,
            password: self.password.clone().map(Password::new),
        }
    }

    fn candidates(&self) -> Vec<Candidate> {
        self.wanted
            .iter()
            .map(|c| Candidate {
                signature: c.signature,
                revision: c.revision,
                permitted: c.permitted,
            })
            .collect()
    }
}

fn write_framed(out: &mut impl Write, header: &[u8]) -> std::io::Result<()> {
    out.write_all(&(header.len() as u64).to_le_bytes())?;
    out.write_all(header)
}

fn read_framed(input: &mut impl Read, max: u64) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 8];
    input
        .read_exact(&mut len)
        .map_err(|e| format!("no header: {e}"))?;
    let len = u64::from_le_bytes(len);
    if len > max {
        return Err(format!(
            "a header of {len} bytes is over the limit of {max}"
        ));
    }
    read_exact_len(input, len)
}

fn read_exact_len(input: &mut impl Read, len: u64) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    input
        .take(len)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cut short: {e}"))?;
    if buf.len() as u64 != len {
        return Err(format!("cut short after {} of {len} bytes", buf.len()));
    }
    Ok(buf)
}

/// Runs the comparison in a child process; `Err` says why it gave no answer.
pub(super) fn in_child(
    program: &PathBuf,
    args: &[String],
    bytes: &[u8],
    wanted: &[Candidate],
    opts: &VisualOptions,
) -> Result<Vec<Outcome>, String> {
    let job = Job {
        wanted: wanted.iter().map(WireCandidate::from).collect(),
        dpi: opts.dpi,
        max_pages: opts.max_pages,
        max_pixels: opts.max_pixels,
        max_page_pixels: opts.max_page_pixels,
        time_limit_ms: opts.time_limit.as_millis().min(u64::MAX as u128) as u64,
        max_memory: opts.max_memory,
        min_content_pixels: opts.min_content_pixels,
        pictures: opts.pictures,
        vietnamese: opts.lang == Lang::Vi,
        name_prefix: opts.name_prefix.clone(),
        file_len: bytes.len() as u64,
        password: opts.password.as_ref().map(|p| p.as_bytes().to_vec()),
    };
    let header = serde_json::to_vec(&job).map_err(|e| e.to_string())?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("the renderer's process could not be started: {e}"))?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("the renderer's process has no pipes".into());
    };
    let (tx, rx) = mpsc::channel();
    let file = bytes.to_vec();
    let talk = std::thread::Builder::new()
        .name("kyso-visual-pipe".into())
        .spawn(move || {
            let sent = write_framed(&mut stdin, &header).and_then(|()| stdin.write_all(&file));
            drop(stdin);
            let answer = match sent {
                Ok(()) => read_reply(&mut stdout),
                Err(e) => Err(format!("the renderer's process stopped reading: {e}")),
            };
            let _ = tx.send(answer);
        });
    if talk.is_err() {
        let _ = child.kill();
        let _ = child.wait();
        return Err("no thread for the renderer's process".into());
    }
    let started = Instant::now();
    let answer = rx.recv_timeout(opts.time_limit + GRACE);
    if answer.is_err() {
        let _ = child.kill();
    }
    let status = child.wait();
    let elapsed = started.elapsed();
    match answer {
        Ok(Ok(outcomes)) => Ok(outcomes),
        Ok(Err(why)) => Err(match status {
            Ok(s) if !s.success() => ended(s, opts, elapsed),
            _ => format!("the renderer's process answered badly ({why})"),
        }),
        Err(_) => Err(format!(
            "the time budget of {} s for the visual comparison ran out (the renderer's process \
             was stopped)",
            opts.time_limit.as_secs()
        )),
    }
}

/// Why the child ended without an answer, from its exit status.
fn ended(status: std::process::ExitStatus, opts: &VisualOptions, elapsed: Duration) -> String {
    let mib = opts.max_memory >> 20;
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            // Rust aborts when an allocation fails under the address-space limit.
            Some(6) => {
                return format!(
                    "the renderer's process stopped, most likely out of its memory budget of \
                     {mib} MiB"
                )
            }
            Some(9) | Some(24) if elapsed + GRACE >= opts.time_limit => {
                return format!(
                    "the renderer's process used up its time budget of {} s",
                    opts.time_limit.as_secs()
                )
            }
            Some(11) | Some(7) => {
                return "the renderer's process crashed on this file (for instance structures \
                        nested too deeply)"
                    .into()
            }
            Some(sig) => return format!("the renderer's process was ended by signal {sig}"),
            None => {}
        }
    }
    format!(
        "the renderer's process failed ({status}; memory budget {mib} MiB, time budget {} s)",
        opts.time_limit.as_secs()
    )
}

fn read_reply(stdout: &mut impl Read) -> Result<Vec<Outcome>, String> {
    let header = read_framed(stdout, MAX_REPLY_HEADER)?;
    let reply: Reply = serde_json::from_slice(&header).map_err(|e| e.to_string())?;
    let mut total = 0u64;
    let mut outcomes = Vec::with_capacity(reply.outcomes.len());
    for o in reply.outcomes {
        let mut pictures = Vec::with_capacity(o.pictures.len());
        for p in o.pictures {
            total = total.saturating_add(p.len);
            if total > MAX_REPLY_PICTURES {
                return Err("the pictures are over the reply's limit".into());
            }
            pictures.push(Picture {
                signature: o.signature,
                page: p.page,
                file_name: p.file_name,
                png: read_exact_len(stdout, p.len)?,
            });
        }
        outcomes.push(Outcome {
            signature: o.signature,
            report: o.report,
            pictures,
        });
    }
    Ok(outcomes)
}

/// The child's side of [`Isolation::Process`]: reads a job on standard input, limits its
/// own address space and CPU time (Linux and other Unix systems), compares, writes the reply
/// on standard output. Returns the process's exit code (0 after a reply, 2 on a bad job).
/// Programs that link kyso and want the process isolation call this when started with the
/// arguments they gave [`Isolation::Process`].
pub fn worker_main() -> i32 {
    die_with_parent();
    let mut input = std::io::stdin().lock();
    let job: Job = match read_framed(&mut input, MAX_JOB_HEADER)
        .and_then(|h| serde_json::from_slice(&h).map_err(|e| e.to_string()))
    {
        Ok(j) => j,
        Err(_) => return 2,
    };
    let opts = job.options();
    limit_self(job.max_memory, opts.time_limit.as_secs().saturating_add(2));
    let bytes = match read_exact_len(&mut input, job.file_len) {
        Ok(b) => b,
        Err(_) => return 2,
    };
    drop(input);
    let deadline = Instant::now() + opts.time_limit;
    let outcomes = super::run(&bytes, &job.candidates(), &opts, deadline);
    drop(bytes);
    let mut pngs: Vec<Vec<u8>> = Vec::new();
    let reply = Reply {
        outcomes: outcomes
            .into_iter()
            .map(|o| WireOutcome {
                signature: o.signature,
                report: o.report,
                pictures: o
                    .pictures
                    .into_iter()
                    .map(|p| {
                        let len = p.png.len() as u64;
                        pngs.push(p.png);
                        WirePicture {
                            page: p.page,
                            file_name: p.file_name,
                            len,
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    let Ok(header) = serde_json::to_vec(&reply) else {
        return 2;
    };
    let mut out = std::io::stdout().lock();
    let sent = write_framed(&mut out, &header)
        .and_then(|()| pngs.iter().try_for_each(|p| out.write_all(p)))
        .and_then(|()| out.flush());
    if sent.is_ok() {
        0
    } else {
        2
    }
}

#[cfg(target_os = "linux")]
fn die_with_parent() {
    use rustix::process::{set_parent_process_death_signal, Signal};
    let _ = set_parent_process_death_signal(Some(Signal::KILL));
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent() {}

#[cfg(unix)]
fn limit_self(max_memory: u64, cpu_seconds: u64) {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let _ = setrlimit(
        Resource::As,
        Rlimit {
            current: Some(max_memory),
            maximum: Some(max_memory),
        },
    );
    let _ = setrlimit(
        Resource::Cpu,
        Rlimit {
            current: Some(cpu_seconds),
            maximum: Some(cpu_seconds.saturating_add(1)),
        },
    );
}

#[cfg(not(unix))]
fn limit_self(_max_memory: u64, _cpu_seconds: u64) {}
