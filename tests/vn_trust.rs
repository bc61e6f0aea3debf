//! Vietnam's national trust profiles (`kyso::pki::profiles`) against the public copies of the
//! certificates in `../shared/trust/vn` (read in place; skipped when absent unless
//! `KYSO_REQUIRE_CORPUS=1`).

#[path = "common/cli.rs"]
mod cli;
#[path = "common/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};

use kyso::pki::profiles::{self, AnchorRole};
use kyso::pki::{certificates_from_pem_or_der, TrustStore};

/// The shared file each pin was taken from.
const PIN_FILES: &[(&str, &str)] = &[
    ("vgca/rootcag2.pem", "RootCA chuyên dùng Chính phủ G2"),
    ("neac/vnrca-sha256-g2.pem", "Vietnam National Root CA"),
    ("neac/vnrca-sha256-g3.pem", "Vietnam National Root CA G3"),
    ("neac/vnrca-rs.pem", "VIETNAM NATIONAL ROOT CA - RS"),
    (
        "neac/vnrca-usbtoken.pem",
        "VIETNAM NATIONAL ROOT CA - USBTOKEN",
    ),
    (
        "neac/vnrca-mobilepki.pem",
        "VIETNAM NATIONAL ROOT CA - MOBILEPKI",
    ),
    ("neac/vnrca-ema.pem", "VIETNAM NATIONAL ROOT CA - EMA"),
    ("neac/micnrca-sha1-2008.pem", "MIC National Root CA"),
    ("neac/vnrca-tsa.pem", "VIETNAM NATIONAL ROOT CA - TSA"),
];

fn der_of(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let mut ders = certificates_from_pem_or_der(&bytes).unwrap();
    assert_eq!(ders.len(), 1, "{}", path.display());
    ders.remove(0)
}

fn openssl_sha256(path: &Path) -> Option<String> {
    let openssl = which("openssl")?;
    let out = std::process::Command::new(openssl)
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let hex = text.trim().split_once('=')?.1.replace(':', "");
    Some(hex.to_ascii_lowercase())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[test]
fn every_pin_matches_its_shared_certificate_by_kyso_and_by_openssl() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let all = profiles::profile("vn-all").unwrap();
    assert_eq!(all.pins.len(), PIN_FILES.len());
    for (file, subject) in PIN_FILES {
        let path = root.join(file);
        let der = der_of(&path);
        let fp = profiles::fingerprint(&der);
        let pin = all
            .pin(&fp)
            .unwrap_or_else(|| panic!("{file}: {fp} is not pinned"));
        assert_eq!(pin.subject, *subject, "{file}");
        let cert = kyso::pki::Certificate::from_der(&der).unwrap();
        assert!(
            cert.subject().contains(subject),
            "{file}: {}",
            cert.subject()
        );
        match openssl_sha256(&path) {
            Some(o) => assert_eq!(o, pin.sha256, "{file}: openssl disagrees"),
            None => eprintln!("SKIP: openssl not installed (fingerprint checked by kyso only)"),
        }
    }
    // The intermediates are not anchors.
    for file in [
        "vgca/cpcag2.pem",
        "neac/vnpt-ca-sha2.pem",
        "neac/vnca-erd.pem",
    ] {
        let fp = profiles::fingerprint(&der_of(&root.join(file)));
        assert!(all.pin(&fp).is_none(), "{file} must not be pinned");
    }
}

