"""Phase 0 of issue 11's restructure: pure file moves and import rewrites, nothing else.

Run once on main after the in-flight branches are merged, before the second wave branches off:

    cd /work/main && .venv/bin/python scripts/restructure_phase0.py --apply && \
        .venv/bin/python -m ruff check --fix --select I,F401 . && git add -A && \
        git commit -m "Phase 0 of issue 11: move modules to beliefs/io, beliefs/plots, beliefs/analysis (no code change)"

Without --apply it prints what it would do. It moves files with `git mv` (history follows) and
rewrites every reference in *.py files (imports, `:mod:` references, monkeypatch targets, paths):
no compatibility shim is left behind at an old location. A move whose source does not exist
(a branch that was not merged) is skipped with a note. Why a separate step: the moves touch
import lines in almost every file; done by one person before the wave, they cannot conflict with
the wave's content changes, and the wave's packages can then keep to disjoint file sets.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

# old dotted module -> new dotted module (files only; the split of a module is the wave's work)
MOVES = {
    "beliefs.analysis": "beliefs.analysis",  # becomes a package: beliefs/analysis/__init__.py
    "beliefs.voi": "beliefs.analysis.voi",
    "beliefs.urlstate": "beliefs.io.link",
    "beliefs.scenario": "beliefs.io.scenario",
    "beliefs.catalogue": "beliefs.io.catalogue",
    "beliefs.views": "beliefs.io.views",
    "beliefs.shortlink": "beliefs.io.shortlink",
    "beliefs.csvtext": "beliefs.io.csvfile",
    "beliefs.files": "beliefs.io.files",
    "beliefs.plotting": "beliefs.plots.core",
    "beliefs.palette": "beliefs.plots.palette",
    "models.datasets": "beliefs.datasets",
}

AXES_PY = '''"""The figure and axes every ``plot_*(result, ax=None)`` draws on."""

from __future__ import annotations

__all__ = ["new_axes"]


def new_axes(ax=None, figsize: tuple[float, float] = (7.0, 4.5)):
    """``(figure, axes)``: the given axes, or a new constrained-layout Figure with one subplot.

    A bare :class:`matplotlib.figure.Figure` (not ``pyplot.figure``) needs no GUI backend and is
    never registered with pyplot, so a caller that forgets ``plt.close()`` leaks nothing.
    """
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()
'''

NEW_PACKAGES = {
    "beliefs/io/__init__.py": '"""Files and formats: scenarios, the catalogue, share links, views, atomic writes, CSV."""\n',
    "beliefs/plots/__init__.py": (
        '"""Plot infrastructure (axes, palette, figure bytes) and the core update charts.\n\n'
        "matplotlib is imported here (and only here) at module level; nothing in beliefs/__init__\n"
        'imports this package, so `import beliefs` stays free of it."""\n'
    ),
    # The one axes helper every plot_*(result, ax=None) uses (replaces analysis_plots._axes and
    # plotting._figure_and_axes, which the wave deletes). Created here so that packages A, B and C
    # can all import it from the first minute of the wave.
    "beliefs/plots/axes.py": AXES_PY,
}

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", ".git", "node_modules"}


def _path(dotted: str, package: bool = False) -> Path:
    rel = Path(*dotted.split("."))
    return ROOT / (rel / "__init__.py" if package else rel.with_suffix(".py"))


def plan_moves() -> list[tuple[Path, Path]]:
    moves = []
    for old, new in MOVES.items():
        src = _path(old)
        dst = _path(new, package=(old == new))
        if src.exists():
            moves.append((src, dst))
        else:
            print(f"skip {old}: {src.relative_to(ROOT)} does not exist")
    return moves


def _live_moves() -> dict[str, str]:
    return {old: new for old, new in MOVES.items() if old != new and _path(old).exists()}


def rewrite_from_beliefs(text: str, live: dict[str, str]) -> str:
    """`from beliefs import a, b as c` -> one line per moved name, `from beliefs.io import x as a`."""

    def fix(match: re.Match) -> str:
        indent, pkg, names = match.group(1), match.group(2), match.group(3)
        kept, extra = [], []
        for part in [p.strip() for p in names.strip("()").split(",") if p.strip()]:
            name, _, alias = part.partition(" as ")
            name, alias = name.strip(), alias.strip()
            new = live.get(f"{pkg}.{name}")
            if new is None:
                kept.append(part)
                continue
            parent, _, leaf = new.rpartition(".")
            local = alias or name
            extra.append(f"{indent}from {parent} import {leaf}" + (f" as {local}" if local != leaf else ""))
        lines = ([f"{indent}from {pkg} import {', '.join(kept)}"] if kept else []) + extra
        return "\n".join(lines)

    return re.sub(
        r"^([ \t]*)from (beliefs|models) import (\([^)]*\)|[^\n#]+?)[ \t]*$", fix, text, flags=re.M
    )


def rewrite_dotted(text: str, live: dict[str, str]) -> str:
    """Every other reference: `beliefs.urlstate` (imports, :mod:, patch targets) and file paths."""
    for old, new in sorted(live.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, text)
        old_path, new_path = old.replace(".", "/") + ".py", new.replace(".", "/") + ".py"
        text = re.sub(rf"(?<![\w/]){re.escape(old_path)}", new_path, text)
    return text


def python_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apply", action="store_true", help="do it (default: print the plan)")
    args = parser.parse_args()
    live = _live_moves()
    moves = plan_moves()
    for src, dst in moves:
        print(f"git mv {src.relative_to(ROOT)} {dst.relative_to(ROOT)}")
    if not args.apply:
        return
    for rel, text in NEW_PACKAGES.items():
        (ROOT / rel).parent.mkdir(parents=True, exist_ok=True)
        if not (ROOT / rel).exists():
            (ROOT / rel).write_text(text)
    for src, dst in moves:
        dst.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "mv", str(src), str(dst)], cwd=ROOT, check=True)
    changed = 0
    for path in python_files():
        if path.resolve() == Path(__file__).resolve():
            continue
        text = path.read_text()
        new = rewrite_dotted(rewrite_from_beliefs(text, live), live)
        if new != text:
            path.write_text(new)
            changed += 1
    print(f"rewrote references in {changed} files")


if __name__ == "__main__":
    main()
