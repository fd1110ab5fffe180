"""Distributions, seeds and chunking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import evpact
from evpact.scenario.distributions import parse_dist
from evpact.uncertainty.sampling import uniforms

U = (np.arange(2000) + 0.5) / 2000


def test_uniform_and_triangular_match_scipy():
    np.testing.assert_allclose(parse_dist({"uniform": [2, 6]}).ppf(U), stats.uniform(2, 4).ppf(U))
    tri = stats.triang(c=0.25, loc=2, scale=8).ppf(U)
    np.testing.assert_allclose(parse_dist({"triangular": [2, 4, 10]}).ppf(U), tri)


def test_pert_mean_and_bounds():
    x = parse_dist({"pert": [2029, 2030, 2033]}).ppf(U)
    assert x.min() >= 2029 and x.max() <= 2033
    assert x.mean() == pytest.approx((2029 + 4 * 2030 + 2033) / 6, abs=1e-3)


def test_truncated_normal_stays_in_bounds():
    x = parse_dist({"normal": {"mean": 0.5, "sd": 0.3, "min": 0, "max": 1}}).ppf(U)
    assert x.min() >= 0 and x.max() <= 1
    assert np.median(x) == pytest.approx(0.5, abs=1e-3)


def test_lognormal_median():
    x = parse_dist({"lognormal": {"median": 3.0, "sigma": 0.4}}).ppf(U)
    assert np.median(x) == pytest.approx(3.0, rel=1e-3)


@pytest.mark.parametrize(
    "bad",
    [
        {"uniform": [3, 1]},
        {"triangular": [1, 5, 3]},
        {"gamma": [1, 2]},
        {"uniform": [1]},
        {"lognormal": {"median": -1, "sigma": 1}},
        "lots",
        True,
    ],
)
def test_bad_distributions_are_refused(bad):
    with pytest.raises(ValueError):
        parse_dist(bad)


def test_streams_do_not_depend_on_chunking():
    whole = uniforms(11, "plants.a.start", 0, 1000)
    parts = np.concatenate(
        [uniforms(11, "plants.a.start", a, min(a + 137, 1000)) for a in range(0, 1000, 137)]
    )
    np.testing.assert_array_equal(whole, parts)
    assert not np.array_equal(whole, uniforms(11, "plants.b.start", 0, 1000))


def test_same_seed_same_numbers_and_chunking_invariant():
    a = evpact.simulate("canada-korea-2026", draws=700, seed=42)
    b = evpact.simulate("canada-korea-2026", draws=700, seed=42, chunk=64)
    c = evpact.simulate("canada-korea-2026", draws=700, seed=43)
    for name in ("public_cost", "direct_jobs", "tax_total", "battery_local_gwh"):
        np.testing.assert_array_equal(a.scenario[name].values, b.scenario[name].values)
        np.testing.assert_array_equal(a.counterfactual[name].values, b.counterfactual[name].values)
    assert a.summary_dict() == b.summary_dict()
    assert not np.array_equal(a.scenario["tax_total"].values, c.scenario["tax_total"].values)


def test_common_random_numbers_between_scenario_and_counterfactual():
    r = evpact.simulate("canada-korea-2026", draws=300, seed=3)
    # the NextStar plant exists in both worlds with the same inputs, so it ramps identically
    np.testing.assert_array_equal(
        r.scenario["plant_direct_jobs"].sel(plant="nextstar-windsor").values > 0,
        r.counterfactual["plant_direct_jobs"].sel(plant="nextstar-windsor").values > 0,
    )


def test_deterministic_run_is_one_draw_at_central_values():
    r = evpact.simulate("canada-korea-2026", deterministic=True)
    assert r.meta["draws"] == 1 and r.meta["seed"] is None
    assert r.scenario.sizes["draw"] == 1
    # the inputs the dataset keeps per draw sit at their compiled central values (modes), which
    # a Monte Carlo draw of these uncertain inputs almost never hits
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import load_scenario

    model = compile_scenario(load_scenario("canada-korea-2026"))

    def central(path: str) -> float:
        dist = model.inputs[path]
        assert not dist.is_fixed, path
        return float(np.asarray(dist.central))

    # the slack shares kept are the bundled shares scaled by the unemployment rate (model.md)
    scale = central("additionality.unemployment_rate") / float(
        np.asarray(model.inputs["additionality.unemployment_reference"].central)
    )
    kept = {
        "discount_rate": central("fiscal.discount_rate"),
        "slack_direct": min(1.0, central("additionality.slack.direct") * scale),
        "slack_induced": min(1.0, central("additionality.slack.induced") * scale),
    }
    mc = evpact.simulate("canada-korea-2026", draws=50, seed=3)
    for variable, expected in kept.items():
        assert float(r.scenario[variable].values[0]) == expected, variable
        assert np.any(mc.scenario[variable].values != expected), variable


def _fresh(seed: int, path: str, start: int, stop: int) -> np.ndarray:
    """A stream seeded from scratch, as ``uniforms`` did before it kept its generators."""
    from evpact.uncertainty.sampling import stream_key

    seq = np.random.SeedSequence(entropy=seed, spawn_key=(stream_key(path),))
    bits = np.random.PCG64(seq)
    bits.advance(start)
    return np.random.Generator(bits).random(stop - start)


def test_kept_streams_give_freshly_seeded_numbers_in_any_order():
    # blocks out of order, two seeds and two paths interleaved, a block read twice, and one
    # that starts where the previous stopped: each is the fresh stream's numbers exactly
    reads = [
        (1, "a.x", 4096, 8192), (2, "a.x", 0, 10), (1, "b.y", 0, 4096), (1, "a.x", 0, 4096),
        (1, "a.x", 4096, 8192), (1, "a.x", 8192, 8200), (2, "a.x", 5, 6), (1, "b.y", 3, 3),
    ]  # fmt: skip
    for seed, path, start, stop in reads:
        got = uniforms(seed, path, start, stop)
        assert got.tobytes() == _fresh(seed, path, start, stop).tobytes()


def test_kept_streams_are_per_thread():
    from concurrent.futures import ThreadPoolExecutor

    def read(i: int) -> bytes:
        return b"".join(uniforms(9, f"p{j}", 1000 * i, 1000 * i + 500).tobytes() for j in range(8))

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(read, range(16)))
    want = [
        b"".join(_fresh(9, f"p{j}", 1000 * i, 1000 * i + 500).tobytes() for j in range(8))
        for i in range(16)
    ]
    assert got == want
