"""Every email as a delegate reads it on a phone: the HTML part of each registration email (forum and
delegate names in Thai, Khmer and Vietnamese, long enough to wrap, in scripts written without spaces)
and of each account email, opened in chromium at 360 px. Nothing scrolls sideways, every link shows
words (never a bare web address) inside the screen, and axe-core finds no serious or critical
violation."""

import pytest
from django.core import mail

from amf.celery import app as celery_app
from tests.delegates.mail.every_email import (
    ACCOUNT_SUBJECTS,
    FORUM_NAMES,
    send_every_account_email,
    send_every_registration_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SITE = "https://events.example.org"


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def site(settings, eager_celery):
    settings.SITE_URL = SITE
    settings.SECRETARIAT_EMAIL = "secretariat@uclg-aspac.example.org"


def visible_links(page) -> list[dict]:
    """Every link of the page with its visible text and where it sits on the screen."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a')].map(a => {
            const box = a.getBoundingClientRect();
            return {href: a.getAttribute('href'), text: a.innerText.trim(),
                    left: box.left, right: box.right, width: box.width, height: box.height};
        })"""
    )


def read_on_a_phone(page, html: str, axe_check) -> list[dict]:
    """Open ``html`` at 360 px and check what anyone would see; returns its links."""
    page.set_content(html)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    links = visible_links(page)
    for link in links:
        assert link["text"] and not link["text"].startswith(("http", "www")), link
        assert link["width"] > 0 and link["height"] > 0, link
        assert link["left"] >= 0 and link["right"] <= 360, link
    axe_check(page)
    assert page.problems.messages == []
    return links


@pytest.mark.parametrize("script", list(FORUM_NAMES))
def test_every_registration_email_reads_well_on_a_phone(phone_page, axe_check, site, script):
    made = send_every_registration_email(script=script)
    page = phone_page

    assert len(mail.outbox) == 7
    for message in mail.outbox:
        [(html, _mimetype)] = message.alternatives
        links = read_on_a_phone(page, html, axe_check)

        assert page.locator("h1").inner_text() == made.forum_name
        labels = [link["text"] for link in links]
        assert "All your registrations" in labels, message.subject
        assert page.get_by_role("link", name="Programme and practical information").is_visible()
        if message.subject.startswith(("Registration confirmed", "A place is now confirmed")):
            assert labels[0] == "Download your name badge (PDF)"
            assert page.get_by_role("link", name="Download your name badge (PDF)").is_visible()
        native = page.locator("td span[lang]")
        assert native.inner_text() == made.confirmed.native_name
        assert native.evaluate("e => e.getBoundingClientRect().right") <= 360


def test_every_account_email_reads_well_on_a_phone(phone_page, axe_check, site):
    sent = send_every_account_email(host="localhost:8811", outbox=lambda: mail.outbox)
    page = phone_page

    assert set(sent) == set(ACCOUNT_SUBJECTS)
    for template, message in sent.items():
        [(html, _mimetype)] = message.alternatives
        links = read_on_a_phone(page, html, axe_check)

        assert page.locator("h1").inner_text() == "ASEAN Mayors Forum", template
        words = page.locator("body").inner_text().split()
        assert words[:8] == ["AMF", "EVENTS", "ASEAN", "Mayors", "Forum", "Dear", "Sir", "or"], template
        assert all(link["href"].startswith((f"{SITE}/", "mailto:")) for link in links), template
    signup = sent["account/email/email_confirmation_signup"].alternatives[0][0]
    page.set_content(signup)
    button = page.get_by_role("link", name="Confirm my email address")
    assert button.is_visible()
    assert button.get_attribute("href").startswith(f"{SITE}/accounts/confirm-email/")
