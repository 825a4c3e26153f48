"""List filters of the registrations list that the stock ones cannot give: the sessions delegates chose
(those that need sign-up, of the forums the user may see), the hotels in use, and whether delegates
have been checked in at the door. Each adds at most one query for its choices, whatever the number of
registrations, and filters with one subquery."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from events.models import Session

from ..enums import SignupStatus
from ..models import CheckIn, Registration, SessionSignup


class ChosenSessionFilter(admin.SimpleListFilter):
    """Registrations that chose a session (a seat or a waitlist place; released sign-ups of a delegate
    who left do not count). Offers the sessions that need sign-up, of the forum chosen in the forum
    filter, or else of every forum the user may see."""

    title = _("chosen session")
    parameter_name = "session"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        forums = model_admin.get_queryset(request).values("forum_id")
        sessions = Session.objects.filter(requires_signup=True, forum_id__in=forums)
        forum_id = request.GET.get("forum__id__exact", "")
        if forum_id.isdigit():
            sessions = sessions.filter(forum_id=int(forum_id))
        sessions = sessions.select_related("forum").order_by("forum_id", "starts_at", "id")
        return [(str(s.pk), f"{s.title} · {s.forum.name}") for s in sessions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        chosen = SessionSignup.objects.filter(registration=OuterRef("pk"), session_id=int(value)).exclude(
            status=SignupStatus.RELEASED
        )
        return queryset.filter(Exists(chosen))


class HotelInUseFilter(admin.SimpleListFilter):
    """The hotels delegates named (of the registrations the user may see), as they wrote them.
    Contact data: hidden with the ``hotel`` field (``delegates/staff/contact.py``)."""

    title = _("hotel")
    parameter_name = "hotel"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        hotels = (
            model_admin.get_queryset(request)
            .exclude(hotel="")
            .values_list("hotel", flat=True)
            .distinct()
            .order_by("hotel")
        )
        return [(hotel, hotel) for hotel in hotels]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        if self.value():
            return queryset.filter(hotel=self.value())
        return queryset


class CheckedInFilter(admin.SimpleListFilter):
    """Delegates checked in at the door (on any check-in list, a check-in not undone), or not yet."""

    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [("yes", _("Checked in")), ("no", _("Not checked in"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        came = Exists(CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True))
        if self.value() == "yes":
            return queryset.filter(came)
        if self.value() == "no":
            return queryset.filter(~came)
        return queryset
