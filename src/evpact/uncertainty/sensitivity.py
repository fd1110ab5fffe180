"""Global sensitivity analysis with SALib: which uncertain inputs drive each metric.

Sample, evaluate, analyse, as SALib does. SALib samples uniforms in [0, 1] (one column per
uncertain input); an *evaluate hook* maps them to outputs. For evpact the hook sends each
column through its input's inverse CDF (``ppf``), so every distribution (and every yearly path)
is handled the same way, and runs the scenario and its counterfactual on the same columns:
an input both share is one column, exactly as common random numbers work in ``sampling``.
The analysis itself knows nothing of evpact, so it is checked on SALib's Ishigami function.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from SALib.analyze import delta as delta_analyze  # type: ignore[import-untyped]
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin as latin_sample  # type: ignore[import-untyped]
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from ..engine.compile import Model
from ..engine.firms import ids as firm_ids
from ..engine.reuse import compiled
from ..engine.simulate import simulate
from ..errors import EvpactError
from ..metrics import draw_metrics
from ..scenario.load import load_counterfactual, load_scenario, vary
from ..scenario.model import Scenario
from ..scenario.types import check_seed
from .montecarlo import CHUNK
from .sampling import central
from .sampling import sample as sample_inputs

FloatArray = np.ndarray[Any, Any]

METHODS = ("sobol", "morris", "delta")
#: the index that ranks inputs, and the one the charts show first
MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "delta": "delta"}
#: samples when none are given: Sobol' base rows, Morris trajectories, Latin hypercube rows
DEFAULT_SAMPLES = {"sobol": 256, "morris": 20, "delta": 1000}
DEFAULT_OUTPUTS = (
    "total_jobs_peak",
    "fiscal_net_npv",
    "fiscal_breakeven_year_total",
    "local_absorption_share",
)
COLUMNS = ("output", "input", "index", "value", "conf", "rank", "note")
NOISE = "numerical noise: the index is indistinguishable from 0"
NEAR_NOISE = "likely noise: just outside its 95% interval, which misses 1 time in 20"
#: quantiles reach the engine clipped to [EPS, 1 - EPS]: Morris grids put levels at exactly 0
#: and 1, where unbounded distributions (normal, lognormal) have infinite quantiles
EPS = 1e-3
MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
#: bootstrap resamples for the confidence intervals; SALib's delta resamples its estimate
#: too (kernel densities per class), at about 0.07 s per resample, input and output for
#: 1,000 rows: 20 keeps a 45-input scenario near a minute instead of five
RESAMPLES = {"sobol": 100, "morris": 100, "delta": 20}

Evaluate = Callable[[FloatArray, Sequence[str]], Mapping[str, FloatArray]]
Progress = Callable[[int, int], None]


class Problem(TypedDict):
    """SALib's problem definition: one uniform [0, 1] column per uncertain input."""

    num_vars: int
    names: list[str]
    bounds: list[list[float]]


class SensitivityWarning(UserWarning):
    """Something that limits how far a sensitivity result can be trusted."""


def _warn(message: str) -> None:
    warnings.warn(message, SensitivityWarning, stacklevel=3)


# --- problem and evaluate hooks -----------------------------------------------------------


def make_problem(names: Sequence[str]) -> Problem:
    """A problem over named uniform [0, 1] columns."""
    if len(set(names)) != len(names):
        raise ValueError("input names must be unique")
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0] for _ in names]}


def problem(model_a: Model, model_b: Model | None = None) -> Problem:
    """The uncertain inputs of a scenario and its counterfactual, one column per path.

    Paths in both models share a column (common random numbers): the sensitivity of an
    impact to, say, the EV share moves both worlds together, as a Monte Carlo run does.
    """
    names: dict[str, None] = {}
    for m in (model_a, model_b):
        if m is not None:
            names.update((path, None) for path, d in m.inputs.items() if not d.is_fixed)
    return make_problem(list(names))


