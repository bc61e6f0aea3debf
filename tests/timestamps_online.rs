//! Timestamps over HTTP (feature `online`): OpenSSL's RFC 3161 server behind a small HTTP
//! server on 127.0.0.1 (`common::tsa::HttpTsa`, stopped when dropped), reached by kyso's
//! HTTP client and by the `kyso` command line.
//!
//! Run with `cargo test --features online --test timestamps_online`; without the feature
//! only the command line's refusal is checked.

mod common;

use common::cli::{os, stderr};

use std::process::{Command, Output};

use common::{sample_pdf, SampleXref};

fn kyso(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("kyso runs")
}

#[cfg(not(feature = "online"))]
#[test]
fn without_the_online_feature_the_cli_says_so() {
    let dir = common::temp_dir();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
    let out_path = dir.path().join("out.pdf");
    let out = kyso(
        &[
            os("timestamp"),
            input.as_os_str(),
            os("-o"),
            out_path.as_os_str(),
            os("--tsa"),
            os("http://127.0.0.1:9/tsa"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("online"), "{}", stderr(&out));
    assert!(!out_path.exists());
}

#[cfg(feature = "online")]
mod online {
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;
    use common::pki::TestPki;
    use common::tsa::HttpTsa;
    use common::tsa::{Behaviour, TestTsa};
    use kyso::pki::TrustStore;
    use kyso::report::{Indication, PadesLevel, SignatureKind};
    use kyso::sign::{sign_bytes, timestamp_bytes, DocTimestampOptions, SignOptions, Timestamping};
    use kyso::tsp::http::HttpTransport;
    use kyso::tsp::{TimestampClient, TsaList, TspError};
    use kyso::verify::{verify_bytes, verify_file, VerifyOptions};
    use time::OffsetDateTime;

    struct Setup {
        dir: tempfile::TempDir,
        tsa: Arc<TestTsa>,
        pki: TestPki,
    }

    fn setup() -> Option<Setup> {
        let dir = common::temp_dir();
        let tsa = Arc::new(TestTsa::create(dir.path())?);
        Some(Setup {
            dir,
            tsa,
            pki: TestPki::generate(OffsetDateTime::now_utc()),
        })
    }

    impl Setup {
        fn trust(&self) -> TrustStore {
            TrustStore::from_der_certificates([&self.pki.root_der, &self.tsa.root_der]).unwrap()
        }
    }

    fn http(url: &str) -> Timestamping {
        Timestamping::new(Arc::new(HttpTransport::new(url).unwrap().client()))
    }

    #[test]
    fn b_t_and_document_timestamp_over_http() {
        let Some(s) = setup() else { return };
        let server = HttpTsa::start(s.tsa.clone(), Behaviour::Honest, None);
        let input = sample_pdf(SampleXref::Table);
        let signed = sign_bytes(
            &input,
            &s.pki.p256.signer(),
            &SignOptions::new().timestamp(http(&server.url)),
        )
        .unwrap();
        let stamped =
            timestamp_bytes(&signed, &http(&server.url), &DocTimestampOptions::new()).unwrap();
        let report = verify_bytes(&stamped, &VerifyOptions::new(s.trust())).unwrap();
        assert!(report.all_passed(), "{}", report.to_json());
        assert_eq!(report.signatures[0].pades_level, Some(PadesLevel::BT));
        assert_eq!(report.signatures[1].kind, SignatureKind::DocumentTimestamp);
        let seen = server.seen.lock().unwrap().clone();
        // Probe + signature timestamp + probe + document timestamp.
        assert_eq!(seen.len(), 4, "{seen:?}");
        for r in &seen {
            assert_eq!(
                r.content_type.as_deref(),
                Some("application/timestamp-query")
            );
            assert!(r.authorization.is_none());
            assert!(r.body_len > 40);
        }
    }

    #[test]
    fn misbehaving_http_authorities_fail_cleanly() {
        let Some(s) = setup() else { return };
        let input = sample_pdf(SampleXref::Table);
        for behaviour in [
            Behaviour::WrongImprint,
            Behaviour::WrongNonce,
            Behaviour::Reject,
            Behaviour::ServerError,
        ] {
            let server = HttpTsa::start(s.tsa.clone(), behaviour, None);
            let err = sign_bytes(
                &input,
                &s.pki.p256.signer(),
                &SignOptions::new().timestamp(http(&server.url)),
            )
            .unwrap_err();
            let kyso::Error::Timestamp(e) = &err else {
                panic!("{behaviour:?}: {err}");
            };
            let ok = match behaviour {
                Behaviour::WrongImprint => matches!(e, TspError::ImprintMismatch { .. }),
                Behaviour::WrongNonce => matches!(e, TspError::NonceMismatch { .. }),
                Behaviour::Reject => matches!(e, TspError::Rejected { .. }),
                _ => matches!(e, TspError::HttpStatus { status: 500, .. }),
            };
            assert!(ok, "{behaviour:?}: {err}");
        }
    }

    #[test]
    fn a_silent_authority_times_out_and_the_next_one_answers() {
        let Some(s) = setup() else { return };
        let silent = HttpTsa::start(s.tsa.clone(), Behaviour::Hang, None);
        let honest = HttpTsa::start(s.tsa.clone(), Behaviour::Honest, None);
        let quick = |url: &str| -> Arc<dyn TimestampClient> {
            Arc::new(
                HttpTransport::new(url)
                    .unwrap()
                    .timeout(Duration::from_secs(1))
                    .client(),
            )
        };
        let started = Instant::now();
        let err = quick(&silent.url)
            .timestamp(&[0u8; 32], kyso::crypto::DigestAlgorithm::Sha256)
            .unwrap_err();
        assert!(matches!(err, TspError::Timeout { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));

        let list = TsaList::new()
            .with(quick(&silent.url))
            .with(quick(&honest.url));
        let input = sample_pdf(SampleXref::Table);
        let signed = sign_bytes(
            &input,
            &s.pki.p256.signer(),
            &SignOptions::new().timestamp(Timestamping::new(Arc::new(list))),
        )
        .unwrap();
        let report = verify_bytes(&signed, &VerifyOptions::new(s.trust())).unwrap();
        assert!(report.all_passed(), "{}", report.to_json());
        // Nobody answers: the error lists every attempt.
        let nobody = TsaList::new()
            .with(quick(&silent.url))
            .with(quick("http://127.0.0.1:9/closed"));
        let err = sign_bytes(
            &input,
            &s.pki.p256.signer(),
            &SignOptions::new().timestamp(Timestamping::new(Arc::new(nobody))),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&silent.url) && text.contains("127.0.0.1:9"),
            "{text}"
        );
    }

    #[test]
    fn cli_sign_b_t_and_timestamp_with_basic_auth() {
        let Some(s) = setup() else { return };
        let server = HttpTsa::start(s.tsa.clone(), Behaviour::Honest, Some("clerk:mật khẩu"));
        let dir = s.dir.path();
        let input = dir.join("in.pdf");
        std::fs::write(&input, sample_pdf(SampleXref::StreamWithObjectStreams)).unwrap();
        let (key, cert, chain) = s.pki.p256.write_pem(dir);
        let password_file = dir.join("tsa-password");
        std::fs::write(&password_file, "mật khẩu\n").unwrap();
        let signed = dir.join("signed.pdf");
        let sign = |extra: &[&std::ffi::OsStr], out: &Path, env: &[(&str, &str)]| {
            let mut args = vec![
                os("sign"),
                os("--key"),
                key.as_os_str(),
                os("--cert"),
                cert.as_os_str(),
                os("--chain"),
                chain.as_os_str(),
                os("--tsa"),
                os(&server.url),
                os("--tsa-user"),
                os("clerk"),
            ];
            args.extend_from_slice(extra);
            args.extend([input.as_os_str(), os("-o"), out.as_os_str()]);
            kyso(&args, env)
        };
        let out = sign(
            &[os("--tsa-password-file"), password_file.as_os_str()],
            &signed,
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        // The password never appears in what kyso prints.
        assert!(!stderr(&out).contains("mật khẩu"));

        // A wrong password: 401, a clear message, no file.
        let refused = dir.join("refused.pdf");
        let out = sign(
            &[os("--tsa-password-env"), os("KYSO_TEST_TSA_PASSWORD")],
            &refused,
            &[("KYSO_TEST_TSA_PASSWORD", "wrong")],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("401"), "{}", stderr(&out));
        assert!(!refused.exists());

        let stamped = dir.join("stamped.pdf");
        let out = kyso(
            &[
                os("timestamp"),
                signed.as_os_str(),
                os("-o"),
                stamped.as_os_str(),
                os("--tsa"),
                os(&server.url),
                os("--tsa-user"),
                os("clerk"),
                os("--tsa-password-env"),
                os("KYSO_TEST_TSA_PASSWORD"),
            ],
            &[("KYSO_TEST_TSA_PASSWORD", "mật khẩu")],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let report = verify_file(&stamped, &VerifyOptions::new(s.trust())).unwrap();
        assert!(report.all_passed(), "{}", report.to_json());
        assert_eq!(report.signatures.len(), 2);
        assert_eq!(report.signatures[0].pades_level, Some(PadesLevel::BT));
        assert!(server
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.authorization.is_some()));

        // kyso verify prints the level and the timestamps.
        let root = s.pki.write_root(dir);
        let out = kyso(
            &[
                os("verify"),
                os("--trust"),
                root.as_os_str(),
                os("--trust"),
                s.tsa.root_pem.as_os_str(),
                stamped.as_os_str(),
            ],
            &[],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("PAdES level: B-T"), "{text}");
        assert!(text.contains("signature timestamp"), "{text}");
        assert!(text.contains("document timestamp"), "{text}");
        assert_eq!(
            report.signatures[1].indication,
            Indication::TotalPassed,
            "{text}"
        );

        // --level b-t without --tsa, an https: authority, and --level b-b with --tsa are
        // refused before anything is written.
        let nothing = dir.join("nothing.pdf");
        for args in [
            vec![os("--level"), os("b-t")],
            vec![os("--level"), os("b-b"), os("--tsa"), os(&server.url)],
            vec![os("--tsa"), os("https://tsa.example/")],
        ] {
            let mut all = vec![
                os("sign"),
                os("--key"),
                key.as_os_str(),
                os("--cert"),
                cert.as_os_str(),
            ];
            all.extend(args.iter().copied());
            all.extend([input.as_os_str(), os("-o"), nothing.as_os_str()]);
            let out = kyso(&all, &[]);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(!nothing.exists());
        }
    }

    #[test]
    fn cli_two_phase_with_the_timestamp_at_finish() {
        let Some(s) = setup() else { return };
        let server = HttpTsa::start(s.tsa.clone(), Behaviour::Honest, None);
        let dir = s.dir.path();
        let input = dir.join("in.pdf");
        std::fs::write(&input, sample_pdf(SampleXref::Table)).unwrap();
        let (_, cert, chain) = s.pki.p256.write_pem(dir);
        let state = dir.join("state.json");
        let to_sign = dir.join("to-sign.der");
        let out_pdf = dir.join("signed.pdf");
        let out = kyso(
            &[
                os("sign"),
                os("--prepare"),
                os("--cert"),
                cert.as_os_str(),
                os("--chain"),
                chain.as_os_str(),
                os("--level"),
                os("b-t"),
                os("--tsa-reserve"),
                os("8192"),
                input.as_os_str(),
                os("-o"),
                out_pdf.as_os_str(),
                os("--state"),
                state.as_os_str(),
                os("--to-sign"),
                to_sign.as_os_str(),
            ],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(server.seen.lock().unwrap().is_empty());
        let signature =
            kyso::signer::Signer::sign(&s.pki.p256.signer(), &std::fs::read(&to_sign).unwrap())
                .unwrap();
        let sig_path = dir.join("signature.bin");
        std::fs::write(&sig_path, signature).unwrap();
        // Without --tsa the finish is refused.
        let out = kyso(
            &[
                os("sign"),
                os("--finish"),
                state.as_os_str(),
                os("--signature"),
                sig_path.as_os_str(),
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("--tsa"), "{}", stderr(&out));
        assert!(!out_pdf.exists());
        let out = kyso(
            &[
                os("sign"),
                os("--finish"),
                state.as_os_str(),
                os("--signature"),
                sig_path.as_os_str(),
                os("--tsa"),
                os(&server.url),
            ],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let report = verify_file(&out_pdf, &VerifyOptions::new(s.trust())).unwrap();
        assert!(report.all_passed(), "{}", report.to_json());
        assert_eq!(report.signatures[0].pades_level, Some(PadesLevel::BT));
    }
}
