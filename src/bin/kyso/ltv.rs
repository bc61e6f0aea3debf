//! `kyso ltv`: bring the signatures of a PDF to PAdES B-LT (validation data in the `/DSS`)
//! or B-LTA (and a document timestamp over it; run again on a B-LTA file to renew it). The
//! sources of validation data are shared with `kyso sign --level b-lt|b-lta`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;

use kyso::asn1::pem::blocks_or_der;
use kyso::ltv::{reach, LongTermLevel, LtvOptions, LtvOutcome};
use kyso::pki::{Origin, RevocationData, TrustStore};

use crate::cert::load_certificates;
use crate::output::{emit, Failure};
use crate::tsa_args::TsaArgs;
use crate::writes::{Out, FORCE_HELP};

/// Where validation data comes from: trust anchors (paths end there), certificates, CRLs and
/// OCSP responses in files, and the network with `--online`.
#[derive(clap::Args, Debug, Default)]
pub struct LtvSourceArgs {
    /// Trust anchors the paths end at: PEM bundle or DER certificate (repeatable).
    #[arg(long, help_heading = "Long-term validation")]
    pub trust: Vec<PathBuf>,
    /// Intermediate certificates (issuers, OCSP responders): PEM bundle or DER (repeatable).
    #[arg(long, help_heading = "Long-term validation")]
    pub intermediate: Vec<PathBuf>,
    /// CRLs: DER or PEM `X509 CRL` (repeatable).
    #[arg(long, help_heading = "Long-term validation")]
    pub crl: Vec<PathBuf>,
    /// OCSP responses, DER (repeatable).
    #[arg(long, help_heading = "Long-term validation")]
    pub ocsp: Vec<PathBuf>,
    /// Fetch what is missing over HTTP: OCSP responses, CRLs, issuers (needs a kyso built
    /// with the `online` feature). Loopback, private and other non-public addresses are
    /// refused unless allowed with --allow-host or --allow-net (SECURITY.md).
    #[arg(long, help_heading = "Long-term validation")]
    pub online: bool,
    #[command(flatten)]
    pub net: crate::net_args::NetArgs,
}

impl LtvSourceArgs {
    /// The library options, with `extra` certificate files.
    pub fn options(&self, extra: &[PathBuf]) -> Result<LtvOptions, Failure> {
        if self.trust.is_empty() {
            return Err(Failure(
                "long-term validation needs --trust ROOT (the anchors the paths end at)".into(),
            ));
        }
        let mut trust = TrustStore::empty();
        for t in &self.trust {
            trust.add_file(t)?;
        }
        let mut opts = LtvOptions::new(trust);
        for f in self.intermediate.iter().chain(extra) {
            opts.certificates.extend(load_certificates(f)?);
        }
        opts.revocation = self.revocation()?;
        opts.fetcher = self.net.fetcher(self.online)?;
        opts.network_budget = self.net.budget();
        opts.fetch_scope = self.net.fetch_scope();
        Ok(opts)
    }

    fn revocation(&self) -> Result<RevocationData, Failure> {
        let mut data = RevocationData::new();
        for f in &self.crl {
            let bytes = std::fs::read(f).map_err(|e| Failure::at(f, e))?;
            for der in blocks_or_der(&bytes, "X509 CRL") {
                data.add_crl_der(&der, Origin::Caller)
                    .map_err(|e| Failure::at(f, e))?;
            }
        }
        for f in &self.ocsp {
            let bytes = std::fs::read(f).map_err(|e| Failure::at(f, e))?;
            data.add_ocsp_der(&bytes, Origin::Caller)
                .map_err(|e| Failure::at(f, e))?;
        }
        Ok(data)
    }
}

/// The level to reach.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
pub enum LtvLevel {
    /// Validation data in the document security store.
    #[value(name = "b-lt")]
    BLt,
    /// And a document timestamp over it (needs --tsa).
    #[value(name = "b-lta")]
    BLta,
}

impl LtvLevel {
    /// The library's name for it.
    pub fn library(self) -> LongTermLevel {
        match self {
            LtvLevel::BLt => LongTermLevel::BLt,
            LtvLevel::BLta => LongTermLevel::BLta,
        }
    }
}

