"""Delegate-facing pages: register for a forum, "My registrations", a registration's details, edit,
cancel (with a confirmation step) and the personal programme as iCalendar.

Views parse input, call one service of ``services.py`` and render; the rules (window,
duplicates, seats, waitlist) live there. A rule that says no becomes a message on the page with what
was typed kept; a lock timeout becomes "please submit again" — never an error page. What a user may
see is decided by the selectors: anything else is a 404.
"""

import copy
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from icalendar import Calendar, Timezone

from events.calendar import PRODID, session_event
from events.models import Forum
from events.selectors import (
    RegistrationState,
    forum_get_public,
    forum_registration_state,
    session_list_for_programme,
)

from ..badges.content import badge_content
from ..badges.printable import badge_problems
from ..enums import ACTIVE_STATUSES, RegistrationStatus, SignupStatus
from ..models import Registration, SessionSignup
from ..permissions import ADD_REGISTRATION
from ..staff.selectors import staff_may_work_on
from . import selectors
from . import services as registration_services
from .forms import HONORIFICS, DelegateDetailsForm, RegistrationForm
from .rules import EditRefusal, registration_can_edit, registration_edit_deadline, registration_edit_refusal
from .services import (
    DuplicateRegistration,
    RegistrationBusy,
    RegistrationError,
    registration_submit,
    registration_update,
)

REASON_MAX_LENGTH = 1000


def busy_message() -> str:
    return _("We are handling many registrations right now — please submit again in a moment.")


def _status_message(registration: Registration) -> str:
    values = {
        "name": registration.display_name,
        "email": registration.email,
        "reference": registration.reference,
    }
    if registration.status == RegistrationStatus.CONFIRMED:
        text = _(
            "The registration of %(name)s is confirmed (reference %(reference)s). "
            "We have sent a confirmation to %(email)s."
        )
    elif registration.status == RegistrationStatus.PENDING:
        text = _(
            "The registration of %(name)s has been received and is pending approval by the secretariat "
            "(reference %(reference)s). We will write to %(email)s once it has been reviewed."
        )
    else:
        text = _(
            "All places are taken, so %(name)s is on the waitlist (reference %(reference)s). "
            "If a place becomes free it is confirmed automatically and we will write to %(email)s."
        )
    return text % values


def _duplicate_message(registration: Registration) -> str:
    """What the registration's own accounts and staff are told when its address is entered again."""
    values = {"reference": registration.reference, "status": registration.get_status_display()}
    if registration.status == RegistrationStatus.REJECTED:
        return (
            _(
                "The secretariat did not accept the registration of this email address for this forum "
                "(reference %(reference)s). Please write to the secretariat to register again."
            )
            % values
        )
    return _(
        "This email address is already registered for this forum (reference %(reference)s, %(status)s)."
    ) % (values)


def _attempt_message(*, forum: Forum, email: str) -> str:
    """What anyone else is told: it says nothing of the registration, and is true of it (its address
    has just been written to)."""
    return _("Thank you. We have written to %(email)s about the registration for %(forum)s.") % {
        "email": email,
        "forum": forum.name,
    }


def _may_register_over_a_rejection(user, forum: Forum) -> bool:
    """Staff who may add registrations of this forum register a delegate the secretariat rejected
    before (the delegate is told to write to them)."""
    return bool(
        user.is_active
        and user.is_staff
        and user.has_perm(ADD_REGISTRATION)
        and staff_may_work_on(user, forum.id)
    )


def _delegate_user(request: HttpRequest, email: str):
    """The signed-in user, if the delegate's email is one they have verified (the delegate registers
    themselves); None when someone registers another person."""
    from allauth.account.models import EmailAddress

    if EmailAddress.objects.filter(user=request.user, verified=True, email__iexact=email).exists():
        return request.user
    return None


def _render_in_forum_tz(request: HttpRequest, forum: Forum, template: str, context: dict, status: int = 200):
    with timezone.override(forum.tz):
        return render(request, template, {"forum": forum, **context}, status=status)


