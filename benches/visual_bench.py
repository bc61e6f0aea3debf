#!/usr/bin/env python3
"""Time of the visual comparison per page: runs `kyso verify --visual --json` on each
directory given and sums `visual.millis` / `visual.pages_now` (benches/README.md)."""
import json, subprocess, sys, time
K = sys.argv[1]
dirs = sys.argv[2:]
tot_ms = 0; tot_pages = 0; n = 0; rows = []
for d in dirs:
    t = time.time()
    p = subprocess.run([K, "verify", "--visual", "--json", d], capture_output=True)
    wall = time.time() - t
    try:
        reps = json.loads(p.stdout)
    except Exception as e:
        print("bad json", d, e, p.stderr[:300]); continue
    if isinstance(reps, dict): reps = [reps]
    for r in reps:
        for s in r.get("signatures", []):
            v = s.get("visual")
            if not v or v["status"] != "compared": 
                if v: print("skipped:", r.get("file"), v.get("reason"))
                continue
            n += 1; tot_ms += v["millis"]; tot_pages += max(1, v["pages_now"])
            rows.append((v["millis"] / max(1, v["pages_now"]), v["millis"], v["pages_now"], r.get("file")))
    print(f"{d}: wall {wall:.2f}s")
rows.sort()
print(f"{n} comparisons, {tot_pages} pages, {tot_ms} ms: {tot_ms/max(1,tot_pages):.1f} ms per compared page (signed + now [+ content])")
if rows:
    import statistics
    per = [r[0] for r in rows]
    print("median %.1f ms/page, max %.1f ms/page (%s, %d pages)" % (statistics.median(per), rows[-1][0], rows[-1][3], rows[-1][2]))
