"""The app's background workers: an executor's futures, on a daemon thread that never delays exit."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app_pages.workers import Worker

ROOT = Path(__file__).resolve().parent.parent


def test_jobs_run_in_order_on_one_named_thread_and_hand_back_results_and_errors():
    worker = Worker("test-worker")
    seen = []

    def job(i):
        seen.append((i, threading.current_thread().name, threading.current_thread().daemon))
        if i == 2:
            raise ValueError("job 2 failed")
        return i * 10

    futures = [worker.submit(job, i) for i in range(4)]
    assert futures[0].result(timeout=30) == 0 and futures[3].result(timeout=30) == 30
    with pytest.raises(ValueError, match="job 2 failed"):
        futures[2].result(timeout=30)
    assert seen == [(i, "test-worker", True) for i in range(4)]


def test_a_job_cancelled_while_queued_never_runs():
    worker = Worker("test-cancel")
    release = threading.Event()
    ran = []
    first = worker.submit(release.wait, 30)
    queued = worker.submit(ran.append, "queued")
    assert queued.cancel()  # still waiting behind the first job
    last = worker.submit(ran.append, "last")
    release.set()
    first.result(timeout=30)
    last.result(timeout=30)
    assert queued.cancelled() and ran == ["last"]


def test_a_running_job_does_not_keep_the_process_alive():
    """With a ThreadPoolExecutor this interpreter would wait out the 120 s job before exiting."""
    code = (
        "import time\n"
        "from app_pages.workers import Worker\n"
        "w = Worker('long')\n"
        "w.submit(time.sleep, 120)\n"
        "time.sleep(0.2)\n"
        "print('leaving')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "leaving", done.stderr[-2000:]
