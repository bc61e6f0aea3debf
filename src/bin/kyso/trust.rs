//! `kyso trust install` / `kyso trust list`: the built-in national trust profiles
//! (`kyso::pki::profiles`), installed from certificate files the clerk downloaded, checked
//! against the pinned fingerprints.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use kyso::pki::profiles::{self, Profile};
use kyso::pki::TrustProfileError;
use kyso::report::text::safe;

use crate::output::{emit, Failure};

/// Built-in trust profiles (vn-gov, vn-public, vn-tsa, vn-all): install and list.
#[derive(clap::Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    command: TrustCommand,
}

#[derive(clap::Subcommand)]
enum TrustCommand {
    /// Install a profile's anchors from a directory of certificate files: only files whose
    /// SHA-256 matches a pin of the profile are stored; each other file is reported with the
    /// reason (exit 0 when every pin is installed, 1 when some are missing).
    Install(InstallArgs),
    /// Download a profile's anchors over HTTP (--url, repeatable) and install exactly those
    /// whose SHA-256 matches a pin, as `install` does (needs a kyso built with the `online`
    /// feature; the network policy of --online applies: loopback and private addresses only
    /// with --allow-host / --allow-net).
    Fetch(FetchArgs),
    /// What is installed, and what each profile still lacks.
    List(ListArgs),
}

#[derive(clap::Args)]
struct FetchArgs {
    /// The profile: vn-gov, vn-public, vn-tsa or vn-all.
    profile: String,
    /// A URL of a certificate file (PEM or DER) on the official site (repeatable). Without
    /// it, the publication URLs the profile records (none is recorded yet).
    #[arg(long)]
    url: Vec<String>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    net: crate::net_args::NetArgs,
}

#[derive(clap::Args)]
struct InstallArgs {
    /// The profile: vn-gov, vn-public, vn-tsa or vn-all.
    profile: String,
    /// Directory holding the certificate files (.pem, .crt, .cer, .der) from the official site.
    #[arg(long)]
    from: PathBuf,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(clap::Args)]
struct ListArgs {
    #[command(flatten)]
    store: StoreArg,
}

/// The store directory option, shared with `--trust-store` of the verifying commands.
#[derive(clap::Args, Clone, Default)]
pub struct StoreArg {
    /// The trust store directory (default: the user's configuration directory,
    /// `$XDG_CONFIG_HOME/kyso/trust` or `~/.config/kyso/trust` on Linux).
    #[arg(long)]
    store: Option<PathBuf>,
}

impl StoreArg {
    fn dir(&self) -> Result<PathBuf, Failure> {
        store_dir(self.store.as_ref())
    }
}

/// The store named, or the default one.
pub fn store_dir(named: Option<&PathBuf>) -> Result<PathBuf, Failure> {
    match named {
        Some(d) => Ok(d.clone()),
        None => profiles::default_store_dir()
            .ok_or_else(|| Failure::from(kyso::Error::from(TrustProfileError::NoStore))),
    }
}

/// The built-in profile of this name, or the error listing them.
pub fn builtin(name: &str) -> Result<&'static Profile, Failure> {
    profiles::profile(name)
        .ok_or_else(|| kyso::Error::from(TrustProfileError::Unknown(name.to_string())).into())
}

pub fn run(a: TrustArgs) -> Result<ExitCode, Failure> {
    match a.command {
        TrustCommand::Install(i) => install(i),
        TrustCommand::Fetch(f) => fetch(f),
        TrustCommand::List(l) => list(l),
    }
}

fn install(a: InstallArgs) -> Result<ExitCode, Failure> {
    let profile = builtin(&a.profile)?;
    let store = a.store.dir()?;
    let report = profiles::install(profile, &a.from, &store)?;
    show(&report)
}

fn fetch(a: FetchArgs) -> Result<ExitCode, Failure> {
    let profile = builtin(&a.profile)?;
    let store = a.store.dir()?;
    let fetcher = a
        .net
        .fetcher(true)?
        .ok_or_else(|| Failure("kyso trust fetch needs the network".into()))?;
    let report = profiles::fetch(profile, &a.url, fetcher.0.as_ref(), &store)?;
    show(&report)
}

/// What `install` and `fetch` print; exit 0 when every pin is installed, 1 when some lack.
fn show(report: &profiles::InstallReport) -> Result<ExitCode, Failure> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "profile {} -> {}",
        report.profile,
        safe(&report.store.display().to_string())
    );
    for f in &report.found {
        let _ = writeln!(
            out,
            "  {}: {} ({}, {})  sha256 {}  from {}",
            if f.newly_installed {
                "installed"
            } else {
                "already installed"
            },
            safe(f.pin.subject),
            f.pin.role.describe(),
            f.pin.confirmation,
            f.pin.sha256,
            safe(&f.from.display().to_string())
        );
    }
    for pin in &report.missing {
        let _ = writeln!(
            out,
            "  missing: {}  sha256 {}",
            safe(pin.subject),
            pin.sha256
        );
    }
    for r in &report.rejected {
        let _ = writeln!(
            out,
            "  rejected: {}: {}",
            safe(&r.file.display().to_string()),
            safe(&r.reason)
        );
    }
    emit(&out);
    Ok(if report.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn list(a: ListArgs) -> Result<ExitCode, Failure> {
    let store = a.store.dir()?;
    let mut out = String::new();
    let _ = writeln!(out, "trust store {}", safe(&store.display().to_string()));
    for p in profiles::profiles() {
        let (have, lack) = profiles::installed(p, &store);
        let _ = writeln!(
            out,
            "{}: {} of {} installed — {}",
            p.name,
            have.len(),
            p.pins.len(),
            p.description
        );
        for pin in have {
            let _ = writeln!(
                out,
                "  installed: {} ({})  sha256 {}",
                safe(pin.subject),
                pin.role.describe(),
                pin.sha256
            );
        }
        for pin in lack {
            let _ = writeln!(
                out,
                "  lacks: {} ({})  sha256 {}",
                safe(pin.subject),
                pin.role.describe(),
                pin.sha256
            );
        }
    }
    emit(&out);
    Ok(ExitCode::SUCCESS)
}
