"""Invitations through their services: the email with the personal link (through the outbox, read back
from the mailbox), only the token's hash stored, used once inside the registration's transaction —
also when two submits race on real threads — revoked, sent again with a new link."""

import hashlib

import pytest
from django.core import mail

from delegates.enums import EmailKind, InvitationStatus, OutboxStatus, RegistrationStatus
from delegates.invitations.services import (
    InvitationError,
    Invitee,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from delegates.models import EmailOutbox, Invitation, Registration
from delegates.registration.forms import RegistrationForm
from delegates.registration.selectors import category_list_public
from delegates.registration.services import InvitationRequired, InvitationUnavailable, registration_submit
from tests.delegates.registration.concurrency import run_together
from tests.delegates.registration.submissions import delegate_data, valid_data

pytestmark = pytest.mark.django_db


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_an_invitation_emails_a_personal_link_whose_token_only_the_email_knows(
    invite, invited_mayors, settings
):
    settings.SITE_URL = "https://events.example.org"
    invited_mayors.forum.secretariat_email = "amf2031@uclg-aspac.example.org"
    invited_mayors.forum.save()
    invitation, link = invite(invited_mayors)

    message = mail.outbox[-1]
    assert message.to == ["sok.vibol@phnompenh.example.org"]
    assert message.subject == "Invitation to register: ASEAN Mayors Forum 2031"
    assert message.reply_to == ["amf2031@uclg-aspac.example.org"]
    assert "Dear Sok Vibol," in message.body
    assert "“Mayor / Governor — by invitation”" in message.body
    assert link.startswith("https://events.example.org/invitations/")
    token = token_of(link)
    assert len(token) >= 43  # 32 random bytes: 256 bits
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.status == InvitationStatus.SENT
    assert invitation.sent_at is not None
    row = EmailOutbox.objects.get(invitation=invitation)
    assert (row.kind, row.status, row.to) == (EmailKind.INVITATION, OutboxStatus.SENT, invitation.email)
    # The stored copy of what was sent keeps no usable link.
    assert token not in row.body_text
    assert token not in row.body_html
    assert "/invitations/…/" in row.body_text


def test_an_invitation_only_category_is_never_on_the_public_form(open_forum, mayors, invited_mayors):
    assert list(category_list_public(forum=open_forum)) == [mayors]
    form = RegistrationForm(valid_data(invited_mayors), forum=open_forum)
    assert not form.is_valid()
    assert form.errors["category"] == ["Choose one of the categories listed."]


def test_the_category_needs_an_invitation(open_forum, invited_mayors):
    with pytest.raises(InvitationRequired):
        registration_submit(
            forum=open_forum, category=invited_mayors, data=delegate_data(1), registered_by=None
        )
    assert not Registration.objects.exists()


def test_registering_uses_the_invitation_once(
    invite, invited_mayors, open_forum, django_capture_on_commit_callbacks
):
    invitation, _link = invite(invited_mayors)
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_submit(
            forum=open_forum,
            category=invited_mayors,
            data=delegate_data(1, email=invitation.email),
            registered_by=None,
            invitation=invitation,
        )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.registration) == (InvitationStatus.USED, registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.is_head_of_local_government is True
    assert mail.outbox[-1].subject == "Registration confirmed: ASEAN Mayors Forum 2031"

    with pytest.raises(InvitationUnavailable, match="already been used"):
        registration_submit(
            forum=open_forum,
            category=invited_mayors,
            data=delegate_data(2),
            registered_by=None,
            invitation=invitation,
        )
    assert Registration.objects.count() == 1


def test_an_invitation_registers_only_in_its_own_category(invite, invited_mayors, open_forum, mayors):
    invitation, _link = invite(invited_mayors)
    with pytest.raises(InvitationUnavailable, match="another delegate category"):
        registration_submit(
            forum=open_forum,
            category=mayors,
            data=delegate_data(1),
            registered_by=None,
            invitation=invitation,
        )


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_invitation_at_once_make_one_registration(invite, invited_mayors, open_forum):
    invitation, _link = invite(invited_mayors)

    results, errors = run_together(
        2,
        lambda i: registration_submit(
            forum=open_forum,
            category=invited_mayors,
            data=delegate_data(100 + i),
            registered_by=None,
            invitation=Invitation.objects.get(pk=invitation.pk),
        ),
    )

    assert [type(error) for error in errors] == [InvitationUnavailable]
    assert "already been used" in str(errors[0])
    made = [result for result in results if result is not None]
    assert len(made) == 1
    assert list(Registration.objects.values_list("pk", flat=True)) == [made[0].pk]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.registration_id) == (InvitationStatus.USED, made[0].pk)


def test_a_revoked_invitation_registers_nobody(invite, invited_mayors, open_forum, registrar):
    invitation, _link = invite(invited_mayors)
    invitation_revoke(invitation=invitation, actor=registrar)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.revoked_by == registrar
    with pytest.raises(InvitationUnavailable, match="withdrawn"):
        registration_submit(
            forum=open_forum,
            category=invited_mayors,
            data=delegate_data(1),
            registered_by=None,
            invitation=invitation,
        )
    with pytest.raises(InvitationError):
        invitation_revoke(invitation=invitation, actor=registrar)
    with pytest.raises(InvitationError):
        invitation_resend(invitation=invitation, actor=registrar)


def test_revoking_before_the_email_went_keeps_it_from_going(invited_mayors, registrar):
    # No on-commit callbacks run here: the email is still waiting in the outbox.
    invitation = invitation_create(
        forum=invited_mayors.forum,
        invitee=Invitee(category=invited_mayors, name="Sok Vibol", email="sok@example.org"),
        actor=registrar,
    )
    invitation_revoke(invitation=invitation, actor=registrar)
    row = EmailOutbox.objects.get(invitation=invitation)
    assert (row.status, row.note) == (OutboxStatus.SKIPPED, "The invitation was revoked.")


def test_sending_again_makes_a_new_link_and_the_old_one_stops(
    invite, invited_mayors, registrar, django_capture_on_commit_callbacks
):
    invitation, first = invite(invited_mayors)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=registrar)
    from tests.delegates.invitations.conftest import link_in

    second = link_in(mail.outbox[-1])
    assert second != first
    invitation.refresh_from_db()
    assert invitation.times_sent == 2
    assert invitation.status == InvitationStatus.SENT
    assert invitation.token_hash == hashlib.sha256(token_of(second).encode()).hexdigest()
    assert EmailOutbox.objects.filter(invitation=invitation, status=OutboxStatus.SENT).count() == 2


def test_an_address_is_invited_once_and_not_when_registered(
    invite, invited_mayors, register, mayors, registrar
):
    invite(invited_mayors, email="Sok.Vibol@PhnomPenh.example.org")
    with pytest.raises(InvitationError, match="already has an invitation"):
        invitation_create(
            forum=invited_mayors.forum,
            invitee=Invitee(category=invited_mayors, name="Sok", email="sok.vibol@phnompenh.example.org"),
            actor=registrar,
        )
    registered = register(invited_mayors.forum, mayors, 7)
    with pytest.raises(InvitationError, match="already registered"):
        invitation_create(
            forum=invited_mayors.forum,
            invitee=Invitee(category=invited_mayors, name="Seven", email=registered.email.upper()),
            actor=registrar,
        )


def test_only_an_invitation_only_category_of_the_forum_is_invited_to(mayors, registrar):
    with pytest.raises(InvitationError, match="by invitation only"):
        invitation_create(
            forum=mayors.forum,
            invitee=Invitee(category=mayors, name="Sok", email="sok@example.org"),
            actor=registrar,
        )
