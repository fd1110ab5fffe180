"""A burst against a real ``evpact serve`` on loopback: N concurrent synchronous runs, then N
job submissions, of D draws each; the status codes, the server's resident memory when idle
(after three warm-up runs), its peak during the burst and after the queue drains, and the run
rows kept. Extra ``EVPACT_*`` settings come from the environment.

    python benchmarks/bench_web_load.py [N] [D]      # default 100 concurrent, 5,000 draws
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

SCENARIO = "canada-korea-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def burst(url: str, path: str, n: int, draws: int) -> collections.Counter[int]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        body = {"scenario": SCENARIO, "draws": draws, "seed": 1}
        got = await asyncio.gather(*(client.post(path, json=body) for _ in range(n)))
    return collections.Counter(r.status_code for r in got)


def drain(client: httpx.Client) -> None:
    """Until a fresh small job runs to the end: every queued job before it has finished."""
    while True:
        r = client.post("/api/runs?mode=job", json={"scenario": SCENARIO, "draws": 10})
        if r.status_code == 202:
            job = r.json()
            while job["status"] in ("queued", "running"):
                time.sleep(0.2)
                job = client.get(f"/api/jobs/{job['id']}").json()
            return
        time.sleep(1)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'runs.sqlite'}"
        evpact = Path(sys.executable).parent / "evpact"
        proc = subprocess.Popen(
            [str(evpact), "serve", "--port", str(port), "--db", db],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
        try:
            while True:
                try:
                    if httpx.get(f"{url}/api", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            server = psutil.Process(proc.pid)
            limits = httpx.get(f"{url}/api").json()["limits"]
            print(f"server limits: {limits}")
            with httpx.Client(base_url=url, timeout=600) as client:
                for _ in range(3):
                    client.post("/api/runs", json={"scenario": SCENARIO, "draws": draws})
                drain(client)
                idle = server.memory_info().rss
                peak = idle
                stop = threading.Event()

                def sample() -> None:
                    nonlocal peak
                    while not stop.is_set():
                        peak = max(peak, server.memory_info().rss)
                        time.sleep(0.05)

                sampler = threading.Thread(target=sample)
                sampler.start()
                t0 = time.monotonic()
                sync = asyncio.run(burst(url, "/api/runs?mode=sync", n, draws))
                t1 = time.monotonic()
                jobs = asyncio.run(burst(url, "/api/runs?mode=job", n, draws))
                drain(client)
                t2 = time.monotonic()
                stop.set()
                sampler.join()
                time.sleep(1)
                after = server.memory_info().rss
                kept = len(client.get("/api/runs", params={"limit": 500}).json()["runs"])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    mib = 2**20
    print(f"{n} concurrent synchronous runs of {draws:,} draws: {dict(sync)} in {t1 - t0:.1f} s")
    print(f"{n} job submissions of {draws:,} draws: {dict(jobs)}; drained in {t2 - t1:.1f} s")
    print(
        f"RSS idle {idle / mib:.0f} MiB, peak {peak / mib:.0f} MiB, after {after / mib:.0f} MiB "
        f"({after / idle:.2f}x idle); runs kept {kept}"
    )


if __name__ == "__main__":
    main()
