"""The HTTP API against a real server process (``evpact serve`` on a free port): every
endpoint and every error path; errors are 4xx with one clear ``detail``, never a 5xx."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import httpx
import pytest
import yaml

import evpact
from evpact.data import reference
from evpact.scenario.load import bundled_scenarios

SCENARIO = "canada-korea-2026"
THRESHOLD = "deals.hmg-ontario.linkage.threshold"
DRAWS = 300
SEED = 7
VERSION_HEADERS = {
    "x-evpact-model-version": evpact.__version__,
    "x-evpact-data-version": reference().version,
}


@pytest.fixture(scope="module")
def client(web_server: str) -> Any:
    with httpx.Client(base_url=web_server, timeout=60) as c:
        yield c


def check(response: httpx.Response, status: int) -> Any:
    """The status, the version headers every response carries, and the body."""
    assert response.status_code == status, response.text
    for key, value in VERSION_HEADERS.items():
        assert response.headers[key] == value
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    return response.text


def error(response: httpx.Response, status: int, *fragments: str) -> str:
    body = check(response, status)
    detail = body["detail"]
    assert isinstance(detail, str) and "Traceback" not in detail
    for f in fragments:
        assert f in detail, detail
    return detail


def run(client: httpx.Client, **body: Any) -> Any:
    payload = {"scenario": SCENARIO, "draws": DRAWS, "seed": SEED, **body}
    return check(client.post("/api/runs", json=payload), 200)


@pytest.fixture(scope="module")
def base_run(client: httpx.Client) -> Any:
    return run(client)


def upload_text(**changes: Any) -> str:
    raw = yaml.safe_load(bundled_scenarios()[SCENARIO].read_text())
    raw.update(changes)
    return yaml.safe_dump(raw)


def wait_job(client: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
        job = check(client.get(f"/api/jobs/{job['id']}"), 200)
    return job


# --- reading -------------------------------------------------------------------------------


def test_about_names_versions_and_limits(client):
    body = check(client.get("/api"), 200)
    assert body["model_version"] == evpact.__version__
    assert body["data_version"] == reference().version
    assert body["limits"]["sync_draws"] == 2000


def test_openapi_documents_the_api(client):
    paths = check(client.get("/openapi.json"), 200)["paths"]
    for path in (
        "/api/scenarios",
        "/api/schema",
        "/api/validate",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/summary.csv",
        "/api/runs/{run_id}/charts/{view}.csv",
        "/api/compare",
        "/api/jobs/{job_id}",
        "/api/metrics/{name}/explain",
        "/api/scenarios/{name}/chain",
        "/api/scenarios/{name}/chain.csv",
        "/api/stress",
    ):
        assert path in paths


def test_scenarios_list_the_bundled_ones(client):
    body = check(client.get("/api/scenarios"), 200)
    assert [s["name"] for s in body["scenarios"]] == list(bundled_scenarios())
    assert body["model_version"] == evpact.__version__


def test_scenario_gives_its_terms_and_file(client):
    body = check(client.get(f"/api/scenarios/{SCENARIO}"), 200)
    terms = {t["path"]: t for t in body["terms"]}
    assert terms[THRESHOLD]["value"] == 0.3
    assert "ca-match-45x" in terms["deals.hmg-ontario.incentives.0.schedule"]["options"]
    assert "plants.nextstar-windsor.capacity_gwh" in terms
    assert "plants.hmg-ontario.start" in terms
    assert body["yaml"].startswith("#")


def test_unknown_scenario_is_404_with_a_suggestion(client):
    error(client.get("/api/scenarios/canada-korea-2062"), 404, "did you mean 'canada-korea-2026'")


def test_schema_is_the_scenario_json_schema(client):
    body = check(client.get("/api/schema"), 200)
    assert {"plants", "deals", "horizon"} <= set(body["properties"])


def test_page_and_plotly_are_served_locally(client):
    page = check(client.get("/"), 200)
    assert '<script defer src="/vendor/plotly.min.js">' in page
    assert "https://" not in page and "http://" not in page
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert len(js.content) > 1_000_000
    check(client.get("/static/app.js"), 200)


# --- validating ----------------------------------------------------------------------------


def test_validate_a_bundled_scenario_with_a_variant(client):
    body = check(
        client.post("/api/validate", json={"scenario": SCENARIO, "set": {THRESHOLD: 0.5}}), 200
    )
    assert body["valid"] is True
    assert body["counterfactual"] == "canada-korea-2026-unlinked"
    terms = {t["path"]: t["value"] for t in body["terms"]}
    assert terms[THRESHOLD] == 0.5


def test_validate_an_upload(client):
    body = check(client.post("/api/validate", json={"yaml": upload_text(name="mine")}), 200)
    assert body["scenario"] == "mine"


@pytest.mark.parametrize(
    ("payload", "fragments"),
    [
        (
            {"scenario": SCENARIO, "set": {"deals.hmg-ontario.linkage.treshold": 0.5}},
            ["'treshold' does not exist", "did you mean 'threshold'"],
        ),
        ({"scenario": SCENARIO, "set": {THRESHOLD: 1.5}}, ["threshold is a share"]),
        ({"scenario": SCENARIO, "set": {THRESHOLD: "high"}}, ["threshold"]),
        ({"scenario": "nextstar"}, ["not a bundled scenario", "did you mean"]),
        ({"scenario": "/etc/passwd"}, ["not a bundled scenario"]),
        ({"scenario": "../data/scenarios/no-deal.yaml"}, ["not a bundled scenario"]),
        ({}, ["exactly one of 'scenario'"]),
        ({"scenario": SCENARIO, "yaml": "name: x"}, ["exactly one of 'scenario'"]),
        ({"yaml": "name: [unclosed"}, ["malformed YAML at line 1"]),
        ({"yaml": "- a list"}, ["must be a YAML mapping"]),
        ({"yaml": "a: &x [1]\nb: *x\n"}, ["aliases"]),
        ({"yaml": "!!python/object/apply:os.system ['true']"}, ["malformed YAML"]),
        ({"yaml": upload_text(counterfactual="/etc/passwd.yaml")}, ["must be a bundled"]),
        ({"yaml": upload_text(counterfactual="../x.yaml")}, ["must be a bundled"]),
        (
            {"scenario": SCENARIO, "set": {"counterfactual": "/tmp/other.yaml"}},
            ["must be a bundled"],
        ),
        ({"yaml": upload_text(horizon="soon")}, ["horizon"]),
        ({"scenario": SCENARIO, "extra": 1}, ["extra"]),
        ({"scenario": 5}, ["scenario"]),
    ],
)
def test_validate_refuses_bad_input_with_a_clear_message(client, payload, fragments):
    error(client.post("/api/validate", json=payload), 422, *fragments)


def test_malformed_json_is_422(client):
    response = client.post(
        "/api/validate", content=b"{not json", headers={"content-type": "application/json"}
    )
    error(response, 422, "JSON")


def test_oversized_body_is_413(client):
    big = "# padding\n" * 30_000 + "name: big\n"
    error(client.post("/api/validate", json={"yaml": big}), 413, "over the limit of 200,000")


def test_wrong_method_is_405(client):
    assert check(client.delete("/api/runs"), 405)["detail"]


# --- running -------------------------------------------------------------------------------


def test_a_small_run_answers_at_once_with_provenance(base_run):
    assert base_run["scenario"] == SCENARIO
    assert base_run["seed"] == SEED and base_run["draws"] == DRAWS
    assert len(base_run["scenario_sha256"]) == 64
    assert base_run["model_version"] == evpact.__version__
    assert base_run["data_version"] == reference().version
    assert base_run["summary"]["scenario_sha256"] == base_run["scenario_sha256"]
    charts = [c["id"] for c in base_run["charts"]]
    assert charts[:4] == ["jobs", "fiscal", "battery", "linkage"]
    assert {"minerals", "emissions"} <= set(charts)


def test_the_benefit_cost_waterfall_ends_at_the_net_public_benefit(base_run):
    """The web's gross-to-net view (issue 12): a waterfall whose last row, the net public
    benefit, is the mean of ``net_public_benefit_npv`` (every draw is kept at this size)."""
    chart = next(c for c in base_run["charts"] if c["id"] == "benefit_cost")
    assert chart["figure"]["data"][0]["type"] == "waterfall"
    rows = chart["rows"]
    assert rows[0]["step"] == "Gross GDP" and rows[-1]["step"] == "Net public benefit"
    assert rows[-1]["total"] == pytest.approx(sum(r["total"] for r in rows[:-1]))
    net = base_run["summary"]["metrics"]["net_public_benefit_npv"]["mean"]
    assert rows[-1]["total"] == pytest.approx(net, rel=1e-9)
    assert all(r["source"] for r in rows)


def test_a_run_matches_the_python_api(base_run):
    direct = evpact.simulate(SCENARIO, draws=DRAWS, seed=SEED).summary_dict()
    assert base_run["summary"]["metrics"] == direct["metrics"]


def test_same_seed_same_numbers_and_a_variant_changes_them(client, base_run):
    again = run(client)
    assert again["id"] != base_run["id"]
    assert again["summary"]["metrics"] == base_run["summary"]["metrics"]
    varied = run(client, set={THRESHOLD: 0.6})
    assert varied["variant"] == {THRESHOLD: 0.6}
    assert varied["scenario_sha256"] != base_run["scenario_sha256"]
    met = [r["summary"]["metrics"]["linkage_met_share"]["mean"] for r in (varied, base_run)]
    assert met[0] < met[1]


def test_an_uploaded_scenario_runs(client):
    body = run(client, scenario=None, yaml=upload_text(name="uploaded-deal"))
    assert body["scenario"] == "uploaded-deal"


def test_a_large_run_becomes_a_job_with_progress(client):
    response = client.post("/api/runs", json={"scenario": SCENARIO, "draws": 5000, "seed": 1})
    job = check(response, 202)
    assert response.headers["location"] == f"/api/jobs/{job['id']}"
    assert job["model_version"] == evpact.__version__
    done = wait_job(client, job)
    assert done["status"] == "done" and done["progress"] == 1.0
    run_id = done["result"]["id"]
    stored = check(client.get(f"/api/runs/{run_id}"), 200)
    assert stored["draws"] == 5000 and stored["seed"] == 1


def test_mode_job_for_a_small_run(client):
    job = check(client.post("/api/runs?mode=job", json={"scenario": SCENARIO, "draws": 50}), 202)
    assert wait_job(client, job)["result"]["draws"] == 50


@pytest.mark.parametrize(
    ("query", "payload", "fragments"),
    [
        ("?mode=sync", {"draws": 5000}, ["synchronous run takes at most 2,000"]),
        ("", {"draws": 50_000}, ["at most 20,000"]),
        ("", {"draws": 0}, ["draws"]),
        ("", {"draws": "many"}, ["draws"]),
        ("", {"seed": -1}, ["seed"]),
        ("?mode=later", {}, ["mode"]),
        ("", {"scenario": None, "yaml": upload_text(horizon=[2026, 2200])}, ["horizon"]),
        ("", {"scenario": None, "yaml": upload_text(horizon=[2000, 2099])}, ["at most 60 years"]),
    ],
)
def test_run_limits_are_4xx(client, query, payload, fragments):
    body = {"scenario": SCENARIO, "draws": DRAWS, **payload}
    error(client.post(f"/api/runs{query}", json=body), 422, *fragments)


CAPACITY = "plants.nextstar-windsor.capacity_gwh"
START = "plants.nextstar-windsor.start"


def stored(client: httpx.Client) -> str | None:
    """The latest stored run's id: a refused request must leave it as it was."""
    runs = check(client.get("/api/runs", params={"limit": 1}), 200)["runs"]
    return runs[0]["id"] if runs else None


