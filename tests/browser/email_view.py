"""An email's HTML part opened in chromium as a phone would show it: a screenshot to look at
(``AMF_SCREENSHOTS``: a folder to keep it in) and how far it scrolls sideways."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


def email_screenshot(html: str, path: Path, *, width: int = 360) -> int:
    """Render ``html`` at ``width`` px, save a full-page screenshot at ``path`` (copied into
    ``AMF_SCREENSHOTS`` when set) and return the horizontal overflow in px (0 or less: it fits).

    Runs in a thread of its own: the browser tests' session keeps Playwright's event loop in the main
    thread, where a second sync Playwright refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        overflow = pool.submit(_render, html, path, width).result(timeout=120)
    keep = os.environ.get("AMF_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return overflow


def _render(html: str, path: Path, width: int) -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.set_content(html)
            page.screenshot(path=str(path), full_page=True)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        finally:
            browser.close()
    return overflow
