"""Nothing lost: saves are atomic, interrupted saves keep the old file, nothing is overwritten unasked.

Oracles: the bytes on disk before and after (the old file or the whole new
one, never a mixture), the directory listing (no stray temporary files), and
the order of system calls on the save path (write, fsync, then rename).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from beliefs.errors import InputError
from beliefs.io import files as files_mod
from beliefs.io import scenario as scenario_mod
from beliefs.io.scenario import get_scenario, load_scenario, save_scenario, scenario_to_json
from beliefs.io.scenario_schema import ScenarioError

ROOT = Path(__file__).resolve().parent.parent


def _two_versions():
    old = get_scenario("stated-3-to-1")
    new = old.model_copy(update={"prior": 0.125, "title": "the new one"})
    return old, new


def _leftovers(directory: Path, name: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != name)


# -- the save path ------------------------------------------------------------------------------


def test_save_writes_a_temporary_file_fsyncs_then_renames(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace, real_link = os.fsync, os.replace, os.link

    def fsync(fd):
        calls.append(("fsync", fd))
        return real_fsync(fd)

    def replace(src, dst):
        calls.append(("replace", Path(src), Path(dst)))
        return real_replace(src, dst)

    def link(src, dst, **kw):
        calls.append(("link", Path(src), Path(dst)))
        return real_link(src, dst, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "link", link)
    old, new = _two_versions()
    target = tmp_path / "s.json"
    save_scenario(old, target)
    save_scenario(new, target, overwrite=True)
    kinds = [c[0] for c in calls]
    # each save: the data is fsynced before the rename/link puts it in place
    for rename in ("link", "replace"):
        i = kinds.index(rename)
        assert "fsync" in kinds[:i]
        src, dst = calls[i][1], calls[i][2]
        assert src.parent == dst.parent == tmp_path  # same directory, so the rename is atomic
        assert src.name.endswith(".tmp") and src.name.startswith(".s.json.")
    assert load_scenario(target) == new
    assert _leftovers(tmp_path, "s.json") == []


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch, failing, exc):
    old, new = _two_versions()
    target = tmp_path / "s.json"
    save_scenario(old, target)
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise exc

    if failing == "write":
        monkeypatch.setattr(scenario_mod, "scenario_to_json", lambda s: scenario_to_json(s)[:100] + boom())
    else:
        monkeypatch.setattr(os, failing, boom)
    with pytest.raises((type(exc), InputError)):
        save_scenario(new, target, overwrite=True)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert load_scenario(target) == old
    assert _leftovers(tmp_path, "s.json") == []


def test_never_overwrites_without_the_flag(tmp_path):
    _old, new = _two_versions()
    target = tmp_path / "s.json"
    target.write_text("my notes, not a scenario")
    with pytest.raises(ScenarioError, match="overwrite"):
        save_scenario(new, target)
    assert target.read_text() == "my notes, not a scenario"
    assert _leftovers(tmp_path, "s.json") == []


def test_file_appearing_during_the_save_is_not_clobbered(tmp_path, monkeypatch):
    # Another program creates the file between the existence check and the rename.
    _old, new = _two_versions()
    target = tmp_path / "s.json"
    real_mkstemp = files_mod.tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        target.write_text("written meanwhile by someone else")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(files_mod.tempfile, "mkstemp", mkstemp)
    with pytest.raises(ScenarioError, match="overwrite"):
        save_scenario(new, target)
    assert target.read_text() == "written meanwhile by someone else"
    assert _leftovers(tmp_path, "s.json") == []


def test_cli_outputs_never_overwritten_without_the_flag(tmp_path):
    from beliefs.cli import main
    from beliefs.io.files import write_bytes_atomic

    plot, table, saved = tmp_path / "p.png", tmp_path / "t.csv", tmp_path / "s.json"
    for p in (plot, table, saved):
        p.write_bytes(b"keep me")
    assert main(["pool", "--probs", "0.1,0.9", "--plot", str(plot), "--csv", str(table)]) == 2
    assert main(["scenario", "save", "stated-3-to-1", str(saved)]) == 2
    with pytest.raises(InputError, match="--overwrite"):
        write_bytes_atomic(b"new", str(table), field="--csv")
    assert all(p.read_bytes() == b"keep me" for p in (plot, table, saved))
    # with the flag, each is replaced by a complete new file
    assert main(["pool", "--probs", "0.1,0.9", "--plot", str(plot), "--csv", str(table), "--overwrite"]) == 0
    assert main(["scenario", "save", "stated-3-to-1", str(saved), "--overwrite"]) == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table.read_text().startswith("kind,") or "probability" in table.read_text().splitlines()[0]
    assert load_scenario(saved) == get_scenario("stated-3-to-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "s.json", "t.csv"]


# -- killed mid-write ---------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from beliefs.io import scenario as m
    from beliefs.io.files import write_bytes_atomic

    target, kind = sys.argv[1], sys.argv[2]
    real_fsync = os.fsync

    def slow_fsync(fd):
        time.sleep(0.02)  # widen the window between writing and renaming
        return real_fsync(fd)

    os.fsync = slow_fsync
    base = m.get_scenario("stated-3-to-1")
    # a large but valid scenario: ~600 kB, so the write itself takes a while
    versions = [
        base.model_copy(update={"prior": p, "description": ch * 600_000})
        for p, ch in ((0.25, "a"), (0.75, "b"))
    ]
    texts = [m.scenario_to_json(v).encode() for v in versions]
    print("ready", flush=True)
    i = 0
    while True:
        if kind == "scenario":
            m.save_scenario(versions[i % 2], target, overwrite=True)
        else:
            write_bytes_atomic(texts[i % 2], target, field="--csv", overwrite=True)
        i += 1
    """
)


