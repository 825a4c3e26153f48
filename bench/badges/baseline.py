"""The baseline of the badge benchmark: the same badge drawn the way pretix's badge exporter draws
one (pretix ``plugins/badges/exporters.py`` with ``base/pdf.py``'s ``Renderer``), with reportlab:

- for each badge a reportlab ``Canvas`` page; each text a platypus ``Paragraph`` in a text container
  whose font size steps down until the text fits (pretix's ``_draw_textcontainer`` with autoresize);
  the text escaped and NFC-normalised as pretix does;
- the QR code drawn by ``reportlab.graphics.barcode.qr.QrCodeWidget`` into a ``Drawing`` placed with
  ``renderPDF.draw`` (error correction H for up to 32 characters, as pretix chooses), and the code's
  content written as an invisible string beside it, as pretix does;
- the page read back with pypdf, merged onto a background page (``merge_transformed_page``) on a blank
  page of the output, and every page written into one PDF at the end.

Fonts: registered TTFs (Noto Sans and the Noto face of each script) where reportlab can use them.
reportlab cannot embed the CFF-flavoured Noto CJK fonts, so Chinese uses its built-in CID font
STSong-Light (not embedded), and it does no shaping: Thai, Lao, Khmer, Burmese, Tamil and Jawi come
out as unshaped glyphs (pretix adds arabic-reshaper and python-bidi for Arabic, which this project
does not install). The baseline therefore does *less* typographic work than the WeasyPrint badge.
"""

import copy
import io
import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from django.utils.html import conditional_escape
from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

NOTO = Path("/usr/share/fonts/truetype/noto")
PAGE = (105 * mm, 148 * mm)  # A6 portrait, as the WeasyPrint badge
# The face reportlab draws each native script with (registered TTF), by the language of the name.
SCRIPT_FONTS = {
    "th": "NotoSansThai-Regular",
    "lo": "NotoSansLao-Regular",
    "km": "NotoSansKhmer-Regular",
    "my": "NotoSansMyanmar-Regular",
    "ta": "NotoSansTamil-Regular",
    "ms-Arab": "NotoNaskhArabic-Regular",
    "ar": "NotoNaskhArabic-Regular",
    "vi": "NotoSans-Regular",
}
CJK_FONT = "STSong-Light"

_registered = False


def register_fonts() -> None:
    """Once per process, as pretix's ``Renderer._register_fonts``."""
    global _registered
    if _registered:
        return
    for name in {"NotoSans-Regular", "NotoSans-Bold", *SCRIPT_FONTS.values()}:
        pdfmetrics.registerFont(TTFont(name, str(NOTO / f"{name}.ttf")))
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    _registered = True


def _font_for(lang: str) -> str:
    if lang.startswith(("zh", "ja", "ko")):
        return CJK_FONT
    return SCRIPT_FONTS.get(lang, "NotoSans-Regular")


def _paragraph(text: str, font: str, size: float, colour=None) -> Paragraph:
    style = ParagraphStyle(
        name="badge",
        fontName=font,
        fontSize=size,
        leading=size * 1.15,
        alignment=TA_LEFT,
        textColor=colour or HexColor("#111111"),
        splitLongWords=True,
    )
    # pretix: escape, let lines break after hyphens, NFC (reportlab has no combining characters).
    text = conditional_escape(text).replace("\n", "<br/>\n").replace("-", "-&hairsp;")
    return Paragraph(unicodedata.normalize("NFC", str(text)), style=style)


def _text_container(canvas: Canvas, text: str, *, font: str, size: float, box: tuple, colour=None) -> None:
    """pretix's ``_draw_textcontainer`` with autoresize: shrink until the text fits its box."""
    left, bottom, width, height = box
    while True:
        paragraph = _paragraph(text, font, size, colour)
        _w, h = paragraph.wrapOn(canvas, width, 1000 * mm)
        widths = paragraph.getActualLineWidths0()
        if not widths or (h <= height and max(widths) <= width) or size <= 1.0:
            break
        size -= max(1.0, size * 0.1) if h > height else max(0.25, size * 0.025)
    canvas.saveState()
    canvas.translate(left, bottom + height)
    paragraph.drawOn(canvas, 0, -h)
    canvas.restoreState()


