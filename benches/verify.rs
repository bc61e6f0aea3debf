//! Verification and signing on generated signed PDFs of about 100 KB, 10 MB and 100 MB.
//!
//! The files are made once and kept under `<target>/bench-data/` (the target directory is
//! `CARGO_TARGET_DIR`, or `target/` beside `Cargo.toml`): a demo PKI written as PEM, the
//! unsigned inputs, and the signed files. A marker file `FORMAT` records how they were made;
//! when it is missing or names another format, the directory is made again. Every signed
//! file is verified once before measuring, so a bench never times a failing verification.
//!
//! `cargo bench --bench verify` measures everything. Under `cargo test --all-targets` the
//! bench runs in criterion's test mode, and only the 100 KB files are made and exercised,
//! so that CI never writes or hashes the 100 MB file.
//!
//! See `benches/README.md` for results and the whole-process comparison with other tools.

use std::fs;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use time::OffsetDateTime;

use kyso::crypto::{DigestAlgorithm, Hasher};
use kyso::demo::{sample_dossier, DemoPki, SampleOptions};
use kyso::output::{Overwrite, Target};
use kyso::pdf::FileSource;
use kyso::pki::{TrustStore, VerificationCache};
use kyso::sign::{sign_file, SignOptions};
use kyso::signer::SoftwareSigner;
use kyso::verify::coverage::Ranges;
use kyso::verify::digest::digest_ranges;
use kyso::verify::hashing::SharedDigests;
use kyso::verify::{verify_file, VerifyOptions};

/// First line of the marker file. Change it whenever the generated data changes (sizes,
/// PKI, signing options), so that stale caches are rebuilt.
const FORMAT: &str = "kyso-bench-data 1";

/// Data older than this is remade: the demo officials' certificates last two years.
const MAX_AGE: time::Duration = time::Duration::days(300);

/// One file size: its label in bench names and file names, the filler that makes it that big,
/// and whether it is made outside a real bench run (`cargo test`).
struct Size {
    label: &'static str,
    padding: usize,
    in_test_mode: bool,
}

const SIZES: [Size; 3] = [
    Size {
        label: "100KB",
        padding: 100_000,
        in_test_mode: true,
    },
    Size {
        label: "10MB",
        padding: 10_000_000,
        in_test_mode: false,
    },
    Size {
        label: "100MB",
        padding: 100_000_000,
        in_test_mode: false,
    },
];

/// The cached data set.
struct Data {
    dir: PathBuf,
    /// When the PKI was made; used as signing and validation time.
    time: OffsetDateTime,
    trust: TrustStore,
}

impl Data {
    fn unsigned(&self, label: &str) -> PathBuf {
        self.dir.join(format!("unsigned-{label}.pdf"))
    }

    fn signed(&self, label: &str) -> PathBuf {
        self.dir.join(format!("signed-{label}.pdf"))
    }

    /// The file signed `n` times (`n` of 2, 5, 20), by the two officials in turn.
    fn signed_n(&self, n: usize, label: &str) -> PathBuf {
        match n {
            1 => self.signed(label),
            _ => self.dir.join(format!("signed{n}-{label}.pdf")),
        }
    }

    fn signer(&self, official: usize) -> SoftwareSigner {
        let id = format!("official-{official}");
        SoftwareSigner::from_pem_files(
            &self.dir.join(format!("{id}.key.pem")),
            &self.dir.join(format!("{id}.pem")),
            Some(&self.dir.join("chain.pem")),
        )
        .expect("load the cached signer")
    }

    fn sign_options(&self, field: &str) -> SignOptions {
        SignOptions::new()
            .field_name(field)
            .reason("kyso bench")
            .signing_time(self.time)
    }

    fn verify_options(&self) -> VerifyOptions {
        VerifyOptions::new(self.trust.clone()).validation_time(self.time)
    }

    /// The RSA variant's directory: the same dossier signed under an all-RSA PKI.
    fn rsa_dir(&self) -> PathBuf {
        self.dir.join("rsa")
    }

    /// The 100 KB dossier signed `n` times (1 or 2) under the RSA PKI.
    fn rsa_signed(&self, n: usize) -> PathBuf {
        self.rsa_dir().join(format!("signed{n}-100KB.pdf"))
    }

    fn rsa_verify_options(&self) -> VerifyOptions {
        let mut trust = TrustStore::empty();
        trust
            .add_file(&self.rsa_dir().join("root.pem"))
            .expect("trust the RSA root");
        VerifyOptions::new(trust).validation_time(self.time)
    }
}

/// True when criterion measures (`cargo bench` passes `--bench`); false in test mode.
fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => manifest.join(dir),
        None => manifest.join("target"),
    }
}

