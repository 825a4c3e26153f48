"""The email outbox in the admin (``delegates/mail/admin.py``): the list without N+1 queries, "send
again" for what was not sent, a read-only page for each email, and times in the forum's zone."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from delegates.enums import OutboxStatus
from delegates.mail.outbox import outbox_account_queue, outbox_render
from delegates.models import EmailOutbox

pytestmark = pytest.mark.django_db


def test_outbox_changelist_queries_do_not_grow_with_rows(
    admin_client, open_forum, mayors, django_assert_num_queries, register
):
    register(open_forum, mayors, 0)
    with django_assert_num_queries(5):
        admin_client.get(reverse("admin:delegates_emailoutbox_changelist"))
    for n in range(1, 30):
        register(open_forum, mayors, n)
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("admin:delegates_emailoutbox_changelist"))
    assert response.context["cl"].result_count == 30


def test_send_again_sends_pending_and_failed_but_not_sent(
    admin_client, open_forum, mayors, mailoutbox, register
):
    rows = [register(open_forum, mayors, n).emails.get() for n in range(3)]
    EmailOutbox.objects.filter(pk=rows[1].pk).update(status=OutboxStatus.FAILED)
    EmailOutbox.objects.filter(pk=rows[2].pk).update(status=OutboxStatus.SENT)

    response = admin_client.post(
        reverse("admin:delegates_emailoutbox_changelist"),
        {"action": "send_again", "_selected_action": [r.pk for r in rows], "index": "0"},
    )

    statuses = (
        EmailOutbox.objects.filter(pk__in=[r.pk for r in rows])
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert list(statuses) == [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.SENT]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "mayor0@city0.example.org",
        "mayor1@city1.example.org",
    ]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 emails queued for sending; 1 skipped: already sent."
    ]


def test_outbox_change_view_is_read_only(admin_client, open_forum, mayors, register):
    row = outbox_render(register(open_forum, mayors, 1).emails.get())  # as sent by the worker

    response = admin_client.get(reverse("admin:delegates_emailoutbox_change", args=[row.pk]))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == []
    assert 'name="_save"' not in response.text
    assert "Registration confirmed: ASEAN Mayors Forum 2031" in response.text


def test_outbox_shows_times_in_the_forums_zone_and_account_emails_in_the_sites(
    admin_client, open_forum, mayors, register
):
    row = register(open_forum, mayors, 1).emails.get()
    account = outbox_account_queue(to="new.user@city-hall.example.org", subject="Verify", body_text="Hi")
    queued = dt.datetime(2030, 9, 1, 2, 12, tzinfo=dt.UTC)
    EmailOutbox.objects.filter(pk__in=[row.pk, account.pk]).update(
        created_at=queued, sent_at=queued + dt.timedelta(minutes=1), status=OutboxStatus.SENT
    )

    listing = admin_client.get(reverse("admin:delegates_emailoutbox_changelist"))
    page = admin_client.get(reverse("admin:delegates_emailoutbox_change", args=[row.pk]))

    rows = {r.pk: r for r in listing.context["cl"].result_list}
    assert listing.context["cl"].model_admin.queued(rows[row.pk]) == "Sun 1 Sep 2030, 09:12 WIB"
    assert listing.context["cl"].model_admin.queued(rows[account.pk]) == "Sun 1 Sep 2030, 02:12 UTC"
    assert '<td class="field-queued">Sun 1 Sep 2030, 09:12 WIB</td>' in listing.text
    assert '<td class="field-sent">Sun 1 Sep 2030, 02:13 UTC</td>' in listing.text
    text = re.sub(r"\s+", " ", page.text)
    assert '<label>Sent at:</label> <div class="readonly">Sun 1 Sep 2030, 09:13 WIB</div>' in text
