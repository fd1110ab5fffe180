"""Monte Carlo in blocks: draws stream through the engine a block at a time.

Every block draws its inputs from the run's streams (see ``sampling``), so the results do not
depend on the block size; a reducer sees each block while it is hot in cache, which is where
per-draw metrics are made (and where big runs will reduce on the fly).
"""

from __future__ import annotations

import math
import mmap
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..engine import jit
from ..engine.compile import Model
from ..engine.simulate import simulate as run_block
from .cores import default_workers, forks, on_cores
from .sampling import block_uniforms, central, sample, uncertain_paths

CHUNK = 4096  # draws per block: fastest on this model (benchmarks/bench_run.py)
#: streamed runs of more blocks than this use every core by default (their unkept blocks on
#: forked processes); others stay on one thread, where threads measured slower
PARALLEL_FROM = 2
#: a world's block of at most this many draws is kept for the next run on the same draws: a
#: sweep's or an optimiser's counterfactual does not change between candidates
REUSE_DRAWS = 2048
REUSE_BLOCKS = 4  # kept world-blocks (about 17 MB each at 2,048 draws)

Progress = Callable[[int, int], None]
Block = list[dict[str, np.ndarray[Any, Any]]]
#: pure and picklable, runs where the block runs (here, or on a cluster's worker); its flag
#: says whether the block's draws are kept (else only totals need to travel back)
Summarise = Callable[[Block, bool], Any]
#: runs here, in draw order or not, with each block's draw range and summary
Collect = Callable[[int, int, Any], None]


def compute_block(
    models: list[Model],
    seed: int,
    start: int,
    stop: int,
    total: int,
    scheme: str = "mc",
    summarise: Summarise | None = None,
    keep_arrays: bool = True,
) -> tuple[Block | None, Any]:
    """Draws ``start..stop-1`` of every model, and their summary: a pure function of its
    arguments, so a block gives the same numbers here, in another process or on a cluster.

    The uniforms come from ``block_uniforms`` over the union of the models' uncertain inputs,
    with the scenario's (first model's) rank correlations, so the counterfactual shares both
    the draws and their correlation structure. Arrays travel back only when ``keep_arrays``.
    """
    paths = uncertain_paths(*(m.inputs for m in models))
    # the uniforms of a world depend on its model, the seed, the draw range and the scheme
    # over all the paths (a Latin hypercube or a correlation couples them)
    draws = (seed, start, stop, total, scheme, tuple(paths), models[0].correlations)
    u, shared = _samples.reuse(
        draws,
        stop - start,
        lambda: block_uniforms(paths, seed, start, stop, total, scheme, models[0].correlations),
    )
    block = [
        _worlds.reuse(
            m,
            draws,
            lambda m: run_block(m, sample(m.inputs, seed, start, stop, shared, u=u), stop - start),
        )
        for m in models
    ]
    for _, values in list(shared.values()):  # kept for the next candidate: read-only
        if isinstance(values, np.ndarray):
            values.flags.writeable = False
    summary = summarise(block, keep_arrays) if summarise else None
    return (block if keep_arrays else None), summary


