"""What a first visit to a page costs on the wire: the page, its stylesheets and its scripts.

Each response is read from a plain socket, so the byte count is exactly what travelled: status line,
headers and the (compressed, possibly chunked) body.
"""
import gzip
import socket
import zlib
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import brotli

ACCEPT_ENCODING = "gzip, br"


class FetchError(RuntimeError):
    pass


class _Assets(HTMLParser):
    """Collect <link rel=stylesheet href> and <script src> in document order."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").lower().split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def _dechunk(body):
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


def _decode(body, encoding):
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def fetch(url, headers, timeout=10):
    """GET url over HTTP/1.1; return (status, response headers, wire bytes, body bytes, decoded body)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers.items())]
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        received = bytearray()
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    response_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        response_headers[name.strip().lower()] = value.strip()
    if response_headers.get("transfer-encoding", "").lower() == "chunked":
        payload = _dechunk(body)
    else:
        payload = body
    decoded = _decode(payload, response_headers.get("content-encoding", "").lower())
    return int(status_line.split()[1]), response_headers, len(received), len(payload), decoded


def measure(page_url, headers):
    """Fetch a page as a first-time visitor would, then every stylesheet and script it names."""
    headers = {**headers, "Accept-Encoding": ACCEPT_ENCODING}
    status, response_headers, wire, body, html = fetch(page_url, headers)
    if status != 200:
        raise FetchError(f"{page_url} answered {status}")
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    resources = [{"url": urlsplit(page_url).path, "status": status, "wire_bytes": wire, "body_bytes": body,
                  "content_encoding": response_headers.get("content-encoding", "identity"),
                  "uncompressed_bytes": len(html)}]
    for asset in parser.urls:
        url = urljoin(page_url, asset)
        status, response_headers, wire, body, content = fetch(url, headers)
        if status != 200:
            raise FetchError(f"{url} answered {status}")
        resources.append({"url": asset, "status": status, "wire_bytes": wire, "body_bytes": body,
                          "content_encoding": response_headers.get("content-encoding", "identity"),
                          "uncompressed_bytes": len(content)})
    return {"requests": len(resources), "wire_bytes": sum(r["wire_bytes"] for r in resources),
            "body_bytes": sum(r["body_bytes"] for r in resources), "resources": resources}
