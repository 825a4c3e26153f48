"""The delegates' demo (``delegates/demo/``, loaded by ``manage.py seed_demo``): categories for both
forums, about sixty registrations made by the real services in every status and every script, the site
visit nearly full, the first badges printed by a real print job, the emails written and not sent — and
a second run that changes nothing.

Loading the demo takes seconds (a few hundred service calls and a WeasyPrint job), so it is loaded once
for this module, committed, and removed afterwards; each test runs in a transaction on top of it."""

import datetime as dt
import io
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from delegates.badges.content import band_text_colour, contrast_ratio
from delegates.checkin.services import Scan, checkin_scan
from delegates.demo import EMAIL_NOTE, delegates_demo_seed
from delegates.demo.seeding import DEMO_FORUMS
from delegates.enums import NativeScript, OutboxStatus, PrintJobStatus, RegistrationStatus, SignupStatus
from delegates.models import (
    CheckInList,
    DelegateCategory,
    EmailOutbox,
    Invitation,
    PrintJob,
    PrintJobItem,
    Registration,
    SessionSignup,
    StatusChange,
)
from delegates.printing.selectors import printed_badge_exists
from delegates.registration.selectors import session_list_for_signup
from events.models import Forum, Speaker
from tests.delegates.accounts import verified_user
from tests.delegates.printing.jobs import pdf_pages

pytestmark = pytest.mark.django_db

DELEGATE_MODELS = (
    DelegateCategory,
    Registration,
    SessionSignup,
    StatusChange,
    EmailOutbox,
    PrintJob,
    PrintJobItem,
)


@dataclass(frozen=True)
class Demo:
    output: str
    queries: int  # of the whole first seed_demo
    media: Path
    seeded_at: dt.datetime


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        seeded_at = timezone.now()
        with CaptureQueriesContext(connection) as queries:
            call_command("seed_demo", verbosity=2, stdout=out)
        yield Demo(output=out.getvalue(), queries=len(queries), media=media, seeded_at=seeded_at)
        # Registrations first: forums protect theirs.
        Registration.objects.all().delete()
        Forum.objects.all().delete()
        Speaker.objects.all().delete()


def statuses(forum_slug: str) -> dict[str, int]:
    return dict(Counter(Registration.objects.filter(forum__slug=forum_slug).values_list("status", flat=True)))


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DELEGATE_MODELS}


# --- Categories ----------------------------------------------------------------------------------------


def test_demo_gives_both_forums_their_categories(demo):
    rows = DelegateCategory.objects.order_by("forum__start_date", "protocol_rank").values_list(
        "forum__slug", "slug", "name", "capacity", "requires_approval", "protocol_rank", "is_public"
    )

    def expected(forum, mayors, national, vice, officials, partners, media):
        return [
            (forum, "mayor-governor", "Mayor / Governor", mayors, False, 10, True),
            (forum, "national-government", "National government", national, False, 20, True),
            (forum, "vice-mayor", "Vice-mayor / Vice-governor", vice, False, 30, True),
            (forum, "city-official", "City official", officials, False, 40, True),
            (forum, "partner", "Partner organisation", partners, True, 50, True),
            (forum, "media", "Media", media, True, 60, True),
            (forum, "secretariat", "Secretariat", None, False, 90, False),
        ]

    assert list(rows) == [
        *expected("pre-amf-2022", 120, 20, 60, 80, 30, 15),
        ("amf-2027", "mayor-invited", "Mayor / Governor — by invitation", None, False, 5, True),
        *expected("amf-2027", 150, 8, 80, 120, 40, 4),
    ]


def test_demo_invites_two_governors_and_withdrew_one_invitation(demo):
    rows = Invitation.objects.filter(forum__slug="amf-2027").order_by("id")

    assert list(rows.values_list("name", "category__slug", "status")) == [
        ("ឈឹម សុភា", "mayor-invited", "pending"),
        ("ສົມພອນ ແກ້ວມະນີ", "mayor-invited", "pending"),
        ("Nguyễn Thị Hồng Nhung", "mayor-invited", "revoked"),
    ]
    notes = EmailOutbox.objects.filter(invitation__in=rows).order_by("id").values_list("status", "note")
    assert list(notes) == [
        ("skipped", EMAIL_NOTE),
        ("skipped", EMAIL_NOTE),
        ("skipped", "The invitation was revoked."),
    ]


