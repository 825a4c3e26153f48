"""Badge printing in the admin (``delegates/printing/admin.py``): a job's progress page, the list of
print jobs, and on the registration list the "Print badges…" action (an intermediate page for order
and layout, then one job for the selection) and the "badge printed" filter."""

import datetime as dt
import itertools
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse

from delegates.checkin.tokens import checkin_token_reissue
from delegates.enums import BadgeOrder, PrintJobStatus, RegistrationStatus
from delegates.models import PrintJob, Registration
from delegates.printing.runner import print_job_run
from delegates.registration.services import registration_update
from events.enums import BadgeLayout
from tests.delegates.accounts import staff_user
from tests.delegates.printing.jobs import printed_names, progress_url, start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:delegates_registration_changelist"


# --- The progress page ---------------------------------------------------------------------------------


def test_progress_page_shows_bar_and_polls_without_inline_script(client, organiser, forum, delegates):
    job = start(forum, actor=organiser)
    client.force_login(organiser)

    response = client.get(reverse("admin:delegates_printjob_change", args=[job.pk]))

    html = response.text
    assert response.status_code == 200
    assert response.templates[0].name == "admin/delegates/printjob/progress.html"
    assert re.search(r'<progress id="print-job-bar"\s+max="5"\s+value="0"', html)
    assert '<p id="print-job-text" aria-live="polite" aria-atomic="true">0 of 5 badges</p>' in html
    assert f'data-progress-url="{progress_url(job)}"' in html
    assert '<script src="/static/js/print-job-progress.js" defer></script>' in html
    assert "<noscript>" in html
    assert html.count("<h1") == 1
    compact = re.sub(r"\s+", " ", html)
    assert '<div id="print-job-download" aria-live="polite" hidden>' in compact
    assert '<div id="print-job-failed" role="alert" hidden>' in compact
    assert 'id="print-job-restart" hidden>' in compact  # queued a moment ago: nothing to restart
    assert '<div id="print-job-finished" hidden>' in compact
    assert "<script>" not in html and " style=" not in html.split('id="content-main"')[1]


def test_progress_page_of_a_failed_job_offers_restart(client, organiser, forum, delegates):
    job = start(forum)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJobStatus.FAILED, error="Something broke.")
    client.force_login(organiser)

    html = client.get(reverse("admin:delegates_printjob_change", args=[job.pk])).text

    compact = re.sub(r"\s+", " ", html)
    restart = reverse("admin:delegates_printjob_restart", args=[job.pk])
    assert '<div id="print-job-failed" role="alert" >' in compact
    assert '<p class="errornote" id="print-job-error">Something broke.</p>' in compact
    assert (
        f'<form method="post" action="{restart}" id="print-job-restart" > '
        '<input type="hidden" name="csrfmiddlewaretoken"' in compact
    )
    assert '<button type="submit" aria-describedby="print-job-restart-help">Restart</button>' in compact


# --- The print job list --------------------------------------------------------------------------------


def test_print_job_changelist_queries_do_not_grow_with_rows(
    admin_client, forum, delegates, django_assert_num_queries
):
    start(forum, actor=UserFactory(username="someone"))

    with django_assert_num_queries(6):
        first = admin_client.get(reverse("admin:delegates_printjob_changelist"))
    for n, (order, layout) in enumerate(itertools.product(BadgeOrder.values, BadgeLayout.values)):
        start(forum, order=order, layout=layout, actor=UserFactory(username=f"organiser{n}"))
    with django_assert_num_queries(6):
        many = admin_client.get(reverse("admin:delegates_printjob_changelist"))

    assert first.context["cl"].result_count == 1
    assert many.context["cl"].result_count == PrintJob.objects.count() == 9
    assert "0 of 5 badges" in many.text
    assert reverse("admin:delegates_printjob_add") not in many.text


