"""Correlated uncertain inputs and sampling schemes (Monte Carlo, Latin hypercube, Sobol)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

import evpact
from cases import evpact_command
from evpact.engine.compile import compile_scenario
from evpact.errors import EvpactError
from evpact.scenario.load import (
    load_counterfactual,
    read_yaml,
    resolve,
    scenario_sha256,
    to_yaml,
    vary,
)
from evpact.scenario.model import Correlation
from evpact.uncertainty.sampling import (
    block_uniforms,
    normal_correlation,
    same_input,
    sample,
    uncertain_paths,
    uniforms,
    usable,
)

BASE = "canada-korea-2026"
PATHS = (
    "market.regions.US.ev_share",  # a yearly path
    "economy.cell_price_usd_per_kwh",  # a yearly path
    "plants.nextstar-windsor.ramp_years",  # a triangular distribution
)
RHO = ((1.0, 0.6, -0.4), (0.6, 1.0, 0.3), (-0.4, 0.3, 1.0))
NOT_PSD = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]
SEED = 20260129
N = 20_000


def with_correlations(*groups: dict[str, Any]) -> dict[str, Any]:
    raw = read_yaml(resolve(BASE))
    return {**raw, "correlations": list(groups)}


def group(inputs: Any = PATHS, matrix: Any = RHO) -> dict[str, Any]:
    return {"inputs": list(inputs), "matrix": [list(row) for row in matrix]}


def run_validate(file: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [*evpact_command(), "validate", str(file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def last_year(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A draw's value of a yearly path in its last year; a scalar input as is."""
    return values[:, -1] if values.ndim == 2 else values


@pytest.fixture(scope="module")
def model() -> Any:
    scenario = evpact.load_scenario(BASE, variant={"correlations": [group()]})
    return compile_scenario(scenario)


def draws(model: Any, scheme: str, n: int, correlated: bool = True) -> dict[str, Any]:
    paths = uncertain_paths(model.inputs)
    u = block_uniforms(paths, SEED, 0, n, n, scheme, model.correlations if correlated else ())
    return sample(model.inputs, SEED, 0, n, u=u)


# --- sampling -------------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "n"), [("mc", N), ("lhs", N), ("sobol", 16_384)])
def test_rank_correlations_match_the_request(model: Any, scheme: str, n: int) -> None:
    values = draws(model, scheme, n)
    x = np.column_stack([last_year(values[p]) for p in PATHS])
    np.testing.assert_allclose(stats.spearmanr(x).statistic, RHO, atol=0.03)
    # an input outside the group stays independent of it
    other = values["fx_cad_per_usd"]
    for p in PATHS:
        assert abs(stats.spearmanr(other, last_year(values[p])).statistic) < 0.03


def test_marginals_do_not_change(model: Any) -> None:
    paths = uncertain_paths(model.inputs)
    u = block_uniforms(paths, SEED, 0, N, N, "mc", model.correlations)
    for p in PATHS:
        assert stats.kstest(u[p], "uniform").pvalue > 0.01
        assert not np.array_equal(u[p], uniforms(SEED, p, 0, N))  # it did move
    correlated, independent = draws(model, "mc", N), draws(model, "mc", N, correlated=False)
    q = np.linspace(0.02, 0.98, 49)
    for p in PATHS:
        a, b = last_year(correlated[p]), last_year(independent[p])
        np.testing.assert_allclose(np.quantile(a, q), np.quantile(b, q), rtol=0.01)
    # inputs outside the group keep their own streams exactly
    np.testing.assert_array_equal(correlated["fx_cad_per_usd"], independent["fx_cad_per_usd"])


def chunked(
    paths: list[str], total: int, block: int, scheme: str, groups: Any
) -> dict[str, np.ndarray[Any, Any]]:
    parts = [
        block_uniforms(paths, 7, a, min(a + block, total), total, scheme, groups)
        for a in range(0, total, block)
    ]
    return {p: np.concatenate([part[p] for part in parts]) for p in paths}