/// Add long-term validation data (PAdES B-LT), and a document timestamp (B-LTA), to a
/// signed PDF by incremental update; every signature stays valid. Run again on a B-LTA file
/// to renew it (validation data for the last document timestamp, then a new one).
/// `kyso ltv due DIR --within DAYS` lists the archives of a directory due for renewal.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct LtvArgs {
    #[command(subcommand)]
    command: Option<LtvCommand>,
    /// The signed PDF (never modified).
    #[arg(required = true)]
    input: Option<PathBuf>,
    /// Where to write the result.
    #[arg(short, long, required = true)]
    output: Option<PathBuf>,
    /// b-lt: validation data only; b-lta: and a document timestamp from --tsa.
    #[arg(long, value_enum, default_value = "b-lt")]
    level: LtvLevel,
    /// Extra certificates (issuers, OCSP responders): PEM bundle or DER (repeatable).
    #[arg(long)]
    cert: Vec<PathBuf>,
    /// Print what was done as JSON on standard output.
    #[arg(long)]
    json: bool,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    sources: LtvSourceArgs,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    password: crate::password_args::PdfPasswordArgs,
}

#[derive(clap::Subcommand)]
enum LtvCommand {
    /// List the signed PDFs under DIR (recursively; symbolic links are never followed) that
    /// need renewal within --within days, and those that are no archive yet: for each, until
    /// when it stays provable and what it needs (EN 319 102-1 §5.6.3). Exit code 0: nothing
    /// due; 1: some file listed; 2: the listing is incomplete (a file could not be verified or
    /// was skipped, a limit was reached) or the command failed.
    Due(DueArgs),
}

#[derive(clap::Args)]
struct DueArgs {
    /// The directory (its PDFs, recursively).
    dir: PathBuf,
    /// The window, in days from the validation time (--at, default now).
    #[arg(long, value_name = "DAYS")]
    within: u32,
    #[command(flatten)]
    verify: crate::verify_args::VerifyOptionArgs,
    /// Print the listing as one JSON object.
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,
    /// Print one JSON line per listed file.
    #[arg(long)]
    jsonl: bool,
    /// Most PDF files verified.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_files: usize,
    /// Language of the listing and of messages.
    #[arg(long, value_enum, default_value_t = crate::verify_args::LangArg::En)]
    lang: crate::verify_args::LangArg,
}

fn due(a: DueArgs) -> Result<ExitCode, Failure> {
    use kyso::ltv::{renewals_due, DueOptions};
    use kyso::report::text::{rfc3339, safe};
    use kyso::report::Lang;
    let lang: Lang = a.lang.into();
    let mut opts = DueOptions::new(a.verify.options(lang)?, a.within);
    opts.budget.max_files = a.max_files;
    let report = renewals_due(&a.dir, &opts).map_err(|e| Failure::about_in(&a.dir, e, lang))?;
    let mut out = String::new();
    if a.json {
        out = serde_json::to_string_pretty(&report).unwrap_or_default();
        out.push('\n');
    } else if a.jsonl {
        for i in &report.items {
            let mut v = serde_json::to_value(i).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("needs".into(), i.needs(Lang::En).into());
            }
            out.push_str(&v.to_string());
            out.push('\n');
        }
    } else {
        for i in &report.items {
            out.push_str(&format!(
                "{}\t{}\t{}\n",
                safe(&i.file.display().to_string()),
                i.provable_until.map(rfc3339).unwrap_or_else(|| "-".into()),
                safe(&i.needs(lang))
            ));
        }
    }
    emit(&out);
    for s in &report.skipped {
        let why = match lang {
            Lang::Vi if s.why.starts_with("a symbolic link") => {
                "liên kết tượng trưng (không theo)".to_owned()
            }
            Lang::Vi => format!("bỏ qua: {}", s.why),
            _ => s.why.clone(),
        };
        eprintln!(
            "kyso: {}: {}",
            safe(&s.path.display().to_string()),
            safe(&why)
        );
    }
    if let Some(why) = &report.stopped {
        match lang {
            Lang::Vi => eprintln!("kyso: dừng sớm vì vượt giới hạn ({why}): danh sách chưa đủ"),
            _ => eprintln!("kyso: stopped early ({why}): the listing is incomplete"),
        }
    }
    let until = rfc3339(report.due_before);
    match lang {
        Lang::Vi => eprintln!(
            "kyso: {} tệp PDF: {} cần xử lý trước {until}, {} chưa đến hạn, {} chưa ký",
            report.files,
            report.items.len(),
            report.not_due,
            report.unsigned
        ),
        _ => eprintln!(
            "kyso: {} PDF file(s): {} need(s) action before {until}, {} not due, {} unsigned",
            report.files,
            report.items.len(),
            report.not_due,
            report.unsigned
        ),
    }
    Ok(if !report.complete() {
        ExitCode::from(2)
    } else if report.any_due() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn run(a: LtvArgs) -> Result<ExitCode, Failure> {
    if let Some(LtvCommand::Due(d)) = a.command {
        return due(d);
    }
    let (Some(input), Some(output)) = (a.input, a.output) else {
        return Err(Failure("give the signed PDF and -o OUTPUT".into()));
    };
    let out = Out::named(&output, a.force);
    out.check()?;
    let mut opts = a.sources.options(&a.cert)?;
    opts.document_password = a.password.password()?;
    let timestamping = match a.level {
        LtvLevel::BLt => None,
        LtvLevel::BLta if !a.tsa.any() => {
            return Err(Failure(
                "--level b-lta needs a timestamp authority: give --tsa URL".into(),
            ))
        }
        LtvLevel::BLta => Some(a.tsa.timestamping(true)?),
    };
    let level = a.level.library();
    let outcome = reach(&input, out.target(), level, &opts, timestamping.as_ref())
        .map_err(|e| Failure::about(&input, e))?;
    if a.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&outcome).unwrap_or_default()
        ));
    }
    Ok(report(&input, &output, level, &outcome))
}

