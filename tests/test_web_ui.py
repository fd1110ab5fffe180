"""The page as analysts use it, in real headless Chromium at a desktop (1440x900) and a phone
(390x844) size: validation as you type from the JSON Schema, the scorecard first with plain
labels and an explain on every metric, stale results, run history, distributions by kind and
three numbers, Compare offering only scenarios over the same years with A - B first on shared
axes, tabs and names for assistive technology, no horizontal overflow, axe-core at zero
violations, the page before plotly.js, and offline /docs. Screenshots land in
build/screenshots/ for review."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from evpact.report.pdf import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from test_web_e2e import SHOTS
from webserver import run_and_wait

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
THRESHOLD = "fieldset[data-path='deals.hmg-ontario.linkage.threshold'] .numbers input"
CAPACITY = "fieldset[data-path='plants.nextstar-windsor.capacity_gwh'] .numbers input"
START = "fieldset[data-path='plants.hmg-ontario.start']"


@pytest.fixture(params=list(SIZES))
def size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, web_server: str, size: str) -> Iterator[Page]:
    yield from opened(browser, web_server, *SIZES[size])


@pytest.fixture
def desktop(browser: Browser, web_server: str) -> Iterator[Page]:
    yield from opened(browser, web_server, *SIZES["desktop"])


def opened(browser: Browser, web_server: str, width: int, height: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(web_server)
    pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
    pg.fill("#draws", "300")
    pg.wait_for_selector("#validation.ok")
    yield pg
    context.close()
    assert not errors, errors


def run(page: Page) -> None:
    run_and_wait(page)
    page.wait_for_timeout(300)  # plotly's resize after layout


def shot(page: Page, name: str, size: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page {width} px wide in a {viewport} px window"
    charts = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')].filter((c) => c.offsetParent)"
        ".map((c) => c.getBoundingClientRect().right)"
    )
    assert all(right <= viewport + 1 for right in charts), (charts, viewport)


def axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_the_results_view_reads_at_a_glance(page: Page, size: str) -> None:
    run(page)
    # the scorecard comes first, above every chart, in plain words with units
    card_y = page.locator("#scorecard .card").first.bounding_box()
    chart_y = page.locator("#charts .chart-card").first.bounding_box()
    assert card_y and chart_y and card_y["y"] < chart_y["y"]
    cards = page.locator("#scorecard .card")
    metrics = [cards.nth(i).get_attribute("data-metric") for i in range(cards.count())]
    for needed in ["total_jobs_peak", "linkage_holds_over_deal"]:
        assert needed in metrics
    # the fiscal cards by government (the Crown ledger's metrics), else combined
    for base in ("fiscal_net_npv", "public_cost_npv"):
        by_government = {f"{base}_federal", f"{base}_provincial"}
        assert base in metrics or by_government <= set(metrics), base
    assert any(str(m).startswith("fiscal_breakeven_year_") for m in metrics)
    text = page.inner_text("#scorecard")
    assert "C$ 2026" in text and "90% range" in text
    assert "CAD_2026" not in page.inner_text("#results")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", page.inner_text("#scorecard"))  # no snake_case

    # every metric, on a card or in the table, has an explain with equation, inputs, source
    rows = page.locator("#summary table tr").count() - 1
    assert page.locator("#summary details.explain").count() == rows > 20
    page.locator("#scorecard details.explain summary").first.click()
    page.wait_for_selector("#scorecard .explain-body:has-text('Equation')")
    body = page.inner_text("#scorecard details.explain[open] .explain-body")
    assert "Inputs" in body and "docs/model.md" in body

    # each chart has a text summary
    for caption in page.locator("#charts figcaption.chart-summary").all_inner_texts():
        assert len(caption) > 20
    no_overflow(page)
    axe_clean(page)
    shot(page, "results", size)

    # history lists the run; a term change marks the results stale
    page.wait_for_selector("#history button[data-run]")
    assert page.is_hidden("#stale")
    page.fill(THRESHOLD, "0.45")
    page.wait_for_selector("#stale", state="visible")
    page.fill(THRESHOLD, "0.3")
    page.wait_for_selector("#stale", state="hidden")
    # a saved run opened from the history says so
    page.click("#history button[data-run] >> nth=0")
    page.wait_for_selector("#stale", state="visible")
    assert "saved run" in page.inner_text("#stale")


def test_bad_numbers_are_refused_as_you_type(page: Page, size: str, web_server: str) -> None:
    for bad, why in [
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("1e15", "out of range"),
        ("-3", "out of range"),
    ]:
        page.fill(CAPACITY, bad)
        page.wait_for_selector("#validation.error")
        message = page.inner_text("#validation")
        # one message naming the field and its allowed range, read from the JSON Schema
        assert "nextstar-windsor: capacity (GWh a year)" in message and why in message
        assert "allowed: 0 to 10,000" in message
        assert page.get_attribute(CAPACITY, "aria-invalid") == "true"
        assert page.is_disabled("#run")
    page.fill(CAPACITY, "40")
    page.wait_for_selector("#validation.ok")
    assert page.get_attribute(CAPACITY, "aria-invalid") is None

    # years are whole years; a threshold of "nan" never reaches the server
    first_start = f"{START} .numbers input >> nth=0"
    page.fill(first_start, "2029.5")
    page.wait_for_selector("#validation.error")
    assert "whole year" in page.inner_text("#validation")
    page.fill(first_start, "2029")
    page.fill(THRESHOLD, "nan")
    page.wait_for_selector("#validation.error")
    assert page.get_attribute(THRESHOLD, "aria-invalid") == "true"
    page.fill("#draws", "1e3")
    page.wait_for_selector("#draws[aria-invalid=true]")
    axe_clean(page)
    shot(page, "validation", size)


def test_distributions_by_kind_and_three_numbers(page: Page, size: str) -> None:
    box = page.locator(START)
    assert box.locator("select.dist-kind").input_value() == "pert"
    values = [box.locator(".numbers input").nth(i).input_value() for i in range(3)]
    assert values == ["2029", "2030", "2033"]  # years as years, not 2029.0
    assert "PERT from 2029 to 2033, most likely 2030" in str(
        box.locator("svg.preview").get_attribute("aria-label")
    )
    assert "{" not in page.inner_text("#terms")  # no raw JSON shown
    box.locator("select.dist-kind").select_option("uniform")
    assert box.locator(".numbers input").count() == 2
    box.locator("select.dist-kind").select_option("triangular")
    assert box.locator(".numbers input").count() == 3
    page.wait_for_selector("#validation.ok")
    # a fractional start year is shown as a year, its exact value said beside it
    windsor = page.locator("fieldset[data-path='plants.nextstar-windsor.start']")
    assert windsor.locator(".numbers input").input_value() == "2026"
    assert "2025.85" in windsor.inner_text()
    no_overflow(page)


def test_choices_offered_work_and_compare_puts_a_minus_b_first(page: Page, size: str) -> None:
    scenarios = page.eval_on_selector_all("#scenario option", "os => os.map(o => o.value)")
    assert "no-deal" not in scenarios and "canada-korea-2026" in scenarios
    page.click("#tab-compare")
    assert page.get_attribute("#tab-compare", "aria-selected") == "true"
    assert page.get_attribute("#tab-run", "aria-selected") == "false"
    options = page.eval_on_selector_all("#compare-with option", "os => os.map(o => o.value)")
    assert "nextstar-2023" not in options and "powerco-2023" not in options
    assert "canada-korea-2026-unlinked" in options
    page.click("#compare-run")
    page.wait_for_selector("#compare-b .js-plotly-plot .main-svg", timeout=90_000)
    page.wait_for_timeout(500)
    order = page.evaluate(
        "['compare-difference', 'compare-a', 'compare-b'].map("
        "(id) => document.getElementById(id).getBoundingClientRect().top)"
    )
    assert order[0] < order[1] <= order[2]
    assert page.locator("#compare-difference .js-plotly-plot").count() >= 3
    ranges: Any = page.evaluate(
        "['compare-a-jobs', 'compare-b-jobs'].map("
        "(id) => document.getElementById(id).layout.yaxis.range)"
    )
    assert ranges[0] == ranges[1]
    # stacked areas share a scale that holds their totals
    battery: Any = page.evaluate(
        "['compare-a-battery', 'compare-b-battery'].map((id) => {"
        " const d = document.getElementById(id);"
        " const totals = d.data[0].y.map((_, i) => d.data.reduce((s, t) => s + (t.y[i] || 0), 0));"
        " return [d.layout.yaxis.range, Math.max(...totals)]; })"
    )
    assert battery[0][0] == battery[1][0]
    assert battery[0][0][1] >= max(battery[0][1], battery[1][1])
    no_overflow(page)
    axe_clean(page)
    shot(page, "compare", size)


def test_tabs_names_and_the_chain_view(page: Page, size: str) -> None:
    assert page.locator("[role=tablist] [role=tab]").count() == 4
    names = page.evaluate(
        "[...document.querySelectorAll('button, [role=tab]')].filter((b) => b.offsetParent)"
        ".map((b) => (b.getAttribute('aria-label') || b.textContent).trim())"
    )
    assert len(names) == len(set(names)), names
    page.focus("#tab-run")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute("#tab-compare", "aria-selected") == "true"
    page.click("#tab-chain")
    page.wait_for_selector("#chain-sankey .main-svg", timeout=30_000)
    page.click("#stress-run")
    page.wait_for_selector("#stress-chart .main-svg", timeout=60_000)
    page.wait_for_timeout(300)
    no_overflow(page)
    axe_clean(page)
    shot(page, "supply-chain", size)


def test_the_page_and_a_loading_state_show_before_plotly(
    browser: Browser, web_server: str, size: str
) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    held: list[Any] = []
    page = context.new_page()
    page.route("**/vendor/plotly.min.js", lambda route: held.append(route))  # never answered
    # the scenario list waits until the loading state has been seen (a warm server answers
    # before a check could look), then goes through
    listing: list[Any] = []
    page.route("**/api/scenarios", lambda route: listing.append(route))
    started = time.monotonic()
    page.goto(web_server, wait_until="commit")
    page.wait_for_selector("#loading", state="visible", timeout=5_000)
    for _ in range(100):
        if listing:
            break
        page.wait_for_timeout(50)
    page.unroute("**/api/scenarios")
    for route in listing:
        route.continue_()
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator("#terms fieldset").count() >= 5 and page.is_enabled("#run")
    assert time.monotonic() - started < 10
    context.close()

    # warm server, plotly.js allowed: first contentful paint under a second
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(web_server)
    page.goto(web_server)  # warm: server caches and the browser's cache
    fcp = page.evaluate(
        """() => new Promise((resolve) => new PerformanceObserver((list) => {
             const e = list.getEntriesByName('first-contentful-paint')[0];
             if (e) resolve(e.startTime);
           }).observe({ type: 'paint', buffered: true }))"""
    )
    assert 0 < fcp < 1000, fcp
    context.close()


def test_docs_work_offline(browser: Browser, web_server: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(web_server) else None,
    )
    page.goto(f"{web_server}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 10
    assert "/api/runs" in page.inner_text(".swagger-ui")
    assert not [u for u in outside if not u.startswith("data:")], outside
    context.close()


def test_the_scorecard_splits_by_government_when_the_run_does(desktop: Page) -> None:
    page = desktop

    def cards(names: list[str]) -> list[str]:
        stat = {"mean": 1.0, "p5": 0.0, "p50": 1.0, "p95": 2.0, "unit": "CAD_2026"}
        run = {"summary": {"metrics": {n: {**stat, "kind": "impact"} for n in names}}}
        return list(
            page.evaluate(
                "(run) => { const d = document.createElement('div'); d.innerHTML = scorecard(run);"
                " return [...d.querySelectorAll('.card')].map((c) => c.dataset.metric); }",
                run,
            )
        )

    combined = ["fiscal_net_npv", "public_cost_npv", "fiscal_breakeven_year_total"]
    split = [
        f"{m}_{g}"
        for m in ("fiscal_net_npv", "public_cost_npv", "fiscal_breakeven_year")
        for g in ("federal", "provincial")
    ]
    assert cards(combined) == combined
    both = cards(combined + split)
    assert "fiscal_net_npv" not in both and "public_cost_npv" not in both
    for name in split:
        assert name in both
    assert "fiscal_breakeven_year_total" in both  # scopes stay beside governments


def test_the_design_tab_searches_terms_and_opens_a_point(page: Page, size: str) -> None:
    """Design: the defaults (two deal terms, two objectives), a refusal shown by the field,
    a small search drawn as a frontier with its Pareto table, a point opened as a full run."""
    page.click("#tab-design")
    assert page.get_attribute("#tab-design", "aria-selected") == "true"
    assert page.locator("#design-terms .design-row").count() == 2
    assert page.locator("#design-objectives .design-row").count() == 2
    assert page.locator("#zopa-box").count() == 1  # the place kept for part A's ZOPA chart
    # a refused request says why, next to the form, and runs nothing
    first_low = page.locator("#design-terms .design-row input.low").first
    high = page.locator("#design-terms .design-row input.high").first.input_value()
    first_low.fill(str(float(high) + 1))
    page.click("#design-run")
    page.wait_for_function(
        "document.getElementById('design-error').textContent.includes('LOW must be below HIGH')"
    )
    assert page.locator("#design-chart").count() == 0
    first_low.fill(str(float(high) / 2))
    page.click("#design-add-constraint")
    page.locator("#design-constraints input.bound").fill("1e12")
    page.fill("#design-draws", "30")
    page.fill("#design-budget", "8")
    page.click("#design-run")
    page.wait_for_selector("#design-chart .main-svg", timeout=120_000)
    assert page.locator("#design-error").text_content() == ""
    rows = page.locator("#design-result table tr").count() - 1
    assert rows >= 1
    assert "8 candidates" in (page.text_content("#design-summary") or "")
    page.wait_for_timeout(300)
    no_overflow(page)
    axe_clean(page)
    shot(page, "design", size)
    # a point of the frontier opens its full run in the Results tab
    before = page.get_attribute("#charts", "data-run-id")
    page.evaluate(
        "const n = document.querySelector('#design-result [data-pareto]') && "
        "document.getElementById('design-chart').data.find((t) => t.name === 'Pareto set')"
        ".customdata[0];"
        "document.getElementById('design-chart').emit('plotly_click', {points: [{customdata: n}]});"
    )
    page.wait_for_function(
        "(b) => { const r = document.getElementById('charts').dataset.runId;"
        " return r && r !== b; }",
        arg=before,
        timeout=60_000,
    )
    assert page.get_attribute("#tab-run", "aria-selected") == "true"
    assert "of the Design search" in (page.text_content("#stale") or "")


def test_the_design_tab_draws_the_negotiation_zone(page: Page, size: str) -> None:
    """Design: the negotiation-zone box runs evpact zopa as a job and draws its two
    distributions, with a summary in words."""
    page.click("#tab-design")
    page.fill("#design-draws", "30")
    page.click("#zopa-run")
    page.wait_for_selector("#zopa-chart .main-svg", timeout=120_000)
    assert page.locator("#zopa-error").text_content() == ""
    summary = page.text_content("#zopa-summary") or ""
    assert "30 draws" in summary and "a zone exists in" in summary
    assert "deals.hmg-ontario.incentives.1" in summary
    no_overflow(page)
    axe_clean(page)
