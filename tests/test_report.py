"""``evpact report``: a self-contained HTML file (offline, provenance, sources) and its PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evpact.errors import EvpactError
from evpact.report import pdf
from test_cli import run_cli

HAS_CHROMIUM = pdf.CHROMIUM.exists()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report with a comparison (and its PDF when Chromium is there), shared below."""
    folder = tmp_path_factory.mktemp("report")
    args = ["report", "canada-korea-2026", "--compare", "canada-korea-2026-unlinked"]
    args += ["--draws", "200", "--seed", "11", "--out", "out/report.html"]
    run_cli([*args, *(["--pdf"] if HAS_CHROMIUM else [])], folder)
    return folder / "out" / "report.html"


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js is inline
    assert not re.search(r"<link[^>]+href=\"https?://", text)
    assert "Plotly.newPlot" in text and "plotly.js" in text.lower()


def test_report_has_provenance_tables_and_sources(report):
    import evpact

    text = report.read_text(encoding="utf-8")
    sha = evpact.simulate("canada-korea-2026", deterministic=True).meta["scenario_sha256"]
    assert sha in text
    assert "<code>11</code>" in text  # the seed
    assert evpact.__version__ in text
    assert "canada-korea-2026 minus canada-korea-2026-unlinked" in text  # the comparison
    assert "AM800 CKLW" in text  # a source of the scenario's assumptions
    assert "Hypothetical:" in text
    for chart in ("jobs", "fiscal", "battery"):
        assert f"chart-r0-{chart}" in text and f"chart-r1-{chart}" in text
    assert "chart-r0-linkage" in text  # the unlinked deal has no linkage to chart
    assert 'id="chain-r0">Supply chain' in text and 'id="chain-r1">Supply chain' in text
    assert "chart-r0-chain" in text and "CN 90%" in text and '"type": "sankey"' in text
    assert "chart-r1-linkage" not in text


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium at /usr/bin/chromium")
def test_pdf_is_printed(report):
    data = report.with_suffix(".pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000


def test_pdf_without_chromium_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(EvpactError, match="apt-get install"):
        pdf.html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")


def test_report_against_a_world_without_a_deal(tmp_path):
    args = ["report", "canada-korea-2026", "--compare", "no-deal", "--draws", "100"]
    run_cli([*args, "--out", "r.html"], tmp_path)
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "canada-korea-2026 minus no-deal" in text
    assert "chart-r0-jobs" in text and "chart-r1-jobs" not in text


def test_report_refuses_bad_input_with_exit_2(tmp_path):
    import subprocess

    from cases import evpact_command

    proc = subprocess.run(
        [*evpact_command(), "report", "canada-korea-2062", "--out", "r.html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "did you mean 'canada-korea-2026'" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "r.html").exists()
