"""make audit: Lighthouse over a page of each kind in both editions, as a phone on a slow network
sees the published site. An audit, not a test: it writes the scores to bench/lighthouse.json and
a table to bench/lighthouse.md.

    python bench/audit.py                          # the site in _build/html
    python bench/audit.py --site DIR --out STEM    # another built site (main's, say), elsewhere
    python bench/audit.py --chapters               # every chapter: bench/lighthouse-chapters.*

Lighthouse 12.2.3 is pinned in ``bench/audit/package.json`` and installed there (``make audit``
does), apart from the site's own assets, so ``make book`` never installs it. It runs with its
mobile defaults (a Moto G Power's screen, simulated slow 4G, a CPU four times slower than this
machine's) in Debian's Chromium, over the site served gzipped under its published path with a
404.html for a missing file, as GitHub Pages serves it (``sitetools.serve``). The performance
score depends on this machine's load: each row records the load average it ran at.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
from sitetools import CHAPTERS, CHROMIUM, EDITIONS, HTML, ROOT, serve  # noqa: E402  (shared)

LIGHTHOUSE = Path(__file__).parent / "audit" / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
#: the metrics recorded beside the scores: Lighthouse's audit id -> its name in the table
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
}
#: a page of each kind, in every edition: the landing page (the toc's root), a chapter with
#: widgets (the most frames), a reference page, and the page a missing address shows
KINDS = {
    "landing": "book/intro.html",
    "chapter": "book/rnn.html",
    "reference": "book/notation.html",
    "404": "404.html",
}
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def lighthouse(url):
    """Lighthouse's report (a dict) of ``url`` with its mobile defaults."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(FLAGS)}",
        ]
        env = dict(os.environ, CHROME_PATH=str(CHROMIUM))
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        if run.returncode:  # Lighthouse audits no page served with an error (main had no 404)
            status = re.search(r"Status code: (\d+)", run.stderr)
            reason = f"the server answered {status[1]}" if status else run.stderr[-200:].strip()
            raise RuntimeError(f"not audited: {reason}")
        return json.loads(report.read_text())


def scores(report):
    """The report's category scores (0-100), metrics (ms; CLS unitless) and what fell short: the
    audits of best practices and SEO that did not pass, and the console's errors."""
    audits = report["audits"]
    failed = {
        ref["id"]: audits[ref["id"]]["title"]
        for name in ("best-practices", "seo")
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] and (audits[ref["id"]]["score"] or 0) < 1
    }
    console = audits["errors-in-console"].get("details", {}).get("items", [])
    return {
        **{name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES},
        **{name: round(audits[key]["numericValue"], 3) for key, name in METRICS.items()},
        "failed": failed,
        "console": [
            f"{item.get('description', '')[:160]} ({item.get('sourceLocation', {}).get('url', '')})"
            for item in console
        ],
    }


def audit(url, runs, reports=None):
    """The median run of ``runs`` by performance score, with the load average it started at;
    each run's whole report kept in the folder ``reports`` if given."""
    results = []
    for run in range(runs):
        load = os.getloadavg()[0]
        try:
            report = lighthouse(url)
        except RuntimeError as error:
            return {"error": str(error), "load": round(load, 2)}
        if reports:
            name = urlparse(url).path.strip("/").replace("/", "_")
            Path(reports, f"{name}-{run}.json").write_text(json.dumps(report))
        results.append({**scores(report), "load": round(load, 2)})
    results.sort(key=lambda r: r["performance"])
    return results[len(results) // 2] | {"performances": [r["performance"] for r in results]}


def table(rows):
    """The scores as a markdown table."""
    head = ["page", *CATEGORIES, *(f"{m} (ms)" for m in list(METRICS.values())[:3]), "CLS", "load"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        if "error" in row:
            lines.append(f"| `{row['page']}` | {row['error']} |")
            continue
        cells = [f"`{row['page']}`", *(str(row[c]) for c in CATEGORIES)]
        cells += [f"{row[m]:.0f}" for m in ("FCP", "LCP", "TBT")] + [f"{row['CLS']:.3f}"]
        lines.append("| " + " | ".join(cells + [f"{row['load']:.2f}"]) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=HTML, help="the built site (both editions)")
    parser.add_argument("--out", help="output stem (default: bench/lighthouse[-chapters])")
    parser.add_argument("--chapters", action="store_true", help="every chapter, not each kind")
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is kept)")
    parser.add_argument("--reports", type=Path, help="a folder for Lighthouse's whole reports")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"no {LIGHTHOUSE}: `make audit` installs it (npm ci in bench/audit)")
    pages = KINDS.items()
    if args.chapters:
        pages = [("chapter", c.relative_to(ROOT).with_suffix(".html").as_posix()) for c in CHAPTERS]
    stem = "lighthouse-chapters" if args.chapters else "lighthouse"
    out = args.out or str(ROOT / "bench" / stem)
    rows = []
    with serve(args.site, compress=True) as site:
        for folder, _ in EDITIONS.values():
            for kind, page in pages:
                row = {
                    "page": folder + page,
                    "kind": kind,
                    **audit(f"{site}/{folder}{page}", args.runs, args.reports),
                }
                print(json.dumps(row, ensure_ascii=False), flush=True)
                rows.append(row)
    Path(f"{out}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    notes = (
        "Lighthouse 12.2.3, mobile defaults (simulated slow 4G, 4x CPU slowdown), the site served "
        "gzipped as GitHub Pages serves it (`make audit`, bench/audit.py); times in ms; load: "
        "this machine's load average when the run started."
    )
    Path(f"{out}.md").write_text(f"# Lighthouse\n\n{notes}\n\n{table(rows)}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