@pytest.mark.parametrize("kind", ["scenario", "csv"])
def test_sigkill_mid_write_leaves_a_complete_file(tmp_path, kind):
    base = get_scenario("stated-3-to-1")
    target = tmp_path / "s.json"
    save_scenario(base, target)
    allowed = {target.read_bytes()}
    allowed |= {
        scenario_to_json(base.model_copy(update={"prior": p, "description": ch * 600_000})).encode()
        for p, ch in ((0.25, "a"), (0.75, "b"))
    }
    delays = [0.05, 0.11, 0.17, 0.23, 0.31]
    for delay in delays:
        with subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(target), kind],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as child:
            try:
                assert child.stdout.readline().strip() == "ready"
                time.sleep(delay)
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=10)
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        assert child.returncode == -signal.SIGKILL
        data = target.read_bytes()
        assert data in allowed, f"partial file after SIGKILL at {delay}s: {len(data)} bytes"
        load_scenario(target)
        # a kill between mkstemp and rename can leave one temporary file; it is hidden and named for the target
        stray = _leftovers(tmp_path, "s.json")
        assert len(stray) <= 1 and all(s.startswith(".s.json.") and s.endswith(".tmp") for s in stray), stray
        for s in stray:
            (tmp_path / s).unlink()


# -- the app ------------------------------------------------------------------------------------


def test_failed_upload_changes_nothing_in_the_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"prior": "0.25", "e0": "p~0.75~0.25~1~~~~~stated", "cmp": "0.1"})
    at.run()
    link = dict(at.query_params)
    values = dict(at.session_state["values"])
    items = at.session_state["items"]
    for content in (b"{", b'{"format": "beliefs-scenario", "version": 1, "prior": 0.5, "evidence": 3}'):
        at.file_uploader(key="upload").set_value(("bad.json", content, "application/json")).run()
        assert not at.exception
        assert len(at.error) == 1 and "nothing was changed" in at.error[0].value
        assert dict(at.session_state["values"]) == values
        assert at.session_state["items"] == items
        assert dict(at.query_params) == link


def test_writer_that_opens_the_file_itself_gets_the_same_guarantees(tmp_path):
    """NetCDF (and any writer that takes a path) goes through the same atomic writer as the bytes."""
    target = tmp_path / "draws.nc"

    def fill(path):
        Path(path).write_bytes(b"complete")

    files_mod.write_atomic(fill, target, field="path", by_name=True)
    assert target.read_bytes() == b"complete"
    with pytest.raises(InputError, match="does not exist yet"):
        files_mod.write_atomic(fill, target, field="path", by_name=True)

    def half_then_fail(path):
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files_mod.write_atomic(half_then_fail, tmp_path / "other.nc", field="path", by_name=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draws.nc"]  # no half file, no temporary left
