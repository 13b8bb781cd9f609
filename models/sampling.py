r"""Shared MCMC layer: compile a PyMC model once, re-sample it with new data.

Every model in :mod:`models` declares each user input (observed counts *and*
prior hyperparameters) as ``pm.Data``.  :func:`compile_model` turns the PyMC
model into a nutpie model once (numba compilation, seconds); after that
:meth:`CompiledModel.sample` swaps the data in with ``with_data`` and runs
NUTS without recompiling (a tenth of a second for small models).  A
process-wide cache (:func:`get_compiled`) keyed by the model's *structure*
(which variables exist and their ranks; not their values) lets the app and
the command line share compiled models.

Results come back as :class:`McmcResult`, which always carries convergence
diagnostics: the rank-normalized split :math:`\hat R`, bulk and tail
effective sample sizes, the Monte Carlo standard error of the mean, and the
number of divergent transitions.  A result that fails the usual thresholds
(:math:`\hat R > 1.01`, bulk ESS < 400, any divergence) carries warning
strings; callers show them next to the numbers, never a bare estimate.

Public API (stable; other modules import it)::

    compile_model(model, structure_key=None) -> CompiledModel
    get_compiled(key, builder, compile=compile_model)    # THE process-wide cache (nutpie or forward models)
    CompiledModel.sample(data, *, draws=1000, tune=1000, chains=2, seed=0,
                         timeout=None, target_accept=None) -> McmcResult
    McmcResult.idata / .draws(name) / .diagnostics(var_names=None) -> Diagnostics
        # draws and divergences read nutpie's raw trace (RawTrace); .idata is built on first access
    McmcResult.save_netcdf(path)
    summarize_draws(name, draws) -> VariableDiagnostics  # diagnostics of a derived quantity
    derived_fit(result, name, var_names, interval_mass) -> DerivedFit  # a derived quantity's summary
    compile_count() -> int
    SamplingError, SamplingTimeout
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from beliefs.intervals import equal_tailed
from beliefs.tables import NotebookRepr

__all__ = [
    "ESS_BULK_MIN",
    "RHAT_MAX",
    "CompiledModel",
    "DerivedFit",
    "Diagnostics",
    "McmcResult",
    "RawTrace",
    "SamplingError",
    "SamplingTimeout",
    "VariableDiagnostics",
    "cached",
    "compile_count",
    "compile_model",
    "derived_fit",
    "get_compiled",
    "summarize_draws",
]

RHAT_MAX = 1.01
ESS_BULK_MIN = 400

_compile_lock = threading.Lock()
_cache: dict[Any, CompiledModel] = {}
_compiles = 0


class SamplingError(RuntimeError):
    """PyMC or nutpie failed; the message is one line saying what and where."""


class SamplingTimeout(SamplingError):
    """Sampling did not finish within the time bound and was cancelled."""


# ---------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VariableDiagnostics:
    r"""Posterior mean and convergence diagnostics of one scalar quantity.

    ``r_hat`` is the rank-normalized split :math:`\hat R` (Vehtari et al. 2021),
    ``ess_bulk``/``ess_tail`` the bulk and tail effective sample sizes and
    ``mcse_mean`` the Monte Carlo standard error of ``mean``:
    :math:`\mathrm{MCSE} \approx \mathrm{sd} / \sqrt{\mathrm{ESS}_\text{mean}}`.
    """

    name: str
    mean: float
    sd: float
    r_hat: float
    ess_bulk: float
    ess_tail: float
    mcse_mean: float

    @property
    def constant(self) -> bool:
        """All draws equal: R-hat/ESS are undefined but nothing failed to mix."""
        return self.sd == 0.0

    @property
    def finite(self) -> bool:
        """Every draw is a number (a chain cut short is padded with NaN; an overflow gives inf)."""
        return math.isfinite(self.mean) and math.isfinite(self.sd)

    def warnings(self, *, chains: int) -> list[str]:
        out: list[str] = []
        if not self.finite:
            return [f"{self.name}: some draws are NaN or infinite; the estimate and its diagnostics are unusable"]
        if self.constant:
            return out
        if chains < 2:
            out.append(f"{self.name}: r_hat needs at least 2 chains; convergence not checked")
        elif not math.isfinite(self.r_hat) or self.r_hat > RHAT_MAX:
            out.append(f"{self.name}: r_hat = {self.r_hat:.3f} > {RHAT_MAX} (chains disagree; not converged)")
        if not math.isfinite(self.ess_bulk) or self.ess_bulk < ESS_BULK_MIN:
            out.append(f"{self.name}: bulk ESS = {self.ess_bulk:.0f} < {ESS_BULK_MIN} (too few effective draws)")
        return out

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "mean": self.mean,
            "sd": self.sd,
            "r_hat": self.r_hat,
            "ess_bulk": self.ess_bulk,
            "ess_tail": self.ess_tail,
            "mcse_mean": self.mcse_mean,
        }


@dataclass(frozen=True)
class Diagnostics:
    """Diagnostics of several quantities plus sampler-level health.

    ``warnings`` lists every threshold failure in words: R-hat above
    :data:`RHAT_MAX`, bulk ESS below :data:`ESS_BULK_MIN`, divergent
    transitions.  ``ok`` is true only when it is empty.
    """

    variables: dict[str, VariableDiagnostics]
    divergences: int
    chains: int
    draws: int
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.warnings

    @property
    def max_r_hat(self) -> float:
        vals = [v.r_hat for v in self.variables.values() if not v.constant]
        return max(vals) if vals else math.nan

    @property
    def min_ess_bulk(self) -> float:
        vals = [v.ess_bulk for v in self.variables.values() if not v.constant]
        return min(vals) if vals else math.nan

    def __getitem__(self, name: str) -> VariableDiagnostics:
        return self.variables[name]

    def to_dict(self) -> dict:
        return {
            "variables": {k: v.to_dict() for k, v in self.variables.items()},
            "divergences": self.divergences,
            "chains": self.chains,
            "draws": self.draws,
            "max_r_hat": self.max_r_hat,
            "min_ess_bulk": self.min_ess_bulk,
            "warnings": list(self.warnings),
        }


def summarize_draws(name: str, draws: np.ndarray) -> VariableDiagnostics:
    """Diagnostics of a scalar quantity given as an array of shape (chain, draw).

    Use it for quantities computed from the posterior after sampling (for
    example an average of per-draw probabilities); ArviZ computes R-hat, ESS
    and MCSE exactly as for a model variable.  Draws equal up to rounding are
    "constant" (sd 0, R-hat and ESS NaN, no warning): a quantity fixed by the
    inputs (no uncertain parameter, or zero steps) comes back from the compiled
    sampler with last-bit noise (spread ~1e-16), and R-hat of that noise would
    raise a false alarm.
    """
    import arviz as az

    arr = np.asarray(draws, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"summarize_draws({name!r}): expected shape (chain, draw), got {arr.shape}")
    mean = float(arr.mean())
    nan = math.nan
    if not np.isfinite(arr).all():
        # Never "constant": a NaN spread would compare as zero and pass silently with a NaN mean.
        return VariableDiagnostics(name, nan, nan, nan, nan, nan, nan)
    # Spread below rounding error (e.g. P(H | D, phi) = 1 in every draw) is "constant": R-hat is undefined there.
    spread = float(np.ptp(arr)) if arr.size else 0.0
    scale = max(1.0, float(np.max(np.abs(arr)))) if arr.size else 1.0
    sd = float(arr.std(ddof=1)) if arr.size > 1 and spread > 1e-12 * scale else 0.0
    if sd == 0.0:
        return VariableDiagnostics(name, mean, sd, nan, nan, nan, 0.0)
    with np.errstate(all="ignore"):
        r_hat = float(az.rhat(arr)) if arr.shape[0] >= 2 else math.nan
        ess_bulk = float(az.ess(arr, method="bulk"))
        ess_tail = float(az.ess(arr, method="tail", prob=0.05))
        mcse_mean = float(az.mcse(arr, method="mean"))
    return VariableDiagnostics(name, mean, sd, r_hat, ess_bulk, ess_tail, mcse_mean)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
class RawTrace:
    """nutpie's Arrow trace of one run, read without converting it to ArviZ.

    ``nutpie.sample(..., return_raw_trace=True)`` (nutpie 0.16) hands back the
    trace as one Arrow record batch per chain, tuning rows first (marked by
    the ``tuning`` stat).  :meth:`draws` and :meth:`divergences` read the kept
    rows of one column; :meth:`to_idata` builds the same ``DataTree`` nutpie
    would have returned, through nutpie's own converter (its sampler's
    ``_extract``: nutpie's private API, pinned in requirements.txt), so a
    result converted late is identical to one converted at once.
    """

    def __init__(self, sampler, results):
        self._sampler = sampler
        # nutpie lets the trace be taken only once; keep the batches for the conversion.
        self._draw_batches, self._stat_batches = results.get_arrow_trace()
        self._kept = [~_arrow_column(b, "tuning").astype(bool) for b in self._stat_batches]
        self.var_names = list(self._draw_batches[0].column_names) if self._draw_batches else []
        self._cache: dict[str, np.ndarray] = {}

    def draws(self, name: str) -> np.ndarray:
        """Kept draws of ``name``, shape (chain, draw, ...); chains cut short are padded with NaN as nutpie does."""
        if name not in self._cache:
            chains = [_arrow_column(b, name)[kept] for b, kept in zip(self._draw_batches, self._kept, strict=True)]
            longest = max(len(c) for c in chains)
            out = np.full((len(chains), longest, *chains[0].shape[1:]), np.nan)
            for i, c in enumerate(chains):
                out[i, : len(c)] = c
            self._cache[name] = out
        return self._cache[name]

    def divergences(self) -> int:
        """Divergent transitions after tuning."""
        return int(sum(_arrow_column(b, "diverging")[kept].sum() for b, kept in zip(self._stat_batches, self._kept, strict=True)))

    def to_idata(self):
        self._sampler._return_raw_trace = False
        return self._sampler._extract(_TakenTrace(self._draw_batches, self._stat_batches))


class _TakenTrace:
    """Stands in for nutpie's raw result once its Arrow batches were taken (what ``_extract`` asks of it)."""

    def __init__(self, draw_batches, stat_batches):
        self._batches = (draw_batches, stat_batches)

    def is_zarr(self) -> bool:
        return False

    def is_arrow(self) -> bool:
        return True

    def get_arrow_trace(self):
        return self._batches


