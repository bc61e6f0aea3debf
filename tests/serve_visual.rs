//! The visual comparison in `kyso serve verify` (issue 23): offered per request or always,
//! run in the renderer's child process within the request's time, and never answered as
//! made when it was not.
//!
//! The tampered document replaces the signed page's content stream in a later incremental
//! update (ISO 32000-2 §7.5.6): the structure rules already make it non-passing; the visual
//! part adds `visual.content_changed` over the signed text.
#![cfg(all(feature = "serve", feature = "visual", target_os = "linux"))]

mod common;

#[allow(dead_code)]
#[path = "render_oracle/graph.rs"]
mod graph;

use std::net::SocketAddr;
use std::time::Duration;

use common::pki::TestPki;
use kyso::pdf::Dict;
use kyso::serve::{VerifyService, VisualMode};
use kyso::verify::{Policy, VerifyOptions};
use kyso::visual::{Isolation, VisualOptions, CLI_WORKER_ARG};
use serde_json::Value;
use time::OffsetDateTime;

fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut r = agent
        .post(format!("http://{addr}{path}"))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    let value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(text.lines().next().unwrap_or("")))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// A `multipart/form-data` body, one part per (file name, content).
fn multipart(parts: &[(&str, &[u8])], boundary: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, data) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn visual_options() -> VisualOptions {
    let mut v = VisualOptions::default();
    v.isolation = Isolation::process(env!("CARGO_BIN_EXE_kyso"), &[CLI_WORKER_ARG]);
    v.max_memory = 512 << 20;
    v
}

/// A signed page whose content stream a later update replaced by a black box.
fn tampered(pki: &TestPki, now: OffsetDateTime) -> Vec<u8> {
    let snap = graph::Snapshot::signed_sample(pki, now);
    let (_, contents) = snap.first_page_contents();
    let black = graph::new_stream(Dict::new(), b"0 0 0 rg 40 40 500 740 re f");
    snap.append(&[(contents.num, black)], None)
}

fn codes(report: &Value) -> Vec<String> {
    report["signatures"][0]["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_service_compares_when_asked_and_never_claims_a_comparison_it_did_not_make() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let pdf = tampered(&pki, now);

    // Offered on request.
    let service = VerifyService::new(opts.clone())
        .visual(VisualMode::OnRequest, visual_options())
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let addr = service.local_addr();
    let (status, plain) = post(addr, "/v1/verify", "application/pdf", &pdf);
    assert_eq!(status, 200);
    assert!(plain["signatures"][0]
        .get("visual")
        .is_none_or(Value::is_null));
    let (status, r) = post(
        addr,
        "/v1/verify?visual=true&lang=vi",
        "application/pdf",
        &pdf,
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["signatures"][0]["visual"]["status"], "compared", "{r}");
    assert!(
        codes(&r).contains(&"visual.content_changed".to_owned()),
        "{r}"
    );
    assert_ne!(r["signatures"][0]["indication"], "TOTAL-PASSED");
    let boundary = "kyso-visual";
    let body = multipart(&[("a.pdf", &pdf), ("b.pdf", &pdf)], boundary);
    let (status, line) = post(
        addr,
        "/v1/verify/batch?visual=true",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    assert_eq!(status, 200);
    assert!(
        codes(&line["report"]).contains(&"visual.content_changed".to_owned()),
        "{line}"
    );
    let (status, e) = post(
        addr,
        "/v1/verify/detached?visual=true",
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    service.shutdown().unwrap();

    // Not offered: asking is a clear error, not a report without it.
    let service = VerifyService::new(opts.clone())
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let (status, e) = post(
        service.local_addr(),
        "/v1/verify?visual=true",
        "application/pdf",
        &pdf,
    );
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    service.shutdown().unwrap();

    // Always (as under the etsi-visual policy): a request cannot turn it off, and the
    // dossier route compares every PDF of the dossier.
    let service = VerifyService::new(opts.clone().policy(Policy::etsi_visual()))
        .visual(VisualMode::OnRequest, visual_options())
        .start("127.0.0.1:0".parse().unwrap())
        .unwrap();
    let addr = service.local_addr();
    let (status, r) = post(addr, "/v1/verify", "application/pdf", &pdf);
    assert_eq!(status, 200);
    assert_eq!(r["signatures"][0]["visual"]["status"], "compared", "{r}");
    let (status, e) = post(addr, "/v1/verify?visual=false", "application/pdf", &pdf);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_query"))
    );
    // A sealed dossier holding the tampered PDF, uploaded file by file.
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("quyet-dinh.pdf"), &pdf).unwrap();
    kyso::dossier::seal_dossier(
        dir.path(),
        &pki.rsa2048.signer(),
        &kyso::dossier::SealOptions::new(),
    )
    .unwrap();
    let files: Vec<(&str, Vec<u8>)> = [
        "quyet-dinh.pdf",
        "kyso-dossier.json",
        "kyso-dossier.json.p7s",
    ]
    .into_iter()
    .map(|name| (name, std::fs::read(dir.path().join(name)).unwrap()))
    .collect();
    let parts: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let upload = multipart(&parts, boundary);
    let (status, d) = post(
        addr,
        "/v1/verify/dossier",
        &format!("multipart/form-data; boundary={boundary}"),
        &upload,
    );
    assert_eq!(status, 200, "{d}");
    let file = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "quyet-dinh.pdf")
        .unwrap_or_else(|| panic!("{d}"));
    let sig = &file["signatures"][0]["report"]["signatures"][0];
    assert_eq!(sig["visual"]["status"], "compared", "{d}");
    assert!(codes(&file["signatures"][0]["report"]).contains(&"visual.content_changed".to_owned()));
    assert_ne!(d["indication"], "TOTAL-PASSED");
    service.shutdown().unwrap();

    // A policy that asks for it without a renderer configured, or a renderer on a thread:
    // the service does not start.
    let Err(e) = VerifyService::new(opts.clone().policy(Policy::etsi_visual()))
        .start("127.0.0.1:0".parse().unwrap())
    else {
        panic!("started without the visual comparison its policy asks for");
    };
    assert!(e.to_string().contains("visual"), "{e}");
    let Err(e) = VerifyService::new(opts)
        .visual(VisualMode::Always, VisualOptions::default())
        .start("127.0.0.1:0".parse().unwrap())
    else {
        panic!("started with the renderer on a thread");
    };
    assert!(e.to_string().contains("child process"), "{e}");
}
