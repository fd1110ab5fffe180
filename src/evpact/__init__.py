"""evpact: design and evaluate EV industrial deals that tie battery supply to local assembly.

>>> import evpact
>>> results = evpact.simulate("canada-korea-2026", draws=500, seed=1)
>>> results.summary()  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .api import simulate
from .errors import EvpactError
from .results import Results
from .scenario.load import load_scenario
from .scenario.model import Scenario

__all__ = ["EvpactError", "Results", "Scenario", "__version__", "load_scenario", "simulate"]
