"""Stands in for the PostgreSQL driver while the benchmark's servers run.

`make run` installs LearnCircle without a PostgreSQL driver; the test suite's environment, which
`make bench` uses, adds psycopg2-binary for the PostgreSQL tests. Peewee imports any driver it finds,
and this one brings its own copies of libpq and OpenSSL (about 9 MB resident), so the servers are
started with this folder first on PYTHONPATH to run as a SQLite installation does.
"""
raise ImportError("the benchmark runs LearnCircle as `make run` installs it: without a PostgreSQL driver")
