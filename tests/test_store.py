"""The run store on a real SQLite file: save, list, fetch; a second store sees the same runs."""

from __future__ import annotations

import evpact
from evpact.report.figures import table_from_json, views
from evpact.store import RunRecord, RunStore


def record(results: evpact.Results, variant: dict[str, float]) -> RunRecord:
    m = results.meta
    return RunRecord(
        scenario=m["scenario"],
        scenario_sha256=m["scenario_sha256"],
        counterfactual=m["counterfactual"],
        variant=variant,
        seed=m["seed"],
        draws=m["draws"],
        model_version=m["model_version"],
        data_version=m["data_version"],
        summary=results.summary_dict(),
        charts={v.id: v.to_json() for v in views(results)},
    )


def test_save_list_fetch_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    variant = {"deals.hmg-ontario.linkage.threshold": 0.4}
    results = evpact.simulate("canada-korea-2026", draws=100, seed=5, variant=variant)
    store = RunStore(url)
    first = store.save(record(results, variant))
    second = store.save(record(evpact.simulate("nextstar-2023", draws=50, seed=1), {}))
    assert first.id and first.id != second.id and first.created is not None
    store.close()

    again = RunStore(url)  # a new process would see the same file
    fetched = again.get(first.id)
    assert fetched is not None
    assert fetched.variant == variant and fetched.seed == 5 and fetched.draws == 100
    assert fetched.scenario_sha256 == results.meta["scenario_sha256"]
    assert fetched.model_version == evpact.__version__
    assert fetched.summary == results.summary_dict()
    jobs = table_from_json(fetched.charts["jobs"])
    assert list(jobs.columns) == ["year", "series", "unit", "mean", "p5", "p50", "p95"]
    assert [r.id for r in again.list()] == [second.id, first.id]
    assert [r.id for r in again.list(scenario="canada-korea-2026")] == [first.id]
    assert again.get("missing") is None
    assert fetched.provenance()["created"] == fetched.created.isoformat()
    again.close()
