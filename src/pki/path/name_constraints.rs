//! Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c), §6.1.4 (g)).
//!
//! Instead of computing intersections and unions of subtrees, the validator keeps every
//! nameConstraints extension met on the path and checks each later certificate's names
//! against each of them: a name of a form some extension constrains must lie in one of that
//! extension's permitted subtrees of the form, and in none of the excluded subtrees of any
//! extension. That is the same as checking against the intersection.
//!
//! Forms: directoryName (RDN prefix, §7.1 comparison), rfc822Name (mailbox, host, or
//! `.domain`), dNSName (label-wise suffix), uniformResourceIdentifier (the host, as for
//! rfc822Name hosts) and iPAddress (address and mask). A constrained name of another form
//! cannot be checked and fails.
//!
//! Syntax (issue 22, class 2): a name is compared with a subtree only when both are valid
//! for their form — a dNSName of letter-digit-hyphen labels (a SAN may have `*` as its whole
//! leftmost label; a constraint may not, nor a leading period, RFC 5280 §4.2.1.10 "adding
//! zero or more labels to the left-hand side"), an rfc822Name `local@host` (a constraint:
//! a mailbox, a host or `.domain`), a URI constraint host or `.domain`, an iPAddress of 4 or
//! 16 octets and a constraint of 8 or 32 with a contiguous mask. Anything else of a
//! constrained form fails the path ([`NameViolation::Malformed`]) rather than match or miss
//! by accident. The subject's emailAddress attributes are always checked as rfc822Names
//! (with or without a subjectAltName, as OpenSSL does).
//!
//! The work is counted: checking one name against one subtree costs one comparison, and a
//! path may spend at most [`MAX_NAME_COMPARISONS`]. A certificate whose names times the
//! subtrees above it would pass the remaining budget is refused before any comparison (a CA
//! with thousands of subtrees over a certificate with thousands of names ends at once rather
//! than after millions of comparisons).

use super::super::cert::{Certificate, NameConstraints};
use super::super::name::GeneralName;

/// Why a certificate's names are not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameViolation {
    /// The name is outside every permitted subtree of its form.
    NotPermitted(String),
    /// The name is inside an excluded subtree.
    Excluded(String),
    /// The name's form cannot be checked against the constraints.
    Unsupported(String),
    /// The name, or a constraint of its form, is not valid syntax for that form (§4.2.1.6,
    /// §4.2.1.10): it could match by accident, so the path fails.
    Malformed(String),
    /// Checking the names would cost this many comparisons, more than the budget left.
    BudgetExhausted(usize),
}

/// Most comparisons of a name with a subtree the name-constraint checks of one path may
/// make. Real paths need a few hundred at most (a CA with dozens of subtrees, a certificate
/// with a handful of names).
pub const MAX_NAME_COMPARISONS: usize = 250_000;

/// The names of `cert` that constraints apply to: the subject (when not empty), the
/// subjectAltName entries, and the subject's emailAddress attributes as rfc822Names (§4.2.1.10
/// requires them when there is no subjectAltName; kyso checks them always, as OpenSSL does,
/// so that an address hidden in the subject cannot escape an exclusion).
fn constrained_names(cert: &Certificate) -> Vec<GeneralName> {
    let mut names = Vec::new();
    if !cert.subject_name().is_empty() {
        names.push(GeneralName::Directory(
            cert.subject_name().clone(),
            cert.subject().to_string(),
        ));
    }
    if let Some(san) = cert.subject_alt_names() {
        names.extend(san.iter().cloned());
    }
    names.extend(
        cert.emails_in_subject()
            .iter()
            .map(|e| GeneralName::Email(e.clone())),
    );
    names
}

