"""The admin index's list of forum dashboards: the forums the staff member works on, newest first,
for staff who may see dashboards (``{% forum_dashboards %}``; one query)."""

from django import template

from events.models import Forum

from ..permissions import VIEW_DASHBOARD
from ..staff.selectors import staff_forum_filter

register = template.Library()

SHOWN = 12  # older forums are reached through the forum list


@register.inclusion_tag("admin/events/forum/dashboard_links.html", takes_context=True)
def forum_dashboards(context) -> dict:
    user = context["request"].user
    forums = []
    if user.is_active and user.is_staff and user.has_perm(VIEW_DASHBOARD):
        forums = list(
            staff_forum_filter(Forum.objects.order_by("-start_date", "name"), user, field="pk").only(
                "pk", "name", "start_date"
            )[:SHOWN]
        )
    return {"forums": forums}
