"""Staff administration of registrations (``delegates/registration/admin.py``): the list without N+1
queries, and the status actions, which go through the same services (seats, history, emails) as the
public flow — reject and cancel ask for the reason on an intermediate page that posts the selection
back to the list."""

import datetime as dt
import re

import psycopg
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus
from delegates.mail.outbox import outbox_render
from delegates.models import EmailOutbox, Registration, SessionSignup, StatusChange
from tests.delegates.accounts import staff_user
from tests.delegates.registration.admin_pages import form_data, make_category
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:delegates_registration_changelist"
THAI_NAME = "สมชาย ใจดี"
SUBMIT_LABELS = {
    "reject_selected": "Reject",
    "cancel_selected": "Cancel registrations",
}  # their pages' buttons


# --- Arrange helpers -----------------------------------------------------------------------------------


def run_action(client, action, registrations):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in registrations], "index": "0"},
    )


def confirm_action(client, action, registrations, **fields):
    """The intermediate page of ``action`` posted back: its fields and the selection, as the browser
    sends them with the page's submit button (``confirm_action``)."""
    return client.post(
        reverse(CHANGELIST),
        {
            "action": action,
            "_selected_action": [r.pk for r in registrations],
            "select_across": "0",
            "confirm_action": SUBMIT_LABELS[action],
            **fields,
        },
    )


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def registrar(client):
    user = staff_user("registrar", "view_registration", "change_registration", "view_contact_details")
    client.force_login(user)
    return user


# --- Lists ---------------------------------------------------------------------------------------------


def test_registration_changelist_queries_do_not_grow_with_rows(
    admin_client, forum, django_assert_num_queries, register
):
    mayors = make_category(forum)
    officials = make_category(forum, name="City official")
    register(forum, mayors, 0, native_name=THAI_NAME, native_name_lang="th")

    with django_assert_num_queries(12):
        first = admin_client.get(reverse(CHANGELIST))
    for n in range(1, 30):
        register(forum, officials if n % 2 else mayors, n, country="KH" if n % 3 else "LA")
    with django_assert_num_queries(12):
        many = admin_client.get(reverse(CHANGELIST))

    assert first.context["cl"].result_count == 1
    assert many.context["cl"].result_count == 30
    assert f'<span lang="th">{THAI_NAME}</span>' in many.text
    # Staff register a delegate through the public form's page and service, not Django's add form.
    assert f'href="{reverse("admin:delegates_registration_register")}">Register a delegate</a>' in many.text
    assert reverse("admin:delegates_registration_add") not in many.text


def test_registration_changelist_shows_and_sorts_by_country_name(admin_client, forum, register):
    category = make_category(forum)
    register(forum, category, 1, country="LA")
    register(forum, category, 2, country="KH")

    page = admin_client.get(reverse(CHANGELIST))
    cl = page.context["cl"]
    column = cl.list_display.index("country_name")
    by_country = admin_client.get(reverse(CHANGELIST), {"o": str(column)})

    assert '<td class="field-country_name">Laos</td>' in page.text
    assert '<td class="field-country_name">Cambodia</td>' in page.text
    header = r'<th scope="col" class="sortable column-country_name">\s*<div class="text"><a [^>]*>Country</a>'
    assert re.search(header, page.text)
    assert [r.country.code for r in by_country.context["cl"].result_list] == ["KH", "LA"]


# --- Approve -------------------------------------------------------------------------------------------


def test_approve_confirms_pending_then_waitlists_when_category_full(client, registrar, forum, register):
    mayors = make_category(forum, capacity=1, requires_approval=True)
    first = register(forum, mayors, 1)
    second = register(forum, mayors, 2)
    assert (first.status, second.status) == (RegistrationStatus.PENDING, RegistrationStatus.PENDING)

    response = run_action(client, "approve_selected", [second, first])

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED  # first come, first seated
    assert second.status == RegistrationStatus.WAITLISTED
    assert message_texts(response) == [
        f"1 approved ({first.reference}); 1 waitlisted because the forum or its category is full "
        f"({second.reference})."
    ]
    last = first.history.order_by("-id").first()
    assert (last.from_status, last.to_status, last.actor) == (
        RegistrationStatus.PENDING,
        RegistrationStatus.CONFIRMED,
        registrar,
    )
    assert list(first.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.RECEIVED,
        EmailKind.CONFIRMED,
    ]
    assert list(second.emails.order_by("id").values_list("kind", flat=True)) == [
        EmailKind.RECEIVED,
        EmailKind.WAITLISTED,
    ]


