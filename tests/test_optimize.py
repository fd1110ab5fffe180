"""The optimiser over deal terms (issue 14, item 4): its grammar, its search on problems with a
known front through the same evaluate hook evpact uses, and small searches on the founding
scenario whose Pareto rows rerun exactly with ``evpact run``."""

from __future__ import annotations

import json
import math
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cases import evpact_command
from evpact.errors import EvpactError
from evpact.optimize.search import (
    Candidate,
    Search,
    non_dominated,
    optimise,
    prepare,
    search,
)
from evpact.optimize.spec import (
    Term,
    check_terms,
    parse_constraint,
    parse_objective,
    parse_term,
    statistic,
    yaml_float,
)
from evpact.scenario.load import load_scenario

SCENARIO = "canada-korea-2026"
THRESHOLD = "deals.hmg-ontario.linkage.threshold"
GRANT = "deals.hmg-ontario.incentives.1.amount_cad"
FROM = "deals.hmg-ontario.linkage.from"
EVPACT = evpact_command()


# --- grammar -----------------------------------------------------------------------------------


def test_grammar_reads_terms_objectives_constraints() -> None:
    assert parse_term(f"{THRESHOLD}=0.1:0.6") == Term(THRESHOLD, 0.1, 0.6)
    assert parse_term("a.b=-1e3:2.5e3") == Term("a.b", -1000.0, 2500.0)
    o = parse_objective("net_public_benefit_npv.p5")
    assert (o.target.metric, o.target.stat, o.sense) == ("net_public_benefit_npv", "p5", "max")
    o = parse_objective("public_cost_npv:min")
    assert (o.target.metric, o.target.stat, o.sense) == ("public_cost_npv", "mean", "min")
    c = parse_constraint("fiscal_net_npv.cvar5 >= -2e9")
    assert (c.target.label, c.op, c.bound) == ("fiscal_net_npv.cvar5", ">=", -2e9)
    assert c.margin(-1e9) == 1e9 and c.margin(-3e9) == -1e9
    c = parse_constraint("linkage_met_share<=0.8")
    assert c.margin(0.5) == pytest.approx(0.3) and c.margin(0.9) < 0


@pytest.mark.parametrize(
    ("parse", "text", "words"),
    [
        (parse_term, "deals.x.threshold", "PATH=LOW:HIGH"),
        (parse_term, "deals.x.threshold=0.1", "PATH=LOW:HIGH"),
        (parse_term, "deals.x.threshold=0.6:0.1", "LOW must be below HIGH"),
        (parse_term, "deals.x.threshold=0.5:0.5", "LOW must be below HIGH"),
        (parse_term, "deals.x.threshold=a:1", "not a number"),
        (parse_term, "deals.x.threshold=0:inf", "finite"),
        (parse_objective, "net_public_benefit_npv:maximum", "'max' or 'min'"),
        (parse_objective, "net_public_benefit_npv.p99", "unknown statistic"),
        (parse_objective, ".p5", "name a metric"),
        (parse_constraint, "public_cost_npv < 5", "METRIC[.STAT]>=NUMBER"),
        (parse_constraint, "public_cost_npv <= five", "METRIC[.STAT]>=NUMBER"),
        (parse_constraint, "public_cost_npv.cvar1 <= 5", "unknown statistic"),
    ],
)
def test_grammar_refuses_clearly(parse: object, text: str, words: str) -> None:
    with pytest.raises(EvpactError) as e:
        parse(text)  # type: ignore[operator]
    assert words in str(e.value)


def test_statistics_by_hand() -> None:
    v = np.arange(1.0, 101.0)  # 1..100
    assert statistic(v, "mean") == 50.5
    assert statistic(v, "cvar5") == pytest.approx(3.0)  # mean of 1..5
    assert statistic(v, "cvar95") == pytest.approx(98.0)  # mean of 96..100
    assert statistic(v, "p50") == pytest.approx(50.5)
    with_gap = np.append(v, np.nan)  # a draw without a value sorts after every value
    assert math.isnan(statistic(with_gap, "mean"))
    assert math.isnan(statistic(with_gap, "cvar95"))
    assert statistic(with_gap, "cvar5") == pytest.approx(3.5)  # 1..6 of 101 draws (k = 6)


