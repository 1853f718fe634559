"""`learncircle serve`: waitress set up for a small machine that faces the internet, and a clean stop.

Waitress's defaults suit a server behind a load balancer: 100 connections kept for two minutes each,
and request bodies up to 1 GB. A small box on the open internet needs the opposite: many connections,
each let go soon. Here

- a connection is closed once it has sat idle for CONNECTION_TIMEOUT seconds, and so is one that
  has not sent a whole request within that time, so a client trickling its headers a byte at a time
  holds a connection no longer than one that says nothing;
- up to CONNECTION_LIMIT connections are held, with poll() instead of select(), which cannot watch a
  descriptor numbered above 1024, and the process's descriptor limit raised to match;
- a request announcing a body much larger than LearnCircle accepts is refused from its headers,
  before any of the body is read or buffered;
- what a connection may hold in memory is kept small (headers up to 32 KB, a body's first 64 KB;
  the rest of a body waits in a temporary file), so a thousand slow uploads cannot fill a Pi's memory.

A stop (SIGTERM from systemd, or Ctrl+C) closes the listening socket, lets every request that has
arrived finish and be sent, for at most SHUTDOWN_TIMEOUT seconds, then checkpoints SQLite's
write-ahead log so that the database file alone holds everything.

This leans on waitress's channel and server internals (pinned to the minor version it is tested with).
"""
import logging
import os
import resource
import select
import signal
import socket
import threading
import time

import peewee
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from . import db

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 10
CLEANUP_INTERVAL = 5  # how often idle and slow connections are looked for (seconds)
RESERVED_DESCRIPTORS = 200  # the database's pooled connections, spooled bodies, logs
# Between the app's own limit and this, LearnCircle answers with its own "too large" page; beyond it
# waitress refuses from the Content-Length header alone.
BODY_LIMIT_FACTOR = 2
HEADER_LIMIT = 32 * 1024  # nginx's default too; a LearnCircle request's cookies and headers need a few KB
BODY_IN_MEMORY = 64 * 1024  # per connection; a reply's text fits, a larger body is spooled to a file


def useful_threads():
    """How many worker threads this machine can use: Python runs one at a time, and the rest only wait.

    A couple per CPU lets one thread wait on the disk or the network while another computes; beyond
    that, threads only queue for the database's write lock and hold memory.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cpus = os.cpu_count() or 1
    return max(4, 2 * cpus)


def threads_warning(threads):
    """One line when --threads is more than the machine can use, else None."""
    useful = useful_threads()
    if threads <= useful:
        return None
    return (f"--threads {threads} is more than this machine can use ({useful} at most): Python runs one "
            f"thread at a time, so the others only wait for the database and hold memory. The default is 4.")


def descriptor_room(connections):
    """Raise the open-file limit for `connections` if the system allows; return how many fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + RESERVED_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return connections
    return max(min(connections, soft - RESERVED_DESCRIPTORS), 10)


class _Channel(HTTPChannel):
    """A client connection that remembers when the request it is receiving began to arrive."""

    request_began = 0.0

    def received(self, data):
        if self.request is None and data:
            self.request_began = time.time()
        return super().received(data)

    def is_busy(self):
        """A request of this connection is queued, running, unsent, or has arrived up to its body."""
        return bool(self.requests or self.total_outbufs_len
                    or (self.request is not None and self.request.headers_finished))


class _Listener(TcpWSGIServer):
    """waitress's TCP server with LearnCircle's channels and its deadline for slow requests."""

    channel_class = _Channel

    def maintenance(self, now):
        super().maintenance(now)  # idle connections
        cutoff = now - self.adj.channel_timeout
        for channel in list(self.active_channels.values()):
            if channel.request is not None and not channel.requests and channel.request_began < cutoff:
                channel.will_close = True


class _Waker(wasyncore.dispatcher):
    """The read end of a socket pair in the server's loop: a byte written to the other end (by the
    signal machinery or by stop()) wakes the loop at once."""

    def __init__(self, map):
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        super().__init__(self.reader, map=map)

    def readable(self):
        return True

    def writable(self):
        return False

    def handle_read(self):
        try:
            self.recv(4096)
        except OSError:
            pass

    def wake(self):
        try:
            self.writer.send(b"\0")
        except OSError:  # the buffer is full: the loop is awake anyway
            pass

    def close(self):
        super().close()
        self.writer.close()


