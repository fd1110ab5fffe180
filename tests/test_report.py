"""``evpact report``: a briefing note (key findings first, plain labels, appendices) as one
self-contained HTML file, its PDF and Markdown, all from one content model."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evpact.errors import EvpactError
from evpact.formatting import number, quantity
from evpact.report import pdf
from evpact.report.findings import Ref, findings
from test_cli import run_cli

HAS_CHROMIUM = pdf.CHROMIUM.exists()
HAS_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
DRAWS = ["--draws", "200", "--seed", "11"]


class _Text(HTMLParser):
    """Visible text per element id of interest: findings items, sections, and the text
    outside scripts, figure data and the metric appendix (where raw names may appear)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.findings: list[list[str]] = []
        self.sections: list[str] = []
        self.plain: list[str] = []
        self.in_li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.sections.append(str(a.get("id")))
        if tag == "ol" and a.get("class") == "findings":
            self.findings.append([])
        if tag == "li" and "data-key" in a:
            self.findings[-1].append("")
            self.in_li = True
        self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == "li":
                self.in_li = False
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_li:
            self.findings[-1][-1] += data
        hidden = any(
            t in ("script", "style", "details", "title") or a.get("id") == "appendix-metrics"
            for t, a in self.stack
        )
        if not hidden:
            self.plain.append(data)


