"""A forum's dashboard, under the admin (``admin:events_forum_dashboard``): where registrations stand.

Behind ``view_dashboard``; staff limited to chosen forums get a 404 for any other forum
(``staff.selectors``). It shows counts only (``selectors.py`` says why every dashboard role sees them).
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.formatting import tz_label
from events.models import Forum

from ..enums import RegistrationStatus
from ..permissions import VIEW_DASHBOARD, staff_view
from ..staff.selectors import staff_object_or_404
from . import charts
from .checkins import checkin_figures
from .selectors import forum_dashboard

CHECKINS_PART = "checkins"


def _checkins_context(forum: Forum, *, confirmed: int) -> dict:
    checkins = checkin_figures(forum=forum, confirmed=confirmed)
    return {
        "checkins": checkins,
        "checkins_chart": charts.bar_chart(
            checkins.lists,
            chart_id="chart-checkins",
            title=_("Checked in so far against those each list admits"),
        ),
        "checkins_at": timezone.now(),
        "checkins_refresh_seconds": settings.DASHBOARD_REFRESH_SECONDS,
    }


@staff_view(VIEW_DASHBOARD)
def dashboard_page(request: HttpRequest, object_id: str) -> HttpResponse:
    """The dashboard; with ``?part=checkins``, only its check-in section, which the page fetches again
    every ``DASHBOARD_REFRESH_SECONDS`` while it is open (``static/js/dashboard-refresh.js``)."""
    forum = staff_object_or_404(Forum.objects.all(), object_id, user=request.user)
    if request.GET.get("part") == CHECKINS_PART:
        confirmed = forum.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        context = {"forum": forum, **_checkins_context(forum, confirmed=confirmed)}
        with timezone.override(forum.tz):
            response = TemplateResponse(request, "admin/events/forum/dashboard_checkins.html", context)
            response.render()
        response["Cache-Control"] = "private, no-store"
        return response
    figures = forum_dashboard(forum=forum)
    chart = {
        "status": charts.bar_chart(
            figures.by_status, chart_id="chart-status", title=_("Registrations by status")
        ),
        "category": charts.bar_chart(
            figures.by_category, chart_id="chart-category", title=_("Registrations by category")
        ),
        "country": charts.bar_chart(
            figures.by_country, chart_id="chart-country", title=_("Registrations by country")
        ),
        "category_fill": charts.bar_chart(
            [figures.forum_fill, *figures.category_fill],
            chart_id="chart-category-fill",
            title=_("Confirmed delegates against capacity, by category"),
        ),
        "session_fill": charts.bar_chart(
            figures.session_fill,
            chart_id="chart-session-fill",
            title=_("Confirmed sign-ups against capacity, by session"),
        ),
        "per_day": charts.day_chart(
            figures.per_day, chart_id="chart-per-day", title=_("Registrations submitted per day")
        ),
        "arrivals": charts.day_chart(
            figures.arrivals, chart_id="chart-arrivals", title=_("Arrivals per day")
        ),
        "departures": charts.day_chart(
            figures.departures, chart_id="chart-departures", title=_("Departures per day")
        ),
        "dietary": charts.bar_chart(
            figures.dietary, chart_id="chart-dietary", title=_("Confirmed delegates by dietary requirement")
        ),
    }
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard of %(forum)s") % {"forum": forum.name},
        "subtitle": None,
        "opts": Forum._meta,
        "original": forum,
        "forum": forum,
        "figures": figures,
        "chart": chart,
        "fill_rows": [figures.forum_fill, *figures.category_fill],
        "time_zone": tz_label(forum),
        **_checkins_context(forum, confirmed=figures.confirmed),
    }
    with timezone.override(forum.tz):
        response = TemplateResponse(request, "admin/events/forum/dashboard.html", context)
        response.render()
    return response
