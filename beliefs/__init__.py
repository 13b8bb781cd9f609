"""beliefs: odds-form Bayesian updating for arguments about AI scheming.

The library is pure Python/NumPy/SciPy; PyMC models live in the separate
``models`` package and are imported only when a model is asked for.
"""

from beliefs.errors import CertaintyError, InputError
from beliefs.evidence import BetaDist, Evidence, Source
from beliefs.odds import bits, decibels, log_odds, odds, probability
from beliefs.update import Contribution, UpdateResult, update

__all__ = [
    "BetaDist",
    "CertaintyError",
    "Contribution",
    "Evidence",
    "InputError",
    "Source",
    "UpdateResult",
    "bits",
    "decibels",
    "log_odds",
    "odds",
    "probability",
    "update",
]

__version__ = "0.1.0"
