"""What an email says (``delegates/mail/rendering.py``): the plain text exactly as typed, the HTML
escaped, and every script intact."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_plain_text_is_not_html_escaped_and_every_script_survives(
    open_forum, mayors, register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(
            open_forum,
            mayors,
            1,
            honorific="Dr.",
            given_name="Seán",
            family_name="O'Brien & Partners",
            badge_name="Seán O'Brien & Partners",
            native_name="សុខ សុភា",
            native_name_lang="km",
        )

    [message] = mail.outbox
    assert "Dear Dr. Seán O'Brien & Partners," in message.body
    assert "Delegate: Dr. Seán O'Brien & Partners (សុខ សុភា)" in message.body
    html = message.alternatives[0][0]
    assert "Dear Dr. Seán O&#x27;Brien &amp; Partners," in html
    assert "សុខ សុភា" in html
