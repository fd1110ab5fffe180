"""Mechanism 8a, minerals: tonnes of lithium, nickel, cobalt, manganese and graphite that the
battery output needs, from its chemistry mix (BatPaC kg per kWh), against domestic production."""

from __future__ import annotations

from ..scenario.distributions import FloatArray


def mineral_tonnes(output_gwh: FloatArray, kg_per_kwh: FloatArray | float) -> FloatArray:
    """Tonnes of one mineral in ``output_gwh`` of batteries: GWh x 1e6 kWh x kg/kWh / 1000
    (``kg_per_kwh`` per year when the chemistry mix shifts)."""
    return output_gwh * (kg_per_kwh * 1e3)
