"""Times as staff and delegates read them (``events/formatting.py``): in the forum's zone and labelled
with it — the zone's abbreviation where it has one, else its offset from UTC — and the site's zone for
what belongs to no forum."""

import datetime as dt

import pytest

from events.formatting import local_datetime, record_time, site_datetime, zoned_datetime
from events.models import Forum

MOMENT = dt.datetime(2030, 10, 6, 2, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("time_zone", "long", "short"),
    [
        ("Asia/Jakarta", "6 October 2030, 09:12 WIB", "Sun 6 Oct 2030, 09:12 WIB"),
        ("Asia/Manila", "6 October 2030, 10:12 PST", "Sun 6 Oct 2030, 10:12 PST"),
        ("Asia/Ho_Chi_Minh", "6 October 2030, 09:12 UTC+7", "Sun 6 Oct 2030, 09:12 UTC+7"),
        ("Asia/Yangon", "6 October 2030, 08:42 UTC+6:30", "Sun 6 Oct 2030, 08:42 UTC+6:30"),
    ],
)
def test_a_moment_in_the_forums_zone_says_which(time_zone, long, short):
    forum = Forum(time_zone=time_zone)

    assert local_datetime(MOMENT, forum) == long
    assert local_datetime(MOMENT, forum, style="short") == short
    assert record_time(MOMENT, forum) == short


def test_the_day_is_the_forums_day():
    late = dt.datetime(2030, 10, 6, 20, 30, tzinfo=dt.UTC)

    assert (
        zoned_datetime(late, Forum(time_zone="Asia/Jakarta").tz, style="short") == "Mon 7 Oct 2030, 03:30 WIB"
    )


def test_a_moment_of_no_forum_is_in_the_sites_zone_labelled():
    assert site_datetime(MOMENT) == "6 October 2030, 02:12 UTC"
    assert record_time(MOMENT, None) == "Sun 6 Oct 2030, 02:12 UTC"


def test_what_has_not_happened_has_no_time():
    assert record_time(None, Forum(time_zone="Asia/Jakarta")) is None