def test_term_values_round_trip_through_yaml() -> None:
    import yaml

    term = Term("x", 0.0, 1e20)
    for value in (0.123456789, 1e16, 3e-7, 512346000.0):
        snapped = term.snap(value)
        assert yaml.safe_load(yaml_float(snapped)) == snapped
    assert Term("y", 2029.0, 2036.0, integer=True).snap(2031.6) == 2032.0
    assert Term("y", 2029.2, 2036.0, integer=True).snap(2029.2) == 2030.0  # inside the bounds


def test_non_dominated_by_hand() -> None:
    f = np.array([[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 1.0], [2.0, 2.0], [5.0, 5.0]])
    assert non_dominated(f).tolist() == [True, True, False, True, True, False]
    # chunking does not change the answer
    assert non_dominated(f, chunk=2).tolist() == non_dominated(f).tolist()


# --- the search on problems with a known front ---------------------------------------------------


def test_recovers_zdt1_front() -> None:
    """pymoo's ZDT1 (3 variables) through the evaluate hook: the front is f2 = 1 - sqrt(f1),
    reached when x2 = x3 = 0; the inverted generational distance to it is small."""
    from pymoo.indicators.igd import IGD  # type: ignore[import-untyped]
    from pymoo.problems import get_problem  # type: ignore[import-untyped]

    problem = get_problem("zdt1", n_var=3)

    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        return list(problem.evaluate(np.asarray(x, dtype=float)[None, :])[0]), []

    terms = [Term(f"x{i}", 0.0, 1.0) for i in range(3)]
    found = search(evaluate, terms, ["min", "min"], [], 2000, seed=1)
    assert len(found.candidates) == 2000
    front = found.pareto(["min", "min"])
    f = np.array([c.objectives for c in front])
    assert len(front) >= 50
    assert IGD(problem.pareto_front())(f) < 0.005
    gap = np.abs(f[:, 1] - (1 - np.sqrt(f[:, 0])))  # distance above the true front
    assert np.median(gap) < 0.001 and np.quantile(gap, 0.95) < 0.005
    assert f[:, 0].min() < 0.01 and f[:, 0].max() > 0.95  # the whole front, not a corner


def test_recovers_constrained_convex_front() -> None:
    """min x1^2 + x2^2 and (x1 - 1)^2 + x2^2 subject to x1 <= 0.5: the front is
    f2 = (1 - sqrt(f1))^2 for f1 in [0, 0.25] (x2 = 0, x1 in [0, 0.5])."""

    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        x1, x2 = x
        return [x1**2 + x2**2, (x1 - 1) ** 2 + x2**2], [0.5 - x1]

    terms = [Term("x1", -1.0, 2.0), Term("x2", -1.0, 1.0)]
    found = search(evaluate, terms, ["min", "min"], [0.5], 1500, seed=3)
    front = found.pareto(["min", "min"])
    f = np.array([c.objectives for c in front])
    x = np.array([c.terms for c in front])
    assert len(front) >= 30
    assert (x[:, 0] <= 0.5).all()  # never an infeasible point
    gap = np.abs(f[:, 1] - (1 - np.sqrt(f[:, 0])) ** 2)
    assert np.median(gap) < 0.002 and np.quantile(gap, 0.9) < 0.01 and gap.max() < 0.05
    assert f[:, 0].max() == pytest.approx(0.25, abs=0.01)  # reaches the constraint
    assert f[:, 0].min() < 0.005


