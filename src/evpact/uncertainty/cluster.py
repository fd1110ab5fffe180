"""Scale-out: the same blocks mapped over a Dask distributed cluster.

Blocks are pure functions of (models, seed, draw range), so a cluster gives the numbers one
process gives; only wall time changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import EvpactError


@contextmanager
def dask_client(cluster: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client for ``cluster`` ("local", or "tcp://HOST:PORT") or for a local cluster of
    ``workers`` processes; None when neither is asked for (run in this process)."""
    if cluster is None and workers is None:
        yield None
        return
    if workers is not None and workers < 1:
        raise EvpactError(f"--workers must be at least 1, got {workers}")
    import dask
    from distributed import Client, LocalCluster

    if cluster in (None, "local"):
        with (
            # Dask's workers trim freed memory back to the OS at once; the engine's block
            # temporaries then fault in afresh on every allocation (4x slower per block here)
            dask.config.set(
                {
                    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(2**30),
                    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": str(2**30),
                }
            ),
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.CRITICAL,  # a run's output is evpact's, not Dask's logs
            ) as local,
            Client(local) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    assert cluster is not None
    if not cluster.startswith("tcp://"):
        raise EvpactError(f"--cluster takes 'local' or tcp://HOST:PORT, got '{cluster}'")
    if workers is not None:
        raise EvpactError("--workers sizes a local cluster; a tcp:// cluster has its own")
    try:
        client = Client(cluster, timeout="10s")  # type: ignore[no-untyped-call]
    except OSError as e:
        raise EvpactError(f"cannot reach the Dask scheduler at {cluster}: {e}") from None
    with client:
        yield client