def test_print_job_list_and_page_show_times_in_the_forums_zone(client, organiser, done_job):
    started, finished = (
        dt.datetime(2030, 10, 5, 14, 40, tzinfo=dt.UTC),
        dt.datetime(2030, 10, 5, 14, 41, tzinfo=dt.UTC),
    )
    PrintJob.objects.filter(pk=done_job.pk).update(created_at=started, finished_at=finished)
    client.force_login(organiser)

    listing = client.get(reverse("admin:delegates_printjob_changelist"))
    page = client.get(reverse("admin:delegates_printjob_change", args=[done_job.pk]))

    change = reverse("admin:delegates_printjob_change", args=[done_job.pk])
    assert f'<th class="field-started"><a href="{change}">Sat 5 Oct 2030, 21:40 WIB</a></th>' in listing.text
    assert '<td class="field-finished">Sat 5 Oct 2030, 21:41 WIB</td>' in listing.text
    text = re.sub(r"\s+", " ", page.text)
    assert "<dt>Started at</dt> <dd> 5 October 2030, 21:40 WIB </dd>" in text
    assert (
        '<div id="print-job-finished" > <dt>Finished at</dt> <dd id="print-job-finished-at"> '
        "5 October 2030, 21:41 WIB </dd>"
    ) in text


def test_print_job_list_refused_without_view_permission(client, forum, delegates):
    client.force_login(staff_user("registrar", "view_registration", "change_registration"))

    assert client.get(reverse("admin:delegates_printjob_changelist")).status_code == 403


def test_delete_a_done_job_deletes_its_pdf(admin_client, done_job, django_capture_on_commit_callbacks):
    name = done_job.file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:delegates_printjob_delete", args=[done_job.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not PrintJob.objects.filter(pk=done_job.pk).exists()
    assert not default_storage.exists(name)


# --- The registration list's action and filter ---------------------------------------------------------


def test_print_action_asks_order_and_layout_then_starts_the_job(client, organiser, forum, delegates):
    client.force_login(organiser)
    selected = [r.pk for r in Registration.objects.filter(forum=forum)]  # 5 confirmed, 1 waitlisted

    page = client.post(
        reverse(CHANGELIST), {"action": "print_badges", "_selected_action": selected, "index": "0"}
    )

    assert page.status_code == 200
    assert page.templates[0].name == "admin/delegates/printjob/print_form.html"
    assert "5 badges of ASEAN Mayors Forum 2031 will be printed, in one PDF." in page.text
    assert "1 selected registration is not confirmed and gets no badge." in page.text
    assert page.context["form"]["layout"].value() == BadgeLayout.A6

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "print_badges",
            "_selected_action": selected,
            "select_across": "0",
            "order": BadgeOrder.COUNTRY_CITY_NAME,
            "layout": BadgeLayout.A4_SHEET,
            "confirm_action": "Start printing",
        },
    )

    job = PrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:delegates_printjob_change", args=[job.pk])
    assert (job.order, job.layout, job.created_by, job.total) == (
        BadgeOrder.COUNTRY_CITY_NAME,
        BadgeLayout.A4_SHEET,
        organiser,
        5,
    )
    assert printed_names(job) == ["élise Martin", "Edward Ong", "Zoë Adams", "Ana Nguyễn", "Ngo Bao"]


def test_print_action_select_all_of_a_filtered_list(client, organiser, forum, delegates):
    client.force_login(organiser)
    query = f"?forum__id__exact={forum.pk}&badge_printed=no"
    one_on_page = [delegates["ana"].pk]

    client.post(
        reverse(CHANGELIST) + query,
        {
            "action": "print_badges",
            "_selected_action": one_on_page,
            "select_across": "1",
            "order": BadgeOrder.PROTOCOL,
            "layout": BadgeLayout.A6,
            "confirm_action": "Start printing",
        },
    )

    job = PrintJob.objects.get()
    assert job.total == 5


