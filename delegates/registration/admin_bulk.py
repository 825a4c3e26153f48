"""The registration list's bulk actions that move the waitlist, change the category and send emails
again: each asks for confirmation on an intermediate page (``admin_actions.intermediate_page``), then
calls the same service per registration as the rest of the product (seat locks, capacity, history,
emails) and says in one message what happened (``admin_outcomes.Outcome``).
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Forum

from ..admin_actions import action_confirmed, intermediate_page
from ..enums import ACTIVE_STATUSES
from ..mail.staff_email_admin import staff_email_for_selection
from ..mail.staff_email_forms import SelectionForm
from ..models import DelegateCategory, Registration
from ..permissions import EMAIL_DELEGATES
from ..staff.contact import may_see_contact_details
from .admin_outcomes import (
    Outcome,
    busy,
    moved_to,
    not_moved_full,
    not_promoted_category_full,
    not_promoted_forum_full,
    promoted,
    resent,
    skipped_already_in,
    skipped_inactive,
    skipped_no_email,
    skipped_not_pending,
    skipped_not_waitlisted,
    skipped_resend_waiting,
    waitlisted_by_staff,
)
from .corrections import CategoryFull, registration_correct
from .resend import registration_email_resend
from .services import RegistrationBusy, RegistrationError
from .waitlist import NoSeat, registration_promote, registration_waitlist

CONFIRM_TEMPLATE = "admin/delegates/registration/bulk_confirm_form.html"


class WaitlistForm(forms.Form):
    reason = forms.CharField(
        label=_("Note to the delegate (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Sent to the delegate in the email, and kept in the status history."),
    )


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("New category"),
        queryset=DelegateCategory.objects.none(),
        help_text=_(
            "A confirmed delegate moves only into a category with a free seat; pending and waitlisted "
            "delegates keep their place in the queue."
        ),
    )

    def __init__(self, *args, forum_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = DelegateCategory.objects.filter(forum_id=forum_id).order_by(
            "protocol_rank", "name"
        )


class BulkRegistrationActionsMixin:
    """Waitlist, promote, change category, resend the last email (``permissions=["change"]``)."""

    def _selection(self, queryset: QuerySet[Registration]) -> list[Registration]:
        # First come, first served: the order the waitlist itself follows.
        return list(queryset.select_related("forum", "category").order_by("created_at", "id"))

    def _confirm(self, request, registrations, *, action, title, intro, submit, form=None, error=""):
        return intermediate_page(
            self,
            request,
            template=CONFIRM_TEMPLATE,
            title=title,
            action=action,
            context={
                "intro": intro,
                "submit_label": submit,
                "registrations": registrations,
                "form": form,
                "form_error": error,
            },
        )

    @admin.action(
        description=_("Put selected pending registrations on the waitlist…"), permissions=["change"]
    )
    def waitlist_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        registrations = self._selection(queryset)
        form = WaitlistForm(request.POST if action_confirmed(request) else None)
        if not form.is_valid():
            return self._confirm(
                request,
                registrations,
                action="waitlist_selected",
                title=gettext("Put registrations on the waitlist"),
                intro=gettext(
                    "These pending registrations will be accepted onto the waitlist, without a seat: "
                    "each moves up when a seat is freed, first come first served, or when you promote it. "
                    "Each delegate is emailed. Registrations that are not pending are skipped."
                ),
                submit=gettext("Put on the waitlist"),
                form=form,
            )
        outcome = Outcome()
        for registration in registrations:
            try:
                registration_waitlist(
                    registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except RegistrationBusy:
                outcome.add("busy", registration)
            except RegistrationError:
                outcome.add("skipped", registration)
            else:
                outcome.add("waitlisted", registration)
        outcome.report(
            request, self, {"waitlisted": waitlisted_by_staff, "skipped": skipped_not_pending, "busy": busy}
        )
        return None

    @admin.action(description=_("Promote selected from the waitlist…"), permissions=["change"])
    def promote_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        registrations = self._selection(queryset)
        if not action_confirmed(request):
            return self._confirm(
                request,
                registrations,
                action="promote_selected",
                title=gettext("Promote from the waitlist"),
                intro=gettext(
                    "These waitlisted registrations get a seat now, in the order they registered, while "
                    "the forum and their category have one; the others stay on the waitlist. Each "
                    "promoted delegate gets their badge and an email."
                ),
                submit=gettext("Promote"),
            )
        outcome = Outcome()
        for registration in registrations:
            try:
                registration_promote(registration=registration, actor=request.user)
            except RegistrationBusy:
                outcome.add("busy", registration)
            except NoSeat as refused:
                outcome.add("full" if refused.reason == "category" else "forum_full", registration)
            except RegistrationError:
                outcome.add("skipped", registration)
            else:
                outcome.add("promoted", registration)
        outcome.report(
            request,
            self,
            {
                "promoted": promoted,
                "full": not_promoted_category_full,
                "forum_full": not_promoted_forum_full,
                "skipped": skipped_not_waitlisted,
                "busy": busy,
            },
        )
        return None

    @admin.action(description=_("Change the category of selected registrations…"), permissions=["change"])
    def change_category_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        registrations = self._selection(queryset)
        forum_ids = {registration.forum_id for registration in registrations}
        page = {
            "action": "change_category_selected",
            "title": gettext("Change the category"),
            "intro": gettext(
                "These registrations move to the category chosen below, one by one, in the order they "
                "registered. A confirmed delegate moves only while the new category has a free seat; "
                "the seat they leave goes to the first on the old category's waitlist. Each delegate "
                "is emailed."
            ),
            "submit": gettext("Change category"),
        }
        if len(forum_ids) > 1:
            return self._confirm(
                request,
                registrations,
                **page,
                error=gettext(
                    "The selection holds registrations of several forums: choose registrations of one "
                    "forum, whose categories are then offered."
                ),
            )
        form = CategoryForm(
            request.POST if action_confirmed(request) else None, forum_id=next(iter(forum_ids), None)
        )
        if not form.is_valid():
            return self._confirm(request, registrations, **page, form=form)
        category = form.cleaned_data["category"]
        outcome = Outcome()
        for registration in registrations:
            if registration.category_id == category.pk:
                outcome.add("already", registration)
                continue
            try:
                registration_correct(registration=registration, actor=request.user, category=category)
            except RegistrationBusy:
                outcome.add("busy", registration)
            except CategoryFull:
                outcome.add("full", registration)
            except RegistrationError:
                outcome.add("skipped", registration)
            else:
                outcome.add("moved", registration)
        outcome.report(
            request,
            self,
            {
                "moved": moved_to(category.name),
                "full": not_moved_full(category.name),
                "already": skipped_already_in(category.name),
                "skipped": skipped_inactive,
                "busy": busy,
            },
        )
        return None

    @admin.action(description=_("Send the last email again…"), permissions=["change"])
    def resend_last_email(self, request: HttpRequest, queryset: QuerySet[Registration]):
        registrations = self._selection(queryset)
        if not action_confirmed(request):
            return self._confirm(
                request,
                registrations,
                action="resend_last_email",
                title=gettext("Send the last email again"),
                intro=gettext(
                    "Each delegate's latest email (confirmation, waitlist, changes…) is sent again to "
                    "their current address, written from their registration as it is now. It goes "
                    "through the outbox, where you can follow it."
                ),
                submit=gettext("Send again"),
            )
        outcome = Outcome()
        for registration in registrations:
            row, created = registration_email_resend(registration=registration)
            outcome.add("resent" if created else ("waiting" if row else "no_email"), registration)
        outcome.report(
            request,
            self,
            {"resent": resent, "waiting": skipped_resend_waiting, "no_email": skipped_no_email},
        )
        return None

    def has_email_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EMAIL_DELEGATES) and may_see_contact_details(request.user)

    @admin.action(description=_("Email the selection…"), permissions=["email"])
    def email_selected(self, request: HttpRequest, queryset: QuerySet[Registration]):
        """Write the words on an intermediate page (the selection travels in the form: "select all"
        across the pages sends the whole filtered list), save a draft to these registrations, then the
        preview. One forum at a time; cancelled and rejected ones only if the page is told to."""
        rows = list(queryset.order_by("created_at", "id").values_list("pk", "forum_id", "status"))
        forum_ids = {forum_id for _pk, forum_id, _status in rows}
        if len(forum_ids) > 1:
            self.message_user(
                request,
                gettext(
                    "The selection holds registrations of several forums: write to one forum's at a time."
                ),
                messages.ERROR,
            )
            return None
        inactive = sum(1 for _pk, _forum, status in rows if status not in ACTIVE_STATUSES)
        form = SelectionForm(request.POST if action_confirmed(request) else None, inactive=inactive)
        if form.is_valid():
            forum = Forum.objects.get(pk=next(iter(forum_ids)))
            staff_email = staff_email_for_selection(
                request=request, forum=forum, registration_ids=[pk for pk, _forum, _status in rows], form=form
            )
            return HttpResponseRedirect(reverse("admin:delegates_staffemail_preview", args=[staff_email.pk]))
        return intermediate_page(
            self,
            request,
            template="admin/delegates/staffemail/compose_selection.html",
            title=gettext("Email the selection"),
            action="email_selected",
            context={
                "form": form,
                "count": len(rows),
                "inactive": inactive,
                "message_fields": [form["subject"], form["body"]],
                "inactive_fields": [form["include_inactive"]] if inactive else [],
                "placeholders": SelectionForm.placeholders(),
                "submit_label": gettext("Preview"),
            },
        )


__all__ = ["BulkRegistrationActionsMixin"]