/// Checks `cert` against every constraint set in `sets`, spending from `budget` (the
/// comparisons left for the path) the most this check can cost: its names times the
/// subtrees of `sets`.
pub fn check(
    cert: &Certificate,
    sets: &[NameConstraints],
    budget: &mut usize,
) -> Result<(), NameViolation> {
    if sets.is_empty() {
        return Ok(());
    }
    let names = constrained_names(cert);
    let subtrees = sets.iter().fold(0usize, |n, set| {
        n.saturating_add(set.excluded.len())
            .saturating_add(set.permitted.len())
    });
    let cost = names.len().saturating_mul(subtrees);
    if cost > *budget {
        return Err(NameViolation::BudgetExhausted(cost));
    }
    *budget -= cost;
    for set in sets {
        for name in &names {
            let constrained = set
                .excluded
                .iter()
                .chain(set.permitted.iter())
                .filter(|c| same_form(name, c));
            for c in constrained {
                if !constraint_valid(c) {
                    return Err(NameViolation::Malformed(format!(
                        "the constraint {}",
                        c.describe()
                    )));
                }
                if !name_valid(name) {
                    return Err(NameViolation::Malformed(name.describe()));
                }
            }
            for ex in &set.excluded {
                match within(name, ex) {
                    Some(true) => return Err(NameViolation::Excluded(name.describe())),
                    Some(false) => {}
                    None if same_form(name, ex) => {
                        return Err(NameViolation::Unsupported(name.describe()))
                    }
                    None => {}
                }
            }
            let permitted: Vec<&GeneralName> = set
                .permitted
                .iter()
                .filter(|p| same_form(name, p))
                .collect();
            if permitted.is_empty() {
                continue;
            }
            let mut ok = false;
            for p in permitted {
                match within(name, p) {
                    Some(true) => ok = true,
                    Some(false) => {}
                    None => return Err(NameViolation::Unsupported(name.describe())),
                }
            }
            if !ok {
                return Err(NameViolation::NotPermitted(name.describe()));
            }
        }
    }
    Ok(())
}

fn same_form(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::Other(x), GeneralName::Other(y)) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Whether `name` lies in `subtree`: `None` when the forms differ or cannot be compared.
fn within(name: &GeneralName, subtree: &GeneralName) -> Option<bool> {
    match (name, subtree) {
        (GeneralName::Directory(n, _), GeneralName::Directory(base, _)) => Some(n.is_within(base)),
        (GeneralName::Email(n), GeneralName::Email(c)) => Some(email_within(n, c)),
        (GeneralName::Dns(n), GeneralName::Dns(c)) => Some(dns_within(n, c)),
        (GeneralName::Uri(n), GeneralName::Uri(c)) => {
            Some(uri_host(n).is_some_and(|h| host_within(&h, c)))
        }
        (GeneralName::Ip(n), GeneralName::Ip(c)) => Some(ip_within(n, c)),
        _ => None,
    }
}

/// Whether `name`, as a certificate carries it, is valid syntax for its form.
fn name_valid(name: &GeneralName) -> bool {
    match name {
        GeneralName::Dns(n) => {
            let n = n.strip_prefix("*.").unwrap_or(n);
            dns_syntax(n)
        }
        GeneralName::Email(n) => match n.rsplit_once('@') {
            Some((local, host)) => !local.is_empty() && !local.contains('@') && dns_syntax(host),
            None => false,
        },
        GeneralName::Ip(b) => b.len() == 4 || b.len() == 16,
        _ => true,
    }
}

/// Whether a subtree is valid syntax for its form.
fn constraint_valid(subtree: &GeneralName) -> bool {
    match subtree {
        // Empty: every name (§4.2.1.10 allows it for excluding a whole form).
        GeneralName::Dns(c) => c.is_empty() || dns_syntax(c),
        GeneralName::Email(c) => match c.rsplit_once('@') {
            Some((local, host)) => !local.is_empty() && !local.contains('@') && dns_syntax(host),
            None => dns_syntax(c.strip_prefix('.').unwrap_or(c)),
        },
        GeneralName::Uri(c) => dns_syntax(c.strip_prefix('.').unwrap_or(c)),
        GeneralName::Ip(c) => (c.len() == 8 || c.len() == 32) && contiguous_mask(c),
        _ => true,
    }
}

/// Labels of letters, digits and hyphens (RFC 1034 §3.5 preferred syntax; digits may lead,
/// RFC 1123 §2.1), 1 to 63 octets, not starting or ending with a hyphen; one trailing period
/// allowed; 253 octets at most.
fn dns_syntax(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// An iPAddress constraint's mask (its second half) is ones then zeros.
fn contiguous_mask(constraint: &[u8]) -> bool {
    let mask = constraint.get(constraint.len() / 2..).unwrap_or_default();
    let mut zeros = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let one = byte & (1 << bit) != 0;
            if one && zeros {
                return false;
            }
            zeros |= !one;
        }
    }
    true
}

