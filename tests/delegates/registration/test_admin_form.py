"""The registration's change form in the admin (``delegates/registration/admin_form.py``): staff with
the change permission correct the category (among this forum's, with their places), the email address
and the head-of-local-government mark; what the correction service would refuse is said next to the
field with everything typed kept; each correction shows in the registration's history."""

import re

import pytest
from django.urls import reverse

from delegates.enums import EmailKind, RegistrationStatus
from delegates.models import Registration
from tests.delegates.accounts import staff_user
from tests.delegates.registration.admin_pages import form_data, make_category
from tests.factories import DelegateCategoryFactory, ForumFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrar(client):
    user = staff_user("registrar", "view_registration", "change_registration", "view_contact_details")
    client.force_login(user)
    return user


def change_url(registration) -> str:
    return reverse("admin:delegates_registration_change", args=[registration.pk])


def errors_of(response, name: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(name, []))


def test_category_choices_are_this_forums_with_their_places(client, registrar, forum, register):
    heads = make_category(forum, capacity=40, heads_of_local_government=True)
    make_category(forum, name="Secretariat", is_public=False)
    DelegateCategoryFactory(forum=ForumFactory(slug="amf-elsewhere"), name="Elsewhere", slug="elsewhere")
    registration = register(forum, heads, 1)

    page = client.get(change_url(registration))

    field = page.context["adminform"].form.fields["category"]
    assert [label for _value, label in field.choices] == [
        "---------",
        "Mayor / Governor (1 of 40 places confirmed)",
        "Secretariat (0 confirmed, no limit)",
    ]
    for name in ("category", "email", "is_head_of_local_government", "change_note"):
        assert f'name="{name}"' in page.text
    assert 'id="add_id_category"' not in page.text  # categories are edited on their own page
    assert 'id="change_id_category"' not in page.text


def test_moving_to_another_category_is_saved_and_shows_in_the_history(client, registrar, forum, register):
    heads = make_category(forum, heads_of_local_government=True)
    officials = make_category(forum, name="City official")
    registration = register(forum, heads, 1)
    url = change_url(registration)

    response = client.post(
        url,
        {
            **form_data(client.get(url)),
            "category": officials.pk,
            "change_note": "At the delegate's request, by phone.",
            "_save": "1",
        },
    )

    assert response.status_code == 302
    moved = Registration.objects.get(pk=registration.pk)
    assert (moved.category, moved.status, moved.is_head_of_local_government) == (
        officials,
        RegistrationStatus.CONFIRMED,
        False,
    )
    reason = (
        "Category changed from “Mayor / Governor” to “City official”. No longer marked as a head of local "
        "government. At the delegate's request, by phone."
    )
    change = moved.history.order_by("-id").first()
    assert (change.actor, change.reason) == (registrar, reason)
    history = client.get(url)
    inline = next(i for i in history.context["inline_admin_formsets"] if i.formset.prefix == "history")
    assert [c.reason for c in inline.formset.queryset][-1] == reason
    assert "Category changed from “Mayor / Governor” to “City official”." in history.text
    assert moved.emails.filter(kind=EmailKind.CHANGED).count() == 1


def test_a_full_category_is_said_next_to_the_field_and_nothing_typed_is_lost(
    client, registrar, forum, register
):
    heads = make_category(forum, capacity=1)
    officials = make_category(forum, name="City official")
    register(forum, heads, 1)
    registration = register(forum, officials, 2)
    url = change_url(registration)

    response = client.post(
        url,
        {
            **form_data(client.get(url)),
            "category": heads.pk,
            "badge_name": "Somchai Jaidee-Wong",
            "change_note": "Promoted to mayor.",
            "_save": "1",
        },
    )

    assert response.status_code == 200
    assert errors_of(response, "category") == [
        "“Mayor / Governor” is full (all 1 places are confirmed), so this confirmed delegate stays in "
        "“City official”. Raise the capacity of “Mayor / Governor” first, or choose another category."
    ]
    form = response.context["adminform"].form
    assert (form["badge_name"].value(), form["change_note"].value()) == (
        "Somchai Jaidee-Wong",
        "Promoted to mayor.",
    )
    unchanged = Registration.objects.get(pk=registration.pk)
    assert (unchanged.category, unchanged.badge_name) == (officials, "Given2 Family2")
    assert unchanged.history.count() == 1


def test_an_email_another_registration_has_is_said_next_to_the_field(client, registrar, forum, register):
    category = make_category(forum)
    other = register(forum, category, 1, email="mayor@bangkok.example.org")
    registration = register(forum, category, 2)
    url = change_url(registration)

    response = client.post(
        url, {**form_data(client.get(url)), "email": "MAYOR@bangkok.example.org", "_save": "1"}
    )

    assert response.status_code == 200
    assert errors_of(response, "email") == [
        f"This email address is already used by registration {other.reference} (Confirmed) of this forum: "
        "an email address has one registration per forum."
    ]
    assert 'id="id_email"' in response.text
    assert re.search(r'<input type="email" name="email" value="MAYOR@bangkok.example.org"', response.text)
    assert Registration.objects.get(pk=registration.pk).email == "mayor2@city2.example.org"


def test_staff_change_the_email_and_the_delegate_is_told_at_the_new_address(
    client, registrar, forum, register
):
    registration = register(forum, make_category(forum), 1)
    url = change_url(registration)

    response = client.post(
        url, {**form_data(client.get(url)), "email": "sok.vibol@phnompenh.gov.kh", "_save": "1"}
    )

    assert response.status_code == 302
    corrected = Registration.objects.get(pk=registration.pk)
    assert corrected.email == "sok.vibol@phnompenh.gov.kh"
    assert list(corrected.emails.order_by("id").values_list("kind", "to")) == [
        (EmailKind.CONFIRMED, "mayor1@city1.example.org"),
        (EmailKind.CHANGED, "sok.vibol@phnompenh.gov.kh"),
    ]


def test_staff_mark_a_head_of_local_government_in_the_form(client, registrar, forum, register):
    registration = register(forum, make_category(forum, name="City official"), 1)
    url = change_url(registration)

    response = client.post(
        url, {**form_data(client.get(url)), "is_head_of_local_government": "on", "_save": "1"}
    )

    assert response.status_code == 302
    marked = Registration.objects.get(pk=registration.pk)
    assert marked.is_head_of_local_government is True
    assert marked.history.order_by("-id").first().reason == "Marked as a head of local government."


def test_a_note_alone_is_refused_with_a_message(client, registrar, forum, register):
    registration = register(forum, make_category(forum), 1)
    url = change_url(registration)

    response = client.post(url, {**form_data(client.get(url)), "change_note": "Called.", "_save": "1"})

    assert response.status_code == 200
    assert errors_of(response, "change_note") == [
        "A note is kept with a correction; nothing else was changed."
    ]
    assert Registration.objects.get(pk=registration.pk).history.count() == 1
