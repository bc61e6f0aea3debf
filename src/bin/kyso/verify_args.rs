//! The options every verifying command shares (`verify`, `verify-file`, `dossier verify`,
//! `cert verify`): trust anchors, intermediates, revocation data and mode, online fetching
//! (`cert::PkiArgs`), the validation time (`--at`), and the language of text reports
//! (`--lang`). One struct, flattened into each command, and one function turning it into
//! [`VerifyOptions`].

use clap::ValueEnum;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use kyso::report::Lang;
use kyso::verify::{Policy, VerifyOptions};

use crate::budget_args::BudgetArgs;
use crate::cert::PkiArgs;
use crate::output::Failure;

/// Trust anchors, extra certificates, revocation data and mode, online fetching
/// ([`PkiArgs`], shared with `cert verify`), and the validation time.
#[derive(clap::Args, Clone, Default)]
pub struct VerifyOptionArgs {
    #[command(flatten)]
    pub pki: PkiArgs,
    /// Validation time: RFC 3339 (2026-11-26T10:00:00+07:00), or a date alone (2030-01-01:
    /// the start of that day in UTC). Default: now.
    #[arg(long, value_parser = parse_at, value_name = "TIME")]
    pub at: Option<At>,
    /// The signature validation policy: `etsi` (the default: ETSI EN 319 102-1's
    /// behaviour), `offline-archive` (the newest timestamp authority's status may come from
    /// embedded data; a key compromise invalidates earlier signatures), `etsi-visual` (the
    /// standard, and each signed revision compared visually as with --visual), or a JSON
    /// policy file (key-compromise rule, revocation freshness per role, the newest authority's
    /// status, dated algorithm constraints, "visual": true: docs/validation-policy.md).
    /// Deviations from the standard are printed on standard error.
    #[arg(long, value_name = "NAME|FILE")]
    pub validation_policy: Option<String>,
    /// Limits on the work one document may cost.
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// `--lang`: the language of text reports and messages.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt.
    Vi,
    /// English.
    #[default]
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

/// A validation time given with `--at`.
#[derive(Clone, Copy, Debug)]
pub struct At {
    /// The instant.
    pub time: OffsetDateTime,
    /// Given as a date alone (the instant is the start of that day in UTC).
    pub date_only: bool,
}

/// Parses `--at`: RFC 3339, or `YYYY-MM-DD` meaning 00:00:00 UTC that day.
pub fn parse_at(s: &str) -> Result<At, String> {
    if let Ok(time) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(At {
            time,
            date_only: false,
        });
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(s, &format) {
        Ok(d) => Ok(At {
            time: d.midnight().assume_utc(),
            date_only: true,
        }),
        Err(_) => Err(
            "expected an RFC 3339 time (2026-11-26T10:00:00+07:00) or a date (2026-11-26)".into(),
        ),
    }
}

impl VerifyOptionArgs {
    /// The options for the library: anchors, intermediates, revocation data and policy,
    /// fetcher under the network policy and budget, validation time. Announces a date-only `--at` on standard error.
    pub fn options(&self, lang: Lang) -> Result<VerifyOptions, Failure> {
        let mut opts = VerifyOptions::new(self.pki.trust_store()?);
        opts.intermediates = self.pki.intermediates()?;
        opts.revocation = self.pki.revocation_data()?;
        self.pki.apply(&mut opts.validation)?;
        opts.fetcher = self.pki.fetcher()?;
        opts.document_budget.network = self.pki.net.budget();
        self.budget.apply(&mut opts);
        if let Some(t) = self.time(lang) {
            opts = opts.validation_time(t);
        }
        if let Some(p) = &self.validation_policy {
            let policy =
                Policy::load(p).map_err(|e| Failure(format!("--validation-policy {p}: {e}")))?;
            let deviations = policy.deviations();
            if !deviations.is_empty() {
                let head = match lang {
                    Lang::Vi => format!(
                        "kyso: chính sách \"{}\" khác tiêu chuẩn ETSI EN 319 102-1 ở:",
                        policy.name
                    ),
                    _ => format!(
                        "kyso: policy \"{}\" departs from ETSI EN 319 102-1 in:",
                        policy.name
                    ),
                };
                eprintln!("{head}");
                for d in &deviations {
                    eprintln!("  - {d}");
                }
            }
            opts = opts.policy(policy);
        }
        Ok(opts)
    }

    /// The validation time given, if any; a date alone is announced on standard error
    /// (`--at 2030-01-01 is read as 2030-01-01T00:00:00Z, the start of that day in UTC`).
    pub fn time(&self, lang: Lang) -> Option<OffsetDateTime> {
        let at = self.at?;
        if at.date_only {
            let t = kyso::report::text::rfc3339(at.time);
            let date = t.get(..10).unwrap_or_default();
            match lang {
                Lang::Vi => {
                    eprintln!("kyso: --at {date} được hiểu là {t}, đầu ngày đó theo giờ UTC")
                }
                _ => eprintln!("kyso: --at {date} is read as {t}, the start of that day in UTC"),
            }
        }
        Some(at.time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_rfc3339_or_a_date() {
        let a = parse_at("2026-11-26T10:00:00+07:00").unwrap();
        assert!(!a.date_only);
        assert_eq!(a.time, time::macros::datetime!(2026-11-26 3:00 UTC));
        let a = parse_at("2030-01-01").unwrap();
        assert!(a.date_only);
        assert_eq!(a.time, time::macros::datetime!(2030-01-01 0:00 UTC));
        for bad in ["2030-13-01", "2030-1-1", "yesterday", "2030-01-01T10:00"] {
            assert!(parse_at(bad).is_err(), "{bad}");
        }
    }
}
