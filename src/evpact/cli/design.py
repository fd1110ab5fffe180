"""``evpact zopa``: the price of a plant and the negotiation zone (``evpact.design.zopa``)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from rich.table import Table

from ..errors import EvpactError
from ..formatting import number
from .common import (
    DEFAULT_SEED,
    DrawsOpt,
    JsonOpt,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    fail,
    out_console,
    variant,
)


def zopa(
    scenario: ScenarioArg,
    draws: DrawsOpt = 1000,
    seed: SeedOpt = DEFAULT_SEED,
    assignments: SetOpt = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per draw, the smallest support every firm accepts and the largest at which the net
    public benefit stays >= 0; whether a zone exists between them, and how wide it is."""
    from ..design.zopa import write
    from ..design.zopa import zopa as find

    try:
        result = find(scenario, draws=draws, seed=seed, variant=variant(assignments))
        from ..scenario.load import load_scenario

        unit = f"CAD_{load_scenario(scenario, variant(assignments)).price_year}"
        folder = out or Path("evpact-out") / result.scenario / "zopa"
        paths = write(result, folder, unit)
    except EvpactError as e:
        fail(e)
    if as_json:
        clean = {k: (None if math.isnan(v) else v) for k, v in result.summary.items()}
        sys.stdout.write(json.dumps({"scenario": result.scenario, **clean}) + "\n")
        return
    s = result.summary
    view = Table(title=f"{result.scenario}: negotiation zone", header_style="bold")
    for col in ("", "p5", "p50", "p95"):
        view.add_column(col, justify="right")
    for key, label in (
        ("firm_min_support_npv", "support the firms need"),
        ("canada_max_support_npv", "support Canada can pay"),
        ("zone_width_npv", "zone width"),
    ):
        view.add_row(
            label,
            *(
                number(None if math.isnan(s[f"{key}_p{q}"]) else s[f"{key}_p{q}"], unit)
                for q in (5, 50, 95)
            ),
        )
    out_console.print(view)
    out_console.print(
        f"instrument {', '.join(result.instrument)}; firms accept at the terms as written in "
        f"{s['firm_accepts_share']:.1%} of draws; a zone exists in {s['zopa_exists_share']:.1%}",
        highlight=False,
    )
    out_console.print(
        f"{draws:,} draws, seed {seed}; wrote {', '.join(str(p) for p in paths)}",
        style="dim",
        highlight=False,
    )