BAD_INPUT = [
    # JSON that Python's parser reads as non-finite floats: as a client may send them
    (f'"set": {{"{THRESHOLD}": NaN}}', [THRESHOLD, "finite", "nan"]),
    (f'"set": {{"{CAPACITY}": Infinity}}', [CAPACITY, "finite"]),
    (f'"set": {{"{CAPACITY}": -Infinity}}', [CAPACITY, "finite"]),
    (f'"set": {{"{CAPACITY}": 1e308}}', [CAPACITY, "<= 10000"]),
    (f'"set": {{"{CAPACITY}": 1e15}}', [CAPACITY, "<= 10000"]),
    (f'"set": {{"{CAPACITY}": -5}}', [CAPACITY]),
    (f'"set": {{"{START}": 3000}}', [START, "<= 2100"]),
    (f'"set": {{"{START}": NaN}}', [START, "finite"]),
    ('"draws": NaN', ["draws", "finite"]),
    ('"draws": 1e308', ["draws"]),
    ('"draws": -1', ["draws", "greater than or equal to 1"]),
    ('"draws": 100000000000', ["draws", "less than or equal to"]),
    ('"seed": Infinity', ["seed"]),
]


@pytest.mark.parametrize(
    ("path", "body", "fragments"),
    [
        (path, body, fragments)
        for path in ["/api/runs", "/api/runs?mode=job", "/api/validate"]
        for body, fragments in BAD_INPUT
        if not (path == "/api/validate" and body.startswith(('"draws"', '"seed"')))
    ],
)
def test_non_finite_and_implausible_input_is_refused_and_nothing_is_stored(
    client, path, body, fragments
):
    before = stored(client)
    raw = f'{{"scenario": "{SCENARIO}", {body}}}'
    if '"draws"' not in body and path != "/api/validate":
        raw = raw[:-1] + f', "draws": {DRAWS}}}'
    response = client.post(path, content=raw, headers={"content-type": "application/json"})
    error(response, 422, *fragments)
    assert stored(client) == before


