"""``python -m beliefs``: the command line (:func:`beliefs.cli.main`)."""

import sys

from beliefs.cli import main

if __name__ == "__main__":
    sys.exit(main())
