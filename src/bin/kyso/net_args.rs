//! What `--online` may reach and spend: the network policy's allow-lists and the
//! per-document network budget. One small struct, flattened next to each `--online` flag
//! (`verify`, `cert verify`, `ltv`, `sign`).

use std::time::Duration;

use kyso::pki::{FetchScope, NetworkBudget, RevocationPolicy, SharedFetcher};

use crate::output::Failure;

/// Network policy and budget for `--online`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct NetArgs {
    /// With --online: also fetch from this host (name or address, optionally :PORT) even
    /// when it is or resolves to a loopback, private or other non-public address; for the
    /// deployer's own responders (repeatable).
    #[arg(long, value_name = "HOST[:PORT]", help_heading = "Network (--online)")]
    pub allow_host: Vec<String>,
    /// With --online: also fetch from addresses in this network, in CIDR notation (e.g.
    /// 10.20.0.0/16, 127.0.0.1/32, fd00::/8) (repeatable).
    #[arg(long, value_name = "CIDR", help_heading = "Network (--online)")]
    pub allow_net: Vec<String>,
    /// With --online: never fetch issuer certificates from caIssuers URLs, so that only the
    /// URLs of certificates on a path to a trust anchor are asked (intermediates must be in
    /// the document or given with --intermediate).
    #[arg(long, help_heading = "Network (--online)")]
    pub no_fetch_issuers: bool,
    /// With --online: most fetches per document [default: 16].
    #[arg(long, value_name = "N", help_heading = "Network (--online)")]
    pub max_fetches: Option<usize>,
    /// With --online: most seconds spent fetching per document [default: 30].
    #[arg(long, value_name = "SECONDS", help_heading = "Network (--online)")]
    pub max_network_seconds: Option<u64>,
    /// With --online: most MiB received per document [default: 32].
    #[arg(long, value_name = "MIB", help_heading = "Network (--online)")]
    pub max_network_mib: Option<u64>,
}

impl NetArgs {
    fn any(&self) -> bool {
        !self.allow_host.is_empty()
            || !self.allow_net.is_empty()
            || self.no_fetch_issuers
            || self.max_fetches.is_some()
            || self.max_network_seconds.is_some()
            || self.max_network_mib.is_some()
    }

    /// Refuses network options given without `--online` (they would do nothing).
    pub fn check(&self, online: bool) -> Result<(), Failure> {
        if !online && self.any() {
            return Err(Failure(
                "--allow-host, --allow-net, --no-fetch-issuers and --max-fetches/--max-network-* \
                 only apply with --online"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The per-document network budget.
    pub fn budget(&self) -> NetworkBudget {
        let d = NetworkBudget::default();
        NetworkBudget::new(
            self.max_fetches.unwrap_or(d.max_fetches),
            self.max_network_seconds
                .map_or(d.max_time, Duration::from_secs),
            self.max_network_mib
                .map_or(d.max_bytes, |m| m.saturating_mul(1 << 20)),
        )
    }

    /// What path validation may fetch.
    pub fn fetch_scope(&self) -> FetchScope {
        if self.no_fetch_issuers {
            FetchScope::RevocationOnly
        } else {
            FetchScope::IssuersAndRevocation
        }
    }

    /// Sets what path validation may fetch.
    pub fn apply(&self, policy: &mut RevocationPolicy) {
        policy.fetch_scope = self.fetch_scope();
    }

    /// The HTTP fetcher under the policy these options describe, when `online`.
    pub fn fetcher(&self, online: bool) -> Result<Option<SharedFetcher>, Failure> {
        self.check(online)?;
        if !online {
            return Ok(None);
        }
        self.http_fetcher().map(Some)
    }

    #[cfg(feature = "online")]
    fn http_fetcher(&self) -> Result<SharedFetcher, Failure> {
        let mut policy = kyso::net::NetworkPolicy::default();
        for h in &self.allow_host {
            policy = policy
                .allow_host(h)
                .map_err(|e| Failure(format!("--allow-host: {e}")))?;
        }
        for n in &self.allow_net {
            policy = policy
                .allow_net(n)
                .map_err(|e| Failure(format!("--allow-net: {e}")))?;
        }
        Ok(SharedFetcher(std::sync::Arc::new(
            kyso::net::HttpFetcher::default().with_policy(policy),
        )))
    }

    #[cfg(not(feature = "online"))]
    fn http_fetcher(&self) -> Result<SharedFetcher, Failure> {
        Err(Failure(
            "--online needs a kyso built with the `online` feature".into(),
        ))
    }
}