def _arrow_column(batch, name: str) -> np.ndarray:
    """One column of a nutpie record batch as an array of shape (rows, *item_shape) (item shape from its metadata)."""
    import pyarrow

    col = batch.column(name)
    shape_text = (col.field.metadata or {}).get(b"shape", b"").decode("utf-8")
    shape = tuple(int(x) for x in shape_text.split(",") if x)
    arr = pyarrow.array(col)
    if arr.null_count:
        raise SamplingError(f"nutpie's trace has missing values in {name!r}")
    if hasattr(arr, "flatten"):
        arr = arr.flatten()
    return arr.to_numpy(zero_copy_only=False).reshape((batch.num_rows, *shape))


class McmcResult:
    """Posterior draws and how they were produced.

    ``idata`` is the ArviZ ``DataTree`` of the run.  A result made by
    :meth:`CompiledModel.sample` holds nutpie's raw Arrow trace instead and
    builds the ``DataTree`` on first access: the conversion costs more than a
    warm re-sample of a small model, and the diagnostics and estimates read
    only a few arrays (:meth:`draws`, :attr:`divergences`), which come
    straight from the trace.
    """

    def __init__(
        self, idata=None, *, draws: int, tune: int, chains: int, seed: int, seconds: float, structure_key,
        raw: RawTrace | None = None,
    ):
        if (idata is None) == (raw is None):
            raise ValueError("McmcResult needs exactly one of idata and raw")
        self._idata = idata
        self._raw = raw
        self._convert_lock = threading.Lock()
        self.n_draws = draws
        self.tune = tune
        self.chains = chains
        self.seed = seed
        self.seconds = seconds
        self.structure_key = structure_key

    def __repr__(self) -> str:
        return (
            f"McmcResult(chains={self.chains}, draws={self.n_draws}, tune={self.tune}, "
            f"seed={self.seed}, seconds={self.seconds:.3f})"
        )

    @property
    def idata(self):
        """The ArviZ ``DataTree`` (posterior, sample_stats), built once on first access."""
        if self._idata is None:
            with self._convert_lock:  # the app shares results between sessions' threads
                if self._idata is None:
                    self._idata = self._raw.to_idata()
        return self._idata

    @property
    def var_names(self) -> list[str]:
        if self._idata is None:
            return self._raw.var_names
        return list(self.idata["posterior"].data_vars)

    def draws(self, name: str) -> np.ndarray:
        """Posterior draws of ``name`` as a numpy array of shape (chain, draw, ...)."""
        if self._idata is None and name in self._raw.var_names:
            return self._raw.draws(name)
        try:
            return np.asarray(self.idata["posterior"][name].values)
        except KeyError:
            raise KeyError(f"no posterior variable {name!r}; have {self.var_names}") from None

    @property
    def divergences(self) -> int:
        if self._idata is None:
            return self._raw.divergences()
        stats = self.idata["sample_stats"]
        if "diverging" not in stats:
            return 0
        return int(np.asarray(stats["diverging"].values).sum())

    def diagnostics(self, var_names: Iterable[str] | None = None) -> Diagnostics:
        """R-hat, ESS, MCSE per scalar element of ``var_names`` (all if None).

        Vector variables are reported element-wise as ``name[i]`` (or
        ``name[i,j]``), so a single badly mixed environment is not hidden by
        an average.
        """
        names = list(var_names) if var_names is not None else self.var_names
        variables: dict[str, VariableDiagnostics] = {}
        for name in names:
            arr = self.draws(name)
            if arr.ndim == 2:
                variables[name] = summarize_draws(name, arr)
                continue
            for idx in np.ndindex(*arr.shape[2:]):
                label = f"{name}[{','.join(str(i) for i in idx)}]"
                variables[label] = summarize_draws(label, arr[(slice(None), slice(None), *idx)])
        warnings: list[str] = []
        for v in variables.values():
            warnings.extend(v.warnings(chains=self.chains))
        div = self.divergences
        if div:
            warnings.append(
                f"{div} divergent transition(s) after tuning: the sampler missed part of the posterior; "
                "treat the estimates as unreliable"
            )
        return Diagnostics(variables, div, self.chains, self.n_draws, warnings)

    def save_netcdf(self, path: str | os.PathLike) -> Path:
        """Write the draws to a new NetCDF file; refuse to overwrite an existing one.

        Through the project's one atomic writer (:func:`beliefs.io.files.write_atomic`):
        written under a temporary name in the target directory, fsynced, then
        hard-linked into place, so a reader never sees a half-written file and an
        existing file is never replaced (even by a race).
        """
        from beliefs.io.files import write_atomic

        engine = _netcdf_engine()
        tree = self.idata.copy()
        for group in list(tree.children):
            ds = tree[group].to_dataset()
            # Object-typed columns (nutpie's divergence messages) cannot be encoded in NetCDF.
            drop = [n for n, v in ds.data_vars.items() if v.dtype == object]
            if drop:
                tree[group] = ds.drop_vars(drop)
        return write_atomic(lambda tmp: tree.to_netcdf(tmp, engine=engine), path, field="path", by_name=True)


