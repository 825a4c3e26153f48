"""The personal link of an invitation, as the invitee meets it: the registration form filled in and
bound to the invitation's category, the registration and its emails, and the pages of a link that was
used, revoked, replaced or never existed."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from delegates.enums import InvitationStatus, RegistrationStatus
from delegates.invitations.services import invitation_resend, invitation_revoke
from delegates.models import Registration
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import form_data, page

pytestmark = pytest.mark.django_db


def path_of(link: str) -> str:
    return urlsplit(link).path


@pytest.fixture
def governor():
    """The invitee's own account (the address the invitation was sent to, verified)."""
    return verified_user("sok.vibol@phnompenh.example.org")


def test_the_link_asks_to_sign_in_first(invite, invited_mayors):
    _invitation, link = invite(invited_mayors)
    response = Client().get(path_of(link))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/invitations/")


def test_the_form_is_filled_in_and_bound_to_the_category(client, invite, invited_mayors, mayors, governor):
    _invitation, link = invite(invited_mayors, name="Sok Vibol", position="Governor", city="Phnom Penh")
    client.force_login(governor)

    response = client.get(path_of(link))

    html = page(response)
    assert response.status_code == 200
    assert "Register by invitation" in html
    form = response.context["form"]
    assert {
        name: form[name].value()
        for name in ("given_name", "family_name", "position", "city", "country", "email")
    } == {
        # A Cambodian name, written family name first.
        "given_name": "Vibol",
        "family_name": "Sok",
        "position": "Governor",
        "city": "Phnom Penh",
        "country": "KH",
        "email": "sok.vibol@phnompenh.example.org",
    }
    assert "category" not in form.fields
    assert 'name="category"' not in html  # no choice to make, none to forge
    assert "Mayor / Governor — by invitation" in html
    assert f'value="{mayors.pk}"' not in html
    assert f'action="{path_of(link)}"' in html


def test_registering_through_the_link_uses_the_invitation_and_sends_the_emails(
    client, invite, invited_mayors, mayors, governor, django_capture_on_commit_callbacks
):
    invitation, link = invite(invited_mayors)
    client.force_login(governor)

    # A category posted anyway (another of the forum's) changes nothing.
    data = form_data(mayors, email="sok.vibol@phnompenh.example.org", given_name="Vibol", family_name="Sok")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path_of(link), data)

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/my/registrations/{registration.public_id}/"
    assert (registration.category, registration.status) == (invited_mayors, RegistrationStatus.CONFIRMED)
    assert (registration.native_name, registration.user, registration.registered_by) == (
        "សុខ វិបុល",
        governor,
        governor,
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.registration) == (InvitationStatus.USED, registration)
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["sok.vibol@phnompenh.example.org"]
    assert confirmation.subject == "Registration confirmed: ASEAN Mayors Forum 2031"

    # The same link again, e.g. the form submitted a second time: told clearly, nothing made.
    again = client.post(path_of(link), data)
    assert again.status_code == 410
    assert "This invitation has already been used" in page(again)
    assert Registration.objects.count() == 1


def test_a_second_submit_of_an_open_form_is_told_the_invitation_was_used(
    client, invite, invited_mayors, governor, assistant
):
    """Two tabs opened on the link before either was sent: the later submit is refused by the service
    (the invitation's row lock, in the registration's transaction) and says so."""
    from delegates.registration.services import registration_submit
    from tests.delegates.registration.submissions import delegate_data

    invitation, link = invite(invited_mayors)
    client.force_login(assistant)
    client.get(path_of(link))
    registration_submit(
        forum=invited_mayors.forum,
        category=invited_mayors,
        data=delegate_data(5),
        registered_by=governor,
        invitation=invitation,
    )
    response = client.post(path_of(link), form_data(invited_mayors, email="other@phnompenh.example.org"))
    assert response.status_code == 410
    assert "already been used" in page(response)


def test_a_revoked_link_says_it_was_withdrawn_and_where_to_write(
    client, invite, invited_mayors, governor, registrar
):
    invited_mayors.forum.secretariat_email = "amf2031@uclg-aspac.example.org"
    invited_mayors.forum.save()
    invitation, link = invite(invited_mayors)
    invitation_revoke(invitation=invitation, actor=registrar)

    for browser in (Client(), client):
        client.force_login(governor)
        response = browser.get(path_of(link))
        html = page(response)
        assert response.status_code == 410
        assert "This invitation was withdrawn" in html
        assert 'href="mailto:amf2031@uclg-aspac.example.org"' in html
    response = client.post(path_of(link), form_data(invited_mayors, email=invitation.email))
    assert response.status_code == 410
    assert not Registration.objects.exists()


def test_a_replaced_or_unknown_link_does_not_work(
    client, invite, invited_mayors, governor, registrar, django_capture_on_commit_callbacks
):
    invitation, old = invite(invited_mayors)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=registrar)
    client.force_login(governor)
    for path in (path_of(old), "/invitations/" + "A" * 43 + "/", "/invitations/short/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This invitation link does not work" in page(response)


def test_the_link_of_a_forum_whose_registration_closed_says_so(client, invite, invited_mayors, governor):
    from django.utils import timezone

    _invitation, link = invite(invited_mayors)
    forum = invited_mayors.forum
    forum.registration_closes_at = timezone.now()
    forum.save()
    client.force_login(governor)
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Registration has closed" in page(response)


def test_a_name_is_split_as_it_is_written_in_its_country(invited_mayors):
    from delegates.invitations.forms import invitation_initial
    from delegates.models import Invitation

    def split(name, country):
        initial = invitation_initial(Invitation(forum=invited_mayors.forum, name=name, country=country))
        return initial["given_name"], initial["family_name"]

    assert split("Nguyen Thi Hong Nhung", "VN") == ("Thi Hong Nhung", "Nguyen")
    assert split("Somchai Jaidee", "TH") == ("Somchai", "Jaidee")
    assert split("Ni Made Ayu Sukmawati", "ID") == ("Ni Made Ayu", "Sukmawati")
    assert split("အောင်ကျော်မင်း", "MM") == ("အောင်ကျော်မင်း", "")


def test_an_invitation_revoked_while_the_form_was_open_says_so(
    client, invite, invited_mayors, governor, registrar
):
    invitation, link = invite(invited_mayors)
    client.force_login(governor)
    client.get(path_of(link))
    invitation_revoke(invitation=invitation, actor=registrar)
    response = client.post(path_of(link), form_data(invited_mayors, email=invitation.email))
    assert response.status_code == 410
    assert "This invitation was withdrawn" in page(response)
    assert not Registration.objects.exists()
