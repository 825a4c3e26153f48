"""What one account may learn of another's registrations through the registration pages: registering
a cancelled delegate's address again makes a new registration (its own reference and history, nobody
sees the other's), and the form does not tell a stranger whether an address is registered — the
rightful accounts and staff are told, a stranger is answered calmly and the address is emailed."""

import html

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth.models import Permission
from django.urls import reverse

from delegates.enums import EmailKind, RegistrationStatus
from delegates.mail.outbox import outbox_render
from delegates.models import EmailOutbox, Registration, StaffForumAccess, StatusChange
from delegates.registration.corrections import registration_correct
from delegates.registration.services import registration_cancel, registration_reject
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import form_data, page, register_url
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db

A_EMAIL = "governor@phnompenh.example.org"
PRIVATE = "PRIVATE: my doctor advised against travelling"


@pytest.fixture
def account_a(user):
    """The delegate's own account (tests/delegates/conftest.py: its address is verified)."""
    return user


@pytest.fixture
def account_b():
    """Any other verified account."""
    return verified_user("stranger@elsewhere.example.org")


def detail_url(registration) -> str:
    return reverse("delegates:registration", args=[registration.public_id])


def cancel(client, registration, reason: str):
    url = reverse("delegates:registration-cancel", args=[registration.public_id])
    response = client.post(url, {"reason": reason}, follow=True)
    assert response.redirect_chain == [(detail_url(registration), 302)]


def register_a(client, category, **overrides) -> Registration:
    response = client.post(register_url(category.forum), form_data(category, **overrides), follow=True)
    assert response.redirect_chain, page(response)  # followed: its message is read on that page
    return Registration.objects.order_by("-id").first()


def visible_text(response) -> str:
    return html.unescape(page(response))


def test_registering_a_cancelled_delegates_address_makes_a_new_registration_without_the_old_history(
    client, open_forum, mayors, account_a, account_b
):
    client.force_login(account_a)
    old = register_a(client, mayors)
    cancel(client, old, PRIVATE)
    client.force_login(account_b)

    response = client.post(
        register_url(open_forum), form_data(mayors, given_name="Bora", badge_name="Sok Bora", allergies="")
    )

    new = Registration.objects.exclude(pk=old.pk).get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(new)
    assert (new.reference, new.public_id) != (old.reference, old.public_id)
    assert (new.status, new.registered_by, new.user) == (RegistrationStatus.CONFIRMED, account_b, account_a)
    assert list(new.history.values_list("from_status", "to_status", "reason")) == [
        ("", RegistrationStatus.CONFIRMED, "")
    ]
    b_page = visible_text(client.get(detail_url(new)))
    assert PRIVATE not in b_page and "Cancelled" not in b_page.split('id="history-title"')[-1]
    assert client.get(detail_url(old)).status_code == 404
    mine = visible_text(client.get(reverse("delegates:my-registrations")))
    assert new.reference in mine and old.reference not in mine
    # The old registration is A's as it was: A's details, A's history, A's reason.
    old.refresh_from_db()
    assert (old.status, old.given_name, old.allergies) == (RegistrationStatus.CANCELLED, "Vibol", "Peanuts")
    assert list(old.history.values_list("to_status", "reason")) == [
        (RegistrationStatus.CONFIRMED, ""),
        (RegistrationStatus.CANCELLED, PRIVATE),
    ]
    client.force_login(account_a)
    a_old = visible_text(client.get(detail_url(old)))
    assert PRIVATE in a_old and "Bora" not in a_old
    # A is the delegate of the new one (it is for A's address), and lists both, the active one first.
    a_list = visible_text(client.get(reverse("delegates:my-registrations")))
    assert a_list.index(new.reference) < a_list.index(old.reference)
    assert PRIVATE not in visible_text(client.get(detail_url(new)))


def test_a_registration_stays_with_its_account_when_the_address_passes_to_another(
    client, open_forum, mayors, account_a
):
    client.force_login(account_a)
    old = register_a(client, mayors)
    cancel(client, old, PRIVATE)
    # A moves to another address; a new account verifies the old one.
    account_a.emailaddress_set.update(email="sok.vibol@phnompenh.gov.kh")
    newcomer = verified_user(A_EMAIL)
    client.force_login(newcomer)

    assert client.get(detail_url(old)).status_code == 404
    assert old.reference not in visible_text(client.get(reverse("delegates:my-registrations")))
    client.force_login(account_a)
    assert client.get(detail_url(old)).status_code == 200