def test_second_staff_approving_the_same_registration_is_skipped(client, forum, register):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    alice = staff_user("alice", "view_registration", "change_registration")
    bob = staff_user("bob", "view_registration", "change_registration")

    client.force_login(alice)
    run_action(client, "approve_selected", [registration])
    client.get(reverse(CHANGELIST))  # shows, and so clears, alice's messages
    client.force_login(bob)
    response = run_action(client, "approve_selected", [registration])

    assert message_texts(response) == [f"1 skipped: not pending ({registration.reference})."]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    approvals = StatusChange.objects.filter(registration=registration, to_status=RegistrationStatus.CONFIRMED)
    assert [change.actor for change in approvals] == [alice]
    assert registration.emails.filter(kind=EmailKind.CONFIRMED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_while_seats_are_locked_warns_instead_of_failing(client, forum, settings, register):
    settings.REGISTRATION_LOCK_TIMEOUT = 0.2
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    client.force_login(staff_user("registrar", "view_registration", "change_registration"))
    db = connection.settings_dict
    # Another transaction counting seats of this forum holds its row lock.
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    ) as other:
        other.execute("SELECT id FROM events_forum WHERE id = %s FOR UPDATE", [forum.pk])
        response = run_action(client, "approve_selected", [registration])
        other.rollback()

    assert response.status_code == 302
    assert message_texts(response) == [
        "1 not changed because seats are being counted right now, please try again "
        f"({registration.reference})."
    ]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


# --- Reject and cancel, with a reason ------------------------------------------------------------------


def test_reject_asks_for_a_reason_then_rejects_and_emails_it(client, registrar, forum, register):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1, given_name="สมชาย", family_name="ใจดี", badge_name=THAI_NAME)
    reason = "The delegation list of your city is already complete."

    page = run_action(client, "reject_selected", [registration])
    assert page.status_code == 200
    assert registration.reference in page.text
    assert THAI_NAME in page.text
    assert '<textarea name="reason"' in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert f'<input type="hidden" name="_selected_action" value="{registration.pk}">' in page.text
    assert '<input type="hidden" name="action" value="reject_selected">' in page.text
    assert '<input type="submit" name="confirm_action" value="Reject"' in page.text

    missing = confirm_action(client, "reject_selected", [registration], reason="  ")
    assert missing.status_code == 200
    assert missing.context["form"].errors == {"reason": ["This field is required."]}
    assert 'id="id_reason_error"' in missing.text
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING

    done = confirm_action(client, "reject_selected", [registration], reason=reason)

    assert done.status_code == 302
    assert done.url == reverse(CHANGELIST)
    assert message_texts(done) == [f"1 rejected ({registration.reference})."]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REJECTED
    change = registration.history.order_by("-id").first()
    assert (change.to_status, change.actor, change.reason) == (RegistrationStatus.REJECTED, registrar, reason)
    email = registration.emails.get(kind=EmailKind.REJECTED)
    assert (email.to, email.reason) == ("mayor1@city1.example.org", reason)
    assert f"Reason: {reason}" in outbox_render(email).body_text
    assert email.status == OutboxStatus.PENDING


