"""Background workers that never keep the server from stopping.

A ``ThreadPoolExecutor``'s threads are joined when the interpreter exits, so a
compile or a long re-sample running when the user presses Ctrl-C on ``make app``
(or a test stops its server) kept the process alive until it finished: 10 s and
a SIGKILL in ``bench app_start``, whose server stops while the warm-up compiles.
:class:`Worker` runs its jobs, one at a time and in order, on a daemon thread
and hands out the same :class:`concurrent.futures.Future`, so cancelling a
queued job, ``result()`` and ``wait()`` work as with an executor.  A job cut
short by the exit is lost; these jobs only compute numbers for a page.

:func:`read_apart` reads a user's upload in a process of its own, so that no
input, however slow to refuse, holds the interpreter lock the server's other
sessions wait on.
"""

from __future__ import annotations

import atexit
import gc
import os
import queue
import select
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

__all__ = ["Worker", "freeze_heap", "freeze_new_imports", "read_apart", "served", "start_reader"]


def served() -> bool:
    """True when ``streamlit run app.py`` serves the app (it sets argv[0] to the script), False under AppTest.

    What only a live server should start (a background compile, the reader process) asks this: a test
    process must not start what it never uses.
    """
    return Path(sys.argv[0]).name == "app.py"


def freeze_heap() -> None:
    """Move every object alive now into the garbage collector's permanent generation (:func:`gc.freeze`).

    Streamlit runs a full collection, ``gc.collect(2)``, after every script run, on the script's thread,
    holding the interpreter lock.  A full collection walks every tracked object, and the server's are
    mostly imported modules (~130,000 with Streamlit and Altair, ~300,000 once PyMC is: 73 and 180 ms
    here), so each run of every session held up the others that long.  Frozen, the modules are skipped:
    the collection walks what runs made since.  Called once the imports are done (the first run) and
    after the MCMC model's warm-up compile; a frozen object is still freed when its last reference goes,
    only a cycle among frozen objects would stay (the modules' own, alive anyway).
    """
    global _modules_at_freeze
    gc.collect()  # garbage cycles alive now would never be collected once frozen (a one-off: rare calls)
    gc.freeze()
    _modules_at_freeze = len(sys.modules)


_modules_at_freeze = 0


def freeze_new_imports() -> None:
    """:func:`freeze_heap` if a module was imported since the last freeze (a view's first run imports its own)."""
    if len(sys.modules) != _modules_at_freeze:
        freeze_heap()


class Worker:
    """One daemon thread, named ``name``, that runs submitted jobs in order."""

    def __init__(self, name: str):
        self.name = name
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name=name, daemon=True).start()  # idle, it only waits on the queue

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def _run(self) -> None:
        while True:
            future, fn, args, kwargs = self._jobs.get()
            if not future.set_running_or_notify_cancel():  # cancelled while queued
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)
            else:
                future.set_result(result)


# -- a reader of untrusted bytes, in a process of its own ---------------------------------------------------------

_READER_MODULES = ["beliefs.io.scenario"]  # what a reader process imports once, before its first file
_reader_pool = None
_reader_lock = threading.Lock()


def _read_in_child(read: Callable[[bytes], Any], data: bytes) -> tuple[str, Any]:
    """``read(data)`` in the reader process: ``("ok", value)``, or ``("refused", (class, field, value, allowed, hint))``.

    An InputError does not survive pickling (its one argument is the message), so its fields travel.
    """
    from beliefs.errors import InputError

    try:
        return "ok", read(data)
    except InputError as exc:
        return "refused", (type(exc), exc.field, exc.value, exc.allowed, exc.hint)


def _init_reader(server_pid: int) -> None:
    """In the reader process: ignore Ctrl-C, and exit as soon as the server process ``server_pid`` has ended.

    A pool's worker holds both ends of its own job queue, so it never sees the server go: a server
    killed outright (SIGKILL, the kernel's out-of-memory killer) left its reader and fork server running
    forever.  A stopped server shuts the pool down itself (atexit); this covers the rest.  A pidfd
    becomes readable when that process ends (Linux 5.3+); elsewhere nothing is watched.
    """
    # Ctrl-C on `make app` reaches the whole foreground process group: the server stops and shuts the
    # pool down; the reader itself would only die mid-wait and print a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pidfd = os.pidfd_open(server_pid)
    except (AttributeError, OSError):  # not Linux, or the server is already gone (then the pool is too)
        return

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(0)  # nothing of the reader's to save: a file it was reading is read again by a new pool

    threading.Thread(target=watch, name="beliefs-reader-watch", daemon=True).start()


def _pool():
    global _reader_pool
    with _reader_lock:
        if _reader_pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # A fork of the server (threads, locks held) is unsafe: a fork server that imported only the reader.
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_READER_MODULES)
            _reader_pool = ProcessPoolExecutor(
                max_workers=1, mp_context=ctx, initializer=_init_reader, initargs=(os.getpid(),)
            )
            atexit.register(_reader_pool.shutdown, wait=False, cancel_futures=True)  # not at teardown, half gone
        return _reader_pool


_reader_started = False


def start_reader() -> None:
    """Start the reader process now, on a background thread, so the server's first upload need not wait for it.

    Its start (a fork server that imports the scenario reader, then a worker forked from it) waits for
    that import; started by the first upload, it made a fresh server's first upload the slowest (bench
    upload_under_load: 1,424-1,701 ms before, while the reader also ran the page; 195-272 ms since).  Called
    after the first page (``app_pages.shell``) on a thread, as the import would hold that page's run; a no-op
    after the first call.
    """
    global _reader_started
    with _reader_lock:
        if _reader_started:
            return
        _reader_started = True
    # submit() starts the process; the no-op's result means it has imported the reader and is waiting.
    threading.Thread(target=lambda: _pool().submit(int).result(), name="beliefs-reader-start", daemon=True).start()


def read_apart(read: Callable[[bytes], Any], data: bytes) -> Any:
    """``read(data)`` run in a separate process; its value, or its InputError raised here.

    For a user's upload (up to 1 MB): its reader is linear, but at the cap its worst case holds the
    interpreter lock for 0.1 s of CPU in one regular-expression call (an HTML tag of 500,000 attributes),
    and under load every other session of the server waits that long several times over.  In a process
    of its own it takes a core's time, never the lock.  ``read`` must be a module-level function (it is
    pickled by name).  If the process dies (killed, out of memory), the pool is made again and the file
    is read once more; a second failure is raised.
    """
    global _reader_pool
    from concurrent.futures.process import BrokenProcessPool

    for attempt in (1, 2):
        try:
            status, value = _pool().submit(_read_in_child, read, data).result()
            break
        except BrokenProcessPool:
            with _reader_lock:
                _reader_pool = None
            if attempt == 2:
                raise
    if status == "refused":
        cls, field, shown, allowed, hint = value
        raise cls(field, shown, allowed, hint)
    return value