def _netcdf_engine() -> str:
    for module, engine in (("h5netcdf", "h5netcdf"), ("netCDF4", "netcdf4")):
        try:
            __import__(module)
        except ImportError:
            continue
        return engine
    raise SamplingError(
        "saving NetCDF needs the h5netcdf (or netCDF4) package, which is not installed; "
        "install it with 'pip install h5netcdf'"
    )


@dataclass(frozen=True, eq=False)
class DerivedFit(NotebookRepr):
    """MCMC estimate of one derived quantity (``name``): mean, median, interval, their MCSEs, diagnostics.

    ``mcse`` is the Monte Carlo standard error of ``mean``; ``median_mcse`` and
    ``interval_mcse`` those of the quantiles (ArviZ ``mcse(method="quantile")``),
    0 when the draws are constant.  ``extra`` holds other posterior means reported
    beside it (e.g. the per-task probability); ``to_dict`` puts the mean under ``name``.
    """

    result: McmcResult
    name: str
    mean: float
    mcse: float
    median: float
    interval: tuple[float, float]
    interval_mass: float
    diagnostics: Diagnostics
    median_mcse: float = math.nan
    interval_mcse: tuple[float, float] = (math.nan, math.nan)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            self.name: self.mean,
            "mcse": self.mcse,
            "median": self.median,
            "interval": list(self.interval),
            "interval_mass": self.interval_mass,
            "interval_kind": "equal-tailed",
            "median_mcse": self.median_mcse,
            "interval_mcse": list(self.interval_mcse),
            **self.extra,
            "diagnostics": self.diagnostics.to_dict(),
        }


