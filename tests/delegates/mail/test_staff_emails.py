"""Emails staff write to delegates: placeholders filled for each delegate and escaped in HTML, refused
when unknown or unbalanced; the preview as one recipient sees it; sending once, to the right people,
however often "Send" is pressed; who may do it; and queries that do not grow with the recipients."""

import datetime as dt
import re
import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from delegates.enums import EmailKind, OutboxStatus, RegistrationStatus
from delegates.mail.placeholders import placeholders_check
from delegates.mail.staff_emails import AlreadySent, staff_email_compose, staff_email_send
from delegates.mail.staff_rendering import staff_email_render
from delegates.models import EmailOutbox, Registration, StaffEmail, StaffForumAccess
from delegates.permissions import BADGE_AND_DOOR_TEAM, FORUM_ADMINISTRATORS, READ_ONLY, REGISTRARS
from tests.factories import (
    DelegateCategoryFactory,
    ForumFactory,
    RegistrationFactory,
    SessionSignupFactory,
    UserFactory,
)

ADD = reverse("admin:delegates_staffemail_add")
CHANGELIST = reverse("admin:delegates_registration_changelist")


def staff_in(group: str, username: str, *forums):
    user = UserFactory(username=username, email=f"{username}@uclg-aspac.example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if forums:
        StaffForumAccess.objects.create(user=user).forums.set(forums)
    return user


@pytest.fixture
def forum():
    return ForumFactory(
        name="ASEAN Mayors Forum 2031", slug="amf-2031", secretariat_email="amf@uclg-aspac.org"
    )


@pytest.fixture
def mayors(forum):
    return DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")


@pytest.fixture
def registrar():
    return staff_in(REGISTRARS, "registrar")


def compose(forum, actor, *, subject="Your visit: {forum}", body="Dear {full_name},\n\nSee you.", **criteria):
    return staff_email_compose(
        forum=forum,
        subject=subject,
        body=body,
        actor=actor,
        description="test recipients",
        criteria={"statuses": ["pending", "confirmed", "waitlisted"], **criteria},
    )


# --- Placeholders ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_placeholders_are_filled_for_the_delegate_and_escaped_in_html(forum, mayors, registrar, settings):
    settings.SITE_URL = "https://events.example.org"
    delegate = RegistrationFactory(
        category=mayors, honorific="Dr", given_name="<b>Seán</b>", family_name="O'Brien & Sons",
        organisation="Cork <City>", reference="KH01-0001",
    )  # fmt: skip
    staff_email = compose(
        forum,
        registrar,
        subject="{reference}: {forum}",
        body="Dear {full_name} of {organisation},\n\nYour registration: {registration_link}\n"
        "Programme: {programme_link}\nWrite to {secretariat_email}. {{not a placeholder}}",
    )

    subject, text, html = staff_email_render(staff_email=staff_email, registration=delegate)

    assert subject == "KH01-0001: ASEAN Mayors Forum 2031"
    link = f"https://events.example.org/my/registrations/{delegate.public_id}/"
    assert text.startswith(
        "Dear Dr <b>Seán</b> O'Brien & Sons of Cork <City>,\n\n"
        f"Your registration: {link}\n"
        "Programme: https://events.example.org/forums/amf-2031/programme/\n"
        "Write to amf@uclg-aspac.org. {not a placeholder}\n"
    )
    assert "<b>Seán</b>" not in html and "Cork <City>" not in html
    assert "Dear Dr &lt;b&gt;Seán&lt;/b&gt; O&#x27;Brien &amp; Sons of Cork &lt;City&gt;,</p>" in html
    assert f'<a href="{link}" rel="nofollow">{link}</a>' in html
    assert "{not a placeholder}" in html
    assert "<title>KH01-0001: ASEAN Mayors Forum 2031</title>" in html
    assert f"Sent to {delegate.email}." in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dear {nmae} and {title}", "Unknown placeholders: {nmae}, {title}. Use those listed."),
        ("{name!r} {name:>9}", "Unknown placeholders: {name!r}, {name:>9}. Use those listed."),
        ("{} {0}", "Unknown placeholders: {}, {0}. Use those listed."),
        ("{name.upper}", "Unknown placeholder: {name.upper}. Use one of those listed."),
        (
            "Dear {name",
            "A brace is not balanced: write placeholders as {name}, and a brace itself as {{ or }}.",
        ),
        (
            "Dear name}",
            "A brace is not balanced: write placeholders as {name}, and a brace itself as {{ or }}.",
        ),
    ],
)
def test_unknown_placeholders_and_unbalanced_braces_are_refused_by_name(text, message):
    with pytest.raises(ValidationError) as refused:
        placeholders_check(text)
    assert refused.value.messages == [message]


