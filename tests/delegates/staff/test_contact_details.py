"""The door team and the read-only role see a delegate by name, honorific, category, city, country and
status — never an email address, phone, dietary, accessibility, travel or visa detail: every admin
page they can open is rendered with a delegate carrying recognisable values, and none is in the HTML;
searching or filtering by those fields does not work for them either."""

import pytest
from django.urls import reverse

from tests.delegates.staff.conftest import CANARY, CANARY_TEXTS
from tests.delegates.staff.test_role_matrix import DASHBOARD, PAGES, own_and_other, url

pytestmark = pytest.mark.django_db

WITHOUT_CONTACT = ("door", "read_only")
# Labels of the hidden fields, as list columns, filters and form fields would show them.
CONTACT_LABELS = (
    "s email",  # "Delegate's email", however the apostrophe is escaped
    "mobile phone",
    "dietary",
    "allergies",
    "accessibility needs",
    "accompanying persons",
    "arrival",
    "departure",
    "hotel",
    "visa",
    "airport transfer",
    "delegate account",
    "registered by",
    "outgoing emails",
)


def leaks(html: str) -> list[str]:
    lowered = html.lower()
    return [text for text in CANARY_TEXTS if text.lower() in lowered]


def pages_of(world, role: str) -> list[str]:
    """Every admin URL of the matrix the role may open (lists, object pages, history, delete pages),
    the index, the forum's dashboard (counts only), and the print views."""
    found = [reverse("admin:index")]
    if role in DASHBOARD:
        found.append(reverse("admin:events_forum_dashboard", args=[world.a.forum.pk]))
    for label, row in PAGES.items():
        allowed = row[role]
        own, _other = own_and_other(world, label)
        found += [url(label, page) for page in "l" if page in allowed]
        found += [url(label, page, own) for page in "vhd" if page in allowed]
    return found


@pytest.mark.parametrize("role", WITHOUT_CONTACT)
def test_no_admin_page_shows_a_delegates_contact_details(world, as_role, role):
    client = as_role(role)
    pages = pages_of(world, role)

    rendered = {page: client.get(page) for page in pages}

    assert {page: response.status_code for page, response in rendered.items()} == dict.fromkeys(pages, 200)
    found = {page: leaks(response.content.decode()) for page, response in rendered.items()}
    assert {page: texts for page, texts in found.items() if texts} == {}


@pytest.mark.parametrize("role", WITHOUT_CONTACT)
def test_the_registration_list_and_page_have_no_contact_columns_filters_or_fields(world, as_role, role):
    client = as_role(role)
    listing = client.get(url("delegates.registration", "l")).content.decode().lower()
    page = client.get(url("delegates.registration", "v", world.a.registration)).content.decode().lower()

    assert [label for label in CONTACT_LABELS if label in listing] == []
    assert [label for label in CONTACT_LABELS if label in page] == []
    # What the door needs is there.
    registration = world.a.registration
    for text in (registration.given_name, registration.honorific, registration.category.name, "vientiane"):
        assert text.lower() in page


def test_staff_with_the_permission_see_the_contact_details(world, as_role):
    """The check above would find them: a registrar's page shows them."""
    page = as_role("registrar").get(url("delegates.registration", "v", world.a.registration))

    assert set(leaks(page.content.decode())) >= {CANARY["email"], "contact-leak", CANARY["hotel"]}


@pytest.mark.parametrize("role", WITHOUT_CONTACT)
def test_searching_by_email_finds_nothing_without_the_permission(world, as_role, role):
    changelist = url("delegates.registration", "l")

    without = as_role(role).get(changelist, {"q": CANARY["email"]})
    by_name = as_role(role).get(changelist, {"q": "Vongsa"})
    registrar = as_role("registrar").get(changelist, {"q": CANARY["email"]})

    assert without.context["cl"].result_count == 0
    assert by_name.context["cl"].result_count == 2  # the delegates of both forums
    assert [r.pk for r in registrar.context["cl"].result_list] == [world.a.registration.pk]


@pytest.mark.parametrize(
    "lookup",
    [
        {"email": CANARY["email"]},
        {"email__icontains": "canary"},
        {"phone__contains": "5555"},
        {"dietary__exact": "other"},
        {"hotel__icontains": "canary"},
        {"needs_visa_letter__exact": "1"},
        {"user__email__icontains": "canary"},
        {"history__reason__icontains": "canary"},
    ],
)
def test_filtering_by_a_contact_field_in_the_url_is_refused_without_the_permission(world, as_role, lookup):
    response = as_role("door").get(url("delegates.registration", "l"), lookup)

    assert response.status_code == 400


def test_the_registrar_may_filter_by_email(world, as_role):
    response = as_role("registrar").get(url("delegates.registration", "l"), {"email__icontains": "canary"})

    assert [r.pk for r in response.context["cl"].result_list] == [world.a.registration.pk]


def test_the_door_teams_print_page_and_print_job_pages_show_no_contact_details(world, as_role):
    client = as_role("door")
    registration = world.a.registration

    print_page = client.post(
        url("delegates.registration", "l"),
        {"action": "print_badges", "_selected_action": [registration.pk], "index": "0"},
    )
    progress = client.get(reverse("admin:delegates_printjob_progress", args=[world.a.print_job.pk]))

    assert print_page.status_code == 200
    assert "1 badge of Forum A will be printed, in one PDF." in " ".join(print_page.content.decode().split())
    assert leaks(print_page.content.decode()) == []
    assert leaks(progress.content.decode()) == []


def test_staff_who_may_change_but_not_see_contact_details_cannot_change_them(world, client):
    from tests.delegates.accounts import staff_user
    from tests.delegates.registration.admin_pages import form_data

    client.force_login(staff_user("corrector", "view_registration", "change_registration"))
    registration = world.a.registration
    change = url("delegates.registration", "v", registration)
    page = client.get(change)

    saved = client.post(
        change,
        {
            **form_data(page),
            "badge_name": "Vongsa Corrected",
            "email": "smuggled@elsewhere.example",
            "_save": "1",
        },
    )

    registration.refresh_from_db()
    assert saved.status_code == 302
    assert (registration.badge_name, registration.email) == ("Vongsa Corrected", CANARY["email"])
    assert leaks(page.content.decode()) == []