@pytest.mark.parametrize("scheme", ["mc", "lhs", "sobol"])
def test_blocks_do_not_change_the_draws(model: Any, scheme: str) -> None:
    paths = uncertain_paths(model.inputs)
    total = 8192  # a power of two, so Sobol does not warn
    small = chunked(paths, total, 1000, scheme, model.correlations)
    large = chunked(paths, total, 7000, scheme, model.correlations)
    whole = block_uniforms(paths, 7, 0, total, total, scheme, model.correlations)
    for p in paths:
        np.testing.assert_array_equal(small[p], large[p])
        np.testing.assert_array_equal(small[p], whole[p])


def test_latin_hypercube_hits_every_stratum_once() -> None:
    paths = [f"x{i}" for i in range(12)]
    n = 500
    u = block_uniforms(paths, 3, 0, n, n, "lhs")
    for p in paths:
        assert sorted(np.floor(u[p] * n).astype(int)) == list(range(n))
        assert u[p].min() > 0 and u[p].max() < 1


@pytest.mark.parametrize("scheme", ["mc", "lhs", "sobol"])
def test_scenario_and_counterfactual_share_draws(model: Any, scheme: str) -> None:
    """Common random numbers: sampled over the union of both models' paths, an input the two
    share gets the same column, hence the same values, under every scheme."""
    scenario = evpact.load_scenario(BASE, variant={"correlations": [group()]})
    cf = compile_scenario(load_counterfactual(scenario))
    paths = uncertain_paths(model.inputs, cf.inputs)
    assert paths == sorted(paths) and "plants.hmg-ontario.start" in paths
    u = block_uniforms(paths, SEED, 0, 1024, 1024, scheme, model.correlations)
    a = sample(model.inputs, SEED, 0, 1024, u=u)
    b = sample(cf.inputs, SEED, 0, 1024, u=u)
    shared = [p for p in cf.inputs if p in model.inputs and not cf.inputs[p].is_fixed]
    assert set(PATHS) <= set(shared)
    for p in shared:
        if same_input(model.inputs[p], cf.inputs[p]):
            np.testing.assert_array_equal(a[p], b[p])


def test_sobol_warns_when_draws_are_not_a_power_of_two() -> None:
    with pytest.warns(UserWarning, match="power of two"):
        block_uniforms(["a", "b"], 1, 0, 100, 1000, "sobol")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "halton"}, "unknown sampling scheme"),
        ({"stop": 2000, "scheme": "lhs"}, "run past"),
    ],
)
def test_bad_blocks_are_refused(kwargs: dict[str, Any], message: str) -> None:
    args = {"paths": ["a"], "seed": 1, "start": 0, "stop": 10, "total": 1024, **kwargs}
    with pytest.raises(ValueError, match=message):
        block_uniforms(**args)


def test_default_sampling_is_unchanged(model: Any) -> None:
    """mc without correlations gives bit-identical values to the original per-path streams."""
    start, stop = 300, 1100
    before = {
        path: (
            np.asarray(d.central, dtype=float)
            if d.is_fixed
            else d.ppf(uniforms(SEED, path, start, stop))
        )
        for path, d in model.inputs.items()
    }
    plain = sample(model.inputs, SEED, start, stop)
    u = block_uniforms(uncertain_paths(model.inputs), SEED, start, stop, 5000)
    given = sample(model.inputs, SEED, start, stop, u=u)
    for path, value in before.items():
        np.testing.assert_array_equal(np.squeeze(plain[path]), np.squeeze(value))
        np.testing.assert_array_equal(given[path], plain[path])


def test_normal_scale_gives_the_rank_correlation_exactly() -> None:
    """Pearson's identity, checked with a large bivariate normal sample."""
    r = float(normal_correlation(np.array(0.5)))
    z = np.random.default_rng(0).multivariate_normal([0, 0], [[1, r], [r, 1]], 200_000)
    assert stats.spearmanr(z).statistic == pytest.approx(0.5, abs=0.005)


def test_singular_matrix_correlates_perfectly() -> None:
    g = Correlation(inputs=("a", "b"), matrix=((1.0, 1.0), (1.0, 1.0)))
    u = block_uniforms(["a", "b"], 2, 0, 1000, 1000, "mc", [g])
    assert stats.spearmanr(u["a"], u["b"]).statistic == pytest.approx(1.0)


# --- scenario format ------------------------------------------------------------------------


