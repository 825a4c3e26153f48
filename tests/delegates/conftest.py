"""Scenarios for the delegates tests: a forum open for registration, its categories, delegates
registered through the real service (one confirmed), a signed-in delegate, staff — and Celery in
eager mode, so that an email enqueued after commit is sent at once to Django's in-memory mailbox
(``mail.outbox``). The real broker and worker are in tests/integration."""

import datetime as dt

import pytest
from django.utils import timezone

from amf.celery import app as celery_app
from delegates.models import Registration
from delegates.registration.services import registration_submit
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import delegate_data
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

# The PDF helpers assert as they read: their failures are explained like a test's own (pytest rewrites
# the asserts of test modules and conftest files only, unless told).
pytest.register_assert_rewrite("tests.delegates.badges.pdfs")


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


@pytest.fixture
def confirmed(open_forum, mayors, register):
    """A confirmed delegate (through the real service), with their forum and category selected."""
    registration = register(
        open_forum,
        mayors,
        honorific="H.E.",
        badge_name="Sok Vibol",
        native_name="សុខ វិបុល",
        native_name_lang="km",
        position="Governor",
        organisation="Phnom Penh Capital Hall",
        city="Phnom Penh",
        country="KH",
    )
    return Registration.objects.select_related("forum", "category").get(pk=registration.pk)


@pytest.fixture
def user():
    """A delegate's account with a verified address, who registers on the delegate pages."""
    return verified_user("governor@phnompenh.example.org")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client
