//! The renderer oracle for the difference analysis: whenever MuPDF or poppler draws a signed
//! document differently from what its signer signed, kyso must not say TOTAL-PASSED.
//!
//! Signed documents (bases) are made with kyso: an approval signature on a one-page dossier
//! with visible text, the same certified with DocMDP P1, P2 and P3 (ISO 32000-2 §12.8.2.2),
//! a text page with kyso's visible signature, and a registration form whose fields have no
//! `/AP` (drawn by viewers from `/V`, `/DA` and `/DR`, §12.7.4.3), with `/NeedAppearances
//! true`, and filled by kyso (with `/AP`). Each is checked to verify TOTAL-PASSED. On each,
//! honest updates (seeds) are made too: a field filled with a new appearance, a `/Square`
//! annotation, a new visible signature field, a second signature, an `/Info` change, a
//! `/DSS`.
//!
//! From the object graph of each base (every object reachable from the catalog; signature
//! dictionaries excluded) and of each seed (the objects its update defines), single
//! mutations are generated: every key of every dictionary and every element of every array
//! removed, changed (type-aware), made indirect, made direct, given the wrong type; arrays
//! one element short or long; display-relevant keys added where missing. Ids read
//! `BASE/SEED/obj N/PATH/OPERATION`, e.g. `p2/seed:newsig/obj 17/Rect[0]/ind`. A mutation
//! of a base is one appended incremental update (classic table, `/Prev`); a mutation of an
//! unsigned seed's object is written into that seed's update instead (one update on the
//! base: the seed's change with one object mutated); after the second signature it is
//! appended. Each result is drawn by `mutool draw` and `pdftoppm` (36 dpi, every page) and
//! compared pixel by pixel with the same renderer's drawing of the revision each signature
//! signed (the file cut at the `/ByteRange` end); kyso verifies it. A difference in either
//! renderer (or a renderer drawing no page, or another number of pages) is a visible change.
//!
//! Classes, per signature: **false accept** (visible, yet TOTAL-PASSED: the test fails and
//! prints each, seeds included), **false alarm** (nothing visible, yet not TOTAL-PASSED:
//! counted by kind, not a failure), agreed visible, agreed invisible, and two kinds of
//! accepted visible change: *allowed* (the only differences lie in the widgets of a field
//! whose `/V` the mutation changed, where the signatures permit form filling, or in what an
//! accepted seed itself added: the filled widget, the added annotation), and *with warning*
//! (kyso says TOTAL-PASSED with a finding whose code is in the allow-list:
//! `ALLOWED_WARNINGS`, or the comma-separated codes of `KYSO_ORACLE_ALLOWED_WARNINGS`). On a
//! seed that kyso accepts, a mutation is visible only when it differs from the seed's drawing
//! as well as from the signed revision's: a seed's own problem is reported once, as the
//! seed's. Renderers draw the screen view: a change that only matters when printing (the
//! `/F` print flag) is not seen.
//!
//! Bounded by default: a deterministic sample of `DEFAULT_LIMIT` mutations, the same share
//! for every base and seed, by stride over each one's mutations. The long run, every
//! mutation (about 20,000; 8 minutes with 2 workers on an idle 2-core machine, debug build):
//! `KYSO_ORACLE_ALL=1 cargo test --test render_oracle -- --nocapture`. Other switches:
//! `KYSO_ORACLE_LIMIT=N` (N mutations), `KYSO_ORACLE_JOBS=N` (workers, default 2),
//! `KYSO_ORACLE_FILTER=TEXT` (only ids containing TEXT). Results under
//! `$CARGO_TARGET_TMPDIR/render-oracle-runs/<process id>/` (removed after a passing sample run):
//! `results.tsv` (one line per mutation: id, kind, class, which renderer showed it, kyso's verdict and changes), `seeds.tsv`, every base and
//! seed (`variants/`), the file of every false accept (`false-accepts/`) and `root.pem`
//! (`kyso verify --trust root.pem FILE`).

mod common;