def test_compare_refuses_non_finite_terms_on_either_side(client):
    raw = (
        f'{{"a": {{"scenario": "{SCENARIO}"}}, '
        f'"b": {{"scenario": "{SCENARIO}", "set": {{"{THRESHOLD}": NaN}}}}, "draws": {DRAWS}}}'
    )
    before = stored(client)
    response = client.post(
        "/api/compare", content=raw, headers={"content-type": "application/json"}
    )
    error(response, 422, THRESHOLD, "finite")
    assert stored(client) == before


def test_docs_are_served_without_a_cdn(client):
    page = check(client.get("/docs"), 200)
    assert "/vendor/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    js = client.get("/vendor/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000


def test_large_static_assets_are_gzipped(client):
    for path in ["/vendor/plotly.min.js", "/static/app.js", "/vendor/swagger/swagger-ui-bundle.js"]:
        r = client.get(path, headers={"accept-encoding": "gzip"})
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip", path
        assert int(r.headers.get("content-length", 0)) < len(r.content), path  # on the wire
    plain = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == client.get("/vendor/plotly.min.js").content


# --- fetching ------------------------------------------------------------------------------


def test_saved_runs_are_listed_and_fetched(client, base_run):
    listed = check(client.get("/api/runs", params={"scenario": SCENARIO}), 200)["runs"]
    assert base_run["id"] in [r["id"] for r in listed]
    fetched = check(client.get(f"/api/runs/{base_run['id']}"), 200)
    assert fetched["summary"] == base_run["summary"]
    assert fetched["charts"] == base_run["charts"]


