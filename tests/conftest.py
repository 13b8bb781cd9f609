"""Settings shared by every test module.

Hypothesis' default 200 ms deadline is a timed assertion: on a loaded 2-core machine (CI, or several
engineers' test runs at once) a correct property fails with DeadlineExceeded. Speed is measured in
``bench/``, not asserted in tests, so the deadline is off everywhere; example counts stay per test.
"""

from hypothesis import settings

settings.register_profile("beliefs", deadline=None)
settings.load_profile("beliefs")


def pytest_collection_modifyitems(config, items):
    """Files with slow (PyMC) or browser tests first, so that the parallel run has no long tail.

    ``make test`` runs ``pytest -n 2 --dist loadfile --no-loadscope-reorder``: each worker takes whole
    files in collection order.  xdist's default order (most tests first) put the few-test files that
    compile a model or drive Chromium last, where one of them ran alone while the other worker idled.
    Longest-first is the classic greedy schedule: the ~2,800 quick tests then fill the gaps at the end.
    The order within each class stays the file order.  Without xdist the order changes nothing.
    """

    def heavy(item) -> int:
        return 0 if item.get_closest_marker("browser") or item.get_closest_marker("slow") else 1

    by_file: dict = {}
    for item in items:
        by_file.setdefault(item.path, []).append(item)
    rank = {path: min(heavy(i) for i in file_items) for path, file_items in by_file.items()}
    items[:] = [i for path in sorted(by_file, key=lambda p: rank[p]) for i in by_file[path]]
