"""Results: labelled arrays of a scenario and its counterfactual, and the metrics built on them.

Metrics are impacts (scenario minus counterfactual, draw by draw on common random numbers)
unless their name says otherwise. A value that does not exist for a draw (a break-even not
reached within the horizon) is NaN there; it sorts after every real value, so the statistics
it would change are null and a companion ``..._reached_share`` counts how often it exists.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, partial
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from .advisories import run_warnings
from .engine.ledger import conventions
from .engine.simulate import VARIABLES
from .errors import EvpactError
from .metrics import METRIC_INPUTS, Metric, draw_metrics
from .scenario.model import Scenario
from .uncertainty.reduce import TAIL_METRICS, Totals

QUANTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}
#: runs up to this many draws write every draw to NetCDF; larger ones write yearly statistics
PER_DRAW_LIMIT = 10_000


def statistics(values: np.ndarray[Any, Any]) -> dict[str, float | None]:
    """mean, p5, p50, p95; NaN (no value for a draw) counts as later/larger than any value."""
    v = np.where(np.isnan(values), np.inf, values.astype(float))
    out: dict[str, float | None] = {"mean": _finite(float(np.mean(v)))}
    srt = np.sort(v)
    for name, q in QUANTILES.items():
        pos = q * (srt.size - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        a, b = srt[lo], srt[hi]
        out[name] = _finite(float(a if lo == hi or a == b else a + (pos - lo) * (b - a)))
    return out


def quantiles_over_draws(a: np.ndarray[Any, Any], skip_nan: bool = False) -> np.ndarray[Any, Any]:
    """p5, p50, p95 over the first (draw) axis; the data is laid out draw-last first and
    sorted: numpy's vectorised sort is about 3x faster than the selection ``quantile`` does for
    its six order statistics, which sorted rows then give by their index (``_of_sorted``).
    The same values as ``np.quantile`` either way (tests/test_results_netcdf.py)."""
    ordered = np.array(np.moveaxis(a, 0, -1), order="C")  # a copy: sorted in place
    ordered.sort(axis=-1)
    if skip_nan or ordered.shape[-1] == 0:
        fn = np.nanquantile if skip_nan else np.quantile
        return np.asarray(fn(ordered, list(QUANTILES.values()), axis=-1))
    return _of_sorted(ordered)


#: values of an array from which the quantiles of several are taken on every core
SIDE_BY_SIDE_FROM = 1 << 18


def quantiles_of_many(
    arrays: Iterable[np.ndarray[Any, Any]], quiet: bool = False
) -> list[np.ndarray[Any, Any]]:
    """``quantiles_over_draws`` of each array (none with NaN), in order; ``quiet`` silences
    numpy's floating-point warnings (infinite draws). Arrays of ``SIDE_BY_SIDE_FROM`` values
    or more go on threads, one a core, a few at a time (``arrays`` may be made one by one, so
    only a few are alive at once): most of the time is numpy's sort, which releases the
    interpreter lock, and a streamed run's block workers are done when its files are written
    (a 10^6-draw run sorts about 150 kept (65,536 x 20) arrays there)."""
    from .uncertainty.cores import default_workers

    def one(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        if not quiet:
            return quantiles_over_draws(a)
        with np.errstate(all="ignore"):  # per thread
            return quantiles_over_draws(a)

    workers = default_workers()
    out: list[np.ndarray[Any, Any]] = []
    rest = iter(arrays)
    with ThreadPoolExecutor(workers, thread_name_prefix="evpact-quantiles") as pool:
        while window := list(islice(rest, workers)):
            if workers > 1 and min(a.size for a in window) >= SIDE_BY_SIDE_FROM:
                out.extend(pool.map(one, window))
            else:
                out.extend(one(a) for a in window)
    return out


def _of_sorted(ordered: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``np.quantile(ordered, q, axis=-1)`` (method "linear", Hyndman and Fan 1996 type 7) of
    rows already sorted (NaN last): numpy's own steps (``_quantile``, ``_lerp``) in its dtypes,
    without the partition along a strided axis it would do first (2 of 5.7 ms for 65,536 x 20
    draws in single precision)."""
    n = ordered.shape[-1]
    virtual = (n - 1) * np.asarray(list(QUANTILES.values()))
    previous = np.floor(virtual)
    following = previous + 1
    last = virtual >= n - 1  # numpy takes the largest value there
    previous[last] = following[last] = -1
    gamma = (virtual - previous).reshape((-1,) + (1,) * (ordered.ndim - 1))
    low = np.moveaxis(ordered[..., previous.astype(np.intp)], -1, 0)
    high = np.moveaxis(ordered[..., following.astype(np.intp)], -1, 0)
    diff = high - low  # in the draws' precision, as numpy's _lerp
    out = np.add(low, diff * gamma)
    np.subtract(high, diff * (1 - gamma), out=out, where=gamma >= 0.5, casting="unsafe")
    with_nan = np.isnan(ordered[..., -1])
    if with_nan.any():  # a row with NaN has no quantiles
        np.copyto(out, ordered[..., -1], where=with_nan)
    return out