def test_summary_csv(client, base_run):
    text = check(client.get(base_run["links"]["summary_csv"]), 200)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0].keys() == {"metric", "kind", "unit", "mean", "p5", "p50", "p95"}
    assert {r["kind"] for r in rows} == {"impact", "level"}
    assert {r["metric"] for r in rows} == set(base_run["summary"]["metrics"])


def test_chart_csv_is_the_data_behind_the_chart(client, base_run):
    for chart in base_run["charts"]:
        response = client.get(base_run["links"]["charts_csv"][chart["id"]])
        text = check(response, 200)
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == chart["columns"]
        assert len(rows) == len(chart["rows"])
    jobs = next(c for c in base_run["charts"] if c["id"] == "jobs")
    median_line = next(
        t for t in jobs["figure"]["data"] if t.get("name", "").startswith("total jobs (median")
    )
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get(base_run["links"]["charts_csv"]["jobs"]).text))
    )
    p50 = [float(r["p50"]) for r in csv_rows if r["series"] == "total jobs"]
    assert p50 == pytest.approx(median_line["y"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/nope",
        "/api/runs/nope/summary.csv",
        "/api/runs/nope/charts/jobs.csv",
        "/api/jobs/nope",
        "/api/nothing",
    ],
)
def test_unknown_ids_are_404(client, path):
    body = check(client.get(path), 404)
    assert body["detail"] and body["model_version"] == evpact.__version__


def test_unknown_chart_is_404(client, base_run):
    error(client.get(f"/api/runs/{base_run['id']}/charts/pies.csv"), 404, "charts: jobs")


def test_list_limit_is_bounded(client):
    error(client.get("/api/runs", params={"limit": 10_000}), 422, "limit")


# --- comparing -----------------------------------------------------------------------------


