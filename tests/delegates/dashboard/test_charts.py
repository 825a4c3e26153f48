"""The dashboard's SVG charts: an image with its accessible name, the labels escaped and tagged with
their language, bars as long as their share, a fill measured against its capacity."""

import datetime as dt
import xml.etree.ElementTree as ET

from delegates.dashboard.charts import WIDTH, bar_chart, day_chart
from delegates.dashboard.selectors import Day, Row

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - the chart functions' own output, not untrusted input


def test_bar_chart_is_an_image_named_by_its_title_with_escaped_labels():
    rows = [Row("<Mayors & Governors>", 4), Row("ព្រះរាជាណាចក្រ", 2, lang="km")]

    svg = parse(bar_chart(rows, chart_id="c", title="By <x>"))

    assert (svg.get("role"), svg.get("aria-labelledby")) == ("img", "c-title")
    assert svg.find(f"{SVG}title").text == "By <x>"
    texts = [(t.text, t.get("lang")) for t in svg.iter(f"{SVG}text")]
    assert texts == [("<Mayors & Governors>", None), ("4", None), ("ព្រះរាជាណាចក្រ", "km"), ("2", None)]
    assert [float(r.get("width")) for r in svg.iter(f"{SVG}rect")] == [WIDTH - 2, (WIDTH - 2) / 2]


def test_bar_chart_measures_a_fill_against_its_capacity():
    svg = parse(bar_chart([Row("Site visit", 3, 12)], chart_id="f", title="Fill"))

    track, bar = svg.iter(f"{SVG}rect")
    assert [float(track.get("width")), float(bar.get("width"))] == [WIDTH - 2, round((WIDTH - 2) / 4, 1)]
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["Site visit", "3 / 12"]


def test_day_chart_draws_a_column_for_each_day_with_any_and_names_the_first_and_last():
    days = [Day(dt.date(2030, 10, 1), 3), Day(dt.date(2030, 10, 2), 0), Day(dt.date(2030, 10, 3), 6)]

    svg = parse(day_chart(days, chart_id="d", title="Per day"))

    heights = [float(r.get("height")) for r in svg.iter(f"{SVG}rect")]
    assert heights[1] == 2 * heights[0]
    assert len(heights) == 2
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["6", "0", "Tue 1 Oct", "Thu 3 Oct"]
