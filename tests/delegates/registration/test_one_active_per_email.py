"""The database's rule of one *active* registration (pending, confirmed, waitlisted) per email address and
forum, on PostgreSQL: cancelled and rejected registrations of the address stay beside a new one, and
two submissions of one address at the same instant make one registration, whichever the service or
the constraint stops."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from delegates.enums import RegistrationStatus
from delegates.models import Registration
from delegates.registration.services import DuplicateRegistration, registration_cancel, registration_submit
from tests.delegates.registration.concurrency import run_together
from tests.delegates.registration.submissions import delegate_data
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory

CONFIRMED, CANCELLED, REJECTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


@pytest.mark.django_db
def test_the_constraint_is_partial_unique_index_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'registration_one_active_per_email_per_forum'"
        )
        (definition,) = cursor.fetchone()

    assert definition.startswith("CREATE UNIQUE INDEX registration_one_active_per_email_per_forum ON ")
    assert "(lower((email)::text), forum_id)" in definition
    assert "WHERE ((status)::text = ANY" in definition
    for status in ("pending", "confirmed", "waitlisted"):
        assert f"'{status}'" in definition
    assert "'cancelled'" not in definition and "'rejected'" not in definition


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, CONFIRMED, RegistrationStatus.WAITLISTED])
def test_a_second_active_registration_of_an_address_is_refused_by_the_database(mayors, status):
    RegistrationFactory(category=mayors, email="mayor@bangkok.example.org", status=status)

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(category=mayors, email="MAYOR@Bangkok.example.org", status=CONFIRMED)

    assert Registration.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("left", [CANCELLED, REJECTED])
def test_registrations_that_left_stay_beside_a_new_active_one(mayors, left):
    for _ in range(2):
        RegistrationFactory(category=mayors, email="mayor@bangkok.example.org", status=left)

    RegistrationFactory(category=mayors, email="Mayor@bangkok.example.org", status=CONFIRMED)

    assert list(Registration.objects.order_by("id").values_list("status", flat=True)) == [
        left,
        left,
        CONFIRMED,
    ]


@pytest.mark.django_db
def test_the_same_address_may_be_active_in_two_forums(mayors):
    other = DelegateCategoryFactory(forum=ForumFactory())
    RegistrationFactory(category=mayors, email="mayor@bangkok.example.org")

    RegistrationFactory(category=other, email="mayor@bangkok.example.org")

    assert Registration.objects.filter(email="mayor@bangkok.example.org").count() == 2


@pytest.mark.django_db
def test_a_cancelled_registration_cannot_come_back_beside_a_new_one(mayors):
    old = RegistrationFactory(category=mayors, email="mayor@bangkok.example.org", status=CANCELLED)
    RegistrationFactory(category=mayors, email="mayor@bangkok.example.org", status=CONFIRMED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.filter(pk=old.pk).update(status=RegistrationStatus.WAITLISTED)


# --- Two submissions at the same instant ---------------------------------------------------------------


@pytest.fixture
def _patient_locks(settings):
    settings.REGISTRATION_LOCK_TIMEOUT = 60


def _submit(forum, category, **data):
    def action(i: int):
        try:
            return registration_submit(
                forum=forum, category=category, data=delegate_data(1, **data), registered_by=None
            )
        except DuplicateRegistration as refused:
            return refused

    return action


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_patient_locks")
@pytest.mark.parametrize("cancelled_before", [False, True])
def test_two_simultaneous_submissions_of_one_address_make_one_registration(
    open_forum, mayors, cancelled_before
):
    if cancelled_before:
        old = registration_submit(
            forum=open_forum, category=mayors, data=delegate_data(1), registered_by=None
        )
        registration_cancel(registration=old, actor=None)

    results, errors = run_together(2, _submit(open_forum, mayors))

    assert errors == []
    made = [result for result in results if isinstance(result, Registration)]
    refused = [result for result in results if isinstance(result, DuplicateRegistration)]
    assert (len(made), len(refused)) == (1, 1)
    assert refused[0].registration == made[0]
    active = Registration.objects.filter(email="mayor1@city1.example.org").exclude(status=CANCELLED)
    assert list(active.values_list("pk", "status")) == [(made[0].pk, CONFIRMED)]
    assert Registration.objects.filter(status=CANCELLED).count() == int(cancelled_before)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_inserts_past_the_service_are_stopped_by_the_constraint(mayors):
    """Without the service's locks (a script, a future code path), the database alone keeps the rule."""
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def insert(i: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            with transaction.atomic():
                RegistrationFactory(category=mayors, email=f"{'MAYOR' if i else 'mayor'}@bangkok.example.org")
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused", "saved"]
    assert Registration.objects.filter(email__iexact="mayor@bangkok.example.org").count() == 1