def _qr(canvas: Canvas, content: str, *, left: float, bottom: float, size: float) -> None:
    """pretix's ``_draw_barcodearea``."""
    level = "H" if len(content) <= 32 else ("M" if len(content) <= 128 else "L")
    widget = QrCodeWidget(content, barLevel=level, barHeight=size, barWidth=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, left, bottom)
    canvas.saveState()
    canvas.setFont("NotoSans-Regular", 0.01)
    canvas.setFillColorRGB(0, 0, 0, 0)
    canvas.drawString(0, 0, json.dumps({"issuer": "amf-bench", "secret": content}, sort_keys=True))
    canvas.restoreState()


def draw_badge(canvas: Canvas, badge: dict) -> None:
    """The content and boxes of the WeasyPrint A6 badge (static/css/badge/a6.css)."""
    width, height = PAGE
    x, inner = 7 * mm, width - 14 * mm
    top = height
    _text_container(
        canvas, badge["forum_name"], font="NotoSans-Bold", size=10, box=(x, top - 14 * mm, inner, 8 * mm)
    )
    _text_container(
        canvas, badge["forum_dates"], font="NotoSans-Regular", size=8, box=(x, top - 20 * mm, inner, 5 * mm)
    )
    person_top = top - 22 * mm
    if badge["honorific"]:
        _text_container(
            canvas,
            badge["honorific"],
            font="NotoSans-Regular",
            size=11,
            box=(x, person_top - 7 * mm, inner, 6 * mm),
        )
    _text_container(
        canvas, badge["name"], font="NotoSans-Bold", size=30, box=(x, person_top - 30 * mm, inner, 22 * mm)
    )
    if badge["native_name"]:
        _text_container(
            canvas,
            badge["native_name"],
            font=_font_for(badge["native_lang"]),
            size=23,
            box=(x, person_top - 48 * mm, inner, 17 * mm),
        )
    _text_container(
        canvas,
        badge["position"],
        font="NotoSans-Regular",
        size=10,
        box=(x, person_top - 58 * mm, inner, 9 * mm),
    )
    _text_container(
        canvas,
        badge["organisation"],
        font="NotoSans-Regular",
        size=10,
        box=(x, person_top - 68 * mm, inner, 9 * mm),
    )
    _text_container(canvas, badge["city"], font="NotoSans-Bold", size=13, box=(x, 37 * mm, 52 * mm, 17 * mm))
    _text_container(
        canvas, badge["country"], font="NotoSans-Regular", size=10, box=(x, 21 * mm, 52 * mm, 15 * mm)
    )
    _qr(canvas, badge["token"], left=width - 40 * mm, bottom=21 * mm, size=33 * mm)
    canvas.setFillColor(HexColor(badge["band_background"]))
    canvas.rect(0, 0, width, 18 * mm, stroke=0, fill=1)
    band_text = white if badge["band_text"].lower() == "#ffffff" else HexColor(badge["band_text"])
    _text_container(
        canvas,
        badge["category"],
        font="NotoSans-Bold",
        size=16,
        box=(x, 4 * mm, inner, 10 * mm),
        colour=band_text,
    )


def _background() -> PdfReader:
    """pretix merges every badge onto its layout's background PDF; here a blank A6 page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def render(badges: Iterable[dict], output: Path) -> int:
    """One PDF of the badges, one page each, as pretix's ``render_pdf`` with one badge per page.
    Returns the number of pages."""
    register_fonts()
    background = _background()
    writer = PdfWriter()
    for badge in badges:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=PAGE)
        draw_badge(canvas, badge)
        canvas.showPage()
        canvas.save()
        foreground = PdfReader(io.BytesIO(buffer.getvalue()))
        page = writer.add_blank_page(width=PAGE[0], height=PAGE[1])
        page.merge_transformed_page(copy.copy(background.pages[0]), Transformation())
        page.merge_page(foreground.pages[0])
    writer.add_metadata({"/Title": "Badges", "/Creator": "amf-bench (pretix-style baseline)"})
    with output.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
