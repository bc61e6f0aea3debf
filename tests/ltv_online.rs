//! Long-term validation over HTTP (feature `online`): kyso fetches the OCSP responses itself
//! from `openssl ocsp` on 127.0.0.1 and asks OpenSSL's timestamp authority behind a small
//! HTTP server (`common::tsa::HttpTsa`); the command line (`kyso ltv`, `kyso sign --level
//! b-lt|b-lta`) end to end; the services are stopped before the results are judged, so
//! verification is offline.
//!
//! Run with `cargo test --features online --test ltv_online`; without the feature only the
//! command line's refusal of `--online` is checked.

mod common;

use common::cli::{kyso, os, stderr};

use std::path::Path;

use common::ltv_pki::LtvPki;
use common::{sample_pdf, SampleXref};

/// Signs the sample at B-B with the PKI's signer, into `path`.
fn signed_b_b(pki: &LtvPki, path: &Path) {
    let bytes = kyso::sign::sign_bytes(
        &sample_pdf(SampleXref::Table),
        &pki.signer(),
        &kyso::sign::SignOptions::new(),
    )
    .unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[cfg(not(feature = "online"))]
#[test]
fn without_the_online_feature_kyso_ltv_says_so() {
    let Some(pki) = LtvPki::new() else { return };
    let input = pki.path("in.pdf");
    signed_b_b(&pki, &input);
    let out_path = pki.path("out.pdf");
    let out = kyso([
        os("ltv"),
        input.as_os_str(),
        os("-o"),
        out_path.as_os_str(),
        os("--trust"),
        pki.root_pem().as_os_str(),
        os("--online"),
        os("--allow-net"),
        os("127.0.0.1/32"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("online"), "{}", stderr(&out));
    assert!(!out_path.exists());
}

#[cfg(feature = "online")]
mod online {
    use super::*;
    use common::interop::Pyhanko;
    use common::ltv_pki::pyhanko_ades;
    use common::tsa::{Behaviour, HttpTsa};
    use kyso::ltv::{add_validation_data, LtvOptions};
    use kyso::net::{HttpFetcher, NetworkPolicy};
    use kyso::pki::SharedFetcher;
    use kyso::report::{Indication, PadesLevel, SignatureKind, VerificationReport};
    use kyso::verify::{verify_file, VerifyOptions};

    fn verify(pki: &LtvPki, file: &Path) -> VerificationReport {
        verify_file(file, &VerifyOptions::new(pki.trust())).unwrap()
    }

    fn level(r: &VerificationReport) -> Option<PadesLevel> {
        r.signatures
            .iter()
            .find(|s| s.kind != SignatureKind::DocumentTimestamp)
            .and_then(|s| s.pades_level)
    }

    #[test]
    fn kyso_fetches_the_ocsp_responses_itself() {
        let Some(pki) = LtvPki::new() else { return };
        let responder = pki.start_responder(pki.ocsp_port);
        let input = pki.path("bt.pdf");
        let bytes = kyso::sign::sign_bytes(
            &sample_pdf(SampleXref::Table),
            &pki.signer(),
            &kyso::sign::SignOptions::new().timestamp(pki.timestamping(Behaviour::Honest)),
        )
        .unwrap();
        std::fs::write(&input, bytes).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let mut opts = LtvOptions::new(pki.trust());
        // The responder is on 127.0.0.1, which the default network policy refuses.
        let policy = NetworkPolicy::default().allow_net("127.0.0.1/32").unwrap();
        opts.fetcher = Some(SharedFetcher(std::sync::Arc::new(
            HttpFetcher::default().with_policy(policy),
        )));
        let out = pki.path("lt.pdf");
        let outcome = add_validation_data(&input, &out, &opts).unwrap();
        assert!(outcome.complete(), "{outcome:#?}");
        assert_eq!(outcome.signatures[0].ocsp_added, 2, "{outcome:#?}");
        drop(responder);
        let r = verify(&pki, &out);
        assert_eq!(level(&r), Some(PadesLevel::BLt), "{}", r.to_json());
        assert!(r.all_passed(), "{}", r.to_json());
    }

    #[test]
    fn kyso_sign_level_b_lta_then_kyso_ltv_renews() {
        let Some(pki) = LtvPki::new() else { return };
        let responder = pki.start_responder(pki.ocsp_port);
        let server = HttpTsa::start(pki.tsa.clone(), Behaviour::Honest, None);
        let input = pki.path("in.pdf");
        std::fs::write(&input, sample_pdf(SampleXref::StreamWithObjectStreams)).unwrap();
        let (key, cert) = (pki.path("signer.key"), pki.path("signer.pem"));
        let lta = pki.path("lta.pdf");
        let out = kyso([
            os("sign"),
            os("--key"),
            key.as_os_str(),
            os("--cert"),
            cert.as_os_str(),
            input.as_os_str(),
            os("-o"),
            lta.as_os_str(),
            os("--level"),
            os("b-lta"),
            os("--tsa"),
            os(&server.url),
            os("--trust"),
            pki.root_pem().as_os_str(),
            os("--online"),
            os("--allow-net"),
            os("127.0.0.1/32"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // Renewal: the document timestamp's authority gets its data, then a new timestamp.
        let renewed = pki.path("renewed.pdf");
        let out = kyso([
            os("ltv"),
            lta.as_os_str(),
            os("-o"),
            renewed.as_os_str(),
            os("--level"),
            os("b-lta"),
            os("--tsa"),
            os(&server.url),
            os("--trust"),
            pki.root_pem().as_os_str(),
            os("--online"),
            os("--allow-net"),
            os("127.0.0.1/32"),
            os("--json"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            json["signatures"].as_array().map(Vec::len),
            Some(2),
            "{json}"
        );
        assert_eq!(
            json["signatures"][1]["kind"], "document_timestamp",
            "{json}"
        );
        drop(server);
        drop(responder);
        // The staging files are gone.
        let leftovers: Vec<_> = std::fs::read_dir(pki.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".kyso-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        for file in [&lta, &renewed] {
            let r = verify(&pki, file);
            assert_eq!(level(&r), Some(PadesLevel::BLta), "{}", r.to_json());
            for s in &r.signatures {
                assert_eq!(s.indication, Indication::TotalPassed, "{}", r.to_json());
            }
        }
        // `kyso verify` says so too.
        let out = kyso([
            os("verify"),
            os("--trust"),
            pki.root_pem().as_os_str(),
            renewed.as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("B-LTA"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        if let Some(py) = Pyhanko::find() {
            let res = pyhanko_ades(&py, &renewed, &pki.root_pem(), 400).unwrap();
            assert_eq!(res.len(), 1, "{res:#?}");
            assert!(res[0].now.contains("AdESPassed.OK"), "{res:#?}");
            assert!(res[0].future.contains("AdESPassed.OK"), "{res:#?}");
        }
    }

    #[test]
    fn a_down_responder_is_reported_per_certificate_and_a_failing_authority_writes_nothing() {
        let Some(pki) = LtvPki::new() else { return };
        let input = pki.path("bb.pdf");
        signed_b_b(&pki, &input);
        // No responder is running: the signer's OCSP response cannot be fetched.
        let out_path = pki.path("lt.pdf");
        let out = kyso([
            os("ltv"),
            input.as_os_str(),
            os("-o"),
            out_path.as_os_str(),
            os("--trust"),
            pki.root_pem().as_os_str(),
            os("--online"),
            os("--allow-net"),
            os("127.0.0.1/32"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("missing") && err.contains("LTV signer"),
            "{err}"
        );
        // The authority fails: no output at all.
        let responder = pki.start_responder(pki.ocsp_port);
        for behaviour in [Behaviour::ServerError, Behaviour::Reject] {
            let server = HttpTsa::start(pki.tsa.clone(), behaviour, None);
            let lta = pki.path(&format!("lta-{behaviour:?}.pdf"));
            let out = kyso([
                os("ltv"),
                input.as_os_str(),
                os("-o"),
                lta.as_os_str(),
                os("--level"),
                os("b-lta"),
                os("--tsa"),
                os(&server.url),
                os("--trust"),
                pki.root_pem().as_os_str(),
                os("--online"),
                os("--allow-net"),
                os("127.0.0.1/32"),
            ]);
            assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
            assert!(!lta.exists(), "{behaviour:?}");
        }
        drop(responder);
    }
}

#[cfg(feature = "online")]
#[test]
fn kyso_sign_revocation_info_archival_fetches_and_signs_the_signers_status() {
    let Some(pki) = LtvPki::new() else { return };
    let responder = pki.start_responder(pki.ocsp_port);
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let (key, cert) = (pki.path("signer.key"), pki.path("signer.pem"));
    let signed = pki.path("archival.pdf");
    let root = pki.root_pem();
    let mut args = vec![
        os("sign"),
        os("--key"),
        key.as_os_str(),
        os("--cert"),
        cert.as_os_str(),
        input.as_os_str(),
        os("-o"),
        signed.as_os_str(),
        os("--revocation-info-archival"),
        os("--trust"),
        root.as_os_str(),
        os("--online"),
        os("--allow-net"),
        os("127.0.0.1/32"),
    ];
    // PAdES refuses the attribute; adbe.pkcs7.detached takes it.
    let out = kyso(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!signed.exists());
    args.extend([os("--format"), os("pkcs7")]);
    let out = kyso(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    drop(responder);
    let mut opts = kyso::verify::VerifyOptions::new(pki.trust());
    opts.validation.revocation =
        kyso::pki::RevocationPolicy::all(kyso::pki::RevocationMode::Require);
    let r = kyso::verify::verify_file(&signed, &opts).unwrap();
    assert!(r.all_passed(), "{}", r.to_json());
    assert_eq!(
        r.signatures[0].chain.revocation[0].origin.as_deref(),
        Some("signed_attribute")
    );
}

/// EN 319 102-1 §5.2.6 with RFC 6960 §2.2: `kyso sign --trust ROOT --online` asks the
/// certificate's own OCSP responder (OpenSSL's, whose index does not list the signer) and
/// is told `unknown`: refused before anything is written, in Vietnamese with `--lang vi`. A
/// responder that is down leaves no data at hand: signing goes on.
#[cfg(feature = "online")]
#[test]
fn kyso_sign_online_refuses_a_certificate_its_responder_does_not_know() {
    let Some(pki) = LtvPki::new() else { return };
    let index = std::fs::read_to_string(pki.path("index.txt")).unwrap();
    let without_signer: String = index
        .lines()
        .filter(|l| !l.ends_with("CN=LTV signer"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(pki.path("index.txt"), without_signer).unwrap();
    let input = pki.path("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let (key, cert) = (pki.path("signer.key"), pki.path("signer.pem"));
    let signed = pki.path("signed.pdf");
    let root = pki.root_pem();
    let args = vec![
        os("sign"),
        os("--key"),
        key.as_os_str(),
        os("--cert"),
        cert.as_os_str(),
        input.as_os_str(),
        os("-o"),
        signed.as_os_str(),
        os("--trust"),
        root.as_os_str(),
        os("--online"),
        os("--allow-net"),
        os("127.0.0.1/32"),
        os("--lang"),
        os("vi"),
    ];
    let responder = pki.start_responder(pki.ocsp_port);
    let out = kyso(&args);
    drop(responder);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("không xác định được tình trạng thu hồi"),
        "{}",
        stderr(&out)
    );
    assert!(!signed.exists());
    // Nobody answers: nothing at hand, signed.
    let out = kyso(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(signed.exists());
}