class _Worlds:
    """The last few small world-blocks computed, by model and draws. A block is a pure
    function of both, so a hit is the block recomputed, without the work; its arrays are
    read-only so no caller can change what the next run gets."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, Any], tuple[Model, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def reuse(
        self, model: Model, draws: Any, compute: Callable[[Model], dict[str, Any]]
    ) -> dict[str, Any]:
        """The world-block of ``model`` on ``draws``: kept, or computed (and kept if small)."""
        key = (id(model), draws)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] is model:  # not an id reused by another model
                self._kept.move_to_end(key)
                self.hits += 1
                return hit[1]
        world = compute(model)
        rows = max((a.shape[0] for a in world.values() if np.ndim(a) > 0), default=0)
        if rows > REUSE_DRAWS:
            return world
        for a in world.values():
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
        with self._lock:
            self._kept[key] = (model, world)  # the model too, so its id stays its own
            while len(self._kept) > REUSE_BLOCKS:
                self._kept.popitem(last=False)
        return world


_worlds = _Worlds()


class _Samples:
    """The uniforms of the last few small blocks and the input values drawn from them, by
    draws (``compute_block``'s key). The next candidate of a sweep or an optimiser on the
    same draws neither regenerates the uniforms nor re-applies an inverse CDF to an input it
    did not change: ``sampling.sample`` takes an input's values from here when its
    distribution is the same (``same_input``), exactly the values it would compute."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Any, tuple[dict[str, Any], dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def reuse(
        self, draws: Any, rows: int, make: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Uniforms and a table of drawn values (filled by ``sample``) for ``draws``."""
        if rows > REUSE_DRAWS:
            return make(), {}
        with self._lock:
            hit = self._kept.get(draws)
            if hit is not None:
                self._kept.move_to_end(draws)
                return hit
        u = make()
        for a in u.values():
            a.flags.writeable = False
        entry: tuple[dict[str, Any], dict[str, Any]] = (u, {})
        with self._lock:
            self._kept[draws] = entry
            while len(self._kept) > REUSE_BLOCKS:
                self._kept.popitem(last=False)
        return entry


_samples = _Samples()


def clear_kept() -> None:
    """Forget the kept world-blocks (tests, or to free their memory)."""
    global _worlds, _samples
    _worlds = _Worlds()
    _samples = _Samples()


def kept_hits() -> int:
    """World-blocks served from the kept ones since the last ``clear_kept``."""
    return _worlds.hits


def blocks(draws: int, chunk: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk, draws)) for start in range(0, draws, chunk)]


def run_models(
    models: list[Model],
    draws: int,
    seed: int,
    chunk: int = CHUNK,
    deterministic: bool = False,
    progress: Progress | None = None,
    summarise: Summarise | None = None,
    collect: Collect | None = None,
    dtype: type[np.floating[Any]] = np.float64,
    client: Any = None,
    scheme: str = "mc",
    keep: int | None = None,
    workers: int | None = None,
) -> Block:
    """Arrays of the first ``keep`` draws (all by default) for each model, computed block by
    block on common random numbers; every block also goes through ``summarise`` (where it
    runs, in full precision) and its summary through ``collect`` (here).

    Results do not depend on ``chunk`` nor on where blocks run: with a Dask ``client`` they
    are mapped over its workers and placed back by their draw range. Past ``keep`` draws only
    summaries come back, so memory (and a cluster's traffic) stays flat however many draws.
    Without a client, blocks run on ``workers`` cores (``cores.on_cores``); None means every
    core for streamed runs (draws past ``keep``) of more than ``PARALLEL_FROM`` blocks, one
    thread otherwise.
    """
    if deterministic:
        kept_worlds = [_central_world(m) for m in models]
        # writable copies: the kept worlds are shared with the next run
        one = [{k: np.array(v) for k, v in world.items()} for world in kept_worlds]
        if summarise and collect:
            collect(0, 1, summarise(one, True))
        return one
    outs: Block = [{} for _ in models]
    kept = draws if keep is None else min(keep, draws)
    done = 0
    ranges = blocks(draws, chunk)
    if workers is None:
        streamed = kept < draws
        workers = default_workers() if streamed and len(ranges) > PARALLEL_FROM else 1
    jobs = _map_blocks(
        models, seed, ranges, draws, scheme, summarise, kept, client, workers, outs, dtype
    )
    pending: dict[int, tuple[int, Any]] = {}  # summaries that arrived before their turn
    order = iter(ranges)
    turn = next(order, None)
    for (start, stop), (block, summary) in jobs:
        # summaries are collected in draw order, so sums are added in the same order (and
        # give the same last digits) whether blocks ran here or arrived from a cluster
        if collect:
            pending[start] = (stop, summary)
        while collect and turn is not None and turn[0] in pending:
            collect(turn[0], *pending.pop(turn[0]))
            turn = next(order, None)
        if block is not None:
            keep_rows(outs, block, (start, stop), kept, dtype)
        done += stop - start
        if progress:  # draws done across all models, out of draws x models
            progress(done * len(models), draws * len(models))
    return outs


def keep_rows(outs: Block, block: Block, span: tuple[int, int], kept: int, dtype: Any) -> None:
    """Write the draws of ``block`` (draws ``span``) below ``kept`` into the kept arrays
    ``outs``, allocating each once (no list of parts, no concatenation copy)."""
    start, stop = span
    rows = min(stop, kept) - start
    if rows <= 0:
        return
    for part, out in zip(block, outs, strict=False):
        for key, value in part.items():
            if key not in out:
                out[key] = kept_array((kept, *value.shape[1:]), dtype)
            out[key][start : start + rows] = value[:rows]


def kept_array(shape: tuple[int, ...], dtype: Any, shared: bool = False) -> np.ndarray[Any, Any]:
    """An uninitialised array for kept draws, its memory mapped in one system call.

    The kept arrays (about 0.5 GB at 65,536 draws) are written once, block by block. From
    ``np.empty`` every page is faulted in on first write, and numpy asks for huge pages,
    whose compaction on a busy machine made that first write 3-5x slower than the copy
    itself (benchmarks/RESULTS.md, "Round 2"); ``MAP_POPULATE`` maps ordinary pages up front.
    Where it is missing (not Linux) this is ``np.empty``; the numbers are the same either way.
    A ``shared`` array is mapped shared, so processes forked after it write into it in place
    (only where ``fork`` exists, so on a system with ``mmap.MAP_SHARED``).
    """
    size = math.prod(shape) * np.dtype(dtype).itemsize
    populate = getattr(mmap, "MAP_POPULATE", 0)
    if size == 0 or (not shared and (size < 1 << 20 or not populate)):
        return np.empty(shape, dtype=dtype)
    # shared: the workers fault its pages in as they write, in parallel, not this process
    # before they start
    flags = (
        mmap.MAP_SHARED | mmap.MAP_ANONYMOUS
        if shared
        else mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate
    )
    return np.frombuffer(mmap.mmap(-1, size, flags=flags), dtype=dtype).reshape(shape)


def _central_world(model: Model) -> dict[str, Any]:
    """The model's world at its inputs' central values (one draw), kept for the next run."""
    return _worlds.reuse(model, "central", lambda m: run_block(m, central(m.inputs), 1))


def _shared_kept(models: list[Model], kept: int, dtype: Any, summarise: Summarise | None) -> Block:
    """Kept arrays, mapped shared, for every output a kept block leaves after ``summarise``
    (which may drop some), shaped from the models' central worlds (one draw each, kept for
    a deterministic run): forked workers write their kept blocks there in place, so no
    block's arrays travel back."""
    block = [_central_world(m) for m in models]
    if summarise:  # it replaces, never changes, the block's dicts
        summarise(block, True)
    return [
        {k: kept_array((kept, *a.shape[1:]), dtype, shared=True) for k, a in world.items()}
        for world in block
    ]


def _map_blocks(
    models: list[Model],
    seed: int,
    ranges: list[tuple[int, int]],
    total: int,
    scheme: str,
    summarise: Summarise | None,
    kept: int,
    client: Any,
    workers: int,
    outs: Block,
    dtype: Any,
) -> Iterator[tuple[tuple[int, int], tuple[Block | None, Any]]]:
    """Blocks in this process, on ``workers`` cores (see ``cores``), or on a Dask cluster;
    in any order. When blocks run on forked processes, ``outs`` gets the kept arrays,
    mapped shared: the workers write their kept draws there and return summaries only."""
    if client is None and workers > 1 and len(ranges) > 1:
        in_place = forks(ranges, kept)
        if in_place:
            outs[:] = _shared_kept(models, kept, dtype, summarise)

        def block(start: int, stop: int, keep_arrays: bool) -> tuple[Block | None, Any]:
            arrays, summary = compute_block(
                models, seed, start, stop, total, scheme, summarise, keep_arrays
            )
            if in_place and arrays is not None:
                if [list(w) for w in arrays] != [list(w) for w in outs]:  # else lost in a fork
                    raise RuntimeError("a kept block's outputs differ from the shared arrays'")
                keep_rows(outs, arrays, (start, stop), kept, dtype)
                arrays = None
            return arrays, summary

        yield from on_cores(block, ranges, kept, workers)
        return
    if client is None:
        with jit.planned(sum(stop - start for start, stop in ranges)):
            for start, stop in ranges:
                yield (
                    (start, stop),
                    compute_block(
                        models, seed, start, stop, total, scheme, summarise, start < kept
                    ),
                )
        return
    from distributed import as_completed

    [remote_models] = client.scatter([models], broadcast=True)
    futures = {
        client.submit(
            compute_block,
            remote_models,
            seed,
            start,
            stop,
            total,
            scheme,
            summarise,
            start < kept,
            pure=False,
        ): (start, stop)
        for start, stop in ranges
    }
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        yield futures[future], future.result()
        future.release()