#[test]
fn install_accepts_exactly_the_pinned_files_and_loads_them_with_their_roles() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().to_path_buf();
    let gov = profiles::profile("vn-gov").unwrap();
    let report = profiles::install(gov, &root.join("vgca"), &store).unwrap();
    assert_eq!(report.found.len(), 1);
    assert!(report.found[0].newly_installed);
    assert!(report.missing.is_empty());
    // The subordinate CA is not a pin of vn-gov: rejected, with its fingerprint as reason.
    assert_eq!(report.rejected.len(), 1);
    assert!(report.rejected[0].file.ends_with("cpcag2.pem"));
    assert!(
        report.rejected[0]
            .reason
            .contains("d8cab7a4aef92e6bb2509d7c61cee7b44f3731b2d21074963530277b366fae4b matches no pin of profile vn-gov"),
        "{}",
        report.rejected[0].reason
    );
    // Again: nothing new.
    let again = profiles::install(gov, &root.join("vgca"), &store).unwrap();
    assert!(!again.found[0].newly_installed);

    // vn-tsa from the NEAC directory: only the TSA root; ten others rejected.
    let tsa = profiles::profile("vn-tsa").unwrap();
    let report = profiles::install(tsa, &root.join("neac"), &store).unwrap();
    assert_eq!(report.found.len(), 1);
    assert_eq!(report.rejected.len(), 10);

    let mut trust = TrustStore::empty();
    assert_eq!(profiles::add_installed(&mut trust, gov, &store).unwrap(), 1);
    assert_eq!(profiles::add_installed(&mut trust, tsa, &store).unwrap(), 1);
    let tsa_anchor = trust
        .anchors()
        .iter()
        .find(|a| a.profile.as_deref() == Some("vn-tsa"))
        .unwrap();
    assert!(tsa_anchor.allows(kyso::pki::Purpose::Timestamping));
    assert!(!tsa_anchor.allows(kyso::pki::Purpose::DocumentSigning));
    assert_eq!(trust.profiles(), ["vn-gov", "vn-tsa"]);

    // vn-public lacks everything in this store.
    let public = profiles::profile("vn-public").unwrap();
    let (have, lack) = profiles::installed(public, &store);
    assert!(have.is_empty());
    assert_eq!(lack.len(), public.pins.len());
}

#[test]
fn a_store_file_that_no_longer_matches_its_pin_is_not_loaded() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().to_path_buf();
    let gov = profiles::profile("vn-gov").unwrap();
    profiles::install(gov, &root.join("vgca"), &store).unwrap();
    // Replace the installed root with another certificate under the same name.
    let name = store.join(format!("{}.der", gov.pins[0].sha256));
    std::fs::write(&name, der_of(&root.join("vgca/cpcag2.pem"))).unwrap();
    let err = profiles::add_installed(&mut TrustStore::empty(), gov, &store).unwrap_err();
    assert!(
        err.to_string().contains("kyso trust install vn-gov"),
        "{err}"
    );
}

#[test]
fn the_archival_sha1_root_is_loaded_with_its_cut_off() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let public = profiles::profile("vn-public").unwrap();
    let mic = public
        .pins
        .iter()
        .find(|p| p.subject == "MIC National Root CA")
        .unwrap();
    assert!(matches!(mic.role, AnchorRole::Archival { .. }));
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().to_path_buf();
    let report = profiles::install(public, &root.join("neac"), &store).unwrap();
    assert_eq!(report.found.len(), public.pins.len(), "{report:?}");
    let mut trust = TrustStore::empty();
    let added = profiles::add_installed(&mut trust, public, &store).unwrap();
    assert_eq!(added, public.pins.len());
    let mic_der = std::fs::read(store.join(format!("{}.der", mic.sha256))).unwrap();
    let anchor = trust.find_exact(&mic_der).unwrap();
    let AnchorRole::Archival { until } = mic.role else {
        unreachable!()
    };
    assert_eq!(anchor.archival_until, Some(until));
    assert_eq!(anchor.role(), "archival");
}

#[test]
fn an_empty_store_is_an_actionable_error() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().to_path_buf();
    let gov = profiles::profile("vn-gov").unwrap();
    let err = profiles::add_installed(&mut TrustStore::empty(), gov, &store).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("kyso trust install vn-gov --from"), "{text}");
    assert!(text.contains("chưa cài"), "{text}");
}

