"""Property-based tests of the registration page (hypothesis): arbitrary Unicode, overlong values,
missing fields, malformed phone numbers, dates and times, unknown choices. Whatever is posted, the page
answers with the form and a message next to each refused field (200) or registers the delegate (302)
— never an error page — and a refused submission saves nothing at all."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from tests.factories import DelegateCategoryFactory, ForumFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any Unicode a browser can send: everything but lone surrogates, which UTF-8 cannot encode.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
LONG_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=200, max_size=1500)
SCRIPTS = st.sampled_from(
    ["សុខ វិបុល", "สมชาย ใจดี", "ສົມພອນ", "အောင်ကျော်မင်း", "陈美玲", "முருகன்", "محمد فيصل", "Nguyễn"]
)

PHONES = st.one_of(
    TEXT,
    st.from_regex(r"\A\+?[0-9 ()\-.]{0,30}\Z"),
    st.sampled_from(["+66 81 234 5678", "+855 12 345 678", "081 234 5678", "+1", "+", "00", "+99 123"]),
)
DATES = st.one_of(
    TEXT,
    st.dates().map(dt.date.isoformat),
    st.from_regex(r"\A-?\d{1,6}-\d{1,3}-\d{1,3}\Z"),
    st.sampled_from(["2030-02-30", "2030-13-01", "0000-01-01", "9999-12-31", "2030-10-05"]),
)
TIMES = st.one_of(
    TEXT,
    st.times().map(lambda moment: moment.strftime("%H:%M")),
    st.from_regex(r"\A\d{1,3}:\d{1,3}(:\d{1,3})?\Z"),
    st.sampled_from(["24:00", "23:60", "-1:00", "14:30"]),
)
CHOICES = st.one_of(
    TEXT, st.integers().map(str), st.sampled_from(["", "0", "-1", "none", "other", "KH", "km"])
)
CHECKBOX = st.sampled_from(["on", "", "off", "true", "false", "1"])

TEXT_FIELDS = [
    "honorific",
    "given_name",
    "family_name",
    "badge_name",
    "native_name",
    "position",
    "organisation",
    "city",
    "email",
    "dietary_other",
    "allergies",
    "accessibility_needs",
    "accompanying_persons",
    "arrival_flight",
    "departure_flight",
    "hotel",
]
STRATEGIES = {
    **{name: st.one_of(TEXT, LONG_TEXT, SCRIPTS) for name in TEXT_FIELDS},
    "phone": PHONES,
    "arrival_date": DATES,
    "departure_date": DATES,
    "arrival_time": TIMES,
    "departure_time": TIMES,
    "category": CHOICES,
    "country": CHOICES,
    "native_name_lang": CHOICES,
    "dietary": CHOICES,
    "needs_airport_transfer": CHECKBOX,
    "needs_visa_letter": CHECKBOX,
    "media_consent": CHECKBOX,
    "privacy_consent": CHECKBOX,
}


@pytest.fixture
def scene(client, open_forum, mayors):
    """A signed-in assistant on the registration page of an open forum with a full session."""
    other_forum_category = DelegateCategoryFactory(forum=ForumFactory(slug="another-forum"), name="Elsewhere")
    visit = SessionFactory(forum=open_forum, title="Site visit", requires_signup=True, capacity=1)
    client.force_login(UserFactory(email="assistant@cityhall.example.org"))
    valid = {
        "category": str(mayors.pk),
        "email": "mayor@cityhall.example.org",
        "honorific": "H.E.",
        "given_name": "Sok",
        "family_name": "Vibol",
        "native_name": "សុខ វិបុល",
        "native_name_lang": "km",
        "position": "Governor",
        "organisation": "Phnom Penh Capital Administration",
        "city": "Phnom Penh",
        "country": "KH",
        "phone": "+855 12 345 678",
        "dietary": "none",
        "arrival_date": "2030-10-05",
        "arrival_time": "14:30",
        "departure_date": "2030-10-08",
        "departure_time": "18:45",
        "privacy_consent": "on",
    }
    return {
        "client": client,
        "url": reverse("delegates:register", args=[open_forum.slug]),
        "valid": valid,
        "sessions": st.lists(
            st.one_of(CHOICES, st.just(str(visit.pk)), st.just(str(other_forum_category.pk))), max_size=4
        ),
    }


def counts() -> tuple[int, int, int, int]:
    return (
        Registration.objects.count(),
        SessionSignup.objects.count(),
        StatusChange.objects.count(),
        EmailOutbox.objects.count(),
    )


def post_and_check(scene, data: dict) -> None:
    before = counts()

    response = scene["client"].post(scene["url"], data)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        registration = Registration.objects.order_by("-id").first()
        assert response["Location"] == reverse("delegates:registration", args=[registration.public_id])
        assert counts()[0] == before[0] + 1
        return
    # Refused: nothing at all was saved, and every refusal is said next to its field.
    assert counts() == before
    body = response.content.decode()
    form = response.context["form"]
    assert form.errors, "a refused submission must say why"
    assert 'class="error-summary"' in body
    for name, messages in form.errors.items():
        if name == "__all__":
            for message in messages:
                assert escape(message) in body
            continue
        assert f'id="id_{name}_error"' in body, name
        next_to_field = body.split(f'id="id_{name}_error"', 1)[1].split("</p>", 1)[0]
        for message in messages:
            assert escape(message) in next_to_field, (name, message)


@st.composite
def damaged(draw, valid: dict, sessions):
    """A valid submission with some fields replaced by junk and some left out."""
    data = dict(valid)
    for name in draw(st.sets(st.sampled_from(sorted(STRATEGIES)), max_size=6)):
        data[name] = draw(STRATEGIES[name])
    for name in draw(st.sets(st.sampled_from(sorted(data)), max_size=4)):
        data.pop(name)
    if draw(st.booleans()):
        data["sessions"] = draw(sessions)
    return data


@FUZZ
@given(st.data())
def test_damaged_submissions_never_fail_and_never_half_save(scene, data):
    submission = data.draw(damaged(scene["valid"], scene["sessions"]))

    post_and_check(scene, submission)


@FUZZ
@given(st.data())
def test_arbitrary_submissions_never_fail_and_never_half_save(scene, data):
    names = st.sampled_from(sorted(STRATEGIES))
    submission = data.draw(st.dictionaries(names, TEXT, max_size=len(STRATEGIES)))

    post_and_check(scene, submission)


@FUZZ
@given(phone=PHONES, arrival=DATES, departure=DATES, arrival_time=TIMES)
def test_malformed_phones_dates_and_times_get_a_message_or_are_stored_exactly(
    scene, phone, arrival, departure, arrival_time
):
    submission = {
        **scene["valid"],
        "phone": phone,
        "arrival_date": arrival,
        "departure_date": departure,
        "arrival_time": arrival_time,
    }
    Registration.objects.filter(email="mayor@cityhall.example.org").delete()

    post_and_check(scene, submission)


def test_missing_everything_lists_every_required_field(scene):
    response = scene["client"].post(scene["url"], {})

    form = response.context["form"]
    assert sorted(form.errors) == [
        "category",
        "city",
        "country",
        "dietary",
        "email",
        "given_name",
        "organisation",
        "phone",
        "position",
        "privacy_consent",
    ]
    post_and_check(scene, {})
