"""Mechanism 7a, rules of origin (USMCA/CUSMA): does an assembled vehicle originate?

Pure functions over (draw, year) arrays; every rule (threshold, credit) is an array too, the
yearly value of a dated rule-pack parameter. Shares are fractions of the vehicle's net cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import FloatArray
from . import jit


def rvc(nc: FloatArray, vnm: FloatArray) -> FloatArray:
    """Regional value content by the net-cost method: (NC - VNM) / NC (a share)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nc > 0, (nc - vnm) / nc, np.nan)


def cell_origin(cam_share: FloatArray, cam_originating: FloatArray) -> FloatArray:
    """Originating share of a North American cell when its cathode material is traced: the
    cathode's non-originating value counts against it, the rest of the cell originates."""
    return 1.0 - cam_share * (1.0 - cam_originating)


def pack_rvc(
    cell_share: FloatArray, cells_originating: FloatArray, other_originating: FloatArray
) -> FloatArray:
    """RVC of the battery pack (a core part): cells are ``cell_share`` of its net cost."""
    return (
        1.0
        - cell_share * (1.0 - cells_originating)
        - (1.0 - cell_share) * (1.0 - other_originating)
    )


def counted(share: FloatArray, threshold: FloatArray, roll_up: FloatArray) -> FloatArray:
    """Originating value a core part brings to the vehicle, as a share of the part: all of it
    when the part originates and roll-up applies, else its own originating content."""
    ok = share >= threshold - 1e-12
    return np.where(ok, roll_up * 1.0 + (1.0 - roll_up) * share, share)


def vehicle_rvc(
    pack_share: FloatArray,
    pack_counted: FloatArray,
    core_share: FloatArray,
    core_counted: FloatArray,
    other_originating: FloatArray,
) -> FloatArray:
    """Vehicle RVC = 1 - VNM/NC with VNM/NC = b (1 - O_pack) + k (1 - O_core) + o (1 - O_o),
    b + k + o = 1."""
    other = np.clip(1.0 - pack_share - core_share, 0.0, 1.0)
    vnm = (
        pack_share * (1.0 - pack_counted)
        + core_share * (1.0 - core_counted)
        + other * (1.0 - other_originating)
    )
    # rvc() with a net cost of one, (1 - VNM) / 1: dividing by one is exact, so no division
    return np.subtract(1.0, vnm, out=vnm) if isinstance(vnm, np.ndarray) else 1.0 - vnm


def lvc(
    high_wage_share: FloatArray,
    technology_credit: FloatArray,
    technology_max: FloatArray,
    assembly_credit: FloatArray,
    has_battery_plant: FloatArray,
) -> FloatArray:
    """Labour value content: high-wage material and manufacturing expenditures, plus the
    technology credit (capped) and the assembly credit for a high-wage battery plant."""
    return (
        high_wage_share
        + np.minimum(technology_credit, technology_max)
        + assembly_credit * has_battery_plant
    )


#: the rule-pack parameters ``origin`` reads
RULES = (
    "usmca_in_force",
    "rvc_threshold",
    "core_rvc_threshold",
    "core_part_roll_up",
    "lvc_technology_credit_max",
    "lvc_assembly_credit",
    "lvc_threshold",
    "steel_aluminium_threshold",
)


@dataclass(frozen=True)
class Origin:
    """Origin of one assembly plant's vehicles per draw-year (shares; ``qualifies`` is the
    share of the year the vehicle qualifies, with rules in force part of a year)."""

    pack_rvc: FloatArray
    rvc: FloatArray
    rvc_threshold: FloatArray
    lvc: FloatArray
    steel_aluminium: FloatArray
    qualifies: FloatArray
    min_cell_share: FloatArray  # least originating cell share that would qualify (NaN: none)


def origin(
    *,
    pack_share: FloatArray,
    cell_share: FloatArray,
    cells_originating: FloatArray,
    pack_other_originating: FloatArray,
    core_share: FloatArray,
    core_originating: FloatArray,
    other_originating: FloatArray,
    high_wage_share: FloatArray,
    technology_credit: FloatArray,
    has_battery_plant: FloatArray,
    steel_aluminium: FloatArray,
    rules: dict[str, FloatArray],
) -> Origin:
    """Every USMCA test for a vehicle, and the originating cell share that would pass them."""
    inputs = (
        pack_share,
        cell_share,
        cells_originating,
        pack_other_originating,
        core_share,
        core_originating,
        other_originating,
        high_wage_share,
        technology_credit,
        has_battery_plant,
        steel_aluminium,
    )
    shape = np.broadcast_shapes(*map(np.shape, inputs), *(np.shape(rules[k]) for k in RULES))
    fused = jit.compiled_for(shape[0]) if len(shape) == 2 else None
    if fused is not None:  # the same tests in one pass over the draws (same bits)
        p_rvc, v_rvc, threshold, v_lvc, qualifies, need = fused.origin(shape, *inputs, rules)
        return Origin(p_rvc, v_rvc, threshold, v_lvc, steel_aluminium, qualifies, need)
    t, t_core, roll = (
        rules["rvc_threshold"],
        rules["core_rvc_threshold"],
        rules["core_part_roll_up"],
    )
    p_rvc = pack_rvc(cell_share, cells_originating, pack_other_originating)
    o_pack = counted(p_rvc, t_core, roll)
    o_core = counted(core_originating, t_core, roll)
    v_rvc = vehicle_rvc(pack_share, o_pack, core_share, o_core, other_originating)
    v_lvc = lvc(
        high_wage_share,
        technology_credit,
        rules["lvc_technology_credit_max"],
        rules["lvc_assembly_credit"],
        has_battery_plant,
    )
    eps = 1e-12
    others_ok = (
        (core_originating >= t_core - eps)
        & (v_lvc >= rules["lvc_threshold"] - eps)
        & (steel_aluminium >= rules["steel_aluminium_threshold"] - eps)
    )
    ok = others_ok & (p_rvc >= t_core - eps) & (v_rvc >= t - eps)
    qualifies = rules["usmca_in_force"] * ok
    # the one input change: the least originating cell share with which both the pack and
    # the vehicle pass (other tests unchanged); NaN when cells alone cannot qualify it
    rest = (1.0 - cell_share) * (1.0 - pack_other_originating)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_pack = np.where(cell_share > 0, 1.0 - (1.0 - t_core - rest) / cell_share, np.inf)
        at_pack = vehicle_rvc(
            pack_share,
            np.where(roll > 0, 1.0, pack_rvc(cell_share, s_pack, pack_other_originating)),
            core_share,
            o_core,
            other_originating,
        )
        v_zero = vehicle_rvc(
            pack_share,
            pack_rvc(cell_share, np.zeros_like(p_rvc), pack_other_originating),
            core_share,
            o_core,
            other_originating,
        )
        s_vehicle = np.where(
            pack_share * cell_share > 0, (t - v_zero) / (pack_share * cell_share), np.inf
        )
    need = np.where(roll * (at_pack >= t - eps) > 0, s_pack, np.maximum(s_pack, s_vehicle))
    need = np.clip(need, 0.0, None)
    need = np.where(others_ok & (need <= 1.0 + eps), np.minimum(need, 1.0), np.nan)
    return Origin(p_rvc, v_rvc, t + np.zeros_like(v_rvc), v_lvc, steel_aluminium, qualifies, need)
