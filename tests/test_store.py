"""The run store on a real SQLite file: save, list, fetch; a second store sees the same runs."""

from __future__ import annotations

import pytest

import evpact
from evpact.errors import EvpactError
from evpact.report.figures import table_from_json, views
from evpact.store import RunRecord, RunStore


def record(results: evpact.Results, variant: dict[str, float]) -> RunRecord:
    return RunRecord.from_results(results, variant, {v.id: v.to_json() for v in views(results)})


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


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("nodb://x", "nodb"), ("sqlite:////no/such/folder/runs.sqlite", "unable to open")],
)
def test_a_bad_store_url_is_one_clear_error(url, fragment):
    with pytest.raises(EvpactError, match=fragment) as info:
        RunStore(url)
    assert str(info.value).startswith("--db: cannot open the run store")


def test_serve_with_a_bad_db_exits_2(tmp_path):
    import subprocess

    from cases import evpact_command

    proc = subprocess.run(
        [*evpact_command(), "serve", "--db", "nodb://user:secret@x/y", "--port", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot open the run store" in proc.stderr and "secret" not in proc.stderr
    assert "Traceback" not in proc.stderr