def evaluator(
    model_a: Model,
    model_b: Model,
    price_year: int,
    progress: Progress | None = None,
    block: int = CHUNK,
) -> Evaluate:
    """The evpact hook: uniforms (rows, inputs) -> every metric per row (impacts of a on b).

    Rows run through the engine ``block`` at a time, so memory stays bounded whatever the
    sample size; each block is one vectorised pass per model.
    """
    models = (model_a, model_b)
    uncertain = [[p for p, d in m.inputs.items() if not d.is_fixed] for m in models]

    def evaluate(u: FloatArray, names: Sequence[str]) -> dict[str, FloatArray]:
        column = {name: j for j, name in enumerate(names)}
        missing = sorted({p for paths in uncertain for p in paths} - set(column))
        if missing:
            raise ValueError(f"no sample column for uncertain inputs {missing}")
        u = np.clip(np.asarray(u, dtype=float), EPS, 1.0 - EPS)
        n = u.shape[0]
        out: dict[str, FloatArray] = {}
        for start in range(0, n, block):
            stop = min(start + block, n)
            rows = {p: u[start:stop, j] for p, j in column.items()}
            arrays = [
                simulate(m, sample_inputs(m.inputs, 0, start, stop, u=rows), stop - start)
                for m in models
            ]
            for name, metric in draw_metrics(
                arrays[0], arrays[1], model_a.years, price_year, firm_ids(model_a.firms)
            ).items():
                if name not in out:
                    out[name] = np.empty(n)
                out[name][start:stop] = metric.values
            if progress:
                progress(stop, n)
        return out

    return evaluate


# --- sample and analyse -------------------------------------------------------------------


def min_samples(method: str, k: int) -> int:
    """Smallest sample size without a warning (see docs/model.md, Sensitivity analysis).

    Sobol': 64 base rows, and at least 2 per input, since the Sobol' design has 2k
    dimensions; Morris: 10 trajectories; delta: 500 rows, about 100 per conditioning class.
    """
    if method == "sobol":
        return max(64, 2 * k)
    if method == "morris":
        return 10
    return 500


def _check(method: str, samples: int) -> None:
    if method not in METHODS:
        raise EvpactError(f"unknown method '{method}'; use one of {', '.join(METHODS)}")
    if samples < 2:
        raise EvpactError(f"samples must be at least 2, got {samples}")


def _check_outputs(outputs: Sequence[str], known: Sequence[str]) -> None:
    if not outputs:
        raise EvpactError("name at least one output")
    unknown = [o for o in outputs if o not in known]
    if unknown:
        raise EvpactError(
            f"unknown output {', '.join(map(repr, unknown))}; available: {', '.join(known)}"
        )


def sample(
    prob: Problem, method: str, samples: int, seed: int, second_order: bool = False
) -> FloatArray:
    """SALib's design for ``method``: rows of uniforms, one column per input.

    Sobol': N (k + 2) rows (N (2k + 2) with second order), scrambled with the seed;
    Morris: N (k + 1) rows on a 4-level grid; delta: N Latin hypercube rows.
    """
    _check(method, samples)
    k = prob["num_vars"]
    if method == "sobol" and samples & (samples - 1):
        _warn(
            f"sobol: {samples} samples is not a power of two; the Sobol' sequence loses its "
            f"balance properties: use {1 << (samples - 1).bit_length()} or "
            f"{1 << (samples.bit_length() - 1)}"
        )
    if samples < min_samples(method, k):
        unit = "trajectories" if method == "morris" else "samples"
        _warn(
            f"{method}: {samples} {unit} for {k} inputs is few; use at least "
            f"{min_samples(method, k)}: indices will be noisy and their intervals wide"
        )
    if method == "sobol":
        with warnings.catch_warnings():  # evpact's own warning above says it once, with advice
            warnings.filterwarnings("ignore", "The balance properties of Sobol", UserWarning)
            return np.asarray(
                sobol_sample.sample(
                    dict(prob), samples, calc_second_order=second_order, scramble=True, seed=seed
                )
            )
    # Morris and Latin hypercube seed NumPy's legacy generator, which takes 32-bit seeds only
    legacy = seed if seed < 2**32 else int(np.random.SeedSequence(seed).generate_state(1)[0])
    if method == "morris":
        return np.asarray(
            morris_sample.sample(dict(prob), samples, num_levels=MORRIS_LEVELS, seed=legacy)
        )
    return np.asarray(latin_sample.sample(dict(prob), samples, seed=legacy))


