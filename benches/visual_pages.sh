#!/bin/sh
# The visual comparison on multi-page documents (benches/README.md): a dossier of N pages
# (the pages of SOURCE repeated), signed by the demo's first official, then signed again by
# the second, so that the first signature has a later revision and every page is compared.
# Prints, per N: wall time and peak memory of `kyso verify` without and with --visual, and
# the comparison's own milliseconds per page from the report.
#
#   benches/visual_pages.sh KYSO [SOURCE.pdf [N ...]]     (default: the demo's unsigned
#                                                         dossier; N: 1 10 50 100)
#
# Needs qpdf, python3 and /usr/bin/time. Works in a temporary directory, removed at the end.
set -eu
kyso=$(realpath "$1")
shift
source=""
if [ $# -gt 0 ]; then [ -z "$1" ] || source=$(realpath "$1"); shift; fi
[ $# -gt 0 ] || set -- 1 10 50 100
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
"$kyso" demo demo >/dev/null 2>&1
[ -n "$source" ] || source="$work/demo/ho-so-mau.pdf"
o1=demo/official-1
o2=demo/official-2
srcpages=$(qpdf --show-npages "$source")
printf '%6s %12s %12s %12s %12s %10s\n' pages plain_s plain_MiB visual_s visual_MiB ms/page
for n in "$@"; do
    reps=$(( (n + srcpages - 1) / srcpages ))
    files=""
    i=0
    while [ "$i" -lt "$reps" ]; do files="$files $source"; i=$((i + 1)); done
    # shellcheck disable=SC2086
    qpdf --empty --pages $files -- "u$n.pdf"
    qpdf "u$n.pdf" --pages "u$n.pdf" 1-"$n" -- "p$n.pdf"
    "$kyso" sign --key "$o1.key.pem" --cert "$o1.pem" --chain demo/chain.pem \
        --field A "p$n.pdf" -o "s$n.pdf" >/dev/null 2>&1
    "$kyso" sign --key "$o2.key.pem" --cert "$o2.pem" --chain demo/chain.pem \
        --field B "s$n.pdf" -o "t$n.pdf" >/dev/null 2>&1
    measure() {
        /usr/bin/time -f '%e %M' -o time.txt "$kyso" verify --json --trust demo/root.pem \
            "$@" "t$n.pdf" > report.json 2>/dev/null || true
        read -r secs kb <<EOF2
$(tail -n 1 time.txt)
EOF2
        echo "$secs $((kb / 1024))"
    }
    plain=$(measure)
    visual=$(measure --visual)
    per=$(python3 -c '
import json
r = json.load(open("report.json"))
v = r["signatures"][0].get("visual") or {}
pages = max(1, v.get("pages_now", 0))
ms = v.get("millis", 0) / pages
print("%.1f" % ms if v.get("status") == "compared" else "skipped")
')
    printf '%6s %12s %12s %12s %12s %10s\n' "$n" $plain $visual "$per"
done