def test_compare_side_by_side_and_a_minus_b(client):
    body = {
        "a": {"scenario": SCENARIO, "set": {THRESHOLD: 0.4}},
        "b": {"scenario": "canada-korea-2026-unlinked"},
        "draws": 200,
        "seed": 3,
    }
    out = check(client.post("/api/compare", json=body), 200)
    assert out["a"]["scenario"] == SCENARIO and out["a"]["variant"] == {THRESHOLD: 0.4}
    assert out["b"]["scenario"] == "canada-korea-2026-unlinked"
    assert out["difference"]["counterfactual"] == "canada-korea-2026-unlinked"
    assert out["difference"]["seed"] == 3
    assert out["model_version"] == evpact.__version__


def test_compare_needs_the_same_horizon(client):
    body = {"a": {"scenario": SCENARIO}, "b": {"scenario": "powerco-2023"}, "draws": 100}
    error(client.post("/api/compare", json=body), 422, "horizons differ")


def test_compare_over_the_sync_limit_becomes_a_job(client):
    body = {"a": {"scenario": SCENARIO}, "b": {"scenario": "no-deal"}, "draws": 1000}
    job = check(client.post("/api/compare", json=body), 202)
    done = wait_job(client, job)
    assert done["status"] == "done", done
    assert done["result"]["difference"]["counterfactual"] == "no-deal"
    assert done["result"]["b"] is None  # no-deal has no impacts of its own
    assert done["result"]["a"]["counterfactual"] == "canada-korea-2026-unlinked"


def test_compare_refuses_a_bad_side(client):
    body = {"a": {"scenario": SCENARIO}, "b": {"scenario": "nowhere"}}
    error(client.post("/api/compare", json=body), 422, "not a bundled scenario")


# --- explaining ----------------------------------------------------------------------------


def test_metrics_are_listed(client, base_run):
    rows = check(client.get("/api/metrics"), 200)["metrics"]
    assert {r["metric"] for r in rows} == set(base_run["summary"]["metrics"])


def test_every_metric_is_explained(client, base_run):
    from evpact.web.explain import EXPLAINED, SUMMARY

    for name in base_run["summary"]["metrics"]:
        body = check(client.get(f"/api/metrics/{name}/explain"), 200)
        assert body["docs"].startswith("docs/model.md#") and body["unit"], name
        assert body["model_version"] == evpact.__version__
        if name.removesuffix("_reached_share") in EXPLAINED:
            assert body["equation"] and body["inputs"], name
        else:  # a metric newer than the map: its description and the summary table
            assert body["docs"] == SUMMARY and body["description"], name
    assert len(EXPLAINED) >= 36


def test_explain_names_inputs_and_equations(client):
    body = check(client.get("/api/metrics/linkage_met_share/explain"), 200)
    assert THRESHOLD.replace("hmg-ontario", "*") in body["inputs"]
    assert body["docs"] == "docs/model.md#linkage-compliance"
    assert "θ" in body["equation"]


def test_explain_unknown_metric_suggests(client):
    error(client.get("/api/metrics/fiscal_net_npx/explain"), 404, "did you mean 'fiscal_net_npv'")


# --- supply chain and stress tests ---------------------------------------------------------

CUT = {"stage": "cam", "country": "CN", "share": 1.0}


def test_chain_matches_the_model_and_the_cli_fields(client):
    from evpact.engine.compile import compile_scenario
    from evpact.engine.resilience import chain_indicators
    from evpact.scenario.load import load_scenario

    body = check(client.get(f"/api/scenarios/{SCENARIO}/chain"), 200)
    rows = compile_scenario(load_scenario(SCENARIO)).chain_rows()
    assert body["columns"] == [
        "deal", "stage", "domestic", "usmca", "fta", "other", "hhi", "largest", "sourced",
    ]  # fmt: skip
    assert body["rows"] == [vars(r) for r in rows]
    domestic, hhi_max = chain_indicators(rows)
    assert body["domestic_chain_share"] == pytest.approx(domestic)
    assert body["chain_hhi_max"] == pytest.approx(hhi_max)
    assert len(body["stages"]) == 9 and body["horizon"] == [2026, 2045]
    sankey = body["figure"]["data"]
    assert [t["type"] for t in sankey] == ["sankey"] and sankey[0]["name"] == "hmg-ontario"
    assert any(label.startswith("cam: CN") for label in sankey[0]["node"]["label"])


