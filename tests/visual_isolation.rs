//! The visual comparison's renderer in a child process (`kyso::visual::Isolation::Process`,
//! what the CLI and `kyso serve` use): hostile files that the renderer cannot bound itself
//! end as `visual.skipped`, the verifier goes on, and no renderer process outlives the call.
//!
//! - Memory: a page content stream (ISO 32000-2 §7.3.8 streams, §7.4.4 FlateDecode) of a few
//!   MB that inflates to 512 MiB, beyond a 256 MiB address-space budget.
//! - Time: form XObjects (§8.10) each drawing the next one twice, 40 levels deep (2^40
//!   leaves; the renderer's nesting limit of 50 does not bound fan-out), beyond a 2 s budget.
//!
//! When the comparison is required (`VisualOptions::required`, a policy that enables it),
//! such a skip is also the error `visual.not_comparable`.
//!
//! Both would take the test process with them on a thread (the renderer allocates the whole
//! decoded stream; it cannot be interrupted), so only the process isolation is run here.
#![cfg(all(feature = "visual", target_os = "linux"))]

mod common;

#[allow(dead_code)]
#[path = "render_oracle/graph.rs"]
mod graph;

use std::time::{Duration, Instant};

use common::pki::TestPki;
use kyso::pdf::{Dict, Name, ObjRef, Object};
use kyso::report::{Code, Indication, VisualStatus};
use kyso::verify::{verify_bytes, VerifyOptions};
use kyso::visual::{examine, Isolation, VisualOptions, CLI_WORKER_ARG};
use time::OffsetDateTime;

/// A raw DEFLATE stream in a zlib wrapper (RFC 1950/1951) that inflates to `n` spaces: one
/// literal, then copies of 258 bytes at distance 1 with the fixed Huffman codes (13 bits per
/// copy), so a 512 MiB bomb is 3.4 MB.
fn zlib_spaces(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn lsb(&mut self, v: u64, n: u32) {
            self.acc |= v << self.len;
            self.len += n;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u64, n: u32) {
            let mut rev = 0;
            for i in 0..n {
                rev |= ((code >> i) & 1) << (n - 1 - i);
            }
            self.lsb(rev, n);
        }
    }
    let mut b = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        len: 0,
    };
    b.lsb(1, 1); // BFINAL
    b.lsb(1, 2); // fixed Huffman codes
    b.code(0x30 + u64::from(b' '), 8); // the literal ' '
    let copies = (n - 1) / 258;
    for _ in 0..copies {
        b.code(0b1100_0101, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
    }
    for _ in 0..(n - 1 - copies * 258) {
        b.code(0x30 + u64::from(b' '), 8);
    }
    b.code(0, 7); // end of block
    if b.len > 0 {
        b.lsb(0, 8 - b.len);
    }
    // Adler-32 of n spaces.
    let m = 65_521u128;
    let n = u128::from(n);
    let a = (1 + 32 * n) % m;
    let s = (n + 32 * (n * (n + 1) / 2)) % m;
    let mut out = b.out;
    out.extend_from_slice(&(((s << 16) | a) as u32).to_be_bytes());
    out
}

fn stream(entries: &[(&str, Object)], data: &[u8]) -> Object {
    let mut d = Dict::new();
    for (k, v) in entries {
        d.set(*k, v.clone());
    }
    graph::new_stream(d, data)
}

fn name(n: &str) -> Object {
    Object::Name(Name::from(n))
}

fn array(v: &[i64]) -> Object {
    Object::Array(v.iter().map(|x| Object::Integer(*x)).collect())
}

/// A signed one-page document, and the page's object number, its `/Contents` and the next
/// free object number.
fn signed(pki: &TestPki, now: OffsetDateTime) -> (graph::Snapshot, ObjRef, ObjRef, u32) {
    let snap = graph::Snapshot::signed_sample(pki, now);
    let (page, contents) = snap.first_page_contents();
    let next = snap.size;
    (snap, page, contents, next)
}

/// The page redrawn by forms that fan out: `/F0 Do` draws F1 twice, … F39 paints a square.
fn fan_out(snap: &graph::Snapshot, page: ObjRef, contents: ObjRef, next: u32) -> Vec<u8> {
    const LEVELS: u32 = 40;
    let mut objects = Vec::new();
    for i in 0..LEVELS {
        let num = next + i;
        let (data, resources) = if i + 1 < LEVELS {
            let mut xo = Dict::new();
            xo.set("X", Object::Reference(ObjRef::new(num + 1, 0)));
            let mut res = Dict::new();
            res.set("XObject", Object::Dict(xo));
            (b"/X Do /X Do".to_vec(), Some(res))
        } else {
            (b"0 0 1 rg 100 100 10 10 re f".to_vec(), None)
        };
        let mut entries = vec![
            ("Type", name("XObject")),
            ("Subtype", name("Form")),
            ("BBox", array(&[0, 0, 600, 800])),
        ];
        if let Some(r) = resources {
            entries.push(("Resources", Object::Dict(r)));
        }
        objects.push((num, stream(&entries, &data)));
    }
    let mut page_dict = snap.dict(&snap.objects[&page.num]).unwrap().clone();
    let mut xo = Dict::new();
    xo.set("F0", Object::Reference(ObjRef::new(next, 0)));
    let mut res = Dict::new();
    res.set("XObject", Object::Dict(xo));
    page_dict.set("Resources", Object::Dict(res));
    objects.push((page.num, Object::Dict(page_dict)));
    objects.push((contents.num, stream(&[], b"/F0 Do")));
    snap.append(&objects, None)
}