#[path = "render_oracle/bases.rs"]
mod bases;
#[path = "render_oracle/graph.rs"]
mod graph;
#[path = "render_oracle/mutate.rs"]
mod mutate;
#[path = "render_oracle/render.rs"]
mod render;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use common::pki::TestPki;
use kyso::report::{Indication, SignatureReport, VerificationReport};
use kyso::verify::{verify_bytes, VerifyOptions};
use render::{differs, PageRect, Renderer, Rendering, Tools};
use time::OffsetDateTime;

/// Mutations in the bounded run.
const DEFAULT_LIMIT: usize = 500;

/// Warning codes under which kyso may accept a visible change: an unsigned signature field
/// added after an approval signature paints over the page (allowed, but it must warn), and
/// annotations added where the certification permits them (DocMDP P3).
const ALLOWED_WARNINGS: &[&str] = &[
    "modification.unsigned_visible_signature_field",
    "modification.annotations",
];

fn allowed_warnings() -> Vec<String> {
    match std::env::var("KYSO_ORACLE_ALLOWED_WARNINGS") {
        Ok(list) => list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Err(_) => ALLOWED_WARNINGS.iter().map(|s| s.to_string()).collect(),
    }
}

/// How many mutations to run: all, a given number, or the default sample.
fn limit() -> Option<usize> {
    if std::env::var("KYSO_ORACLE_ALL").is_ok_and(|v| v == "1") {
        return None;
    }
    Some(
        std::env::var("KYSO_ORACLE_LIMIT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_LIMIT),
    )
}

fn jobs() -> usize {
    std::env::var("KYSO_ORACLE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(2)
}

/// This run's directory: one per process, so that runs sharing a target directory (a full
/// run beside `cargo test` in another checkout) never clear each other's files. The sample
/// run removes it when it passes; a full run or a failing one keeps it to be read.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("render-oracle-runs")
        .join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("false-accepts")).unwrap();
    std::fs::create_dir_all(dir.join("work")).unwrap();
    dir
}

/// Runs `f` over `items` on `jobs` threads, each with its own scratch directory; results in
/// item order.
fn par_map<T: Sync, R: Send>(
    items: &[T],
    work: &Path,
    f: impl Fn(&T, &Path) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for w in 0..jobs() {
            let dir = work.join(format!("w{w}"));
            std::fs::create_dir_all(&dir).unwrap();
            let (next, results, f) = (&next, &results, &f);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i], &dir);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

/// Where a signature's signed revision ends (its `/ByteRange` end).
fn signed_end(s: &SignatureReport) -> Option<usize> {
    match s.coverage.byte_range.as_slice() {
        [_, _, start, len] => usize::try_from(start + len).ok(),
        _ => None,
    }
}

fn passed(s: &SignatureReport) -> bool {
    s.indication == Indication::TotalPassed
}

fn warned(s: &SignatureReport, allowed: &[String]) -> bool {
    s.findings
        .iter()
        .any(|f| allowed.iter().any(|a| a == f.code.as_str()))
}

fn verdict(s: &SignatureReport) -> String {
    let mut codes: Vec<&str> = s
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.severity,
                kyso::report::Severity::Error | kyso::report::Severity::Warning
            )
        })
        .map(|f| f.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    format!(
        "{}{} [{}]",
        s.indication.as_str(),
        s.sub_indication
            .map(|x| format!("/{}", x.as_str()))
            .unwrap_or_default(),
        codes.join(",")
    )
}

fn modification_summary(s: &SignatureReport) -> String {
    let m = &s.modifications;
    let changes: Vec<String> = m
        .changes
        .iter()
        .take(4)
        .map(|c| format!("{}: {}", c.rule, c.description))
        .collect();
    format!(
        "level {:?}, allowed {}, {} change(s): {}{}",
        m.level,
        m.allowed,
        m.changes.len(),
        changes.join("; "),
        if m.changes.len() > 4 { "; …" } else { "" }
    )
}

/// What a variant's signatures are judged against.
struct SigRef {
    /// End of the signed revision.
    end: usize,
    /// The drawing of the signed revision, per renderer.
    signed: [Rendering; 2],
    /// kyso accepts the variant itself for this signature (TOTAL-PASSED): its drawing is
    /// then a reference too.
    accepted: bool,
}