def test_reject_form_is_protected_by_csrf(forum, register):
    from django.test import Client

    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user("registrar", "view_registration", "change_registration"))

    response = confirm_action(csrf_client, "reject_selected", [registration], reason="No.")

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_cancel_confirmed_promotes_the_first_waitlisted(client, registrar, forum, register):
    category = make_category(forum, capacity=1)
    seated = register(forum, category, 1)
    waiting = register(forum, category, 2)
    already_cancelled = register(forum, category, 3)
    confirm_action(client, "cancel_selected", [already_cancelled], reason="Duplicate")
    client.get(reverse(CHANGELIST))  # shows, and so clears, the first message

    response = confirm_action(
        client, "cancel_selected", [seated, already_cancelled], reason="The mayor cannot travel."
    )

    assert message_texts(response) == [
        f"1 cancelled ({seated.reference}); 1 skipped: no longer active ({already_cancelled.reference})."
    ]
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)
    assert waiting.emails.filter(kind=EmailKind.PROMOTED).count() == 1
    assert "The mayor cannot travel." in outbox_render(seated.emails.get(kind=EmailKind.CANCELLED)).body_text


# --- Permissions ---------------------------------------------------------------------------------------


def test_non_staff_cannot_run_actions(client, forum, register):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    user = UserFactory(username="mayor-office", email="office@city-hall.example.org")
    client.force_login(user)

    action = run_action(client, "approve_selected", [registration])
    reject = confirm_action(client, "reject_selected", [registration], reason="x")

    assert action.status_code == 302
    assert action.url.startswith(reverse("admin:login"))
    assert reject.status_code == 302
    assert reject.url.startswith(reverse("admin:login"))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_staff_without_change_permission_cannot_run_actions(client, forum, register):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1)
    client.force_login(staff_user("viewer", "view_registration"))

    listing = client.get(reverse(CHANGELIST))
    action = run_action(client, "approve_selected", [registration])
    reject = confirm_action(client, "reject_selected", [registration], reason="x")

    assert listing.status_code == 200
    assert "approve_selected" not in listing.text
    assert "reject_selected" not in listing.text
    assert action.status_code == 200  # no action is offered, so the POST just shows the list again
    assert "approve_selected" not in action.text
    assert reject.status_code == 200  # nor reject: the list again, and nothing changed
    assert "reject_selected" not in reject.text
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    assert registration.history.count() == 1


def test_staff_without_any_registration_permission_gets_403(client, forum, register):
    registration = register(forum, make_category(forum), 1)
    client.force_login(staff_user("stranger"))

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert (
        client.get(reverse("admin:delegates_registration_change", args=[registration.pk])).status_code == 403
    )


# --- The change form -----------------------------------------------------------------------------------


