"""Metrics of the firms' side: whether each firm accepts the deal, its advantage over its best
alternative, the but-for its comparison implies, and whether a negotiation zone exists
(docs/model.md, "Firms"). Per-firm metrics end in ``_<firm id>``, as per-government ones end
in ``_federal`` / ``_provincial``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
#: per-draw and per-firm inputs the firm metrics read
FIRM_INPUTS = (
    "firm_npv_advantage",
    "firm_accepts",
    "firm_builds_anyway",
    "firm_support_scale_min",
    "zopa_support_scale_min",
    "zopa_benefit_change",
)


def firm_metrics(
    s: Mapping[str, Array],
    net_benefit: Array,
    disc: Array,
    cad: str,
    firms: tuple[str, ...],
) -> dict[str, tuple[str, Array, str]]:
    """Scenario-level metrics (the deal world's own values) of the firms, and the zone's
    existence: the smallest support every firm accepts leaves Canada's net public benefit
    ``net_benefit`` (per draw, at the terms as written) non-negative. Returns name ->
    (unit, values, description)."""
    n = disc.shape[0]
    out: dict[str, tuple[str, Array, str]] = {
        "but_for_share": (
            "share",
            np.asarray(s["but_for"]).mean(axis=1),
            "scenario level: but-for probability of the deal's plants (output-weighted, "
            "averaged over the horizon); with firms, 1 in draws where no firm would build at "
            "home without the deal",
        )
    }
    if not firms:
        return out
    accepts = np.asarray(s["firm_accepts"])
    advantage = np.asarray(s["firm_npv_advantage"])
    anyway = np.asarray(s["firm_builds_anyway"])
    for i, f in enumerate(firms):
        out[f"firm_accepts_share_{f}"] = (
            "share",
            accepts[:, i],
            f"scenario level: draws in which {f} accepts the deal (advantage >= its premium)",
        )
        out[f"firm_npv_advantage_{f}"] = (
            cad,
            advantage[:, i],
            f"scenario level: {f}'s present value at its hurdle rate of the deal at home less "
            "its best alternative",
        )
        out[f"but_for_share_{f}"] = (
            "share",
            1.0 - anyway[:, i],
            f"scenario level: draws in which {f} would not build at home without the deal",
        )
    out["firm_accepts_share"] = (
        "share",
        accepts.min(axis=1),
        "scenario level: draws in which every firm accepts the deal",
    )
    out["firm_npv_advantage"] = (
        cad,
        advantage.sum(axis=1),
        "scenario level: the firms' advantages added up (their joint gain from the deal)",
    )
    k = np.asarray(s["zopa_support_scale_min"], dtype=float)
    at_k = net_benefit + np.einsum("dt,dt->d", s["zopa_benefit_change"], disc)
    exists = np.isfinite(k) & (at_k >= 0)
    out["zopa_support_scale_min"] = (
        "scale",
        np.where(np.isfinite(k), k, np.nan),
        "scenario level: smallest scale of the deal's support (1 = as written) at which every "
        "firm accepts; NaN where none does",
    )
    out["zopa_net_public_benefit_npv_at_min"] = (
        cad,
        np.where(np.isfinite(k), at_k, np.nan),
        "net public benefit with the deal's support at that smallest scale",
    )
    out["zopa_exists_share"] = (
        "share",
        exists.astype(float) + np.zeros(n),
        "scenario level: draws in which a negotiation zone exists (the support every firm "
        "accepts leaves the net public benefit >= 0)",
    )
    return out