# --- Register --------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, forum_slug: str) -> HttpResponse:
    forum = forum_get_public(slug=forum_slug)
    state = forum_registration_state(forum=forum)
    if state != RegistrationState.OPEN:
        # Whether it opens later or has closed, say so without asking anyone to sign in first.
        return _render_in_forum_tz(
            request,
            forum,
            "delegates/registration_closed.html",
            {"registration_state": state, "RegistrationState": RegistrationState},
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())

    if request.method == "POST":
        form = RegistrationForm(request.POST, forum=forum)
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                registration = registration_submit(
                    forum=forum,
                    category=form.cleaned_data["category"],
                    data=form.service_data(),
                    session_ids=form.session_ids(),
                    registered_by=request.user,
                    delegate_user=_delegate_user(request, email),
                    over_rejection=_may_register_over_a_rejection(request.user, forum),
                )
            except DuplicateRegistration as error:
                existing = error.registration
                if existing is None:  # gone again in a race: nothing to tell, nothing saved
                    form.add_error(None, busy_message())
                elif selectors.registration_is_known_to(user=request.user, registration=existing):
                    form.add_error("email", _duplicate_message(existing))
                else:
                    # Someone else's registration: neither confirm nor deny it; its address is told.
                    registration_services.registration_attempt_notify(
                        registration=existing, attempted_by=request.user
                    )
                    messages.info(request, _attempt_message(forum=forum, email=email))
                    return redirect("delegates:my-registrations")
            except RegistrationError as error:
                form.add_error(None, str(error))
            except RegistrationBusy:
                form.add_error(None, busy_message())
            else:
                messages.success(request, _status_message(registration))
                return redirect("delegates:registration", public_id=registration.public_id)
    else:
        form = RegistrationForm(forum=forum, initial={"email": request.user.email})

    already = (
        selectors.registration_list_for_user(user=request.user)
        .filter(forum=forum, status__in=ACTIVE_STATUSES)
        .prefetch_related(None)
    )
    return _render_in_forum_tz(
        request,
        forum,
        "delegates/register.html",
        {
            "form": form,
            "honorifics": HONORIFICS,
            "already_registered": already,
            "edit_deadline": registration_edit_deadline(forum=forum),
        },
    )


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    # The data protection contact, when the deployment names one (optional setting).
    contact = getattr(settings, "PRIVACY_CONTACT_EMAIL", "")
    return render(request, "delegates/privacy.html", {"privacy_contact": contact})


# --- My registrations ------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def my_registrations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    registrations = list(selectors.registration_list_for_user(user=request.user))
    for registration in registrations:
        registration.can_edit = registration_can_edit(registration=registration, now=now)
        registration.is_active = registration.status in ACTIVE_STATUSES
    return render(request, "delegates/my_registrations.html", {"registrations": registrations})


@never_cache
@login_required
@require_safe
def registration_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, public_id=public_id)
    history = list(registration.history.select_related("actor").order_by("at", "id"))
    return _render_in_forum_tz(
        request,
        registration.forum,
        "delegates/registration_detail.html",
        {
            "registration": registration,
            "history": history,
            "can_edit": registration_can_edit(registration=registration),
            "is_active": registration.status in ACTIVE_STATUSES,
            "edit_deadline": registration_edit_deadline(forum=registration.forum),
            "badge_problems": badge_problems(badge_content(registration=registration))
            if registration.status == RegistrationStatus.CONFIRMED
            else [],
        },
    )