@contextmanager
def _salib_warnings(output: str, method: str) -> Iterator[None]:
    """Contain SALib's warnings and global state; re-issue each warning once, labelled.

    SALib's delta analyser sets global warning filters and formatter and seeds numpy's
    global generator: all of that is restored here. BLAS runs on one thread: the analysers
    solve thousands of tiny systems (kernel densities), where threads only contend (on two
    busy cores, delta took 9 s instead of 0.2 s).
    """
    formatter = warnings.formatwarning
    state = np.random.get_state()
    try:
        with warnings.catch_warnings(record=True) as caught, threadpool_limits(1, "blas"):
            warnings.simplefilter("always")
            yield
    finally:
        warnings.formatwarning = formatter
        np.random.set_state(state)
    seen: set[str] = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text not in seen:
            seen.add(text)
            _warn(f"{output}: SALib {method}: {text}")


def _indices(
    method: str,
    prob: Problem,
    u: FloatArray,
    y: FloatArray,
    seed: int,
    second_order: bool,
) -> list[tuple[str, str, float, float]]:
    """(input, index, value, conf) rows from SALib's analyser for ``method``."""
    names = prob["names"]
    rows: list[tuple[str, str, float, float]] = []
    if method == "sobol":
        s = sobol_analyze.analyze(
            dict(prob),
            y,
            calc_second_order=second_order,
            num_resamples=RESAMPLES[method],
            conf_level=CONF_LEVEL,
            seed=seed,
        )
        for index in ("S1", "ST"):
            rows += [
                (n, index, float(v), float(c))
                for n, v, c in zip(names, s[index], s[f"{index}_conf"], strict=True)
            ]
        if second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    pair = f"{names[i]} & {names[j]}"
                    rows.append((pair, "S2", float(s["S2"][i, j]), float(s["S2_conf"][i, j])))
        return rows
    if method == "morris":
        s = morris_analyze.analyze(
            dict(prob),
            u,
            y,
            num_resamples=RESAMPLES[method],
            conf_level=CONF_LEVEL,
            num_levels=MORRIS_LEVELS,
            seed=seed,
        )
        rows += [
            (n, "mu_star", float(v), float(c))
            for n, v, c in zip(names, s["mu_star"], s["mu_star_conf"], strict=True)
        ]
        rows += [(n, "sigma", float(v), math.nan) for n, v in zip(names, s["sigma"], strict=True)]
        return rows
    # delta: the "raw" estimator is Borgonovo's delta from the given (Latin hypercube) rows
    s = delta_analyze.analyze(
        dict(prob),
        u,
        y,
        num_resamples=RESAMPLES[method],
        conf_level=CONF_LEVEL,
        seed=seed,
        method="all",
    )
    for index, key in (("delta", "delta_raw"), ("S1", "S1")):
        rows += [
            (n, index, float(v), float(c))
            for n, v, c in zip(names, s[key], s[f"{key}_conf"], strict=True)
        ]
    return rows