def test_known_placeholders_are_listed_in_order_once():
    assert placeholders_check("{name}, {reference} {name} {{x}}") == ["name", "reference"]


@pytest.mark.django_db
def test_the_compose_page_names_the_unknown_placeholder_and_saves_nothing(client, forum, mayors, registrar):
    client.force_login(registrar)
    response = client.post(
        ADD,
        {"forum": forum.pk, "statuses": ["confirmed"], "subject": "Hello {forum}", "body": "Dear {nmae},"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown placeholder: {nmae}. Use one of those listed." in page
    assert 'id="id_body_error"' in page and 'aria-describedby="id_body_error id_body_helptext"' in page
    assert StaffEmail.objects.count() == 0


# --- Compose, preview, send ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_compose_by_filter_then_preview_as_a_chosen_recipient(client, forum, mayors, registrar, settings):
    settings.SITE_URL = "https://events.example.org"
    other = DelegateCategoryFactory(forum=forum, name="Partner", slug="partner")
    first = RegistrationFactory(category=mayors, given_name="Somchai", family_name="Jaidee", country="TH",
                                arrival_date=dt.date(2030, 10, 5))  # fmt: skip
    second = RegistrationFactory(category=mayors, given_name="Malee", family_name="Srisuk", country="TH",
                                 arrival_date=dt.date(2030, 10, 5))  # fmt: skip
    RegistrationFactory(category=mayors, country="TH", arrival_date=dt.date(2030, 10, 4))  # another day
    RegistrationFactory(category=other, country="TH", arrival_date=dt.date(2030, 10, 5))  # another category
    RegistrationFactory(category=mayors, country="TH", arrival_date=dt.date(2030, 10, 5),
                        status=RegistrationStatus.CANCELLED)  # fmt: skip
    client.force_login(registrar)

    response = client.post(
        ADD,
        {
            "forum": forum.pk,
            "statuses": ["confirmed", "cancelled"],
            "category": mayors.pk,
            "country": "TH",
            "arrival_date": "2030-10-05",
            "subject": "Your arrival, {name}",
            "body": "Dear {full_name},\n\nA car waits for you ({reference}).",
        },
    )
    staff_email = StaffEmail.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delegates_staffemail_preview", args=[staff_email.pk])
    assert staff_email.description == (
        "Confirmed, Cancelled · category Mayor / Governor · Thailand · arriving on 5 October 2030"
    )

    page = client.get(response["Location"]).content.decode()
    assert "To 3 delegates of ASEAN Mayors Forum 2031" in page
    assert "Your arrival, Somchai Jaidee" in page
    frame = reverse("admin:delegates_staffemail_preview_message", args=[staff_email.pk, first.pk])
    assert f'src="{frame}"' in page and "sandbox" in page

    page = client.get(response["Location"], {"registration": second.pk}).content.decode()
    assert "Your arrival, Malee Srisuk" in page
    message = client.get(
        reverse("admin:delegates_staffemail_preview_message", args=[staff_email.pk, second.pk])
    )
    assert message.status_code == 200
    html = message.content.decode()
    assert f"A car waits for you ({second.reference}).</p>" in html
    assert message["X-Frame-Options"] == "SAMEORIGIN"
    policy = message["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy and "script-src 'none'" in policy
    # Not a recipient: not shown.
    outsider = RegistrationFactory(category=other)
    url = reverse("admin:delegates_staffemail_preview_message", args=[staff_email.pk, outsider.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_sending_writes_one_outbox_row_per_recipient_once_and_delivers_each(
    client, forum, mayors, registrar, django_capture_on_commit_callbacks
):
    confirmed = [RegistrationFactory(category=mayors, given_name=f"Delegate{n}") for n in range(3)]
    RegistrationFactory(category=mayors, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(category=mayors, status=RegistrationStatus.REJECTED)
    staff_email = compose(forum, registrar, subject="Hello {name}", body="Dear {name},\n\nWelcome.")
    client.force_login(registrar)
    send = reverse("admin:delegates_staffemail_send", args=[staff_email.pk])

    page = client.get(send).content.decode()
    assert "will go to 3 delegates of ASEAN Mayors Forum 2031, each once." in page
    assert 'value="Send to 3 delegates"' in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(send, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(send, follow=True)  # a double click

    assert "The email is on its way to 3 delegates" in first.content.decode()
    assert "This email was already sent, by registrar at" in second.content.decode()
    rows = EmailOutbox.objects.filter(staff_email=staff_email).order_by("registration_id")
    assert [row.registration_id for row in rows] == [r.pk for r in confirmed]
    assert {(row.kind, row.status) for row in rows} == {(EmailKind.STAFF, OutboxStatus.SENT)}
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Hello {r.given_name} {r.family_name}" for r in confirmed
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in confirmed)
    staff_email.refresh_from_db()
    assert (staff_email.sent_by, staff_email.recipient_count) == (registrar, 3)
    delivery = second.content.decode()
    assert "Sent: 3" in delivery
    assert all(r.reference in delivery for r in confirmed)
    history = list(LogEntry.objects.filter(object_id=str(staff_email.pk)).order_by("id"))
    assert [(entry.user, entry.change_message) for entry in history] == [
        (registrar, "Written, to test recipients."),
        (registrar, "Sent to 3 delegates (test recipients)."),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_staff_sending_at_once_send_it_once(forum, mayors):
    for _ in range(5):
        RegistrationFactory(category=mayors)
    registrar, colleague = staff_in(REGISTRARS, "registrar"), staff_in(REGISTRARS, "colleague")
    staff_email = compose(forum, registrar)
    start = threading.Barrier(2)
    outcomes = []

    def press_send(user):
        try:
            start.wait()
            staff_email_send(staff_email_id=staff_email.pk, actor=user)
            outcomes.append("sent")
        except AlreadySent:
            outcomes.append("already sent")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_send, args=(user,)) for user in (registrar, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["already sent", "sent"]
    assert EmailOutbox.objects.filter(staff_email=staff_email).count() == 5
    assert StaffEmail.objects.get().recipient_count == 5


@pytest.mark.django_db
def test_selection_action_with_select_all_takes_the_whole_filtered_list(client, forum, mayors, registrar):
    chosen = [RegistrationFactory(category=mayors, country="KH") for _ in range(3)]
    cancelled = RegistrationFactory(category=mayors, country="KH", status=RegistrationStatus.CANCELLED)
    RegistrationFactory(category=mayors, country="TH")  # not in the filtered list
    client.force_login(registrar)
    url = f"{CHANGELIST}?forum__id__exact={forum.pk}&country=KH"
    selection = {"action": "email_selected", "select_across": "1", "_selected_action": [chosen[0].pk]}

    page = client.post(url, selection)
    assert page.status_code == 200
    text = page.content.decode()
    assert "An email to the 4 selected registrations." in text
    assert "1 of them is cancelled or rejected: left out unless you tick the box below." in text

    response = client.post(
        url, {**selection, "confirm_action": "Preview", "subject": "Hello {name}", "body": "Dear {name},"}
    )
    staff_email = StaffEmail.objects.get()
    assert response["Location"] == reverse("admin:delegates_staffemail_preview", args=[staff_email.pk])
    assert sorted(staff_email.registration_ids) == sorted([r.pk for r in chosen] + [cancelled.pk])
    assert staff_email.description == "a selection of 4 registrations"
    staff_email_send(staff_email_id=staff_email.pk, actor=registrar)
    sent_to = set(
        EmailOutbox.objects.filter(staff_email=staff_email).values_list("registration_id", flat=True)
    )
    assert sent_to == {r.pk for r in chosen}


@pytest.mark.django_db
def test_a_selection_across_forums_is_refused(client, forum, mayors, registrar):
    here = RegistrationFactory(category=mayors)
    there = RegistrationFactory(category=DelegateCategoryFactory(forum=ForumFactory(slug="amf-2032")))
    client.force_login(registrar)
    response = client.post(
        CHANGELIST, {"action": "email_selected", "_selected_action": [here.pk, there.pk]}, follow=True
    )
    assert "several forums: write to one forum" in response.content.decode()
    assert StaffEmail.objects.count() == 0


@pytest.mark.django_db
def test_the_list_link_starts_the_compose_page_from_its_filters(client, forum, mayors, registrar):
    visit = SessionSignupFactory(registration=RegistrationFactory(category=mayors)).session
    client.force_login(registrar)
    query = (
        f"?forum__id__exact={forum.pk}&status__exact=confirmed&category__id__exact={mayors.pk}"
        f"&session={visit.pk}"
    )
    listing = client.get(CHANGELIST + query).content.decode()
    assert re.search(r'href="/admin/delegates/staffemail/add/\?[^"]*session=' + str(visit.pk), listing)

    page = client.get(ADD + query).content.decode()
    assert f'<option value="{mayors.pk}" selected>' in page
    assert f'<option value="{visit.pk}" selected>' in page
    checked = re.findall(r'<input type="checkbox" name="statuses" value="(\w+)"[^>]* checked>', page)
    assert checked == ["confirmed"]


# --- Who may ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(REGISTRARS, 200), (FORUM_ADMINISTRATORS, 200), (BADGE_AND_DOOR_TEAM, 403), (READ_ONLY, 403)],
)
def test_who_may_write_to_delegates(client, forum, mayors, role, status):
    author = staff_in(REGISTRARS, "author")
    registration = RegistrationFactory(category=mayors)
    staff_email = compose(forum, author)
    client.force_login(staff_in(role, "someone"))
    urls = [
        ADD,
        reverse("admin:delegates_staffemail_changelist"),
        reverse("admin:delegates_staffemail_change", args=[staff_email.pk]),
        reverse("admin:delegates_staffemail_preview", args=[staff_email.pk]),
        reverse("admin:delegates_staffemail_preview_message", args=[staff_email.pk, registration.pk]),
        reverse("admin:delegates_staffemail_send", args=[staff_email.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [status] * len(urls)
    assert client.post(reverse("admin:delegates_staffemail_send", args=[staff_email.pk])).status_code == (
        302 if status == 200 else 403
    )
    assert EmailOutbox.objects.filter(staff_email=staff_email).exists() is (status == 200)
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert ("email_selected" in dict(actions)) is (status == 200)


@pytest.mark.django_db
def test_staff_limited_to_another_forum_get_404_and_cannot_choose_this_forum(client, forum, mayors):
    staff_email = compose(forum, staff_in(REGISTRARS, "author"))
    limited = staff_in(REGISTRARS, "limited", ForumFactory(slug="amf-2032"))
    client.force_login(limited)
    for page in ("change", "preview", "send"):
        assert (
            client.get(reverse(f"admin:delegates_staffemail_{page}", args=[staff_email.pk])).status_code
            == 404
        )
    response = client.post(ADD, {"forum": forum.pk, "statuses": ["confirmed"], "subject": "x", "body": "y"})
    assert "Select a valid choice" in response.content.decode()


# --- Queries do not grow with the recipients -------------------------------------------------------------


def many(category, count: int) -> None:
    Registration.objects.bulk_create(
        RegistrationFactory.build(category=category, forum=category.forum, reference=f"BULK-{n:04d}")
        for n in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 1000])
def test_compose_preview_and_send_queries_are_bounded(
    client, forum, mayors, registrar, count, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    many(mayors, count)
    client.force_login(registrar)
    data = {"forum": forum.pk, "statuses": ["confirmed"], "subject": "Hi {name}", "body": "Dear {name},"}
    with django_assert_max_num_queries(20):
        response = client.post(ADD, data)
    preview = response["Location"]
    staff_email = StaffEmail.objects.get()
    with django_assert_max_num_queries(20):
        assert client.get(preview).status_code == 200
    send = reverse("admin:delegates_staffemail_send", args=[staff_email.pk])
    with django_assert_max_num_queries(20):
        assert "Send to" in client.get(send).content.decode()
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(20):
        client.post(send)
    assert EmailOutbox.objects.filter(staff_email=staff_email).count() == count
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("admin:delegates_staffemail_change", args=[staff_email.pk])).status_code == 200
        )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_the_list_of_emails_queries_are_bounded(
    client, forum, registrar, count, django_assert_max_num_queries
):
    for n in range(count):
        compose(forum, staff_in(REGISTRARS, f"author{n}"), subject=f"Notice {n}")
    client.force_login(registrar)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:delegates_staffemail_changelist")).content.decode()
    assert page.count("Notice ") == count
    assert page.count("Draft") == count


@pytest.mark.django_db
def test_a_draft_can_be_changed_until_it_is_sent(client, forum, mayors, registrar):
    RegistrationFactory(category=mayors, given_name="Somchai", family_name="Jaidee")
    staff_email = compose(forum, registrar, subject="Draft {name}")
    change = reverse("admin:delegates_staffemail_change", args=[staff_email.pk])
    client.force_login(registrar)

    refused = client.post(change, {"subject": "Hello {nme}", "body": "Dear {name},"})
    assert "Unknown placeholder: {nme}. Use one of those listed." in refused.content.decode()
    response = client.post(change, {"subject": "Hello {name}", "body": "Dear {name},\r\n\r\nSee you."})
    assert response["Location"] == reverse("admin:delegates_staffemail_preview", args=[staff_email.pk])
    assert "Hello Somchai Jaidee" in client.get(response["Location"]).content.decode()
    staff_email.refresh_from_db()
    assert (staff_email.subject, staff_email.body) == ("Hello {name}", "Dear {name},\n\nSee you.")

    staff_email_send(staff_email_id=staff_email.pk, actor=registrar)
    client.post(change, {"subject": "Too late", "body": "Changed after sending"})
    staff_email.refresh_from_db()
    assert staff_email.subject == "Hello {name}"
    assert "Sent" in client.get(change).content.decode()


@pytest.mark.django_db
def test_the_outbox_lists_the_copies_of_one_staff_email(client, forum, mayors, registrar):
    for _ in range(2):
        RegistrationFactory(category=mayors)
    staff_email = compose(forum, registrar)
    staff_email_send(staff_email_id=staff_email.pk, actor=registrar)
    other = compose(forum, registrar)
    staff_email_send(staff_email_id=other.pk, actor=registrar)
    client.force_login(registrar)

    listing = client.get(
        reverse("admin:delegates_emailoutbox_changelist"), {"staff_email__id__exact": staff_email.pk}
    )

    shown = set(listing.context["cl"].queryset.values_list("pk", flat=True))
    assert shown == set(EmailOutbox.objects.filter(staff_email=staff_email).values_list("pk", flat=True))
    assert len(shown) == 2


@pytest.mark.slow
@pytest.mark.django_db
def test_ten_thousand_recipients_are_written_in_batches_in_one_transaction(
    forum, mayors, registrar, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    many(mayors, 10_000)
    staff_email = compose(forum, registrar)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_max_num_queries(30):
        staff_email_send(staff_email_id=staff_email.pk, actor=registrar)

    assert EmailOutbox.objects.filter(staff_email=staff_email, status=OutboxStatus.PENDING).count() == 10_000
    assert len(callbacks) == 1  # one task hands the rows to the worker
    assert StaffEmail.objects.get().recipient_count == 10_000
