"""The approval digest reaches staff at a real SMTP server (aiosmtpd) once per recipient, however
many beat runs see its period."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from delegates.enums import EmailKind, OutboxStatus
from delegates.mail.digest import approval_digest_sweep
from delegates.mail.outbox import outbox_send
from delegates.models import EmailOutbox, Registration
from delegates.permissions import REGISTRARS
from delegates.registration.services import registration_submit
from events.enums import DigestFrequency
from events.formatting import local_datetime
from tests.delegates.registration.submissions import delegate_data
from tests.factories import DelegateCategoryFactory, ForumFactory, UserFactory
from tests.integration.workers import SmtpServer

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Five past the next full hour: the hourly digest then covers what was submitted until the hour.
NOW = timezone.now().replace(minute=5, second=0, microsecond=0) + dt.timedelta(hours=1)


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_the_digest_arrives_once_per_recipient_at_the_smtp_server(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://events.example.org"
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031",
        time_zone="Asia/Bangkok",
        approval_digest=DigestFrequency.HOURLY,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=30),
    )
    partners = DelegateCategoryFactory(forum=forum, name="Partner organisation", requires_approval=True)
    for username in ("registrar", "second.registrar"):
        user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
        user.groups.add(Group.objects.get(name=REGISTRARS))
    registration = registration_submit(
        forum=forum,
        category=partners,
        data=delegate_data(1, given_name="สมชาย", family_name="ใจดี", badge_name="Somchai Jaidee"),
        registered_by=None,
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=NOW - dt.timedelta(minutes=30))

    assert approval_digest_sweep(now=NOW) == 2
    assert approval_digest_sweep(now=NOW + dt.timedelta(minutes=5)) == 0  # the next beat run
    rows = list(EmailOutbox.objects.filter(kind=EmailKind.DIGEST).order_by("to"))
    for row in rows:
        assert outbox_send(outbox_id=row.pk, claimant="test") is True
        assert outbox_send(outbox_id=row.pk, claimant="test") is False  # a duplicated task

    received = sorted(smtp_server.received, key=lambda item: item.rcpt_tos)
    assert [item.rcpt_tos for item in received] == [
        ["registrar@uclg-aspac.example.org"],
        ["second.registrar@uclg-aspac.example.org"],
    ]
    message = received[0].message
    assert message["Subject"] == "1 registration waiting for approval: ASEAN Mayors Forum 2031"
    text = message.get_body(("plain",)).get_content()
    assert f"- {registration.reference}  {registration.display_name} (Partner organisation), " in text
    submitted = NOW - dt.timedelta(minutes=30)
    assert f"registered {local_datetime(submitted, forum, style='short')}" in text
    assert local_datetime(submitted, forum, style="short").endswith(" UTC+7")
    assert registration.email not in text
    assert "Sent to registrar@uclg-aspac.example.org." in text
    assert message.get_body(("html",)).get_content().count(registration.reference) == 1
    assert {row.status for row in EmailOutbox.objects.filter(kind=EmailKind.DIGEST)} == {OutboxStatus.SENT}