def _finite(name: str, y: FloatArray, fill: float | None) -> tuple[FloatArray | None, str | None]:
    """The output ready for SALib, or None and why it is skipped."""
    missing = np.isnan(y)
    if missing.any():
        share = f"{missing.sum():,} of {y.size:,} evaluations ({100 * missing.mean():.1f}%)"
        if fill is None:
            return None, f"{name} is undefined (NaN) in {share}; skipped"
        _warn(f"{name} is undefined (NaN) in {share}; they count as {fill:g} here")
        y = np.where(missing, fill, y)
    if not np.all(np.isfinite(y)):
        return None, f"{name} is infinite in some evaluations; skipped"
    if np.ptp(y) == 0:
        return None, f"{name} takes the same value in every evaluation: no input moves it; skipped"
    return y, None


def analyse(
    prob: Problem,
    evaluate: Evaluate,
    method: str = "sobol",
    samples: int | None = None,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    seed: int = 0,
    *,
    nan_fill: Mapping[str, float] | None = None,
    second_order: bool = False,
) -> pd.DataFrame:
    """Sensitivity indices of each output to each input, as a tidy, ranked table.

    Columns: ``output, input, index, value, conf`` (half-width of the 95% bootstrap
    interval), ``rank`` (1 = most influential by ``MAIN_INDEX[method]``) and ``note``.
    Indices: sobol ``S1, ST`` (``S2`` with ``second_order``); morris ``mu_star, sigma``
    (in output units per unit of quantile); delta ``delta, S1``. An output with NaN values
    uses ``nan_fill[output]`` in their place, or is skipped with a warning; notes that
    explain a result (e.g. negative indices that are noise) are in ``attrs["notes"]``.
    """
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else samples
    check_seed(seed)
    _check(method, samples)
    if not outputs:
        raise EvpactError("name at least one output")
    u = sample(prob, method, samples, seed, second_order)
    values = evaluate(u, prob["names"])
    _check_outputs(outputs, list(values))
    boot_seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    frames, notes = [], []
    for name in outputs:
        y, skipped = _finite(
            name, np.asarray(values[name], dtype=float), (nan_fill or {}).get(name)
        )
        if y is None:
            _warn(str(skipped))
            continue
        with _salib_warnings(name, method):
            rows = _indices(method, prob, u, y, boot_seed, second_order)
        frame = pd.DataFrame(rows, columns=["input", "index", "value", "conf"])
        frame.insert(0, "output", name)
        frames.append(frame)
        notes += _negatives(name, frame)
    table = _ranked(frames, method)
    table.attrs.update(
        method=method, samples=samples, evaluations=int(u.shape[0]), seed=seed, notes=notes
    )
    return table


def _negatives(output: str, frame: pd.DataFrame) -> list[str]:
    """Explain negative indices (true indices are >= 0); warn only when it is not noise.

    One 95% interval in twenty misses the true value, so with hundreds of indices a few
    negative ones just outside their interval are expected; below -2 conf they are not.
    """
    negative = frame["value"] < 0
    noise = negative & (frame["value"] + frame["conf"] >= 0)
    near = negative & ~noise & (frame["value"] + 2 * frame["conf"] >= 0)
    beyond = negative & ~noise & ~near & frame["conf"].notna()
    frame["note"] = np.select(
        [noise, near, beyond],
        [NOISE, NEAR_NOISE, "negative far beyond its interval: the estimate has not converged"],
        "",
    )
    notes = []
    if noise.any():
        notes.append(
            f"{output}: {int(noise.sum())} negative indices are {NOISE} "
            "(their 95% interval contains 0)"
        )
    if near.any():
        notes.append(f"{output}: {int(near.sum())} negative indices are {NEAR_NOISE}")
    if beyond.any():
        _warn(
            f"{output}: {int(beyond.sum())} indices are negative beyond twice their 95% interval "
            "(e.g. " + ", ".join(frame.loc[beyond, "input"].head(3)) + "); increase the samples"
        )
    return notes


