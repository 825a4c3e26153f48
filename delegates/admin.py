"""Staff administration of delegate categories, registrations and the email outbox.

A registration's status is never edited in a form: it changes only through the actions (approve,
reject, cancel), which call the same services as the public flow, so capacity, the waitlist, the status
history and the emails follow one set of rules. Staff do not add registrations here either: they
register a delegate on their behalf through the public form, like a mayor's assistant does.
"""

import re
from collections import defaultdict
from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from events.admin import CountryInUseFilter, ForumScopedFilter

from .admin_print_jobs import BadgePrintedFilter, PrintBadgesMixin  # also registers PrintJobAdmin
from .badge_views import registration_badge_download, registration_badge_preview
from .enums import ACTIVE_STATUSES, OutboxStatus, RegistrationStatus
from .models import DelegateCategory, EmailOutbox, Registration, SessionSignup, StatusChange
from .services.badges import BadgeError, checkin_token_reissue
from .services.emails import enqueue_send
from .services.registration import (
    EDITABLE_FIELDS,
    RegistrationBusy,
    RegistrationError,
    registration_approve,
    registration_cancel,
    registration_reject,
    registration_update,
)

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# Reject and cancel take the selected ids through the URL of their confirmation page.
MAX_BATCH = 200
# A message names at most this many registrations per outcome.
MAX_REFERENCES_SHOWN = 10


# --- Delegate categories -------------------------------------------------------------------------------


class DelegateCategoryForm(forms.ModelForm):
    class Meta:
        model = DelegateCategory
        fields = (
            "forum",
            "name",
            "slug",
            "capacity",
            "requires_approval",
            "protocol_rank",
            "badge_colour",
            "is_public",
        )
        widgets = {"badge_colour": forms.TextInput(attrs={"type": "color"})}


@admin.register(DelegateCategory)
class DelegateCategoryAdmin(admin.ModelAdmin):
    form = DelegateCategoryForm
    list_display = (
        "name",
        "forum",
        "capacity",
        "confirmed_count",
        "requires_approval",
        "protocol_rank",
        "badge_swatch",
        "is_public",
    )
    list_filter = ("forum", "requires_approval", "is_public")
    list_select_related = ("forum",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("-forum__start_date", "protocol_rank", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DelegateCategory]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
                )
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: DelegateCategory | None = None):
        # Moving a category to another forum would leave its registrations in two forums at once.
        return ("forum",) if obj is not None else ()

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed_count(self, obj: DelegateCategory) -> int:
        return obj.confirmed_count

    @admin.display(description=_("badge colour"), ordering="badge_colour")
    def badge_swatch(self, obj: DelegateCategory) -> str:
        # A presentation attribute (fill), not a style: allowed by the Content-Security-Policy.
        if not HEX_COLOUR.fullmatch(obj.badge_colour or ""):
            return obj.badge_colour
        return format_html(
            '<svg class="badge-swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"'
            ' focusable="false"><rect width="16" height="16" rx="3" fill="{}" stroke="#555"/></svg> {}',
            obj.badge_colour,
            obj.badge_colour,
        )


# --- Registrations -------------------------------------------------------------------------------------


def _can_manage_registrations(request: HttpRequest) -> bool:
    return request.user.has_perm("delegates.view_registration") or request.user.has_perm(
        "delegates.change_registration"
    )


class ReadOnlyInline(admin.TabularInline):
    """A record kept by the services: shown with the registration, never edited by hand. Visible to
    whoever may see the registration."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _can_manage_registrations(request)


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ("at", "from_status", "to_status", "actor", "reason")
    verbose_name = _("status change")
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return super().get_queryset(request).select_related("actor")


class SessionSignupInline(ReadOnlyInline):
    model = SessionSignup
    fields = ("session", "status", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SessionSignup]:
        return super().get_queryset(request).select_related("session")


class EmailOutboxInline(ReadOnlyInline):
    model = EmailOutbox
    fields = ("created_at", "kind", "to", "subject", "status", "attempts", "sent_at")


class RegistrationAdminForm(forms.ModelForm):
    """Only the details a delegate could change themselves; the rest is read-only."""

    class Meta:
        model = Registration
        fields = EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not _details_editable(self.instance):
            raise ValidationError(_details_locked_reason(self.instance), code="locked")
        return cleaned


def _details_editable(registration: Registration) -> bool:
    """The rule of ``registration_update``: active registrations, until the forum's edit deadline."""
    return _details_locked_reason(registration) == ""