def test_demo_badge_colours_are_distinct_and_their_band_text_reads_at_aa(demo):
    colours = list(
        DelegateCategory.objects.filter(forum__slug="amf-2027").values_list("badge_colour", flat=True)
    )

    assert len(set(colours)) == 8
    for colour in colours:
        assert contrast_ratio(colour, band_text_colour(colour)) >= 4.5, colour


def test_demo_register_page_offers_the_public_categories_and_the_site_visit(demo, client):
    client.force_login(verified_user("newcomer@city-hall.example.org"))

    response = client.get("/forums/amf-2027/register/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "No delegate categories are open for registration yet" not in body
    for name in ("Mayor / Governor", "National government", "City official", "Partner organisation", "Media"):
        assert f'<span class="choice__title">{name}</span>' in body
    assert "Secretariat" not in body  # staff assign it
    assert "by invitation" not in body  # invitees register through their personal link
    assert body.count("Full: waitlist") == 2  # national government and the press pool
    assert "Site visit: canal restoration and flood control" in body
    assert "3 places left" in body


# --- Registrations -------------------------------------------------------------------------------------


def test_demo_registrations_by_status(demo):
    assert statuses("amf-2027") == {
        "confirmed": 46,
        "pending": 3,
        "waitlisted": 2,
        "rejected": 2,
        "cancelled": 2,
    }
    assert statuses("pre-amf-2022") == {"confirmed": 6, "rejected": 1, "cancelled": 1}
    assert Registration.objects.count() == 63


def test_demo_registrations_cover_every_script(demo):
    scripts = Counter(Registration.objects.values_list("native_name_lang", flat=True))

    assert dict(scripts) == {
        "": 21,  # Latin-only names (Indonesian, Filipino, Tetum, Malay, European)
        "km": 6,
        "th": 6,
        "vi": 6,
        "my": 5,
        "ta": 4,
        "ms-Arab": 4,
        "lo": 3,
        "zh-Hans": 3,
        "zh-Hant": 2,
        "ar": 1,
        "ja": 1,
        "ko": 1,
    }
    assert set(scripts) - {""} == set(NativeScript.values) - {NativeScript.OTHER}
    assert Registration.objects.filter(~Q(native_name=""), native_name_lang="").count() == 0


def test_demo_registrations_are_valid_and_fictional(demo):
    registrations = list(Registration.objects.select_related("forum", "category"))

    for registration in registrations:
        registration.full_clean()  # lengths, countries, phone numbers as the forms would accept them
        assert registration.email.endswith(".example.org"), registration.email
        assert registration.category.forum_id == registration.forum_id
    assert len({(r.forum_id, r.email) for r in registrations}) == 63
    phones = [str(r.phone) for r in registrations if r.phone]
    assert len(phones) == len(set(phones)) == 30  # nobody shares a number
    with_travel = [r for r in registrations if r.arrival_flight]
    assert len(with_travel) == 16
    for registration in with_travel:
        assert registration.arrival_date <= registration.forum.start_date
        assert registration.departure_date >= registration.forum.end_date
    assert {r.dietary for r in registrations} == {"none", "halal", "vegetarian", "vegan", "other"}


def test_demo_rejections_and_cancellations_carry_their_reason(demo):
    reasons = {
        change.registration.badge_name: (change.from_status, change.to_status, change.reason[:40])
        for change in StatusChange.objects.filter(
            to_status__in=[RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED]
        ).select_related("registration")
    }

    assert reasons == {
        "Kevin Tan": ("pending", "rejected", "Partner registration is for the forum's "),
        "Tom Fairweather": ("pending", "rejected", "Press accreditation is for working journ"),
        "Reza Mahendra": ("pending", "rejected", "Press accreditation closed on 15 Septemb"),
        "Ramon Villanueva": ("confirmed", "cancelled", "The city council moved its budget sessio"),
        "Rina Kusumawati": ("confirmed", "cancelled", "Ministerial duties in Jakarta on the for"),
        "Angelica Bautista": ("confirmed", "cancelled", "A typhoon is expected in Davao on the fo"),
    }


def test_demo_full_categories_have_waitlists_and_a_promotion(demo):
    national = Registration.objects.filter(forum__slug="amf-2027", category__slug="national-government")
    media = Registration.objects.filter(forum__slug="amf-2027", category__slug="media")

    assert national.filter(status=RegistrationStatus.CONFIRMED).count() == 8  # its capacity
    assert list(
        national.filter(status=RegistrationStatus.WAITLISTED).values_list("badge_name", flat=True)
    ) == ["Carmela Reyes"]
    promoted = national.get(badge_name="Joaquim Pereira")
    assert list(promoted.history.values_list("from_status", "to_status", "reason")) == [
        ("", "waitlisted", "The category is full."),
        ("waitlisted", "confirmed", "Promoted from the waitlist"),
    ]
    assert media.filter(status=RegistrationStatus.CONFIRMED).count() == 4
    waiting = media.get(status=RegistrationStatus.WAITLISTED)
    assert (waiting.badge_name, list(waiting.history.values_list("to_status", flat=True))) == (
        "Maya Santoso",
        ["pending", "waitlisted"],
    )


def test_demo_timeline_lies_inside_the_registration_window_in_order(demo):
    for forum in Forum.objects.all():
        registrations = list(Registration.objects.filter(forum=forum).order_by("id"))
        created = [registration.created_at for registration in registrations]
        assert created == sorted(created)  # made in the order of the timeline
        assert forum.registration_opens_at <= created[0]
        assert created[-1] < min(forum.registration_closes_at, demo.seeded_at)
        assert len({moment.date() for moment in created}) >= 8  # spread over weeks, not one instant
        for registration in registrations:
            history = list(registration.history.order_by("id").values_list("at", flat=True))
            assert history[0] == registration.created_at
            assert history == sorted(history)
            assert registration.privacy_consent_at == registration.created_at
    # Approved on day 5 of the 30-day timeline, registered on day 3.3: 1.7 of its days later.
    forum = Forum.objects.get(slug="amf-2027")
    approval = StatusChange.objects.get(registration__badge_name="Omar Haddad", to_status="confirmed")
    timeline_day = (demo.seeded_at - forum.registration_opens_at) / 30
    assert round((approval.at - approval.registration.created_at) / timeline_day, 3) == 1.7


# --- The site visit ------------------------------------------------------------------------------------


def test_demo_site_visit_has_three_seats_left(demo):
    visit = session_list_for_signup(forum=Forum.objects.get(slug="amf-2027")).get()

    assert (visit.slug, visit.capacity, visit.taken) == ("site-visit-canals-and-flood-control", 40, 37)
    waiting = SessionSignup.objects.filter(session=visit, status=SignupStatus.WAITLISTED)
    assert sorted(waiting.values_list("registration__badge_name", "registration__status")) == [
        ("Carmela Reyes", "waitlisted"),
        ("Lukas Becker", "pending"),
        ("Maya Santoso", "waitlisted"),
        ("Priya Nair", "pending"),
    ]
    confirmed = SessionSignup.objects.filter(session=visit, status=SignupStatus.CONFIRMED)
    assert set(confirmed.values_list("registration__status", flat=True)) == {"confirmed"}


# --- Check-in -------------------------------------------------------------------------------------------


def test_demo_forums_have_their_check_in_lists_and_a_badge_checks_in(demo):
    forum = Forum.objects.get(slug="amf-2027")
    lists = CheckInList.objects.filter(forum=forum)
    days = (forum.end_date - forum.start_date).days + 1
    sessions = forum.sessions.filter(Q(requires_signup=True) | Q(capacity__isnull=False))

    assert lists.filter(kind="day").count() == days
    assert set(lists.filter(kind="session").values_list("session_id", flat=True)) == set(
        sessions.values_list("pk", flat=True)
    )
    visitor = (
        SessionSignup.objects.filter(
            session__slug="site-visit-canals-and-flood-control", status=SignupStatus.CONFIRMED
        )
        .first()
        .registration
    )
    day = lists.filter(kind="day").order_by("day").first()
    visit = lists.get(session__slug="site-visit-canals-and-flood-control")
    for checkin_list in (day, visit):
        answer = checkin_scan(
            checkin_list=checkin_list,
            scan=Scan(idempotency_key=uuid.uuid4(), token=visitor.checkin_token),
            staff=None,
        )
        assert answer.verdict == "checked_in"


# --- The first badges printed ----------------------------------------------------------------------------


def test_demo_print_job_is_done_with_its_pdf_and_its_badges_count_as_printed(demo):
    job = PrintJob.objects.select_related("forum").get()
    printed = list(job.items.order_by("position").values_list("registration__badge_name", flat=True))

    assert (job.forum.slug, job.status, job.order, job.layout, job.total, job.done, job.error) == (
        "amf-2027",
        PrintJobStatus.DONE,
        "protocol",
        "a6",
        9,
        9,
        "",
    )
    assert sorted(printed) == [
        "Aung Kyaw Min",
        "Domingos da Costa Guterres",
        "Khamla Phommavong",
        "Ma. Luisa Dela Cruz-Santos",
        "Mohamad Nor Azman bin Haji Abdul Rahman Al-Haj",
        "Muhammad Faisal bin Abdullah",
        "Ramon Villanueva",
        "Sok Vibol",
        "Tan Mei Ling",
    ]
    pages = pdf_pages((demo.media / job.file.name).read_bytes())
    assert len(pages) == 9  # A6: one badge a page
    assert "Sok Vibol" in pages[printed.index("Sok Vibol")]
    # Mayors who registered after the job (and everyone else) are not yet printed.
    mayors = Registration.objects.filter(
        forum=job.forum, category__slug="mayor-governor", status=RegistrationStatus.CONFIRMED
    ).annotate(printed=printed_badge_exists())
    assert sorted(mayors.filter(printed=False).values_list("badge_name", flat=True)) == [
        "Hendra Gunawan",
        "Tran Van Minh",
        "Wichai Srisuk",
    ]
    assert mayors.filter(printed=True).count() == 8  # Ramon Villanueva cancelled after printing
    assert job.created_at < Registration.objects.get(badge_name="Tran Van Minh").created_at


# --- Emails ----------------------------------------------------------------------------------------------


def test_demo_emails_are_written_and_never_sent(demo):
    rows = EmailOutbox.objects.all()

    assert dict(Counter(rows.values_list("kind", flat=True))) == {
        "confirmed": 54,
        "received": 17,
        "rejected": 3,
        "cancelled": 3,
        "waitlisted": 3,
        "promoted": 1,
        "invitation": 3,
    }
    assert set(rows.values_list("status", "note")) == {
        (OutboxStatus.SKIPPED, EMAIL_NOTE),
        (OutboxStatus.SKIPPED, "The invitation was revoked."),
    }
    for row in rows:
        assert row.subject and row.body_text and row.body_html
        assert f"{settings.SITE_URL}/" in row.body_text
    assert mail.outbox == []


# --- Idempotent and bounded ----------------------------------------------------------------------------


def test_demo_second_run_changes_nothing_in_few_queries(demo, django_assert_num_queries):
    before = snapshot()
    forums = list(Forum.objects.filter(slug__in=DEMO_FORUMS).order_by("start_date"))

    # Per forum: its categories, its registrations, whether it has a print job; and the savepoint. The
    # forum with invitations: whether they are there.
    with django_assert_num_queries(9):
        result = delegates_demo_seed(forums=forums, now=timezone.now())

    assert (result.created, result.unchanged, result.emails_not_sent) == (0, 82, 0)
    assert snapshot() == before


def test_demo_makes_again_only_what_is_missing(demo):
    before = statuses("amf-2027")
    Registration.objects.filter(badge_name="Ramon Villanueva").delete()

    result = delegates_demo_seed(forums=Forum.objects.filter(slug="amf-2027"), now=timezone.now())

    assert (result.registrations, result.categories, result.print_jobs, result.emails_not_sent) == (
        1,
        0,
        0,
        2,
    )
    assert statuses("amf-2027") == before
    again = Registration.objects.get(badge_name="Ramon Villanueva")
    assert list(again.history.values_list("to_status", flat=True)) == ["confirmed", "cancelled"]


def test_demo_first_run_reports_and_stays_within_its_query_budget(demo):
    assert demo.output.splitlines() == [
        "Demo forums (pre-amf-2022, amf-2027): 99 rows created, 0 updated, 0 unchanged.",
        "Demo delegates: 82 rows created (15 categories, 63 registrations, 1 print job, 3 invitations), "
        "0 unchanged; 83 emails written and not sent (the delegates are fictional).",
        "Check-in: 10 lists made (an entry list per forum day, one per session with sign-up or a capacity).",
    ]
    # About 50 queries per registration and what happens to it, all told (seat locks, history,
    # outbox, the timeline's stamps, the admin history's entries): a budget, so that an N+1 in the
    # demo's own code shows.
    assert demo.queries <= 3450
