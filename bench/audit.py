"""``make audit``: Lighthouse (mobile) on the start page, a question page, the result page and /rules/.

Serves the app with gunicorn on loopback (production settings, plain HTTP),
walks one journey to get a real session cookie for the result page, then runs
Lighthouse 12 (installed from the npm registry into .venv/lighthouse; it drives
the system Chromium, never a downloaded one) with that cookie, and prints the
four category scores for each page: the median of three runs, as Lighthouse's
own guidance advises for its simulated throttling (one run varies by a point or
two). Exits 1 when any median is below 100, so it can gate a release; it is not
part of `make test` (it takes about three minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.client import COOKIE, Client, walk
from bench.servers import PROJECT_ROOT, Gunicorn

LIGHTHOUSE_DIR = PROJECT_ROOT / ".venv" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run --disable-quic"
)
JOURNEY = {
    "age": 31, "sex": "female", "impact": ["not_much"], "onset": "sudden", "duration": "1_3m",
    "pattern": ["all_over"], "shedding": "handfuls", "scalp": ["none"], "other_hair": ["none"],
    "events": ["childbirth"], "body": ["recent_birth"], "history": ["none"],
}


def lighthouse_bin() -> Path:
    """Lighthouse 12 (Lighthouse 13 needs Node 22), installed once from the npm registry."""
    binary = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(LIGHTHOUSE_DIR), "lighthouse@12"],
            check=True,
        )
    return binary


def run_lighthouse(binary: Path, url: str, cookie: str | None, out: Path) -> dict[str, float]:
    cmd = [
        str(binary), url, f"--chrome-flags={CHROME_FLAGS}", "--quiet", "--output=json",
        f"--output-path={out}", "--only-categories=" + ",".join(CATEGORIES),
    ]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": f"{COOKIE}={cookie}"}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "chromium"}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text())
    return {name: report["categories"][name]["score"] for name in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is shown (default 3)")
    args = parser.parse_args(argv)
    binary = lighthouse_bin()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {"TRIAGE_ENV": "production", "TRIAGE_SECRET_KEY": "audit-" + "x" * 40, "TRIAGE_HTTPS": "0"}
        server = Gunicorn(workdir, env=env).start()
        try:
            from triage.rulebook import load_rulebook

            client = Client(server.url)
            walk(client, load_rulebook(), JOURNEY, strict=False)
            question_client = Client(server.url)
            question_client.get("/questions/")
            pages = [
                ("start page", "/", None),
                ("question page", "/questions/age", question_client.cookie),
                ("result page", "/result", client.cookie),
                ("/rules/", "/rules/", None),
            ]
            failed = False
            print(f"{'page':<16}" + "".join(f"{c:>16}" for c in CATEGORIES))
            for name, path, cookie in pages:
                runs = [
                    run_lighthouse(binary, server.url + path, cookie, workdir / "report.json") for _ in range(args.runs)
                ]
                scores = {c: statistics.median(run[c] for run in runs) for c in CATEGORIES}
                print(f"{name:<16}" + "".join(f"{round(scores[c] * 100):>16}" for c in CATEGORIES))
                failed |= any(score < 1 for score in scores.values())
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
