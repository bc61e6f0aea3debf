//! `kyso cert verify`: one certificate path, validated with the engine `kyso verify` uses,
//! without a PDF. Also the options both commands share: trust anchors, intermediates,
//! revocation data, revocation mode, online fetching.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use time::OffsetDateTime;

use kyso::asn1::pem::blocks_or_der;
use kyso::pki::{
    certificates_from_pem_or_der, CandidateReport, Certificate, Origin, PathValidator, Purpose,
    RevocationData, RevocationMode, TrustStore, ValidationPolicy, ValidationTime,
};
use kyso::report::text::{rfc3339, safe};
use kyso::report::{
    CertificateInfo, ChainStatus, Finding, Lang, RevocationReport, RevocationStatus, Severity,
};

use crate::output::{emit, Failure};
use crate::verify_args::{LangArg, VerifyOptionArgs};

/// Largest certificate, CRL or OCSP file read.
const MAX_INPUT: u64 = 64 << 20;

/// Certificate commands.
#[derive(clap::Args)]
pub struct CertArgs {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(clap::Subcommand)]
enum CertCommand {
    /// Validate one certificate's path to the trust anchors (exit 0 valid, 1 invalid or
    /// indeterminate, 2 could not process).
    Verify(CertVerifyArgs),
}

/// Trust anchors, extra certificates and revocation data, shared with `kyso verify`.
#[derive(clap::Args, Clone, Default)]
pub struct PkiArgs {
    /// Trust anchors: PEM bundle or DER certificate (repeatable).
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    /// Every certificate file (.pem, .crt, .cer, .der) of a directory is a trust anchor
    /// (repeatable).
    #[arg(long)]
    pub trust_dir: Vec<PathBuf>,
    /// A trust profile (repeatable): a built-in name (vn-gov, vn-public, vn-tsa, vn-all),
    /// whose anchors are read from the trust store (`kyso trust install`), or a trust profile
    /// file. A value spelled exactly like a built-in name is the built-in profile; name a
    /// file of that name as ./vn-gov.
    #[arg(long)]
    pub trust_profile: Vec<PathBuf>,
    /// The trust store the built-in profiles are read from (default: the user's
    /// configuration directory, `$XDG_CONFIG_HOME/kyso/trust` or `~/.config/kyso/trust` on
    /// Linux).
    #[arg(long)]
    pub trust_store: Option<PathBuf>,
    /// Intermediate certificates to build paths with: PEM bundle or DER (repeatable).
    #[arg(long)]
    pub intermediate: Vec<PathBuf>,
    /// CRLs: DER or PEM `X509 CRL` (repeatable).
    #[arg(long)]
    pub crl: Vec<PathBuf>,
    /// OCSP responses, DER (repeatable).
    #[arg(long)]
    pub ocsp: Vec<PathBuf>,
    /// Revocation checking for every certificate of the path: require (no status is a
    /// failure), if-available (default: no status is a warning), off.
    #[arg(long, value_parser = parse_mode)]
    pub revocation: Option<RevocationMode>,
    /// Fetch CRLs, OCSP responses and issuer certificates over HTTP (needs a kyso built with
    /// the `online` feature). Loopback, private and other non-public addresses are refused
    /// unless allowed with --allow-host or --allow-net (SECURITY.md).
    #[arg(long)]
    pub online: bool,
    /// How RFC 5280's certificate profile rules weigh (keyCertSign only in CAs, key
    /// identifiers, serial numbers, SAN syntax, ...): default (each broken rule is a
    /// warning) or strict (each is an error that fails the path).
    #[arg(long, value_parser = parse_profile)]
    pub profile: Option<kyso::pki::CertificateProfile>,
    #[command(flatten)]
    pub net: crate::net_args::NetArgs,
}

fn parse_profile(s: &str) -> Result<kyso::pki::CertificateProfile, String> {
    kyso::pki::CertificateProfile::parse(s).ok_or_else(|| "expected strict or default".into())
}

fn parse_mode(s: &str) -> Result<RevocationMode, String> {
    RevocationMode::parse(s).ok_or_else(|| "expected require, if-available or off".into())
}