def test_a_stranger_entering_a_registered_address_is_answered_calmly_and_the_address_is_told(
    client, open_forum, mayors, account_a, account_b, django_capture_on_commit_callbacks
):
    client.force_login(account_a)
    existing = register_a(client, mayors)
    client.force_login(account_b)
    before = set(EmailOutbox.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(open_forum), form_data(mayors, given_name="Bora"), follow=True)

    body = visible_text(response)
    assert response.redirect_chain == [(reverse("delegates:my-registrations"), 302)]
    assert f"Thank you. We have written to {A_EMAIL} about the registration for {open_forum.name}." in body
    assert "already registered" not in body and existing.reference not in body
    assert Registration.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.given_name, existing.registered_by, existing.history.count()) == ("Vibol", account_a, 1)
    (notice,) = EmailOutbox.objects.exclude(pk__in=before)
    notice = outbox_render(notice)
    assert (notice.kind, notice.to, notice.cc, notice.registration_id) == (
        EmailKind.ATTEMPT,
        A_EMAIL,
        "",
        existing.pk,
    )
    assert notice.subject == f"Your address was entered on the registration form: {open_forum.name}"
    assert (
        f"Someone signed in to AMF Events as {account_b.email} has just sent the registration form for "
        f"{open_forum.name} with your email address."
    ) in notice.body_text
    assert "We did not tell them whether your address is registered." in notice.body_text
    assert f"Sent to {A_EMAIL}." in notice.body_text


def test_a_stranger_trying_again_the_same_day_sends_no_second_notice(
    client, open_forum, mayors, account_a, account_b
):
    client.force_login(account_a)
    register_a(client, mayors)
    client.force_login(account_b)

    for _attempt in range(3):
        assert client.post(register_url(open_forum), form_data(mayors)).status_code == 302

    assert EmailOutbox.objects.filter(kind=EmailKind.ATTEMPT).count() == 1


def test_a_stranger_cannot_tell_a_rejected_address_either(
    client, open_forum, mayors, account_a, account_b, staff
):
    client.force_login(account_a)
    existing = register_a(client, mayors)
    registration_reject(registration=existing, actor=staff, reason="Not an elected official")
    client.force_login(account_b)

    response = client.post(register_url(open_forum), form_data(mayors), follow=True)

    body = visible_text(response)
    assert f"Thank you. We have written to {A_EMAIL}" in body
    assert "not accept" not in body and "Not an elected official" not in body
    assert Registration.objects.count() == 1
    assert EmailOutbox.objects.filter(kind=EmailKind.ATTEMPT, registration=existing).count() == 1


def test_the_delegate_is_told_their_address_is_registered_with_the_reference(
    client, open_forum, mayors, account_a
):
    client.force_login(account_a)
    existing = register_a(client, mayors)

    response = client.post(register_url(open_forum), form_data(mayors, given_name="Sokha"))

    assert response.status_code == 200
    assert (
        "This email address is already registered for this forum "
        f"(reference {existing.reference}, Confirmed)." in visible_text(response)
    )
    assert not EmailOutbox.objects.filter(kind=EmailKind.ATTEMPT).exists()


def test_the_delegate_is_told_a_rejection_stands(client, open_forum, mayors, account_a, staff):
    client.force_login(account_a)
    existing = register_a(client, mayors)
    registration_reject(registration=existing, actor=staff, reason="Not an elected official")

    response = client.post(register_url(open_forum), form_data(mayors))

    assert response.status_code == 200
    assert (
        "The secretariat did not accept the registration of this email address for this forum "
        f"(reference {existing.reference}). Please write to the secretariat to register again."
    ) in visible_text(response)
    assert Registration.objects.count() == 1


