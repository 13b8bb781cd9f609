"""The layout's rules, checked from the source (issue 11, "Done when").

Static checks read the code with `ast` (no import, so they are fast and cannot be fooled by what
happens to be cached in `sys.modules`); the two runtime checks start a fresh interpreter, because
only a fresh process tells what `import beliefs` or one CLI command really loads.

Which imports count. An import inside a function runs only when that function is called, so it
cannot make `import x` fail half-way; but it is still a dependency: a lazy import that closes a
circle (page A calls into page B, which calls back into A) hides the same tangle the issue asks to
remove. So:

- *no cycle among module-level imports* (the imports that run when a module is imported: top level,
  including `try`/`if` blocks, excluding `if TYPE_CHECKING:`); and
- *no cycle among all imports*, function-level included, with one exception: `beliefs.cli` is the
  composition root and may import `models` lazily (the only way `--mcmc` reaches PyMC), and
  `models` may not import `beliefs.cli` (checked by the layering rules below), so that edge can
  never close a cycle.

Layering (the dependency direction the plan fixes):
`app.py`/`app_pages` -> `models` -> `beliefs` (core), and `beliefs.cli` -> `models` lazily only.
Nothing under `beliefs/` or `models/` imports Streamlit or the app; no `beliefs` module outside
`beliefs.cli` imports `models`; PyMC never enters `beliefs/`; no module of `beliefs/` imports a chart
library (Altair, vl-convert, matplotlib) at module level: each chart imports its own when it is drawn.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("beliefs", "models", "app_pages", "app")
MAX_LINES = 700
HEAVY = ("pymc", "streamlit", "matplotlib", "altair")


# ------------------------------------------------------------------ reading the source


def _source_files() -> dict[str, Path]:
    """Project modules (dotted name -> path): beliefs/, models/, app_pages/ and app.py."""
    found: dict[str, Path] = {}
    for package in PROJECT[:3]:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    if (ROOT / "app.py").exists():
        found["app"] = ROOT / "app.py"
    return found


MODULES = _source_files()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, module_level_only: bool):
    """Yield (import node, at_module_level) for each import, skipping `if TYPE_CHECKING:`."""

    def walk(nodes, top):
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node, top
            elif isinstance(node, ast.If) and _is_type_checking(node):
                yield from walk(node.orelse, top)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if not module_level_only:
                    yield from walk(ast.iter_child_nodes(node), False)
            elif isinstance(node, ast.ClassDef):
                # A class body runs at import time; its methods do not.
                yield from walk(node.body, top)
            else:
                yield from walk(ast.iter_child_nodes(node), top)

    yield from walk(tree.body, True)


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module named by a (possibly relative) `from ... import`."""
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node) -> list[str]:
    """Dotted names an import statement loads (a submodule if `from pkg import sub` names one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = _resolve(module, node)
    names = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        names.append(sub if sub in MODULES else base)
    return names


def _project_target(name: str) -> str | None:
    """The project module an imported name refers to (longest known prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _trees() -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


TREES = _trees()


def _parents(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(module_level_only: bool) -> dict[str, set[str]]:
    """Edges between project modules.

    Importing ``a.b.c`` first runs ``a/__init__`` and ``a/b/__init__``, so those packages are
    edges too -- except the importer's own ancestors, which Python has already (partly) run. Without
    these edges a cycle through a package ``__init__`` would go unseen: e.g. ``beliefs.counts`` ->
    ``beliefs.analysis.reproduce`` runs ``beliefs/analysis/__init__``, which imports ``beliefs.counts``.
    """
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, tree in TREES.items():
        own = set(_parents(name))
        for node, _top in _imports(tree, module_level_only):
            for target in _targets(name, node):
                hit = _project_target(target)
                if not hit:
                    continue
                for module in [*_parents(hit), hit]:
                    if module in MODULES and module != name and module not in own:
                        graph[name].add(module)
    return graph


def external_imports(name: str, module_level_only: bool) -> set[str]:
    """Top-level names of third-party/stdlib packages a module imports."""
    found = set()
    for node, _top in _imports(TREES[name], module_level_only):
        for target in _targets(name, node):
            if _project_target(target) is None and target.split(".")[0] not in PROJECT:
                found.add(target.split(".")[0])
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(components)


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# ------------------------------------------------------------------ the checks


def test_the_checker_sees_the_project():
    """Guard against a checker that passes because it read nothing."""
    assert "beliefs" in MODULES and "beliefs.update" in MODULES and "models" in MODULES
    graph = import_graph(module_level_only=True)
    assert sum(len(v) for v in graph.values()) > 20


def test_package_init_counts_as_an_import():
    """`import pkg.sub` runs pkg/__init__: an edge to the package, but not to the importer's own."""
    assert _parents("beliefs.analysis.crux") == ["beliefs", "beliefs.analysis"]


def test_find_cycles_on_a_known_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


# Issue 11's restructure is not done yet (see docs/issue-11-plan.md).  What still fails is listed here
# as strict xfails: a ratchet.  Fixing one makes its xfail pass, which fails the run until it is
# removed from this list, so the debt can only shrink.
_DEBT = "issue 11: not restructured yet (docs/issue-11-plan.md)"
KNOWN_LONG: set[str] = set()
KNOWN_NOT_PYMC: set[str] = set()


def _with_debt(names, known):
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=_DEBT)) if n in known else n for n in names]