/// Renderer processes of the kyso binary that are children of this test process.
fn renderer_children() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in dir.flatten() {
        let p = e.path();
        let (Ok(stat), Ok(cmd)) = (
            std::fs::read_to_string(p.join("stat")),
            std::fs::read(p.join("cmdline")),
        ) else {
            continue;
        };
        // `pid (comm) state ppid …`: the fields after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1));
        if ppid == Some(me.as_str())
            && cmd
                .split(|b| *b == 0)
                .any(|a| a == CLI_WORKER_ARG.as_bytes())
        {
            found.push(p.display().to_string());
        }
    }
    found
}

#[test]
fn hostile_pages_end_the_renderers_process_not_the_verifier() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let (snap, page, contents, next) = signed(&pki, now);
    let mut v = VisualOptions::default();
    v.isolation = Isolation::process(env!("CARGO_BIN_EXE_kyso"), &[CLI_WORKER_ARG]);
    v.max_memory = 256 << 20;
    v.time_limit = Duration::from_secs(2);

    // The isolation itself works: an honest later update (the page redrawn the same way)
    // is compared in the child and shows nothing.
    let honest = snap.append(&[(contents.num, stream(&[], b""))], None);
    let mut r = verify_bytes(&honest, &opts).unwrap();
    examine(&honest, &mut r, &v);
    let vis = r.signatures[0].visual.as_ref().unwrap();
    assert_eq!(vis.status, VisualStatus::Compared, "{vis:?}");

    // Memory: 512 MiB of spaces behind FlateDecode.
    let bomb = zlib_spaces(512 << 20);
    assert!(bomb.len() < 4 << 20);
    let flate = stream(&[("Filter", name("FlateDecode"))], &bomb);
    let tampered = snap.append(&[(contents.num, flate)], None);
    let mut r = verify_bytes(&tampered, &opts).unwrap();
    let started = Instant::now();
    examine(&tampered, &mut r, &v);
    let s = &r.signatures[0];
    let vis = s.visual.as_ref().unwrap();
    assert_eq!(vis.status, VisualStatus::Skipped, "{vis:?}");
    let why = vis.reason.clone().unwrap_or_default();
    assert!(why.contains("memory budget"), "{why}");
    assert!(s.findings.iter().any(|f| f.code == Code::VisualSkipped));
    assert_ne!(s.indication, Indication::TotalPassed);
    // Required (a policy that enables the comparison): a comparison that could not be made
    // is also an error, so that a later revision too heavy to render cannot turn it off.
    assert!(!s
        .findings
        .iter()
        .any(|f| f.code == Code::VisualNotComparable));
    let mut required = v.clone();
    required.required = true;
    let mut r = verify_bytes(&tampered, &opts).unwrap();
    examine(&tampered, &mut r, &required);
    assert!(r.signatures[0]
        .findings
        .iter()
        .any(|f| f.code == Code::VisualNotComparable));
    eprintln!("flate bomb: {why} ({:?})", started.elapsed());

    // Time: 2^40 form invocations; the child is killed at the deadline (plus the grace for
    // starting and answering), and the report says so.
    let fan = fan_out(&snap, page, contents, next);
    let mut r = verify_bytes(&fan, &opts).unwrap();
    let started = Instant::now();
    examine(&fan, &mut r, &v);
    let elapsed = started.elapsed();
    let vis = r.signatures[0].visual.as_ref().unwrap();
    assert_eq!(vis.status, VisualStatus::Skipped, "{vis:?}");
    let why = vis.reason.clone().unwrap_or_default();
    assert!(why.contains("time budget"), "{why}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    eprintln!("form fan-out: {why} ({elapsed:?})");

    // Nothing left running.
    assert_eq!(renderer_children(), Vec::<String>::new());
}

/// A program that is not a renderer worker: the comparison is skipped with a reason, never
/// passed.
#[test]
fn a_worker_that_does_not_answer_is_a_skipped_comparison() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);
    let (snap, _, contents, _) = signed(&pki, now);
    let honest = snap.append(&[(contents.num, stream(&[], b""))], None);
    let mut v = VisualOptions::default();
    v.isolation = Isolation::process("/bin/true", &[]);
    let mut r = verify_bytes(&honest, &opts).unwrap();
    examine(&honest, &mut r, &v);
    let vis = r.signatures[0].visual.as_ref().unwrap();
    assert_eq!(vis.status, VisualStatus::Skipped, "{vis:?}");
    v.isolation = Isolation::process("/nonexistent/kyso-renderer", &[]);
    let mut r = verify_bytes(&honest, &opts).unwrap();
    examine(&honest, &mut r, &v);
    let vis = r.signatures[0].visual.as_ref().unwrap();
    assert!(
        vis.reason
            .as_deref()
            .is_some_and(|w| w.contains("could not be started")),
        "{vis:?}"
    );
}
