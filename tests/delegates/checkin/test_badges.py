"""A badge printed at the door (``delegates/checkin/badges.py``, ``POST /checkin/lists/<id>/badge/``):
the delegate's badge as one PDF for the desk printer, with its current check-in code, marked printed;
a badge that cannot print is refused with the reason."""

import pytest
from django.urls import reverse

from delegates.checkin.tokens import checkin_token_reissue
from delegates.enums import PrintJobStatus, RegistrationStatus
from delegates.models import PrintJob, Registration
from delegates.printing.selectors import BadgePrintState, badge_print_state
from tests.delegates.badges.pdfs import pdf_text, qr_texts, write_pdf

pytestmark = pytest.mark.django_db


def badge_url(checkin_list) -> str:
    return reverse("checkin:badge-print", kwargs={"list_id": checkin_list.public_id})


def print_state(registration) -> str:
    return Registration.objects.annotate(state=badge_print_state()).get(pk=registration.pk).state


def test_door_prints_the_badge_with_the_new_code_and_it_counts_as_printed(client, day1, sok, door, tmp_path):
    old = sok.checkin_token
    new = checkin_token_reissue(registration=sok, actor=door)
    assert print_state(sok) == BadgePrintState.NOT_PRINTED
    client.force_login(door)

    response = client.post(badge_url(day1), {"reference": sok.reference.lower()})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="badge-{sok.reference}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    path = write_pdf(b"".join(response.streaming_content), tmp_path)
    assert qr_texts(path) == [new] and old != new
    assert "Sok Vibol" in pdf_text(path)
    job = PrintJob.objects.get()
    assert (job.status, job.total, job.created_by, job.forum) == (PrintJobStatus.DONE, 1, door, day1.forum)
    assert list(job.items.values_list("registration_id", flat=True)) == [sok.pk]
    assert print_state(sok) == BadgePrintState.PRINTED


def test_a_badge_that_cannot_print_is_a_409_with_the_reason(client, day1, sok, door):
    Registration.objects.filter(pk=sok.pk).update(badge_name="Sok Vibol \U0001f600")
    client.force_login(door)

    response = client.post(badge_url(day1), {"reference": sok.reference})

    assert response.status_code == 409
    body = response.json()
    assert body["problems"] == ["no font has \U0001f600 (U+1F600)"]
    assert body["error"].startswith("This badge cannot be printed as it is: no font has")
    assert PrintJob.objects.count() == 0


def test_no_badge_for_a_cancelled_registration_or_another_forums_reference(
    client, day1, sok, other_forum_delegate, door
):
    client.force_login(door)
    Registration.objects.filter(pk=sok.pk).update(status=RegistrationStatus.CANCELLED)

    cancelled = client.post(badge_url(day1), {"reference": sok.reference})
    elsewhere = client.post(badge_url(day1), {"reference": other_forum_delegate.reference})
    missing = client.post(badge_url(day1), {})

    assert (cancelled.status_code, cancelled.json()) == (
        409,
        {"error": "Only a confirmed registration has a badge."},
    )
    assert (elsewhere.status_code, elsewhere.json()) == (
        404,
        {"error": "No registration of this forum has this reference."},
    )
    assert (missing.status_code, missing.json()) == (
        400,
        {"error": "Please say whose badge to print (their reference)."},
    )
    assert PrintJob.objects.count() == 0


def test_badge_print_needs_the_print_permission(client, day1, sok, registrar, read_only):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    checker = UserFactory(username="checker", is_staff=True)
    checker.user_permissions.add(Permission.objects.get(codename="check_in"))
    for user in (checker, registrar, read_only):
        client.force_login(user)
        assert client.post(badge_url(day1), {"reference": sok.reference}).status_code == 403, user.username
    assert PrintJob.objects.count() == 0
