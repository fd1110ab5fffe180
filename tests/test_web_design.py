"""The Design tab's API (issue 14, item 5): ``POST /api/optimize`` runs ``evpact optimize`` as a
job against a real server; refusals are 422 before any job exists, and a Pareto row's ``set``
reruns as a saved run with the same objective values."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

SCENARIO = "canada-korea-2026"
THRESHOLD = "deals.hmg-ontario.linkage.threshold"
FROM = "deals.hmg-ontario.linkage.from"


@pytest.fixture(scope="module")
def client(web_server: str) -> Any:
    with httpx.Client(base_url=web_server, timeout=60) as c:
        yield c


def wait(client: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


REQUEST = {
    "scenario": SCENARIO,
    "terms": [f"{THRESHOLD}=0.1:0.6", f"{FROM}=2029:2034"],
    "objectives": ["net_public_benefit_npv", "linkage_met_share.mean:max"],
    "constraints": ["public_cost_npv.cvar95<=6e9"],
    "draws": 60,
    "budget": 16,
    "seed": 5,
}


@pytest.fixture(scope="module")
def searched(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/api/optimize", json=REQUEST)
    assert response.status_code == 202, response.text
    job = wait(client, response.json())
    assert job["status"] == "done", job
    return dict(job["result"])


def test_search_answers_with_the_frontier(searched: dict[str, Any]) -> None:
    assert searched["evaluated"] == 16 and not searched["interrupted"]
    assert len(searched["evaluations"]) == 16
    assert searched["pareto"], searched["message"]
    assert [t["integer"] for t in searched["terms"]] == [False, True]
    names = {trace["name"] for trace in searched["figure"]["data"]}
    assert names == {"infeasible", "feasible", "Pareto set"}
    front = next(t for t in searched["figure"]["data"] if t["name"] == "Pareto set")
    assert len(front["x"]) == len(searched["pareto"])
    flagged = [e for e in searched["evaluations"] if e["pareto"]]
    assert {tuple(e["set"].values()) for e in flagged} == {
        tuple(r["set"].values()) for r in searched["pareto"]
    }


def test_a_pareto_row_reruns_exactly(client: httpx.Client, searched: dict[str, Any]) -> None:
    row = searched["pareto"][0]
    body = {"scenario": SCENARIO, "set": row["set"], "draws": 60, "seed": 5}
    run = client.post("/api/runs", json=body)
    assert run.status_code == 200, run.text
    metrics = run.json()["summary"]["metrics"]
    assert metrics["net_public_benefit_npv"]["mean"] == row["net_public_benefit_npv.mean"]
    assert metrics["linkage_met_share"]["mean"] == row["linkage_met_share.mean"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"terms": ["deals.hmg-ontario.nothing=0:1"]}, "does not exist"),
        ({"terms": [f"{THRESHOLD}=0.6:0.1"]}, "LOW must be below HIGH"),
        ({"terms": [f"{THRESHOLD}=0.1:3"]}, "it must be <= 1"),
        ({"terms": [f"{THRESHOLD}"]}, "PATH=LOW:HIGH"),
        ({"terms": []}, "terms"),
        ({"objectives": ["public_cost"]}, "not a metric of this scenario"),
        ({"objectives": ["public_cost_npv.p7"]}, "unknown statistic"),
        ({"constraints": ["public_cost_npv<5x"]}, "METRIC[.STAT]>=NUMBER"),
        ({"budget": 3}, "budget"),
        ({"budget": 5000}, "at most 2,000 candidates"),
        ({"draws": 50_000}, "at most 20,000"),
        ({"scenario": "nowhere"}, "nowhere"),
    ],
)
def test_refusals_are_422_and_leave_nothing(
    client: httpx.Client, change: dict[str, Any], words: str
) -> None:
    before = client.get("/api/runs?limit=100").json()["runs"]
    response = client.post("/api/optimize", json={**REQUEST, **change})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert words in detail and "Traceback" not in detail
    assert client.get("/api/runs?limit=100").json()["runs"] == before


def test_openapi_documents_the_search(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    body = paths["/api/optimize"]["post"]
    assert "202" in body["responses"]
    assert client.get("/api").json()["limits"]["max_candidates"] == 2000


def test_zopa_answers_as_the_command_does(client: httpx.Client) -> None:
    """POST /api/zopa: the negotiation zone of evpact.design.zopa on the same draws and seed,
    with its chart (the two distributions)."""
    import math

    from evpact.design.zopa import zopa

    response = client.post(
        "/api/zopa?mode=job", json={"scenario": SCENARIO, "draws": 40, "seed": 5}
    )
    assert response.status_code == 202, response.text
    job = wait(client, response.json())
    assert job["status"] == "done", job
    result = job["result"]
    direct = zopa(SCENARIO, draws=40, seed=5)
    assert result["instrument"] == list(direct.instrument)
    for key, value in direct.summary.items():
        got = result["summary"][key]
        assert (got is None) if math.isnan(value) else got == pytest.approx(value, rel=1e-12), key
    names = {trace["name"] for trace in result["figure"]["data"]}
    assert names == {"firms accept from", "Canada gains up to"}
    assert result["unit"] == "CAD_2026"


def test_zopa_without_firms_is_refused_before_any_job(client: httpx.Client) -> None:
    response = client.post("/api/zopa?mode=job", json={"scenario": "nextstar-2023", "draws": 10})
    assert response.status_code == 422, response.text
    assert "declares no firms" in response.json()["detail"]
    bad = client.post("/api/zopa", json={"scenario": SCENARIO, "draws": 0})
    assert bad.status_code == 422
