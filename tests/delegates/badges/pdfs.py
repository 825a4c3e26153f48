"""Reading badge PDFs back, for the badge and check-in tests: poppler's text layer and fonts
(``pdftotext``, ``pdffonts``), pdfplumber's characters and their boxes, the page sizes (pypdf), the QR
codes zxing-cpp decodes from the rasterised page — and the badge files stored for a forum."""

import io
import itertools
import re
import subprocess
from pathlib import Path

import pdfplumber
import zxingcpp
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfReader

MM = 72 / 25.4  # PDF points per millimetre
DPI = 200


def write_pdf(pdf: bytes, folder: Path, name: str = "badge.pdf") -> Path:
    assert pdf.startswith(b"%PDF-")
    path = folder / name
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path, page: int | None = None) -> str:
    """poppler's text layer, in content order (``pdftotext -raw``)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pdf_lines(path: Path, page: int | None = None) -> list[str]:
    return [line.strip() for line in pdf_text(path, page).splitlines() if line.strip()]


def pdf_fonts(path: Path) -> list[str]:
    """The embedded fonts as ``pdffonts`` lists them, without the subset prefix (``ABCDEF+``)."""
    output = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = output.splitlines()[2:]
    for row in rows:
        assert row.split()[-5:-2] == ["yes", "yes", "yes"], row  # embedded, subset, with ToUnicode
    return sorted({row.split()[0].split("+", 1)[-1] for row in rows})


def rasterise(path: Path, page: int = 1, dpi: int = DPI) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png))


def qr_codes(path: Path, page: int = 1) -> list:
    """The QR codes zxing-cpp finds on the page, top to bottom then left to right."""
    found = zxingcpp.read_barcodes(rasterise(path, page))
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in found)
    return sorted(found, key=lambda code: (round(code.position.top_left.y, -2), code.position.top_left.x))


def qr_texts(path: Path, page: int = 1) -> list[str]:
    return [code.text for code in qr_codes(path, page)]


def page_size_mm(path: Path) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1))
        for p in PdfReader(path).pages
    ]


def find_text_chars(path: Path, text: str, page: int = 0) -> list[dict]:
    """pdfplumber's characters that draw ``text`` (consecutive in content order, spaces ignored)."""
    chars = [c for c in pdfplumber.open(path).pages[page].chars if c["text"].strip()]
    wanted = re.sub(r"\s+", "", text)
    joined = ""
    starts = []
    for char in chars:
        starts.append(len(joined))
        joined += char["text"]
    start = joined.find(wanted)
    assert start >= 0, f"{text!r} not drawn on page {page + 1}"
    end = start + len(wanted)
    return [c for c, s in zip(chars, starts, strict=True) if start <= s < end]


def drawn_text(path: Path, page: int = 0) -> str:
    """The page's characters in the order they are drawn, without spaces."""
    return "".join(c["text"] for c in pdfplumber.open(path).pages[page].chars if c["text"].strip())


def bbox_mm(chars: list[dict]) -> tuple[float, float, float, float]:
    """Left, top, right, bottom of the characters, in mm from the page's top left corner."""
    return (
        min(c["x0"] for c in chars) / MM,
        min(c["top"] for c in chars) / MM,
        max(c["x1"] for c in chars) / MM,
        max(c["bottom"] for c in chars) / MM,
    )


def inside(bbox: tuple[float, ...], box: tuple[float, ...], tolerance: float = 0.05) -> bool:
    """Whether ``bbox`` lies within ``box`` (both left, top, right, bottom in mm)."""
    x0, y0, x1, y1 = bbox
    left, top, right, bottom = box
    inside = (
        left - tolerance <= x0
        and x1 <= right + tolerance
        and top - tolerance <= y0
        and y1 <= bottom + tolerance
    )
    assert inside, f"{bbox} is not inside {box}"
    return inside


def stored_files(forum_slug: str) -> list[str]:
    if not default_storage.exists(f"badges/{forum_slug}"):
        return []
    return sorted(default_storage.listdir(f"badges/{forum_slug}")[1])


# --- Line spacing on the rasterised page -----------------------------------------------------------------


def rasterise_all(path: Path, folder: Path, dpi: int) -> list[Image.Image]:
    """Every page of the PDF as a greyscale image (one ``pdftoppm`` run, raw PGM: no PNG to encode)."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(path), str(folder / "page")], check=True)
    return [Image.open(pgm).convert("L") for pgm in sorted(folder.glob("page-*.pgm"))]


def baselines_mm(page, box: tuple[float, ...]) -> list[float]:
    """The baselines (mm from the page's top) of the lines of text whose characters start inside
    ``box`` (left, top, right, bottom in mm): characters closer than half a millimetre share one."""
    lines: list[list[float]] = []
    for y in sorted(
        (page.height - c["matrix"][5]) / MM
        for c in page.chars
        if c["text"].strip()
        and box[0] <= c["x0"] / MM <= box[2]
        and box[1] <= (page.height - c["matrix"][5]) / MM <= box[3]
    ):
        if lines and y - lines[-1][-1] < 0.5:
            lines[-1].append(y)
        else:
            lines.append([y])
    return [sum(line) / len(line) for line in lines]


INK = 200  # a pixel darker than this is ink (anti-aliased edges included)


def clear_gaps_mm(
    image: Image.Image, box: tuple[float, ...], baselines: list[float], dpi: int
) -> list[float]:
    """The clear paper between each two consecutive lines of ``box``, in mm: the longest run of pixel
    rows without ink between their baselines (ink below a baseline is the upper line's descenders,
    ink above the next one the lower line's stacks), read from the rasterised page."""
    px = dpi / 25.4
    left, right = round(box[0] * px), round(box[2] * px)
    band = image.crop((left, 0, right, image.height))
    width, data = band.width, band.tobytes()
    gaps = []
    for upper, lower in itertools.pairwise(baselines):
        longest = run = 0
        for row in range(round(upper * px), round(lower * px)):
            run = 0 if min(data[row * width : (row + 1) * width]) < INK else run + 1
            longest = max(longest, run)
        gaps.append(round(longest / px, 2))
    return gaps
