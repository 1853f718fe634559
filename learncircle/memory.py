"""Keeping a long-running server's memory small: glibc's allocator and Python's collector.

Everything here is a no-op where it does not apply (macOS, musl): the server runs the same, only
holding more memory.
"""
import ctypes
import gc
import itertools

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


_glibc = _libc()


def tune_allocator(arenas=2):
    """Set glibc's allocator up for a long-running threaded server, before the threads start.

    By default glibc gives each thread its own arena, which leaves a multi-threaded server holding
    10-15 MB it does not use; two arenas are plenty when Python runs one thread at a time. And it
    raises its threshold for serving large blocks from their own mappings each time such a block
    is freed, so that after a few compressed pages their buffers come from the heap and stay there:
    fixing the threshold sends those buffers back to the system as soon as they are freed.
    """
    if _glibc is not None and hasattr(_glibc, "mallopt"):
        _glibc.mallopt(M_ARENA_MAX, arenas)
        _glibc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def give_back_freed():
    """Return memory that was freed to the system (after a one-off large job, never per request)."""
    if _glibc is not None and hasattr(_glibc, "malloc_trim"):
        _glibc.malloc_trim(0)


def returning_freed_memory(wsgi_app, every=200):
    """Wrap a WSGI app so that after every `every` requests freed memory goes back to the system.

    Busy moments (eight pages compressed at once) leave freed blocks the allocator would otherwise
    keep for the server's whole life; handing them back takes well under a millisecond.
    """
    served = itertools.count(1)

    def app(environ, start_response):
        try:
            return wsgi_app(environ, start_response)
        finally:
            if next(served) % every == 0:
                give_back_freed()

    return app


def settle_after_start():
    """Move everything loaded at start-up out of the collector's way.

    Modules, templates and settings live as long as the server; freezing them means the cyclic
    collector never walks them again, so its occasional full passes stay short.
    """
    gc.collect()
    gc.freeze()