def test_no_import_cycle_at_module_level():
    cycles = find_cycles(import_graph(module_level_only=True))
    assert cycles == [], f"module-level import cycles: {cycles}"


def test_no_import_cycle_counting_function_level_imports():
    graph = import_graph(module_level_only=False)
    # The CLI is the composition root: its lazy imports of models/ point down the layers and the
    # layering test below forbids models/ from importing beliefs.cli, so drop those edges here.
    for name in graph:
        if _in(name, "beliefs.cli"):
            graph[name] = {t for t in graph[name] if not _in(t, "models")}
    cycles = find_cycles(graph)
    assert cycles == [], f"import cycles (function-level imports included): {cycles}"


@pytest.mark.parametrize("name", _with_debt(sorted(MODULES), KNOWN_LONG))
def test_module_is_at_most_700_lines(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines (> {MAX_LINES})"


def test_scripts_outside_packages_are_short():
    """Top-level scripts count too (app.py is in MODULES; anything else here is a new script)."""
    long = [
        f"{p.name}: {n}"
        for p in sorted(ROOT.glob("*.py"))
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    ]
    assert long == []


def test_layering():
    """Imports point one way: app -> models -> beliefs; beliefs.cli -> models only lazily."""
    problems = []
    graph_all = import_graph(module_level_only=False)
    graph_top = import_graph(module_level_only=True)
    for name, targets in graph_all.items():
        in_core = _in(name, "beliefs") and not _in(name, "beliefs.cli")
        for target in sorted(targets):
            if (_in(name, "beliefs") or _in(name, "models")) and (
                _in(target, "app_pages") or target == "app"
            ):
                problems.append(f"{name} imports the app ({target})")
            if in_core and _in(target, "models"):
                problems.append(f"{name} imports {target}: core beliefs must not depend on models/")
            if _in(name, "models") and _in(target, "beliefs.cli"):
                problems.append(f"{name} imports the CLI ({target})")
        for target in sorted(graph_top[name]):
            if _in(name, "beliefs.cli") and _in(target, "models"):
                problems.append(f"{name} imports {target} at module level (must be lazy)")
    for name in MODULES:
        if _in(name, "beliefs") or _in(name, "models"):
            if "streamlit" in external_imports(name, module_level_only=False):
                problems.append(f"{name} imports streamlit")
        if _in(name, "beliefs") and "pymc" in external_imports(name, module_level_only=False):
            problems.append(f"{name} imports pymc (PyMC lives in models/)")
        if _in(name, "beliefs"):
            for library in sorted({"altair", "vl_convert", "matplotlib"} & external_imports(name, module_level_only=True)):
                problems.append(f"{name} imports {library} at module level (a chart imports it when drawn)")
    assert problems == [], "\n".join(problems)


# What a PyMC-only models/ package means here: each module builds, samples or diagnoses a PyMC model
# (pymc, pytensor, nutpie or arviz at any level). NumPy/SciPy closed forms, data tables, PreliZ
# elicitation and charts belong in beliefs/.
_SAMPLING_STACK = {"pymc", "pytensor", "nutpie", "arviz"}


@pytest.mark.parametrize(
    "name", _with_debt(sorted(n for n in MODULES if _in(n, "models") and n != "models"), KNOWN_NOT_PYMC)
)
def test_models_holds_only_pymc_code(name):
    used = external_imports(name, module_level_only=False)
    assert used & _SAMPLING_STACK, (
        f"{name} uses none of {sorted(_SAMPLING_STACK)} (imports {sorted(used)}): "
        "move it to beliefs/ (closed forms, data, elicitation, plots)"
    )


# ------------------------------------------------------------------ what a fresh process loads

_REPORT_HEAVY = (
    "import json, os, sys\n"
    "def _report():\n"
    "    with open(os.environ['ARCH_REPORT'], 'w') as f:\n"
    f"        json.dump(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}), f)\n"
)

# Runs `python -m beliefs ARGS...` in-process and, whatever happens (exit, error), writes the heavy
# modules present in sys.modules at the end to $ARCH_REPORT. A marker file rather than stdout keeps
# the command's own output (and its --json) untouched; `finally` catches SystemExit too.
_RUN_CLI = _REPORT_HEAVY + (
    "import runpy\n"
    "sys.argv = ['beliefs'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('beliefs', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    _report()\n"
)


def _fresh(code: str, args: list[str], tmp_path: Path):
    report = tmp_path / "heavy.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ARCH_REPORT": str(report), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), f"the wrapper did not report: {proc.stderr[-2000:]}"
    return proc, json.loads(report.read_text())


