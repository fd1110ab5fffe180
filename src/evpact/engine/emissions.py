"""Mechanism 8b, emissions: what making the cells emits, from the energy a kWh of cells takes,
the grid where the plant sits and the upstream materials; and what the vehicles assembled avoid
over their life against gasoline cars."""

from __future__ import annotations

from ..scenario.distributions import FloatArray


def manufacturing_t(
    output_gwh: FloatArray,
    energy_kwh_per_kwh: FloatArray,
    electricity_share: FloatArray,
    grid_g_per_kwh: FloatArray,
    heat_kg_per_kwh: FloatArray,
    materials_kg_per_kwh: FloatArray,
) -> FloatArray:
    """Tonnes CO2e of making ``output_gwh`` of cells: the plant's energy, its electric share at
    the grid's intensity and the rest as fuel heat, plus the materials' cradle-to-gate
    emissions. GWh x 1e6 kWh x kg/kWh / 1000 = GWh x 1e3 t."""
    return (
        output_gwh
        * 1e3
        * cell_kg_per_kwh(
            energy_kwh_per_kwh,
            electricity_share,
            grid_g_per_kwh,
            heat_kg_per_kwh,
            materials_kg_per_kwh,
        )
    )


def cell_kg_per_kwh(
    energy_kwh_per_kwh: FloatArray,
    electricity_share: FloatArray,
    grid_g_per_kwh: FloatArray,
    heat_kg_per_kwh: FloatArray,
    materials_kg_per_kwh: FloatArray,
) -> FloatArray:
    """kg CO2e per kWh of cells made (``manufacturing_t`` per unit of output)."""
    per_kwh_energy = electricity_share * grid_g_per_kwh / 1e3 + (1 - electricity_share) * (
        heat_kg_per_kwh
    )
    plant_kg_per_kwh = energy_kwh_per_kwh * per_kwh_energy
    return plant_kg_per_kwh + materials_kg_per_kwh


def avoided_t(
    vehicles: FloatArray,
    lifetime_km: FloatArray,
    gasoline_g_per_km: FloatArray,
    bev_g_per_km: FloatArray,
) -> FloatArray:
    """Lifecycle tonnes CO2e the vehicles built in a year avoid over their life against
    gasoline cars (credited to the year they are built)."""
    return vehicles * lifetime_km * (gasoline_g_per_km - bev_g_per_km) / 1e6
