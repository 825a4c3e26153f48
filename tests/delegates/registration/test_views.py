"""The delegate-facing pages (``delegates/registration/views.py``) through Django's test client:
register, My registrations, details, edit, cancel and the personal programme — with the exact rows
they write, the emails they send and who may see what (anything else is a 404). The cache of the
form's fields: tests/delegates/templatetags/test_delegates_tags.py."""

import csv
import datetime as dt
import html
import itertools
import re
import threading
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from delegates.enums import EmailKind, NameOrder, RegistrationStatus, SignupStatus
from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from delegates.registration.corrections import registration_correct
from events.models import Forum
from tests.delegates.accounts import verified_user
from tests.delegates.registration.submissions import form_data, page, register_url
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
)

pytestmark = pytest.mark.django_db

NAMES_FILE = Path(__file__).resolve().parents[2] / "data" / "delegate-names.tsv"


def read_names() -> list[dict]:
    with NAMES_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def shows_native_name(body: str, lang: str, name: str) -> bool:
    """The name in native script, marked with its language so that the right fonts and shaping apply."""
    pattern = rf'<span class="native-name"\s+lang="{re.escape(lang)}"\s+dir="auto">{re.escape(name)}</span>'
    return re.search(pattern, body) is not None


# --- Register ------------------------------------------------------------------------------------------


def test_register_asks_anonymous_visitors_to_sign_in_and_come_back(client, open_forum, mayors):
    response = client.get(register_url(open_forum))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/forums/{open_forum.slug}/register/"


def test_register_form_has_sections_steps_and_asean_countries_first(
    signed_in, open_forum, mayors, site_visit
):
    response = signed_in.get(register_url(open_forum))

    body = page(response)
    assert response.status_code == 200
    assert body.count("<h1") == 1
    for anchor in ["delegate", "position", "contact", "travel", "sessions", "consent"]:
        assert f'href="#section-{anchor}"' in body
        assert f'id="section-{anchor}"' in body
    assert 'value="governor@phnompenh.example.org"' in body  # the signed-in user's email by default
    asean = body.index('<optgroup label="ASEAN member states">')
    others = body.index('<optgroup label="All other countries">')
    codes = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"]
    positions = [body.index(f'<option value="{code}"') for code in codes]
    assert asean < positions[0] and positions == sorted(positions) and positions[-1] < others
    assert body.index('<option value="AF"') > others
    assert '<datalist id="honorific-options">' in body and '<option value="Dato&#x27;">' in body
    assert 'href="/privacy/"' in body
    assert "Site visit: river clean-up" in body
    assert "2 places left" in body


