"""Drive wrk against one URL and return its figures: p50 and p99 latency, requests per second."""
import json
import shutil
import subprocess
from pathlib import Path

REPORT_SCRIPT = Path(__file__).with_name("wrk_report.lua")
INSTALL_HINT = ("wrk is not installed. Install it with `apt-get install wrk` (Debian/Ubuntu), "
                "`dnf install wrk` (Fedora) or `brew install wrk` (macOS), then run `make bench` again.")


class LoadError(RuntimeError):
    pass


def wrk_path():
    """Path of the wrk binary, or raise LoadError saying how to install it."""
    found = shutil.which("wrk")
    if not found:
        raise LoadError(INSTALL_HINT)
    return found


def wrk_version():
    done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True, timeout=10)
    return (done.stdout or done.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run(url, *, connections, seconds, headers):
    """Load url with a fixed number of connections for some seconds; fail on any error response."""
    command = [wrk_path(), "--latency", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(REPORT_SCRIPT)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise LoadError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    line = next((text for text in done.stdout.splitlines() if text.startswith("BENCH-JSON ")), None)
    if line is None:
        raise LoadError(f"wrk printed no report:\n{done.stdout}")
    figures = json.loads(line.removeprefix("BENCH-JSON "))
    errors = {kind: count for kind, count in figures["errors"].items() if count}
    if errors or not figures["requests"]:
        raise LoadError(f"wrk saw errors against {url}: {errors or 'no requests completed'}")
    latency = figures["latency_us"]
    return {
        "connections": connections,
        "seconds": seconds,
        "requests": figures["requests"],
        "requests_per_second": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "bytes_per_response": round(figures["bytes"] / figures["requests"]),
    }


def combine(rounds):
    """One figure from several short runs of the same page: medians of their percentiles, total throughput."""
    def median(values):
        ordered = sorted(values)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    requests = sum(result["requests"] for result in rounds)
    seconds = sum(result["requests"] / result["requests_per_second"] for result in rounds)
    combined = {
        "connections": rounds[0]["connections"],
        "seconds": sum(result["seconds"] for result in rounds),
        "rounds": len(rounds),
        "requests": requests,
        "requests_per_second": round(requests / seconds, 1),
        "bytes_per_response": round(sum(r["bytes_per_response"] * r["requests"] for r in rounds) / requests),
        "each_round": rounds,
    }
    for figure in ("p50_ms", "p90_ms", "p99_ms"):
        combined[figure] = round(median([result[figure] for result in rounds]), 2)
    combined["max_ms"] = max(result["max_ms"] for result in rounds)
    return combined
