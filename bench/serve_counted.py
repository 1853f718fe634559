"""LearnCircle under waitress with every SQL statement counted per request (benchmark use only).

The production app is built by create_app() unchanged; this wrapper adds a Peewee query hook, counts
the transactions begun, and attributes both to the request that caused them. The counts are served
at /_bench/queries, a path that exists only in this wrapper, and the timed measurements never run
through it.

    python bench/serve_counted.py --port 8002 --threads 8
"""
import argparse
import json
import threading

from learncircle import create_app, db

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
REPORT_PATH = "/_bench/queries"


class QueryCounter:
    """WSGI middleware: collect the statements each request runs, summed per method and path."""

    def __init__(self, wsgi_app, database):
        self.wsgi_app = wsgi_app
        self.local = threading.local()
        self.lock = threading.Lock()
        self.by_request = {}
        database.query_hooks.append(self._on_query)
        begin = database.begin

        def counted_begin(*args, **kwargs):
            self._note("BEGIN")
            return begin(*args, **kwargs)

        database.begin = counted_begin

    def _note(self, sql):
        statements = getattr(self.local, "statements", None)
        if statements is not None:
            statements.append(" ".join(sql.split()))

    def _on_query(self, event):
        self._note(event.sql)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == REPORT_PATH:
            return self._report(start_response)
        self.local.statements = []
        status = []

        def remember_status(code, headers, exc_info=None):
            status.append(int(code.split()[0]))
            return start_response(code, headers, exc_info)

        try:
            # Flask pops its request context (teardown included) before returning the body.
            return self.wsgi_app(environ, remember_status)
        finally:
            self._record(environ, status[0] if status else 0, self.local.statements)
            self.local.statements = None

    def _record(self, environ, status, statements):
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        key = f"{environ.get('REQUEST_METHOD')} {path}"
        writes = [sql for sql in statements if sql.split(" ", 1)[0].upper() in WRITE_VERBS]
        transactions = [sql for sql in statements if sql.upper().startswith(("BEGIN", "SAVEPOINT"))]
        with self.lock:
            entry = self.by_request.setdefault(key, {"requests": 0, "statuses": [], "queries_total": 0,
                                                     "queries_max": 0, "writes": 0, "transactions": 0})
            entry["requests"] += 1
            if status not in entry["statuses"]:
                entry["statuses"].append(status)
            entry["queries_total"] += len(statements)
            entry["queries_max"] = max(entry["queries_max"], len(statements))
            entry["writes"] += len(writes)
            entry["transactions"] += len(transactions)
            entry["last_statements"] = statements

    def _report(self, start_response):
        with self.lock:
            body = json.dumps(self.by_request, indent=1).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    from waitress import serve
    app = create_app()
    app.wsgi_app = QueryCounter(app.wsgi_app, db.database.obj)
    serve(app, host=args.host, port=args.port, threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
