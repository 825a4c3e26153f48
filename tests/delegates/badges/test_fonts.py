"""The badge's fonts (``delegates/badges/fonts.py``): the line metrics written down for each script are
those of the installed Noto faces, and the tallest and deepest stacks of each script, drawn by
WeasyPrint and rasterised, stay within the ink extents the line spacing counts on."""

import io
import subprocess

import pdfplumber
import pytest
import weasyprint
from fontTools.ttLib import TTFont
from PIL import Image

from delegates.badges.content import badge_css_dir
from delegates.badges.fitting import text_ink
from delegates.badges.fonts import ALL_SCRIPTS, LATIN, _font_files, script_of

# The letters of each script that reach highest and lowest, with the language that picks its face.
STACKS = {
    "latin": ("vi", "ẤẦẨẪẬẮẰẲẴẶỐỒỔỖỘỚỜỞỠỢẾỀỂỄỆỨỪỬỮỰỲỶỸỴ ǺǼǾ ŠŽČĚŘÅÇĄĘĮŲŅĶĻĢ gjpqyQ ạặậẹệịọộợụựỵ ļņķģţşçęąį"),
    "thai": ("th", "ปี่ ฝื้ ฟั๊ ฬิ๋ ปึ่ ฎุ ฏู ฐุ ญู ฤ ฦ ปั้ ฟี๋ ป็ ป์ ปิ์ ก่ำ ฎู ฏุ ฤๅ ฦๅ ป๋ ปื๊ ฐู ญุ ฬื้"),
    "lao": ("lo", "ປີ່ ຝື້ ຟັ໊ ຫຼ້າ ປຶ່ ປູ ຍູ ປົ້ ປໍ້ ຄຳ ປັ໋ ປຸ ຽ ຜູ້ ຫຼູ້ ຫຼື້ ປິ໋ ຟົ້ ຝໍ່ ປູ໊"),
    "khmer": ("km", "ក្ត្រ ស្ត្រី ព្រ៊ំ ង្គ្រ ក៏ ក៊ី ក្សត្រ ស៊ើ ប្ដូរ ក្រុ ស្រូ ព្រឹ ខ្ញុំ ញ៉ូ ក្លួ ឃ្លាំ ស្ទ្រូ ញ្ញ៉ូ"),
    "myanmar": ("my", "ကြြ ကြို့ ဦး ဣ ဤ ဥ မြင့် ကြည် ကျွန် ရွှေ ဿ ဋ္ဌ န္တ ဗြိတ် မ္မ ပြည့် ကြွ ဍ္ဍ ခြွေ ဪ ကြွှိုး ဏ္ဍ ၏ မြို့ ဈ"),
    "tamil": (
        "ta",
        "ஸ்ரீ கூ சூ டூ ணூ தூ நூ பூ மூ யூ ரூ லூ வூ ழூ ளூ றூ னூ கு ஞு ஜீ ஷ்ணு க்ஷ ௐ ஹூ ஞூ ஙூ ஸூ ஜூ ஷூ க்ஷூ ௌ ஔ",
    ),
    "arabic": ("ms-Arab", "ڠ ڽ ڤ ݢ چ ۏ ج ح خ ع غ ي ى ن ل أ إ آ ؤ ئ لإ لأ ك عبدالله مُحَمَّد ڬ ڠِ إِ أُ ضّ"),
    "cjk": ("zh-Hans", "陈美玲黄鑫磊龍鳳齉灣「」（）丁乙亅"),
}
SIZE_PT = 60
DPI = 300


@pytest.mark.parametrize("script", ALL_SCRIPTS, ids=[script.key for script in ALL_SCRIPTS])
def test_line_metrics_are_those_of_the_installed_face(script):
    path = _font_files()[script.faces[0]]

    with TTFont(path, lazy=True, fontNumber=script.collection_index if path.suffix == ".ttc" else -1) as font:
        units = font["head"].unitsPerEm
        metrics = (round(font["hhea"].ascent / units, 3), round(-font["hhea"].descent / units, 3))

    assert metrics == (script.ascent, script.descent)


def ink_extents(text: str, lang: str, bold: bool) -> tuple[float, float]:
    """How far the ink of ``text`` (one line) reaches above and below its baseline, in em."""
    html = (
        f'<p lang="{lang}" style="font-size: {SIZE_PT}pt; line-height: 3; margin: 0; white-space: nowrap;'
        f' font-weight: {"bold" if bold else "normal"}">{text}</p>'
    )
    css = (badge_css_dir() / "base.css").read_text(encoding="utf-8")
    css += "@page { size: 1500mm 80mm; margin: 0 }"
    pdf = weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(string=css)])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        (baseline,) = {round(page.height - c["matrix"][5], 2) for c in page.chars if c["text"].strip()}
    pgm = subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-"], input=pdf, capture_output=True, check=True
    )
    image = Image.open(io.BytesIO(pgm.stdout)).convert("L")
    width, data = image.width, image.tobytes()
    rows = [row for row in range(image.height) if min(data[row * width : (row + 1) * width]) < 128]
    top, bottom = rows[0] * 72 / DPI, (rows[-1] + 1) * 72 / DPI
    return (baseline - top) / SIZE_PT, (bottom - baseline) / SIZE_PT


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
@pytest.mark.parametrize("key", STACKS)
def test_tallest_stacks_stay_within_the_ink_extents_of_their_script(key, bold):
    lang, text = STACKS[key]
    script = next(s for s in ALL_SCRIPTS if s.key == key)

    top, bottom = ink_extents(text, lang, bold)

    assert top <= script.ink_top
    assert bottom <= script.ink_bottom
    assert top > script.ink_top - 0.1  # measured, not guessed: the stacks reach close to it
    assert {script_of(char).key for char in text if not char.isspace()} == {key}


def test_latin_text_counts_the_height_of_its_own_letters():
    """Plain letters leave the line tighter than Vietnamese capitals with two marks; letters with a
    mark the shaper must stack count the tallest Latin stack."""
    plain, vietnamese, stacked = (text_ink(text, True) for text in ("Sok Vibol", "Ỷ Lan", "Ly\u0303\u0301"))

    assert plain[:2] == (0.76, 0.01)  # the ascender of "k", the overshoot of "o" below the line
    assert vietnamese[:2] == (0.995, 0.01)
    assert stacked[:2] == (LATIN.ink_top, LATIN.ink_bottom)
