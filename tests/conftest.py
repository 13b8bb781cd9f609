"""Settings shared by every test module.

Hypothesis' default 200 ms deadline is a timed assertion: on a loaded 2-core machine (CI, or several
engineers' test runs at once) a correct property fails with DeadlineExceeded. Speed is measured in
``bench/``, not asserted in tests, so the deadline is off everywhere; example counts stay per test.
"""

from hypothesis import settings

settings.register_profile("beliefs", deadline=None)
settings.load_profile("beliefs")
