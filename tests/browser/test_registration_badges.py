"""The badge column of the registration list in a real browser: a badge printed as it is, one changed
since it was printed (needs a reprint) and one that cannot print read differently — in words first —
and the "Needs reprint" filter finds the changed one."""

import os

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from delegates.models import Registration
from delegates.printing.runner import print_job_run
from delegates.printing.services import print_job_start
from delegates.registration.services import registration_update
from tests.browser.test_print_job_progress import problems, signed_in
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:delegates_registration_changelist"


@pytest.fixture
def organiser():
    user = UserFactory(username="organiser", email="organiser@uclg-aspac.example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="delegates",
            codename__in=["view_registration", "change_registration", "print_badges", "view_printjob"],
        )
    )
    return user


@pytest.fixture
def printed_forum(settings):
    """Four confirmed delegates of one forum, all printed; then one renames herself, and one gets a
    character no badge font has."""
    settings.BADGE_RENDER_PROCESSES = 1
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-reprint")
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor")
    people = {
        name: RegistrationFactory(category=category, badge_name=name)
        for name in ("Somchai Jaidee", "Sok Vibol", "Tan Mei Ling", "Aung Kyaw Min")
    }
    job = print_job_start(
        forum=forum, registrations=Registration.objects.filter(forum=forum), order="category_name", actor=None
    )
    print_job_run(job_id=job.pk)
    registration_update(registration=people["Tan Mei Ling"], data={"badge_name": "Tan Mei-Ling"}, actor=None)
    Registration.objects.filter(pk=people["Aung Kyaw Min"].pk).update(badge_name="Aung Kyaw Min \ue000")
    RegistrationFactory(category=category, badge_name="Ngo Bao")
    return forum


def badge_names_by_reference(forum) -> dict[str, str]:
    """The list names people in their name order; what was printed is the name on the badge."""
    from delegates.models import Registration

    return dict(Registration.objects.filter(forum=forum).values_list("reference", "badge_name"))


def test_badge_column_says_printed_needs_reprint_or_cannot_print(
    desktop_page,
    live_server,
    organiser,
    printed_forum,
):
    page = desktop_page
    signed_in(page, live_server, organiser)

    page.goto(live_server.url + reverse(CHANGELIST) + f"?forum__id__exact={printed_forum.pk}")

    badge_names = badge_names_by_reference(printed_forum)
    column = {
        badge_names[row.locator(".field-reference").inner_text()]: row.locator(
            "td.field-badge_printed"
        ).inner_text()
        for row in page.locator("#result_list tbody tr").all()
    }
    assert column == {
        "Somchai Jaidee": "Printed",
        "Sok Vibol": "Printed",
        "Tan Mei-Ling": "Needs reprint",
        "Aung Kyaw Min \ue000": "Cannot print: no font has U+E000",
        "Ngo Bao": "Not yet printed",
    }
    reprint = page.locator(".badge-state--changed")
    assert reprint.evaluate("node => getComputedStyle(node).fontWeight") == "600"
    if os.environ.get("AMF_SCREENSHOTS"):  # to look at the whole list: AMF_SCREENSHOTS=<folder>
        page.set_viewport_size({"width": 1800, "height": 900})
        page.screenshot(
            path=os.path.join(os.environ["AMF_SCREENSHOTS"], "registration-badges.png"), full_page=True
        )

    page.get_by_role("link", name="Needs reprint (changed since printed)").click()
    # The filtered list is a new page: read its rows once it has loaded, not the old page's.
    page.wait_for_url("**badge_printed=reprint**")
    page.wait_for_load_state()

    references = page.locator("#result_list tbody .field-reference").all_inner_texts()
    assert sorted(badge_names[reference] for reference in references) == [
        "Aung Kyaw Min \ue000",
        "Tan Mei-Ling",
    ]  # both changed since printed
    assert problems(page) == []