def _locked_page(
    request: HttpRequest, registration: Registration, *, title: str, message: str
) -> HttpResponse:
    return _render_in_forum_tz(
        request,
        registration.forum,
        "delegates/registration_locked.html",
        {"registration": registration, "title": title, "message": message},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, public_id=public_id)
    forum = registration.forum
    refusal = registration_edit_refusal(registration=registration)
    if refusal == EditRefusal.INACTIVE:
        return _locked_page(
            request,
            registration,
            title=_("This registration can no longer be changed"),
            message=_(
                "Its status is “%(status)s”. To take part, please register again while registration is open."
            )
            % {"status": registration.get_status_display()},
        )
    if refusal == EditRefusal.DEADLINE_PASSED:
        return _locked_page(
            request,
            registration,
            title=_("The deadline for changes has passed"),
            message=_(
                "Please write to the forum's secretariat about any change; they will update it for you."
            ),
        )

    # The form works on a copy: a failed save must not leave typed values on the page's summary.
    form_kwargs = {"forum": forum, "registration": registration, "instance": copy.copy(registration)}
    if request.method == "POST":
        form = DelegateDetailsForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                registration_update(
                    registration=registration,
                    data=form.service_data(),
                    session_ids=form.session_ids(),
                    actor=request.user,
                )
            except RegistrationError as error:
                form.add_error(None, str(error))
            except RegistrationBusy:
                form.add_error(None, busy_message())
            else:
                messages.success(
                    request, _("Your changes have been saved. We have emailed the delegate a summary.")
                )
                return redirect("delegates:registration", public_id=registration.public_id)
    else:
        form = DelegateDetailsForm(**form_kwargs)
    return _render_in_forum_tz(
        request,
        forum,
        "delegates/registration_edit.html",
        {
            "registration": registration,
            "form": form,
            "honorifics": HONORIFICS,
            "edit_deadline": registration_edit_deadline(forum=forum),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, public_id=public_id)
    if registration.status not in ACTIVE_STATUSES:
        return _locked_page(
            request,
            registration,
            title=_("This registration is no longer active"),
            message=_("Its status is “%(status)s”: there is nothing to cancel.")
            % {"status": registration.get_status_display()},
        )
    error = ""
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").replace("\x00", "").strip()
        if len(reason) > REASON_MAX_LENGTH:
            error = _("Please keep the reason under %(max)s characters.") % {"max": REASON_MAX_LENGTH}
        else:
            try:
                registration_services.registration_cancel(
                    registration=registration, actor=request.user, reason=reason
                )
            except RegistrationError as failure:
                error = str(failure)
            except RegistrationBusy:
                error = busy_message()
            else:
                messages.success(
                    request,
                    _(
                        "The registration of %(name)s has been cancelled. "
                        "We have sent a confirmation to %(email)s."
                    )
                    % {"name": registration.display_name, "email": registration.email},
                )
                return redirect("delegates:registration", public_id=registration.public_id)
    return _render_in_forum_tz(
        request,
        registration.forum,
        "delegates/registration_cancel.html",
        {"registration": registration, "error": error, "reason": reason, "reason_max": REASON_MAX_LENGTH},
    )


# --- Personal programme ----------------------------------------------------------------------------


def personal_calendar(*, registration: Registration, sessions, absolute_url) -> Calendar:
    """The delegate's programme: the forum's sessions open to all, plus the sessions they have a
    confirmed place in. Events are the public programme's (same UIDs), so a calendar that holds both
    shows each session once."""
    forum = registration.forum
    sessions = list(sessions)
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = "PUBLISH"
    calendar.calendar_name = _("%(forum)s – my programme") % {"forum": forum.name}
    calendar.add("X-WR-TIMEZONE", forum.time_zone)
    days = [forum.start_date, forum.end_date]
    for session in sessions:
        days += [forum.local_date(session.starts_at), forum.local_date(session.ends_at)]
    calendar.add_component(
        Timezone.from_tzid(
            forum.time_zone,
            first_date=min(days) - dt.timedelta(days=1),
            last_date=max(days) + dt.timedelta(days=1),
        )
    )
    for session in sessions:
        calendar.add_component(session_event(forum=forum, session=session, absolute_url=absolute_url))
    return calendar


@never_cache
@login_required
@require_safe
def registration_ics(request: HttpRequest, public_id: str) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, public_id=public_id)
    forum = registration.forum
    confirmed = SessionSignup.objects.filter(registration=registration, status=SignupStatus.CONFIRMED)
    sessions = session_list_for_programme(forum=forum).filter(
        Q(requires_signup=False) | Q(pk__in=confirmed.values("session_id"))
    )
    calendar = personal_calendar(
        registration=registration, sessions=sessions, absolute_url=request.build_absolute_uri
    )
    return HttpResponse(
        calendar.to_ical(),
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=f"{forum.slug}-my-programme.ics"
            )
        },
    )
