#!/usr/bin/env bash
# Whole-process comparison of `kyso verify` with other verifiers on the bench files.
#
# Run `cargo bench --bench verify` first (it makes the files under <target>/bench-data/) and
# `cargo build --release` (the CLI). Then:
#
#   benches/compare.sh [OUT_DIR]
#
# For each file it times, with hyperfine, `openssl dgst -sha256` (reading and hashing the
# file once: the floor for any verifier), `kyso verify`, `mutool sign -v`, `pdfsig -nocert`
# and `pyhanko sign validate`, and records each command's peak resident memory with
# `/usr/bin/time -f %M` (KiB). Results go to OUT_DIR (default <target>/bench-compare/):
# one hyperfine markdown table per file and `memory.tsv`.
#
# Environment: KYSO (the CLI, default <target>/release/kyso), DATA (default
# <target>/bench-data), TOOLS (space-separated subset of: openssl kyso mutool pdfsig pyhanko).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
KYSO=${KYSO:-$target/release/kyso}
DATA=${DATA:-$target/bench-data}
OUT=${1:-$target/bench-compare}
TOOLS=${TOOLS:-openssl kyso mutool pdfsig pyhanko}
FILES=${FILES:-signed-100KB.pdf signed2-100KB.pdf signed-10MB.pdf signed-100MB.pdf}

for need in hyperfine /usr/bin/time; do
    command -v "$need" >/dev/null || { echo "missing: $need" >&2; exit 1; }
done
[ -x "$KYSO" ] || { echo "no kyso CLI at $KYSO (cargo build --release)" >&2; exit 1; }
[ -f "$DATA/root.pem" ] || { echo "no bench data in $DATA (cargo bench --bench verify)" >&2; exit 1; }
mkdir -p "$OUT"

command_for() { # tool file
    case $1 in
        openssl) echo "openssl dgst -sha256 $2" ;;
        kyso) echo "$KYSO verify --trust $DATA/root.pem $2" ;;
        mutool) echo "mutool sign -v $2" ;;
        pdfsig) echo "pdfsig -nocert $2" ;;
        pyhanko) echo "pyhanko sign validate --no-revocation-check --trust $DATA/root.pem --trust-replace $2" ;;
    esac
}

printf 'file\ttool\tmax_rss_kib\n' >"$OUT/memory.tsv"
for f in $FILES; do
    path=$DATA/$f
    [ -f "$path" ] || { echo "skip $f: not generated" >&2; continue; }
    cmds=()
    for t in $TOOLS; do
        cmd=$(command_for "$t" "$path")
        cmds+=(-n "$t" "$cmd")
        # Peak memory: the largest of three runs.
        rss=0
        for _ in 1 2 3; do
            r=$(/usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -n 1)
            [ "$r" -gt "$rss" ] && rss=$r
        done
        printf '%s\t%s\t%s\n' "$f" "$t" "$rss" >>"$OUT/memory.tsv"
    done
    hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$OUT/${f%.pdf}.md" "${cmds[@]}"
done
column -t "$OUT/memory.tsv"
