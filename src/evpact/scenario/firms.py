"""The firms' side of a scenario: who decides whether a deal's plant is built, and where else
they could build it.

Each firm is party to one deal and runs one of its plants in the home country; it compares
that plant with its alternatives (a US plant with its own credits, another site) on the same
volumes. Unset figures come from the bundled ``firms.csv`` (each row sourced or marked as an
assumption), looked up by the firm's ``data`` key (default: its id) and the location's id.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Strict
from .types import DiscountRate, Money, Share, SignedShare

Role = Literal["battery_maker", "automaker"]
Id = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)


class Location(Strict):
    """A candidate location other than the home plant: where the firm would build instead."""

    id: str = Id
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO country code, e.g. US, MX.")
    cost_gap_share: SignedShare | None = Field(
        default=None,
        description="Unit cost here less unit cost at the home plant, as a share of revenue "
        "(negative: cheaper here).",
    )
    capex_usd: Money | None = Field(
        default=None, description="Capital the firm would spend here for the same volumes (USD)."
    )
    grant_usd: Money | None = Field(
        default=None, description="Public grants and tax breaks available here (USD, up front)."
    )
    tax_rate: Share | None = Field(default=None, description="Corporate income tax rate here.")
    us_45x: bool = Field(
        default=False,
        description="Battery cells and modules made here earn the US 45X credit (rule pack "
        "us-45x-2022, and the scenario's own packs after it).",
    )
    us_45x_eligible_share: Share | None = Field(
        default=None,
        description="Share of output that meets 45X's foreign-entity and material-assistance "
        "rules (One Big Beautiful Bill Act, 2025).",
    )


class Firm(Strict):
    """A firm party to a deal: its home plant, its alternatives and how it decides."""

    id: str = Id
    name: str | None = None
    role: Role
    deal: str = Field(description="The deal the firm is party to.")
    plant: str = Field(description="The firm's plant in the home country, one of the deal's.")
    data: str | None = Field(
        default=None, description="Key of the firm's bundled figures in firms.csv (default: id)."
    )
    hurdle_rate: DiscountRate | None = Field(
        default=None, description="The firm's cost of capital: it discounts its cash flows at it."
    )
    premium_cad: Money | None = Field(
        default=None,
        description="Advantage (present value) the firm needs over its best alternative before "
        "it accepts (default 0).",
    )
    margin_share: SignedShare | None = Field(
        default=None,
        description="Operating margin at the home plant before incentives, duties and tax, as "
        "a share of revenue.",
    )
    capex_cad: Money | None = Field(
        default=None,
        description="Capital cost of the home plant; counted when the plant starts within the "
        "horizon (sunk otherwise).",
    )
    tax_rate: Share | None = Field(
        default=None,
        description="Corporate income tax rate at the home plant (default: the Canadian "
        "federal and Ontario rate packs for a plant in Ontario).",
    )
    alternatives: tuple[Location, ...] = Field(
        min_length=1, description="Where else the firm could produce the same volumes."
    )

    @model_validator(mode="after")
    def _unique(self) -> Firm:
        ids = [a.id for a in self.alternatives]
        if len(set(ids)) != len(ids):
            raise ValueError(f"alternative ids must be unique, got {ids}")
        return self