struct Prepared {
    snap: graph::Snapshot,
    drawn: [Rendering; 2],
    sigs: Vec<SigRef>,
    fill_allowed: bool,
    /// For a seed whose update is not signed: the plain base it was made on (mutations of
    /// the seed's objects are written into the seed's update, on the base).
    parent: Option<usize>,
}

/// What one mutation (or seed) came to, the most serious first: over several signatures the
/// smallest counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    FalseAccept,
    FalseAlarm,
    Warned,
    AgreedVisible,
    AllowedVisible,
    AgreedInvisible,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::FalseAccept => "false-accept",
            Class::FalseAlarm => "false-alarm",
            Class::AgreedVisible => "agreed-visible",
            Class::AgreedInvisible => "agreed-invisible",
            Class::AllowedVisible => "allowed-visible",
            Class::Warned => "accepted-with-warning",
        }
    }
}

/// One signature's class, from what the renderers showed and what kyso said.
/// `raw`: a difference anywhere; `strict`: outside the places where policy allows one.
fn classify(raw: bool, strict: bool, passed: bool, warned: bool) -> Class {
    match (raw, passed) {
        (false, true) => Class::AgreedInvisible,
        (false, false) => Class::FalseAlarm,
        (true, false) => Class::AgreedVisible,
        (true, true) if !strict => Class::AllowedVisible,
        (true, true) if warned => Class::Warned,
        (true, true) => Class::FalseAccept,
    }
}

struct Outcome {
    class: Class,
    /// Per renderer: visible (outside allowed places) for some signature.
    shown: [bool; 2],
    verdicts: String,
    summary: String,
    errors: Vec<String>,
}

/// Judges `bytes` (a variant or a mutation of it) for every signature of the variant.
#[allow(clippy::too_many_arguments)]
fn judge(
    p: &Prepared,
    bytes: &[u8],
    drawn: &[Rendering; 2],
    reference_variant: bool,
    free: &[PageRect],
    value_rects: &[PageRect],
    opts: &VerifyOptions,
    allowed: &[String],
) -> Outcome {
    let report = verify_bytes(bytes, opts);
    let mut class = Class::AgreedInvisible;
    let mut shown = [false, false];
    let mut verdicts = Vec::new();
    let mut summary = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in drawn.iter().enumerate() {
        if let Err(e) = r {
            errors.push(format!("{}: {e}", Renderer::ALL[i].name()));
        }
    }
    let value_masks: &[PageRect] = if p.fill_allowed { value_rects } else { &[] };
    let mut variant_masks: Vec<PageRect> = free.to_vec();
    variant_masks.extend_from_slice(value_masks);
    for (k, sig) in p.sigs.iter().enumerate() {
        let found = report
            .as_ref()
            .ok()
            .and_then(|r| r.signatures.iter().find(|s| signed_end(s) == Some(sig.end)));
        let (ok, warn) = match found {
            Some(s) => {
                verdicts.push(format!("sig{k}: {}", verdict(s)));
                summary.push(format!("sig{k}: {}", modification_summary(s)));
                (passed(s), warned(s, allowed))
            }
            None => {
                verdicts.push(format!(
                    "sig{k}: {}",
                    match &report {
                        Ok(_) => "not found".to_string(),
                        Err(e) => format!("error: {e}"),
                    }
                ));
                (false, false)
            }
        };
        // On a seed this signature accepts, the seed's drawing is a reference too, and what
        // the seed itself added may look different.
        let use_variant = reference_variant && sig.accepted;
        let masks = if use_variant {
            &variant_masks[..]
        } else {
            value_masks
        };
        let mut raw = false;
        let mut strict = false;
        for (ri, mine) in drawn.iter().enumerate() {
            let r_raw = differs(mine, &sig.signed[ri], &[])
                && (!use_variant || differs(mine, &p.drawn[ri], &[]));
            let r_strict = differs(mine, &sig.signed[ri], masks)
                && (!use_variant || differs(mine, &p.drawn[ri], masks));
            raw |= r_raw;
            strict |= r_strict;
            shown[ri] |= r_strict;
        }
        class = class.min(classify(raw, strict, ok, warn));
    }
    Outcome {
        class,
        shown,
        verdicts: verdicts.join("; "),
        summary: summary.join(" | "),
        errors,
    }
}

