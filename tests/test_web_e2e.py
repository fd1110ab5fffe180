"""The web page in real headless Chromium (Debian's package, driven by Playwright): load,
change the linkage threshold, run, see the chart update, follow the shared link, compare,
download a CSV. Screenshots of the main view and of a report land in build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evpact.report.pdf import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page

from webserver import run_and_wait

SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
THRESHOLD = "fieldset[data-path='deals.hmg-ontario.linkage.threshold'] .numbers input"
LINKAGE_Y = "document.getElementById('chart-linkage').data[0].y"


@pytest.fixture
def page(browser: Browser, web_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(web_server)
    pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
    pg.fill("#draws", "400")
    yield pg
    context.close()
    assert not errors, errors


def test_change_threshold_run_and_the_chart_updates(page: Page, web_server: str) -> None:
    first = run_and_wait(page)
    before: list[Any] = page.evaluate(LINKAGE_Y)
    page.fill(THRESHOLD, "0.4")
    page.wait_for_selector("#validation.ok")
    second = run_and_wait(page)
    after: list[Any] = page.evaluate(LINKAGE_Y)
    assert second != first and after != before
    # 40% local absorption is harder to meet than 30%, year by year
    assert sum(a or 0 for a in after) < sum(b or 0 for b in before)
    share = page.input_value("#share-url")
    assert "set=deals.hmg-ontario.linkage.threshold%3D0.4" in share and "seed=" in share
    assert "draws=400" in share and page.url == share
    page.wait_for_timeout(300)  # let plotly finish its transitions
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "main-view.png"), full_page=True)

    # the shared link reproduces the run: same scenario hash and seed, same numbers
    provenance = page.inner_text("#provenance")
    again = page.context.new_page()
    again.goto(share)
    again.wait_for_selector("#chart-linkage .main-svg", timeout=30_000)
    assert again.input_value(THRESHOLD) == "0.4"
    assert again.evaluate(LINKAGE_Y) == after
    sha = provenance.split("scenario sha256 ")[1].split(",")[0]
    assert sha in again.inner_text("#provenance")


def test_the_form_validates_as_you_type(page: Page) -> None:
    page.fill(THRESHOLD, "1.5")
    page.wait_for_selector("#validation.error")
    assert "share" in page.inner_text("#validation")
    assert page.is_disabled("#run")
    assert page.get_attribute(THRESHOLD, "aria-invalid") == "true"
    page.fill(THRESHOLD, "0.35")
    page.wait_for_selector("#validation.ok")
    assert not page.is_disabled("#run")


def test_compare_view_and_csv_download(page: Page) -> None:
    run_and_wait(page)
    with page.expect_download() as info:
        page.click("#charts a.csv >> nth=0")
    path = info.value.path()
    header = Path(path).read_text().splitlines()[0]
    assert header == "year,series,unit,mean,p5,p50,p95"

    page.click("#tab-compare")
    assert page.is_visible("#compare-view") and not page.is_visible("#run-view")
    page.click("#compare-run")
    page.wait_for_selector("#compare-difference", timeout=60_000)
    assert page.locator("#compare-a .js-plotly-plot").count() >= 4
    assert page.locator("#compare-b .js-plotly-plot").count() >= 3
    assert "minus canada-korea-2026-unlinked" in page.inner_text("#compare-difference")
    with page.expect_download() as info:
        page.click("#compare-b a.csv >> nth=0")
    assert Path(info.value.path()).read_text().startswith("year,series")


def test_report_screenshot(browser: Browser, tmp_path: Path) -> None:
    import evpact
    from evpact.report.html import build_report, plotly_js

    results = evpact.simulate("canada-korea-2026", draws=300, seed=2)
    html = tmp_path / "report.html"
    html.write_text(build_report([results], plotly_js()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(html.as_uri())
    page.wait_for_function("window.evpactReady === true", timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report.png"), full_page=True)
    page.close()
    assert (SHOTS / "report.png").stat().st_size > 10_000


def test_upload_a_scenario_file_and_run_it(page: Page, tmp_path: Path) -> None:
    import yaml

    from evpact.scenario.load import bundled_scenarios

    raw = yaml.safe_load(bundled_scenarios()["canada-korea-2026"].read_text())
    path = tmp_path / "my-deal.yaml"
    path.write_text(yaml.safe_dump({**raw, "name": "my-deal"}))
    page.set_input_files("#upload", str(path))
    page.wait_for_function(
        "document.getElementById('scenario-title').textContent.includes('uploaded: my-deal')"
    )
    page.wait_for_selector("#validation.ok")
    run_and_wait(page)
    assert page.inner_text("#provenance").startswith("my-deal against canada-korea-2026-unlinked")
    assert "not shareable" in page.input_value("#share-url")


def test_supply_chain_view_sankey_and_a_stress_test(page: Page) -> None:
    page.click("#tab-chain")
    assert page.is_visible("#chain-view") and not page.is_visible("#run-view")
    page.wait_for_selector("#chain-sankey .main-svg .sankey", timeout=30_000)
    assert page.locator("#chain-sankey .sankey-node").count() >= 4
    table = page.inner_text("#chain-table")
    assert "cam" in table and "CN 90%" in table and "own plants" in table
    assert "domestic_chain_share 50%" in page.inner_text("#chain-note")
    with page.expect_download() as info:
        page.click("#chain-csv")
    header = Path(info.value.path()).read_text().splitlines()[0]
    assert header == "deal,stage,domestic,usmca,fta,other,hhi,largest,sourced"

    # stress inputs are checked as you type
    assert page.locator("#stress-stage option").count() == 9
    assert page.input_value("#stress-stage") == "cam"  # the first stage the deal sources
    page.fill("#stress-country", "C")
    page.wait_for_selector("#stress-validation.error")
    assert page.is_disabled("#stress-run") and "country" in page.inner_text("#stress-validation")
    page.fill("#stress-country", "CN")
    page.fill("#stress-year", "2050")
    page.wait_for_selector("#stress-validation.error")
    assert "2026-2045" in page.inner_text("#stress-validation")
    page.fill("#stress-year", "2030")
    page.wait_for_selector("#stress-validation.ok")
    page.click("#stress-run")
    page.wait_for_selector("#stress-chart .main-svg", timeout=30_000)
    result = page.inner_text("#stress-result")
    assert "canada-korea-2026-unlinked" in result and "vehicles" in result
    with page.expect_download() as info:
        page.click("#stress-csv")
    assert Path(info.value.path()).read_text().startswith("world,loss,unit,mean,p5,p50,p95")
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "supply-chain.png"), full_page=True)
