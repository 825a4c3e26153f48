"""The registration form on its own (``delegates/registration/forms.py``): what it accepts, what it
refuses and the message it gives. Its country and phone fields: test_fields.py."""

import datetime as dt

import pytest

from delegates.enums import RegistrationStatus, SignupStatus
from delegates.models import Registration
from delegates.registration.forms import DelegateDetailsForm, RegistrationForm
from tests.delegates.registration.submissions import bound
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
)

pytestmark = pytest.mark.django_db


def test_valid_form_gives_the_service_exactly_its_fields(open_forum, mayors):
    form = bound(open_forum, mayors)

    assert form.is_valid(), form.errors
    data = form.service_data()
    assert data["email"] == "somchai@bangkok.example.org"
    assert data["badge_name"] == "Somchai Jaidee"  # from the names, since it was left empty
    assert str(data["phone"]) == "+66812345678"
    assert data["country"] == "TH"
    assert (data["native_name"], data["native_name_lang"]) == ("สมชาย ใจดี", "th")
    assert "category" not in data and "privacy_consent" not in data and "sessions" not in data
    assert form.cleaned_data["category"] == mayors
    assert form.session_ids() == []


def test_phone_is_required(open_forum, mayors):
    form = bound(open_forum, mayors, phone="")

    assert form.errors["phone"] == ["Enter a mobile number, e.g. +66 81 234 5678."]


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("honorific", 40),
        ("given_name", 100),
        ("family_name", 100),
        ("badge_name", 120),
        ("native_name", 120),
        ("position", 200),
        ("organisation", 200),
        ("city", 120),
        ("allergies", 300),
        ("accessibility_needs", 1000),
        ("accompanying_persons", 1000),
        ("arrival_flight", 20),
        ("hotel", 200),
    ],
)
def test_max_lengths_match_the_model_with_a_message(open_forum, mayors, field, limit):
    assert Registration._meta.get_field(field).max_length == limit
    at_limit = bound(open_forum, mayors, **{field: "ก" * limit})
    over = bound(open_forum, mayors, **{field: "ก" * (limit + 1)})

    assert field not in at_limit.errors
    assert over.errors[field] == [f"Ensure this value has at most {limit} characters (it has {limit + 1})."]


def test_email_longer_than_the_model_allows_is_refused(open_forum, mayors):
    form = bound(open_forum, mayors, email="a" * 250 + "@example.org")

    assert "email" in form.errors


def test_badge_name_from_very_long_names_asks_for_a_shorter_form(open_forum, mayors):
    form = bound(open_forum, mayors, given_name="A" * 80, family_name="B" * 80, badge_name="")

    assert form.errors["badge_name"] == ["Please enter a shorter form of the name for the badge."]


def test_native_name_needs_its_script_and_a_script_alone_is_dropped(open_forum, mayors):
    missing = bound(open_forum, mayors, native_name_lang="")
    alone = bound(open_forum, mayors, native_name="", native_name_lang="km")

    assert missing.errors["native_name_lang"] == ["Choose the script of the name in native script."]
    assert alone.is_valid(), alone.errors
    assert alone.service_data()["native_name_lang"] == ""


def test_dietary_other_requires_details_and_other_choices_drop_them(open_forum, mayors):
    missing = bound(open_forum, mayors, dietary="other", dietary_other="")
    dropped = bound(open_forum, mayors, dietary="halal", dietary_other="No pork")
    unknown = bound(open_forum, mayors, dietary="carnivore")

    assert missing.errors["dietary_other"] == ["Please describe the dietary requirement."]
    assert dropped.is_valid() and dropped.service_data()["dietary_other"] == ""
    assert unknown.errors["dietary"] == ["Choose one of the dietary options."]


BEFORE_ARRIVAL = "The departure cannot be before the arrival."
FAR_FROM_FORUM = "This date is far from the forum (2030-10-06 to 2030-10-07): please check year and month."


