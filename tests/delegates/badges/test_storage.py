"""The delegate's stored badge (``delegates/badges/storage.py``): rendered and stored in the background
(Celery eager, see tests/delegates/conftest.py) when a registration is confirmed, and rendered again
only when what it shows changed or its file is missing; the old file is replaced, never kept."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from delegates.badges.content import BadgeError
from delegates.badges.storage import badge_needs_render, badge_store
from delegates.models import Registration
from delegates.registration.services import registration_update
from delegates.tasks import render_badge
from events.enums import BadgeLayout
from tests.delegates.badges.pdfs import pdf_lines, qr_texts, stored_files, write_pdf

pytestmark = pytest.mark.django_db


# --- Rendered when confirmed or changed ----------------------------------------------------------------


def test_confirmation_renders_and_stores_the_badge_in_the_background(
    open_forum, mayors, register, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_forum, mayors, badge_name="Somchai Jaidee", city="Bangkok")

    stored = Registration.objects.get(pk=registration.pk)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.badge_hash)
    assert stored.badge_file.name == f"badges/amf-2031/{stored.public_id}-{stored.badge_hash[:12]}.pdf"
    assert stored_files("amf-2031") == [Path(stored.badge_file.name).name]
    path = write_pdf(default_storage.open(stored.badge_file.name).read(), tmp_path)
    assert "Somchai Jaidee" in pdf_lines(path)
    assert qr_texts(path) == [stored.checkin_token]


def test_unchanged_badge_is_not_rendered_again(confirmed, django_capture_on_commit_callbacks):
    assert badge_store(registration=confirmed) is True
    name = confirmed.badge_file.name
    modified = default_storage.get_modified_time(name)

    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=confirmed, data={"dietary": "vegetarian"}, actor=None)
        rendered_again = badge_store(registration=Registration.objects.get(pk=confirmed.pk))

    assert rendered_again is False
    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.badge_file.name == name
    assert default_storage.get_modified_time(name) == modified
    assert stored_files("amf-2031") == [Path(name).name]


def test_changed_name_renders_again_and_replaces_the_file(
    confirmed, tmp_path, django_capture_on_commit_callbacks
):
    badge_store(registration=confirmed)
    old_name = confirmed.badge_file.name

    with django_capture_on_commit_callbacks(execute=True):
        registration_update(registration=confirmed, data={"badge_name": "Sok Vibol Jr."}, actor=None)

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert fresh.badge_file.name != old_name
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]  # the old file is gone
    assert not default_storage.exists(old_name)
    path = write_pdf(default_storage.open(fresh.badge_file.name).read(), tmp_path)
    assert "Sok Vibol Jr." in pdf_lines(path)
    assert qr_texts(path) == [confirmed.checkin_token]  # same token: the printed badge still works


def test_changes_of_the_forum_or_category_make_the_stored_badge_out_of_date(confirmed):
    badge_store(registration=confirmed)
    assert badge_needs_render(registration=confirmed) is False

    confirmed.category.name = "Mayor"
    assert badge_needs_render(registration=confirmed) is True
    confirmed.category.name = "Mayor / Governor"
    confirmed.forum.badge_layout = BadgeLayout.CR80
    assert badge_needs_render(registration=confirmed) is True


def test_a_missing_file_is_rendered_again(confirmed):
    badge_store(registration=confirmed)
    default_storage.delete(confirmed.badge_file.name)

    assert badge_store(registration=confirmed) is True
    assert default_storage.exists(confirmed.badge_file.name)


def test_badge_store_refuses_a_registration_that_is_not_confirmed(open_forum, partners, register):
    pending = register(open_forum, partners)

    with pytest.raises(BadgeError):
        badge_store(registration=pending)

    assert stored_files("amf-2031") == []


# --- The background task -------------------------------------------------------------------------------


def test_render_task_leaves_missing_and_unconfirmed_registrations_alone(open_forum, partners, register):
    pending = register(open_forum, partners)

    assert render_badge.delay(pending.pk).get() is False
    assert render_badge.delay(987654321).get() is False
    assert stored_files("amf-2031") == []
    assert Registration.objects.get(pk=pending.pk).badge_hash == ""


def test_render_task_stores_the_badge(confirmed):
    assert render_badge.delay(confirmed.pk).get() is True
    assert render_badge.delay(confirmed.pk).get() is False  # idempotent: already current

    fresh = Registration.objects.get(pk=confirmed.pk)
    assert stored_files("amf-2031") == [Path(fresh.badge_file.name).name]