def test_maximised_objective_and_interrupt_keeps_best_so_far() -> None:
    """max -(x - 0.3)^2: the best is 0.3. Ctrl-C after 30 candidates keeps those 30."""
    calls = 0

    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        nonlocal calls
        calls += 1
        if calls > 30:
            raise KeyboardInterrupt
        return [-((x[0] - 0.3) ** 2)], []

    found = search(evaluate, [Term("x", 0.0, 1.0)], ["max"], [], 200, seed=5)
    assert found.interrupted
    assert len(found.candidates) == 30
    best = found.pareto(["max"])
    assert len(best) == 1
    assert best[0].objectives[0] == max(c.objectives[0] for c in found.candidates)


def test_budget_is_an_upper_bound_and_the_seed_reproduces() -> None:
    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        return [x[0], 1 - x[0] + x[1]], []

    terms = [Term("a", 0.0, 1.0), Term("b", 0.0, 1.0)]
    one = search(evaluate, terms, ["min", "min"], [], 77, seed=9)
    two = search(evaluate, terms, ["min", "min"], [], 77, seed=9)
    other = search(evaluate, terms, ["min", "min"], [], 77, seed=10)
    assert len(one.candidates) == 77
    assert one.candidates == two.candidates
    assert one.candidates != other.candidates
    with pytest.raises(EvpactError, match="--budget"):
        search(evaluate, terms, ["min", "min"], [], 2, seed=9)


# --- on the founding scenario -------------------------------------------------------------------


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIO)


def test_terms_checked_against_the_scenario_model(base) -> None:  # type: ignore[no-untyped-def]
    terms = check_terms(base, [parse_term(f"{THRESHOLD}=0.1:0.6"), parse_term(f"{FROM}=2029:2036")])
    assert [t.integer for t in terms] == [False, True]  # years are whole numbers
    with pytest.raises(EvpactError, match="does not exist"):
        check_terms(base, [parse_term("deals.hmg-ontario.linkage.treshold=0.1:0.6")])
    with pytest.raises(EvpactError, match="must be <= 1"):  # a share
        check_terms(base, [parse_term(f"{THRESHOLD}=0.1:1.5")])
    with pytest.raises(EvpactError, match="more than once"):
        check_terms(base, [parse_term(f"{THRESHOLD}=0.1:0.6"), parse_term(f"{THRESHOLD}=0.2:0.3")])


def test_unknown_metric_refused_before_searching(base) -> None:  # type: ignore[no-untyped-def]
    terms = [parse_term(f"{THRESHOLD}=0.1:0.6")]
    with pytest.raises(EvpactError, match="did you mean 'public_cost_npv'"):
        prepare(base, terms, [parse_objective("public_cost_np")], [], 20, 1)
    with pytest.raises(EvpactError, match="--constraint"):
        prepare(
            base,
            terms,
            [parse_objective("public_cost_npv")],
            [parse_constraint("firm_accepts_nothing>=0.8")],
            20,
            1,
        )
    with pytest.raises(EvpactError, match="--draws"):
        prepare(base, terms, [parse_objective("public_cost_npv")], [], 0, 1)


@pytest.fixture(scope="module")
def small(base):  # type: ignore[no-untyped-def]
    """A small search: two terms (one of them whole years), two objectives with risk
    statistics, a constraint that binds on part of the space."""
    design, scales = prepare(
        base,
        [parse_term(f"{THRESHOLD}=0.1:0.6"), parse_term(f"{FROM}=2029:2034")],
        [parse_objective("net_public_benefit_npv.p5"), parse_objective("linkage_met_share")],
        [parse_constraint("public_cost_npv.cvar95<=4e9")],
        40,
        11,
    )
    return design, scales, optimise(design, scales, 24)


def test_pareto_points_are_non_dominated_among_all_evaluated(small) -> None:  # type: ignore[no-untyped-def]
    design, _, found = small
    assert len(found.candidates) == 24
    senses = [o.sense for o in design.objectives]
    front = found.pareto(senses)
    assert front
    feasible = [c for c in found.candidates if c.feasible]
    for p in front:
        assert p.feasible
        for c in feasible:  # nobody evaluated is at least as good everywhere and better once
            no_worse = all(
                (a >= b) if s == "max" else (a <= b)
                for a, b, s in zip(c.objectives, p.objectives, senses, strict=True)
            )
            assert not (no_worse and c.objectives != p.objectives)
    years = [c.terms[1] for c in found.candidates]
    assert all(y == round(y) and 2029 <= y <= 2034 for y in years)


