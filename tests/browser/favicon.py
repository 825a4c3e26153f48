"""static/img/favicon.ico is the SVG mark (static/img/favicon.svg) rasterised by chromium at the sizes
browsers and crawlers ask /favicon.ico for. After changing the SVG, write it again:

    .venv/bin/python -m tests.browser.favicon

tests/browser/test_site_pages.py checks that the two still agree.
"""

import io
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "static" / "img" / "favicon.svg"
ICO = ROOT / "static" / "img" / "favicon.ico"
SIZES = (16, 32, 48)


def favicon_frames(browser) -> list[Image.Image]:
    """The SVG drawn at each of SIZES on a transparent background, one RGBA image per size."""
    frames = []
    for size in SIZES:
        context = browser.new_context(viewport={"width": size, "height": size}, device_scale_factor=1)
        page = context.new_page()
        page.set_content(
            "<!DOCTYPE html><html><body style='margin:0;background:transparent'>"
            f"{SVG.read_text()}</body></html>"
        )
        page.locator("svg").evaluate(
            f"svg => {{ svg.setAttribute('width', {size}); svg.setAttribute('height', {size}); }}"
        )
        png = page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
        context.close()
        frames.append(Image.open(io.BytesIO(png)).convert("RGBA"))
    return frames


def write_favicon(browser) -> None:
    frames = favicon_frames(browser)
    # Each size is its own drawing, not a downscaled copy of the largest.
    frames[-1].save(ICO, format="ICO", sizes=[frame.size for frame in frames], append_images=frames[:-1])


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    from .conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        write_favicon(instance)
        instance.close()
    print(f"wrote {ICO.relative_to(ROOT)}")