def test_scenario_without_correlations_keeps_its_hash_and_yaml() -> None:
    s = evpact.load_scenario(BASE)
    assert s.correlations == ()
    assert "correlations" not in to_yaml(s)
    assert "correlations" not in s.model_dump()
    varied = vary(s, {"correlations": [group()]})
    assert varied.correlations[0].inputs == PATHS
    assert scenario_sha256(varied) != scenario_sha256(s)
    assert "correlations" in to_yaml(varied)


def test_valid_correlations_pass_validate(write_scenario: Any) -> None:
    # hmg-ontario exists only in the scenario, not in its counterfactual: still valid
    extra = group(
        ["plants.hmg-ontario.start", "plants.nextstar-windsor.yield"], [[1, -0.5], [-0.5, 1]]
    )
    path = write_scenario(with_correlations(group(), extra))
    proc = run_validate(path)
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout


def test_non_psd_matrix_is_refused(write_scenario: Any) -> None:
    path = write_scenario(with_correlations(group(matrix=NOT_PSD)))
    with pytest.raises(EvpactError) as e:
        evpact.load_scenario(path)
    text = str(e.value)
    assert "correlations.0" in text
    assert "not positive semi-definite" in text and "-0.8" in text
    assert "nearest valid matrix" in text
    proc = run_validate(path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "not positive semi-definite" in proc.stderr


def test_suggested_matrix_is_usable(write_scenario: Any) -> None:
    with pytest.raises(EvpactError) as e:
        evpact.load_scenario(write_scenario(with_correlations(group(matrix=NOT_PSD))))
    suggestion = str(e.value).split("about ")[-1]
    matrix = np.array(json.loads(suggestion))
    assert usable(matrix)
    evpact.load_scenario(write_scenario(with_correlations(group(matrix=matrix.tolist())), "ok"))


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([group(PATHS[:1], [[1]])], "at least 2 inputs"),
        ([group([PATHS[0], PATHS[0]], [[1, 0], [0, 1]])], "repeated"),
        ([group(matrix=[[1, 0.5], [0.5, 1]])], "must be 3x3"),
        ([group(matrix=[[1, 0.5, 0], [0.5, 1], [0, 0, 1]])], "must be 3x3"),
        ([group(matrix=[[1, 0.5, 0], [0.4, 1, 0], [0, 0, 1]])], "not symmetric"),
        ([group(matrix=[[1, 0.5, 0], [0.5, 0.9, 0], [0, 0, 1]])], "diagonal must be 1"),
        ([group(matrix=[[1, 1.5, 0], [1.5, 1, 0], [0, 0, 1]])], r"in \[-1, 1\]"),
        (
            [group(), group([PATHS[2], "fx_cad_per_usd"], [[1, 0], [0, 1]])],
            "already in correlations.0",
        ),
        (
            [
                group(
                    ["plants.a.start", "plants.b.start", "plants.c.start"],
                    [[1, -0.5, -0.5], [-0.5, 1, -0.5], [-0.5, -0.5, 1]],
                )
            ],
            "cannot be sampled",
        ),
        (
            [{"inputs": list(PATHS), "matrix": [list(r) for r in RHO], "kind": "spearman"}],
            "unknown key 'kind'",
        ),
    ],
)
def test_bad_correlations_are_refused(write_scenario: Any, groups: Any, message: str) -> None:
    with pytest.raises(EvpactError, match=message) as e:
        evpact.load_scenario(write_scenario(with_correlations(*groups)))
    assert "correlations" in str(e.value)


def test_unknown_path_is_refused_at_compile(write_scenario: Any) -> None:
    typo = ("market.regions.US.ev_shares", *PATHS[1:])
    path = write_scenario(with_correlations(group(typo)))
    scenario = evpact.load_scenario(path)  # the format is fine; the model decides the paths
    with pytest.raises(EvpactError) as e:
        compile_scenario(scenario)
    assert "correlations.0.inputs" in str(e.value)
    assert "did you mean 'market.regions.US.ev_share'" in str(e.value)
    proc = run_validate(path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "did you mean 'market.regions.US.ev_share'" in proc.stderr


def test_fixed_input_is_refused_at_compile(write_scenario: Any) -> None:
    fixed = (*PATHS[:2], "plants.nextstar-windsor.capacity_gwh")
    scenario = evpact.load_scenario(write_scenario(with_correlations(group(fixed))))
    with pytest.raises(EvpactError, match="is fixed, nothing to correlate"):
        compile_scenario(scenario)