def test_import_beliefs_loads_no_heavy_library(tmp_path):
    code = _REPORT_HEAVY + "import beliefs\n_report()\n"
    proc, heavy = _fresh(code, [], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert heavy == [], f"`import beliefs` loaded {sorted({m.split('.')[0] for m in heavy})}"


COUNTS = ["--k", "3,5,2", "--n", "100,100,50", "--prior", "0.5"]
RATES = ["--rate-if-h", "1,9", "--rate-if-not-h", "1,99"]

# The closed-form commands; each must succeed (exit 0, some output) without PyMC.
CLOSED_FORM = {
    "counts": ["counts", *COUNTS, *RATES, "--json"],
    "counts-none": ["counts", *COUNTS, *RATES, "--pooling", "none", "--json"],
    "counts-partial": ["counts", *COUNTS, *RATES, "--pooling", "partial", "--json"],
    "chain": ["chain", "--base", "1", "--per-step", "0.98", "--steps", "35", "--json"],
    "chain-beta": ["chain", "--base", "1", "--per-step-beta", "98,2", "--steps", "35", "--json"],
    "monitor": ["monitor", "--rate", "0.01", "--report", "0.9", "--tasks", "100", "--json"],
    "update": ["update", "--prior", "0.25", "--lr", "3", "--json"],
    "needed": ["needed", "--prior", "0.25", "--target", "0.75", "--json"],
    "pool": ["pool", "--probs", "0.1,0.2,0.4", "--json"],
    "crux": ["crux", "report-3-to-1", "report-confusion", "--json"],
    "robustness": ["robustness", "stated-3-to-1", "--json"],
    "sequential": ["sequential", "stated-3-to-1", "--json"],
    "tornado": ["tornado", "stated-3-to-1", "--json"],
    "dependence": ["dependence", "stated-3-to-1", "--json"],
    "scenario-run": ["scenario", "run", "stated-3-to-1", "--json"],
    "evidence-list": ["evidence", "list", "--json"],
}


@pytest.mark.parametrize("args", CLOSED_FORM.values(), ids=CLOSED_FORM.keys())
def test_closed_form_command_does_not_import_pymc(args, tmp_path):
    proc, heavy = _fresh(_RUN_CLI, args, tmp_path)
    assert proc.returncode == 0, f"{' '.join(args)} failed: {proc.stderr[-2000:]}"
    assert proc.stdout.strip(), "the command printed nothing"
    loaded = sorted({m.split(".")[0] for m in heavy})
    assert "pymc" not in loaded, f"`{' '.join(args[:2])}` imported {loaded}"
    assert "streamlit" not in loaded, f"`{' '.join(args[:2])}` imported {loaded}"


def test_every_source_folder_is_a_package():
    """pyproject finds packages by their ``__init__.py``: a folder of modules without one would be
    left out of a non-editable install while every test here (run from the checkout) still passed."""
    folders = {p.parent for top in ("beliefs", "models") for p in (ROOT / top).rglob("*.py")}
    assert folders, "no source folders found: the checker is looking in the wrong place"
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"folders without __init__.py: {missing}"


# ------------------------------------------------------------------ one state, one conversion (issue 20)

STATE_MODULE = "beliefs.io.state"
_SCHEMA_MODULE = "beliefs.io.scenario_schema"


def _conversions(name: str, tree: ast.Module) -> list[str]:
    """What in ``tree`` converts between the app's state and a scenario: a function named for both, or a
    Scenario built from parts (``Scenario(...)``, ``Scenario.from_evidence``, ``Scenario.model_validate``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            words = node.name.lower()
            if "scenario" in words and "state" in words:
                found.append(f"{name} defines {node.name}()")
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id == "Scenario":
                found.append(f"{name} builds Scenario(...) (line {node.lineno})")
            elif (
                isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Name)
                and f.value.id == "Scenario"
                and f.attr in ("from_evidence", "model_validate", "model_construct")
            ):
                found.append(f"{name} calls Scenario.{f.attr} (line {node.lineno})")
    return found


def test_the_checker_sees_a_conversion():
    """Guard: the old tree had two scenario_from_state (app_pages/scenarios.py and beliefs/io/views.py)."""
    old = ast.parse("def scenario_from_state(state):\n    return Scenario.from_evidence(0.5, [])\n")
    assert len(_conversions("old", old)) == 2


def test_only_the_state_module_converts_between_app_state_and_scenarios():
    """Issue 20: one module converts app state <-> scenario (save, links, exports, Compare, restore, CLI links)."""
    problems = [
        found
        for name, tree in TREES.items()
        if name not in (STATE_MODULE, _SCHEMA_MODULE)  # the schema validates the documents it defines
        for found in _conversions(name, tree)
    ]
    assert problems == [], "\n".join(problems)
    assert STATE_MODULE in MODULES and _conversions(STATE_MODULE, TREES[STATE_MODULE]), "the one module converts"


# ------------------------------------------------------------------ one route to a posterior (issue 20 item 7)

_PATH_MODULES = (
    "beliefs.analysis.tornado",
    "beliefs.analysis.sequential",
    "beliefs.analysis.robustness",
    "beliefs.analysis.crux",
    "beliefs.uncertain_evidence",
)
# fsum calls that add no posterior: one Bayes factor from independent batches (sequential_data, which then goes
# through update_by_log_bf), one Beta item's fixed side (evidence_terms, which then goes through
# UpdateResult.log_odds_with), and the crux chart's one bar for the parts past its row cap (plot_crux: a sum of
# gap parts drawn as one row; the total bar is update()'s, CruxResult.total_log_odds).
_NOT_A_PATH = {
    ("beliefs.analysis.sequential", "sequential_data"),
    ("beliefs.uncertain_evidence", "evidence_terms"),
    ("beliefs.analysis.crux", "plot_crux"),
}


def _fsum_calls(name: str) -> list[str]:
    found = []
    for fn in ast.walk(TREES[name]):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or (name, fn.name) in _NOT_A_PATH:
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "fsum":
                found.append(f"{name}.{fn.name} (line {node.lineno})")
    return found


def test_the_analyses_take_their_log_odds_from_update():
    """Issue 20: the log-odds prefix sum was written by hand in the analyses; they use update()'s own sum
    (beliefs.update.posterior_log_odds through UpdateResult.log_odds_path / log_odds_with / log_odds_at / log_odds_gap)."""
    found = sorted({hit for name in _PATH_MODULES for hit in _fsum_calls(name)})
    assert found == [], "hand-written log-odds sums:\n" + "\n".join(found)