def _heading_levels(body: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", body)]


def test_register_page_headings_go_down_one_level_at_a_time(signed_in, open_forum, mayors, site_visit):
    response = signed_in.get(register_url(open_forum))

    body = page(response)
    levels = _heading_levels(body)
    assert levels[0] == 1
    assert [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1] == []
    # Each step of the form is an h2 inside its legend; the parts of "Travel and needs" are h3.
    titles = re.findall(r'<h2 class="form-section__heading"[^>]*>(.*?)</h2>', body, flags=re.S)
    assert [re.search(r'form-section__title">([^<]+)<', title).group(1) for title in titles] == [
        "Delegate",
        "Position",
        "Contact",
        "Travel and needs",
        "Sessions",
        "Consent",
    ]
    assert body.index('<span class="form-section__title">Travel and needs</span>') < body.index(
        '<h3 class="form-section__subtitle">Arrival and departure</h3>'
    )


def test_register_page_with_errors_keeps_the_heading_order(signed_in, open_forum, mayors):
    response = signed_in.post(register_url(open_forum), {"given_name": ""})

    levels = _heading_levels(page(response))
    assert response.status_code == 200
    assert levels[:2] == [1, 2]  # the error summary comes right after the page's title
    assert [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1] == []


def test_register_creates_a_confirmed_registration_with_exact_values(
    signed_in, user, open_forum, mayors, site_visit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(register_url(open_forum), form_data(mayors, sessions=[str(site_visit.pk)]))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("delegates:registration", args=[registration.public_id])
    assert registration.forum == open_forum
    assert registration.category == mayors
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.registered_by == user
    assert registration.user == user  # the delegate registered themselves with a verified email
    assert registration.email == "governor@phnompenh.example.org"
    assert (registration.honorific, registration.given_name, registration.family_name) == (
        "H.E.",
        "Vibol",
        "Sok",
    )
    assert registration.name_order == NameOrder.FAMILY_FIRST  # left unchosen: usual for a Khmer name
    assert (registration.badge_name, registration.native_name, registration.native_name_lang) == (
        "Sok Vibol",
        "សុខ វិបុល",
        "km",
    )
    assert (registration.position, registration.city, registration.country.code) == (
        "Governor",
        "Phnom Penh",
        "KH",
    )
    assert registration.organisation == "Phnom Penh Capital Administration"
    assert str(registration.phone) == "+85512345678"
    assert (registration.dietary, registration.dietary_other, registration.allergies) == (
        "other",
        "No beef",
        "Peanuts",
    )
    assert registration.accompanying_persons == "Chan Dara, protocol officer"
    assert registration.arrival_date == dt.date(2030, 10, 5)
    assert registration.arrival_time == dt.time(14, 30)
    assert registration.arrival_flight == "PG 931"
    assert (registration.departure_date, registration.departure_time) == (
        dt.date(2030, 10, 8),
        dt.time(18, 45),
    )
    assert registration.departure_flight == "PG 932"
    assert registration.needs_airport_transfer is True
    assert registration.needs_visa_letter is False
    assert registration.media_consent is True
    assert registration.privacy_consent_at is not None
    assert list(registration.signups.values_list("session_id", "status")) == [
        (site_visit.pk, SignupStatus.CONFIRMED)
    ]
    assert list(registration.history.values_list("from_status", "to_status", "actor")) == [
        ("", RegistrationStatus.CONFIRMED, user.pk)
    ]
    outbox = EmailOutbox.objects.get(registration=registration)
    assert (outbox.kind, outbox.to, outbox.cc) == (EmailKind.CONFIRMED, "governor@phnompenh.example.org", "")
    assert [message.to for message in mail.outbox] == [["governor@phnompenh.example.org"]]

    detail = signed_in.get(response["Location"])
    body = page(detail)
    assert (
        f"The registration of H.E. Sok Vibol is confirmed (reference {registration.reference}). "
        "We have sent a confirmation to governor@phnompenh.example.org."
    ) in body
    assert '<span class="status status--confirmed">Confirmed</span>' in body
    assert shows_native_name(body, "km", "សុខ វិបុល")


def test_register_in_a_category_that_needs_approval_says_it_is_pending(
    signed_in, open_forum, partners, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(register_url(open_forum), form_data(partners), follow=True)

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.PENDING
    assert "has been received and is pending approval by the secretariat" in page(response)
    assert EmailOutbox.objects.get().kind == EmailKind.RECEIVED


def test_register_when_the_category_is_full_waitlists_and_says_so(signed_in, open_forum, register):
    small = DelegateCategoryFactory(forum=open_forum, name="Vice-mayor", slug="vice", capacity=1)
    register(open_forum, small)

    form = signed_in.get(register_url(open_forum))
    response = signed_in.post(register_url(open_forum), form_data(small), follow=True)

    assert "Full: waitlist" in page(form)
    assert (
        Registration.objects.get(email="governor@phnompenh.example.org").status
        == RegistrationStatus.WAITLISTED
    )
    assert "All places are taken, so H.E. Sok Vibol is on the waitlist" in page(response)


def test_register_badge_name_defaults_to_the_name_in_its_order(signed_in, open_forum, mayors):
    signed_in.post(register_url(open_forum), form_data(mayors, badge_name=""))

    assert Registration.objects.get().badge_name == "Sok Vibol"  # family name first, as chosen


def test_register_for_someone_else_links_no_delegate_account(signed_in, user, open_forum, mayors):
    signed_in.post(register_url(open_forum), form_data(mayors, email="mayor@phnompenh.example.org"))

    registration = Registration.objects.get()
    assert (registration.registered_by, registration.user) == (user, None)


@pytest.mark.parametrize(
    ("opens", "closes", "heading", "text"),
    [
        (-30, -1, "Registration has closed", "Registration for this forum is closed."),
        (2, 30, "Registration is not open yet", "Registration opens on "),
        (None, None, "Registration is not open yet", "The registration dates have not been announced yet."),
    ],
)
def test_register_outside_the_window_explains_and_shows_no_form(client, user, opens, closes, heading, text):
    now = timezone.now()
    forum = ForumFactory(
        registration_opens_at=None if opens is None else now + dt.timedelta(days=opens),
        registration_closes_at=None if closes is None else now + dt.timedelta(days=closes),
    )
    category = DelegateCategoryFactory(forum=forum)

    anonymous = client.get(register_url(forum))
    client.force_login(user)
    posted = client.post(register_url(forum), form_data(category))

    for response in (anonymous, posted):
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in page(response)
        assert text in page(response)
        assert "<form" not in page(response).split("<main", 1)[1]
    assert Registration.objects.count() == 0


def test_register_not_yet_open_says_when_it_opens_in_the_forum_time_zone(client):
    forum = ForumFactory(
        registration_opens_at=dt.datetime(2030, 6, 1, 2, 0, tzinfo=dt.UTC),  # 09:00 in Jakarta
        registration_closes_at=dt.datetime(2030, 9, 1, tzinfo=dt.UTC),
    )

    body = page(client.get(register_url(forum)))

    assert "Registration opens on 1 June 2030, 09:00" in body and "Please come back then." in body
    assert "Asia/Jakarta, WIB, UTC+7" in body


def test_register_of_a_draft_forum_is_404(signed_in):
    forum = ForumFactory(status="draft")

    assert signed_in.get(register_url(forum)).status_code == 404


def test_register_with_an_email_already_registered_says_so_next_to_the_field(
    signed_in, open_forum, mayors, register
):
    existing = register(open_forum, mayors, email="Governor@PhnomPenh.example.org")

    response = signed_in.post(register_url(open_forum), form_data(mayors, given_name="Sokha"))

    body = page(response)
    assert response.status_code == 200
    assert Registration.objects.count() == 1
    assert (
        '<p class="field__error" id="id_email_error">\n        <span class="visually-hidden">Error:</span> '
        "This email address is already registered for this forum "
        f"(reference {existing.reference}, Confirmed)."
    ) in body
    assert 'aria-describedby="id_email_helptext id_email_error"' in body
    assert 'href="#id_email">Delegate&#x27;s email: This email address is already registered' in body
    assert 'value="Sokha"' in body  # what was typed is kept
    assert "<title>" in body and "Error:" in body.split("</title>")[0]


def test_register_with_errors_keeps_everything_typed_and_links_each_error(signed_in, open_forum, mayors):
    data = form_data(
        mayors,
        phone="081 234 5678",
        departure_date="2030-10-04",
        dietary_other="",
        native_name_lang="",
        privacy_consent=None,
    )

    response = signed_in.post(register_url(open_forum), data)

    body = page(response)
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    errors = {
        "phone": (
            "Enter a valid number for Cambodia: as dialled there, e.g. 091 234 567, or with the country "
            "code, e.g. +855 91 234 567."
        ),
        "departure_date": "The departure cannot be before the arrival.",
        "dietary_other": "Please describe the dietary requirement.",
        "native_name_lang": "Choose the script of the name in native script.",
        "privacy_consent": "Please accept the privacy notice to register.",
    }
    for name, message in errors.items():
        assert f'id="id_{name}_error"' in body
        assert message in body.split(f'id="id_{name}_error"')[1].split("</p>")[0]
        assert f'href="#id_{name}"' in body
    assert 'aria-invalid="true"' in body
    for value in ["081 234 5678", "2030-10-04", "សុខ វិបុល", "Phnom Penh Capital Administration", "pg 931"]:
        assert f'value="{value}"' in body
    assert 'class="steps__link--error"' in body


def test_register_busy_seats_ask_to_submit_again_and_keep_the_form(
    client, transactional_db, settings, open_forum, mayors
):
    """Another transaction holds the forum's seat lock: the view answers with a friendly message, not
    an error page, and saves nothing."""
    settings.REGISTRATION_LOCK_TIMEOUT = 0.2
    user = verified_user("governor@phnompenh.example.org")
    client.force_login(user)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                Forum.objects.select_for_update().get(pk=open_forum.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        response = client.post(register_url(open_forum), form_data(mayors))
    finally:
        release.set()
        holder.join()

    assert response.status_code == 200
    assert "We are handling many registrations right now — please submit again in a moment." in page(response)
    assert 'value="Phnom Penh Capital Administration"' in page(response)
    assert Registration.objects.count() == 0


# --- Names in every script -----------------------------------------------------------------------------


@pytest.mark.parametrize("row", read_names(), ids=lambda row: row["lang"])
def test_names_in_every_script_survive_form_database_email_and_page(
    client, open_forum, mayors, row, django_capture_on_commit_callbacks
):
    user = verified_user(f"{row['lang']}@example.org")
    client.force_login(user)
    data = form_data(
        mayors,
        email=f"{row['lang']}@example.org",
        honorific=row["honorific"],
        given_name=row["badge_name"],
        family_name="",
        badge_name=row["badge_name"],
        native_name=row["native_name"],
        native_name_lang=row["lang"] if row["native_name"] else "",
        position=row["position"],
        city=row["city"],
        country=row["country"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(open_forum), data, follow=True)

    registration = Registration.objects.get()
    assert (registration.badge_name, registration.native_name, registration.position, registration.city) == (
        row["badge_name"],
        row["native_name"],
        row["position"],
        row["city"],
    )
    assert registration.native_name_lang == (row["lang"] if row["native_name"] else "")
    display = f"{row['honorific']} {row['badge_name']}"
    outbox = EmailOutbox.objects.get()
    sent = mail.outbox[-1]
    html_part = sent.alternatives[0][0]
    for text in (outbox.body_text, sent.body):
        assert f"Dear {display}," in text
        assert row["native_name"] in text
    assert html.escape(display) in html_part and row["native_name"] in html_part
    body = page(response)
    assert f"<h1>{html.escape(display)}</h1>" in body
    if row["native_name"]:
        assert shows_native_name(body, row["lang"], row["native_name"])
    mine = page(client.get(reverse("delegates:my-registrations")))
    assert html.escape(display) in mine


# --- Who sees what ---------------------------------------------------------------------------------------


def registration_urls(public_id) -> list[str]:
    return [
        reverse(name, args=[public_id])
        for name in (
            "delegates:registration",
            "delegates:registration-edit",
            "delegates:registration-cancel",
            "delegates:registration-ics",
        )
    ]


def test_another_users_registration_is_404_on_every_url(signed_in, open_forum, mayors, register, assistant):
    theirs = register(open_forum, mayors, by=assistant, email="someone.else@example.org")

    for url in registration_urls(theirs.public_id):
        assert signed_in.get(url).status_code == 404, url
        assert signed_in.post(url, form_data(mayors)).status_code in (404, 405), url
    unknown = uuid.uuid4()
    for url in registration_urls(unknown):
        assert signed_in.get(url).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.CONFIRMED
    assert "someone.else" not in page(signed_in.get(reverse("delegates:my-registrations")))


@pytest.mark.parametrize(
    "public_id", ["1", "not-a-uuid", "0" * 31, "%00", "12345678-1234-1234-1234-12345678901Z"]
)
def test_malformed_public_ids_are_404(signed_in, public_id):
    for name in ("delegates:registration", "delegates:registration-edit", "delegates:registration-cancel"):
        url = reverse(name, args=["PLACEHOLDER"]).replace("PLACEHOLDER", public_id)
        assert signed_in.get(url).status_code == 404, url


def test_registration_pages_require_sign_in(client, open_forum, mayors, register):
    registration = register(open_forum, mayors)

    for url in [reverse("delegates:my-registrations"), *registration_urls(registration.public_id)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_assistant_registers_the_mayor_and_the_mayor_sees_it_after_verifying(
    client, open_forum, mayors, django_capture_on_commit_callbacks
):
    assistant = verified_user("assistant@cityhall.example.org")
    client.force_login(assistant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(open_forum), form_data(mayors, email="Mayor@CityHall.example.org"))
    registration = Registration.objects.get()
    assert (registration.registered_by, registration.user) == (assistant, None)
    assert EmailOutbox.objects.get().cc == "assistant@cityhall.example.org"

    # The mayor signs up with the address the assistant gave, and verifies it from the email.
    client.logout()
    password = "Mekong-river-2031!"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "mayor@cityhall.example.org", "password1": password, "password2": password},
        )
    mayor = EmailAddress.objects.get(email="mayor@cityhall.example.org").user
    assert client.get(reverse("delegates:my-registrations")).status_code == 302  # not signed in yet
    client.force_login(mayor)
    assert signed_in_status(client, registration) == 404  # not before the address is verified
    client.logout()
    verification = mail.outbox[-1]
    assert verification.to == ["mayor@cityhall.example.org"]
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/[^/\s]+/)", verification.body
    ).group(1)
    assert client.post(link).status_code == 302
    signed_in_again = client.post(
        reverse("account_login"), {"login": "mayor@cityhall.example.org", "password": password}
    )

    assert signed_in_again.status_code == 302
    assert EmailAddress.objects.get(email="mayor@cityhall.example.org").verified is True
    mine = page(client.get(reverse("delegates:my-registrations")))
    detail = client.get(reverse("delegates:registration", args=[registration.public_id]))
    assert "H.E. Sok Vibol" in mine
    assert detail.status_code == 200
    assert "by assistant@cityhall.example.org" in page(detail)
    client.force_login(assistant)
    assert "H.E. Sok Vibol" in page(client.get(reverse("delegates:my-registrations")))


def signed_in_status(client, registration) -> int:
    return client.get(reverse("delegates:registration", args=[registration.public_id])).status_code


# --- My registrations ------------------------------------------------------------------------------------


def test_my_registrations_lists_status_forum_dates_and_sessions(
    signed_in, user, open_forum, mayors, site_visit
):
    mine = RegistrationFactory(
        category=mayors,
        registered_by=user,
        honorific="H.E.",
        given_name="Vibol",
        family_name="Sok",
        name_order=NameOrder.FAMILY_FIRST,
        badge_name="Sok Vibol",
    )
    SessionSignupFactory(registration=mine, session=site_visit, status=SignupStatus.WAITLISTED)
    RegistrationFactory(category=mayors, given_name="Not", family_name="Mine", badge_name="Not Mine")

    body = page(signed_in.get(reverse("delegates:my-registrations")))

    assert "H.E. Sok Vibol" in body
    assert "Not Mine" not in body
    assert '<a href="/forums/amf-2031/">ASEAN Mayors Forum 2031</a>' in body
    assert "6–7 October 2030" in body
    assert "Site visit: river clean-up" in body
    assert '<span class="status status--session_full">On the waitlist: the session is full</span>' in body
    assert '<span class="status status--confirmed">Confirmed</span>' in body
    assert mine.reference in body


def test_my_registrations_without_any_says_so(signed_in):
    body = page(signed_in.get(reverse("delegates:my-registrations")))

    assert "You have no registrations yet." in body


@pytest.mark.parametrize("count", [1, 12])
def test_my_registrations_query_count_does_not_grow(
    signed_in, user, open_forum, mayors, site_visit, count, django_assert_num_queries
):
    other_forum = ForumFactory(slug="another-forum")
    other_category = DelegateCategoryFactory(forum=other_forum)
    for n in range(count):
        registration = RegistrationFactory(category=mayors if n % 2 else other_category, registered_by=user)
        if n % 2:
            SessionSignupFactory(registration=registration, session=site_visit)

    # session + user, registrations (the user's verified addresses in a subquery), their sign-ups.
    with django_assert_num_queries(4):
        response = signed_in.get(reverse("delegates:my-registrations"))

    assert page(response).count('class="card registration-card') == count


# --- Details, edit and cancel --------------------------------------------------------------------------


@pytest.fixture
def mine(signed_in, open_forum, mayors, site_visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(register_url(open_forum), form_data(mayors))
    mail.outbox.clear()
    return Registration.objects.get()


def test_detail_shows_all_details_history_and_links(signed_in, mine):
    body = page(signed_in.get(reverse("delegates:registration", args=[mine.public_id])))

    for text in [
        "Phnom Penh Capital Administration",
        "Phnom Penh, Cambodia",
        "+855 12 345 678",
        "5 October 2030, 14:30 · PG 931",
        "8 October 2030, 18:45 · PG 932",
        "Other (please give details): No beef",
        "Chan Dara, protocol officer",
        "by you",
        f"Reference {mine.reference}",
    ]:
        assert text in body, text
    for name in ("registration-edit", "registration-cancel", "registration-ics"):
        assert reverse(f"delegates:{name}", args=[mine.public_id]) in body


def test_detail_history_shows_a_staff_correction(signed_in, mine, open_forum, staff):
    officials = DelegateCategoryFactory(forum=open_forum, name="City official", slug="official")
    registration_correct(registration=mine, actor=staff, category=officials, note="As agreed by phone.")

    body = re.sub(r"\s+", " ", page(signed_in.get(reverse("delegates:registration", args=[mine.public_id]))))

    assert "by the secretariat" in body
    assert (
        '<p class="history__reason">Category changed from “Mayor / Governor” to “City official”. '
        "As agreed by phone.</p>"
    ) in body


def test_edit_changes_details_and_sessions_and_emails_the_delegate(
    signed_in, user, mine, mayors, site_visit, django_capture_on_commit_callbacks
):
    url = reverse("delegates:registration-edit", args=[mine.public_id])
    form = signed_in.get(url)
    data = form_data(mayors, position="Vice Governor", sessions=[str(site_visit.pk)])

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, data, follow=True)

    body = page(form)
    assert (
        'name="category"' not in body and 'name="email"' not in body and 'name="privacy_consent"' not in body
    )
    assert 'value="Governor"' in body
    mine.refresh_from_db()
    assert mine.position == "Vice Governor"
    assert list(mine.signups.values_list("session_id", "status")) == [(site_visit.pk, SignupStatus.CONFIRMED)]
    assert "Your changes have been saved." in page(response)
    assert [message.subject for message in mail.outbox] == ["Registration updated: ASEAN Mayors Forum 2031"]


def test_edit_with_an_error_keeps_the_typed_values_and_saves_nothing(signed_in, mine, mayors):
    url = reverse("delegates:registration-edit", args=[mine.public_id])

    response = signed_in.post(url, form_data(mayors, position="Vice Governor", phone="12"))

    assert response.status_code == 200
    assert 'value="Vice Governor"' in page(response)
    assert "Enter a valid international number, e.g. +66 81 234 5678." in page(response)
    mine.refresh_from_db()
    assert mine.position == "Governor"


def test_edit_after_the_deadline_explains_and_changes_nothing(signed_in, mine, mayors, open_forum):
    open_forum.registration_edit_deadline = timezone.now() - dt.timedelta(minutes=1)
    open_forum.save()
    url = reverse("delegates:registration-edit", args=[mine.public_id])

    shown = signed_in.get(url)
    posted = signed_in.post(url, form_data(mayors, position="Vice Governor"))

    for response in (shown, posted):
        assert "<h1>The deadline for changes has passed</h1>" in page(response)
        assert 'name="position"' not in page(response)
    mine.refresh_from_db()
    assert mine.position == "Governor"
    detail = page(signed_in.get(reverse("delegates:registration", args=[mine.public_id])))
    assert url not in detail


def test_cancel_asks_for_confirmation_then_cancels_with_the_reason(
    signed_in, user, mine, django_capture_on_commit_callbacks
):
    url = reverse("delegates:registration-cancel", args=[mine.public_id])

    confirm = signed_in.get(url)
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CONFIRMED
    assert "Cancel the registration of H.E. Sok Vibol?" in page(confirm)
    assert "Yes, cancel the registration" in page(confirm)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, {"reason": "The governor has another engagement."}, follow=True)

    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CANCELLED
    last = StatusChange.objects.filter(registration=mine).order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor, last.reason) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CANCELLED,
        user,
        "The governor has another engagement.",
    )
    body = page(response)
    assert "The registration of H.E. Sok Vibol has been cancelled." in body
    assert '<span class="status status--cancelled">Cancelled</span>' in body
    assert "The governor has another engagement." in body
    assert [message.subject for message in mail.outbox] == ["Registration cancelled: ASEAN Mayors Forum 2031"]
    again = signed_in.get(url)
    assert "<h1>This registration is no longer active</h1>" in page(again)


