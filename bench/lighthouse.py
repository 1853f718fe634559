"""`make lighthouse`: what a phone on a slow link sees, measured by Lighthouse.

Seeds the same instance as `make bench`, serves it with `learncircle serve`, and runs Lighthouse
(npm package lighthouse@12.2.3, installed into bench/node_modules on first use) with its default
mobile profile — a mid-range phone on a throttled 4G link — against the thread page and a circle's
home, signed in. Chromium comes from CHROME_PATH (default /usr/bin/chromium).
Reports land in bench/results/lighthouse-<page>.json; a summary is printed.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from run import BENCH, HOST, RESULTS, Server, prepare_instance, serve_command

LIGHTHOUSE = "lighthouse@12.2.3"  # 13.x needs Node 22
BINARY = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index", "total-byte-weight")


def install():
    if not BINARY.exists():
        print(f"Installing {LIGHTHOUSE} into bench/node_modules …", flush=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(BENCH),
                        LIGHTHOUSE], check=True)


def audit(url, name, headers):
    headers_file = RESULTS / "lighthouse-headers.json"
    headers_file.write_text(json.dumps({"Cookie": headers["Cookie"]}))
    output = RESULTS / f"lighthouse-{name}.json"
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    subprocess.run([str(BINARY), url, f"--extra-headers={headers_file}", f"--chrome-flags={CHROME_FLAGS}",
                    "--output=json", f"--output-path={output}", "--quiet"], check=True, env=env, timeout=300)
    report = json.loads(output.read_text())
    if report["finalDisplayedUrl"] != url:
        raise SystemExit(f"{url} ended at {report['finalDisplayedUrl']}: the page was not measured signed in")
    scores = {key: round(category["score"] * 100) for key, category in report["categories"].items()}
    metrics = {key: report["audits"][key]["displayValue"].replace("\xa0", " ") for key in METRICS}
    requests = len(report["audits"]["network-requests"]["details"]["items"])
    return {"page": name, "scores": scores, "metrics": metrics, "requests": requests}


def main():
    install()
    facts, env, headers = prepare_instance()
    pages = {"thread": f"/t/{facts['thread_id']}", "circle": f"/c/{facts['circle_slug']}"}
    with Server("learncircle-lighthouse", serve_command(4), env) as app:
        results = [audit(f"http://{HOST}:{app.port}{path}", name, headers) for name, path in pages.items()]
    for result in results:
        print(f"{result['page']}: {result['scores']}")
        print("   ", ", ".join(f"{key} {value}" for key, value in result["metrics"].items()),
              f"requests {result['requests']}")
    (RESULTS / "lighthouse.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
