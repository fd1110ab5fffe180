"""Uniform draws per uncertain input, independent of how the draws are chunked.

One ``SeedSequence`` per run; each input gets its own stream, spawned from the run's seed with a
key derived from the input's path (``plants.nextstar-windsor.ramp_years``). Draw ``i`` of a stream
is the ``i``-th number of its PCG64 generator, reached with ``advance``: a chunk ``[start, stop)``
reads exactly the numbers the whole run would. Two scenarios run with the same seed share the
draws of every input they have in common (common random numbers).

``block_uniforms`` adds Latin hypercube and Sobol schemes over all inputs at once, and rank
correlations among inputs through a Gaussian copula; both only change the uniforms, so every
distribution, and the engine, work unchanged.
"""

from __future__ import annotations

import functools
import threading
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from ..engine import jit

FloatArray = np.ndarray[Any, Any]


class Input(Protocol):
    """Anything that turns uniform quantiles into values (a ``Dist`` or a yearly path)."""

    @property
    def is_fixed(self) -> bool: ...

    @property
    def central(self) -> Any: ...

    def ppf(self, u: FloatArray) -> FloatArray: ...


def stream_key(path: str) -> int:
    return zlib.crc32(path.encode("utf-8"))


def uniforms(seed: int, path: str, start: int, stop: int) -> FloatArray:
    """Quantiles ``start..stop-1`` of the stream that belongs to ``path``."""
    bits, generator, seeded = _stream(seed, path)
    bits.state = seeded  # back to the stream's first number, then on to ``start``
    bits.advance(start)
    return generator.random(stop - start)


#: streams kept per thread (the oldest made goes first): a run reads each input's stream once
#: per block
_STREAMS = 4096
_threads = threading.local()


def _stream(seed: int, path: str) -> tuple[np.random.PCG64, np.random.Generator, Any]:
    """The generator of ``path``'s stream and its seeded state, made once per thread.

    Seeding (``SeedSequence`` hashing its entropy, then ``PCG64``) cost about half of a
    block's uniforms (benchmarks/RESULTS.md, "Round 4"); restoring the seeded state gives
    the same numbers. Per thread, because a generator is not shared between threads.
    """
    kept: OrderedDict[tuple[int, str], Any] | None = getattr(_threads, "streams", None)
    if kept is None:
        kept = _threads.streams = OrderedDict()
    hit = kept.get((seed, path))
    if hit is None:
        seq = np.random.SeedSequence(entropy=seed, spawn_key=(stream_key(path),))
        bits = np.random.PCG64(seq)
        hit = kept[(seed, path)] = (bits, np.random.Generator(bits), bits.state)
        if len(kept) > _STREAMS:
            kept.popitem(last=False)
    return hit


def same_input(a: Input, b: Input) -> bool:
    """Two inputs that draw identical values from the same stream."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if hasattr(a, "low"):  # a yearly path: compare its arrays
        return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("low", "mode", "high"))
    return bool(a == b)


def sample(
    inputs: Mapping[str, Input],
    seed: int,
    start: int,
    stop: int,
    shared: dict[str, tuple[Input, FloatArray]] | None = None,
    u: Mapping[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Values of every input for draws ``start..stop-1``; fixed inputs stay scalars.

    ``shared`` carries draws between the scenario and its counterfactual: an input with the
    same path and distribution would draw the same values, so it is drawn once. ``u`` gives
    the uniforms of every uncertain input (from ``block_uniforms``: another scheme, or
    correlated inputs) instead of reading each input's own stream.
    """
    out: dict[str, FloatArray] = {}
    k = jit.compiled_for(stop - start, "..uncertainty.kernels")
    for path, dist in inputs.items():
        if shared is not None and path in shared and same_input(shared[path][0], dist):
            out[path] = shared[path][1]
            continue
        if dist.is_fixed:  # a scalar, or a (1, year) row for a yearly path
            value = np.asarray(dist.central, dtype=float)
            out[path] = value[None, :] if value.ndim == 1 else value
        elif u is None:
            out[path] = ppf(dist, uniforms(seed, path, start, stop), k)
        elif path in u:
            out[path] = ppf(dist, u[path], k)
        else:
            raise KeyError(f"no uniforms given for the uncertain input '{path}'")
        if shared is not None:
            shared[path] = (dist, out[path])
    return out