#[test]
fn cli_install_list_and_verify_real_intermediates_with_builtin_profiles() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let o = cli::kyso([
        cli::os("trust"),
        cli::os("install"),
        cli::os("vn-gov"),
        cli::os("--from"),
        cli::os(&root.join("vgca")),
        cli::os("--store"),
        cli::os(&store),
    ]);
    let out = cli::stdout(&o);
    assert_eq!(cli::code(&o), 0, "{out}");
    assert!(
        out.contains("installed: RootCA chuyên dùng Chính phủ G2"),
        "{out}"
    );
    assert!(
        out.contains("rejected:") && out.contains("cpcag2.pem"),
        "{out}"
    );
    // vn-public: every pin is in the NEAC directory.
    let o = cli::kyso([
        cli::os("trust"),
        cli::os("install"),
        cli::os("vn-public"),
        cli::os("--from"),
        cli::os(&root.join("neac")),
        cli::os("--store"),
        cli::os(&store),
    ]);
    assert_eq!(cli::code(&o), 0, "{}", cli::stdout(&o));
    let o = cli::kyso([
        cli::os("trust"),
        cli::os("list"),
        cli::os("--store"),
        cli::os(&store),
    ]);
    let out = cli::stdout(&o);
    assert!(out.contains("vn-gov: 1 of 1 installed"), "{out}");
    assert!(out.contains("vn-public: 7 of 7 installed"), "{out}");
    assert!(out.contains("vn-tsa: 0 of 1 installed"), "{out}");
    assert!(
        out.contains("lacks: VIETNAM NATIONAL ROOT CA - TSA (timestamping only)"),
        "{out}"
    );

    // Real intermediates against their real roots, through the built-in profiles. The 2026
    // EMA root marks Certificate Policies and CRL Distribution Points critical: the paths
    // under it are processed (RFC 5280 §4.2: kyso recognises both extensions), not refused.
    for (cert, profile) in [
        ("vgca/cpcag2.pem", "vn-gov"),
        ("neac/vnpt-ca-sha2.pem", "vn-public"),
        ("neac/vnca-erd.pem", "vn-public"),
        ("neac/vnca-lta.pem", "vn-public"),
    ] {
        let o = cli::kyso([
            cli::os("cert"),
            cli::os("verify"),
            cli::os(&root.join(cert)),
            cli::os("--trust-profile"),
            cli::os(profile),
            cli::os("--trust-store"),
            cli::os(&store),
            cli::os("--purpose"),
            cli::os("any"),
            cli::os("--revocation"),
            cli::os("off"),
        ]);
        let out = cli::stdout(&o);
        assert_eq!(cli::code(&o), 0, "{cert}: {out}");
        assert!(out.contains(": VALID"), "{cert}: {out}");
    }
    // The government intermediate does not chain to the public profile.
    let o = cli::kyso([
        cli::os("cert"),
        cli::os("verify"),
        cli::os(&root.join("vgca/cpcag2.pem")),
        cli::os("--trust-profile"),
        cli::os("vn-public"),
        cli::os("--trust-store"),
        cli::os(&store),
        cli::os("--purpose"),
        cli::os("any"),
        cli::os("--revocation"),
        cli::os("off"),
    ]);
    assert_eq!(cli::code(&o), 1, "{}", cli::stdout(&o));
}

#[test]
fn cli_builtin_profile_with_an_empty_store_tells_the_clerk_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let cert = tmp.path().join("any.pem");
    let pki = kyso::demo::DemoPki::generate(time::OffsetDateTime::now_utc()).unwrap();
    std::fs::write(&cert, pki.root.cert_pem()).unwrap();
    let o = cli::kyso([
        cli::os("cert"),
        cli::os("verify"),
        cli::os(&cert),
        cli::os("--trust-profile"),
        cli::os("vn-gov"),
        cli::os("--trust-store"),
        cli::os(tmp.path()),
    ]);
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(cli::code(&o), 2, "{err}");
    assert!(
        err.contains("kyso trust install vn-gov --from DIR"),
        "{err}"
    );
}

#[test]
fn a_huge_file_beside_the_certificates_is_rejected_and_the_install_goes_on() {
    // A directory a clerk points `--from` at may hold anything. A file larger than any
    // certificate is rejected with its reason (never read in part and never fatal); the
    // pinned certificate beside it is still installed.
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let from = tmp.path().join("from");
    std::fs::create_dir(&from).unwrap();
    std::fs::copy(root.join("vgca/rootcag2.pem"), from.join("rootcag2.pem")).unwrap();
    std::fs::write(from.join("huge.pem"), vec![b'A'; (1 << 20) + 1]).unwrap();
    let store = tmp.path().join("store");
    let gov = profiles::profile("vn-gov").unwrap();
    let report = profiles::install(gov, &from, &store).unwrap();
    assert_eq!(report.found.len(), 1);
    assert_eq!(report.rejected.len(), 1);
    assert!(report.rejected[0].file.ends_with("huge.pem"));
    assert!(
        report.rejected[0].reason.contains("larger than"),
        "{}",
        report.rejected[0].reason
    );
}

