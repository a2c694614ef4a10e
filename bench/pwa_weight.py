"""PWA weight and Lighthouse scores.

    .venv/bin/python bench/pwa_weight.py [--no-lighthouse]

Serves Tandem with production settings (collectstatic with hashed, compressed names) and
measures the first load as the browser gets it: the HTML shell plus every CSS and JS file
it pulls in (ES module imports followed), gzip-compressed as WhiteNoise serves them.
Target ≤ 60 KB. Then runs Lighthouse 11 (the last with PWA audits) with Debian's Chromium
in the mobile form factor and prints performance, accessibility, best-practices and PWA.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testing.server import gunicorn, manage, production_env

TARGET_KB = 60
ASSET = re.compile(r"""(?:src|href)="(/static/[^"]+\.(?:js|css))\"""")
IMPORT = re.compile(r"""(?:import|from)\s*["']([^"']+\.js)["']""")


def fetch(url: str) -> tuple[bytes, int]:
    """(decoded body, bytes on the wire) with gzip negotiated like a browser."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as response:
        raw = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            return gzip.decompress(raw), len(raw)
        return raw, len(gzip.compress(raw, 9))  # what it would be compressed


def first_load(base: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    html, wire = fetch(f"{base}/")
    sizes["/"] = wire
    queue = ASSET.findall(html.decode())
    while queue:
        path = queue.pop()
        if path in sizes:
            continue
        body, wire = fetch(f"{base}{path}")
        sizes[path] = wire
        if path.endswith(".js"):
            folder = path.rsplit("/", 1)[0]
            for spec in IMPORT.findall(body.decode()):
                queue.append(os.path.normpath(f"{folder}/{spec}"))
    return sizes


def lighthouse(base: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lh.json"
        subprocess.run(
            [
                "npx",
                "-y",
                "lighthouse@11",
                f"{base}/",
                "--quiet",
                "--chrome-flags=--headless --no-sandbox --disable-background-networking",
                "--output=json",
                f"--output-path={out}",
                "--form-factor=mobile",
                "--only-categories=performance,accessibility,best-practices,pwa",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            check=True,
        )
        report = json.loads(out.read_text())
    saved = Path(__file__).resolve().parent / "out" / "lighthouse.json"
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(report))
    failing = [
        f"  {a['id']}: {a['title']}"
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
    ]
    if failing:
        print("Audits not passing:\n" + "\n".join(failing))
    metrics = ("first-contentful-paint", "largest-contentful-paint", "speed-index",
               "total-blocking-time", "cumulative-layout-shift", "interactive")  # fmt: skip
    print("Metrics: " + ", ".join(
        f"{m} {report['audits'][m]['displayValue']} ({report['audits'][m]['score']:.2f})"
        for m in metrics if m in report["audits"]
    ))  # fmt: skip
    chain = report["audits"].get("critical-request-chains", {}).get("displayValue")
    if chain:
        print(f"Critical request chains: {chain}")
    return {k: round(v["score"] * 100) for k, v in report["categories"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = production_env(Path(tmp))
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "migrate", "--noinput", "-v0")
        with gunicorn(env, workers=2, threads=2) as base:
            sizes = first_load(base.replace("127.0.0.1", "localhost"))
            total = sum(sizes.values())
            for path, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
                print(f"{size / 1024:8.1f} KB  {path}")
            print(
                f"First load, gzip: {total / 1024:.1f} KB in {len(sizes)} files "
                f"(target ≤ {TARGET_KB} KB: ratio {total / 1024 / TARGET_KB:.2f} of budget)"
            )
            if not args.no_lighthouse:
                scores = lighthouse(base.replace("127.0.0.1", "localhost"))
                print("Lighthouse (mobile): " + ", ".join(f"{k} {v}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
