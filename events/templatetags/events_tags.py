"""Template tags of the public pages: the formatting of ``events.formatting``, for templates."""

from django import template

from events import formatting

register = template.Library()

register.simple_tag(formatting.date_range, name="date_range")
register.filter("tz_label", formatting.tz_label)
register.simple_tag(formatting.session_time_range, name="session_time_range")
register.simple_tag(formatting.local_datetime, name="local_datetime")
register.simple_tag(formatting.local_day, name="local_day")
