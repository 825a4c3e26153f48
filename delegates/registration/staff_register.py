"""Staff register a delegate themselves (a VIP announced by email, a walk-in at the door): "Register a
delegate" on the registrations list, per forum, under the admin (``admin:delegates_registration_register``).

The same form and checks as the public form, with every category of the forum (staff-only and
invitation-only ones too), through the same service (``registration_submit`` with ``by_staff``: also
outside the registration window, also over an earlier rejection), so capacity, the waitlist, history
and the delegate's emails are the public flow's; the registration is ``registered_by`` the staff member.
Staff are told at once when the category or the forum was full and the delegate is on the waitlist.
Behind ``add_registration`` (Registrars, Forum administrators) and the staff member's forums.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Forum

from ..enums import RegistrationStatus
from ..models import DelegateCategory, Registration
from ..permissions import ADD_REGISTRATION, staff_view
from ..staff.selectors import staff_forum_filter
from .forms import HONORIFICS, RegistrationForm
from .rules import registration_edit_deadline
from .services import DuplicateRegistration, RegistrationBusy, RegistrationError, registration_submit
from .views import _duplicate_message, busy_message


class StaffRegistrationForm(RegistrationForm):
    """The public form, offering every category of the forum."""

    field_cache_name = "registration-staff"

    def __init__(self, *args, forum: Forum, **kwargs):
        super().__init__(*args, forum=forum, **kwargs)
        self.fields["category"].queryset = (
            DelegateCategory.objects.filter(forum=forum)
            .order_by("protocol_rank", "name")
            .annotate(
                taken=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
            )
        )
        self.fields["email"].help_text = _("Confirmations go to this address, with a copy to you.")


def _outcome(registration: Registration) -> tuple[int, str]:
    values = {
        "name": registration.display_name,
        "reference": registration.reference,
        "email": registration.email,
    }
    if registration.status == RegistrationStatus.WAITLISTED:
        return messages.WARNING, _(
            "The category or the forum is full: %(name)s is on the waitlist (reference %(reference)s) and "
            "moves up when a place frees. We have written to %(email)s."
        ) % values
    if registration.status == RegistrationStatus.PENDING:
        return messages.SUCCESS, _(
            "%(name)s is registered and waits for approval, as the category asks (reference %(reference)s). "
            "We have written to %(email)s."
        ) % values
    return messages.SUCCESS, _(
        "%(name)s is registered and confirmed (reference %(reference)s). We have written to %(email)s."
    ) % values


@staff_view(ADD_REGISTRATION)
def staff_register(request: HttpRequest) -> HttpResponse:
    forums = staff_forum_filter(Forum.objects.order_by("-start_date"), request.user, field="pk")
    forum_id = request.GET.get("forum", "")
    if not forum_id:
        from django.contrib import admin

        context = {
            **admin.site.each_context(request),
            "title": _("Register a delegate"),
            "subtitle": None,
            "opts": Registration._meta,
            "forums": forums,
            "changelist_url": reverse("admin:delegates_registration_changelist"),
        }
        return TemplateResponse(request, "admin/delegates/registration/register_forum.html", context)
    forum = forums.filter(pk=forum_id).first() if forum_id.isdigit() else None
    if forum is None:
        raise Http404("Not found")

    if request.method == "POST":
        form = StaffRegistrationForm(request.POST, forum=forum)
        if form.is_valid():
            try:
                registration = registration_submit(
                    forum=forum,
                    category=form.cleaned_data["category"],
                    data=form.service_data(),
                    session_ids=form.session_ids(),
                    registered_by=request.user,
                    over_rejection=True,
                    by_staff=True,
                )
            except DuplicateRegistration as error:
                existing = error.registration
                if existing is None:
                    form.add_error(None, busy_message())
                else:
                    form.add_error("email", _duplicate_message(existing))
            except RegistrationBusy:
                form.add_error(None, busy_message())
            except RegistrationError as error:
                form.add_error(None, str(error))
            else:
                level, text = _outcome(registration)
                messages.add_message(request, level, text)
                return redirect("admin:delegates_registration_change", registration.pk)
    else:
        form = StaffRegistrationForm(forum=forum)

    with timezone.override(forum.tz):
        return render(
            request,
            "delegates/register.html",
            {
                "forum": forum,
                "form": form,
                "staff_registering": True,
                "form_action": request.get_full_path(),
                "back_url": reverse("admin:delegates_registration_changelist")
                + f"?forum__id__exact={forum.pk}",
                "honorifics": HONORIFICS,
                "already_registered": [],
                "edit_deadline": registration_edit_deadline(forum=forum),
            },
        )
