"""PDF from the HTML report, printed by headless Chromium (Debian's package, not a browser
Playwright downloads: the machine's own chromium is the only one evpact ever starts)."""

from __future__ import annotations

from pathlib import Path

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


def html_to_pdf(html_path: Path, pdf_path: Path, timeout_s: float = 60.0) -> Path:
    """Open the report file, wait until every chart is drawn, print it to A4."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise EvpactError("--pdf needs Playwright: pip install 'evpact[pdf]'") from None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(html_path.resolve().as_uri(), timeout=timeout_s * 1000)
                page.wait_for_function("window.evpactReady === true", timeout=timeout_s * 1000)
                page.emulate_media(media="screen")
                page.pdf(path=str(pdf_path), format="A4", print_background=True, scale=0.6)
            finally:
                browser.close()
    except Error as e:
        raise EvpactError(f"Chromium could not print the report: {e.message}") from None
    return pdf_path
