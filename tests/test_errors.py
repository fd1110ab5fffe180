"""Bad input: one clear message on stderr, exit code 2, no traceback, nothing written.

The real command line runs in a subprocess, in ``tmp_path``, with ``--out tmp_path/out``.
Broken scenario files are the bundled ``canada-korea-2026.yaml`` with one thing changed.
"""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import evpact
from cases import evpact_command
from evpact.scenario.load import bundled_scenarios

BASE = "canada-korea-2026"


EVPACT = evpact_command()


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [*EVPACT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def base_raw() -> dict[str, Any]:
    raw = yaml.safe_load(bundled_scenarios()[BASE].read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def plant(raw: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in raw["plants"] if p["id"] == pid)


def deal(raw: dict[str, Any], did: str) -> dict[str, Any]:
    return next(d for d in raw["deals"] if d["id"] == did)


def write_variant(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    raw = copy.deepcopy(base_raw())
    change(raw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


# --- mutations of the bundled scenario ----------------------------------------------------------


def typo_capacity(raw: dict[str, Any]) -> None:
    p = plant(raw, "nextstar-windsor")
    p["capcity_gwh"] = p.pop("capacity_gwh")


def capacity_text(raw: dict[str, Any]) -> None:
    plant(raw, "nextstar-windsor")["capacity_gwh"] = "lots"


def capacity_negative(raw: dict[str, Any]) -> None:
    plant(raw, "nextstar-windsor")["capacity_gwh"] = -5


def market_share_above_one(raw: dict[str, Any]) -> None:
    plant(raw, "hmg-ontario")["markets"]["CA"] = 1.5


def threshold_above_one(raw: dict[str, Any]) -> None:
    deal(raw, "hmg-ontario")["linkage"]["threshold"] = 1.2


def horizon_backwards(raw: dict[str, Any]) -> None:
    raw["horizon"] = [2030, 2020]


def horizon_past_2100(raw: dict[str, Any]) -> None:
    raw["horizon"] = [2026, 2101]


def unknown_chemistry(raw: dict[str, Any]) -> None:
    plant(raw, "nextstar-windsor")["chemistry"] = {"NMC999": 0.5, "LFP": 0.5}


def unknown_linkage_plant(raw: dict[str, Any]) -> None:
    deal(raw, "hmg-ontario")["linkage"]["plant"] = "nextstar-windsr"


def unknown_schedule(raw: dict[str, Any]) -> None:
    deal(raw, "hmg-ontario")["incentives"][0]["schedule"] = "ca-match-46x"


# (case id, file to write: mutation or raw text or None, extra CLI args, expected fragments)
FILE_CASES: list[Any] = [
    pytest.param(
        "malformed",
        "name: [unclosed\n",
        [],
        ["malformed.yaml", "malformed YAML", "line"],
        id="malformed-yaml",
    ),
    pytest.param(
        "typo",
        typo_capacity,
        [],
        ["plants.nextstar-windsor", "unknown key 'capcity_gwh'", "did you mean 'capacity_gwh'"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "text",
        capacity_text,
        [],
        ["plants.nextstar-windsor.capacity_gwh", "expected a number", "'lots'"],
        id="wrong-type",
    ),
    pytest.param(
        "negative",
        capacity_negative,
        [],
        ["plants.nextstar-windsor.capacity_gwh", ">= 0"],
        id="negative-capacity",
    ),
    pytest.param(
        "market-share",
        market_share_above_one,
        [],
        ["plants.hmg-ontario.markets.CA", "<= 1"],
        id="market-share-above-1",
    ),
    pytest.param(
        "threshold",
        threshold_above_one,
        [],
        ["deals.hmg-ontario.linkage", "threshold", "<= 1"],
        id="linkage-threshold-above-1",
    ),
    pytest.param(
        "horizon", horizon_backwards, [], ["horizon", "before it starts"], id="horizon-backwards"
    ),
    pytest.param(
        "horizon-late", horizon_past_2100, [], ["horizon", "2100"], id="horizon-past-2100"
    ),
    pytest.param(
        "chemistry",
        unknown_chemistry,
        [],
        ["plants.nextstar-windsor.chemistry", "unknown chemistry 'NMC999'", "NMC811"],
        id="unknown-chemistry",
    ),
    pytest.param(
        "linkage-plant",
        unknown_linkage_plant,
        [],
        [
            "deals.hmg-ontario.linkage.plant",
            "unknown plant 'nextstar-windsr'",
            "did you mean 'nextstar-windsor'",
        ],
        id="unknown-plant-reference",
    ),
    pytest.param(
        "schedule",
        unknown_schedule,
        [],
        ["deals.hmg-ontario.incentives", "unknown schedule 'ca-match-46x'", "ca-match-45x"],
        id="unknown-schedule",
    ),
    pytest.param(
        None,
        None,
        ["--set", "deals.hmg-ontario.linkage.treshold=0.5"],
        [
            "deals.hmg-ontario.linkage.treshold",
            "'treshold' does not exist",
            "did you mean 'threshold'",
        ],
        id="set-unknown-key",
    ),
    pytest.param(
        None,
        None,
        ["--set", "plants.nope.capacity_gwh=1"],
        ["plants.nope.capacity_gwh", "no item 'nope'", "nextstar-windsor"],
        id="set-unknown-item",
    ),
    pytest.param(None, "missing", [], ["no such file", "missing.yaml"], id="missing-file"),
    pytest.param(
        None,
        "canada-korea-2025",
        [],
        ["'canada-korea-2025'", "neither a bundled scenario", "did you mean 'canada-korea-2026'"],
        id="unknown-bundled-name",
    ),
]


def assert_clean_failure(
    proc: subprocess.CompletedProcess[str], out: Path, fragments: list[str]
) -> None:
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both
    assert proc.returncode == 2, both
    assert "error" in proc.stderr.lower(), both
    for fragment in fragments:
        assert fragment in proc.stderr, f"{fragment!r} not in {proc.stderr!r}"
    assert len(proc.stderr.strip().splitlines()) == 1, f"not one message: {proc.stderr!r}"
    assert proc.stdout.strip() == "", proc.stdout
    assert not out.exists(), f"{out} was written"


@pytest.mark.parametrize(("name", "source", "extra", "fragments"), FILE_CASES)
def test_run_bad_input(
    tmp_path: Path, name: str | None, source: Any, extra: list[str], fragments: list[str]
) -> None:
    out = tmp_path / "out"
    if name is None:
        target = (
            BASE if source is None else ("missing.yaml" if source == "missing" else str(source))
        )
    elif isinstance(source, str):
        path = tmp_path / f"{name}.yaml"
        path.write_text(source, encoding="utf-8")
        target = path.name
    else:
        target = write_variant(tmp_path, name, source).name
    proc = run_cli(
        ["run", target, "--draws", "20", "--seed", "1", "--json", "--out", str(out), *extra],
        tmp_path,
    )
    assert_clean_failure(proc, out, fragments)
    assert not (tmp_path / "evpact-out").exists()


def test_validate_bad_input(tmp_path: Path) -> None:
    """``evpact validate`` reports the same way, and also catches compile-time problems."""
    path = write_variant(tmp_path, "typo", typo_capacity)
    proc = run_cli(["validate", path.name], tmp_path)
    assert_clean_failure(proc, tmp_path / "out", ["did you mean 'capacity_gwh'"])
    path = write_variant(tmp_path, "schedule", unknown_schedule)
    proc = run_cli(["validate", path.name], tmp_path)
    assert_clean_failure(proc, tmp_path / "out", ["unknown schedule 'ca-match-46x'"])


def test_compare_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli(
        [
            "compare",
            BASE,
            "canada-korea-2026-unlinkd",
            "--draws",
            "10",
            "--json",
            "--out",
            str(out),
        ],
        tmp_path,
    )
    assert_clean_failure(proc, out, ["did you mean 'canada-korea-2026-unlinked'"])
    proc = run_cli(
        [
            "compare",
            BASE,
            "no-deal",
            "--set-a",
            "plants.nope.capacity_gwh=1",
            "--draws",
            "10",
            "--json",
            "--out",
            str(out),
        ],
        tmp_path,
    )
    assert_clean_failure(proc, out, ["no item 'nope'"])


def test_cli_prints_the_message_verbatim(tmp_path: Path) -> None:
    """The CLI line is ``error: `` + the EvpactError text, unchanged (no markup eaten)."""
    path = write_variant(tmp_path, "text", capacity_text)
    with pytest.raises(evpact.EvpactError) as info:
        evpact.load_scenario(path)
    proc = run_cli(["run", path.name, "--draws", "5", "--json", "--out", "out"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {info.value}"


# --- the Python API -----------------------------------------------------------------------------


def test_api_unknown_key(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "typo", typo_capacity)
    with pytest.raises(evpact.EvpactError, match=r"did you mean 'capacity_gwh'") as info:
        evpact.load_scenario(path)
    assert "plants.nextstar-windsor" in str(info.value)


def test_api_negative_capacity(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "negative", capacity_negative)
    with pytest.raises(evpact.EvpactError, match=r">= 0"):
        evpact.simulate(path, draws=5, seed=1)


def test_api_bad_variant_path() -> None:
    with pytest.raises(evpact.EvpactError, match=r"did you mean 'threshold'"):
        evpact.simulate(BASE, draws=5, seed=1, variant={"deals.hmg-ontario.linkage.treshold": 0.5})
    with pytest.raises(evpact.EvpactError, match=r"no item 'nope'"):
        evpact.load_scenario(BASE, {"plants.nope.capacity_gwh": 1})


def test_api_unknown_schedule(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "schedule", unknown_schedule)
    with pytest.raises(evpact.EvpactError, match=r"unknown schedule 'ca-match-46x'"):
        evpact.simulate(path, draws=5, seed=1)


def test_api_missing_file_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(evpact.EvpactError, match=r"no such file"):
        evpact.load_scenario(tmp_path / "missing.yaml")
    with pytest.raises(evpact.EvpactError, match=r"neither a bundled scenario"):
        evpact.load_scenario("canada-korea-2025")


def test_api_bad_draws() -> None:
    with pytest.raises(evpact.EvpactError, match=r"draws must be at least 1"):
        evpact.simulate(BASE, draws=0)
