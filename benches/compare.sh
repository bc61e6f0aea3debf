#!/usr/bin/env bash
# Whole-process comparison of `kyso verify` (and `kyso sign`) with other tools on the bench
# files.
#
# Run `cargo bench --bench verify` first (it makes the files under <target>/bench-data/) and
# `cargo build --release` (the CLI). Then:
#
#   benches/compare.sh [OUT_DIR]
#
# For each signed file it times, with hyperfine, `openssl dgst -sha256` (reading and hashing
# the file once: the floor for any verifier), `kyso verify`, `mutool sign -v`,
# `pdfsig -nocert` and `pyhanko sign validate`, and records each command's peak resident
# memory ("Maximum resident set size" of `/usr/bin/time -v`, the largest of three runs).
# Then it times `kyso sign` on the unsigned 100 MB file against its floor (copying the file
# while hashing it: `tee` into `openssl dgst`). Tools that are not installed are skipped with
# a notice. At the end it prints one table: mean, σ, the ratio to `openssl dgst` on the same
# file, and the peak memory. Results go to OUT_DIR (default <target>/bench-compare/): one
# hyperfine JSON and markdown table per file, `memory.tsv` and `summary.md`.
#
# Environment: KYSO (the CLI, default <target>/release/kyso), DATA (default
# <target>/bench-data), TOOLS (space-separated subset of: openssl kyso mutool pdfsig pyhanko),
# FILES (names under DATA), SIGN (set to 0 to skip the signing comparison), RUNS (least
# hyperfine runs per command, default 10).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
KYSO=${KYSO:-$target/release/kyso}
DATA=${DATA:-$target/bench-data}
OUT=${1:-$target/bench-compare}
TOOLS=${TOOLS:-openssl kyso mutool pdfsig pyhanko}
FILES=${FILES:-signed-100KB.pdf signed2-100KB.pdf signed5-100KB.pdf signed20-100KB.pdf \
signed-10MB.pdf signed5-10MB.pdf signed20-10MB.pdf signed-100MB.pdf}
SIGN=${SIGN:-1}
RUNS=${RUNS:-10}

for need in hyperfine /usr/bin/time python3; do
    command -v "$need" >/dev/null || { echo "missing: $need (required)" >&2; exit 1; }
done
[ -x "$KYSO" ] || { echo "no kyso CLI at $KYSO (cargo build --release)" >&2; exit 1; }
[ -f "$DATA/root.pem" ] || { echo "no bench data in $DATA (cargo bench --bench verify)" >&2; exit 1; }
mkdir -p "$OUT"

program_of() { # tool
    case $1 in
        openssl) echo openssl ;;
        kyso) echo "$KYSO" ;;
        mutool) echo mutool ;;
        pdfsig) echo pdfsig ;;
        pyhanko) echo pyhanko ;;
        *) echo "$1" ;;
    esac
}

available=()
for t in $TOOLS; do
    if command -v "$(program_of "$t")" >/dev/null; then
        available+=("$t")
    else
        echo "notice: $t is not installed; skipped" >&2
    fi
done

command_for() { # tool file
    case $1 in
        openssl) echo "openssl dgst -sha256 $2" ;;
        kyso) echo "$KYSO verify --trust $DATA/root.pem $2" ;;
        mutool) echo "mutool sign -v $2" ;;
        pdfsig) echo "pdfsig -nocert $2" ;;
        pyhanko) echo "pyhanko sign validate --no-revocation-check --trust $DATA/root.pem --trust-replace $2" ;;
    esac
}

# Peak resident memory in KiB of a command, the largest of three runs.
max_rss() { # command…
    local rss=0 r
    for _ in 1 2 3; do
        r=$( (/usr/bin/time -v "$@" >/dev/null) 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p' | tail -n 1)
        [ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
    done
    echo "$rss"
}

printf 'file\ttool\tmax_rss_kib\n' >"$OUT/memory.tsv"
for f in $FILES; do
    path=$DATA/$f
    [ -f "$path" ] || { echo "notice: $f not generated (cargo bench --bench verify); skipped" >&2; continue; }
    cmds=()
    for t in "${available[@]}"; do
        cmd=$(command_for "$t" "$path")
        cmds+=(-n "$t" "$cmd")
        # shellcheck disable=SC2086 # the command is split into words on purpose
        printf '%s\t%s\t%s\n' "$f" "$t" "$(max_rss $cmd)" >>"$OUT/memory.tsv"
    done
    # Exit codes are not checked: mutool reports a certificate error without the root.
    hyperfine -N -i --warmup 2 --min-runs "$RUNS" --style basic \
        --export-json "$OUT/${f%.pdf}.json" --export-markdown "$OUT/${f%.pdf}.md" "${cmds[@]}"
done

# Signing 100 MB against its floor: copy the input to a new file while hashing it once.
if [ "$SIGN" != 0 ] && [ -f "$DATA/unsigned-100MB.pdf" ]; then
    in=$DATA/unsigned-100MB.pdf
    out=$OUT/sign-output.pdf
    copy="$OUT/copy-output.pdf"
    sign="$KYSO sign --key $DATA/official-1.key.pem --cert $DATA/official-1.pem --chain $DATA/chain.pem --field Bench $in -o $out"
    floor="sh -c 'tee $copy < $in | openssl dgst -sha256 >/dev/null && sync -d $copy'"
    # shellcheck disable=SC2086
    printf '%s\t%s\t%s\n' "unsigned-100MB.pdf" "kyso-sign" "$(max_rss $sign)" >>"$OUT/memory.tsv"
    hyperfine -i --warmup 1 --min-runs "$RUNS" --style basic \
        --export-json "$OUT/sign-100MB.json" --export-markdown "$OUT/sign-100MB.md" \
        -n copy-hash "$floor" -n kyso-sign "$sign"
    rm -f "$out" "$copy"
fi

python3 - "$OUT" <<'EOF'
import csv, glob, json, os, sys
out = sys.argv[1]
rss = {}
with open(os.path.join(out, "memory.tsv")) as fh:
    for row in csv.DictReader(fh, delimiter="\t"):
        rss[(row["file"], row["tool"])] = row["max_rss_kib"]
lines = ["| file | tool | mean ± σ (ms) | ratio to floor | max RSS (KiB) |", "|---|---|---:|---:|---:|"]
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    name = os.path.basename(path)[:-5]
    results = json.load(open(path))["results"]
    floor_name = "copy-hash" if name.startswith("sign-") else "openssl"
    floor = next((r["mean"] for r in results if r["command"] == floor_name), None)
    for r in results:
        ratio = f"{r['mean'] / floor:.2f}×" if floor else "–"
        key = ("unsigned-100MB.pdf" if name.startswith("sign-") else name + ".pdf", r["command"])
        mem = rss.get(key, rss.get((key[0], "kyso-sign")) if r["command"] == "kyso-sign" else None) or "–"
        lines.append(f"| {name} | {r['command']} | {r['mean']*1e3:.1f} ± {r['stddev']*1e3:.1f} | {ratio} | {mem} |")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "summary.md"), "w").write(text)
print(text)
EOF