def summary_table(
    metrics: dict[str, Metric],
    stats: Callable[[str], dict[str, float | None]] | None = None,
) -> pd.DataFrame:
    """Tidy table of per-draw metrics: metric, kind (impact or level), unit, mean, p5, p50,
    p95; ``stats`` (by metric name) defaults to ``statistics`` of the draws given."""

    def of(name: str) -> dict[str, float | None]:
        return stats(name) if stats is not None else statistics(metrics[name].values)

    rows = [
        {"metric": name, "kind": m.kind, "unit": m.unit, **of(name)} for name, m in metrics.items()
    ]
    return pd.DataFrame(rows, columns=["metric", "kind", "unit", "mean", "p5", "p50", "p95"])


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


class Results:
    """Scenario and counterfactual datasets (draw x year [x plant | deal | payer]) + provenance."""

    def __init__(
        self,
        scenario: xr.Dataset,
        counterfactual: xr.Dataset,
        meta: dict[str, Any],
        *,
        scenario_model: Scenario | None = None,
        counterfactual_model: Scenario | None = None,
        metrics: dict[str, Metric] | None = None,
        totals: Totals | None = None,
    ) -> None:
        self._metrics = metrics
        self._totals = totals
        #: B's own levels when this run compares A with B (set by ``compare``), in the summary
        self.levels_b: dict[str, dict[str, Any]] | None = None
        self.scenario = scenario
        self.counterfactual = counterfactual
        self.meta = dict(meta)
        self.scenario_model = scenario_model
        self.counterfactual_model = counterfactual_model
        for ds in (scenario, counterfactual):
            ds.attrs.update(
                {
                    k: json.dumps(v) if isinstance(v, list | dict | bool) or v is None else v
                    for k, v in self.meta.items()
                }
            )

    def __repr__(self) -> str:
        m = self.meta
        return (
            f"<Results {m['scenario']} vs {m['counterfactual']}: {m['draws']} draws, "
            f"{m['horizon'][0]}-{m['horizon'][1]}, seed {m['seed']}>"
        )

    @cached_property
    def impact(self) -> xr.Dataset:
        """Scenario minus counterfactual for every yearly variable, draw by draw."""
        names = list(VARIABLES)
        diff = self.scenario[names] - self.counterfactual[names]
        for n in names:
            diff[n].attrs = self.scenario[n].attrs
        return diff

    def impact_of(self, name: str) -> np.ndarray[Any, Any]:
        """One variable's impact (draw, year), without building the whole impact dataset."""
        return np.asarray(self.scenario[name].values - self.counterfactual[name].values)

    @cached_property
    def metrics(self) -> dict[str, Metric]:
        """Every metric for every draw (computed block by block when the run made them)."""
        if self._metrics is not None:
            return self._metrics
        s = {n: self.scenario[n].values for n in METRIC_INPUTS}
        c = {n: self.counterfactual[n].values for n in METRIC_INPUTS}
        return draw_metrics(
            s, c, self.scenario["year"].values, self.meta["price_year"], _firms(self.scenario)
        )

    @cached_property
    def totals(self) -> Totals:
        """Exact aggregates over every draw (from the run, or rebuilt from the kept draws)."""
        if self._totals is not None:
            return self._totals
        totals = Totals(self.scenario.sizes["draw"])
        worlds = [
            {str(n): ds[n].values for n in ds.data_vars}
            for ds in (self.scenario, self.counterfactual)
        ]
        totals.add(self.metrics, worlds)
        return totals

    @property
    def streamed(self) -> bool:
        """True when the run kept only its first draws (quantiles from that subsample)."""
        return bool(self.meta.get("kept_draws", self.meta["draws"]) < self.meta["draws"])

    def _statistics(self, name: str) -> dict[str, float | None]:
        """Quantiles from the kept draws, mean from every draw (exact either way)."""
        stats = statistics(self.metrics[name].values)
        if self.streamed:
            stats["mean"] = self.totals.mean(name)
        return stats

    def summary(self) -> pd.DataFrame:
        """Tidy table: metric, kind (impact or level), unit, mean, p5, p50, p95."""
        return summary_table(self.metrics, self._statistics)

    def reference_levels(self) -> dict[str, dict[str, Any]]:
        """Level metrics of the counterfactual world itself (B in ``compare A B``), over the
        kept draws: a level is one world's own value, so a comparison shows A's and B's side
        by side rather than a difference."""
        if not any(m.kind == "level" for m in self.metrics.values()):
            return {}
        b = {n: self.counterfactual[n].values for n in METRIC_INPUTS}
        a = {n: self.scenario[n].values for n in METRIC_INPUTS}
        swapped = draw_metrics(
            b, a, self.scenario["year"].values, self.meta["price_year"], _firms(self.counterfactual)
        )
        return {
            name: {"unit": m.unit, "kind": m.kind, **statistics(m.values)}
            for name, m in swapped.items()
            if m.kind == "level"
        }

    @cached_property
    def warnings(self) -> list[str]:
        """Inputs that were valid but did nothing in this run (see ``advisories``)."""
        if self.scenario_model is None:
            return []
        return run_warnings(self.scenario_model, self.scenario)

    def summary_dict(self) -> dict[str, Any]:
        """The summary JSON contract of ``evpact run --json``."""
        m = self.meta
        metrics = {
            name: {"unit": x.unit, "kind": x.kind, **self._statistics(name)}
            for name, x in self.metrics.items()
        }
        return {
            "scenario": m["scenario"],
            "counterfactual": m["counterfactual"],
            "model_version": m["model_version"],
            "data_version": m["data_version"],
            "scenario_sha256": m["scenario_sha256"],
            "seed": m["seed"],
            "draws": m["draws"],
            "horizon": m["horizon"],
            "metrics": metrics,
            "fiscal_conventions": (
                conventions(self.scenario_model) if self.scenario_model is not None else None
            ),
            "risk": self.risk(),
            "trade": self.trade_series(),
            "warnings": self.warnings,
            **({} if self.levels_b is None else {"levels_b": self.levels_b}),
        }

    def trade_series(self) -> dict[str, Any] | None:
        """Yearly trade series (means over every draw): the share of home-assembled vehicles
        that qualify under USMCA (scenario level) and the impacts on US duties, Canada's
        surtax and its remission. None when the scenario has no trade section."""
        model = self.scenario_model
        if model is None or model.trade is None:
            return None
        years = [int(y) for y in self.scenario["year"].values]
        worlds = (self.scenario, self.counterfactual)

        def mean(world: int, name: str) -> np.ndarray[Any, Any]:
            """Over every draw: streamed runs' exact totals, else the kept arrays (so the
            numbers do not depend on the block size)."""
            if self.streamed:
                return np.asarray(self.totals.yearly_mean(world, name))
            return np.asarray(worlds[world][name].values.mean(axis=0, dtype=np.float64))

        qualifying = mean(0, "vehicles_usmca_qualifying")
        assembled = mean(0, "vehicles_assembled")
        cad = self.scenario["us_tariff_cost_cad"].attrs["units"]

        def impact(name: str) -> list[float | None]:
            return [_finite(float(x)) for x in mean(0, name) - mean(1, name)]

        return {
            "rules": list(model.trade.rules),
            "years": years,
            "units": {
                "usmca_qualifying_share": "share",
                **{n: cad for n in TRADE_FLOWS},
            },
            "usmca_qualifying_share": [
                _finite(float(q / a)) if a > 0 else None
                for q, a in zip(qualifying, assembled, strict=True)
            ],
            **{name: impact(name) for name in TRADE_FLOWS},
        }

    def origin_table(self) -> pd.DataFrame:
        """Per assembly plant and year: RVC, LVC, steel and aluminium against their rules,
        whether the vehicle qualifies, by what margin, and the single input change that would
        make it qualify (medians over the kept draws; qualification is the mean share)."""
        model = self.scenario_model
        columns = [
            "plant", "year", "vehicles", "pack_rvc_pct", "core_rvc_threshold_pct",
            "rvc_pct", "rvc_threshold_pct", "rvc_margin_pp",
            "lvc_pct", "lvc_threshold_pct", "steel_aluminium_pct", "steel_aluminium_threshold_pct",
            "qualifying_share", "min_originating_cell_share", "change_to_qualify",
        ]  # fmt: skip
        if model is None or model.trade is None:
            return pd.DataFrame(columns=columns)
        from .scenario.rules import load_rule_pack, yearly

        years = self.scenario["year"].values
        packs = [load_rule_pack(ref, model._origin) for ref in model.trade.rules]
        rule = {
            name: yearly(packs, name, years)
            for name in (
                "rvc_threshold",
                "core_rvc_threshold",
                "lvc_threshold",
                "steel_aluminium_threshold",
            )
        }
        ds = self.scenario
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # years without output are NaN
            for i, plant in enumerate(ds["assembly"].values):
                made = ds["assembly_vehicles"].values[:, i, :].mean(axis=0)
                med = {
                    k: np.nanmedian(ds[f"assembly_{k}"].values[:, i, :], axis=0)
                    for k in (
                        "rvc_pct",
                        "pack_rvc_pct",
                        "lvc_pct",
                        "steel_aluminium_pct",
                        "min_cell_share",
                    )
                }
                share = np.nanmean(ds["assembly_usmca_qualifying"].values[:, i, :], axis=0)
                for j, year in enumerate(years):
                    if not made[j] > 0:
                        continue
                    r, lv, st = (med[k][j] for k in ("rvc_pct", "lvc_pct", "steel_aluminium_pct"))
                    t = {k: 100 * float(v[j]) for k, v in rule.items()}
                    rows.append(
                        {
                            "plant": str(plant),
                            "year": int(year),
                            "vehicles": float(made[j]),
                            "pack_rvc_pct": float(med["pack_rvc_pct"][j]),
                            "core_rvc_threshold_pct": t["core_rvc_threshold"],
                            "rvc_pct": float(r),
                            "rvc_threshold_pct": t["rvc_threshold"],
                            "rvc_margin_pp": float(r) - t["rvc_threshold"],
                            "lvc_pct": float(lv),
                            "lvc_threshold_pct": t["lvc_threshold"],
                            "steel_aluminium_pct": float(st),
                            "steel_aluminium_threshold_pct": t["steel_aluminium_threshold"],
                            "qualifying_share": float(share[j]),
                            "min_originating_cell_share": float(med["min_cell_share"][j]),
                            "change_to_qualify": _change(
                                float(share[j]),
                                float(med["min_cell_share"][j]),
                                min(
                                    float(r) - t["rvc_threshold"],
                                    float(med["pack_rvc_pct"][j]) - t["core_rvc_threshold"],
                                ),
                                float(lv) - t["lvc_threshold"],
                                float(st) - t["steel_aluminium_threshold"],
                            ),
                        }
                    )
        return pd.DataFrame(rows, columns=columns)

    def risk(self) -> dict[str, Any]:
        """Tail and probability figures that are not per-draw statistics: expected shortfall
        (CVaR 5%) of the fiscal balance, the probability the linkage holds in each year and
        over the deal, and the probability of breaking even within the horizon."""
        t = self.totals
        cad = self.metrics["fiscal_net_npv"].unit
        years = [int(y) for y in self.scenario["year"].values]
        assert t.held is not None and t.measured is not None
        by_year = {
            str(y): (float(h / n) if n else None)
            for y, h, n in zip(years, t.held, t.measured, strict=True)
        }
        return {
            **{
                f"{name}_cvar5": {"unit": cad, "value": t.expected_shortfall(name)}
                for name in TAIL_METRICS
            },
            "breakeven_within_horizon_probability": {
                scope: t.mean(f"fiscal_breakeven_year_{scope}_reached_share")
                for scope in ("plant", "supply_chain", "total")
            },
            "linkage_holds_over_deal_probability": t.mean("linkage_holds_over_deal"),
            "linkage_holds_probability_by_year": by_year,
        }

    def draws_frame(self) -> pd.DataFrame:
        """One row per draw, one column per metric."""
        df = pd.DataFrame({name: m.values for name, m in self.metrics.items()})
        df.index.name = "draw"
        return df

    def to_frame(self, which: str = "impact") -> pd.DataFrame:
        """Yearly variables per draw, one row per (draw, year): ``impact``, ``scenario`` or
        ``counterfactual``."""
        sources = {
            "impact": self.impact,
            "scenario": self.scenario,
            "counterfactual": self.counterfactual,
        }
        if which not in sources:
            raise EvpactError(f"to_frame takes one of {list(sources)}, got '{which}'")
        return sources[which][list(VARIABLES)].to_dataframe()

    def yearly_summary(self) -> pd.DataFrame:
        """Per variable and year: impact mean and 90% interval."""
        frames = []
        means: dict[str, np.ndarray[Any, Any]] = {}

        def impacts() -> Iterator[np.ndarray[Any, Any]]:
            """Each variable's impact, made as the quantiles need it (each is draws x years)."""
            for name in VARIABLES:
                a = self.impact_of(name)
                means[name] = (
                    self.totals.yearly_mean(0, name) - self.totals.yearly_mean(1, name)
                    if self.streamed
                    else a.mean(axis=0, dtype=np.float64)
                )
                yield a

        quantiles = quantiles_of_many(impacts())
        for name, q in zip(VARIABLES, quantiles, strict=True):
            frames.append(
                pd.DataFrame(
                    {
                        "variable": name,
                        "unit": self.scenario[name].attrs["units"],
                        "year": self.scenario["year"].values,
                        "mean": means[name],
                        **{k: q[i] for i, k in enumerate(QUANTILES)},
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def compare(self, other: Results) -> Results:
        """This scenario against another run's scenario, draw by draw (same seed and draws).
        Both runs must have kept every draw (``keep_draws=True`` past ``SUBSAMPLE`` draws).

        Runs of more than ``PER_DRAW_LIMIT`` draws keep their yearly arrays in single
        precision, so metrics compared this way agree with a direct run
        (``simulate(a, counterfactual=b)``) to about seven digits.
        """
        a, b = self.meta, other.meta
        if self.streamed or other.streamed:
            raise EvpactError(
                "compare needs runs that kept every draw: run with "
                "keep_draws=True, or use simulate(a, counterfactual=b)"
            )
        if (a["seed"], a["draws"]) != (b["seed"], b["draws"]):
            raise EvpactError(
                "compare needs runs with the same seed and number of draws (common random numbers)"
            )
        if a["horizon"] != b["horizon"]:
            raise EvpactError(f"horizons differ: {a['horizon']} vs {b['horizon']}")
        meta = {**a, "counterfactual": b["scenario"]}
        return Results(
            self.scenario,
            other.scenario,
            meta,
            scenario_model=self.scenario_model,
            counterfactual_model=other.scenario_model,
        )

    def write(self, out: Path) -> list[Path]:
        """Summary JSON and CSV, yearly summaries, per-draw metrics, NetCDF and the resolved
        scenarios, all written before any replaces a file of ``out`` (see ``atomic``).
        Returns the files written."""
        from .atomic import staged
        from .scenario.load import to_yaml

        files: dict[str, Callable[[Path], Any]] = {
            "summary.json": lambda p: p.write_text(json.dumps(self.summary_dict(), indent=2)),
            "summary.csv": lambda p: self.summary().to_csv(p, index=False),
            "yearly.csv": lambda p: self.yearly_summary().to_csv(p, index=False),
            "results.nc": self._write_netcdf,
        }
        if self.meta["draws"] <= PER_DRAW_LIMIT:  # larger runs keep them in results.nc only
            files["draws.csv"] = lambda p: self.draws_frame().to_csv(p)
        for label, model in (
            ("scenario", self.scenario_model),
            ("counterfactual", self.counterfactual_model),
        ):
            if model is not None:
                files[f"{label}.yaml"] = partial(_write_yaml, text=to_yaml(model))
        with staged(out) as tmp:
            for name, writer in files.items():
                writer(tmp / name)
        return [out / name for name in files]

    def _write_netcdf(self, path: Path) -> None:
        """Groups ``scenario`` and ``counterfactual`` (every draw, or yearly statistics past
        ``PER_DRAW_LIMIT`` draws) and ``metrics`` (every metric for every draw)."""
        path.unlink(missing_ok=True)
        metrics = xr.Dataset(
            {
                n: xr.Variable(  # the fast path: no probe for dask arrays (to_dataset)
                    ("draw",),
                    np.asarray(m.values),
                    {"units": m.unit, "description": m.description},
                    fastpath=True,
                )
                for n, m in self.metrics.items()
            },
            attrs=self.scenario.attrs,
        )
        groups = {"scenario": self.scenario, "counterfactual": self.counterfactual}
        for i, (group, ds) in enumerate(groups.items()):
            if self.meta["draws"] > PER_DRAW_LIMIT:
                exact = {n: self.totals.yearly_mean(i, n) for n in self.totals.yearly[i]}
                groups[group] = _yearly_statistics(ds, exact if self.streamed else None)
        groups["metrics"] = metrics
        engine = netcdf_engine()
        if engine == "netcdf4":
            _write_groups(path, groups)
            return
        for i, (group, ds) in enumerate(groups.items()):
            ds.to_netcdf(path, group=group, mode="w" if i == 0 else "a", engine=engine)


def _write_groups(path: Path, groups: dict[str, xr.Dataset]) -> None:
    """Every group through one open netCDF4 file, each encoded by xarray as ``to_netcdf``
    would. ``to_netcdf`` reopens the file per group and, to choose a lock, imports dask and
    distributed (about 0.5 s) even when no array is a dask array; here the lock is the one
    xarray gives netCDF4 writes, without the per-file write lock of dask schedulers."""
    from xarray.backends.netCDF4_ import NETCDF4_PYTHON_LOCK, NetCDF4DataStore

    root = NetCDF4DataStore.open(  # type: ignore[no-untyped-call]
        str(path), mode="w", format="NETCDF4", lock=NETCDF4_PYTHON_LOCK
    )
    try:
        for group, ds in groups.items():
            ds.dump_to_store(root.get_child_store(group))
    finally:
        root.close()


def netcdf_engine() -> Literal["netcdf4", "h5netcdf"]:
    """The netCDF library results.nc is written with: the netCDF-C library (``netCDF4``)
    where installed, else ``h5netcdf``. Both write the same NetCDF-4 file (groups, variables,
    attributes; tests/test_results_netcdf.py), but h5netcdf creates each variable through
    dozens of h5py look-ups: with about 170 variables it took 3-4x as long
    (benchmarks/RESULTS.md, "Round 2")."""
    from importlib.util import find_spec

    return "netcdf4" if find_spec("netCDF4") is not None else "h5netcdf"


def _write_yaml(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


#: yearly trade flows of the summary's trade block (impacts, CAD)
TRADE_FLOWS = ("us_tariff_cost_cad", "ca_counter_tariff_cad", "remission_value_cad")


def _change(share: float, cells: float, rvc_pp: float, lvc_pp: float, steel_pp: float) -> str:
    """The one input change that would make a vehicle qualify, in words."""
    if share >= 0.5:
        return "qualifies"
    if math.isfinite(cells):
        return f"originating cell share >= {100 * cells:.0f}%"
    short = {
        "RVC (vehicle or battery pack)": rvc_pp,
        "labour value content": lvc_pp,
        "North American steel and aluminium purchases": steel_pp,
    }
    failing = {k: -v for k, v in short.items() if v < 0}
    if len(failing) == 1:
        what, gap = next(iter(failing.items()))
        return f"{what} +{gap:.1f} pp"
    if not failing:
        return "pack or other core parts below the core-part rate"
    return "no single input change (" + ", ".join(failing) + " short)"


def _yearly_statistics(
    ds: xr.Dataset, means: dict[str, np.ndarray[Any, Any]] | None = None
) -> xr.Dataset:
    """Mean and quantiles over draws of every yearly variable (dims stat x [...] x year);
    NaN (a year the linkage is not measured) is left out of that year's statistics. ``means``
    replaces the kept draws' means by a streamed run's exact means over all draws."""
    stats = ["mean", *QUANTILES]
    data = {}
    yearly = {
        name: var.values for name, var in ds.data_vars.items() if "year" in var.dims and var.size
    }
    has_nan = {name: bool(np.isnan(a).any()) for name, a in yearly.items()}
    plain = [name for name in yearly if not has_nan[name]]
    # silently, as below: infinite draws give NaN quantiles
    sorted_q = dict(zip(plain, quantiles_of_many([yearly[n] for n in plain], True), strict=True))
    for name, a in yearly.items():
        var = ds[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN years stay NaN
            if means is not None and name in means:  # the exact mean over all draws
                mean = np.asarray(means[name])
            else:
                average = np.nanmean if has_nan[name] else np.mean
                mean = np.asarray(average(a, axis=0, dtype=np.float64))
            q = sorted_q[name] if name in sorted_q else quantiles_over_draws(a, skip_nan=True)
        data[name] = (("stat", *var.dims[1:]), np.concatenate([mean[None], q]), var.attrs)
    coords = {k: v for k, v in ds.coords.items() if "draw" not in v.dims}
    contents = f"statistics over draws (more than {PER_DRAW_LIMIT} draws)"
    if means is not None:
        contents = (
            f"mean over all {ds.attrs.get('draws')} draws; quantiles over the first "
            f"{ds.attrs.get('kept_draws')} (rank error at most "
            f"{float(ds.attrs.get('quantile_rank_error', 0)):.4f}, see "
            "uncertainty/reduce.py)"
        )
    attrs = {**ds.attrs, "contents": contents}
    return xr.Dataset(data, coords={**coords, "stat": stats}, attrs=attrs)


def _firms(ds: xr.Dataset) -> tuple[str, ...]:
    """The ids of a world's firms, in the order of its per-firm arrays."""
    return tuple(str(f) for f in ds["firm"].values) if "firm" in ds.coords else ()
