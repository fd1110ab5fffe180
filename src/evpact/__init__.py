"""evpact: design and evaluate EV industrial deals that tie battery supply to local assembly.

>>> import evpact
>>> results = evpact.simulate("canada-korea-2026", draws=500, seed=1)
>>> results.summary()  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .api import simulate  # noqa: E402
from .errors import EvpactError  # noqa: E402
from .results import Results  # noqa: E402
from .scenario.load import load_scenario  # noqa: E402
from .scenario.model import Scenario  # noqa: E402

__all__ = ["EvpactError", "Results", "Scenario", "__version__", "load_scenario", "simulate"]
