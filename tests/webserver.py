"""``evpact serve`` in a subprocess on a free port, for tests that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from cases import evpact_command

#: limits of the test server: small, so every limit can be hit quickly
LIMITS = {
    "--max-draws": "20000",
    "--sync-draws": "2000",
    "--max-seconds": "30",
    "--max-body-bytes": "200000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(folder: Path, **limits: str) -> Iterator[str]:
    with serve_process(folder, {}, **limits) as (url, _proc):
        yield url


@contextmanager
def serve_process(
    folder: Path, env: dict[str, str], **limits: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As ``serve``, with extra environment (``EVPACT_*`` settings) and the server process."""
    port = free_port()
    args = [f"--{k.replace('_', '-')}" for k in limits]
    options = {**LIMITS, **dict(zip(args, limits.values(), strict=True))}
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            *evpact_command(),
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{folder / 'runs.sqlite'}",
            *(x for kv in options.items() for x in kv),
        ],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError((folder / "server.log").read_text())
            try:
                if httpx.get(f"{url}/api", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("evpact serve did not start within 60 s")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        text = (folder / "server.log").read_text()
        assert "Traceback" not in text, text


def run_and_wait(page: Any, timeout_ms: int = 60_000) -> str:
    """Click Run in the page (a Playwright ``Page``); wait until the charts show a new run and
    its linkage chart is drawn; return the run's id."""
    before = page.get_attribute("#charts", "data-run-id")
    page.wait_for_selector("#run:not([disabled])", timeout=10_000)
    page.click("#run")
    page.wait_for_function(
        "(b) => { const r = document.getElementById('charts').dataset.runId;"
        " return r && r !== b; }",
        arg=before,
        timeout=timeout_ms,
    )
    page.wait_for_selector("#chart-linkage .main-svg", timeout=30_000)
    return str(page.get_attribute("#charts", "data-run-id"))