def test_print_action_refuses_two_forums(client, organiser, forum, delegates):
    client.force_login(organiser)
    both = list(Registration.objects.filter(status=RegistrationStatus.CONFIRMED).values_list("pk", flat=True))

    response = client.post(
        reverse(CHANGELIST), {"action": "print_badges", "_selected_action": both, "index": "0"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Please select registrations of one forum at a time (filter the list by forum)."
    ]
    assert PrintJob.objects.count() == 0


def test_print_action_needs_permissions(client, forum, delegates):
    client.force_login(staff_user("viewer", "view_registration", "view_printjob"))

    page = client.get(reverse(CHANGELIST))

    assert 'value="print_badges"' not in page.text


def test_badge_printed_filter(client, organiser, forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum, registrations=[delegates["ana"].pk, delegates["zoe"].pk])
    print_job_run(job_id=job.pk)
    client.force_login(organiser)

    printed = client.get(reverse(CHANGELIST) + "?badge_printed=yes").context["cl"].result_list
    not_yet = client.get(reverse(CHANGELIST) + "?badge_printed=no").context["cl"].result_list

    assert {r.badge_name for r in printed} == {"Ana Nguyễn", "Zoë Adams"}
    assert {r.badge_name for r in not_yet} == {"élise Martin", "Edward Ong", "Ngo Bao", "Other Forum"}


def test_not_yet_printed_counts_only_done_jobs(client, organiser, forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    all_five = set(Registration.objects.filter(forum=forum, status="confirmed").values_list("pk", flat=True))
    two = [delegates["ana"].pk, delegates["zoe"].pk]
    done = start(forum, registrations=two)
    print_job_run(job_id=done.pk)
    start(forum, registrations=[delegates["ngo"].pk])  # queued: not printed yet
    client.force_login(organiser)

    listed = client.get(reverse(CHANGELIST) + f"?forum__id__exact={forum.pk}&badge_printed=no")
    remaining = {registration.pk for registration in listed.context["cl"].result_list}

    assert remaining == all_five - set(two)


# --- Reprints and badges that cannot print --------------------------------------------------------------


def listed(client, query: str) -> set[str]:
    return {r.badge_name for r in client.get(reverse(CHANGELIST) + query).context["cl"].result_list}


def badge_column(client, forum) -> dict[str, str]:
    """The badge column of the registration list, by the name on each badge: what a member of staff
    reads there (rows found by their reference, the list's first column)."""
    page = client.get(reverse(CHANGELIST) + f"?forum__id__exact={forum.pk}")
    badge_names = dict(Registration.objects.filter(forum=forum).values_list("reference", "badge_name"))
    rows = re.findall(r"<tr>.*?</tr>", page.text, flags=re.S)
    column = {}
    for row in rows:
        reference = re.search(r'class="field-reference"><a [^>]*>(.*?)</a>', row, flags=re.S)
        badge = re.search(r'class="field-badge_printed">(.*?)</td>', row, flags=re.S)
        if reference and badge:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", badge.group(1))).strip()
            column[badge_names[reference.group(1)]] = text
    return column


@pytest.fixture
def printed_two(forum, delegates, settings):
    """Ana's and Zoë's badges printed by a finished job."""
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum, registrations=[delegates["ana"].pk, delegates["zoe"].pk])
    assert print_job_run(job_id=job.pk)
    return job


def test_a_badge_edited_since_it_was_printed_needs_a_reprint(
    client, organiser, forum, delegates, printed_two
):
    client.force_login(organiser)
    ana = delegates["ana"]

    registration_update(
        registration=ana, data={"badge_name": "Ana Nguyễn Thị", "dietary": "vegan"}, actor=None
    )

    assert listed(client, "?badge_printed=yes") == {"Zoë Adams"}
    assert listed(client, "?badge_printed=reprint") == {"Ana Nguyễn Thị"}
    assert listed(client, "?badge_printed=no") == {
        "Ana Nguyễn Thị",
        "élise Martin",
        "Edward Ong",
        "Ngo Bao",
        "Other Forum",
    }
    assert badge_column(client, forum) == {
        "Ana Nguyễn Thị": "Needs reprint",
        "Zoë Adams": "Printed",
        "élise Martin": "Not yet printed",
        "Edward Ong": "Not yet printed",
        "Ngo Bao": "Not yet printed",
        "Waiting Person": "-",
    }


def test_details_the_badge_does_not_show_leave_it_printed(client, organiser, forum, delegates, printed_two):
    client.force_login(organiser)

    registration_update(
        registration=delegates["ana"], data={"dietary": "vegan", "hotel": "Riverside"}, actor=None
    )

    assert listed(client, "?badge_printed=yes") == {"Ana Nguyễn", "Zoë Adams"}
    assert listed(client, "?badge_printed=reprint") == set()


def test_a_new_check_in_code_or_a_renamed_category_needs_a_reprint(
    client, organiser, forum, delegates, printed_two
):
    client.force_login(organiser)

    checkin_token_reissue(registration=delegates["zoe"], actor=organiser)
    assert listed(client, "?badge_printed=reprint") == {"Zoë Adams"}

    delegates["ana"].category.name = "Mayor or Governor"
    delegates["ana"].category.save()
    assert listed(client, "?badge_printed=reprint") == {"Zoë Adams", "Ana Nguyễn"}


def test_printing_the_changed_badge_again_makes_it_printed(
    client, organiser, forum, delegates, printed_two, settings
):
    client.force_login(organiser)
    registration_update(registration=delegates["ana"], data={"position": "Vice Mayor"}, actor=None)

    job = start(forum, registrations=[delegates["ana"].pk])
    print_job_run(job_id=job.pk)

    assert listed(client, "?badge_printed=reprint") == set()
    assert listed(client, "?badge_printed=yes") == {"Ana Nguyễn", "Zoë Adams"}


def test_reprint_filter_and_column_query_counts_do_not_grow(
    admin_client, forum, delegates, printed_two, django_assert_num_queries
):
    query = reverse(CHANGELIST) + "?badge_printed=reprint"
    with django_assert_num_queries(10):
        admin_client.get(query)
    for person in ("elise", "edward", "ngo"):
        registration_update(registration=delegates[person], data={"city": "Hue"}, actor=None)
    job = start(forum, registrations=[delegates[p].pk for p in ("elise", "edward", "ngo")])
    print_job_run(job_id=job.pk)
    for person in ("elise", "edward", "ngo", "ana"):
        registration_update(registration=delegates[person], data={"city": "Vinh"}, actor=None)

    with django_assert_num_queries(12):
        many = admin_client.get(query)

    assert many.context["cl"].result_count == 4


def test_a_badge_that_cannot_print_is_marked_and_left_out_of_the_job(client, organiser, forum, delegates):
    """Details entered past the form (here: straight into the row, as the admin or an import would)
    with a character no badge font has: the list says so, the print page lists it, the job leaves it
    out and says which."""
    Registration.objects.filter(pk=delegates["edward"].pk).update(badge_name="Edward Ong 😀")
    client.force_login(organiser)
    selected = [r.pk for r in Registration.objects.filter(forum=forum)]

    column = badge_column(client, forum)
    page = client.post(
        reverse(CHANGELIST), {"action": "print_badges", "_selected_action": selected, "index": "0"}
    )
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "print_badges",
            "_selected_action": selected,
            "order": BadgeOrder.CATEGORY_NAME,
            "layout": BadgeLayout.A6,
            "confirm_action": "Start printing",
        },
        follow=True,
    )

    reference = delegates["edward"].reference
    assert column["Edward Ong 😀"] == "Cannot print: no font has 😀 (U+1F600)"
    assert "4 badges of ASEAN Mayors Forum 2031 will be printed, in one PDF." in page.text
    assert "1 badge cannot be printed as it is and will be left out; correct it first:" in page.text
    assert f"{reference} H.E. Edward Ong 😀 (no font has 😀 (U+1F600))" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", page.text)
    )
    assert PrintJob.objects.get().total == 4
    assert "Edward Ong 😀" not in printed_names(PrintJob.objects.get())
    assert [str(m) for m in response.context["messages"]] == [
        f"This badge cannot be printed as it is and was left out: {reference} H.E. Edward Ong 😀 "
        "(no font has 😀 (U+1F600)).",
        "The badges are being rendered; the PDF will be ready here.",
    ]
