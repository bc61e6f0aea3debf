//! The tab-separated manifests of the generated vectors (`test-vectors/manifest.tsv`,
//! `test-vectors/attacks/manifest.tsv`): reading them, holding the generator to them, and
//! keeping a copy of the generated files for other tools.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kyso::report::SignatureReport;

use super::pki::TestPki;

/// The rows of the manifest at `relative` (from the crate root) by their first column, in
/// file order; `#` lines and the header line are skipped. Every row must have `columns`
/// columns.
pub fn read(relative: &str, columns: usize) -> BTreeMap<String, Vec<Vec<String>>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<String> = line.split('\t').map(str::to_owned).collect();
        assert_eq!(cols.len(), columns, "bad manifest line: {line}");
        out.entry(cols[0].clone()).or_default().push(cols);
    }
    out
}

/// The generator and the manifest list the same vectors.
pub fn assert_same_names<T>(vectors: &BTreeMap<&str, Vec<u8>>, manifest: &BTreeMap<String, T>) {
    let generated: Vec<&str> = vectors.keys().copied().collect();
    let listed: Vec<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        generated, listed,
        "the generator and the manifest must list the same vectors"
    );
}

/// When the environment variable `env` names a directory: writes the root certificate and
/// every vector (`NAME.pdf`) there, to look at them with other tools.
pub fn keep_if_asked(env: &str, pki: &TestPki, vectors: &BTreeMap<&str, Vec<u8>>) {
    let Some(dir) = std::env::var_os(env).map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    pki.write_root(&dir);
    for (name, bytes) in vectors {
        std::fs::write(dir.join(format!("{name}.pdf")), bytes).unwrap();
    }
}

/// `code: message` of each finding of `s`, for failure messages.
pub fn findings(s: &SignatureReport) -> Vec<String> {
    s.findings
        .iter()
        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
        .collect()
}
