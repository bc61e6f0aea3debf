//! RFC 5280 §6.1 basic path processing of one candidate path, and the purpose checks on its
//! target. Signatures and name chaining are established while the path is built (see
//! [`super::build`]); everything else about the certificates is checked here.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use super::super::cert::{Certificate, NameConstraints};
use super::super::extensions::check_extensions;
use super::super::options::{EkuPolicy, PolicySettings, Purpose, EKU_TIME_STAMPING};
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
    let mut problems = Vec::new();
    // Certificates 1..=n, anchor excluded, from the anchor side.
    let certs: Vec<&Certificate> = path
        .iter()
        .take(path.len().saturating_sub(1))
        .rev()
        .collect();
    let n = certs.len();
    let initial = |inhibit: bool| if inhibit { 0 } else { n + 1 };
    let mut tree = PolicyTree::new();
    let mut explicit_policy = initial(settings.initial_explicit_policy);
    let mut inhibit_any = initial(settings.initial_any_policy_inhibit);
    let mut policy_mapping = initial(settings.initial_policy_mapping_inhibit);
    let mut max_path_length = n;
    let mut constraints: Vec<NameConstraints> = Vec::new();
    let mut tree_failed = false;

    for (idx, cert) in certs.iter().enumerate() {
        let i = idx + 1;
        let who = position(i, n);
        let is_last = i == n;
        let subject = cert.label();

        // §6.1.3 (a)(2): validity.
        if time < cert.not_before() {
            problems.push(
                Finding::new(
                    Code::ChainCertificateNotYetValid,
                    format!(
                        "{who} (\"{subject}\") is not valid before {}",
                        rfc3339(cert.not_before())
                    ),
                )
                .detail(L::Certificate, &subject)
                .detail(L::NotBefore, rfc3339(cert.not_before())),
            );
        }
        if time > cert.not_after() {
            problems.push(
                Finding::new(
                    Code::ChainCertificateExpired,
                    format!(
                        "{who} (\"{subject}\") expired on {}",
                        rfc3339(cert.not_after())
                    ),
                )
                .detail(L::Certificate, &subject)
                .detail(L::NotAfter, rfc3339(cert.not_after())),
            );
        }

        // §6.1.3 (b), (c): name constraints, for the target and non-self-issued CAs.
        if is_last || !cert.is_self_issued() {
            match name_constraints::check(cert, &constraints) {
                Ok(()) => {}
                Err(NameViolation::NotPermitted(name)) => problems.push(
                    Finding::new(
                        Code::ChainNameConstraints,
                        format!(
                            "{who} (\"{subject}\"): {name} is outside the permitted names of an \
                         issuing CA"
                        ),
                    )
                    .remark("tên nằm ngoài phạm vi được phép")
                    .detail(L::Certificate, &subject)
                    .detail(L::Name, &name),
                ),
                Err(NameViolation::Excluded(name)) => problems.push(
                    Finding::new(
                        Code::ChainNameConstraints,
                        format!("{who} (\"{subject}\"): {name} is excluded by an issuing CA"),
                    )
                    .remark("tên bị loại trừ")
                    .detail(L::Certificate, &subject)
                    .detail(L::Name, &name),
                ),
                Err(NameViolation::Unsupported(name)) => problems.push(
                    Finding::new(
                        Code::ChainNameConstraints,
                        format!(
                            "{who} (\"{subject}\"): {name} is constrained by an issuing CA in a \
                         name form kyso cannot check"
                        ),
                    )
                    .remark("dạng tên mà kyso không kiểm tra được")
                    .detail(L::Certificate, &subject)
                    .detail(L::Name, &name),
                ),
            }
        }

        // §6.1.3 (d)–(f): certificate policies.
        if !tree_failed {
            match cert.policies() {
                Some(policies) => {
                    let any_allowed = inhibit_any > 0 || (!is_last && cert.is_self_issued());
                    if let Err(PolicyError::TooLarge) =
                        tree.process_certificate(policies, any_allowed)
                    {
                        tree_failed = true;
                        problems.push(policy_too_large(&who));
                    }
                }
                None => tree.set_null(),
            }
            if explicit_policy == 0 && tree.is_null() {
                tree_failed = true;
                problems.push(
                    Finding::new(
                        Code::ChainPolicy,
                        format!("there is no valid set of policies for {who} (\"{subject}\")"),
                    )
                    .detail(L::Certificate, &subject),
                );
            }
        }

        // Extensions: duplicates, unknown critical ones, criticality (§6.1.4 (o)).
        problems.extend(check_extensions(cert, &format!("{who} (\"{subject}\")")));

        if is_last {
            break;
        }

        // §6.1.4: preparation for certificate i+1.
        // (a) no mapping to or from anyPolicy.
        let mappings = cert.policy_mappings();
        if mappings
            .iter()
            .any(|(a, b)| a == super::policy::ANY_POLICY || b == super::policy::ANY_POLICY)
        {
            problems.push(
                Finding::new(
                    Code::ChainPolicy,
                    format!("{who} (\"{subject}\") maps a policy to or from anyPolicy"),
                )
                .remark("ánh xạ chính sách đến hoặc từ anyPolicy")
                .detail(L::Certificate, &subject),
            );
            tree_failed = true;
        } else if !tree_failed {
            // (b)
            if let Err(PolicyError::TooLarge) = tree.apply_mappings(mappings, policy_mapping > 0) {
                tree_failed = true;
                problems.push(policy_too_large(&who));
            }
        }
        // (g) name constraints.
        if let Some(nc) = cert.name_constraints() {
            constraints.push(nc.clone());
        }
        // (h) counters.
        if !cert.is_self_issued() {
            explicit_policy = explicit_policy.saturating_sub(1);
            policy_mapping = policy_mapping.saturating_sub(1);
            inhibit_any = inhibit_any.saturating_sub(1);
        }
        // (i), (j)
        if let Some(r) = cert.require_explicit_policy() {
            explicit_policy = explicit_policy.min(r as usize);
        }
        if let Some(m) = cert.inhibit_policy_mapping() {
            policy_mapping = policy_mapping.min(m as usize);
        }
        if let Some(s) = cert.inhibit_any_policy() {
            inhibit_any = inhibit_any.min(s as usize);
        }
        // (k) a CA.
        if !cert.is_ca() {
            problems.push(
                Finding::new(
                    Code::ChainIssuerNotCa,
                    format!(
                        "{who} (\"{subject}\") issues certificates but is not a CA \
                     (basicConstraints cA is {})",
                        if cert.basic_constraints().is_some() {
                            "false"
                        } else {
                            "absent"
                        }
                    ),
                )
                .remark("basicConstraints không cho phép")
                .detail(L::Certificate, &subject),
            );
        }
        // (l), (m) path length.
        if !cert.is_self_issued() {
            if max_path_length == 0 {
                problems.push(
                    Finding::new(
                        Code::ChainPathLength,
                        format!(
                            "{who} (\"{subject}\") exceeds the maximum path length an issuing CA \
                         allows"
                        ),
                    )
                    .detail(L::Certificate, &subject),
                );
            }
            max_path_length = max_path_length.saturating_sub(1);
        }
        if let Some((_, Some(len))) = cert.basic_constraints() {
            max_path_length = max_path_length.min(len as usize);
        }
        // (n) keyCertSign.
        if let Some(ku) = cert.key_usage() {
            if !ku.key_cert_sign() {
                problems.push(
                    Finding::new(
                        Code::ChainIssuerNotCa,
                        format!(
                            "{who} (\"{subject}\") is not allowed to sign certificates (keyUsage \
                         lacks keyCertSign)"
                        ),
                    )
                    .remark("keyUsage thiếu keyCertSign")
                    .detail(L::Certificate, &subject),
                );
            }
        }
    }

    // §6.1.5 wrap-up.
    let mut processed = Processed::default();
    if !tree_failed {
        if let Some(target) = certs.last() {
            explicit_policy = explicit_policy.saturating_sub(1);
            if target.require_explicit_policy() == Some(0) {
                explicit_policy = 0;
            }
        }
        let user = settings.initial_policy_set.as_deref();
        let intersection = tree.intersect(user);
        match intersection {
            Some(set) => processed.policies = set,
            None if explicit_policy > 0 => {}
            None => problems.push(
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
    }
    (problems, processed)
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
