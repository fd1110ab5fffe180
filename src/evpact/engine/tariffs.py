"""Mechanism 7b, tariffs: US Section 232 duties, the US offset, Canada's counter-tariff on US
vehicles and the remission room earned by building in Canada. Pure, vectorised functions over
(draw, year) arrays; rates are the yearly values of dated rule-pack parameters."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray


def value_for_duty(retail: FloatArray, share: FloatArray) -> FloatArray:
    """Customs value of a vehicle: the transaction value paid by the importer, a share of the
    retail price (dealer margin, holdback and delivery are not part of it). Ad valorem duties
    apply to this, not to retail."""
    return retail * share


def us_vehicle_rate(
    tariff: FloatArray, qualifies: FloatArray, non_us_only: FloatArray, us_content: FloatArray
) -> FloatArray:
    """Section 232 duty on a vehicle as a share of its value: USMCA-qualifying vehicles pay on
    their non-US content only (when that treatment is in force), others on full value."""
    return tariff * (1.0 - qualifies * non_us_only * us_content)


def us_battery_rate(
    tariff: FloatArray, exempt: FloatArray, usmca_in_force: FloatArray
) -> FloatArray:
    """Duty on North American cells and packs (no US content) as auto parts: nil while
    USMCA-qualifying parts are exempt."""
    return tariff * (1.0 - exempt * usmca_in_force)


def us_offset(rate: FloatArray, msrp: FloatArray, vehicles: FloatArray) -> FloatArray:
    """Offset of parts duties earned by vehicles assembled in the US: rate x MSRP x vehicles."""
    return rate * msrp * vehicles


def ca_surtax_rate(
    rate: FloatArray, minimum_deduction: FloatArray, camx_content: FloatArray, cusma: FloatArray
) -> FloatArray:
    """Canada's surtax on US-assembled vehicles as a share of value for duty, averaged over
    CUSMA vehicles (25% x (A - B), B = Canadian + Mexican content, at least 15% of A) and
    non-CUSMA ones (25% of A)."""
    deducted = np.maximum(camx_content, minimum_deduction)
    return rate * (cusma * (1.0 - deducted) + (1.0 - cusma))


def imports_from_us(
    home_demand: FloatArray, built_for_home: FloatArray, us_share: FloatArray
) -> FloatArray:
    """A group's US-built vehicles sold at home: its home sales not built at home, times the
    share of those that come from the US."""
    return us_share * np.maximum(home_demand - built_for_home, 0.0)


def remission(
    room_per_vehicle: FloatArray,
    built_at_home: FloatArray,
    cusma_imports: FloatArray,
    surtax_per_vehicle: FloatArray,
) -> FloatArray:
    """Value of the surtax remitted: surtax-free CUSMA imports up to the room earned by
    building at home, times the surtax each would pay."""
    return np.minimum(room_per_vehicle * built_at_home, cusma_imports) * surtax_per_vehicle


def producer_borne(duty: FloatArray, pass_through: FloatArray) -> FloatArray:
    """The part of a duty the exporter absorbs in its margin: what it does not pass on to the
    buyer's price. It comes out of the plant's operating surplus, so out of its GDP and its
    corporate tax base."""
    return duty * (1.0 - pass_through)


def us_supply_kept(
    rate: FloatArray, duty_base: FloatArray, factory_value: FloatArray, premium: FloatArray
) -> FloatArray:
    """1 where the automaker keeps supplying its US buyers from this plant, 0 where it moves
    that supply to another plant: a per-draw cost comparison. Supplying from here costs the
    duty per vehicle (rate x value for duty); from the other plant, its extra cost per vehicle
    (premium x factory-gate value). Never rises with the duty."""
    return (rate * duty_base <= premium * factory_value).astype(float)
