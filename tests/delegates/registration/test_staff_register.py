"""Staff register a delegate from the admin ("Register a delegate"): the public form's fields and
checks, every category of the forum, the same service and emails, capacity as the public flow (told
when the delegate is waitlisted), also outside the registration window; Registrars and Forum
administrators only, on their own forums."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from delegates.enums import RegistrationStatus
from delegates.models import Registration, StaffForumAccess
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS
from tests.delegates.registration.submissions import form_data
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("admin:delegates_registration_register")


def staff_in(group: str, username: str):
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def registrar():
    return staff_in(REGISTRARS, "registrar")


@pytest.fixture
def secretariat(forum):
    """Staff-only: never on the public form."""
    return DelegateCategoryFactory(forum=forum, name="Secretariat", slug="secretariat", is_public=False)


@pytest.fixture
def invited(forum):
    return DelegateCategoryFactory(
        forum=forum, name="Mayor — by invitation", slug="invited", by_invitation=True
    )


def url(forum) -> str:
    return f"{REGISTER}?forum={forum.pk}"


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("group", "status"),
    [(REGISTRARS, 200), (FORUM_ADMINISTRATORS, 200), (BADGE_AND_DOOR_TEAM, 403), (READ_ONLY, 403)],
)
def test_who_may_register_a_delegate(forum, mayors, group, status):
    client = signed_in(staff_in(group, "someone"))
    assert client.get(url(forum)).status_code == status
    assert client.get(REGISTER).status_code == status
    posted = client.post(url(forum), form_data(mayors))
    assert posted.status_code == (302 if status == 200 else 403)
    assert Registration.objects.count() == (1 if status == 200 else 0)


def test_a_delegate_or_anonymous_visitor_may_not(forum, mayors):
    assert Client().get(url(forum))["Location"].startswith(reverse("admin:login"))
    assert signed_in(UserFactory()).get(url(forum)).status_code == 404


def test_the_list_offers_the_button_to_those_who_may(forum, registrar):
    listing = signed_in(registrar).get(
        reverse("admin:delegates_registration_changelist"), {"forum__id__exact": forum.pk}
    )
    assert f'href="{REGISTER}?forum={forum.pk}">Register a delegate</a>' in listing.content.decode()
    door = signed_in(staff_in(BADGE_AND_DOOR_TEAM, "door")).get(
        reverse("admin:delegates_registration_changelist")
    )
    assert "Register a delegate" not in door.content.decode()


def test_every_category_of_the_forum_is_offered(forum, registrar, mayors, secretariat, invited):
    form = signed_in(registrar).get(url(forum)).context["form"]
    assert list(form.fields["category"].queryset) == sorted(
        [mayors, secretariat, invited], key=lambda c: (c.protocol_rank, c.name)
    )


@pytest.mark.parametrize("which", ["secretariat", "invited"])
def test_staff_register_in_a_staff_only_or_invitation_only_category_with_the_emails(
    request, forum, registrar, which, django_capture_on_commit_callbacks
):
    category = request.getfixturevalue(which)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(registrar).post(url(forum), form_data(category))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delegates_registration_change", args=[registration.pk])
    assert (registration.category, registration.status, registration.registered_by) == (
        category,
        RegistrationStatus.CONFIRMED,
        registrar,
    )
    assert (registration.native_name, registration.native_name_lang) == ("សុខ វិបុល", "km")
    assert message_texts(response) == [
        f"H.E. Sok Vibol is registered and confirmed (reference {registration.reference}). "
        "We have written to governor@phnompenh.example.org."
    ]
    (email,) = mail.outbox
    assert (email.subject, email.to, email.cc) == (
        "Registration confirmed: ASEAN Mayors Forum 2031",
        ["governor@phnompenh.example.org"],
        ["registrar@uclg-aspac.example.org"],
    )


def test_a_full_category_waitlists_the_delegate_and_staff_are_told(
    forum, registrar, register, django_capture_on_commit_callbacks
):
    full = DelegateCategoryFactory(forum=forum, name="Full", slug="full", capacity=1)
    register(forum, full, 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(registrar).post(url(forum), form_data(full))

    registration = Registration.objects.get(email="governor@phnompenh.example.org")
    assert registration.status == RegistrationStatus.WAITLISTED
    assert message_texts(response) == [
        "The category or the forum is full: H.E. Sok Vibol is on the waitlist "
        f"(reference {registration.reference}) and moves up when a place frees. "
        "We have written to governor@phnompenh.example.org."
    ]
    assert mail.outbox[-1].subject == "You are on the waitlist: ASEAN Mayors Forum 2031"


def test_staff_register_a_walk_in_after_registration_closed(forum, mayors, registrar):
    forum.registration_closes_at = timezone.now() - dt.timedelta(hours=1)
    forum.save()
    response = signed_in(registrar).post(url(forum), form_data(mayors))
    assert response.status_code == 302
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_the_form_checks_as_the_public_form_does(forum, mayors, registrar, register):
    client = signed_in(registrar)
    invalid = client.post(url(forum), form_data(mayors, given_name="", phone="012"))
    assert invalid.status_code == 200
    assert invalid.context["form"].errors["given_name"] == ["Enter the delegate's given name."]
    assert "phone" in invalid.context["form"].errors
    taken = register(forum, mayors, 3)
    duplicate = client.post(url(forum), form_data(mayors, email=taken.email))
    assert duplicate.context["form"].errors["email"] == [
        f"This email address is already registered for this forum (reference {taken.reference}, Confirmed)."
    ]
    assert Registration.objects.count() == 1


def test_staff_limited_to_a_forum_register_for_it_only(forum, mayors, registrar):
    other = ForumFactory(name="Other forum")
    StaffForumAccess.objects.create(user=registrar).forums.set([forum])
    client = signed_in(registrar)
    assert client.get(f"{REGISTER}?forum={other.pk}").status_code == 404
    assert client.get(f"{REGISTER}?forum=nonsense").status_code == 404
    picker = client.get(REGISTER)
    assert list(picker.context["forums"]) == [forum]