def parse(path: Path) -> _Text:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def resolve(summary: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = summary
    for p in path:
        node = node[p]
    return node


def formatted_values(summary: dict[str, Any]) -> set[str]:
    """Every number summary.json holds, as ``formatting.number`` writes it."""
    out = {number(float(y), "year") for y in summary["horizon"]}
    for m in summary["metrics"].values():
        out |= {number(m[k], m["unit"]) for k in ("mean", "p5", "p50", "p95")}
    for key, v in summary["risk"].items():
        if isinstance(v, dict) and "unit" in v:
            out.add(number(v["value"], v["unit"]))
        elif isinstance(v, dict):
            out |= {number(x, "share") for x in v.values()}
        elif key.endswith("probability"):
            out.add(number(v, "share"))
    return out


NUMBER = re.compile(r"(?:(?<![\w.])-)?(?<![\w.])\d[\d,]*(?:\.\d+)?(?: [BM]\b)?%?")
NAMES = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")  # scenario names: canada-korea-2026


def numbers_in(text: str) -> list[str]:
    """The numbers of a text, leaving out scenario names and the words "90% range" and
    "worst 5% of draws"."""
    text = re.sub(r"90% range|worst 5%", "", NAMES.sub("", text))
    return NUMBER.findall(text)


def check_refs(sentences: list[Any], summary: dict[str, Any]) -> None:
    """Each number is a Ref that resolves in summary.json to the same text, and no number in
    the text comes from anywhere else."""
    for s in sentences:
        # the fixed words go first, so a share such as "0%" is not found inside "90% range"
        rest = re.sub(r"90% range|worst 5%", "", s.text)
        for ref in s.refs:
            assert isinstance(ref, Ref)
            if ref.source != "summary":
                continue
            value = resolve(summary, ref.path)
            v = None if value is None else float(value)
            assert ref.text in (quantity(v, ref.unit), number(v, ref.unit)), ref
            assert ref.text in rest, (ref, s.text)
            rest = rest.replace(ref.text, "", 1)
        assert not numbers_in(re.sub(r"`[^`]*`", "", rest)), (s.key, rest)


# --- the done-when report: one deal, HTML and Markdown, against summary.json -----------------


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("single")
    run_cli(["report", "canada-korea-2026", "--out", "r.html", *DRAWS], folder)
    run_cli(["report", "canada-korea-2026", "--format", "md", "--out", "r.md", *DRAWS], folder)
    run_cli(["run", "canada-korea-2026", "--out", "run", *DRAWS], folder)
    return folder


def test_first_section_is_key_findings_with_numbers_from_summary_json(single):
    summary = json.loads((single / "run" / "summary.json").read_text())
    page = parse(single / "r.html")
    assert page.sections[0] == "key-findings"
    assert page.sections[1:8] == ["deal", "buys", "costs", "net", "firms", "risks", "method"]
    items = page.findings[0]
    assert 5 <= len(items) <= 8
    allowed = formatted_values(summary)
    found = [n for item in items for n in numbers_in(item)]
    assert len(found) >= 20
    for n in found:
        assert n in allowed, n
    # the findings sentences themselves: each number a reference into the same JSON
    check_refs(findings(summary), summary)
    text = " ".join(items)
    jobs = summary["metrics"]["total_jobs_peak"]
    assert f"{number(jobs['p50'], 'jobs')} jobs (90% range" in text
    p = summary["risk"]["linkage_holds_over_deal_probability"]
    assert f"with probability {number(p, 'share')}" in text


def test_markdown_has_the_same_findings(single):
    md = (single / "r.md").read_text(encoding="utf-8")
    html_items = parse(single / "r.html").findings[0]
    md_items = re.findall(r"^\d+\. (.+)$", md.split("## The deal")[0], flags=re.M)
    assert [i.replace("`", "") for i in md_items] == html_items
    assert md.index("## Key findings") < md.index("## What it buys") < md.index("## Appendix A")
    assert "| Public cost, present value, C$ 2026 |" in md


def test_plain_labels_outside_the_appendix(single):
    from evpact.labels import label

    summary = json.loads((single / "run" / "summary.json").read_text())
    visible = " ".join(parse(single / "r.html").plain)
    assert "CAD_2026" not in visible and "Public cost, present value, C$ 2026" in visible
    raw = [n for n in summary["metrics"] if "_" in n and re.search(rf"\b{n}\b", visible)]
    assert not raw
    appendix = (single / "r.html").read_text().split('id="appendix-metrics"')[1]
    assert all(f"<code>{n}</code>" in appendix for n in summary["metrics"])
    assert all(html.escape(label(n)) in appendix for n in summary["metrics"])


# --- findings as templates: government splits, fallbacks, comparisons ---------------------


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    import evpact

    return evpact.simulate("canada-korea-2026", draws=200, seed=11).summary_dict()


def _with_governments(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as a run with fiscal metrics by government would have it (values made by
    splitting the combined ones, only to exercise the templates)."""
    s = json.loads(json.dumps(summary))
    m = s["metrics"]
    for base in ("public_cost_npv", "fiscal_net_npv"):
        for gov, share in (("federal", 0.6), ("provincial", 0.4)):
            m[f"{base}_{gov}"] = {
                "unit": m[base]["unit"],
                **{k: share * m[base][k] for k in ("mean", "p5", "p50", "p95")},
            }
    for gov in ("federal", "provincial"):
        m[f"fiscal_breakeven_year_{gov}"] = dict(m["fiscal_breakeven_year_total"])
        m[f"fiscal_breakeven_year_{gov}_reached_share"] = dict(
            m["fiscal_breakeven_year_total_reached_share"]
        )
    m["net_jobs_peak"] = {**m["total_jobs_peak"], "p50": 0.5 * m["total_jobs_peak"]["p50"]}
    return s


def _without_governments(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as a run without fiscal metrics by government would have it."""
    s = json.loads(json.dumps(summary))
    s["metrics"] = {
        k: v for k, v in s["metrics"].items() if "_federal" not in k and "_provincial" not in k
    }
    return s


def test_findings_use_government_metrics_when_present(summary):
    plain = {s.key: s for s in findings(_without_governments(summary))}
    split = {s.key: s for s in findings(_with_governments(summary))}
    assert "federal" not in plain["cost"].text and "federal" not in plain["balance"].text
    for key in ("cost", "balance", "breakeven"):
        text = split[key].text
        assert "federal government" in text and "provincial government" in text
    assert {r.path[1] for r in split["cost"].refs} == {
        "public_cost_npv_federal",
        "public_cost_npv_provincial",
    }
    assert "net of jobs drawn from elsewhere" in split["jobs"].text
    check_refs(list(split.values()), _with_governments(summary))


def test_findings_fall_back_when_metrics_are_missing(summary):
    s = _without_governments(summary)
    for name in ("fiscal_net_npv_plant", "direct_jobs_peak", "gdp_cumulative"):
        del s["metrics"][name]
    s["risk"]["linkage_holds_over_deal_probability"] = None
    s["metrics"]["fiscal_breakeven_year_total"]["p50"] = None
    out = findings(s)
    keys = [x.key for x in out]
    assert "gdp" not in keys and "linkage" not in keys and 5 <= len(out) <= 8
    text = {x.key: x.text for x in out}
    assert "does not break even by 2045 in the median draw" in text["breakeven"]
    check_refs(out, s)


def test_sentences_are_the_same_forms_for_any_deal(summary):
    import evpact

    other = evpact.simulate("canada-korea-2026-unlinked", draws=200, seed=11).summary_dict()
    a, b = findings(summary), findings(other)
    assert [x.key for x in a][:5] == [x.key for x in b][:5]
    assert a[0].text != b[0].text  # same template, other numbers
    check_refs(b, other)


# --- the full report: comparison, sensitivity, stress, PDF --------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report compared with a second deal, with sensitivity and stress results (and its PDF
    when Chromium is there), shared below."""
    folder = tmp_path_factory.mktemp("report")
    run_cli(["sensitivity", "canada-korea-2026", "--method", "morris", "--samples", "4",
             "--out", "sa", "--seed", "3"], folder)  # fmt: skip
    run_cli(["stress", "canada-korea-2026", "--cut", "cam:CN=1.0", "--draws", "100",
             "--out", "st"], folder)  # fmt: skip
    args = ["report", "canada-korea-2026", "--compare", "canada-korea-2026-unlinked", *DRAWS]
    args += ["--sensitivity", "sa", "--stress", "st", "--out", "out/report.html"]
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
    assert "canada-korea-2026-unlinked is the counterfactual of canada-korea-2026" in text
    assert "AM800 CKLW" in text  # a source of the scenario's assumptions
    assert "Hypothetical:" in text
    for chart in ("jobs", "fiscal", "battery"):
        assert f"chart-r0-{chart}" in text and f"chart-r1-{chart}" in text
    assert "chart-r0-linkage" in text  # the unlinked deal has no linkage to chart
    assert 'id="chain-r0">Supply chain' in text and 'id="chain-r1">Supply chain' in text
    assert "chart-r0-chain" in text and "CN 90%" in text and '"type": "sankey"' in text
    assert "chart-r1-linkage" not in text
    numbers = [int(n) for n in re.findall(r"<strong>Figure (\d+)\.</strong>", text)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10


def test_sensitivity_and_stress_reach_the_findings(report):
    folder = report.parents[1]
    table = pd.read_csv(folder / "sa" / "sensitivity.csv")
    stress = json.loads((folder / "st" / "stress.json").read_text())
    page = parse(report)
    items = page.findings[0]
    assert 5 <= len(items) <= 8
    driver = next(i for i in items if i.startswith("Of the uncertain assumptions"))
    top = table[(table["output"] == "fiscal_net_npv") & (table["rank"] == 1)]
    assert top["input"].iloc[0].split(".")[-1].replace("_", " ") in driver
    value = float(top[top["index"] == "mu_star"]["value"].iloc[0])
    assert quantity(value, "CAD_2026") in driver
    risk = next(i for i in items if i.startswith("The largest risk tested"))
    gdp = next(
        r for r in stress["losses"] if r["world"] == stress["scenario"] and r["loss"] == "gdp"
    )
    assert f"costs the deal {quantity(gdp['p50'], 'CAD_2026')} of GDP" in risk
    assert "chart-tornado-fiscal_net_npv" in report.read_text()
    # B is A's own counterfactual: the comparison says so instead of repeating the findings
    assert len(page.findings) == 1 and "the findings above are the difference" in " ".join(
        page.plain
    )


def test_a_comparison_states_the_difference_in_the_same_sentence_forms(tmp_path):
    import evpact

    args = ["report", "canada-korea-2026", "--compare", "no-deal", *DRAWS, "--out", "r.html"]
    run_cli(args, tmp_path)
    page = parse(tmp_path / "r.html")
    assert "canada-korea-2026 minus no-deal" in (tmp_path / "r.html").read_text()
    assert len(page.findings) == 2
    # as the report (and ``evpact compare``) runs it: A and B each as declared
    diff = evpact.simulate(
        evpact.load_scenario("canada-korea-2026"),
        draws=200,
        seed=11,
        counterfactual=evpact.load_scenario("no-deal"),
    ).summary_dict()
    allowed = formatted_values(diff)
    compared = page.findings[1]
    assert compared[0].startswith("At its peak year canada-korea-2026 supports")
    assert "more than no-deal" in compared[0]
    for n in (n for item in compared for n in numbers_in(item)):
        assert n in allowed, n
    check_refs(findings(diff, subject="canada-korea-2026", against="no-deal", compared=True), diff)
    # the same template as the deal's own first finding

    def form(text: str, subject: str) -> str:
        return re.sub(NUMBER, "#", text.replace(subject, "X")).split("more than")[0]

    assert form(page.findings[0][0], "the deal") == form(compared[0], "canada-korea-2026")


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium at /usr/bin/chromium")
def test_no_element_is_wider_than_its_box_in_print(report):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(pdf.CHROMIUM), args=list(pdf.CHROMIUM_ARGS))
        try:
            for paper in pdf.PAPERS:
                page = pdf.open_printed(browser, report, paper, 60)
                wide = page.evaluate(
                    """() => {
                      const right = document.body.getBoundingClientRect().right + 1;
                      const out = [];
                      for (const el of document.body.querySelectorAll('*')) {
                        // closed data tables and plotly's off-screen text measurer print nothing
                        if (el.closest('details:not([open]), #js-plotly-tester')) continue;
                        const r = el.getBoundingClientRect();
                        if (r.width === 0) continue;
                        const chart = el.closest('.chart');
                        const name = el.tagName + ' ' + (el.id || el.getAttribute('class'))
                          + (chart ? ' in ' + chart.id : '');
                        // an HTML box whose content is wider than the box (SVG has no
                        // scroll box: its shapes must stay inside the page instead)
                        if (el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1
                            && el.clientWidth > 0 && getComputedStyle(el).overflowX !== 'hidden')
                          out.push('content wider than its box: ' + name);
                        else if (r.right > right || r.left < -1)
                          out.push('past the column: ' + name);
                      }
                      return out;
                    }"""
                )
                assert page.evaluate("document.querySelectorAll('table').length") > 10
                page.close()
                assert not wide, (paper, wide[:10])
        finally:
            browser.close()


@pytest.mark.skipif(not (HAS_CHROMIUM and HAS_POPPLER), reason="needs chromium and poppler")
def test_pdf_first_page_holds_the_key_findings(report):
    path = report.with_suffix(".pdf")
    assert path.read_bytes().startswith(b"%PDF")

    def page_text(n: int) -> str:
        out = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return " ".join(out.split())

    first = page_text(1)
    assert "Key findings" in first and "page 1 of" in first
    for item in parse(report).findings[0]:
        assert " ".join(item.split()) in first, item
    assert "The deal" not in first.split("Key findings", 1)[1]  # the briefing starts on page 2
    assert "page 2 of" in page_text(2)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n in (1, 2):
        stem = SHOTS / f"report-page-{n}"
        subprocess.run(
            ["pdftoppm", "-f", str(n), "-l", str(n), "-r", "80", "-png", "-singlefile",
             str(path), str(stem)],
            check=True,
        )  # fmt: skip
        assert stem.with_suffix(".png").stat().st_size > 10_000


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["canada-korea-2062"], "did you mean 'canada-korea-2026'"),
        (["canada-korea-2026", "--format", "docx"], "--format: format 'docx' is not one of"),
        (["canada-korea-2026", "--sensitivity", "nowhere"], "--sensitivity: cannot read"),
        (["canada-korea-2026", "--stress", "nowhere"], "--stress: cannot read"),
    ],
)
def test_report_refuses_bad_input_with_exit_2(tmp_path, args, message):
    from cases import evpact_command

    proc = subprocess.run(
        [*evpact_command(), "report", *args, "--out", "r.html", "--draws", "10"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert message in " ".join(proc.stderr.split())
    assert "Traceback" not in proc.stderr and not (tmp_path / "r.html").exists()


def test_waterfall_steps_add_up_to_the_net_public_benefit() -> None:
    """The benefit-cost view: gross GDP, each labelled and sourced step, and their sum is the
    net public benefit (mean over draws), so no step is missing or counted twice."""
    import numpy as np

    import evpact
    from evpact.report.waterfall import steps

    r = evpact.simulate("canada-korea-2026", draws=60, seed=3)
    rows = steps(r)
    assert rows is not None and rows[0][0] == "Gross GDP"
    assert all(words and source for words, source, _ in rows)
    total = sum(value for _, _, value in rows)
    expected = float(np.mean(r.metrics["net_public_benefit_npv"].values))
    assert total == pytest.approx(expected, rel=1e-9, abs=1.0)
