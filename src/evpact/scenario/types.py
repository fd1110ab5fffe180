"""The number types of the scenario format, each with its physical range, declared once.

A field takes its range from its type, so pydantic enforces it, ``evpact schema`` shows it
(``minimum``/``maximum``), and every edge (CLI, ``--set``, the web API and form) reads the same
rule. Two families:

* uncertain types (``Share``, ``Money``...) take a number or a distribution; every draw must
  lie in the range;
* plain types (``ShareValue``, ``Year``...) take a number only.

Every float of the format is finite (``allow_inf_nan=False`` on the models, and the
distribution parser refuses NaN, infinities and integers too large for a float), and no number
exceeds ``MAX_MAGNITUDE``. To give a new field a range, type it with one of these (or add a
line here): ``amount_cad: Money | None = None``.

The upper bounds are plausibility limits, not data: each sits one or more orders of magnitude
above the largest real value of its quantity, so they refuse typos and overflow without ever
second-guessing a real project (assumption, stated with each bound).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .distributions import MAX_MAGNITUDE, uncertain

# --- uncertain (a number or a distribution) ---------------------------------------------------

#: any finite number (bounded in magnitude only)
Uncertain = uncertain()
#: a quantity >= 0 with no more specific range
NonNegative = uncertain(0.0, MAX_MAGNITUDE)
#: a share or a rate between 0 and 1
Share = uncertain(0.0, 1.0)
#: a share that may be negative, as an operating margin or a cost gap (assumption: a unit cost
#: never differs from the unit revenue by more than the whole revenue)
SignedShare = uncertain(-1.0, 1.0)
#: a calendar year (fractional: part of a year), as a plant's start
YearValue = uncertain(1990.0, 2100.0)
#: a duration in years, as a ramp-up (assumption: no ramp lasts half a century)
Duration = uncertain(0.0, 50.0)
#: an amount of money in CAD or USD (assumption: 10^13, ten trillion, exceeds any deal)
Money = uncertain(0.0, 1e13)
#: a price per vehicle or per kWh (assumption: 10^7 per unit exceeds any vehicle's price)
UnitPrice = uncertain(0.0, 1e7)
#: battery capacity in GWh a year (assumption: 10^4 GWh, several times the world's 2025
#: capacity, bounds one plant)
CapacityGwh = uncertain(0.0, 1e4)
#: vehicles a year at one plant (assumption: 10^7, several times the largest plant's output)
VehiclesPerYear = uncertain(0.0, 1e7)
#: jobs at one plant (assumption: 10^6 exceeds any single plant)
Jobs = uncertain(0.0, 1e6)
#: an elasticity (assumption: 50 is far beyond any estimated demand elasticity)
Elasticity = uncertain(0.0, 50.0)
#: a factor multiplying a quantity (scale, multipliers; assumption: x1000 is never meant)
Factor = uncertain(0.0, 1e3)
#: grid carbon intensity in gCO2e/kWh (assumption: coal plants emit about 1,000)
GridIntensity = uncertain(0.0, 5e3)
#: tonnes a year (assumption: 10^9 t exceeds world production of any battery mineral)
TonnesPerYear = uncertain(0.0, 1e9)
#: an annual discount rate
DiscountRate = uncertain(0.0, 0.25)
#: a marginal cost of public funds, social cost per dollar raised (assumption: published
#: Canadian estimates lie between about 1 and 3; 0.5 and 10 refuse typos, not estimates)
MarginalCostOfFunds = uncertain(0.5, 10.0)
#: a reference unemployment rate that slack shares are scaled by: a share that must not be 0
#: (assumption: below 0.1% no labour market has been measured)
ReferenceRate = uncertain(0.001, 1.0)

# --- plain numbers ----------------------------------------------------------------------------

#: a calendar year
Year = Annotated[int, Field(ge=1990, le=2100)]
#: a share between 0 and 1, as a number
ShareValue = Annotated[float, Field(ge=0.0, le=1.0)]
#: a finite number within the format's magnitude bound
Magnitude = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
#: a number >= 0 within the format's magnitude bound
NonNegativeValue = Annotated[float, Field(ge=0.0, le=MAX_MAGNITUDE)]
#: a seed of the random number generators
Seed = Annotated[int, Field(ge=0, lt=2**63)]

__all__ = [
    "CapacityGwh",
    "DiscountRate",
    "Duration",
    "Elasticity",
    "Factor",
    "GridIntensity",
    "Jobs",
    "Magnitude",
    "MarginalCostOfFunds",
    "Money",
    "NonNegative",
    "NonNegativeValue",
    "Seed",
    "Share",
    "ShareValue",
    "TonnesPerYear",
    "Uncertain",
    "UnitPrice",
    "VehiclesPerYear",
    "Year",
    "YearValue",
    "check_seed",
]


def check_seed(seed: int) -> int:
    """The seed, or a refusal: NumPy's seed sequences take any integer >= 0, but NetCDF
    attributes and SALib hold 64-bit ones, so seeds lie in [0, 2^63)."""
    from ..errors import EvpactError

    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        shown = str(seed) if len(str(seed)) <= 30 else f"a number of {len(str(seed))} digits"
        raise EvpactError(f"must be an integer in [0, 2^63), got {shown}", "seed")
    return seed
