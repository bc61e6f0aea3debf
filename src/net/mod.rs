//! Network access (feature `online`): an HTTP [`Fetcher`] for CRL distribution points, OCSP
//! responders and caIssuers URLs, under a [`NetworkPolicy`].
//!
//! The URLs come from certificates inside documents anyone can submit, and a verification
//! service that fetches them must not become a way into its own network (server-side request
//! forgery). So every fetch goes through one policy:
//!
//! - **`http:` only.** Revocation data and issuer certificates are signed objects, published
//!   over HTTP by convention (RFC 5280 §4.2.1.13, RFC 6960 Appendix A), so TLS adds no
//!   security here and kyso carries no TLS stack (`https:` is refused with that reason). No
//!   user information in URLs; URLs two parsers could read differently are refused
//!   ([`url`](self) reading).
//! - **Public addresses only, unless allowed.** A host is resolved by kyso, every address is
//!   judged ([`classify`]: loopback, private, link-local, unique-local, multicast, reserved …
//!   are refused), and the connection goes to the judged address, never through a second
//!   lookup or a proxy, so DNS rebinding cannot slip in between. Numeric host forms
//!   (`2130706433`, `0x7f000001`, `0177.0.0.1`, `[::ffff:127.0.0.1]`) are the address they
//!   denote. The deployer's own responders are allowed by host or network.
//! - **Redirects re-judged.** At most [`NetworkPolicy::max_redirects`], each hop through the
//!   same checks; a POST (OCSP) follows only 307/308 and is never repeated as a GET.
//! - **Bounded.** A connect timeout, an overall timeout per fetch (redirects and the whole
//!   answer included), a size cap; within a verification, also the remaining network budget
//!   ([`crate::pki::NetworkBudget`]).
//!
//! Environment proxies (`http_proxy`) are not used: a proxy would resolve names itself,
//! beyond the policy's reach. Nothing in kyso fetches unless the caller asks for it
//! (`revocation.online` in the validation policy and a fetcher in the options).
//!
//! Timestamp authorities ([`crate::tsp::http`]) are not fetched through this policy: their
//! URL is the operator's own configuration, never the document's.

mod policy;
mod url;

use std::time::{Duration, Instant};

pub use crate::pki::{BudgetLimit, MeteredFetcher, NetworkBudget, NetworkMeter, NetworkUsage};
pub use policy::{
    classify, AddressClass, AllowedHost, IpNet, NetworkPolicy, PolicyError, PublicAddresses,
};

use crate::pki::{FetchError, FetchLimits, Fetcher};
use policy::Refusal;
use url::HttpUrl;

/// Reads `url` as kyso reads every URL before it fetches it — strictly, refusing what two
/// URL readers could read differently (user information, backslashes, encoded or
/// non-ASCII hosts, ...) and reading numeric hosts as the address they denote — without
/// resolving or connecting: the URL written back normalised (`http://127.0.0.1/` for
/// `http://0x7f000001/`), or why it is refused. The address policy is applied separately,
/// after resolution, when fetching.
///
/// ```
/// assert_eq!(kyso::net::read_url("http://0x7f000001/ocsp").unwrap(), "http://127.0.0.1/ocsp");
/// assert!(kyso::net::read_url("http://user@ca.example/crl").is_err());
/// ```
pub fn read_url(url: &str) -> Result<String, String> {
    HttpUrl::parse(url).map(|u| u.display())
}

/// An HTTP fetcher with timeouts, size limits and a [`NetworkPolicy`].
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    agent: ureq::Agent,
    connect_timeout: Duration,
    timeout: Duration,
    max_bytes: u64,
    policy: NetworkPolicy,
}

/// Defaults: 5 s to connect, 15 s per fetch, 16 MiB per answer, the default
/// [`NetworkPolicy`] (public addresses only, 3 redirects).
impl Default for HttpFetcher {
    fn default() -> Self {
        HttpFetcher::new(Duration::from_secs(5), Duration::from_secs(15), 16 << 20)
    }
}

/// A request to send.
#[derive(Clone, Copy)]
enum Method<'a> {
    Get,
    Post {
        content_type: &'a str,
        body: &'a [u8],
    },
}

impl HttpFetcher {
    /// A fetcher with these limits and the default [`NetworkPolicy`]. `timeout` bounds one
    /// whole fetch: name lookups, connections, redirects and the answer.
    pub fn new(connect_timeout: Duration, timeout: Duration, max_bytes: u64) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(connect_timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpFetcher {
            agent,
            connect_timeout,
            timeout,
            max_bytes,
            policy: NetworkPolicy::default(),
        }
    }

