"""The forum's and sessions' admin pages as the delegates app extends them
(``delegates/registration/admin_capacity.py``): places added to the forum, to a session in the forum's
inline or on the session's own page go to the waitlists at once, and staff are told who got one."""

import pytest
from django.contrib import admin
from django.urls import reverse

from delegates.enums import EmailKind, RegistrationStatus, SignupStatus
from delegates.models import Registration, SessionSignup
from delegates.registration import admin_capacity
from events.models import Forum, Session
from tests.events.test_admin import form_data

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def change_url(obj) -> str:
    return reverse(f"admin:events_{obj._meta.model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def status(registration) -> str:
    return Registration.objects.values_list("status", flat=True).get(pk=registration.pk)


def test_the_forum_and_session_pages_are_the_delegates_subclasses():
    # With the staff roles' mixin in front of them (delegates/staff/admin_roles.py).
    assert isinstance(admin.site._registry[Forum], admin_capacity.ForumAdmin)
    assert isinstance(admin.site._registry[Session], admin_capacity.SessionAdmin)


def test_raising_the_forums_capacity_promotes_the_waitlist(admin_client, open_forum, mayors, register):
    open_forum.capacity = 1
    open_forum.save()
    register(open_forum, mayors, 1)
    first, second = register(open_forum, mayors, 2), register(open_forum, mayors, 3)
    url = change_url(open_forum)
    data = form_data(admin_client.get(url), "forum_form")
    assert data["capacity"] == "1"

    response = admin_client.post(url, {**data, "capacity": "2", "_save": "1"}, follow=True)

    assert response.redirect_chain[-1][1] == 302
    assert (
        messages_of(response)[-1] == f"1 delegate promoted from the waitlist and emailed ({first.reference})."
    )
    assert (status(first), status(second)) == (CONFIRMED, WAITLISTED)
    assert list(first.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.WAITLISTED,
        EmailKind.PROMOTED,
    ]


def test_raising_a_sessions_capacity_in_the_forums_inline_seats_waiting_delegates(
    admin_client, open_forum, mayors, site_visit, register
):
    for n in range(2):
        register(open_forum, mayors, n, sessions=[site_visit])
    waiting = register(open_forum, mayors, 2, sessions=[site_visit])
    url = change_url(open_forum)
    data = form_data(admin_client.get(url), "forum_form")
    row = next(key for key, value in data.items() if key.endswith("-id") and value == str(site_visit.pk))
    prefix = row.removesuffix("-id")
    assert data[f"{prefix}-capacity"] == "2"

    response = admin_client.post(url, {**data, f"{prefix}-capacity": "3", "_save": "1"}, follow=True)

    assert messages_of(response)[-1] == "1 session place given to a waiting delegate, who was emailed."
    assert SessionSignup.objects.get(registration=waiting).status == SignupStatus.CONFIRMED
    assert list(waiting.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.CONFIRMED,
        EmailKind.CHANGED,
    ]


def test_raising_capacity_on_the_sessions_page_seats_waiting_delegates(
    admin_client, open_forum, mayors, site_visit, register
):
    for n in range(2):
        register(open_forum, mayors, n, sessions=[site_visit])
    waiting = [register(open_forum, mayors, n, sessions=[site_visit]) for n in (2, 3, 4)]
    url = change_url(site_visit)
    data = form_data(admin_client.get(url), "session_form")

    response = admin_client.post(url, {**data, "capacity": "", "_save": "1"}, follow=True)  # no limit

    assert messages_of(response)[-1] == "3 session places given to waiting delegates, who were emailed."
    assert set(SessionSignup.objects.filter(registration__in=waiting).values_list("status", flat=True)) == {
        SignupStatus.CONFIRMED
    }
    site_visit.refresh_from_db()
    assert site_visit.capacity is None


def test_a_forum_form_with_errors_changes_nothing(admin_client, open_forum, mayors, register):
    open_forum.capacity = 1
    open_forum.save()
    register(open_forum, mayors, 1)
    waiting = register(open_forum, mayors, 2)
    url = change_url(open_forum)
    data = form_data(admin_client.get(url), "forum_form")

    response = admin_client.post(url, {**data, "capacity": "2", "end_date": "2030-10-01", "_save": "1"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end_date"] == [
        "The last day cannot be before the first day."
    ]
    open_forum.refresh_from_db()
    assert open_forum.capacity == 1
    assert status(waiting) == WAITLISTED
