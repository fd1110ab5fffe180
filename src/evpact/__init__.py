"""evpact: design and evaluate EV industrial deals that tie battery supply to local assembly.

>>> import evpact
>>> results = evpact.simulate("canada-korea-2026", draws=500, seed=1)
>>> results.summary()  # doctest: +SKIP

The names below are imported on first use (PEP 562), so ``evpact --help`` and other commands
that never simulate do not pay for numpy, pandas, scipy or xarray.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import simulate
    from .errors import EvpactError
    from .results import Results
    from .scenario.load import load_scenario
    from .scenario.model import Scenario

#: public name -> the module that defines it
_LAZY = {
    "simulate": ".api",
    "EvpactError": ".errors",
    "Results": ".results",
    "load_scenario": ".scenario.load",
    "Scenario": ".scenario.model",
}

__all__ = ["EvpactError", "Results", "Scenario", "__version__", "load_scenario", "simulate"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'evpact' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
