"""The email outbox in the admin: read-only (the services write it, the worker empties it), with a way
to hand stuck or failed rows to the worker again."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.formatting import record_time

from ..models import EmailOutbox
from .outbox import outbox_retry


@admin.register(EmailOutbox)
class EmailOutboxAdmin(admin.ModelAdmin):
    """The outbox is written by the services and emptied by the worker: read-only here, with a way
    to hand stuck rows to the worker again."""

    list_display = ("kind", "to", "subject", "status", "attempts", "queued", "sent")
    list_filter = ("status", "kind")
    search_fields = ("=to", "subject", "=registration__reference")
    # Times are shown in the registration's forum's zone (account emails: the site's).
    list_select_related = ("registration__forum",)
    actions = ("send_again",)
    fields = (
        "key",
        "registration",
        "staff_email",
        "kind",
        "to",
        "cc",
        "reason",
        "subject",
        "status",
        "attempts",
        "message_id",
        "last_error",
        "note",
        "queued",
        "sent",
        "body_text",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmailOutbox]:
        return super().get_queryset(request).select_related("registration__forum")

    @admin.display(description=_("queued at"), ordering="created_at")
    def queued(self, obj: EmailOutbox) -> str | None:
        return record_time(obj.created_at, obj.registration.forum if obj.registration_id else None)

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent(self, obj: EmailOutbox) -> str | None:
        return record_time(obj.sent_at, obj.registration.forum if obj.registration_id else None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: EmailOutbox | None = None) -> bool:
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Send again now (pending or failed)"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[EmailOutbox]) -> None:
        selected = list(queryset.order_by("id").values_list("pk", flat=True))
        to_send, not_queued = outbox_retry(outbox_ids=selected)
        queued = len(to_send) - not_queued
        skipped = len(selected) - len(to_send)
        parts = []
        if queued:
            parts.append(
                ngettext("%(count)d email queued for sending", "%(count)d emails queued for sending", queued)
                % {"count": queued}
            )
        if not_queued:
            parts.append(
                ngettext(
                    "%(count)d could not be queued (the broker is unavailable; the periodic sweep will "
                    "send it)",
                    "%(count)d could not be queued (the broker is unavailable; the periodic sweep will "
                    "send them)",
                    not_queued,
                )
                % {"count": not_queued}
            )
        if skipped:
            parts.append(
                ngettext("%(count)d skipped: already sent", "%(count)d skipped: already sent", skipped)
                % {"count": skipped}
            )
        level = messages.SUCCESS if queued == len(selected) else messages.WARNING
        self.message_user(request, "; ".join(parts) + ".", level)
