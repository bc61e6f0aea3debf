//! RFC 5280 §6.1 basic path processing of one candidate path, and the purpose checks on its
//! target. Signatures and name chaining are established while the path is built (see
//! [`super::build`]); everything else about the certificates is checked here.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use super::super::cert::{Certificate, NameConstraints};
use super::super::extensions::check_extensions;
use super::super::options::{
    AnchorValidity, EkuPolicy, PolicySettings, Purpose, EKU_TIME_STAMPING,
};
use super::super::trust::TrustAnchor;
use super::name_constraints::{self, NameViolation};
use super::policy::{PolicyError, PolicyTree};
use crate::report::text::rfc3339;
use crate::report::DetailLabel as L;
use crate::report::{Code, Finding};

/// What §6.1 processing yields for a valid path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Processed {
    /// The authority policies valid for the user (§6.1.6); empty when explicit policy was not
    /// required and the policy tree is NULL.
    pub policies: BTreeSet<String>,
}

/// How messages name certificate `i` (1-based from the anchor side) of a path of `n`.
pub(crate) fn position(i: usize, n: usize) -> String {
    if i == n {
        "the end-entity certificate".to_string()
    } else {
        format!("intermediate certificate {i}")
    }
}

/// Runs §6.1.2–§6.1.5 over `path` (target first, anchor last) at `time`. Returns the problems
/// found (empty when the path is valid) and what the processing produced.
pub(crate) fn process(
    path: &[Certificate],
    settings: &PolicySettings,
    time: OffsetDateTime,
) -> (Vec<Finding>, Processed) {
    // Certificates 1..=n, anchor excluded, from the anchor side.
    let certs: Vec<&Certificate> = path
        .iter()
        .take(path.len().saturating_sub(1))
        .rev()
        .collect();
    let n = certs.len();
    let mut state = State::initial(n, settings);
    if n > 0 {
        if let Some(anchor) = path.last() {
            state.anchor_constraints(anchor);
        }
    }
    for (idx, cert) in certs.iter().enumerate() {
        let at = InPath::new(cert, idx + 1, n);
        state.basic(&at, time);
        if at.is_last {
            break;
        }
        state.prepare_next(&at);
    }
    state.wrap_up(certs.last().copied(), settings, n)
}

/// Certificate `i` of a path of `n`, with the names the messages give it.
struct InPath<'a> {
    cert: &'a Certificate,
    /// "intermediate certificate i" or "the end-entity certificate".
    who: String,
    /// The certificate's label.
    subject: String,
    /// The target (certificate n).
    is_last: bool,
}

impl<'a> InPath<'a> {
    fn new(cert: &'a Certificate, i: usize, n: usize) -> Self {
        InPath {
            cert,
            who: position(i, n),
            subject: cert.label(),
            is_last: i == n,
        }
    }

    /// `who ("subject")`, how most messages begin.
    fn named(&self) -> String {
        format!("{} (\"{}\")", self.who, self.subject)
    }

    /// A finding about this certificate (its label as the `Certificate` detail).
    fn finding(&self, code: Code, message: String) -> Finding {
        Finding::new(code, message).detail(L::Certificate, &self.subject)
    }
}

/// The §6.1.2 state variables, carried from one certificate to the next, and the problems
/// found so far.
struct State {
    problems: Vec<Finding>,
    /// `valid_policy_tree`.
    tree: PolicyTree,
    /// The tree grew too large or was refused: no more policy processing.
    tree_failed: bool,
    explicit_policy: usize,
    inhibit_any: usize,
    policy_mapping: usize,
    max_path_length: usize,
    /// The name constraints of the CAs so far (`permitted_subtrees`, `excluded_subtrees`).
    constraints: Vec<NameConstraints>,
    /// Name comparisons left for the path ([`name_constraints::MAX_NAME_COMPARISONS`]).
    name_budget: usize,
}

impl State {
    /// §6.1.2: initialisation for a path of `n` certificates.
    fn initial(n: usize, settings: &PolicySettings) -> Self {
        let initial = |inhibit: bool| if inhibit { 0 } else { n + 1 };
        State {
            problems: Vec::new(),
            tree: PolicyTree::new(),
            tree_failed: false,
            explicit_policy: initial(settings.initial_explicit_policy),
            inhibit_any: initial(settings.initial_any_policy_inhibit),
            policy_mapping: initial(settings.initial_policy_mapping_inhibit),
            max_path_length: n,
            constraints: Vec::new(),
            name_budget: name_constraints::MAX_NAME_COMPARISONS,
        }
    }