def _details_locked_reason(registration: Registration) -> str:
    if registration.status not in ACTIVE_STATUSES:
        return gettext("This registration is no longer active; its details can no longer be changed.")
    forum = registration.forum
    deadline = forum.registration_edit_deadline or forum.registration_closes_at
    if deadline and timezone.now() >= deadline:
        return gettext("The deadline for changes has passed; the details can no longer be changed.")
    return ""


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "aria-describedby": "id_reason_helptext"}),
        help_text=_("Sent to the delegate in the email, and kept in the status history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.errors.get("reason"):
            self.fields["reason"].widget.attrs["aria-describedby"] = "id_reason_error id_reason_helptext"
            self.fields["reason"].widget.attrs["aria-invalid"] = "true"


class Outcome:
    """Per-row results of a batch of status changes, reported in one message."""

    def __init__(self) -> None:
        self.rows: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, registration: Registration) -> None:
        self.rows[key].append(registration.reference)

    def report(
        self, request: HttpRequest, model_admin: admin.ModelAdmin, labels: dict[str, Callable]
    ) -> None:
        parts = []
        for key, label in labels.items():
            references = self.rows.get(key)
            if references:
                shown = ", ".join(references[:MAX_REFERENCES_SHOWN])
                if len(references) > MAX_REFERENCES_SHOWN:
                    shown += ", …"
                parts.append(label(len(references), shown))
        if not parts:
            model_admin.message_user(request, gettext("No registration was changed."), messages.WARNING)
            return
        trouble = any(self.rows.get(key) for key in ("skipped", "busy"))
        model_admin.message_user(
            request, "; ".join(parts) + ".", messages.WARNING if trouble else messages.SUCCESS
        )


