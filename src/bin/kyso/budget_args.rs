//! The per-document budget of a verification (`kyso::budget::DocumentBudget`) as options.

use std::time::Duration;

use kyso::budget::DocumentBudget;
use kyso::verify::VerifyOptions;

/// Limits on what one document's verification may cost (defaults: 8 GiB decoded, 16 GiB of
/// stream data, 300 s). A document that needs more is reported as not fully examined
/// (budget.document_exhausted) and none of its signatures passes.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct BudgetArgs {
    /// Most bytes decoded from one document's streams in all, e.g. 8G, 512M, 1000000.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help_heading = "Limits per document")]
    max_decoded: Option<u64>,
    /// Most bytes of stream data read, decoded and compared for one document in all.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help_heading = "Limits per document")]
    max_stream_work: Option<u64>,
    /// Most seconds one document's verification may take (0: no deadline).
    #[arg(long, value_name = "SECONDS", help_heading = "Limits per document")]
    deadline: Option<u64>,
}

impl BudgetArgs {
    /// Applies the options given to `opts.document_budget`.
    pub fn apply(&self, opts: &mut VerifyOptions) {
        let mut b: DocumentBudget = opts.document_budget;
        if let Some(n) = self.max_decoded {
            b = b.max_decoded_bytes(n);
        }
        if let Some(n) = self.max_stream_work {
            b = b.max_work_bytes(n);
        }
        if let Some(s) = self.deadline {
            b = b.deadline((s > 0).then(|| Duration::from_secs(s)));
        }
        opts.document_budget = b;
    }
}

/// A size in bytes: digits with an optional binary suffix K, M, G or T (`KiB`… and `KB`…
/// read the same).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 8G, 512M, 1000000)"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("{text:?}: unknown unit (use K, M, G or T)")),
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("4 kb"), Ok(4096));
        assert!(parse_size("x").is_err());
        assert!(parse_size("5Q").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
