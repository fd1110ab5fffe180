"""The Python entry points: load a scenario, simulate it against its counterfactual."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import xarray as xr

from . import __version__
from .data import reference
from .defaults import DEFAULT_DRAWS as DEFAULT_DRAWS
from .defaults import DEFAULT_SEED as DEFAULT_SEED
from .engine.additionality import DRAW_INPUTS
from .engine.compile import MINERALS, Model
from .engine.firms import ids as firm_ids
from .engine.ledger import LINES
from .engine.reuse import compiled
from .engine.simulate import ASSEMBLY_VARIABLES, FIRM_VARIABLES, VARIABLES
from .errors import EvpactError
from .ledger_metrics import AGGREGATES
from .metrics import Metric, draw_metrics
from .results import PER_DRAW_LIMIT, Results
from .scenario.load import load_counterfactual, load_scenario, scenario_sha256, vary
from .scenario.model import Scenario
from .scenario.types import check_seed
from .uncertainty.montecarlo import CHUNK, Progress, run_models
from .uncertainty.reduce import SUBSAMPLE, Totals, quantile_rank_error
from .uncertainty.sampling import SCHEMES

#: runs of up to this many draws keep the Crown ledger line by line, per draw (about 40 yearly
#: lines per world); bigger runs keep its totals by government, which every metric reads
LEDGER_LINES_DRAWS = DEFAULT_DRAWS


def to_dataset(
    model: Model, arrays: dict[str, np.ndarray[Any, Any]], price_year: int
) -> xr.Dataset:
    """Label raw arrays: dims (draw, year) plus plant, deal or payer where they apply.

    Every variable is built from a numpy array on xarray's fast path: otherwise xarray
    imports dask (about 0.4 s) to ask whether each is a dask array (RESULTS.md, Round 2)."""

    def var(dims: tuple[str, ...], values: Any, attrs: dict[str, str] | None = None) -> Any:
        return xr.Variable(dims, np.asarray(values), attrs, fastpath=True)

    years = model.years
    n = arrays["direct_jobs"].shape[0]
    coords = {"draw": var(("draw",), np.arange(n)), "year": var(("year",), years)}
    cad = f"CAD_{price_year}"
    data: dict[str, Any] = {}
    for name, unit in VARIABLES.items():
        data[name] = var(
            ("draw", "year"),
            np.ascontiguousarray(arrays[name]),
            {"units": cad if unit == "CAD" else unit},
        )
    data["discount_rate"] = var(("draw",), arrays["discount_rate"], {"units": "1/year"})
    for name in DRAW_INPUTS:  # the net layer's per-draw inputs (shares)
        data[name] = var(("draw",), arrays[name], {"units": "share"})
    data["domestic_chain_share"] = var(
        ("draw",), arrays["domestic_chain_share"], {"units": "share"}
    )
    data["chain_hhi_max"] = var(("draw",), arrays["chain_hhi_max"], {"units": "HHI"})
    data["mineral_production_cumulative_t"] = var(
        ("draw", "mineral"),
        arrays["mineral_production_cumulative_t"],
        {"units": "t", "description": "home-country mine production over the horizon"},
    )
    linked = [d.id for d in model.deals if d.linkage is not None]
    data["linkage_met"] = var(
        ("draw", "deal", "year"),
        arrays["linkage_met"],
        {"units": "1 = met, 0 = failed, NaN = not measured"},
    )
    data["public_cost_by_payer"] = var(
        ("draw", "payer", "year"), arrays["public_cost_by_payer"], {"units": cad}
    )
    data["plant_output"] = var(
        ("draw", "plant", "year"),
        arrays["plant_output"],
        {"units": "GWh (battery plants) or vehicles (assembly)"},
    )
    data["plant_direct_jobs"] = var(
        ("draw", "plant", "year"), arrays["plant_direct_jobs"], {"units": "jobs"}
    )
    for name, unit in ASSEMBLY_VARIABLES.items():
        data[name] = var(("draw", "assembly", "year"), arrays[name], {"units": unit})
    for name, unit in FIRM_VARIABLES.items():
        data[name] = var(("draw", "firm"), arrays[name], {"units": cad if unit == "CAD" else unit})
    data["zopa_support_scale_min"] = var(
        ("draw",),
        arrays["zopa_support_scale_min"],
        {"units": "scale of the deal's support at which every firm accepts (inf: none)"},
    )
    flow_unit = "CAD_nominal" if model.ledger is not None and model.ledger.nominal else cad
    if "crown_ledger" in arrays:  # kept per draw in runs of up to LEDGER_LINES_DRAWS draws
        data["crown_ledger"] = var(
            ("draw", "line", "year"), arrays["crown_ledger"], {"units": flow_unit}
        )
    if "crown_totals" in arrays:  # not kept per draw by streamed runs
        data["crown_totals"] = var(
            ("draw", "aggregate", "year"), arrays["crown_totals"], {"units": flow_unit}
        )
    data["fiscal_conventions"] = var(
        ("draw", "convention"), arrays["fiscal_conventions"], {"units": "1"}
    )
    return xr.Dataset(
        data,
        coords={
            **coords,
            "deal": var(("deal",), linked),
            "payer": var(("payer",), list(model.payers)),
            "plant": var(("plant",), [p.id for p in model.plants]),
            "mineral": var(("mineral",), list(MINERALS)),
            "plant_kind": var(("plant",), [p.kind for p in model.plants]),
            "assembly": var(
                ("assembly",), [t.plant for t in model.trade.plants] if model.trade else []
            ),
            "firm": var(("firm",), [f.id for f in model.firms.firms] if model.firms else []),
            "line": var(("line",), [line.key for line in LINES]),
            "government": var(("line",), [line.government for line in LINES]),
            "category": var(("line",), [line.category for line in LINES]),
            "instrument": var(("line",), [line.instrument for line in LINES]),
            "layer": var(("line",), [line.layer for line in LINES]),
            "aggregate": var(("aggregate",), list(AGGREGATES)),
            "convention": var(("convention",), ["discounted_balance", "nominal", "inflation_rate"]),
        },
    )


@overload
def simulate(
    scenario: Scenario | str | Path,
    draws: int = ...,
    seed: int = ...,
    *,
    variant: dict[str, Any] | None = ...,
    counterfactual: Scenario | str | Path | None = ...,
    deterministic: bool = ...,
    chunk: int = ...,
    progress: Progress | None = ...,
    client: Any = ...,
    sampling: str = ...,
    keep_draws: bool | None = ...,
    workers: int | None = ...,
    metrics_only: Literal[False] = ...,
) -> Results: ...


@overload
def simulate(
    scenario: Scenario | str | Path,
    draws: int = ...,
    seed: int = ...,
    *,
    variant: dict[str, Any] | None = ...,
    counterfactual: Scenario | str | Path | None = ...,
    deterministic: bool = ...,
    chunk: int = ...,
    progress: Progress | None = ...,
    client: Any = ...,
    sampling: str = ...,
    keep_draws: bool | None = ...,
    workers: int | None = ...,
    metrics_only: Literal[True],
) -> dict[str, Metric]: ...


@overload
def simulate(
    scenario: Scenario | str | Path,
    draws: int = ...,
    seed: int = ...,
    *,
    variant: dict[str, Any] | None = ...,
    counterfactual: Scenario | str | Path | None = ...,
    deterministic: bool = ...,
    chunk: int = ...,
    progress: Progress | None = ...,
    client: Any = ...,
    sampling: str = ...,
    keep_draws: bool | None = ...,
    workers: int | None = ...,
    metrics_only: bool = ...,
) -> Results | dict[str, Metric]: ...


def simulate(
    scenario: Scenario | str | Path,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    *,
    variant: dict[str, Any] | None = None,
    counterfactual: Scenario | str | Path | None = None,
    deterministic: bool = False,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    client: Any = None,
    sampling: str = "mc",
    keep_draws: bool | None = None,
    workers: int | None = None,
    metrics_only: bool = False,
) -> Results | dict[str, Metric]:
    """Monte Carlo of a scenario and its counterfactual on common random numbers.

    ``scenario`` is a bundled name, a YAML path or a loaded ``Scenario``; ``variant`` a dict of
    dotted paths to values. ``deterministic=True`` runs once with every input at its central
    value (mode or median). ``client`` (a Dask ``distributed.Client``) maps the draw blocks
    over a cluster: same numbers, other machines (see ``uncertainty.cluster.dask_client``).
    ``sampling`` is the scheme of the uniforms: ``mc`` (independent streams), ``lhs`` (Latin
    hypercube) or ``sobol`` (scrambled Sobol points). Runs of more than ``SUBSAMPLE`` draws
    stream: they keep the arrays of their first ``SUBSAMPLE`` draws (for quantiles and
    per-draw views) and exact running totals of all of them (means, shares, tails), so memory
    stays flat; ``keep_draws=True`` keeps every draw. ``workers`` cores run blocks side by
    side (None: every core for streamed runs of more than two blocks, one thread otherwise; 1:
    this thread only; see ``uncertainty.cores``); the numbers do not depend on it.

    ``metrics_only=True`` is the fast path for a sweep or an optimiser that scores many
    candidates: it returns ``{metric name: Metric}``, each ``Metric.values`` the metric for
    every draw (float64, ``draws`` long; one value when deterministic), the same values as
    ``Results.metrics`` of the full run, without the labelled datasets, the yearly
    statistics or the run's exact totals (``keep_draws`` does not apply). Summaries of them:
    ``results.summary_table``. Candidates that differ in a few terms share what did not
    change: each compiled world (``engine.reuse``) and, for runs of up to ``REUSE_DRAWS``
    draws a block, the counterfactual's simulated blocks (``uncertainty.montecarlo``).
    """
    if sampling not in SCHEMES:
        raise EvpactError(f"sampling must be one of {', '.join(SCHEMES)}, got '{sampling}'")
    if draws < 1:
        raise EvpactError(f"draws must be at least 1, got {draws}")
    check_seed(seed)
    if chunk < 1:
        raise EvpactError(f"chunk must be at least 1, got {chunk}")
    if workers is not None and workers < 1:
        raise EvpactError(f"workers must be at least 1, got {workers}")
    if isinstance(scenario, Scenario):
        scenario = vary(scenario, variant) if variant else scenario
    else:
        scenario = load_scenario(scenario, variant)
    if counterfactual is None:
        cf = load_counterfactual(scenario, variant)
    elif isinstance(counterfactual, Scenario):
        cf = counterfactual
    else:
        cf = load_counterfactual(  # named by the caller: the scenario itself is allowed
            scenario.model_copy(update={"counterfactual": str(counterfactual)}),
            variant,
            same_ok=True,
        )
    if cf.horizon != scenario.horizon:
        raise EvpactError(
            f"horizons differ: {scenario.name} {list(scenario.horizon)}, "
            f"{cf.name} {list(cf.horizon)}; compare runs over the same years"
        )
    n = 1 if deterministic else draws
    if metrics_only:
        return _draw_metrics(
            scenario, cf, n, seed, chunk, deterministic, progress, client, sampling, workers
        )
    kept = n if keep_draws or n <= SUBSAMPLE else SUBSAMPLE
    # the Crown ledger line by line for runs whose draws are all kept; bigger runs compute
    # only its totals by government (every metric reads those)
    models = [compiled(s, ledger_lines=n <= LEDGER_LINES_DRAWS) for s in (scenario, cf)]
    if keep_draws:
        check_fits(n, models[0].years.size)
    metrics: dict[str, Metric] = {}
    totals = Totals(n)

    def collect(start: int, stop: int, summary: tuple[dict[str, Metric] | None, Totals]) -> None:
        block_metrics, block_totals = summary
        totals.merge(block_totals)
        rows = min(stop, kept) - start
        for name, m in (block_metrics or {}).items():
            if name not in metrics:
                metrics[name] = Metric(m.unit, np.empty(kept), m.description, m.kind)
            if rows > 0:
                metrics[name].values[start : start + rows] = m.values[:rows]

    summarise = partial(
        summarise_pair,
        firms=firm_ids(models[0].firms),
        years=models[0].years,
        price_year=scenario.price_year,
        draws=n,
        streamed=kept < n,
    )
    # metrics are exact (double precision, per block); past PER_DRAW_LIMIT draws the yearly
    # arrays only feed statistics, so single precision (7 digits) halves memory and time
    dtype = np.float64 if n <= PER_DRAW_LIMIT else np.float32
    arrays = run_models(
        models,
        n,
        seed,
        chunk,
        deterministic,
        progress,
        summarise,
        collect,
        dtype,
        client,
        sampling,
        kept,
        workers,
    )
    datasets = [to_dataset(m, a, scenario.price_year) for m, a in zip(models, arrays, strict=True)]
    meta = {
        "scenario": scenario.name,
        "counterfactual": cf.name,
        "model_version": __version__,
        "data_version": reference().version,
        "scenario_sha256": scenario_sha256(scenario),
        "seed": None if deterministic else seed,
        "draws": n,
        "kept_draws": kept,
        "quantile_rank_error": quantile_rank_error(kept, n),
        "deterministic": deterministic,
        "sampling": sampling,
        "horizon": list(scenario.horizon),
        "price_year": scenario.price_year,
    }
    return Results(
        datasets[0],
        datasets[1],
        meta,
        scenario_model=scenario,
        counterfactual_model=cf,
        metrics=metrics,
        totals=totals,
    )


def _draw_metrics(
    scenario: Scenario,
    cf: Scenario,
    n: int,
    seed: int,
    chunk: int,
    deterministic: bool,
    progress: Progress | None,
    client: Any,
    sampling: str,
    workers: int | None,
) -> dict[str, Metric]:
    """Per-draw metrics only (``simulate(..., metrics_only=True)``): every block is reduced
    to its metrics where it runs and no yearly array is kept or labelled."""
    # the Crown ledger's totals are all the metrics read: its lines are not built
    models = [compiled(s, ledger_lines=False) for s in (scenario, cf)]
    metrics: dict[str, Metric] = {}

    def collect(start: int, stop: int, block: dict[str, Metric]) -> None:
        for name, m in block.items():
            if name not in metrics:
                metrics[name] = Metric(m.unit, np.empty(n), m.description, m.kind)
            metrics[name].values[start:stop] = m.values

    summarise = partial(
        metrics_of_pair,
        years=models[0].years,
        price_year=scenario.price_year,
        firms=firm_ids(models[0].firms),
    )
    run_models(
        models,
        n,
        seed,
        chunk,
        deterministic,
        progress,
        summarise,
        collect,
        client=client,
        scheme=sampling,
        keep=0,
        workers=workers,
    )
    return metrics


def metrics_of_pair(
    block: list[dict[str, np.ndarray[Any, Any]]],
    kept: bool,
    years: np.ndarray[Any, Any],
    price_year: int,
    firms: tuple[str, ...] = (),
) -> dict[str, Metric]:
    """A block of scenario and counterfactual reduced to its per-draw metrics, where it ran."""
    return draw_metrics(block[0], block[1], years, price_year, firms)


def summarise_pair(
    block: list[dict[str, np.ndarray[Any, Any]]],
    kept: bool,
    years: np.ndarray[Any, Any],
    price_year: int,
    draws: int,
    streamed: bool = False,
    firms: tuple[str, ...] = (),
) -> tuple[dict[str, Metric] | None, Totals]:
    """A block of scenario and counterfactual, reduced where it ran: its share of the run's
    exact totals, and its per-draw metrics when its draws are kept. A streamed run keeps
    the Crown ledger's exact yearly means, not its per-draw totals (its metrics are made
    here, and it cannot be compared draw by draw)."""
    block_metrics = draw_metrics(block[0], block[1], years, price_year, firms)
    totals = Totals(draws)
    totals.add(block_metrics, block)
    if streamed:  # new dicts: the block's worlds may be kept for the next run on its draws
        block[:] = [{k: a for k, a in w.items() if k != "crown_totals"} for w in block]
    return (block_metrics if kept else None), totals


def check_fits(draws: int, years: int, arrays: int = 140) -> None:
    """Refuse to keep every draw when that would not fit in memory (an estimate: about 70
    single-precision yearly arrays per draw and world, per-plant trade outputs included)."""
    need = draws * years * arrays * 4
    try:
        have = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return
    if need > 0.6 * have:
        raise EvpactError(
            f"keeping all {draws:,} draws needs about {need / 2**30:.1f} GiB of the "
            f"{have / 2**30:.1f} GiB here; drop --keep-draws to stream them"
        )