    /// RFC 5937 §2 (as OpenSSL, Go and rustls-webpki apply it): a certificate anchor's name
    /// constraints constrain every certificate of the path, and its pathLenConstraint limits
    /// the intermediates below it.
    fn anchor_constraints(&mut self, anchor: &Certificate) {
        if let Some(nc) = anchor.name_constraints() {
            self.constraints.push(nc.clone());
        }
        if let Some((_, Some(len))) = anchor.basic_constraints() {
            self.max_path_length = self.max_path_length.min(len as usize);
        }
    }

    /// §6.1.3: basic certificate processing of certificate `at`.
    fn basic(&mut self, at: &InPath<'_>, time: OffsetDateTime) {
        self.validity(at, time);
        // (b), (c): name constraints, for the target and non-self-issued CAs.
        if at.is_last || !at.cert.is_self_issued() {
            if let Some(f) = name_violation(at, &self.constraints, &mut self.name_budget) {
                self.problems.push(f);
            }
        }
        self.policies(at);
        // Extensions: duplicates, unknown critical ones, criticality (§6.1.4 (o)).
        self.problems.extend(check_extensions(at.cert, &at.named()));
    }

    /// §6.1.3 (a)(2): the validity period contains `time`.
    fn validity(&mut self, at: &InPath<'_>, time: OffsetDateTime) {
        let (named, cert) = (at.named(), at.cert);
        if time < cert.not_before() {
            let shown = rfc3339(cert.not_before());
            self.problems.push(
                at.finding(
                    Code::ChainCertificateNotYetValid,
                    format!("{named} is not valid before {shown}"),
                )
                .detail(L::NotBefore, shown),
            );
        }
        if time > cert.not_after() {
            let shown = rfc3339(cert.not_after());
            self.problems.push(
                at.finding(
                    Code::ChainCertificateExpired,
                    format!("{named} expired on {shown}"),
                )
                .detail(L::NotAfter, shown),
            );
        }
    }

    /// §6.1.3 (d)–(f): the certificate policies of `at` applied to the policy tree.
    fn policies(&mut self, at: &InPath<'_>) {
        if self.tree_failed {
            return;
        }
        match at.cert.policies() {
            Some(policies) => {
                let any_allowed = self.inhibit_any > 0 || (!at.is_last && at.cert.is_self_issued());
                if let Err(PolicyError::TooLarge) =
                    self.tree.process_certificate(policies, any_allowed)
                {
                    self.tree_failed = true;
                    self.problems.push(policy_too_large(&at.who));
                }
            }
            None => self.tree.set_null(),
        }
        if self.explicit_policy == 0 && self.tree.is_null() {
            self.tree_failed = true;
            self.problems.push(at.finding(
                Code::ChainPolicy,
                format!(
                    "there is no valid set of policies for {} (\"{}\")",
                    at.who, at.subject
                ),
            ));
        }
    }

    /// §6.1.4: preparation for the certificate after `at` (a CA).
    fn prepare_next(&mut self, at: &InPath<'_>) {
        let cert = at.cert;
        self.policy_mappings(at);
        // (g) name constraints.
        if let Some(nc) = cert.name_constraints() {
            self.constraints.push(nc.clone());
        }
        // (h) counters.
        if !cert.is_self_issued() {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            self.policy_mapping = self.policy_mapping.saturating_sub(1);
            self.inhibit_any = self.inhibit_any.saturating_sub(1);
        }
        // (i), (j)
        if let Some(r) = cert.require_explicit_policy() {
            self.explicit_policy = self.explicit_policy.min(r as usize);
        }
        if let Some(m) = cert.inhibit_policy_mapping() {
            self.policy_mapping = self.policy_mapping.min(m as usize);
        }
        if let Some(s) = cert.inhibit_any_policy() {
            self.inhibit_any = self.inhibit_any.min(s as usize);
        }
        self.issuer(at);
    }

    /// §6.1.4 (a), (b): policy mappings (none to or from anyPolicy).
    fn policy_mappings(&mut self, at: &InPath<'_>) {
        let mappings = at.cert.policy_mappings();
        if mappings
            .iter()
            .any(|(a, b)| a == super::policy::ANY_POLICY || b == super::policy::ANY_POLICY)
        {
            self.problems.push(
                at.finding(
                    Code::ChainPolicy,
                    format!("{} maps a policy to or from anyPolicy", at.named()),
                )
                .remark("ánh xạ chính sách đến hoặc từ anyPolicy"),
            );
            self.tree_failed = true;
        } else if !self.tree_failed {
            if let Err(PolicyError::TooLarge) =
                self.tree.apply_mappings(mappings, self.policy_mapping > 0)
            {
                self.tree_failed = true;
                self.problems.push(policy_too_large(&at.who));
            }
        }
    }

