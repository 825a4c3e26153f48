"""Scenarios for the delegates tests: a forum open for registration, its categories, delegates' form
data, staff — and Celery in eager mode, so that an email enqueued after commit is sent at once to
Django's in-memory mailbox (``mail.outbox``). The real broker and worker are in tests/integration."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.services.registration import registration_submit
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in the calling thread when enqueued (after commit): what a worker would do, without
    one. Tests that need the real broker switch with ``tests.integration.workers.use_broker``."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def open_forum():
    """A forum whose registration opened yesterday and closes in 30 days; no overall capacity."""
    now = timezone.now()
    return ForumFactory(
        name="ASEAN Mayors Forum 2031",
        slug="amf-2031",
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=30),
    )


@pytest.fixture
def mayors(open_forum):
    """A public category without a limit of its own and without approval."""
    return DelegateCategoryFactory(forum=open_forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)


@pytest.fixture
def partners(open_forum):
    """A category whose registrations wait for staff approval."""
    return DelegateCategoryFactory(
        forum=open_forum,
        name="Partner organisation",
        slug="partner",
        requires_approval=True,
        protocol_rank=50,
    )


@pytest.fixture
def site_visit(open_forum):
    """A session that needs sign-up, 2 seats."""
    return SessionFactory(
        forum=open_forum, title="Site visit: river clean-up", requires_signup=True, capacity=2
    )


@pytest.fixture
def staff():
    return UserFactory(username="secretariat", email="secretariat@uclg-aspac.example.org", is_staff=True)


@pytest.fixture
def assistant():
    """A mayor's assistant who registers the mayor."""
    return UserFactory(username="assistant", email="assistant@city-hall.example.org")


def delegate_data(n: int | None = None, **overrides) -> dict:
    """What the registration form hands to the service for delegate ``n``."""
    n = next(_numbers) if n is None else n
    return {
        "email": f"mayor{n}@city{n}.example.org",
        "honorific": "H.E.",
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "badge_name": f"Given{n} Family{n}",
        "position": "Mayor",
        "organisation": f"City of Number {n}",
        "city": f"Number {n}",
        "country": "TH",
        "phone": "+66812345678",
        **overrides,
    }


@pytest.fixture
def register():
    """``register(forum, category, n=None, sessions=(), by=None, **data)``: submit through the real
    service, as the registration form does."""

    def submit(forum, category, n=None, *, sessions=(), by=None, now=None, **data):
        return registration_submit(
            forum=forum,
            category=category,
            data=delegate_data(n, **data),
            session_ids=[session.id for session in sessions],
            registered_by=by,
            now=now,
        )

    return submit