def _approved(n: int, refs: str) -> str:
    return ngettext("%(count)d approved (%(refs)s)", "%(count)d approved (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


def _waitlisted(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d waitlisted because the forum or its category is full (%(refs)s)",
        "%(count)d waitlisted because the forum or its category is full (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def _skipped_not_pending(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: not pending (%(refs)s)", "%(count)d skipped: not pending (%(refs)s)", n
    ) % {"count": n, "refs": refs}


def _skipped_inactive(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d skipped: no longer active (%(refs)s)", "%(count)d skipped: no longer active (%(refs)s)", n
    ) % {"count": n, "refs": refs}


def _busy(n: int, refs: str) -> str:
    return ngettext(
        "%(count)d not changed because seats are being counted right now, please try again (%(refs)s)",
        "%(count)d not changed because seats are being counted right now, please try again (%(refs)s)",
        n,
    ) % {"count": n, "refs": refs}


def _rejected(n: int, refs: str) -> str:
    return ngettext("%(count)d rejected (%(refs)s)", "%(count)d rejected (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


def _cancelled(n: int, refs: str) -> str:
    return ngettext("%(count)d cancelled (%(refs)s)", "%(count)d cancelled (%(refs)s)", n) % {
        "count": n,
        "refs": refs,
    }


# What reject and cancel need: the service, and how to report its outcome.
LEAVE_OPERATIONS = {
    "reject": {
        "service": registration_reject,
        "done": "rejected",
        "title": _("Reject registrations"),
        "intro": _(
            "These registrations will be rejected. The reason below goes into the email each delegate "
            "receives. A seat they held goes to the first delegate on the waitlist."
        ),
        "submit": _("Reject"),
        "labels": {"rejected": _rejected, "skipped": _skipped_inactive, "busy": _busy},
    },
    "cancel": {
        "service": registration_cancel,
        "done": "cancelled",
        "title": _("Cancel registrations"),
        "intro": _(
            "These registrations will be cancelled. The reason below goes into the email each delegate "
            "receives. A seat they held goes to the first delegate on the waitlist."
        ),
        "submit": _("Cancel registrations"),
        "labels": {"cancelled": _cancelled, "skipped": _skipped_inactive, "busy": _busy},
    },
}


@admin.register(Registration)
class RegistrationAdmin(PrintBadgesMixin, admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = (
        "reference",
        "badge_name",
        "native",
        "category",
        "forum",
        "country",
        "status",
        "badge_printed",
        "created_at",
    )
    list_filter = (
        "forum",
        ("category", ForumScopedFilter),
        "status",
        CountryInUseFilter,
        "dietary",
        "needs_visa_letter",
        "needs_airport_transfer",
        BadgePrintedFilter,
    )
    search_fields = (
        "=reference",
        "given_name",
        "family_name",
        "badge_name",
        "native_name",
        "email",
        "organisation",
        "city",
    )
    list_select_related = ("forum", "category")
    list_per_page = 50
    actions = (
        "approve_selected",
        "reject_selected",
        "cancel_selected",
        "print_badges",
        "reissue_checkin_token",
    )
    inlines = (StatusChangeInline, SessionSignupInline, EmailOutboxInline)
    readonly_fields = (
        "reference",
        "forum",
        "category",
        "status",
        "email",
        "user",
        "registered_by",
        "privacy_consent_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            _("Registration"),
            {
                "fields": ("reference", "forum", "category", "status", "created_at", "updated_at"),
                "description": _(
                    "The status changes only through the actions of the registration list (approve, "
                    "reject, cancel), which respect the seats like the public form and email the delegate."
                ),
            },
        ),
        (_("Delegate"), {"fields": ("email", "user", "registered_by")}),
        (
            _("Name and role"),
            {
                "fields": (
                    "honorific",
                    "given_name",
                    "family_name",
                    "badge_name",
                    "native_name",
                    "native_name_lang",
                    "position",
                    "organisation",
                    "city",
                    "country",
                    "phone",
                )
            },
        ),
        (
            _("Needs"),
            {
                "fields": (
                    "dietary",
                    "dietary_other",
                    "allergies",
                    "accessibility_needs",
                    "accompanying_persons",
                )
            },
        ),
        (
            _("Travel"),
            {
                "fields": (
                    "arrival_date",
                    "arrival_time",
                    "arrival_flight",
                    "departure_date",
                    "departure_time",
                    "departure_flight",
                    "needs_airport_transfer",
                    "hotel",
                    "needs_visa_letter",
                )
            },
        ),
        (_("Consent"), {"fields": ("media_consent", "privacy_consent_at")}),
    )

    @admin.display(description=_("name in native script"), ordering="native_name")
    def native(self, obj: Registration) -> str:
        if not obj.native_name:
            return ""
        if obj.native_name_lang:
            return format_html('<span lang="{}">{}</span>', obj.native_name_lang, obj.native_name)
        return obj.native_name

    # --- Permissions: no adding (use the public form), no deleting (cancel instead) --------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Registration | None = None) -> bool:
        # Deleting would free a seat without promoting anyone from the waitlist: cancel instead.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Registration | None = None):
        if obj is not None and not _details_editable(obj):
            return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]
        return self.readonly_fields

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "add_help": gettext(
                "Staff do not add registrations here: to register a delegate on their behalf, use the "
                "forum's public registration form while signed in, as a mayor's office does. Both "
                "accounts can then see and manage the registration."
            ),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra_context["details_locked"] = _details_locked_reason(obj)
                extra_context["can_change_status"] = self.has_change_permission(request, obj) and (
                    obj.status in ACTIVE_STATUSES
                )
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RegistrationBusy:
            self.message_user(
                request,
                gettext("The registration is being changed by someone else right now; please try again."),
                messages.WARNING,
            )
        except RegistrationError as error:
            self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(
        self, request: HttpRequest, obj: Registration, form: forms.ModelForm, change: bool
    ) -> None:
        """Save changed details through ``registration_update`` (row lock, edit deadline, "details
        changed" email), writing only those columns: a status changed meanwhile is never overwritten."""
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        if data:
            registration_update(registration=obj, data=data, actor=request.user)

    # --- Status actions -----------------------------------------------------------------------------

    @admin.action(description=_("Approve selected pending registrations"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        outcome = Outcome()
        for registration in queryset.order_by("created_at", "id"):  # first come, first seated
            try:
                result = registration_approve(registration=registration, actor=request.user)
            except RegistrationBusy:
                outcome.add("busy", registration)
            except RegistrationError:
                outcome.add("skipped", registration)
            else:
                outcome.add(
                    "approved" if result.status == RegistrationStatus.CONFIRMED else "waitlisted", result
                )
        outcome.report(
            request,
            self,
            {
                "approved": _approved,
                "waitlisted": _waitlisted,
                "skipped": _skipped_not_pending,
                "busy": _busy,
            },
        )

    def _ask_reason(self, request: HttpRequest, queryset: QuerySet[Registration], operation: str):
        ids = list(queryset.order_by("created_at", "id").values_list("pk", flat=True)[: MAX_BATCH + 1])
        if len(ids) > MAX_BATCH:
            self.message_user(
                request,
                gettext("Please select at most %(max)d registrations at a time.") % {"max": MAX_BATCH},
                messages.WARNING,
            )
            return None
        url = reverse(f"admin:delegates_registration_{operation}")
        return HttpResponseRedirect(f"{url}?{urlencode({'ids': ','.join(map(str, ids))})}")

    @admin.action(description=_("Reissue the check-in token (lost badge)"), permissions=["change"])
    def reissue_checkin_token(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        """A new QR code for each selected confirmed registration; the old badge no longer checks in."""
        reissued, skipped = [], []
        for registration in queryset.order_by("created_at", "id"):
            try:
                checkin_token_reissue(registration=registration, actor=request.user)
            except BadgeError:
                skipped.append(registration.reference)
            else:
                reissued.append(registration.reference)
        if reissued:
            self.message_user(
                request,
                gettext("New check-in token and badge for %(refs)s; the old QR codes no longer work.")
                % {"refs": ", ".join(reissued)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                gettext("Skipped (not confirmed): %(refs)s.") % {"refs": ", ".join(skipped)},
                messages.WARNING,
            )

    @admin.action(description=_("Reject selected registrations…"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        return self._ask_reason(request, queryset, "reject")

    @admin.action(description=_("Cancel selected registrations…"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        return self._ask_reason(request, queryset, "cancel")

    def get_urls(self):
        return [
            path(
                "reject/",
                self.admin_site.admin_view(self.leave_view),
                {"operation": "reject"},
                name="delegates_registration_reject",
            ),
            path(
                "cancel/",
                self.admin_site.admin_view(self.leave_view),
                {"operation": "cancel"},
                name="delegates_registration_cancel",
            ),
            # The badge views check staff and permission themselves (404 / 403 rather than a redirect).
            path(
                "<path:object_id>/badge.pdf", registration_badge_download, name="delegates_registration_badge"
            ),
            path(
                "<path:object_id>/badge-preview.pdf",
                registration_badge_preview,
                name="delegates_registration_badge_preview",
            ),
            *super().get_urls(),
        ]

    def leave_view(self, request: HttpRequest, operation: str) -> HttpResponse:
        """Ask for the reason (required), then reject or cancel each registration through its service."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        spec = LEAVE_OPERATIONS[operation]
        raw_ids = [part for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()]
        registrations = list(
            Registration.objects.filter(pk__in=raw_ids[:MAX_BATCH])
            .select_related("forum", "category")
            .order_by("created_at", "id")
        )
        changelist_url = reverse("admin:delegates_registration_changelist")
        if not registrations:
            self.message_user(request, gettext("No registration was selected."), messages.WARNING)
            return HttpResponseRedirect(changelist_url)
        form = StatusReasonForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            outcome = Outcome()
            for registration in registrations:
                try:
                    spec["service"](registration=registration, actor=request.user, reason=reason)
                except RegistrationBusy:
                    outcome.add("busy", registration)
                except RegistrationError:
                    outcome.add("skipped", registration)
                else:
                    outcome.add(spec["done"], registration)
            outcome.report(request, self, spec["labels"])
            return HttpResponseRedirect(changelist_url)
        context = {
            **self.admin_site.each_context(request),
            "title": spec["title"],
            "subtitle": None,
            "opts": self.opts,
            "intro": spec["intro"],
            "submit_label": spec["submit"],
            "registrations": registrations,
            "form": form,
            "changelist_url": changelist_url,
            "inactive": [r for r in registrations if r.status not in ACTIVE_STATUSES],
        }
        return TemplateResponse(request, "admin/delegates/registration/status_reason_form.html", context)


# --- Outgoing emails -----------------------------------------------------------------------------------


@admin.register(EmailOutbox)
class EmailOutboxAdmin(admin.ModelAdmin):
    """The outbox is written by the services and emptied by the worker: read-only here, with a way
    to hand stuck rows to the worker again."""

    list_display = ("kind", "to", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("=to", "subject", "=registration__reference")
    list_select_related = ()
    actions = ("send_again",)
    fields = (
        "key",
        "registration",
        "kind",
        "to",
        "cc",
        "reason",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "body_text",
    )
    readonly_fields = fields

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
        rows = list(queryset.order_by("id").values_list("pk", "status"))
        to_send = [pk for pk, status in rows if status in (OutboxStatus.PENDING, OutboxStatus.FAILED)]
        skipped = len(rows) - len(to_send)
        with transaction.atomic():
            # A failed row goes back to pending: the worker sends pending rows only, once.
            EmailOutbox.objects.filter(pk__in=to_send, status=OutboxStatus.FAILED).update(
                status=OutboxStatus.PENDING
            )
        queued = sum(1 for pk in to_send if enqueue_send(outbox_id=pk))
        parts = []
        if queued:
            parts.append(
                ngettext("%(count)d email queued for sending", "%(count)d emails queued for sending", queued)
                % {"count": queued}
            )
        if len(to_send) - queued:
            parts.append(
                ngettext(
                    "%(count)d could not be queued (the broker is unavailable; the periodic sweep will "
                    "send it)",
                    "%(count)d could not be queued (the broker is unavailable; the periodic sweep will "
                    "send them)",
                    len(to_send) - queued,
                )
                % {"count": len(to_send) - queued}
            )
        if skipped:
            parts.append(
                ngettext("%(count)d skipped: already sent", "%(count)d skipped: already sent", skipped)
                % {"count": skipped}
            )
        level = messages.SUCCESS if queued == len(rows) else messages.WARNING
        self.message_user(request, "; ".join(parts) + ".", level)
