"""An email staff write to a selection of delegates, end to end with real parts: the admin's pages, a
Redis broker, a Celery worker in its own process, and an SMTP server (aiosmtpd). "Send" pressed twice
(a double submit) still delivers exactly one copy to each recipient, with their placeholders filled;
the HTML part, opened in chromium at phone width, fits the screen."""

import os
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from delegates.enums import OutboxStatus, RegistrationStatus
from delegates.models import EmailOutbox, StaffEmail
from delegates.permissions import REGISTRARS
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory
from tests.integration.workers import (
    CeleryWorker,
    SmtpServer,
    empty_redis_database,
    use_broker,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHANGELIST = reverse("admin:delegates_registration_changelist")
DELEGATES = {
    "TH01-0001": ("สมชาย", "ใจดี", "given_first", "somchai@bangkok.example.org"),
    "KH01-0002": ("Sopheaktra", "Chan", "family_first", "sopheaktra@phnompenh.example.org"),
    "VN01-0003": ("Văn An", "Nguyễn", "family_first", "an@hanoi.example.org"),
}
BODY = "Dear {full_name},\n\nA car waits for you at the airport.\nYour registration: {registration_link}"


@pytest.fixture
def redis_url():
    with empty_redis_database(int(os.environ.get("AMF_TEST_REDIS_DB", "11"))) as url:
        yield url


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, redis_url, smtp_server, tmp_path):
    env = worker_env(redis_url=redis_url, email_url=smtp_server.url, workdir=tmp_path,
                     SITE_URL="https://events.example.org")  # fmt: skip
    process = CeleryWorker(env=env, workdir=tmp_path).start()
    yield process
    process.stop()


def test_a_staff_email_to_a_selection_arrives_once_per_delegate_with_its_placeholders(
    client, settings, redis_url, smtp_server, worker, tmp_path
):
    settings.SITE_URL = "https://events.example.org"
    forum = ForumFactory(
        name="ASEAN Mayors Forum 2031", slug="amf-2031", secretariat_email="amf@uclg-aspac.org"
    )
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    delegates = {
        reference: RegistrationFactory(category=mayors, reference=reference, given_name=given,
                                       family_name=family, name_order=order, email=email, honorific="H.E.")
        for reference, (given, family, order, email) in DELEGATES.items()
    }  # fmt: skip
    RegistrationFactory(category=mayors, country="TH", status=RegistrationStatus.CANCELLED)
    registrar = UserFactory(username="registrar", is_staff=True)
    registrar.groups.add(Group.objects.get(name=REGISTRARS))
    client.force_login(registrar)
    listing = f"{CHANGELIST}?forum__id__exact={forum.pk}&country=TH"
    selection = {
        "action": "email_selected",
        "select_across": "1",
        "_selected_action": [delegates["TH01-0001"].pk],
    }
    client.post(listing, {
        **selection, "confirm_action": "Preview", "subject": "Your airport transfer, {name} ({reference})",
        "body": BODY,
    })  # fmt: skip
    staff_email = StaffEmail.objects.get()
    send = reverse("admin:delegates_staffemail_send", args=[staff_email.pk])

    with use_broker(redis_url):
        first = client.post(send)
        second = client.post(send, follow=True)  # pressed again before the page changed

    assert first.status_code == 302
    assert "This email was already sent, by registrar at" in second.content.decode()
    wait_for(lambda: len(smtp_server.received) >= 3, timeout=60, what="three emails at the SMTP server",
             log=worker.log)  # fmt: skip
    rows = EmailOutbox.objects.filter(staff_email=staff_email)
    wait_for(lambda: all(row.status == OutboxStatus.SENT for row in rows.all()), timeout=20, what="rows sent")
    assert rows.count() == 3
    # Every row is sent, and nothing more arrived: one copy each.
    assert sorted(item.rcpt_tos[0] for item in smtp_server.received) == sorted(
        d[3] for d in DELEGATES.values()
    )
    by_address = {item.rcpt_tos[0]: item.message for item in smtp_server.received}
    for reference, registration in delegates.items():
        message = by_address[registration.email]
        name = registration.display_name.removeprefix("H.E. ")
        assert message["Subject"] == f"Your airport transfer, {name} ({reference})"
        assert message["Message-ID"] == rows.get(registration=registration).message_id
        assert message["Reply-To"] == "amf@uclg-aspac.org"
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        link = f"https://events.example.org/my/registrations/{registration.public_id}/"
        assert text.startswith(f"Dear {registration.display_name},\n\nA car waits for you at the airport.\n"
                               f"Your registration: {link}\n")  # fmt: skip
        html = message.get_body(("html",)).get_content()
        assert f'<a href="{link}" rel="nofollow">{link}</a>' in html
    assert "Nguyễn Văn An" in by_address["an@hanoi.example.org"]["Subject"]

    from tests.browser.email_view import email_screenshot  # chromium only where it is needed

    html = by_address["somchai@bangkok.example.org"].get_body(("html",)).get_content()
    overflow = email_screenshot(html, tmp_path / "staff-email-360.png", width=360)
    assert overflow <= 0
    assert re.search(r"สมชาย ใจดี", html)
