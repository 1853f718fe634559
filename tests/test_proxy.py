"""The nginx and Caddy set-ups in docs/deployment.md, run as written in front of a live
`learncircle serve`: TLS, the redirect from http, the client address LearnCircle records, and the
limits on bodies.

Only the machine-specific parts of the documented files are changed (ports, certificate paths, no
IPv6; Caddy over plain http). They need Debian's nginx, caddy and openssl; without them the tests
are skipped, except in CI.
"""
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.serve_helpers import Served, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENT = ROOT / "docs" / "deployment.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
SITE = "learn.example.org"
CLIENT = "127.0.0.2"  # the visitor: another loopback address than the proxy's own 127.0.0.1


def documented(language):
    """The one fenced block of this language in docs/deployment.md."""
    (block,) = re.findall(rf"^```{language}\n(.*?)^```", DEPLOYMENT.read_text(encoding="utf-8"), re.M | re.S)
    return block


def fitted(config, replacements):
    """The documented config with each machine-specific piece replaced (each must be there)."""
    for old, new in replacements:
        assert old in config, f"docs/deployment.md no longer has {old!r}: update this test with it"
        config = config.replace(old, new)
    return config


@pytest.fixture(scope="module")
def tools():
    missing = [path for path in (NGINX, OPENSSL) if not Path(path).exists()]
    if missing:
        reason = f"the proxy test needs {' and '.join(missing)} (apt-get install nginx openssl)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def learncircle(tools, tmp_path_factory):
    with Served(tmp_path_factory.mktemp("behind-nginx"), env={"LEARNCIRCLE_PROXY_COUNT": "1"}) as server:
        yield server


@pytest.fixture(scope="module")
def nginx(learncircle, tmp_path_factory):
    """nginx with the documented server blocks; yields (http port, https port)."""
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={SITE}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    http_port, https_port = free_port(), free_port()
    site = fitted(documented("nginx"), [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        (f"/etc/letsencrypt/live/{SITE}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{SITE}/privkey.pem", str(key)),
        ("http://127.0.0.1:5000", learncircle.url),
    ])
    (folder / "learncircle.conf").write_text(site)
    temp_paths = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp_paths}
    include {folder / "learncircle.conf"};
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                                str(folder / "error.log")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start:\n{process.stdout.read().decode()}\n{log}")
                time.sleep(0.05)
        yield http_port, https_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def visit(port, method="GET", path="/", body=None, headers=None, secure=True):
    """A request to the proxy from the visitor's address; returns (status, headers, text)."""
    if secure:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, source_address=(CLIENT, 0),
                                                 context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(CLIENT, 0))
    try:
        connection.request(method, path, body=body, headers={"Host": SITE, **(headers or {})})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def logged_line(server, method, path):
    return server.wait_for_line(f'"{method} {path} HTTP/1.')


def test_plain_http_is_sent_to_https(nginx):
    http_port, _ = nginx
    status, headers, _ = visit(http_port, path="/setup", secure=False)
    assert status == 301
    assert headers["Location"] == f"https://{SITE}/setup"


def test_a_page_through_the_proxy_comes_over_tls_with_the_visitors_address(nginx, learncircle):
    _, https_port = nginx
    status, headers, text = visit(https_port, path="/setup?via=nginx",
                                  headers={"X-Forwarded-For": "203.0.113.66"})  # forged by the visitor
    assert status == 200 and "<form" in text
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in headers["Set-Cookie"]  # LearnCircle knows the visitor came over https
    line = logged_line(learncircle, "GET", "/setup?via=nginx")
    assert line.startswith(f"{CLIENT} - - [")  # the address nginx saw, not the forged one, not its own


def test_bodies_over_the_proxys_limit_stop_there_and_over_learncircles_get_its_page(nginx, learncircle):
    _, https_port = nginx
    status, _, _ = visit(https_port, "POST", "/login?size=3m", body=b"login=" + b"x" * (3 * 1024 * 1024),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    status, _, text = visit(https_port, "POST", "/login?size=1.5m", body=b"login=" + b"x" * (1536 * 1024),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and "larger than this site accepts" in text
    logged_line(learncircle, "POST", "/login?size=1.5m")
    assert not [line for line in learncircle.stderr if "size=3m" in line]  # it never reached LearnCircle


# ---- Caddy --------------------------------------------------------------------------------------

CADDY = shutil.which("caddy") or "/usr/bin/caddy"


@pytest.fixture(scope="module")
def caddy(learncircle, tmp_path_factory):
    """Caddy with the documented site block, over plain http (its certificates are its own business);
    yields its port."""
    if not Path(CADDY).exists():
        reason = f"the Caddy test needs {CADDY} (apt-get install caddy)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("caddy")
    port = free_port()
    site = fitted(documented("caddyfile"), [
        (f"{SITE} {{", f"http://{SITE}:{port} {{\n\tbind 127.0.0.1"),
        ("reverse_proxy 127.0.0.1:5000", f"reverse_proxy 127.0.0.1:{learncircle.port}"),
    ])
    (folder / "Caddyfile").write_text("{\n\tadmin off\n\tauto_https off\n}\n" + site)
    env = {**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder / "data"),
           "XDG_CONFIG_HOME": str(folder / "config")}
    process = subprocess.Popen([CADDY, "run", "--config", str(folder / "Caddyfile"), "--adapter", "caddyfile"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"caddy did not start:\n{process.stdout.read().decode()}")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_page_through_caddy_comes_with_the_visitors_address(caddy, learncircle):
    status, headers, text = visit(caddy, path="/setup?via=caddy", secure=False,
                                  headers={"X-Forwarded-For": "203.0.113.66"})
    assert status == 200 and "<form" in text
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert logged_line(learncircle, "GET", "/setup?via=caddy").startswith(f"{CLIENT} - - [")


def test_bodies_through_caddy_are_refused_before_learncircle_reads_them(caddy, learncircle):
    status, _, _ = visit(caddy, "POST", "/login?size=3m-caddy", body=b"login=" + b"x" * (3 * 1024 * 1024),
                         headers={"Content-Type": "application/x-www-form-urlencoded"}, secure=False)
    # Caddy 2.6 streams the body; LearnCircle refuses it from its length, or Caddy its own cut-off as 502.
    assert status in (413, 502)
    status, _, text = visit(caddy, "POST", "/login?size=1.5m-caddy", body=b"login=" + b"x" * (1536 * 1024),
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, secure=False)
    assert status == 413 and "larger than this site accepts" in text
    logged_line(learncircle, "POST", "/login?size=1.5m-caddy")
    assert not [line for line in learncircle.stderr if "size=3m-caddy" in line]