def derived_fit(
    result: McmcResult, name: str, var_names: Iterable[str], interval_mass: float, extra: dict | None = None
) -> DerivedFit:
    """Summarize the derived draws ``name`` of ``result``; diagnostics cover ``var_names`` and ``name``.

    The interval is equal-tailed, holding ``interval_mass`` (already checked by the caller).
    """
    import arviz as az

    diag = result.diagnostics(var_names)
    draws = result.draws(name)
    summary = summarize_draws(name, draws)
    levels = [0.5, *equal_tailed(interval_mass)]
    median, lo, hi = np.quantile(draws, levels)
    if summary.constant or not np.isfinite(draws).all():
        q_mcse = [0.0 if summary.constant else math.nan] * 3
    else:
        with np.errstate(all="ignore"):
            q_mcse = [float(az.mcse(draws, method="quantile", prob=u)) for u in levels]
    full = Diagnostics(
        {**diag.variables, name: summary},
        diag.divergences,
        diag.chains,
        diag.draws,
        [*diag.warnings, *summary.warnings(chains=result.chains)],
    )
    return DerivedFit(
        result, name, summary.mean, summary.mcse_mean, float(median), (float(lo), float(hi)), interval_mass, full,
        q_mcse[0], (q_mcse[1], q_mcse[2]), dict(extra or {}),
    )


