"""Account emails (``delegates/mail/account_adapter.py``): allauth's messages — here the address
verification at sign-up — are written to the outbox and sent by the worker like registration emails."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from delegates.enums import EmailKind, OutboxStatus
from delegates.models import EmailOutbox

pytestmark = pytest.mark.django_db


def test_account_emails_go_through_the_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.mayor@city.example.org",
                "password1": "a long passphrase 42",
                "password2": "a long passphrase 42",
            },
        )

    assert response.status_code == 302
    row = EmailOutbox.objects.get(kind=EmailKind.ACCOUNT)
    assert (row.to, row.status, row.attempts, row.registration_id) == (
        "new.mayor@city.example.org",
        OutboxStatus.SENT,
        1,
        None,
    )
    assert row.subject.startswith("[AMF Events] ")
    [message] = mail.outbox
    assert (message.to, message.subject) == (["new.mayor@city.example.org"], row.subject)
    assert re.search(r"http://testserver/accounts/confirm-email/[^/\s]+/", message.body)
