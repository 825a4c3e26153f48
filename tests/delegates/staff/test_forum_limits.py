"""Staff limited to chosen forums never see or touch another forum's delegates: not in the list, not
by search, not by URL (404), not through an action posted with a forged selection; the choices of
filters, forms and autocomplete lookups hold their forums only; and the list stays a bounded number
of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.enums import EmailKind, RegistrationStatus
from delegates.models import DelegateCategory, EmailOutbox, StatusChange
from tests.delegates.staff.test_role_matrix import message_texts, url
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

REGISTRATIONS = "delegates.registration"


def status(registration) -> str:
    registration.refresh_from_db()
    return registration.status


def test_the_list_and_search_hold_only_their_forums_delegates(world, as_role):
    client = as_role("registrar_a")

    listing = client.get(url(REGISTRATIONS, "l"))
    search = client.get(url(REGISTRATIONS, "l"), {"q": "amf-b"})  # forum B's delegates' family names
    everyone = as_role("registrar").get(url(REGISTRATIONS, "l"), {"q": "amf-b"})

    assert {r.pk for r in listing.context["cl"].result_list} == {world.a.registration.pk, world.a.pending.pk}
    assert search.context["cl"].result_count == 0
    assert {r.pk for r in everyone.context["cl"].result_list} == {world.b.registration.pk, world.b.pending.pk}


def test_another_forums_delegate_is_not_found_by_url(world, as_role):
    client = as_role("registrar_a")
    other = world.b.registration
    badge = reverse("admin:delegates_registration_badge_preview", args=[other.pk])

    pages = {
        "change": client.get(url(REGISTRATIONS, "v", other)).status_code,
        "history": client.get(url(REGISTRATIONS, "h", other)).status_code,
        "badge": client.get(badge).status_code,
        "unknown id": client.get(url(REGISTRATIONS, "v", type(other)(pk=999999))).status_code,
    }

    assert pages == {"change": 404, "history": 404, "badge": 404, "unknown id": 404}


def test_an_action_with_a_forged_selection_does_nothing_to_another_forum(world, as_role):
    client = as_role("registrar_a")
    other = world.b.pending
    history_before = StatusChange.objects.filter(registration=other).count()

    approve = client.post(
        url(REGISTRATIONS, "l"), {"action": "approve_selected", "_selected_action": [other.pk], "index": "0"}
    )
    reject = client.post(
        url(REGISTRATIONS, "l"),
        {
            "action": "reject_selected",
            "_selected_action": [other.pk],
            "select_across": "0",
            "confirm_action": "Reject",
            "reason": "Forged",
        },
    )

    assert (approve.status_code, reject.status_code) == (302, 302)
    assert status(other) == RegistrationStatus.PENDING
    assert StatusChange.objects.filter(registration=other).count() == history_before
    assert not [text for text in message_texts(approve) + message_texts(reject) if other.reference in text]


def test_select_across_acts_on_their_forum_only(world, as_role):
    client = as_role("registrar_a")

    client.post(
        url(REGISTRATIONS, "l"),
        {
            "action": "approve_selected",
            "_selected_action": [world.b.pending.pk],
            "select_across": "1",
            "index": "0",
        },
    )

    assert (status(world.a.pending), status(world.b.pending)) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.PENDING,
    )


def filter_choices(response, title: str) -> list[str] | None:
    """The labels a list filter offers, or None when the filter is not shown (nothing to choose)."""
    specs = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == title]
    return [str(label) for _value, label in specs[0].lookup_choices] if specs else None


def test_list_filters_offer_their_forums_rows_only(world, as_role):
    RegistrationFactory(category=world.b.category, country="MM")

    limited = as_role("registrar_a").get(url(REGISTRATIONS, "l"))
    everyone = as_role("registrar").get(url(REGISTRATIONS, "l"))

    assert filter_choices(limited, "forum") is None  # one forum: nothing to choose
    assert filter_choices(limited, "category") == [
        "Invited to Forum A · Forum A",
        "Mayors of Forum A · Forum A",
        "Partners of Forum A · Forum A",
    ]
    assert filter_choices(limited, "country") == ["Laos", "Thailand"]
    assert "Myanmar" in filter_choices(everyone, "country")
    assert filter_choices(everyone, "forum") == ["Forum A", "Forum B"]


def test_add_forms_offer_their_forums_only_and_refuse_another(world, as_role):
    client = as_role("admin_a")
    add = url("delegates.delegatecategory", "a")

    page = client.get(add)
    posted = client.post(
        add,
        {
            "forum": world.b.forum.pk,
            "name": "Smuggled",
            "slug": "smuggled",
            "protocol_rank": "100",
            "badge_colour": "#123456",
        },
    )
    session_page = client.get(url("events.session", "a"))

    assert list(page.context["adminform"].form.fields["forum"].queryset) == [world.a.forum]
    assert posted.status_code == 200
    assert "forum" in posted.context["adminform"].form.errors
    assert not DelegateCategory.objects.filter(slug="smuggled").exists()
    form = session_page.context["adminform"].form
    assert list(form.fields["forum"].queryset) == [world.a.forum]
    assert list(form.fields["room"].queryset) == [world.a.room]
    assert list(form.fields["track"].queryset) == [world.a.track]


def test_autocomplete_offers_their_forums_speakers_only(world, as_role):
    response = as_role("admin_a").get(
        reverse("admin:autocomplete"),
        {
            "app_label": "events",
            "model_name": "sessionspeaker",
            "field_name": "speaker",
            "term": "Speaker of",
        },
    )

    assert [result["text"] for result in response.json()["results"]] == [str(world.a.speaker)]


def test_account_emails_and_other_forums_emails_are_not_in_their_outbox(world, as_role):
    account = EmailOutbox.objects.create(key="account-test", kind=EmailKind.ACCOUNT, to="x@example.org")

    limited = as_role("registrar_a").get(url("delegates.emailoutbox", "l"))
    everyone = as_role("registrar").get(url("delegates.emailoutbox", "l"))

    shown = {row.pk for row in limited.context["cl"].queryset}
    assert shown == set(
        EmailOutbox.objects.filter(registration__forum=world.a.forum).values_list("pk", flat=True)
    )
    assert account.pk in {row.pk for row in everyone.context["cl"].queryset}


@pytest.mark.parametrize("extra", [0, 20])
def test_their_registration_list_takes_a_bounded_number_of_queries(world, as_role, extra):
    for _ in range(extra):
        RegistrationFactory(category=world.a.category)
        RegistrationFactory(category=world.b.category)
    client = as_role("registrar_a")
    client.get(url(REGISTRATIONS, "l"))  # the session and the user, as a browser has them

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(REGISTRATIONS, "l"))

    assert response.context["cl"].result_count == 2 + extra
    assert len(queries) == LIMITED_LIST_QUERIES


# Session, user, their own and their groups' permissions, forum access and its forums; the filters'
# choices (forums, categories and the visible ones of them, countries, sessions that need sign-up,
# hotels); the counts and the page, and the page's badge states and check-ins.
LIMITED_LIST_QUERIES = 17
