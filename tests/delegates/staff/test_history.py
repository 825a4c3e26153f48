"""Who changed what on a registration, a category or a forum shows on its admin history page: the
changes made in the admin (Django's own log) and those made through the services elsewhere."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from delegates.registration.corrections import registration_correct
from delegates.registration.services import registration_approve, registration_cancel, registration_update
from delegates.staff.history import SYSTEM_USERNAME
from tests.delegates.accounts import verified_user
from tests.delegates.registration.admin_pages import form_data
from tests.factories import DelegateCategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def history(client, obj) -> str:
    meta = type(obj)._meta
    response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk]))
    assert response.status_code == 200
    return response.content.decode()


def messages(obj) -> list[tuple[str, str]]:
    entries = LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=type(obj)._meta.model_name)
    return [(entry.user.username, entry.change_message) for entry in entries.order_by("pk")]


def test_a_delegates_own_edit_names_the_fields_and_hides_contact_values(
    admin_client, open_forum, mayors, register
):
    delegate = verified_user("somchai@bangkok.example.org")
    registration = register(open_forum, mayors, 1, email="somchai@bangkok.example.org")

    registration_update(
        registration=registration,
        data={"given_name": "Somchai", "phone": "+66 2 999 0101"},
        actor=delegate,
    )

    assert messages(registration)[-1] == (
        SYSTEM_USERNAME,
        "Changed Given name: Somchai; Mobile phone. By the delegate.",
    )
    page = history(admin_client, registration)
    assert "Changed Given name: Somchai; Mobile phone. By the delegate." in page
    assert "999 0101" not in page
    assert "somchai@bangkok.example.org" not in page


def test_staff_approval_and_a_promotion_from_the_waitlist_say_who(open_forum, partners, register, staff):
    partners.capacity = 1
    partners.save()
    first = register(open_forum, partners, 2)
    second = register(open_forum, partners, 3)
    registration_approve(registration=first, actor=staff)
    registration_approve(registration=second, actor=staff)  # the category is full: waitlisted

    registration_cancel(registration=first, actor=staff, reason="Not coming")

    assert messages(first) == [
        (SYSTEM_USERNAME, "Status: — → Pending approval. By the delegate."),
        ("secretariat", "Status: Pending approval → Confirmed."),
        ("secretariat", "Status: Confirmed → Cancelled."),
    ]
    assert messages(second) == [
        (SYSTEM_USERNAME, "Status: — → Pending approval. By the delegate."),
        ("secretariat", "Status: Pending approval → Waitlisted."),
        (SYSTEM_USERNAME, "Status: Waitlisted → Confirmed. By the system."),
    ]


def test_a_correction_names_the_email_change_without_the_addresses(
    open_forum, mayors, register, staff, client
):
    registration = register(open_forum, mayors, 4)
    other = DelegateCategoryFactory(forum=open_forum, name="City official", slug="official")

    registration_correct(
        registration=registration, actor=staff, category=other, email="new.address@city4.example.org"
    )

    assert messages(registration)[-1] == (
        "secretariat",
        "Changed Category: City official; Delegate's email; Delegate account.",
    )
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = history(client, registration)
    assert "Changed Category: City official; Delegate&#x27;s email; Delegate account." in page
    assert "new.address@city4.example.org" not in page


def test_a_correction_saved_in_the_admin_is_one_entry(admin_client, admin_user, open_forum, mayors, register):
    registration = register(open_forum, mayors, 5)
    url = reverse("admin:delegates_registration_change", args=[registration.pk])
    data = form_data(admin_client.get(url))
    data.update({"email": "corrected.address@city5.example.org", "change_note": "Typo in the address."})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert messages(registration)[-1] == (admin_user.username, "Changed Delegate's email; Delegate account.")
    assert len([m for m in messages(registration) if m[0] == admin_user.username]) == 1


def test_a_category_edited_in_the_admin_shows_who_changed_its_capacity(
    admin_client, admin_user, open_forum, mayors
):
    url = reverse("admin:delegates_delegatecategory_change", args=[mayors.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"capacity": "40", "forum": open_forum.pk})

    admin_client.post(url, data)

    page = history(admin_client, mayors)
    assert messages(mayors)[-1][0] == admin_user.username
    assert "Changed Capacity." in page


def test_the_system_account_cannot_sign_in(open_forum, mayors, register):
    register(open_forum, mayors, 5)

    system = UserFactory._meta.model.objects.get(username=SYSTEM_USERNAME)

    assert (system.is_active, system.has_usable_password(), system.is_staff) == (False, False, False)
