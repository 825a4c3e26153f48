"""Emails to delegates in the admin (``delegates.email_delegates``: forum administrators and
registrars): the list of emails written and sent; compose one to a filter of a forum's registrations
(or start from the registrations list's filters, or its "Email the selection…" action); preview it as
one recipient will receive it; send it, confirmed on a page that says to how many; then follow each
recipient's copy in the outbox.

Pages (under the admin, so its sign-in and two-factor rules apply): ``add/`` compose, ``<id>/change/``
the words of a draft or the delivery of a sent email, ``<id>/preview/``, ``<id>/preview/<registration>/``
(the rendered HTML alone, for the preview's frame), ``<id>/send/``.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from events.formatting import record_time
from events.models import Forum

from ..enums import OutboxStatus
from ..models import EmailOutbox, StaffEmail
from ..permissions import EMAIL_DELEGATES
from ..staff.contact import may_see_contact_details
from ..staff.selectors import staff_forum_filter, staff_object_or_404
from .selectors import staff_email_delivery, staff_email_recipients
from .staff_email_forms import FilterForm, MessageForm, PreviewForm
from .staff_emails import AlreadySent, NoRecipients, staff_email_compose, staff_email_send, staff_email_update
from .staff_rendering import staff_email_render

TEMPLATES = "admin/delegates/staffemail"
# How many recipients the preview offers to choose from (the first, in the order they registered).
PREVIEW_CHOICES = 200
RECIPIENTS_PER_PAGE = 50

# The preview's frame holds an email, whose styles are inline (email clients ignore style sheets): its
# own policy allows inline styles and nothing else — no script, no request but its own images — and
# only this site may frame it.
PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "script-src": [NONE],
    "connect-src": [NONE],
    "sandbox": [""],
}

# The registrations list's filters that a compose page can start from: list parameter → form field.
LIST_FILTERS = {
    "forum__id__exact": "forum",
    "status__exact": "statuses",
    "category__id__exact": "category",
    "country": "country",
    "session": "session",
    "hotel": "hotel",
}


@admin.register(StaffEmail)
class StaffEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "forum", "description", "state", "recipient_count", "created_by", "sent")
    list_filter = ("forum",)
    list_select_related = ("forum", "created_by", "sent_by")
    search_fields = ("subject",)
    list_per_page = 50

    # --- Who: staff who may write to delegates ----------------------------------------------------

    def _may_email(self, request: HttpRequest) -> bool:
        # The pages name the recipients and their addresses: contact details (``staff.contact``).
        return request.user.has_perm(EMAIL_DELEGATES) and may_see_contact_details(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_email(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_email(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_email(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_email(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the record of what was sent stays

    # --- The list ---------------------------------------------------------------------------------

    @admin.display(description=_("state"))
    def state(self, obj: StaffEmail) -> str:
        return gettext("Sent") if obj.is_sent else gettext("Draft")

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent(self, obj: StaffEmail) -> str | None:
        return record_time(obj.sent_at, obj.forum)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", wrap(self.preview_view), name="delegates_staffemail_preview"),
            path(
                "<path:object_id>/preview/<int:registration_id>/",
                wrap(self.preview_message_view),
                name="delegates_staffemail_preview_message",
            ),
            path("<path:object_id>/send/", wrap(self.send_view), name="delegates_staffemail_send"),
            *super().get_urls(),
        ]

    # --- Pages ------------------------------------------------------------------------------------

    def _page(self, request: HttpRequest, template: str, title: str, context: dict) -> TemplateResponse:
        page = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "changelist_url": reverse("admin:delegates_staffemail_changelist"),
            **context,
        }
        return TemplateResponse(request, f"{TEMPLATES}/{template}", page)

    def _object(self, request: HttpRequest, object_id: str) -> StaffEmail:
        if not self._may_email(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).select_related("forum", "created_by", "sent_by")
        return staff_object_or_404(queryset, object_id, user=request.user)

    def _forums(self, request: HttpRequest):
        return staff_forum_filter(Forum.objects.order_by("-start_date"), request.user, field="pk")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Compose: a forum, a filter of its registrations and the words; saved as a draft, then the
        preview."""
        if not self._may_email(request):
            raise PermissionDenied
        forums = self._forums(request)
        if request.method == "POST":
            form = FilterForm(request.POST, forums=forums)
            if form.is_valid():
                try:
                    staff_email = staff_email_compose(
                        forum=form.cleaned_data["forum"],
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        actor=request.user,
                        description=form.description(),
                        criteria=form.criteria(),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return HttpResponseRedirect(self._url("preview", staff_email))
        else:
            form = FilterForm(initial=self._initial_from_list(request, forums), forums=forums)
        return self._page(
            request,
            "compose.html",
            gettext("Write to delegates"),
            {"form": form, "filter_fields": [form[name] for name in FilterForm.field_order],
             "message_fields": [form["subject"], form["body"]], "placeholders": MessageForm.placeholders()},
        )  # fmt: skip

    def _initial_from_list(self, request: HttpRequest, forums) -> dict:
        """The filters of the registrations list the page was opened from (its "Email these
        delegates…" link), as the form's first values; a forum the user does not work on is ignored."""
        initial = {}
        for parameter, field in LIST_FILTERS.items():
            value = request.GET.get(parameter, "")
            if value:
                initial[field] = [value] if field == "statuses" else value
        forum_id = str(initial.get("forum", ""))
        if not (forum_id.isdigit() and forums.filter(pk=forum_id).exists()):
            initial.pop("forum", None)
            if (first := forums.first()) is not None:
                initial["forum"] = first.pk
        return initial

    def _url(self, page: str, staff_email: StaffEmail) -> str:
        return reverse(f"admin:delegates_staffemail_{page}", args=[staff_email.pk])

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """A draft: its words, to change before the preview. A sent email: who sent it, when, to whom,
        and how each copy stands in the outbox."""
        staff_email = self._object(request, object_id)
        if staff_email.is_sent:
            return self._delivery(request, staff_email)
        if request.method == "POST":
            form = MessageForm(request.POST)
            if form.is_valid():
                try:
                    staff_email_update(
                        staff_email=staff_email,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        actor=request.user,
                    )
                except AlreadySent:
                    return HttpResponseRedirect(request.path)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return HttpResponseRedirect(self._url("preview", staff_email))
        else:
            form = MessageForm(initial={"subject": staff_email.subject, "body": staff_email.body})
        return self._page(
            request,
            "compose.html",
            gettext("Change the email"),
            {"form": form, "staff_email": staff_email, "message_fields": [form["subject"], form["body"]],
             "placeholders": MessageForm.placeholders()},
        )  # fmt: skip

    def _delivery(self, request: HttpRequest, staff_email: StaffEmail) -> TemplateResponse:
        rows = (
            EmailOutbox.objects.filter(staff_email=staff_email)
            .select_related("registration")
            .only(
                "to",
                "status",
                "attempts",
                "sent_at",
                "registration__reference",
                "registration__given_name",
                "registration__family_name",
                "registration__honorific",
                "registration__name_order",
            )
            .order_by("id")
        )
        page = Paginator(rows, RECIPIENTS_PER_PAGE).get_page(request.GET.get("page"))
        delivery = staff_email_delivery(staff_email)
        return self._page(
            request,
            "delivery.html",
            staff_email.subject,
            {
                "staff_email": staff_email,
                "written_at": record_time(staff_email.created_at, staff_email.forum),
                "sent_at": record_time(staff_email.sent_at, staff_email.forum),
                "delivery": [(label, delivery.get(value, 0)) for value, label in OutboxStatus.choices],
                "page": page,
                "rows": [(row, record_time(row.sent_at, staff_email.forum)) for row in page],
                "outbox_url": reverse("admin:delegates_emailoutbox_changelist")
                + f"?staff_email__id__exact={staff_email.pk}",
            },
        )

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The subject and the message as the chosen recipient will receive them, then "Send…"."""
        staff_email = self._object(request, object_id)
        if staff_email.is_sent:
            return HttpResponseRedirect(self._url("change", staff_email))
        recipients = staff_email_recipients(staff_email)
        count = recipients.count()
        first = list(recipients.select_related("forum", "category", "registered_by")[:PREVIEW_CHOICES])
        choices = [(r.pk, f"{r.display_name} ({r.reference})") for r in first]
        form = PreviewForm(request.GET if "registration" in request.GET else None, choices=choices)
        chosen = None
        if first:
            wanted = form.cleaned_data["registration"] if form.is_bound and form.is_valid() else first[0].pk
            chosen = next(r for r in first if r.pk == wanted)
            if not form.is_bound:
                form = PreviewForm(initial={"registration": chosen.pk}, choices=choices)
        subject = staff_email_render(staff_email=staff_email, registration=chosen)[0] if chosen else ""
        return self._page(
            request,
            "preview.html",
            gettext("Preview the email"),
            {
                "staff_email": staff_email,
                "count": count,
                "more": max(count - len(first), 0),
                "form": form,
                "chosen": chosen,
                "subject": subject,
                "frame_url": reverse(
                    "admin:delegates_staffemail_preview_message", args=[staff_email.pk, chosen.pk]
                )
                if chosen
                else "",
            },
        )

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_replace(PREVIEW_POLICY))
    def preview_message_view(
        self, request: HttpRequest, object_id: str, registration_id: int
    ) -> HttpResponse:
        """The HTML part alone, for the preview's frame: of a recipient of the email only."""
        staff_email = self._object(request, object_id)
        registration = get_object_or_404(
            staff_email_recipients(staff_email).select_related("forum", "category", "registered_by"),
            pk=registration_id,
        )
        html = staff_email_render(staff_email=staff_email, registration=registration)[2]
        return HttpResponse(html, content_type="text/html; charset=utf-8")

    def send_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """How many will receive it, and the button that sends it (once, however often it is pressed)."""
        staff_email = self._object(request, object_id)
        if request.method == "POST":
            try:
                sent = staff_email_send(staff_email_id=staff_email.pk, actor=request.user)
            except AlreadySent as already:
                done = already.staff_email
                when = record_time(done.sent_at, staff_email.forum)
                self.message_user(
                    request,
                    gettext("This email was already sent, by %(user)s at %(time)s: it was not sent again.")
                    % {"user": done.sent_by.get_username(), "time": when},
                    messages.WARNING,
                )
            except NoRecipients:
                self.message_user(
                    request, gettext("Nobody matches the email's recipients any more: nothing was sent."),
                    messages.ERROR,
                )  # fmt: skip
                return HttpResponseRedirect(self._url("preview", staff_email))
            else:
                self.message_user(
                    request,
                    ngettext(
                        "The email is on its way to %(count)s delegate; follow it below.",
                        "The email is on its way to %(count)s delegates; follow it below.",
                        sent.recipient_count,
                    )
                    % {"count": sent.recipient_count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._url("change", staff_email))
        if staff_email.is_sent:
            return HttpResponseRedirect(self._url("change", staff_email))
        return self._page(
            request,
            "send.html",
            gettext("Send the email"),
            {"staff_email": staff_email, "count": staff_email_recipients(staff_email).count()},
        )


def staff_email_for_selection(
    *, request: HttpRequest, forum: Forum, registration_ids: list[int], form
) -> StaffEmail:
    """The draft of the registration list's "Email the selection…" action (``registration.admin_bulk``)."""
    return staff_email_compose(
        forum=forum,
        subject=form.cleaned_data["subject"],
        body=form.cleaned_data["body"],
        actor=request.user,
        description=gettext("a selection of %(count)s registrations") % {"count": len(registration_ids)},
        criteria={"include_inactive": bool(form.cleaned_data.get("include_inactive"))},
        registration_ids=registration_ids,
    )


__all__ = ["StaffEmailAdmin", "staff_email_for_selection"]
