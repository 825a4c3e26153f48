"""The dashboard's charts, drawn on the server as SVG: no JavaScript, nothing from a CDN, no inline
style (the page's Content-Security-Policy forbids it; colours are SVG presentation attributes, sizes
are the admin stylesheet's classes ``dashboard-chart``).

Each chart is an image with an accessible name (``role="img"``, its ``<title>``); the numbers behind it
are in a table next to it, which is what a screen reader reads. The drawing scales with its box: bar
charts are drawn narrow (labels above the bars), so that they stay legible on a phone.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from events.formatting import local_day

from .selectors import Day, Row

BAR = "#417690"  # the admin's own blue
TRACK = "#d9e2ea"  # what is left of a capacity
OVER = "#ba2121"  # a fill past its capacity (a capacity lowered below the confirmed)
WIDTH = 360
ROW = 42


def _svg(*, chart_id: str, title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="dashboard-chart" id="{id}" role="img" aria-labelledby="{id}-title" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, sans-serif" font-size="13">'
        '<title id="{id}-title">{title}</title>{body}</svg>',
        id=chart_id,
        title=title,
        w=WIDTH,
        h=height,
        body=body,
    )


def bar_chart(rows: Sequence[Row], *, chart_id: str, title: str) -> SafeString:
    """Horizontal bars: each row's label and count above a bar as long as its share of the largest —
    or, for a row with a capacity, of its capacity (the rest of the capacity drawn as a light track).
    """
    largest = max((row.count for row in rows), default=0) or 1
    usable = WIDTH - 2
    parts = []
    for index, row in enumerate(rows):
        top = index * ROW
        if row.capacity:
            figure = f"{row.count} / {row.capacity}"
            share = min(row.count / row.capacity, 1)
            colour = OVER if row.count > row.capacity else BAR
            track = format_html(
                '<rect x="1" y="{y}" width="{w}" height="14" fill="{c}"/>', y=top + 24, w=usable, c=TRACK
            )
        else:
            figure = str(row.count)
            share = row.count / largest
            colour = BAR
            track = ""
        parts.append(
            format_html(
                '<text x="1" y="{ty}" fill="currentColor"{lang}>{label}</text>'
                '<text x="{right}" y="{ty}" text-anchor="end" fill="currentColor">{figure}</text>'
                '{track}<rect x="1" y="{by}" width="{bw}" height="14" fill="{colour}"/>',
                ty=top + 15,
                lang=format_html(' lang="{}"', row.lang) if row.lang else "",
                label=_clip(row.label),
                right=WIDTH - 1,
                figure=figure,
                track=track,
                by=top + 24,
                bw=round(usable * share, 1),
                colour=colour,
            )
        )
    body = format_html_join("", "{}", ((part,) for part in parts))
    return _svg(chart_id=chart_id, title=title, height=max(len(rows), 1) * ROW, body=body)


def day_chart(days: Sequence[Day], *, chart_id: str, title: str) -> SafeString:
    """Columns, one a day, as tall as the day's share of the busiest; the busiest day's count on the
    left axis, the first and last day below."""
    height, top, bottom, left = 180, 18, 150, 30
    busiest = max((day.count for day in days), default=0) or 1
    slot = (WIDTH - left) / max(len(days), 1)
    bar = min(slot - min(2, slot / 4), 32)  # a few days: slim columns, not walls
    columns = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="' + BAR + '"/>',
        (
            (
                round(left + index * slot + (slot - bar) / 2, 2),
                round(bottom - (bottom - top) * day.count / busiest, 2),
                round(bar, 2),
                round((bottom - top) * day.count / busiest, 2),
            )
            for index, day in enumerate(days)
            if day.count
        ),
    )
    labels = ""
    if days:
        labels = format_html(
            '<text x="{left}" y="{y}" fill="currentColor">{first}</text>'
            '<text x="{right}" y="{y}" text-anchor="end" fill="currentColor">{last}</text>',
            left=left,
            right=WIDTH - 1,
            y=bottom + 20,
            first=local_day(days[0].day, "short"),
            last=local_day(days[-1].day, "short") if len(days) > 1 else "",
        )
    axis = format_html(
        '<text x="{x}" y="{ty}" text-anchor="end" fill="currentColor">{busiest}</text>'
        '<text x="{x}" y="{by}" text-anchor="end" fill="currentColor">0</text>'
        '<line x1="{left}" y1="{bottom}" x2="{w}" y2="{bottom}" stroke="currentColor"/>'
        '<line x1="{left}" y1="{top}" x2="{w}" y2="{top}" stroke="{track}" stroke-dasharray="3 3"/>',
        x=left - 4,
        ty=top + 4,
        by=bottom,
        busiest=busiest if days else 0,
        left=left,
        bottom=bottom,
        top=top,
        w=WIDTH,
        track=TRACK,
    )
    return _svg(
        chart_id=chart_id, title=title, height=height, body=format_html("{}{}{}", axis, columns, labels)
    )


def _clip(label: str, limit: int = 44) -> str:
    """A label that fits the bar's width (the table beside the chart has it in full)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