fn parse_purpose(s: &str) -> Result<Purpose, String> {
    match Purpose::parse(s) {
        Some(p @ (Purpose::Any | Purpose::DocumentSigning | Purpose::Timestamping)) => Ok(p),
        _ => Err("expected any, document-signing or timestamping".into()),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| Failure::at(path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::at(path, e))?;
    Ok(bytes)
}

/// Certificates of a PEM or DER file.
pub fn load_certificates(path: &Path) -> Result<Vec<Certificate>, Failure> {
    let bytes = read(path)?;
    let ders = certificates_from_pem_or_der(&bytes).map_err(|e| Failure::at(path, e))?;
    ders.iter()
        .map(|d| Certificate::from_der(d).map_err(|e| Failure::at(path, e)))
        .collect()
}

impl PkiArgs {
    /// The trust store the arguments name.
    pub fn trust_store(&self) -> Result<TrustStore, Failure> {
        let mut trust = TrustStore::empty();
        for t in &self.trust {
            trust.add_file(t)?;
        }
        for d in &self.trust_dir {
            trust.add_dir(d)?;
        }
        for p in &self.trust_profile {
            match p.to_str().and_then(kyso::pki::profiles::profile) {
                Some(builtin) => {
                    let store = crate::trust::store_dir(self.trust_store.as_ref())?;
                    kyso::pki::profiles::add_installed(&mut trust, builtin, &store)?;
                }
                None => trust.add_profile(p)?,
            }
        }
        Ok(trust)
    }

    /// The intermediates the arguments name.
    pub fn intermediates(&self) -> Result<Vec<Certificate>, Failure> {
        let mut out = Vec::new();
        for f in &self.intermediate {
            out.extend(load_certificates(f)?);
        }
        Ok(out)
    }

    /// The CRLs and OCSP responses the arguments name.
    pub fn revocation_data(&self) -> Result<RevocationData, Failure> {
        let mut data = RevocationData::new();
        for f in &self.crl {
            let bytes = read(f)?;
            for der in blocks_or_der(&bytes, "X509 CRL") {
                data.add_crl_der(&der, Origin::Caller)
                    .map_err(|e| Failure::at(f, e))?;
            }
        }
        for f in &self.ocsp {
            let bytes = read(f)?;
            data.add_ocsp_der(&bytes, Origin::Caller)
                .map_err(|e| Failure::at(f, e))?;
        }
        Ok(data)
    }

    /// Applies the revocation and network options to `policy`.
    pub fn apply(&self, policy: &mut ValidationPolicy) -> Result<(), Failure> {
        if let Some(mode) = self.revocation {
            policy.revocation.end_entity = mode;
            policy.revocation.intermediates = mode;
        }
        if let Some(profile) = self.profile {
            policy.certificate_profile = profile;
        }
        self.net.check(self.online)?;
        if self.online {
            if !cfg!(feature = "online") {
                return Err(Failure(
                    "--online needs a kyso built with the `online` feature".into(),
                ));
            }
            policy.revocation.online = true;
            self.net.apply(&mut policy.revocation);
        }
        Ok(())
    }

    /// The HTTP fetcher under the network policy, when `--online` was given and kyso has
    /// one.
    pub fn fetcher(&self) -> Result<Option<kyso::pki::SharedFetcher>, Failure> {
        if self.online && !cfg!(feature = "online") {
            return Ok(None);
        }
        self.net.fetcher(self.online)
    }
}

/// `kyso cert verify`.
#[derive(clap::Args)]
pub struct CertVerifyArgs {
    /// The certificate to validate: PEM or DER (the first certificate of the file).
    cert: PathBuf,
    #[command(flatten)]
    verify: VerifyOptionArgs,
    /// What the certificate is for.
    #[arg(long, value_parser = parse_purpose, default_value = "document-signing")]
    purpose: Purpose,
    /// An acceptable certificate policy (user-initial-policy-set; repeatable; default: any).
    #[arg(long)]
    policy: Vec<String>,
    /// initial-explicit-policy: the path must be valid for a policy.
    #[arg(long)]
    require_explicit_policy: bool,
    /// initial-policy-mapping-inhibit.
    #[arg(long)]
    inhibit_policy_mapping: bool,
    /// initial-any-policy-inhibit.
    #[arg(long)]
    inhibit_any_policy: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// Language of the text report.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

/// What `kyso cert verify --json` prints.
#[derive(Serialize)]
pub(crate) struct CertReport {
    pub(crate) status: ChainStatus,
    pub(crate) valid: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) validation_time: OffsetDateTime,
    pub(crate) certificate: CertificateInfo,
    pub(crate) path: Vec<CertificateInfo>,
    pub(crate) anchor: Option<String>,
    pub(crate) revocation: Vec<RevocationReport>,
    pub(crate) policies: Vec<String>,
    pub(crate) candidates: Vec<CandidateReport>,
    pub(crate) findings: Vec<Finding>,
}

pub fn run(a: CertArgs) -> Result<ExitCode, Failure> {
    match a.command {
        CertCommand::Verify(v) => verify(v),
    }
}

fn verify(a: CertVerifyArgs) -> Result<ExitCode, Failure> {
    let target = load_certificates(&a.cert)?
        .into_iter()
        .next()
        .ok_or_else(|| Failure::at(&a.cert, "no certificate"))?;
    let lang: Lang = a.lang.into();
    let pki = &a.verify.pki;
    let trust = pki.trust_store()?;
    let intermediates = pki.intermediates()?;
    let data = pki.revocation_data()?;
    let mut policy = ValidationPolicy::document_signing().with_purpose(a.purpose);
    if !a.policy.is_empty() {
        policy.policies.initial_policy_set = Some(a.policy.clone());
    }
    policy.policies.initial_explicit_policy = a.require_explicit_policy;
    policy.policies.initial_policy_mapping_inhibit = a.inhibit_policy_mapping;
    policy.policies.initial_any_policy_inhibit = a.inhibit_any_policy;
    pki.apply(&mut policy)?;
    // One certificate is one verification: the same network budget as one document.
    let fetcher = pki
        .fetcher()?
        .map(|f| kyso::pki::MeteredFetcher::new(f.0, pki.net.budget()));
    let time = a.verify.time(lang).unwrap_or_else(OffsetDateTime::now_utc);

    let mut validator = PathValidator::new(&trust, &policy);
    if let Some(f) = &fetcher {
        validator = validator.with_fetcher(f);
    }
    let outcome = validator.validate(&target, &intermediates, &data, ValidationTime::at(time));
    let report = CertReport {
        status: outcome.status,
        valid: outcome.is_trusted(),
        validation_time: time,
        certificate: target.info(),
        path: outcome.path.iter().map(Certificate::info).collect(),
        anchor: outcome
            .is_trusted()
            .then(|| outcome.path.last().map(Certificate::label))
            .flatten(),
        revocation: outcome.revocation.clone(),
        policies: outcome.policies.clone(),
        candidates: outcome.candidates.clone(),
        findings: outcome.findings.clone(),
    };
    if a.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ));
    } else {
        emit(&render(&report, lang));
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn render(r: &CertReport, lang: Lang) -> String {
    let mut out = format!(
        "{}: {}\n{} {}\n",
        safe(&r.certificate.subject),
        if r.valid {
            lang.pick("VALID", "HỢP LỆ").to_string()
        } else {
            format!(
                "{} ({})",
                lang.pick("NOT VALID", "KHÔNG HỢP LỆ"),
                format!("{:?}", r.status).to_uppercase()
            )
        },
        lang.pick("validated at", "kiểm tra tại thời điểm"),
        rfc3339(r.validation_time)
    );
    if !r.path.is_empty() {
        out.push_str(lang.pick("path:\n", "chuỗi chứng thư số:\n"));
        for (i, c) in r.path.iter().enumerate() {
            out.push_str(&format!(
                "  {i}. {} ({} {}, {} {} {})\n",
                safe(&c.subject),
                lang.pick("serial", "số hiệu"),
                safe(&c.serial),
                rfc3339(c.not_before),
                lang.pick("to", "đến"),
                rfc3339(c.not_after)
            ));
        }
    }
    for rev in &r.revocation {
        let status = match rev.status {
            RevocationStatus::Good => lang.pick("good", "không bị thu hồi"),
            RevocationStatus::Revoked => lang.pick("REVOKED", "ĐÃ BỊ THU HỒI"),
            RevocationStatus::Unknown => lang.pick("unknown", "không xác định"),
            _ => lang.pick("not checked", "chưa kiểm tra"),
        };
        out.push_str(&format!(
            "{} {}: {status}{}\n",
            lang.pick("revocation of", "tình trạng thu hồi của"),
            safe(&rev.subject),
            if rev.source.is_some() {
                format!(" ({})", safe(&rev.describe_source()))
            } else {
                String::new()
            }
        ));
    }
    if !r.policies.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            lang.pick("policies:", "chính sách:"),
            safe(&r.policies.join(", "))
        ));
    }
    for f in &r.findings {
        let sev = match f.severity {
            Severity::Error => lang.pick("error", "lỗi"),
            Severity::Warning => lang.pick("warning", "cảnh báo"),
            _ => lang.pick("info", "thông tin"),
        };
        out.push_str(&format!("  [{sev}] {}\n", f.text(lang)));
    }
    out
}
