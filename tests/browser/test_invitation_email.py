"""The invitation email as an invitee reads it on a phone: its HTML part, for a forum named in Khmer,
opened in chromium at 360 px. Nothing scrolls sideways, the one link is a button with words, the
personal link also stands as text to copy, and axe-core finds no serious or critical violation."""

import pytest
from django.core import mail

from amf.celery import app as celery_app
from delegates.invitations.services import Invitee, invitation_create
from tests.browser.test_emails import read_on_a_phone
from tests.delegates.mail.every_email import FORUM_NAMES
from tests.factories import DelegateCategoryFactory, ForumFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_the_invitation_email_reads_well_on_a_phone(
    phone_page, axe_check, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://events.example.org"
    forum = ForumFactory(
        name=FORUM_NAMES["km"], slug="amf-2031", secretariat_email="amf@uclg-aspac.example.org"
    )
    category = DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor — by invitation", by_invitation=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            forum=forum,
            invitee=Invitee(
                category=category, name="សុខវិបុលសម្តេចព្រះមហាក្សត្រនរោត្តម", email="sok@phnompenh.example.org"
            ),
            actor=None,
        )
    [(html, _mimetype)] = mail.outbox[-1].alternatives
    page = phone_page

    links = read_on_a_phone(page, html, axe_check)

    assert page.locator("h1").inner_text() == FORUM_NAMES["km"]
    # The button, then the secretariat's address in the signature.
    assert [link["text"] for link in links] == ["Register now", "amf@uclg-aspac.example.org"]
    assert links[0]["href"].startswith("https://events.example.org/invitations/")
    assert links[0]["href"] in page.locator("body").inner_text()  # to copy, if the button does not work