def ppf(dist: Input, u: FloatArray, k: ModuleType | None = None) -> FloatArray:
    """``dist.ppf(u)``; with the kernels ``k``, triangular inputs and yearly paths (triangular
    year by year) in one compiled pass each, the same bits. Quantiles in another precision
    than double (never drawn here) stay with numpy, whose ``1 - u`` keeps their precision."""
    if k is not None and np.asarray(u).dtype == np.float64:
        from ..scenario.distributions import Dist

        if isinstance(dist, Dist) and dist.kind == "triangular":
            lo, mode, hi = (float(x) for x in dist.params)
            return np.asarray(k.triangular_ppf(u, lo, mode, hi))
        if isinstance(getattr(dist, "low", None), np.ndarray):  # engine.compile.YearPath
            path = (getattr(dist, name) for name in ("low", "mode", "high"))
            return np.asarray(k.triangular_path(u, *path))
    return dist.ppf(u)


def central(inputs: Mapping[str, Input]) -> dict[str, FloatArray]:
    """The deterministic run: every input at its mode, median or fixed value (one draw)."""
    return {path: np.asarray(dist.central, dtype=float)[None, ...] for path, dist in inputs.items()}


# --- sampling schemes and correlated inputs ---------------------------------------------------

SCHEMES = ("mc", "lhs", "sobol")
#: uniforms are kept this far from 0 and 1 so every inverse CDF stays finite
_EDGE = 2.0**-53


class CorrelationGroup(Protocol):
    """Rank (Spearman) correlations among a few inputs (``scenario.model.Correlation``)."""

    @property
    def inputs(self) -> tuple[str, ...]: ...

    @property
    def matrix(self) -> tuple[tuple[float, ...], ...]: ...


def uncertain_paths(*tables: Mapping[str, Input]) -> list[str]:
    """Sorted union of the uncertain paths of several models: the columns of a joint design.

    The scenario and its counterfactual pass both tables, so an input they share gets the same
    column of a Latin hypercube or Sobol design (common random numbers), whatever else differs.
    """
    return sorted({p for table in tables for p, d in table.items() if not d.is_fixed})


def normal_correlation(rank: FloatArray) -> FloatArray:
    """The normal-scale correlation ``2 sin(pi rho / 6)`` whose Gaussian copula has Spearman
    correlation ``rho`` exactly (Pearson's 1907 identity for the bivariate normal)."""
    return 2.0 * np.sin(np.pi * np.asarray(rank, dtype=float) / 6.0)


def rank_correlation(normal: FloatArray) -> FloatArray:
    """Inverse of ``normal_correlation``: the Spearman correlation of a Gaussian copula."""
    return 6.0 / np.pi * np.arcsin(np.clip(np.asarray(normal, dtype=float) / 2.0, -0.5, 0.5))


def _psd_floor(a: FloatArray, floor: float) -> FloatArray:
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.maximum(w, floor)) @ v.T


def nearest_correlation(a: FloatArray, floor: float = 0.0, iterations: int = 200) -> FloatArray:
    """Nearest correlation matrix to ``a`` (Frobenius norm) with eigenvalues >= ``floor``:
    Higham's (2002) alternating projections with Dykstra's correction."""
    y = np.array(a, dtype=float)
    correction = np.zeros_like(y)
    for _ in range(iterations):
        r = y - correction
        x = _psd_floor(r, floor)
        correction = x - r
        y = x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - x) < 1e-12:
            break
    return np.clip((y + y.T) / 2, -1.0, 1.0)


def usable(rank: FloatArray, tol: float = 1e-9) -> bool:
    """A rank correlation matrix the Gaussian copula can sample: it and its normal-scale
    equivalent are both positive semi-definite."""
    return all(
        np.linalg.eigvalsh(m).min() >= -tol for m in (np.asarray(rank), normal_correlation(rank))
    )


def suggest_correlation(rank: FloatArray, decimals: int = 2) -> FloatArray:
    """A usable matrix close to ``rank``, rounded so a user can paste it into the scenario."""
    for floor in (0.01, 0.02, 0.05, 0.1, 0.2):
        near = np.round(
            rank_correlation(nearest_correlation(normal_correlation(rank), floor)), decimals
        )
        np.fill_diagonal(near, 1.0)
        if usable(near):
            return near
    return np.eye(len(rank))


def copula_factor(rank: FloatArray) -> FloatArray:
    """``L`` with ``L Lᵀ = 2 sin(pi rho / 6)``: Cholesky when the matrix is positive definite,
    else the eigen-decomposition ``V sqrt(max(w, 0))``, which also handles singular matrices
    (perfectly correlated inputs)."""
    normal = normal_correlation(rank)
    try:
        return np.linalg.cholesky(normal)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(normal)
        return v * np.sqrt(np.clip(w, 0.0, None))


