"""Registrations in the admin: the list, each registration's page with its history, sign-ups and
emails, and the actions that change a status.

A registration's status is never edited in a form: it changes only through the actions (approve,
reject, cancel), which call the same services as the public flow, so capacity, the waitlist, the status
history and the emails follow one set of rules. Staff with the change permission correct the category,
the email address, the head-of-local-government mark and the details in the change form
(``admin_form.py``), also after the delegates' edit deadline, through ``registration_correct``. Staff
register a delegate with "Register a delegate" (``staff_register.py``): the public form and service.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.admin import CountryInUseFilter, ForumScopedFilter
from events.formatting import record_time

from ..admin_actions import action_confirmed, intermediate_page
from ..badges.views import registration_badge_download, registration_badge_preview
from ..checkin.tokens import TokenError, checkin_token_reissue
from ..enums import ACTIVE_STATUSES, RegistrationStatus
from ..exports.views import export_page, export_selected_action
from ..models import EmailOutbox, Registration, SessionSignup, StatusChange
from ..permissions import (
    ADD_REGISTRATION,
    CHANGE_REGISTRATION,
    EXPORT_REGISTRATIONS,
    REISSUE_CHECKIN_TOKEN,
    VIEW_REGISTRATION,
)
from ..printing.admin import BadgePrintedFilter, PrintBadgesMixin
from .admin_bulk import BulkRegistrationActionsMixin
from .admin_filters import CheckedInFilter, ChosenSessionFilter, HotelInUseFilter
from .admin_form import CORRECTED_FIELDS, RegistrationAdminForm, form_note
from .admin_outcomes import (
    LEAVE_OPERATIONS,
    Outcome,
    approved,
    busy,
    skipped_not_pending,
    waitlisted,
)
from .admin_page import RegistrationChangeList
from .corrections import registration_correct
from .services import RegistrationBusy, RegistrationError, registration_approve
from .staff_register import staff_register


def _can_manage_registrations(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_REGISTRATION) or request.user.has_perm(CHANGE_REGISTRATION)


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
    fields = ("when", "from_status", "to_status", "actor", "reason")
    verbose_name = _("status change")
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusChange]:
        return super().get_queryset(request).select_related("actor", "registration__forum")

    @admin.display(description=_("when"))
    def when(self, obj: StatusChange) -> str | None:
        return record_time(obj.at, obj.registration.forum)


class SessionSignupInline(ReadOnlyInline):
    model = SessionSignup
    fields = ("session", "session_starts", "status", "signed_up")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SessionSignup]:
        return super().get_queryset(request).select_related("session", "registration__forum")

    @admin.display(description=_("starts"))
    def session_starts(self, obj: SessionSignup) -> str | None:
        return record_time(obj.session.starts_at, obj.registration.forum)

    @admin.display(description=_("signed up at"))
    def signed_up(self, obj: SessionSignup) -> str | None:
        return record_time(obj.created_at, obj.registration.forum)


class EmailOutboxInline(ReadOnlyInline):
    model = EmailOutbox
    fields = ("queued", "kind", "to", "subject", "status", "attempts", "sent")

    def get_queryset(self, request: HttpRequest) -> QuerySet[EmailOutbox]:
        return super().get_queryset(request).select_related("registration__forum")

    @admin.display(description=_("queued at"))
    def queued(self, obj: EmailOutbox) -> str | None:
        return record_time(obj.created_at, obj.registration.forum)

    @admin.display(description=_("sent at"))
    def sent(self, obj: EmailOutbox) -> str | None:
        return record_time(obj.sent_at, obj.registration.forum)


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


@admin.register(Registration)
class RegistrationAdmin(BulkRegistrationActionsMixin, PrintBadgesMixin, admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = (
        "reference",
        "name",
        "native",
        "category",
        "organisation",
        "country_name",
        "status",
        "badge_printed",
        "checked_in",
    )
    list_filter = (
        "forum",
        ("category", ForumScopedFilter),
        "status",
        "is_head_of_local_government",
        CountryInUseFilter,
        ChosenSessionFilter,
        "dietary",
        "needs_visa_letter",
        "needs_airport_transfer",
        HotelInUseFilter,
        BadgePrintedFilter,
        CheckedInFilter,
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
        "waitlist_selected",
        "promote_selected",
        "change_category_selected",
        "resend_last_email",
        "email_selected",
        "print_badges",
        "export_selected",
        "reissue_checkin_token",
    )
    inlines = (StatusChangeInline, SessionSignupInline, EmailOutboxInline)
    readonly_fields = (
        "reference",
        "forum",
        "status",
        "user",
        "registered_by",
        "privacy_consent",
        "submitted",
        "updated",
    )
    fieldsets = (
        (
            _("Registration"),
            {
                "fields": ("reference", "forum", "category", "status", "submitted", "updated"),
                "description": _(
                    "The status changes only through the actions of the registration list (approve, "
                    "reject, cancel), which respect the seats like the public form and email the delegate. "
                    "A correction saved here is kept in the status history and emailed to the delegate."
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
                    "name_order",
                    "badge_name",
                    "native_name",
                    "native_name_lang",
                    "position",
                    "is_head_of_local_government",
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
        (_("Consent"), {"fields": ("media_consent", "privacy_consent")}),
    )

    @admin.display(description=_("name"), ordering="family_name")
    def name(self, obj: Registration) -> str:
        """The name in the delegate's order (sorted by family name, whatever the order)."""
        return obj.display_name

    # Times in the forum's zone, labelled ("Sat 1 Jun 2030, 09:12 WIB"), in the list and on the page.

    @admin.display(description=_("submitted at"), ordering="created_at")
    def submitted(self, obj: Registration) -> str | None:
        return record_time(obj.created_at, obj.forum)

    @admin.display(description=_("last changed"))
    def updated(self, obj: Registration) -> str | None:
        return record_time(obj.updated_at, obj.forum)

    @admin.display(description=_("privacy notice accepted at"))
    def privacy_consent(self, obj: Registration) -> str | None:
        return record_time(obj.privacy_consent_at, obj.forum)

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: Registration) -> str:
        """The country's name. Not the field itself: the admin would display it through the field's
        choices, which django-countries builds anew (every country, translated and sorted) for each
        row — about a millisecond a row, most of the list's time at 50 rows."""
        return obj.country.name or self.get_empty_value_display()

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

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "category" and isinstance(
            getattr(field, "widget", None), RelatedFieldWidgetWrapper
        ):
            # A registration chooses among its forum's categories; they are edited on their own page.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    def get_readonly_fields(self, request: HttpRequest, obj: Registration | None = None):
        if obj is not None and obj.status not in ACTIVE_STATUSES:
            return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]
        return self.readonly_fields

    def get_fieldsets(self, request: HttpRequest, obj: Registration | None = None):
        """The note for the history goes with a correction: offered only where one can be made."""
        if obj is not None and obj.status in ACTIVE_STATUSES and self.has_change_permission(request, obj):
            return (*self.fieldsets, (_("Correction"), {"fields": ("change_note",)}))
        return self.fieldsets

    def get_changelist(self, request: HttpRequest, **kwargs):
        return RegistrationChangeList

    @admin.display(description=_("checked in"))
    def checked_in(self, obj: Registration) -> str:
        """The check-in lists the delegate is checked in on (read for the page's rows)."""
        names = getattr(obj, "checked_in_lists", None)
        if not names:
            return self.get_empty_value_display()
        if len(names) == 1:
            return names[0]
        return format_html(
            '<span title="{}">{}</span>', "; ".join(names), gettext("%(n)d lists") % {"n": len(names)}
        )

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "can_email": self.has_email_permission(request),
            "can_register": request.user.has_perm(ADD_REGISTRATION),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra_context["form_note"] = form_note(
                    obj, can_change=self.has_change_permission(request, obj)
                )
                extra_context["can_change_status"] = self.has_change_permission(request, obj) and (
                    obj.status in ACTIVE_STATUSES
                )
                extra_context["status_actions"] = [
                    (LEAVE_OPERATIONS["reject"]["action"], gettext("Reject registration…")),
                    (LEAVE_OPERATIONS["cancel"]["action"], gettext("Cancel registration…")),
                ]
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
        self, request: HttpRequest, obj: Registration, form: RegistrationAdminForm, change: bool
    ) -> None:
        """Save what was corrected through ``registration_correct`` (seat locks, capacity, history,
        email), writing only those columns: a status changed meanwhile is never overwritten."""
        if set(form.changed_data) & set(CORRECTED_FIELDS):
            registration_correct(registration=obj, actor=request.user, **form.correction())

    def log_change(self, request: HttpRequest, obj: Registration, message) -> None:
        """Nothing: the correction's service wrote the history entry (who, which fields, no contact
        values); Django's own entry would say it twice."""
        return None

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
                "approved": approved,
                "waitlisted": waitlisted,
                "skipped": skipped_not_pending,
                "busy": busy,
            },
        )

    def has_reissue_checkin_token_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REISSUE_CHECKIN_TOKEN)

    @admin.action(
        description=_("Reissue the check-in token (lost badge)"), permissions=["reissue_checkin_token"]
    )
    def reissue_checkin_token(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        """A new QR code for each selected confirmed registration; the old badge no longer checks in."""
        reissued, skipped = [], []
        for registration in queryset.order_by("created_at", "id"):
            try:
                checkin_token_reissue(registration=registration, actor=request.user)
            except TokenError:
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
        return self._leave(request, queryset, LEAVE_OPERATIONS["reject"])

    @admin.action(description=_("Cancel selected registrations…"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        return self._leave(request, queryset, LEAVE_OPERATIONS["cancel"])

    def _leave(self, request: HttpRequest, queryset: QuerySet[Registration], spec: dict):
        """Ask for the reason (required) on an intermediate page, then reject or cancel each selected
        registration through its service, first come first served."""
        registrations = list(queryset.select_related("forum", "category").order_by("created_at", "id"))
        form = StatusReasonForm(request.POST if action_confirmed(request) else None)
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
            return None  # back to the list, with its filters
        return intermediate_page(
            self,
            request,
            template="admin/delegates/registration/status_reason_form.html",
            title=spec["title"],
            action=spec["action"],
            context={
                "intro": spec["intro"],
                "submit_label": spec["submit"],
                "registrations": registrations,
                "form": form,
                "inactive": [r for r in registrations if r.status not in ACTIVE_STATUSES],
            },
        )

    @admin.action(description=_("Export the selection…"), permissions=["export"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        return export_selected_action(self, request, queryset)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_REGISTRATIONS)

    def get_urls(self):
        return [
            path("export/", export_page, name="delegates_registration_export"),
            path("register/", staff_register, name="delegates_registration_register"),
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