# ---------------------------------------------------------------------------
# Compiled models
# ---------------------------------------------------------------------------
class CompiledModel:
    """A PyMC model compiled once by nutpie, re-sampled with new ``pm.Data`` values.

    Attributes
    ----------
    model : pymc.Model
        The model as built (its ``pm.Data`` hold the values it was built with).
    nutpie_model : nutpie.CompiledModel
        The compiled model; :meth:`sample` never recompiles it.
    structure_key : hashable
        What determines the compiled graph (for the cache).
    compile_seconds : float
        Wall time of the compilation.
    data_names : tuple of str
        Names accepted by :meth:`sample`'s ``data``.
    """

    def __init__(self, model, nutpie_model, structure_key, compile_seconds: float):
        self.model = model
        self.nutpie_model = nutpie_model
        self.structure_key = structure_key
        self.compile_seconds = compile_seconds
        self.data_names = tuple(sorted(v.name for v in model.data_vars))
        self._ranks = {v.name: int(v.get_value().ndim) for v in model.data_vars}
        self._dtypes = {v.name: v.get_value().dtype for v in model.data_vars}
        self.n_samples = 0

    def __repr__(self) -> str:
        return f"CompiledModel(key={self.structure_key!r}, data={list(self.data_names)})"

    def sample(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 2,
        seed: int = 0,
        timeout: float | None = None,
        target_accept: float | None = None,
    ) -> McmcResult:
        """Run NUTS with ``data`` swapped into the ``pm.Data`` containers.

        Parameters
        ----------
        data : mapping of str to array-like, optional
            New values for (some of) the model's ``pm.Data``; others keep the
            values the model was built with.  Ranks must match; lengths may
            change only where no variable's shape depends on them.
        draws, tune, chains : int
            Draws kept per chain, tuning draws per chain, number of chains.
        seed : int
            The same seed and data give identical draws.
        timeout : float, optional
            Seconds after which sampling is cancelled and
            :class:`SamplingTimeout` raised.  ``None`` waits indefinitely.
            Compilation is not covered (it happened in :func:`compile_model`).
        target_accept : float, optional
            NUTS step-size adaptation target (default nutpie's 0.8).

        Raises
        ------
        SamplingError
            Unknown data name, wrong rank, or any failure inside nutpie.
        SamplingTimeout
            ``timeout`` elapsed first.
        """
        import nutpie

        data = dict(data or {})
        for name, value in data.items():
            if name not in self._ranks:
                raise SamplingError(f"unknown data {name!r} for model {self.structure_key!r}; known: {self.data_names}")
            arr = np.asarray(value)
            if arr.ndim != self._ranks[name]:
                raise SamplingError(f"data {name!r} must have rank {self._ranks[name]}, got shape {arr.shape}")
            if np.issubdtype(arr.dtype, np.number) and not np.isfinite(arr).all():
                raise SamplingError(f"data {name!r} contains non-finite values")
            data[name] = arr.astype(self._dtypes[name], copy=False)
        for name, value in (("draws", draws), ("tune", tune), ("chains", chains)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < (0 if name == "tune" else 1):
                raise SamplingError(f"{name} must be a whole number >= {0 if name == 'tune' else 1}, got {value!r}")
        options: dict[str, Any] = {
            "draws": int(draws),
            "tune": int(tune),
            "chains": int(chains),
            "cores": min(int(chains), 2),
            "seed": int(seed),
            "progress_bar": False,
            "save_warmup": False,  # nobody reads the tuning draws; converting them doubled the cost
        }
        if target_accept is not None:
            options["target_accept"] = float(target_accept)
        start = time.perf_counter()
        try:
            compiled = self.nutpie_model.with_data(**data) if data else self.nutpie_model
            raw = _sample_raw(nutpie, compiled, options, timeout)
        except SamplingError:
            raise
        except Exception as exc:  # anything inside nutpie/numba becomes one clear line
            raise SamplingError(_one_line(f"sampling failed ({type(exc).__name__}): {exc}")) from exc
        seconds = time.perf_counter() - start
        self.n_samples += 1
        return McmcResult(
            draws=int(draws), tune=int(tune), chains=int(chains), seed=int(seed), seconds=seconds,
            structure_key=self.structure_key, raw=raw,
        )


def _sample_raw(nutpie, compiled, options, timeout: float | None) -> RawTrace:
    """Run the sampler and keep its raw trace (the ArviZ conversion waits until someone needs it)."""
    sampler = nutpie.sample(compiled, blocking=False, return_raw_trace=True, **options)
    try:
        results = sampler.wait(timeout=None if timeout is None else float(timeout))
    except TimeoutError:
        sampler.cancel()
        raise SamplingTimeout(
            f"sampling did not finish within {timeout:g} s and was cancelled; "
            "try fewer draws or a simpler model"
        ) from None
    except BaseException:
        sampler.cancel()  # an interrupt or failure must not leave the sampler's threads running
        raise
    return RawTrace(sampler, results)


def _one_line(text: str) -> str:
    # nutpie appends a Rust stack backtrace to its errors; the user needs only the cause.
    text = str(text).split("Stack backtrace")[0]
    return " ".join(text.split())[:500]


def compile_model(model, structure_key: Any = None) -> CompiledModel:
    """Compile ``model`` with nutpie (numba backend); counts toward :func:`compile_count`.

    Raises :class:`SamplingError` if PyMC/nutpie cannot compile it.
    """
    import nutpie

    from models import compile_cache

    global _compiles
    compile_cache.enable()
    start = time.perf_counter()
    try:
        # cache=True reaches numba.cfunc: the callbacks load from disk in the next process (models/compile_cache.py)
        compiled = nutpie.compile_pymc_model(model, cache=True)
    except Exception as exc:  # any failure inside nutpie/numba becomes one clear line
        raise SamplingError(_one_line(f"model compilation failed ({type(exc).__name__}): {exc}")) from exc
    _compiles += 1
    return CompiledModel(model, compiled, structure_key, time.perf_counter() - start)


def get_compiled(key: Any, builder: Callable[[], Any], compile: Callable[..., Any] | None = None) -> Any:
    """Return the cached compiled model for ``key``, building and compiling it on first use.

    ``key`` must capture everything that changes the graph (model kind,
    number of environments, options), and nothing that is passed as data.
    ``builder()`` returns a ``pm.Model``; ``compile(model, structure_key=key)``
    compiles it: :func:`compile_model` (nutpie, for NUTS) by default, or e.g. a
    forward-sampling function (:class:`models.uncertain_evidence.ForwardModel`).
    The one cache of the package.  Thread-safe: concurrent callers with the
    same key compile once.
    """
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _compile_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = (compile or compile_model)(builder(), structure_key=key)
            _cache[key] = cached
        return cached


def cached(key) -> Any:
    """The compiled model already cached under ``key``, or None (never compiles)."""
    return _cache.get(key)


def compile_count() -> int:
    """How many models this process has compiled (to check that re-sampling does not recompile)."""
    return _compiles