def correlate(
    u: Mapping[str, FloatArray], correlations: Sequence[CorrelationGroup]
) -> dict[str, FloatArray]:
    """Uniforms with the requested rank correlations, through a Gaussian copula.

    Each group's columns become ``z = Φ⁻¹(u)``, ``z' = z Lᵀ`` and ``u' = Φ(z')``. Every ``u'``
    is still uniform, so the inputs' distributions do not change; only how they move together.
    The map works row by row, so a draw's values do not depend on the block it is computed in,
    and the sums are written out column by column (no BLAS) so they are bit-identical whatever
    the block size. Iman-Conover would keep a Latin hypercube's strata exactly, but it reorders
    a whole sample at once, which block-wise streaming cannot do.
    """
    from scipy import special  # lazily: a command that never draws does not pay for scipy

    out = dict(u)
    for group in correlations:
        missing = [p for p in group.inputs if p not in u]
        if missing:
            raise ValueError(f"correlated inputs {missing} are not among the sampled paths")
        factor = copula_factor(np.array(group.matrix, dtype=float))
        z = [special.ndtri(np.clip(u[p], _EDGE, 1 - _EDGE)) for p in group.inputs]
        for i, path in enumerate(group.inputs):
            zi = z[0] * factor[i, 0]
            for j in range(1, len(z)):
                zi = zi + z[j] * factor[i, j]
            out[path] = np.clip(special.ndtr(zi), _EDGE, 1 - _EDGE)
    return out


def _scheme_rng(seed: int, scheme: str) -> np.random.Generator:
    """The generator of a whole-run design, independent of every per-path stream."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream_key(scheme),)))


@functools.lru_cache(maxsize=2)  # a design is draws x inputs floats: keep few
def _lhs_design(seed: int, paths: tuple[str, ...], total: int) -> FloatArray:
    """The full Latin hypercube of a run, made once: every block slices the same design."""
    from scipy.stats import qmc

    design = qmc.LatinHypercube(len(paths), rng=_scheme_rng(seed, "scheme:lhs")).random(total)
    design.flags.writeable = False
    return design


def _sobol_block(seed: int, paths: tuple[str, ...], start: int, stop: int) -> FloatArray:
    """Points ``start..stop-1`` of the run's scrambled Sobol sequence, reached by fast-forward."""
    from scipy.stats import qmc

    engine = qmc.Sobol(len(paths), scramble=True, rng=_scheme_rng(seed, "scheme:sobol"))
    if start:  # scipy cannot fast-forward by zero points
        engine.fast_forward(start)
    with warnings.catch_warnings():  # balance is judged on the whole run, below
        warnings.filterwarnings("ignore", message="The balance properties of Sobol")
        return engine.random(stop - start)


def block_uniforms(
    paths: Sequence[str],
    seed: int,
    start: int,
    stop: int,
    total: int,
    scheme: str = "mc",
    correlations: Sequence[CorrelationGroup] = (),
) -> dict[str, FloatArray]:
    """Uniforms in (0, 1) for draws ``start..stop-1`` of each path, whatever the block size.

    ``mc`` reads each path's own stream (exactly ``uniforms``, so results do not change);
    ``lhs`` slices one Latin hypercube of ``total`` rows over ``paths``; ``sobol`` reads a
    scrambled Sobol sequence from point ``start``. Columns follow the order of ``paths``, so
    two models sampled with the same ``paths`` share the uniforms of every input they have in
    common. ``correlations`` are then imposed with a Gaussian copula (``correlate``).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown sampling scheme '{scheme}'; use one of {', '.join(SCHEMES)}")
    if not 0 <= start <= stop:
        raise ValueError(f"draws {start}..{stop} are not a block")
    if scheme != "mc" and stop > total:
        raise ValueError(f"draws {start}..{stop} run past the {total} draws of the design")
    key = tuple(paths)
    if len(set(key)) != len(key):
        raise ValueError("paths must be unique")
    if scheme == "mc" or not key:
        u = {p: uniforms(seed, p, start, stop) for p in key}
    else:
        if scheme == "lhs":
            design = _lhs_design(seed, key, total)[start:stop]
        else:
            if start == 0 and total & (total - 1):
                warnings.warn(
                    f"Sobol points are balanced for a power of two draws; {total} is not "
                    f"(use {1 << (total - 1).bit_length()} or {1 << (total.bit_length() - 1)})",
                    UserWarning,
                    stacklevel=2,
                )
            design = _sobol_block(seed, key, start, stop)
        u = {p: np.clip(design[:, i], _EDGE, 1 - _EDGE) for i, p in enumerate(key)}
    return correlate(u, correlations) if correlations else u
