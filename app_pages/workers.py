"""Background workers that never keep the server from stopping.

A ``ThreadPoolExecutor``'s threads are joined when the interpreter exits, so a
compile or a long re-sample running when the user presses Ctrl-C on ``make app``
(or a test stops its server) kept the process alive until it finished: 10 s and
a SIGKILL in ``bench app_start``, whose server stops while the warm-up compiles.
:class:`Worker` runs its jobs, one at a time and in order, on a daemon thread
and hands out the same :class:`concurrent.futures.Future`, so cancelling a
queued job, ``result()`` and ``wait()`` work as with an executor.  A job cut
short by the exit is lost; these jobs only compute numbers for a page.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["Worker"]


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