/// rfc822Name constraints: `user@host` (that mailbox), `host` (every mailbox on the host),
/// `.domain` (every mailbox on a host in the domain).
fn email_within(name: &str, constraint: &str) -> bool {
    let Some((local, host)) = name.rsplit_once('@') else {
        return false;
    };
    if let Some((c_local, c_host)) = constraint.rsplit_once('@') {
        return local == c_local && host.eq_ignore_ascii_case(c_host);
    }
    host_within(host, constraint)
}

/// `constraint` is a host (exact match) or `.domain` (strict subdomains).
fn host_within(host: &str, constraint: &str) -> bool {
    if constraint.starts_with('.') {
        host.len() > constraint.len() && ends_with_ignore_case(host, constraint)
    } else {
        host.eq_ignore_ascii_case(constraint)
    }
}

/// dNSName constraints: the name itself or any name with labels added on the left.
fn dns_within(name: &str, constraint: &str) -> bool {
    let name = name.trim_end_matches('.');
    let constraint = constraint.trim_end_matches('.');
    if constraint.is_empty() {
        return true;
    }
    if name.eq_ignore_ascii_case(constraint) {
        return true;
    }
    name.len() > constraint.len()
        && ends_with_ignore_case(name, constraint)
        && name
            .as_bytes()
            .get(name.len() - constraint.len() - 1)
            .is_some_and(|b| *b == b'.')
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()
            .get(s.len() - suffix.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// The host of a URI with an authority (`scheme://[userinfo@]host[:port]/…`).
fn uri_host(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    if host.is_empty() {
        None
    } else {
        Some(host.to_string())
    }
}

fn ip_within(addr: &[u8], constraint: &[u8]) -> bool {
    let n = addr.len();
    if !(n == 4 || n == 16) || constraint.len() != 2 * n {
        return false;
    }
    let (base, mask) = constraint.split_at(n);
    addr.iter()
        .zip(base.iter().zip(mask.iter()))
        .all(|(a, (b, m))| a & m == b & m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(email_within("a@x.example.com", ".example.com"));
        assert!(!email_within("a@example.com", ".example.com"));
        assert!(email_within("a@Example.com", "example.com"));
        assert!(email_within("a@example.com", "a@example.com"));
        assert!(!email_within("b@example.com", "a@example.com"));
        assert!(dns_within("www.example.com", "example.com"));
        assert!(dns_within("example.com", "example.com"));
        assert!(!dns_within("badexample.com", "example.com"));
        assert_eq!(
            uri_host("http://user@host.example:80/x").as_deref(),
            Some("host.example")
        );
        assert!(ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_within(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0]));
    }

    /// RFC 5280 §4.2.1.10: a dNSName constraint is a name to which labels are added on the
    /// left — no wildcard, no leading period; iPAddress constraints are address and mask, 8
    /// or 32 octets, with a contiguous mask; rfc822Name constraints are a mailbox, a host or
    /// `.domain`.
    #[test]
    fn rfc5280_4_2_1_10_constraint_syntax() {
        let dns = |s: &str| GeneralName::Dns(s.into());
        assert!(constraint_valid(&dns("example.com")));
        assert!(constraint_valid(&dns("")));
        assert!(!constraint_valid(&dns("*.example.com")));
        assert!(!constraint_valid(&dns(".example.com")));
        assert!(!constraint_valid(&dns("exa mple.com")));
        assert!(!constraint_valid(&dns("a..b")));
        let ip = |b: &[u8]| GeneralName::Ip(b.to_vec());
        assert!(constraint_valid(&ip(&[10, 0, 0, 0, 255, 0, 0, 0])));
        assert!(!constraint_valid(&ip(&[10, 0, 0, 0, 255])));
        assert!(!constraint_valid(&ip(&[10, 0, 0, 0, 255, 0, 255, 0])));
        let email = |s: &str| GeneralName::Email(s.into());
        assert!(constraint_valid(&email("a@example.com")));
        assert!(constraint_valid(&email(".example.com")));
        assert!(constraint_valid(&email("example.com")));
        assert!(!constraint_valid(&email("a@@example.com")));
        assert!(!constraint_valid(&email("@example.com")));
        // Names as certificates carry them.
        assert!(name_valid(&dns("*.example.com")));
        assert!(!name_valid(&dns("a.*.example.com")));
        assert!(!name_valid(&dns(".example.com")));
        assert!(!name_valid(&email("no-at-sign.example.com")));
        assert!(!name_valid(&ip(&[10, 0, 0, 0, 1])));
    }
}