/// Reads the marker: the creation time if the format matches and the data is not too old.
fn read_marker(dir: &Path) -> Option<OffsetDateTime> {
    let text = fs::read_to_string(dir.join("FORMAT")).ok()?;
    let mut lines = text.lines();
    if lines.next()? != FORMAT {
        return None;
    }
    let secs: i64 = lines.next()?.trim().parse().ok()?;
    let made = OffsetDateTime::from_unix_timestamp(secs).ok()?;
    (OffsetDateTime::now_utc() - made < MAX_AGE).then_some(made)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so an interrupted run
/// never leaves a truncated file that a later run would take as cached.
fn write_new(path: &Path, bytes: &[u8]) {
    let dir = path.parent().expect("cache files live in a directory");
    let mut tmp = tempfile::NamedTempFile::new_in(dir).expect("temporary file");
    tmp.write_all(bytes).expect("write cache file");
    tmp.persist(path).expect("rename cache file");
}

/// Makes (or reuses) the PKI and every file the current mode needs.
fn prepare() -> Data {
    let dir = target_dir().join("bench-data");
    let time = match read_marker(&dir) {
        Some(t) => t,
        None => {
            eprintln!("kyso bench: generating the demo PKI in {}", dir.display());
            if dir.exists() {
                fs::remove_dir_all(&dir).expect("remove stale bench data");
            }
            fs::create_dir_all(&dir).expect("create bench data directory");
            // Whole seconds, so that the marker gives back exactly this instant.
            let now = OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .expect("0 ns");
            let pki = DemoPki::generate(now).expect("demo PKI");
            pki.write_pem_files(&dir).expect("write PKI");
            write_new(
                &dir.join("FORMAT"),
                format!("{FORMAT}\n{}\n", now.unix_timestamp()).as_bytes(),
            );
            now
        }
    };
    let mut trust = TrustStore::empty();
    trust.add_file(&dir.join("root.pem")).expect("trust root");
    let data = Data { dir, time, trust };

    let full = measuring();
    for size in SIZES.iter().filter(|s| full || s.in_test_mode) {
        let unsigned = data.unsigned(size.label);
        if !unsigned.exists() {
            eprintln!("kyso bench: generating {}", unsigned.display());
            let pdf = sample_dossier(&SampleOptions::default().padding_bytes(size.padding))
                .expect("sample dossier");
            write_new(&unsigned, &pdf);
        }
        let signed = data.signed(size.label);
        if !signed.exists() {
            eprintln!("kyso bench: signing {}", signed.display());
            let opts = data.sign_options("ChuKy_1");
            sign_file(&unsigned, &signed, &data.signer(1), &opts).expect("sign");
        }
        check_valid(&data, &signed, 1);
    }
    // Dossiers signed several times, by the two officials in turn (the two-level flow and
    // longer ones): 2 signatures on 100 KB; 5 and 20 on 100 KB and, when measuring, 10 MB.
    for (label, counts) in [("100KB", &[2usize, 5, 20][..]), ("10MB", &[5, 20][..])] {
        if label != "100KB" && !full {
            continue;
        }
        let mut have = 1;
        for &n in counts {
            let target = data.signed_n(n, label);
            if !target.exists() {
                eprintln!("kyso bench: signing {}", target.display());
                let mut from = data.signed_n(have, label);
                let tmp = data.dir.join(format!("signing-{label}.pdf"));
                for k in have + 1..=n {
                    let to = if k == n {
                        target.clone()
                    } else {
                        tmp.with_extension(format!("{k}.pdf"))
                    };
                    let opts = data.sign_options(&format!("ChuKy_{k}"));
                    let to_target = Target::new(&to).overwrite(Overwrite::Replace);
                    sign_file(&from, to_target, &data.signer(2 - k % 2), &opts).expect("sign");
                    if from != data.signed_n(have, label) {
                        let _ = fs::remove_file(&from);
                    }
                    from = to;
                }
            }
            check_valid(&data, &target, n);
            have = n;
        }
    }
    prepare_rsa(&data);
    data
}

/// The RSA variant: root RSA-3072, issuing CA and the two officials RSA-2048 (the committed
/// test keys under `test-vectors/keys/`), PKCS#1 v1.5 signatures with SHA-256; the 100 KB
/// dossier signed once and twice.
fn prepare_rsa(data: &Data) {
    let dir = data.rsa_dir();
    if !dir.join("root.pem").exists() {
        eprintln!("kyso bench: generating the RSA PKI in {}", dir.display());
        fs::create_dir_all(&dir).expect("create the RSA directory");
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/keys");
        let read = |name: &str| fs::read_to_string(keys.join(name)).expect("committed test key");
        let pems = [
            read("rsa-3072.pkcs8.pem"),
            read("rsa-2048.pkcs8.pem"),
            read("rsa-2048-b.pkcs8.pem"),
            read("rsa-2048-c.pkcs8.pem"),
        ];
        let pki = DemoPki::generate_with_keys(data.time, pems.each_ref().map(String::as_str))
            .expect("RSA demo PKI");
        pki.write_pem_files(&dir).expect("write the RSA PKI");
    }
    let signer = |official: usize| {
        let id = format!("official-{official}");
        SoftwareSigner::from_pem_files(
            &dir.join(format!("{id}.key.pem")),
            &dir.join(format!("{id}.pem")),
            Some(&dir.join("chain.pem")),
        )
        .expect("load the RSA signer")
    };
    let opts = data.rsa_verify_options();
    let mut from = data.unsigned("100KB");
    for n in [1usize, 2] {
        let target = data.rsa_signed(n);
        if !target.exists() {
            eprintln!("kyso bench: signing {}", target.display());
            let sign = data.sign_options(&format!("ChuKy_{n}"));
            sign_file(&from, &target, &signer(n), &sign).expect("sign with RSA");
        }
        let report = verify_file(&target, &opts).expect("verify the RSA file");
        assert!(
            report.all_passed() && report.signatures.len() == n,
            "cached RSA bench file {} does not verify; delete {}\n{}",
            target.display(),
            dir.display(),
            report.to_json()
        );
        from = target;
    }
}

fn check_valid(data: &Data, path: &Path, signatures: usize) {
    let report = verify_file(path, &data.verify_options()).expect("verify cached file");
    assert!(
        report.all_passed() && report.signatures.len() == signatures,
        "cached bench file {} does not verify as {signatures} valid signature(s); delete {} \
         to remake the data\n{}",
        path.display(),
        data.dir.display(),
        report.to_json()
    );
}

fn file_len(path: &Path) -> u64 {
    fs::metadata(path).expect("cached file").len()
}

/// Sample counts per size: fewer for the big files, so the whole bench takes a few minutes.
fn tune(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, label: &str) {
    match label {
        "100MB" => {
            group.sample_size(10);
            group.sampling_mode(SamplingMode::Flat);
            group.measurement_time(Duration::from_secs(10));
        }
        "10MB" => {
            group.sample_size(20);
            group.sampling_mode(SamplingMode::Flat);
            group.measurement_time(Duration::from_secs(5));
        }
        _ => {
            group.sample_size(50);
            group.sampling_mode(SamplingMode::Auto);
            group.measurement_time(Duration::from_secs(5));
        }
    }
}

/// `verify_file` on `path`, cold: nothing remembered from the previous iteration (the cache
/// still serves the signatures of one file, as in a fresh process).
fn bench_cold(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: BenchmarkId,
    path: &Path,
    opts: &VerifyOptions,
) {
    group.bench_with_input(id, path, |b, path| {
        b.iter(|| {
            opts.cache.clear();
            verify_file(black_box(path), opts).expect("verify")
        })
    });
}

fn benches(c: &mut Criterion) {
    let data = prepare();
    let full = measuring();
    let opts = data.verify_options();

    let mut group = c.benchmark_group("verify_file");
    group.warm_up_time(Duration::from_secs(2));
    let mut cases: Vec<(usize, &str)> = SIZES
        .iter()
        .filter(|s| full || s.in_test_mode)
        .map(|s| (1, s.label))
        .collect();
    cases.extend([(2, "100KB"), (5, "100KB"), (20, "100KB")]);
    if full {
        cases.extend([(5, "10MB"), (20, "10MB")]);
    }
    for (n, label) in cases {
        let path = data.signed_n(n, label);
        tune(&mut group, label);
        group.throughput(Throughput::Bytes(file_len(&path)));
        bench_cold(
            &mut group,
            BenchmarkId::new(format!("{n}sig"), label),
            &path,
            &opts,
        );
    }
    group.finish();

    // The verification cache (`VerifyOptions::cache`): warm, as for a service that verifies
    // file after file with the same options (the certificates and their signatures were seen
    // before), and off (every certificate parsed and checked for each signature).
    let mut group = c.benchmark_group("verify_file_cache");
    group.warm_up_time(Duration::from_secs(2));
    let mut uncached = data.verify_options();
    uncached.cache = VerificationCache::disabled();
    for n in [1usize, 2, 20] {
        let path = data.signed_n(n, "100KB");
        tune(&mut group, "100KB");
        group.throughput(Throughput::Bytes(file_len(&path)));
        group.bench_with_input(
            BenchmarkId::new(format!("warm/{n}sig"), "100KB"),
            &path,
            |b, path| b.iter(|| verify_file(black_box(path), &opts).expect("verify")),
        );
        group.bench_with_input(
            BenchmarkId::new(format!("off/{n}sig"), "100KB"),
            &path,
            |b, path| b.iter(|| verify_file(black_box(path), &uncached).expect("verify")),
        );
    }
    group.finish();

    // The same dossier under an all-RSA PKI, cold.
    let rsa = data.rsa_verify_options();
    let mut group = c.benchmark_group("verify_file_rsa");
    group.warm_up_time(Duration::from_secs(2));
    for n in [1usize, 2] {
        let path = data.rsa_signed(n);
        tune(&mut group, "100KB");
        group.throughput(Throughput::Bytes(file_len(&path)));
        bench_cold(
            &mut group,
            BenchmarkId::new(format!("cold/{n}sig"), "100KB"),
            &path,
            &rsa,
        );
    }
    group.finish();

    // The same multi-signature files with each signature hashed on its own (as before the
    // shared pass): the difference is the hashing that the shared pass saves.
    let mut separate = data.verify_options();
    separate.shared_hashing = false;
    let mut group = c.benchmark_group("verify_file_separate_hashing");
    group.warm_up_time(Duration::from_secs(2));
    let label = if full { "10MB" } else { "100KB" };
    for n in [5usize, 20] {
        let path = data.signed_n(n, label);
        tune(&mut group, label);
        group.throughput(Throughput::Bytes(file_len(&path)));
        group.bench_with_input(
            BenchmarkId::new(format!("{n}sig"), label),
            &path,
            |b, path| b.iter(|| verify_file(black_box(path), &separate).expect("verify")),
        );
    }
    group.finish();

    // Hashing the signed ranges of every signature: one pass each, or one shared pass.
    let mut group = c.benchmark_group("hash_ranges");
    group.warm_up_time(Duration::from_secs(2));
    let label = if full { "10MB" } else { "100KB" };
    for n in [5usize, 20] {
        let path = data.signed_n(n, label);
        let requests = signed_ranges(&data, &path);
        let source = FileSource::open(&path).expect("open");
        tune(&mut group, label);
        group.throughput(Throughput::Bytes(file_len(&path)));
        let id = format!("{n}sig/{label}");
        group.bench_function(BenchmarkId::new("separate", &id), |b| {
            b.iter(|| {
                for (r, alg) in &requests {
                    black_box(digest_ranges(&source, r, *alg).expect("hash"));
                }
            })
        });
        group.bench_function(BenchmarkId::new("shared", &id), |b| {
            b.iter(|| black_box(SharedDigests::for_requests(&source, &requests)))
        });
    }
    group.finish();

    let signer = data.signer(1);
    let sign_opts = data.sign_options("ChuKy_Bench");
    let out = data.dir.join("sign-output.pdf");
    let mut group = c.benchmark_group("sign_file");
    group.warm_up_time(Duration::from_secs(2));
    for size in SIZES.iter().filter(|s| full || s.in_test_mode) {
        let input = data.unsigned(size.label);
        tune(&mut group, size.label);
        group.throughput(Throughput::Bytes(file_len(&input)));
        group.bench_with_input(BenchmarkId::new("1sig", size.label), &input, |b, input| {
            let out = Target::new(&out).overwrite(Overwrite::Replace);
            b.iter(|| sign_file(black_box(input), out, &signer, &sign_opts).expect("sign"))
        });
        // The floor for signing: copy the file to a temporary file beside the output while
        // hashing it, sync it and rename it into place (what signing does besides signing).
        group.bench_with_input(
            BenchmarkId::new("copy_hash_floor", size.label),
            &input,
            |b, input| b.iter(|| copy_hash(black_box(input), &out)),
        );
    }
    group.finish();
    let _ = fs::remove_file(&out);
}

/// The byte ranges and digest algorithm of every signature of `path`, from its report.
fn signed_ranges(data: &Data, path: &Path) -> Vec<(Ranges, DigestAlgorithm)> {
    let report = verify_file(path, &data.verify_options()).expect("verify");
    report
        .signatures
        .iter()
        .map(|s| {
            let br: Vec<u64> = s.coverage.byte_range.iter().map(|&v| v as u64).collect();
            let ranges = Ranges {
                first: (br[0], br[1]),
                second: (br[2], br[3]),
            };
            assert_eq!(s.digest_algorithm.as_deref(), Some("SHA-256"));
            (ranges, DigestAlgorithm::Sha256)
        })
        .collect()
}

/// Copies `input` to a temporary file beside `out` in 1 MiB pieces while hashing them with
/// SHA-256, syncs it and renames it to `out`.
fn copy_hash(input: &Path, out: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut file = fs::File::open(input).expect("open");
    let dir = out.parent().expect("a directory");
    let mut tmp = tempfile::NamedTempFile::new_in(dir).expect("temporary file");
    let mut hasher = Hasher::new(DigestAlgorithm::Sha256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n]).expect("write");
    }
    tmp.as_file().sync_all().expect("sync");
    tmp.persist(out).expect("rename");
    hasher.finish()
}

criterion_group!(verify_benches, benches);
criterion_main!(verify_benches);
