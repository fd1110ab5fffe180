"""A real server under a burst, on loopback only: 200 concurrent synchronous runs and 200 job
submissions get 2xx, 429 or 503 (with ``Retry-After``), never a 5xx error; the store keeps only
its retention count; and resident memory after the burst is back within 1.5x of idle.

Bounded: small draws, a few slots, and a deadline on every wait."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from webserver import serve_process

SCENARIO = "canada-korea-2026"
KEEP = 5
BURST = 200
DRAWS = 200


async def burst(url: str, path: str, n: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        payload = {"scenario": SCENARIO, "draws": DRAWS, "seed": 1}
        return list(await asyncio.gather(*(client.post(path, json=payload) for _ in range(n))))


def settle(client: httpx.Client, proc: psutil.Process) -> int:
    """Wait until no job is queued or running (one more small run proves the worker is free),
    then return the server's resident set size."""
    deadline = time.monotonic() + 120
    while True:
        r = client.post("/api/runs?mode=job", json={"scenario": SCENARIO, "draws": 10})
        if r.status_code == 202:
            job = r.json()
            while job["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, job
                time.sleep(0.1)
                job = client.get(f"/api/jobs/{job['id']}").json()
            assert job["status"] == "done", job
            break
        assert time.monotonic() < deadline, r.text
        time.sleep(0.5)
    time.sleep(0.5)
    return int(proc.memory_info().rss)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    env = {"EVPACT_MAX_SYNC": "2", "EVPACT_KEEP_RUNS": str(KEEP), "EVPACT_MAX_QUEUED": "8"}
    with serve_process(tmp_path_factory.mktemp("load"), env) as (url, proc):
        yield url, psutil.Process(proc.pid)


def test_a_burst_gets_no_5xx_keeps_the_retention_limit_and_gives_memory_back(
    server: tuple[str, psutil.Process],
) -> None:
    url, proc = server
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(3):  # warm: imports, caches and one run's arrays, as an idle server has
            assert client.post("/api/runs", json={"scenario": SCENARIO, "draws": DRAWS}).is_success
        idle = settle(client, proc)

        started = time.monotonic()
        sync = asyncio.run(burst(url, "/api/runs?mode=sync", BURST))
        jobs = asyncio.run(burst(url, "/api/runs?mode=job", BURST))
        elapsed = time.monotonic() - started
        after = settle(client, proc)
        runs = client.get("/api/runs", params={"limit": 500}).json()["runs"]

    for name, responses, busy in (("sync", sync, 503), ("job", jobs, 429)):
        codes = [r.status_code for r in responses]
        assert set(codes) <= {200, 202, busy}, (name, sorted(set(codes)))
        assert any(c < 300 for c in codes), name  # the server did work, not only refuse
        for r in responses:
            if r.status_code == busy:
                assert int(r.headers["retry-after"]) > 0
                assert "try again" in r.json()["detail"]
    assert any(r.status_code == 503 for r in sync), "200 at once must exceed 2 slots"
    assert any(r.status_code == 429 for r in jobs), "200 jobs must exceed a queue of 8"
    assert len(runs) == KEEP
    assert after <= 1.5 * idle, f"RSS idle {idle / 2**20:.0f} MiB, after {after / 2**20:.0f} MiB"
    print(
        f"\nload: {BURST} sync + {BURST} jobs of {DRAWS} draws in {elapsed:.1f} s; sync "
        f"{sum(r.status_code == 200 for r in sync)} ok / {sum(r.status_code == 503 for r in sync)}"
        f" busy; jobs {sum(r.status_code == 202 for r in jobs)} accepted / "
        f"{sum(r.status_code == 429 for r in jobs)} queue-full; RSS idle "
        f"{idle / 2**20:.0f} MiB, after {after / 2**20:.0f} MiB"
    )


def test_retry_after_is_on_a_full_queue(server: tuple[str, psutil.Process]) -> None:
    url, _ = server
    responses = asyncio.run(burst(url, "/api/runs?mode=job", 30))
    full = [r for r in responses if r.status_code == 429]
    assert full and all(r.headers["retry-after"].isdigit() for r in full)


def test_serve_flags_set_the_load_limits(tmp_path: Path) -> None:
    """``evpact serve --max-sync/--max-queued/--keep-runs`` reach the server (as the EVPACT_*
    variables do), and a flag wins over its variable."""
    env = {"EVPACT_MAX_SYNC": "5"}
    limits = {"max_sync": "3", "max_queued": "4", "keep_runs": "7"}
    with serve_process(tmp_path, env, **limits) as (url, _):
        got = httpx.get(f"{url}/api", timeout=30).json()["limits"]
    assert (got["max_sync"], got["max_queued"], got["keep_runs"]) == (3, 4, 7)
