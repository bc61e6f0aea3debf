//! `kyso sign`: one document, a batch, or the two phases of a remote signature.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use time::OffsetDateTime;

use kyso::asn1::hex::encode as hex;
use kyso::ltv::sign_long_term;
use kyso::output::{write_bytes, Overwrite};
use kyso::report::text::safe;
use kyso::report::Lang;
use kyso::sign::batch::{plan, sign_batch, BatchOutcome, BatchStatus};
use kyso::sign::two_phase::{
    embed_cms_file, finish_file, finish_file_timestamped, prepare_file, PreparedSignature,
};
use kyso::sign::{sign_file, DocMdpPermission, FieldLockSpec, SignOptions, SubFilter};
use kyso::signer::SignerIdentity;

use crate::appearance_args::AppearanceArgs;
use crate::keysource::KeySourceArgs;
use crate::output::{emit, parse_time, Failure};
use crate::tsa_args::TsaArgs;
use crate::writes::{Out, FORCE_HELP};

/// Sign PDFs by incremental update (PAdES B-B by default).
///
/// One document: `kyso sign KEY-SOURCE IN.pdf -o OUT.pdf`. A batch (one key load, one token
/// login): `kyso sign KEY-SOURCE A.pdf B.pdf DIR/ --output-dir OUT/`. Remote signing:
/// `kyso sign --prepare --cert C.pem IN.pdf -o OUT.pdf --state S.json`, then
/// `kyso sign --finish S.json --signature SIG.bin` (or `--embed-cms CMS.der`).
#[derive(clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    keys: KeySourceArgs,
    /// `/Reason`.
    #[arg(long)]
    reason: Option<String>,
    /// `/Location`.
    #[arg(long)]
    location: Option<String>,
    /// `/ContactInfo`.
    #[arg(long)]
    contact: Option<String>,
    /// `/Name`.
    #[arg(long)]
    name: Option<String>,
    /// Field to sign: an existing empty signature field, or the name of a new one.
    #[arg(long)]
    field: Option<String>,
    /// Page (1-based) for a new field's widget.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Signature format.
    #[arg(long, value_enum, default_value_t = Format::Pades)]
    format: Format,
    /// Signing time (RFC 3339) instead of now.
    #[arg(long, value_parser = parse_time)]
    time: Option<OffsetDateTime>,
    /// Make a certification signature (the document's first signature) that allows later:
    /// P1 nothing, P2 form filling and signing, P3 also annotations.
    #[arg(long, value_enum)]
    certify: Option<Certify>,
    /// Lock form fields against later changes: `all`, or field names separated by commas.
    #[arg(long, value_name = "all|NAMES")]
    lock_fields: Option<String>,
    /// Two-phase signing, first step: write the update's state to --state and print the
    /// digest to sign (JSON); nothing is signed and no PDF is written.
    #[arg(long, requires = "state", help_heading = "Remote signing")]
    prepare: bool,
    /// Where --prepare writes the state (JSON).
    #[arg(long, help_heading = "Remote signing")]
    state: Option<PathBuf>,
    /// Where --prepare writes the bytes to sign (the DER signed attributes).
    #[arg(long, requires = "prepare", help_heading = "Remote signing")]
    to_sign: Option<PathBuf>,
    /// Extra bytes kept in the placeholder for a CMS built elsewhere (--prepare).
    #[arg(
        long,
        default_value_t = 0,
        requires = "prepare",
        help_heading = "Remote signing"
    )]
    cms_reserve: usize,
    /// Two-phase signing, second step: complete the PDF prepared in this state. The input
    /// and output default to those recorded by --prepare.
    #[arg(long, conflicts_with = "prepare", help_heading = "Remote signing")]
    finish: Option<PathBuf>,
    /// The signature value (binary; raw r‖s accepted for ECDSA) for --finish.
    #[arg(long, requires = "finish", help_heading = "Remote signing")]
    signature: Option<PathBuf>,
    /// A complete detached CMS (DER) made elsewhere over the document digest, for --finish.
    #[arg(
        long,
        requires = "finish",
        conflicts_with = "signature",
        help_heading = "Remote signing"
    )]
    embed_cms: Option<PathBuf>,
    /// The PDF(s) to sign (never modified); directories stand for the PDF files in them.
    inputs: Vec<PathBuf>,
    /// Where to write the signed PDF (one input).
    #[arg(short, long, conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Where to write the signed PDFs, under their own names (several inputs).
    #[arg(long)]
    output_dir: Option<PathBuf>,
    #[arg(long, help = FORCE_HELP)]
    force: bool,
    #[command(flatten)]
    appearance: AppearanceArgs,
    /// PAdES level: b-b, or b-t (with a signature timestamp from --tsa). Default: b-t when
    /// --tsa is given, else b-b.
    #[arg(long, value_enum, help_heading = "Timestamps")]
    level: Option<Level>,
    #[command(flatten)]
    tsa: TsaArgs,
    #[command(flatten)]
    ltv: crate::ltv::LtvSourceArgs,
    #[command(flatten)]
    pdf_password: crate::password_args::PdfPasswordWriteArgs,
    /// Sign the revocation data of the signer's path (from --ocsp/--crl or, with --online,
    /// its OCSP responders and CRL distribution points; paths end at --trust) into an
    /// adbe-revocationInfoArchival attribute (--format pkcs7 only).
    #[arg(long, help_heading = "Long-term validation")]
    revocation_info_archival: bool,
    /// Language of the messages when signing is refused.
    #[arg(long, value_enum, default_value_t = crate::verify_args::LangArg::En)]
    lang: crate::verify_args::LangArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Level {
    /// Basic signature.
    #[value(name = "b-b")]
    BB,
    /// With a signature timestamp (needs --tsa).
    #[value(name = "b-t")]
    BT,
    /// B-T, then validation data in the /DSS (needs --tsa and --trust).
    #[value(name = "b-lt")]
    BLt,
    /// B-LT, then a document timestamp (needs --tsa and --trust).
    #[value(name = "b-lta")]
    BLta,
}