/// A real HTTP server (Python's `http.server`) on 127.0.0.1 serving `dir`, stopped on drop.
#[cfg(feature = "online")]
struct PyServer {
    child: std::process::Child,
    port: u16,
}

#[cfg(feature = "online")]
impl PyServer {
    fn start(dir: &Path) -> Option<PyServer> {
        let python = ["python3", "python"]
            .iter()
            .find(|p| {
                std::process::Command::new(p)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .copied();
        let Some(python) = python else {
            assert!(
                std::env::var_os("KYSO_REQUIRE_INTEROP").is_none(),
                "python3 is required for the loopback HTTP server"
            );
            eprintln!("SKIP: python3 not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(python)
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--directory")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let server = PyServer { child, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the loopback HTTP server did not start");
    }

    fn url(&self, file: &str) -> String {
        format!("http://127.0.0.1:{}/{file}", self.port)
    }
}

#[cfg(feature = "online")]
impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kyso trust fetch` (library `profiles::fetch`) downloads from a real HTTP server on
/// loopback — allowed explicitly, since the network policy refuses loopback by default — and
/// installs exactly the certificates that match the profile's pins: the VNPT-CA intermediate
/// and a missing file are rejected with the reason, and the store then loads.
#[cfg(feature = "online")]
#[test]
fn trust_fetch_installs_only_pinned_certificates_from_a_loopback_server() {
    let Some(root) = corpus::trust_vn() else {
        return;
    };
    let Some(server) = PyServer::start(&root.join("neac")) else {
        return;
    };
    let public = profiles::profile("vn-public").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let urls = vec![
        server.url("vnrca-sha256-g2.pem"),
        server.url("vnrca-ema.pem"),
        server.url("vnpt-ca-sha2.pem"),
        server.url("no-such-file.pem"),
    ];
    // Refused by the default network policy: loopback.
    let strict = kyso::net::HttpFetcher::default();
    let refused = profiles::fetch(public, &urls[..1], &strict, &store).unwrap();
    assert!(refused.found.is_empty(), "{refused:?}");
    assert_eq!(refused.rejected.len(), 1, "{refused:?}");
    // Allowed for this host.
    let policy = kyso::net::NetworkPolicy::default()
        .allow_host(&format!("127.0.0.1:{}", server.port))
        .unwrap();
    let fetcher = kyso::net::HttpFetcher::default().with_policy(policy);
    let report = profiles::fetch(public, &urls, &fetcher, &store).unwrap();
    let found: Vec<&str> = report.found.iter().map(|f| f.pin.subject).collect();
    assert_eq!(
        found,
        ["Vietnam National Root CA", "VIETNAM NATIONAL ROOT CA - EMA"]
    );
    assert_eq!(report.rejected.len(), 2, "{report:?}");
    assert!(
        report.rejected[0].reason.contains("matches no pin"),
        "{report:?}"
    );
    assert!(
        report.rejected[1].reason.contains("not fetched"),
        "{report:?}"
    );
    let mut trust = TrustStore::empty();
    assert_eq!(
        profiles::add_installed(&mut trust, public, &store).unwrap(),
        2
    );

    // The same through the CLI; without --url the profile records no URL: a clear error.
    let store2 = tmp.path().join("store2");
    let out = cli::kyso([
        cli::os("trust"),
        cli::os("fetch"),
        cli::os("vn-public"),
        cli::os("--url"),
        cli::os(&urls[0]),
        cli::os("--allow-host"),
        cli::os(&format!("127.0.0.1:{}", server.port)),
        cli::os("--store"),
        store2.as_os_str(),
    ]);
    assert_eq!(cli::code(&out), 1, "{}", cli::show(&out)); // other pins still missing
    assert!(cli::stdout(&out).contains("installed: Vietnam National Root CA"));
    let none = cli::kyso([
        cli::os("trust"),
        cli::os("fetch"),
        cli::os("vn-gov"),
        cli::os("--store"),
        store2.as_os_str(),
    ]);
    assert_eq!(cli::code(&none), 2, "{}", cli::show(&none));
    assert!(
        cli::stderr(&none).contains("no publication URL"),
        "{}",
        cli::show(&none)
    );
}