def test_change_form_saves_details_through_the_service_and_keeps_status(client, registrar, forum, register):
    mayors = make_category(forum, capacity=1)
    registration = register(forum, mayors, 1, badge_name="Somchai Jaidee")
    url = reverse("admin:delegates_registration_change", args=[registration.pk])
    page = client.get(url)
    data = form_data(page)
    assert "status" not in data
    # Meanwhile the registration is waitlisted; the form still shows "confirmed".
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.WAITLISTED)

    response = client.post(
        url, {**data, "badge_name": "Somchai Jaidee-Wong", "status": "cancelled", "_save": "1"}
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.badge_name == "Somchai Jaidee-Wong"
    assert registration.status == RegistrationStatus.WAITLISTED  # not overwritten by the stale form
    assert registration.category == mayors
    assert registration.emails.filter(kind=EmailKind.CHANGED).count() == 1


def test_change_form_reads_a_phone_as_dialled_in_the_delegates_country(client, registrar, forum, register):
    registration = register(forum, make_category(forum), 1, country="KH")
    url = reverse("admin:delegates_registration_change", args=[registration.pk])
    data = form_data(client.get(url))

    saved = client.post(url, {**data, "phone": "012 345 678", "_save": "1"})
    refused = client.post(url, {**data, "phone": "12", "_save": "1"})

    assert saved.status_code == 302
    registration.refresh_from_db()
    assert registration.phone.as_e164 == "+85512345678"
    assert refused.status_code == 200
    assert "Enter a valid number for Cambodia" in refused.context["adminform"].form.errors["phone"][0]


def test_change_form_still_saves_staff_corrections_after_the_edit_deadline(
    client, registrar, forum, register
):
    registration = register(forum, make_category(forum), 1, badge_name="Somchai Jaidee")
    forum.registration_edit_deadline = timezone.now() - dt.timedelta(minutes=1)
    forum.save()
    url = reverse("admin:delegates_registration_change", args=[registration.pk])

    page = client.get(url)
    response = client.post(url, {**form_data(page), "badge_name": "Somchai Jaidee-Wong", "_save": "1"})

    assert "badge_name" in page.context["adminform"].form.fields
    assert (
        "The delegates&#x27; deadline for changes has passed: the delegate can no longer change this "
        "registration, but your corrections are saved and the delegate is emailed about them."
    ) in page.text
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.badge_name == "Somchai Jaidee-Wong"
    assert registration.emails.filter(kind=EmailKind.CHANGED).count() == 1
    change = registration.history.order_by("-id").first()
    assert (change.actor, change.reason) == (registrar, "Details changed: name on badge.")


def test_change_form_is_read_only_for_staff_without_change_permission_after_the_deadline(
    client, forum, register
):
    registration = register(forum, make_category(forum), 1, badge_name="Somchai Jaidee")
    forum.registration_edit_deadline = timezone.now() - dt.timedelta(minutes=1)
    forum.save()
    client.force_login(staff_user("viewer", "view_registration"))
    url = reverse("admin:delegates_registration_change", args=[registration.pk])

    page = client.get(url)
    response = client.post(url, {"badge_name": "Changed", "_save": "1"})

    assert list(page.context["adminform"].form.fields) == []
    assert "The delegates&#x27; deadline for changes has passed." in page.text
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.badge_name == "Somchai Jaidee"


def test_change_form_of_an_inactive_registration_is_read_only(client, registrar, forum, register):
    registration = register(forum, make_category(forum), 1, badge_name="Somchai Jaidee")
    confirm_action(client, "cancel_selected", [registration], reason="The mayor cannot travel.")
    url = reverse("admin:delegates_registration_change", args=[registration.pk])

    page = client.get(url)
    response = client.post(url, {**form_data(page), "badge_name": "Changed", "_save": "1"})

    assert list(page.context["adminform"].form.fields) == []
    assert "This registration is no longer active; its details can no longer be changed." in page.text
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.badge_name == "Somchai Jaidee"


def test_registrations_cannot_be_added_or_deleted_in_the_admin(admin_client, forum, register):
    registration = register(forum, make_category(forum), 1)

    add = admin_client.get(reverse("admin:delegates_registration_add"))
    delete = admin_client.post(
        reverse("admin:delegates_registration_delete", args=[registration.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_registration_change_view_shows_history_signups_and_emails(client, registrar, forum, register):
    category = make_category(forum, requires_approval=True)
    registration = register(forum, category, 1, native_name=THAI_NAME, native_name_lang="th")
    run_action(client, "approve_selected", [registration])

    response = client.get(reverse("admin:delegates_registration_change", args=[registration.pk]))

    assert response.status_code == 200
    inlines = {i.formset.prefix: i for i in response.context["inline_admin_formsets"]}
    assert sorted(inlines) == ["emails", "history", "signups"]
    history = [(c.from_status, c.to_status, c.actor) for c in inlines["history"].formset.queryset]
    assert history == [
        ("", RegistrationStatus.PENDING, None),
        (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, registrar),
    ]
    assert [e.kind for e in inlines["emails"].formset.queryset] == [EmailKind.RECEIVED, EmailKind.CONFIRMED]
    compact = re.sub(r"\s+", " ", response.text)
    for action, label in (
        ("reject_selected", "Reject registration…"),
        ("cancel_selected", "Cancel registration…"),
    ):
        assert re.search(
            rf'<form method="post" action="{reverse(CHANGELIST)}" class="object-tool-form"> '
            r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+"> '
            rf'<input type="hidden" name="action" value="{action}"> '
            rf'<input type="hidden" name="_selected_action" value="{registration.pk}"> '
            rf'<button type="submit" class="object-tool-button">{label}</button> </form>',
            compact,
        ), action
    assert 'name="status"' not in response.text
    assert THAI_NAME in response.text


# --- Badges --------------------------------------------------------------------------------------------


def test_reissue_action_gives_confirmed_delegates_a_new_token_and_skips_others(client, forum, register):
    client.force_login(
        staff_user("registrar", "view_registration", "change_registration", "reissue_checkin_token")
    )
    category = make_category(forum, capacity=1)
    confirmed = register(forum, category, 1)
    waitlisted = register(forum, category, 2)
    old_token = Registration.objects.get(pk=confirmed.pk).checkin_token

    response = run_action(client, "reissue_checkin_token", [confirmed, waitlisted])

    confirmed.refresh_from_db()
    assert response.status_code == 302
    assert old_token and confirmed.checkin_token and confirmed.checkin_token != old_token
    assert message_texts(response) == [
        f"New check-in token and badge for {confirmed.reference}; the old QR codes no longer work.",
        f"Skipped (not confirmed): {waitlisted.reference}.",
    ]
    assert Registration.objects.filter(checkin_token=old_token).exists() is False


def test_change_form_of_a_confirmed_registration_links_to_badge_preview(client, registrar, forum, register):
    registration = register(forum, make_category(forum), 1)

    page = client.get(reverse("admin:delegates_registration_change", args=[registration.pk])).content.decode()

    preview = reverse("admin:delegates_registration_badge_preview", args=[registration.pk])
    assert f'href="{preview}"' in page
    assert f'href="{preview}?layout=cr80"' in page


# --- Times ---------------------------------------------------------------------------------------------


def test_page_shows_times_in_the_forums_zone_labelled(client, registrar, forum, register):
    category = make_category(forum, requires_approval=True)
    visit = SessionFactory(
        forum=forum,
        title="Site visit",
        requires_signup=True,
        starts_at=dt.datetime(2030, 10, 7, 1, 30, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 10, 7, 4, 0, tzinfo=dt.UTC),
    )
    registration = register(forum, category, 1, sessions=[visit])
    run_action(client, "approve_selected", [registration])
    submitted = dt.datetime(2030, 9, 1, 2, 12, tzinfo=dt.UTC)  # 09:12 in Jakarta
    Registration.objects.filter(pk=registration.pk).update(created_at=submitted, privacy_consent_at=submitted)
    StatusChange.objects.filter(registration=registration).update(
        at=dt.datetime(2030, 9, 2, 3, 0, tzinfo=dt.UTC)
    )
    SessionSignup.objects.filter(registration=registration).update(created_at=submitted)
    EmailOutbox.objects.filter(registration=registration).update(
        created_at=submitted, sent_at=dt.datetime(2030, 9, 1, 2, 13, tzinfo=dt.UTC)
    )

    page = client.get(reverse("admin:delegates_registration_change", args=[registration.pk]))

    text = re.sub(r"\s+", " ", page.text)
    assert '<label>Submitted at:</label> <div class="readonly">Sun 1 Sep 2030, 09:12 WIB</div>' in text
    assert (
        '<label>Privacy notice accepted at:</label> <div class="readonly">Sun 1 Sep 2030, 09:12 WIB</div>'
        in text
    )
    assert text.count('<td class="field-when"> <p>Mon 2 Sep 2030, 10:00 WIB</p> </td>') == 2
    assert '<td class="field-session_starts"> <p>Mon 7 Oct 2030, 08:30 WIB</p> </td>' in text
    assert '<td class="field-signed_up"> <p>Sun 1 Sep 2030, 09:12 WIB</p> </td>' in text
    assert text.count('<td class="field-queued"> <p>Sun 1 Sep 2030, 09:12 WIB</p> </td>') == 2
    assert text.count('<td class="field-sent"> <p>Sun 1 Sep 2030, 09:13 WIB</p> </td>') == 2
    assert "UTC" not in text.split('id="content-main"')[1]
