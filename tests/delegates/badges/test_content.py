"""What a badge is made of (``delegates/badges/content.py``): the colours of the category band, whose
text colour is chosen for contrast with the category's colour; and the fingerprint of what it prints,
computed by the database."""

import datetime as dt

import pytest

from delegates.badges.content import (
    BADGE_FIELDS,
    FINGERPRINT_SOURCES,
    badge_fingerprint,
    band_text_colour,
    contrast_ratio,
)
from delegates.models import Registration
from tests.factories import RegistrationFactory


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#fde047", "#111111"),
        ("#ffffff", "#111111"),
        ("#b91c1c", "#ffffff"),
        ("#1d4ed8", "#ffffff"),
        ("#15803d", "#ffffff"),
    ],
)
def test_band_text_colour_contrasts_with_the_category_colour(background, text):
    assert band_text_colour(background) == text
    assert contrast_ratio(background, text) >= 4.5


# --- The fingerprint of what a badge prints ------------------------------------------------------------


def fingerprint_of(registration) -> str:
    return Registration.objects.annotate(fingerprint=badge_fingerprint()).get(pk=registration.pk).fingerprint


def test_fingerprint_is_made_of_every_field_the_badge_prints():
    assert set(BADGE_FIELDS) <= set(FINGERPRINT_SOURCES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("honorific", "Dr."),
        ("badge_name", "Sok Vibol II"),
        ("native_name", "សុខ វិបុល"),
        ("native_name_lang", "km"),
        ("position", "Vice Governor"),
        ("organisation", "Siem Reap Provincial Hall"),
        ("city", "Siem Reap"),
        ("country", "KH"),
        ("checkin_token", "n" * 32),
        ("category.name", "Vice-mayor"),
        ("category.badge_colour", "#15803d"),
        ("forum.name", "ASEAN Mayors Forum 2032"),
        ("forum.start_date", dt.date(2030, 10, 5)),
        ("forum.end_date", dt.date(2030, 10, 9)),
    ],
)
def test_fingerprint_changes_with_everything_the_badge_shows(path, value):
    registration = RegistrationFactory(checkin_token="t" * 32)
    before = fingerprint_of(registration)
    owner, _, field = path.rpartition(".")
    row = getattr(registration, owner) if owner else registration

    setattr(row, field, value)
    row.save()

    assert fingerprint_of(registration) != before


@pytest.mark.django_db
def test_fingerprint_ignores_what_the_badge_does_not_show():
    registration = RegistrationFactory(checkin_token="t" * 32)
    before = fingerprint_of(registration)

    registration.dietary, registration.phone, registration.given_name = "vegan", "+66812345678", "Other"
    registration.save()

    assert fingerprint_of(registration) == before
    assert len(before) == 32