def test_same_seed_same_search(small, base) -> None:  # type: ignore[no-untyped-def]
    design, scales, found = small
    again = optimise(design, scales, 24)
    assert again.candidates == found.candidates


def test_each_pareto_row_reruns_exactly(small, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The printed ``evpact run --set ...`` command gives the row's objective values to the
    last digit (same draws, seed and term values)."""
    from evpact.optimize.frontier import pareto_table

    design, _, found = small
    table = pareto_table(design, found, SCENARIO)
    assert len(table)
    for row in table.head(2).to_dict("records"):
        args = str(row["command"]).split()[1:]
        proc = subprocess.run(
            [*EVPACT, *args, "--json", "--out", str(tmp_path / "rerun")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert proc.returncode == 0, proc.stderr
        metrics = json.loads(proc.stdout)["metrics"]
        assert metrics["net_public_benefit_npv"]["p5"] == row["net_public_benefit_npv.p5"]
        assert metrics["linkage_met_share"]["mean"] == row["linkage_met_share.mean"]
        draws = pd.read_csv(tmp_path / "rerun" / "draws.csv")["public_cost_npv"].to_numpy()
        margin = 4e9 - statistic(draws, "cvar95")
        assert margin == pytest.approx(row["margin(public_cost_npv.cvar95<=4e+09)"], rel=1e-12)


def test_candidate_refused_by_the_model_is_infeasible_not_fatal() -> None:
    from evpact.optimize.search import CandidateError

    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        if x[0] > 0.5:
            raise CandidateError("refused")
        return [x[0]], []

    found = search(evaluate, [Term("x", 0.0, 1.0)], ["max"], [], 40, seed=2)
    refused = [c for c in found.candidates if c.error]
    assert refused and not any(c.feasible for c in refused)
    assert found.pareto(["max"])[0].objectives[0] <= 0.5


def test_empty_search_has_empty_front() -> None:
    assert Search().pareto(["max"]) == []
    bad = Candidate((1.0,), (2.0,), (-1.0,))
    assert Search([bad]).pareto(["max"]) == []


# --- the command line ----------------------------------------------------------------------------


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run(
        [*EVPACT, "optimize", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def test_cli_writes_the_frontier_and_its_commands(tmp_path: Path) -> None:
    out = tmp_path / "opt"
    proc = cli(
        [SCENARIO, "--term", f"{THRESHOLD}=0.1:0.6", "--term", f"{GRANT}=0:1e9",
         "--objective", "net_public_benefit_npv", "--objective", "public_cost_npv:min",
         "--draws", "30", "--budget", "12", "--seed", "4", "--out", str(out)],
        tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for name in ("pareto.csv", "evaluations.csv", "frontier.html", "frontier.png"):
        assert (out / name).stat().st_size > 0
    pareto = pd.read_csv(out / "pareto.csv")
    evaluations = pd.read_csv(out / "evaluations.csv")
    assert len(evaluations) == 12 and evaluations["pareto"].sum() == len(pareto) > 0
    assert list(pareto.columns[:4]) == [
        THRESHOLD,
        GRANT,
        "net_public_benefit_npv.mean",
        "public_cost_npv.mean",
    ]
    for command in pareto["command"]:  # printed as well as written
        assert command in proc.stdout
        assert command.startswith(f"evpact run {SCENARIO} --draws 30 --seed 4 --set ")


def test_cli_infeasible_constraint_gives_an_empty_frontier(tmp_path: Path) -> None:
    out = tmp_path / "none"
    proc = cli(
        [SCENARIO, "--term", f"{THRESHOLD}=0.1:0.6", "--objective", "net_public_benefit_npv",
         "--constraint", "linkage_met_share>=1.5", "--draws", "20", "--budget", "6",
         "--out", str(out)],
        tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "empty Pareto set" in proc.stderr and "no candidate met every constraint" in proc.stderr
    assert pd.read_csv(out / "pareto.csv").empty
    assert not pd.read_csv(out / "evaluations.csv")["feasible"].any()


GOOD = ["--term", f"{THRESHOLD}=0.1:0.6", "--objective", "public_cost_npv:min"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--term", "deals.hmg-ontario.nothing=0:1", *GOOD[2:]], "does not exist"),
        (["--term", f"{THRESHOLD}=0.6:0.1", *GOOD[2:]], "LOW must be below HIGH"),
        (["--term", f"{THRESHOLD}=0.1:2", *GOOD[2:]], "it must be <= 1"),
        (["--term", f"{THRESHOLD}:0.1", *GOOD[2:]], "PATH=LOW:HIGH"),
        ([*GOOD[:2], "--objective", "public_cost"], "not a metric of this scenario"),
        ([*GOOD[:2], "--objective", "public_cost_npv:best"], "'max' or 'min'"),
        ([*GOOD, "--constraint", "public_cost_npv=5"], "METRIC[.STAT]>=NUMBER"),
        ([*GOOD, "--constraint", "public_cost_npv.p1<=5"], "unknown statistic"),
        ([*GOOD, "--budget", "3"], "--budget must be 4"),
        ([*GOOD, "--budget", "1000000"], "--budget must be 4"),
        ([*GOOD, "--draws", "0"], "--draws must be 1"),
        ([*GOOD, "--draws", "70000"], "--draws must be 1"),
        ([*GOOD, "--draws", "60000", "--budget", "5000"], "add --yes"),
    ],
)
def test_cli_refusals(args: list[str], words: str, tmp_path: Path) -> None:
    out = tmp_path / "refused"
    proc = cli([SCENARIO, *args, "--out", str(out)], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stderr
    assert "error:" in proc.stderr
    assert not out.exists()  # nothing written for a refused request


@pytest.mark.parametrize("draws", [50, 5000])  # one block; two blocks of the engine
def test_candidate_metrics_equal_a_full_run(base, draws: int) -> None:  # type: ignore[no-untyped-def]
    """The optimiser's candidates (``metrics_only`` with the counterfactual read once) get
    every metric of a full ``simulate`` to the last bit."""
    from evpact.api import simulate
    from evpact.scenario.load import load_counterfactual, vary

    variant = {THRESHOLD: 0.45, FROM: 2032}
    scenario = vary(base, variant)
    counterfactual = load_counterfactual(scenario, variant)
    lean = simulate(scenario, draws, 3, counterfactual=counterfactual, metrics_only=True, workers=1)
    full = simulate(SCENARIO, draws=draws, seed=3, variant=variant).metrics
    assert list(lean) == list(full)
    for name, m in full.items():
        assert np.array_equal(lean[name].values, m.values, equal_nan=True), name
        assert (lean[name].unit, lean[name].kind) == (m.unit, m.kind)


def test_cli_ctrl_c_writes_the_best_so_far(tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) during the search: exit 0, the candidates so far written, a note."""
    import signal
    import time

    out = tmp_path / "stopped"
    proc = subprocess.Popen(
        [*EVPACT, "optimize", SCENARIO, "--term", f"{THRESHOLD}=0.1:0.6",
         "--objective", "net_public_benefit_npv", "--draws", "50", "--budget", "5000",
         "--yes", "--out", str(out)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )  # fmt: skip
    assert proc.stderr is not None
    assert "searching 1 term(s)" in proc.stderr.readline()  # the search has started
    time.sleep(6)  # some candidates evaluated, even on a loaded machine
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stdout + stderr
    assert "stopped:" in stderr and "best found so far" in stderr
    evaluations = pd.read_csv(out / "evaluations.csv")
    assert 0 < len(evaluations) < 5000
    assert len(pd.read_csv(out / "pareto.csv")) >= 1


def test_undefined_objective_is_never_on_the_front() -> None:
    """A statistic that does not exist (NaN: a break-even never reached in some draw) makes
    the candidate infeasible, not best or worst."""

    def evaluate(x: Sequence[float]) -> tuple[list[float], list[float]]:
        return [math.nan if x[0] > 0.5 else x[0]], []

    found = search(evaluate, [Term("x", 0.0, 1.0)], ["max"], [], 40, seed=4)
    assert any(math.isnan(c.objectives[0]) for c in found.candidates)
    (best,) = found.pareto(["max"])
    assert best.objectives[0] <= 0.5
    assert best.objectives[0] == max(c.objectives[0] for c in found.candidates if c.feasible)


def test_a_time_limit_stops_the_search_with_what_it_found() -> None:
    """The web job's limit: past ``seconds`` the search stops as on Ctrl-C."""
    import time

    def slow(x: Sequence[float]) -> tuple[list[float], list[float]]:
        time.sleep(0.02)
        return [x[0]], []

    found = search(slow, [Term("x", 0.0, 1.0)], ["max"], [], 5000, seed=4, seconds=0.5)
    assert found.interrupted
    assert 0 < len(found.candidates) < 5000
    assert found.pareto(["max"])


def test_cvar5_is_the_runs_expected_shortfall() -> None:
    """``fiscal_net_npv.cvar5`` is the figure ``evpact run`` reports as
    ``risk.fiscal_net_npv_cvar5``."""
    from evpact.api import simulate

    results = simulate(SCENARIO, draws=400, seed=8)
    values = results.metrics["fiscal_net_npv"].values
    reported = results.risk()["fiscal_net_npv_cvar5"]["value"]
    assert statistic(values, "cvar5") == pytest.approx(reported, rel=1e-12)
    assert statistic(values, "cvar5") < statistic(values, "p5") < statistic(values, "cvar95")


def test_a_term_outside_the_deal_reruns_exactly(base, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A plant's capacity also exists in the counterfactual: each candidate reads the
    counterfactual with the variant (as ``evpact run --set`` does), and its row reruns."""
    from evpact.optimize.frontier import pareto_table

    capacity = "plants.hmg-ontario.capacity_vehicles"
    design, scales = prepare(
        base,
        [parse_term(f"{capacity}=150000:300000")],
        [parse_objective("total_jobs_peak.p50")],
        [],
        40,
        2,
    )
    assert design.counterfactual is None  # not shared: the term reaches the counterfactual
    row = pareto_table(design, optimise(design, scales, 6), SCENARIO).iloc[0]
    proc = subprocess.run(
        [*EVPACT, *str(row["command"]).split()[1:], "--json", "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout)["metrics"]
    assert metrics["total_jobs_peak"]["p50"] == row["total_jobs_peak.p50"]


def test_constraints_on_the_firms_metrics(base) -> None:  # type: ignore[no-untyped-def]
    """Part A's firm metrics are targets like any other: P(Hyundai accepts) as a constraint,
    its margin the full run's figure for the same candidate."""
    from evpact.api import simulate

    design, scales = prepare(
        base,
        [parse_term(f"{GRANT}=0:2e9")],
        [parse_objective("net_public_benefit_npv")],
        [parse_constraint("firm_accepts_share_hmg>=0.8")],
        60,
        6,
    )
    found = optimise(design, scales, 6)
    c = found.candidates[0]
    full = simulate(SCENARIO, draws=60, seed=6, variant={GRANT: c.terms[0]}).metrics
    accepts = statistic(full["firm_accepts_share_hmg"].values, "mean")
    assert c.margins[0] == pytest.approx(accepts - 0.8, abs=1e-15)
    assert all(c.feasible == (c.margins[0] >= 0) for c in found.candidates)
