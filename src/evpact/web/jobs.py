"""Background runs: one worker thread, a bounded queue, and a status with progress per job;
and the gate that bounds synchronous runs. Memory is handed back after every run.

A run gets a deadline: its progress callback raises once the time is up, so a worker is never
held longer than the configured limit (the engine reports progress after every block).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import EvpactError
from .memory import trim

Progress = Callable[[int, int], None]
Task = Callable[[Progress], dict[str, Any]]
KEEP = 200  # finished jobs remembered (their runs stay in the store)
log = logging.getLogger("evpact.web")


class RunTimeout(EvpactError):
    """A run that went past the server's time limit."""


class QueueFull(EvpactError):
    """More runs waiting than the server accepts (429; try again after ``retry_after`` s)."""

    retry_after = 5


class Busy(EvpactError):
    """Every synchronous slot is taken (503; try again after ``retry_after`` s)."""

    retry_after = 2


class SyncGate:
    """At most ``slots`` synchronous runs at once; one more is refused at once, not queued,
    so a burst of requests cannot pile up arrays (and threads) the server cannot hold."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._sem = threading.BoundedSemaphore(slots)

    def run(self, task: Task, progress: Progress) -> dict[str, Any]:
        if not self._sem.acquire(blocking=False):
            raise Busy(
                f"the server is running {self.slots} synchronous runs already; try again in "
                f"{Busy.retry_after} s, or use mode=job"
            )
        try:
            return guarded(task)(progress)
        finally:
            self._sem.release()
            trim()


def deadline_progress(seconds: float, report: Progress | None = None) -> Progress:
    """A progress callback that forwards progress and stops the run past ``seconds``."""
    stop = time.monotonic() + seconds

    def progress(done: int, total: int) -> None:
        if report is not None:
            report(done, total)
        if time.monotonic() > stop:
            raise RunTimeout(
                f"the run took longer than the server's limit of {seconds:g} s; "
                "use fewer draws or ask the operator for --max-seconds"
            )

    return progress


def guarded(task: Task) -> Task:
    """A failure of the model that is not an input error becomes an ``EvpactError`` (a 4xx
    or a failed job) with its traceback logged: a scenario the model cannot handle costs
    neither a 500 nor a worker, and the log still shows the bug."""

    def run(progress: Progress) -> dict[str, Any]:
        try:
            return task(progress)
        except EvpactError:
            raise
        except Exception as e:
            log.exception("a run failed")
            raise EvpactError(
                f"the model could not run this scenario ({type(e).__name__}: {e})"
            ) from None

    return run


@dataclass
class Job:
    id: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    error: str | None = None
    result: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "progress": round(self.progress, 4),
            "error": self.error,
            "result": self.result,
        }


class Jobs:
    def __init__(self, max_seconds: float, max_queued: int) -> None:
        self.max_seconds = max_seconds
        self.max_queued = max_queued
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evpact-run")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, task: Task) -> Job:
        with self._lock:
            waiting = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if waiting >= self.max_queued:
                raise QueueFull(f"{waiting} runs are waiting; try again in a moment")
            job = Job(uuid.uuid4().hex)
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ("queued", "running"):
                    break
                self._jobs.pop(oldest)
        self._pool.submit(self._run, job, task)
        return job

    def _run(self, job: Job, task: Task) -> None:
        job.status = "running"

        def report(done: int, total: int) -> None:
            job.progress = done / total if total else 1.0

        try:
            job.result = guarded(task)(deadline_progress(self.max_seconds, report))
            job.progress = 1.0
            job.status = "done"
        except EvpactError as e:
            job.error, job.status = str(e), "failed"
        finally:
            trim()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
