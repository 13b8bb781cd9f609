"""An on-disk cache for nutpie's compiled log-density functions, shared across processes.

``nutpie.compile_pymc_model`` spends most of its 20-40 s in numba compiling two C callbacks
(``cfunc``) that wrap PyTensor's generated log-density and expansion functions.  PyTensor
caches its own generated functions on disk, but the callbacks are recompiled in every
process (every test worker, command-line run and Streamlit server): numba can cache them
(``cache=True`` reaches ``numba.cfunc`` through ``compile_pymc_model``'s keyword arguments),
yet its index key hashes a pickle of the callbacks' closures, which holds random uuids
(nutpie's names for the shared data, numba's dispatcher ids) and temporary file names, so
the key never repeats and every load misses.

This module gives those two callbacks a key that does repeat: a hash of everything the
compiled code depends on, computed by walking the closures:

* PyTensor's own cache key for each generated function it calls (the same key under which
  PyTensor already reuses that compiled function across processes; it covers the graph);
* the bytecode of every nutpie/numba function in the closure (not the path of its file: another
  virtual environment with the same versions shares the cache), and the versions of nutpie,
  numba, llvmlite, PyTensor and NumPy (a change of any invalidates the whole cache);
* every array in the closure (dtype, shape and bytes), every number, and the layout of the
  record that passes the shared data (field order and types; nutpie's random field names
  are replaced by their order of appearance, which is how the compiled code addresses them).

Anything in a closure that the walk does not know makes the callbacks uncacheable: they are
then compiled as before, never saved nor loaded under a key that might be incomplete.  The cache lives
under PyTensor's compile directory (``PYTENSOR_FLAGS=base_compiledir=...`` moves it).
``enable()`` installs the hooks once; :func:`models.sampling.compile_model` calls it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import threading
import types
from pathlib import Path
from weakref import WeakKeyDictionary, WeakSet

import numpy as np

__all__ = ["enable", "stable_key"]

# The two closures nutpie compiles with numba.cfunc (nutpie/compile_pymc.py).
_CALLBACKS = {
    ("nutpie.compile_pymc", "_make_c_logp_func.<locals>.logp_numba"),
    ("nutpie.compile_pymc", "_make_c_expand_func.<locals>.expand_numba"),
}
_UUID_HEX = re.compile(r"[0-9a-f]{32}")
_keys: WeakKeyDictionary = WeakKeyDictionary()  # callback python function -> its stable key
_uncacheable: WeakSet = WeakSet()  # callbacks whose closure the key cannot capture: never saved nor loaded
_lock = threading.Lock()
_enabled = False


class _Uncacheable(Exception):
    """The closure holds something whose effect on the compiled code the key cannot capture."""


def _versions() -> tuple:
    import llvmlite
    import numba
    import nutpie
    import nutpie.compile_pymc
    import pytensor

    source = Path(nutpie.compile_pymc.__file__).read_bytes()
    return (nutpie.__version__, numba.__version__, llvmlite.__version__, pytensor.__version__, np.__version__,
            hashlib.sha256(source).hexdigest())  # fmt: skip


def _without_file_names(code: types.CodeType) -> types.CodeType:
    """``code`` and the code nested in it with no file name: the same bytecode from another install is the same key.

    A code object carries the path of the file it was compiled from (the virtual environment's site-packages);
    the versions and nutpie's source hash in the key already say which code it is.  With the path in the key,
    every new environment (each CI run makes a fresh one) missed the cache for every model once.
    """
    consts = tuple(_without_file_names(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename="", co_consts=consts)


class _Walker:
    def __init__(self) -> None:
        self.names: dict[str, int] = {}  # random uuid hex -> order of appearance
        self.seen: set[int] = set()

    def _name(self, text: str) -> str:
        return _UUID_HEX.sub(lambda m: f"<shared{self.names.setdefault(m.group(0), len(self.names))}>", text)

    def token(self, obj) -> object:
        from numba.core.dispatcher import Dispatcher
        from numba.core.extending import _Intrinsic
        from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

        if obj is None or isinstance(obj, (bool, int, float, complex, np.generic)):
            return (type(obj).__name__, repr(obj))
        if isinstance(obj, str):
            return ("str", self._name(obj))
        if isinstance(obj, (tuple, list)):
            return (type(obj).__name__, tuple(self.token(x) for x in obj))
        if isinstance(obj, np.ndarray):
            return ("array", obj.dtype.str, obj.shape, hashlib.sha256(np.ascontiguousarray(obj).tobytes()).hexdigest())
        if isinstance(obj, np.dtype):
            return ("dtype", self._name(repr(obj.descr)))
        if isinstance(obj, types.ModuleType):
            return ("module", obj.__name__)
        if isinstance(obj, Dispatcher):
            pytensor_key = CACHED_SRC_FUNCTIONS.get(obj.py_func)
            if pytensor_key is not None:
                return ("pytensor", pytensor_key)
            return ("dispatcher", self.token(obj.py_func), self.token(sorted((k, repr(v)) for k, v in obj.targetoptions.items())))
        if isinstance(obj, _Intrinsic):
            return ("intrinsic", obj._name, self.token(obj._defn))
        if isinstance(obj, types.FunctionType):
            if id(obj) in self.seen:  # a recursive closure: its code is already in the key
                return ("function-again", obj.__qualname__)
            self.seen.add(id(obj))
            if obj.__module__ is None or not obj.__module__.startswith(("nutpie", "numba")):
                raise _Uncacheable(f"function {obj.__module__}.{obj.__qualname__}")
            cells = tuple(self.token(c.cell_contents) for c in obj.__closure__ or ())
            code = hashlib.sha256(marshal.dumps(_without_file_names(obj.__code__))).hexdigest()
            return ("function", obj.__module__, obj.__qualname__, code, cells, self.token(obj.__defaults__))
        raise _Uncacheable(type(obj).__qualname__)


def stable_key(py_func) -> str | None:
    """The key of a nutpie callback's compiled code, or None if something in its closure is unknown."""
    try:
        walked = _Walker().token(py_func)
    except Exception:  # _Uncacheable, an empty cell (ValueError), anything else: compile as before, never fail
        return None
    return hashlib.sha256(repr((_versions(), walked)).encode()).hexdigest()


def _cache_dir() -> Path:
    # BELIEFS_NUTPIE_CACHE_DIR moves only this cache: bench/run.py gives its "covert cold" process an empty one,
    # so that row stays a machine's first-ever compile while PyTensor's own cache stays warm.
    override = os.environ.get("BELIEFS_NUTPIE_CACHE_DIR")
    if override:
        return Path(override)
    from pytensor.configdefaults import config

    return Path(config.base_compiledir) / "nutpie_cfunc"


def enable() -> None:
    """Install the locator and index key for nutpie's callbacks (idempotent, thread-safe)."""
    global _enabled
    with _lock:
        if _enabled:
            return
        from numba.core import caching

        class NutpieCallbackLocator(caching._CacheLocator):
            """Puts a nutpie callback with a stable key in our directory, named by that key."""

            def __init__(self, py_func, py_file, key):
                self._py_file = py_file
                self._key = key

            def ensure_cache_path(self):
                path = self.get_cache_path()
                path.mkdir(parents=True, exist_ok=True)

            def get_cache_path(self):
                return _cache_dir()

            def get_source_stamp(self):
                return _versions()

            def get_disambiguator(self):
                return self._key[:32]

            @classmethod
            def from_function(cls, py_func, py_file):
                if (getattr(py_func, "__module__", None), getattr(py_func, "__qualname__", None)) not in _CALLBACKS:
                    return None
                key = stable_key(py_func)
                if key is None:
                    _uncacheable.add(py_func)  # its Cache is disabled below; the name just has to be valid
                    return cls(py_func, py_file, "uncacheable")
                _keys[py_func] = key
                return cls(py_func, py_file, key)

        original_index_key = caching.Cache._index_key

        def _index_key(self, sig, codegen):
            key = _keys.get(self._py_func)
            if key is None:
                return original_index_key(self, sig, codegen)
            return (sig, codegen.magic_tuple(), (hashlib.sha256(self._py_func.__code__.co_code).hexdigest(), key))

        original_init = caching.Cache.__init__

        def __init__(self, py_func):
            original_init(self, py_func)
            if py_func in _uncacheable:
                self.disable()

        caching.CacheImpl._locator_classes.insert(0, NutpieCallbackLocator)
        caching.Cache._index_key = _index_key
        caching.Cache.__init__ = __init__
        _enabled = True
