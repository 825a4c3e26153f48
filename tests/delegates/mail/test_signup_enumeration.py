"""Sign-up does the same work whether or not an account has the address (``account_forms.py``): one
password hash, one email written to the outbox and sent in the background, the same answer — so neither
the page nor its time tells a stranger that the address has an account. The times themselves are
measured by ``bench/signup_timing`` (a benchmark, not a test)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.enums import EmailKind, OutboxStatus
from delegates.models import EmailOutbox
from tests.delegates.accounts import verified_user
from tests.delegates.mail.hashers import CountingHasher

pytestmark = pytest.mark.django_db

TAKEN = "registered.mayor@city.example.org"
PASSWORD = "a long passphrase 42"


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.delegates.mail.hashers.CountingHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's rate limits count in the cache: one verification email per address per 3 minutes."""
    cache.clear()
    yield
    cache.clear()


def sign_up(client, email: str, capture) -> dict:
    before = set(EmailOutbox.objects.values_list("pk", flat=True))
    made = CountingHasher.made
    # The request's own queries (the email is sent after commit, by the worker, the same in both).
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
    sql = [query["sql"] for query in queries.captured_queries]  # read before the next request resets them
    rows = list(EmailOutbox.objects.exclude(pk__in=before))
    page = client.get(response["Location"])
    return {
        "status": response.status_code,
        "location": response["Location"],
        "hashes": CountingHasher.made - made,
        "outbox": [(row.kind, row.to, row.status) for row in rows],
        "queries": len(sql),
        "inserts": sorted(statement.split('"')[1] for statement in sql if statement.startswith("INSERT")),
        "page": page.content.decode().replace(email, "EMAIL"),
    }


def test_sign_up_does_the_same_work_whether_or_not_the_address_has_an_account(
    client, django_capture_on_commit_callbacks
):
    verified_user(TAKEN)

    taken = sign_up(client, TAKEN, django_capture_on_commit_callbacks)
    client.cookies.clear()
    new = sign_up(client, "new.mayor@city.example.org", django_capture_on_commit_callbacks)

    assert (taken["hashes"], new["hashes"]) == (1, 1)
    assert taken["outbox"] == [(EmailKind.ACCOUNT, TAKEN, OutboxStatus.SENT)]
    assert new["outbox"] == [(EmailKind.ACCOUNT, "new.mayor@city.example.org", OutboxStatus.SENT)]
    assert (
        (taken["status"], taken["location"])
        == (new["status"], new["location"])
        == (
            302,
            reverse("account_email_verification_sent"),
        )
    )
    assert taken["page"] == new["page"]
    # What differs is only the account's own rows (a few fast inserts), no hash and no email.
    assert taken["inserts"] == ["delegates_emailoutbox", "django_session"]
    assert new["inserts"] == ["account_emailaddress", "auth_user", "delegates_emailoutbox", "django_session"]
    assert 0 < new["queries"] - taken["queries"] <= 10, (new["queries"], taken["queries"])


def test_the_account_holder_is_emailed_instead_of_a_second_account(
    client, django_capture_on_commit_callbacks
):
    holder = verified_user(TAKEN)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {"email": TAKEN, "password1": PASSWORD, "password2": PASSWORD})

    row = EmailOutbox.objects.get(kind=EmailKind.ACCOUNT)
    assert row.to == TAKEN
    assert "Account already exists" in row.subject or "already" in row.body_text
    holder.refresh_from_db()
    assert holder.check_password(PASSWORD) is False  # the holder's account is untouched
