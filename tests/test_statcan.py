"""``evpact data import-multipliers``: Statistics Canada's multiplier CSV into evpact ratios.

The fixture has the agency's full-table layout (byte-order mark, quoted cells, REF_DATE, GEO,
DGUID, the dimension columns, UOM ... DECIMALS, a suppressed cell with STATUS '..'); its values
are made up for these tests (2020 = 2019 x 1.1), so every expected number is a hand calculation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from evpact.cli import app
from evpact.data.statcan import import_multipliers
from evpact.engine.compile import MULTIPLIER_MEASURES, compile_scenario
from evpact.errors import EvpactError
from evpact.scenario.load import load_scenario

FIXTURE = Path(__file__).parent / "data" / "statcan_36100594_synthetic.csv"


def test_ratios_by_hand() -> None:
    got = import_multipliers(FIXTURE, year="2019")
    b = got.ratios["battery_cells"]
    # jobs: direct 2.0, simple 2.0 + 1.5, total 3.5 + 1.0 -> Type I 1.75, Type II 2.25
    assert b["jobs_type1"] == pytest.approx(3.5 / 2.0)
    assert b["jobs_type2"] == pytest.approx(4.5 / 2.0)
    assert (b["gdp_per_output_direct"], b["gdp_per_output_simple"]) == pytest.approx((0.3, 0.5))
    assert b["gdp_per_output_total"] == pytest.approx(0.65)
    assert b["labour_income_per_output_total"] == pytest.approx(0.2 + 0.1 + 0.08)
    assert got.industries["vehicle_assembly"].endswith("[BS336110]")  # light duty, not trucks
    assert got.industries["cathode_materials"].endswith("[BS325180]")
    assert set(got.ratios) == {
        "battery_cells",
        "cathode_materials",
        "vehicle_assembly",
        "vehicle_parts",
    }
    assert (got.year, got.geo, got.coverage) == ("2019", "Canada", None)


def test_latest_year_by_default() -> None:
    got = import_multipliers(FIXTURE)
    assert got.year == "2020"
    assert got.ratios["battery_cells"]["gdp_per_output_direct"] == pytest.approx(0.33)
    # every effect scaled by 1.1, so the Type I ratio is unchanged
    assert got.ratios["battery_cells"]["jobs_type1"] == pytest.approx(1.75)


def test_simple_and_total_built_from_indirect_and_induced(tmp_path: Path) -> None:
    """A file with only direct, indirect and induced effects gives the same ratios."""
    df = pd.read_csv(FIXTURE, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    keep = ~df["Multiplier type"].isin(["Simple multiplier", "Total multiplier"])
    path = tmp_path / "t.csv"
    df[keep].to_csv(path, index=False, encoding="utf-8-sig")
    full = import_multipliers(FIXTURE, year="2019").ratios
    part = import_multipliers(path, year="2019").ratios
    for industry in full:
        assert part[industry] == pytest.approx(full[industry])


def test_provincial_layout_needs_a_coverage(tmp_path: Path) -> None:
    df = pd.read_csv(FIXTURE, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df = df.assign(GEO="Ontario")
    both = pd.concat(
        [df.assign(**{"Geographical coverage": c}) for c in ("Within province", "All provinces")]
    )
    cols = [*df.columns[:5], "Geographical coverage", *df.columns[5:]]
    path = tmp_path / "36100595.csv"
    both[cols].to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(EvpactError, match="--coverage"):
        import_multipliers(path, year="2019", geo="Ontario")
    got = import_multipliers(path, year="2019", geo="ontario", coverage="Within province")
    assert (got.geo, got.coverage) == ("Ontario", "Within province")
    with pytest.raises(EvpactError, match="--geo 'Canada' is not in the file"):
        import_multipliers(path, year="2019")


def test_ambiguous_code_is_refused() -> None:
    with pytest.raises(EvpactError, match="matches several industries"):
        import_multipliers(FIXTURE, codes={"vehicle_assembly": ("BS3361",)})


def test_cli_writes_overrides_a_scenario_uses(tmp_path: Path) -> None:
    out = tmp_path / "ck.yaml"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "data",
            "import-multipliers",
            str(FIXTURE),
            "--year",
            "2019",
            "--scenario",
            "canada-korea-2026",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = yaml.safe_load(out.read_text())
    assert set(doc["economy"]["multipliers"]) >= {"battery_cells", "vehicle_assembly"}
    assert "vehicle_parts" not in doc["economy"]["multipliers"]  # no parts plants to use it
    assert "Statistics Canada" in doc["sources"]["economy.multipliers.battery_cells"]
    model = compile_scenario(load_scenario(out))
    for m in MULTIPLIER_MEASURES:
        key = f"economy.multipliers.battery_cells.{m}"
        expected = import_multipliers(FIXTURE, year="2019").ratios["battery_cells"][m]
        assert float(model.inputs[key].central) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "no such file"),
        (["--geo", "Atlantis"], "not in the file"),
        (["--industry", "batteries=BS335"], "unknown industry"),
        (["--industry", "battery_cells"], "NAME=IOIC_CODE"),
    ],
)
def test_cli_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.yaml"
    file = [] if args[0].endswith(".csv") else [str(FIXTURE)]
    res = CliRunner().invoke(app, ["data", "import-multipliers", *file, *args, "-o", str(out)])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_not_a_statcan_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(EvpactError, match="Statistics Canada full-table CSV"):
        import_multipliers(path)
