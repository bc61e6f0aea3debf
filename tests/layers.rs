//! The layering of `src/` (see ARCHITECTURE.md, "Layers"): every top-level module belongs to
//! one layer, and a module may name (`crate::x`) only modules of lower layers — never one of
//! its own layer, never one above. So there is no cycle between folders and the folder tree
//! shows the foundation under the features. A new top-level module must be given a layer
//! here, which makes the choice visible in review.
//!
//! Read from the sources: `crate::x` in code (comment lines and the `#[cfg(test)]` part of a
//! file are left out). The crate's error type (`crate::Error`, module `error`) and the
//! reasons for a refusal (module `refusal`) are the names every layer may use: they are the
//! vocabulary of "could not process" that the facade returns. `src/bin` (the CLI) sits above everything and uses the public API only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first.
const LAYERS: &[&[&str]] = &[
    // Foundations: import nothing of kyso's.
    &["asn1", "budget", "output", "report"],
    &["crypto", "pdf", "util"],
    &["attachments", "cms", "diff", "draw"],
    &["pki", "signer"],
    &["net", "tsp"],
    // The two flows.
    &["sign", "verify"],
    // Features built on them.
    &["dossier", "form", "ltv", "visual"],
    &["demo"],
    // Entry points over HTTP (feature `serve`).
    &["serve"],
];

/// Modules every layer may name.
const EVERYWHERE: &[&str] = &["error", "refusal"];

fn layer_of() -> BTreeMap<&'static str, usize> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(n, names)| names.iter().map(move |m| (*m, n)))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for `lib.rs` and the CLI).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" | "bin" => None,
        f => Some(f.trim_end_matches(".rs").to_owned()),
    }
}

/// The modules `crate::x` names in the code of `text`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = BTreeSet::new();
    for line in code.lines() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

#[test]
fn every_import_points_down_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layers = layer_of();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut unlisted = BTreeSet::new();
    let mut upward = Vec::new();
    let mut arrows = BTreeSet::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        if EVERYWHERE.contains(&module.as_str()) {
            continue;
        }
        let Some(&from) = layers.get(module.as_str()) else {
            unlisted.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for target in named_modules(&text) {
            if target == module || EVERYWHERE.contains(&target.as_str()) {
                continue;
            }
            let Some(&to) = layers.get(target.as_str()) else {
                unlisted.insert(target);
                continue;
            };
            arrows.insert((module.clone(), target.clone()));
            if to >= from {
                upward.push(format!(
                    "{} (layer {from}) names crate::{target} (layer {to})",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(
        unlisted.is_empty(),
        "top-level modules without a layer in tests/layers.rs: {unlisted:?}"
    );
    assert!(
        upward.is_empty(),
        "imports that do not point down a layer:\n{}",
        upward.join("\n")
    );
    // The check reads something: the flows do import the foundations.
    assert!(
        arrows.contains(&("verify".into(), "pdf".into())),
        "{arrows:?}"
    );
    assert!(arrows.len() > 50, "only {} arrows found", arrows.len());
}

#[test]
fn the_reader_of_imports_sees_what_code_names() {
    let text =
        "use crate::pdf::Document;\n// crate::sign in a comment\nlet x = crate::cms::parse(); \
                crate::report::Code::X;\n#[cfg(test)]\nuse crate::demo;";
    let named: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(named, ["cms", "pdf", "report"]);
}