def _ranked(frames: list[pd.DataFrame], method: str) -> pd.DataFrame:
    """One table, inputs ranked within each output by the method's main index."""
    if not frames:
        return pd.DataFrame({c: [] for c in COLUMNS})
    table = pd.concat(frames, ignore_index=True)
    main = table[table["index"] == MAIN_INDEX[method]]
    rank = main.groupby("output", sort=False)["value"].rank(
        ascending=False, method="first", na_option="bottom"
    )
    ranks = dict(zip(zip(main["output"], main["input"], strict=True), rank, strict=True))
    table["rank"] = pd.array(
        [ranks.get((o, i)) for o, i in zip(table["output"], table["input"], strict=True)],
        dtype="Int64",
    )
    order = {o: k for k, o in enumerate(dict.fromkeys(table["output"]))}
    index_order = {i: k for k, i in enumerate((MAIN_INDEX[method], "S1", "S2", "sigma"))}
    table = table.assign(
        _o=table["output"].map(order), _i=table["index"].map(index_order)
    ).sort_values(["_o", "rank", "_i"], na_position="last", kind="stable")
    return table.drop(columns=["_o", "_i"]).reset_index(drop=True)[list(COLUMNS)]


def top_inputs(table: pd.DataFrame, output: str, n: int = 15) -> list[str]:
    """The ``n`` most influential inputs of ``output``, most influential first."""
    rows = table[(table["output"] == output) & table["rank"].notna()]
    return list(dict.fromkeys(rows.sort_values("rank", kind="stable")["input"]))[:n]


# --- evpact end to end --------------------------------------------------------------------


def metric_units(model_a: Model, model_b: Model, price_year: int) -> dict[str, str]:
    """Every metric a run reports, with its unit, from one central run (cheap: one draw)."""
    arrays = [simulate(m, central(m.inputs), 1) for m in (model_a, model_b)]
    metrics = draw_metrics(arrays[0], arrays[1], model_a.years, price_year, firm_ids(model_a.firms))
    return {name: m.unit for name, m in metrics.items()}


def analyse_scenario(
    scenario: Scenario | str | Path,
    method: str = "sobol",
    samples: int | None = None,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    seed: int = 0,
    *,
    variant: dict[str, Any] | None = None,
    progress: Progress | None = None,
    second_order: bool = False,
) -> pd.DataFrame:
    """Sensitivity of a scenario's impacts (against its counterfactual) to its inputs.

    A year metric with no value in a draw (a break-even not reached, a linkage that never
    fails) counts as the year after the horizon: "later than the horizon" stays at the late
    end of the scale, as NaN sorts in ``summary``; the warning says how often.
    """
    samples = DEFAULT_SAMPLES.get(method, 0) if samples is None else samples
    check_seed(seed)
    _check(method, samples)
    if isinstance(scenario, Scenario):
        scenario = vary(scenario, variant) if variant else scenario
    else:
        scenario = load_scenario(scenario, variant)
    cf = load_counterfactual(scenario, variant)
    if cf.horizon != scenario.horizon:
        raise EvpactError(
            f"horizons differ: {scenario.name} {list(scenario.horizon)}, "
            f"{cf.name} {list(cf.horizon)}; compare runs over the same years"
        )
    a, b = compiled(scenario), compiled(cf)  # reused when the same worlds were compiled
    units = metric_units(a, b, scenario.price_year)
    _check_outputs(outputs, list(units))
    fill = {o: float(scenario.horizon[1] + 1) for o in outputs if units[o] == "year"}
    table = analyse(
        problem(a, b),
        evaluator(a, b, scenario.price_year, progress),
        method,
        samples,
        outputs,
        seed,
        nan_fill=fill,
        second_order=second_order,
    )
    table.attrs.update(scenario=scenario.name, counterfactual=cf.name)
    return table


__all__ = [
    "DEFAULT_OUTPUTS",
    "METHODS",
    "NOISE",
    "Problem",
    "SensitivityWarning",
    "analyse",
    "analyse_scenario",
    "evaluator",
    "make_problem",
    "problem",
    "sample",
    "top_inputs",
]
