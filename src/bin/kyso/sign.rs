//! `kyso sign`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use time::OffsetDateTime;

use kyso::crypto::{load_certificates, PrivateKey};
use kyso::sign::{sign_file, DocMdpPermission, FieldLockSpec, SignOptions, SubFilter};
use kyso::signer::SoftwareSigner;

use crate::output::{parse_time, Failure};

/// Sign a PDF by incremental update (PAdES B-B by default).
#[derive(clap::Args)]
pub struct SignArgs {
    /// Private key: PKCS#8, PKCS#1 RSA or SEC1 EC, PEM or DER.
    #[arg(long)]
    key: PathBuf,
    /// Signer's certificate, PEM or DER.
    #[arg(long)]
    cert: PathBuf,
    /// Intermediate certificates to embed (PEM, several allowed in one file).
    #[arg(long)]
    chain: Option<PathBuf>,
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
    /// The PDF to sign (never modified).
    input: PathBuf,
    /// Where to write the signed PDF.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// ETSI.CAdES.detached (PAdES baseline B-B).
    Pades,
    /// adbe.pkcs7.detached.
    Pkcs7,
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

/// Loads the key and certificates, naming the file at fault in any error.
fn load_signer(a: &SignArgs) -> Result<SoftwareSigner, Failure> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| Failure::at(p, e));
    let key = PrivateKey::from_pem_or_der(&read(&a.key)?).map_err(|e| Failure::at(&a.key, e))?;
    let mut certs = load_certificates(&read(&a.cert)?)
        .map_err(|e| Failure::at(&a.cert, e))?
        .into_iter();
    let certificate = certs
        .next()
        .ok_or_else(|| Failure::at(&a.cert, "no certificate found"))?;
    let mut chain: Vec<Vec<u8>> = certs.collect();
    if let Some(path) = &a.chain {
        chain.extend(load_certificates(&read(path)?).map_err(|e| Failure::at(path, e))?);
    }
    SoftwareSigner::new(key, certificate, chain).map_err(|e| {
        Failure::at(
            &a.key,
            format_args!("{e} (certificate {})", a.cert.display()),
        )
    })
}

pub fn run(a: SignArgs) -> Result<ExitCode, Failure> {
    let signer = load_signer(&a)?;
    let mut opts = SignOptions::new().page(a.page).sub_filter(match a.format {
        Format::Pades => SubFilter::Pades,
        Format::Pkcs7 => SubFilter::Pkcs7Detached,
    });
    opts.field_name = a.field;
    opts.reason = a.reason;
    opts.location = a.location;
    opts.contact_info = a.contact;
    opts.name = a.name;
    opts.signing_time = a.time;
    opts.certify = a.certify.map(|c| match c {
        Certify::P1 => DocMdpPermission::NoChanges,
        Certify::P2 => DocMdpPermission::FormFilling,
        Certify::P3 => DocMdpPermission::Annotations,
    });
    opts.lock_fields = a.lock_fields.as_deref().map(lock_spec);
    sign_file(&a.input, &a.output, &signer, &opts).map_err(|e| Failure::about(&a.input, e))?;
    eprintln!("signed {} -> {}", a.input.display(), a.output.display());
    Ok(ExitCode::SUCCESS)
}