    /// §6.1.4 (k)–(n): `at` may issue certificates: a CA, within the path length, with
    /// keyCertSign.
    fn issuer(&mut self, at: &InPath<'_>) {
        let (named, cert) = (at.named(), at.cert);
        // (k) a CA.
        if !cert.is_ca() {
            let ca = if cert.basic_constraints().is_some() {
                "false"
            } else {
                "absent"
            };
            self.problems.push(
                at.finding(
                    Code::ChainIssuerNotCa,
                    format!(
                        "{named} issues certificates but is not a CA (basicConstraints cA is \
                         {ca})"
                    ),
                )
                .remark("basicConstraints không cho phép"),
            );
        }
        // (l), (m) path length.
        if !cert.is_self_issued() {
            if self.max_path_length == 0 {
                self.problems.push(at.finding(
                    Code::ChainPathLength,
                    format!("{named} exceeds the maximum path length an issuing CA allows"),
                ));
            }
            self.max_path_length = self.max_path_length.saturating_sub(1);
        }
        if let Some((_, Some(len))) = cert.basic_constraints() {
            self.max_path_length = self.max_path_length.min(len as usize);
        }
        // (n) keyCertSign.
        if cert.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
            self.problems.push(
                at.finding(
                    Code::ChainIssuerNotCa,
                    format!(
                        "{named} is not allowed to sign certificates (keyUsage lacks \
                         keyCertSign)"
                    ),
                )
                .remark("keyUsage thiếu keyCertSign"),
            );
        }
    }

    /// §6.1.5: wrap-up after the target, the last of `n` certificates: the user's policies.
    fn wrap_up(
        mut self,
        target: Option<&Certificate>,
        settings: &PolicySettings,
        n: usize,
    ) -> (Vec<Finding>, Processed) {
        let mut processed = Processed::default();
        if self.tree_failed {
            return (self.problems, processed);
        }
        // (a), (b)
        if let Some(target) = target {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            if target.require_explicit_policy() == Some(0) {
                self.explicit_policy = 0;
            }
        }
        // (g): the intersection with the user's initial policy set.
        let user = settings.initial_policy_set.as_deref();
        match self.tree.intersect(user) {
            Some(set) => processed.policies = set,
            None if self.explicit_policy > 0 => {}
            None => self.problems.push(
                Finding::new(
                    Code::ChainPolicy,
                    format!(
                        "there is no valid set of policies for {}{}",
                        position(n, n),
                        match user {
                            Some(u) => format!(" within the acceptable policies {}", u.join(", ")),
                            None => String::new(),
                        }
                    ),
                )
                .detail(L::Policy, user.map(|u| u.join(", ")).unwrap_or_default()),
            ),
        }
        (self.problems, processed)
    }
}

/// §6.1.3 (b), (c): the names of `at` against the constraints of the CAs above it.
fn name_violation(
    at: &InPath<'_>,
    constraints: &[NameConstraints],
    budget: &mut usize,
) -> Option<Finding> {
    let named = at.named();
    let (message, remark, name) = match name_constraints::check(at.cert, constraints, budget) {
        Ok(()) => return None,
        Err(NameViolation::BudgetExhausted(cost)) => {
            return Some(
                at.finding(
                    Code::ChainBudgetExhausted,
                    format!(
                        "{named}: checking its names against the name constraints above it \
                         would take {cost} comparisons, more than the {} a path may spend; \
                         the path is refused",
                        name_constraints::MAX_NAME_COMPARISONS
                    ),
                )
                .remark("kiểm tra ràng buộc tên vượt quá giới hạn; chuỗi bị từ chối")
                .detail(L::Limit, name_constraints::MAX_NAME_COMPARISONS),
            )
        }
        Err(NameViolation::NotPermitted(name)) => (
            format!("{named}: {name} is outside the permitted names of an issuing CA"),
            "tên nằm ngoài phạm vi được phép",
            name,
        ),
        Err(NameViolation::Excluded(name)) => (
            format!("{named}: {name} is excluded by an issuing CA"),
            "tên bị loại trừ",
            name,
        ),
        Err(NameViolation::Malformed(name)) => (
            format!(
                "{named}: {name} is not valid syntax for its name form, so it cannot be checked \
                 against the name constraints of an issuing CA (RFC 5280 §4.2.1.10)"
            ),
            "tên hoặc ràng buộc tên sai cú pháp; không thể kiểm tra",
            name,
        ),
        Err(NameViolation::Unsupported(name)) => (
            format!(
                "{named}: {name} is constrained by an issuing CA in a name form kyso cannot check"
            ),
            "dạng tên mà kyso không kiểm tra được",
            name,
        ),
    };
    Some(
        at.finding(Code::ChainNameConstraints, message)
            .remark(remark)
            .detail(L::Name, &name),
    )
}