def test_whoever_registered_the_delegate_is_told(client, open_forum, mayors, assistant):
    client.force_login(assistant)
    existing = register_a(client, mayors)

    response = client.post(register_url(open_forum), form_data(mayors))

    assert response.status_code == 200
    assert f"(reference {existing.reference}, Confirmed)" in visible_text(response)


def staff_viewer(email: str, *, forums=()):
    member = UserFactory(username=email, email=email, is_staff=True)
    member.user_permissions.set(Permission.objects.filter(codename="view_registration"))
    if forums:
        StaffForumAccess.objects.create(user=member).forums.set(forums)
    return member


def test_staff_who_may_view_the_forums_registrations_are_told(client, open_forum, mayors, account_a):
    client.force_login(account_a)
    existing = register_a(client, mayors)
    client.force_login(staff_viewer("registrar@uclg-aspac.example.org"))

    response = client.post(register_url(open_forum), form_data(mayors))

    assert response.status_code == 200
    assert f"(reference {existing.reference}, Confirmed)" in visible_text(response)


def test_staff_of_another_forum_are_strangers_here(client, open_forum, mayors, account_a):
    client.force_login(account_a)
    register_a(client, mayors)
    client.force_login(staff_viewer("elsewhere@uclg-aspac.example.org", forums=[ForumFactory()]))

    response = client.post(register_url(open_forum), form_data(mayors), follow=True)

    assert "already registered" not in visible_text(response)
    assert EmailOutbox.objects.filter(kind=EmailKind.ATTEMPT).count() == 1


def test_history_of_a_new_registration_never_includes_the_cancelled_ones(open_forum, mayors, register):
    first = register(open_forum, mayors, 1)
    registration_cancel(registration=first, actor=None, reason=PRIVATE)
    second = register(open_forum, mayors, 1)

    assert list(StatusChange.objects.filter(registration=second).values_list("reason", flat=True)) == [""]
    assert StatusChange.objects.filter(reason=PRIVATE).get().registration_id == first.pk


def test_verifying_an_address_makes_the_registrations_made_for_it_the_accounts_own(
    client, open_forum, mayors, assistant
):
    client.force_login(assistant)
    made_for = register_a(client, mayors, email="new.mayor@city.example.org")
    assert made_for.user is None  # no account had the address
    mayor = UserFactory(username="new.mayor@city.example.org", email="new.mayor@city.example.org")
    address = EmailAddress.objects.create(user=mayor, email=mayor.email, verified=False, primary=True)
    client.force_login(mayor)

    response = client.post(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))

    assert response.status_code == 302
    made_for.refresh_from_db()
    assert made_for.user == mayor
    # The address passes to another account later: the registration stays with the mayor's.
    address.delete()
    client.force_login(verified_user("new.mayor@city.example.org", username="newcomer"))
    assert client.get(detail_url(made_for)).status_code == 404


def test_a_staff_correction_of_the_address_gives_the_registration_to_the_new_addresss_account(
    client, open_forum, mayors, account_a, account_b, staff
):
    client.force_login(account_a)
    registration = register_a(client, mayors)

    registration_correct(registration=registration, actor=staff, email=account_b.email)

    registration.refresh_from_db()
    assert (registration.user, registration.registered_by) == (account_b, account_a)
    client.force_login(account_b)
    assert client.get(detail_url(registration)).status_code == 200
    outsider = verified_user("outsider@elsewhere.example.org")
    client.force_login(outsider)
    assert client.get(detail_url(registration)).status_code == 404


def test_staff_who_may_add_registrations_register_a_rejected_delegate_after_all(
    client, open_forum, mayors, account_a, staff
):
    client.force_login(account_a)
    rejected = register_a(client, mayors)
    registration_reject(registration=rejected, actor=staff, reason="Not an elected official")
    registrar = staff_viewer("registrar@uclg-aspac.example.org")
    registrar.user_permissions.add(Permission.objects.get(codename="add_registration"))
    client.force_login(registrar)

    again = register_a(client, mayors)

    assert again.pk != rejected.pk
    assert (again.status, again.user, again.registered_by) == (
        RegistrationStatus.CONFIRMED,
        account_a,
        registrar,
    )
    rejected.refresh_from_db()
    assert rejected.status == RegistrationStatus.REJECTED
