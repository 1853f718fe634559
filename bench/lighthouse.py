"""`make lighthouse`: what a phone on a slow link sees, measured by Lighthouse.

Seeds the same instance as `make bench`, serves it with `learncircle serve`, and runs Lighthouse
(npm package lighthouse@12.2.3, installed into bench/node_modules on first use) with its default
mobile profile — a mid-range phone on a throttled 4G link — against the thread page, a circle's
home and a peer review's form (a round under review is added to the seed for it), signed in as a
member. Chromium comes from CHROME_PATH (default /usr/bin/chromium).
Reports land in bench/results/lighthouse-<page>.json; a summary is printed.
"""
import datetime as dt
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


ESSAY = ("# What I learned this week\n\nI finally understood **generators**: a function that pauses at each "
         "`yield` and picks up where it stopped.\n\n- They keep memory small.\n- They read like a loop.\n\n"
         "My next step is to rewrite the log parser with one.")


def add_review_round(facts):
    """A round under review in the seeded circle, in which the viewer reviews a peer's essay: return
    the address of their review form (a rubric of a scale and a comment, the two prompts, the essay)."""
    from learncircle import db
    from learncircle.accounts.models import User
    from learncircle.circles.models import Circle
    from learncircle.reviews import rubric
    from learncircle.reviews.allocation import ensure_allocated
    from learncircle.reviews.models import Assignment, ReviewRound
    from learncircle.reviews.submitting import submit

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with db.database.connection_context():
        circle = Circle.get(Circle.slug == facts["circle_slug"])
        viewer = User.get_by_id(facts["viewer_id"])
        authors = [viewer, *User.select().where(User.id != viewer.id).order_by(User.id).limit(5)]
        round = ReviewRound.create_round(circle=circle, created_by=circle.owner(), data=dict(
            title="Essay three: a tool you learned", brief="Write **300 words** on something you learned.",
            submission_format="text", reviews_per_submission=2, reviewer_pool="submitters",
            anonymity="reviewers_hidden", submission_deadline=now + dt.timedelta(days=1),
            review_deadline=now + dt.timedelta(days=7), accept_late=True, results_release="as_arrive",
            min_prompt_length=20))
        rubric.add_criterion(round, {"name": "Clarity", "description": "Can a newcomer follow it?", "kind": "scale",
                                     "levels": ["Hard to follow", "Mostly clear", "Crystal clear"]})
        rubric.add_criterion(round, {"name": "Evidence", "kind": "comments"})
        round.publish()
        for author in authors:
            submit(round, author, body=ESSAY)
        round.start_reviewing_now()
        ensure_allocated(ReviewRound.get_by_id(round.id), seed=1)
        assignment = Assignment.select().where((Assignment.round == round.id)
                                               & (Assignment.reviewer == viewer.id)).first()
    return f"/a/{assignment.id}"


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
    pages = {"thread": f"/t/{facts['thread_id']}", "circle": f"/c/{facts['circle_slug']}",
             "review": add_review_round(facts)}
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
