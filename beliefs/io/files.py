"""Checks on the files the user names: bounded reads and destinations that may be replaced.

Every read of a user-named file goes through :func:`read_capped` (``pool --file
/dev/zero`` once read until memory ran out), and every write checks its
destination with :func:`check_destination` first: a name too long for the file
system, a missing directory or a device file is an :class:`InputError` naming
the flag, never an internal error, and ``--overwrite`` replaces regular files
only (never a device, a FIFO, a directory or a symbolic link).
"""

from __future__ import annotations

import os
import stat

from beliefs.errors import InputError

__all__ = ["MAX_READ_BYTES", "check_destination", "check_replaceable", "read_capped"]

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
