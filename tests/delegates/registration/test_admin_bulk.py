"""The registration list's bulk actions for the waitlist, the category and emails sent again
(``registration/admin_bulk.py``): a confirmation page first, then the services per registration, and
one message saying what happened."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus
from delegates.models import EmailOutbox
from tests.delegates.accounts import staff_user
from tests.delegates.registration.admin_pages import make_category
from tests.delegates.registration.concurrency import run_together
from tests.factories import ForumFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:delegates_registration_changelist"
CONFIRMED, PENDING, WAITLISTED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.WAITLISTED,
)


def choose(client, action, registrations):
    """The action chosen in the list's menu: its confirmation page."""
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in registrations], "index": "0"},
    )


def confirm(client, action, registrations, **fields):
    """The confirmation page posted back with its button."""
    return client.post(
        reverse(CHANGELIST),
        {
            "action": action,
            "_selected_action": [r.pk for r in registrations],
            "select_across": "0",
            "confirm_action": "yes",
            **fields,
        },
    )


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def statuses(*registrations):
    for registration in registrations:
        registration.refresh_from_db()
    return [registration.status for registration in registrations]


@pytest.fixture
def registrar(client):
    user = staff_user("registrar", "view_registration", "change_registration", "view_contact_details")
    client.force_login(user)
    return user


# --- Waitlist ------------------------------------------------------------------------------------------


def test_waitlist_asks_first_then_waitlists_pending_and_skips_the_rest(client, registrar, forum, register):
    partners = make_category(forum, name="Partner", requires_approval=True)
    first, second = register(forum, partners, 1), register(forum, partners, 2)
    confirmed = register(forum, make_category(forum), 3)

    page = choose(client, "waitlist_selected", [first, second, confirmed])
    assert page.status_code == 200
    assert "Put registrations on the waitlist" in page.text
    assert statuses(first, second, confirmed) == [PENDING, PENDING, CONFIRMED]  # nothing yet

    response = confirm(client, "waitlist_selected", [first, second, confirmed], reason="Seats held.")

    assert response.status_code == 302
    assert message_texts(response) == [
        f"2 waitlisted ({first.reference}, {second.reference}); "
        f"1 skipped: not pending ({confirmed.reference})."
    ]
    assert statuses(first, second, confirmed) == [WAITLISTED, WAITLISTED, CONFIRMED]
    assert first.history.order_by("-id").first().reason == "Seats held."
    assert first.emails.filter(kind=EmailKind.WAITLISTED).count() == 1


# --- Promote -------------------------------------------------------------------------------------------


def test_promote_seats_while_the_category_has_room_and_says_who_still_waits(
    client, registrar, forum, register
):
    mayors = make_category(forum, capacity=1)
    register(forum, mayors, 0)
    waiting = [register(forum, mayors, n) for n in (1, 2, 3)]
    pending = register(forum, make_category(forum, name="Partner", requires_approval=True), 4)
    mayors.capacity = 2  # one more seat, raised behind the services' back: nobody moved by itself
    mayors.save()

    assert "Promote from the waitlist" in choose(client, "promote_selected", waiting).text
    response = confirm(client, "promote_selected", [*reversed(waiting), pending])

    assert message_texts(response) == [
        f"1 promoted from the waitlist ({waiting[0].reference}); "
        f"2 still waitlisted because the category is full ({waiting[1].reference}, {waiting[2].reference}); "
        f"1 skipped: not waitlisted ({pending.reference})."
    ]
    assert statuses(*waiting, pending) == [CONFIRMED, WAITLISTED, WAITLISTED, PENDING]
    assert waiting[0].emails.filter(kind=EmailKind.PROMOTED).count() == 1


def test_promote_when_the_forum_is_full_says_so(client, registrar, forum, register):
    forum.capacity = 1
    forum.save()
    mayors = make_category(forum)
    register(forum, mayors, 0)
    waiting = register(forum, mayors, 1)

    response = confirm(client, "promote_selected", [waiting])

    assert message_texts(response) == [f"1 still waitlisted because the forum is full ({waiting.reference})."]
    assert statuses(waiting) == [WAITLISTED]


# --- Change category -----------------------------------------------------------------------------------


