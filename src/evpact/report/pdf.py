"""PDF from the HTML report, printed by headless Chromium (Debian's package, not a browser
Playwright downloads: the machine's own chromium is the only one evpact ever starts)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..errors import EvpactError

CHROMIUM = Path("/usr/bin/chromium")
#: no sandbox (containers run as root), no GPU, and no traffic of the browser's own
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> Path:
    if not CHROMIUM.exists():
        raise EvpactError(
            f"--pdf needs Chromium at {CHROMIUM}: install it with "
            "'apt-get install -y --no-install-recommends chromium'"
        )
    return CHROMIUM


#: paper sizes (width, height in mm) and the page margins (mm) the report prints with
PAPERS = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
MARGIN_MM = {"top": 18.0, "bottom": 18.0, "left": 16.0, "right": 16.0}
PX_PER_MM = 96 / 25.4


def content_width_px(paper: str = "A4") -> int:
    """CSS pixels between the side margins: charts are drawn at this width, so they fit the
    printed column (the narrower A4 width fits Letter too)."""
    width = PAPERS[paper][0] - MARGIN_MM["left"] - MARGIN_MM["right"]
    return int(width * PX_PER_MM)


def _templates(title: str) -> tuple[str, str]:
    """Header (the report's title) and footer (page x of y) Chromium prints in the margins."""
    style = "font-size:8px;color:#555;width:100%;padding:0 16mm;font-family:sans-serif"
    header = f'<div style="{style}">{html.escape(title)}</div>'
    footer = (
        f'<div style="{style};text-align:right">page <span class="pageNumber"></span> of '
        '<span class="totalPages"></span></div>'
    )
    return header, footer


def open_printed(browser: Any, html_path: Path, paper: str, timeout_s: float) -> Any:
    """A page showing the report in print media at the printed column's width, every chart
    drawn: what ``html_to_pdf`` prints and what tests measure."""
    page = browser.new_page(viewport={"width": content_width_px(paper), "height": 1000})
    page.emulate_media(media="print")
    page.goto(html_path.resolve().as_uri(), timeout=timeout_s * 1000)
    page.wait_for_function("window.evpactReady === true", timeout=timeout_s * 1000)
    return page


def html_to_pdf(
    html_path: Path, pdf_path: Path, timeout_s: float = 60.0, paper: str = "A4"
) -> Path:
    """Open the report file, wait until every chart is drawn, print it on ``paper`` with the
    title in the header and page numbers in the footer."""
    executable = chromium_path()
    if paper not in PAPERS:
        raise EvpactError(f"paper '{paper}' is not one of {', '.join(PAPERS)}", "--paper")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise EvpactError("--pdf needs Playwright: pip install 'evpact[pdf]'") from None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
            try:
                page = open_printed(browser, html_path, paper, timeout_s)
                header, footer = _templates(page.title())
                page.pdf(
                    path=str(pdf_path),
                    format=paper,
                    print_background=True,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=footer,
                    margin={k: f"{v}mm" for k, v in MARGIN_MM.items()},
                )
            finally:
                browser.close()
    except Error as e:
        raise EvpactError(f"Chromium could not print the report: {e.message}") from None
    return pdf_path