impl Level {
    /// The long-term level that follows signing, if any.
    fn long_term(self) -> Option<crate::ltv::LtvLevel> {
        match self {
            Level::BLt => Some(crate::ltv::LtvLevel::BLt),
            Level::BLta => Some(crate::ltv::LtvLevel::BLta),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// ETSI.CAdES.detached (PAdES baseline B-B).
    Pades,
    /// adbe.pkcs7.detached.
    Pkcs7,
}

impl SignArgs {
    fn options(&self) -> Result<SignOptions, Failure> {
        let mut opts = SignOptions::new()
            .page(self.page)
            .sub_filter(match self.format {
                Format::Pades => SubFilter::Pades,
                Format::Pkcs7 => SubFilter::Pkcs7Detached,
            });
        opts.field_name = self.field.clone();
        opts.reason = self.reason.clone();
        opts.document_password = self.pdf_password.password()?;
        opts.location = self.location.clone();
        opts.contact_info = self.contact.clone();
        opts.name = self.name.clone();
        opts.signing_time = self.time;
        opts.appearance = self.appearance.build()?;
        opts.certify = self.certify.map(|c| match c {
            Certify::P1 => DocMdpPermission::NoChanges,
            Certify::P2 => DocMdpPermission::FormFilling,
            Certify::P3 => DocMdpPermission::Annotations,
        });
        opts.lock_fields = self.lock_fields.as_deref().map(lock_spec);
        opts.allow_invalid_certificate = self.keys.allow_invalid_certificate();
        let level = self
            .level
            .unwrap_or(if self.tsa.any() { Level::BT } else { Level::BB });
        match level {
            Level::BT | Level::BLt | Level::BLta => {
                opts.timestamping = Some(self.tsa.timestamping(!self.prepare)?)
            }
            Level::BB if self.tsa.any() => {
                return Err(Failure(
                    "--tsa asks for a signature timestamp, which --level b-b excludes".into(),
                ))
            }
            Level::BB => {}
        }
        // Revocation data at hand (--trust with --ocsp, --crl or --online): a revoked
        // signer is refused before anything is written.
        opts.revocation_check = crate::ltv::revocation_check(&self.ltv)?;
        Ok(opts)
    }

    fn single_input(&self) -> Result<&Path, Failure> {
        match self.inputs.as_slice() {
            [one] if !one.is_dir() => Ok(one),
            [] => Err(Failure("no input PDF given".into())),
            [dir] if plan(std::slice::from_ref(dir), dir).is_ok_and(|p| p.is_empty()) => {
                Err(no_pdf_under(&self.inputs))
            }
            _ => Err(Failure(
                "several inputs (or a directory) need --output-dir".into(),
            )),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Certify {
    /// No change allowed.
    #[value(name = "P1", alias = "p1")]
    P1,
    /// Form filling and signing allowed.
    #[value(name = "P2", alias = "p2")]
    P2,
    /// Form filling, signing and annotations allowed.
    #[value(name = "P3", alias = "p3")]
    P3,
}

/// `all`, or a comma-separated list of field names.
fn lock_spec(text: &str) -> FieldLockSpec {
    if text.trim().eq_ignore_ascii_case("all") {
        FieldLockSpec::All
    } else {
        FieldLockSpec::Include(
            text.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from)
                .collect(),
        )
    }
}

pub fn run(a: SignArgs) -> Result<ExitCode, Failure> {
    if a.revocation_info_archival
        && (a.prepare
            || a.finish.is_some()
            || a.output_dir.is_some()
            || a.level.and_then(Level::long_term).is_some())
    {
        return Err(Failure(
            "--revocation-info-archival signs one document in one step, at --level b-b or b-t"
                .into(),
        ));
    }
    if a.level.and_then(Level::long_term).is_some()
        && (a.prepare || a.finish.is_some() || a.output_dir.is_some())
    {
        return Err(Failure(
            "--level b-lt and b-lta sign one document in one step; for remote or batch \
             signing use --level b-t, then kyso ltv"
                .into(),
        ));
    }
    if a.prepare {
        return prepare(&a);
    }
    if let Some(state) = &a.finish {
        return finish(&a, state);
    }
    if let Some(dir) = &a.output_dir {
        return batch(&a, dir);
    }
    let input = a.single_input()?;
    let output = a
        .output
        .as_ref()
        .ok_or_else(|| Failure("give -o OUTPUT (or --output-dir for several inputs)".into()))?;
    let out = Out::named(output, a.force);
    out.check()?;
    let signer = a.keys.signer()?;
    if let Some(level) = a.level.and_then(Level::long_term) {
        // Signed at B-T into a staging file, then the validation data into the output:
        // nothing is left at the output when a step fails.
        let ltv_opts = a.ltv.options(&[])?;
        let opts = a.options()?;
        let outcome = sign_long_term(
            input,
            out.target(),
            signer.as_ref(),
            &opts,
            level.library(),
            &ltv_opts,
        )
        .map_err(|e| Failure::about_in(input, e, a.lang.into()))?;
        let done = crate::ltv::report(input, output, level.library(), &outcome);
        a.keys
            .warn_after_signing(&SignerIdentity::of(signer.as_ref()), a.time);
        return Ok(done);
    }
    let mut opts = a.options()?;
    if a.revocation_info_archival {
        opts.revocation_info_archival = Some(crate::ltv::archival_for(signer.as_ref(), &a.ltv)?);
    }
    sign_file(input, out.target(), signer.as_ref(), &opts)
        .map_err(|e| Failure::about_in(input, e, a.lang.into()))?;
    eprintln!("signed {} -> {}", input.display(), output.display());
    a.keys
        .warn_after_signing(&SignerIdentity::of(signer.as_ref()), a.time);
    a.appearance.print_preview(output, a.page);
    Ok(ExitCode::SUCCESS)
}

fn prepare(a: &SignArgs) -> Result<ExitCode, Failure> {
    let input = a.single_input()?;
    let state_path = a
        .state
        .as_ref()
        .ok_or_else(|| Failure("--prepare needs --state FILE".into()))?;
    let state_out = Out::named(state_path, a.force);
    state_out.check()?;
    let to_sign_out = a.to_sign.as_ref().map(|p| Out::named(p, a.force));
    if let Some(out) = &to_sign_out {
        out.check()?;
    }
    let identity = a.keys.identity()?.with_cms_reserve(a.cms_reserve);
    let mut state =
        prepare_file(input, &identity, &a.options()?).map_err(|e| Failure::about(input, e))?;
    state.output_path = a.output.as_ref().map(|o| absolute(o));
    write_bytes(state_out.target(), &[input], state.to_json()?.as_bytes())?;
    let to_sign = state.bytes_to_sign()?;
    if let Some(out) = &to_sign_out {
        write_bytes(out.target(), &[input], &to_sign)?;
    }
    let summary = serde_json::json!({
        "state": state_path,
        "signature_algorithm": state.signature_algorithm(),
        "digest_algorithm": state.digest_algorithm(),
        "digest_to_sign": hex(&state.digest_to_sign()?),
        "bytes_to_sign": hex(&to_sign),
        "document_digest": hex(&state.document_digest()?),
    });
    emit(&format!("{summary}\n"));
    a.keys.warn_after_signing(&identity, a.time);
    Ok(ExitCode::SUCCESS)
}

fn finish(a: &SignArgs, state_path: &Path) -> Result<ExitCode, Failure> {
    let json = std::fs::read_to_string(state_path).map_err(|e| Failure::at(state_path, e))?;
    let state = PreparedSignature::from_json(&json).map_err(|e| Failure::at(state_path, e))?;
    let input = match a.inputs.as_slice() {
        [] => state
            .input_path
            .clone()
            .ok_or_else(|| Failure("the state records no input; give the input PDF".into()))?,
        [one] => one.clone(),
        _ => return Err(Failure("--finish takes one input".into())),
    };
    let out = match (&a.output, &state.output_path) {
        (Some(o), _) => Out::named(o, a.force),
        (None, Some(recorded)) => Out::chosen(recorded, a.force),
        (None, None) => {
            return Err(Failure(
                "the state records no output; give -o OUTPUT".into(),
            ))
        }
    };
    out.check()?;
    let output = out.path();
    if let Some(sig_path) = &a.signature {
        let signature = std::fs::read(sig_path).map_err(|e| Failure::at(sig_path, e))?;
        if state.timestamp_plan().is_some() {
            let client = a.tsa.client()?;
            finish_file_timestamped(&state, &signature, client.as_ref(), &input, out.target())
                .map_err(|e| Failure::about(&input, e))?;
        } else {
            finish_file(&state, &signature, &input, out.target())
                .map_err(|e| Failure::about(&input, e))?;
        }
    } else if let Some(cms_path) = &a.embed_cms {
        let cms = std::fs::read(cms_path).map_err(|e| Failure::at(cms_path, e))?;
        embed_cms_file(&state, &cms, &input, out.target())
            .map_err(|e| Failure::about(&input, e))?;
    } else {
        return Err(Failure(
            "--finish needs --signature FILE or --embed-cms FILE".into(),
        ));
    }
    eprintln!("signed {} -> {}", input.display(), output.display());
    Ok(ExitCode::SUCCESS)
}

fn batch(a: &SignArgs, dir: &Path) -> Result<ExitCode, Failure> {
    if a.inputs.is_empty() {
        return Err(Failure("no input PDF given".into()));
    }
    let overwrite = Overwrite::from_force(a.force);
    let items: Vec<_> = plan(&a.inputs, dir)?
        .into_iter()
        .map(|item| item.overwrite(overwrite))
        .collect();
    if items.is_empty() {
        return Err(no_pdf_under(&a.inputs));
    }
    std::fs::create_dir_all(dir).map_err(|e| Failure::at(dir, e))?;
    let signer = a.keys.signer()?;
    let terminal = std::io::stderr().is_terminal();
    let mut on_outcome = |index: usize, total: usize, outcome: &BatchOutcome| {
        if terminal {
            progress_line(index, total, outcome);
        } else {
            emit(&format!("{}\n", outcome_json(outcome)));
        }
    };
    let summary = sign_batch(&items, signer.as_ref(), &a.options()?, &mut on_outcome);
    let failed: Vec<&BatchOutcome> = summary.not_signed().collect();
    if summary.signed() > 0 {
        a.keys
            .warn_after_signing(&SignerIdentity::of(signer.as_ref()), a.time);
    }
    let totals = serde_json::json!({
        "summary": true,
        "total": summary.outcomes.len(),
        "signed": summary.signed(),
        "not_signed": failed.len(),
    });
    if terminal {
        eprintln!(
            "signed {} of {} document(s) into {}",
            summary.signed(),
            summary.outcomes.len(),
            dir.display()
        );
        for o in &failed {
            eprintln!("  not signed: {}", safe(&failure_line(o)));
        }
    } else {
        emit(&format!("{totals}\n"));
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// What `sign` says when its inputs hold no PDF, as `verify` does.
fn no_pdf_under(inputs: &[PathBuf]) -> Failure {
    Failure(format!(
        "no PDF file under {}",
        inputs
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A counter on standard error, rewritten in place.
fn progress_line(index: usize, total: usize, outcome: &BatchOutcome) {
    let mark = match outcome.status {
        BatchStatus::Signed => "ok",
        _ => "FAILED",
    };
    let name = outcome
        .item
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut err = std::io::stderr().lock();
    let name = safe(&name);
    let _ = write!(err, "\r\x1b[K[{}/{}] {mark} {name}", index + 1, total);
    if index + 1 == total {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

fn reason(o: &BatchOutcome) -> String {
    match &o.status {
        BatchStatus::Signed => String::new(),
        BatchStatus::Failed(e) => crate::output::describe(&o.item.input, e, Lang::En),
        BatchStatus::NotAttempted => "not attempted: the signer failed earlier".into(),
        _ => "unknown".into(),
    }
}

/// `INPUT: why`, naming the input once.
fn failure_line(o: &BatchOutcome) -> String {
    match &o.status {
        BatchStatus::Failed(_) => reason(o),
        _ => format!("{}: {}", o.item.input.display(), reason(o)),
    }
}

fn outcome_json(o: &BatchOutcome) -> serde_json::Value {
    let status = match o.status {
        BatchStatus::Signed => "signed",
        BatchStatus::Failed(_) => "failed",
        BatchStatus::NotAttempted => "not_attempted",
        _ => "unknown",
    };
    let mut v = serde_json::json!({
        "input": o.item.input,
        "output": o.item.output,
        "status": status,
    });
    if !matches!(o.status, BatchStatus::Signed) {
        v["error"] = serde_json::Value::String(reason(o));
    }
    v
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