class Server:
    """LearnCircle on one address and port, run until stop() or SIGTERM / SIGINT, then stopped cleanly."""

    def __init__(self, app, *, host="127.0.0.1", port=5000, threads=4, connection_limit=1000,
                 connection_timeout=30, body_limit=2 * 1024 * 1024, trust_proxy_headers=False,
                 shutdown_timeout=SHUTDOWN_TIMEOUT):
        self.adjustments = Adjustments(
            # No Server header: it tells nobody anything useful, and a first visit carries it four times.
            host=host, port=port, threads=threads, ident="",
            connection_limit=connection_limit, channel_timeout=connection_timeout,
            cleanup_interval=min(CLEANUP_INTERVAL, connection_timeout), asyncore_use_poll=True,
            max_request_body_size=body_limit, max_request_header_size=HEADER_LIMIT, inbuf_overflow=BODY_IN_MEMORY,
            # Behind a proxy, the app's own ProxyFix reads X-Forwarded-* (PROXY_COUNT); waitress
            # would otherwise strip those headers before the app sees them.
            clear_untrusted_proxy_headers=not trust_proxy_headers,
        )
        self.shutdown_timeout = shutdown_timeout
        self.map = {}
        self.dispatcher = ThreadedTaskDispatcher()
        self.dispatcher.set_thread_count(threads)
        self.listeners = []
        try:
            for sockinfo in self.adjustments.listen:
                self.listeners.append(_Listener(app, self.map, dispatcher=self.dispatcher,
                                                adj=self.adjustments, sockinfo=sockinfo))
        except OSError:
            self._close_everything()
            self.dispatcher.shutdown(timeout=0.1)
            raise
        self.waker = _Waker(self.map)
        self._stopping = False
        self._hurry = False

    @property
    def port(self):
        return self.listeners[0].effective_port

    # ---- running ------------------------------------------------------------------------------

    def run(self, on_stopping=None):
        """Serve until stopped; then finish what has arrived and return how many requests were cut off.

        In the main thread, SIGTERM and SIGINT stop the server; a second one cuts the wait short.
        on_stopping(busy) is called once when the stop begins, with the number of busy connections.
        """
        restore = self._catch_signals() if threading.current_thread() is threading.main_thread() else None
        try:
            while not self._stopping:
                wasyncore.loop(timeout=1.0, map=self.map, use_poll=True, count=1)
            if on_stopping is not None:
                on_stopping(sum(channel.is_busy() for channel in self._channels()))
            unfinished = self._finish()
        finally:
            if restore is not None:
                restore()  # before the waker's descriptor is closed and its number reused
            self._close_everything()
            self.waker.close()
        checkpoint()
        return unfinished

    def stop(self):
        """Ask the server to stop (from any thread, or a signal handler); a second call stops sooner."""
        if self._stopping:
            self._hurry = True
        self._stopping = True
        self.waker.wake()

    def _catch_signals(self):
        previous = {number: signal.signal(number, lambda signum, frame: self.stop())
                    for number in (signal.SIGTERM, signal.SIGINT)}
        # The signal's arrival is also written to the waker, so poll() returns at once.
        previous_fd = signal.set_wakeup_fd(self.waker.writer.fileno(), warn_on_full_buffer=False)

        def restore():
            signal.set_wakeup_fd(previous_fd)
            for number, handler in previous.items():
                signal.signal(number, handler)
        return restore

    def _channels(self):
        return [entry for entry in list(self.map.values()) if isinstance(entry, _Channel)]

    # ---- stopping -----------------------------------------------------------------------------

    def _finish(self):
        deadline = time.monotonic() + self.shutdown_timeout
        for listener in self.listeners:
            self._accept_waiting(listener)
            listener.accepting = False
            wasyncore.dispatcher.close(listener)  # the listening socket only: its trigger still wakes the loop
        wasyncore.loop(timeout=0, map=self.map, use_poll=True, count=1)  # read what has already arrived
        while not self._hurry and time.monotonic() < deadline:
            channels = self._channels()
            for channel in channels:
                if not channel.is_busy():
                    channel.handle_close()  # idle, or still sending headers: nothing was asked yet
            if not any(channel.is_busy() for channel in channels):
                break
            wasyncore.loop(timeout=0.1, map=self.map, use_poll=True, count=1)
        unfinished = sum(channel.is_busy() for channel in self._channels())
        if unfinished:
            log.warning("stopped with %d request(s) unfinished after %d seconds", unfinished, self.shutdown_timeout)
        waiting = 0.1 if self._hurry else max(deadline - time.monotonic(), 1)
        self.dispatcher.shutdown(cancel_pending=True, timeout=waiting)  # running requests end, queued ones are cut
        return unfinished

    def _accept_waiting(self, listener):
        """Take in the connections the system accepted but waitress had not yet: their clients have sent."""
        poller = select.poll()
        poller.register(listener.socket.fileno(), select.POLLIN)
        for _ in range(self.adjustments.connection_limit):
            if not poller.poll(0):
                break
            listener.handle_accept()

    def _close_everything(self):
        """Close every socket in the loop but the waker (the signal machinery may still write to it)."""
        for entry in list(self.map.values()):
            if not isinstance(entry, _Waker):
                entry.close()


def checkpoint():
    """Copy SQLite's write-ahead log into the database file and empty it, so the file alone is complete."""
    database = db.database.obj
    if not isinstance(database, peewee.SqliteDatabase) or database.database == ":memory:":
        return None
    db.close_all()
    with database.connection_context():
        busy, pages, copied = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    db.close_all()
    if busy:
        log.warning("the database's write-ahead log could not be emptied (%d of %d pages copied)", copied, pages)
    return not busy