fn tsv(s: &str) -> String {
    s.replace(['\t', '\n'], " ")
}

fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[test]
fn no_change_a_renderer_shows_is_total_passed() {
    let (Some(mutool), Some(pdftoppm)) = (common::tool("mutool"), common::tool("pdftoppm")) else {
        return;
    };
    let tools = Tools { mutool, pdftoppm };
    let started = Instant::now();
    let out = out_dir();
    let work = out.join("work");
    let allowed = allowed_warnings();
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    pki.write_root(&out);
    let opts = VerifyOptions::new(pki.trust()).validation_time(now);

    // Bases, each TOTAL-PASSED, then their seeds.
    let bases = bases::bases(&pki, now);
    for b in &bases {
        let r = verify_bytes(&b.bytes, &opts).unwrap();
        assert!(!r.signatures.is_empty(), "{}: no signature", b.name);
        for s in &r.signatures {
            assert_eq!(
                s.indication,
                Indication::TotalPassed,
                "base {} must verify TOTAL-PASSED first: {}",
                b.name,
                verdict(s)
            );
        }
    }
    let variants = bases::variants(&bases, &pki, now);
    std::fs::create_dir_all(out.join("variants")).unwrap();
    for v in &variants {
        let name = format!("{}-{}.pdf", bases[v.base].name, v.seed.replace(':', "-"));
        std::fs::write(out.join("variants").join(name), &v.bytes).unwrap();
    }

    // Draw every variant and every signed revision once.
    let mut prefixes: Vec<Vec<u8>> = Vec::new();
    let mut prefix_index: HashMap<(usize, usize), usize> = HashMap::new();
    let reports: Vec<VerificationReport> = variants
        .iter()
        .map(|v| verify_bytes(&v.bytes, &opts).unwrap())
        .collect();
    for (v, r) in variants.iter().zip(&reports) {
        for s in &r.signatures {
            let end = signed_end(s).expect("a byte range");
            let key = (v.base, end);
            if let std::collections::hash_map::Entry::Vacant(e) = prefix_index.entry(key) {
                e.insert(prefixes.len());
                prefixes.push(v.bytes[..end].to_vec());
            }
        }
    }
    let draw_both = |bytes: &Vec<u8>, dir: &Path| -> [Rendering; 2] {
        [
            tools.render(Renderer::Mutool, bytes, dir),
            tools.render(Renderer::Pdftoppm, bytes, dir),
        ]
    };
    let prefix_drawn = par_map(&prefixes, &work, draw_both);
    let variant_bytes: Vec<Vec<u8>> = variants.iter().map(|v| v.bytes.clone()).collect();
    let variant_drawn = par_map(&variant_bytes, &work, draw_both);
    for (i, d) in prefix_drawn.iter().enumerate() {
        for (ri, r) in d.iter().enumerate() {
            if let Err(e) = r {
                panic!(
                    "{} cannot draw signed revision {i}: {e}",
                    Renderer::ALL[ri].name()
                );
            }
        }
    }
    let prepared: Vec<Prepared> = variants
        .iter()
        .zip(reports)
        .zip(variant_drawn)
        .map(|((v, report), drawn)| {
            let sigs = report
                .signatures
                .iter()
                .map(|s| {
                    let end = signed_end(s).unwrap();
                    SigRef {
                        end,
                        signed: prefix_drawn[prefix_index[&(v.base, end)]].clone(),
                        accepted: passed(s),
                    }
                })
                .collect();
            let parent = (v.seed != "plain" && v.seed != "seed:sig2")
                .then(|| {
                    variants
                        .iter()
                        .position(|w| w.base == v.base && w.seed == "plain")
                })
                .flatten();
            Prepared {
                snap: graph::Snapshot::read(&v.bytes),
                drawn,
                sigs,
                fill_allowed: bases[v.base].fill_allowed,
                parent,
            }
        })
        .collect();

    // The seeds themselves.
    let mut seeds_tsv = String::from("variant\tclass\tmutool\tpdftoppm\tkyso\tmodifications\n");
    let mut seed_false_accepts = Vec::new();
    for (v, p) in variants.iter().zip(&prepared) {
        if v.seed == "plain" {
            continue;
        }
        let o = judge(p, &v.bytes, &p.drawn, false, &[], &v.free, &opts, &allowed);
        // A seed's own change is allowed where it declared it (`free`): judged with those
        // rectangles as value places.
        let name = format!("{}/{}", bases[v.base].name, v.seed);
        writeln!(
            seeds_tsv,
            "{name}\t{}\t{}\t{}\t{}\t{}",
            o.class.name(),
            o.shown[0],
            o.shown[1],
            tsv(&o.verdicts),
            tsv(&o.summary)
        )
        .unwrap();
        println!("seed {name:<32} {:<22} {}", o.class.name(), o.verdicts);
        if o.class == Class::FalseAccept {
            std::fs::write(
                out.join("false-accepts")
                    .join(format!("{}.pdf", sanitize(&name))),
                &v.bytes,
            )
            .unwrap();
            seed_false_accepts.push(format!(
                "{name} (shown by {}): {}\n    {}",
                shown_by(&o.shown),
                o.verdicts,
                o.summary
            ));
        }
    }
    std::fs::write(out.join("seeds.tsv"), &seeds_tsv).unwrap();

    // The mutations.
    let mut all = Vec::new();
    for (i, (v, p)) in variants.iter().zip(&prepared).enumerate() {
        let prefix = format!("{}/{}", bases[v.base].name, v.seed);
        let scope = (v.seed != "plain").then(|| {
            p.snap
                .last_defined
                .iter()
                .copied()
                .filter(|n| p.snap.objects.contains_key(n))
                .collect()
        });
        all.extend(mutate::generate(&p.snap, scope.as_ref(), &prefix, i));
    }
    if let Ok(filter) = std::env::var("KYSO_ORACLE_FILTER") {
        all.retain(|m| m.id.contains(&filter));
    }
    let total = all.len();
    let chosen: Vec<&mutate::Mutation> = match limit() {
        Some(n) if n < total => sample(&all, variants.len(), n),
        _ => all.iter().collect(),
    };
    println!(
        "{} bases, {} variants, {} mutations generated, {} run",
        bases.len(),
        variants.len(),
        total,
        chosen.len()
    );

    let outcomes = par_map(&chosen, &work, |m, dir| {
        let v = &variants[m.variant];
        let p = &prepared[m.variant];
        let bytes = mutate::apply(&p.snap, p.parent.map(|i| &prepared[i].snap), m);
        let drawn = [
            tools.render(Renderer::Mutool, &bytes, dir),
            tools.render(Renderer::Pdftoppm, &bytes, dir),
        ];
        let o = judge(
            p,
            &bytes,
            &drawn,
            true,
            &v.free,
            &m.value_rects,
            &opts,
            &allowed,
        );
        if o.class == Class::FalseAccept {
            std::fs::write(
                out.join("false-accepts")
                    .join(format!("{}.pdf", sanitize(&m.id))),
                &bytes,
            )
            .unwrap();
        }
        o
    });

    // Results.
    let mut results = String::from(
        "id\tcategory\tgroup\tclass\tmutool\tpdftoppm\tkyso\tmodifications\trenderer errors\n",
    );
    let mut counts: BTreeMap<Class, usize> = BTreeMap::new();
    let mut fa_groups: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut alarm_ops: BTreeMap<String, usize> = BTreeMap::new();
    let mut alarm_groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut false_accepts = Vec::new();
    let mut renderer_only = [0usize; 2];
    let mut renderer_errors = 0usize;
    for (m, o) in chosen.iter().zip(&outcomes) {
        *counts.entry(o.class).or_default() += 1;
        writeln!(
            results,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            m.id,
            m.category,
            m.group,
            o.class.name(),
            o.shown[0],
            o.shown[1],
            tsv(&o.verdicts),
            tsv(&o.summary),
            tsv(&o.errors.join("; "))
        )
        .unwrap();
        if !o.errors.is_empty() {
            renderer_errors += 1;
        }
        if o.shown[0] != o.shown[1] {
            renderer_only[if o.shown[0] { 0 } else { 1 }] += 1;
        }
        let op = m.group.rsplit('/').next().unwrap_or("").to_string();
        match o.class {
            Class::FalseAccept => {
                let e = fa_groups
                    .entry(m.group.clone())
                    .or_insert((0, m.id.clone()));
                e.0 += 1;
                false_accepts.push(format!(
                    "{} (shown by {}): {}\n    {}",
                    m.id,
                    shown_by(&o.shown),
                    o.verdicts,
                    o.summary
                ));
            }
            Class::FalseAlarm => {
                *alarm_ops.entry(op).or_default() += 1;
                *alarm_groups.entry(m.group.clone()).or_default() += 1;
            }
            _ => {}
        }
    }
    std::fs::write(out.join("results.tsv"), &results).unwrap();

    let visible = counts
        .iter()
        .filter(|(c, _)| {
            matches!(
                c,
                Class::FalseAccept | Class::AgreedVisible | Class::Warned | Class::AllowedVisible
            )
        })
        .map(|(_, n)| n)
        .sum::<usize>();
    println!();
    println!(
        "renderers: {} | {}",
        render::version(&tools.mutool),
        render::version(&tools.pdftoppm)
    );
    println!(
        "mutations run: {} of {total}; visible: {visible}; false accepts: {}; false alarms: {}; time {:.1} s",
        chosen.len(),
        counts.get(&Class::FalseAccept).copied().unwrap_or(0),
        counts.get(&Class::FalseAlarm).copied().unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    for (c, n) in &counts {
        println!("  {:<24} {n}", c.name());
    }
    println!(
        "  shown by mutool only: {}, by pdftoppm only: {}; mutations a renderer failed on: {renderer_errors}",
        renderer_only[0], renderer_only[1]
    );
    if !alarm_ops.is_empty() {
        println!("false alarms by operation: {alarm_ops:?}");
        let mut top: Vec<(&String, &usize)> = alarm_groups.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!("false alarms, most frequent kinds:");
        for (g, n) in top.iter().take(25) {
            println!("  {n:>5}  {g}");
        }
    }
    if !fa_groups.is_empty() {
        println!("false accepts by kind ({} kinds):", fa_groups.len());
        for (g, (n, example)) in &fa_groups {
            println!("  {n:>5}  {g:<48} e.g. {example}");
        }
    }
    println!("results: {}", out.display());

    let mut problems = seed_false_accepts;
    problems.extend(false_accepts);
    if problems.is_empty() && limit().is_some() {
        let _ = std::fs::remove_dir_all(&out);
    }
    assert!(
        problems.is_empty(),
        "{} false accept(s): a renderer shows a change but kyso says TOTAL-PASSED (files in {}):\n{}",
        problems.len(),
        out.join("false-accepts").display(),
        problems.join("\n")
    );
}

/// `n` of the mutations, deterministically: every variant (base or seed) gets the same
/// share (a seed has far fewer objects than a base, and the bypasses live in seeds as much
/// as in bases), taken by stride over that variant's mutations so that every key and
/// operation kind is represented.
fn sample(all: &[mutate::Mutation], variants: usize, n: usize) -> Vec<&mutate::Mutation> {
    let mut by_variant: Vec<Vec<&mutate::Mutation>> = vec![Vec::new(); variants];
    for m in all {
        by_variant[m.variant].push(m);
    }
    let mut quota = vec![0usize; variants];
    let mut left = n;
    // Hand out one per variant in turn while any variant has mutations left.
    while left > 0 {
        let mut gave = false;
        for (v, q) in quota.iter_mut().enumerate() {
            if left > 0 && *q < by_variant[v].len() {
                *q += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    let mut out = Vec::new();
    for (list, q) in by_variant.iter().zip(quota) {
        out.extend((0..q).map(|k| list[k * list.len() / q]));
    }
    out
}

fn shown_by(shown: &[bool; 2]) -> String {
    let names: Vec<&str> = Renderer::ALL
        .iter()
        .zip(shown)
        .filter(|(_, s)| **s)
        .map(|(r, _)| r.name())
        .collect();
    names.join(" and ")
}