@pytest.mark.parametrize(
    ("arrival", "departure", "field", "message"),
    [
        (("2030-10-06", "10:00"), ("2030-10-05", "10:00"), "departure_date", BEFORE_ARRIVAL),
        (("2030-10-06", "10:00"), ("2030-10-06", "09:59"), "departure_time", BEFORE_ARRIVAL),
        (("2030-10-06", ""), ("2030-10-06", ""), None, None),
        (("2030-10-06", "10:00"), ("2030-10-06", "22:00"), None, None),
        (("2031-10-06", ""), ("", ""), "arrival_date", FAR_FROM_FORUM),
        (
            ("2030-02-30", ""),
            ("", ""),
            "arrival_date",
            "Enter the arrival date as year-month-day, e.g. 2030-10-05.",
        ),
        (("", "25:00"), ("", ""), "arrival_time", "Enter the arrival time as hours:minutes, e.g. 14:30."),
        (("", "10:00"), ("", ""), "arrival_date", "Enter the date as well."),
    ],
)
def test_travel_dates_are_checked(open_forum, mayors, arrival, departure, field, message):
    form = bound(
        open_forum,
        mayors,
        arrival_date=arrival[0],
        arrival_time=arrival[1],
        departure_date=departure[0],
        departure_time=departure[1],
    )

    if field is None:
        assert form.is_valid(), form.errors
    else:
        assert form.errors[field] == [message]


def test_flight_numbers_are_tidied(open_forum, mayors):
    form = bound(open_forum, mayors, arrival_date="2030-10-05", arrival_flight="  tg   433 ")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["arrival_flight"] == "TG 433"


def test_privacy_consent_is_required(open_forum, mayors):
    form = bound(open_forum, mayors, privacy_consent=None)

    assert form.errors["privacy_consent"] == ["Please accept the privacy notice to register."]


def test_categories_offered_are_the_forums_public_ones_with_their_availability(open_forum, register):
    mayors = DelegateCategoryFactory(
        forum=open_forum, name="Mayor / Governor", slug="mayor", protocol_rank=10
    )
    vice = DelegateCategoryFactory(
        forum=open_forum, name="Vice-mayor", slug="vice", capacity=1, protocol_rank=20
    )
    media = DelegateCategoryFactory(
        forum=open_forum, name="Media", slug="media", capacity=3, protocol_rank=30
    )
    partners = DelegateCategoryFactory(
        forum=open_forum, name="Partner", slug="partner", requires_approval=True, protocol_rank=40
    )
    staff_only = DelegateCategoryFactory(
        forum=open_forum, name="UCLG ASPAC staff", slug="staff", is_public=False
    )
    elsewhere = DelegateCategoryFactory(forum=ForumFactory(slug="another-forum"), name="Elsewhere")
    register(open_forum, vice)
    register(open_forum, media)

    form = RegistrationForm(forum=open_forum)
    options = [(o.category, o.seats_left, o.waitlist, o.needs_approval) for o in form.category_options()]

    assert options == [
        (mayors, None, False, False),
        (vice, 0, True, False),
        (media, 2, False, False),
        (partners, None, False, True),
    ]
    for category in (staff_only, elsewhere):
        refused = bound(open_forum, mayors, category=str(category.pk))
        assert refused.errors["category"] == ["Choose one of the categories listed."]
    assert bound(open_forum, mayors, category="mayor").errors["category"] == [
        "Choose one of the categories listed."
    ]


def test_every_category_is_waitlist_when_the_forum_is_full(open_forum, mayors, register):
    open_forum.capacity = 1
    open_forum.save()
    register(open_forum, mayors)

    assert [option.waitlist for option in RegistrationForm(forum=open_forum).category_options()] == [True]


def test_sessions_offered_are_the_forums_sign_up_sessions_with_seats_left(open_forum, mayors, site_visit):
    open_session = SessionFactory(forum=open_forum, title="Opening plenary")
    full = SessionFactory(forum=open_forum, title="Side event", requires_signup=True, capacity=0)
    elsewhere = SessionFactory(
        forum=ForumFactory(slug="another-forum"), title="Elsewhere", requires_signup=True
    )

    options = RegistrationForm(forum=open_forum).session_options()

    # Same start time: by title.
    assert [(o.session, o.seats_left, o.waitlist) for o in options] == [
        (full, 0, True),
        (site_visit, 2, False),
    ]
    for session in (open_session, elsewhere):
        form = bound(open_forum, mayors, sessions=[str(session.pk)])
        assert form.errors["sessions"] == ["Please choose among the sessions listed."]
    assert bound(open_forum, mayors, sessions=["abc"]).errors["sessions"] == [
        "Please choose among the sessions listed."
    ]
    chosen = bound(open_forum, mayors, sessions=[str(full.pk), str(site_visit.pk)])
    assert chosen.is_valid(), chosen.errors
    assert chosen.session_ids() == sorted([full.pk, site_visit.pk])


