"""The check-in token (``delegates/checkin/tokens.py``): issued when a registration is confirmed
(submitted, approved or promoted from the waitlist), random and URL-safe, kept once issued, and
reissued for a lost badge — the old QR code stops working and the badge is rendered again."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from delegates.badges.storage import badge_store
from delegates.checkin.tokens import (
    REASON_BADGE_REISSUED,
    TokenError,
    checkin_token_issue,
    checkin_token_reissue,
)
from delegates.enums import RegistrationStatus
from delegates.models import Registration, StatusChange
from delegates.registration.services import registration_approve, registration_cancel
from tests.delegates.badges.pdfs import qr_texts, stored_files, write_pdf
from tests.factories import DelegateCategoryFactory

pytestmark = pytest.mark.django_db


# --- Issued on confirmation ----------------------------------------------------------------------------


def test_checkin_token_issued_on_confirmation_is_random_and_url_safe(open_forum, mayors, register):
    first, second = register(open_forum, mayors), register(open_forum, mayors)

    tokens = list(
        Registration.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
        .values_list("checkin_token", flat=True)
    )

    assert tokens == [first.checkin_token, second.checkin_token]
    for registration in (first, second):
        token = registration.checkin_token
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 192 bits, URL-safe base64
        assert token not in (str(registration.pk), str(registration.public_id), registration.reference)
    assert first.checkin_token != second.checkin_token


def test_checkin_token_issue_keeps_an_existing_token(confirmed):
    token = confirmed.checkin_token

    again = checkin_token_issue(registration=Registration.objects.get(pk=confirmed.pk))

    assert again == token
    assert Registration.objects.get(pk=confirmed.pk).checkin_token == token


def test_pending_registration_gets_its_token_when_approved(open_forum, partners, register, staff):
    registration = register(open_forum, partners)
    assert registration.status == RegistrationStatus.PENDING
    assert Registration.objects.get(pk=registration.pk).checkin_token is None

    registration_approve(registration=registration, actor=staff)

    token = Registration.objects.get(pk=registration.pk).checkin_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)


def test_delegate_promoted_from_the_waitlist_gets_a_token(open_forum, register):
    small = DelegateCategoryFactory(forum=open_forum, name="Observer", slug="observer", capacity=1)
    first, waiting = register(open_forum, small), register(open_forum, small)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert Registration.objects.get(pk=waiting.pk).checkin_token is None

    registration_cancel(registration=first, actor=None)

    promoted = Registration.objects.get(pk=waiting.pk)
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", promoted.checkin_token)


# --- Reissued for a lost badge -------------------------------------------------------------------------


def test_checkin_token_reissue_invalidates_the_old_code_and_renders_the_badge_again(
    confirmed, staff, tmp_path, django_capture_on_commit_callbacks
):
    badge_store(registration=confirmed)
    old_token, old_file = confirmed.checkin_token, confirmed.badge_file.name

    with django_capture_on_commit_callbacks(execute=True):
        new_token = checkin_token_reissue(registration=confirmed, actor=staff)

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.checkin_token == new_token != old_token
    assert not Registration.objects.filter(checkin_token=old_token).exists()
    note = StatusChange.objects.filter(registration=fresh).order_by("-id").first()
    assert (note.from_status, note.to_status, note.actor, note.reason) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        staff,
        REASON_BADGE_REISSUED,
    )
    assert fresh.badge_file.name != old_file
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]
    path = write_pdf(default_storage.open(fresh.badge_file.name).read(), tmp_path)
    assert qr_texts(path) == [new_token]


def test_checkin_token_reissue_refuses_a_registration_that_is_not_confirmed(
    open_forum, partners, register, staff
):
    pending = register(open_forum, partners)

    with pytest.raises(TokenError):
        checkin_token_reissue(registration=pending, actor=staff)

    assert Registration.objects.get(pk=pending.pk).checkin_token is None
