"""The personal link of an invitation: the registration form, filled in with the invitee's details and
bound to the invitation's category, through the same service as the public form
(``registration_submit``, which uses the invitation in the registration's transaction).

A link that belongs to no invitation, a revoked invitation and a used one each get a page that says
so, with the secretariat's address; nothing else is told about the invitation. Signing in comes after
the link has been checked, as on the public form.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.models import Forum
from events.selectors import RegistrationState, forum_registration_state

from ..enums import ACTIVE_STATUSES, InvitationStatus
from ..registration import selectors as registration_selectors
from ..registration import services as registration_services
from ..registration.forms import HONORIFICS
from ..registration.rules import registration_edit_deadline
from ..registration.services import (
    DuplicateRegistration,
    InvitationUnavailable,
    RegistrationBusy,
    RegistrationError,
    registration_submit,
)
from ..registration.views import (
    _attempt_message,
    _delegate_user,
    _duplicate_message,
    _status_message,
    busy_message,
)
from .forms import InvitationRegistrationForm, invitation_initial
from .selectors import invitation_for_token


def _unavailable(request: HttpRequest, *, reason: str, forum: Forum | None, status: int):
    """The page of a link that registers nobody (``reason``: unknown, revoked or used), with the
    secretariat's address."""
    context = {
        "reason": reason,
        "forum": forum,
        "contact_email": forum.contact_email if forum is not None else settings.SECRETARIAT_EMAIL,
    }
    if forum is not None:
        with timezone.override(forum.tz):
            return render(request, "delegates/invitation_unavailable.html", context, status=status)
    return render(request, "delegates/invitation_unavailable.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_register(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return _unavailable(request, reason="unknown", forum=None, status=404)
    forum = invitation.forum
    if invitation.status == InvitationStatus.REVOKED:
        return _unavailable(request, reason="revoked", forum=forum, status=410)
    if invitation.status == InvitationStatus.USED:
        return _unavailable(request, reason="used", forum=forum, status=410)
    state = forum_registration_state(forum=forum)
    if state != RegistrationState.OPEN:
        with timezone.override(forum.tz):
            return render(
                request,
                "delegates/registration_closed.html",
                {"forum": forum, "registration_state": state, "RegistrationState": RegistrationState},
            )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())

    if request.method == "POST":
        form = InvitationRegistrationForm(request.POST, invitation=invitation)
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                registration = registration_submit(
                    forum=forum,
                    category=invitation.category,
                    data=form.service_data(),
                    session_ids=form.session_ids(),
                    registered_by=request.user,
                    delegate_user=_delegate_user(request, email),
                    invitation=invitation,
                )
            except InvitationUnavailable:
                # Used or revoked while the form was open: say which.
                invitation.refresh_from_db(fields=["status"])
                revoked = invitation.status == InvitationStatus.REVOKED
                return _unavailable(request, reason="revoked" if revoked else "used", forum=forum, status=410)
            except DuplicateRegistration as error:
                existing = error.registration
                if existing is None:
                    form.add_error(None, busy_message())
                elif registration_selectors.registration_is_known_to(
                    user=request.user, registration=existing
                ):
                    form.add_error("email", _duplicate_message(existing))
                else:
                    registration_services.registration_attempt_notify(
                        registration=existing, attempted_by=request.user
                    )
                    messages.info(request, _attempt_message(forum=forum, email=email))
                    return redirect("delegates:my-registrations")
            except RegistrationBusy:
                form.add_error(None, busy_message())
            except RegistrationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _status_message(registration))
                return redirect("delegates:registration", public_id=registration.public_id)
    else:
        form = InvitationRegistrationForm(invitation=invitation, initial=invitation_initial(invitation))

    already = (
        registration_selectors.registration_list_for_user(user=request.user)
        .filter(forum=forum, status__in=ACTIVE_STATUSES)
        .prefetch_related(None)
    )
    with timezone.override(forum.tz):
        return render(
            request,
            "delegates/register.html",
            {
                "forum": forum,
                "form": form,
                "invitation": invitation,
                "form_action": request.path,
                "honorifics": HONORIFICS,
                "already_registered": already,
                "edit_deadline": registration_edit_deadline(forum=forum),
                "page_title": _("Register by invitation"),
            },
        )
