"""Every reader of untrusted input at its size cap, on the worst input known for it (issue 22.2).

A reader that is linear in its input takes about 12.5 times as long for 1 MB as for 80 kB; one that
is quadratic takes about 156 times as long (the old JSON depth check: 1.1 s / 7.7 s / 19.9 s at
20 / 40 / 80 kB, about 50 minutes of CPU extrapolated to the 1 MB cap).  Each worst case is timed
at 20, 40 and 80 kB and at the cap, and the cap / 80 kB ratio is a row of its own.

Times are CPU seconds of the reading process (``time.process_time``).  Worst cases (each the slowest found for that reader; the HTML one is the slowest of the markup floods
tried, each of which made the standard library's ``html.parser`` quadratic on Python 3.12.1):

* scenario JSON: ``"`` then ``\\"`` repeated (one string left open; the issue's input);
* scenario HTML report: the slowest of the markup floods in ``HTML_FLOODS`` (tags, bogus comments,
  comments, special elements, unterminated attributes repeated; and one tag, comment or script id
  that fills the file: since more than 50,000 "<" are refused by counting them, those are the slowest);
* pending observations (200 kB cap): the JSON worst case;
* forecasts CSV (``pool --file``, 1 MB cap): one field of ``"`` pairs (a quoted cell that never ends).
"""

from __future__ import annotations

import time

from bench.run import Row, load_avg

SIZES_KB = (20, 40, 80)
# A flood is a unit repeated, or (head, unit): the head once, then the unit repeated to the size.
HTML_FLOODS = (
    "<script></script>", "<style></style>", "<svg>", "<a x='", "</a ", "<!--", "<a>", "</>", "<?>", "<!x>", "<!---->",
    "<svg><![CDATA[x]]>", "<",
    ("<a", " x"), ("<a", " x=y"), ("<!--", "-"), ("<!--", "-a"), ("<svg><!--", "-a"), ("<script id=", "&#98;"),
)  # fmt: skip


def _fill(flood: str | tuple[str, str], size: int) -> str:
    head, unit = ("", flood) if isinstance(flood, str) else flood
    return head + unit * ((size - len(head)) // len(unit))


def _json_worst(size: int) -> str:
    return '"' + _fill('\\"', size - 1)


def _seconds(read, text: str, repeats: int) -> list[float]:
    """CPU seconds of this process per read: what a reader takes from the app's other sessions (the GIL),
    and a figure the load of a shared machine does not inflate as it does wall time."""
    out = []
    for _ in range(repeats):
        start = time.process_time()
        try:
            read(text)
        except ValueError:  # every worst case is refused (InputError is a ValueError): that is the point
            pass
        out.append(time.process_time() - start)
    return out


def _reader_rows(name: str, read, worst, cap: int, repeats: int, note: str) -> list[Row]:
    rows = []
    runs_80 = []
    for kb in SIZES_KB:
        runs = _seconds(read, worst(kb * 1000), repeats)
        runs_80 = runs
        rows.append(Row("readers", f"{name}: worst case at {kb} kB", "s CPU", runs, load=load_avg()))
    at_cap = _seconds(read, worst(cap), repeats)
    rows.append(
        Row("readers", f"{name}: worst case at the {cap / 1000:,.0f} kB cap", "s CPU", at_cap, 1.0, "<= 1 s",
            load=load_avg(), note=note)
    )  # fmt: skip
    ratios = [c / max(s, 1e-6) for c, s in zip(at_cap, runs_80, strict=True)]
    rows.append(
        Row("readers", f"{name}: cap / 80 kB time", "x", ratios, 2 * cap / 80_000, f"<= {2 * cap / 80_000:g}x (linear: {cap / 80_000:g}x)",
            load=load_avg())
    )  # fmt: skip
    return rows


def bench_readers(sz) -> list[Row]:
    from beliefs.analysis.pool import parse_forecasts_csv
    from beliefs.analysis.voi import MAX_PENDING_BYTES, parse_pending
    from beliefs.io.files import MAX_READ_BYTES
    from beliefs.io.scenario import MAX_SCENARIO_BYTES, parse_scenario

    repeats = 1 if sz.quick else 3

    def html_worst(size: int) -> str:
        # The slowest of the floods at the cap, used at every size.
        return _fill(_slowest_unit(parse_scenario), size)

    return [
        *_reader_rows("scenario JSON", parse_scenario, _json_worst, MAX_SCENARIO_BYTES, repeats,
                      "'\"' then '\\\"' repeated; the old depth check took 1.1 / 7.7 / 19.9 s at 20 / 40 / 80 kB"),
        *_reader_rows("scenario HTML report", parse_scenario, html_worst, MAX_SCENARIO_BYTES, repeats,
                      f"the slowest of {len(HTML_FLOODS)} markup floods: {_slowest_unit(parse_scenario)!r}"),
        *_reader_rows("pending observations", parse_pending, _json_worst, MAX_PENDING_BYTES, repeats,
                      "the JSON worst case, at the pending file's own cap"),
        *_reader_rows("forecasts CSV", parse_forecasts_csv, lambda n: '"' + _fill('""', n - 1), MAX_READ_BYTES,
                      repeats, "one quoted cell that never ends"),
    ]  # fmt: skip


_SLOWEST: dict = {}


def _slowest_unit(read) -> str | tuple[str, str]:
    """The flood that costs ``read`` the most CPU at the 1 MB cap (some are refused early: MAX_MARKUP, MAX_SPECIAL)."""
    if read not in _SLOWEST:
        times = {flood: min(_seconds(read, _fill(flood, 1_000_000), 2)) for flood in HTML_FLOODS}
        _SLOWEST[read] = max(times, key=times.get)
    return _SLOWEST[read]


def main() -> None:
    from bench.run import FULL, format_table

    print(format_table(bench_readers(FULL)))


if __name__ == "__main__":
    main()
