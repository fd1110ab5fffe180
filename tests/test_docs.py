"""The examples in the README run as written: every ``evpact`` command of its bash blocks (the
server aside, which never returns) and its Python block. A renamed flag or metric fails here
before a reader finds it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from cases import evpact_command

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)


COMMANDS = [
    line.split("#")[0].strip()
    for block in blocks("bash")
    for line in block.splitlines()
    if line.startswith("evpact ") and not line.startswith("evpact serve")
]


def test_the_readme_has_examples() -> None:
    assert len(COMMANDS) >= 5 and blocks("python")


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, tmp_path: Path) -> None:
    if "--pdf" in command and not Path("/usr/bin/chromium").exists():
        pytest.skip("PDF reports need Debian's chromium (.ci/run installs it)")
    args = shlex.split(command)[1:]
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    proc = subprocess.run(
        [*evpact_command(), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for code in blocks("python"):
        exec(compile(code, str(README), "exec"), {})


def test_the_complete_example_of_the_scenario_format_runs(tmp_path: Path) -> None:
    """The guide says its complete example passes ``evpact validate`` and runs: it does."""
    import evpact

    guide = (README.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    full = [b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S) if "\nname: " in b]
    assert full, "no complete scenario in docs/scenario-format.md"
    for i, text in enumerate(full):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(text, encoding="utf-8")
        r = evpact.simulate(path, draws=50, seed=1)
        assert r.summary_dict()["metrics"]["direct_jobs_peak"]["p50"] is not None