def test_cancel_promotes_the_first_waitlisted_delegate(signed_in, open_forum, register, user):
    small = DelegateCategoryFactory(forum=open_forum, slug="small", capacity=1)
    signed_in.post(register_url(open_forum), form_data(small))
    waiting = register(open_forum, small)
    assert waiting.status == RegistrationStatus.WAITLISTED
    mine = Registration.objects.get(email="governor@phnompenh.example.org")

    signed_in.post(reverse("delegates:registration-cancel", args=[mine.public_id]), {"reason": ""})

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_cancel_with_an_overlong_reason_keeps_it_and_cancels_nothing(signed_in, mine):
    url = reverse("delegates:registration-cancel", args=[mine.public_id])

    response = signed_in.post(url, {"reason": "x" * 1001})

    assert response.status_code == 200
    assert "Please keep the reason under 1000 characters." in page(response)
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CONFIRMED


# --- Personal programme ------------------------------------------------------------------------------------


def test_personal_programme_has_open_sessions_and_confirmed_sign_ups_only(
    signed_in, user, open_forum, mayors
):
    start = dt.datetime(2030, 10, 6, 9, 0, tzinfo=open_forum.tz)
    opening = SessionFactory(forum=open_forum, title="Opening plenary", starts_at=start)
    visit = SessionFactory(forum=open_forum, title="Site visit A", requires_signup=True, starts_at=start)
    waiting = SessionFactory(forum=open_forum, title="Site visit B", requires_signup=True, starts_at=start)
    SessionFactory(forum=open_forum, title="Site visit C", requires_signup=True, starts_at=start)
    SessionFactory(forum=ForumFactory(slug="another-forum"), title="Another forum's session")
    registration = RegistrationFactory(category=mayors, registered_by=user)
    SessionSignupFactory(registration=registration, session=visit, status=SignupStatus.CONFIRMED)
    SessionSignupFactory(registration=registration, session=waiting, status=SignupStatus.WAITLISTED)

    response = signed_in.get(reverse("delegates:registration-ics", args=[registration.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="amf-2031-my-programme.ics"'
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert events == ["Opening plenary", "Site visit A"]
    assert str(calendar["X-WR-CALNAME"]) == "ASEAN Mayors Forum 2031 – my programme"
    first = next(iter(calendar.walk("VEVENT")))
    assert first["DTSTART"].dt == start
    assert str(first["UID"]) in {f"{opening.uid}@localhost", f"{visit.uid}@localhost"}


def test_privacy_notice_explains_collection_purpose_access_retention_and_contact(client, settings):
    settings.PRIVACY_CONTACT_EMAIL = "privacy@secretariat.example.org"

    body = page(client.get(reverse("delegates:privacy")))

    for heading in ["What we collect", "Why we collect it", "Who sees it", "How long we keep it", "Contact"]:
        assert f">{heading}</h2>" in body
    assert 'href="mailto:privacy@secretariat.example.org"' in body


def test_session_signup_counts_are_unchanged_by_failed_submissions(signed_in, open_forum, mayors, site_visit):
    signed_in.post(register_url(open_forum), form_data(mayors, sessions=[str(site_visit.pk)], phone="+1"))

    assert SessionSignup.objects.count() == 0
    assert StatusChange.objects.count() == 0
    assert EmailOutbox.objects.count() == 0


# --- Rendering cost of the form ------------------------------------------------------------------------


@pytest.mark.parametrize("registrations", [0, 6])
def test_register_page_query_count_does_not_grow(
    signed_in, user, open_forum, mayors, site_visit, registrations, django_assert_num_queries
):
    for _ in range(registrations):
        SessionSignupFactory(
            registration=RegistrationFactory(forum=open_forum, category=mayors, registered_by=user),
            session=site_visit,
        )
    signed_in.get(register_url(open_forum))

    # forum, session, user, the user's registrations in this forum, sessions and categories with their
    # seats taken.
    with django_assert_num_queries(6):
        response = signed_in.get(register_url(open_forum))

    assert response.status_code == 200


def test_register_with_a_character_the_badge_cannot_print_says_which_next_to_the_field(
    signed_in, open_forum, mayors
):
    response = signed_in.post(register_url(open_forum), form_data(mayors, badge_name="Sok Vibol 😀"))

    body = page(response)
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    error = body.split('id="id_badge_name_error"')[1].split("</p>")[0]
    assert (
        "This character cannot be printed on the badge: 😀 (U+1F600). Please remove it or write it another "
        "way." in error
    )
    assert 'href="#id_badge_name"' in body
    assert 'value="Sok Vibol 😀"' in body