fn policy_too_large(who: &str) -> Finding {
    Finding::new(
        Code::ChainPolicy,
        format!(
            "the certificate policy tree grew past {} nodes at {who}; the path is refused",
            super::policy::MAX_NODES
        ),
    )
    .remark("cây chính sách chứng thư vượt quá giới hạn; chuỗi bị từ chối")
    .detail(L::Limit, super::policy::MAX_NODES)
}

/// The trust anchor's own contents (RFC 5937 §2): its validity at the path's time (see
/// [`AnchorValidity`]; an archival anchor is exempt), and when it issued the next certificate
/// of the path (`path_len` > 1), that it is a CA (basicConstraints cA, or a version 1
/// certificate, which has no extensions: a legacy root) allowed to sign certificates (keyUsage keyCertSign
/// when present); its extensions are checked as any certificate's (unknown critical ones
/// fail, RFC 5280 §4.2).
pub(crate) fn check_anchor(
    anchor: &TrustAnchor,
    path_len: usize,
    time: OffsetDateTime,
    validity: AnchorValidity,
) -> Vec<Finding> {
    let cert = &anchor.certificate;
    let named = format!("the trust anchor (\"{}\")", cert.label());
    let mut problems = check_extensions(cert, &named);
    let outside = if time < cert.not_before() {
        Some((
            Code::ChainCertificateNotYetValid,
            format!("{named} is not valid before {}", rfc3339(cert.not_before())),
            L::NotBefore,
            rfc3339(cert.not_before()),
        ))
    } else if time > cert.not_after() {
        Some((
            Code::ChainCertificateExpired,
            format!("{named} expired on {}", rfc3339(cert.not_after())),
            L::NotAfter,
            rfc3339(cert.not_after()),
        ))
    } else {
        None
    };
    if let Some((code, message, label, shown)) = outside {
        if anchor.archival_until.is_none() {
            let finding = match validity {
                AnchorValidity::Report => Finding::new(Code::ChainAnchorExpired, message).remark(
                    "chứng thư số gốc nằm ngoài thời hạn hiệu lực; chính sách vẫn chấp nhận",
                ),
                _ => Finding::new(code, message),
            };
            problems.push(finding.detail(L::Anchor, cert.label()).detail(label, shown));
        }
    }
    if path_len > 1 {
        let ca = match cert.basic_constraints() {
            Some((true, _)) => None,
            Some((false, _)) => Some("basicConstraints cA is false"),
            None if cert.version() == 0 => None,
            None => Some("it has no basicConstraints extension"),
        };
        if let Some(why) = ca {
            problems.push(
                Finding::new(
                    Code::ChainIssuerNotCa,
                    format!("{named} issues certificates but is not a CA ({why})"),
                )
                .remark("chứng thư số gốc không phải CA")
                .detail(L::Anchor, cert.label()),
            );
        }
        if cert.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
            problems.push(
                Finding::new(
                    Code::ChainIssuerNotCa,
                    format!(
                        "{named} is not allowed to sign certificates (keyUsage lacks keyCertSign)"
                    ),
                )
                .remark("keyUsage của chứng thư số gốc thiếu keyCertSign")
                .detail(L::Anchor, cert.label()),
            );
        }
    }
    problems
}

