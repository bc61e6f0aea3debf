//! SHA-256 throughput of ring (what kyso uses) against the RustCrypto `sha2` crate, on a
//! 64 MiB buffer: in one call, and fed in 1 MiB chunks as the verifier feeds file reads.
//!
//! `sha2` is only a dev-dependency, for this comparison. In test mode (`cargo test`) the
//! buffer is 64 KiB so that CI stays fast.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sha2::Digest as _;

const FULL_LEN: usize = 64 << 20;
const TEST_LEN: usize = 64 << 10;
const CHUNK: usize = 1 << 20;

/// A SHA-256 implementation under test.
type Sha256Fn = fn(&[u8]) -> [u8; 32];

fn buffer(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn ring_oneshot(data: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn ring_chunked(data: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for chunk in data.chunks(CHUNK) {
        ctx.update(chunk);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

fn sha2_oneshot(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

fn sha2_chunked(data: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for chunk in data.chunks(CHUNK) {
        h.update(chunk);
    }
    h.finalize().into()
}

fn benches(c: &mut Criterion) {
    let measuring = std::env::args().any(|a| a == "--bench");
    let data = buffer(if measuring { FULL_LEN } else { TEST_LEN });
    let label = if measuring { "64MiB" } else { "64KiB" };

    // The two libraries must agree before their speed means anything.
    let expected = ring_oneshot(&data);
    assert_eq!(sha2_oneshot(&data), expected);
    assert_eq!(ring_chunked(&data), expected);
    assert_eq!(sha2_chunked(&data), expected);

    let mut group = c.benchmark_group("sha256");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let variants: [(&str, Sha256Fn); 4] = [
        ("ring", ring_oneshot),
        ("ring-1MiB-chunks", ring_chunked),
        ("sha2", sha2_oneshot),
        ("sha2-1MiB-chunks", sha2_chunked),
    ];
    for (name, f) in variants {
        group.bench_with_input(BenchmarkId::new(name, label), &data, |b, data| {
            b.iter(|| f(black_box(data)))
        });
    }
    group.finish();
}

criterion_group!(digest_benches, benches);
criterion_main!(digest_benches);
