"""Check-in in the admin: the lists of each forum (staff add their own, e.g. a side event; the door
team sees them), the check-ins with an "Undo check-in" action that asks for confirmation first, and
the forum's and sessions' pages keeping their automatic lists when saved.

``events`` knows nothing of check-in, so its forum and session admins are subclassed here and
registered in their place (as ``registration/admin_capacity.py`` and ``dashboard/admin.py`` do): a
save — a forum's new dates, a session that now needs sign-up — calls ``checkin_lists_sync``.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from events.formatting import record_time
from events.models import Forum, Session

from ..admin_actions import action_confirmed, intermediate_page
from ..dashboard.admin import ForumAdmin as DashboardForumAdmin
from ..enums import CheckInListKind
from ..models import CheckIn, CheckInList
from ..registration.admin_capacity import SessionAdmin as CapacitySessionAdmin
from .services import checkin_lists_sync, checkin_undo
from .verdicts import staff_display_name

UNDO_TEMPLATE = "admin/delegates/checkin/undo_confirm.html"


class CheckInListForm(forms.ModelForm):
    class Meta:
        model = CheckInList
        fields = ("forum", "name", "day")
        help_texts = {"day": _("Optional: the day it is used, shown to the door team.")}

    def clean(self):
        cleaned = super().clean()
        forum, day = cleaned.get("forum"), cleaned.get("day")
        if forum and day and not forum.start_date <= day <= forum.end_date:
            self.add_error("day", _("Please choose a day of the forum (or none)."))
        return cleaned


@admin.register(CheckInList)
class CheckInListAdmin(admin.ModelAdmin):
    """Lists of a day or a session are kept by the forum's own save; staff add and rename the others."""

    form = CheckInListForm
    list_display = ("name", "forum", "kind", "day", "session", "checked_in", "created_by")
    list_filter = ("forum", "kind")
    search_fields = ("name",)
    list_select_related = ("forum", "session", "created_by")
    readonly_fields = ("kind", "session", "created_by", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CheckInList]:
        return (
            super()
            .get_queryset(request)
            .annotate(checked_in_count=Count("check_ins", filter=Q(check_ins__undone_at__isnull=True)))
        )

    @admin.display(description=_("checked in"), ordering="checked_in_count")
    def checked_in(self, obj: CheckInList) -> int:
        return obj.checked_in_count

    def get_readonly_fields(self, request: HttpRequest, obj: CheckInList | None = None):
        if obj is not None and obj.kind != CheckInListKind.CUSTOM:
            return (*self.readonly_fields, "forum", "name", "day")  # the forum's own save keeps these
        if obj is not None:
            return (*self.readonly_fields, "forum")
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: CheckInList | None = None) -> bool:
        """Only a list staff added, and only while nobody was checked in on it (never the check-ins)."""
        if obj is not None and (obj.kind != CheckInListKind.CUSTOM or obj.check_ins.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, on its page, where the rule above applies
        return actions

    def save_model(self, request: HttpRequest, obj: CheckInList, form, change: bool) -> None:
        if not change:
            obj.kind = CheckInListKind.CUSTOM
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class UndoneFilter(admin.SimpleListFilter):
    title = _("undone")
    parameter_name = "undone"

    def lookups(self, request, model_admin):
        return (("no", _("Counts")), ("yes", _("Undone")))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(undone_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(undone_at__isnull=False)
        return queryset


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Check-ins are made at the door and never edited here: only undone (``checkin_undo``), which the
    registration's history then shows."""

    list_display = ("reference", "delegate", "list", "checked_in", "by", "device_label", "undone")
    list_filter = ("list__forum", UndoneFilter, "list")
    search_fields = ("=registration__reference", "registration__given_name", "registration__family_name")
    list_select_related = ("list__forum", "registration", "staff", "undone_by")
    actions = ("undo_selected",)
    fields = (
        "registration",
        "list",
        "checked_in",
        "by",
        "device",
        "device_label",
        "recorded",
        "undone",
        "undone_by",
        "history",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CheckIn | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CheckIn | None = None) -> bool:
        return False  # undo instead: the record stays

    def has_undo_checkin_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("delegates.undo_checkin")

    @admin.display(description=_("reference"), ordering="registration__reference")
    def reference(self, obj: CheckIn) -> str:
        return obj.registration.reference

    @admin.display(description=_("delegate"))
    def delegate(self, obj: CheckIn) -> str:
        return obj.registration.display_name

    @admin.display(description=_("checked in at"), ordering="checked_in_at")
    def checked_in(self, obj: CheckIn) -> str | None:
        return record_time(obj.checked_in_at, obj.list.forum)

    @admin.display(description=_("recorded at"))
    def recorded(self, obj: CheckIn) -> str | None:
        return record_time(obj.recorded_at, obj.list.forum)

    @admin.display(description=_("checked in by"))
    def by(self, obj: CheckIn) -> str:
        return staff_display_name(obj.staff)

    @admin.display(description=_("undone at"), ordering="undone_at")
    def undone(self, obj: CheckIn) -> str | None:
        return record_time(obj.undone_at, obj.list.forum)

    @admin.display(description=_("history"))
    def history(self, obj: CheckIn) -> str:
        """Undoing is recorded in the registration's history: a link to it."""
        url = reverse("admin:delegates_registration_history", args=[obj.registration_id])
        return format_html('<a href="{}">{}</a>', url, gettext("History of the registration"))

    @admin.action(description=_("Undo check-in…"), permissions=["undo_checkin"])
    def undo_selected(self, request: HttpRequest, queryset: QuerySet[CheckIn]):
        check_ins = list(
            queryset.select_related("list__forum", "registration", "staff").order_by("checked_in_at", "id")
        )
        if not action_confirmed(request):
            return intermediate_page(
                self,
                request,
                template=UNDO_TEMPLATE,
                title=gettext("Undo check-in"),
                action="undo_selected",
                context={
                    "intro": gettext(
                        "These check-ins will no longer count: the delegates can be checked in again, "
                        "and each registration's history records who undid it. Check-ins undone "
                        "already are left as they are."
                    ),
                    "submit_label": gettext("Undo check-in"),
                    "check_ins": [
                        {
                            "reference": check_in.registration.reference,
                            "delegate": check_in.registration.display_name,
                            "list": check_in.list.name,
                            "at": record_time(check_in.checked_in_at, check_in.list.forum),
                            "by": staff_display_name(check_in.staff),
                            "undone": check_in.undone_at is not None,
                        }
                        for check_in in check_ins
                    ],
                },
            )
        undone = [c for c in check_ins if c.undone_at is None]
        for check_in in undone:
            checkin_undo(check_in=check_in, actor=request.user)
        if undone:
            self.message_user(
                request,
                ngettext(
                    "%(count)d check-in undone (%(refs)s).",
                    "%(count)d check-ins undone (%(refs)s).",
                    len(undone),
                )
                % {"count": len(undone), "refs": ", ".join(c.registration.reference for c in undone)},
                messages.SUCCESS,
            )
        if len(undone) < len(check_ins):
            self.message_user(
                request,
                ngettext(
                    "%(count)d check-in was undone already.",
                    "%(count)d check-ins were undone already.",
                    len(check_ins) - len(undone),
                )
                % {"count": len(check_ins) - len(undone)},
                messages.WARNING,
            )
        return None


# --- The forum's and sessions' saves keep the automatic lists ------------------------------------------


class ForumAdmin(DashboardForumAdmin):
    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # the sessions inline are saved by now
        checkin_lists_sync(forum=form.instance)

    def log_addition(self, request: HttpRequest, obj, message):
        # A forum copied (``copy_view``, through ``events.services.forum_copy``) is saved without the
        # form: its addition, logged once it is complete, is where it gets its lists.
        entry = super().log_addition(request, obj, message)
        if isinstance(obj, Forum):
            checkin_lists_sync(forum=obj)
        return entry


class SessionAdmin(CapacitySessionAdmin):
    def save_model(self, request: HttpRequest, obj: Session, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        checkin_lists_sync(forum=obj.forum)


admin.site.unregister(Forum)
admin.site.register(Forum, ForumAdmin)
admin.site.unregister(Session)
admin.site.register(Session, SessionAdmin)
