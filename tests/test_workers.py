"""The app's background workers: an executor's futures, on a daemon thread that never delays exit."""

from __future__ import annotations

import os
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


# -- the server's imports frozen for the garbage collector ------------------------------------------------------


@pytest.fixture
def unfrozen(monkeypatch):
    """Each test starts and ends with nothing frozen, so the rest of the session collects as usual."""
    import gc

    from app_pages import workers

    monkeypatch.setattr(workers, "_modules_at_freeze", 0)  # as in a fresh server: nothing frozen yet
    gc.unfreeze()
    yield gc
    gc.unfreeze()


def test_freeze_heap_moves_every_live_object_out_of_the_full_collection(unfrozen):
    from app_pages import workers

    gc = unfrozen
    alive = len(gc.get_objects())
    workers.freeze_heap()
    assert gc.get_freeze_count() >= 0.9 * alive
    assert len(gc.get_objects()) < 0.1 * alive  # what a full collection still walks


def test_freeze_new_imports_freezes_again_only_after_an_import(unfrozen, tmp_path, monkeypatch):
    from app_pages import workers

    gc = unfrozen
    workers.freeze_heap()
    gc.unfreeze()
    workers.freeze_new_imports()  # no module imported since: nothing frozen
    assert gc.get_freeze_count() == 0
    (tmp_path / "beliefs_freeze_probe.py").write_text("VALUE = [1, 2, 3]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import beliefs_freeze_probe  # noqa: F401

    workers.freeze_new_imports()
    assert gc.get_freeze_count() > 0
    monkeypatch.delitem(sys.modules, "beliefs_freeze_probe")


def test_a_served_page_leaves_its_imports_frozen(unfrozen):
    from streamlit.testing.v1 import AppTest

    gc = unfrozen
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    # Streamlit's gc.collect(2) after each run then skips them (workers.freeze_heap: 38-180 ms -> ~0).
    assert gc.get_freeze_count() > 50_000


# -- the upload reader's process, started before the first upload ----------------------------------------------


@pytest.fixture
def fresh_reader(monkeypatch):
    """As in a fresh server: no reader process yet.  The one a test starts is shut down after it."""
    from app_pages import workers

    monkeypatch.setattr(workers, "_reader_pool", None)
    monkeypatch.setattr(workers, "_reader_started", False)
    yield workers
    if workers._reader_pool is not None:
        workers._reader_pool.shutdown(wait=True, cancel_futures=True)


def _starter_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "beliefs-reader-start"]


def test_start_reader_starts_the_reader_process_once_in_the_background(fresh_reader):
    workers = fresh_reader
    workers.start_reader()
    workers.start_reader()  # a second run of the page: nothing more
    starters = _starter_threads()
    assert len(starters) <= 1
    for t in starters:
        t.join(timeout=120)
    pool = workers._reader_pool
    assert pool is not None
    assert [p for p in pool._processes.values() if p.is_alive()], "no reader process running before any upload"
    assert workers.read_apart(int, b"7") == 7  # the first upload uses the process already started
    assert workers._reader_pool is pool


@pytest.mark.parametrize("served", [True, False])
def test_only_a_served_app_starts_the_reader_after_its_first_page(served, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from app_pages import workers

    calls = []
    monkeypatch.setattr(workers, "start_reader", lambda: calls.append(1))
    monkeypatch.setattr(workers, "served", lambda: served)
    monkeypatch.setenv("BELIEFS_MCMC_WARMUP", "0")  # served, the app would also start its MCMC compile
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert calls == ([1] if served else [])


def test_the_reader_process_runs_nothing_of_the_page(fresh_reader, tmp_path, monkeypatch):
    """Streamlit makes app.py's module ``__main__``; multiprocessing's child runs it again as ``__mp_main__``.

    Unguarded, the reader process drew the whole page in bare mode at its start (Streamlit and every
    page module imported: about 1.2 s of a fresh server's first upload) and, served, started its own
    MCMC warm-up and reader.  ``app.py`` runs its page only as ``__main__``.
    """
    import types

    workers = fresh_reader
    (tmp_path / "beliefs_reader_probe.py").write_text(
        "import sys\n\n\ndef loaded(data):\n"
        "    return sorted(m for m in ('streamlit', 'app_pages.shell', 'pymc') if m in sys.modules)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import beliefs_reader_probe

    page = types.ModuleType("__main__")  # as Streamlit's script runner makes it: a file, no spec
    page.__file__ = str(ROOT / "app.py")
    monkeypatch.setitem(sys.modules, "__main__", page)
    monkeypatch.setattr(sys, "argv", [str(ROOT / "app.py")])  # as under `streamlit run app.py`: served
    assert workers.read_apart(beliefs_reader_probe.loaded, b"") == []
    monkeypatch.delitem(sys.modules, "beliefs_reader_probe")


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" in f.read()  # ended, not yet reaped
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd and /proc: Linux")
def test_the_reader_process_ends_with_a_server_killed_outright(tmp_path):
    """SIGKILL (or the out-of-memory killer) gives the server no atexit: its reader and fork server must still go."""
    import signal
    import time

    (tmp_path / "beliefs_pid_probe.py").write_text("import os\n\n\ndef pids(data):\n    return os.getpid(), os.getppid()\n")
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
         "import beliefs_pid_probe\nfrom app_pages import workers\n"
         "print(*workers.read_apart(beliefs_pid_probe.pids, b''), flush=True)\ntime.sleep(600)\n",
         str(ROOT), str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        reader, fork_server = map(int, server.stdout.readline().split())
        assert not _gone(reader) and not _gone(fork_server)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
        server.stdout.close()
    deadline = time.monotonic() + 60  # a generous bound for a loaded machine; they go in milliseconds
    while not (_gone(reader) and _gone(fork_server)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(reader), "the reader process outlived its server"
    assert _gone(fork_server), "the fork server outlived its server"


def test_ctrl_c_leaves_the_reader_to_its_server(fresh_reader, tmp_path, monkeypatch):
    """Ctrl-C on `make app` reaches every process of the terminal's group, the reader too: it must not
    die mid-wait printing a KeyboardInterrupt traceback (the server stops and shuts it down itself)."""
    import signal
    import time

    workers = fresh_reader
    (tmp_path / "beliefs_pid_probe2.py").write_text("import os\n\n\ndef pid(data):\n    return os.getpid()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import beliefs_pid_probe2

    reader = workers.read_apart(beliefs_pid_probe2.pid, b"")
    os.kill(reader, signal.SIGINT)
    time.sleep(0.5)  # a reader that did not ignore it would be dead by now
    assert not _gone(reader)
    assert workers.read_apart(beliefs_pid_probe2.pid, b"") == reader  # the same process, not a new pool
    monkeypatch.delitem(sys.modules, "beliefs_pid_probe2")
