"""Dates, times and time zones as people read them, always in the forum's own time zone: one home for
the pages, the emails and the badges (the template tags of ``events_tags`` call these)."""

import datetime as dt

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.models import Forum, Session


def date_range(start: dt.date, end: dt.date) -> str:
    """“6 October 2022”, “6–7 October 2022”, “30 September – 2 October 2022” or
    “30 December 2022 – 2 January 2023”."""
    full = pgettext("date format: day month year", "j F Y")
    if start == end:
        return date_format(start, full)
    if (start.year, start.month) == (end.year, end.month):
        first = date_format(start, pgettext("date format: day", "j"))
        return _("%(first)s–%(last)s") % {"first": first, "last": date_format(end, full)}
    if start.year == end.year:
        first = date_format(start, pgettext("date format: day month", "j F"))
    else:
        first = date_format(start, full)
    return _("%(first)s – %(last)s") % {"first": first, "last": date_format(end, full)}


def _utc_offset(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _abbreviation(moment: dt.datetime) -> str:
    """The zone's abbreviation at that moment when it is a real one (“WIB”, “PHT”), not a bare offset
    such as “+07” that the tz database uses where no abbreviation is in common use."""
    abbreviation = moment.tzname() or ""
    return abbreviation if abbreviation and abbreviation[0] not in "+-" else ""


def tz_label(forum: Forum) -> str:
    """“Asia/Jakarta, WIB, UTC+7”: the IANA name, the local abbreviation when there is one, and the UTC
    offset on the forum's first day."""
    moment = dt.datetime.combine(forum.start_date, dt.time(12, 0), tzinfo=forum.tz)
    parts = [forum.time_zone, _abbreviation(moment), _utc_offset(moment.utcoffset() or dt.timedelta(0))]
    return ", ".join(part for part in parts if part)


def _time(moment: dt.datetime, tz) -> SafeString:
    local = moment.astimezone(tz)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), date_format(local, pgettext("time format", "H:i"))
    )


def session_time_range(session: Session, forum: Forum) -> SafeString:
    """“09:00–10:30” in the forum's time zone, as <time> elements; a session that ends on a later local
    day says so (“19:00–00:30 (next day)”)."""
    tz = forum.tz
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    days_later = (end.date() - start.date()).days
    if days_later == 0:
        return format_html("{}–{}", _time(start, tz), _time(end, tz))
    # A reception past midnight says “next day”; a longer span names the day it ends.
    note = _("next day") if days_later == 1 else date_format(end, pgettext("date format: day month", "j F"))
    return format_html("{}–{} ({})", _time(start, tz), _time(end, tz), note)


def zoned_datetime(moment: dt.datetime, tz: dt.tzinfo, *, style: str = "long") -> str:
    """The moment in ``tz``, labelled with the zone: “1 June 2030, 09:00 WIB” (long) or
    “Sat 1 Jun 2030, 09:00 WIB” (short, for lists); “… 09:00 UTC+8” where the zone has no
    abbreviation."""
    local = moment.astimezone(tz)
    zone = _abbreviation(local) or _utc_offset(local.utcoffset() or dt.timedelta(0))
    if style == "short":
        pattern = pgettext("datetime format: short weekday day month year", "D j M Y, H:i")
    else:
        pattern = pgettext("datetime format", "j F Y, H:i")
    return _("%(datetime)s %(zone)s") % {"datetime": date_format(local, pattern), "zone": zone}


def local_datetime(moment: dt.datetime, forum: Forum, style: str = "long") -> str:
    """“1 June 2030, 09:00 WIB” (or “… 09:00 UTC+8” where the zone has no abbreviation) in the forum's
    time zone; ``style="short"`` for lists: “Sat 1 Jun 2030, 09:00 WIB”."""
    return zoned_datetime(moment, forum.tz, style=style)


def site_datetime(moment: dt.datetime, *, style: str = "long") -> str:
    """A moment that belongs to no forum (an account email), in the site's time zone (``TIME_ZONE``),
    labelled like the forum's: “Sat 1 Jun 2030, 02:00 UTC”."""
    return zoned_datetime(moment, timezone.get_default_timezone(), style=style)


def record_time(moment: dt.datetime | None, forum: Forum | None, *, style: str = "short") -> str | None:
    """When something happened (submitted, sent, printed), as staff read it in the admin's lists and
    pages: in the forum's zone, labelled (“Sat 1 Jun 2030, 09:00 WIB”), or in the site's zone for what
    belongs to no forum; None when it has not happened (the admin then shows its empty value)."""
    if moment is None:
        return None
    if forum is None:
        return site_datetime(moment, style=style)
    return local_datetime(moment, forum, style=style)


def local_day(day: dt.date | dt.datetime, style: str = "long") -> str:
    """“Thursday 6 October 2022” (long), “Thu 6 October” (medium) or “Thu 6 Oct” (short). A datetime
    counts as the day it falls on in the current time zone, which the views set to the forum's."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    if style == "short":
        return date_format(day, pgettext("date format: short weekday day month", "D j M"))
    if style == "medium":
        return date_format(day, pgettext("date format: short weekday day month", "D j F"))
    return date_format(day, pgettext("date format: weekday day month year", "l j F Y"))