    /// The same fetcher under `policy`.
    pub fn with_policy(mut self, policy: NetworkPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &NetworkPolicy {
        &self.policy
    }

    /// One fetch: every hop judged by the policy, within `limits` and the fetcher's own.
    fn fetch(
        &self,
        url: &str,
        method: Method<'_>,
        limits: FetchLimits,
    ) -> Result<Vec<u8>, FetchError> {
        let started = Instant::now();
        let own = started.checked_add(self.timeout);
        let deadline = match (own, limits.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let max_bytes = limits
            .max_bytes
            .map_or(self.max_bytes, |m| m.min(self.max_bytes));
        let refused = |reason: String| FetchError::Refused {
            url: url.to_string(),
            reason,
        };
        let mut current = HttpUrl::parse(url).map_err(refused)?;
        let mut hops = 0u8;
        loop {
            let left = |d: Option<Instant>| {
                d.map_or(self.timeout, |d| {
                    d.saturating_duration_since(Instant::now())
                })
            };
            let remaining = left(deadline);
            if remaining.is_zero() {
                return Err(FetchError::Transport {
                    url: url.to_string(),
                    reason: "timed out".into(),
                });
            }
            let via = if hops == 0 {
                String::new()
            } else {
                format!(" (redirected to {})", current.display())
            };
            let target = self
                .policy
                .target(&current, remaining.min(self.connect_timeout))
                .map_err(|r| match r {
                    Refusal::Policy(why) => refused(format!("{why}{via}")),
                    Refusal::Unreachable(why) => FetchError::Transport {
                        url: url.to_string(),
                        reason: format!("{why}{via}"),
                    },
                })?;
            let address = format!("http://{}{}", target.addr, current.path);
            let remaining = left(deadline);
            let response = match method {
                Method::Get => self
                    .agent
                    .get(&address)
                    .header("Host", current.host_header())
                    .config()
                    .timeout_global(Some(remaining))
                    .build()
                    .call(),
                Method::Post { content_type, body } => self
                    .agent
                    .post(&address)
                    .header("Host", current.host_header())
                    .header("Content-Type", content_type)
                    .config()
                    .timeout_global(Some(remaining))
                    .build()
                    .send(body),
            };
            let mut response = response.map_err(|e| transport(url, &via, e, remaining))?;
            let status = response.status().as_u16();
            match status {
                200..=299 => {
                    return response
                        .body_mut()
                        .with_config()
                        .limit(max_bytes)
                        .read_to_vec()
                        .map_err(|e| match e {
                            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                                url: url.to_string(),
                                limit: usize::try_from(max_bytes).unwrap_or(usize::MAX),
                            },
                            other => transport(url, &via, other, remaining),
                        });
                }
                301 | 302 | 303 | 307 | 308 => {
                    if matches!(method, Method::Post { .. }) && status < 307 {
                        return Err(FetchError::Redirect {
                            url: url.to_string(),
                            reason: format!(
                                "a POST answered with {status}{via} is not repeated as a GET \
                                 (only 307 and 308 keep the method, RFC 9110 §15.4)"
                            ),
                        });
                    }
                    if hops >= self.policy.max_redirects {
                        return Err(FetchError::Redirect {
                            url: url.to_string(),
                            reason: format!(
                                "more than {} redirect(s){via}",
                                self.policy.max_redirects
                            ),
                        });
                    }
                    let location = response
                        .headers()
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .ok_or_else(|| FetchError::Redirect {
                            url: url.to_string(),
                            reason: format!("a {status} redirect without a location{via}"),
                        })?;
                    current = current.join(location).map_err(|why| {
                        refused(format!("the redirect to {location} is refused: {why}"))
                    })?;
                    hops += 1;
                }
                _ => {
                    return Err(FetchError::Status {
                        url: url.to_string(),
                        status,
                    })
                }
            }
        }
    }
}

fn transport(url: &str, via: &str, e: ureq::Error, allowed: Duration) -> FetchError {
    let reason = match e {
        ureq::Error::Timeout(_) => format!(
            "no complete answer within {:.1} s{via}",
            allowed.as_secs_f64()
        ),
        other => format!("{other}{via}"),
    };
    FetchError::Transport {
        url: url.to_string(),
        reason,
    }
}

impl Fetcher for HttpFetcher {
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.fetch(url, Method::Get, FetchLimits::default())
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, FetchError> {
        self.fetch(
            url,
            Method::Post { content_type, body },
            FetchLimits::default(),
        )
    }

    fn get_within(&self, url: &str, limits: FetchLimits) -> Result<Vec<u8>, FetchError> {
        self.fetch(url, Method::Get, limits)
    }

    fn post_within(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        limits: FetchLimits,
    ) -> Result<Vec<u8>, FetchError> {
        self.fetch(url, Method::Post { content_type, body }, limits)
    }
}
