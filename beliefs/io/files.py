"""The files the user names: bounded reads, and atomic writes that never overwrite silently.

Every read of a user-named file is bounded in size (``pool --file /dev/zero`` once
read until memory ran out): :func:`read_capped` here, and the scenario and
pending-observation readers, which read one byte past their own limit the same way
and word their own messages.  Every write goes through
:func:`write_bytes_atomic` (or :func:`write_text_atomic`), which checks its
destination with :func:`check_destination` first: a name too long for the file
system, a missing directory or a device file is an :class:`InputError` naming
the flag, never an internal error, and ``--overwrite`` replaces regular files
only (never a device, a FIFO, a directory or a symbolic link).

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     path = write_text_atomic("a,b", os.path.join(d, "t.csv"), field="--csv")
...     try:
...         write_text_atomic("new", path, field="--csv")
...     except InputError as exc:
...         print(exc.field, "|", exc.allowed, "|", exc.hint)
...     print(path.read_text())
--csv | a file that does not exist yet | pass --overwrite to replace it
a,b
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from beliefs.errors import InputError

__all__ = [
    "MAX_READ_BYTES",
    "check_destination",
    "check_replaceable",
    "read_capped",
    "write_atomic",
    "write_bytes_atomic",
    "write_text_atomic",
]

MAX_READ_BYTES = 1_000_000  # a forecast CSV or a scenario file is a few kB


def _os_hint(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_capped(path: str | os.PathLike, field: str, *, limit: int = MAX_READ_BYTES, what: str = "file") -> bytes:
    """Read at most ``limit`` bytes of ``path``; a longer file (or an endless one) is refused."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # one byte past the limit tells "too long" from "exactly full"
    except OSError as exc:
        raise InputError(field, os.fspath(path), f"a readable {what}", hint=_os_hint(exc)) from None
    if len(data) > limit:
        raise InputError(field, os.fspath(path), f"a {what} of at most {limit:,} bytes")
    return data


def _lstat(path: str | os.PathLike, field: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ENAMETOOLONG, ENOTDIR, ELOOP, EACCES...
        raise InputError(field, os.fspath(path), "a file name this system can create", hint=_os_hint(exc)) from None


def check_replaceable(path: str | os.PathLike, field: str, overwrite: bool) -> None:
    """Refuse to write over anything but a regular file, and over anything at all without ``overwrite``."""
    info = _lstat(path, field)
    if info is None:
        return
    if stat.S_ISDIR(info.st_mode):
        raise InputError(field, os.fspath(path), "a file name, not a directory")
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise InputError(
            field, os.fspath(path), "a regular file or a new name", hint=f"it is {kind}; refusing to replace it"
        )
    if not overwrite:
        raise InputError(field, os.fspath(path), "a file that does not exist yet", hint="pass --overwrite to replace it")


def check_destination(path: str | os.PathLike, field: str, overwrite: bool) -> None:
    """An output path must be in an existing directory and be new or (with ``overwrite``) a regular file."""
    parent = os.path.dirname(os.fspath(path)) or "."
    if not os.path.isdir(parent):  # isdir is False (never raises) for a path too long or too deep
        raise InputError(field, os.fspath(path), "a file in an existing directory")
    name = os.path.basename(os.fspath(path))
    # The temporary file beside it is ".NAME.XXXXXXXX.tmp": leave room for that within the usual 255 bytes.
    if len(name.encode("utf-8", "surrogateescape")) > 200:
        raise InputError(field, os.fspath(path), "a file name of at most 200 bytes")
    check_replaceable(path, field, overwrite)


def write_bytes_atomic(data: bytes, path: str | os.PathLike, *, field: str, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one; return the path.

    The bytes go to a temporary file in the same directory (``.NAME.XXXXXXXX.tmp``),
    are flushed and fsynced, and are then put in place (see :func:`write_atomic`).
    """

    def fill(handle) -> None:
        handle.write(data)

    return write_atomic(fill, path, field=field, overwrite=overwrite)


def write_atomic(fill, path: str | os.PathLike, *, field: str, overwrite: bool = False, by_name: bool = False) -> Path:
    """Write a file through ``fill`` so that readers see the old file or the whole new one; return the path.

    ``fill(handle)`` writes the new content into an open binary file, or, with
    ``by_name``, ``fill(temporary_path)`` writes a file at that path (for writers
    that open files themselves, such as NetCDF).  The temporary file
    (``.NAME.XXXXXXXX.tmp``, in the target's directory) is fsynced and then put
    in place.  With ``overwrite`` that is :func:`os.replace`, after checking
    again that the target is still a regular file.  Without it the final step is
    a hard link, which fails rather than replace a file created since the check
    (a rename would clobber it).  On any error, or an interrupt, the temporary
    file is removed and the old file is untouched; an OS error becomes an
    :class:`InputError` naming ``field``.
    """
    check_destination(path, field, overwrite)
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(field, os.fspath(path), "a file in a directory you can write to", hint=_os_hint(exc)) from None
    try:
        if by_name:
            os.close(fd)
            fill(tmp)
            fd = os.open(tmp, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        else:
            with os.fdopen(fd, "wb") as handle:
                fill(handle)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp's 0600 would make a shared file unreadable to others
        if overwrite:
            check_replaceable(target, field, overwrite)  # again, just before: a symlink or device made meanwhile
            os.replace(tmp, target)
        else:
            _link_new(tmp, target, field)
    except OSError as exc:
        raise InputError(field, os.fspath(path), "a writable location", hint=_os_hint(exc)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # after a link the data is in place under its name; the temporary name goes
    _fsync_directory(target.parent)
    return target


def write_text_atomic(text: str, path: str | os.PathLike, *, field: str, overwrite: bool = False) -> Path:
    """:func:`write_bytes_atomic` of ``text`` encoded as UTF-8 (line ends written as given)."""
    return write_bytes_atomic(text.encode("utf-8"), path, field=field, overwrite=overwrite)


def _link_new(tmp: str, target: Path, field: str) -> None:
    refused = InputError(
        field, os.fspath(target), "a file that does not exist yet", hint="pass --overwrite to replace it"
    )
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise refused from None
    except OSError:
        if os.path.lexists(target):  # no hard links on this file system: check again, then rename
            raise refused from None
        os.replace(tmp, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once, at import: reading it means setting it, and a write in another thread (the app serves many
# sessions) must never see the momentary 0 and create a world-writable file.
_UMASK = _umask()


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (or needed) everywhere.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