/// One line per signature on standard error; exit code 1 when something is missing.
pub fn report(input: &Path, output: &Path, level: LongTermLevel, outcome: &LtvOutcome) -> ExitCode {
    for s in &outcome.signatures {
        let name = kyso::report::text::safe(s.field_name.as_deref().unwrap_or("(no field)"));
        eprintln!(
            "{name}: {} certificate(s), {} OCSP response(s), {} CRL(s) added",
            s.certificates_added.len(),
            s.ocsp_added,
            s.crls_added
        );
        for m in &s.missing {
            eprintln!("{name}: missing: {}", kyso::report::text::safe(m));
        }
    }
    let what = match level {
        LongTermLevel::BLta => "validation data and a document timestamp",
        _ => "validation data",
    };
    eprintln!("{what}: {} -> {}", input.display(), output.display());
    if outcome.complete() {
        ExitCode::SUCCESS
    } else {
        eprintln!("kyso: some validation data could not be found (see above)");
        ExitCode::from(1)
    }
}

/// The revocation check before signing, when revocation data is at hand: `--trust` with
/// `--ocsp`, `--crl` or `--online`.
pub fn revocation_check(
    sources: &LtvSourceArgs,
) -> Result<Option<kyso::sign::RevocationCheck>, Failure> {
    let at_hand = !sources.ocsp.is_empty() || !sources.crl.is_empty() || sources.online;
    if sources.trust.is_empty() || !at_hand {
        return Ok(None);
    }
    let opts = sources.options(&[])?;
    let mut check = kyso::sign::RevocationCheck::new(opts.trust);
    check.intermediates = opts.certificates;
    check.data = opts.revocation;
    check.fetcher = opts.fetcher;
    Ok(Some(check))
}

/// `kyso sign --revocation-info-archival`: the revocation data of `signer`'s path for the
/// adbe-revocationInfoArchival attribute; refused when some is missing.
pub fn archival_for(
    signer: &dyn kyso::signer::Signer,
    sources: &LtvSourceArgs,
) -> Result<kyso::cms::RevocationInfoArchival, Failure> {
    use kyso::pki::Certificate;
    let opts = sources.options(&[])?;
    let cert = Certificate::from_der(signer.certificate())
        .map_err(|e| Failure(format!("the signer's certificate: {e}")))?;
    let chain: Vec<Certificate> = signer
        .chain()
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    let (archival, missing) = kyso::ltv::revocation_info_for_signer(&cert, &chain, &opts);
    if !missing.is_empty() {
        return Err(Failure(format!(
            "--revocation-info-archival: {}",
            missing.join("; ")
        )));
    }
    Ok(archival)
}