def test_change_category_offers_the_forums_categories_and_respects_capacity(
    client, registrar, forum, register
):
    mayors = make_category(forum)
    officials = make_category(forum, name="City official", capacity=1)
    other_forum_category = make_category(ForumFactory(slug="other"), name="Elsewhere")
    register(forum, officials, 0)  # the one seat of "City official" is taken
    confirmed = register(forum, mayors, 1)
    already = register(forum, officials, 2)  # waitlisted in "City official"
    partners = make_category(forum, name="Partner", requires_approval=True)
    pending = register(forum, partners, 3)

    page = choose(client, "change_category_selected", [confirmed, already, pending])
    offered = list(page.context["form"].fields["category"].queryset)
    assert set(offered) == {mayors, officials, partners}
    assert other_forum_category not in offered

    response = confirm(
        client, "change_category_selected", [confirmed, already, pending], category=officials.pk
    )

    assert message_texts(response) == [
        f"1 moved to “City official” ({pending.reference}); "
        f"1 not moved because “City official” is full and confirmed delegates keep their seat "
        f"({confirmed.reference}); "
        f"1 skipped: already in “City official” ({already.reference})."
    ]
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert (confirmed.category, confirmed.status) == (mayors, CONFIRMED)
    assert (pending.category, pending.status) == (officials, PENDING)
    assert pending.emails.filter(kind=EmailKind.CHANGED).count() == 1


def test_change_category_requires_a_choice_and_one_forum(client, registrar, forum, register):
    registration = register(forum, make_category(forum), 1)
    other = ForumFactory(
        slug="other-open",
        registration_opens_at=forum.registration_opens_at,
        registration_closes_at=forum.registration_closes_at,
    )
    elsewhere = register(other, make_category(other, name="Elsewhere"), 2)

    missing = confirm(client, "change_category_selected", [registration], category="")
    mixed = choose(client, "change_category_selected", [registration, elsewhere])
    forged = confirm(
        client, "change_category_selected", [registration, elsewhere], category=elsewhere.category_id
    )

    assert missing.status_code == 200
    assert "This field is required." in missing.text
    assert mixed.status_code == forged.status_code == 200
    assert "The selection holds registrations of several forums" in mixed.text
    assert 'name="confirm_action"' not in mixed.text
    assert "The selection holds registrations of several forums" in forged.text
    registration.refresh_from_db()
    elsewhere.refresh_from_db()
    assert registration.category.forum == forum
    assert elsewhere.category.name == "Elsewhere"


# --- Send the last email again -------------------------------------------------------------------------


def test_resend_queues_each_last_email_once_through_the_outbox(client, registrar, forum, register):
    mayors = make_category(forum)
    first, second = register(forum, mayors, 1), register(forum, mayors, 2)
    EmailOutbox.objects.filter(registration__in=[first, second]).update(status=OutboxStatus.SENT)

    assert "Send the last email again" in choose(client, "resend_last_email", [first]).text
    response = confirm(client, "resend_last_email", [first, second])
    client.get(reverse(CHANGELIST))  # shows, and so clears, the first message
    again = confirm(client, "resend_last_email", [first])

    assert message_texts(response) == [
        f"2 last emails queued to be sent again ({first.reference}, {second.reference})."
    ]
    assert message_texts(again) == [
        f"1 skipped: the email sent again is still waiting to go out ({first.reference})."
    ]
    assert list(first.emails.order_by("id").values_list("kind", "status")) == [
        (EmailKind.CONFIRMED, OutboxStatus.SENT),
        (EmailKind.CONFIRMED, OutboxStatus.PENDING),
    ]


def test_staff_who_may_only_view_are_not_offered_the_actions(client, forum, register):
    registration = register(forum, make_category(forum), 1)
    client.force_login(staff_user("viewer", "view_registration"))

    listing = client.get(reverse(CHANGELIST))
    response = confirm(client, "promote_selected", [registration])

    for action in ("waitlist_selected", "promote_selected", "change_category_selected", "resend_last_email"):
        assert f'value="{action}"' not in listing.text
    assert statuses(registration) == [CONFIRMED]
    assert response.status_code in (200, 302)


@pytest.mark.django_db(transaction=True)
def test_two_staff_promoting_into_the_last_seat_from_the_list_one_wins(forum, register, settings):
    settings.REGISTRATION_LOCK_TIMEOUT = 60
    mayors = make_category(forum, capacity=1)
    register(forum, mayors, 0)
    waiting = [register(forum, mayors, 1), register(forum, mayors, 2)]
    mayors.capacity = 2  # one seat more, raised behind the services' back
    mayors.save()
    clients = []
    for name in ("alice", "bob"):
        client = Client()
        client.force_login(staff_user(name, "view_registration", "change_registration"))
        clients.append(client)

    results, errors = run_together(2, lambda i: confirm(clients[i], "promote_selected", [waiting[i]]))

    assert errors == []
    assert sorted(statuses(*waiting)) == [CONFIRMED, WAITLISTED]
    winner, loser = sorted(waiting, key=lambda r: r.status != CONFIRMED)
    assert sorted(message_texts(response)[0] for response in results) == sorted(
        [
            f"1 promoted from the waitlist ({winner.reference}).",
            f"1 still waitlisted because the category is full ({loser.reference}).",
        ]
    )
    assert EmailOutbox.objects.filter(registration__in=waiting, kind=EmailKind.PROMOTED).count() == 1