def test_chain_csv_is_the_table(client):
    body = check(client.get(f"/api/scenarios/{SCENARIO}/chain"), 200)
    text = check(client.get(body["links"]["csv"]), 200)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == body["columns"]
    assert [(r["deal"], r["stage"], r["largest"]) for r in rows] == [
        (r["deal"], r["stage"], r["largest"]) for r in body["rows"]
    ]


def test_a_world_without_a_chain_has_empty_rows(client):
    body = check(client.get("/api/scenarios/no-deal/chain"), 200)
    assert body["rows"] == [] and body["figure"] is None
    assert body["domestic_chain_share"] is None and body["chain_hhi_max"] is None


@pytest.mark.parametrize("suffix", ["chain", "chain.csv"])
def test_chain_of_an_unknown_scenario_is_404(client, suffix):
    error(client.get(f"/api/scenarios/canada-korea-2062/{suffix}"), 404, "did you mean")


def test_stress_matches_the_python_api(client):
    from evpact.stress import stress

    payload = {"scenario": SCENARIO, "cuts": [CUT], "weeks": 12, "draws": 200, "seed": SEED}
    body = check(client.post("/api/stress", json=payload), 200)
    expected = stress(SCENARIO, [("cam", "CN", 1.0)], 12, draws=200, seed=SEED).to_dict()
    assert body["model_version"] == evpact.__version__
    for key in ("scenario", "counterfactual", "cuts", "weeks", "year", "draws", "seed"):
        assert body[key] == expected[key]
    assert len(body["losses"]) == len(expected["losses"])
    for got, want in zip(body["losses"], expected["losses"], strict=True):
        assert [got[k] for k in ("world", "loss", "unit")] == [
            want[k] for k in ("world", "loss", "unit")
        ]
        assert [got[k] for k in ("mean", "p5", "p50", "p95")] == pytest.approx(
            [want[k] for k in ("mean", "p5", "p50", "p95")]
        )
    worlds = {r["world"] for r in body["losses"]}
    assert worlds == {SCENARIO, "canada-korea-2026-unlinked"}
    vehicles = {r["world"]: r["mean"] for r in body["losses"] if r["loss"] == "vehicles"}
    assert vehicles[SCENARIO] > 0  # the linked deal's cathode comes from China
    assert body["columns"] == ["world", "loss", "unit", "mean", "p5", "p50", "p95"]
    assert {t["type"] for t in body["figure"]["data"]} == {"bar"}


def test_stress_with_a_variant_an_upload_and_a_job(client):
    payload = {"yaml": upload_text(name="my-deal"), "cuts": [CUT], "draws": 100, "year": 2030}
    body = check(client.post("/api/stress", json=payload), 200)
    assert body["scenario"] == "my-deal" and body["year"] == 2030
    payload = {"scenario": SCENARIO, "set": {THRESHOLD: 0.6}, "cuts": [CUT], "draws": 100}
    job = check(client.post("/api/stress?mode=job", json=payload), 202)
    done = wait_job(client, job)
    assert done["status"] == "done" and done["result"]["draws"] == 100


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"cuts": [{**CUT, "stage": "cma"}]}, ["cuts.0", "did you mean 'cam'"]),
        ({"cuts": [{**CUT, "country": "CHN"}]}, ["cuts.0", "STAGE:COUNTRY=SHARE"]),
        ({"cuts": [CUT, {**CUT, "share": 1.5}]}, ["cuts.1", "must lie in [0, 1]"]),
        ({"cuts": []}, ["cuts"]),
        ({"cuts": [{**CUT, "plant": "x"}]}, ["plant"]),
        ({"weeks": 0}, ["weeks", "(0, 520]"]),
        ({"year": 2050}, ["year", "outside the horizon 2026-2045"]),
        ({"draws": 50_000}, ["at most 20,000"]),
        ({"scenario": "canada-korea-2062"}, ["did you mean"]),
    ],
)
def test_stress_refuses_bad_input(client, change, fragments):
    payload = {"scenario": SCENARIO, "cuts": [CUT], "draws": 100, **change}
    error(client.post("/api/stress", json=payload), 422, *fragments)


def test_stress_over_the_sync_limit_is_refused_or_a_job(client):
    payload = {"scenario": SCENARIO, "cuts": [CUT], "draws": 1500}  # two worlds: 3,000
    error(client.post("/api/stress?mode=sync", json=payload), 422, "2,000 draws in all")
    job = check(client.post("/api/stress", json=payload), 202)
    assert job["status"] in ("queued", "running", "done")
    wait_job(client, job)
