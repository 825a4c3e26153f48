"""The forum's and sessions' admin pages, seen from the delegates app: saving a forum (with its sessions
inline) or a session goes through ``capacity.capacity_change``, so that places staff add there go to
the waitlists at once, and staff are told who got one.

``events`` knows nothing of registrations and must not import them: its ``ForumAdmin`` and
``SessionAdmin`` stay as they are, and this module registers subclasses in their place (the delegates
app is installed after events, so its admin is loaded second). Categories are the delegates' own
(``admin_categories.py``) and call ``category_update`` directly.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext, ngettext

from events import admin as events_admin
from events.models import Forum, Session

from .admin_outcomes import MAX_REFERENCES_SHOWN
from .capacity import capacity_change
from .seats import Promotions, RegistrationBusy


def promotions_message(promotions: Promotions) -> str:
    """“2 delegates promoted from the waitlist and emailed (ABCD-2345, …); 1 session place given to a
    waiting delegate.”, or "" when nobody was seated."""
    parts = []
    if promotions.registrations:
        references = [r.reference for r in promotions.registrations]
        shown = ", ".join(references[:MAX_REFERENCES_SHOWN]) + (
            ", …" if len(references) > MAX_REFERENCES_SHOWN else ""
        )
        parts.append(
            ngettext(
                "%(count)d delegate promoted from the waitlist and emailed (%(refs)s)",
                "%(count)d delegates promoted from the waitlist and emailed (%(refs)s)",
                len(references),
            )
            % {"count": len(references), "refs": shown}
        )
    if promotions.signups:
        count = len(promotions.signups)
        parts.append(
            ngettext(
                "%(count)d session place given to a waiting delegate, who was emailed",
                "%(count)d session places given to waiting delegates, who were emailed",
                count,
            )
            % {"count": count}
        )
    return "; ".join(parts) + "." if parts else ""


def report_promotions(model_admin: admin.ModelAdmin, request: HttpRequest, promotions: Promotions) -> None:
    message = promotions_message(promotions)
    if message:
        model_admin.message_user(request, message, messages.SUCCESS)


def busy(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    model_admin.message_user(
        request,
        gettext("Seats of this forum are being counted right now; nothing was saved, please try again."),
        messages.WARNING,
    )
    return HttpResponseRedirect(request.get_full_path())


class CapacityChangeMixin:
    """Saves run inside ``capacity_change`` for the forum of the object being changed."""

    def forum_id_of(self, object_id: str) -> int | None:
        raise NotImplementedError

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        forum_id = None
        if request.method == "POST" and object_id is not None:  # a new object has no waitlist yet
            forum_id = self.forum_id_of(unquote(object_id))
        if forum_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with capacity_change(forum_id=forum_id) as change:
                response = super().changeform_view(request, object_id, form_url, extra_context)
        except RegistrationBusy:
            return busy(self, request)
        report_promotions(self, request, change.promotions)
        return response


class ForumAdmin(CapacityChangeMixin, events_admin.ForumAdmin):
    def forum_id_of(self, object_id: str) -> int | None:
        return int(object_id) if object_id.isdigit() and Forum.objects.filter(pk=object_id).exists() else None


class SessionAdmin(CapacityChangeMixin, events_admin.SessionAdmin):
    def forum_id_of(self, object_id: str) -> int | None:
        if not object_id.isdigit():
            return None
        return Session.objects.filter(pk=object_id).values_list("forum_id", flat=True).first()


admin.site.unregister(Forum)
admin.site.register(Forum, ForumAdmin)
admin.site.unregister(Session)
admin.site.register(Session, SessionAdmin)
