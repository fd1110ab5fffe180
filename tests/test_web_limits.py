"""Limits that need an app of their own (in process): run time, a full queue, settings."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from evpact.errors import EvpactError
from evpact.web import Settings, create_app
from evpact.web.jobs import Jobs, QueueFull, RunTimeout, deadline_progress, guarded


class InProcess:
    """An app called in this process (httpx over ASGI), for limits a test sets very low."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
                return await c.request(method, url, **kwargs)

        return asyncio.run(go())


def test_a_run_past_the_time_limit_is_422_not_a_hung_worker(tmp_path):
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'r.sqlite'}", max_seconds=1e-6))
    client = InProcess(app)
    body = {"scenario": "canada-korea-2026", "draws": 100}
    response = client.request("POST", "/api/runs", json=body)
    assert response.status_code == 422
    assert "longer than the server's limit" in response.json()["detail"]
    job = client.request("POST", "/api/runs?mode=job", json=body).json()
    for _ in range(200):
        job = client.request("GET", f"/api/jobs/{job['id']}").json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert job["status"] == "failed" and "longer than" in job["error"]


def test_deadline_progress_stops_a_run():
    seen = []
    progress = deadline_progress(0.0, lambda done, total: seen.append(done))
    time.sleep(0.01)
    with pytest.raises(RunTimeout):
        progress(1, 2)
    assert seen == [1]
    assert issubclass(RunTimeout, EvpactError)


def test_a_full_queue_refuses_more_runs():
    jobs = Jobs(max_seconds=10, max_queued=1)
    release = threading.Event()
    try:
        first = jobs.submit(lambda progress: {"ok": release.wait(5)})
        with pytest.raises(QueueFull, match="runs are waiting"):
            jobs.submit(lambda progress: {})
        release.set()
        for _ in range(100):
            if first.status == "done":
                break
            time.sleep(0.02)
        assert first.result == {"ok": True}
    finally:
        release.set()
        jobs.shutdown()


def test_a_job_that_breaks_reports_it_and_the_worker_goes_on(caplog):
    jobs = Jobs(max_seconds=10, max_queued=4)

    def broken(progress):
        raise ZeroDivisionError("boom")

    try:
        bad = jobs.submit(broken)
        good = jobs.submit(lambda progress: {"ok": True})
        for _ in range(100):
            if good.status == "done":
                break
            time.sleep(0.02)
        assert bad.status == "failed" and "ZeroDivisionError: boom" in (bad.error or "")
        assert "could not run this scenario" in (bad.error or "")
        assert "a run failed" in caplog.text  # the traceback goes to the log
        assert good.result == {"ok": True}
    finally:
        jobs.shutdown()


def test_full_queue_is_429_over_http(tmp_path):
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'r.sqlite'}", max_queued=0))
    body = {"scenario": "no-deal", "draws": 10}
    response = InProcess(app).request("POST", "/api/runs?mode=job", json=body)
    assert response.status_code == 429
    assert "waiting" in response.json()["detail"]


def test_settings_read_the_environment(monkeypatch):
    monkeypatch.setenv("EVPACT_MAX_DRAWS", "123")
    monkeypatch.setenv("EVPACT_MAX_SECONDS", "2.5")
    settings = Settings.from_env(sync_draws=7, db=None)
    assert (settings.max_draws, settings.max_seconds, settings.sync_draws) == (123, 2.5, 7)


def test_a_model_failure_is_an_input_error_not_a_500(caplog):
    def broken(progress):
        raise KeyError("plant")

    with pytest.raises(EvpactError, match="could not run this scenario"):
        guarded(broken)(lambda done, total: None)