/// An archival anchor's limit: it ends a path only for a signature whose existence a
/// timestamp proves before its cut-off ([`TrustAnchor::archival_until`]). A validation time
/// alone (`--at`) is a claim, not a proof of existence, and never satisfies it.
pub(crate) fn check_archival(anchor: &TrustAnchor, time: &super::ValidationTime) -> Vec<Finding> {
    let Some(until) = anchor.archival_until else {
        return Vec::new();
    };
    let cutoff = crate::report::text::rfc3339(until);
    let finding = |message: String, remark: &'static str| {
        Finding::new(Code::ChainAnchorArchival, message)
            .remark(remark)
            .detail(L::Anchor, anchor.certificate.label())
            .detail(L::Time, &cutoff)
    };
    match time.proven_signing_time {
        Some(proven) if proven < until => Vec::new(),
        Some(proven) => vec![finding(
            format!(
                "trust anchor \"{}\" is kept for archival validation only: it proves signatures \
                 whose existence is proven before {cutoff}, and this one is proven at {}",
                anchor.certificate.label(),
                crate::report::text::rfc3339(proven)
            ),
            "chứng thư số gốc chỉ dùng để kiểm tra chữ ký lưu trữ có dấu thời gian trước thời \
             điểm giới hạn; chữ ký này có dấu thời gian sau thời điểm đó",
        )],
        None => vec![finding(
            format!(
                "trust anchor \"{}\" is kept for archival validation only: it proves signatures \
                 whose existence a timestamp proves before {cutoff}, and this one has no \
                 such timestamp",
                anchor.certificate.label()
            ),
            "chứng thư số gốc chỉ dùng để kiểm tra chữ ký lưu trữ có dấu thời gian trước thời \
             điểm giới hạn; chữ ký này không có dấu thời gian chứng minh",
        )],
    }
}

/// The target's fitness for `purpose`, and the anchor's permission for it.
pub(crate) fn check_purpose(
    target: &Certificate,
    anchor: &TrustAnchor,
    purpose: Purpose,
    eku: &EkuPolicy,
) -> Vec<Finding> {
    let mut problems = Vec::new();
    let who = format!("\"{}\"", target.label());
    if !anchor.allows(purpose) {
        problems.push(
            Finding::new(
                Code::ChainAnchorPurpose,
                format!(
                    "trust anchor \"{}\" is not trusted for {}",
                    anchor.certificate.label(),
                    purpose.as_str()
                ),
            )
            .detail(L::Anchor, anchor.certificate.label())
            .detail(L::Purpose, purpose.as_str()),
        );
    }
    let signs = |p: &mut Vec<Finding>| {
        if let Some(ku) = target.key_usage() {
            if !ku.digital_signature() && !ku.non_repudiation() {
                p.push(
                    Finding::new(
                        Code::ChainSignerKeyUsage,
                        format!(
                            "the key usage of {who} allows neither digitalSignature nor \
                         nonRepudiation"
                        ),
                    )
                    .detail(L::Certificate, target.label()),
                );
            }
        }
    };
    match purpose {
        Purpose::Any => {}
        Purpose::DocumentSigning => {
            signs(&mut problems);
            match target.extended_key_usage() {
                None if !eku.allow_absent => problems.push(
                    Finding::new(
                        Code::ChainExtendedKeyUsage,
                        format!("{who} has no extended key usage and the policy requires one"),
                    )
                    .remark("chứng thư số không có mục đích sử dụng mở rộng mà chính sách yêu cầu")
                    .detail(L::Certificate, target.label()),
                ),
                None => {}
                Some(list) if !list.iter().any(|o| eku.accepted.contains(o)) => problems.push(
                    Finding::new(
                        Code::ChainExtendedKeyUsage,
                        format!(
                            "the extended key usages of {who} ({}) include none accepted for \
                             document signing",
                            list.join(", ")
                        ),
                    )
                    .detail(L::Certificate, target.label())
                    .detail(L::Usage, list.join(", ")),
                ),
                Some(_) => {}
            }
        }
        Purpose::Timestamping => {
            signs(&mut problems);
            let critical = target
                .extensions()
                .iter()
                .any(|e| e.oid == "2.5.29.37" && e.critical);
            match target.extended_key_usage() {
                Some([only]) if only == EKU_TIME_STAMPING && critical => {}
                _ => problems.push(
                    Finding::new(
                        Code::ChainExtendedKeyUsage,
                        format!(
                            "{who} is not a timestamping certificate: RFC 3161 §2.3 requires a \
                         critical extended key usage holding id-kp-timeStamping alone"
                        ),
                    )
                    .remark("không phải chứng thư số cấp dấu thời gian (RFC 3161 §2.3)")
                    .detail(L::Certificate, target.label()),
                ),
            }
        }
        Purpose::CrlSigning => {
            if let Some(ku) = target.key_usage() {
                if !ku.crl_sign() {
                    problems.push(
                        Finding::new(
                            Code::RevocationSignerNotAuthorized,
                            format!("{who} signs a CRL but its key usage lacks cRLSign"),
                        )
                        .remark("bên ký CRL thiếu quyền cRLSign")
                        .detail(L::Certificate, target.label()),
                    );
                }
            }
        }
    }
    problems
}
