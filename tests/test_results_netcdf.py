"""results.nc is the same file whichever netCDF library writes it, and kept-draw arrays
mapped up front hold what was written into them (issue 13, round 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

import evpact
from evpact import results
from evpact.uncertainty.montecarlo import kept_array

GROUPS = ("scenario", "counterfactual", "metrics")


def _groups(path: Path) -> dict[str, xr.Dataset]:
    out = {}
    for group in GROUPS:
        with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
            out[group] = ds.load()
    return out


@pytest.mark.parametrize("draws", [1, 12_000])  # every draw kept; yearly statistics
def test_netcdf4_and_h5netcdf_write_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, draws: int
) -> None:
    pytest.importorskip("netCDF4")
    run = evpact.simulate("canada-korea-2026", draws=draws, seed=3, deterministic=draws == 1)
    files = {}
    for engine in ("netcdf4", "h5netcdf"):
        monkeypatch.setattr(results, "netcdf_engine", lambda e=engine: e)
        files[engine] = tmp_path / f"{engine}.nc"
        run._write_netcdf(files[engine])
    a, b = _groups(files["netcdf4"]), _groups(files["h5netcdf"])
    for group in GROUPS:
        xr.testing.assert_identical(a[group], b[group])
        assert a[group].attrs == b[group].attrs
        assert len(a[group].data_vars) > 5  # a real group, not two empty ones


def test_netcdf_engine_is_one_xarray_knows() -> None:
    assert results.netcdf_engine() in xr.backends.list_engines()


def test_kept_array_holds_what_is_written() -> None:
    rng = np.random.default_rng(0)
    for shape in [(65_536, 20), (4_096, 2, 20), (0, 20), (3,)]:
        a = kept_array(shape, np.float32)
        assert a.shape == shape and a.dtype == np.float32 and a.flags.writeable
        values = rng.random(shape)
        a[...] = values
        np.testing.assert_array_equal(a, values.astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantiles_over_draws_are_numpys_quantiles(dtype: type[np.floating[Any]]) -> None:
    """Sorting before numpy's quantile changes where the order statistics are found, not
    what they are: the same values as ``np.quantile`` on the unsorted draws, ties, zeros
    and NaN (years not measured) included, and the caller's array is left as it was."""
    rng = np.random.default_rng(7)
    a = (rng.lognormal(size=(5_000, 4, 6)) * 1e6).astype(dtype)
    a[:, 0, :2] = 0.0  # years before a plant starts: many ties
    a[::3, 1] = -a[::3, 1]
    before = a.copy()
    q = list(results.QUANTILES.values())
    np.testing.assert_array_equal(results.quantiles_over_draws(a), np.quantile(a, q, axis=0))
    np.testing.assert_array_equal(a, before)
    a[::5, 2, 3] = np.nan
    np.testing.assert_array_equal(
        results.quantiles_over_draws(a, skip_nan=True), np.nanquantile(a, q, axis=0)
    )
    one = a[:, 3, 4]  # a single yearly series: sorting must not reorder the caller's draws
    kept = one.copy()
    np.testing.assert_array_equal(results.quantiles_over_draws(one), np.quantile(kept, q))
    np.testing.assert_array_equal(one, kept)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_quantiles_of_sorted_draws_are_numpys_bits(dtype: type[np.floating[Any]]) -> None:
    """The order statistics read off sorted rows and interpolated as numpy does: the bits and
    dtype of ``np.quantile`` for every draw count around the interpolation edges (one draw,
    counts where a quantile falls on a draw), ties, -0.0, infinities and NaN (the whole year
    NaN, as numpy gives it)."""
    rng = np.random.default_rng(11)
    q = list(results.QUANTILES.values())
    for n in (1, 2, 3, 4, 19, 20, 21, 22, 41, 100, 101, 300, 4096):
        for shape in ((n,), (n, 20), (n, 3, 5)):
            a = (rng.normal(size=shape) * 10.0 ** rng.integers(-3, 9)).astype(dtype)
            if a.ndim > 1:
                a[:, 0] = 0.0
                if n > 3:
                    a[::3, -1] = -0.0
                    a[1::4].flat[::7] = np.inf
                a[rng.random(shape) < 0.002] = np.nan
            with np.errstate(invalid="ignore"):  # inf - inf, in numpy's steps and these alike
                got, want = results.quantiles_over_draws(a), np.quantile(a, q, axis=0)
            assert (got.dtype, got.shape) == (want.dtype, want.shape)
            assert got.tobytes() == want.tobytes(), (n, shape)


def test_quantiles_of_many_arrays_on_threads(monkeypatch: Any) -> None:
    """On threads (forced: two cores, no size floor) each array gets its own quantiles, in the
    order given; infinite draws warn unless ``quiet``, in the threads too."""
    from evpact.uncertainty import cores

    monkeypatch.setattr(results, "SIDE_BY_SIDE_FROM", 0)
    monkeypatch.setattr(cores, "default_workers", lambda: 2)
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=(500 + i, 4)).astype(np.float32) for i in range(7)]
    got = results.quantiles_of_many(arrays)
    for a, q in zip(arrays, got, strict=True):
        assert q.tobytes() == results.quantiles_over_draws(a).tobytes()
    arrays[3][::2, 1] = np.inf  # inf - inf between two order statistics: invalid
    arrays[3][1::2, 1] = -np.inf
    assert np.isnan(results.quantiles_of_many(arrays, quiet=True)[3][:, 1]).any()
    with pytest.raises(RuntimeWarning):  # the suite turns warnings into errors
        results.quantiles_of_many(arrays)