def test_edit_form_has_no_category_email_or_consent_and_shows_current_sessions(
    open_forum, mayors, site_visit
):
    registration = RegistrationFactory(
        category=mayors, status=RegistrationStatus.CONFIRMED, phone="+66812345678"
    )
    SessionSignupFactory(registration=registration, session=site_visit, status=SignupStatus.CONFIRMED)

    form = DelegateDetailsForm(forum=open_forum, registration=registration, instance=registration)

    assert {"category", "email", "privacy_consent"}.isdisjoint(form.fields)
    assert form.initial["sessions"] == [site_visit.pk]
    assert [(o.session, o.current_status, o.waitlist) for o in form.session_options()] == [
        (site_visit, SignupStatus.CONFIRMED, False)
    ]
    assert [section["anchor"] for section in form.sections()] == [
        "delegate",
        "position",
        "contact",
        "travel",
        "sessions",
        "consent",
    ]


def test_sections_mark_those_with_errors(open_forum, mayors):
    form = bound(open_forum, mayors, city="", privacy_consent=None)
    form.is_valid()

    # No session of this forum needs sign-up: no "Sessions" step.
    assert [(s["anchor"], s["has_errors"]) for s in form.sections()] == [
        ("delegate", False),
        ("position", True),
        ("contact", False),
        ("travel", False),
        ("consent", True),
    ]


def test_arrival_window_follows_the_forum_dates(open_forum, mayors):
    first_ok = open_forum.start_date - dt.timedelta(days=30)
    too_early = open_forum.start_date - dt.timedelta(days=31)

    assert "arrival_date" not in bound(open_forum, mayors, arrival_date=first_ok.isoformat()).errors
    assert "arrival_date" in bound(open_forum, mayors, arrival_date=too_early.isoformat()).errors


# --- What the badge can print --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["honorific", "badge_name", "native_name", "position", "organisation", "city"]
)
def test_printed_fields_refuse_characters_the_badge_cannot_print(open_forum, mayors, field):
    form = bound(open_forum, mayors, **{field: "Sok 😀 Vibol 🎉"})

    assert form.errors[field] == [
        "These characters cannot be printed on the badge: 😀 (U+1F600), 🎉 (U+1F389). Please remove them "
        "or write them another way."
    ]
    assert form.data[field] == "Sok 😀 Vibol 🎉"  # shown again as typed


def test_a_script_without_a_badge_font_is_refused_with_each_character(open_forum, mayors):
    form = bound(open_forum, mayors, native_name="ნინო", native_name_lang="und")

    assert form.errors["native_name"] == [
        "These characters cannot be printed on the badge: ნ (U+10DC), ი (U+10D8), ო (U+10DD). Please "
        "remove them or write them another way."
    ]


def test_names_that_make_the_badge_name_are_checked_for_the_badge(open_forum, mayors):
    from_names = bound(open_forum, mayors, given_name="Somchai 😀", badge_name="")
    own_badge_name = bound(open_forum, mayors, given_name="Somchai 😀", badge_name="Somchai Jaidee")

    assert from_names.errors["given_name"] == [
        "This character cannot be printed on the badge: 😀 (U+1F600). Please remove it or write it "
        "another way."
    ]
    assert "badge_name" not in from_names.errors
    assert own_badge_name.is_valid(), own_badge_name.errors  # the emails may show it; the badge does not


@pytest.mark.parametrize("field", ["given_name", "family_name", "badge_name", "native_name"])
@pytest.mark.parametrize("invisible", ["\u200b", "\u200d\u200c", "\ufeff\u2060"])
def test_a_name_of_invisible_characters_only_is_refused(open_forum, mayors, field, invisible):
    form = bound(open_forum, mayors, **{field: invisible})

    assert form.errors[field] == [
        "This name is made only of invisible characters: please type the name itself."
    ]


@pytest.mark.parametrize("field", ["given_name", "badge_name", "native_name", "position"])
def test_direction_controls_are_refused(open_forum, mayors, field):
    form = bound(open_forum, mayors, **{field: "\u202eSomchai\u202c"})

    assert form.errors[field] == [
        "Please remove the text-direction controls U+202E, U+202C: they would reorder the letters on "
        "the badge."
    ]


@pytest.mark.parametrize(
    ("native_name", "lang"),
    [
        ("محمد فيصل بن عبد\u200cالله", "ms-Arab"),  # tests/data/delegate-names.tsv, with a non-joiner
        ("សុខ\u200bវិបុល", "km"),  # Khmer words kept apart by a zero-width space
        ("முருகன் சுப்\u200cபிரமணியம்", "ta"),
        ("အောင်ကျော်\u200dမင်း", "my"),
    ],
)
def test_joiners_inside_real_names_are_kept(open_forum, mayors, native_name, lang):
    form = bound(open_forum, mayors, native_name=native_name, native_name_lang=lang)

    assert form.is_valid(), form.errors
    assert form.service_data()["native_name"] == native_name
