"""The report's section on the firms' side (docs/model.md §9): whether each firm accepts the
deal as designed, what it gains over its best alternative, the but-for its comparison implies,
and the negotiation zone for this design (``evpact zopa``): the support the firms need against
the support Canada can pay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..formatting import number
from ..labels import label
from ..results import Results
from .content import Block, Figure, Paragraph, Table

if TYPE_CHECKING:
    from ..design.zopa import Zopa


def has_firms(results: Results) -> bool:
    return "firm_accepts_share" in results.summary_dict()["metrics"]


def _share(m: dict[str, Any]) -> str:
    return "n/a" if m["mean"] is None else f"{m['mean']:.0%}"


def firm_table(results: Results) -> Table:
    """Per firm: chance it accepts, its advantage (median, 90% range), and the chance it would
    not build at home without the deal; then every firm together and the zone."""
    metrics = results.summary_dict()["metrics"]
    firms = [n.removeprefix("firm_accepts_share_") for n in metrics
             if n.startswith("firm_accepts_share_")]  # fmt: skip
    model = results.scenario_model
    names = {f.id: f.name or f.id for f in model.firms} if model is not None else {}
    rows = []
    for f in firms:
        adv = metrics[f"firm_npv_advantage_{f}"]
        unit = adv["unit"]
        rows.append(
            (
                names.get(f, f),
                _share(metrics[f"firm_accepts_share_{f}"]),
                number(adv["p50"], unit),
                f"{number(adv['p5'], unit)} to {number(adv['p95'], unit)}",
                _share(metrics[f"but_for_share_{f}"]),
            )
        )
    adv = metrics["firm_npv_advantage"]
    rows.append(
        (
            "every firm",
            _share(metrics["firm_accepts_share"]),
            number(adv["p50"], adv["unit"]),
            f"{number(adv['p5'], adv['unit'])} to {number(adv['p95'], adv['unit'])}",
            "",
        )
    )
    return Table(
        (
            "firm",
            "accepts",
            "advantage, median",
            "advantage, 90% range",
            "would not build without the deal",
        ),
        tuple(rows),
        numeric=(False, True, True, True, True),
        caption="Chance of each answer over the draws; advantage: present value at the firm's "
        "own hurdle rate of the deal at home less its best alternative (joint for every firm).",
    )


def blocks(results: Results, z: Zopa | None, number_of_figure: int) -> list[Block]:
    metrics = results.summary_dict()["metrics"]
    unit = metrics["firm_npv_advantage"]["unit"]
    out: list[Block] = [
        Paragraph(
            "A deal happens only if the firms prefer it to their best alternative. Each firm "
            "values its cash flows at home and at its alternative at its own cost of capital, "
            "with the same volumes, duties and credits as the rest of the model; it accepts "
            "when the deal's advantage reaches its premium. Without the deal's support the "
            "same comparison says whether it would build at home anyway: the but-for of the "
            "net figures."
        ),
        firm_table(results),
        Paragraph(
            f"{label('zopa_exists_share')}: {_share(metrics['zopa_exists_share'])} of draws "
            "(the smallest support every firm accepts leaves the net public benefit at or "
            "above zero)."
        ),
    ]
    if z is None:
        return out
    from ..design.zopa import figure  # the same chart as `evpact zopa` and the web

    s = z.summary
    table = Table(
        ("", "p5", "median", "p95"),
        tuple(
            (words, *(number(_finite(s[f"{key}_p{q}"]), unit) for q in (5, 50, 95)))
            for key, words in (
                ("firm_min_support_npv", "support the firms need"),
                ("canada_max_support_npv", "support Canada can pay"),
                ("zone_width_npv", "width of the zone, where it exists"),
            )
        ),
        numeric=(False, True, True, True),
        caption=f"Present values of the instrument ({', '.join(z.instrument)}) over "
        f"{len(z.table):,} draws; Canada cannot pay any in "
        f"{1 - s['canada_gains_share']:.0%} of draws (its net benefit is negative without it).",
    )
    out.append(
        Figure(
            "chart-zopa",
            number_of_figure,
            f"The negotiation zone: the support the firms need and the support Canada can pay "
            f"({unit.replace('CAD_', 'C$ ')}, present value); a zone exists in "
            f"{s['zopa_exists_share']:.0%} of draws",
            figure(z, unit),
            table,
        )
    )
    return out


def _finite(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)
